//! Staff correct what they published of a theme's results: a section deleted (followers
//! are told it is gone), a progress update corrected or removed, and the ideas a section
//! may take up offered as a list to choose from.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::Viewer;
use super::events::{self, EventKind};
use super::results::{ProgressInput, ResultView, parse_progress, theme_of, views};
use crate::error::AppError;
use crate::msg;
use crate::state::AppState;
use crate::storage::results as store;
use crate::storage::{media, now_millis};

/// What followers need to hear that a deleted section is gone.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct DeletedResult {
    pub theme_id: i64,
    pub theme_slug: String,
}

/// Staff delete a section of results, with its progress and documents; the ideas it took
/// up no longer link to it, and followers are told it is gone.
pub async fn delete(state: &AppState, viewer: &Viewer, id: i64) -> Result<(), AppError> {
    let staff = viewer.require_staff()?;
    let (row, slug) = theme_of(state, viewer, id).await?;
    let reflected: Vec<i64> = views(state, row.theme_id, Some(id))
        .await?
        .into_iter()
        .flat_map(|r| r.reflects.into_iter().map(|p| p.proposal_id))
        .collect();
    let mut tx = state.db.begin().await?;
    let unused_files = store::delete(tx.ex(), id).await?;
    events::record_with(
        tx.ex(),
        EventKind::ResultDeleted,
        id,
        &DeletedResult {
            theme_id: row.theme_id,
            theme_slug: slug.clone(),
        },
    )
    .await?;
    tx.commit().await?;
    state.event_signal.written();
    for proposal in reflected {
        state.caches.forget_proposal(proposal).await;
    }
    for sha in unused_files {
        if let Err(e) = media::remove(&state.config.media_dir(), &sha).await {
            tracing::warn!(error = %e, result = id, "cannot delete a deleted section's file");
        }
    }
    tracing::info!(theme = slug, result = id, by = staff.id, "result deleted");
    Ok(())
}

/// Staff correct a progress update (its status, share done or note).
pub async fn update_progress(
    state: &AppState,
    viewer: &Viewer,
    id: i64,
    progress_id: i64,
    input: &ProgressInput,
) -> Result<ResultView, AppError> {
    let staff = viewer.require_staff()?;
    let (row, _) = theme_of(state, viewer, id).await?;
    let (status, note) = parse_progress(input)?;
    let mut tx = state.db.begin().await?;
    if !store::update_progress(tx.ex(), id, progress_id, status, input.percent, &note).await? {
        return Err(AppError::NotFound("progress"));
    }
    store::touch(tx.ex(), id, now_millis()).await?;
    events::record(tx.ex(), EventKind::ResultUpdated, id).await?;
    tx.commit().await?;
    state.event_signal.written();
    tracing::info!(
        result = id,
        progress = progress_id,
        by = staff.id,
        "progress corrected"
    );
    one(state, row.theme_id, id).await
}

/// Staff remove a progress update entered by mistake.
pub async fn delete_progress(
    state: &AppState,
    viewer: &Viewer,
    id: i64,
    progress_id: i64,
) -> Result<ResultView, AppError> {
    let staff = viewer.require_staff()?;
    let (row, _) = theme_of(state, viewer, id).await?;
    let mut tx = state.db.begin().await?;
    if !store::delete_progress(tx.ex(), id, progress_id).await? {
        return Err(AppError::NotFound("progress"));
    }
    store::touch(tx.ex(), id, now_millis()).await?;
    events::record(tx.ex(), EventKind::ResultUpdated, id).await?;
    tx.commit().await?;
    state.event_signal.written();
    tracing::info!(
        result = id,
        progress = progress_id,
        by = staff.id,
        "progress removed"
    );
    one(state, row.theme_id, id).await
}

async fn one(state: &AppState, theme_id: i64, id: i64) -> Result<ResultView, AppError> {
    views(state, theme_id, Some(id))
        .await?
        .pop()
        .ok_or(AppError::NotFound("result"))
}

/// A published idea of the theme that a section may take up.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct IdeaChoice {
    pub id: i64,
    pub title: String,
    pub support_count: i64,
}

/// The most ideas offered at once; a search narrows them.
const MAX_CHOICES: i64 = 300;

/// The theme's published ideas a section may take up, most supported first, narrowed to
/// those containing every word of `search` (staff only).
pub async fn idea_choices(
    state: &AppState,
    viewer: &Viewer,
    slug: &str,
    search: &str,
) -> Result<Vec<IdeaChoice>, AppError> {
    viewer.require_staff()?;
    let theme = super::themes::load(state, viewer, slug).await?;
    if search.chars().count() > 200 {
        return Err(AppError::invalid(
            "search",
            "too_long",
            msg!("error-search-too-long"),
        ));
    }
    let normalized = crate::domain::normalize_text(search).to_lowercase();
    let terms: Vec<String> = normalized
        .split(|c: char| c.is_whitespace() || c == '、' || c == ',')
        .filter(|t| !t.is_empty())
        .take(5)
        .map(str::to_string)
        .collect();
    let mut conn = state.db.acquire().await?;
    Ok(
        store::idea_choices(conn.ex(), theme.row.id, &terms, MAX_CHOICES)
            .await?
            .into_iter()
            .map(|row| IdeaChoice {
                id: row.id,
                title: row.title,
                support_count: row.support_count,
            })
            .collect(),
    )
}
