//! What group-aware servers (Lemmy and its kind) need of a theme and what they refuse: a
//! refused follow shown to staff with the peer's reason, deliveries in only the form the
//! peer's software reads, the phase's posting rule in the `Group`, and remote edits
//! re-announced to every follower (FEP-1b12).

use std::time::Duration;

use serde_json::{Value, json};

use crate::both_databases;
use crate::helpers::{Backend, TestApp, phase_today, spawn_app_with};
use crate::peer::GtsPeer;

const CITY: &str = "http://localhost";
/// How Lemmy answered the municipality's `Follow` when it came from an `Application`.
const LEMMY_REFUSAL: &str = r#"{"error":"unknown","message":"Failed to parse object http://localhost/actor with content {\"type\":\"Application\"}"}"#;

async fn federating_app(backend: &Backend) -> TestApp {
    spawn_app_with(backend, |config| {
        config.federation.insecure = true;
        config.federation.retry_base = Duration::from_millis(100);
        config.federation.probe_interval = Duration::from_millis(300);
    })
    .await
}

async fn wait_until(what: &str, mut check: impl AsyncFnMut() -> bool) {
    for _ in 0..200 {
        if check().await {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("timed out waiting for {what}");
}

async fn a_refused_follow_is_shown_refused_with_the_reason(backend: Backend) {
    let app = federating_app(&backend).await;
    let peer = GtsPeer::start("127.0.0.8", CITY).await;
    peer.refuse_posts(400, LEMMY_REFUSAL);
    let staff = app.staff().await;
    let follow = app
        .post(
            "/api/v1/following",
            Some(&staff),
            json!({"actor": peer.actor_id()}),
        )
        .await
        .expect(201);
    assert_eq!(follow["state"], "pending", "{follow}");

    let mut shown = Value::Null;
    wait_until("the follow to be marked refused", async || {
        let follows = app.get("/api/v1/following", Some(&staff)).await.expect(200);
        shown = follows[0].clone();
        shown["state"] == "rejected"
    })
    .await;
    let refusal = shown["refusal"].as_str().unwrap_or_default();
    assert!(refusal.starts_with("answered 400"), "{shown}");
    assert!(refusal.contains("Failed to parse object"), "{shown}");

    let mut browser = crate::browser::Browser::new(&app);
    browser.log_in("staff_member").await;
    let page = browser.get("/staff/following").await;
    page.contains("拒否されました");
    page.contains("Failed to parse object");
}

both_databases!(a_refused_follow_is_shown_refused_with_the_reason,);
