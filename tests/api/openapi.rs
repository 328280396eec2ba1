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

both_databases!(every_documented_operation_is_routed);
