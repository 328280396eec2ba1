//! Votes on a theme's poll from the fediverse (FEP-9967): a `Create` of a `Note` with a
//! `name` (the chosen option) in reply to the `Question`. Mastodon and GoToSocial send one
//! `Create` per chosen option; an activity carrying several such `Note`s is read as several
//! votes. Refusals (closed, no such option, a second vote) answer the sender with a 4xx.

use crate::msg;
use serde_json::Value;

use super::Urls;
use super::objects::id_in;
use crate::error::AppError;
use crate::services::polls::{self, VoteOutcome};
use crate::state::AppState;
use crate::storage::federation::RemoteActorRow;

/// What a vote is: a `Note` (Mastodon, GoToSocial, Misskey) or an `Answer` (as some servers
/// keep them).
const VOTE_TYPES: [&str; 2] = ["Note", "Answer"];

/// The local poll (its question id) a vote `Note` answers, if the object is one: a `Note`
/// with a `name` whose `inReplyTo` is a poll of this server.
pub fn voted_poll(urls: &Urls, object: &Value) -> Option<i64> {
    let is_note = match object.get("type") {
        Some(Value::String(kind)) => VOTE_TYPES.contains(&kind.as_str()),
        Some(Value::Array(kinds)) => kinds
            .iter()
            .any(|k| k.as_str().is_some_and(|k| VOTE_TYPES.contains(&k))),
        _ => false,
    };
    if !is_note || !object.get("name").is_some_and(Value::is_string) {
        return None;
    }
    let target = object.get("inReplyTo").and_then(id_in)?;
    let rest = target
        .strip_prefix(urls.base())?
        .strip_prefix("/surveys/")?;
    let (survey, question) = rest.split_once("/questions/")?;
    survey.parse::<i64>().ok()?;
    question.parse().ok()
}

/// Counts a vote `Note` from `actor` on the poll of `question_id`.
pub async fn received(
    state: &AppState,
    actor: &RemoteActorRow,
    object: &Value,
    question_id: i64,
) -> Result<(), AppError> {
    let voter = object.get("attributedTo").and_then(id_in);
    if voter != Some(actor.actor_id.as_str()) {
        return Err(AppError::invalid(
            "object",
            "attribution",
            msg!("error-wire-vote-attribution"),
        ));
    }
    let choice = object
        .get("name")
        .and_then(Value::as_str)
        .unwrap_or_default();
    match polls::vote(state, actor, question_id, choice).await {
        Ok(VoteOutcome::Counted | VoteOutcome::AlreadyCounted) => Ok(()),
        Err(AppError::NotFound(_)) => Err(AppError::NotFound("poll")),
        Err(e) => {
            tracing::info!(question = question_id, from = %actor.actor_id, reason = %e, "refused a fediverse vote");
            Err(e)
        }
    }
}
