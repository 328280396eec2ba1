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
}
