//! The event log: services record what happened in the transaction of the change itself,
//! and consumers (the federation publisher first; notifications and live views later) read
//! the log in order, each from its own durable position. A consumer is one type that
//! implements [`EventConsumer`] and one `spawn` call at start.

use std::future::Future;
use std::time::Duration;

use serde::Serialize;
use utoipa::ToSchema;

pub use super::event_signal::{EventSignal, spawn_listener};
use crate::error::AppError;
use crate::state::AppState;
use crate::storage::consumer_lock::{ConsumerLock, Held};
use crate::storage::events::{self as store, EventRow};
use crate::storage::{Ex, now_millis};

/// Everything a user or a peer can cause that some consumer acts on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EventKind {
    ProposalCreated,
    ProposalUpdated,
    ProposalWithdrawn,
    ProposalHidden,
    ProposalRestored,
    /// Staff answered a proposal or revised the answer (subject: the answer).
    ProposalAnswered,
    /// A proposal reached its theme's support threshold (subject: the proposal).
    ProposalThresholdReached,
    CommentCreated,
    CommentUpdated,
    CommentRemoved,
    ThemeChanged,
    /// A theme became open: created open, or opened by staff (subject: the theme).
    ThemeOpened,
    /// Staff removed a published theme (subject: the theme).
    ThemeRemoved,
    /// The running phase of a theme changed with the date (subject: the theme).
    ThemePhaseChanged,
    /// Staff published a section of a theme's results (subject: the result).
    ResultPublished,
    /// A section of results changed or got a progress update (subject: the result).
    ResultUpdated,
    /// Staff deleted a section of results (subject: the result, now gone; payload: its
    /// theme, to tell followers).
    ResultDeleted,
    /// Staff published a method (subject: the method).
    MethodPublished,
    /// Staff made a new version of a method (subject: the method).
    MethodUpdated,
    /// Staff followed a remote actor (subject: the follow).
    FollowRequested,
    /// A remote actor accepted the municipality's follow (subject: the follow).
    FollowAccepted,
    /// Staff stopped following one (subject: the follow, now gone; payload: what the
    /// `Undo` needs).
    FollowEnded,
    /// A resident supported a post from a followed actor (subject: the post; payload: the
    /// resident and the `Like` id).
    RemotePostSupported,
    /// A resident withdrew that support (same subject and payload).
    RemotePostSupportWithdrawn,
    /// A resident replied to a post from a followed actor (subject: the reply).
    RemotePostReplied,
    /// Moderators blocked a remote actor or instance (subject: the block; payload: what was
    /// blocked and the follows that ended).
    ActorBlocked,
    /// Moderators lifted a block (subject: the block, now gone; payload: the `Block`s sent
    /// for it, to be undone).
    ActorUnblocked,
    /// Staff referenced another instance's object (subject: the reference; payload: what
    /// references it and the actor to tell).
    ReferenceAdded,
    /// Staff removed a reference (same subject and payload; the reference is gone).
    ReferenceRemoved,
    /// A proposal from the fediverse was stored, or its origin edited or deleted it
    /// (subject: the proposal). Its theme announces it on its own; the word cloud counts it.
    RemoteProposalChanged,
    /// Staff published a draft (subject: the draft).
    DraftPublished,
    /// A draft has a new version (subject: the draft).
    DraftRevised,
    /// Staff accepted or rejected an amendment (subject: the amendment).
    AmendmentDecided,
    /// Staff published a survey question as a fediverse poll (subject: the question).
    PollPublished,
    /// A poll's fediverse tally is due: votes arrived, or it closed (subject: the question).
    PollTallied,
    /// Staff changed the word cloud's local names, so every idea's terms are counted again
    /// (subject: none, 0).
    WordCloudNamesChanged,
    /// A reply from the fediverse was stored as a comment, or its origin edited or deleted
    /// it (subject: the comment). The word cloud counts it.
    RemoteCommentChanged,
}

impl EventKind {
    pub const ALL: [EventKind; 37] = [
        EventKind::ProposalCreated,
        EventKind::ProposalUpdated,
        EventKind::ProposalWithdrawn,
        EventKind::ProposalHidden,
        EventKind::ProposalRestored,
        EventKind::ProposalAnswered,
        EventKind::ProposalThresholdReached,
        EventKind::CommentCreated,
        EventKind::CommentUpdated,
        EventKind::CommentRemoved,
        EventKind::ThemeChanged,
        EventKind::ThemeOpened,
        EventKind::ThemeRemoved,
        EventKind::ThemePhaseChanged,
        EventKind::ResultPublished,
        EventKind::ResultUpdated,
        EventKind::ResultDeleted,
        EventKind::MethodPublished,
        EventKind::MethodUpdated,
        EventKind::FollowRequested,
        EventKind::FollowAccepted,
        EventKind::FollowEnded,
        EventKind::RemotePostSupported,
        EventKind::RemotePostSupportWithdrawn,
        EventKind::RemotePostReplied,
        EventKind::ActorBlocked,
        EventKind::ActorUnblocked,
        EventKind::ReferenceAdded,
        EventKind::ReferenceRemoved,
        EventKind::RemoteProposalChanged,
        EventKind::DraftPublished,
        EventKind::DraftRevised,
        EventKind::AmendmentDecided,
        EventKind::PollPublished,
        EventKind::PollTallied,
        EventKind::WordCloudNamesChanged,
        EventKind::RemoteCommentChanged,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            EventKind::ProposalCreated => "proposal_created",
            EventKind::ProposalUpdated => "proposal_updated",
            EventKind::ProposalWithdrawn => "proposal_withdrawn",
            EventKind::ProposalHidden => "proposal_hidden",
            EventKind::ProposalRestored => "proposal_restored",
            EventKind::ProposalAnswered => "proposal_answered",
            EventKind::ProposalThresholdReached => "proposal_threshold_reached",
            EventKind::CommentCreated => "comment_created",
            EventKind::CommentUpdated => "comment_updated",
            EventKind::CommentRemoved => "comment_removed",
            EventKind::ThemeChanged => "theme_changed",
            EventKind::ThemeOpened => "theme_opened",
            EventKind::ThemeRemoved => "theme_removed",
            EventKind::ThemePhaseChanged => "theme_phase_changed",
            EventKind::ResultPublished => "result_published",
            EventKind::ResultUpdated => "result_updated",
            EventKind::ResultDeleted => "result_deleted",
            EventKind::MethodPublished => "method_published",
            EventKind::MethodUpdated => "method_updated",
            EventKind::FollowRequested => "follow_requested",
            EventKind::FollowAccepted => "follow_accepted",
            EventKind::FollowEnded => "follow_ended",
            EventKind::RemotePostSupported => "remote_post_supported",
            EventKind::RemotePostSupportWithdrawn => "remote_post_support_withdrawn",
            EventKind::RemotePostReplied => "remote_post_replied",
            EventKind::ActorBlocked => "actor_blocked",
            EventKind::ActorUnblocked => "actor_unblocked",
            EventKind::ReferenceAdded => "reference_added",
            EventKind::ReferenceRemoved => "reference_removed",
            EventKind::RemoteProposalChanged => "remote_proposal_changed",
            EventKind::DraftPublished => "draft_published",
            EventKind::DraftRevised => "draft_revised",
            EventKind::AmendmentDecided => "amendment_decided",
            EventKind::PollPublished => "poll_published",
            EventKind::PollTallied => "poll_tallied",
            EventKind::WordCloudNamesChanged => "word_cloud_names_changed",
            EventKind::RemoteCommentChanged => "remote_comment_changed",
        }
    }

    pub fn parse(kind: &str) -> Option<EventKind> {
        Self::ALL.into_iter().find(|k| k.as_str() == kind)
    }
}

/// One event as consumers see it.
#[derive(Debug, Clone)]
pub struct Event {
    pub id: i64,
    pub kind: EventKind,
    /// The proposal, comment or theme the event is about, by its kind.
    pub subject_id: i64,
    pub payload: serde_json::Value,
    pub at: i64,
}

impl Event {
    /// The payload as the type its kind records.
    pub fn payload_as<T: serde::de::DeserializeOwned>(&self) -> Result<T, AppError> {
        T::deserialize(&self.payload).map_err(|e| {
            AppError::Internal(anyhow::anyhow!(
                "event {} ({}) has an unreadable payload: {e}",
                self.id,
                self.kind.as_str()
            ))
        })
    }

    fn from_row(row: EventRow) -> Result<Event, String> {
        let kind = EventKind::parse(&row.kind)
            .ok_or_else(|| format!("unknown event kind {:?}", row.kind))?;
        Ok(Event {
            id: row.id,
            kind,
            subject_id: row.subject_id,
            payload: serde_json::from_str(&row.payload).unwrap_or(serde_json::Value::Null),
            at: row.created_at,
        })
    }
}

/// Appends an event inside the caller's transaction: when it commits, the event exists, and
/// when it does not, neither does the event. Call [`EventSignal::written`] after the commit.
pub async fn record(ex: Ex<'_>, kind: EventKind, subject_id: i64) -> Result<i64, AppError> {
    Ok(record_in_batch(ex, kind, subject_id).await?)
}

/// [`record`] inside a write of the storage's write batch, which speaks the database's
/// errors: the event lands with the write or not at all.
pub async fn record_in_batch(
    ex: Ex<'_>,
    kind: EventKind,
    subject_id: i64,
) -> Result<i64, sqlx::Error> {
    store::append(ex, kind.as_str(), subject_id, "{}", now_millis()).await
}

/// [`record`] with a payload: what consumers need that the subject's rows no longer hold
/// when they read the event (a follow that ended, a support withdrawn).
pub async fn record_with<P: Serialize>(
    ex: Ex<'_>,
    kind: EventKind,
    subject_id: i64,
    payload: &P,
) -> Result<i64, AppError> {
    let payload = serde_json::to_string(payload).map_err(|e| AppError::Internal(e.into()))?;
    Ok(store::append(ex, kind.as_str(), subject_id, &payload, now_millis()).await?)
}

/// Something that acts on every event in order.
pub trait EventConsumer: Send + Sync + 'static {
    /// The consumer's durable name; its position is stored under it.
    const NAME: &'static str;
    /// Durable consumers resume where they stopped, across restarts and processes, one
    /// process at a time. Others keep their position in memory and start at the newest
    /// event (a per-process cache that forgets what changed).
    const DURABLE: bool = true;

    /// Acts on one event. A consumer that stores what it did records `progress` in the
    /// transaction that stores it, so that both commit or neither does (the publisher's
    /// deliveries and its position); otherwise the position moves after `handle` returns,
    /// and after a crash in between the event is handled again, so what such a consumer
    /// does must be idempotent.
    fn handle(
        &self,
        state: &AppState,
        event: &Event,
        progress: &Progress,
    ) -> impl Future<Output = Result<(), AppError>> + Send;
}

/// A durable consumer's position, to be moved past one event in the consumer's own
/// transaction.
pub struct Progress {
    consumer: &'static str,
    /// The process that runs the consumer; `None` for an in-memory consumer or a handler
    /// called outside the runner, whose position is not stored.
    owner: Option<String>,
    event_id: i64,
    recorded: std::sync::atomic::AtomicBool,
}

impl Progress {
    fn new(consumer: &'static str, owner: Option<&str>, event_id: i64) -> Self {
        Self {
            consumer,
            owner: owner.map(str::to_string),
            event_id,
            recorded: Default::default(),
        }
    }

    /// Progress that is not stored (a handler called on its own, as in tests).
    pub fn detached(consumer: &'static str, event_id: i64) -> Self {
        Self::new(consumer, None, event_id)
    }

    /// Moves the position past the event inside the caller's transaction. False when this
    /// process no longer runs the consumer or the event was handled already: the caller
    /// then rolls its transaction back.
    pub async fn record(&self, ex: Ex<'_>) -> Result<bool, AppError> {
        let Some(owner) = &self.owner else {
            return Ok(true);
        };
        let moved = store::advance(ex, self.consumer, owner, self.event_id, now_millis()).await?;
        if moved {
            self.recorded
                .store(true, std::sync::atomic::Ordering::Relaxed);
        }
        Ok(moved)
    }

    fn recorded(&self) -> bool {
        self.recorded.load(std::sync::atomic::Ordering::Relaxed)
    }
}

const BATCH: i64 = 100;
const LONGEST_RETRY: Duration = Duration::from_secs(600);

/// Runs `consumer` until the task is aborted.
pub fn spawn<C: EventConsumer>(state: &AppState, consumer: C) -> tokio::task::JoinHandle<()> {
    let state = state.clone();
    tokio::spawn(async move {
        let owner = super::accounts::random_token(12);
        let mut memory = None;
        let mut lock = ConsumerLock::new(C::NAME);
        loop {
            let seen = state.event_signal.generation();
            let waited = if C::DURABLE {
                run_durable(&state, &consumer, &owner, &mut lock).await
            } else {
                run_in_memory(&state, &consumer, &mut memory).await
            };
            match waited {
                Ok(true) => {}
                Ok(false) => {
                    state
                        .event_signal
                        .wait_since(seen, state.config.events.poll_interval)
                        .await
                }
                Err(e) => {
                    tracing::warn!(consumer = C::NAME, error = %e, "event consumer cannot read the log");
                    tokio::time::sleep(state.config.events.poll_interval).await;
                }
            }
        }
    })
}

/// One round of a durable consumer; true when there may be more to do at once.
async fn run_durable<C: EventConsumer>(
    state: &AppState,
    consumer: &C,
    owner: &str,
    lock: &mut ConsumerLock,
) -> Result<bool, AppError> {
    match lock.hold(&state.db).await.map_err(AppError::Internal)? {
        // Another process runs this consumer.
        Held::No => return Ok(false),
        Held::Still => {}
        Held::Taken => {
            let mut conn = state.db.acquire().await?;
            store::register(conn.ex(), C::NAME, 0, now_millis()).await?;
            store::take_over(conn.ex(), C::NAME, owner).await?;
            tracing::info!(consumer = C::NAME, "this process runs the event consumer");
        }
    }
    let now = now_millis();
    let mut conn = state.db.acquire().await?;
    let Some(row) = store::find(conn.ex(), C::NAME).await? else {
        return Ok(false);
    };
    if row.retry_at.is_some_and(|at| at > now) {
        return Ok(false);
    }
    let events = store::after(conn.ex(), row.position, BATCH).await?;
    drop(conn);
    let earlier_attempts = |event_id: i64| {
        if row.failing_event == Some(event_id) {
            row.attempts
        } else {
            0
        }
    };
    let full = events.len() as i64 == BATCH;
    // Events handled without recording their progress (nothing stored) move the position
    // once, at the end of the batch or before what comes next is stored: one commit for
    // many. After a crash they are handled again, which such handling must allow.
    let mut unsaved: Option<i64> = None;
    for logged in events {
        let event_id = logged.id;
        let progress = Progress::new(C::NAME, Some(owner), event_id);
        let outcome = match Event::from_row(logged) {
            Ok(event) => consumer.handle(state, &event, &progress).await,
            // An event this version does not know (written by a newer one) is passed over.
            Err(why) => {
                tracing::warn!(consumer = C::NAME, event = event_id, %why, "event skipped");
                Ok(())
            }
        };
        match outcome {
            Ok(()) if progress.recorded() => unsaved = None,
            Ok(()) => unsaved = Some(event_id),
            Err(e) => {
                if !save_position::<C>(state, owner, unsaved).await? {
                    lock.release();
                    return Ok(false);
                }
                let attempts = earlier_attempts(event_id) + 1;
                let delay = retry_delay(state.config.events.retry_base, attempts);
                let mut conn = state.db.acquire().await?;
                let attempts = store::record_failure(
                    conn.ex(),
                    C::NAME,
                    event_id,
                    &e.to_string(),
                    now_millis() + delay.as_millis() as i64,
                    now_millis(),
                )
                .await?;
                tracing::warn!(
                    consumer = C::NAME,
                    event = event_id,
                    attempts,
                    retry_in_seconds = delay.as_secs(),
                    error = %e,
                    "event consumer failed; it tries this event again"
                );
                return Ok(false);
            }
        }
    }
    if !save_position::<C>(state, owner, unsaved).await? {
        lock.release();
        return Ok(false);
    }
    Ok(full)
}

/// Moves the position past `handled`, if any; false when another process took over (this
/// one lost its lock), which then goes on from the position it finds.
async fn save_position<C: EventConsumer>(
    state: &AppState,
    owner: &str,
    handled: Option<i64>,
) -> Result<bool, AppError> {
    let Some(event_id) = handled else {
        return Ok(true);
    };
    let mut conn = state.db.acquire().await?;
    Ok(store::advance(conn.ex(), C::NAME, owner, event_id, now_millis()).await?)
}

fn retry_delay(base: Duration, attempts: i32) -> Duration {
    let doubling = 2u32.saturating_pow(attempts.clamp(1, 20) as u32 - 1);
    base.saturating_mul(doubling).min(LONGEST_RETRY)
}

/// One round of an in-memory consumer: failures are logged and passed over.
async fn run_in_memory<C: EventConsumer>(
    state: &AppState,
    consumer: &C,
    position: &mut Option<i64>,
) -> Result<bool, AppError> {
    let mut conn = state.db.acquire().await?;
    let from = match position {
        Some(p) => *p,
        None => {
            let last = store::last_id(conn.ex()).await?;
            *position = Some(last);
            last
        }
    };
    let events = store::after(conn.ex(), from, BATCH).await?;
    drop(conn);
    let full = events.len() as i64 == BATCH;
    for row in events {
        let id = row.id;
        if let Ok(event) = Event::from_row(row)
            && let Err(e) = consumer
                .handle(state, &event, &Progress::detached(C::NAME, id))
                .await
        {
            tracing::warn!(consumer = C::NAME, event = id, error = %e, "event consumer failed");
        }
        *position = Some(id);
    }
    Ok(full)
}

/// A durable consumer's progress, for `/health`.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ConsumerHealth {
    pub name: String,
    /// The last event it handled.
    pub position: i64,
    /// Events written after it that it has not handled yet.
    pub lag: i64,
    /// The event it is stuck on, with the attempts so far and the last error.
    pub failing_event: Option<i64>,
    pub attempts: i32,
    pub last_error: Option<String>,
}

pub async fn health(state: &AppState) -> Result<Vec<ConsumerHealth>, AppError> {
    let mut conn = state.db.acquire().await?;
    let mut report = Vec::new();
    for row in store::all(conn.ex()).await? {
        let lag = store::count_after(conn.ex(), row.position).await?;
        report.push(ConsumerHealth {
            name: row.name,
            position: row.position,
            lag,
            failing_event: row.failing_event,
            attempts: if row.failing_event.is_some() {
                row.attempts
            } else {
                0
            },
            last_error: row.last_error,
        });
    }
    Ok(report)
}

/// Deletes the events every consumer has passed that are older than the retention.
pub async fn prune(state: &AppState) -> Result<u64, AppError> {
    let before = now_millis() - state.config.events.retention.as_millis() as i64;
    let mut conn = state.db.acquire().await?;
    Ok(store::prune(conn.ex(), before).await?)
}

/// Prunes old events once an hour.
pub fn spawn_pruning(state: &AppState) -> tokio::task::JoinHandle<()> {
    let state = state.clone();
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(Duration::from_secs(3600));
        // The first tick completes at once; the first pruning is an hour after the start.
        tick.tick().await;
        loop {
            tick.tick().await;
            match prune(&state).await {
                Ok(0) => {}
                Ok(n) => tracing::info!(events = n, "old events pruned"),
                Err(e) => tracing::warn!(error = %e, "cannot prune old events"),
            }
        }
    })
}
