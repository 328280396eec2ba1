//! When moderators hide an idea or a comment, its author is told why (a notification) and
//! may ask once for the decision to be reviewed; a moderator restores it or keeps it hidden
//! with a reason, and either way the decision is in the moderation log.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::proposals::parse_reason;
use super::{Viewer, comments, moderation_log, proposals, rfc3339};
use crate::domain::parse_text;
use crate::error::AppError;
use crate::msg;
use crate::state::AppState;
use crate::storage::{
    comments as comment_store, now_millis, proposals as proposal_store, review_requests as store,
};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    Proposal,
    Comment,
}

impl Target {
    fn as_str(self) -> &'static str {
        match self {
            Target::Proposal => "proposal",
            Target::Comment => "comment",
        }
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReviewInput {
    /// Why the author thinks it should be shown again (up to 1,000 characters).
    #[schema(min_length = 1, max_length = 1000)]
    pub message: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReviewDecision {
    /// `true` shows it again; `false` keeps it hidden.
    pub restore: bool,
    /// The reason, kept in the moderation log (required).
    #[schema(min_length = 1, max_length = 500)]
    pub reason: String,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ReviewView {
    pub id: i64,
    /// `proposal` or `comment`.
    pub target_kind: String,
    pub target_id: i64,
    /// The idea it is or belongs to.
    pub proposal_id: i64,
    pub author: String,
    pub message: String,
    /// The start of the hidden text.
    pub excerpt: String,
    pub hidden_reason: Option<String>,
    pub created_at: String,
}

/// The author of hidden content asks for a review; once per hidden item.
pub async fn request(
    state: &AppState,
    viewer: &Viewer,
    target: Target,
    id: i64,
    input: &ReviewInput,
) -> Result<(), AppError> {
    let user = viewer.user()?;
    let message = parse_text(&input.message, 1, 1000, true)
        .map_err(|e| AppError::Validation(vec![e.at("message")]))?;
    let mut tx = state.db.begin().await?;
    let (author, hidden) = match target {
        Target::Proposal => proposal_store::find(tx.ex(), id)
            .await?
            .map(|p| (p.author_id, p.hidden_at.is_some())),
        Target::Comment => comment_store::find(tx.ex(), id)
            .await?
            .map(|c| (c.author_id, c.hidden_at.is_some() && c.deleted_at.is_none())),
    }
    .ok_or(AppError::NotFound(target.as_str()))?;
    if author != Some(user.id) {
        return Err(AppError::Forbidden(msg!("error-review-not-yours")));
    }
    if !hidden {
        return Err(AppError::conflict(
            "message",
            msg!("error-review-not-hidden"),
        ));
    }
    if !store::insert(
        tx.ex(),
        target.as_str(),
        id,
        user.id,
        &message,
        now_millis(),
    )
    .await?
    {
        return Err(AppError::conflict("message", msg!("error-review-once")));
    }
    tx.commit().await?;
    tracing::info!(
        target = target.as_str(),
        id,
        by = user.id,
        "review requested"
    );
    Ok(())
}

/// Requests awaiting a moderator, oldest first.
pub async fn open(state: &AppState, viewer: &Viewer) -> Result<Vec<ReviewView>, AppError> {
    viewer.require_moderator()?;
    let mut conn = state.db.acquire().await?;
    Ok(store::open(conn.ex())
        .await?
        .into_iter()
        .map(|r| ReviewView {
            id: r.id,
            target_kind: r.target_kind,
            target_id: r.target_id,
            proposal_id: r.proposal_id,
            author: r.author_handle,
            message: r.message,
            excerpt: r.excerpt.chars().take(200).collect(),
            hidden_reason: r.hidden_reason,
            created_at: rfc3339(r.created_at),
        })
        .collect())
}

/// A moderator decides a request: shown again (logged as a restore) or kept hidden (logged
/// as a review), each with the reason.
pub async fn decide(
    state: &AppState,
    viewer: &Viewer,
    id: i64,
    decision: &ReviewDecision,
) -> Result<(), AppError> {
    let moderator = viewer.require_moderator()?;
    let reason = parse_reason(&decision.reason)?;
    let mut conn = state.db.acquire().await?;
    let row = store::find(conn.ex(), id)
        .await?
        .ok_or(AppError::NotFound("review"))?;
    drop(conn);
    if row.outcome.is_some() {
        return Err(AppError::conflict("reason", msg!("error-review-decided")));
    }
    if decision.restore {
        match row.target_kind.as_str() {
            "comment" => {
                comments::set_hidden(state, viewer, row.target_id, false, &reason).await?;
            }
            _ => {
                proposals::restore(state, viewer, row.target_id, &reason).await?;
            }
        }
    }
    let mut tx = state.db.begin().await?;
    let outcome = if decision.restore { "restored" } else { "kept" };
    if !store::decide(tx.ex(), id, moderator.id, outcome, &reason, now_millis()).await? {
        return Err(AppError::conflict("reason", msg!("error-review-decided")));
    }
    if !decision.restore {
        moderation_log::record(
            tx.ex(),
            moderator.id,
            (
                &row.target_kind,
                row.target_id,
                &format!("@{}", row.author_handle),
            ),
            "review",
            &reason,
        )
        .await?;
    }
    tx.commit().await?;
    Ok(())
}
