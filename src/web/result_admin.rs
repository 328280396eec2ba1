//! Staff correct a published section of results on its own page: its heading, text and the
//! ideas it took up; each progress update corrected or removed; the section deleted (with a
//! confirmation), followers told through the event log.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use serde::Deserialize;

use super::PageResult;
use super::context::PageCtx;
use super::forms::{CsrfForm, FormErrors, form_errors};
use super::pages::PagePath;
use super::result_forms::{Offered, SectionForm};
use super::results::{ProgressForm, progress_errors};
use super::results::{offered, reflects_error};
use crate::error::AppError;
use crate::msg;
use crate::services::result_editing;
use crate::services::results::{self, ResultView};
use crate::state::AppState;
use crate::t;

#[derive(Template, WebTemplate)]
#[template(path = "staff/result_edit.html")]
pub struct SectionEditPage {
    pub ctx: PageCtx,
    pub theme_slug: String,
    pub result: ResultView,
    pub form: SectionForm,
    pub offered: Vec<Offered>,
    pub errors: FormErrors,
}

impl SectionEditPage {
    pub fn status_label(&self, status: &str) -> String {
        self.ctx
            .l()
            .get(&format!("result-status-{}", status.replace('_', "-")))
    }
}

/// The section with the slug of its theme, for staff.
async fn section(
    state: &AppState,
    ctx: &PageCtx,
    id: i64,
) -> Result<(ResultView, String), super::WebError> {
    let viewer = ctx.viewer();
    viewer.require_staff()?;
    let (result, theme_id) = results::get(state, id)
        .await?
        .ok_or(AppError::NotFound("result"))?;
    let theme = crate::services::themes::load_by_id(state, theme_id).await?;
    if !theme.visible_to(&viewer) {
        return Err(AppError::NotFound("result").into());
    }
    Ok((result, theme.row.slug))
}

async fn render(
    state: &AppState,
    ctx: PageCtx,
    id: i64,
    form: Option<SectionForm>,
    errors: FormErrors,
    status: StatusCode,
) -> PageResult {
    let (result, theme_slug) = section(state, &ctx, id).await?;
    let form = form.unwrap_or_else(|| SectionForm::from_view(&result));
    let offered = offered(state, &ctx, &theme_slug, &form).await?;
    let page = SectionEditPage {
        ctx,
        theme_slug,
        result,
        form,
        offered,
        errors,
    };
    Ok((status, page).into_response())
}

pub async fn edit_form(
    State(state): State<AppState>,
    ctx: PageCtx,
    PagePath(id): PagePath<i64>,
) -> PageResult {
    render(&state, ctx, id, None, FormErrors::default(), StatusCode::OK).await
}

pub async fn edit(
    State(state): State<AppState>,
    ctx: PageCtx,
    PagePath(id): PagePath<i64>,
    CsrfForm(pairs): CsrfForm<Vec<(String, String)>>,
) -> PageResult {
    let (_, slug) = section(&state, &ctx, id).await?;
    let form = SectionForm::from_pairs(&pairs);
    if pairs.iter().any(|(k, _)| k == "filter") {
        return render(
            &state,
            ctx,
            id,
            Some(form),
            FormErrors::default(),
            StatusCode::OK,
        )
        .await;
    }
    match results::update(&state, &ctx.viewer(), id, &form.input()).await {
        Ok(_) => ctx.see_other(&format!("/themes/{slug}/results#result-{id}")),
        Err(err) => {
            let (status, mut errors) = form_errors(&ctx, err)?;
            reflects_error(&mut errors);
            render(&state, ctx, id, Some(form), errors, status).await
        }
    }
}

#[derive(Debug, Default, Deserialize)]
pub struct DeleteForm {
    #[serde(default)]
    pub confirm: Option<String>,
}

pub async fn delete(
    State(state): State<AppState>,
    ctx: PageCtx,
    PagePath(id): PagePath<i64>,
    CsrfForm(form): CsrfForm<DeleteForm>,
) -> PageResult {
    let (_, slug) = section(&state, &ctx, id).await?;
    if form.confirm.is_none() {
        let mut errors = FormErrors::default();
        errors.set("confirm", msg!("error-confirm-delete").render(ctx.lang));
        return render(
            &state,
            ctx,
            id,
            None,
            errors,
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    }
    result_editing::delete(&state, &ctx.viewer(), id).await?;
    ctx.see_other(&format!("/themes/{slug}/results"))
}

#[derive(Debug, Default, Deserialize)]
pub struct ProgressEditForm {
    /// `save` or `delete`.
    #[serde(default)]
    pub action: String,
    #[serde(flatten)]
    pub record: ProgressForm,
}

pub async fn progress(
    State(state): State<AppState>,
    ctx: PageCtx,
    PagePath((id, progress_id)): PagePath<(i64, i64)>,
    CsrfForm(form): CsrfForm<ProgressEditForm>,
) -> PageResult {
    section(&state, &ctx, id).await?;
    let viewer = ctx.viewer();
    let outcome = if form.action == "delete" {
        result_editing::delete_progress(&state, &viewer, id, progress_id)
            .await
            .map(|_| ())
    } else {
        match form.record.input() {
            Ok(input) => result_editing::update_progress(&state, &viewer, id, progress_id, &input)
                .await
                .map(|_| ()),
            Err(refused) => Err(refused),
        }
    };
    match outcome {
        Ok(()) => ctx.see_other(&format!("/staff/results/{id}/edit#progress-{progress_id}")),
        Err(err) => {
            let (status, found) = form_errors(&ctx, err)?;
            let errors = progress_errors(&found, progress_id);
            render(&state, ctx, id, None, errors, status).await
        }
    }
}
