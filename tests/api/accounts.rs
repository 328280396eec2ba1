//! Sign-up, login sessions, CSRF, rate limiting, profiles, tokens, roles, first-run setup.

use hiroba::domain::Role;
use hiroba::services::accounts;
use serde_json::json;

use crate::both_databases;
use crate::helpers::{Auth, Backend, PASSWORD, spawn_app, spawn_app_with};

async fn signup_with_email_only_derives_a_handle(backend: Backend) {
    let app = spawn_app(&backend).await;
    let body = app
        .post(
            "/api/v1/auth/signup",
            None,
            json!({"email": "Hanako.Suzuki@Example.JP", "password": PASSWORD}),
        )
        .await
        .expect(201);
    assert_eq!(body["handle"], "hanako_suzuki");
    assert_eq!(body["email"], "hanako.suzuki@example.jp");
    assert_eq!(body["role"], "resident");
    // Log in with the e-mail address, in any case.
    app.login("HANAKO.SUZUKI@example.jp", PASSWORD).await;
    // A second person with the same local part gets another handle.
    let other = app
        .post(
            "/api/v1/auth/signup",
            None,
            json!({"email": "hanako.suzuki@other.jp", "password": PASSWORD}),
        )
        .await
        .expect(201);
    assert_ne!(other["handle"], "hanako_suzuki");
}

async fn signup_errors_name_every_bad_field(backend: Backend) {
    let app = spawn_app(&backend).await;
    let reply = app
        .post(
            "/api/v1/auth/signup",
            None,
            json!({"handle": "ta ro", "email": "not-an-address", "password": "short"}),
        )
        .await;
    assert_eq!(reply.status, 422);
    let mut fields = reply.fields();
    fields.sort();
    assert_eq!(fields, ["email", "handle", "password"]);

    let reply = app
        .post("/api/v1/auth/signup", None, json!({"password": PASSWORD}))
        .await;
    assert_eq!(reply.status, 422);
    assert_eq!(reply.fields(), ["email"]);

    // Missing, unknown and mistyped JSON fields are named too.
    let reply = app
        .post("/api/v1/auth/signup", None, json!({"handle": "taro"}))
        .await;
    assert_eq!(
        (reply.status, reply.fields()),
        (422, vec!["password".to_string()])
    );
    let reply = app
        .post(
            "/api/v1/auth/signup",
            None,
            json!({"handle": "taro", "password": PASSWORD, "admin": true}),
        )
        .await;
    assert_eq!(
        (reply.status, reply.fields()),
        (422, vec!["admin".to_string()])
    );
    let reply = app
        .post(
            "/api/v1/auth/signup",
            None,
            json!({"handle": 5, "password": PASSWORD}),
        )
        .await;
    assert_eq!(
        (reply.status, reply.fields()),
        (422, vec!["handle".to_string()])
    );

    // Not JSON at all.
    let raw = app
        .client
        .post(format!("{}/api/v1/auth/signup", app.address))
        .header("content-type", "application/json")
        .body("{oops")
        .send()
        .await
        .unwrap();
    assert_eq!(raw.status(), 400);
    let raw = app
        .client
        .post(format!("{}/api/v1/auth/signup", app.address))
        .header("content-type", "text/plain")
        .body("handle=taro")
        .send()
        .await
        .unwrap();
    assert_eq!(raw.status(), 415);
    // Nobody was created by any of this.
    let mut conn = app.state.db.acquire().await.unwrap();
    assert_eq!(
        hiroba::storage::settings::content_rows(conn.ex())
            .await
            .unwrap(),
        0
    );
}

async fn taken_handles_and_emails_conflict(backend: Backend) {
    let app = spawn_app(&backend).await;
    app.resident("taro").await;
    let reply = app
        .post(
            "/api/v1/auth/signup",
            None,
            json!({"handle": "TARO", "password": PASSWORD}),
        )
        .await;
    assert_eq!(
        (reply.status, reply.fields()),
        (409, vec!["handle".to_string()])
    );
    let reply = app
        .post(
            "/api/v1/auth/signup",
            None,
            json!({"handle": "jiro", "email": "taro@example.jp", "password": PASSWORD}),
        )
        .await;
    assert_eq!(
        (reply.status, reply.fields()),
        (409, vec!["email".to_string()])
    );
    // Handles share the namespace of theme slugs: both are fediverse names on this host.
    let staff = app.staff().await;
    app.theme(&staff, "parks", "open", json!([])).await;
    let reply = app
        .post(
            "/api/v1/auth/signup",
            None,
            json!({"handle": "parks", "password": PASSWORD}),
        )
        .await;
    assert_eq!(reply.status, 409);
}

async fn login_session_and_logout(backend: Backend) {
    let app = spawn_app(&backend).await;
    let auth = app.resident("hanako").await;
    let me = app.get("/api/v1/me", Some(&auth)).await.expect(200);
    assert_eq!(me["handle"], "hanako");
    let session = app
        .get("/api/v1/auth/session", Some(&auth))
        .await
        .expect(200);
    let Auth::Session { csrf, .. } = &auth else {
        unreachable!()
    };
    assert_eq!(session["csrf_token"].as_str(), Some(csrf.as_str()));

    let wrong = app
        .post(
            "/api/v1/auth/login",
            None,
            json!({"login": "hanako", "password": "wrong password"}),
        )
        .await;
    assert_eq!(wrong.status, 401);
    let unknown = app
        .post(
            "/api/v1/auth/login",
            None,
            json!({"login": "nobody", "password": "wrong password"}),
        )
        .await;
    assert_eq!(unknown.status, 401);
    assert_eq!(
        wrong.body["title"], unknown.body["title"],
        "must not reveal which accounts exist"
    );

    let logout = app
        .post("/api/v1/auth/logout", Some(&auth), json!({}))
        .await;
    assert_eq!(logout.status, 204);
    assert!(
        logout.headers["set-cookie"]
            .to_str()
            .unwrap()
            .contains("Max-Age=0")
    );
    assert_eq!(app.get("/api/v1/me", Some(&auth)).await.status, 401);
}

async fn sessions_survive_a_restart(backend: Backend) {
    let mut app = spawn_app(&backend).await;
    let auth = app.resident("yuki").await;
    app.restart().await;
    let me = app.get("/api/v1/me", Some(&auth)).await.expect(200);
    assert_eq!(me["handle"], "yuki");
    app.stop().await;
}

async fn cookie_requests_that_change_things_need_the_csrf_token(backend: Backend) {
    let app = spawn_app(&backend).await;
    let auth = app.resident("kenji").await;
    let Auth::Session { cookie, csrf } = auth.clone() else {
        unreachable!()
    };
    let forged = Auth::Session {
        cookie: cookie.clone(),
        csrf: String::new(),
    };
    let reply = app
        .patch(
            "/api/v1/me",
            Some(&forged),
            json!({"display_name": "乗っ取り"}),
        )
        .await;
    assert_eq!(reply.status, 403);
    assert_eq!(reply.body["type"], "urn:hiroba:problem:csrf");
    let wrong = Auth::Session {
        cookie,
        csrf: format!("{csrf}x"),
    };
    assert_eq!(
        app.patch("/api/v1/me", Some(&wrong), json!({"display_name": "x"}))
            .await
            .status,
        403
    );
    // Reading needs no token, and the profile was not changed.
    assert_eq!(
        app.get("/api/v1/me", Some(&forged)).await.expect(200)["display_name"],
        "kenji"
    );
    let body = app
        .patch(
            "/api/v1/me",
            Some(&auth),
            json!({"display_name": "高橋 健二"}),
        )
        .await
        .expect(200);
    assert_eq!(body["display_name"], "高橋 健二");
}

async fn repeated_failed_logins_are_rate_limited(backend: Backend) {
    let app = spawn_app_with(&backend, |c| c.limits.login_attempts_per_minute = 3).await;
    app.resident("sakura").await;
    let mut statuses = Vec::new();
    for _ in 0..5 {
        let reply = app
            .post(
                "/api/v1/auth/login",
                None,
                json!({"login": "sakura", "password": "guess guess"}),
            )
            .await;
        statuses.push(reply.status);
        if reply.status == 429 {
            assert!(reply.headers.contains_key("retry-after"));
        }
    }
    // One attempt went to the login in resident(); three are allowed per minute.
    assert_eq!(statuses, [401, 401, 429, 429, 429]);
    // Even the right password waits: guessing is not rewarded by a lucky later try.
    let reply = app
        .post(
            "/api/v1/auth/login",
            None,
            json!({"login": "sakura", "password": PASSWORD}),
        )
        .await;
    assert_eq!(reply.status, 429);
    // Another account is not locked out.
    app.resident("other").await;
}

async fn profile_attributes_for_statistics(backend: Backend) {
    let app = spawn_app(&backend).await;
    let auth = app.resident("hanako").await;
    let reply = app
        .patch(
            "/api/v1/me",
            Some(&auth),
            json!({"age_band": "45", "area": "", "relations": ["lives", "sleeps"]}),
        )
        .await;
    assert_eq!(reply.status, 422);
    let mut fields = reply.fields();
    fields.sort();
    assert_eq!(fields, ["age_band", "relations[1]"]);
    // A control character is refused, also at the edge of a name, where trimming would
    // otherwise drop it; white space alone clears an attribute.
    let reply = app
        .patch(
            "/api/v1/me",
            Some(&auth),
            json!({"display_name": "\tはなこ", "area": "大船\u{1}", "age_band": "\u{b}"}),
        )
        .await;
    assert_eq!(reply.status, 422);
    let mut fields = reply.fields();
    fields.sort();
    assert_eq!(fields, ["area", "display_name"]);
    let body = app
        .patch(
            "/api/v1/me",
            Some(&auth),
            json!({"age_band": "30s", "area": "大船地区", "relations": ["works", "lives", "lives"]}),
        )
        .await
        .expect(200);
    assert_eq!(
        body["profile"],
        json!({"age_band": "30s", "area": "大船地区", "relations": ["lives", "works"]})
    );
    // Other people never see the attributes.
    let admin = app.user_with_role("chief", Role::Administrator).await;
    let users = app.get("/api/v1/users", Some(&admin)).await.expect(200);
    assert_eq!(
        users["items"][0]["profile"]["age_band"], "30s",
        "administrators see them"
    );
    let other = app.resident("taro").await;
    assert_eq!(app.get("/api/v1/users", Some(&other)).await.status, 403);
}

async fn password_change_checks_the_old_one_and_ends_other_sessions(backend: Backend) {
    let app = spawn_app(&backend).await;
    let here = app.resident("hanako").await;
    let elsewhere = app.login("hanako", PASSWORD).await;
    let reply = app
        .put(
            "/api/v1/me/password",
            Some(&here),
            json!({"current_password": "wrong wrong", "new_password": "new password 1"}),
        )
        .await;
    assert_eq!(
        (reply.status, reply.fields()),
        (422, vec!["current_password".to_string()])
    );
    app.put(
        "/api/v1/me/password",
        Some(&here),
        json!({"current_password": PASSWORD, "new_password": "new password 1"}),
    )
    .await
    .expect(204);
    assert_eq!(
        app.get("/api/v1/me", Some(&here)).await.status,
        200,
        "this session stays"
    );
    assert_eq!(
        app.get("/api/v1/me", Some(&elsewhere)).await.status,
        401,
        "others end"
    );
    let old = app
        .post(
            "/api/v1/auth/login",
            None,
            json!({"login": "hanako", "password": PASSWORD}),
        )
        .await;
    assert_eq!(old.status, 401);
    app.login("hanako", "new password 1").await;
}

async fn api_tokens_authenticate_scripts_until_revoked(backend: Backend) {
    let app = spawn_app(&backend).await;
    let staff = app.staff().await;
    let created = app
        .post(
            "/api/v1/me/tokens",
            Some(&staff),
            json!({"name": "週次エクスポート"}),
        )
        .await
        .expect(201);
    let token = Auth::Token(created["token"].as_str().unwrap().to_string());
    // A script creates a theme with the token alone: no cookie, no CSRF token.
    app.theme(&token, "from-script", "draft", json!([])).await;
    let listed = app.get("/api/v1/me/tokens", Some(&staff)).await.expect(200);
    assert_eq!(listed[0]["name"], "週次エクスポート");
    assert!(
        listed[0].get("token").is_none(),
        "the secret is shown only once"
    );
    let id = created["id"].as_i64().unwrap();
    app.delete(&format!("/api/v1/me/tokens/{id}"), Some(&staff))
        .await
        .expect(204);
    let reply = app.get("/api/v1/me", Some(&token)).await;
    assert_eq!(reply.status, 401);
    assert!(reply.headers.contains_key("www-authenticate"));
    assert_eq!(
        app.get("/api/v1/me", Some(&Auth::Token("hrb_forged".into())))
            .await
            .status,
        401
    );
}

async fn only_administrators_change_roles(backend: Backend) {
    let app = spawn_app(&backend).await;
    let admin = app.user_with_role("chief", Role::Administrator).await;
    let resident = app.resident("taro").await;
    let taro_id = app.get("/api/v1/me", Some(&resident)).await.expect(200)["id"]
        .as_i64()
        .unwrap();
    let path = format!("/api/v1/users/{taro_id}/role");
    assert_eq!(
        app.put(&path, Some(&resident), json!({"role": "administrator"}))
            .await
            .status,
        403
    );
    let reply = app.put(&path, Some(&admin), json!({"role": "king"})).await;
    assert_eq!(
        (reply.status, reply.fields()),
        (422, vec!["role".to_string()])
    );
    let body = app
        .put(&path, Some(&admin), json!({"role": "moderator"}))
        .await
        .expect(200);
    assert_eq!(body["role"], "moderator");
    assert_eq!(
        app.get("/api/v1/me", Some(&resident)).await.expect(200)["role"],
        "moderator"
    );
    // The last administrator cannot demote themself.
    let admin_id = app.get("/api/v1/me", Some(&admin)).await.expect(200)["id"]
        .as_i64()
        .unwrap();
    let reply = app
        .put(
            &format!("/api/v1/users/{admin_id}/role"),
            Some(&admin),
            json!({"role": "staff"}),
        )
        .await;
    assert_eq!(reply.status, 409);
    assert_eq!(
        app.put(
            "/api/v1/users/99999/role",
            Some(&admin),
            json!({"role": "staff"})
        )
        .await
        .status,
        404
    );
}

async fn setup_token_creates_the_first_administrator_once(backend: Backend) {
    let app = spawn_app(&backend).await;
    let token = accounts::pending_setup_token(&app.state)
        .await
        .unwrap()
        .expect("a setup token");
    // Every process sharing the database sees the same token.
    assert_eq!(
        accounts::pending_setup_token(&app.state)
            .await
            .unwrap()
            .as_deref(),
        Some(token.as_str())
    );
    let reply = app
        .post(
            "/api/v1/setup",
            None,
            json!({"token": "guess", "handle": "mallory", "password": PASSWORD}),
        )
        .await;
    assert_eq!(reply.status, 403);
    let body = app
        .post(
            "/api/v1/setup",
            None,
            json!({"token": token, "handle": "chief", "password": PASSWORD}),
        )
        .await
        .expect(201);
    assert_eq!(body["role"], "administrator");
    let again = app
        .post(
            "/api/v1/setup",
            None,
            json!({"token": token, "handle": "second", "password": PASSWORD}),
        )
        .await;
    assert_eq!(again.status, 403, "the link is single-use");
    assert_eq!(
        accounts::pending_setup_token(&app.state).await.unwrap(),
        None
    );
    app.login("chief", PASSWORD).await;
}

both_databases!(
    signup_with_email_only_derives_a_handle,
    signup_errors_name_every_bad_field,
    taken_handles_and_emails_conflict,
    login_session_and_logout,
    sessions_survive_a_restart,
    cookie_requests_that_change_things_need_the_csrf_token,
    repeated_failed_logins_are_rate_limited,
    profile_attributes_for_statistics,
    password_change_checks_the_old_one_and_ends_other_sessions,
    api_tokens_authenticate_scripts_until_revoked,
    only_administrators_change_roles,
    setup_token_creates_the_first_administrator_once,
);

mod expiry {
    use hiroba::services::accounts;

    use crate::both_databases;
    use crate::helpers::{Backend, spawn_app};

    async fn expired_sessions_stop_working_and_are_purged(backend: Backend) {
        let app = spawn_app(&backend).await;
        let auth = app.resident("hanako").await;
        assert_eq!(
            accounts::purge_expired_sessions(&app.state).await.unwrap(),
            0
        );
        // Age the session past its expiry, as thirty days would.
        let sql = "UPDATE sessions SET expires_at = expires_at - CAST(2678400000 AS BIGINT)";
        match &app.state.db {
            hiroba::storage::Db::Sqlite(pool) => sqlx::query(sql).execute(pool).await.map(|_| ()),
            hiroba::storage::Db::Postgres(pool) => sqlx::query(sql).execute(pool).await.map(|_| ()),
        }
        .unwrap();
        assert_eq!(app.get("/api/v1/me", Some(&auth)).await.status, 401);
        assert_eq!(
            accounts::purge_expired_sessions(&app.state).await.unwrap(),
            1
        );
    }

    both_databases!(expired_sessions_stop_working_and_are_purged);
}
