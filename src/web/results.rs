//! The results page of a theme (反映): each section with the ideas it took up and its
//! implementation record (a table, with the share done as text beside a bar); staff publish
//! a section (choosing the ideas from the theme's list) and add progress updates on the
//! same page, without a script.

use crate::msg;
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
use crate::error::AppError;
use crate::services::result_editing;
use crate::services::results::{self, ProgressInput, ResultView};
use crate::services::themes::{self, ThemeView};
use crate::state::AppState;
use crate::t;

#[derive(Template, WebTemplate)]
#[template(path = "results.html")]
pub struct ResultsPage {
    pub ctx: PageCtx,
    pub theme: ThemeView,
    pub results: Vec<ResultView>,
    pub form: SectionForm,
    /// The theme's ideas the new section may take up.
    pub offered: Vec<Offered>,
    pub errors: FormErrors,
    /// The largest document staff may attach, in MB.
    pub upload_limit_mb: usize,
}

impl ResultsPage {
    /// "PDF", "PNG"... from a document's type.
    pub fn kind_label(&self, content_type: &str) -> String {
        content_type
            .rsplit('/')
            .next()
            .unwrap_or_default()
            .to_ascii_uppercase()
    }

    /// A file size as people read it ("1.2 MB", "340 KB").
    pub fn size_label(&self, bytes: &i64) -> String {
        let bytes = *bytes as f64;
        if bytes >= 1024.0 * 1024.0 {
            format!("{:.1} MB", bytes / (1024.0 * 1024.0))
        } else {
            format!("{} KB", (bytes / 1024.0).ceil().max(1.0))
        }
    }

    pub fn status_label(&self, status: &str) -> String {
        self.ctx
            .l()
            .get(&format!("result-status-{}", status.replace('_', "-")))
    }
}

/// The theme's ideas offered to a section's form, narrowed by its search.
pub(super) async fn offered(
    state: &AppState,
    ctx: &PageCtx,
    slug: &str,
    form: &SectionForm,
) -> Result<Vec<Offered>, super::WebError> {
    let viewer = ctx.viewer();
    if !ctx.is_staff() {
        return Ok(Vec::new());
    }
    let found = result_editing::idea_choices(state, &viewer, slug, &form.idea_filter).await?;
    let all = if form.idea_filter.trim().is_empty() || form.chosen.is_empty() {
        Vec::new()
    } else {
        result_editing::idea_choices(state, &viewer, slug, "").await?
    };
    Ok(form.offered(&found, &all))
}

pub(super) async fn render(
    state: &AppState,
    ctx: PageCtx,
    slug: &str,
    form: SectionForm,
    errors: FormErrors,
    status: StatusCode,
) -> PageResult {
    let viewer = ctx.viewer();
    let theme = themes::get(state, &viewer, slug).await?;
    let results = results::of_theme(state, &viewer, slug).await?;
    let offered = offered(state, &ctx, slug, &form).await?;
    Ok((
        status,
        ResultsPage {
            ctx,
            theme,
            results,
            form,
            offered,
            errors,
            upload_limit_mb: state.config.limits.upload_max_bytes / (1024 * 1024),
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
        SectionForm::default(),
        FormErrors::default(),
        StatusCode::OK,
    )
    .await
}

/// A refusal about the ideas taken up is shown at the list of ideas.
pub(super) fn reflects_error(errors: &mut FormErrors) {
    if errors.get("reflects").is_none()
        && let Some(why) = errors.with_prefix("reflects[")
    {
        errors.set("reflects", why);
    }
}

pub async fn publish(
    State(state): State<AppState>,
    ctx: PageCtx,
    PagePath(slug): PagePath<String>,
    CsrfForm(pairs): CsrfForm<Vec<(String, String)>>,
) -> PageResult {
    let viewer = ctx.viewer();
    viewer.require_staff()?;
    let form = SectionForm::from_pairs(&pairs);
    // Narrowing the list of ideas shows the form again with what was typed, nothing saved.
    if pairs.iter().any(|(k, _)| k == "filter") {
        return render(
            &state,
            ctx,
            &slug,
            form,
            FormErrors::default(),
            StatusCode::OK,
        )
        .await;
    }
    match results::publish(&state, &viewer, &slug, &form.input()).await {
        Ok(result) => ctx.see_other(&format!("/themes/{slug}/results#result-{}", result.id)),
        Err(err) => {
            let (status, mut errors) = form_errors(&ctx, err)?;
            reflects_error(&mut errors);
            render(&state, ctx, &slug, form, errors, status).await
        }
    }
}

#[derive(Debug, Default, Deserialize)]
pub struct ProgressForm {
    #[serde(default)]
    pub status: String,
    #[serde(default)]
    pub percent: String,
    #[serde(default)]
    pub note: String,
}

impl ProgressForm {
    /// The record as the service takes it; a percentage that is not a number (「30％」 is)
    /// is refused at its field.
    pub fn input(&self) -> Result<ProgressInput, AppError> {
        let percent = self
            .percent
            .trim()
            .trim_end_matches(['%', '％'])
            .parse::<i32>()
            .map_err(|_| AppError::invalid("percent", "not_a_number", msg!("error-percent")))?;
        Ok(ProgressInput {
            status: self.status.clone(),
            percent,
            note: self.note.clone(),
        })
    }
}

/// A refused progress record's messages at the fields of its own form on a page that shows
/// several (`progress_{record}_percent`).
pub fn progress_errors(found: &FormErrors, record: i64) -> FormErrors {
    let mut errors = FormErrors::default();
    for field in ["status", "percent", "note"] {
        if let Some(why) = found.get(field) {
            errors.set(&format!("progress_{record}_{field}"), why.to_string());
        }
    }
    errors
}

pub async fn add_progress(
    State(state): State<AppState>,
    ctx: PageCtx,
    PagePath((slug, id)): PagePath<(String, i64)>,
    CsrfForm(form): CsrfForm<ProgressForm>,
) -> PageResult {
    let viewer = ctx.viewer();
    viewer.require_staff()?;
    let outcome = match form.input() {
        Ok(input) => results::add_progress(&state, &viewer, id, &input)
            .await
            .map(|_| ()),
        Err(refused) => Err(refused),
    };
    match outcome {
        Ok(()) => ctx.see_other(&format!("/themes/{slug}/results#result-{id}")),
        Err(err) => {
            let (status, found) = form_errors(&ctx, err)?;
            let errors = progress_errors(&found, id);
            render(&state, ctx, &slug, SectionForm::default(), errors, status).await
        }
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "summary.html")]
pub struct SummaryPage {
    pub ctx: PageCtx,
    pub summary: crate::services::summary::ThemeSummary,
}

impl SummaryPage {
    pub fn answer_label(&self, state: &str) -> String {
        match crate::domain::AnswerState::parse(state) {
            Ok(s) => self.ctx.l().get(s.label_key()),
            Err(_) => t!(self.ctx, "answer-state-unanswered"),
        }
    }

    pub fn status_label(&self, status: &str) -> String {
        self.ctx
            .l()
            .get(&format!("result-status-{}", status.replace('_', "-")))
    }
}

/// The public, printable summary of a theme.
pub async fn summary(
    State(state): State<AppState>,
    ctx: PageCtx,
    PagePath(slug): PagePath<String>,
) -> PageResult {
    let summary = crate::services::summary::of_theme(&state, &ctx.viewer(), &slug).await?;
    Ok(SummaryPage { ctx, summary }.into_response())
}
