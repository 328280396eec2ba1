//! The inbox and the delivery queue against a peer server on another loopback address
//! (127.0.0.3), with its own key: follows are accepted or rejected, new proposals are
//! announced to followers, bad signatures are refused, and deliveries survive an outage.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode};
use axum::routing::{get, post};
use hiroba::federation::signatures::{parse_private_key, sign_request};
use openssl::rsa::Rsa;
use serde_json::{Value, json};

use crate::both_databases;
use crate::helpers::{Backend, TestApp, federating_app, phase_today, spawn_app_with, wait_until};

/// A remote fediverse account: serves its actor and records what reaches its inbox.
struct Peer {
    base: String,
    private_pem: String,
    received: Arc<Mutex<Vec<Value>>>,
    server: tokio::task::JoinHandle<()>,
    listener_addr: std::net::SocketAddr,
}

#[derive(Clone)]
struct PeerState {
    actor: Value,
    received: Arc<Mutex<Vec<Value>>>,
}

impl Peer {
    async fn start(port: u16) -> Peer {
        let rsa = Rsa::generate(2048).unwrap();
        let private_pem = String::from_utf8(rsa.private_key_to_pem().unwrap()).unwrap();
        let public_pem = String::from_utf8(rsa.public_key_to_pem().unwrap()).unwrap();
        let listener = tokio::net::TcpListener::bind(("127.0.0.3", port))
            .await
            .expect("bind 127.0.0.3");
        let addr = listener.local_addr().unwrap();
        let base = format!("http://{addr}");
        let actor = json!({
            "@context": ["https://www.w3.org/ns/activitystreams", "https://w3id.org/security/v1"],
            "id": format!("{base}/users/alice"),
            "type": "Person",
            "preferredUsername": "alice",
            "inbox": format!("{base}/users/alice/inbox"),
            "endpoints": {"sharedInbox": format!("{base}/inbox")},
            "publicKey": {"id": format!("{base}/users/alice#main-key"), "owner": format!("{base}/users/alice"), "publicKeyPem": public_pem}
        });
        let received = Arc::new(Mutex::new(Vec::new()));
        let server = Self::serve(
            listener,
            PeerState {
                actor,
                received: received.clone(),
            },
        );
        Peer {
            base,
            private_pem,
            received,
            server,
            listener_addr: addr,
        }
    }

    fn serve(listener: tokio::net::TcpListener, state: PeerState) -> tokio::task::JoinHandle<()> {
        async fn actor(State(s): State<PeerState>) -> axum::response::Response {
            let mut response = axum::Json(s.actor.clone()).into_response();
            response.headers_mut().insert(
                "content-type",
                HeaderValue::from_static("application/activity+json"),
            );
            response
        }
        async fn inbox(State(s): State<PeerState>, headers: HeaderMap, body: Bytes) -> StatusCode {
            if !headers.contains_key("signature") || !headers.contains_key("digest") {
                return StatusCode::UNAUTHORIZED;
            }
            s.received
                .lock()
                .unwrap()
                .push(serde_json::from_slice(&body).unwrap_or(Value::Null));
            StatusCode::ACCEPTED
        }
        async fn webfinger(State(s): State<PeerState>) -> axum::Json<Value> {
            let actor = s.actor["id"].as_str().unwrap_or_default().to_string();
            let base = actor.trim_end_matches("/users/alice").to_string();
            axum::Json(json!({
                "subject": "acct:alice@peer",
                "links": [
                    {"rel": "self", "type": "application/activity+json", "href": actor},
                    {"rel": "http://ostatus.org/schema/1.0/subscribe", "template": format!("{base}/authorize_interaction?uri={{uri}}")}
                ]
            }))
        }
        use axum::response::IntoResponse;
        let app = Router::new()
            .route("/.well-known/webfinger", get(webfinger))
            .route("/users/alice", get(actor))
            .route("/users/alice/inbox", post(inbox))
            .route("/inbox", post(inbox))
            .with_state(state);
        tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        })
    }

    fn actor_id(&self) -> String {
        format!("{}/users/alice", self.base)
    }

    fn received(&self) -> Vec<Value> {
        self.received.lock().unwrap().clone()
    }

    /// Posts `activity` to `path` on the app, signed (or altered by `tamper`).
    async fn post(
        &self,
        app: &TestApp,
        path: &str,
        activity: &Value,
        tamper: impl FnOnce(&mut HeaderMap, &mut Vec<u8>),
    ) -> u16 {
        let url = url::Url::parse(&format!("{}{path}", app.address)).unwrap();
        let mut body = serde_json::to_vec(activity).unwrap();
        let key = parse_private_key(&self.private_pem).unwrap();
        let mut headers = HeaderMap::new();
        for (name, value) in sign_request(
            &key,
            &format!("{}#main-key", self.actor_id()),
            &Method::POST,
            &url,
            Some(&body),
            jiff::Timestamp::now(),
        )
        .unwrap()
        {
            headers.insert(name, HeaderValue::from_str(&value).unwrap());
        }
        tamper(&mut headers, &mut body);
        let mut request = app
            .client
            .post(url)
            .header("content-type", "application/activity+json")
            .body(body);
        for (name, value) in headers.iter() {
            if name != "host" {
                request = request.header(name, value);
            }
        }
        request.send().await.unwrap().status().as_u16()
    }

    async fn wait_for(&self, what: &str, predicate: impl Fn(&Value) -> bool) -> Value {
        for _ in 0..600 {
            if let Some(found) = self.received().into_iter().find(|a| predicate(a)) {
                return found;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!(
            "the peer never received {what}; it got {:?}",
            self.received()
        );
    }
}

/// The HTML of a page, as a browser gets it.
async fn page_text(app: &TestApp, path: &str) -> String {
    app.client
        .get(format!("{}{path}", app.address))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap()
}

fn follow(peer: &Peer, object: &str, n: u32) -> Value {
    json!({
        "@context": "https://www.w3.org/ns/activitystreams",
        "id": format!("{}/follows/{n}", peer.base),
        "type": "Follow",
        "actor": peer.actor_id(),
        "object": object,
    })
}

async fn followers(app: &TestApp, slug: &str) -> i64 {
    let response = app
        .client
        .get(format!("{}/themes/{slug}/followers", app.address))
        .header("accept", "application/activity+json")
        .send()
        .await
        .unwrap();
    response.json::<Value>().await.unwrap()["totalItems"]
        .as_i64()
        .unwrap()
}

async fn a_remote_account_follows_a_theme_and_receives_new_ideas(backend: Backend) {
    let app = federating_app(&backend).await;
    let peer = Peer::start(0).await;
    let staff = app.staff().await;
    let hanako = app.resident("hanako").await;
    app.theme(&staff, "parks", "open", phase_today(true, true, true))
        .await;
    let theme = "http://localhost/themes/parks";

    assert_eq!(
        peer.post(
            &app,
            "/themes/parks/inbox",
            &follow(&peer, theme, 1),
            |_, _| {}
        )
        .await,
        202
    );
    let accept = peer.wait_for("an Accept", |a| a["type"] == "Accept").await;
    assert_eq!(accept["actor"], theme);
    assert_eq!(accept["object"]["id"], format!("{}/follows/1", peer.base));
    assert_eq!(followers(&app, "parks").await, 1);
    // The same Follow again (same id) changes nothing.
    assert_eq!(
        peer.post(&app, "/inbox", &follow(&peer, theme, 1), |_, _| {})
            .await,
        202
    );
    assert_eq!(followers(&app, "parks").await, 1);

    let id = app.idea(&hanako, "parks", "木陰のベンチ").await;
    let announce = peer
        .wait_for("the Announce of the Create", |a| {
            a["type"] == "Announce" && a["object"]["type"] == "Create"
        })
        .await;
    assert_eq!(announce["actor"], theme);
    assert_eq!(
        announce["object"]["object"]["id"],
        format!("http://localhost/proposals/{id}")
    );
    assert_eq!(announce["object"]["object"]["name"], "木陰のベンチ");
    assert!(
        announce["object"]["cc"].is_array(),
        "Lemmy needs cc on the inner Create"
    );
    let direct = peer
        .wait_for("the Announce of the Page", |a| {
            a["type"] == "Announce" && a["object"]["type"] == "Page"
        })
        .await;
    assert_ne!(
        direct["id"], announce["id"],
        "every activity has its own id"
    );

    let undo = json!({
        "@context": "https://www.w3.org/ns/activitystreams",
        "id": format!("{}/undo/1", peer.base),
        "type": "Undo",
        "actor": peer.actor_id(),
        "object": follow(&peer, theme, 1),
    });
    assert_eq!(
        peer.post(&app, "/themes/parks/inbox", &undo, |_, _| {})
            .await,
        202
    );
    assert_eq!(followers(&app, "parks").await, 0);
    peer.server.abort();
}

async fn unverifiable_requests_are_refused_with_401(backend: Backend) {
    let app = federating_app(&backend).await;
    let peer = Peer::start(0).await;
    let staff = app.staff().await;
    app.theme(&staff, "parks", "open", json!([])).await;
    let theme = "http://localhost/themes/parks";
    let tampered = peer
        .post(&app, "/inbox", &follow(&peer, theme, 2), |_, body| {
            *body = serde_json::to_vec(
                &json!({"type": "Follow", "id": "x", "actor": "y", "object": "z"}),
            )
            .unwrap();
        })
        .await;
    assert_eq!(tampered, 401, "a body that does not match the digest");
    let stale = peer
        .post(&app, "/inbox", &follow(&peer, theme, 3), |headers, _| {
            headers.insert(
                "date",
                HeaderValue::from_static("Mon, 01 Jan 2024 00:00:00 GMT"),
            );
        })
        .await;
    assert_eq!(stale, 401, "a stale date");
    let unsigned = peer
        .post(&app, "/inbox", &follow(&peer, theme, 4), |headers, _| {
            headers.remove("signature");
        })
        .await;
    assert_eq!(unsigned, 401, "no signature");
    let other = Rsa::generate(2048).unwrap();
    let wrong_key = peer
        .post(&app, "/inbox", &follow(&peer, theme, 5), |headers, body| {
            let key = openssl::pkey::PKey::from_rsa(other).unwrap();
            let url = url::Url::parse(&format!("{}/inbox", app.address)).unwrap();
            for (name, value) in sign_request(
                &key,
                &format!("{}#main-key", peer.actor_id()),
                &Method::POST,
                &url,
                Some(body),
                jiff::Timestamp::now(),
            )
            .unwrap()
            {
                headers.insert(name, HeaderValue::from_str(&value).unwrap());
            }
        })
        .await;
    assert_eq!(wrong_key, 401, "signed with another key");
    // An actor may not speak for another.
    let mut impostor = follow(&peer, theme, 6);
    impostor["actor"] = json!("http://127.0.0.3:1/users/mallory");
    assert_eq!(peer.post(&app, "/inbox", &impostor, |_, _| {}).await, 401);
    assert_eq!(followers(&app, "parks").await, 0, "nothing was accepted");
    let unknown_theme = peer
        .post(
            &app,
            "/inbox",
            &follow(&peer, "http://localhost/themes/nope", 7),
            |_, _| {},
        )
        .await;
    assert_eq!(unknown_theme, 404);
}

async fn blocked_instances_are_rejected(backend: Backend) {
    let app = federating_app(&backend).await;
    let peer = Peer::start(0).await;
    let staff = app.staff().await;
    app.theme(&staff, "parks", "open", json!([])).await;
    // Moderators block the remote account.
    app.post(
        "/api/v1/moderation/blocks",
        Some(&staff),
        json!({"kind": "actor", "value": peer.actor_id()}),
    )
    .await
    .expect(201);
    let status = peer
        .post(
            &app,
            "/inbox",
            &follow(&peer, "http://localhost/themes/parks", 8),
            |_, _| {},
        )
        .await;
    // The follow is answered with a Reject of it, so that the blocked side does not wait,
    // and nothing of it is kept here.
    assert_eq!(status, 202);
    assert_eq!(followers(&app, "parks").await, 0);
    let reject = peer
        .wait_for("the Reject of the follow", |a| a["type"] == "Reject")
        .await;
    assert_eq!(reject["object"]["id"], format!("{}/follows/8", peer.base));
    assert_eq!(reject["actor"], "http://localhost/themes/parks");
    let mut conn = app.state.db.acquire().await.unwrap();
    let kept = hiroba::storage::federation::remote_actor(conn.ex(), &peer.actor_id())
        .await
        .unwrap();
    assert!(kept.is_none(), "a blocked actor is not stored: {kept:?}");
    drop(conn);
    // Anything else is refused at once.
    let like = json!({"id": format!("{}/likes/1", peer.base), "type": "Like", "actor": peer.actor_id(), "object": "http://localhost/proposals/1"});
    assert_eq!(peer.post(&app, "/inbox", &like, |_, _| {}).await, 403);
}

async fn deliveries_wait_for_an_instance_that_is_down(backend: Backend) {
    let mut app = federating_app(&backend).await;
    let peer = Peer::start(0).await;
    let port = peer.listener_addr.port();
    let staff = app.staff().await;
    let hanako = app.resident("hanako").await;
    app.theme(&staff, "parks", "open", phase_today(true, true, true))
        .await;
    assert_eq!(
        peer.post(
            &app,
            "/inbox",
            &follow(&peer, "http://localhost/themes/parks", 9),
            |_, _| {}
        )
        .await,
        202
    );
    peer.wait_for("the Accept", |a| a["type"] == "Accept").await;

    // The peer goes down; a new idea is posted and the server restarts meanwhile.
    peer.server.abort();
    let _ = peer.server.await;
    app.idea(&hanako, "parks", "停電中の投稿").await;
    // The publisher queues the delivery (in its own time, as the machine allows), and it
    // fails while the peer is down.
    crate::two_instances::eventually("the delivery is queued", || async {
        let mut conn = app.state.db.acquire().await.unwrap();
        let pending = hiroba::storage::federation::pending_deliveries(conn.ex())
            .await
            .unwrap();
        (pending >= 1).then_some(())
    })
    .await;
    app.restart().await;
    let pending = {
        let mut conn = app.state.db.acquire().await.unwrap();
        hiroba::storage::federation::pending_deliveries(conn.ex())
            .await
            .unwrap()
    };
    assert!(pending >= 1, "the deliveries wait in the database");

    // The peer comes back on the same address: the deliveries arrive.
    let revived = Peer::start(port).await;
    let announce = revived
        .wait_for("the Announce after the outage", |a| {
            a["type"] == "Announce" && a["object"]["type"] == "Page"
        })
        .await;
    assert_eq!(announce["object"]["name"], "停電中の投稿");
    app.stop().await;
}

/// The comment tree of a proposal, as the API shows it to anyone.
async fn comments_of(app: &TestApp, id: i64) -> Value {
    app.get(&format!("/api/v1/proposals/{id}/comments"), None)
        .await
        .expect(200)
}

/// The terms of a theme's word cloud that counts comments.
async fn cloud_with_comments(app: &TestApp) -> Vec<String> {
    let cloud = app
        .get("/api/v1/themes/parks/words?comments=true", None)
        .await
        .expect(200);
    cloud["terms"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["term"].as_str().unwrap().to_string())
        .collect()
}

fn note_activity(peer: &Peer, n: u32, in_reply_to: &str, content: &str) -> Value {
    let note = format!("{}/notes/{n}", peer.base);
    json!({
        "@context": "https://www.w3.org/ns/activitystreams",
        "id": format!("{note}/activity"),
        "type": "Create",
        "actor": peer.actor_id(),
        "to": ["https://www.w3.org/ns/activitystreams#Public"],
        "cc": ["http://localhost/themes/parks"],
        "object": {
            "id": note,
            "type": "Note",
            "attributedTo": peer.actor_id(),
            "inReplyTo": in_reply_to,
            "content": content,
            "published": "2026-06-01T00:00:00Z",
            "to": ["https://www.w3.org/ns/activitystreams#Public"],
            "cc": ["http://localhost/themes/parks"]
        }
    })
}

async fn replies_and_likes_from_the_fediverse(backend: Backend) {
    let app = federating_app(&backend).await;
    let peer = Peer::start(0).await;
    let staff = app.staff().await;
    let hanako = app.resident("hanako").await;
    let moderator = app
        .user_with_role("mod", hiroba::domain::Role::Moderator)
        .await;
    app.theme(&staff, "parks", "open", phase_today(true, true, true))
        .await;
    assert_eq!(
        peer.post(
            &app,
            "/inbox",
            &follow(&peer, "http://localhost/themes/parks", 20),
            |_, _| {}
        )
        .await,
        202
    );
    let id = app.idea(&hanako, "parks", "木陰").await;
    let proposal = format!("http://localhost/proposals/{id}");

    // A reply arrives twice (at the shared inbox and the theme's): stored once.
    let reply = note_activity(
        &peer,
        1,
        &proposal,
        "<p>調布でも同じです<script>x()</script></p>",
    );
    assert_eq!(peer.post(&app, "/inbox", &reply, |_, _| {}).await, 202);
    assert_eq!(
        peer.post(&app, "/themes/parks/inbox", &reply, |_, _| {})
            .await,
        202
    );
    let tree = comments_of(&app, id).await;
    assert_eq!(tree.as_array().unwrap().len(), 1, "{tree}");
    assert_eq!(tree[0]["author"]["remote"], true);
    assert!(
        tree[0]["author"]["handle"]
            .as_str()
            .unwrap()
            .starts_with("alice@127.0.0.3")
    );
    assert_eq!(tree[0]["origin"], format!("{}/notes/1", peer.base));
    assert!(!tree[0]["body_html"].as_str().unwrap().contains("<script"));
    // The word cloud that counts comments counts it.
    wait_until("the reply's terms", async || {
        cloud_with_comments(&app).await.iter().any(|t| t == "調布")
    })
    .await;
    // Followers on other servers get it announced (see `gotosocial`); the server it came
    // from already has it.
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(
        !peer
            .received()
            .iter()
            .any(|a| a["type"] == "Announce" && a["object"]["id"] == reply["id"]),
        "announced back to its origin"
    );
    // The page shows it with the handle and a link to its origin.
    let page = page_text(&app, &format!("/proposals/{id}")).await;
    assert!(
        page.contains("調布でも同じです")
            && page.contains(&format!("href=\"{}/users/alice\"", peer.base)),
        "{page}"
    );

    // A resident answers it: the reply goes to the remote author too.
    let comment_id = tree[0]["id"].as_i64().unwrap();
    app.post(
        &format!("/api/v1/proposals/{id}/comments"),
        Some(&hanako),
        json!({"body": "ありがとう", "parent_id": comment_id}),
    )
    .await
    .expect(201);
    let answer = peer
        .wait_for("the resident's answer", |a| {
            a["type"] == "Create" && a["object"]["inReplyTo"] == format!("{}/notes/1", peer.base)
        })
        .await;
    assert_eq!(answer["actor"], "http://localhost/users/hanako");

    // The origin edits and deletes its reply.
    let mut update = reply.clone();
    update["type"] = json!("Update");
    update["id"] = json!(format!("{}/notes/1/update", peer.base));
    update["object"]["content"] = json!("<p>訂正します</p>");
    assert_eq!(peer.post(&app, "/inbox", &update, |_, _| {}).await, 202);
    let tree = comments_of(&app, id).await;
    assert_eq!(tree[0]["body"], "<p>訂正します</p>");
    wait_until("the edited reply's terms", async || {
        let terms = cloud_with_comments(&app).await;
        terms.iter().any(|t| t == "訂正") && !terms.iter().any(|t| t == "調布")
    })
    .await;

    // Likes count apart from residents' supports; Undo withdraws.
    let like = json!({"id": format!("{}/likes/1", peer.base), "type": "Like", "actor": peer.actor_id(), "object": proposal});
    assert_eq!(peer.post(&app, "/inbox", &like, |_, _| {}).await, 202);
    let view = app
        .get(&format!("/api/v1/proposals/{id}"), None)
        .await
        .expect(200);
    assert_eq!(
        (
            view["support_count"].as_i64(),
            view["remote_support_count"].as_i64()
        ),
        (Some(0), Some(1))
    );
    let undo = json!({"id": format!("{}/likes/1/undo", peer.base), "type": "Undo", "actor": peer.actor_id(), "object": like});
    assert_eq!(peer.post(&app, "/inbox", &undo, |_, _| {}).await, 202);
    assert_eq!(
        app.get(&format!("/api/v1/proposals/{id}"), None)
            .await
            .expect(200)["remote_support_count"],
        0
    );

    // A Flag becomes a report for moderators.
    let flag = json!({"id": format!("{}/flags/1", peer.base), "type": "Flag", "actor": peer.actor_id(), "object": [proposal], "content": "スパムです"});
    assert_eq!(peer.post(&app, "/inbox", &flag, |_, _| {}).await, 202);
    let reports = app
        .get("/api/v1/moderation/reports", Some(&moderator))
        .await
        .expect(200);
    assert_eq!(reports[0]["reason"], "スパムです");

    let delete = json!({"id": format!("{}/notes/1/delete", peer.base), "type": "Delete", "actor": peer.actor_id(), "object": format!("{}/notes/1", peer.base)});
    assert_eq!(peer.post(&app, "/inbox", &delete, |_, _| {}).await, 202);
    let tree = comments_of(&app, id).await;
    assert_eq!(tree[0]["status"], "deleted");
    wait_until("the deleted reply's terms gone", async || {
        !cloud_with_comments(&app).await.iter().any(|t| t == "訂正")
    })
    .await;
    // The same Create again, in an activity with another id, does not bring it back.
    let mut again = reply.clone();
    again["id"] = json!(format!("{}/notes/1/activity-again", peer.base));
    assert_eq!(peer.post(&app, "/inbox", &again, |_, _| {}).await, 202);
    let tree = comments_of(&app, id).await;
    assert_eq!(tree.as_array().unwrap().len(), 1, "{tree}");
    assert_eq!(tree[0]["status"], "deleted");

    // Under a withdrawn proposal a reply is not stored.
    app.post(
        &format!("/api/v1/proposals/{id}/withdraw"),
        Some(&hanako),
        json!({}),
    )
    .await
    .expect(200);
    let late = note_activity(&peer, 3, &proposal, "<p>遅れて</p>");
    assert_eq!(peer.post(&app, "/inbox", &late, |_, _| {}).await, 202);
    let tree = comments_of(&app, id).await;
    assert_eq!(tree.as_array().unwrap().len(), 1, "{tree}");
    // Nor is a like counted.
    let late_like = json!({"id": format!("{}/likes/2", peer.base), "type": "Like", "actor": peer.actor_id(), "object": proposal});
    assert_eq!(peer.post(&app, "/inbox", &late_like, |_, _| {}).await, 202);
    let view = app
        .get(&format!("/api/v1/proposals/{id}"), None)
        .await
        .expect(200);
    assert_eq!(
        (
            view["status"].as_str(),
            view["remote_support_count"].as_i64()
        ),
        (Some("withdrawn"), Some(0)),
        "{view}"
    );
    peer.server.abort();
}

async fn replies_follow_the_phase(backend: Backend) {
    let app = federating_app(&backend).await;
    let peer = Peer::start(0).await;
    let staff = app.staff().await;
    let hanako = app.resident("hanako").await;
    app.theme(&staff, "parks", "open", phase_today(true, false, false))
        .await;
    let id = app.idea(&hanako, "parks", "木陰").await;
    let reply = note_activity(
        &peer,
        2,
        &format!("http://localhost/proposals/{id}"),
        "<p>x</p>",
    );
    assert_eq!(peer.post(&app, "/inbox", &reply, |_, _| {}).await, 202);
    let tree = comments_of(&app, id).await;
    assert!(
        tree.as_array().unwrap().is_empty(),
        "the phase does not take comments"
    );
    peer.server.abort();
}

async fn edits_withdrawals_and_phase_changes_reach_followers(backend: Backend) {
    let app = federating_app(&backend).await;
    let peer = Peer::start(0).await;
    let staff = app.staff().await;
    let hanako = app.resident("hanako").await;
    let taro = app.resident("taro").await;
    app.theme(&staff, "parks", "open", phase_today(true, true, true))
        .await;
    assert_eq!(
        peer.post(
            &app,
            "/inbox",
            &follow(&peer, "http://localhost/themes/parks", 30),
            |_, _| {}
        )
        .await,
        202
    );
    let id = app.idea(&hanako, "parks", "最初の題").await;
    let proposal = format!("http://localhost/proposals/{id}");

    app.patch(
        &format!("/api/v1/proposals/{id}"),
        Some(&hanako),
        json!({"title": "直した題", "body": "直した本文"}),
    )
    .await
    .expect(200);
    let update = peer
        .wait_for("the author's Update", |a| {
            a["type"] == "Update" && a["object"]["id"] == proposal
        })
        .await;
    assert_eq!(update["actor"], "http://localhost/users/hanako");
    assert_eq!(update["object"]["name"], "直した題");
    peer.wait_for("the theme's Announce of the Update", |a| {
        a["type"] == "Announce" && a["object"]["type"] == "Update"
    })
    .await;

    let comment = app
        .post(
            &format!("/api/v1/proposals/{id}/comments"),
            Some(&taro),
            json!({"body": "賛成"}),
        )
        .await
        .expect(201);
    let comment_url = format!("http://localhost/comments/{}", comment["id"]);
    app.delete(&format!("/api/v1/comments/{}", comment["id"]), Some(&taro))
        .await
        .expect(204);
    let deleted = peer
        .wait_for("the comment's Delete", |a| {
            a["type"] == "Delete" && a["object"]["id"] == comment_url
        })
        .await;
    assert_eq!(deleted["actor"], "http://localhost/users/taro");

    app.post(
        &format!("/api/v1/proposals/{id}/withdraw"),
        Some(&hanako),
        json!({}),
    )
    .await
    .expect(200);
    let withdrawn = peer
        .wait_for("the proposal's Delete", |a| {
            a["type"] == "Delete" && a["object"]["id"] == proposal
        })
        .await;
    assert_eq!(withdrawn["object"]["type"], "Tombstone");

    // Staff move the theme to a new phase: followers get the Group's Update.
    app.put(
        "/api/v1/themes/parks",
        Some(&staff),
        json!({"title": "公園", "status": "closed", "phases": []}),
    )
    .await
    .expect(200);
    let group = peer
        .wait_for("the theme's Update", |a| {
            a["type"] == "Update" && a["object"]["type"] == "Group"
        })
        .await;
    assert_eq!(group["object"]["hiroba:status"], "closed");
    peer.server.abort();
}

async fn authorized_fetch_requires_signed_gets(backend: Backend) {
    let app = spawn_app_with(&backend, |config| {
        config.federation.insecure = true;
        config.federation.authorized_fetch = true;
    })
    .await;
    let peer = Peer::start(0).await;
    let staff = app.staff().await;
    app.theme(&staff, "parks", "open", json!([])).await;
    let get = |path: &str, signed: bool| {
        let url = url::Url::parse(&format!("{}{path}", app.address)).unwrap();
        let mut request = app
            .client
            .get(url.clone())
            .header("accept", "application/activity+json");
        if signed {
            let key = parse_private_key(&peer.private_pem).unwrap();
            for (name, value) in sign_request(
                &key,
                &format!("{}#main-key", peer.actor_id()),
                &Method::GET,
                &url,
                None,
                jiff::Timestamp::now(),
            )
            .unwrap()
            {
                if name != "host" {
                    request = request.header(name, value);
                }
            }
        }
        async move { request.send().await.unwrap().status().as_u16() }
    };
    assert_eq!(get("/themes/parks", false).await, 401);
    assert_eq!(get("/themes/parks", true).await, 200);
    assert_eq!(
        get("/actor", false).await,
        200,
        "the municipality's actor stays public"
    );
    let page = app
        .client
        .get(format!("{}/themes/parks", app.address))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), 200, "pages are not affected");
    let webfinger = app
        .client
        .get(format!(
            "{}/.well-known/webfinger?resource=acct:parks@localhost",
            app.address
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(webfinger.status(), 200);
    peer.server.abort();
}

async fn visitors_follow_a_theme_from_their_own_server(backend: Backend) {
    let app = federating_app(&backend).await;
    let peer = Peer::start(0).await;
    let staff = app.staff().await;
    app.theme(&staff, "parks", "open", json!([])).await;
    let mut browser = crate::browser::Browser::new(&app);
    let host = peer.base.trim_start_matches("http://").to_string();
    let sent = browser
        .submit(
            "/themes/parks",
            "/themes/parks/remote-follow",
            &[("account", &format!("@alice@{host}"))],
        )
        .await;
    assert_eq!(sent.status, 303, "{}", sent.html);
    assert_eq!(
        sent.location.as_deref(),
        Some(
            format!(
                "{}/authorize_interaction?uri=http%3A%2F%2Flocalhost%2Fthemes%2Fparks",
                peer.base
            )
            .as_str()
        )
    );
    let typo = browser
        .submit(
            "/themes/parks",
            "/themes/parks/remote-follow",
            &[("account", "alice")],
        )
        .await;
    assert_eq!(typo.status, 422);
    typo.contains("「@名前@サーバー」の形で入力してください");
    typo.contains("value=\"alice\"");
    let nowhere = browser
        .submit(
            "/themes/parks",
            "/themes/parks/remote-follow",
            &[("account", "@alice@127.0.0.3:1")],
        )
        .await;
    assert_eq!(nowhere.status, 422);
    nowhere.contains("あなたのサーバーに接続できませんでした");
    peer.server.abort();
}

async fn posts_addressed_to_a_theme_become_proposals(backend: Backend) {
    let app = federating_app(&backend).await;
    let peer = Peer::start(0).await;
    let staff = app.staff().await;
    let hanako = app.resident("hanako").await;
    app.theme(&staff, "parks", "open", phase_today(true, true, true))
        .await;
    app.theme(&staff, "library", "open", phase_today(false, true, true))
        .await;
    let theme = "http://localhost/themes/parks";
    assert_eq!(
        peer.post(&app, "/inbox", &follow(&peer, theme, 40), |_, _| {})
            .await,
        202
    );

    // Mastodon: a Note without a title that mentions the group, with a hashtag.
    let note = format!("{}/statuses/1", peer.base);
    let mention = json!({
        "@context": "https://www.w3.org/ns/activitystreams",
        "id": format!("{note}/activity"),
        "type": "Create",
        "actor": peer.actor_id(),
        "to": ["https://www.w3.org/ns/activitystreams#Public"],
        "cc": [theme],
        "object": {
            "id": note,
            "type": "Note",
            "attributedTo": peer.actor_id(),
            "content": "<p><span class=\"h-card\"><a href=\"http://localhost/themes/parks\" class=\"u-url mention\">@<span>parks</span></a></span> 駅前公園に日陰のベンチを</p><p>夏は座れません <a href=\"http://127.0.0.3/tags/ベンチ\" rel=\"tag\">#<span>ベンチ</span></a></p>",
            "published": "2026-06-01T00:00:00Z",
            "to": ["https://www.w3.org/ns/activitystreams#Public"],
            "cc": [theme],
            "tag": [
                {"type": "Mention", "href": theme, "name": "@parks@localhost"},
                {"type": "Hashtag", "href": "http://127.0.0.3/tags/ベンチ", "name": "#ベンチ"}
            ]
        }
    });
    assert_eq!(peer.post(&app, "/inbox", &mention, |_, _| {}).await, 202);
    // The same activity at the theme's inbox is not stored twice.
    assert_eq!(
        peer.post(&app, "/themes/parks/inbox", &mention, |_, _| {})
            .await,
        202
    );
    let list = app
        .get("/api/v1/themes/parks/proposals", None)
        .await
        .expect(200);
    let items = list["items"].as_array().expect("items");
    assert_eq!(items.len(), 1, "{list}");
    let idea = &items[0];
    assert_eq!(idea["title"], "駅前公園に日陰のベンチを");
    assert_eq!(idea["tags"], json!(["ベンチ"]));
    assert_eq!(idea["author"]["remote"], true);
    assert_eq!(idea["origin"], note);
    assert!(
        idea["author"]["handle"]
            .as_str()
            .unwrap()
            .starts_with("alice@127.0.0.3")
    );
    let id = idea["id"].as_i64().unwrap();
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(
        !peer
            .received()
            .iter()
            .any(|a| a["type"] == "Announce" && a["object"]["id"] == mention["id"]),
        "announced back to its origin"
    );
    // Our copy is not ours to publish: ActivityStreams readers are sent to the origin.
    let response = app
        .client
        .get(format!("{}/proposals/{id}", app.address))
        .header("accept", "application/activity+json")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 303, "redirected to the origin");
    assert_eq!(response.headers()["location"], note.as_str());
    // The page shows it with the author's handle linking to the origin.
    let page = page_text(&app, &format!("/proposals/{id}")).await;
    assert!(
        page.contains("夏は座れません")
            && page.contains(&format!("href=\"{}/users/alice\"", peer.base)),
        "{page}"
    );

    // Residents support and discuss it like any idea; their reply reaches the author.
    app.put(
        &format!("/api/v1/proposals/{id}/support"),
        Some(&hanako),
        json!({}),
    )
    .await
    .expect(200);
    app.post(
        &format!("/api/v1/proposals/{id}/comments"),
        Some(&hanako),
        json!({"body": "賛成です"}),
    )
    .await
    .expect(201);
    let answer = peer
        .wait_for("the resident's reply to the proposal", |a| {
            a["type"] == "Create" && a["object"]["inReplyTo"] == note.as_str()
        })
        .await;
    assert_eq!(answer["actor"], "http://localhost/users/hanako");

    // Lemmy-style: a Page with a title, addressed to the theme by `audience`.
    let page_id = format!("{}/post/2", peer.base);
    let lemmy = json!({
        "id": format!("{}/activities/create/2", peer.base),
        "type": "Create",
        "actor": peer.actor_id(),
        "to": ["https://www.w3.org/ns/activitystreams#Public"],
        "object": {
            "id": page_id,
            "type": "Page",
            "attributedTo": peer.actor_id(),
            "name": "公園の照明を LED に",
            "content": "<p>夜道が暗いので</p>",
            "audience": theme,
            "to": [theme, "https://www.w3.org/ns/activitystreams#Public"],
        }
    });
    assert_eq!(peer.post(&app, "/inbox", &lemmy, |_, _| {}).await, 202);
    let list = app
        .get("/api/v1/themes/parks/proposals", None)
        .await
        .expect(200);
    assert_eq!(list["items"][0]["title"], "公園の照明を LED に", "{list}");
    let lemmy_id = list["items"][0]["id"].as_i64().unwrap();

    // Only the origin edits or deletes; someone else's Update is refused.
    let mut update = lemmy.clone();
    update["type"] = json!("Update");
    update["id"] = json!(format!("{}/activities/update/2", peer.base));
    update["object"]["name"] = json!("公園の照明を LED にしてほしい");
    update["object"]["content"] = json!("<p>夜道が暗く危険です</p>");
    assert_eq!(peer.post(&app, "/inbox", &update, |_, _| {}).await, 202);
    let view = app
        .get(&format!("/api/v1/proposals/{lemmy_id}"), None)
        .await
        .expect(200);
    assert_eq!(view["title"], "公園の照明を LED にしてほしい");
    assert_eq!(view["body"], "<p>夜道が暗く危険です</p>");
    let delete = json!({"id": format!("{}/activities/delete/2", peer.base), "type": "Delete", "actor": peer.actor_id(), "object": page_id});
    assert_eq!(peer.post(&app, "/inbox", &delete, |_, _| {}).await, 202);
    let view = app
        .get(&format!("/api/v1/proposals/{lemmy_id}"), None)
        .await
        .expect(200);
    assert_eq!(view["status"], "withdrawn");

    // A theme whose phase takes no ideas stores nothing, and says so (409).
    let mut closed = lemmy.clone();
    closed["id"] = json!(format!("{}/activities/create/3", peer.base));
    closed["object"]["id"] = json!(format!("{}/post/3", peer.base));
    closed["object"]["audience"] = json!("http://localhost/themes/library");
    closed["object"]["to"] = json!(["http://localhost/themes/library"]);
    assert_eq!(peer.post(&app, "/inbox", &closed, |_, _| {}).await, 409);
    let list = app
        .get("/api/v1/themes/library/proposals", None)
        .await
        .expect(200);
    assert!(list["items"].as_array().unwrap().is_empty(), "{list}");
    peer.server.abort();
}

both_databases!(
    posts_addressed_to_a_theme_become_proposals,
    visitors_follow_a_theme_from_their_own_server,
    authorized_fetch_requires_signed_gets,
    edits_withdrawals_and_phase_changes_reach_followers,
    replies_and_likes_from_the_fediverse,
    replies_follow_the_phase,
    a_remote_account_follows_a_theme_and_receives_new_ideas,
    unverifiable_requests_are_refused_with_401,
    blocked_instances_are_rejected,
    deliveries_wait_for_an_instance_that_is_down,
);
