//! Staff and resident account pages through forms: themes and phases, moderation queue,
//! blocks, roles, municipality profile, statistics profile, password.

use hiroba::domain::Role;
use serde_json::json;

use crate::both_databases;
use crate::browser::Browser;
use crate::helpers::{Backend, PASSWORD, day, phase_today, spawn_app};

async fn staff_create_and_edit_themes_with_phases(backend: Backend) {
    let app = spawn_app(&backend).await;
    app.staff().await;
    let mut staff = Browser::new(&app);
    staff.log_in("staff_member").await;
    let (d0, d1, d2, d3) = (day(-5), day(5), day(6), day(20));
    let refused = staff
        .submit(
            "/staff/themes/new",
            "/staff/themes/new",
            &[
                ("slug", "new-plan"),
                ("title", "新しい総合計画"),
                ("description", "説明"),
                ("tags", "計画、まちづくり"),
                ("status", "open"),
                ("phase_name_0", "知る"),
                ("phase_starts_0", &d0),
                ("phase_ends_0", &d1),
                ("phase_comments_0", "on"),
                ("phase_name_1", "考える"),
                ("phase_starts_1", &d1),
                ("phase_ends_1", &d3),
                ("phase_ideas_1", "on"),
                ("phase_name_2", ""),
                ("phase_starts_2", ""),
                ("phase_ends_2", ""),
            ],
        )
        .await;
    assert_eq!(refused.status, 422, "{}", refused.html);
    refused.contains("value=\"新しい総合計画\"");
    refused.contains("value=\"考える\"");
    refused.contains("前のフェーズの終了日より後にしてください");
    let created = staff
        .submit(
            "/staff/themes/new",
            "/staff/themes/new",
            &[
                ("slug", "new-plan"),
                ("title", "新しい総合計画"),
                ("description", "説明"),
                ("tags", "計画、まちづくり"),
                ("status", "open"),
                ("phase_name_0", "知る"),
                ("phase_starts_0", &d0),
                ("phase_ends_0", &d1),
                ("phase_comments_0", "on"),
                ("phase_name_1", "考える"),
                ("phase_starts_1", &d2),
                ("phase_ends_1", &d3),
                ("phase_ideas_1", "on"),
                ("phase_name_2", ""),
                ("phase_starts_2", ""),
                ("phase_ends_2", ""),
            ],
        )
        .await;
    assert_eq!(
        (created.status, created.location.as_deref()),
        (303, Some("/themes/new-plan")),
        "{}",
        created.html
    );
    let theme = app.get("/api/v1/themes/new-plan", None).await.expect(200);
    assert_eq!(theme["phases"].as_array().unwrap().len(), 2);
    assert_eq!(
        theme["phases"][0]["allows"],
        json!({"ideas": false, "comments": true, "supports": false, "amendments": false})
    );
    assert_eq!(theme["tags"], json!(["まちづくり", "計画"]));

    let edit = staff.get("/staff/themes/new-plan/edit").await;
    edit.contains("value=\"知る\"");
    let closed = staff
        .submit(
            "/staff/themes/new-plan/edit",
            "/staff/themes/new-plan/edit",
            &[
                ("title", "新しい総合計画（終了）"),
                ("description", "説明"),
                ("tags", ""),
                ("status", "closed"),
                ("phase_name_0", "知る"),
                ("phase_starts_0", &d0),
                ("phase_ends_0", &d1),
            ],
        )
        .await;
    assert_eq!(closed.status, 303, "{}", closed.html);
    let theme = app.get("/api/v1/themes/new-plan", None).await.expect(200);
    assert_eq!(
        (
            theme["status"].as_str(),
            theme["phases"].as_array().unwrap().len()
        ),
        (Some("closed"), 1)
    );

    // Residents do not get into the staff area; visitors are sent to log in.
    app.resident("taro").await;
    let mut resident = Browser::new(&app);
    resident.log_in("taro").await;
    assert_eq!(resident.get("/staff/themes/new").await.status, 403);
    assert_eq!(resident.get("/staff").await.status, 403);
    let visitor = Browser::new(&app).get("/staff").await;
    assert_eq!(
        (visitor.status, visitor.location.as_deref()),
        (303, Some("/login?next=%2Fstaff"))
    );
}

async fn a_reported_comment_is_hidden_from_the_moderation_queue(backend: Backend) {
    let app = spawn_app(&backend).await;
    let staff_auth = app.staff().await;
    app.theme(&staff_auth, "t", "open", phase_today(true, true, true))
        .await;
    let hanako = app.resident("hanako").await;
    let taro = app.resident("taro").await;
    let id = app.idea(&hanako, "t", "公園").await;
    let cid = app
        .post(
            &format!("/api/v1/proposals/{id}/comments"),
            Some(&taro),
            json!({"body": "失礼な言葉"}),
        )
        .await
        .expect(201)["id"]
        .as_i64()
        .unwrap();
    let idea_path = format!("/proposals/{id}");

    let mut reporter = Browser::new(&app);
    reporter.log_in("hanako").await;
    let reported = reporter
        .submit(
            &idea_path,
            &format!("/comments/{cid}/report"),
            &[("reason", "暴言です")],
        )
        .await;
    assert_eq!(
        reported.location.as_deref(),
        Some(format!("{idea_path}?reported=1").as_str())
    );
    reporter
        .get(&format!("{idea_path}?reported=1"))
        .await
        .contains("通報を受け付けました");

    let mut staff = Browser::new(&app);
    staff.log_in("staff_member").await;
    let queue = staff.get("/staff/moderation").await;
    queue.contains("未対応の通報 1 件");
    queue.contains("失礼な言葉");
    queue.contains("暴言です");
    let marker = "action=\"/staff/reports/";
    let start = queue.html.find(marker).unwrap() + marker.len();
    let report_id: String = queue.html[start..]
        .chars()
        .take_while(|c| c.is_ascii_digit())
        .collect();
    let hidden = staff
        .submit(
            "/staff/moderation",
            &format!("/staff/reports/{report_id}/resolve"),
            &[("action", "hide"), ("note", "誹謗中傷")],
        )
        .await;
    assert_eq!(hidden.status, 303);
    staff
        .get("/staff/moderation")
        .await
        .contains("未対応の通報はありません");
    let page = Browser::new(&app).get(&idea_path).await;
    page.contains("このコメントはモデレーターにより非表示になっています");
    assert!(!page.html.contains("失礼な言葉"));

    // Blocks from the same page; a bad value is shown next to the field.
    let refused = staff
        .submit(
            "/staff/moderation",
            "/staff/blocks",
            &[
                ("kind", "domain"),
                ("value", "not a domain"),
                ("reason", ""),
            ],
        )
        .await;
    assert_eq!(refused.status, 422);
    refused.contains("value=\"not a domain\"");
    let added = staff
        .submit(
            "/staff/moderation",
            "/staff/blocks",
            &[
                ("kind", "domain"),
                ("value", "spam.example"),
                ("reason", "スパム"),
            ],
        )
        .await;
    assert_eq!(added.status, 303);
    staff
        .get("/staff/moderation")
        .await
        .contains("spam.example");
}

async fn administrators_change_roles_and_staff_the_profile(backend: Backend) {
    let app = spawn_app(&backend).await;
    app.user_with_role("chief", Role::Administrator).await;
    let taro = app.resident("taro").await;
    let taro_id = app.get("/api/v1/me", Some(&taro)).await.expect(200)["id"]
        .as_i64()
        .unwrap();
    let mut admin = Browser::new(&app);
    admin.log_in("chief").await;
    let users = admin.get("/staff/users").await;
    users.contains("@taro");
    let changed = admin
        .submit(
            "/staff/users",
            &format!("/staff/users/{taro_id}/role"),
            &[("role", "moderator")],
        )
        .await;
    assert_eq!(changed.status, 303);
    assert_eq!(
        app.get("/api/v1/me", Some(&taro)).await.expect(200)["role"],
        "moderator"
    );

    let saved = admin
        .submit(
            "/staff/profile",
            "/staff/profile",
            &[
                ("name_ja", "鎌倉市"),
                ("name_en", "Kamakura"),
                ("prefecture", "神奈川県"),
            ],
        )
        .await;
    assert_eq!(saved.status, 303);
    admin
        .get("/")
        .await
        .contains("<a class=\"brand\" href=\"/\">鎌倉市</a>");
    let missing = admin.get("/themes/no-such-theme").await;
    assert_eq!(missing.status, 404);
    missing.contains("<a class=\"brand\" href=\"/\">鎌倉市</a>");

    let mut moderator = Browser::new(&app);
    moderator.log_in("taro").await;
    assert_eq!(
        moderator.get("/staff/users").await.status,
        403,
        "moderators do not manage roles"
    );
    assert_eq!(moderator.get("/staff/moderation").await.status, 200);
}

async fn residents_keep_a_statistics_profile_and_change_their_password(backend: Backend) {
    let app = spawn_app(&backend).await;
    let hanako = app.resident("hanako").await;
    let mut browser = Browser::new(&app);
    browser.log_in("hanako").await;
    let page = browser.get("/me").await;
    page.contains("集計するためだけに使います");
    let saved = browser
        .submit(
            "/me",
            "/me",
            &[
                ("display_name", "鈴木 花子"),
                ("age_band", "70s"),
                ("area", "大船地区"),
                ("relations", "lives"),
                ("relations", "works"),
            ],
        )
        .await;
    assert_eq!(
        (saved.status, saved.location.as_deref()),
        (303, Some("/me?saved=1"))
    );
    let me = app.get("/api/v1/me", Some(&hanako)).await.expect(200);
    assert_eq!(
        me["profile"],
        json!({"age_band": "70s", "area": "大船地区", "relations": ["lives", "works"]})
    );
    let page = browser.get("/me?saved=1").await;
    page.contains("<option value=\"70s\" selected>");
    page.contains("value=\"works\" checked");

    let refused = browser
        .submit(
            "/me/password",
            "/me/password",
            &[
                ("current_password", "wrong one"),
                ("new_password", "new password 1"),
            ],
        )
        .await;
    assert_eq!(refused.status, 422);
    refused.contains("現在のパスワードが違います");
    let changed = browser
        .submit(
            "/me/password",
            "/me/password",
            &[
                ("current_password", PASSWORD),
                ("new_password", "new password 1"),
            ],
        )
        .await;
    assert_eq!(changed.status, 303);
    browser
        .get("/me/password?saved=1")
        .await
        .contains("パスワードを変更しました");
    assert_eq!(
        app.get("/api/v1/me", Some(&hanako)).await.status,
        401,
        "other sessions end"
    );
}

async fn moderators_hide_and_restore_from_the_page(backend: Backend) {
    let app = spawn_app(&backend).await;
    let staff_auth = app.staff().await;
    app.theme(&staff_auth, "t", "open", phase_today(true, true, true))
        .await;
    let hanako = app.resident("hanako").await;
    let id = app.idea(&hanako, "t", "公園").await;
    let cid = app
        .post(
            &format!("/api/v1/proposals/{id}/comments"),
            Some(&hanako),
            json!({"body": "コメント"}),
        )
        .await
        .expect(201)["id"]
        .as_i64()
        .unwrap();
    app.user_with_role("mod", Role::Moderator).await;
    let mut moderator = Browser::new(&app);
    moderator.log_in("mod").await;
    let path = format!("/proposals/{id}");
    let hidden = moderator
        .submit(
            &path,
            &format!("/comments/{cid}/moderate"),
            &[("action", "hide"), ("reason", "個人情報")],
        )
        .await;
    assert_eq!(hidden.status, 303);
    let tree = app
        .get(&format!("/api/v1/proposals/{id}/comments"), Some(&hanako))
        .await
        .expect(200);
    assert_eq!(
        (
            tree[0]["status"].as_str(),
            tree[0]["hidden_reason"].as_str()
        ),
        (Some("hidden"), Some("個人情報"))
    );
    moderator.get(&path).await.contains("非表示を解除する");
    moderator
        .submit(
            &path,
            &format!("/comments/{cid}/moderate"),
            &[("action", "restore"), ("reason", "確認済み")],
        )
        .await;
    assert_eq!(
        app.get(&format!("/api/v1/proposals/{id}/comments"), None)
            .await
            .expect(200)[0]["status"],
        "published"
    );
    moderator
        .submit(
            &path,
            &format!("/proposals/{id}/moderate"),
            &[("action", "hide"), ("reason", "重複")],
        )
        .await;
    assert_eq!(
        app.get(&path.replace("/proposals", "/api/v1/proposals"), None)
            .await
            .status,
        404
    );
    // Residents get no such form, and cannot post it.
    let mut resident = Browser::new(&app);
    resident.log_in("hanako").await;
    assert!(!resident.get(&path).await.html.contains("/moderate"));
    let refused = resident
        .submit(
            &path,
            &format!("/comments/{cid}/moderate"),
            &[("action", "hide"), ("reason", "x")],
        )
        .await;
    assert_eq!(refused.status, 403);
}

both_databases!(
    moderators_hide_and_restore_from_the_page,
    staff_create_and_edit_themes_with_phases,
    a_reported_comment_is_hidden_from_the_moderation_queue,
    administrators_change_roles_and_staff_the_profile,
    residents_keep_a_statistics_profile_and_change_their_password,
);
