//! The OpenAPI document describes exactly the routes the server answers.

use reqwest::Method;

use crate::both_databases;
use crate::helpers::{Backend, spawn_app};

async fn every_documented_operation_is_routed(backend: Backend) {
    let app = spawn_app(&backend).await;
    let spec = app.get("/api/v1/openapi.json", None).await.expect(200);
    assert!(spec["openapi"].as_str().unwrap().starts_with("3."));
    let paths = spec["paths"].as_object().expect("paths");
    for expected in [
        "/api/v1/themes",
        "/api/v1/themes/{slug}/proposals",
        "/api/v1/proposals/{id}/support",
        "/api/v1/auth/login",
    ] {
        assert!(
            paths.contains_key(expected),
            "{expected} missing from the spec"
        );
    }
    let mut operations = 0;
    for (path, item) in paths {
        let concrete = path
            .replace("{slug}", "no-such-theme")
            .replace("{id}", "999999");
        for method in ["get", "post", "put", "patch", "delete"] {
            if item.get(method).is_none() {
                continue;
            }
            operations += 1;
            let reply = app
                .call(
                    Method::from_bytes(method.to_uppercase().as_bytes()).unwrap(),
                    &concrete,
                    None,
                    None,
                )
                .await;
            assert_ne!(
                reply.status, 405,
                "{method} {path} is documented but not routed"
            );
            if reply.status == 404 {
                // A handler's 404 names what is missing; the router's fallback does not.
                assert!(
                    reply.body["detail"].is_string(),
                    "{method} {path} is documented but not routed: {}",
                    reply.body
                );
            }
        }
    }
    assert!(operations >= 30, "only {operations} operations documented");
}

async fn the_document_states_the_contract_the_server_keeps(backend: Backend) {
    let app = spawn_app(&backend).await;
    let spec = app.get("/api/v1/openapi.json", None).await.expect(200);
    let server = spec["servers"][0]["url"].as_str().unwrap();
    assert!(
        !server.ends_with("/api/v1"),
        "paths already start with /api/v1: {server}"
    );
    for (path, item) in spec["paths"].as_object().unwrap() {
        for (method, operation) in item.as_object().unwrap() {
            let responses = operation["responses"].as_object().unwrap();
            assert!(
                responses["default"]["content"]["application/problem+json"].is_object(),
                "{method} {path}: any other status is a problem"
            );
            for (status, response) in responses {
                let text = response.to_string();
                assert!(
                    !(text.contains("/Problem")
                        && response["content"]["application/json"].is_object()),
                    "{method} {path} {status}: problems are application/problem+json"
                );
            }
            for parameter in operation["parameters"].as_array().into_iter().flatten() {
                let (name, place) = (&parameter["name"], &parameter["in"]);
                if name == "per_page" || name == "page" {
                    assert_eq!(place, "query", "{method} {path} {name}");
                }
                if name == "per_page" {
                    assert_eq!(parameter["schema"]["maximum"], 100, "{method} {path}");
                }
                if name == "id" {
                    assert_eq!(parameter["schema"]["minimum"], 1, "{method} {path}");
                }
            }
        }
    }
    // What the document says, the server does.
    let reply = app.get("/api/v1/proposals/9223372036854775808", None).await;
    assert_eq!(reply.status, 404);
    assert!(
        !reply.body.to_string().contains("Cannot parse"),
        "{}",
        reply.body
    );
    assert_eq!(
        reply.headers["content-type"], "application/problem+json",
        "{}",
        reply.body
    );
    for query in ["per_page=101", "page=0", "page=2147483648"] {
        let reply = app
            .get(&format!("/api/v1/themes/x/proposals?{query}"), None)
            .await;
        assert!(
            [404, 422].contains(&reply.status),
            "{query}: {}",
            reply.body
        );
        let reply = app.get(&format!("/api/v1/users?{query}"), None).await;
        assert_eq!(reply.status, 401, "{query}: {}", reply.body);
    }
}

both_databases!(
    every_documented_operation_is_routed,
    the_document_states_the_contract_the_server_keeps,
);
