//! The federation publisher, the event log's first consumer: it turns each event into the
//! activities the theme's followers must get and queues their deliveries. Each queued
//! activity is named by its event and its place in that event's publication, so publishing
//! an event again after a crash queues only what had not been queued yet.

use std::sync::atomic::{AtomicI32, Ordering};

use crate::error::AppError;
use crate::services::events::{Event, EventConsumer, EventKind};
use crate::services::{comments, proposals};
use crate::state::AppState;

use super::{following, outbox};

pub struct Publisher;

/// The event being published, and how many activities its publication has queued so far.
pub struct Publication {
    pub event_id: i64,
    next_part: AtomicI32,
}

impl Publication {
    fn new(event_id: i64) -> Self {
        Self {
            event_id,
            next_part: AtomicI32::new(0),
        }
    }

    /// The place of the next activity queued for this event.
    pub fn next_part(&self) -> i32 {
        self.next_part.fetch_add(1, Ordering::Relaxed)
    }
}

tokio::task_local! {
    /// Set while the publisher handles an event, for `delivery::enqueue` to name what it
    /// queues; the outbox functions between them need not carry it.
    pub static PUBLICATION: Publication;
}

impl EventConsumer for Publisher {
    const NAME: &'static str = "federation_publisher";

    async fn handle(&self, state: &AppState, event: &Event) -> Result<(), AppError> {
        PUBLICATION
            .scope(Publication::new(event.id), publish(state, event))
            .await
    }
}

async fn publish(state: &AppState, event: &Event) -> Result<(), AppError> {
    let id = event.subject_id;
    match event.kind {
        // Withdrawn or hidden again before it was published: nothing to announce.
        EventKind::ProposalCreated | EventKind::ProposalRestored => {
            if let Some(view) = still_published(state, id).await? {
                outbox::proposal_created(state, &view).await?;
            }
        }
        EventKind::ProposalUpdated => {
            if let Some(view) = still_published(state, id).await? {
                outbox::proposal_updated(state, &view).await?;
            }
        }
        EventKind::ProposalWithdrawn | EventKind::ProposalHidden => {
            if let Some(view) = proposals::as_published(state, id).await? {
                outbox::proposal_removed(state, &view).await?;
            }
        }
        EventKind::CommentCreated => {
            if let Some((proposal, comment, Some(author))) =
                comments::as_published(state, id).await?
                && comment.status == comments::CommentStatus::Published
            {
                outbox::comment_created(state, &proposal, &comment, author).await?;
            }
        }
        EventKind::CommentUpdated | EventKind::CommentRemoved => {
            if let Some((proposal, comment, _)) = comments::as_published(state, id).await? {
                let removed = event.kind == EventKind::CommentRemoved;
                outbox::comment_changed(state, &proposal, &comment, removed).await?;
            }
        }
        EventKind::ThemeChanged => {
            let mut conn = state.db.acquire().await?;
            let theme = crate::storage::themes::find_theme(conn.ex(), id).await?;
            drop(conn);
            if let Some(theme) = theme {
                outbox::theme_updated(state, &theme.slug).await?;
            }
        }
        EventKind::FollowRequested => following::send_follow(state, id).await?,
        EventKind::FollowEnded => following::send_unfollow(state, &event.payload_as()?).await?,
        EventKind::RemotePostSupported => {
            following::send_like(state, id, &event.payload_as()?).await?
        }
        EventKind::RemotePostSupportWithdrawn => {
            following::send_undo_like(state, id, &event.payload_as()?).await?
        }
        EventKind::RemotePostReplied => following::send_reply(state, id).await?,
        EventKind::ActorBlocked => {
            outbox::reject_blocked_follower(state, &event.payload_as()?).await?
        }
    }
    Ok(())
}

/// The proposal, if it exists and is neither withdrawn nor hidden now.
async fn still_published(
    state: &AppState,
    id: i64,
) -> Result<Option<proposals::ProposalView>, AppError> {
    Ok(proposals::as_published(state, id)
        .await?
        .filter(|view| view.status == proposals::ContentStatus::Published))
}
