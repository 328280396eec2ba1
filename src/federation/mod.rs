//! Federation: themes, residents and the municipality as ActivityPub actors; proposals and
//! comments as ActivityPub objects. The wire shapes are documented in `federation-spec/`.

pub mod activities;
pub mod actors;
pub mod answers;
pub mod authorized_fetch;
pub mod backfill;
pub mod backlinks;
pub mod blocks;
pub mod client;
pub mod collections;
pub mod delivery;
pub mod discovery;
pub mod discussion;
pub mod drafts;
pub mod following;
pub mod inbox;
pub mod interactions;
pub mod keys;
pub mod method_object;
pub mod methods;
pub mod municipality;
pub mod objects;
pub mod outbox;
pub mod phase_watch;
pub mod poll_question;
pub mod poll_votes;
pub mod publisher;
pub mod references;
pub mod remote_follow;
pub mod results;
pub mod routes;
pub mod signatures;
pub mod software;
pub mod wire;

use std::sync::Arc;
use std::time::Duration;

use axum::http::{HeaderMap, header};
use openssl::pkey::{PKey, Private};

use crate::config::Config;
use crate::error::AppError;
use crate::state::AppState;

pub use crate::domain::urls::Urls;

/// Federation's share of the application state: the outgoing client, key caches and the
/// wake-up signal of the delivery workers.
pub struct Federation {
    pub client: client::FederationClient,
    /// Parsed public keys of remote actors, by key id (parsing a PEM costs ~300 µs).
    pub public_keys: moka::future::Cache<String, Arc<actors::VerifiedKey>>,
    /// Parsed private keys of local actors.
    pub private_keys: moka::future::Cache<(&'static str, i64), Arc<PKey<Private>>>,
    /// Actor ids of local signers, for the `keyId` of outgoing signatures.
    pub signer_ids: moka::future::Cache<(&'static str, i64), String>,
    pub delivery_wakeup: tokio::sync::Notify,
    /// Stored remote actors, by actor id, for the inbox's every activity.
    pub remote_actors: moka::future::Cache<String, Arc<crate::storage::federation::RemoteActorRow>>,
    /// Actors being fetched or fetched a moment ago: requests that need the same actor at
    /// once wait on one fetch.
    pub actor_fetches: moka::future::Cache<String, Arc<crate::storage::federation::RemoteActorRow>>,
    /// Keys being fetched or fetched a moment ago, likewise.
    pub key_fetches: moka::future::Cache<String, Arc<actors::VerifiedKey>>,
    /// Held while a local actor's key pair is generated (see `keys::key_pair`).
    pub key_generation: tokio::sync::Mutex<()>,
    /// Delay before the first retry; doubles with each attempt.
    pub retry_base: Duration,
    /// How long an unreachable instance is skipped before it is tried again.
    pub probe_interval: Duration,
}

impl Federation {
    pub fn new(config: &Config) -> anyhow::Result<Self> {
        Ok(Self {
            client: client::FederationClient::new(config)?,
            public_keys: moka::future::Cache::builder()
                .max_capacity(50_000)
                .time_to_live(Duration::from_secs(24 * 3600))
                .build(),
            private_keys: moka::future::Cache::builder().max_capacity(10_000).build(),
            signer_ids: moka::future::Cache::builder()
                .max_capacity(10_000)
                .time_to_live(Duration::from_secs(600))
                .build(),
            delivery_wakeup: tokio::sync::Notify::new(),
            key_generation: tokio::sync::Mutex::new(()),
            remote_actors: moka::future::Cache::builder()
                .max_capacity(50_000)
                .time_to_live(Duration::from_secs(60))
                .build(),
            actor_fetches: moka::future::Cache::builder()
                .max_capacity(10_000)
                .time_to_live(Duration::from_secs(10))
                .build(),
            key_fetches: moka::future::Cache::builder()
                .max_capacity(10_000)
                .time_to_live(Duration::from_secs(10))
                .build(),
            retry_base: config.federation.retry_base,
            probe_interval: config.federation.probe_interval,
        })
    }

    /// A local actor's parsed private key, for signing.
    pub async fn private_key(
        state: &AppState,
        owner: keys::KeyOwner,
    ) -> Result<Arc<PKey<Private>>, AppError> {
        if let Some(found) = state.federation.private_keys.get(&owner.parts()).await {
            return Ok(found);
        }
        let pair = keys::key_pair(state, owner).await?;
        let key = Arc::new(
            signatures::parse_private_key(&pair.private_pem)
                .map_err(|e| AppError::Internal(anyhow::anyhow!("private key: {e}")))?,
        );
        state
            .federation
            .private_keys
            .insert(owner.parts(), key.clone())
            .await;
        Ok(key)
    }
}

pub const AS_CONTEXT: &str = "https://www.w3.org/ns/activitystreams";
pub const SECURITY_CONTEXT: &str = "https://w3id.org/security/v1";
pub const PUBLIC: &str = "https://www.w3.org/ns/activitystreams#Public";
/// The namespace of Hiroba's extension terms (see `federation-spec/context.jsonld`).
pub const HIROBA_NS: &str = "https://w3id.org/hiroba/ns#";
pub const ACTIVITY_JSON: &str = "application/activity+json";

/// The name of the municipality's own actor (FEP-2677 application actor).
pub const INSTANCE_ACTOR: &str = "city";

/// Whether a request asks for ActivityStreams JSON rather than a page: `application/activity+json`
/// or `application/ld+json` with the ActivityStreams profile, preferred over HTML.
pub fn wants_activity_json(headers: &HeaderMap) -> bool {
    let Some(accept) = headers.get(header::ACCEPT).and_then(|v| v.to_str().ok()) else {
        return false;
    };
    let mut best_json = -1.0_f32;
    let mut best_html = -1.0_f32;
    for part in accept.split(',') {
        let mut pieces = part.split(';').map(str::trim);
        let media = pieces.next().unwrap_or_default().to_ascii_lowercase();
        let params: Vec<&str> = pieces.collect();
        let quality = params
            .iter()
            .find_map(|p| p.strip_prefix("q=").and_then(|q| q.parse::<f32>().ok()))
            .unwrap_or(1.0);
        let is_as = media == ACTIVITY_JSON
            || (media == "application/ld+json"
                && params
                    .iter()
                    .any(|p| p.starts_with("profile=") && p.contains("activitystreams")));
        if is_as {
            best_json = best_json.max(quality);
        } else if media == "text/html" || media == "application/xhtml+xml" {
            best_html = best_html.max(quality);
        }
    }
    best_json > 0.0 && best_json >= best_html
}

#[cfg(test)]
mod tests {
    use super::*;

    fn accept(value: &str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert(header::ACCEPT, value.parse().unwrap());
        headers
    }

    #[test]
    fn content_negotiation_prefers_what_the_client_prefers() {
        assert!(wants_activity_json(&accept("application/activity+json")));
        assert!(wants_activity_json(&accept(
            "application/ld+json; profile=\"https://www.w3.org/ns/activitystreams\""
        )));
        assert!(wants_activity_json(&accept(
            "application/activity+json, application/ld+json"
        )));
        assert!(!wants_activity_json(&accept(
            "text/html,application/xhtml+xml,*/*;q=0.8"
        )));
        assert!(!wants_activity_json(&accept("application/ld+json")));
        assert!(!wants_activity_json(&accept(
            "text/html, application/activity+json;q=0.5"
        )));
        assert!(!wants_activity_json(&HeaderMap::new()));
    }
}
