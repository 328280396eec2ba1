//! The event log between the services and the fediverse: what is stored while no publisher
//! runs is published when one starts, an event published twice queues its activities once,
//! a restored proposal reaches followers again, and old events are pruned only once every
//! consumer has passed them.

use std::time::Duration;

use hiroba::services::events::{Event, EventConsumer, EventKind, Progress};
use serde_json::{Value, json};

use crate::both_databases;
use crate::helpers::{Backend, TestApp, phase_today, spawn_app_with, wait_until};
use crate::peer::GtsPeer;

const CITY: &str = "http://localhost";

async fn app_with(backend: &Backend, consumers: bool) -> TestApp {
    spawn_app_with(backend, |config| {
        config.federation.insecure = true;
        config.federation.retry_base = Duration::from_millis(100);
        config.federation.probe_interval = Duration::from_millis(300);
        config.events.run_consumers = consumers;
        config.events.poll_interval = Duration::from_millis(100);
        config.events.retention = Duration::ZERO;
    })
    .await
}

/// Announces by the theme that bring the proposal (its `Create`, or its `Page`).
fn announces_of(peer: &GtsPeer, proposal: i64) -> usize {
    let page = format!("{CITY}/proposals/{proposal}");
    peer.received()
        .iter()
        .filter(|(_, a)| a["type"] == "Announce")
        .filter(|(_, a)| {
            let inner = &a["object"];
            (inner["type"] == "Page" && inner["id"] == page.as_str())
                || (inner["type"] == "Create" && inner["object"]["id"] == page.as_str())
        })
        .count()
}

async fn open_theme_followed_by(app: &TestApp, peer: &GtsPeer) {
    let staff = app.staff().await;
    app.theme(&staff, "parks", "open", phase_today(true, true, true))
        .await;
    peer.follow_theme(app, "parks").await;
}

async fn events_in_log(app: &TestApp) -> Vec<Event> {
    let mut conn = app.state.db.acquire().await.unwrap();
    hiroba::storage::events::after(conn.ex(), 0, 100)
        .await
        .unwrap()
        .into_iter()
        .map(|row| Event {
            id: row.id,
            kind: EventKind::parse(&row.kind).unwrap(),
            subject_id: row.subject_id,
            payload: Value::Null,
            at: row.created_at,
        })
        .collect()
}

async fn what_is_stored_while_no_publisher_runs_is_published_when_one_starts(backend: Backend) {
    let mut app = app_with(&backend, false).await;
    let peer = GtsPeer::start("127.0.0.11", CITY).await;
    open_theme_followed_by(&app, &peer).await;
    let resident = app.resident("hanako").await;
    let id = app.idea(&resident, "parks", "ベンチを増やして").await;
    // Stored, and in the log, but nobody has published it.
    let logged = events_in_log(&app).await;
    assert!(
        logged
            .iter()
            .any(|e| e.kind == EventKind::ProposalCreated && e.subject_id == id),
        "{logged:?}"
    );
    tokio::time::sleep(Duration::from_millis(700)).await;
    assert_eq!(announces_of(&peer, id), 0);

    app.config.events.run_consumers = true;
    app.restart().await;
    wait_until("the proposal to reach the follower", async || {
        announces_of(&peer, id) == 2
    })
    .await;
    let mut publisher = Value::Null;
    wait_until("the publisher to report no lag", async || {
        let health = app.get("/health", None).await.expect(200);
        publisher = health["event_consumers"]
            .as_array()
            .and_then(|all| all.iter().find(|c| c["name"] == "federation_publisher"))
            .cloned()
            .unwrap_or(Value::Null);
        publisher["lag"] == 0
    })
    .await;
    assert_eq!(publisher["failing_event"], Value::Null, "{publisher}");
}

async fn an_event_published_twice_queues_its_activities_once(backend: Backend) {
    let app = app_with(&backend, false).await;
    let peer = GtsPeer::start("127.0.0.12", CITY).await;
    open_theme_followed_by(&app, &peer).await;
    let resident = app.resident("hanako").await;
    let id = app.idea(&resident, "parks", "木陰がほしい").await;
    let event = events_in_log(&app)
        .await
        .into_iter()
        .find(|e| e.kind == EventKind::ProposalCreated && e.subject_id == id)
        .unwrap();
    // As after a crash between queuing and moving the position: the event is handled again.
    let publisher = hiroba::federation::publisher::Publisher;
    let progress = Progress::detached("federation_publisher", event.id);
    publisher
        .handle(&app.state, &event, &progress)
        .await
        .unwrap();
    publisher
        .handle(&app.state, &event, &progress)
        .await
        .unwrap();
    wait_until("the proposal to reach the follower", async || {
        announces_of(&peer, id) >= 2
    })
    .await;
    tokio::time::sleep(Duration::from_millis(800)).await;
    assert_eq!(announces_of(&peer, id), 2, "{:?}", peer.received());
}

async fn a_hidden_then_restored_proposal_reaches_followers_again(backend: Backend) {
    let app = app_with(&backend, true).await;
    let peer = GtsPeer::start("127.0.0.13", CITY).await;
    open_theme_followed_by(&app, &peer).await;
    let resident = app.resident("hanako").await;
    let id = app.idea(&resident, "parks", "噴水を直して").await;
    wait_until("the proposal to reach the follower", async || {
        announces_of(&peer, id) == 2
    })
    .await;
    let moderator = app
        .user_with_role("mori", hiroba::domain::Role::Moderator)
        .await;
    let path = format!("/api/v1/proposals/{id}/hide");
    app.post(&path, Some(&moderator), json!({"reason": "確認中"}))
        .await
        .expect(200);
    peer.wait_for("the Delete of the hidden proposal", |a| {
        a["type"] == "Announce" && a["object"]["type"] == "Delete" || a["type"] == "Delete"
    })
    .await;
    let path = format!("/api/v1/proposals/{id}/restore");
    app.post(&path, Some(&moderator), json!({"reason": "問題なし"}))
        .await
        .expect(200);
    wait_until(
        "the restored proposal to reach the follower again",
        async || announces_of(&peer, id) == 4,
    )
    .await;
}

async fn events_are_pruned_only_after_every_consumer_passed_them(backend: Backend) {
    let mut app = app_with(&backend, false).await;
    let staff = app.staff().await;
    app.theme(&staff, "parks", "open", phase_today(true, true, true))
        .await;
    let resident = app.resident("hanako").await;
    app.idea(&resident, "parks", "砂場を広く").await;
    let before = events_in_log(&app).await.len();
    assert!(before >= 1, "{before}");
    // No consumer has passed them yet: nothing goes, however old.
    assert_eq!(
        hiroba::services::events::prune(&app.state).await.unwrap(),
        0
    );
    app.config.events.run_consumers = true;
    app.restart().await;
    wait_until("every consumer to pass every event", async || {
        let health = app.get("/health", None).await.expect(200);
        health["event_consumers"]
            .as_array()
            .is_some_and(|all| all.iter().all(|c| c["lag"] == 0))
    })
    .await;
    let pruned = hiroba::services::events::prune(&app.state).await.unwrap();
    let health = app.get("/health", None).await.expect(200);
    assert_eq!(
        pruned as usize,
        before,
        "{health} {:?}",
        events_in_log(&app).await
    );
    assert!(events_in_log(&app).await.is_empty());
}

both_databases!(
    what_is_stored_while_no_publisher_runs_is_published_when_one_starts,
    an_event_published_twice_queues_its_activities_once,
    a_hidden_then_restored_proposal_reaches_followers_again,
    events_are_pruned_only_after_every_consumer_passed_them,
);
