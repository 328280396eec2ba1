//! The federation publisher, the event log's first consumer: it turns each event into the
//! activities that followers and other servers must get, and queues all their deliveries
//! in one transaction together with its new position in the log. A crash before that
//! commit leaves nothing queued, a crash after it leaves nothing to do: each event is
//! published exactly once. Each activity is also named by its event and its place in that
//! event's publication, so that two processes that both published an event (one of them
//! after losing its lock) cannot both queue it.

use std::sync::Mutex;

use crate::error::AppError;
use crate::services::events::{Event, EventConsumer, EventKind, Progress};
use crate::services::{comments, proposals};
use crate::state::AppState;

use super::delivery::{self, Prepared};
use super::wire::create::CreateOrUpdateType::{Create, Update};
use super::{following, methods, municipality, outbox};

pub struct Publisher;

/// The activities prepared so far for the event being published.
pub struct Publication {
    prepared: Mutex<Vec<Prepared>>,
}

impl Publication {
    fn new() -> Self {
        Self {
            prepared: Mutex::new(Vec::new()),
        }
    }

    /// Keeps an activity to queue when the event's publication is complete.
    pub fn add(&self, prepared: Prepared) {
        if let Ok(mut all) = self.prepared.lock() {
            all.push(prepared);
        }
    }

    fn take(&self) -> Vec<Prepared> {
        self.prepared
            .lock()
            .map(|mut all| std::mem::take(&mut *all))
            .unwrap_or_default()
    }
}

tokio::task_local! {
    /// Set while the publisher handles an event: `delivery::enqueue` then adds what it would
    /// queue to the publication instead, and the outbox functions between need not carry it.
    pub static PUBLICATION: Publication;
}

impl EventConsumer for Publisher {
    const NAME: &'static str = "federation_publisher";

    async fn handle(
        &self,
        state: &AppState,
        event: &Event,
        progress: &Progress,
    ) -> Result<(), AppError> {
        let prepared = PUBLICATION
            .scope(Publication::new(), async {
                publish(state, event).await?;
                Ok::<_, AppError>(PUBLICATION.with(Publication::take))
            })
            .await?;
        delivery::queue_publication(state, event.id, prepared, progress).await
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
        EventKind::ProposalAnswered => super::answers::proposal_answered(state, id).await?,
        // Told on the site only (the notifier); nothing for the fediverse.
        EventKind::ProposalThresholdReached => {}
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
        EventKind::ThemeChanged | EventKind::ThemePhaseChanged => {
            // The phase watcher records the new state before it writes the event.
            let by_date = event.kind == EventKind::ThemePhaseChanged;
            if let Some((update, changed)) = outbox::theme_updated(state, id).await?
                && (changed || by_date)
            {
                municipality::theme_phase_changed(state, update).await?;
            }
        }
        EventKind::ThemeOpened => municipality::theme_opened(state, id).await?,
        EventKind::ThemeRemoved => municipality::theme_removed(state, id).await?,
        EventKind::ResultPublished => super::results::result_changed(state, id, Create).await?,
        EventKind::ResultUpdated => super::results::result_changed(state, id, Update).await?,
        EventKind::ResultDeleted => {
            super::results::result_deleted(state, id, &event.payload_as()?).await?
        }
        EventKind::MethodPublished => methods::method_changed(state, id, Create).await?,
        EventKind::MethodUpdated => methods::method_changed(state, id, Update).await?,
        EventKind::FollowRequested => following::send_follow(state, id).await?,
        // The backfill reads the actor's outbox; nothing is sent.
        EventKind::FollowAccepted => {}
        EventKind::FollowEnded => following::send_unfollow(state, &event.payload_as()?).await?,
        EventKind::RemotePostSupported => {
            following::send_like(state, id, &event.payload_as()?).await?
        }
        EventKind::RemotePostSupportWithdrawn => {
            following::send_undo_like(state, id, &event.payload_as()?).await?
        }
        EventKind::RemotePostReplied => following::send_reply(state, id).await?,
        EventKind::ReferenceAdded | EventKind::ReferenceRemoved => {
            super::backlinks::tell(state, &event.payload_as()?).await?
        }
        EventKind::DraftPublished => super::drafts::draft_changed(state, id, Create).await?,
        EventKind::DraftRevised => super::drafts::draft_changed(state, id, Update).await?,
        // Told on the site only (the notifier).
        EventKind::AmendmentDecided => {}
        EventKind::PollPublished => super::poll_question::poll_changed(state, id, Create).await?,
        EventKind::PollTallied => super::poll_question::poll_changed(state, id, Update).await?,
        // Announced by the inbox as it arrived; counted by the word cloud.
        EventKind::RemoteProposalChanged => {}
        // Counted (again) by the word cloud; nothing leaves the instance.
        EventKind::WordCloudNamesChanged | EventKind::RemoteCommentChanged => {}
        EventKind::ActorBlocked => {
            super::blocks::follows_ended(state, id, &event.payload_as()?).await?
        }
        EventKind::ActorUnblocked => {
            super::blocks::block_lifted(state, &event.payload_as()?).await?
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
