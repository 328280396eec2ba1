//! Errors the framework itself answers: a path that matches no route gives browsers the
//! styled page and API clients problem+json; a body over the limit is problem+json too; who
//! may call an endpoint is decided before its body is read.

use serde_json::json;

use crate::both_databases;
use crate::helpers::{Backend, spawn_app};

async fn unknown_paths_answer_each_client_in_its_own_form(backend: Backend) {
    let app = spawn_app(&backend).await;
    for path in ["/no/such/page", "/staff/nope"] {
        let page = app
            .client
            .get(format!("{}{path}", app.address))
            .header("accept", "text/html,application/xhtml+xml,*/*;q=0.8")
            .header("accept-language", "ja")
            .send()
            .await
            .unwrap();
        assert_eq!(page.status(), 404, "{path}");
        assert!(
            page.headers()["content-type"]
                .to_str()
                .unwrap()
                .starts_with("text/html"),
            "{path}"
        );
        let html = page.text().await.unwrap();
        assert!(html.contains("<html lang=\"ja\""), "{html}");
        assert!(html.contains("<title>"), "{html}");
        assert!(html.contains("href=\"/\""), "a way back: {html}");
    }
    for (path, accept) in [
        ("/no/such/page", "application/json"),
        ("/no/such/page", "*/*"),
        ("/api/v1/no-such-thing", "text/html"),
    ] {
        let answer = app
            .client
            .get(format!("{}{path}", app.address))
            .header("accept", accept)
            .send()
            .await
            .unwrap();
        assert_eq!(answer.status(), 404, "{path}");
        assert_eq!(
            answer.headers()["content-type"],
            "application/problem+json",
            "{path} {accept}"
        );
    }
}

async fn an_oversized_body_is_a_problem(backend: Backend) {
    let app = spawn_app(&backend).await;
    let big = vec![b'a'; 2 * 1024 * 1024];
    // Endpoints anyone may call, so that the body is read (others answer 401 first).
    for path in ["/api/v1/auth/signup", "/inbox"] {
        let answer = app
            .client
            .post(format!("{}{path}", app.address))
            .header("content-type", "application/json")
            .body(big.clone())
            .send()
            .await
            .unwrap();
        assert_eq!(answer.status(), 413, "{path}");
        assert_eq!(
            answer.headers()["content-type"],
            "application/problem+json",
            "{path}"
        );
        let body: serde_json::Value = answer.json().await.unwrap();
        assert_eq!(body["status"], 413);
    }
}

async fn who_may_call_is_decided_before_the_body_is_read(backend: Backend) {
    let app = spawn_app(&backend).await;
    let resident = app.resident("hanako").await;
    // Bodies that are wrong in every way: the caller still learns first that they may not.
    let nonsense = json!({"unknown": true, "title": 12});
    for path in [
        "/api/v1/themes",
        "/api/v1/themes/parks/proposals",
        "/api/v1/proposals/1/comments",
        "/api/v1/following",
        "/api/v1/moderation/blocks",
        "/api/v1/me/tokens",
    ] {
        let reply = app.post(path, None, nonsense.clone()).await;
        assert_eq!(reply.status, 401, "{path}: {}", reply.body);
        assert_eq!(
            reply.body["type"], "urn:hiroba:problem:unauthenticated",
            "{path}"
        );
    }
    // Signed in without the role: 403, whatever the body.
    for path in [
        "/api/v1/themes",
        "/api/v1/following",
        "/api/v1/moderation/blocks",
    ] {
        let reply = app.post(path, Some(&resident), nonsense.clone()).await;
        assert_eq!(reply.status, 403, "{path}: {}", reply.body);
    }
    for path in ["/api/v1/themes/parks", "/api/v1/instance"] {
        let reply = app.put(path, Some(&resident), nonsense.clone()).await;
        assert_eq!(reply.status, 403, "{path}: {}", reply.body);
    }
    // With the role, the body is what is wrong.
    let staff = app.staff().await;
    let reply = app.post("/api/v1/themes", Some(&staff), nonsense).await;
    assert_eq!(reply.status, 422, "{}", reply.body);
}

both_databases!(
    who_may_call_is_decided_before_the_body_is_read,
    unknown_paths_answer_each_client_in_its_own_form,
    an_oversized_body_is_a_problem,
);
