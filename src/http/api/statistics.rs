//! Participation statistics API: a theme's or the whole instance's figures (staff, or
//! everyone once staff publish them), k-anonymous; staff publish or withdraw them.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::Deserialize;
use utoipa::ToSchema;

use crate::error::AppError;
use crate::http::extract::{ApiJson, ApiPath, Authorized, Staff};
use crate::http::problem::Problem;
use crate::services::Viewer;
use crate::services::statistics::{self, Statistics};
use crate::state::AppState;

/// The whole instance's participation statistics.
#[utoipa::path(get, path = "/statistics", tag = "statistics",
    responses((status = 200, body = Statistics), (status = 403, body = Problem)))]
pub async fn instance_statistics(
    State(state): State<AppState>,
    viewer: Viewer,
) -> Result<Json<Statistics>, AppError> {
    Ok(Json(statistics::of_scope(&state, &viewer, None).await?))
}

/// A theme's participation statistics.
#[utoipa::path(get, path = "/themes/{slug}/statistics", tag = "statistics",
    params(("slug" = String, Path, description = "Theme slug")),
    responses((status = 200, body = Statistics), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn theme_statistics(
    State(state): State<AppState>,
    viewer: Viewer,
    ApiPath(slug): ApiPath<String>,
) -> Result<Json<Statistics>, AppError> {
    Ok(Json(
        statistics::of_scope(&state, &viewer, Some(&slug)).await?,
    ))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PublicationInput {
    /// Whether everyone may read the figures.
    pub public: bool,
}

/// Publish the instance's statistics for everyone, or withdraw them (staff only).
#[utoipa::path(put, path = "/statistics/publication", tag = "statistics", request_body = PublicationInput,
    responses((status = 204), (status = 401, body = Problem), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn publish_instance_statistics(
    State(state): State<AppState>,
    Authorized(viewer, _): Staff,
    ApiJson(input): ApiJson<PublicationInput>,
) -> Result<StatusCode, AppError> {
    statistics::set_public(&state, &viewer, None, input.public).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Publish a theme's statistics for everyone, or withdraw them (staff only).
#[utoipa::path(put, path = "/themes/{slug}/statistics/publication", tag = "statistics",
    request_body = PublicationInput,
    params(("slug" = String, Path, description = "Theme slug")),
    responses((status = 204), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn publish_theme_statistics(
    State(state): State<AppState>,
    Authorized(viewer, _): Staff,
    ApiPath(slug): ApiPath<String>,
    ApiJson(input): ApiJson<PublicationInput>,
) -> Result<StatusCode, AppError> {
    statistics::set_public(&state, &viewer, Some(&slug), input.public).await?;
    Ok(StatusCode::NO_CONTENT)
}
