//! Reviews of hidden content on the pages: the author asks from the notification, a
//! moderator decides in the moderation queue. Without a script.

use axum::extract::State;
use serde::Deserialize;

use super::PageResult;
use super::context::PageCtx;
use super::forms::CsrfForm;
use super::pages::PagePath;
use crate::services::review_requests::{self, ReviewDecision, ReviewInput, Target};
use crate::state::AppState;

#[derive(Deserialize)]
pub struct ReviewForm {
    #[serde(default)]
    pub message: String,
}

async fn ask(
    state: &AppState,
    ctx: PageCtx,
    target: Target,
    id: i64,
    form: ReviewForm,
) -> PageResult {
    let input = ReviewInput {
        message: form.message,
    };
    review_requests::request(state, &ctx.viewer(), target, id, &input).await?;
    ctx.see_other("/notifications")
}

pub async fn ask_for_proposal(
    State(state): State<AppState>,
    ctx: PageCtx,
    PagePath(id): PagePath<i64>,
    CsrfForm(form): CsrfForm<ReviewForm>,
) -> PageResult {
    ask(&state, ctx, Target::Proposal, id, form).await
}

pub async fn ask_for_comment(
    State(state): State<AppState>,
    ctx: PageCtx,
    PagePath(id): PagePath<i64>,
    CsrfForm(form): CsrfForm<ReviewForm>,
) -> PageResult {
    ask(&state, ctx, Target::Comment, id, form).await
}

#[derive(Deserialize)]
pub struct DecisionForm {
    /// `restore` or `keep`.
    pub decision: String,
    #[serde(default)]
    pub reason: String,
}

pub async fn decide(
    State(state): State<AppState>,
    ctx: PageCtx,
    PagePath(id): PagePath<i64>,
    CsrfForm(form): CsrfForm<DecisionForm>,
) -> PageResult {
    let decision = ReviewDecision {
        restore: form.decision == "restore",
        reason: form.reason,
    };
    review_requests::decide(&state, &ctx.viewer(), id, &decision).await?;
    ctx.see_other("/staff/moderation#reviews")
}
