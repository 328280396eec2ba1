//! What services must ask the fediverse while a user waits (which actor does this address
//! name?), as a trait the federation face implements and the state holds, so that services
//! never import the face.

use std::future::Future;
use std::pin::Pin;

use crate::error::AppError;
use crate::state::AppState;
use crate::storage::federation::RemoteActorRow;

/// A lookup in progress.
pub type Lookup<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

pub trait ActorDirectory: Send + Sync {
    /// The remote actor that staff typed (its URL, or `name@host` looked up by WebFinger),
    /// fetched and stored. Failures are field errors on `actor`.
    fn resolve<'a>(
        &'a self,
        state: &'a AppState,
        typed: &'a str,
    ) -> Lookup<'a, Result<RemoteActorRow, AppError>>;

    /// The actor URL that a handle (`user@host`) names, or why it could not be found.
    fn actor_of_handle<'a>(
        &'a self,
        state: &'a AppState,
        handle: &'a str,
    ) -> Lookup<'a, Result<String, String>>;

    /// What another instance's theme, proposal or method at `url` shows now (a signed
    /// fetch within the size and time limits, refusing private addresses).
    fn snapshot<'a>(
        &'a self,
        state: &'a AppState,
        url: &'a str,
    ) -> Lookup<'a, Result<Snapshot, SnapshotError>>;
}

/// What a referenced object shows.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Snapshot {
    /// Its id, as the origin names it.
    pub id: String,
    /// `Group` (a theme), `Page` (a proposal) or `Method`.
    pub kind: String,
    pub title: String,
    /// The municipality's name, from its NodeInfo.
    pub municipality: Option<String>,
    /// The name of the phase running there.
    pub phase: Option<String>,
    pub status: Option<String>,
    pub idea_count: Option<i64>,
    /// When it last changed at the origin (RFC 3339).
    pub changed_at: Option<String>,
    /// Its page for people.
    pub url: Option<String>,
    /// The actor that speaks for it: a theme's `Group` itself, or the one it is attributed
    /// to (told when something here references it).
    pub actor: Option<String>,
}

/// Why a referenced object could not be read.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum SnapshotError {
    #[error("this address is not allowed (private or local)")]
    Refused,
    /// The address's scheme is not one this server reaches other servers by.
    #[error("this address starts with {0}://; other servers are reached over https only")]
    Scheme(String),
    #[error("the document is too large")]
    TooLarge,
    #[error("this is not an ActivityPub theme, proposal or method")]
    NotActivityPub,
    #[error("the origin says it was removed")]
    Removed,
    /// The server answered with this status, or (`None`) could not be reached at all.
    #[error("the server could not be reached (status {0:?})")]
    Unreachable(Option<u16>),
}
