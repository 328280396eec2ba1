//! The staff page of a theme's or proposal's references to other instances' projects: add
//! one by URL or handle (errors at the field, nothing stored), see each card, remove one;
//! and what references it from elsewhere, each of which staff may hide.

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
use crate::services::{Viewer, proposals, themes};
use crate::state::AppState;
use crate::t;

#[derive(Template, WebTemplate)]
#[template(path = "staff/references.html")]
pub struct ReferencesPage {
    pub ctx: PageCtx,
    /// This page's path, where its forms post and return.
    pub page_path: String,
    /// What the forms on it add to their action to come back here.
    pub back: String,
    /// The theme's or proposal's title, and its public page.
    pub subject_title: String,
    pub subject_href: String,
    pub references: Vec<ReferenceView>,
    /// What references it from elsewhere, hidden ones too.
    pub backlinks: Vec<BacklinkView>,
    pub target: String,
    pub errors: FormErrors,
}

#[derive(Debug, Default, Deserialize)]
pub struct ReferenceForm {
    #[serde(default)]
    pub target: String,
}

/// Whose references a page is about: a theme (by slug) or a proposal (by id).
#[derive(Debug, Clone, Deserialize)]
pub struct BackTo {
    pub theme: Option<String>,
    pub proposal: Option<i64>,
}

struct Subject {
    local: Local,
    linked: Linked,
    title: String,
    href: String,
    page_path: String,
    back: String,
}

async fn theme_subject(
    state: &AppState,
    viewer: &Viewer,
    slug: &str,
) -> Result<Subject, super::WebError> {
    let theme = themes::load(state, viewer, slug).await?;
    let slug = theme.row.slug;
    Ok(Subject {
        local: Local::Theme(theme.row.id),
        linked: Linked::Theme(theme.row.id),
        title: theme.row.title,
        href: format!("/themes/{slug}"),
        page_path: format!("/staff/themes/{slug}/references"),
        back: format!("theme={slug}"),
    })
}

async fn proposal_subject(
    state: &AppState,
    viewer: &Viewer,
    id: i64,
) -> Result<Subject, super::WebError> {
    let proposal = proposals::get(state, viewer, id).await?;
    Ok(Subject {
        local: Local::Proposal(proposal.id),
        linked: Linked::Proposal(proposal.id),
        title: proposal.title,
        href: format!("/proposals/{}", proposal.id),
        page_path: format!("/staff/proposals/{}/references", proposal.id),
        back: format!("proposal={}", proposal.id),
    })
}

async fn render(
    state: &AppState,
    ctx: PageCtx,
    subject: Subject,
    target: String,
    errors: FormErrors,
    status: StatusCode,
) -> PageResult {
    let viewer = ctx.viewer();
    viewer.require_staff()?;
    let references = references::list(state, subject.local).await?;
    let backlinks = backlinks::list(state, &viewer, subject.linked).await?;
    Ok((
        status,
        ReferencesPage {
            ctx,
            page_path: subject.page_path,
            back: subject.back,
            subject_title: subject.title,
            subject_href: subject.href,
            references,
            backlinks,
            target,
            errors,
        },
    )
        .into_response())
}

async fn add(state: &AppState, ctx: PageCtx, subject: Subject, form: ReferenceForm) -> PageResult {
    let viewer = ctx.viewer();
    let input = ReferenceInput {
        target: form.target.clone(),
    };
    match references::add(state, &viewer, subject.local, &input).await {
        Ok(_) => ctx.see_other(&subject.page_path),
        Err(crate::error::AppError::Conflict { .. }) => {
            let mut errors = FormErrors::default();
            errors.set("target", t!(ctx, "error-taken"));
            render(
                state,
                ctx,
                subject,
                form.target,
                errors,
                StatusCode::CONFLICT,
            )
            .await
        }
        Err(err) => {
            let (status, errors) = form_errors(&ctx, err)?;
            render(state, ctx, subject, form.target, errors, status).await
        }
    }
}

pub async fn theme_page(
    State(state): State<AppState>,
    ctx: PageCtx,
    PagePath(slug): PagePath<String>,
) -> PageResult {
    let subject = theme_subject(&state, &ctx.viewer(), &slug).await?;
    render(
        &state,
        ctx,
        subject,
        String::new(),
        FormErrors::default(),
        StatusCode::OK,
    )
    .await
}

pub async fn theme_add(
    State(state): State<AppState>,
    ctx: PageCtx,
    PagePath(slug): PagePath<String>,
    CsrfForm(form): CsrfForm<ReferenceForm>,
) -> PageResult {
    let subject = theme_subject(&state, &ctx.viewer(), &slug).await?;
    add(&state, ctx, subject, form).await
}

pub async fn proposal_page(
    State(state): State<AppState>,
    ctx: PageCtx,
    PagePath(id): PagePath<i64>,
) -> PageResult {
    let subject = proposal_subject(&state, &ctx.viewer(), id).await?;
    render(
        &state,
        ctx,
        subject,
        String::new(),
        FormErrors::default(),
        StatusCode::OK,
    )
    .await
}

pub async fn proposal_add(
    State(state): State<AppState>,
    ctx: PageCtx,
    PagePath(id): PagePath<i64>,
    CsrfForm(form): CsrfForm<ReferenceForm>,
) -> PageResult {
    let subject = proposal_subject(&state, &ctx.viewer(), id).await?;
    add(&state, ctx, subject, form).await
}

/// The page to come back to, from the query the forms carry.
fn back_path(back: &BackTo) -> String {
    match (&back.theme, back.proposal) {
        (_, Some(id)) => format!("/staff/proposals/{id}/references"),
        (Some(slug), None) => {
            let slug = crate::domain::Slug::parse(slug)
                .map(|s| s.as_str().to_string())
                .unwrap_or_default();
            format!("/staff/themes/{slug}/references")
        }
        (None, None) => "/staff".to_string(),
    }
}

pub async fn remove(
    State(state): State<AppState>,
    ctx: PageCtx,
    PagePath(id): PagePath<i64>,
    Query(back): Query<BackTo>,
    CsrfForm(_): CsrfForm<Vec<(String, String)>>,
) -> PageResult {
    references::remove(&state, &ctx.viewer(), id).await?;
    ctx.see_other(&back_path(&back))
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
    ctx.see_other(&back_path(&back))
}
