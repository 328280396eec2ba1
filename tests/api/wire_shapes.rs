//! Every kind of activity Hiroba sends has its example in `federation-spec/examples/`, and
//! what the server really sends has the example's shape: the same properties at every
//! level, values of the same kinds, every item of a list shaped like an item of the
//! example's list and back. A peer shaped like GoToSocial (whose software is not known, so
//! it is sent every form) follows a theme and the municipality and records what it gets
//! while staff and residents do everything that publishes.
//!
//! `HIROBA_WRITE_EXAMPLES=1` writes what was sent, with the example host names, over the
//! examples instead: for a reviewer to read and commit when a shape changes on purpose.

use std::collections::BTreeMap;
use std::path::PathBuf;

use serde_json::{Value, json};

use crate::both_databases;
use crate::helpers::{Backend, day, federating_app, phase_today};
use crate::peer::GtsPeer;

const CITY: &str = "http://localhost";
const EXAMPLE_CITY: &str = "https://sanka.midori.example";
const EXAMPLE_PEER: &str = "https://gts.example";

/// The differences in shape between what was sent and its example, by path.
pub fn shape_differences(path: &str, live: &Value, documented: &Value) -> Vec<String> {
    match (live, documented) {
        (Value::Object(l), Value::Object(d)) => {
            let mut found = Vec::new();
            for key in l.keys().filter(|k| !d.contains_key(*k)) {
                found.push(format!("{path}.{key}: sent, not in the example"));
            }
            for key in d.keys().filter(|k| !l.contains_key(*k)) {
                found.push(format!("{path}.{key}: in the example, not sent"));
            }
            for (key, value) in l {
                if key == "@context" {
                    if Some(value) != d.get(key) {
                        found.push(format!("{path}.@context differs"));
                    }
                } else if let Some(other) = d.get(key) {
                    found.extend(shape_differences(&format!("{path}.{key}"), value, other));
                }
            }
            found
        }
        (Value::Array(l), Value::Array(d)) => {
            let fits = |item: &Value, among: &[Value]| {
                among.is_empty()
                    || among
                        .iter()
                        .any(|o| shape_differences("", item, o).is_empty())
            };
            let mut found = Vec::new();
            if l.iter().any(|item| !fits(item, d)) {
                found.push(format!(
                    "{path}[]: an item sent is shaped like none in the example"
                ));
            }
            if !l.is_empty() && d.iter().any(|item| !fits(item, l)) {
                found.push(format!(
                    "{path}[]: an item of the example is shaped like none sent"
                ));
            }
            found
        }
        (l, d) if kind(l) == kind(d) => Vec::new(),
        (l, d) => vec![format!(
            "{path}: sent {}, the example has {}",
            kind(l),
            kind(d)
        )],
    }
}

fn kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "an object",
    }
}

/// Which of the activities the peer got an example is of.
type Matcher = Box<dyn Fn(&Value) -> bool>;

fn examples_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("federation-spec/examples")
}

/// What was sent, as the examples write it: the example host names for the test's.
fn as_example(live: &Value, peer: &str) -> Value {
    let text = live
        .to_string()
        .replace(CITY, EXAMPLE_CITY)
        .replace(peer, EXAMPLE_PEER);
    serde_json::from_str(&text).unwrap()
}

async fn every_outgoing_activity_has_its_documented_shape(backend: Backend) {
    let app = federating_app(&backend).await;
    let peer = GtsPeer::start("127.0.0.63", CITY).await;
    let staff = app.staff().await;
    let hanako = app.resident("hanako").await;
    let taro = app.resident("taro").await;
    app.theme(&staff, "parks", "open", phase_today(true, true, true))
        .await;
    peer.follow_theme(&app, "parks").await;
    let city_follow = peer.follow(&format!("{CITY}/actor"), 5);
    assert_eq!(peer.post(&app, "/inbox", &city_follow).await.0, 202);

    // Residents post and comment; the author edits; staff answer.
    let idea = app.idea(&hanako, "parks", "木陰にベンチを").await;
    app.post(
        &format!("/api/v1/proposals/{idea}/comments"),
        Some(&taro),
        json!({"body": "賛成です"}),
    )
    .await
    .expect(201);
    app.patch(
        &format!("/api/v1/proposals/{idea}"),
        Some(&hanako),
        json!({"title": "木陰にベンチを増やす", "body": "夏の午後に座れる場所を"}),
    )
    .await
    .expect(200);
    app.put(
        &format!("/api/v1/proposals/{idea}/answer"),
        Some(&staff),
        json!({"state": "accepted", "body": "来年度に設けます。", "department": "公園緑地課"}),
    )
    .await
    .expect(200);
    // Results with progress, a draft, a method, a poll closed early.
    let result = app
        .post(
            "/api/v1/themes/parks/results",
            Some(&staff),
            json!({"heading": "公園のベンチ", "body": "計画に入れました。",
                   "reflects": [{"proposal_id": idea}]}),
        )
        .await
        .expect(201);
    peer.wait_for("the result's Create", |a| {
        a["type"] == "Announce" && a["object"]["object"]["id"] == result["url"]
    })
    .await;
    app.post(
        &format!("/api/v1/results/{}/progress", result["id"]),
        Some(&staff),
        json!({"status": "in_progress", "percent": 40, "note": "設計を終えました"}),
    )
    .await
    .expect(200);
    // A section published by mistake is deleted.
    let mistaken = app
        .post(
            "/api/v1/themes/parks/results",
            Some(&staff),
            json!({"heading": "重複した節", "body": "間違えて公開しました。"}),
        )
        .await
        .expect(201);
    app.delete(&format!("/api/v1/results/{}", mistaken["id"]), Some(&staff))
        .await
        .expect(204);
    app.post(
        "/api/v1/themes/parks/drafts",
        Some(&staff),
        json!({"title": "公園の計画（たたき台）", "text": "第1条 市は木陰をつくる。\n\n第2条 市はベンチを置く。"}),
    )
    .await
    .expect(201);
    app.post(
        "/api/v1/methods",
        Some(&staff),
        json!({"title": "子どもの声を聞く", "summary": "学校で聞いた方法", "when_to_use": "",
               "phases": [{"name": "知る", "days": 14,
                           "allows": {"ideas": false, "comments": true, "supports": false}}],
               "lessons": ""}),
    )
    .await
    .expect(201);
    let survey = app
        .post(
            "/api/v1/themes/parks/surveys",
            Some(&staff),
            json!({"title": "公園アンケート", "audience": "residents", "opens_on": day(-1),
                   "closes_on": day(7), "sections": [{"questions": [{"kind": "single_choice",
                   "prompt": "よく使う公園は", "options": ["中央公園", "駅前広場"]}]}]}),
        )
        .await
        .expect(201);
    let question = survey["sections"][0]["questions"][0]["id"]
        .as_i64()
        .unwrap();
    app.post(
        &format!("/api/v1/surveys/{}/questions/{question}/poll", survey["id"]),
        Some(&staff),
        json!({}),
    )
    .await
    .expect(201);
    peer.wait_for("the poll's Create", |a| {
        a["type"] == "Create" && a["object"]["type"] == "Question"
    })
    .await;
    app.post(
        &format!("/api/v1/surveys/{}/close", survey["id"]),
        Some(&staff),
        json!({}),
    )
    .await
    .expect(200);
    // A second theme opens (the municipality announces it), changes and is removed.
    app.theme(&staff, "umi", "open", phase_today(true, true, true))
        .await;
    let umi_follow = peer.follow(&format!("{CITY}/themes/umi"), 6);
    assert_eq!(peer.post(&app, "/inbox", &umi_follow).await.0, 202);
    app.put(
        "/api/v1/themes/umi",
        Some(&staff),
        json!({"title": "海辺の計画", "status": "open", "phases": phase_today(true, true, true)}),
    )
    .await
    .expect(200);
    peer.wait_for("the municipality's Announce of the theme", |a| {
        a["type"] == "Announce" && a["object"]["type"] == "Group"
    })
    .await;
    peer.wait_for("the theme's Update", |a| {
        a["type"] == "Update" && a["object"]["name"] == "海辺の計画"
    })
    .await;
    app.delete("/api/v1/themes/umi", Some(&staff))
        .await
        .expect(204);
    // The idea is withdrawn.
    app.post(
        &format!("/api/v1/proposals/{idea}/withdraw"),
        Some(&hanako),
        json!({}),
    )
    .await
    .expect(200);

    // The municipality follows the peer; a resident supports its post and takes it back.
    app.post(
        "/api/v1/following",
        Some(&staff),
        json!({"actor": peer.actor_id()}),
    )
    .await
    .expect(201);
    let follow = peer
        .wait_for("the municipality's Follow", |a| a["type"] == "Follow")
        .await;
    let accept = json!({"@context": "https://www.w3.org/ns/activitystreams",
        "id": format!("{}/accepts/1", peer.actor_id()), "type": "Accept",
        "actor": peer.actor_id(), "object": follow});
    assert_eq!(peer.post(&app, "/inbox", &accept).await.0, 202);
    let mut post = peer.example("gotosocial-create-idea.json");
    post["object"]["tag"] = json!([]);
    assert_eq!(peer.post(&app, "/inbox", &post).await.0, 202);
    crate::helpers::wait_until("the peer's post is kept", async || {
        app.get("/api/v1/federated/posts", None).await.expect(200)["items"][0]["id"].is_i64()
    })
    .await;
    let posts = app.get("/api/v1/federated/posts", None).await.expect(200);
    let post_id = posts["items"][0]["id"].as_i64().unwrap();
    let support = format!("/api/v1/federated/posts/{post_id}/support");
    app.put(&support, Some(&taro), json!({})).await.expect(200);
    peer.wait_for("the Like", |a| a["type"] == "Like").await;
    app.delete(&support, Some(&taro)).await.expect(200);
    let follows = app.get("/api/v1/following", Some(&staff)).await.expect(200);
    app.delete(
        &format!("/api/v1/following/{}", follows[0]["id"]),
        Some(&staff),
    )
    .await
    .expect(204);
    // A moderator blocks the peer's account, then lifts the block.
    let block = app
        .post(
            "/api/v1/moderation/blocks",
            Some(&staff),
            json!({"kind": "actor", "value": peer.actor_id()}),
        )
        .await
        .expect(201);
    peer.wait_for("the Block", |a| a["type"] == "Block").await;
    app.delete(
        &format!("/api/v1/moderation/blocks/{}", block["id"]),
        Some(&staff),
    )
    .await
    .expect(204);

    // Each example names the first activity of its kind that the peer got.
    let is = |kind: &'static str| move |a: &Value| a["type"] == kind;
    let announces = |inner: &'static str, object: &'static str| {
        move |a: &Value| {
            a["type"] == "Announce"
                && a["object"]["type"] == inner
                && (object.is_empty() || a["object"]["object"]["type"] == object)
        }
    };
    let examples: Vec<(&str, Matcher)> = vec![
        ("hiroba-accept.json", Box::new(is("Accept"))),
        ("hiroba-reject.json", Box::new(is("Reject"))),
        ("hiroba-block.json", Box::new(is("Block"))),
        (
            "hiroba-undo-block.json",
            Box::new(|a: &Value| a["type"] == "Undo" && a["object"]["type"] == "Block"),
        ),
        ("hiroba-follow.json", Box::new(is("Follow"))),
        (
            "hiroba-undo-follow.json",
            Box::new(|a: &Value| a["type"] == "Undo" && a["object"]["type"] == "Follow"),
        ),
        ("hiroba-like.json", Box::new(is("Like"))),
        (
            "hiroba-undo-like.json",
            Box::new(|a: &Value| a["type"] == "Undo" && a["object"]["type"] == "Like"),
        ),
        (
            "hiroba-announce-create-page.json",
            Box::new(announces("Create", "Page")),
        ),
        (
            "hiroba-announce-page.json",
            Box::new(|a: &Value| a["type"] == "Announce" && a["object"]["type"] == "Page"),
        ),
        (
            "hiroba-announce-create-note.json",
            Box::new(|a: &Value| {
                a["type"] == "Announce"
                    && a["object"]["type"] == "Create"
                    && a["object"]["object"]["type"] == "Note"
                    && a["object"]["object"].get("hiroba:answer").is_none()
            }),
        ),
        (
            "hiroba-update-page.json",
            Box::new(|a: &Value| {
                a["type"] == "Update"
                    && a["object"]["type"] == "Page"
                    && a["object"].get("hiroba:answer").is_some()
            }),
        ),
        (
            "hiroba-delete-page.json",
            Box::new(|a: &Value| a["type"] == "Delete" && a["object"]["formerType"] == "Page"),
        ),
        (
            "hiroba-announce-create-answer.json",
            Box::new(|a: &Value| {
                a["type"] == "Announce"
                    && a["object"]["type"] == "Create"
                    && a["object"]["object"].get("hiroba:answer").is_some()
            }),
        ),
        (
            "hiroba-announce-create-result.json",
            Box::new(|a: &Value| {
                a["type"] == "Announce"
                    && a["actor"] == format!("{CITY}/themes/parks")
                    && a["object"]["type"] == "Create"
                    && a["object"]["object"].get("hiroba:reflects").is_some()
            }),
        ),
        (
            "hiroba-update-result.json",
            Box::new(|a: &Value| {
                a["type"] == "Update" && a["object"].get("hiroba:progress").is_some()
            }),
        ),
        (
            "hiroba-announce-create-draft.json",
            Box::new(|a: &Value| {
                a["type"] == "Announce"
                    && a["actor"] == format!("{CITY}/themes/parks")
                    && a["object"]["type"] == "Create"
                    && a["object"]["object"].get("hiroba:paragraphs").is_some()
            }),
        ),
        (
            "hiroba-create-question.json",
            Box::new(|a: &Value| a["type"] == "Create" && a["object"]["type"] == "Question"),
        ),
        (
            "hiroba-update-question-closed.json",
            Box::new(|a: &Value| {
                a["type"] == "Update"
                    && a["object"]["type"] == "Question"
                    && a["object"]["closed"].is_string()
            }),
        ),
        (
            "hiroba-create-method.json",
            Box::new(|a: &Value| {
                a["type"] == "Create" && a["object"]["type"][1] == "hiroba:Method"
            }),
        ),
        (
            "hiroba-announce-group.json",
            Box::new(|a: &Value| a["type"] == "Announce" && a["object"]["type"] == "Group"),
        ),
        (
            "hiroba-update-group.json",
            Box::new(|a: &Value| a["type"] == "Update" && a["object"]["type"] == "Group"),
        ),
        (
            "hiroba-delete-result.json",
            Box::new(|a: &Value| a["type"] == "Delete" && a["object"]["formerType"] == "Article"),
        ),
        (
            "hiroba-delete-group.json",
            Box::new(|a: &Value| a["type"] == "Delete" && a["object"]["formerType"] == "Group"),
        ),
    ];
    let write = std::env::var("HIROBA_WRITE_EXAMPLES").is_ok_and(|v| v == "1");
    let mut problems: BTreeMap<&str, Vec<String>> = BTreeMap::new();
    let received = |matches: &dyn Fn(&Value) -> bool| {
        peer.received()
            .into_iter()
            .map(|(_, a)| a)
            .find(|a| matches(a))
    };
    for _ in 0..600 {
        if examples.iter().all(|(_, m)| received(m.as_ref()).is_some()) {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    let summary: Vec<String> = peer
        .received()
        .iter()
        .map(|(_, a)| {
            let object = &a["object"];
            format!(
                "{} {} {}",
                a["type"], object["type"], object["object"]["type"]
            )
        })
        .collect();
    for (name, matches) in &examples {
        let Some(live) = received(matches.as_ref()) else {
            problems.insert(name, vec![format!("never sent; the peer got {summary:#?}")]);
            continue;
        };
        let live = as_example(&live, &peer.base);
        let path = examples_dir().join(name);
        if write {
            std::fs::write(&path, serde_json::to_string_pretty(&live).unwrap() + "\n").unwrap();
            continue;
        }
        let documented: Value = std::fs::read_to_string(&path)
            .ok()
            .and_then(|text| serde_json::from_str(&text).ok())
            .unwrap_or(Value::Null);
        let found = shape_differences("$", &live, &documented);
        if !found.is_empty() {
            problems.insert(name, found);
        }
    }
    assert!(problems.is_empty(), "{problems:#?}");
}

both_databases!(every_outgoing_activity_has_its_documented_shape);
