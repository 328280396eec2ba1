//! Errors the framework itself answers: a path that matches no route gives browsers the
//! styled page and API clients problem+json; a body over the limit is problem+json too; who
//! may call an endpoint is decided before its body is read.

use serde_json::json;

use crate::both_databases;
use crate::helpers::{Backend, federating_app, spawn_app};

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
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let app = spawn_app(&backend).await;
    let authority = app.address.trim_start_matches("http://").to_string();
    // Endpoints anyone may call, so that the body is read (others answer 401 first).
    for path in ["/api/v1/auth/signup", "/inbox"] {
        // A client that declares the length and waits (as with `Expect: 100-continue`) learns
        // the refusal before it sends the body; over a socket, so that no reset of a
        // connection closed with an unread body can hide the answer.
        let mut socket = tokio::net::TcpStream::connect(&authority).await.unwrap();
        let head = format!(
            "POST {path} HTTP/1.1\r\nhost: {authority}\r\ncontent-type: application/json\r\n\
             content-length: {}\r\nexpect: 100-continue\r\n\r\n",
            2 * 1024 * 1024
        );
        socket.write_all(head.as_bytes()).await.unwrap();
        let mut answer = Vec::new();
        tokio::time::timeout(
            std::time::Duration::from_secs(10),
            socket.read_to_end(&mut answer),
        )
        .await
        .expect("the refusal comes without the body")
        .unwrap();
        let answer = String::from_utf8_lossy(&answer).to_string();
        assert!(answer.starts_with("HTTP/1.1 413"), "{path}: {answer}");
        assert!(
            !answer.contains("100 Continue"),
            "{path}: the body is not invited: {answer}"
        );
        let lower = answer.to_ascii_lowercase();
        assert!(
            lower.contains("content-type: application/problem+json"),
            "{path}: {answer}"
        );
        let body = &answer[answer.find("\r\n\r\n").unwrap() + 4..];
        let body: serde_json::Value = serde_json::from_str(body).unwrap();
        assert_eq!(body["status"], 413, "{path}");
        assert_eq!(body["type"], "urn:hiroba:problem:too-large", "{path}");
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

async fn what_the_fuzzer_found_is_refused_by_the_field(backend: Backend) {
    let app = federating_app(&backend).await;
    let staff = app.staff().await;
    app.theme(&staff, "parks", "open", json!([])).await;
    let moderator = app
        .user_with_role("mori", hiroba::domain::Role::Moderator)
        .await;
    // A struct's fields given as an array, in order, are not an object.
    let reply = app
        .patch("/api/v1/me", Some(&staff), json!([null, null]))
        .await;
    assert_eq!(reply.status, 422, "{}", reply.body);
    assert_eq!(reply.body["title"], "Expected a JSON object");
    let me = app.get("/api/v1/me", Some(&staff)).await.expect(200);
    assert_ne!(me["display_name"], serde_json::Value::Null);
    // Eleven tags are more than ten, even when they are the same tag.
    let reply = app
        .put(
            "/api/v1/themes/parks",
            Some(&staff),
            json!({"title": "公園", "status": "open", "tags": vec!["0"; 11]}),
        )
        .await;
    assert_eq!(reply.status, 422, "{}", reply.body);
    assert_eq!(reply.fields(), vec!["tags"]);
    // A handle with two @ names no account.
    let reply = app
        .post(
            "/api/v1/moderation/blocks",
            Some(&moderator),
            json!({"kind": "actor", "value": "a@b@mastodon.example"}),
        )
        .await;
    assert_eq!(reply.status, 422, "{}", reply.body);
    assert_eq!(reply.fields(), vec!["value"]);
    // An unknown status filter is an error, not "all themes".
    let reply = app.get("/api/v1/themes?status=", None).await;
    assert_eq!(reply.status, 422, "{}", reply.body);
    assert_eq!(reply.fields(), vec!["status"]);
    // An actor that cannot be fetched is a field error that does not repeat the client's
    // private cause.
    let reply = app
        .post(
            "/api/v1/following",
            Some(&staff),
            json!({"actor": "http://127.0.0.77:9/users/x"}),
        )
        .await;
    assert_eq!(reply.status, 422, "{}", reply.body);
    let detail = reply.body["detail"].as_str().unwrap_or_default();
    assert!(!detail.contains("request"), "{detail}");
    assert!(!detail.contains("127.0.0.77"), "{detail}");
}

both_databases!(
    what_the_fuzzer_found_is_refused_by_the_field,
    who_may_call_is_decided_before_the_body_is_read,
    unknown_paths_answer_each_client_in_its_own_form,
    an_oversized_body_is_a_problem,
);
