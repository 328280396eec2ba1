//! What GoToSocial-shaped servers and other fediverse software send, in the exact shapes
//! of `federation-spec/examples/`: a key id without a fragment, one value where a list is
//! usual, text only by language, follows that reuse their ids, votes that switch.

use std::time::Duration;

use serde_json::{Value, json};

use crate::both_databases;
use crate::helpers::{Backend, TestApp, federating_app, phase_today, wait_until};
use crate::peer::{GtsPeer, USER};

const CITY: &str = "http://localhost";

async fn followers(app: &TestApp, slug: &str) -> i64 {
    app.activity(&format!("/themes/{slug}/followers")).await.1["totalItems"]
        .as_i64()
        .unwrap()
}

fn accepts_of(peer: &GtsPeer) -> usize {
    peer.received()
        .iter()
        .filter(|(_, a)| a["type"] == "Accept")
        .count()
}

async fn a_gotosocial_account_follows_by_its_key_without_fragment(backend: Backend) {
    let app = federating_app(&backend).await;
    let peer = GtsPeer::start("127.0.0.6", CITY).await;
    let staff = app.staff().await;
    app.theme(&staff, "parks", "open", phase_today(true, true, true))
        .await;
    let theme = format!("{CITY}/themes/parks");
    let follow = peer.follow(&theme, 1);

    let (status, body) = peer.post(&app, "/themes/parks/inbox", &follow).await;
    assert_eq!(status, 202, "{body}");
    let accept = peer.wait_for("an Accept", |a| a["type"] == "Accept").await;
    assert_eq!(accept["object"]["id"], follow["id"]);
    assert_eq!(followers(&app, "parks").await, 1);
    // Staff see how many fediverse accounts follow, in the API and on the staff page.
    let theme = app.get("/api/v1/themes/parks", None).await.expect(200);
    assert_eq!(theme["follower_count"], 1, "{theme}");
    let mut browser = crate::browser::Browser::new(&app);
    browser.log_in("staff_member").await;
    let page = browser.get("/staff").await;
    page.contains("フェディバースのフォロワー");
    page.contains(r#"data-label="フェディバースのフォロワー">1</td>"#);

    // Follow state decides, not ids (Misskey reuses them): the same Follow again is
    // accepted again, an Undo ends it, the same Follow after the Undo follows again, and a
    // repeated Undo is harmless.
    assert_eq!(peer.post(&app, "/inbox", &follow).await.0, 202);
    wait_until("a second Accept", async || accepts_of(&peer) == 2).await;
    assert_eq!(followers(&app, "parks").await, 1);
    let undo = json!({
        "id": format!("{}/undo", follow["id"].as_str().unwrap()),
        "type": "Undo", "actor": peer.actor_id(), "object": follow,
    });
    assert_eq!(peer.post(&app, "/inbox", &undo).await.0, 202);
    assert_eq!(followers(&app, "parks").await, 0);
    assert_eq!(peer.post(&app, "/inbox", &follow).await.0, 202);
    wait_until("the Accept of the new follow", async || {
        accepts_of(&peer) == 3
    })
    .await;
    assert_eq!(followers(&app, "parks").await, 1);
    assert_eq!(peer.post(&app, "/inbox", &undo).await.0, 202);
    assert_eq!(peer.post(&app, "/inbox", &undo).await.0, 202);
    assert_eq!(followers(&app, "parks").await, 0);
}

async fn one_value_where_a_list_is_usual_is_read(backend: Backend) {
    let app = federating_app(&backend).await;
    let peer = GtsPeer::start("127.0.0.6", CITY).await;
    let staff = app.staff().await;
    app.theme(&staff, "parks", "open", phase_today(true, true, true))
        .await;

    // A post mentioning the theme, its one `tag` an object, `to` and `cc` single strings.
    let idea = peer.example("gotosocial-create-idea.json");
    let (status, body) = peer.post(&app, "/inbox", &idea).await;
    assert_eq!(status, 202, "{body}");
    let list = app
        .get("/api/v1/themes/parks/proposals", None)
        .await
        .expect(200);
    let proposal = &list["items"][0];
    assert_eq!(
        proposal["title"], "公園に日陰のベンチを増やしてください",
        "the mention and the trailing hashtag are not the title"
    );
    let id = proposal["id"].as_i64().unwrap();

    // A reply with its one mention.
    let mut reply = peer.example("gotosocial-create-reply.json");
    reply["object"]["inReplyTo"] = json!(format!("{CITY}/proposals/{id}"));
    let (status, body) = peer.post(&app, "/inbox", &reply).await;
    assert_eq!(status, 202, "{body}");
    let comments = app
        .get(&format!("/api/v1/proposals/{id}/comments"), None)
        .await
        .expect(200);
    assert!(
        comments.to_string().contains("木陰は大事です"),
        "{comments}"
    );

    // `content` null, the text only in `contentMap`, one Hashtag, `audience` embedded.
    let note = peer.example("fedify-note-content-map.json");
    let note_id = format!("{}/notes/content-map", peer.base);
    let mut note = note;
    note["id"] = json!(note_id);
    note["attributedTo"] = json!(peer.actor_id());
    let create = json!({
        "id": format!("{note_id}/activity"), "type": "Create", "actor": peer.actor_id(),
        "to": "https://www.w3.org/ns/activitystreams#Public", "object": note,
    });
    let (status, body) = peer.post(&app, "/inbox", &create).await;
    assert_eq!(status, 202, "{body}");
    let list = app
        .get("/api/v1/themes/parks/proposals", None)
        .await
        .expect(200);
    let from_map = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["title"] == "公園にもっと木陰を")
        .unwrap_or_else(|| panic!("the Japanese text of contentMap became the idea: {list}"));
    assert_eq!(from_map["tags"], json!(["公園"]), "{from_map}");

    // A wrong shape is refused with the property named.
    let mut bad = peer.example("gotosocial-create-reply.json");
    bad["id"] = json!(format!("{}/statuses/bad/activity", peer.actor_id()));
    bad["object"]["id"] = json!(format!("{}/statuses/bad", peer.actor_id()));
    bad["object"]["published"] = json!(20261120);
    let (status, body) = peer.post(&app, "/inbox", &bad).await;
    assert_eq!(status, 400, "{body}");
    assert!(
        body["detail"]
            .as_str()
            .unwrap_or_default()
            .contains("published"),
        "{body}"
    );
}

async fn a_refused_activity_can_come_again(backend: Backend) {
    let app = federating_app(&backend).await;
    let peer = GtsPeer::start("127.0.0.6", CITY).await;
    let staff = app.staff().await;
    app.theme(&staff, "parks", "open", phase_today(false, true, true))
        .await;
    let idea = peer.example("gotosocial-create-idea.json");
    // The phase takes no ideas: a clear refusal, and nothing stored.
    let (status, body) = peer.post(&app, "/inbox", &idea).await;
    assert_eq!(status, 409, "{body}");
    app.put(
        "/api/v1/themes/parks",
        Some(&staff),
        json!({"title": "Theme parks", "status": "open", "phases": phase_today(true, true, true)}),
    )
    .await
    .expect(200);
    // The same activity again, now that ideas are taken: stored.
    let (status, body) = peer.post(&app, "/inbox", &idea).await;
    assert_eq!(status, 202, "{body}");
    let list = app
        .get("/api/v1/themes/parks/proposals", None)
        .await
        .expect(200);
    assert_eq!(list["items"].as_array().unwrap().len(), 1, "{list}");

    // An Update refused for its shape does not block the corrected one with the same id.
    let id = list["items"][0]["id"].as_i64().unwrap();
    let mut update = json!({
        "id": format!("{}/statuses/edit/1", peer.actor_id()), "type": "Update",
        "actor": peer.actor_id(), "object": idea["object"].clone(),
    });
    update["object"]["content"] = json!(42);
    let (status, body) = peer.post(&app, "/inbox", &update).await;
    assert_eq!(status, 400, "{body}");
    update["object"]["content"] =
        json!("<p>@parks 公園に日陰のベンチを増やしてください</p><p>木陰の下に</p>");
    update["object"]["contentMap"] = Value::Null;
    let (status, body) = peer.post(&app, "/inbox", &update).await;
    assert_eq!(status, 202, "{body}");
    let proposal = app
        .get(&format!("/api/v1/proposals/{id}"), None)
        .await
        .expect(200);
    assert!(proposal.to_string().contains("木陰の下に"), "{proposal}");
}

async fn only_the_origin_changes_an_object(backend: Backend) {
    let app = federating_app(&backend).await;
    let peer = GtsPeer::start("127.0.0.6", CITY).await;
    let staff = app.staff().await;
    let hanako = app.resident("hanako").await;
    app.theme(&staff, "parks", "open", phase_today(true, true, true))
        .await;
    let id = app.idea(&hanako, "parks", "木陰のベンチ").await;
    let page = app.activity(&format!("/proposals/{id}")).await.1;
    let mut forged = page.clone();
    forged["name"] = json!("書き換え");
    for kind in ["Update", "Delete"] {
        let activity = json!({
            "id": format!("{}/forged/{kind}", peer.actor_id()), "type": kind,
            "actor": peer.actor_id(), "object": forged,
        });
        let (status, body) = peer.post(&app, "/inbox", &activity).await;
        assert_eq!(status, 403, "{kind}: {body}");
        assert!(
            body["detail"]
                .as_str()
                .unwrap_or_default()
                .contains("origin"),
            "{body}"
        );
    }
    let proposal = app
        .get(&format!("/api/v1/proposals/{id}"), None)
        .await
        .expect(200);
    assert_eq!(proposal["title"], "木陰のベンチ");
}

async fn a_dislike_withdraws_a_remote_support(backend: Backend) {
    let app = federating_app(&backend).await;
    let peer = GtsPeer::start("127.0.0.6", CITY).await;
    let staff = app.staff().await;
    let hanako = app.resident("hanako").await;
    app.theme(&staff, "parks", "open", phase_today(true, true, true))
        .await;
    let id = app.idea(&hanako, "parks", "木陰のベンチ").await;
    let object = format!("{CITY}/proposals/{id}");
    let remote_supports = async || {
        app.get(&format!("/api/v1/proposals/{id}"), None)
            .await
            .expect(200)["remote_support_count"]
            .as_i64()
            .unwrap()
    };
    let vote = |kind: &str, n: u32| {
        json!({"id": format!("{}/votes/{n}", peer.actor_id()), "type": kind,
               "actor": peer.actor_id(), "object": object})
    };
    assert_eq!(peer.post(&app, "/inbox", &vote("Like", 1)).await.0, 202);
    assert_eq!(remote_supports().await, 1);
    // The vote switched: only the Dislike arrives. It withdraws, never counts.
    assert_eq!(peer.post(&app, "/inbox", &vote("Dislike", 2)).await.0, 202);
    assert_eq!(remote_supports().await, 0);
    let undo = json!({"id": format!("{}/votes/3", peer.actor_id()), "type": "Undo",
                      "actor": peer.actor_id(), "object": vote("Dislike", 2)});
    assert_eq!(peer.post(&app, "/inbox", &undo).await.0, 202);
    assert_eq!(remote_supports().await, 0);
    assert_eq!(peer.post(&app, "/inbox", &vote("Like", 4)).await.0, 202);
    assert_eq!(remote_supports().await, 1);
}

async fn webfinger_is_asked_for_jrd_and_handles_resolve(backend: Backend) {
    let app = federating_app(&backend).await;
    let peer = GtsPeer::start("127.0.0.6", CITY).await;
    let staff = app.staff().await;
    app.theme(&staff, "parks", "open", phase_today(true, true, true))
        .await;
    // Staff follow the account by its handle.
    app.post(
        "/api/v1/following",
        Some(&staff),
        json!({"actor": peer.handle()}),
    )
    .await
    .expect(201);
    assert!(
        peer.webfinger_accepts()
            .iter()
            .all(|a| a.contains("application/jrd+json") && !a.contains("activity+json")),
        "{:?}",
        peer.webfinger_accepts()
    );
    peer.wait_for("the municipality's Follow", |a| a["type"] == "Follow")
        .await;

    // The theme page's follow box: the server has no subscribe template, so the visitor
    // is told to search the theme's handle in their own app, and shown it.
    let mut browser = crate::browser::Browser::new(&app);
    let sent = browser
        .submit(
            "/themes/parks",
            "/themes/parks/remote-follow",
            &[("account", &format!("@{}", peer.handle()))],
        )
        .await;
    assert_eq!(sent.status, 422, "{}", sent.html);
    sent.contains("いつも使っているアプリで @parks@localhost を検索して");
}

async fn malformed_webfinger_resources_are_bad_requests(backend: Backend) {
    let app = federating_app(&backend).await;
    for (query, expected) in [
        ("resource=city@localhost", 400),
        ("resource==acct%3Acity%40localhost", 400),
        ("resource=acct:", 400),
        ("resource=acct:city", 400),
        ("resource=acct:nobody@localhost", 404),
        ("resource=acct:city@localhost", 200),
    ] {
        let status = app
            .client
            .get(format!("{}/.well-known/webfinger?{query}", app.address))
            .send()
            .await
            .unwrap()
            .status()
            .as_u16();
        assert_eq!(status, expected, "{query}");
    }
}

async fn a_blocked_account_leaves_and_gets_nothing(backend: Backend) {
    let app = federating_app(&backend).await;
    let peer = GtsPeer::start("127.0.0.6", CITY).await;
    let staff = app.staff().await;
    let hanako = app.resident("hanako").await;
    app.theme(&staff, "parks", "open", phase_today(true, true, true))
        .await;
    let theme = format!("{CITY}/themes/parks");
    peer.follow_theme(&app, "parks").await;
    assert_eq!(followers(&app, "parks").await, 1);

    // A handle that resolves to nothing is refused by the field.
    let refused = app
        .post(
            "/api/v1/moderation/blocks",
            Some(&staff),
            json!({"kind": "actor", "value": format!("nobody@{}", peer.handle().split('@').nth(1).unwrap())}),
        )
        .await;
    assert_eq!(refused.status, 422, "{:?}", refused.body);
    assert_eq!(refused.fields(), ["value"]);

    // Blocked by handle: stored as the actor's id, so it matches what signatures name.
    let block = app
        .post(
            "/api/v1/moderation/blocks",
            Some(&staff),
            json!({"kind": "actor", "value": format!("@{}", peer.handle())}),
        )
        .await
        .expect(201);
    assert_eq!(block["value"], peer.actor_id());
    // The Reject carries the Follow exactly as it was sent (its id first of all), and a
    // Block ends the follow on Mastodon-family servers, which keep one after a Reject.
    let reject = peer.wait_for("a Reject", |a| a["type"] == "Reject").await;
    assert_eq!(reject["actor"], theme);
    let mut sent = peer.follow(&theme, 1);
    sent.as_object_mut().unwrap().remove("@context");
    assert_eq!(reject["object"], sent, "the Follow as received");
    assert_eq!(reject["to"], json!([peer.actor_id()]));
    let blocked = peer.wait_for("a Block", |a| a["type"] == "Block").await;
    assert_eq!(blocked["actor"], theme);
    assert_eq!(blocked["object"], peer.actor_id());
    assert_eq!(followers(&app, "parks").await, 0);
    // Following again while blocked: refused with a Reject of that Follow, nothing kept.
    let (status, _) = peer.post(&app, "/inbox", &peer.follow(&theme, 2)).await;
    assert_eq!(status, 202);
    peer.wait_for("the Reject of the second Follow", |a| {
        a["type"] == "Reject" && a["object"]["id"] == peer.follow(&theme, 2)["id"]
    })
    .await;
    assert_eq!(followers(&app, "parks").await, 0);

    let before = peer.received().len();
    app.idea(&hanako, "parks", "木陰のベンチ").await;
    tokio::time::sleep(Duration::from_millis(800)).await;
    assert_eq!(
        peer.received().len(),
        before,
        "nothing is delivered to a blocked account: {:?}",
        &peer.received()[before..]
    );

    // The block is lifted: the Block is undone (by its id), and the account follows again.
    app.delete(
        &format!("/api/v1/moderation/blocks/{}", block["id"]),
        Some(&staff),
    )
    .await
    .expect(204);
    let undo = peer
        .wait_for("the Undo of the Block", |a| a["type"] == "Undo")
        .await;
    assert_eq!(undo["object"]["id"], blocked["id"]);
    assert_eq!(undo["object"]["type"], "Block");
    let (status, _) = peer.post(&app, "/inbox", &peer.follow(&theme, 3)).await;
    assert_eq!(status, 202);
    let accept = peer
        .wait_for("the Accept of the new Follow", |a| {
            a["type"] == "Accept" && a["object"]["id"] == peer.follow(&theme, 3)["id"]
        })
        .await;
    assert_eq!(accept["actor"], theme);
    assert_eq!(followers(&app, "parks").await, 1);
}

async fn replies_mention_their_author_and_reach_mastodon_followers(backend: Backend) {
    let app = federating_app(&backend).await;
    let author = GtsPeer::start("127.0.0.6", CITY).await;
    let reader = GtsPeer::start("127.0.0.7", CITY).await;
    let staff = app.staff().await;
    let hanako = app.resident("hanako").await;
    app.theme(&staff, "parks", "open", phase_today(true, true, true))
        .await;
    let theme = format!("{CITY}/themes/parks");
    for peer in [&author, &reader] {
        peer.follow_theme(&app, "parks").await;
    }
    let id = app.idea(&hanako, "parks", "木陰のベンチ").await;
    let mut reply = author.example("gotosocial-create-reply.json");
    reply["object"]["inReplyTo"] = json!(format!("{CITY}/proposals/{id}"));
    assert_eq!(author.post(&app, "/inbox", &reply).await.0, 202);
    let note_id = reply["object"]["id"].clone();

    // Followers on other servers get the Note itself announced (Mastodon-family servers
    // skip an Announce of an activity they cannot fetch), and the Create for group software.
    reader
        .wait_for("the Announce of the reply's Note", |a| {
            a["type"] == "Announce" && a["object"]["id"] == note_id
        })
        .await;
    let announced = reader
        .wait_for("the Announce of the reply's Create", |a| {
            a["type"] == "Announce" && a["object"]["object"]["id"] == note_id
        })
        .await;
    assert_eq!(announced["actor"], theme);
    assert_eq!(
        announced["object"]["id"], reply["id"],
        "announced unchanged"
    );
    // Nothing is announced back to the server it came from.
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert!(
        !author
            .received()
            .iter()
            .any(|(_, a)| a["type"] == "Announce"
                && (a["object"]["id"] == note_id || a["object"]["object"]["id"] == note_id)),
        "{:?}",
        author.received()
    );

    // A resident answers the fediverse reply: the answer mentions its author.
    let comments = app
        .get(&format!("/api/v1/proposals/{id}/comments"), None)
        .await
        .expect(200);
    let remote_comment = comments.to_string();
    let parent = comments
        .as_array()
        .or_else(|| comments["items"].as_array())
        .and_then(|items| items.first())
        .and_then(|c| c["id"].as_i64())
        .unwrap_or_else(|| panic!("{remote_comment}"));
    app.post(
        &format!("/api/v1/proposals/{id}/comments"),
        Some(&hanako),
        json!({"body": "ありがとうございます", "parent_id": parent}),
    )
    .await
    .expect(201);
    let create = author
        .wait_for("the resident's answer", |a| {
            a["type"] == "Create" && a["object"]["inReplyTo"] == note_id
        })
        .await;
    let host = author.base.trim_start_matches("http://");
    let tags = create["object"]["tag"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert!(
        tags.iter().any(|t| t["type"] == "Mention"
            && t["href"] == author.actor_id()
            && t["name"] == format!("@{USER}@{host}")),
        "{create}"
    );
    assert!(
        create["object"]["content"]
            .as_str()
            .unwrap_or_default()
            .contains(&format!("@<span>{USER}</span>")),
        "{create}"
    );
    // The Note served at its id is the one delivered, mention included.
    let served_path = create["object"]["id"]
        .as_str()
        .unwrap()
        .trim_start_matches(CITY)
        .to_string();
    let (status, served) = app.activity(&served_path).await;
    assert_eq!(status, 200, "{served}");
    assert_eq!(served["tag"], create["object"]["tag"], "{served}");
    assert_eq!(served["content"], create["object"]["content"], "{served}");
}

async fn announced_activities_resolve_and_the_outbox_has_creates(backend: Backend) {
    let app = federating_app(&backend).await;
    let peer = GtsPeer::start("127.0.0.6", CITY).await;
    let staff = app.staff().await;
    let hanako = app.resident("hanako").await;
    app.theme(&staff, "parks", "open", phase_today(true, true, true))
        .await;
    peer.follow_theme(&app, "parks").await;
    let id = app.idea(&hanako, "parks", "木陰のベンチ").await;
    let proposal = format!("{CITY}/proposals/{id}");
    let inner_of = async |kind: &str, object: &str| {
        let announce = peer
            .wait_for(kind, |a| {
                a["type"] == "Announce" && a["object"]["type"] == kind && {
                    let o = &a["object"]["object"];
                    o == object || o["id"] == object
                }
            })
            .await;
        announce["object"]["id"].as_str().unwrap().to_string()
    };
    let fetch = async |id: &str| app.activity(id.trim_start_matches(CITY)).await;

    let create = inner_of("Create", &proposal).await;
    let (status, served) = fetch(&create).await;
    assert_eq!(status, 200, "{create}");
    assert_eq!(
        (served["id"].as_str(), served["type"].as_str()),
        (Some(create.as_str()), Some("Create"))
    );
    assert_eq!(served["object"]["id"], proposal);
    assert_eq!(served["actor"], format!("{CITY}/users/hanako"));

    app.patch(
        &format!("/api/v1/proposals/{id}"),
        Some(&hanako),
        json!({"title": "木陰のベンチを増やす", "body": "夏に座れる場所を"}),
    )
    .await
    .expect(200);
    let update = inner_of("Update", &proposal).await;
    let (status, served) = fetch(&update).await;
    assert_eq!(
        (status, served["type"].as_str()),
        (200, Some("Update")),
        "{update}"
    );
    assert_eq!(served["object"]["name"], "木陰のベンチを増やす");

    let comment = app
        .post(
            &format!("/api/v1/proposals/{id}/comments"),
            Some(&hanako),
            json!({"body": "追記です"}),
        )
        .await
        .expect(201)["id"]
        .as_i64()
        .unwrap();
    let note = format!("{CITY}/comments/{comment}");
    let comment_create = inner_of("Create", &note).await;
    let (status, served) = fetch(&comment_create).await;
    assert_eq!(
        (status, served["object"]["id"].as_str()),
        (200, Some(note.as_str()))
    );

    // Group software backfills a community from the Creates in its outbox.
    let (_, outbox) = app.activity("/themes/parks/outbox").await;
    let first = &outbox["orderedItems"][0];
    assert_eq!(first["type"], "Announce", "{outbox}");
    assert_eq!(first["object"]["type"], "Create", "{outbox}");
    assert_eq!(first["object"]["id"], create);
    assert!(first["object"]["cc"].is_array(), "{outbox}");

    // Once the object is gone, so is its activity.
    app.post(
        &format!("/api/v1/proposals/{id}/withdraw"),
        Some(&hanako),
        json!({}),
    )
    .await
    .expect(200);
    assert_eq!(fetch(&create).await.0, 410);
    assert_eq!(
        app.activity("/proposals/999/activities/create").await.0,
        404
    );
}

/// What GoToSocial sent when it ran against Hiroba (captured, `federation-spec/examples/`):
/// its Follow is accepted and answered with the Follow as sent; its Like and the Undo of it
/// count and uncount a support; its Undo of the Follow ends the follow.
async fn captured_gotosocial_activities_take_effect(backend: Backend) {
    let app = federating_app(&backend).await;
    let peer = GtsPeer::start("127.0.0.64", CITY).await;
    let staff = app.staff().await;
    let hanako = app.resident("hanako").await;
    app.theme(&staff, "parks", "open", phase_today(true, true, true))
        .await;
    let id = app.idea(&hanako, "parks", "木陰のベンチ").await;
    assert_eq!(id, 1, "the captured Like names the first idea");
    let follow = peer.example("gotosocial-follow.json");
    assert_eq!(peer.post(&app, "/inbox", &follow).await.0, 202);
    let accept = peer.wait_for("the Accept", |a| a["type"] == "Accept").await;
    let mut sent = follow.clone();
    sent.as_object_mut().unwrap().remove("@context");
    assert_eq!(accept["object"], sent);
    assert_eq!(followers(&app, "parks").await, 1);
    let supports = async || {
        app.get(&format!("/api/v1/proposals/{id}"), None)
            .await
            .expect(200)["remote_support_count"]
            .clone()
    };
    assert_eq!(
        peer.post(&app, "/inbox", &peer.example("gotosocial-like.json"))
            .await
            .0,
        202
    );
    assert_eq!(supports().await, 1);
    let (status, body) = peer
        .post(&app, "/inbox", &peer.example("gotosocial-undo-like.json"))
        .await;
    assert_eq!(status, 202, "{body}");
    assert_eq!(supports().await, 0);
    let (status, body) = peer
        .post(&app, "/inbox", &peer.example("gotosocial-undo-follow.json"))
        .await;
    assert_eq!(status, 202, "{body}");
    assert_eq!(followers(&app, "parks").await, 0);
}

/// Many new accounts at once, each sending to two inboxes (as a reply often arrives): each
/// account is fetched once. A blocked instance is refused by its key before anything of it
/// is fetched, and a `Follow` from it is answered with a `Reject` while nothing is kept.
async fn each_new_actor_is_fetched_once_and_a_blocked_one_never(backend: Backend) {
    let app = federating_app(&backend).await;
    let peer = GtsPeer::start("127.0.0.62", CITY).await;
    let staff = app.staff().await;
    let hanako = app.resident("hanako").await;
    app.theme(&staff, "parks", "open", phase_today(true, true, true))
        .await;
    let id = app.idea(&hanako, "parks", "木陰のベンチ").await;
    let accounts: Vec<String> = (0..12)
        .map(|n| peer.add_account(&format!("voter{n}")))
        .collect();
    let sends = accounts.iter().enumerate().flat_map(|(n, actor)| {
        let like = json!({"id": format!("{actor}/likes/{n}"), "type": "Like", "actor": actor,
                          "object": format!("{CITY}/proposals/{id}")});
        let key_id = format!("{actor}#main-key");
        ["/inbox", "/themes/parks/inbox"].map(|inbox| {
            let (like, key_id) = (like.clone(), key_id.clone());
            let (peer, app) = (&peer, &app);
            async move { peer.post_signed_as(app, &key_id, inbox, &like).await }
        })
    });
    let statuses = futures_join_all(sends).await;
    assert!(statuses.iter().all(|s| *s == 202), "{statuses:?}");
    for n in 0..12 {
        assert_eq!(
            peer.fetches_of(&format!("/users/voter{n}")),
            1,
            "voter{n} is fetched once for its key and its actor, however many requests"
        );
    }
    let proposal = app
        .get(&format!("/api/v1/proposals/{id}"), None)
        .await
        .expect(200);
    assert_eq!(proposal["remote_support_count"], 12);

    // The instance is blocked: a new account of it is refused by its key's host, unfetched.
    let host = peer.base.trim_start_matches("http://");
    let domain = host.split(':').next().unwrap();
    app.post(
        "/api/v1/moderation/blocks",
        Some(&staff),
        json!({"kind": "domain", "value": domain}),
    )
    .await
    .expect(201);
    let late = peer.add_account("late");
    let like = json!({"id": format!("{late}/likes/1"), "type": "Like", "actor": late,
                      "object": format!("{CITY}/proposals/{id}")});
    let status = peer
        .post_signed_as(&app, &format!("{late}#main-key"), "/inbox", &like)
        .await;
    assert_eq!(status, 403);
    assert_eq!(
        peer.fetches_of("/users/late"),
        0,
        "refused before any fetch"
    );
    // A Follow from it is answered with a Reject of that Follow; nothing of it is kept.
    let follow = json!({"id": format!("{late}/follows/1"), "type": "Follow", "actor": late,
                        "object": format!("{CITY}/themes/parks")});
    let status = peer
        .post_signed_as(&app, &format!("{late}#main-key"), "/inbox", &follow)
        .await;
    assert_eq!(status, 202);
    let reject = peer
        .wait_for("the Reject of the blocked instance's Follow", |a| {
            a["type"] == "Reject" && a["object"]["id"] == follow["id"]
        })
        .await;
    assert_eq!(reject["object"]["actor"], late);
    assert_eq!(peer.fetches_of("/users/late"), 1);
    let mut conn = app.state.db.acquire().await.unwrap();
    let kept = hiroba::storage::federation::remote_actor(conn.ex(), &late)
        .await
        .unwrap();
    assert!(kept.is_none(), "{kept:?}");
    drop(conn);
    assert_eq!(followers(&app, "parks").await, 0);
}

async fn futures_join_all<F: std::future::Future<Output = u16>>(
    futures: impl IntoIterator<Item = F>,
) -> Vec<u16> {
    let handles: Vec<_> = futures.into_iter().map(Box::pin).collect();
    let mut results = Vec::with_capacity(handles.len());
    let mut pending: Vec<_> = handles.into_iter().map(Some).collect();
    // Polled together, so that the requests are in flight at once.
    std::future::poll_fn(|cx| {
        let mut done = true;
        for slot in pending.iter_mut() {
            if let Some(future) = slot {
                match future.as_mut().poll(cx) {
                    std::task::Poll::Ready(status) => {
                        results.push(status);
                        *slot = None;
                    }
                    std::task::Poll::Pending => done = false,
                }
            }
        }
        if done {
            std::task::Poll::Ready(())
        } else {
            std::task::Poll::Pending
        }
    })
    .await;
    results
}

both_databases!(
    captured_gotosocial_activities_take_effect,
    each_new_actor_is_fetched_once_and_a_blocked_one_never,
    announced_activities_resolve_and_the_outbox_has_creates,
    a_gotosocial_account_follows_by_its_key_without_fragment,
    one_value_where_a_list_is_usual_is_read,
    a_refused_activity_can_come_again,
    only_the_origin_changes_an_object,
    a_dislike_withdraws_a_remote_support,
    webfinger_is_asked_for_jrd_and_handles_resolve,
    malformed_webfinger_resources_are_bad_requests,
    a_blocked_account_leaves_and_gets_nothing,
    replies_mention_their_author_and_reach_mastodon_followers,
);
