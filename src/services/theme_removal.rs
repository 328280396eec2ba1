//! Staff remove a theme: it answers 410 (the page says it was removed, the fediverse gets
//! a `Delete`) and leaves every list, while all it holds (ideas, comments, supports) stays
//! stored, so that staff can restore it.

use super::Viewer;
use super::events::{self, EventKind};
use crate::error::AppError;
use crate::state::AppState;
use crate::storage::now_millis;
use crate::storage::themes as store;

/// Staff remove a theme.
pub async fn remove(state: &AppState, viewer: &Viewer, slug: &str) -> Result<(), AppError> {
    let staff = viewer.require_staff()?;
    let theme = super::themes::load(state, viewer, slug).await?;
    let mut tx = state.db.begin().await?;
    if !store::set_removed(tx.ex(), theme.row.id, Some(now_millis())).await? {
        return Err(AppError::Gone("theme"));
    }
    // Followers never saw a draft: nothing to tell.
    if theme.row.status != "draft" {
        events::record(tx.ex(), EventKind::ThemeRemoved, theme.row.id).await?;
    }
    tx.commit().await?;
    state.event_signal.written();
    state.caches.themes.invalidate(&theme.row.id).await;
    tracing::info!(theme = slug, by = staff.id, "theme removed");
    Ok(())
}

/// Staff restore a removed theme: it is published again as it was.
pub async fn restore(
    state: &AppState,
    viewer: &Viewer,
    slug: &str,
) -> Result<super::themes::ThemeView, AppError> {
    let staff = viewer.require_staff()?;
    let mut tx = state.db.begin().await?;
    let theme = store::find_removed_theme(tx.ex(), Some(slug), None)
        .await?
        .ok_or(AppError::NotFound("removed theme"))?;
    store::set_removed(tx.ex(), theme.id, None).await?;
    if theme.status != "draft" {
        events::record(tx.ex(), EventKind::ThemeChanged, theme.id).await?;
    }
    tx.commit().await?;
    state.event_signal.written();
    tracing::info!(theme = slug, by = staff.id, "theme restored");
    super::themes::get(state, viewer, slug).await
}

/// The removed themes, for staff to restore one.
pub async fn removed(state: &AppState, viewer: &Viewer) -> Result<Vec<(String, String)>, AppError> {
    viewer.require_staff()?;
    let mut conn = state.db.acquire().await?;
    Ok(store::removed_themes(conn.ex())
        .await?
        .into_iter()
        .map(|t| (t.slug, t.title))
        .collect())
}
