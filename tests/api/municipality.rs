//! What following a municipality brings: its actor announces each theme when it opens (the
//! `Group`, so that the follower can follow it) and each change of a theme's running phase
//! (the theme's `Update`), whether staff changed the phases or the date did; a draft says
//! nothing, and an edit that leaves the phase as it was tells the city's followers nothing.

use std::time::Duration;

use serde_json::{Value, json};

use crate::both_databases;
use crate::helpers::{Backend, day, federating_app, phase_today};
use crate::peer::GtsPeer;

const CITY: &str = "http://localhost";

/// The city's announcements that carry a theme's `Group` (directly or in its `Update`).
fn city_announces(peer: &GtsPeer, slug: &str, inner: &str) -> Vec<Value> {
    let theme = format!("{CITY}/themes/{slug}");
    peer.received()
        .into_iter()
        .map(|(_, a)| a)
        .filter(|a| a["type"] == "Announce" && a["actor"] == format!("{CITY}/actor"))
        .filter(|a| match inner {
            "Group" => a["object"]["type"] == "Group" && a["object"]["id"] == theme.as_str(),
            _ => {
                a["object"]["type"] == inner
                    && a["object"]["actor"] == theme.as_str()
                    && a["object"]["object"]["type"] == "Group"
            }
        })
        .collect()
}

fn update(title: &str, status: &str, phases: Value) -> Value {
    json!({"title": title, "description": "", "tags": [], "status": status, "phases": phases})
}

async fn a_followed_municipality_announces_its_themes_and_their_phases(backend: Backend) {
    let app = federating_app(&backend).await;
    let peer = GtsPeer::start("127.0.0.14", CITY).await;
    let follow = peer.follow(&format!("{CITY}/actor"), 1);
    let (status, body) = peer.post(&app, "/inbox", &follow).await;
    assert_eq!(status, 202, "{body}");
    peer.wait_for("an Accept", |a| a["type"] == "Accept").await;
    let staff = app.staff().await;

    // A draft is not announced; an open theme is, with its Group.
    app.theme(&staff, "plan", "draft", phase_today(true, true, true))
        .await;
    app.theme(&staff, "parks", "open", phase_today(true, true, true))
        .await;
    let announce = peer
        .wait_for("the open theme's Group", |a| {
            a["type"] == "Announce" && a["object"]["type"] == "Group"
        })
        .await;
    assert_eq!(announce["actor"], format!("{CITY}/actor"), "{announce}");
    assert_eq!(announce["object"]["id"], format!("{CITY}/themes/parks"));
    assert_eq!(announce["object"]["hiroba:currentPhase"], 0, "{announce}");
    assert_eq!(announce["cc"], json!([format!("{CITY}/actor/followers")]));
    assert!(announce["object"].get("@context").is_none(), "{announce}");
    assert!(city_announces(&peer, "plan", "Group").is_empty());

    // Opening the draft announces it then, once.
    let phases = phase_today(true, true, true);
    app.put(
        "/api/v1/themes/plan",
        Some(&staff),
        update("総合計画", "open", phases),
    )
    .await
    .expect(200);
    peer.wait_for("the opened draft's Group", |a| {
        a["type"] == "Announce" && a["object"]["id"] == format!("{CITY}/themes/plan")
    })
    .await;

    // Staff move the phase: today is now before it, and the city announces the Update.
    let later = json!([{"name": "創る", "starts_on": day(3), "ends_on": day(9),
                        "allows": {"ideas": true, "comments": true, "supports": true}}]);
    app.put(
        "/api/v1/themes/parks",
        Some(&staff),
        update("公園", "open", later.clone()),
    )
    .await
    .expect(200);
    let moved = peer
        .wait_for("the Update of the moved phase", |a| {
            a["type"] == "Announce" && a["object"]["type"] == "Update"
        })
        .await;
    assert_eq!(moved["object"]["actor"], format!("{CITY}/themes/parks"));
    assert_eq!(
        moved["object"]["object"]["hiroba:currentPhase"],
        Value::Null,
        "{moved}"
    );

    // A new title leaves the phase as it was: the theme's own followers would get the
    // Update, the city's followers nothing more.
    app.put(
        "/api/v1/themes/parks",
        Some(&staff),
        update("公園の未来", "open", later),
    )
    .await
    .expect(200);
    tokio::time::sleep(Duration::from_millis(600)).await;
    assert_eq!(city_announces(&peer, "parks", "Update").len(), 1);

    // The date moves on (as at midnight): the watcher notices, and the city tells once.
    let mut conn = app.state.db.acquire().await.unwrap();
    let theme = hiroba::storage::themes::find_theme_by_slug(conn.ex(), "plan")
        .await
        .unwrap()
        .unwrap();
    let told = hiroba::federation::phase_watch::state_of(None, Some(true));
    hiroba::storage::themes::set_published_state(conn.ex(), theme.id, &told)
        .await
        .unwrap();
    drop(conn);
    peer.wait_for("the Update the date brought", |a| {
        a["type"] == "Announce"
            && a["object"]["type"] == "Update"
            && a["object"]["actor"] == format!("{CITY}/themes/plan")
    })
    .await;
    tokio::time::sleep(Duration::from_millis(600)).await;
    assert_eq!(
        city_announces(&peer, "plan", "Update").len(),
        1,
        "told once"
    );
    assert_eq!(city_announces(&peer, "plan", "Group").len(), 1);
    assert_eq!(city_announces(&peer, "parks", "Group").len(), 1);

    // Staff remove a theme: the city's followers are told by the city itself (the theme's
    // key is no longer served).
    app.delete("/api/v1/themes/plan", Some(&staff))
        .await
        .expect(204);
    let delete = peer
        .wait_for("the Delete of the removed theme", |a| {
            a["type"] == "Delete" && a["object"]["id"] == format!("{CITY}/themes/plan")
        })
        .await;
    assert_eq!(delete["actor"], format!("{CITY}/actor"));
    assert_eq!(delete["object"]["type"], "Tombstone");
}

both_databases!(a_followed_municipality_announces_its_themes_and_their_phases);
