//! The word cloud: the terms of a theme's ideas found with the real dictionary, counted as
//! ideas are posted, edited and withdrawn (kept counts, read by the page), for the whole
//! theme or one phase; staff stop words leave a term out at once; the page (cloud and
//! table), the ideas of a term and the self-reloading projector view; local names stay whole.

use serde_json::{Value, json};

use crate::both_databases;
use crate::browser::Browser;
use crate::helpers::{Auth, Backend, TestApp, day, spawn_app, wait_until};

const SENTENCE: &str =
    "子育て世代が気軽に集まれる公園の整備と、駅前の駐輪場不足の解消を提案します。";

async fn words(app: &TestApp, query: &str) -> Value {
    app.get(&format!("/api/v1/themes/parks/words{query}"), None)
        .await
        .expect(200)
}

/// Posts an idea to the theme `parks`; its id.
async fn idea(app: &TestApp, who: &Auth, title: &str, body: &str) -> i64 {
    app.post(
        "/api/v1/themes/parks/proposals",
        Some(who),
        json!({"title": title, "body": body}),
    )
    .await
    .expect(201)["id"]
        .as_i64()
        .unwrap()
}

fn count_of(cloud: &Value, term: &str) -> Option<i64> {
    cloud["terms"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["term"] == term)
        .map(|t| t["ideas"].as_i64().unwrap())
}

async fn the_cloud_counts_the_nouns_of_ideas(backend: Backend) {
    let app = spawn_app(&backend).await;
    let staff = app.staff().await;
    let hanako = app.resident("hanako").await;
    // Two phases: ideas now fall in the second one.
    app.theme(
        &staff,
        "parks",
        "open",
        json!([
            {"name": "前半", "starts_on": day(-20), "ends_on": day(-10),
             "allows": {"ideas": true, "comments": true, "supports": true}},
            {"name": "後半", "starts_on": day(-9), "ends_on": day(9),
             "allows": {"ideas": true, "comments": true, "supports": true}}
        ]),
    )
    .await;
    assert_eq!(words(&app, "").await["terms"], json!([]));
    let first = idea(&app, &hanako, "公園と駐輪場", SENTENCE).await;
    wait_until("the first idea's terms", async || {
        count_of(&words(&app, "").await, "駐輪場") == Some(1)
    })
    .await;
    let cloud = words(&app, "").await;
    for term in [
        "子育て",
        "世代",
        "公園",
        "整備",
        "駅前",
        "駐輪場",
        "不足",
        "解消",
    ] {
        assert_eq!(count_of(&cloud, term), Some(1), "{term} in {cloud}");
    }
    // The platform's own words are left out by default.
    assert_eq!(count_of(&cloud, "提案"), None, "{cloud}");
    let second = idea(
        &app,
        &hanako,
        "公園に木陰を",
        "夏の公園は日差しが強いので、木を植えてください。",
    )
    .await;
    wait_until("the second idea counted", async || {
        count_of(&words(&app, "").await, "公園") == Some(2)
    })
    .await;
    let cloud = words(&app, "").await;
    assert_eq!(
        cloud["terms"][0]["term"], "公園",
        "most frequent first: {cloud}"
    );
    assert_eq!(cloud["terms"][0]["step"], 5);
    // The ideas of the current phase, and none in the first one.
    assert_eq!(count_of(&words(&app, "?phase=1").await, "公園"), Some(2));
    assert_eq!(words(&app, "?phase=0").await["terms"], json!([]));
    let no_phase = app.get("/api/v1/themes/parks/words?phase=7", None).await;
    assert_eq!(no_phase.status, 422);
    assert_eq!(no_phase.body["errors"][0]["field"], "phase");

    // Editing and withdrawing move the counts.
    app.patch(
        &format!("/api/v1/proposals/{second}"),
        Some(&hanako),
        json!({"title": "広場に木陰を", "body": "夏の広場は日差しが強いので、木を植えてください。"}),
    )
    .await
    .expect(200);
    wait_until("the edit counted", async || {
        let cloud = words(&app, "").await;
        count_of(&cloud, "公園") == Some(1) && count_of(&cloud, "広場") == Some(1)
    })
    .await;
    app.post(
        &format!("/api/v1/proposals/{first}/withdraw"),
        Some(&hanako),
        json!({}),
    )
    .await
    .expect(200);
    wait_until("the withdrawal counted", async || {
        let cloud = words(&app, "").await;
        count_of(&cloud, "駐輪場").is_none() && count_of(&cloud, "公園").is_none()
    })
    .await;

    // Stop words: staff only, checked by field, left out at once.
    let refused = app
        .put(
            "/api/v1/word-cloud/stop-words",
            Some(&hanako),
            json!({"terms": ["広場"]}),
        )
        .await;
    assert_eq!(refused.status, 403);
    let bad = app
        .put(
            "/api/v1/word-cloud/stop-words",
            Some(&staff),
            json!({"terms": ["木陰", " "]}),
        )
        .await;
    assert_eq!(bad.status, 422, "{}", bad.body);
    assert_eq!(bad.body["errors"][0]["field"], "terms[1]");
    assert!(
        count_of(&words(&app, "").await, "広場").is_some(),
        "nothing stored"
    );
    app.put(
        "/api/v1/word-cloud/stop-words",
        Some(&staff),
        json!({"terms": ["広場"]}),
    )
    .await
    .expect(200);
    assert!(count_of(&words(&app, "").await, "広場").is_none());
    assert!(count_of(&words(&app, "").await, "日差し").is_some());

    // A term the default list leaves out comes back when staff include it; the list is
    // there to read.
    let settings = app
        .get("/api/v1/word-cloud/stop-words", Some(&staff))
        .await
        .expect(200);
    assert!(
        settings["defaults"]
            .as_array()
            .is_some_and(|d| d.iter().any(|t| t == "提案")),
        "{settings}"
    );
    idea(&app, &hanako, "提案です", "シェアサイクルの提案をします。").await;
    wait_until("the third idea counted", async || {
        count_of(&words(&app, "").await, "シェアサイクル") == Some(1)
    })
    .await;
    assert_eq!(count_of(&words(&app, "").await, "提案"), None);
    app.put(
        "/api/v1/word-cloud/stop-words",
        Some(&staff),
        json!({"terms": ["広場"], "included": ["提案"]}),
    )
    .await
    .expect(200);
    assert_eq!(count_of(&words(&app, "").await, "提案"), Some(1));

    // The pages: the count as text, the table, a term's ideas, the projector view.
    let page = Browser::new(&app).get("/themes/parks/words").await;
    page.contains("日差し <span class=\"term-count\">(1件)</span>");
    page.contains("/themes/parks/words/term/%E6%97%A5%E5%B7%AE%E3%81%97");
    let table = Browser::new(&app)
        .get("/themes/parks/words?view=table")
        .await;
    table.contains("<td class=\"number\">1</td>");
    let ideas = Browser::new(&app)
        .get("/themes/parks/words/term/%E6%97%A5%E5%B7%AE%E3%81%97")
        .await;
    ideas.contains(&format!("/proposals/{second}"));
    let live = Browser::new(&app).get("/themes/parks/words/live").await;
    // It updates by a script of its own (no timed refresh of the whole page), and without
    // the script a link shows the latest.
    live.contains("id=\"live-cloud\" data-live-seconds=\"3\"");
    live.contains("<script src=\"/static/");
    live.contains("/hiroba.js\" defer></script>");
    live.contains("最新の表示にする");
    assert!(!live.html.contains("http-equiv=\"refresh\""));
    live.contains("日差し");
    // The projector shows where to take part: the theme's address and its QR code.
    live.contains("http://localhost/themes/parks</p>");
    live.contains("<div class=\"qr-code\" role=\"img\"");
    live.contains("<svg");
    // The cloud puts the most frequent term in the middle, not first.
    let cloud_terms: Vec<String> = words(&app, "").await["terms"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["term"].as_str().unwrap().to_string())
        .collect();
    if cloud_terms.len() >= 3 {
        let cloud_page = Browser::new(&app).get("/themes/parks/words").await;
        let position = |term: &str| {
            cloud_page
                .html
                .find(&format!(">{term} <span"))
                .unwrap_or_else(|| panic!("{term} on the page"))
        };
        assert!(position(&cloud_terms[1]) < position(&cloud_terms[0]));
        assert!(position(&cloud_terms[0]) < position(&cloud_terms[2]));
    }
    let mut clerk = Browser::new(&app);
    clerk.log_in("staff_member").await;
    let saved = clerk
        .submit(
            "/staff/word-cloud",
            "/staff/word-cloud",
            &[("terms", "広場\n木陰")],
        )
        .await;
    assert_eq!(saved.status, 303, "{}", saved.html);
    clerk
        .get("/staff/word-cloud")
        .await
        .contains("広場\n木陰</textarea>");
}

/// Local names stay whole: saving them counts the ideas already posted again, and ideas
/// posted after count them whole too; staff only, refused by field with nothing stored.
async fn local_names_stay_whole(backend: Backend) {
    let app = spawn_app(&backend).await;
    let staff = app.staff().await;
    let hanako = app.resident("hanako").await;
    app.theme(
        &staff,
        "parks",
        "open",
        crate::helpers::phase_today(true, true, true),
    )
    .await;
    let pool = "琴浦町民プールの駐車場を広げてください。";
    idea(&app, &hanako, "駐車場", pool).await;
    wait_until("the idea counted", async || {
        count_of(&words(&app, "").await, "駐車場") == Some(1)
    })
    .await;
    let before = words(&app, "").await;
    assert_eq!(count_of(&before, "琴浦町民プール"), None, "{before}");
    assert_eq!(count_of(&before, "プール"), Some(1), "split: {before}");

    let refused = app
        .put(
            "/api/v1/word-cloud/names",
            Some(&hanako),
            json!({"names": ["琴浦町民プール"]}),
        )
        .await;
    assert_eq!(refused.status, 403);
    let too_long = "長".repeat(41);
    let bad = app
        .put(
            "/api/v1/word-cloud/names",
            Some(&staff),
            json!({"names": ["琴浦町民プール", &too_long, ""]}),
        )
        .await;
    assert_eq!(bad.status, 422, "{}", bad.body);
    let fields: Vec<&str> = bad.body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["names[1]", "names[2]"], "{}", bad.body);
    let stored = app
        .get("/api/v1/word-cloud/names", Some(&staff))
        .await
        .expect(200);
    assert_eq!(stored["names"], json!([]), "nothing stored");

    let saved = app
        .put(
            "/api/v1/word-cloud/names",
            Some(&staff),
            json!({"names": ["琴浦町民プール", "Kotoura Park", "kotoura park"]}),
        )
        .await
        .expect(200);
    assert_eq!(
        saved["names"],
        json!(["Kotoura Park", "琴浦町民プール"]),
        "one of each"
    );
    wait_until("the idea counted again", async || {
        count_of(&words(&app, "").await, "琴浦町民プール") == Some(1)
    })
    .await;
    let after = words(&app, "").await;
    assert_eq!(count_of(&after, "プール"), None, "{after}");
    assert_eq!(count_of(&after, "駐車場"), Some(1), "{after}");
    idea(
        &app,
        &hanako,
        "Shade",
        "More shade at KOTOURA PARK and at 琴浦町民プール.",
    )
    .await;
    wait_until("the new idea counted whole", async || {
        let cloud = words(&app, "").await;
        count_of(&cloud, "Kotoura Park") == Some(1) && count_of(&cloud, "琴浦町民プール") == Some(2)
    })
    .await;

    // The staff page keeps the names a line each, and a refused one by its field.
    let mut clerk = Browser::new(&app);
    clerk.log_in("staff_member").await;
    clerk
        .get("/staff/word-cloud")
        .await
        .contains("Kotoura Park\n琴浦町民プール</textarea>");
    let typed = format!("琴浦町民プール\n{too_long}");
    let refused = clerk
        .submit(
            "/staff/word-cloud",
            "/staff/word-cloud/names",
            &[("names", typed.as_str())],
        )
        .await;
    assert_eq!(refused.status, 422, "{}", refused.html);
    refused.contains("id=\"error-names\"");
    refused.contains(&format!("{typed}</textarea>"));
    let saved = clerk
        .submit(
            "/staff/word-cloud",
            "/staff/word-cloud/names",
            &[("names", "琴浦町民プール")],
        )
        .await;
    assert_eq!(saved.status, 303, "{}", saved.html);
    wait_until("Kotoura Park split again", async || {
        count_of(&words(&app, "").await, "Kotoura Park").is_none()
    })
    .await;
}

/// Comments count when the cloud is asked to count them: added, removed and hidden with
/// their idea, on the API, the page, a term's ideas and the projector view.
async fn comments_count_when_asked(backend: Backend) {
    let app = spawn_app(&backend).await;
    let staff = app.staff().await;
    let hanako = app.resident("hanako").await;
    let taro = app.resident("taro").await;
    app.theme(
        &staff,
        "parks",
        "open",
        crate::helpers::phase_today(true, true, true),
    )
    .await;
    let posted = idea(&app, &hanako, "公園", "公園に木陰がほしいです。").await;
    let comment = app
        .post(
            &format!("/api/v1/proposals/{posted}/comments"),
            Some(&taro),
            json!({"body": "公園にベンチも置いてください。"}),
        )
        .await
        .expect(201)["id"]
        .as_i64()
        .unwrap();
    wait_until("the comment counted", async || {
        count_of(&words(&app, "?comments=true").await, "ベンチ") == Some(1)
    })
    .await;
    let with = words(&app, "?comments=true").await;
    assert_eq!(with["with_comments"], true);
    assert_eq!(
        count_of(&with, "公園"),
        Some(2),
        "the idea and the comment: {with}"
    );
    let without = words(&app, "").await;
    assert_eq!(count_of(&without, "公園"), Some(1), "{without}");
    assert_eq!(count_of(&without, "ベンチ"), None, "{without}");
    assert_eq!(
        count_of(&words(&app, "?phase=0&comments=true").await, "ベンチ"),
        Some(1)
    );

    // The pages keep the choice: the box ticked, the links, a term's ideas.
    let page = Browser::new(&app)
        .get("/themes/parks/words?comments=1")
        .await;
    page.contains("name=\"comments\" value=\"1\" checked");
    page.contains("ベンチ <span class=\"term-count\">(1件)</span>");
    page.contains("/themes/parks/words/live?comments=1");
    let bench = "/themes/parks/words/term/%E3%83%99%E3%83%B3%E3%83%81";
    page.contains(&format!("{bench}?comments=1"));
    Browser::new(&app)
        .get(&format!("{bench}?comments=1"))
        .await
        .contains(&format!("/proposals/{posted}"));
    assert!(
        !Browser::new(&app)
            .get(bench)
            .await
            .html
            .contains(&format!("/proposals/{posted}\"")),
        "without comments the idea does not contain the word"
    );
    Browser::new(&app)
        .get("/themes/parks/words/live?comments=1")
        .await
        .contains("ベンチ");

    // A removed comment leaves the count; a withdrawn idea takes its comments with it.
    app.delete(&format!("/api/v1/comments/{comment}"), Some(&taro))
        .await
        .expect(204);
    wait_until("the removed comment left", async || {
        count_of(&words(&app, "?comments=true").await, "ベンチ").is_none()
    })
    .await;
    app.post(
        &format!("/api/v1/proposals/{posted}/comments"),
        Some(&taro),
        json!({"body": "噴水も直してほしい。"}),
    )
    .await
    .expect(201);
    wait_until("the second comment counted", async || {
        count_of(&words(&app, "?comments=true").await, "噴水") == Some(1)
    })
    .await;
    app.post(
        &format!("/api/v1/proposals/{posted}/withdraw"),
        Some(&hanako),
        json!({}),
    )
    .await
    .expect(200);
    wait_until("the withdrawn idea's comments left", async || {
        words(&app, "?comments=true").await["terms"] == json!([])
    })
    .await;
}

both_databases!(
    the_cloud_counts_the_nouns_of_ideas,
    local_names_stay_whole,
    comments_count_when_asked
);
