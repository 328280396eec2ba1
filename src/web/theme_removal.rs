//! Staff remove a theme (after a page that says what happens, so no script is needed to
//! confirm) and restore a removed one from the list of removed themes.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use axum::response::IntoResponse;

use super::PageResult;
use super::context::PageCtx;
use super::forms::CsrfForm;
use super::pages::PagePath;
use crate::services::{theme_removal, themes};
use crate::state::AppState;
use crate::t;

#[derive(Template, WebTemplate)]
#[template(path = "staff/theme_remove.html")]
pub struct ConfirmPage {
    pub ctx: PageCtx,
    pub slug: String,
    pub title: String,
    pub proposal_count: i64,
}

#[derive(Template, WebTemplate)]
#[template(path = "staff/removed_themes.html")]
pub struct RemovedPage {
    pub ctx: PageCtx,
    /// Slug and title of each removed theme.
    pub themes: Vec<(String, String)>,
}

pub async fn confirm(
    State(state): State<AppState>,
    ctx: PageCtx,
    PagePath(slug): PagePath<String>,
) -> PageResult {
    let viewer = ctx.viewer();
    viewer.require_staff()?;
    let theme = themes::get(&state, &viewer, &slug).await?;
    Ok(ConfirmPage {
        ctx,
        slug: theme.slug,
        title: theme.title,
        proposal_count: theme.proposal_count,
    }
    .into_response())
}

pub async fn remove(
    State(state): State<AppState>,
    ctx: PageCtx,
    PagePath(slug): PagePath<String>,
    CsrfForm(_): CsrfForm<Vec<(String, String)>>,
) -> PageResult {
    theme_removal::remove(&state, &ctx.viewer(), &slug).await?;
    ctx.see_other("/staff/themes/removed")
}

pub async fn list(State(state): State<AppState>, ctx: PageCtx) -> PageResult {
    let themes = theme_removal::removed(&state, &ctx.viewer()).await?;
    Ok(RemovedPage { ctx, themes }.into_response())
}

pub async fn restore(
    State(state): State<AppState>,
    ctx: PageCtx,
    PagePath(slug): PagePath<String>,
    CsrfForm(_): CsrfForm<Vec<(String, String)>>,
) -> PageResult {
    let theme = theme_removal::restore(&state, &ctx.viewer(), &slug).await?;
    ctx.see_other(&format!("/themes/{}", theme.slug))
}
