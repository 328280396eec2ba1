//! Health endpoint, problem+json for unknown routes, security headers.

use crate::both_databases;
use crate::helpers::{Backend, spawn_app};

async fn health_reports_the_database(backend: Backend) {
    let mut app = spawn_app(&backend).await;
    let body = app.get("/health", None).await.expect(200);
    assert_eq!(body["status"], "ok");
    assert_eq!(body["database"], "ok");

    // With the database closed under it, the endpoint reports 503 instead of lying.
    app.state.db.close().await;
    let reply = app.get("/health", None).await;
    assert_eq!(reply.status, 503, "{}", reply.body);
    assert_eq!(reply.body["database"], "unreachable");
    app.stop().await;
}

async fn unknown_routes_are_problem_json(backend: Backend) {
    let app = spawn_app(&backend).await;
    let reply = app.get("/api/v1/nothing-here", None).await;
    assert_eq!(reply.status, 404);
    assert_eq!(
        reply.headers["content-type"].to_str().unwrap(),
        "application/problem+json"
    );
    assert_eq!(reply.body["type"], "urn:hiroba:problem:not-found");
    assert_eq!(reply.headers["x-content-type-options"], "nosniff");
    assert!(reply.headers.contains_key("x-request-id"));
}

async fn instance_profile_comes_from_configuration(backend: Backend) {
    let app = crate::helpers::spawn_app_with(&backend, |config| {
        config.municipality.name_ja = "鎌倉市".into();
        config.municipality.name_en = "Kamakura".into();
        config.municipality.local_government_code =
            Some(hiroba::domain::LocalGovernmentCode::parse("142042").unwrap());
        config.municipality.prefecture = Some("神奈川県".into());
    })
    .await;
    let body = app.get("/api/v1/instance", None).await.expect(200);
    assert_eq!(body["name_ja"], "鎌倉市");
    assert_eq!(body["name_en"], "Kamakura");
    assert_eq!(body["local_government_code"], "142042");
    assert_eq!(body["prefecture"], "神奈川県");
    assert_eq!(body["time_zone"], "Asia/Tokyo");
    assert_eq!(body["demo"], false);
}

both_databases!(
    health_reports_the_database,
    unknown_routes_are_problem_json,
    instance_profile_comes_from_configuration,
);
