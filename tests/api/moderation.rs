//! Reports, the moderation queue, blocks, and the municipality profile through the API.

use hiroba::domain::Role;
use serde_json::json;

use crate::both_databases;
use crate::helpers::{Backend, phase_today, spawn_app};

async fn reports_reach_the_queue_and_hiding_resolves_them(backend: Backend) {
    let app = spawn_app(&backend).await;
    let staff = app.staff().await;
    let hanako = app.resident("hanako").await;
    let taro = app.resident("taro").await;
    let sakura = app.resident("sakura").await;
    let moderator = app.user_with_role("mod", Role::Moderator).await;
    app.theme(&staff, "t", "open", phase_today(true, true, true))
        .await;
    let id = app.idea(&hanako, "t", "公園").await;
    let comment = app
        .post(
            &format!("/api/v1/proposals/{id}/comments"),
            Some(&taro),
            json!({"body": "失礼な言葉"}),
        )
        .await
        .expect(201);
    let cid = comment["id"].as_i64().unwrap();

    assert_eq!(
        app.post(
            &format!("/api/v1/comments/{cid}/report"),
            None,
            json!({"reason": "x"})
        )
        .await
        .status,
        401
    );
    let empty = app
        .post(
            &format!("/api/v1/comments/{cid}/report"),
            Some(&hanako),
            json!({"reason": " "}),
        )
        .await;
    assert_eq!(
        (empty.status, empty.fields()),
        (422, vec!["reason".to_string()])
    );
    assert_eq!(
        app.post(
            &format!("/api/v1/comments/{cid}/report"),
            Some(&hanako),
            json!({"reason": "暴言"})
        )
        .await
        .status,
        202
    );
    assert_eq!(
        app.post(
            &format!("/api/v1/comments/{cid}/report"),
            Some(&sakura),
            json!({"reason": "不快"})
        )
        .await
        .status,
        202
    );
    assert_eq!(
        app.post(
            &format!("/api/v1/proposals/{id}/report"),
            Some(&taro),
            json!({"reason": "重複"})
        )
        .await
        .status,
        202
    );
    assert_eq!(
        app.post(
            "/api/v1/comments/99999/report",
            Some(&taro),
            json!({"reason": "x"})
        )
        .await
        .status,
        404
    );

    assert_eq!(
        app.get("/api/v1/moderation/reports", Some(&hanako))
            .await
            .status,
        403
    );
    let queue = app
        .get("/api/v1/moderation/reports", Some(&moderator))
        .await
        .expect(200);
    assert_eq!(queue.as_array().unwrap().len(), 3);
    assert_eq!(queue[0]["target_kind"], "comment");
    assert_eq!(queue[0]["excerpt"], "失礼な言葉");
    assert_eq!(queue[0]["reporter"], "hanako");
    let report_id = queue[0]["id"].as_i64().unwrap();

    let resolve = format!("/api/v1/moderation/reports/{report_id}/resolve");
    let reply = app
        .post(
            &resolve,
            Some(&moderator),
            json!({"action": "hide", "note": ""}),
        )
        .await;
    assert_eq!(
        (reply.status, reply.fields()),
        (422, vec!["note".to_string()])
    );
    app.post(
        &resolve,
        Some(&moderator),
        json!({"action": "hide", "note": "誹謗中傷のため"}),
    )
    .await
    .expect(204);
    // Both reports of the comment are closed; the proposal's stays.
    let queue = app
        .get("/api/v1/moderation/reports", Some(&moderator))
        .await
        .expect(200);
    assert_eq!(queue.as_array().unwrap().len(), 1);
    assert_eq!(queue[0]["target_kind"], "proposal");
    assert_eq!(
        app.post(
            &resolve,
            Some(&moderator),
            json!({"action": "dismiss", "note": "x"})
        )
        .await
        .status,
        409
    );
    let tree = app
        .get(&format!("/api/v1/proposals/{id}/comments"), None)
        .await
        .expect(200);
    assert_eq!(tree[0]["status"], "hidden");
    let own = app
        .get(&format!("/api/v1/proposals/{id}/comments"), Some(&taro))
        .await
        .expect(200);
    assert_eq!(
        own[0]["hidden_reason"], "誹謗中傷のため",
        "the author learns why"
    );

    let proposal_report = queue[0]["id"].as_i64().unwrap();
    app.post(
        &format!("/api/v1/moderation/reports/{proposal_report}/resolve"),
        Some(&moderator),
        json!({"action": "dismiss", "note": "問題なし"}),
    )
    .await
    .expect(204);
    assert_eq!(
        app.get(&format!("/api/v1/proposals/{id}"), None)
            .await
            .expect(200)["status"],
        "published"
    );
    assert!(
        app.get("/api/v1/moderation/reports", Some(&moderator))
            .await
            .expect(200)
            .as_array()
            .unwrap()
            .is_empty()
    );
}

async fn moderators_block_instances_and_accounts(backend: Backend) {
    let app = spawn_app(&backend).await;
    let moderator = app.user_with_role("mod", Role::Moderator).await;
    let resident = app.resident("taro").await;
    let body = json!({"kind": "domain", "value": "https://Spam.Example/about", "reason": "スパム"});
    assert_eq!(
        app.post("/api/v1/moderation/blocks", Some(&resident), body.clone())
            .await
            .status,
        403
    );
    let block = app
        .post("/api/v1/moderation/blocks", Some(&moderator), body.clone())
        .await
        .expect(201);
    assert_eq!(block["value"], "spam.example");
    assert_eq!(
        app.post("/api/v1/moderation/blocks", Some(&moderator), body)
            .await
            .status,
        409
    );
    let actor = app
        .post(
            "/api/v1/moderation/blocks",
            Some(&moderator),
            json!({"kind": "actor", "value": "https://Mastodon.Example/users/troll"}),
        )
        .await
        .expect(201);
    assert_eq!(actor["value"], "https://mastodon.example/users/troll");
    for bad in [
        json!({"kind": "domain", "value": "not a domain"}),
        json!({"kind": "actor", "value": "troll"}),
        // A handle is resolved to the actor's id when the block is made, or refused.
        json!({"kind": "actor", "value": "@troll@127.0.0.1:1"}),
        json!({"kind": "domain", "value": "localhost"}),
    ] {
        let reply = app
            .post("/api/v1/moderation/blocks", Some(&moderator), bad.clone())
            .await;
        assert_eq!(
            (reply.status, reply.fields()),
            (422, vec!["value".to_string()]),
            "{bad}"
        );
    }
    let listed = app
        .get("/api/v1/moderation/blocks", Some(&moderator))
        .await
        .expect(200);
    assert_eq!(listed.as_array().unwrap().len(), 2);
    let id = block["id"].as_i64().unwrap();
    app.delete(&format!("/api/v1/moderation/blocks/{id}"), Some(&moderator))
        .await
        .expect(204);
    assert_eq!(
        app.delete(&format!("/api/v1/moderation/blocks/{id}"), Some(&moderator))
            .await
            .status,
        404
    );
}

async fn staff_edit_the_municipality_profile(backend: Backend) {
    let app = spawn_app(&backend).await;
    let staff = app.staff().await;
    let resident = app.resident("taro").await;
    let update = json!({"name_ja": "鎌倉市", "name_en": "Kamakura City", "prefecture": "神奈川県"});
    assert_eq!(
        app.put("/api/v1/instance", Some(&resident), update.clone())
            .await
            .status,
        403
    );
    let reply = app
        .put(
            "/api/v1/instance",
            Some(&staff),
            json!({"name_ja": "", "name_en": "K"}),
        )
        .await;
    assert_eq!(
        (reply.status, reply.fields()),
        (422, vec!["name_ja".to_string()])
    );
    let body = app
        .put("/api/v1/instance", Some(&staff), update)
        .await
        .expect(200);
    assert_eq!(body["name_ja"], "鎌倉市");
    let body = app.get("/api/v1/instance", None).await.expect(200);
    assert_eq!(
        (body["name_en"].as_str(), body["prefecture"].as_str()),
        (Some("Kamakura City"), Some("神奈川県"))
    );
    let page = app
        .client
        .get(format!("{}/", app.address))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("<title>ホーム | 鎌倉市</title>"), "{page}");
}

async fn search_finds_ideas_by_japanese_words(backend: Backend) {
    let app = spawn_app(&backend).await;
    let staff = app.staff().await;
    let hanako = app.resident("hanako").await;
    app.theme(&staff, "t", "open", phase_today(true, true, true))
        .await;
    app.theme(&staff, "d", "draft", json!([])).await;
    app.idea(&hanako, "t", "駅前の駐輪場不足").await;
    app.idea(&hanako, "t", "公園の整備").await;
    app.post(
        "/api/v1/themes/t/proposals",
        Some(&hanako),
        json!({"title": "Bike parking", "body": "100% of racks are full_at 8am"}),
    )
    .await
    .expect(201);
    let search = |q: &str| {
        let url = format!(
            "{}/search?q={}",
            app.address,
            url::form_urlencoded::byte_serialize(q.as_bytes()).collect::<String>()
        );
        let client = app.client.clone();
        async move { client.get(url).send().await.unwrap().text().await.unwrap() }
    };
    let page = search("駐輪場").await;
    assert!(
        page.contains("駅前の駐輪場不足") && !page.contains("公園の整備"),
        "{page}"
    );
    assert!(
        search("ＢＩＫＥ").await.contains("Bike parking"),
        "full-width and case are normalised"
    );
    assert!(search("100%").await.contains("Bike parking"));
    assert!(
        !search("1%of").await.contains("Bike parking"),
        "% is literal, not a wildcard"
    );
    assert!(
        search("公園 整備").await.contains("公園の整備"),
        "every word must match"
    );
    assert!(!search("公園 駐輪場").await.contains("公園の整備"));
}

both_databases!(
    reports_reach_the_queue_and_hiding_resolves_them,
    moderators_block_instances_and_accounts,
    staff_edit_the_municipality_profile,
    search_finds_ideas_by_japanese_words,
);
