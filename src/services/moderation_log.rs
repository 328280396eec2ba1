//! The moderation log: every decision of moderators and administrators (hiding and
//! restoring content, blocks, suspensions, roles, dismissed reports) with who made it,
//! when, on what and why. Staff read and filter it; nothing in the application edits or
//! deletes an entry, and the database refuses to.

use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::{Page, Viewer, rfc3339};
use crate::error::{AppError, Invalid};
use crate::msg;
use crate::state::AppState;
use crate::storage::moderation_log::{self as store, Entry};
use crate::storage::{Ex, now_millis};

/// Every action the log records.
pub const ACTIONS: [&str; 9] = [
    "hide",
    "restore",
    "block",
    "unblock",
    "suspend",
    "unsuspend",
    "role",
    "dismiss",
    "review",
];

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct LogEntryView {
    pub id: i64,
    /// The handle of the moderator or administrator who decided.
    pub moderator: String,
    /// proposal, comment, block, user or report.
    pub target_kind: String,
    pub target_id: i64,
    /// Words for the target that outlive it (a blocked host, `@handle`, a new role).
    pub target_label: String,
    /// One of hide, restore, block, unblock, suspend, unsuspend, role, dismiss, review.
    pub action: String,
    pub reason: String,
    pub created_at: String,
}

#[derive(Debug, Default, Clone, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct LogFilter {
    /// Only this action.
    #[serde(default)]
    #[param(pattern = r"^(hide|restore|block|unblock|suspend|unsuspend|role|dismiss|review)?$")]
    pub action: Option<String>,
    /// Only this moderator's decisions (their account id).
    #[serde(default)]
    #[param(minimum = 1)]
    pub moderator: Option<i64>,
    #[serde(default)]
    #[param(minimum = 1, maximum = 1000000)]
    pub page: Option<u32>,
}

/// Records a decision, in the transaction that makes it.
pub async fn record(
    ex: Ex<'_>,
    moderator_id: i64,
    target: (&str, i64, &str),
    action: &str,
    reason: &str,
) -> Result<(), AppError> {
    let (target_kind, target_id, target_label) = target;
    let entry = Entry {
        moderator_id,
        target_kind,
        target_id,
        target_label,
        action,
        reason,
    };
    store::record(ex, &entry, now_millis()).await?;
    Ok(())
}

/// A page of the log, newest first, and whether more follow.
pub async fn list(
    state: &AppState,
    viewer: &Viewer,
    filter: &LogFilter,
) -> Result<(Vec<LogEntryView>, bool), AppError> {
    viewer.require_moderator()?;
    let action = filter
        .action
        .as_deref()
        .map(str::trim)
        .filter(|a| !a.is_empty());
    if let Some(action) = action
        && !ACTIONS.contains(&action)
    {
        return Err(AppError::Validation(vec![
            Invalid::new("unknown_action", msg!("error-log-action")).at("action"),
        ]));
    }
    if filter.moderator.is_some_and(|id| id < 1) {
        return Err(AppError::invalid(
            "moderator",
            "out_of_range",
            msg!("error-between", low = 1, high = i64::MAX),
        ));
    }
    let page = Page::parse(filter.page, Some(50))?;
    let mut conn = state.db.acquire().await?;
    let mut rows = store::list(
        conn.ex(),
        action,
        filter.moderator,
        page.probe_limit(),
        page.offset(),
    )
    .await?;
    let more = rows.len() as i64 > i64::from(page.per_page);
    rows.truncate(page.per_page as usize);
    Ok((
        rows.into_iter()
            .map(|r| LogEntryView {
                id: r.id,
                moderator: r.moderator_handle,
                target_kind: r.target_kind,
                target_id: r.target_id,
                target_label: r.target_label,
                action: r.action,
                reason: r.reason,
                created_at: rfc3339(r.created_at),
            })
            .collect(),
        more,
    ))
}

/// The moderators who have decided anything, for the log's filter.
pub async fn moderators(state: &AppState, viewer: &Viewer) -> Result<Vec<(i64, String)>, AppError> {
    viewer.require_moderator()?;
    let mut conn = state.db.acquire().await?;
    Ok(store::moderators(conn.ex()).await?)
}
