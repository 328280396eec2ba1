//! Discovery and the ActivityStreams shapes of themes, residents, proposals and comments;
//! `federation-spec/examples` round-trip (ours) and parse (other software's).

use std::collections::BTreeSet;
use std::path::PathBuf;

use hiroba::federation::objects::{Actor, Collection, PostObject};
use serde_json::{Value, json};

use crate::both_databases;
use crate::helpers::{Backend, TestApp, phase_today, spawn_app};

async fn webfinger(app: &TestApp, resource: &str) -> (u16, Value) {
    let url = format!(
        "{}/.well-known/webfinger?resource={}",
        app.address,
        url::form_urlencoded::byte_serialize(resource.as_bytes()).collect::<String>()
    );
    let response = app.client.get(url).send().await.unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

fn self_link(jrd: &Value) -> String {
    jrd["links"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["rel"] == "self")
        .and_then(|l| l["href"].as_str())
        .unwrap()
        .to_string()
}

async fn webfinger_resolves_every_followable_actor(backend: Backend) {
    let app = spawn_app(&backend).await;
    let staff = app.staff().await;
    let yuki = app.resident("yuki").await;
    app.theme(&staff, "parks", "open", phase_today(true, true, true))
        .await;
    app.theme(&staff, "secret", "draft", json!([])).await;
    let anon = app
        .post(
            "/api/v1/themes/parks/proposals",
            Some(&yuki),
            json!({"title": "t", "body": "b", "anonymous": true}),
        )
        .await
        .expect(201);
    let pseudonym = anon["author"]["display_name"].as_str().unwrap().to_string();
    let base = "http://localhost";

    let (status, jrd) = webfinger(&app, "acct:parks@localhost").await;
    assert_eq!(status, 200, "{jrd}");
    assert_eq!(jrd["subject"], "acct:parks@localhost");
    assert_eq!(self_link(&jrd), format!("{base}/themes/parks"));
    for (resource, actor) in [
        ("acct:yuki@localhost", format!("{base}/users/yuki")),
        ("acct:city@localhost", format!("{base}/actor")),
        (
            &format!("acct:{pseudonym}@localhost") as &str,
            format!("{base}/anonymous/{pseudonym}"),
        ),
        (
            "http://localhost/themes/parks",
            format!("{base}/themes/parks"),
        ),
    ] {
        let (status, jrd) = webfinger(&app, resource).await;
        assert_eq!(status, 200, "{resource}: {jrd}");
        assert_eq!(self_link(&jrd), actor);
    }
    assert_eq!(
        webfinger(&app, "acct:secret@localhost").await.0,
        404,
        "drafts are not published"
    );
    assert_eq!(webfinger(&app, "acct:nobody@localhost").await.0, 404);
    assert_eq!(webfinger(&app, "acct:parks@elsewhere.example").await.0, 404);
    let missing = app
        .client
        .get(format!("{}/.well-known/webfinger", app.address))
        .send()
        .await
        .unwrap();
    assert_eq!(missing.status(), 400);
}

async fn nodeinfo_and_host_meta_describe_the_municipality(backend: Backend) {
    let app = crate::helpers::spawn_app_with(&backend, |config| {
        config.municipality.name_ja = "鎌倉市".into();
        config.municipality.name_en = "Kamakura".into();
        config.municipality.local_government_code =
            Some(hiroba::domain::LocalGovernmentCode::parse("142042").unwrap());
        config.municipality.prefecture = Some("神奈川県".into());
    })
    .await;
    app.resident("hanako").await;
    let links: Value = app
        .client
        .get(format!("{}/.well-known/nodeinfo", app.address))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let rels: Vec<&str> = links["links"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["rel"].as_str().unwrap())
        .collect();
    assert!(rels.contains(&"http://nodeinfo.diaspora.software/ns/schema/2.1"));
    let application = links["links"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["rel"] == "https://www.w3.org/ns/activitystreams#Application")
        .unwrap();
    assert_eq!(application["href"], "http://localhost/actor");
    let info: Value = app
        .client
        .get(format!("{}/nodeinfo/2.1", app.address))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(info["version"], "2.1");
    assert_eq!(info["software"]["name"], "hiroba");
    assert_eq!(info["protocols"], json!(["activitypub"]));
    assert_eq!(info["usage"]["users"]["total"], 1);
    assert_eq!(info["metadata"]["municipality"]["nameJa"], "鎌倉市");
    assert_eq!(
        info["metadata"]["municipality"]["localGovernmentCode"],
        "142042"
    );
    assert_eq!(info["metadata"]["municipality"]["prefecture"], "神奈川県");
    // An Organization: group software accepts no Application as a follower.
    let (status, actor) = app.activity("/actor").await;
    assert_eq!(
        (status, actor["type"].as_str()),
        (200, Some("Organization"))
    );
    // Every collection an actor advertises answers (peers count and backfill from them).
    let (_, resident) = app.activity("/users/hanako").await;
    for document in [&actor, &resident] {
        for key in ["outbox", "followers", "featured"] {
            let Some(url) = document[key].as_str() else {
                assert_ne!(key, "outbox", "{document}");
                assert_ne!(key, "followers", "{document}");
                assert!(
                    document["type"] != "Organization",
                    "no featured: {document}"
                );
                continue;
            };
            let path = url.trim_start_matches("http://localhost");
            let (status, collection) = app.activity(path).await;
            assert_eq!(status, 200, "{url}");
            assert_eq!(collection["type"], "OrderedCollection", "{url}");
            assert!(collection["totalItems"].is_i64(), "{url}");
        }
    }
    assert_eq!(app.activity("/users/hanako/nothing").await.0, 404);
    assert_eq!(app.activity("/users/nobody/outbox").await.0, 404);
    let host_meta = app
        .client
        .get(format!("{}/.well-known/host-meta", app.address))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        host_meta.contains("template=\"http://localhost/.well-known/webfinger?resource={uri}\""),
        "{host_meta}"
    );
}

async fn themes_are_group_actors_with_their_phases(backend: Backend) {
    let mut app = spawn_app(&backend).await;
    let staff = app.staff().await;
    app.theme(&staff, "parks", "open", phase_today(true, false, true))
        .await;
    app.theme(&staff, "secret", "draft", json!([])).await;
    let (status, group) = app.activity("/themes/parks").await;
    assert_eq!(status, 200, "{group}");
    let parsed: Actor = serde_json::from_value(group.clone()).unwrap();
    assert_eq!(parsed.kind, "Group");
    assert_eq!(parsed.preferred_username.as_deref(), Some("parks"));
    assert_eq!(parsed.inbox, "http://localhost/themes/parks/inbox");
    assert_eq!(
        parsed.featured.as_deref(),
        Some("http://localhost/themes/parks/featured")
    );
    assert_eq!(
        parsed.endpoints.unwrap().shared_inbox.as_deref(),
        Some("http://localhost/inbox")
    );
    assert_eq!(parsed.theme_status.as_deref(), Some("open"));
    assert_eq!(parsed.current_phase, Some(0));
    assert!(parsed.phases[0].allows_ideas && !parsed.phases[0].allows_comments);
    let key = parsed.public_key.unwrap();
    assert!(key.public_key_pem.starts_with("-----BEGIN PUBLIC KEY-----"));
    assert_eq!(key.id, "http://localhost/themes/parks#main-key");
    assert!(
        !group.to_string().contains("PRIVATE"),
        "the private key never leaves"
    );
    assert_eq!(app.activity("/themes/secret").await.0, 404);

    // The same URL is a page for browsers.
    let page = app
        .client
        .get(format!("{}/themes/parks", app.address))
        .header("accept", "text/html")
        .send()
        .await
        .unwrap();
    assert!(
        page.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );
    assert!(
        page.text()
            .await
            .unwrap()
            .contains("rel=\"alternate\" type=\"application/activity+json\"")
    );

    // Keys are generated once and survive a restart.
    app.restart().await;
    let (_, again) = app.activity("/themes/parks").await;
    assert_eq!(again["publicKey"], group["publicKey"]);
    let (_, followers) = app.activity("/themes/parks/followers").await;
    assert_eq!(
        (
            followers["totalItems"].as_i64(),
            followers.get("orderedItems")
        ),
        (Some(0), None)
    );
    let (_, featured) = app.activity("/themes/parks/featured").await;
    assert_eq!(featured["type"], "OrderedCollection");
    app.stop().await;
}

async fn proposals_and_comments_are_pages_and_notes_in_one_thread(backend: Backend) {
    let app = spawn_app(&backend).await;
    let staff = app.staff().await;
    let hanako = app.resident("hanako").await;
    let taro = app.resident("taro").await;
    let moderator = app
        .user_with_role("mod", hiroba::domain::Role::Moderator)
        .await;
    app.theme(&staff, "parks", "open", phase_today(true, true, true))
        .await;
    let idea = app
        .post(
            "/api/v1/themes/parks/proposals",
            Some(&hanako),
            json!({"title": "木陰を", "body": "**日陰**がほしい", "tags": ["公園"]}),
        )
        .await
        .expect(201);
    let id = idea["id"].as_i64().unwrap();
    app.put(
        &format!("/api/v1/proposals/{id}/support"),
        Some(&taro),
        json!({}),
    )
    .await
    .expect(200);
    let first = app
        .post(
            &format!("/api/v1/proposals/{id}/comments"),
            Some(&taro),
            json!({"body": "賛成"}),
        )
        .await
        .expect(201);
    let reply = app
        .post(
            &format!("/api/v1/proposals/{id}/comments"),
            Some(&hanako),
            json!({"body": "ありがとう", "parent_id": first["id"]}),
        )
        .await
        .expect(201);

    let (status, page) = app.activity(&format!("/proposals/{id}")).await;
    assert_eq!(status, 200, "{page}");
    let parsed: PostObject = serde_json::from_value(page.clone()).unwrap();
    assert_eq!(parsed.kind, "Page");
    assert_eq!(parsed.name.as_deref(), Some("木陰を"));
    assert_eq!(
        parsed.attributed_to.as_deref(),
        Some("http://localhost/users/hanako")
    );
    assert_eq!(
        parsed.audience.as_deref(),
        Some("http://localhost/themes/parks")
    );
    assert!(parsed.content.contains("<strong>日陰</strong>"));
    assert_eq!(parsed.source.unwrap().content, "**日陰**がほしい");
    assert_eq!(parsed.support_count, Some(1));
    assert!(
        parsed
            .to
            .contains(&"https://www.w3.org/ns/activitystreams#Public".to_string())
    );
    assert_eq!(page["tag"][0]["name"], "#公園");

    let reply_id = reply["id"].as_i64().unwrap();
    let (_, note) = app.activity(&format!("/comments/{reply_id}")).await;
    let note: PostObject = serde_json::from_value(note).unwrap();
    assert_eq!(note.kind, "Note");
    assert_eq!(
        note.in_reply_to,
        Some(format!("http://localhost/comments/{}", first["id"]))
    );
    assert_eq!(note.thread, parsed.thread);

    let (_, thread) = app.activity(&format!("/proposals/{id}/context")).await;
    let thread: Collection = serde_json::from_value(thread).unwrap();
    let expected = vec![
        json!(format!("http://localhost/proposals/{id}")),
        json!(format!("http://localhost/comments/{}", first["id"])),
        json!(format!("http://localhost/comments/{reply_id}")),
    ];
    assert_eq!(thread.ordered_items, Some(expected));

    // A browser asking for a comment is sent to it on the proposal's page.
    let redirect = app
        .client
        .get(format!("{}/comments/{reply_id}", app.address))
        .send()
        .await
        .unwrap();
    assert_eq!(redirect.status(), 303);
    assert_eq!(
        redirect.headers()["location"],
        format!("/proposals/{id}#comment-{reply_id}")
    );

    // Hidden and withdrawn content is gone for the fediverse.
    app.post(
        &format!("/api/v1/comments/{reply_id}/hide"),
        Some(&moderator),
        json!({"reason": "x"}),
    )
    .await
    .expect(200);
    let (status, tombstone) = app.activity(&format!("/comments/{reply_id}")).await;
    assert_eq!(
        (
            status,
            tombstone["type"].as_str(),
            tombstone["formerType"].as_str()
        ),
        (410, Some("Tombstone"), Some("Note"))
    );
    app.post(
        &format!("/api/v1/proposals/{id}/withdraw"),
        Some(&hanako),
        json!({}),
    )
    .await
    .expect(200);
    let (status, tombstone) = app.activity(&format!("/proposals/{id}")).await;
    assert_eq!(
        (status, tombstone["formerType"].as_str()),
        (410, Some("Page"))
    );
}

async fn anonymous_proposals_point_to_a_pseudonymous_actor(backend: Backend) {
    let app = spawn_app(&backend).await;
    let staff = app.staff().await;
    let yuki = app.resident("yuki").await;
    app.theme(&staff, "parks", "open", phase_today(true, true, true))
        .await;
    let idea = app
        .post(
            "/api/v1/themes/parks/proposals",
            Some(&yuki),
            json!({"title": "t", "body": "b", "anonymous": true}),
        )
        .await
        .expect(201);
    let (_, page) = app.activity(&format!("/proposals/{}", idea["id"])).await;
    let author = page["attributedTo"].as_str().unwrap().to_string();
    assert!(
        author.starts_with("http://localhost/anonymous/anon-"),
        "{author}"
    );
    assert_eq!(page["hiroba:anonymous"], true);
    let (status, actor) = app
        .activity(author.trim_start_matches("http://localhost"))
        .await;
    assert_eq!((status, actor["type"].as_str()), (200, Some("Person")));
    let shown = actor["name"].as_str().unwrap_or_default();
    assert!(
        shown.starts_with("匿名さん（") && !shown.contains("anon-"),
        "{actor}"
    );
    assert!(!actor.to_string().contains("yuki"), "{actor}");
    assert!(!page.to_string().contains("yuki"), "{page}");
}

both_databases!(
    webfinger_resolves_every_followable_actor,
    nodeinfo_and_host_meta_describe_the_municipality,
    themes_are_group_actors_with_their_phases,
    proposals_and_comments_are_pages_and_notes_in_one_thread,
    anonymous_proposals_point_to_a_pseudonymous_actor,
);

pub fn example(name: &str) -> Value {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("federation-spec/examples")
        .join(name);
    serde_json::from_str(
        &std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display())),
    )
    .unwrap()
}

#[test]
fn our_example_shapes_round_trip() {
    for name in ["hiroba-group.json", "hiroba-group-references.json"] {
        let group = example(name);
        let parsed: Actor = serde_json::from_value(group.clone()).unwrap();
        assert_eq!(serde_json::to_value(&parsed).unwrap(), group, "{name}");
    }
    for name in [
        "hiroba-page.json",
        "hiroba-page-answered.json",
        "hiroba-answer-note.json",
        "hiroba-note.json",
        "hiroba-reply-note.json",
    ] {
        let object = example(name);
        let parsed: PostObject = serde_json::from_value(object.clone()).unwrap();
        assert_eq!(serde_json::to_value(&parsed).unwrap(), object, "{name}");
    }
}

/// An example of an activity read into its typed struct and written again: the same JSON,
/// under Hiroba's `@context`.
fn round_trips<T: serde::de::DeserializeOwned + serde::Serialize>(name: &str) {
    let mut activity = example(name);
    let context = activity
        .as_object_mut()
        .and_then(|map| map.remove("@context"))
        .unwrap_or(Value::Null);
    assert_eq!(context, hiroba::federation::objects::context(), "{name}");
    let parsed: T =
        serde_json::from_value(activity.clone()).unwrap_or_else(|e| panic!("{name}: {e}"));
    assert_eq!(serde_json::to_value(&parsed).unwrap(), activity, "{name}");
}

#[test]
fn our_activity_examples_round_trip() {
    use hiroba::federation::method_object::MethodArticle;
    use hiroba::federation::wire::{
        accept::Accept, announce::Announce, article::Article, block::Block, create::CreateOrUpdate,
        delete::Delete, follow::Follow, like::Like, question::Question, reject::Reject, undo::Undo,
    };
    round_trips::<Accept>("hiroba-accept.json");
    round_trips::<Reject>("hiroba-reject.json");
    round_trips::<Block>("hiroba-block.json");
    round_trips::<Undo<Block>>("hiroba-undo-block.json");
    round_trips::<Follow>("hiroba-follow.json");
    round_trips::<Undo<Follow>>("hiroba-undo-follow.json");
    round_trips::<Like>("hiroba-like.json");
    round_trips::<Undo<Like>>("hiroba-undo-like.json");
    for name in [
        "hiroba-announce-create-page.json",
        "hiroba-announce-create-note.json",
        "hiroba-announce-create-answer.json",
    ] {
        round_trips::<Announce<CreateOrUpdate<PostObject>>>(name);
    }
    round_trips::<Announce<PostObject>>("hiroba-announce-page.json");
    round_trips::<CreateOrUpdate<PostObject>>("hiroba-update-page.json");
    round_trips::<Delete>("hiroba-delete-page.json");
    round_trips::<Delete>("hiroba-delete-group.json");
    for name in [
        "hiroba-announce-create-result.json",
        "hiroba-announce-create-draft.json",
    ] {
        round_trips::<Announce<CreateOrUpdate<Article>>>(name);
    }
    round_trips::<CreateOrUpdate<Article>>("hiroba-update-result.json");
    round_trips::<CreateOrUpdate<Question>>("hiroba-create-question.json");
    round_trips::<CreateOrUpdate<Question>>("hiroba-update-question-closed.json");
    round_trips::<CreateOrUpdate<MethodArticle>>("hiroba-create-method.json");
    round_trips::<Announce<Actor>>("hiroba-announce-group.json");
    round_trips::<CreateOrUpdate<Actor>>("hiroba-update-group.json");
}

#[test]
fn other_softwares_actors_and_posts_parse() {
    for (name, kind, shared_inbox) in [
        (
            "mastodon-person.json",
            "Person",
            "https://mastodon.example/inbox",
        ),
        ("lemmy-group.json", "Group", "https://lemmy.example/inbox"),
        (
            "gotosocial-person.json",
            "Person",
            "https://gts.example/sharedInbox",
        ),
        (
            "peertube-person.json",
            "Person",
            "https://peertube.example/inbox",
        ),
    ] {
        let actor: Actor =
            serde_json::from_value(example(name)).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(actor.kind, kind, "{name}");
        assert!(actor.public_key.is_some(), "{name}");
        assert_eq!(
            actor.endpoints.and_then(|e| e.shared_inbox).as_deref(),
            Some(shared_inbox),
            "{name}"
        );
    }
    let mastodon: PostObject = serde_json::from_value(example("mastodon-note.json")).unwrap();
    assert_eq!(
        mastodon.in_reply_to.as_deref(),
        Some("https://sanka.midori.example/proposals/12")
    );
    assert!(
        mastodon
            .cc
            .contains(&"https://sanka.midori.example/themes/sogo-keikaku".to_string())
    );
    let lemmy: PostObject = serde_json::from_value(example("lemmy-page.json")).unwrap();
    assert_eq!(
        lemmy.audience.as_deref(),
        Some("https://lemmy.example/c/urbanplanning")
    );
    assert_eq!(
        lemmy.name.as_deref(),
        Some("駅前広場の再整備、他の市の事例")
    );
    let misskey: PostObject = serde_json::from_value(example("misskey-note.json")).unwrap();
    assert_eq!(
        misskey.to,
        ["https://www.w3.org/ns/activitystreams#Public"],
        "a lone string is read as a list"
    );
    assert_eq!(misskey.in_reply_to, None);
}

/// The documented examples have the keys the server really sends, so the spec stays true.
async fn live_output_has_the_documented_shape(backend: Backend) {
    let app = spawn_app(&backend).await;
    let staff = app.staff().await;
    let hanako = app.resident("hanako").await;
    let taro = app.resident("taro").await;
    app.theme(&staff, "parks", "open", phase_today(true, true, true))
        .await;
    let id = app
        .post(
            "/api/v1/themes/parks/proposals",
            Some(&hanako),
            json!({"title": "t", "body": "b", "tags": ["公園"]}),
        )
        .await
        .expect(201)["id"]
        .as_i64()
        .unwrap();
    let cid = app
        .post(
            &format!("/api/v1/proposals/{id}/comments"),
            Some(&taro),
            json!({"body": "c"}),
        )
        .await
        .expect(201)["id"]
        .as_i64()
        .unwrap();
    let keys = |v: &Value| {
        v.as_object()
            .unwrap()
            .keys()
            .cloned()
            .collect::<BTreeSet<_>>()
    };
    for (path, name) in [
        ("/themes/parks".to_string(), "hiroba-group.json"),
        (format!("/proposals/{id}"), "hiroba-page.json"),
        (format!("/comments/{cid}"), "hiroba-note.json"),
    ] {
        let (_, live) = app.activity(&path).await;
        assert_eq!(keys(&live), keys(&example(name)), "{path} vs {name}");
        assert_eq!(live["@context"], example(name)["@context"], "{name}");
    }
}

mod shape {
    use super::*;
    both_databases!(live_output_has_the_documented_shape);
}
