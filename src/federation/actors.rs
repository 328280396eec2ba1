//! Remote actors and their public keys: fetched on demand with a signed GET, stored, kept
//! in memory, refreshed when stale or when a signature fails (keys rotate).

use std::sync::Arc;

use axum::http::Method;
use openssl::pkey::{PKey, Public};
use serde_json::Value;

use super::client::FetchError;
use super::keys::KeyOwner;
use super::objects::Actor;
use super::signatures::{parse_public_key, sign_request, verify};
use super::{Federation, Urls};
use crate::error::AppError;
use crate::state::AppState;
use crate::storage::federation::{self as store, RemoteActorRow};
use crate::storage::now_millis;

/// How long a stored remote actor is trusted before it is fetched again.
const STALE_AFTER_MS: i64 = 24 * 3600 * 1000;

#[derive(Debug, thiserror::Error)]
pub enum ActorError {
    #[error("cannot fetch {0}: {1}")]
    Fetch(String, FetchError),
    #[error("{0} is not a usable actor: {1}")]
    Invalid(String, String),
    #[error(transparent)]
    App(#[from] AppError),
    /// A fetch that another request made for this one failed.
    #[error("{0}")]
    Shared(String),
}

impl From<sqlx::Error> for ActorError {
    fn from(e: sqlx::Error) -> Self {
        ActorError::App(e.into())
    }
}

/// A public key known to belong to an actor.
pub struct VerifiedKey {
    pub key: PKey<Public>,
    pub owner: String,
    /// Where the owner takes deliveries: its own inbox.
    pub inbox: String,
}

/// Whether an actor fetched to check a request is stored. A request refused by a block
/// leaves nothing behind: its actor is kept only while the request is answered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Keep {
    Stored,
    Unstored,
}

pub fn host_of(url: &str) -> Option<String> {
    url::Url::parse(url).ok().and_then(|u| {
        u.host_str().map(|h| match u.port() {
            Some(p) => format!("{h}:{p}"),
            None => h.to_string(),
        })
    })
}

fn strip_fragment(id: &str) -> &str {
    id.split('#').next().unwrap_or(id)
}

/// A signed GET with the municipality's key, for servers that require authorized fetch.
pub async fn signed_get(state: &AppState, url: &str) -> Result<(url::Url, Value), FetchError> {
    let parsed = url::Url::parse(url).map_err(|e| FetchError::Refused(e.to_string()))?;
    let headers = match instance_private_key(state).await {
        Ok(key) => {
            let key_id = Urls::key_id(&Urls::new(&state.config).instance_actor());
            sign_request(
                &key,
                &key_id,
                &Method::GET,
                &parsed,
                None,
                jiff::Timestamp::now(),
            )
            .unwrap_or_default()
        }
        Err(_) => Vec::new(),
    };
    state.federation.client.get_json(&parsed, headers).await
}

async fn instance_private_key(
    state: &AppState,
) -> Result<Arc<PKey<openssl::pkey::Private>>, AppError> {
    Federation::private_key(state, KeyOwner::Instance).await
}

fn to_row(actor: Actor, fetched_from: &url::Url) -> Result<RemoteActorRow, String> {
    let key = actor.public_key.ok_or("no publicKey")?;
    let actor_host = host_of(&actor.id).ok_or("id is not a URL")?;
    let from_host = fetched_from.host_str().map(|h| match fetched_from.port() {
        Some(p) => format!("{h}:{p}"),
        None => h.to_string(),
    });
    // Same origin: the document must come from the host that names it.
    if Some(&actor_host) != from_host.as_ref() {
        return Err(format!("served by {from_host:?} but claims {actor_host}"));
    }
    if host_of(&key.owner).as_ref() != Some(&actor_host)
        || host_of(&key.id).as_ref() != Some(&actor_host)
    {
        return Err("the key belongs to another host".into());
    }
    parse_public_key(&key.public_key_pem).map_err(|e| e.to_string())?;
    Ok(RemoteActorRow {
        domain: actor_host,
        kind: actor.kind,
        preferred_username: actor.preferred_username,
        name: actor.name,
        url: actor.url,
        inbox: actor.inbox,
        shared_inbox: actor.endpoints.and_then(|e| e.shared_inbox),
        key_id: key.id,
        public_key_pem: key.public_key_pem,
        actor_id: actor.id,
        fetched_at: now_millis(),
        id: 0,
    })
}

/// The remote actor, from the database when fresh, else fetched.
pub async fn actor(
    state: &AppState,
    actor_id: &str,
    refresh: bool,
) -> Result<RemoteActorRow, ActorError> {
    if !refresh {
        if let Some(row) = state.federation.remote_actors.get(actor_id).await
            && now_millis() - row.fetched_at < STALE_AFTER_MS
        {
            return Ok((*row).clone());
        }
        let mut conn = state.db.acquire().await.map_err(AppError::from)?;
        if let Some(row) = store::remote_actor(conn.ex(), actor_id).await?
            && now_millis() - row.fetched_at < STALE_AFTER_MS
        {
            remember(state, &row).await;
            return Ok(row);
        }
    }
    if refresh {
        state.federation.actor_fetches.invalidate(actor_id).await;
    }
    // Requests that need the same actor at once wait on one fetch.
    state
        .federation
        .actor_fetches
        .try_get_with(actor_id.to_string(), async {
            fetch_actor(state, actor_id, None, Keep::Stored)
                .await
                .map(Arc::new)
        })
        .await
        .map(|row| (*row).clone())
        .map_err(|e| ActorError::Shared(e.to_string()))
}

/// Fetches a remote actor and (unless `keep` says not) stores it; `want_key` is the key to
/// keep when the actor publishes several.
async fn fetch_actor(
    state: &AppState,
    actor_id: &str,
    want_key: Option<&str>,
    keep: Keep,
) -> Result<RemoteActorRow, ActorError> {
    let (final_url, document) = signed_get(state, actor_id)
        .await
        .map_err(|e| ActorError::Fetch(actor_id.to_string(), e))?;
    actor_from_document(state, actor_id, &final_url, document, want_key, keep).await
}

/// Reads a fetched actor document, checks that it is the actor's own, and (unless `keep`
/// says not) stores it.
async fn actor_from_document(
    state: &AppState,
    actor_id: &str,
    final_url: &url::Url,
    mut document: Value,
    want_key: Option<&str>,
    keep: Keep,
) -> Result<RemoteActorRow, ActorError> {
    if let Some(key_id) = want_key {
        prefer_key(&mut document, key_id);
    }
    let parsed: Actor = serde_path_to_error::deserialize(document)
        .map_err(|e| ActorError::Invalid(actor_id.to_string(), e.to_string()))?;
    if strip_fragment(&parsed.id) != strip_fragment(actor_id)
        && host_of(&parsed.id) != host_of(actor_id)
    {
        return Err(ActorError::Invalid(
            actor_id.to_string(),
            "the document has another id".into(),
        ));
    }
    let row =
        to_row(parsed, final_url).map_err(|e| ActorError::Invalid(actor_id.to_string(), e))?;
    if keep == Keep::Unstored {
        return Ok(row);
    }
    let mut conn = state.db.acquire().await.map_err(AppError::from)?;
    store::upsert_remote_actor(conn.ex(), &row).await?;
    let stored = store::remote_actor(conn.ex(), &row.actor_id)
        .await?
        .ok_or_else(|| {
            ActorError::Invalid(actor_id.to_string(), "vanished after storing".into())
        })?;
    remember(state, &stored).await;
    Ok(stored)
}

async fn remember(state: &AppState, row: &RemoteActorRow) {
    state
        .federation
        .remote_actors
        .insert(row.actor_id.clone(), Arc::new(row.clone()))
        .await;
}

/// The owner named by the key `key_id` in a fetched document: an entry of its `publicKey`
/// (one key or a list) whose id is the key id, or the document itself when it is that key.
fn key_owner(document: &Value, key_id: &str) -> Option<String> {
    let owner_of = |key: &Value| {
        (key.get("id").and_then(Value::as_str) == Some(key_id))
            .then(|| key.get("owner").and_then(Value::as_str).map(str::to_string))
            .flatten()
    };
    let published = match document.get("publicKey") {
        Some(Value::Array(keys)) => keys.iter().find_map(owner_of),
        Some(key) => owner_of(key),
        None => None,
    };
    published.or_else(|| owner_of(document))
}

/// Puts the key `key_id` first in an actor's list of keys, so that it is the one kept.
fn prefer_key(document: &mut Value, key_id: &str) {
    if let Some(Value::Array(keys)) = document.get_mut("publicKey")
        && let Some(at) = keys
            .iter()
            .position(|k| k.get("id").and_then(Value::as_str) == Some(key_id))
    {
        keys.swap(0, at);
    }
}

/// The key a signature names, with the actor that owns it.
pub async fn key(
    state: &AppState,
    key_id: &str,
    refresh: bool,
) -> Result<Arc<VerifiedKey>, ActorError> {
    if !refresh {
        if let Some(found) = state.federation.public_keys.get(key_id).await {
            return Ok(found);
        }
        let mut conn = state.db.acquire().await.map_err(AppError::from)?;
        if let Some(row) = store::remote_actor_by_key(conn.ex(), key_id).await?
            && let Ok(key) = parse_public_key(&row.public_key_pem)
        {
            let verified = Arc::new(VerifiedKey {
                key,
                owner: row.actor_id,
                inbox: row.inbox,
            });
            state
                .federation
                .public_keys
                .insert(key_id.to_string(), verified.clone())
                .await;
            return Ok(verified);
        }
    } else {
        state.federation.key_fetches.invalidate(key_id).await;
    }
    // Requests signed with the same new key at once (a thousand votes from new accounts of
    // one server) wait on one fetch.
    let verified = state
        .federation
        .key_fetches
        .try_get_with(key_id.to_string(), async {
            fetch_key(state, key_id, Keep::Stored).await.map(Arc::new)
        })
        .await
        .map_err(|e| ActorError::Shared(e.to_string()))?;
    state
        .federation
        .public_keys
        .insert(key_id.to_string(), verified.clone())
        .await;
    Ok(verified)
}

/// Fetches the key `key_id` and its owner. The key id is the actor's URL with a fragment
/// (Mastodon) or a URL of its own that answers with the owner's actor document
/// (GoToSocial: without its collections) or with a bare key naming its owner. Either way
/// the key is the entry whose id is the key id. When the document fetched is the owner's
/// own, it is read as the actor: the owner is fetched once, not twice.
async fn fetch_key(state: &AppState, key_id: &str, keep: Keep) -> Result<VerifiedKey, ActorError> {
    let url = strip_fragment(key_id);
    let (final_url, document) = signed_get(state, url)
        .await
        .map_err(|e| ActorError::Fetch(url.to_string(), e))?;
    let owner = key_owner(&document, key_id).ok_or_else(|| {
        ActorError::Invalid(
            url.to_string(),
            format!("the document publishes no key {key_id}"),
        )
    })?;
    if host_of(&owner) != host_of(key_id) {
        return Err(ActorError::Invalid(
            key_id.to_string(),
            "the key's owner is on another host".into(),
        ));
    }
    let is_owner = document.get("id").and_then(Value::as_str) == Some(owner.as_str())
        && document.get("inbox").is_some_and(Value::is_string);
    let row = if is_owner {
        actor_from_document(state, &owner, &final_url, document, Some(key_id), keep).await?
    } else {
        fetch_actor(state, &owner, Some(key_id), keep).await?
    };
    if row.key_id != key_id {
        return Err(ActorError::Invalid(
            key_id.to_string(),
            "the actor does not publish this key".into(),
        ));
    }
    let key = parse_public_key(&row.public_key_pem)
        .map_err(|e| ActorError::Invalid(key_id.to_string(), e.to_string()))?;
    Ok(VerifiedKey {
        key,
        owner: row.actor_id,
        inbox: row.inbox,
    })
}

/// Checks the HTTP signature of an incoming request (RFC 9421 when it carries
/// `Signature-Input`, else draft-cavage) and returns the key that made it. The key is
/// fetched again once when the signature fails, since keys rotate. The error says why, for
/// a 401 answer.
pub async fn verify_request(
    state: &AppState,
    method: &axum::http::Method,
    path_and_query: &str,
    headers: &axum::http::HeaderMap,
    body: &[u8],
) -> Result<Arc<VerifiedKey>, String> {
    let (key_id, text, signature) = signed_text(state, method, path_and_query, headers, body)?;
    let cached = key(state, &key_id, false)
        .await
        .map_err(|e| format!("unknown key: {e}"))?;
    if verify(&cached.key, &text, &signature).is_ok() {
        return Ok(cached);
    }
    match key(state, &key_id, true).await {
        Ok(fresh) if verify(&fresh.key, &text, &signature).is_ok() => Ok(fresh),
        _ => Err("the signature does not verify".into()),
    }
}

/// Checks a request's signature with its key fetched now and kept nowhere: for a request
/// from a blocked actor or instance that is answered (a `Follow`, with a `Reject`) but leaves
/// nothing stored.
pub async fn verify_request_unstored(
    state: &AppState,
    method: &axum::http::Method,
    path_and_query: &str,
    headers: &axum::http::HeaderMap,
    body: &[u8],
) -> Result<VerifiedKey, String> {
    let (key_id, text, signature) = signed_text(state, method, path_and_query, headers, body)?;
    let fetched = fetch_key(state, &key_id, Keep::Unstored)
        .await
        .map_err(|e| format!("unknown key: {e}"))?;
    verify(&fetched.key, &text, &signature).map_err(|_| "the signature does not verify")?;
    Ok(fetched)
}

/// The key id, the signed text and the signature of a request.
fn signed_text(
    state: &AppState,
    method: &axum::http::Method,
    path_and_query: &str,
    headers: &axum::http::HeaderMap,
    body: &[u8],
) -> Result<(String, String, Vec<u8>), String> {
    use super::signatures::{SignatureError, prepare_rfc9421, prepare_verification};
    let now = jiff::Timestamp::now();
    let prepared = if headers.contains_key("signature-input") {
        // The URL the sender addressed: the public scheme and the Host it named.
        let host = headers
            .get("host")
            .and_then(|v| v.to_str().ok())
            .unwrap_or(&state.config.domain);
        match url::Url::parse(&format!(
            "{}://{host}{path_and_query}",
            state.config.scheme.as_str()
        )) {
            Ok(target) => prepare_rfc9421(method, &target, headers, body, now),
            Err(_) => Err(SignatureError::Malformed("bad target".into())),
        }
    } else {
        prepare_verification(method, path_and_query, headers, body, now)
            .map(|(s, text)| (s.key_id, text, s.signature))
    };
    prepared.map_err(|e| e.to_string())
}
