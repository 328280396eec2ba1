//! Support thresholds: staff set how many supports make an idea need an answer and who
//! counts; progress shows as `n / m` in the API and on the pages (text beside the bar);
//! reaching it is recorded once, tells the author and puts the idea first in the staff
//! queue; fediverse likes count only where the theme says so; bad values are refused.

use serde_json::json;

use crate::both_databases;
use crate::browser::Browser;
use crate::helpers::{Backend, federating_app, phase_today};
use crate::peer::GtsPeer;
use crate::two_instances::eventually;

const CITY: &str = "http://localhost";

async fn an_idea_with_enough_supports_needs_an_answer(backend: Backend) {
    let app = federating_app(&backend).await;
    let peer = GtsPeer::start("127.0.0.29", CITY).await;
    let staff = app.staff().await;
    let hanako = app.resident("hanako").await;
    let taro = app.resident("taro").await;
    let jiro = app.resident("jiro").await;
    app.theme(&staff, "parks", "open", phase_today(true, true, true))
        .await;
    let older = app.idea(&hanako, "parks", "噴水を直して").await;
    let idea = app.idea(&hanako, "parks", "木陰にベンチを").await;
    let path = "/api/v1/themes/parks/threshold";

    // Bad values, by field; nothing changes.
    let refused = app
        .put(
            path,
            Some(&staff),
            json!({"support_threshold": 0, "counts": "everyone"}),
        )
        .await;
    assert_eq!(refused.status, 422, "{}", refused.body);
    let fields: Vec<&str> = refused.body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["support_threshold", "counts"]);
    let theme = app.get("/api/v1/themes/parks", None).await.expect(200);
    assert_eq!(theme["support_threshold"], serde_json::Value::Null);
    assert_eq!(
        app.put(path, Some(&hanako), json!({"support_threshold": 2}))
            .await
            .status,
        403
    );

    // Two residents' supports are needed; a fediverse like does not count yet.
    let theme = app
        .put(path, Some(&staff), json!({"support_threshold": 2}))
        .await
        .expect(200);
    assert_eq!(theme["support_threshold"], 2);
    assert_eq!(theme["threshold_counts"], "residents");
    let support = |who| {
        let app = &app;
        async move {
            app.put(
                &format!("/api/v1/proposals/{idea}/support"),
                Some(who),
                json!({}),
            )
            .await
            .expect(200);
        }
    };
    support(&taro).await;
    let like = json!({"id": format!("{}/likes/1", peer.actor_id()), "type": "Like",
                      "actor": peer.actor_id(), "object": format!("{CITY}/proposals/{idea}")});
    assert_eq!(peer.post(&app, "/inbox", &like).await.0, 202);
    let shown = app
        .get(&format!("/api/v1/proposals/{idea}"), None)
        .await
        .expect(200);
    assert_eq!(shown["threshold"]["needed"], 2);
    assert_eq!(shown["threshold"]["counted"], 1, "{shown}");
    assert_eq!(shown["threshold"]["reached_at"], serde_json::Value::Null);
    assert_eq!(shown["support_count"], 1);
    assert_eq!(shown["remote_support_count"], 1, "shown apart");
    let page = Browser::new(&app).get(&format!("/proposals/{idea}")).await;
    page.contains("共感 1 / 2");
    page.contains("<progress class=\"threshold-bar\" max=\"2\" value=\"1\"");

    // Counting fediverse accounts too: the idea reaches it at once, recorded once.
    app.put(
        path,
        Some(&staff),
        json!({"support_threshold": 2, "counts": "residents_and_fediverse"}),
    )
    .await
    .expect(200);
    let shown = app
        .get(&format!("/api/v1/proposals/{idea}"), None)
        .await
        .expect(200);
    assert_eq!(shown["threshold"]["counted"], 2);
    let reached = shown["threshold"]["reached_at"].clone();
    assert!(reached.is_string(), "{shown}");
    support(&jiro).await;
    let shown = app
        .get(&format!("/api/v1/proposals/{idea}"), None)
        .await
        .expect(200);
    assert_eq!(shown["threshold"]["reached_at"], reached, "recorded once");
    let board = Browser::new(&app).get("/themes/parks").await;
    board.contains("共感 3 / 2");
    board.contains("目標に達しました");

    // First in the staff queue, marked as needing an answer; the author is told.
    let queue = app
        .get("/api/v1/answers/awaiting", Some(&staff))
        .await
        .expect(200);
    assert_eq!(queue["items"][0]["id"], idea, "{queue}");
    assert_eq!(queue["items"][1]["id"], older);
    let mut staff_page = Browser::new(&app);
    staff_page.log_in("staff_member").await;
    let listed = staff_page.get("/staff/answers").await;
    listed.contains("回答が必要");
    let told = eventually("the author is told", || async {
        let page = app
            .get("/api/v1/me/notifications", Some(&hanako))
            .await
            .expect(200);
        (page["items"].as_array()?.len() == 1).then_some(page)
    })
    .await;
    assert_eq!(told["items"][0]["kind"], "threshold_reached");
    assert_eq!(told["items"][0]["proposal_id"], idea);

    // The staff page: a mistake at the field, then clearing the goal.
    let form = staff_page.get("/staff/themes/parks/threshold").await;
    form.contains("value=\"2\"");
    let wrong = staff_page
        .submit(
            "/staff/themes/parks/threshold",
            "/staff/themes/parks/threshold",
            &[("support_threshold", "五十"), ("counts", "residents")],
        )
        .await;
    assert_eq!(wrong.status, 422, "{}", wrong.html);
    wrong.contains("id=\"error-support-threshold\"");
    wrong.contains("数字で入力してください");
    let cleared = staff_page
        .submit(
            "/staff/themes/parks/threshold",
            "/staff/themes/parks/threshold",
            &[("support_threshold", ""), ("counts", "residents")],
        )
        .await;
    assert_eq!(cleared.status, 303, "{}", cleared.html);
    let shown = app
        .get(&format!("/api/v1/proposals/{idea}"), None)
        .await
        .expect(200);
    assert_eq!(shown["threshold"], serde_json::Value::Null);
}

both_databases!(an_idea_with_enough_supports_needs_an_answer);
