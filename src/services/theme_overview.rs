//! The staff home's view of every theme: what it holds and what waits for staff (ideas
//! awaiting an answer, open reports, surveys taking answers), so the work of a day starts
//! from one page.

use serde::Serialize;

use super::Viewer;
use super::themes::{self, ThemeView};
use crate::error::AppError;
use crate::state::AppState;
use crate::storage::theme_overview as store;

#[derive(Debug, Clone, Serialize)]
pub struct ThemeOverview {
    pub theme: ThemeView,
    pub ideas: i64,
    pub awaiting_answer: i64,
    pub open_reports: i64,
    pub open_surveys: usize,
    pub drafts: i64,
    pub results: i64,
}

/// Every theme staff manage, with its counts, in the order of the theme list.
pub async fn all(state: &AppState, viewer: &Viewer) -> Result<Vec<ThemeOverview>, AppError> {
    viewer.require_moderator()?;
    let listed = themes::list(state, viewer, None).await?;
    let mut conn = state.db.acquire().await?;
    let counts = store::counts(conn.ex()).await?;
    drop(conn);
    let mut overviews = Vec::with_capacity(listed.len());
    for theme in listed {
        overviews.push(overview(state, viewer, theme, &counts).await?);
    }
    Ok(overviews)
}

/// One theme's counts (staff).
pub async fn of_theme(
    state: &AppState,
    viewer: &Viewer,
    slug: &str,
) -> Result<ThemeOverview, AppError> {
    viewer.require_moderator()?;
    let theme = themes::get(state, viewer, slug).await?;
    let mut conn = state.db.acquire().await?;
    let counts = store::counts(conn.ex()).await?;
    drop(conn);
    overview(state, viewer, theme, &counts).await
}

async fn overview(
    state: &AppState,
    viewer: &Viewer,
    theme: ThemeView,
    counts: &[store::ThemeCounts],
) -> Result<ThemeOverview, AppError> {
    let found = counts.iter().find(|c| c.slug == theme.slug);
    let open_surveys = super::surveys::open_in_theme(state, viewer, &theme.slug).await?;
    Ok(ThemeOverview {
        ideas: found.map_or(0, |c| c.ideas),
        awaiting_answer: found.map_or(0, |c| c.awaiting_answer),
        open_reports: found.map_or(0, |c| c.open_reports),
        drafts: found.map_or(0, |c| c.drafts),
        results: found.map_or(0, |c| c.results),
        open_surveys,
        theme,
    })
}
