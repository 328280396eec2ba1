//! RSA key pairs of local actors, made with OpenSSL on first use and kept in the database
//! so that every process sharing it signs with the same key.

use openssl::rsa::Rsa;

use crate::error::AppError;
use crate::state::AppState;
use crate::storage::{federation as store, now_millis};

/// Whose key pair it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyOwner {
    Instance,
    Theme(i64),
    User(i64),
    Pseudonym(i64),
}

impl KeyOwner {
    pub fn from_parts(kind: &str, id: i64) -> Option<KeyOwner> {
        match kind {
            "instance" => Some(KeyOwner::Instance),
            "theme" => Some(KeyOwner::Theme(id)),
            "user" => Some(KeyOwner::User(id)),
            "pseudonym" => Some(KeyOwner::Pseudonym(id)),
            _ => None,
        }
    }

    pub fn parts(self) -> (&'static str, i64) {
        match self {
            KeyOwner::Instance => ("instance", 0),
            KeyOwner::Theme(id) => ("theme", id),
            KeyOwner::User(id) => ("user", id),
            KeyOwner::Pseudonym(id) => ("pseudonym", id),
        }
    }
}

pub struct KeyPair {
    pub public_pem: String,
    pub private_pem: String,
}

fn generate() -> Result<(String, String), AppError> {
    let internal = |e: openssl::error::ErrorStack| {
        AppError::Internal(anyhow::anyhow!("RSA key generation: {e}"))
    };
    let rsa = Rsa::generate(2048).map_err(internal)?;
    let public = String::from_utf8(rsa.public_key_to_pem().map_err(internal)?)
        .map_err(|e| AppError::Internal(e.into()))?;
    let private = String::from_utf8(rsa.private_key_to_pem().map_err(internal)?)
        .map_err(|e| AppError::Internal(e.into()))?;
    Ok((public, private))
}

async fn stored_pair(state: &AppState, kind: &str, id: i64) -> Result<Option<KeyPair>, AppError> {
    let mut conn = state.db.acquire().await?;
    Ok(store::key_pair(conn.ex(), kind, id, None, 0)
        .await?
        .map(|(public_pem, private_pem)| KeyPair {
            public_pem,
            private_pem,
        }))
}

/// The actor's key pair, generated (off the async threads) the first time it is needed.
pub async fn key_pair(state: &AppState, owner: KeyOwner) -> Result<KeyPair, AppError> {
    let (kind, id) = owner.parts();
    if let Some(found) = stored_pair(state, kind, id).await? {
        return Ok(found);
    }
    // One generation at a time in this process: a new theme's first delivery starts many
    // sends at once, and each would otherwise make (and throw away) a key of its own.
    let _generating = state.federation.key_generation.lock().await;
    if let Some(found) = stored_pair(state, kind, id).await? {
        return Ok(found);
    }
    let (public, private) = tokio::task::spawn_blocking(generate)
        .await
        .map_err(|e| AppError::Internal(e.into()))??;
    let mut conn = state.db.acquire().await?;
    let (public_pem, private_pem) =
        store::key_pair(conn.ex(), kind, id, Some((&public, &private)), now_millis())
            .await?
            .ok_or_else(|| AppError::Internal(anyhow::anyhow!("key pair vanished after insert")))?;
    Ok(KeyPair {
        public_pem,
        private_pem,
    })
}
