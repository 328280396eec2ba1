//! The API of reviews of hidden content: the author asks once, moderators decide.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;

use crate::error::AppError;
use crate::http::extract::{ApiJson, ApiPath, Authorized, Moderator, SignedIn};
use crate::http::problem::Problem;
use crate::services::review_requests::{self, ReviewDecision, ReviewInput, ReviewView, Target};
use crate::state::AppState;

/// Ask for the hiding of your idea to be reviewed (once).
#[utoipa::path(post, path = "/proposals/{id}/review", tag = "moderation", request_body = ReviewInput,
    params(("id" = i64, Path, description = "Proposal id", minimum = 1)),
    responses((status = 202, description = "Request received"), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn request_for_proposal(
    State(state): State<AppState>,
    Authorized(viewer, _): SignedIn,
    ApiPath(id): ApiPath<i64>,
    ApiJson(input): ApiJson<ReviewInput>,
) -> Result<StatusCode, AppError> {
    review_requests::request(&state, &viewer, Target::Proposal, id, &input).await?;
    Ok(StatusCode::ACCEPTED)
}

/// Ask for the hiding of your comment to be reviewed (once).
#[utoipa::path(post, path = "/comments/{id}/review", tag = "moderation", request_body = ReviewInput,
    params(("id" = i64, Path, description = "Comment id", minimum = 1)),
    responses((status = 202, description = "Request received"), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn request_for_comment(
    State(state): State<AppState>,
    Authorized(viewer, _): SignedIn,
    ApiPath(id): ApiPath<i64>,
    ApiJson(input): ApiJson<ReviewInput>,
) -> Result<StatusCode, AppError> {
    review_requests::request(&state, &viewer, Target::Comment, id, &input).await?;
    Ok(StatusCode::ACCEPTED)
}

/// Requests for review awaiting a moderator, oldest first.
#[utoipa::path(get, path = "/moderation/reviews", tag = "moderation",
    responses((status = 200, body = Vec<ReviewView>), (status = 401, body = Problem), (status = 403, body = Problem)))]
pub async fn open(
    State(state): State<AppState>,
    Authorized(viewer, _): Moderator,
) -> Result<Json<Vec<ReviewView>>, AppError> {
    Ok(Json(review_requests::open(&state, &viewer).await?))
}

/// Decide a request: show the content again, or keep it hidden, with a reason.
#[utoipa::path(post, path = "/moderation/reviews/{id}", tag = "moderation", request_body = ReviewDecision,
    params(("id" = i64, Path, description = "Review request id", minimum = 1)),
    responses((status = 204, description = "Decided"), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn decide(
    State(state): State<AppState>,
    Authorized(viewer, _): Moderator,
    ApiPath(id): ApiPath<i64>,
    ApiJson(decision): ApiJson<ReviewDecision>,
) -> Result<StatusCode, AppError> {
    review_requests::decide(&state, &viewer, id, &decision).await?;
    Ok(StatusCode::NO_CONTENT)
}
