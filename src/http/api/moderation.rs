//! Moderation API: reports, the queue, blocks.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;

use crate::error::AppError;
use crate::http::extract::{ApiJson, ApiPath};
use crate::http::extract::{Authorized, Moderator, SignedIn};
use crate::http::problem::Problem;
use crate::services::Viewer;
use crate::services::moderation::{
    self, BlockInput, BlockView, ReportInput, ReportView, ResolveInput, TargetKind,
};
use crate::state::AppState;

/// Report a proposal to the moderators.
#[utoipa::path(post, path = "/proposals/{id}/report", tag = "moderation", request_body = ReportInput,
    params(("id" = i64, Path, description = "Proposal id")),
    responses((status = 202, description = "Report received"), (status = 401, body = Problem), (status = 422, body = Problem)))]
pub async fn report_proposal(
    State(state): State<AppState>,
    Authorized(viewer, _): SignedIn,
    ApiPath(id): ApiPath<i64>,
    ApiJson(input): ApiJson<ReportInput>,
) -> Result<StatusCode, AppError> {
    moderation::report(&state, &viewer, TargetKind::Proposal, id, &input.reason).await?;
    Ok(StatusCode::ACCEPTED)
}

/// Report a comment to the moderators.
#[utoipa::path(post, path = "/comments/{id}/report", tag = "moderation", request_body = ReportInput,
    params(("id" = i64, Path, description = "Comment id")),
    responses((status = 202, description = "Report received"), (status = 401, body = Problem), (status = 422, body = Problem)))]
pub async fn report_comment(
    State(state): State<AppState>,
    Authorized(viewer, _): SignedIn,
    ApiPath(id): ApiPath<i64>,
    ApiJson(input): ApiJson<ReportInput>,
) -> Result<StatusCode, AppError> {
    moderation::report(&state, &viewer, TargetKind::Comment, id, &input.reason).await?;
    Ok(StatusCode::ACCEPTED)
}

/// Open reports, oldest first (moderators).
#[utoipa::path(get, path = "/moderation/reports", tag = "moderation",
    responses((status = 200, body = Vec<ReportView>), (status = 403, body = Problem)))]
pub async fn open_reports(
    State(state): State<AppState>,
    viewer: Viewer,
) -> Result<Json<Vec<ReportView>>, AppError> {
    Ok(Json(moderation::open_reports(&state, &viewer).await?))
}

/// Decide a report: hide the content or dismiss the report (moderators).
#[utoipa::path(post, path = "/moderation/reports/{id}/resolve", tag = "moderation", request_body = ResolveInput,
    params(("id" = i64, Path, description = "Report id")),
    responses((status = 204, description = "Resolved"), (status = 403, body = Problem), (status = 409, body = Problem)))]
pub async fn resolve_report(
    State(state): State<AppState>,
    Authorized(viewer, _): Moderator,
    ApiPath(id): ApiPath<i64>,
    ApiJson(input): ApiJson<ResolveInput>,
) -> Result<StatusCode, AppError> {
    moderation::resolve(&state, &viewer, id, input).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Blocked remote accounts and instances (moderators).
#[utoipa::path(get, path = "/moderation/blocks", tag = "moderation",
    responses((status = 200, body = Vec<BlockView>), (status = 403, body = Problem)))]
pub async fn list_blocks(
    State(state): State<AppState>,
    viewer: Viewer,
) -> Result<Json<Vec<BlockView>>, AppError> {
    Ok(Json(moderation::list_blocks(&state, &viewer).await?))
}

/// Block a remote account or a whole instance (moderators).
#[utoipa::path(post, path = "/moderation/blocks", tag = "moderation", request_body = BlockInput,
    responses((status = 201, body = BlockView), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn add_block(
    State(state): State<AppState>,
    Authorized(viewer, _): Moderator,
    ApiJson(input): ApiJson<BlockInput>,
) -> Result<(StatusCode, Json<BlockView>), AppError> {
    Ok((
        StatusCode::CREATED,
        Json(moderation::add_block(&state, &viewer, input).await?),
    ))
}

/// Lift a block (moderators).
#[utoipa::path(delete, path = "/moderation/blocks/{id}", tag = "moderation",
    params(("id" = i64, Path, description = "Block id")),
    responses((status = 204, description = "Removed"), (status = 404, body = Problem)))]
pub async fn remove_block(
    State(state): State<AppState>,
    viewer: Viewer,
    ApiPath(id): ApiPath<i64>,
) -> Result<StatusCode, AppError> {
    moderation::remove_block(&state, &viewer, id).await?;
    Ok(StatusCode::NO_CONTENT)
}
