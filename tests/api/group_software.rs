//! What group-aware servers (Lemmy and its kind) need of a theme and what they refuse: a
//! refused follow shown to staff with the peer's reason, deliveries in only the form the
//! peer's software reads, the phase's posting rule in the `Group`, and remote edits
//! re-announced to every follower (FEP-1b12).

use std::time::Duration;

use serde_json::{Value, json};

use crate::both_databases;
use crate::helpers::{Backend, federating_app, phase_today, wait_until};
use crate::peer::GtsPeer;

const CITY: &str = "http://localhost";
/// How Lemmy answered the municipality's `Follow` when it came from an `Application`.
const LEMMY_REFUSAL: &str = r#"{"error":"unknown","message":"Failed to parse object http://localhost/actor with content {\"type\":\"Application\"}"}"#;

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

/// The author's `Update` of a post it sent, with new text, as GoToSocial words it.
fn update_of(create: &Value, content: &str) -> Value {
    let mut object = create["object"].clone();
    object["content"] = json!(content);
    object["contentMap"] = json!({"ja": content});
    object["updated"] = json!("2026-11-21T09:00:00Z");
    let actor = create["actor"].as_str().unwrap();
    json!({
        "@context": "https://www.w3.org/ns/activitystreams",
        "id": format!("{}#updates/1", object["id"].as_str().unwrap()),
        "type": "Update",
        "actor": actor,
        "to": create["to"].clone(),
        "cc": create["cc"].clone(),
        "object": object,
    })
}

fn delete_of(create: &Value) -> Value {
    let actor = create["actor"].as_str().unwrap();
    let object = create["object"]["id"].as_str().unwrap();
    json!({
        "@context": "https://www.w3.org/ns/activitystreams",
        "id": format!("{object}#delete"),
        "type": "Delete",
        "actor": actor,
        "to": "https://www.w3.org/ns/activitystreams#Public",
        "object": object,
    })
}

async fn remote_edits_and_deletions_are_reannounced(backend: Backend) {
    let app = federating_app(&backend).await;
    let author = GtsPeer::start("127.0.0.8", CITY).await;
    let reader = GtsPeer::start("127.0.0.9", CITY).await;
    let staff = app.staff().await;
    app.theme(&staff, "parks", "open", phase_today(true, true, true))
        .await;
    let theme = format!("{CITY}/themes/parks");
    for peer in [&author, &reader] {
        peer.follow_theme(&app, "parks").await;
    }
    let idea = author.example("gotosocial-create-idea.json");
    assert_eq!(author.post(&app, "/inbox", &idea).await.0, 202);
    let list = app
        .get("/api/v1/themes/parks/proposals", None)
        .await
        .expect(200);
    let id = list["items"][0]["id"].as_i64().unwrap();
    let mut reply = author.example("gotosocial-create-reply.json");
    reply["object"]["inReplyTo"] = json!(format!("{CITY}/proposals/{id}"));
    assert_eq!(author.post(&app, "/inbox", &reply).await.0, 202);

    for (create, text) in [
        (&idea, "公園に日陰のベンチと水飲み場を"),
        (&reply, "通学路にも、ぜひ"),
    ] {
        let update = update_of(create, &format!("<p>{text}</p>"));
        let (status, body) = author.post(&app, "/inbox", &update).await;
        assert_eq!(status, 202, "{body}");
        let announced = reader
            .wait_for("the Announce of the Update", |a| {
                a["type"] == "Announce" && a["object"]["id"] == update["id"]
            })
            .await;
        assert_eq!(announced["actor"], theme);
        assert_eq!(
            announced["object"]["object"]["content"],
            update["object"]["content"]
        );
        // The same Update delivered again (to a second inbox, say) changes nothing more.
        let (status, body) = author.post(&app, "/inbox", &update).await;
        assert_eq!(status, 202, "a repeated Update: {body}");

        let delete = delete_of(create);
        let (status, body) = author.post(&app, "/inbox", &delete).await;
        assert_eq!(status, 202, "{body}");
        reader
            .wait_for("the Announce of the Delete", |a| {
                a["type"] == "Announce" && a["object"]["id"] == delete["id"]
            })
            .await;
    }
    // The edits took effect here, and the server they came from gets none of them back.
    let comments = app
        .get(&format!("/api/v1/proposals/{id}/comments"), None)
        .await;
    assert!(
        !comments.body.to_string().contains("木陰は大事です"),
        "{}",
        comments.body
    );
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(
        !author
            .received()
            .iter()
            .any(|(_, a)| a["type"] == "Announce"),
        "{:?}",
        author.received()
    );
}

/// What a peer got from the theme: (kind of the announced thing, or the activity's own kind).
fn forms(peer: &GtsPeer) -> Vec<String> {
    peer.received()
        .iter()
        .filter(|(_, a)| a["type"] != "Accept")
        .map(|(_, a)| match a["type"].as_str() {
            Some("Announce") => {
                format!("Announce({})", a["object"]["type"].as_str().unwrap_or("?"))
            }
            other => other.unwrap_or("?").to_string(),
        })
        .collect()
}

async fn each_peer_gets_only_the_form_its_software_reads(backend: Backend) {
    let app = federating_app(&backend).await;
    let lemmy = GtsPeer::start("127.0.0.8", CITY).await;
    lemmy.run_software("lemmy");
    let mastodon = GtsPeer::start("127.0.0.9", CITY).await;
    mastodon.run_software("mastodon");
    let unknown = GtsPeer::start("127.0.0.10", CITY).await;
    let staff = app.staff().await;
    let hanako = app.resident("hanako").await;
    app.theme(&staff, "parks", "open", phase_today(true, true, true))
        .await;
    for peer in [&lemmy, &mastodon, &unknown] {
        peer.follow_theme(&app, "parks").await;
    }
    let id = app.idea(&hanako, "parks", "木陰のベンチ").await;
    app.patch(
        &format!("/api/v1/proposals/{id}"),
        Some(&hanako),
        json!({"title": "木陰のベンチ", "body": "木陰にベンチを三つ"}),
    )
    .await
    .expect(200);
    wait_until("the unknown peer's four deliveries", async || {
        forms(&unknown).len() == 4
    })
    .await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    // Group software: the theme's announcements of the activities, never the bare Page.
    assert_eq!(forms(&lemmy), ["Announce(Create)", "Announce(Update)"]);
    // Mastodon-family: the Page announced, and the author's own Update.
    assert_eq!(forms(&mastodon), ["Announce(Page)", "Update"]);
    // Software not known: every form.
    let mut all = forms(&unknown);
    all.sort();
    assert_eq!(
        all,
        [
            "Announce(Create)",
            "Announce(Page)",
            "Announce(Update)",
            "Update"
        ]
    );
}

/// Group software (Lemmy) reads as authors only person-like actors and finds a post's
/// community in its addressing: what the city says in a theme (an answer, results, a draft)
/// reaches its members as the municipality's `Create` announced by the theme, addressed to
/// the theme; a poll, which it has no way to show, is not sent to it; a block of its instance
/// ends its follows with a `Reject` of each `Follow`, and a `Follow` while blocked gets one too.
async fn group_software_hears_what_the_city_says(backend: Backend) {
    let app = federating_app(&backend).await;
    let lemmy = GtsPeer::start("127.0.0.65", CITY).await;
    lemmy.run_software("lemmy");
    let staff = app.staff().await;
    let hanako = app.resident("hanako").await;
    app.theme(&staff, "parks", "open", phase_today(true, true, true))
        .await;
    // Lemmy's own Follow, as captured (its id, `to` a list, its own @context).
    let theme = format!("{CITY}/themes/parks");
    let mut follow = lemmy.example("lemmy-follow.json");
    let text = follow
        .to_string()
        .replace("https://lemmy.example/u/lemmyadmin", &lemmy.actor_id())
        .replace("https://lemmy.example", &lemmy.base);
    follow = serde_json::from_str(&text).unwrap();
    assert_eq!(lemmy.post(&app, "/inbox", &follow).await.0, 202);
    let accept = lemmy
        .wait_for("the Accept", |a| a["type"] == "Accept")
        .await;
    assert_eq!(accept["object"]["id"], follow["id"]);
    assert_eq!(
        accept["object"]["to"], follow["to"],
        "the Follow as it was sent"
    );

    let id = app.idea(&hanako, "parks", "木陰のベンチ").await;
    app.put(
        &format!("/api/v1/proposals/{id}/answer"),
        Some(&staff),
        json!({"state": "accepted", "body": "設けます。", "department": "公園緑地課"}),
    )
    .await
    .expect(200);
    app.post(
        "/api/v1/themes/parks/results",
        Some(&staff),
        json!({"heading": "公園のベンチ", "body": "計画に入れました。", "reflects": [{"proposal_id": id}]}),
    )
    .await
    .expect(201);
    let survey = app
        .post(
            "/api/v1/themes/parks/surveys",
            Some(&staff),
            json!({"title": "公園アンケート", "audience": "residents", "opens_on": crate::helpers::day(-1),
                   "closes_on": crate::helpers::day(7), "sections": [{"questions": [{"kind": "single_choice",
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
    let city = format!("{CITY}/actor");
    for what in ["Note", "Article"] {
        let announce = lemmy
            .wait_for(what, |a| {
                a["type"] == "Announce" && a["object"]["object"]["type"] == what
            })
            .await;
        assert_eq!(announce["actor"], theme);
        let create = &announce["object"];
        assert_eq!(create["type"], "Create");
        assert_eq!(create["actor"], city, "a person-like author: {create}");
        assert_eq!(create["object"]["attributedTo"], city);
        assert!(
            create["object"]["cc"]
                .as_array()
                .unwrap()
                .contains(&json!(theme)),
            "the community in cc: {create}"
        );
        assert!(create["cc"].as_array().unwrap().contains(&json!(theme)));
    }
    tokio::time::sleep(Duration::from_millis(600)).await;
    assert!(
        !lemmy
            .received()
            .iter()
            .any(|(_, a)| a.to_string().contains("\"Question\"")),
        "no poll for software without polls"
    );
    assert!(
        lemmy
            .received()
            .iter()
            .all(|(_, a)| a["type"] == "Accept" || a["type"] == "Announce"),
        "group software gets the theme's announcements only: {:?}",
        forms(&lemmy)
    );

    // Its instance is blocked: the follow ends with a Reject of the Follow as sent, and no
    // Block (group software ends a follow on the Reject); a Follow while blocked gets one.
    let host = lemmy.base.trim_start_matches("http://");
    app.post(
        "/api/v1/moderation/blocks",
        Some(&staff),
        json!({"kind": "domain", "value": host.split(':').next().unwrap()}),
    )
    .await
    .expect(201);
    let reject = lemmy
        .wait_for("the Reject", |a| a["type"] == "Reject")
        .await;
    assert_eq!(reject["object"]["id"], follow["id"]);
    let mut again = follow.clone();
    again["id"] = json!(format!("{}/activities/follow/again", lemmy.base));
    assert_eq!(lemmy.post(&app, "/inbox", &again).await.0, 202);
    lemmy
        .wait_for("the Reject of the Follow while blocked", |a| {
            a["type"] == "Reject" && a["object"]["id"] == again["id"]
        })
        .await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(!lemmy.received().iter().any(|(_, a)| a["type"] == "Block"));
}

async fn the_group_says_when_posting_is_closed_and_when_that_changes(backend: Backend) {
    let app = federating_app(&backend).await;
    let lemmy = GtsPeer::start("127.0.0.8", CITY).await;
    lemmy.run_software("lemmy");
    let staff = app.staff().await;
    app.theme(&staff, "closed", "open", phase_today(false, true, true))
        .await;
    app.theme(&staff, "parks", "open", phase_today(true, true, true))
        .await;

    // A phase that takes no ideas is closed to group software's posts, and a post sent
    // anyway is refused aloud.
    let (_, group) = app.activity("/themes/closed").await;
    assert_eq!(group["postingRestrictedToMods"], true, "{group}");
    let context = group["@context"].to_string();
    assert!(
        context.contains("lemmy:postingRestrictedToMods"),
        "{context}"
    );
    let (_, group) = app.activity("/themes/parks").await;
    assert_eq!(group["postingRestrictedToMods"], false, "{group}");
    let mut post = lemmy.example("gotosocial-create-idea.json");
    post["object"]["audience"] = json!(format!("{CITY}/themes/closed"));
    post["object"]["content"] = json!("<p>@closed 公園に日陰を</p>");
    post["object"]["tag"] = json!({"type": "Mention", "href": format!("{CITY}/themes/closed")});
    let (status, body) = lemmy.post(&app, "/themes/closed/inbox", &post).await;
    assert_eq!(status, 409, "{body}");
    assert_eq!(body["type"], "urn:hiroba:problem:not-allowed-now", "{body}");

    // Midnight passes: what the Group told its followers the day before (before the phase
    // began, nothing open) no longer holds, and they are sent its Update once.
    lemmy.follow_theme(&app, "parks").await;
    let told = hiroba::federation::phase_watch::state_of(None, Some(true));
    let mut conn = app.state.db.acquire().await.unwrap();
    let theme = hiroba::storage::themes::find_theme_by_slug(conn.ex(), "parks")
        .await
        .unwrap()
        .unwrap();
    hiroba::storage::themes::set_published_state(conn.ex(), theme.id, &told)
        .await
        .unwrap();
    drop(conn);
    let update = lemmy
        .wait_for("the Group's Update", |a| a["type"] == "Update")
        .await;
    assert_eq!(update["object"]["type"], "Group");
    assert_eq!(update["object"]["postingRestrictedToMods"], false);
    assert_eq!(update["object"]["hiroba:currentPhase"], 0);
    tokio::time::sleep(Duration::from_millis(400)).await;
    let updates = lemmy
        .received()
        .iter()
        .filter(|(_, a)| a["type"] == "Update")
        .count();
    assert_eq!(updates, 1, "told once");
}

both_databases!(
    group_software_hears_what_the_city_says,
    the_group_says_when_posting_is_closed_and_when_that_changes,
    each_peer_gets_only_the_form_its_software_reads,
    a_refused_follow_is_shown_refused_with_the_reason,
    remote_edits_and_deletions_are_reannounced,
);
