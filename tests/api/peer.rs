//! A fediverse server shaped like GoToSocial, for tests: its actor's `keyId` has no fragment
//! and answers with the owner's document without collections, its WebFinger refuses an
//! ActivityStreams `Accept` (406) and publishes no subscribe template, and it records what
//! reaches its inboxes. Documents come from `federation-spec/examples/` with the example
//! host names replaced by the test's addresses.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use hiroba::federation::signatures::{parse_private_key, sign_request};
use openssl::rsa::Rsa;
use serde_json::{Value, json};

use crate::federation::example;
use crate::helpers::TestApp;

/// What the example files call the hosts.
const EXAMPLE_PEER: &str = "https://gts.example";
const EXAMPLE_CITY: &str = "https://city.example";
const EXAMPLE_PEM: &str = "-----BEGIN PUBLIC KEY-----\nMIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAgg\n-----END PUBLIC KEY-----\n";
/// The account the GoToSocial examples are about.
pub const USER: &str = "kotoura_staff";

#[derive(Clone, Default)]
struct Shared {
    documents: Arc<Mutex<HashMap<String, Value>>>,
    /// (path, activity) of every POST.
    received: Arc<Mutex<Vec<(String, Value)>>>,
    /// The `Accept` header of every WebFinger request.
    webfinger_accepts: Arc<Mutex<Vec<String>>>,
    /// The software its NodeInfo names; none served when unset.
    software: Arc<Mutex<Option<String>>>,
    /// How its inboxes answer instead of 202: (status, body).
    refusal: Arc<Mutex<Option<(u16, String)>>>,
    /// How many times each document was fetched, by path.
    fetches: Arc<Mutex<HashMap<String, usize>>>,
}

pub struct GtsPeer {
    pub base: String,
    /// The city's base URL, as the app names itself.
    city: String,
    private_pem: String,
    public_pem: String,
    shared: Shared,
    server: tokio::task::JoinHandle<()>,
}

impl Drop for GtsPeer {
    fn drop(&mut self) {
        self.server.abort();
    }
}

impl GtsPeer {
    /// Starts the peer on `ip` (a loopback address of its own), serving the example actor.
    pub async fn start(ip: &str, city: &str) -> GtsPeer {
        let rsa = Rsa::generate(2048).unwrap();
        let listener = tokio::net::TcpListener::bind((ip, 0))
            .await
            .unwrap_or_else(|e| panic!("bind {ip}: {e}"));
        let base = format!("http://{}", listener.local_addr().unwrap());
        let shared = Shared::default();
        let peer = GtsPeer {
            base,
            city: city.to_string(),
            private_pem: String::from_utf8(rsa.private_key_to_pem().unwrap()).unwrap(),
            public_pem: String::from_utf8(rsa.public_key_to_pem().unwrap()).unwrap(),
            shared: shared.clone(),
            server: tokio::spawn(serve(listener, shared)),
        };
        // The key URL answers with the owner's document minus its collections.
        peer.serve_example(&format!("/users/{USER}/main-key"), "gotosocial-key.json");
        peer.serve_example(&format!("/users/{USER}"), "gotosocial-person.json");
        peer
    }

    /// An example file with its hosts and key replaced by this test's.
    pub fn example(&self, name: &str) -> Value {
        let mut document = example(name);
        self.localise(&mut document);
        document
    }

    fn localise(&self, value: &mut Value) {
        match value {
            Value::String(text) if text == EXAMPLE_PEM => *text = self.public_pem.clone(),
            Value::String(text) => {
                *text = text
                    .replace(EXAMPLE_PEER, &self.base)
                    .replace(EXAMPLE_CITY, &self.city)
            }
            Value::Array(items) => items.iter_mut().for_each(|v| self.localise(v)),
            Value::Object(map) => map.values_mut().for_each(|v| self.localise(v)),
            _ => {}
        }
    }

    pub fn serve_example(&self, path: &str, name: &str) {
        let document = self.example(name);
        self.serve(path, document);
    }

    pub fn serve(&self, path: &str, document: Value) {
        self.shared
            .documents
            .lock()
            .unwrap()
            .insert(path.to_string(), document);
    }

    pub fn actor_id(&self) -> String {
        format!("{}/users/{USER}", self.base)
    }

    pub fn handle(&self) -> String {
        format!("{USER}@{}", self.base.trim_start_matches("http://"))
    }

    pub fn key_id(&self) -> String {
        format!("{}/main-key", self.actor_id())
    }

    /// What reached the peer's inboxes, in order: (path, activity).
    pub fn received(&self) -> Vec<(String, Value)> {
        self.shared.received.lock().unwrap().clone()
    }

    /// Serves NodeInfo naming `software` (e.g. `lemmy`, `mastodon`).
    pub fn run_software(&self, software: &str) {
        *self.shared.software.lock().unwrap() = Some(software.to_string());
    }

    /// Makes every inbox POST answer `status` with `body`, as a peer that refuses.
    pub fn refuse_posts(&self, status: u16, body: &str) {
        *self.shared.refusal.lock().unwrap() = Some((status, body.to_string()));
    }

    /// How many times the document at `path` was fetched.
    pub fn fetches_of(&self, path: &str) -> usize {
        self.shared
            .fetches
            .lock()
            .unwrap()
            .get(path)
            .copied()
            .unwrap_or(0)
    }

    /// Serves one more account, `name`, Mastodon-style (its key id is its id with
    /// `#main-key`), with the peer's key; returns its actor id.
    pub fn add_account(&self, name: &str) -> String {
        let actor = format!("{}/users/{name}", self.base);
        self.serve(
            &format!("/users/{name}"),
            json!({
                "@context": ["https://www.w3.org/ns/activitystreams", "https://w3id.org/security/v1"],
                "id": actor,
                "type": "Person",
                "preferredUsername": name,
                "inbox": format!("{actor}/inbox"),
                "outbox": format!("{actor}/outbox"),
                "followers": format!("{actor}/followers"),
                "endpoints": {"sharedInbox": format!("{}/inbox", self.base)},
                "publicKey": {"id": format!("{actor}#main-key"), "owner": actor,
                              "publicKeyPem": self.public_pem},
            }),
        );
        actor
    }

    /// Posts `activity`, signed with the peer's key under the key id `key_id`.
    pub async fn post_signed_as(
        &self,
        app: &TestApp,
        key_id: &str,
        path: &str,
        activity: &Value,
    ) -> u16 {
        let url = url::Url::parse(&format!("{}{path}", app.address)).unwrap();
        let body = serde_json::to_vec(activity).unwrap();
        let key = parse_private_key(&self.private_pem).unwrap();
        let mut request = app
            .client
            .post(url.clone())
            .header("content-type", "application/activity+json");
        for (name, value) in sign_request(
            &key,
            key_id,
            &Method::POST,
            &url,
            Some(&body),
            jiff::Timestamp::now(),
        )
        .unwrap()
        {
            if name != "host" {
                request = request.header(name, HeaderValue::from_str(&value).unwrap());
            }
        }
        request
            .body(body)
            .send()
            .await
            .map_or(0, |r| r.status().as_u16())
    }

    pub fn webfinger_accepts(&self) -> Vec<String> {
        self.shared.webfinger_accepts.lock().unwrap().clone()
    }

    /// Posts `activity` to `path` on the app, signed as GoToSocial signs: hs2019 with
    /// `(request-target) host date digest` and a key id without a fragment.
    pub async fn post(&self, app: &TestApp, path: &str, activity: &Value) -> (u16, Value) {
        self.post_to(&app.client, &app.address, path, activity)
            .await
    }

    /// Posts a signed activity to a server at `base` (one not started in this process).
    pub async fn post_to(
        &self,
        client: &reqwest::Client,
        base: &str,
        path: &str,
        activity: &Value,
    ) -> (u16, Value) {
        let url = url::Url::parse(&format!("{base}{path}")).unwrap();
        let body = serde_json::to_vec(activity).unwrap();
        let key = parse_private_key(&self.private_pem).unwrap();
        let mut request = client
            .post(url.clone())
            .header("content-type", "application/activity+json");
        for (name, value) in sign_request(
            &key,
            &self.key_id(),
            &Method::POST,
            &url,
            Some(&body),
            jiff::Timestamp::now(),
        )
        .unwrap()
        {
            if name != "host" {
                request = request.header(name, HeaderValue::from_str(&value).unwrap());
            }
        }
        let Ok(response) = request.body(body).send().await else {
            return (0, Value::Null);
        };
        let status = response.status().as_u16();
        (status, response.json().await.unwrap_or(Value::Null))
    }

    /// Waits (up to 30 s) for an activity that satisfies `predicate`.
    pub async fn wait_for(&self, what: &str, predicate: impl Fn(&Value) -> bool) -> Value {
        for _ in 0..600 {
            if let Some((_, found)) = self.received().into_iter().find(|(_, a)| predicate(a)) {
                return found;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!(
            "the peer never received {what}; it got {:?}",
            self.received()
        );
    }

    /// Follows the app's theme `slug` through the shared inbox and waits for the Accept.
    pub async fn follow_theme(&self, app: &TestApp, slug: &str) {
        let follow = self.follow(&format!("{}/themes/{slug}", self.city), 1);
        let (status, body) = self.post(app, "/inbox", &follow).await;
        assert_eq!(status, 202, "{body}");
        self.wait_for("an Accept", |a| a["type"] == "Accept").await;
    }

    /// A `Follow` of `object` by the example account.
    pub fn follow(&self, object: &str, n: u32) -> Value {
        json!({
            "@context": "https://www.w3.org/ns/activitystreams",
            "id": format!("{}/users/{USER}/follow/{n}", self.base),
            "type": "Follow",
            "actor": self.actor_id(),
            "object": object,
        })
    }
}

async fn serve(listener: tokio::net::TcpListener, shared: Shared) {
    #[derive(serde::Deserialize)]
    struct Resource {
        resource: Option<String>,
    }
    async fn webfinger(
        State(s): State<Shared>,
        headers: HeaderMap,
        Query(q): Query<Resource>,
    ) -> Response {
        let accept = headers
            .get("accept")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_string();
        s.webfinger_accepts.lock().unwrap().push(accept.clone());
        if accept.contains("activity+json") {
            return StatusCode::NOT_ACCEPTABLE.into_response();
        }
        let Some(user) = q
            .resource
            .as_deref()
            .and_then(|r| r.strip_prefix("acct:"))
            .and_then(|r| r.split('@').next())
            .filter(|u| *u == USER)
        else {
            return StatusCode::NOT_FOUND.into_response();
        };
        let host = headers
            .get("host")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default();
        let actor = format!("http://{host}/users/{user}");
        axum::Json(json!({
            "subject": format!("acct:{user}@{host}"),
            "aliases": [actor, format!("http://{host}/@{user}")],
            "links": [
                {"rel": "http://webfinger.net/rel/profile-page", "type": "text/html", "href": format!("http://{host}/@{user}")},
                {"rel": "self", "type": "application/activity+json", "href": actor}
            ]
        }))
        .into_response()
    }
    async fn document(State(s): State<Shared>, uri: Uri) -> Response {
        *s.fetches
            .lock()
            .unwrap()
            .entry(uri.path().to_string())
            .or_default() += 1;
        match s.documents.lock().unwrap().get(uri.path()) {
            Some(document) => {
                let mut response = axum::Json(document.clone()).into_response();
                response.headers_mut().insert(
                    "content-type",
                    HeaderValue::from_static("application/activity+json"),
                );
                response
            }
            None => StatusCode::NOT_FOUND.into_response(),
        }
    }
    async fn inbox(State(s): State<Shared>, uri: Uri, headers: HeaderMap, body: Bytes) -> Response {
        if !headers.contains_key("signature") {
            return StatusCode::UNAUTHORIZED.into_response();
        }
        let activity = serde_json::from_slice(&body).unwrap_or(Value::Null);
        s.received
            .lock()
            .unwrap()
            .push((uri.path().to_string(), activity));
        match s.refusal.lock().unwrap().clone() {
            Some((status, body)) => (StatusCode::from_u16(status).unwrap(), body).into_response(),
            None => StatusCode::ACCEPTED.into_response(),
        }
    }
    async fn nodeinfo_links(State(s): State<Shared>, headers: HeaderMap) -> Response {
        let host = headers
            .get("host")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default();
        if s.software.lock().unwrap().is_none() {
            return StatusCode::NOT_FOUND.into_response();
        }
        axum::Json(json!({"links": [{
            "rel": "http://nodeinfo.diaspora.software/ns/schema/2.0",
            "href": format!("http://{host}/nodeinfo/2.0"),
        }]}))
        .into_response()
    }
    async fn nodeinfo(State(s): State<Shared>) -> Response {
        let Some(software) = s.software.lock().unwrap().clone() else {
            return StatusCode::NOT_FOUND.into_response();
        };
        axum::Json(json!({
            "version": "2.0",
            "software": {"name": software, "version": "1.0.0"},
            "protocols": ["activitypub"],
            "services": {"inbound": [], "outbound": []},
            "openRegistrations": false,
            "usage": {"users": {"total": 1}},
            "metadata": {},
        }))
        .into_response()
    }
    let app =
        Router::new()
            .route("/.well-known/webfinger", get(webfinger))
            .route("/.well-known/nodeinfo", get(nodeinfo_links))
            .route("/nodeinfo/2.0", get(nodeinfo))
            .fallback(
                |state: State<Shared>,
                 method: Method,
                 uri: Uri,
                 headers: HeaderMap,
                 body: Bytes| async move {
                    if method == Method::POST {
                        inbox(state, uri, headers, body).await
                    } else {
                        document(state, uri).await
                    }
                },
            )
            .with_state(shared);
    let _ = axum::serve(listener, app).await;
}
