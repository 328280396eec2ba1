//! Official answers API: staff answer a proposal (and revise the answer), anyone reads
//! every version, staff list what awaits an answer.

use axum::Json;
use axum::extract::State;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::error::AppError;
use crate::http::extract::{ApiJson, ApiPath, ApiQuery, Authorized, Staff};
use crate::http::problem::Problem;
use crate::services::answers::{self, AnswerInput, AnswerView};
use crate::services::proposals::ProposalView;
use crate::services::{Page, Viewer};
use crate::state::AppState;

/// Answer a proposal, or revise its answer (staff only): each call makes a new version.
/// The author, commenters and supporters are notified; on the fediverse the proposal's
/// `Page` is updated and the theme replies with a `Note` mentioning who took part there.
#[utoipa::path(put, path = "/proposals/{id}/answer", tag = "answers", request_body = AnswerInput,
    params(("id" = i64, Path, description = "Proposal id", minimum = 1)),
    responses((status = 200, body = AnswerView), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn answer_proposal(
    State(state): State<AppState>,
    Authorized(viewer, _): Staff,
    ApiPath(id): ApiPath<i64>,
    ApiJson(input): ApiJson<AnswerInput>,
) -> Result<Json<AnswerView>, AppError> {
    Ok(Json(answers::answer(&state, &viewer, id, &input).await?))
}

/// Every version of a proposal's answer, newest first.
#[utoipa::path(get, path = "/proposals/{id}/answers", tag = "answers",
    params(("id" = i64, Path, description = "Proposal id", minimum = 1)),
    responses((status = 200, body = Vec<AnswerView>), (status = 404, body = Problem)))]
pub async fn list_answers(
    State(state): State<AppState>,
    viewer: Viewer,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<Vec<AnswerView>>, AppError> {
    Ok(Json(answers::history(&state, &viewer, id).await?))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AwaitingQuery {
    /// Page number, from 1 to 1,000,000.
    #[param(minimum = 1, maximum = 1_000_000)]
    pub page: Option<u32>,
    /// Items per page, 1 to 100 (default 50).
    #[param(minimum = 1, maximum = 100)]
    pub per_page: Option<u32>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AwaitingPage {
    pub items: Vec<ProposalView>,
    pub page: u32,
    pub per_page: u32,
    pub has_more: bool,
}

/// Published proposals without an answer yet, oldest first (staff only).
#[utoipa::path(get, path = "/answers/awaiting", tag = "answers", params(AwaitingQuery),
    responses((status = 200, body = AwaitingPage), (status = 401, body = Problem), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn list_awaiting(
    State(state): State<AppState>,
    Authorized(viewer, _): Staff,
    ApiQuery(query): ApiQuery<AwaitingQuery>,
) -> Result<Json<AwaitingPage>, AppError> {
    let page = Page::parse(query.page, query.per_page)?;
    let (items, has_more) = answers::awaiting(&state, &viewer, page).await?;
    Ok(Json(AwaitingPage {
        items,
        page: page.number,
        per_page: page.per_page,
        has_more,
    }))
}
