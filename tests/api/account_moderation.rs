//! Moderation people can trust: moderators find an account by search and suspend it with a
//! reason (it cannot log in, its sessions end, what it wrote stays) and restore it; every
//! decision (hide, block, suspension, role) is in the moderation log, which staff filter and
//! which the database refuses to change; the pages do the same without a script.

use hiroba::domain::Role;
use serde_json::{Value, json};

use crate::both_databases;
use crate::browser::Browser;
use crate::helpers::{Backend, PASSWORD, phase_today, spawn_app};

async fn moderators_suspend_and_the_log_keeps_every_decision(backend: Backend) {
    let app = spawn_app(&backend).await;
    let staff = app.staff().await;
    let admin = app.user_with_role("admin_one", Role::Administrator).await;
    let moderator = app.user_with_role("mod_one", Role::Moderator).await;
    let hanako = app.resident("hanako").await;
    let taro = app.resident("taro").await;
    let jiro = app.resident("jiro").await;
    app.theme(&staff, "parks", "open", phase_today(true, true, true))
        .await;
    let idea = app.idea(&hanako, "parks", "ベンチを増やして").await;

    // Search: by handle, name or address; residents may not look.
    assert_eq!(app.get("/api/v1/users", Some(&taro)).await.status, 403);
    let found = app
        .get("/api/v1/users?search=HANA", Some(&moderator))
        .await
        .expect(200);
    let handles: Vec<&str> = found["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["handle"].as_str().unwrap())
        .collect();
    assert_eq!(handles, ["hanako"]);
    let hanako_id = found["items"][0]["id"].as_i64().unwrap();
    assert_eq!(found["items"][0]["suspended"], false);

    // Suspending needs a reason; a moderator cannot suspend themself.
    let path = format!("/api/v1/users/{hanako_id}/suspension");
    let refused = app
        .put(
            &path,
            Some(&moderator),
            json!({"suspended": true, "reason": " "}),
        )
        .await;
    assert_eq!(refused.status, 422, "{}", refused.body);
    assert_eq!(refused.fields(), ["reason"]);
    let suspended = app
        .put(
            &path,
            Some(&moderator),
            json!({"suspended": true, "reason": "度重なる誹謗中傷のため"}),
        )
        .await
        .expect(200);
    assert_eq!(suspended["suspended"], true);
    assert_eq!(suspended["suspended_reason"], "度重なる誹謗中傷のため");
    let again = app
        .put(
            &path,
            Some(&moderator),
            json!({"suspended": true, "reason": "重ねて"}),
        )
        .await;
    assert_eq!(again.status, 409);
    // Her session has ended, she cannot log in (and is told why), her idea stays.
    assert_eq!(app.get("/api/v1/me", Some(&hanako)).await.status, 401);
    let login = app
        .post(
            "/api/v1/auth/login",
            None,
            json!({"login": "hanako", "password": PASSWORD}),
        )
        .await;
    assert_eq!(login.status, 403, "{}", login.body);
    assert!(
        login.body["detail"]
            .as_str()
            .unwrap()
            .contains("利用を停止"),
        "{}",
        login.body
    );
    app.get(&format!("/api/v1/proposals/{idea}"), None)
        .await
        .expect(200);
    // Restored, she logs in again.
    app.put(
        &path,
        Some(&moderator),
        json!({"suspended": false, "reason": "本人と話し合い、再開"}),
    )
    .await
    .expect(200);
    app.login("hanako", PASSWORD).await;

    // Other decisions: a hidden idea, a block, a role.
    app.post(
        &format!("/api/v1/proposals/{idea}/hide"),
        Some(&moderator),
        json!({"reason": "個人情報を含むため"}),
    )
    .await
    .expect(200);
    app.post(
        "/api/v1/moderation/blocks",
        Some(&moderator),
        json!({"kind": "domain", "value": "spam.example", "reason": "スパム"}),
    )
    .await
    .expect(201);
    let taro_id = app
        .get("/api/v1/users?search=taro", Some(&admin))
        .await
        .expect(200)["items"][0]["id"]
        .as_i64()
        .unwrap();
    app.put(
        &format!("/api/v1/users/{taro_id}/role"),
        Some(&admin),
        json!({"role": "moderator"}),
    )
    .await
    .expect(200);

    // The log: newest first, every decision with who, what and why; filtered by action.
    assert_eq!(
        app.get("/api/v1/moderation/log", Some(&jiro)).await.status,
        403
    );
    let log = app
        .get("/api/v1/moderation/log", Some(&moderator))
        .await
        .expect(200);
    let actions: Vec<&str> = log["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert_eq!(actions, ["role", "block", "hide", "unsuspend", "suspend"]);
    let entry = |action: &str| -> Value {
        log["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|e| e["action"] == action)
            .cloned()
            .unwrap()
    };
    assert_eq!(entry("suspend")["moderator"], "mod_one");
    assert_eq!(entry("suspend")["reason"], "度重なる誹謗中傷のため");
    assert_eq!(entry("suspend")["target_label"], "@hanako");
    assert_eq!(entry("block")["target_label"], "domain: spam.example");
    assert_eq!(entry("hide")["reason"], "個人情報を含むため");
    assert_eq!(entry("role")["moderator"], "admin_one");
    let only = app
        .get("/api/v1/moderation/log?action=suspend", Some(&moderator))
        .await
        .expect(200);
    assert_eq!(only["items"].as_array().unwrap().len(), 1);
    let bad = app
        .get("/api/v1/moderation/log?action=erase", Some(&moderator))
        .await;
    assert_eq!(bad.status, 422, "{}", bad.body);

    // The database itself keeps entries as written.
    for sql in [
        "UPDATE moderation_log SET reason = 'changed'",
        "DELETE FROM moderation_log",
    ] {
        let refused = match &app.state.db {
            hiroba::storage::Db::Sqlite(pool) => sqlx::query(sql).execute(pool).await.is_err(),
            hiroba::storage::Db::Postgres(pool) => sqlx::query(sql).execute(pool).await.is_err(),
        };
        assert!(refused, "{sql} must be refused");
    }

    // The pages: the log filtered without a script, the accounts searched and suspended.
    let mut page = Browser::new(&app);
    page.log_in("mod_one").await;
    let listed = page
        .get("/staff/moderation/log?action=block&moderator=")
        .await;
    assert_eq!(listed.status, 200);
    listed.contains("spam.example");
    assert!(!listed.html.contains("度重なる誹謗中傷のため"), "filtered");
    let users = page.get("/staff/users?q=hana").await;
    users.contains("@hanako");
    assert!(!users.html.contains("@taro"), "searched");
    let empty = page
        .submit(
            "/staff/users?q=hana",
            &format!("/staff/users/{hanako_id}/suspension"),
            &[("action", "suspend"), ("reason", ""), ("q", "hana")],
        )
        .await;
    assert_eq!(empty.status, 422, "{}", empty.html);
    empty.contains("error-summary");
    let done = page
        .submit(
            "/staff/users?q=hana",
            &format!("/staff/users/{hanako_id}/suspension"),
            &[
                ("action", "suspend"),
                ("reason", "再度の違反"),
                ("q", "hana"),
            ],
        )
        .await;
    assert_eq!(done.status, 303, "{}", done.html);
    page.get("/staff/users?q=hana").await.contains("利用停止中");
}

both_databases!(moderators_suspend_and_the_log_keeps_every_decision);
