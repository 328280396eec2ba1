//! A theme's public, printable summary: residents and fediverse accounts who took part are
//! counted apart, as are ideas, comments and supports; ideas are counted by the state of
//! their answer (every state listed, zero included); the results follow. Only what a visitor
//! can see counts: nothing under a withdrawn idea.

use serde_json::json;

use crate::both_databases;
use crate::browser::Browser;
use crate::helpers::{Backend, federating_app, phase_today};
use crate::peer::GtsPeer;

const CITY: &str = "http://localhost";

async fn the_summary_counts_who_took_part_and_what_became_of_it(backend: Backend) {
    let app = federating_app(&backend).await;
    let peer = GtsPeer::start("127.0.0.31", CITY).await;
    let staff = app.staff().await;
    let hanako = app.resident("hanako").await;
    let taro = app.resident("taro").await;
    app.theme(&staff, "parks", "open", phase_today(true, true, true))
        .await;
    let first = app.idea(&hanako, "parks", "木陰にベンチを").await;
    let second = app.idea(&hanako, "parks", "噴水を直して").await;
    app.idea(&taro, "parks", "トイレを増やして").await;
    app.post(
        &format!("/api/v1/proposals/{first}/comments"),
        Some(&taro),
        json!({"body": "賛成です"}),
    )
    .await
    .expect(201);
    // An idea its author withdrew takes what was said and given under it out of the summary:
    // saburo, who only supported and commented on it, did not take part in what is shown.
    let jiro = app.resident("jiro").await;
    let saburo = app.resident("saburo").await;
    let withdrawn = app.idea(&jiro, "parks", "駐車場を広げて").await;
    app.put(
        &format!("/api/v1/proposals/{withdrawn}/support"),
        Some(&saburo),
        json!({}),
    )
    .await
    .expect(200);
    app.post(
        &format!("/api/v1/proposals/{withdrawn}/comments"),
        Some(&saburo),
        json!({"body": "私も広げてほしい"}),
    )
    .await
    .expect(201);
    app.post(
        &format!("/api/v1/proposals/{withdrawn}/withdraw"),
        Some(&jiro),
        json!({}),
    )
    .await
    .expect(200);
    app.put(
        &format!("/api/v1/proposals/{first}/support"),
        Some(&taro),
        json!({}),
    )
    .await
    .expect(200);
    let like = json!({"id": format!("{}/likes/1", peer.actor_id()), "type": "Like",
                      "actor": peer.actor_id(), "object": format!("{CITY}/proposals/{first}")});
    assert_eq!(peer.post(&app, "/inbox", &like).await.0, 202);
    for (id, state) in [(first, "accepted"), (second, "not_adopted")] {
        app.put(
            &format!("/api/v1/proposals/{id}/answer"),
            Some(&staff),
            json!({"state": state, "body": "回答です", "department": "公園緑地課"}),
        )
        .await
        .expect(200);
    }
    app.post(
        "/api/v1/themes/parks/results",
        Some(&staff),
        json!({"heading": "公園のベンチ", "body": "反映しました。",
               "reflects": [{"proposal_id": first}]}),
    )
    .await
    .expect(201);

    let summary = app
        .get("/api/v1/themes/parks/summary", None)
        .await
        .expect(200);
    assert_eq!(summary["residents"], 2, "{summary}");
    assert_eq!(summary["fediverse_accounts"], 1);
    assert_eq!(summary["ideas"], 3);
    assert_eq!(summary["comments"], 1);
    assert_eq!(summary["supports"], 1);
    assert_eq!(summary["remote_supports"], 1);
    let count = |state: &str| {
        summary["answers"]
            .as_array()
            .unwrap()
            .iter()
            .find(|a| a["state"] == state)
            .unwrap()["count"]
            .as_i64()
            .unwrap()
    };
    assert_eq!(count("accepted"), 1);
    assert_eq!(count("not_adopted"), 1);
    assert_eq!(count("implemented"), 0);
    assert_eq!(count("unanswered"), 1);
    assert_eq!(summary["results"][0]["heading"], "公園のベンチ");

    let page = Browser::new(&app).get("/themes/parks/summary").await;
    assert_eq!(page.status, 200);
    page.contains("参加した住民</th><td class=\"number\">2</td>");
    page.contains("参加したフェディバースのアカウント</th><td class=\"number\">1</td>");
    page.contains("採用</th><td class=\"number\">1</td>");
    page.contains("未回答</th><td class=\"number\">1</td>");
    page.contains("公園のベンチ");
    let mut visitor = Browser::new(&app);
    visitor.accept_language = Some("en");
    let english = visitor.get("/themes/parks/summary").await;
    english.contains("Residents who took part");
}

both_databases!(the_summary_counts_who_took_part_and_what_became_of_it);
