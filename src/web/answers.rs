//! Official answers on the pages: staff answer an idea (or revise the answer) on its page,
//! and see the ideas that await an answer, oldest first. Without a script.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use serde::Deserialize;
use unicode_normalization::UnicodeNormalization;

use super::PageResult;
use super::context::PageCtx;
use super::forms::{CsrfForm, FormErrors, form_errors};
use super::pages::{CommentForm, PagePath, render_idea};
use crate::domain::AnswerState;
use crate::services::Page;
use crate::services::answers::{self, AnswerInput, AnswerView};
use crate::services::proposals::ProposalView;
use crate::state::AppState;
use crate::t;

/// The staff answer form, as typed (its fields are named `answer_*` on the idea page).
#[derive(Debug, Default, Clone, Deserialize)]
pub struct AnswerForm {
    #[serde(default)]
    pub answer_state: String,
    #[serde(default)]
    pub answer_body: String,
    #[serde(default)]
    pub answer_department: String,
    /// The cost as officials write it.
    #[serde(default)]
    pub answer_cost: String,
    /// The cost in yen, to sort by (optional).
    #[serde(default)]
    pub answer_cost_yen: String,
    #[serde(default)]
    pub answer_link: String,
}

impl AnswerForm {
    /// The form to revise an answer: what it says now.
    pub fn from_answer(answer: &AnswerView) -> Self {
        AnswerForm {
            answer_state: answer.state.as_str().to_string(),
            answer_body: answer.body.clone(),
            answer_department: answer.department.clone(),
            answer_cost: answer.cost.clone().unwrap_or_default(),
            answer_cost_yen: answer
                .cost_estimate_yen
                .map(|c| c.to_string())
                .unwrap_or_default(),
            answer_link: answer.link.clone().unwrap_or_default(),
        }
    }
}

/// Every answer state with its label, for the form's choice and the board's filter.
pub fn state_choices(ctx: &PageCtx) -> Vec<(&'static str, String)> {
    AnswerState::ALL
        .into_iter()
        .map(|s| (s.as_str(), ctx.l().get(s.label_key())))
        .collect()
}

pub async fn answer(
    State(state): State<AppState>,
    ctx: PageCtx,
    PagePath(id): PagePath<i64>,
    CsrfForm(form): CsrfForm<AnswerForm>,
) -> PageResult {
    let viewer = ctx.viewer();
    viewer.require_staff()?;
    // Digits as typed on a Japanese keyboard (full width, with commas) count as digits.
    let yen: String = form
        .answer_cost_yen
        .nfkc()
        .filter(|c| !matches!(c, ',' | '_' | '円' | '¥') && !c.is_whitespace())
        .collect();
    let mut errors = FormErrors::default();
    let cost = if yen.is_empty() {
        None
    } else {
        match yen.parse::<i64>() {
            Ok(yen) => Some(yen),
            Err(_) => {
                errors.set("answer_cost_yen", t!(ctx, "answer-cost-not-a-number"));
                None
            }
        }
    };
    let result = if errors.is_empty() {
        let input = AnswerInput {
            state: form.answer_state.clone(),
            body: form.answer_body.clone(),
            department: form.answer_department.clone(),
            cost: Some(form.answer_cost.clone()),
            cost_estimate_yen: cost,
            link: Some(form.answer_link.clone()),
        };
        answers::answer(&state, &viewer, id, &input)
            .await
            .map(|_| ())
    } else {
        Ok(())
    };
    let status = match result {
        Ok(()) if errors.is_empty() => {
            return ctx.see_other(&format!("/proposals/{id}#answer"));
        }
        Ok(()) => StatusCode::UNPROCESSABLE_ENTITY,
        Err(err) => {
            let (status, service_errors) = form_errors(&ctx, err)?;
            for field in [
                "state",
                "body",
                "department",
                "cost",
                "cost_estimate_yen",
                "link",
            ] {
                if let Some(text) = service_errors.get(field) {
                    let key = if field == "cost_estimate_yen" {
                        "cost_yen"
                    } else {
                        field
                    };
                    errors.set(&format!("answer_{key}"), text.to_string());
                }
            }
            errors.general = service_errors.general.clone();
            status
        }
    };
    render_idea(
        &state,
        ctx,
        id,
        CommentForm::default(),
        Some(form),
        errors,
        status,
        None,
    )
    .await
}

#[derive(Template, WebTemplate)]
#[template(path = "staff/awaiting.html")]
pub struct AwaitingPage {
    pub ctx: PageCtx,
    pub ideas: Vec<ProposalView>,
    pub page: u32,
    pub has_more: bool,
}

#[derive(Debug, Default, Deserialize)]
pub struct PageQuery {
    pub page: Option<u32>,
}

/// The ideas that await an answer, oldest first.
pub async fn awaiting(
    State(state): State<AppState>,
    ctx: PageCtx,
    Query(query): Query<PageQuery>,
) -> PageResult {
    let page = Page::parse(query.page.filter(|p| *p > 0), Some(30))?;
    let (ideas, has_more) = answers::awaiting(&state, &ctx.viewer(), page).await?;
    Ok(AwaitingPage {
        ctx,
        ideas,
        page: page.number,
        has_more,
    }
    .into_response())
}
