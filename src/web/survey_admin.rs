//! Staff manage one survey: where it stands, what may be done with it (edit, close now,
//! open again, publish a draft, duplicate, archive, delete while unanswered) and the log of
//! wording corrected after answers came in.

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
use super::survey_builder::{SurveyForm, page as form_page, refusal_at_rows};
use crate::error::AppError;
use crate::msg;
use crate::services::survey_editing::{self, SurveyEdit};
use crate::services::surveys::{self, SurveyState, SurveyView};
use crate::services::{survey_closing, themes};
use crate::state::AppState;
use crate::t;

#[derive(Template, WebTemplate)]
#[template(path = "staff/survey_manage.html")]
pub struct ManagePage {
    pub ctx: PageCtx,
    pub survey: SurveyView,
    pub edits: Vec<SurveyEdit>,
    pub errors: FormErrors,
}

impl ManagePage {
    pub fn state_label(&self) -> String {
        match self.survey.state {
            SurveyState::Draft => t!(self.ctx, "survey-state-draft"),
            SurveyState::Published if self.survey.open => t!(self.ctx, "survey-manage-open"),
            SurveyState::Published if self.survey.closed => t!(self.ctx, "survey-manage-closed"),
            SurveyState::Published => t!(self.ctx, "survey-state-not-yet-open"),
            SurveyState::Archived => t!(self.ctx, "survey-state-archived"),
        }
    }

    pub fn is_draft(&self) -> bool {
        self.survey.state == SurveyState::Draft
    }

    pub fn is_published(&self) -> bool {
        self.survey.state == SurveyState::Published
    }

    pub fn is_archived(&self) -> bool {
        self.survey.state == SurveyState::Archived
    }

    /// What a log entry changed, in words: the survey's title, a section's heading, a
    /// question's prompt or one of its options.
    pub fn edit_target(&self, edit: &SurveyEdit) -> String {
        let question = edit.question_id.and_then(|id| {
            self.survey
                .questions()
                .position(|q| q.id == id)
                .map(|i| (i + 1).to_string())
        });
        let field = edit.field.as_str();
        let what = if let Some(n) = field
            .strip_prefix("options[")
            .and_then(|r| r.strip_suffix(']'))
        {
            t!(self.ctx, "survey-edit-field-option", number = n.to_string())
        } else if field.ends_with(".title") {
            t!(self.ctx, "survey-edit-field-section-title")
        } else if field.ends_with(".description") && field.starts_with("sections") {
            t!(self.ctx, "survey-edit-field-section-description")
        } else {
            match field {
                "title" => t!(self.ctx, "survey-form-title"),
                "description" => t!(self.ctx, "survey-form-description"),
                "prompt" => t!(self.ctx, "survey-form-prompt"),
                "help" => t!(self.ctx, "survey-form-help"),
                "low_label" => t!(self.ctx, "survey-form-low-label"),
                "high_label" => t!(self.ctx, "survey-form-high-label"),
                other => other.to_string(),
            }
        };
        match question {
            Some(n) => t!(self.ctx, "survey-edit-of-question", number = n, what = what),
            None => what,
        }
    }
}

async fn manage_page(
    state: &AppState,
    ctx: PageCtx,
    id: i64,
    errors: FormErrors,
    status: StatusCode,
) -> PageResult {
    let viewer = ctx.viewer();
    let survey = surveys::get(state, &viewer, id).await?;
    let edits = survey_editing::edits(state, &viewer, id).await?;
    let page = ManagePage {
        ctx,
        survey,
        edits,
        errors,
    };
    Ok((status, page).into_response())
}

pub async fn manage(
    State(state): State<AppState>,
    ctx: PageCtx,
    PagePath(id): PagePath<i64>,
) -> PageResult {
    ctx.viewer().require_staff()?;
    manage_page(&state, ctx, id, FormErrors::default(), StatusCode::OK).await
}

/// The actions of the page, each a small form of its own.
#[derive(Debug, Clone, Copy, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum SurveyAction {
    Close,
    Reopen,
    Publish,
    Archive,
    Unarchive,
    Duplicate,
    Delete,
}

#[derive(Debug, Deserialize)]
pub struct ActionForm {
    pub action: SurveyAction,
    /// Deleting asks for this box to be ticked.
    #[serde(default)]
    pub confirm: Option<String>,
}

pub async fn act(
    State(state): State<AppState>,
    ctx: PageCtx,
    PagePath(id): PagePath<i64>,
    CsrfForm(form): CsrfForm<ActionForm>,
) -> PageResult {
    let viewer = ctx.viewer();
    viewer.require_staff()?;
    let here = format!("/staff/surveys/{id}");
    let outcome = match form.action {
        SurveyAction::Close => survey_closing::close(&state, &viewer, id)
            .await
            .map(|_| here),
        SurveyAction::Reopen => survey_closing::reopen(&state, &viewer, id)
            .await
            .map(|_| here),
        SurveyAction::Publish => survey_editing::publish(&state, &viewer, id)
            .await
            .map(|_| here),
        SurveyAction::Archive => survey_editing::archive(&state, &viewer, id)
            .await
            .map(|_| here),
        SurveyAction::Unarchive => survey_editing::unarchive(&state, &viewer, id)
            .await
            .map(|_| here),
        SurveyAction::Duplicate => survey_editing::duplicate(&state, &viewer, id)
            .await
            .map(|copy| format!("/staff/surveys/{}", copy.id)),
        SurveyAction::Delete if form.confirm.is_none() => Err(AppError::invalid(
            "confirm",
            "required",
            msg!("error-confirm-delete"),
        )),
        SurveyAction::Delete => {
            let theme = surveys::get(&state, &viewer, id).await?.theme_slug;
            survey_editing::delete(&state, &viewer, id).await.map(|()| {
                theme.map_or_else(|| "/staff".to_string(), |t| format!("/themes/{t}/surveys"))
            })
        }
    };
    match outcome {
        Ok(to) => ctx.see_other(&to),
        Err(err) => {
            let (status, mut errors) = form_errors(&ctx, err)?;
            // Refusals about the whole survey are shown at the top of the page.
            if errors.general.is_none()
                && let Some((_, message)) = errors.first_with_prefix("")
            {
                errors.general = Some(message);
            }
            manage_page(&state, ctx, id, errors, status).await
        }
    }
}

pub async fn edit_form(
    State(state): State<AppState>,
    ctx: PageCtx,
    PagePath(id): PagePath<i64>,
) -> PageResult {
    let viewer = ctx.viewer();
    viewer.require_staff()?;
    let survey = surveys::get(&state, &viewer, id).await?;
    let slug = survey
        .theme_slug
        .clone()
        .ok_or(AppError::NotFound("survey"))?;
    let theme = themes::get(&state, &viewer, &slug).await?;
    let form = SurveyForm::from_view(&survey);
    form_page(
        ctx,
        theme,
        form,
        FormErrors::default(),
        StatusCode::OK,
        Some(survey),
    )
}

pub async fn edit(
    State(state): State<AppState>,
    ctx: PageCtx,
    PagePath(id): PagePath<i64>,
    CsrfForm(pairs): CsrfForm<Vec<(String, String)>>,
) -> PageResult {
    let viewer = ctx.viewer();
    viewer.require_staff()?;
    let survey = surveys::get(&state, &viewer, id).await?;
    let slug = survey
        .theme_slug
        .clone()
        .ok_or(AppError::NotFound("survey"))?;
    let theme = themes::get(&state, &viewer, &slug).await?;
    let mut form = SurveyForm::from_pairs(&pairs);
    if pairs.iter().any(|(k, _)| k == "more") {
        return form_page(
            ctx,
            theme,
            form,
            FormErrors::default(),
            StatusCode::OK,
            Some(survey),
        );
    }
    let outcome = match form.input() {
        Ok((mut input, rows_of)) => {
            // The form has no place for a section's description: each keeps its own.
            for section in &mut input.sections {
                if let Some(old) = survey.sections.iter().find(|s| s.title == section.title) {
                    section.description = old.description.clone();
                }
            }
            survey_editing::update(&state, &viewer, id, &input)
                .await
                .map_err(|e| (e, rows_of))
        }
        Err(e) => Err((e, Vec::new())),
    };
    match outcome {
        Ok(_) => ctx.see_other(&format!("/staff/surveys/{id}")),
        Err((err, rows_of)) => {
            let (status, errors) = refusal_at_rows(&ctx, &mut form, err, &rows_of)?;
            form_page(ctx, theme, form, errors, status, Some(survey))
        }
    }
}
