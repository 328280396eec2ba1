//! Terms of use and privacy: staff write them (Markdown, each save a new version), every
//! page's footer leads to them, sign-up asks for agreement once terms exist and records the
//! version, and a change of the terms is asked again at the next login; the API the same.

use serde_json::json;

use crate::both_databases;
use crate::browser::Browser;
use crate::helpers::{Backend, PASSWORD, spawn_app};

/// Logs taro in from the login page, to go on to the themes.
async fn log_in_for_themes(browser: &mut Browser<'_>) -> crate::browser::Page {
    browser
        .submit(
            "/login",
            "/login",
            &[
                ("handle", "taro"),
                ("password", PASSWORD),
                ("next", "/themes"),
            ],
        )
        .await
}

/// Sends the page that asks for agreement to changed terms.
async fn answer_terms(browser: &mut Browser<'_>, fields: &[(&str, &str)]) -> crate::browser::Page {
    browser
        .submit("/terms/accept?next=%2Fthemes", "/terms/accept", fields)
        .await
}

async fn staff_publish_terms_and_residents_agree_at_signup_and_after_a_change(backend: Backend) {
    let app = spawn_app(&backend).await;
    let staff = app.staff().await;
    let resident = app.resident("hanako").await;
    let mut visitor = Browser::new(&app);

    // Before staff write them: the footer still leads there, the page says so, sign-up asks
    // nothing.
    let home = visitor.get("/").await;
    home.contains("<a href=\"/terms\">利用規約</a>");
    home.contains("<a href=\"/privacy\">プライバシーポリシー</a>");
    visitor
        .get("/terms")
        .await
        .contains("まだ掲載されていません");
    assert!(!visitor.get("/signup").await.html.contains("signup-terms"));
    assert_eq!(app.get("/api/v1/policies/terms", None).await.status, 404);
    assert_eq!(app.get("/api/v1/policies/rules", None).await.status, 404);
    // An agreement to terms that do not exist yet records nothing.
    app.post(
        "/api/v1/auth/signup",
        None,
        json!({"handle": "early", "password": PASSWORD, "accepted_terms": 3}),
    )
    .await
    .expect(201);
    let early = app.login("early", PASSWORD).await;

    // Staff write the terms on their form; an empty text is refused at the field.
    let mut office = Browser::new(&app);
    office.log_in("staff_member").await;
    let empty = office
        .submit(
            "/staff/policies/terms",
            "/staff/policies/terms",
            &[("body", "  ")],
        )
        .await;
    assert_eq!(empty.status, 422, "{}", empty.html);
    empty.contains("id=\"error-body\"");
    let saved = office
        .submit(
            "/staff/policies/terms",
            "/staff/policies/terms",
            &[(
                "body",
                "## 投稿のきまり\n\n（準備中）の項目も守ってください。",
            )],
        )
        .await;
    assert_eq!(saved.status, 303, "{}", saved.html);
    let terms = visitor.get("/terms").await;
    terms.contains("<h2>投稿のきまり</h2>");
    terms.contains("（準備中）の項目も守ってください。");
    terms.contains("第 1 版");
    let mut hanako_browser = Browser::new(&app);
    hanako_browser.log_in("hanako").await;
    assert_eq!(
        hanako_browser.get("/staff/policies/terms").await.status,
        403
    );

    // Sign-up now asks for agreement: without the tick nothing is made, and every mistake
    // is shown at once.
    let form = visitor.get("/signup").await;
    form.contains("id=\"signup-terms\" name=\"accepted_terms\" type=\"checkbox\" value=\"1\"");
    let refused = visitor
        .submit(
            "/signup",
            "/signup",
            &[("handle", "taro"), ("password", "short"), ("email", "")],
        )
        .await;
    assert_eq!(refused.status, 422, "{}", refused.html);
    refused.contains("id=\"error-accepted-terms\"");
    refused.contains("利用規約（第 1 版）への同意が必要です");
    refused.contains("id=\"error-password\"");
    let created = visitor
        .submit(
            "/signup",
            "/signup",
            &[
                ("handle", "taro"),
                ("password", PASSWORD),
                ("email", ""),
                ("accepted_terms", "1"),
            ],
        )
        .await;
    assert_eq!(created.status, 303, "{}", created.html);
    assert_eq!(created.location.as_deref(), Some("/"));

    // Through the API, the same rule; the version must be the current one.
    let no_terms = app
        .post(
            "/api/v1/auth/signup",
            None,
            json!({"handle": "kenji", "password": PASSWORD}),
        )
        .await
        .expect(422);
    assert_eq!(
        no_terms["errors"][0]["field"], "accepted_terms",
        "{no_terms}"
    );
    app.post(
        "/api/v1/auth/signup",
        None,
        json!({"handle": "kenji", "password": PASSWORD, "accepted_terms": 1}),
    )
    .await
    .expect(201);

    // Staff change the terms: at the next login, each account is asked again first.
    let early_status = app.get("/api/v1/me/terms", Some(&early)).await.expect(200);
    assert_eq!(early_status, json!({"current": 1, "pending_terms": 1}));
    let v2 = app
        .put(
            "/api/v1/policies/terms",
            Some(&staff),
            json!({"body": "## 投稿のきまり\n\n広告は投稿できません。"}),
        )
        .await
        .expect(200);
    assert_eq!(v2["version"], 2);
    let status = app
        .get("/api/v1/me/terms", Some(&resident))
        .await
        .expect(200);
    assert_eq!(status, json!({"current": 2, "pending_terms": 2}));
    let mut taro = Browser::new(&app);
    let login = log_in_for_themes(&mut taro).await;
    assert_eq!(
        login.location.as_deref(),
        Some("/terms/accept?next=%2Fthemes"),
        "{}",
        login.html
    );
    let ask = taro.get("/terms/accept?next=%2Fthemes").await;
    ask.contains("広告は投稿できません。");
    let unticked = answer_terms(&mut taro, &[("version", "2"), ("next", "/themes")]).await;
    assert_eq!(unticked.status, 422, "{}", unticked.html);
    unticked.contains("id=\"error-agree\"");
    let agreed = answer_terms(
        &mut taro,
        &[("version", "2"), ("agree", "on"), ("next", "/themes")],
    )
    .await;
    assert_eq!(
        agreed.location.as_deref(),
        Some("/themes"),
        "{}",
        agreed.html
    );
    let mut again = Browser::new(&app);
    let second = log_in_for_themes(&mut again).await;
    assert_eq!(second.location.as_deref(), Some("/themes"));

    // The API: an old version is refused, the current one recorded.
    app.put("/api/v1/me/terms", Some(&resident), json!({"version": 1}))
        .await
        .expect(422);
    app.put("/api/v1/me/terms", Some(&resident), json!({"version": 2}))
        .await
        .expect(204);
    let status = app
        .get("/api/v1/me/terms", Some(&resident))
        .await
        .expect(200);
    assert_eq!(status["pending_terms"], serde_json::Value::Null);

    // The privacy policy; English pages word it all in English.
    app.put(
        "/api/v1/policies/privacy",
        Some(&staff),
        json!({"body": "Answers are kept apart from accounts."}),
    )
    .await
    .expect(200);
    visitor.accept_language = Some("en");
    let privacy = visitor.get("/privacy").await;
    privacy.contains("<h1>Privacy policy</h1>");
    privacy.contains("Version 1");
    privacy.contains("Answers are kept apart from accounts.");
    let residents_may_not = app
        .put(
            "/api/v1/policies/privacy",
            Some(&resident),
            json!({"body": "x"}),
        )
        .await;
    assert_eq!(residents_may_not.status, 403);
}

both_databases!(staff_publish_terms_and_residents_agree_at_signup_and_after_a_change);
