//! The server-rendered pages, driven like a browser without JavaScript: cookies kept,
//! forms posted with their CSRF token.

use serde_json::json;

use crate::both_databases;
use crate::browser::Browser;
use crate::helpers::{Backend, PASSWORD, phase_today, spawn_app};

async fn pages_are_japanese_first_with_english_on_request(backend: Backend) {
    let app = spawn_app(&backend).await;
    let staff = app.staff().await;
    app.theme(
        &staff,
        "sogo-keikaku",
        "open",
        phase_today(true, true, true),
    )
    .await;
    let mut browser = Browser::new(&app);
    let home = browser.get("/").await;
    assert_eq!(home.status, 200);
    home.contains("<html lang=\"ja\">");
    home.contains("募集中・公開中のテーマ");
    home.contains("Theme sogo-keikaku");
    assert!(
        home.headers["content-security-policy"]
            .to_str()
            .unwrap()
            .contains("default-src 'self'")
    );

    let mut english = Browser::new(&app);
    english.accept_language = Some("en-GB,en;q=0.9");
    english.get("/").await.contains("<html lang=\"en\">");

    // The switch persists, over the browser's preference.
    let switched = english
        .submit(
            "/themes/sogo-keikaku",
            "/lang",
            &[("lang", "ja"), ("back", "/themes/sogo-keikaku")],
        )
        .await;
    assert_eq!(
        (switched.status, switched.location.as_deref()),
        (303, Some("/themes/sogo-keikaku"))
    );
    english.get("/").await.contains("<html lang=\"ja\">");
    // Only local paths are followed after the switch.
    let away = english
        .submit(
            "/",
            "/lang",
            &[("lang", "en"), ("back", "https://evil.example/")],
        )
        .await;
    assert_eq!(away.location.as_deref(), Some("/"));
}

async fn signup_form_keeps_input_and_shows_errors_by_the_fields(backend: Backend) {
    let app = spawn_app(&backend).await;
    let mut browser = Browser::new(&app);
    let refused = browser
        .submit(
            "/signup",
            "/signup",
            &[
                ("handle", "鈴木"),
                ("email", "hanako@example"),
                ("password", "short"),
                ("display_name", "鈴木 花子"),
            ],
        )
        .await;
    assert_eq!(refused.status, 422);
    refused.contains("入力内容を確認してください");
    refused.contains("半角の英小文字・数字・アンダースコア");
    refused.contains("メールアドレスの形式で入力してください");
    refused.contains("8 文字以上で入力してください");
    refused.contains("value=\"鈴木 花子\"");
    refused.contains("value=\"hanako@example\"");
    refused.contains("aria-invalid=\"true\"");
    // The summary opens the page, lists each refused field in the form's order and leads to it.
    refused.contains("id=\"errors\" role=\"alert\" tabindex=\"-1\" autofocus");
    let handle_link = refused
        .html
        .find("<a href=\"#error-handle\">")
        .expect("handle");
    let email_link = refused
        .html
        .find("<a href=\"#error-email\">")
        .expect("email");
    let password_link = refused
        .html
        .find("<a href=\"#error-password\">")
        .expect("password");
    assert!(handle_link < email_link && email_link < password_link);
    refused.contains("<p class=\"field-error\" id=\"error-email\">");
    assert!(
        !refused.html.contains("value=\"short\""),
        "passwords are never echoed"
    );

    let created = browser
        .submit(
            "/signup",
            "/signup",
            &[
                ("handle", "hanako"),
                ("email", ""),
                ("password", PASSWORD),
                ("display_name", "鈴木 花子"),
            ],
        )
        .await;
    assert_eq!(created.status, 303, "{}", created.html);
    assert!(browser.cookies.contains_key("hiroba_session"));
    browser
        .get("/")
        .await
        .contains("<strong>鈴木 花子</strong>");
    let logout = browser.submit("/", "/logout", &[]).await;
    assert_eq!(logout.status, 303);
    browser.get("/").await.contains("href=\"/login\"");
}

async fn forms_without_the_csrf_token_are_refused(backend: Backend) {
    let app = spawn_app(&backend).await;
    app.resident("hanako").await;
    let mut browser = Browser::new(&app);
    browser.get("/login").await;
    let page = browser
        .post("/login", &[("handle", "hanako"), ("password", PASSWORD)])
        .await;
    assert_eq!(page.status, 403);
    page.contains("この操作は許可されていません");
    let forged = browser
        .post(
            "/login",
            &[
                ("csrf", "forged-token-value-12345"),
                ("handle", "hanako"),
                ("password", PASSWORD),
            ],
        )
        .await;
    assert_eq!(forged.status, 403);
    assert!(!browser.cookies.contains_key("hiroba_session"));
}

async fn residents_post_support_and_comment_through_forms(backend: Backend) {
    let app = spawn_app(&backend).await;
    let staff = app.staff().await;
    app.theme(&staff, "parks", "open", phase_today(true, true, true))
        .await;
    app.resident("yuki").await;
    app.resident("taro").await;

    let mut anonymous = Browser::new(&app);
    let theme = anonymous.get("/themes/parks").await;
    theme.contains("アイデアを投稿するにはログインしてください");
    theme.contains("@parks@localhost");
    let denied = anonymous
        .submit(
            "/themes/parks",
            "/themes/parks/proposals",
            &[("title", "x"), ("body", "y")],
        )
        .await;
    assert_eq!(
        (denied.status, denied.location.as_deref()),
        (303, Some("/login?next=%2Fthemes%2Fparks%2Fproposals"))
    );

    let mut yuki = Browser::new(&app);
    yuki.log_in("yuki").await;
    let refused = yuki
        .submit(
            "/themes/parks",
            "/themes/parks/proposals",
            &[
                ("title", ""),
                ("body", "日陰がほしい"),
                ("tags", "公園、子育て"),
            ],
        )
        .await;
    assert_eq!(refused.status, 422);
    refused.contains("日陰がほしい</textarea>");
    refused.contains("value=\"公園、子育て\"");
    let posted = yuki
        .submit(
            "/themes/parks",
            "/themes/parks/proposals",
            &[
                ("title", "公園に日陰を"),
                ("body", "夏は**暑い**"),
                ("tags", "公園、子育て"),
                ("anonymous", "on"),
            ],
        )
        .await;
    assert_eq!(posted.status, 303, "{}", posted.html);
    let idea_path = posted.location.unwrap();
    let idea = yuki.get(&idea_path).await;
    idea.contains("<h1 id=\"idea-title\">公園に日陰を</h1>");
    idea.contains("匿名さん（");
    assert!(!idea.html.contains("anon-"), "no code is shown");
    idea.contains("<strong>暑い</strong>");
    let seen_by_others = anonymous.get(&idea_path).await;
    seen_by_others.contains("匿名さん（");
    assert!(
        !seen_by_others.html.contains("yuki"),
        "the anonymous author is not revealed"
    );

    let mut taro = Browser::new(&app);
    taro.log_in("taro").await;
    let supported = taro
        .submit(
            &idea_path,
            &format!("{idea_path}/support"),
            &[("action", "add")],
        )
        .await;
    assert_eq!(supported.status, 303);
    let page = taro.get(&idea_path).await;
    page.contains("共感 1");
    page.contains("共感を取り消す");
    let commented = taro
        .submit(
            &idea_path,
            &format!("{idea_path}/comments"),
            &[("body", "賛成です")],
        )
        .await;
    assert_eq!(commented.status, 303);
    let comment_anchor = commented.location.unwrap();
    let comment_id = comment_anchor
        .rsplit("comment-")
        .next()
        .unwrap()
        .to_string();
    let replied = yuki
        .submit(
            &idea_path,
            &format!("{idea_path}/comments"),
            &[("body", "ありがとう"), ("parent_id", &comment_id)],
        )
        .await;
    assert_eq!(replied.status, 303);
    let page = anonymous.get(&idea_path).await;
    page.contains("賛成です");
    page.contains("ありがとう");
    page.contains("コメント 2 件");
    let board = anonymous
        .get("/themes/parks?sort=most_supported&tag=%E5%85%AC%E5%9C%92")
        .await;
    board.contains("公園に日陰を");
    board.contains("aria-current=\"page\">共感の多い順");
}

async fn phases_decide_which_forms_appear(backend: Backend) {
    let app = spawn_app(&backend).await;
    let staff = app.staff().await;
    app.theme(&staff, "reading", "open", phase_today(false, true, false))
        .await;
    let hanako = app.resident("hanako").await;
    let mut browser = Browser::new(&app);
    browser.log_in("hanako").await;
    let page = browser.get("/themes/reading").await;
    page.contains("いまのフェーズではアイデアを受け付けていません");
    page.contains("aria-current=\"step\"");
    // A phase for reading, before any idea, promises no comments it cannot take.
    assert!(!page.html.contains("コメントできます"), "{}", page.html);
    page.contains("資料を読み、内容を知る期間です");
    // Where ideas are asked for, or already there, comments are promised.
    app.theme(&staff, "talk", "open", phase_today(true, true, false))
        .await;
    app.idea(&hanako, "talk", "ベンチを増やして").await;
    browser
        .get("/themes/talk")
        .await
        .contains("投稿されたアイデアにコメントできます");
    let mut later = app.get("/api/v1/themes/talk", None).await.expect(200);
    later["phases"][0]["allows"]["ideas"] = json!(false);
    app.put(
        "/api/v1/themes/talk",
        Some(&staff),
        json!({"title": later["title"], "status": "open", "phases": later["phases"]}),
    )
    .await
    .expect(200);
    let page = browser.get("/themes/talk").await;
    page.contains("投稿されたアイデアにコメントできます");
    let refused = browser
        .submit(
            "/themes/reading",
            "/themes/reading/proposals",
            &[("title", "t"), ("body", "b")],
        )
        .await;
    assert_eq!(refused.status, 409);
    // What cannot be done, and why: the phase of today, by its name.
    refused.contains("アイデアの投稿はできません。いまのフェーズ（考える）ではできません。");
    let _ = hanako;
}

async fn errors_are_pages_in_the_visitors_language(backend: Backend) {
    let app = spawn_app(&backend).await;
    let mut browser = Browser::new(&app);
    let missing = browser.get("/themes/no-such-theme").await;
    assert_eq!(missing.status, 404);
    missing.contains("ページが見つかりません");
    let bad_id = browser.get("/proposals/abc").await;
    assert_eq!(bad_id.status, 404);
    browser.accept_language = Some("en");
    browser
        .get("/proposals/999")
        .await
        .contains("Page not found");
}

async fn the_setup_link_creates_the_first_administrator(backend: Backend) {
    let app = spawn_app(&backend).await;
    let token = hiroba::services::accounts::pending_setup_token(&app.state)
        .await
        .unwrap()
        .unwrap();
    let mut browser = Browser::new(&app);
    let wrong = browser.get("/setup?token=wrong").await;
    assert_eq!(wrong.status, 403);
    wrong.contains("無効");
    let path = format!("/setup?token={token}");
    let created = browser
        .submit(
            &path,
            "/setup",
            &[
                ("token", &token),
                ("handle", "chief"),
                ("password", PASSWORD),
                ("email", ""),
                ("display_name", ""),
            ],
        )
        .await;
    assert_eq!(created.status, 303, "{}", created.html);
    let me = app.get("/api/v1/users", None).await;
    assert_eq!(me.status, 401);
    assert_eq!(browser.get(&path).await.status, 403, "the link works once");
    let _ = json!({});
}

async fn server_errors_are_pages_that_reveal_nothing(backend: Backend) {
    let mut app = spawn_app(&backend).await;
    let mut browser = Browser::new(&app);
    browser.get("/").await;
    // The database goes away under the running server.
    app.state.db.close().await;
    // A page not read before (a visitor's page read a moment ago may still be served from
    // memory, which is what a visitor would want of a failing database).
    let page = browser.get("/?after=closing").await;
    assert_eq!(page.status, 500);
    page.contains("問題が発生しました");
    assert!(
        !page.html.contains("database") && !page.html.contains("pool"),
        "{}",
        page.html
    );
    app.stop().await;
}

both_databases!(
    server_errors_are_pages_that_reveal_nothing,
    pages_are_japanese_first_with_english_on_request,
    signup_form_keeps_input_and_shows_errors_by_the_fields,
    forms_without_the_csrf_token_are_refused,
    residents_post_support_and_comment_through_forms,
    phases_decide_which_forms_appear,
    errors_are_pages_in_the_visitors_language,
    the_setup_link_creates_the_first_administrator,
);
