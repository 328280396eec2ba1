//! Following brings what was published before the follow: Kamakura follows Kotoura's
//! municipality after Kotoura published methods and opened themes, and its library and
//! directory list them at once; it follows a theme with more ideas than an outbox page
//! holds, and every idea arrives; following again changes nothing.

use serde_json::{Value, json};

use crate::both_databases;
use crate::helpers::{Auth, Backend, TestApp, phase_today};
use crate::two_instances::{TestHost, eventually, instance_with};

async fn accepted(b: &TestApp, staff: &Auth, actor: &str) {
    b.post("/api/v1/following", Some(staff), json!({"actor": actor}))
        .await
        .expect(201);
    eventually("the follow is accepted", || async {
        let follows = b.get("/api/v1/following", Some(staff)).await.expect(200);
        follows
            .as_array()?
            .iter()
            .any(|f| f["state"] == "accepted" && f["actor"] == actor)
            .then_some(())
    })
    .await;
}

async fn list(app: &TestApp, path: &str) -> Vec<Value> {
    let body = app.get(path, None).await.expect(200);
    body["items"]
        .as_array()
        .or(body.as_array())
        .cloned()
        .unwrap_or_default()
}

fn method(title: &str) -> Value {
    json!({
        "title": title,
        "summary": format!("{title}の進め方"),
        "when_to_use": "計画の初めに。",
        "phases": [{"name": "知る", "days": 14,
                    "allows": {"ideas": false, "comments": true, "supports": false}}],
        "lessons": "",
    })
}

async fn following_late_brings_what_was_published_before(backend: Backend) {
    let host_a = TestHost::new("kotoura-early", "127.0.0.60");
    let host_b = TestHost::new("kamakura-late", "127.0.0.61");
    let a = instance_with(&backend, &host_a, "127.0.0.60", |_| {}).await;
    let b = instance_with(&backend, &host_b, "127.0.0.61", |_| {}).await;
    let a_base = a.config.public_url();
    let staff_a = a.staff().await;
    let staff_b = b.staff().await;
    let hanako = a.resident("hanako").await;

    // Kotoura publishes before anyone follows it: two methods, two open themes (one with
    // more ideas than a page of its outbox holds) and a theme still in draft.
    for title in ["子どもの声を聞く", "駅前の社会実験"] {
        a.post("/api/v1/methods", Some(&staff_a), method(title))
            .await
            .expect(201);
    }
    a.theme(&staff_a, "kodomo", "open", phase_today(true, true, true))
        .await;
    a.theme(&staff_a, "umi", "open", phase_today(true, true, true))
        .await;
    a.theme(&staff_a, "junbi", "draft", phase_today(true, true, true))
        .await;
    let ideas = 25;
    for n in 0..ideas {
        a.idea(&hanako, "kodomo", &format!("子どもの声 その{n}"))
            .await;
    }

    // Kamakura follows Kotoura's municipality: its library and its list of other cities'
    // themes fill from Kotoura's outbox, without waiting for anything new.
    accepted(&b, &staff_b, &format!("{a_base}/actor")).await;
    let library = eventually("the methods published before reach the library", || async {
        let found = list(&b, "/api/v1/federated/methods").await;
        (found.len() == 2).then_some(found)
    })
    .await;
    let mut titles: Vec<String> = library
        .iter()
        .map(|m| m["title"].as_str().unwrap_or_default().to_string())
        .collect();
    titles.sort();
    assert_eq!(titles, ["子どもの声を聞く", "駅前の社会実験"]);
    let themes = eventually("the open themes are listed", || async {
        let found = list(&b, "/api/v1/federated/themes").await;
        (found.len() == 2).then_some(found)
    })
    .await;
    let mut actors: Vec<String> = themes
        .iter()
        .map(|t| t["actor"].as_str().unwrap().to_string())
        .collect();
    actors.sort();
    assert_eq!(
        actors,
        [
            format!("{a_base}/themes/kodomo"),
            format!("{a_base}/themes/umi")
        ],
        "open themes only"
    );
    let directory = b
        .get("/api/v1/federated/municipalities", None)
        .await
        .expect(200);
    let open = directory[0]["open_themes"].as_array().unwrap();
    assert_eq!(open.len(), 2, "{directory}");

    // Kamakura follows the theme: every idea it already had arrives, over several pages.
    accepted(&b, &staff_b, &format!("{a_base}/themes/kodomo")).await;
    let posts = eventually("every earlier idea arrives", || async {
        let found = b
            .get("/api/v1/federated/posts?per_page=100", None)
            .await
            .expect(200)["items"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        (found.len() == ideas).then_some(found)
    })
    .await;
    assert!(
        posts
            .iter()
            .all(|p| p["via"]["handle"] == format!("kodomo@{}", a.config.domain))
    );

    // Reading the outboxes again (a follow answered twice) keeps one copy of each.
    let follows = b.get("/api/v1/following", Some(&staff_b)).await.expect(200);
    for follow in follows.as_array().unwrap() {
        hiroba::federation::backfill::from_outbox(&b.state, follow["id"].as_i64().unwrap())
            .await
            .unwrap();
    }
    assert_eq!(list(&b, "/api/v1/federated/methods").await.len(), 2);
    assert_eq!(list(&b, "/api/v1/federated/themes").await.len(), 2);
    let again = b
        .get("/api/v1/federated/posts?per_page=100", None)
        .await
        .expect(200);
    assert_eq!(again["items"].as_array().unwrap().len(), ideas);
}

both_databases!(following_late_brings_what_was_published_before);
