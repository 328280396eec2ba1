//! Ideas / proposals: posting within the phase, anonymity, editing, withdrawing,
//! moderation, listing, and supports.

use hiroba::domain::Role;
use serde_json::json;

use crate::both_databases;
use crate::browser::Browser;
use crate::helpers::{Backend, day, phase_today, spawn_app};

async fn residents_post_ideas_only_while_the_phase_allows(backend: Backend) {
    let app = spawn_app(&backend).await;
    let staff = app.staff().await;
    let hanako = app.resident("hanako").await;
    app.theme(&staff, "ideas-open", "open", phase_today(true, true, true))
        .await;
    app.theme(&staff, "reading", "open", phase_today(false, true, false))
        .await;
    app.theme(&staff, "closed", "closed", json!([])).await;
    app.theme(&staff, "draft", "draft", json!([])).await;

    let created = app
        .post(
            "/api/v1/themes/ideas-open/proposals",
            Some(&hanako),
            json!({"title": "公園に日陰を", "body": "夏は**暑い**ので木陰がほしい", "tags": ["公園", "子育て"]}),
        )
        .await;
    let location = created.headers["location"].to_str().unwrap().to_string();
    let idea = created.expect(201);
    assert_eq!(location, format!("/api/v1/proposals/{}", idea["id"]));
    assert_eq!(
        idea["author"],
        json!({"anonymous": false, "handle": "hanako", "display_name": "hanako", "remote": false})
    );
    assert_eq!(idea["status"], "published");
    assert_eq!(idea["mine"], true);
    assert!(
        idea["body_html"]
            .as_str()
            .unwrap()
            .contains("<strong>暑い</strong>")
    );

    let body = json!({"title": "t", "body": "b"});
    let reply = app
        .post(
            "/api/v1/themes/reading/proposals",
            Some(&hanako),
            body.clone(),
        )
        .await;
    assert_eq!(reply.status, 409);
    assert_eq!(reply.body["type"], "urn:hiroba:problem:not-allowed-now");
    assert!(
        reply.body["detail"].as_str().unwrap().contains("考える"),
        "{}",
        reply.body
    );
    assert_eq!(
        app.post(
            "/api/v1/themes/closed/proposals",
            Some(&hanako),
            body.clone()
        )
        .await
        .status,
        409
    );
    assert_eq!(
        app.post(
            "/api/v1/themes/draft/proposals",
            Some(&hanako),
            body.clone()
        )
        .await
        .status,
        404
    );
    assert_eq!(
        app.post("/api/v1/themes/ideas-open/proposals", None, body)
            .await
            .status,
        401
    );
    let reply = app
        .post(
            "/api/v1/themes/ideas-open/proposals",
            Some(&hanako),
            json!({"title": " ", "body": "x".repeat(10_001)}),
        )
        .await;
    let mut fields = reply.fields();
    fields.sort();
    assert_eq!(
        (reply.status, fields),
        (422, vec!["body".to_string(), "title".to_string()])
    );
}

async fn anonymous_ideas_use_a_pseudonym_stable_per_theme(backend: Backend) {
    let app = spawn_app(&backend).await;
    let staff = app.staff().await;
    let yuki = app.resident("yuki").await;
    app.theme(&staff, "first", "open", phase_today(true, true, true))
        .await;
    app.theme(&staff, "second", "open", phase_today(true, true, true))
        .await;
    let post = |slug: &'static str, title: &'static str| {
        let path = format!("/api/v1/themes/{slug}/proposals");
        let yuki = yuki.clone();
        let app = &app;
        async move {
            app.post(
                &path,
                Some(&yuki),
                json!({"title": title, "body": "声を届けたい", "anonymous": true}),
            )
            .await
        }
    };
    let a = post("first", "一つ目").await.expect(201);
    let b = post("first", "二つ目").await.expect(201);
    let c = post("second", "別のテーマ").await.expect(201);
    assert_eq!(a["author"]["anonymous"], true);
    assert!(a["author"].get("handle").is_none());
    let name = a["author"]["display_name"].as_str().unwrap();
    assert!(name.starts_with("anon-"), "{name}");
    assert_eq!(b["author"]["display_name"], name, "stable within a theme");
    assert_ne!(
        c["author"]["display_name"], name,
        "unlinkable across themes"
    );
    // Pages show 匿名さん and the author's word, the same within the theme; a second
    // anonymous author of the theme has another word.
    let word = a["author"]["nickname"]
        .as_str()
        .expect("a word")
        .to_string();
    assert!(word.chars().all(|c| c.is_ascii_lowercase()), "{word}");
    assert_eq!(b["author"]["nickname"], word.as_str());
    let kenji = app.resident("kenji").await;
    let other = app
        .post(
            "/api/v1/themes/first/proposals",
            Some(&kenji),
            json!({"title": "三つ目", "body": "別の人", "anonymous": true}),
        )
        .await
        .expect(201);
    assert_ne!(other["author"]["nickname"], word.as_str());
    let mut reader = Browser::new(&app);
    let page = reader.get("/themes/first").await;
    assert!(
        page.html.matches("匿名さん（").count() >= 3,
        "{}",
        page.html
    );
    assert!(!page.html.contains("anon-"), "no code is shown");
    reader.accept_language = Some("en");
    let english = reader.get(&format!("/proposals/{}", a["id"])).await;
    english.contains("Anonymous (");
    assert!(!english.html.contains("anon-"));

    // The public and other residents cannot tell who it is; moderators can act on it.
    let public = app
        .get(&format!("/api/v1/proposals/{}", a["id"]), None)
        .await
        .expect(200);
    assert!(public.get("author_user_id").is_none());
    assert!(!public.to_string().contains("yuki"));
    let listed = app
        .get("/api/v1/themes/first/proposals", None)
        .await
        .expect(200);
    assert!(!listed.to_string().contains("yuki"));
    let moderator = app.user_with_role("mod", Role::Moderator).await;
    let seen = app
        .get(&format!("/api/v1/proposals/{}", a["id"]), Some(&moderator))
        .await
        .expect(200);
    let yuki_id = app.get("/api/v1/me", Some(&yuki)).await.expect(200)["id"].clone();
    assert_eq!(seen["author_user_id"], yuki_id);
    app.post(
        &format!("/api/v1/proposals/{}/hide", a["id"]),
        Some(&moderator),
        json!({"reason": "個人情報"}),
    )
    .await
    .expect(200);
}

async fn authors_edit_and_withdraw_their_own_ideas(backend: Backend) {
    let app = spawn_app(&backend).await;
    let staff = app.staff().await;
    let hanako = app.resident("hanako").await;
    let taro = app.resident("taro").await;
    app.theme(&staff, "t", "open", phase_today(true, true, true))
        .await;
    let id = app.idea(&hanako, "t", "最初の題").await;
    let path = format!("/api/v1/proposals/{id}");
    let edit = json!({"title": "直した題", "body": "直した本文", "tags": ["駅前"]});
    assert_eq!(
        app.patch(&path, Some(&taro), edit.clone()).await.status,
        403
    );
    let edited = app.patch(&path, Some(&hanako), edit).await.expect(200);
    assert_eq!(edited["title"], "直した題");
    assert_eq!(edited["tags"], json!(["駅前"]));

    assert_eq!(
        app.post(&format!("{path}/withdraw"), Some(&taro), json!({}))
            .await
            .status,
        403
    );
    let withdrawn = app
        .post(&format!("{path}/withdraw"), Some(&hanako), json!({}))
        .await
        .expect(200);
    assert_eq!(withdrawn["status"], "withdrawn");
    // Still readable, but out of the list and closed to changes and supports.
    assert_eq!(
        app.get(&path, None).await.expect(200)["status"],
        "withdrawn"
    );
    let listed = app
        .get("/api/v1/themes/t/proposals", None)
        .await
        .expect(200);
    assert_eq!(listed["items"].as_array().unwrap().len(), 0);
    assert_eq!(
        app.patch(&path, Some(&hanako), json!({"title": "x", "body": "y"}))
            .await
            .status,
        409
    );
    assert_eq!(
        app.put(&format!("{path}/support"), Some(&taro), json!({}))
            .await
            .status,
        409
    );
}

async fn moderators_hide_and_restore_with_a_reason(backend: Backend) {
    let app = spawn_app(&backend).await;
    let staff = app.staff().await;
    let hanako = app.resident("hanako").await;
    let taro = app.resident("taro").await;
    let moderator = app.user_with_role("mod", Role::Moderator).await;
    app.theme(&staff, "t", "open", phase_today(true, true, true))
        .await;
    let id = app.idea(&hanako, "t", "問題のある投稿").await;
    let path = format!("/api/v1/proposals/{id}");
    assert_eq!(
        app.post(
            &format!("{path}/hide"),
            Some(&taro),
            json!({"reason": "嫌い"})
        )
        .await
        .status,
        403
    );
    let reply = app
        .post(
            &format!("{path}/hide"),
            Some(&moderator),
            json!({"reason": ""}),
        )
        .await;
    assert_eq!(
        (reply.status, reply.fields()),
        (422, vec!["reason".to_string()])
    );
    let hidden = app
        .post(
            &format!("{path}/hide"),
            Some(&moderator),
            json!({"reason": "個人情報を含むため"}),
        )
        .await
        .expect(200);
    assert_eq!(hidden["status"], "hidden");
    assert_eq!(app.get(&path, None).await.status, 404);
    assert_eq!(app.get(&path, Some(&taro)).await.status, 404);
    let own = app.get(&path, Some(&hanako)).await.expect(200);
    assert_eq!(
        own["hidden_reason"], "個人情報を含むため",
        "the author learns why"
    );
    let public_list = app
        .get("/api/v1/themes/t/proposals", None)
        .await
        .expect(200);
    assert_eq!(public_list["items"].as_array().unwrap().len(), 0);
    let mod_list = app
        .get("/api/v1/themes/t/proposals", Some(&moderator))
        .await
        .expect(200);
    assert_eq!(mod_list["items"][0]["status"], "hidden");

    app.post(
        &format!("{path}/restore"),
        Some(&moderator),
        json!({"reason": "編集で解決"}),
    )
    .await
    .expect(200);
    assert_eq!(
        app.get(&path, None).await.expect(200)["status"],
        "published"
    );
}

async fn lists_filter_by_tag_sort_and_page(backend: Backend) {
    let app = spawn_app(&backend).await;
    let staff = app.staff().await;
    let hanako = app.resident("hanako").await;
    let voters = [app.resident("v1").await, app.resident("v2").await];
    app.theme(&staff, "t", "open", phase_today(true, true, true))
        .await;
    for (title, tag) in [("公園A", "公園"), ("駅前B", "駅前"), ("公園C", "公園")] {
        app.post(
            "/api/v1/themes/t/proposals",
            Some(&hanako),
            json!({"title": title, "body": "本文", "tags": [tag]}),
        )
        .await
        .expect(201);
    }
    let items = |v: serde_json::Value| -> Vec<String> {
        v["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["title"].as_str().unwrap().to_string())
            .collect()
    };
    let newest = app
        .get("/api/v1/themes/t/proposals", None)
        .await
        .expect(200);
    assert_eq!(items(newest.clone()), ["公園C", "駅前B", "公園A"]);
    let ekimae = newest["items"][1]["id"].as_i64().unwrap();
    for voter in &voters {
        app.put(
            &format!("/api/v1/proposals/{ekimae}/support"),
            Some(voter),
            json!({}),
        )
        .await
        .expect(200);
    }
    let by_support = app
        .get("/api/v1/themes/t/proposals?sort=most_supported", None)
        .await
        .expect(200);
    assert_eq!(items(by_support)[0], "駅前B");
    let parks = app
        .get(
            &format!("/api/v1/themes/t/proposals?tag={}", "%E5%85%AC%E5%9C%92"),
            None,
        )
        .await
        .expect(200);
    assert_eq!(items(parks), ["公園C", "公園A"]);
    let page1 = app
        .get("/api/v1/themes/t/proposals?per_page=2", None)
        .await
        .expect(200);
    assert_eq!(
        (items(page1.clone()).len(), page1["has_more"].as_bool()),
        (2, Some(true))
    );
    let page2 = app
        .get("/api/v1/themes/t/proposals?per_page=2&page=2", None)
        .await
        .expect(200);
    assert_eq!(
        (items(page2.clone()), page2["has_more"].as_bool()),
        (vec!["公園A".to_string()], Some(false))
    );
    let reply = app
        .get("/api/v1/themes/t/proposals?sort=random", None)
        .await;
    assert_eq!(
        (reply.status, reply.fields()),
        (422, vec!["sort".to_string()])
    );
    let reply = app
        .get("/api/v1/themes/t/proposals?per_page=1000", None)
        .await;
    assert_eq!(
        (reply.status, reply.fields()),
        (422, vec!["per_page".to_string()])
    );
    assert_eq!(
        app.get("/api/v1/proposals/not-a-number", None).await.status,
        404
    );
}

async fn one_support_per_person_withdrawable_and_counted(backend: Backend) {
    let app = spawn_app(&backend).await;
    let staff = app.staff().await;
    let hanako = app.resident("hanako").await;
    let taro = app.resident("taro").await;
    let kenji = app.resident("kenji").await;
    app.theme(&staff, "t", "open", phase_today(true, true, true))
        .await;
    let id = app.idea(&hanako, "t", "駐輪場").await;
    let path = format!("/api/v1/proposals/{id}/support");
    assert_eq!(app.put(&path, None, json!({})).await.status, 401);
    assert_eq!(
        app.put(&path, Some(&taro), json!({})).await.expect(200)["support_count"],
        1
    );
    assert_eq!(
        app.put(&path, Some(&taro), json!({})).await.expect(200)["support_count"],
        1,
        "twice counts once"
    );
    assert_eq!(
        app.put(&path, Some(&kenji), json!({})).await.expect(200)["support_count"],
        2
    );
    let view = app
        .get(&format!("/api/v1/proposals/{id}"), Some(&taro))
        .await
        .expect(200);
    assert_eq!(
        (view["support_count"].as_i64(), view["supported"].as_bool()),
        (Some(2), Some(true))
    );
    let listed = app
        .get("/api/v1/themes/t/proposals", Some(&hanako))
        .await
        .expect(200);
    assert_eq!(listed["items"][0]["supported"], false);
    let withdrawn = app.delete(&path, Some(&taro)).await.expect(200);
    assert_eq!(
        (
            withdrawn["support_count"].as_i64(),
            withdrawn["supported"].as_bool()
        ),
        (Some(1), Some(false))
    );
    assert!(
        app.get(&format!("/api/v1/proposals/{id}"), None)
            .await
            .expect(200)
            .get("supported")
            .is_none()
    );
}

async fn supports_follow_the_phase(backend: Backend) {
    let app = spawn_app(&backend).await;
    let staff = app.staff().await;
    let hanako = app.resident("hanako").await;
    let taro = app.resident("taro").await;
    let all = json!({"ideas": true, "comments": true, "supports": true});
    app.theme(&staff, "t", "open", phase_today(true, true, true))
        .await;
    let id = app.idea(&hanako, "t", "案").await;
    // Staff move the theme into a phase without supports.
    app.put(
        "/api/v1/themes/t",
        Some(&staff),
        json!({"title": "t", "status": "open", "phases": [
            {"name": "考える", "starts_on": day(-9), "ends_on": day(-1), "allows": all},
            {"name": "創る", "starts_on": day(0), "ends_on": day(9), "allows": {"ideas": false, "comments": true, "supports": false}}
        ]}),
    )
    .await
    .expect(200);
    let reply = app
        .put(
            &format!("/api/v1/proposals/{id}/support"),
            Some(&taro),
            json!({}),
        )
        .await;
    assert_eq!(reply.status, 409);
    assert!(reply.body["detail"].as_str().unwrap().contains("創る"));
    // Editing belongs to the idea phase too.
    let reply = app
        .patch(
            &format!("/api/v1/proposals/{id}"),
            Some(&hanako),
            json!({"title": "x", "body": "y"}),
        )
        .await;
    assert_eq!(reply.status, 409);
}

/// Many people open an answered idea at once, more than the pool has connections (the
/// tests' pool has 5): each request uses one connection at a time, so none waits on another
/// request's and all are served at once (a request holding one while asking for a second
/// waited the pool's 15 seconds and failed).
async fn many_open_an_idea_at_once(backend: Backend) {
    let app = spawn_app(&backend).await;
    let staff = app.staff().await;
    let hanako = app.resident("hanako").await;
    app.theme(&staff, "parks", "open", phase_today(true, true, true))
        .await;
    let id = app.idea(&hanako, "parks", "木陰にベンチを").await;
    app.put(
        &format!("/api/v1/proposals/{id}/answer"),
        Some(&staff),
        json!({"state": "accepted", "body": "設置します。", "department": "公園緑地課"}),
    )
    .await
    .expect(200);
    let requests: Vec<_> = (0..40)
        .map(|_| {
            let (client, url) = (
                app.client.clone(),
                format!("{}/api/v1/proposals/{id}", app.address),
            );
            tokio::spawn(async move { client.get(url).send().await.map(|r| r.status().as_u16()) })
        })
        .collect();
    let all = tokio::time::timeout(std::time::Duration::from_secs(10), async {
        let mut statuses = Vec::new();
        for request in requests {
            statuses.push(request.await.unwrap().unwrap());
        }
        statuses
    })
    .await
    .expect("40 concurrent reads are answered within 10 s");
    assert!(all.iter().all(|s| *s == 200), "{all:?}");
}

both_databases!(
    many_open_an_idea_at_once,
    residents_post_ideas_only_while_the_phase_allows,
    anonymous_ideas_use_a_pseudonym_stable_per_theme,
    authors_edit_and_withdraw_their_own_ideas,
    moderators_hide_and_restore_with_a_reason,
    lists_filter_by_tag_sort_and_page,
    one_support_per_person_withdrawable_and_counted,
    supports_follow_the_phase,
);
