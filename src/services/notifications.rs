//! Residents' notifications on the site: the event log's notifier consumer tells the
//! author, commenters and supporters of a proposal when staff answer it; residents read
//! their notifications (the header shows how many are unread) and mark them read.

use crate::msg;
use serde::Serialize;
use utoipa::ToSchema;

use super::events::{Event, EventConsumer, EventKind, Progress};
use super::{Page, Viewer, rfc3339};
use crate::domain::AnswerState;
use crate::error::AppError;
use crate::state::AppState;
use crate::storage::{answers as answer_store, notifications as store, now_millis};

/// The event log's consumer that writes residents' notifications.
pub struct Notifier;

impl EventConsumer for Notifier {
    const NAME: &'static str = "notifier";

    async fn handle(
        &self,
        state: &AppState,
        event: &Event,
        _progress: &Progress,
    ) -> Result<(), AppError> {
        // Each account is told once per event: handling an event again changes nothing.
        if event.kind == EventKind::ProposalThresholdReached {
            let mut conn = state.db.acquire().await?;
            if let Some(author) = crate::storage::proposals::find(conn.ex(), event.subject_id)
                .await?
                .and_then(|p| p.author_id)
            {
                store::add(
                    conn.ex(),
                    &[author],
                    "threshold_reached",
                    Some(event.subject_id),
                    None,
                    event.id,
                    now_millis(),
                )
                .await?;
            }
        }
        if event.kind == EventKind::ProposalAnswered
            && let Some((_, proposal, answered_by)) =
                super::answers::as_published(state, event.subject_id).await?
        {
            let mut conn = state.db.acquire().await?;
            let told = answer_store::local_participants(conn.ex(), proposal, answered_by).await?;
            store::add(
                conn.ex(),
                &told,
                "proposal_answered",
                Some(proposal),
                None,
                event.id,
                now_millis(),
            )
            .await?;
        }
        // The author of what moderators hid is told, with the reason (shown from the row).
        if event.kind == EventKind::ProposalHidden {
            let mut conn = state.db.acquire().await?;
            if let Some(p) = crate::storage::proposals::find(conn.ex(), event.subject_id).await?
                && p.hidden_at.is_some()
                && let Some(author) = p.author_id
            {
                store::add_hidden(
                    conn.ex(),
                    author,
                    "proposal_hidden",
                    p.id,
                    None,
                    event.id,
                    now_millis(),
                )
                .await?;
            }
        }
        if event.kind == EventKind::CommentRemoved {
            let mut conn = state.db.acquire().await?;
            if let Some(c) = crate::storage::comments::find(conn.ex(), event.subject_id).await?
                && c.hidden_at.is_some()
                && c.deleted_at.is_none()
                && let Some(author) = c.author_id
            {
                store::add_hidden(
                    conn.ex(),
                    author,
                    "comment_hidden",
                    c.proposal_id,
                    Some(c.id),
                    event.id,
                    now_millis(),
                )
                .await?;
            }
        }
        if event.kind == EventKind::AmendmentDecided {
            let mut conn = state.db.acquire().await?;
            let told =
                crate::storage::drafts::people_of_amendment(conn.ex(), event.subject_id).await?;
            store::add(
                conn.ex(),
                &told,
                "amendment_decided",
                None,
                Some(event.subject_id),
                event.id,
                now_millis(),
            )
            .await?;
        }
        Ok(())
    }
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct NotificationView {
    pub id: i64,
    /// What happened: `proposal_answered`, `threshold_reached` (the author's proposal
    /// has enough supports to need an answer), `amendment_decided` (staff accepted or
    /// rejected an amendment the account proposed or supported), `proposal_hidden` or
    /// `comment_hidden` (moderators hid what the account wrote).
    pub kind: String,
    pub proposal_id: Option<i64>,
    pub proposal_title: Option<String>,
    /// The proposal's answer state now.
    pub answer_state: Option<AnswerState>,
    pub amendment_id: Option<i64>,
    pub draft_id: Option<i64>,
    pub draft_title: Option<String>,
    pub paragraph: Option<i32>,
    /// The amendment's status now: `accepted` or `rejected`.
    pub amendment_status: Option<String>,
    /// For `proposal_hidden` and `comment_hidden` (moderators hid what the account wrote):
    /// the comment, the moderators' reason, and whether a review was asked for (once).
    pub comment_id: Option<i64>,
    pub hidden_reason: Option<String>,
    pub review_requested: bool,
    pub created_at: String,
    pub read: bool,
}

/// The viewer's notifications, newest first.
pub async fn list(
    state: &AppState,
    viewer: &Viewer,
    page: Page,
) -> Result<(Vec<NotificationView>, bool), AppError> {
    let user = viewer.user()?;
    let mut conn = state.db.acquire().await?;
    let mut rows = store::list(conn.ex(), user.id, page.probe_limit(), page.offset()).await?;
    let more = rows.len() as i64 > i64::from(page.per_page);
    rows.truncate(page.per_page as usize);
    Ok((
        rows.into_iter()
            .map(|row| NotificationView {
                id: row.id,
                kind: row.kind,
                proposal_id: row.proposal_id,
                proposal_title: row.proposal_title,
                answer_state: row
                    .answer_state
                    .as_deref()
                    .and_then(|s| AnswerState::parse(s).ok()),
                amendment_id: row.amendment_id,
                draft_id: row.draft_id,
                draft_title: row.draft_title,
                paragraph: row.paragraph,
                amendment_status: row.amendment_status,
                comment_id: row.comment_id,
                hidden_reason: row.hidden_reason,
                review_requested: row.review_requested,
                created_at: rfc3339(row.created_at),
                read: row.read_at.is_some(),
            })
            .collect(),
        more,
    ))
}

/// How many of the viewer's notifications are unread (0 when not signed in).
pub async fn unread(state: &AppState, viewer: &Viewer) -> Result<i64, AppError> {
    let Some(user) = viewer.0.as_ref() else {
        return Ok(0);
    };
    let mut conn = state.db.acquire().await?;
    Ok(store::unread_count(conn.ex(), user.id).await?)
}

/// Marks one of the viewer's notifications read, or all of them; how many changed.
pub async fn mark_read(
    state: &AppState,
    viewer: &Viewer,
    id: Option<i64>,
) -> Result<u64, AppError> {
    let user = viewer.user()?;
    if id.is_some_and(|id| id < 1) {
        return Err(AppError::invalid(
            "id",
            "out_of_range",
            msg!("error-at-least-one"),
        ));
    }
    let mut conn = state.db.acquire().await?;
    // An unknown id, someone else's, or one read already marks nothing.
    Ok(store::mark_read(conn.ex(), user.id, id, now_millis()).await?)
}

/// The viewer opened a proposal: what they were told of it is read.
pub async fn seen_proposal(
    state: &AppState,
    viewer: &Viewer,
    proposal_id: i64,
) -> Result<(), AppError> {
    let Some(user) = viewer.0.as_ref() else {
        return Ok(());
    };
    let mut conn = state.db.acquire().await?;
    store::mark_proposal_read(conn.ex(), user.id, proposal_id, now_millis()).await?;
    Ok(())
}
