//! Themes API.

use axum::Json;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use utoipa::IntoParams;

use crate::error::AppError;
use crate::http::extract::{ApiJson, ApiPath, ApiQuery};
use crate::http::extract::{Authorized, Staff};
use crate::http::problem::Problem;
use crate::services::Viewer;
use crate::services::themes::{self, ThemeInput, ThemeUpdate, ThemeView};
use crate::state::AppState;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ThemeListQuery {
    /// Only themes with this status (draft is visible to staff only).
    #[param(value_type = Option<crate::domain::ThemeStatus>)]
    pub status: Option<String>,
}

/// Themes, newest first. Drafts are listed for staff only.
#[utoipa::path(get, path = "/themes", tag = "themes", params(ThemeListQuery),
    responses((status = 200, body = Vec<ThemeView>), (status = 422, body = Problem)))]
pub async fn list_themes(
    State(state): State<AppState>,
    viewer: Viewer,
    ApiQuery(query): ApiQuery<ThemeListQuery>,
) -> Result<Json<Vec<ThemeView>>, AppError> {
    Ok(Json(
        themes::list(&state, &viewer, query.status.as_deref()).await?,
    ))
}

/// Create a theme with its phases (staff only).
#[utoipa::path(post, path = "/themes", tag = "themes", request_body = ThemeInput,
    responses((status = 201, body = ThemeView), (status = 403, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn create_theme(
    State(state): State<AppState>,
    Authorized(viewer, _): Staff,
    ApiJson(input): ApiJson<ThemeInput>,
) -> Result<Response, AppError> {
    let theme = themes::create(&state, &viewer, input).await?;
    let location = format!("/api/v1/themes/{}", theme.slug);
    Ok((
        StatusCode::CREATED,
        [(header::LOCATION, location)],
        Json(theme),
    )
        .into_response())
}

/// One theme, with its phases and what residents may do today; 410 once staff removed it.
#[utoipa::path(get, path = "/themes/{slug}", tag = "themes",
    params(("slug" = String, Path, description = "Theme slug")),
    responses((status = 200, body = ThemeView), (status = 404, body = Problem), (status = 410, body = Problem)))]
pub async fn get_theme(
    State(state): State<AppState>,
    viewer: Viewer,
    ApiPath(slug): ApiPath<String>,
) -> Result<Json<ThemeView>, AppError> {
    Ok(Json(themes::get(&state, &viewer, &slug).await?))
}

/// Replace a theme's title, description, tags, status and phases (staff only).
#[utoipa::path(put, path = "/themes/{slug}", tag = "themes", request_body = ThemeUpdate,
    params(("slug" = String, Path, description = "Theme slug")),
    responses((status = 200, body = ThemeView), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn update_theme(
    State(state): State<AppState>,
    Authorized(viewer, _): Staff,
    ApiPath(slug): ApiPath<String>,
    ApiJson(input): ApiJson<ThemeUpdate>,
) -> Result<Json<ThemeView>, AppError> {
    Ok(Json(themes::update(&state, &viewer, &slug, input).await?))
}

/// Remove a theme (staff only): it answers 410 and leaves every list, the fediverse is sent
/// its `Delete`, and nothing it holds is deleted: staff can restore it.
#[utoipa::path(delete, path = "/themes/{slug}", tag = "themes",
    params(("slug" = String, Path, description = "Theme slug")),
    responses((status = 204), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem), (status = 410, body = Problem)))]
pub async fn remove_theme(
    State(state): State<AppState>,
    Authorized(viewer, _): Staff,
    ApiPath(slug): ApiPath<String>,
) -> Result<StatusCode, AppError> {
    crate::services::theme_removal::remove(&state, &viewer, &slug).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Restore a removed theme (staff only), as it was.
#[utoipa::path(post, path = "/themes/{slug}/restore", tag = "themes",
    params(("slug" = String, Path, description = "Theme slug")),
    responses((status = 200, body = ThemeView), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn restore_theme(
    State(state): State<AppState>,
    Authorized(viewer, _): Staff,
    ApiPath(slug): ApiPath<String>,
) -> Result<Json<ThemeView>, AppError> {
    Ok(Json(
        crate::services::theme_removal::restore(&state, &viewer, &slug).await?,
    ))
}

/// Set or clear the theme's support threshold and who counts toward it (staff only).
/// Proposals that already have enough supports reach it at once.
#[utoipa::path(put, path = "/themes/{slug}/threshold", tag = "themes",
    request_body = crate::services::thresholds::ThresholdInput,
    params(("slug" = String, Path, description = "Theme slug")),
    responses((status = 200, body = ThemeView), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn set_threshold(
    State(state): State<AppState>,
    Authorized(viewer, _): Staff,
    ApiPath(slug): ApiPath<String>,
    ApiJson(input): ApiJson<crate::services::thresholds::ThresholdInput>,
) -> Result<Json<ThemeView>, AppError> {
    Ok(Json(
        crate::services::thresholds::set(&state, &viewer, &slug, &input).await?,
    ))
}
