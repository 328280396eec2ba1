//! Staff remove a theme and restore it: removed, it answers 410 (API, page, ActivityStreams)
//! and leaves the lists, while its ideas stay stored; restored, it is back as it was. Only
//! staff may do either, and the pages work without a script.

use serde_json::json;

use crate::both_databases;
use crate::browser::Browser;
use crate::helpers::{Backend, phase_today, spawn_app};

async fn a_removed_theme_is_gone_until_staff_restore_it(backend: Backend) {
    let app = spawn_app(&backend).await;
    let staff = app.staff().await;
    let resident = app.resident("hanako").await;
    app.theme(&staff, "parks", "open", phase_today(true, true, true))
        .await;
    let idea = app
        .post(
            "/api/v1/themes/parks/proposals",
            Some(&resident),
            json!({"title": "ベンチを増やす", "body": "木陰に"}),
        )
        .await
        .expect(201)["id"]
        .as_i64()
        .unwrap();

    assert_eq!(
        app.delete("/api/v1/themes/parks", Some(&resident))
            .await
            .status,
        403
    );
    // Removed from the staff pages: a page that says what happens, then the form.
    let mut browser = Browser::new(&app);
    browser.log_in("staff_member").await;
    let confirm = browser.get("/staff/themes/parks/remove").await;
    assert_eq!(confirm.status, 200);
    confirm.contains("アイデア（1件）やコメントは消さずに保存");
    let removed = browser
        .submit(
            "/staff/themes/parks/remove",
            "/staff/themes/parks/remove",
            &[],
        )
        .await;
    assert_eq!(removed.status, 303, "{}", removed.html);

    let gone = app.get("/api/v1/themes/parks", None).await;
    assert_eq!(gone.status, 410, "{}", gone.body);
    assert_eq!(gone.body["type"], "urn:hiroba:problem:gone");
    let listed = app.get("/api/v1/themes", Some(&staff)).await.expect(200);
    assert_eq!(listed, json!([]), "a removed theme leaves the list");
    let page = Browser::new(&app).get("/themes/parks").await;
    assert_eq!(page.status, 410);
    page.contains("このページは削除されました");
    let (status, tombstone) = app.activity("/themes/parks").await;
    assert_eq!(status, 410);
    assert_eq!(tombstone["formerType"], "Group");
    assert_eq!(
        app.delete("/api/v1/themes/parks", Some(&staff))
            .await
            .status,
        410,
        "removing twice"
    );
    assert_eq!(
        app.get(&format!("/api/v1/proposals/{idea}"), None)
            .await
            .status,
        404,
        "its ideas are not shown"
    );
    let taken = app
        .post(
            "/api/v1/themes",
            Some(&staff),
            json!({"slug": "parks", "title": "別の公園", "status": "draft", "phases": []}),
        )
        .await;
    assert_eq!(taken.status, 409, "the name stays the removed theme's");

    // Restored from the list of removed themes: back as it was, with its idea.
    let list = browser.get("/staff/themes/removed").await;
    list.contains("Theme parks");
    let restored = browser
        .submit("/staff/themes/removed", "/staff/themes/parks/restore", &[])
        .await;
    assert_eq!(restored.status, 303, "{}", restored.html);
    let theme = app.get("/api/v1/themes/parks", None).await.expect(200);
    assert_eq!(theme["proposal_count"], 1);
    app.get(&format!("/api/v1/proposals/{idea}"), None)
        .await
        .expect(200);
    assert_eq!(
        app.post("/api/v1/themes/parks/restore", Some(&staff), json!({}))
            .await
            .status,
        404,
        "only a removed theme is restored"
    );
    let list = browser.get("/staff/themes/removed").await;
    list.contains("削除したテーマはありません。");
}

both_databases!(a_removed_theme_is_gone_until_staff_restore_it);
