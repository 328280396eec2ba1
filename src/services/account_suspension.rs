//! Staff suspend an account that breaks the rules and restore it later: a suspended account
//! cannot log in (its sessions end and its API tokens stop working), what it wrote stays,
//! and each decision is in the moderation log with its reason.

use super::Viewer;
use super::accounts::UserView;
use super::moderation_log;
use super::proposals::parse_reason;
use crate::error::AppError;
use crate::msg;
use crate::state::AppState;
use crate::storage::{accounts as store, now_millis};

/// Suspends (`true`) or restores (`false`) an account, with the reason logged.
pub async fn set_suspended(
    state: &AppState,
    viewer: &Viewer,
    user_id: i64,
    suspended: bool,
    reason: &str,
) -> Result<UserView, AppError> {
    let moderator = viewer.require_moderator()?;
    let reason = parse_reason(reason)?;
    if moderator.id == user_id {
        return Err(AppError::conflict("reason", msg!("error-suspend-self")));
    }
    let mut tx = state.db.begin().await?;
    let row = store::find_user(tx.ex(), user_id)
        .await?
        .ok_or(AppError::NotFound("user"))?;
    if row.suspended_at.is_some() == suspended {
        return Err(AppError::conflict(
            "reason",
            if suspended {
                msg!("error-already-suspended")
            } else {
                msg!("error-not-suspended")
            },
        ));
    }
    // Administrators are suspended by administrators only.
    if suspended && row.role == "administrator" {
        viewer.require_administrator()?;
    }
    let now = now_millis();
    store::set_suspended(
        tx.ex(),
        user_id,
        suspended.then_some((now, reason.as_str())),
    )
    .await?;
    moderation_log::record(
        tx.ex(),
        moderator.id,
        ("user", user_id, &format!("@{}", row.handle)),
        if suspended { "suspend" } else { "unsuspend" },
        &reason,
    )
    .await?;
    let row = store::find_user(tx.ex(), user_id)
        .await?
        .ok_or(AppError::NotFound("user"))?;
    tx.commit().await?;
    tracing::info!(
        user_id,
        by = moderator.id,
        suspended,
        "account suspension changed"
    );
    UserView::private(&row)
}
