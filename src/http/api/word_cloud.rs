//! Word cloud API: a theme's terms by how many ideas contain them (the whole theme or one
//! phase), and the stop words and local names staff add.

use axum::Json;
use axum::extract::State;
use serde::Deserialize;
use utoipa::IntoParams;

use crate::error::AppError;
use crate::http::extract::{ApiJson, ApiPath, ApiQuery, Authorized, Staff};
use crate::http::problem::Problem;
use crate::services::Viewer;
use crate::services::word_cloud::{self, StopWords, WordCloud};
use crate::services::word_cloud_names::{self, LocalNames};
use crate::state::AppState;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct WordsQuery {
    /// Only the ideas posted during this phase (its index in the theme's phases, from 0).
    #[param(minimum = 0, maximum = 100)]
    pub phase: Option<usize>,
    /// Count the ideas' comments too (each term's count is then of ideas and comments).
    #[serde(default)]
    pub comments: bool,
}

/// A theme's most frequent terms (at most 100), most frequent first: in its ideas, or in
/// its ideas and their comments.
#[utoipa::path(get, path = "/themes/{slug}/words", tag = "themes",
    params(("slug" = String, Path, description = "Theme slug"), WordsQuery),
    responses((status = 200, body = WordCloud), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn theme_words(
    State(state): State<AppState>,
    viewer: Viewer,
    ApiPath(slug): ApiPath<String>,
    ApiQuery(query): ApiQuery<WordsQuery>,
) -> Result<Json<WordCloud>, AppError> {
    Ok(Json(
        word_cloud::of_theme(&state, &viewer, &slug, query.phase, query.comments).await?,
    ))
}

/// The stop words staff added (staff only).
#[utoipa::path(get, path = "/word-cloud/stop-words", tag = "themes",
    responses((status = 200, body = StopWords), (status = 401, body = Problem), (status = 403, body = Problem)))]
pub async fn get_stop_words(
    State(state): State<AppState>,
    Authorized(viewer, _): Staff,
) -> Result<Json<StopWords>, AppError> {
    Ok(Json(word_cloud::stop_words(&state, &viewer).await?))
}

/// Replace the stop words (staff only); every theme's cloud leaves them out at once.
#[utoipa::path(put, path = "/word-cloud/stop-words", tag = "themes", request_body = StopWords,
    responses((status = 200, body = StopWords), (status = 401, body = Problem), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn set_stop_words(
    State(state): State<AppState>,
    Authorized(viewer, _): Staff,
    ApiJson(input): ApiJson<StopWords>,
) -> Result<Json<StopWords>, AppError> {
    Ok(Json(
        word_cloud::set_stop_words(&state, &viewer, &input).await?,
    ))
}

/// The local names the word cloud keeps whole (staff only).
#[utoipa::path(get, path = "/word-cloud/names", tag = "themes",
    responses((status = 200, body = LocalNames), (status = 401, body = Problem), (status = 403, body = Problem)))]
pub async fn get_local_names(
    State(state): State<AppState>,
    Authorized(viewer, _): Staff,
) -> Result<Json<LocalNames>, AppError> {
    Ok(Json(word_cloud_names::names(&state, &viewer).await?))
}

/// Replace the local names (staff only); the ideas already posted are counted again with
/// them within seconds.
#[utoipa::path(put, path = "/word-cloud/names", tag = "themes", request_body = LocalNames,
    responses((status = 200, body = LocalNames), (status = 401, body = Problem), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn set_local_names(
    State(state): State<AppState>,
    Authorized(viewer, _): Staff,
    ApiJson(input): ApiJson<LocalNames>,
) -> Result<Json<LocalNames>, AppError> {
    Ok(Json(
        word_cloud_names::set_names(&state, &viewer, &input).await?,
    ))
}
