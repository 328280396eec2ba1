//! Drafts (たたき台) on the site, without a script: the theme's drafts and the staff form
//! that publishes one; a draft's numbered paragraphs, each with its amendments and a form to
//! propose one; an amendment's page (the change marked, supports, discussion, the staff
//! decision); the version history; and a per-paragraph comparison of two versions.

use crate::msg;
use std::collections::HashMap;

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
use crate::services::amendments::{
    self, AmendmentCommentInput, AmendmentDetail, AmendmentInput, DecisionInput,
};
use crate::services::drafts::{
    self, ComparisonView, DraftInput, DraftSummary, DraftView, VersionView,
};
use crate::services::themes::{self, ThemeView};
use crate::state::AppState;
use crate::t;

#[derive(Template, WebTemplate)]
#[template(path = "drafts.html")]
pub struct DraftsPage {
    pub ctx: PageCtx,
    pub theme: ThemeView,
    pub drafts: Vec<DraftSummary>,
    pub form: DraftForm,
    pub errors: FormErrors,
}

#[derive(Debug, Default, Deserialize)]
pub struct DraftForm {
    #[serde(default)]
    pub title: String,
    #[serde(default)]
    pub text: String,
}

async fn render_list(
    state: &AppState,
    ctx: PageCtx,
    slug: &str,
    form: DraftForm,
    errors: FormErrors,
    status: StatusCode,
) -> PageResult {
    let viewer = ctx.viewer();
    let theme = themes::get(state, &viewer, slug).await?;
    let drafts = drafts::of_theme(state, &viewer, slug).await?;
    Ok((
        status,
        DraftsPage {
            ctx,
            theme,
            drafts,
            form,
            errors,
        },
    )
        .into_response())
}

pub async fn list(
    State(state): State<AppState>,
    ctx: PageCtx,
    PagePath(slug): PagePath<String>,
) -> PageResult {
    let (form, errors) = (DraftForm::default(), FormErrors::default());
    render_list(&state, ctx, &slug, form, errors, StatusCode::OK).await
}

pub async fn publish(
    State(state): State<AppState>,
    ctx: PageCtx,
    PagePath(slug): PagePath<String>,
    CsrfForm(form): CsrfForm<DraftForm>,
) -> PageResult {
    let viewer = ctx.viewer();
    let input = DraftInput {
        title: form.title.clone(),
        text: form.text.clone(),
    };
    match drafts::publish(&state, &viewer, &slug, &input).await {
        Ok(draft) => ctx.see_other(&format!("/drafts/{}", draft.id)),
        Err(err) => {
            let (status, errors) = form_errors(&ctx, err)?;
            render_list(&state, ctx, &slug, form, errors, status).await
        }
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "draft.html")]
pub struct DraftPage {
    pub ctx: PageCtx,
    pub draft: DraftView,
    /// The paragraph whose amendment form was refused, with what was typed.
    pub amending: Option<AmendForm>,
    pub errors: FormErrors,
}

impl DraftPage {
    /// The text the amendment form of a paragraph starts with: what was typed, else the
    /// paragraph itself.
    pub fn typed_replacement(&self, number: &i32, current: &str) -> String {
        match &self.amending {
            Some(form) if form.paragraph.trim() == number.to_string() => form.replacement.clone(),
            _ => current.to_string(),
        }
    }

    pub fn typed_reason(&self, number: &i32) -> String {
        match &self.amending {
            Some(form) if form.paragraph.trim() == number.to_string() => form.reason.clone(),
            _ => String::new(),
        }
    }

    pub fn is_amending(&self, number: &i32) -> bool {
        self.amending
            .as_ref()
            .is_some_and(|form| form.paragraph.trim() == number.to_string())
    }

    pub fn status_label(&self, status: &str) -> String {
        self.ctx.label(&format!("amendment-status-{status}"))
    }
}

#[derive(Debug, Default, Clone, Deserialize)]
pub struct AmendForm {
    #[serde(default)]
    pub paragraph: String,
    #[serde(default)]
    pub replacement: String,
    #[serde(default)]
    pub reason: String,
}

pub async fn draft(
    State(state): State<AppState>,
    ctx: PageCtx,
    PagePath(id): PagePath<i64>,
) -> PageResult {
    let draft = drafts::get(&state, &ctx.viewer(), id).await?;
    Ok(DraftPage {
        ctx,
        draft,
        amending: None,
        errors: FormErrors::default(),
    }
    .into_response())
}

pub async fn propose(
    State(state): State<AppState>,
    ctx: PageCtx,
    PagePath(id): PagePath<i64>,
    CsrfForm(form): CsrfForm<AmendForm>,
) -> PageResult {
    let viewer = ctx.viewer();
    let outcome = match form.paragraph.trim().parse::<i32>() {
        Ok(paragraph) => {
            let input = AmendmentInput {
                paragraph,
                replacement: form.replacement.clone(),
                reason: form.reason.clone(),
            };
            amendments::propose(&state, &viewer, id, &input).await
        }
        Err(_) => Err(crate::error::AppError::invalid(
            "paragraph",
            "no_such_paragraph",
            msg!("error-no-such-paragraph"),
        )),
    };
    match outcome {
        Ok(detail) => ctx.see_other(&format!("/amendments/{}", detail.amendment.id)),
        Err(err) => {
            let (status, errors) = form_errors(&ctx, err)?;
            let draft = drafts::get(&state, &viewer, id).await?;
            Ok((
                status,
                DraftPage {
                    ctx,
                    draft,
                    amending: Some(form),
                    errors,
                },
            )
                .into_response())
        }
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "amendment.html")]
pub struct AmendmentPage {
    pub ctx: PageCtx,
    pub detail: AmendmentDetail,
    pub comment: String,
    pub decision: DecisionForm,
    pub errors: FormErrors,
}

impl AmendmentPage {
    pub fn status_label(&self, status: &str) -> String {
        self.ctx.label(&format!("amendment-status-{status}"))
    }
}

#[derive(Debug, Default, Deserialize)]
pub struct DecisionForm {
    #[serde(default)]
    pub decision: String,
    #[serde(default)]
    pub reason: String,
}

#[derive(Debug, Default, Deserialize)]
pub struct CommentForm {
    #[serde(default)]
    pub body: String,
}

async fn render_amendment(
    state: &AppState,
    ctx: PageCtx,
    id: i64,
    comment: String,
    decision: DecisionForm,
    errors: FormErrors,
    status: StatusCode,
) -> PageResult {
    let detail = amendments::get(state, &ctx.viewer(), id).await?;
    Ok((
        status,
        AmendmentPage {
            ctx,
            detail,
            comment,
            decision,
            errors,
        },
    )
        .into_response())
}

pub async fn amendment(
    State(state): State<AppState>,
    ctx: PageCtx,
    PagePath(id): PagePath<i64>,
) -> PageResult {
    let (comment, decision, errors) = (
        String::new(),
        DecisionForm::default(),
        FormErrors::default(),
    );
    render_amendment(&state, ctx, id, comment, decision, errors, StatusCode::OK).await
}

pub async fn support(
    State(state): State<AppState>,
    ctx: PageCtx,
    PagePath(id): PagePath<i64>,
    CsrfForm(form): CsrfForm<HashMap<String, String>>,
) -> PageResult {
    let on = form.get("support").map(String::as_str) != Some("withdraw");
    amendments::support(&state, &ctx.viewer(), id, on).await?;
    ctx.see_other(&format!("/amendments/{id}#supports"))
}

pub async fn comment(
    State(state): State<AppState>,
    ctx: PageCtx,
    PagePath(id): PagePath<i64>,
    CsrfForm(form): CsrfForm<CommentForm>,
) -> PageResult {
    let input = AmendmentCommentInput {
        body: form.body.clone(),
    };
    match amendments::comment(&state, &ctx.viewer(), id, &input).await {
        Ok(_) => ctx.see_other(&format!("/amendments/{id}#discussion")),
        Err(err) => {
            let (status, errors) = form_errors(&ctx, err)?;
            let decision = DecisionForm::default();
            render_amendment(&state, ctx, id, form.body, decision, errors, status).await
        }
    }
}

pub async fn decide(
    State(state): State<AppState>,
    ctx: PageCtx,
    PagePath(id): PagePath<i64>,
    CsrfForm(form): CsrfForm<DecisionForm>,
) -> PageResult {
    let input = DecisionInput {
        decision: form.decision.clone(),
        reason: form.reason.clone(),
    };
    match amendments::decide(&state, &ctx.viewer(), id, &input).await {
        Ok(_) => ctx.see_other(&format!("/amendments/{id}")),
        Err(err) => {
            let (status, errors) = form_errors(&ctx, err)?;
            render_amendment(&state, ctx, id, String::new(), form, errors, status).await
        }
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "draft_versions.html")]
pub struct VersionsPage {
    pub ctx: PageCtx,
    pub draft: DraftView,
    pub versions: Vec<VersionView>,
}

pub async fn versions(
    State(state): State<AppState>,
    ctx: PageCtx,
    PagePath(id): PagePath<i64>,
) -> PageResult {
    let viewer = ctx.viewer();
    let draft = drafts::get(&state, &viewer, id).await?;
    let versions = drafts::versions(&state, &viewer, id).await?;
    Ok(VersionsPage {
        ctx,
        draft,
        versions,
    }
    .into_response())
}

#[derive(Template, WebTemplate)]
#[template(path = "draft_compare.html")]
pub struct ComparePage {
    pub ctx: PageCtx,
    pub comparison: ComparisonView,
}

#[derive(Debug, Default, Deserialize)]
pub struct CompareQuery {
    #[serde(default)]
    pub from: String,
    #[serde(default)]
    pub to: String,
}

/// Two versions side by side, paragraph by paragraph; a version that does not exist is
/// refused with the range that does.
pub async fn compare(
    State(state): State<AppState>,
    ctx: PageCtx,
    PagePath(id): PagePath<i64>,
    Query(query): Query<CompareQuery>,
) -> PageResult {
    let number = |s: &str| s.trim().parse::<i32>().ok();
    let comparison = drafts::compare(
        &state,
        &ctx.viewer(),
        id,
        number(&query.from),
        number(&query.to),
    )
    .await?;
    Ok(ComparePage { ctx, comparison }.into_response())
}
