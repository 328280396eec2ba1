//! Official answers: staff answer a proposal with a state, a text, the department, a cost
//! and a link; a revision is a new version and the old one stays; the board filters by
//! state and staff see what awaits an answer, oldest first; the author, commenters and
//! supporters are notified on the site; on the fediverse the proposal's `Page` carries the
//! answer and the theme replies with a `Note` mentioning the accounts that liked it.

use serde_json::{Value, json};

use crate::both_databases;
use crate::browser::Browser;
use crate::helpers::{Backend, federating_app, phase_today, spawn_app};
use crate::peer::GtsPeer;
use crate::two_instances::eventually;

const CITY: &str = "http://localhost";

fn accepted() -> Value {
    json!({
        "state": "accepted",
        "body": "来年度の予算で**ベンチを10基**設置します。",
        "department": "公園緑地課",
        "cost": "約300万円（設置費）",
        "cost_estimate_yen": 3_000_000,
        "link": "https://city.example/plan/parks",
    })
}

async fn staff_answer_and_those_who_took_part_are_told(backend: Backend) {
    let app = federating_app(&backend).await;
    let staff = app.staff().await;
    let hanako = app.resident("hanako").await;
    let taro = app.resident("taro").await;
    let jiro = app.resident("jiro").await;
    app.theme(&staff, "parks", "open", phase_today(true, true, true))
        .await;
    let first = app.idea(&hanako, "parks", "木陰にベンチを").await;
    let second = app.idea(&hanako, "parks", "噴水を直して").await;
    app.post(
        &format!("/api/v1/proposals/{first}/comments"),
        Some(&taro),
        json!({"body": "賛成です"}),
    )
    .await
    .expect(201);
    app.put(
        &format!("/api/v1/proposals/{first}/support"),
        Some(&jiro),
        json!({}),
    )
    .await
    .expect(200);

    // Staff see both awaiting an answer, oldest first; residents may not look.
    let awaiting = app
        .get("/api/v1/answers/awaiting", Some(&staff))
        .await
        .expect(200);
    let ids: Vec<i64> = awaiting["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["id"].as_i64().unwrap())
        .collect();
    assert_eq!(ids, [first, second]);
    assert_eq!(
        app.get("/api/v1/answers/awaiting", Some(&hanako))
            .await
            .status,
        403
    );

    // Bad input: each field named, nothing stored.
    let path = format!("/api/v1/proposals/{first}/answer");
    let refused = app
        .put(
            &path,
            Some(&staff),
            json!({"state": "adopted", "body": " ", "department": "", "cost_estimate_yen": -5,
                   "link": "javascript:alert(1)"}),
        )
        .await;
    assert_eq!(refused.status, 422, "{}", refused.body);
    let mut fields: Vec<&str> = refused.body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    fields.sort();
    assert_eq!(
        fields,
        ["body", "cost_estimate_yen", "department", "link", "state"]
    );
    assert_eq!(refused.body["errors"][0]["code"], "unknown_state");
    assert_eq!(
        app.get(&format!("/api/v1/proposals/{first}/answers"), None)
            .await
            .expect(200),
        json!([])
    );
    assert_eq!(app.put(&path, Some(&hanako), accepted()).await.status, 403);

    // The answer: on the proposal, in its history, on the board's filter.
    let answer = app.put(&path, Some(&staff), accepted()).await.expect(200);
    assert_eq!(answer["version"], 1);
    assert_eq!(answer["state"], "accepted");
    assert!(
        answer["body_html"]
            .as_str()
            .unwrap()
            .contains("<strong>ベンチを10基</strong>")
    );
    let proposal = app
        .get(&format!("/api/v1/proposals/{first}"), None)
        .await
        .expect(200);
    assert_eq!(proposal["answer_state"], "accepted");
    assert_eq!(proposal["answer"]["department"], "公園緑地課");
    assert_eq!(proposal["answer"]["cost_estimate_yen"], 3_000_000);
    let board = |query: &'static str| {
        let app = &app;
        async move {
            app.get(&format!("/api/v1/themes/parks/proposals?{query}"), None)
                .await
                .expect(200)["items"]
                .as_array()
                .unwrap()
                .iter()
                .map(|p| p["id"].as_i64().unwrap())
                .collect::<Vec<_>>()
        }
    };
    assert_eq!(board("state=accepted").await, [first]);
    assert_eq!(board("state=unanswered").await, [second]);
    assert_eq!(board("state=not_adopted").await, Vec::<i64>::new());
    let bad = app
        .get("/api/v1/themes/parks/proposals?state=maybe", None)
        .await;
    assert_eq!(bad.status, 422, "{}", bad.body);
    assert_eq!(bad.body["errors"][0]["field"], "state");
    let awaiting = app
        .get("/api/v1/answers/awaiting", Some(&staff))
        .await
        .expect(200);
    assert_eq!(awaiting["items"].as_array().unwrap().len(), 1);

    // A revision is a new version; the first stays, with its date.
    let mut revised = accepted();
    revised["state"] = json!("implemented");
    revised["body"] = json!("10基を設置しました。");
    app.put(&path, Some(&staff), revised).await.expect(200);
    let history = app
        .get(&format!("/api/v1/proposals/{first}/answers"), None)
        .await
        .expect(200);
    assert_eq!(history.as_array().unwrap().len(), 2);
    assert_eq!(history[0]["version"], 2);
    assert_eq!(history[0]["state"], "implemented");
    assert_eq!(history[1]["state"], "accepted");
    assert!(history[1]["answered_at"].is_string());

    // The author, the commenter and the supporter are told; each answer once.
    for who in [&hanako, &taro, &jiro] {
        let told = eventually("the notifications", || async {
            let page = app
                .get("/api/v1/me/notifications", Some(who))
                .await
                .expect(200);
            (page["items"].as_array()?.len() == 2).then_some(page)
        })
        .await;
        assert_eq!(told["unread"], 2);
        assert_eq!(told["items"][0]["kind"], "proposal_answered");
        assert_eq!(told["items"][0]["proposal_id"], first);
        assert_eq!(told["items"][0]["proposal_title"], "木陰にベンチを");
        assert_eq!(told["items"][0]["answer_state"], "implemented");
    }
    let staff_told = app
        .get("/api/v1/me/notifications", Some(&staff))
        .await
        .expect(200);
    assert_eq!(staff_told["items"], json!([]), "who answered is not told");
    let one = app
        .get("/api/v1/me/notifications", Some(&taro))
        .await
        .expect(200)["items"][1]["id"]
        .clone();
    let marked = app
        .post(
            "/api/v1/me/notifications/read",
            Some(&taro),
            json!({"id": one}),
        )
        .await
        .expect(200);
    assert_eq!(marked["marked"], 1);
    let page = app
        .get("/api/v1/me/notifications", Some(&taro))
        .await
        .expect(200);
    assert_eq!(page["unread"], 1);
    assert_eq!(page["items"][1]["read"], true);
    // Someone else's notification is not theirs to mark.
    let others = app
        .post(
            "/api/v1/me/notifications/read",
            Some(&jiro),
            json!({"id": one}),
        )
        .await
        .expect(200);
    assert_eq!(others["marked"], 0);
    let all = app
        .post("/api/v1/me/notifications/read", Some(&taro), json!({}))
        .await
        .expect(200);
    assert_eq!(all["marked"], 1);

    // A withdrawn proposal cannot be answered.
    app.post(
        &format!("/api/v1/proposals/{second}/withdraw"),
        Some(&hanako),
        json!({}),
    )
    .await
    .expect(200);
    let late = app
        .put(
            &format!("/api/v1/proposals/{second}/answer"),
            Some(&staff),
            accepted(),
        )
        .await;
    assert_eq!(late.status, 409, "{}", late.body);
}

async fn the_fediverse_hears_what_the_city_decided(backend: Backend) {
    let app = federating_app(&backend).await;
    let peer = GtsPeer::start("127.0.0.28", CITY).await;
    let staff = app.staff().await;
    let hanako = app.resident("hanako").await;
    app.theme(&staff, "parks", "open", phase_today(true, true, true))
        .await;
    peer.follow_theme(&app, "parks").await;
    let id = app.idea(&hanako, "parks", "木陰にベンチを").await;
    let page = format!("{CITY}/proposals/{id}");
    let like = json!({"id": format!("{}/likes/1", peer.actor_id()), "type": "Like",
                      "actor": peer.actor_id(), "object": page});
    assert_eq!(peer.post(&app, "/inbox", &like).await.0, 202);

    app.put(
        &format!("/api/v1/proposals/{id}/answer"),
        Some(&staff),
        accepted(),
    )
    .await
    .expect(200);
    // The Page, updated with the answer: in its content for every reader (Mastodon-family
    // software ignores extension terms), as data in `hiroba:answer`, and dated as an edit.
    let update = peer
        .wait_for("the Update of the Page", |a| {
            a["type"] == "Update" && a["object"]["id"] == page.as_str()
        })
        .await;
    let answer = &update["object"]["hiroba:answer"];
    assert_eq!(answer["type"], "hiroba:Answer");
    assert_eq!(answer["hiroba:state"], "accepted");
    assert_eq!(answer["hiroba:department"], "公園緑地課");
    assert_eq!(answer["hiroba:cost"], "約300万円（設置費）");
    assert_eq!(answer["hiroba:costEstimateYen"], 3_000_000);
    let shown = update["object"]["content"].as_str().unwrap();
    for part in [
        "木陰にベンチを",
        "採用",
        "公園緑地課",
        "ベンチを10基",
        "費用の見込み: 約300万円（設置費）",
    ] {
        assert!(shown.contains(part), "{part} in {shown}");
    }
    assert!(update["object"]["updated"].is_string(), "{update}");
    // The municipality's Note in reply, in the theme (FEP-1b12): the municipality's Create,
    // announced by the theme, mentioning the account that liked the idea.
    let theme = format!("{CITY}/themes/parks");
    let announce = peer
        .wait_for("the theme's Announce of the municipality's Create", |a| {
            a["type"] == "Announce"
                && a["object"]["type"] == "Create"
                && a["object"]["object"]["inReplyTo"] == page.as_str()
        })
        .await;
    assert_eq!(announce["actor"], theme);
    let create = &announce["object"];
    let note = &create["object"];
    assert_eq!(create["actor"], format!("{CITY}/actor"));
    assert_eq!(note["type"], "Note");
    assert_eq!(note["attributedTo"], format!("{CITY}/actor"));
    assert_eq!(note["audience"], theme);
    assert!(
        note["cc"].as_array().unwrap().iter().any(|c| *c == theme),
        "addressed to the theme: {note}"
    );
    let content = note["content"].as_str().unwrap();
    assert!(content.contains("採用"), "{content}");
    assert!(content.contains("公園緑地課"), "{content}");
    assert!(content.contains("ベンチを10基"), "plain text: {content}");
    assert!(!content.contains("<strong>"), "plain text: {content}");
    let mention = note["tag"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["type"] == "Mention")
        .expect("a Mention");
    assert_eq!(mention["href"], peer.actor_id());
    assert!(
        note["cc"]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| *c == peer.actor_id())
    );
    // Mastodon-family software is sent the Note itself, shared by the theme.
    let shared = peer
        .wait_for("the theme's Announce of the Note", |a| {
            a["type"] == "Announce"
                && a["object"]["type"] == "Note"
                && a["object"]["inReplyTo"] == page.as_str()
        })
        .await;
    assert_eq!(shared["actor"], theme);
    // The Page and the Note read at their ids, the Note with its mentions.
    let (status, served) = app.activity(&format!("/proposals/{id}")).await;
    assert_eq!(status, 200);
    assert_eq!(served["hiroba:answer"]["hiroba:state"], "accepted");
    assert!(served["content"].as_str().unwrap().contains("公園緑地課"));
    let keys = |v: &Value| v.as_object().unwrap().keys().cloned().collect::<Vec<_>>();
    let example = crate::federation::example("hiroba-page-answered.json");
    assert_eq!(
        keys(&served["hiroba:answer"]),
        keys(&example["hiroba:answer"])
    );
    let note_id = note["id"].as_str().unwrap();
    let (status, served) = app.activity(note_id.trim_start_matches(CITY)).await;
    assert_eq!(status, 200, "{served}");
    assert_eq!(served["type"], "Note");
    assert_eq!(
        served["tag"], note["tag"],
        "the Note at its id mentions whom it was sent to"
    );
    let example = crate::federation::example("hiroba-answer-note.json");
    assert_eq!(keys(&served), keys(&example));
}

/// Officials write the cost as they would in a report; the number to sort by is read from
/// it where it states one amount, or given apart, and never invented.
async fn the_cost_is_kept_as_officials_write_it(backend: Backend) {
    let app = spawn_app(&backend).await;
    let staff = app.staff().await;
    let hanako = app.resident("hanako").await;
    app.theme(&staff, "parks", "open", phase_today(true, true, true))
        .await;
    let id = app.idea(&hanako, "parks", "木陰にベンチを").await;
    let path = format!("/api/v1/proposals/{id}/answer");
    let answer = |cost: Value, yen: Value| {
        json!({"state": "evaluating", "body": "検討します。", "department": "公園緑地課",
               "cost": cost, "cost_estimate_yen": yen})
    };
    for (cost, yen, expected) in [
        (json!("約１，２００万円"), Value::Null, json!(12_000_000)),
        (json!("1億2,000万円程度"), Value::Null, json!(120_000_000)),
        (json!("未定"), Value::Null, Value::Null),
        (
            json!("年間300万円（5年で1,500万円）"),
            json!(15_000_000),
            json!(15_000_000),
        ),
        (Value::Null, json!(450_000), json!(450_000)),
    ] {
        let given = app
            .put(&path, Some(&staff), answer(cost.clone(), yen))
            .await
            .expect(200);
        assert_eq!(given["cost"], cost, "kept as typed");
        assert_eq!(given["cost_estimate_yen"], expected, "{cost}");
    }
    let too_long = app
        .put(
            &path,
            Some(&staff),
            answer(json!("円".repeat(101)), Value::Null),
        )
        .await;
    assert_eq!(too_long.status, 422, "{}", too_long.body);
    assert_eq!(too_long.fields(), ["cost"]);
    // The page shows the words when there are words, the figure when there is only one.
    let page = Browser::new(&app).get(&format!("/proposals/{id}")).await;
    page.contains("概算費用: 450,000円");
    app.put(&path, Some(&staff), answer(json!("未定"), Value::Null))
        .await
        .expect(200);
    let page = Browser::new(&app).get(&format!("/proposals/{id}")).await;
    page.contains("費用の見込み: 未定");
}

both_databases!(
    the_cost_is_kept_as_officials_write_it,
    staff_answer_and_those_who_took_part_are_told,
    the_fediverse_hears_what_the_city_decided,
);
