//! Replies from the fediverse to a draft or a section of results: kept as comments on it,
//! once by the reply's id, shown on its page.

use super::objects::PostObject;
use crate::error::AppError;
use crate::services::discussion::{self, Topic};
use crate::state::AppState;
use crate::storage::federation::RemoteActorRow;

/// A reply (`Create` of a post in reply to a draft or result here).
pub async fn reply(
    state: &AppState,
    actor: &RemoteActorRow,
    post: &PostObject,
    topic: Topic,
) -> Result<(), AppError> {
    let body = post.kept_content();
    match discussion::from_fediverse(
        state,
        topic,
        actor.id,
        &post.id,
        &body,
        post.published_millis(),
    )
    .await?
    {
        Some(id) => {
            tracing::info!(comment = id, ?topic, from = %actor.actor_id, "reply from the fediverse kept");
        }
        None => {
            tracing::info!(object = %post.id, ?topic, "ignored a reply already kept or to nothing public here")
        }
    }
    Ok(())
}
