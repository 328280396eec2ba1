//! Method pages without JavaScript: staff save a theme as a method, find it by words and
//! tag, read its phases and guidance, start a theme from it (a wrong date is shown at the
//! field, nothing made), and fork it; anyone reads the pages, in Japanese or English.

use crate::both_databases;
use crate::browser::Browser;
use crate::helpers::{Backend, phase_today, spawn_app};

async fn staff_reuse_methods_from_their_pages(backend: Backend) {
    let app = spawn_app(&backend).await;
    let staff = app.staff().await;
    app.theme(&staff, "parks", "open", phase_today(true, true, true))
        .await;
    let mut browser = Browser::new(&app);
    browser.log_in("staff_member").await;

    let saved = browser
        .submit(
            "/staff/themes/parks/edit",
            "/staff/themes/parks/method",
            &[],
        )
        .await;
    assert_eq!(saved.status, 303, "{}", saved.html);
    let method_path = saved.location.clone().unwrap();
    assert!(method_path.starts_with("/methods/"), "{method_path}");
    let page = browser.get(&method_path).await;
    assert_eq!(page.status, 200);
    page.contains("段階");
    page.contains("考える");
    page.contains("使われたテーマ");
    page.contains("この手法でテーマを始める");

    let list = browser.get("/methods?q=parks").await;
    list.contains(&format!("href=\"{method_path}\""));
    let none = browser.get("/methods?q=ワークショップ").await;
    none.contains("手法はまだありません");
    let bad = browser.get("/methods?tag=%23%23%23").await;
    assert_eq!(bad.status, 422, "{}", bad.html);
    bad.contains("aria-invalid=\"true\"");

    // A wrong date is shown at its field; nothing is made.
    let action = format!("{method_path}/themes");
    let refused = browser
        .submit(
            &method_path,
            &action,
            &[
                ("slug", "kodomo"),
                ("title", ""),
                ("starts_on", "2027-02-30"),
            ],
        )
        .await;
    assert_eq!(refused.status, 422, "{}", refused.html);
    refused.contains("id=\"start-date-error\"");
    refused.contains("value=\"kodomo\"");
    assert_eq!(
        app.get("/api/v1/themes/kodomo", Some(&staff)).await.status,
        404
    );
    let started = browser
        .submit(
            &method_path,
            &action,
            &[
                ("slug", "kodomo"),
                ("title", "子どもの公園"),
                ("starts_on", "2027-04-01"),
            ],
        )
        .await;
    assert_eq!(started.status, 303, "{}", started.html);
    assert_eq!(
        started.location.as_deref(),
        Some("/staff/themes/kodomo/edit")
    );
    let theme = app
        .get("/api/v1/themes/kodomo", Some(&staff))
        .await
        .expect(200);
    assert_eq!(theme["phases"][0]["starts_on"], "2027-04-01");
    assert_eq!(
        theme["based_on"]["id"],
        format!("{}{method_path}", app.config.public_url())
    );

    let fork = browser
        .submit(&method_path, &format!("{method_path}/fork"), &[])
        .await;
    assert_eq!(fork.status, 303);
    let fork_page = browser.get(fork.location.as_deref().unwrap()).await;
    fork_page.contains("もとになった手法");

    // Residents and visitors read but do not get the staff forms; English is complete.
    let mut visitor = Browser::new(&app);
    visitor.accept_language = Some("en");
    let page = visitor.get(&method_path).await;
    assert_eq!(page.status, 200);
    page.contains("Phases");
    assert!(
        !page.html.contains("/themes\" class=\"stack\""),
        "no staff form"
    );
    let refused = visitor
        .post(&format!("{method_path}/fork"), &[("csrf", "x")])
        .await;
    assert!(refused.status >= 400, "{}", refused.status);
    let library = visitor.get("/methods/library").await;
    assert_eq!(library.status, 200);
    library.contains("All prefectures");
}

both_databases!(staff_reuse_methods_from_their_pages);
