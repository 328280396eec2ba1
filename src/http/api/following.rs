//! Following API: the remote actors the municipality follows (staff), and the posts that
//! reach it through them, which residents support and answer.

use axum::Json;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::error::AppError;
use crate::http::extract::{ApiJson, ApiPath, ApiQuery};
use crate::http::extract::{Authorized, SignedIn, Staff};
use crate::http::problem::Problem;
use crate::services::followed_themes::{self, RemoteThemeView};
use crate::services::following::{
    self, FollowInput, FollowView, RemotePostDetail, RemotePostView, RemoteReplyView,
    RemoteSupportView, ReplyInput,
};
use crate::services::{Page, Viewer};
use crate::state::AppState;

/// The remote actors the municipality follows, newest first (staff only).
#[utoipa::path(get, path = "/following", tag = "following",
    responses((status = 200, body = Vec<FollowView>), (status = 403, body = Problem)))]
pub async fn list_follows(
    State(state): State<AppState>,
    viewer: Viewer,
) -> Result<Json<Vec<FollowView>>, AppError> {
    Ok(Json(following::follows(&state, &viewer).await?))
}

/// Follow a theme or a municipality on another server (staff only): `name@host` is looked
/// up by WebFinger; the municipality's actor sends a `Follow`, and the state turns
/// `accepted` when the other server answers.
#[utoipa::path(post, path = "/following", tag = "following", request_body = FollowInput,
    responses((status = 201, body = FollowView), (status = 403, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn follow(
    State(state): State<AppState>,
    Authorized(viewer, _): Staff,
    ApiJson(input): ApiJson<FollowInput>,
) -> Result<Response, AppError> {
    let view = following::follow(&state, &viewer, input).await?;
    let location = format!("/api/v1/following/{}", view.id);
    Ok((
        StatusCode::CREATED,
        [(header::LOCATION, location)],
        Json(view),
    )
        .into_response())
}

/// Stop following (staff only): an `Undo(Follow)` is sent and the posts kept from that
/// actor are forgotten.
#[utoipa::path(delete, path = "/following/{id}", tag = "following",
    params(("id" = i64, Path, description = "Follow id")),
    responses((status = 204), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn unfollow(
    State(state): State<AppState>,
    viewer: Viewer,
    ApiPath(id): ApiPath<i64>,
) -> Result<StatusCode, AppError> {
    following::unfollow(&state, &viewer, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PostListQuery {
    /// Page number, from 1 to 1,000,000.
    #[param(minimum = 1, maximum = 1_000_000)]
    pub page: Option<u32>,
    /// Items per page, 1 to 100 (default 50).
    #[param(minimum = 1, maximum = 100)]
    pub per_page: Option<u32>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RemotePostPage {
    pub items: Vec<RemotePostView>,
    pub page: u32,
    pub per_page: u32,
    pub has_more: bool,
}

/// Posts from followed actors, newest first (replies are listed under their post).
#[utoipa::path(get, path = "/federated/posts", tag = "following", params(PostListQuery),
    responses((status = 200, body = RemotePostPage), (status = 422, body = Problem)))]
pub async fn list_posts(
    State(state): State<AppState>,
    viewer: Viewer,
    ApiQuery(query): ApiQuery<PostListQuery>,
) -> Result<Json<RemotePostPage>, AppError> {
    let page = Page::parse(query.page, query.per_page)?;
    let (items, has_more) = following::posts(&state, &viewer, page).await?;
    Ok(Json(RemotePostPage {
        items,
        page: page.number,
        per_page: page.per_page,
        has_more,
    }))
}

/// One post from a followed actor, with its replies (here and from elsewhere).
#[utoipa::path(get, path = "/federated/posts/{id}", tag = "following",
    params(("id" = i64, Path, description = "Post id")),
    responses((status = 200, body = RemotePostDetail), (status = 404, body = Problem)))]
pub async fn get_post(
    State(state): State<AppState>,
    viewer: Viewer,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<RemotePostDetail>, AppError> {
    Ok(Json(following::post(&state, &viewer, id).await?))
}

/// Support a post from a followed actor: a `Like` goes to its origin, which counts it.
#[utoipa::path(put, path = "/federated/posts/{id}/support", tag = "following",
    params(("id" = i64, Path, description = "Post id")),
    responses((status = 200, body = RemoteSupportView), (status = 401, body = Problem), (status = 404, body = Problem)))]
pub async fn support_post(
    State(state): State<AppState>,
    viewer: Viewer,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<RemoteSupportView>, AppError> {
    Ok(Json(
        following::set_support(&state, &viewer, id, true).await?,
    ))
}

/// Withdraw your support (an `Undo` of the `Like`).
#[utoipa::path(delete, path = "/federated/posts/{id}/support", tag = "following",
    params(("id" = i64, Path, description = "Post id")),
    responses((status = 200, body = RemoteSupportView), (status = 401, body = Problem), (status = 404, body = Problem)))]
pub async fn unsupport_post(
    State(state): State<AppState>,
    viewer: Viewer,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<RemoteSupportView>, AppError> {
    Ok(Json(
        following::set_support(&state, &viewer, id, false).await?,
    ))
}

/// Reply to a post from a followed actor: kept here and delivered to its origin.
#[utoipa::path(post, path = "/federated/posts/{id}/replies", tag = "following", request_body = ReplyInput,
    params(("id" = i64, Path, description = "Post id")),
    responses((status = 201, body = RemoteReplyView), (status = 401, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn reply_to_post(
    State(state): State<AppState>,
    Authorized(viewer, _): SignedIn,
    ApiPath(id): ApiPath<i64>,
    ApiJson(input): ApiJson<ReplyInput>,
) -> Result<Response, AppError> {
    let reply = following::reply(&state, &viewer, id, input).await?;
    Ok((StatusCode::CREATED, Json(reply)).into_response())
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RemoteThemePage {
    pub items: Vec<RemoteThemeView>,
    pub page: u32,
    pub per_page: u32,
    pub has_more: bool,
}

/// Themes of followed municipalities, as their actors announce them (each as it opens, then
/// its phase changes), most recently changed first. Staff follow one through `/following`
/// with its `actor`.
#[utoipa::path(get, path = "/federated/themes", tag = "following", params(PostListQuery),
    responses((status = 200, body = RemoteThemePage), (status = 422, body = Problem)))]
pub async fn list_themes(
    State(state): State<AppState>,
    ApiQuery(query): ApiQuery<PostListQuery>,
) -> Result<Json<RemoteThemePage>, AppError> {
    let page = Page::parse(query.page, query.per_page)?;
    let (items, has_more) = followed_themes::list(&state, page).await?;
    Ok(Json(RemoteThemePage {
        items,
        page: page.number,
        per_page: page.per_page,
        has_more,
    }))
}
