//! The staff page of a theme's references to other instances' projects: add one by URL or
//! handle (errors at the field, nothing stored), see each card, remove one; and what
//! references the theme from elsewhere, each of which staff may hide.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use serde::Deserialize;

use super::PageResult;
use super::context::PageCtx;
use super::forms::{CsrfForm, FormErrors, form_errors};
use super::pages::PagePath;
use crate::services::backlinks::{self, BacklinkView, Linked};
use crate::services::references::{self, Local, ReferenceInput, ReferenceView};
use crate::services::themes;
use crate::state::AppState;
use crate::t;

#[derive(Template, WebTemplate)]
#[template(path = "staff/references.html")]
pub struct ReferencesPage {
    pub ctx: PageCtx,
    pub slug: String,
    pub theme_title: String,
    pub references: Vec<ReferenceView>,
    /// What references this theme from elsewhere, hidden ones too.
    pub backlinks: Vec<BacklinkView>,
    pub target: String,
    pub errors: FormErrors,
}

#[derive(Debug, Default, Deserialize)]
pub struct ReferenceForm {
    #[serde(default)]
    pub target: String,
}

async fn render(
    state: &AppState,
    ctx: PageCtx,
    slug: &str,
    target: String,
    errors: FormErrors,
    status: StatusCode,
) -> PageResult {
    let viewer = ctx.viewer();
    viewer.require_staff()?;
    let theme = themes::load(state, &viewer, slug).await?;
    let references = references::list(state, Local::Theme(theme.row.id)).await?;
    let backlinks = backlinks::list(state, &viewer, Linked::Theme(theme.row.id)).await?;
    Ok((
        status,
        ReferencesPage {
            ctx,
            slug: theme.row.slug,
            theme_title: theme.row.title,
            references,
            backlinks,
            target,
            errors,
        },
    )
        .into_response())
}

pub async fn page(
    State(state): State<AppState>,
    ctx: PageCtx,
    PagePath(slug): PagePath<String>,
) -> PageResult {
    render(
        &state,
        ctx,
        &slug,
        String::new(),
        FormErrors::default(),
        StatusCode::OK,
    )
    .await
}

pub async fn add(
    State(state): State<AppState>,
    ctx: PageCtx,
    PagePath(slug): PagePath<String>,
    CsrfForm(form): CsrfForm<ReferenceForm>,
) -> PageResult {
    let viewer = ctx.viewer();
    let theme = themes::load(&state, &viewer, &slug).await?;
    let input = ReferenceInput {
        target: form.target.clone(),
    };
    match references::add(&state, &viewer, Local::Theme(theme.row.id), &input).await {
        Ok(_) => ctx.see_other(&format!("/staff/themes/{slug}/references")),
        Err(crate::error::AppError::Conflict { .. }) => {
            let mut errors = FormErrors::default();
            errors.set("target", t!(ctx, "error-taken"));
            render(
                &state,
                ctx,
                &slug,
                form.target,
                errors,
                StatusCode::CONFLICT,
            )
            .await
        }
        Err(err) => {
            let (status, errors) = form_errors(&ctx, err)?;
            render(&state, ctx, &slug, form.target, errors, status).await
        }
    }
}

#[derive(Debug, Deserialize)]
pub struct BackTo {
    pub theme: String,
}

pub async fn remove(
    State(state): State<AppState>,
    ctx: PageCtx,
    PagePath(id): PagePath<i64>,
    Query(back): Query<BackTo>,
    CsrfForm(_): CsrfForm<Vec<(String, String)>>,
) -> PageResult {
    references::remove(&state, &ctx.viewer(), id).await?;
    let slug = crate::domain::Slug::parse(&back.theme)
        .map(|s| s.as_str().to_string())
        .unwrap_or_default();
    ctx.see_other(&format!("/staff/themes/{slug}/references"))
}

#[derive(Debug, Deserialize)]
pub struct VisibilityForm {
    pub hidden: bool,
}

pub async fn set_backlink_visibility(
    State(state): State<AppState>,
    ctx: PageCtx,
    PagePath(id): PagePath<i64>,
    Query(back): Query<BackTo>,
    CsrfForm(form): CsrfForm<VisibilityForm>,
) -> PageResult {
    backlinks::set_hidden(&state, &ctx.viewer(), id, form.hidden).await?;
    let slug = crate::domain::Slug::parse(&back.theme)
        .map(|s| s.as_str().to_string())
        .unwrap_or_default();
    ctx.see_other(&format!("/staff/themes/{slug}/references"))
}
