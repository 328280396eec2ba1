//! Errors the framework itself answers: a path that matches no route gives browsers the
//! styled page and API clients problem+json; a body over the limit is problem+json too.

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
    for path in ["/api/v1/themes", "/inbox"] {
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

both_databases!(
    unknown_paths_answer_each_client_in_its_own_form,
    an_oversized_body_is_a_problem,
);
