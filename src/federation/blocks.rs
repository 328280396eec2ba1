//! Moderators' blocks on the wire. When a block of an account or an instance ends follows
//! of local actors, each followed actor sends the follower the `Reject` of its `Follow`,
//! exactly as it was received, so that the follower's server ends the follow too: group
//! software (Lemmy) does on a `Reject`. Mastodon-family servers end a follow they already
//! saw accepted only on a `Block` (GoToSocial keeps it after a `Reject`), so they also get
//! a `Block` from the followed actor, and its `Undo` when the block is lifted, after which
//! the account may follow again. Both reach the blocked side, which gets nothing else.

use super::keys::KeyOwner;
use super::software::readers;
use super::wire::block::{Block, block_id};
use super::wire::follow::ReceivedFollow;
use super::wire::reject::Reject;
use super::wire::undo::Undo;
use super::{Urls, delivery};
use crate::error::AppError;
use crate::services::moderation::{ActorBlocked, ActorUnblocked};
use crate::state::AppState;
use crate::storage::themes as theme_store;

/// The local actor a follow was of (`instance` or `theme`), with its key; `None` when it
/// no longer exists.
async fn followed_actor(
    state: &AppState,
    local_kind: &str,
    local_id: i64,
) -> Result<Option<(KeyOwner, String)>, AppError> {
    let urls = Urls::new(&state.config);
    match local_kind {
        "instance" => Ok(Some((KeyOwner::Instance, urls.instance_actor()))),
        "theme" => {
            let mut conn = state.db.acquire().await?;
            Ok(theme_store::find_theme(conn.ex(), local_id)
                .await?
                .map(|theme| (KeyOwner::Theme(local_id), urls.theme(&theme.slug))))
        }
        _ => Ok(None),
    }
}

/// Whether the software at `inbox` may end an accepted follow only on a `Block`: any but
/// group software (unknown software gets both forms of everything, and so a `Block` too).
async fn needs_block(state: &AppState, inbox: &str) -> Result<bool, AppError> {
    let split = readers(state, vec![inbox.to_string()]).await?;
    Ok(!split.objects.is_empty())
}

/// A block ended follows: each follower gets the `Reject` of its `Follow`, and software
/// that needs it a `Block`.
pub async fn follows_ended(
    state: &AppState,
    block: i64,
    blocked: &ActorBlocked,
) -> Result<(), AppError> {
    for ended in &blocked.ended {
        let Some((owner, local_actor)) =
            followed_actor(state, &ended.local_kind, ended.local_id).await?
        else {
            continue;
        };
        let follower = if ended.follower.is_empty() {
            blocked.actor.as_str()
        } else {
            ended.follower.as_str()
        };
        let follow = ended
            .follow
            .as_deref()
            .and_then(ReceivedFollow::from_stored)
            .unwrap_or_else(|| {
                // A follow kept before `Follow`s were: its id is not known, so one of this
                // side names it; peers find the follow by its two actors.
                ReceivedFollow::rebuilt(
                    &format!("{local_actor}/followers/{}", ended.follower_row),
                    follower,
                    &local_actor,
                )
            });
        let reject = Reject::of(&local_actor, follower, follow);
        delivery::enqueue_to_blocked(state, &ended.inbox, &reject, owner).await?;
        if needs_block(state, &ended.inbox).await? {
            let notice = notice_or_legacy(&ended.notice, block, ended.follower_row);
            let block = Block::of(block_id(&local_actor, &notice), &local_actor, follower);
            delivery::enqueue_to_blocked(state, &ended.inbox, &block, owner).await?;
        }
    }
    Ok(())
}

fn notice_or_legacy(notice: &str, block: i64, follower_row: i64) -> String {
    if notice.is_empty() {
        format!("{block}-{follower_row}")
    } else {
        notice.to_string()
    }
}

/// A block was lifted: each `Block` sent for it is undone, so that the account may follow
/// again and both sides agree it does not yet.
pub async fn block_lifted(state: &AppState, lifted: &ActorUnblocked) -> Result<(), AppError> {
    for notice in &lifted.notices {
        let Some((owner, local_actor)) =
            followed_actor(state, &notice.local_kind, notice.local_id).await?
        else {
            continue;
        };
        if !needs_block(state, &notice.inbox).await? {
            continue;
        }
        let block = Block::of(
            block_id(&local_actor, &notice.notice),
            &local_actor,
            &notice.follower,
        );
        let undo = Undo::of(&local_actor, block, &notice.follower);
        delivery::enqueue(state, std::slice::from_ref(&notice.inbox), &undo, owner).await?;
    }
    Ok(())
}
