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
    // Moderators see the accounts (to suspend one) but do not manage roles.
    let accounts = moderator.get("/staff/users").await;
    assert_eq!(accounts.status, 200);
    assert!(
        !accounts.html.contains("/role\""),
        "moderators do not manage roles"
    );
    accounts.contains("利用を停止する");
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

/// The staff home counts, per theme, the ideas, those awaiting an answer, surveys taking
/// answers and open reports, and leads to the theme's surveys, drafts and results.
async fn the_staff_home_counts_what_waits_in_each_theme(backend: Backend) {
    let app = spawn_app(&backend).await;
    let staff = app.staff().await;
    let hanako = app.resident("hanako").await;
    let taro = app.resident("taro").await;
    app.theme(&staff, "parks", "open", phase_today(true, true, true))
        .await;
    app.theme(&staff, "roads", "open", phase_today(true, true, true))
        .await;
    let first = app.idea(&hanako, "parks", "木陰にベンチを").await;
    let second = app.idea(&hanako, "parks", "噴水を直して").await;
    app.idea(&hanako, "parks", "芝生を広げて").await;
    app.idea(&taro, "roads", "歩道を広く").await;
    app.put(
        &format!("/api/v1/proposals/{first}/answer"),
        Some(&staff),
        json!({"state": "accepted", "body": "設置します。", "department": "公園緑地課"}),
    )
    .await
    .expect(200);
    let comment = app
        .post(
            &format!("/api/v1/proposals/{second}/comments"),
            Some(&taro),
            json!({"body": "失礼な言葉"}),
        )
        .await
        .expect(201)["id"]
        .as_i64()
        .unwrap();
    for path in [
        format!("/api/v1/comments/{comment}/report"),
        format!("/api/v1/proposals/{second}/report"),
    ] {
        app.post(&path, Some(&hanako), json!({"reason": "不適切です"}))
            .await
            .expect(202);
    }
    for (title, opens, closes) in [("いま受付中", -1, 7), ("終わった調査", -9, -2)] {
        app.post(
            "/api/v1/themes/parks/surveys",
            Some(&staff),
            json!({"title": title, "audience": "residents", "opens_on": day(opens),
                   "closes_on": day(closes), "sections": [{"title": "", "questions": [
                       {"kind": "short_text", "prompt": "ひとこと"}]}]}),
        )
        .await
        .expect(201);
    }

    let mut page = Browser::new(&app);
    page.log_in("staff_member").await;
    let home = page.get("/staff").await;
    assert_eq!(home.status, 200);
    let row = |slug: &str| {
        let start = home
            .html
            .find(&format!("<a href=\"/themes/{slug}\">"))
            .unwrap_or_else(|| panic!("a row for {slug}"));
        let end = home.html[start..].find("</tr>").unwrap() + start;
        home.html[start..end].to_string()
    };
    let cell = |row: &str, label: &str| {
        let at = row
            .find(&format!("data-label=\"{label}\">"))
            .unwrap_or_else(|| panic!("{label} in {row}"));
        let text = &row[at..];
        let text = &text[text.find('>').unwrap() + 1..text.find("</td>").unwrap()];
        // The figure, with or without its link.
        let plain: String = text
            .split('<')
            .map(|part| part.split_once('>').map_or(part, |(_, t)| t))
            .collect::<Vec<_>>()
            .concat();
        plain
            .split_whitespace()
            .next()
            .unwrap_or_default()
            .to_string()
    };
    let parks = row("parks");
    assert_eq!(cell(&parks, "アイデア"), "3");
    assert_eq!(cell(&parks, "回答待ち"), "2");
    assert_eq!(cell(&parks, "受付中のアンケート"), "1");
    assert_eq!(cell(&parks, "未対応の通報"), "2");
    assert!(
        parks.contains("href=\"/themes/parks?state=unanswered\""),
        "{parks}"
    );
    for link in [
        "/themes/parks/surveys",
        "/themes/parks/drafts",
        "/themes/parks/results",
    ] {
        assert!(
            parks.contains(&format!("href=\"{link}\"")),
            "{link} in {parks}"
        );
    }
    let roads = row("roads");
    assert_eq!(cell(&roads, "アイデア"), "1");
    assert_eq!(cell(&roads, "回答待ち"), "1");
    assert_eq!(cell(&roads, "受付中のアンケート"), "0");
    assert_eq!(cell(&roads, "未対応の通報"), "0");
    // The awaiting link shows those ideas.
    let awaiting = Browser::new(&app)
        .get("/themes/parks?state=unanswered")
        .await;
    awaiting.contains("噴水を直して");
    assert!(
        !awaiting.html.contains("木陰にベンチを"),
        "answered ideas are not awaiting"
    );
}

both_databases!(
    the_staff_home_counts_what_waits_in_each_theme,
    moderators_hide_and_restore_from_the_page,
    staff_create_and_edit_themes_with_phases,
    a_reported_comment_is_hidden_from_the_moderation_queue,
    administrators_change_roles_and_staff_the_profile,
    residents_keep_a_statistics_profile_and_change_their_password,
);
