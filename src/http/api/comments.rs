//! Comments API.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;

use crate::error::AppError;
use crate::http::extract::{ApiJson, ApiPath};
use crate::http::extract::{Authorized, Moderator, SignedIn};
use crate::http::problem::Problem;
use crate::services::Viewer;
use crate::services::comments::{self, CommentEdit, CommentInput, CommentView};
use crate::services::proposals::ModerationInput;
use crate::state::AppState;

/// The comment tree of a proposal, oldest first at each level.
#[utoipa::path(get, path = "/proposals/{id}/comments", tag = "comments",
    params(("id" = i64, Path, description = "Proposal id")),
    responses((status = 200, body = Vec<CommentView>), (status = 404, body = Problem)))]
pub async fn list_comments(
    State(state): State<AppState>,
    viewer: Viewer,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<Vec<CommentView>>, AppError> {
    Ok(Json(comments::list(&state, &viewer, id).await?))
}

/// Comment on a proposal, or reply to a comment, while the phase allows comments.
#[utoipa::path(post, path = "/proposals/{id}/comments", tag = "comments", request_body = CommentInput,
    params(("id" = i64, Path, description = "Proposal id")),
    responses((status = 201, body = CommentView), (status = 401, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn create_comment(
    State(state): State<AppState>,
    Authorized(viewer, _): SignedIn,
    ApiPath(id): ApiPath<i64>,
    ApiJson(input): ApiJson<CommentInput>,
) -> Result<(StatusCode, Json<CommentView>), AppError> {
    let comment = comments::create(&state, &viewer, id, input).await?;
    Ok((StatusCode::CREATED, Json(comment)))
}

/// Edit your comment.
#[utoipa::path(patch, path = "/comments/{id}", tag = "comments", request_body = CommentEdit,
    params(("id" = i64, Path, description = "Comment id")),
    responses((status = 200, body = CommentView), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn edit_comment(
    State(state): State<AppState>,
    Authorized(viewer, _): SignedIn,
    ApiPath(id): ApiPath<i64>,
    ApiJson(input): ApiJson<CommentEdit>,
) -> Result<Json<CommentView>, AppError> {
    Ok(Json(comments::edit(&state, &viewer, id, input).await?))
}

/// Delete your comment; its replies stay.
#[utoipa::path(delete, path = "/comments/{id}", tag = "comments",
    params(("id" = i64, Path, description = "Comment id")),
    responses((status = 204, description = "Deleted"), (status = 403, body = Problem)))]
pub async fn delete_comment(
    State(state): State<AppState>,
    viewer: Viewer,
    ApiPath(id): ApiPath<i64>,
) -> Result<StatusCode, AppError> {
    comments::delete(&state, &viewer, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Hide a comment, with a reason (moderators).
#[utoipa::path(post, path = "/comments/{id}/hide", tag = "moderation", request_body = ModerationInput,
    params(("id" = i64, Path, description = "Comment id")),
    responses((status = 200, body = CommentView), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn hide_comment(
    State(state): State<AppState>,
    Authorized(viewer, _): Moderator,
    ApiPath(id): ApiPath<i64>,
    ApiJson(input): ApiJson<ModerationInput>,
) -> Result<Json<CommentView>, AppError> {
    Ok(Json(
        comments::set_hidden(&state, &viewer, id, true, &input.reason).await?,
    ))
}

/// Restore a hidden comment, with a reason (moderators).
#[utoipa::path(post, path = "/comments/{id}/restore", tag = "moderation", request_body = ModerationInput,
    params(("id" = i64, Path, description = "Comment id")),
    responses((status = 200, body = CommentView), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn restore_comment(
    State(state): State<AppState>,
    Authorized(viewer, _): Moderator,
    ApiPath(id): ApiPath<i64>,
    ApiJson(input): ApiJson<ModerationInput>,
) -> Result<Json<CommentView>, AppError> {
    Ok(Json(
        comments::set_hidden(&state, &viewer, id, false, &input.reason).await?,
    ))
}
