//! Results API: a theme's sections of results (反映), the proposals each reflects, and the
//! implementation record of each; staff publish, change, delete and record progress, and
//! correct or remove a progress update.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;

use crate::error::AppError;
use crate::http::extract::{ApiJson, ApiPath, ApiQuery, Authorized, Staff};
use crate::http::problem::Problem;
use crate::services::Viewer;
use crate::services::result_editing::{self, IdeaChoice};
use crate::services::results::{self, ProgressInput, ResultInput, ResultView};
use crate::state::AppState;

/// A theme's results, in order.
#[utoipa::path(get, path = "/themes/{slug}/results", tag = "results",
    params(("slug" = String, Path, description = "Theme slug")),
    responses((status = 200, body = Vec<ResultView>), (status = 404, body = Problem)))]
pub async fn list_results(
    State(state): State<AppState>,
    viewer: Viewer,
    ApiPath(slug): ApiPath<String>,
) -> Result<Json<Vec<ResultView>>, AppError> {
    Ok(Json(results::of_theme(&state, &viewer, &slug).await?))
}

/// Publish a section of the theme's results (staff only). Each proposal it names must be a
/// published proposal of the theme, named once; followers get it as an `Article`.
#[utoipa::path(post, path = "/themes/{slug}/results", tag = "results", request_body = ResultInput,
    params(("slug" = String, Path, description = "Theme slug")),
    responses((status = 201, body = ResultView), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn publish_result(
    State(state): State<AppState>,
    Authorized(viewer, _): Staff,
    ApiPath(slug): ApiPath<String>,
    ApiJson(input): ApiJson<ResultInput>,
) -> Result<(StatusCode, Json<ResultView>), AppError> {
    let published = results::publish(&state, &viewer, &slug, &input).await?;
    Ok((StatusCode::CREATED, Json(published)))
}

/// Change a section's text and the proposals it names (staff only).
#[utoipa::path(put, path = "/results/{id}", tag = "results", request_body = ResultInput,
    params(("id" = i64, Path, description = "Result id", minimum = 1)),
    responses((status = 200, body = ResultView), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn update_result(
    State(state): State<AppState>,
    Authorized(viewer, _): Staff,
    ApiPath(id): ApiPath<i64>,
    ApiJson(input): ApiJson<ResultInput>,
) -> Result<Json<ResultView>, AppError> {
    Ok(Json(results::update(&state, &viewer, id, &input).await?))
}

/// Add a dated progress update to a section's implementation record (staff only).
#[utoipa::path(post, path = "/results/{id}/progress", tag = "results", request_body = ProgressInput,
    params(("id" = i64, Path, description = "Result id", minimum = 1)),
    responses((status = 200, body = ResultView), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn add_progress(
    State(state): State<AppState>,
    Authorized(viewer, _): Staff,
    ApiPath(id): ApiPath<i64>,
    ApiJson(input): ApiJson<ProgressInput>,
) -> Result<Json<ResultView>, AppError> {
    Ok(Json(
        results::add_progress(&state, &viewer, id, &input).await?,
    ))
}

/// A theme's public summary: who took part (residents and fediverse accounts apart), ideas,
/// comments and supports, ideas by the state of their answer, and the results.
#[utoipa::path(get, path = "/themes/{slug}/summary", tag = "results",
    params(("slug" = String, Path, description = "Theme slug")),
    responses((status = 200, body = crate::services::summary::ThemeSummary), (status = 404, body = Problem)))]
pub async fn theme_summary(
    State(state): State<AppState>,
    viewer: Viewer,
    ApiPath(slug): ApiPath<String>,
) -> Result<Json<crate::services::summary::ThemeSummary>, AppError> {
    Ok(Json(
        crate::services::summary::of_theme(&state, &viewer, &slug).await?,
    ))
}

/// Delete a section (staff only): its progress and documents go with it, the proposals it
/// took up no longer link to it, and followers are sent a `Delete`.
#[utoipa::path(delete, path = "/results/{id}", tag = "results",
    params(("id" = i64, Path, description = "Result id", minimum = 1)),
    responses((status = 204), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn delete_result(
    State(state): State<AppState>,
    Authorized(viewer, _): Staff,
    ApiPath(id): ApiPath<i64>,
) -> Result<StatusCode, AppError> {
    result_editing::delete(&state, &viewer, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Correct a progress update of a section (staff only).
#[utoipa::path(put, path = "/results/{id}/progress/{progress_id}", tag = "results", request_body = ProgressInput,
    params(("id" = i64, Path, description = "Result id", minimum = 1),
           ("progress_id" = i64, Path, description = "Progress update id", minimum = 1)),
    responses((status = 200, body = ResultView), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn update_progress(
    State(state): State<AppState>,
    Authorized(viewer, _): Staff,
    ApiPath((id, progress_id)): ApiPath<(i64, i64)>,
    ApiJson(input): ApiJson<ProgressInput>,
) -> Result<Json<ResultView>, AppError> {
    Ok(Json(
        result_editing::update_progress(&state, &viewer, id, progress_id, &input).await?,
    ))
}

/// Remove a progress update entered by mistake (staff only).
#[utoipa::path(delete, path = "/results/{id}/progress/{progress_id}", tag = "results",
    params(("id" = i64, Path, description = "Result id", minimum = 1),
           ("progress_id" = i64, Path, description = "Progress update id", minimum = 1)),
    responses((status = 200, body = ResultView), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn delete_progress(
    State(state): State<AppState>,
    Authorized(viewer, _): Staff,
    ApiPath((id, progress_id)): ApiPath<(i64, i64)>,
) -> Result<Json<ResultView>, AppError> {
    Ok(Json(
        result_editing::delete_progress(&state, &viewer, id, progress_id).await?,
    ))
}

#[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct IdeaChoiceQuery {
    /// Words every idea listed contains (in its title or text).
    #[param(max_length = 200)]
    pub search: Option<String>,
}

/// The theme's published ideas a section may take up, most supported first (staff only; at
/// most 300, narrowed by `search`).
#[utoipa::path(get, path = "/themes/{slug}/results/idea-choices", tag = "results",
    params(("slug" = String, Path, description = "Theme slug"), IdeaChoiceQuery),
    responses((status = 200, body = Vec<IdeaChoice>), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn idea_choices(
    State(state): State<AppState>,
    Authorized(viewer, _): Staff,
    ApiPath(slug): ApiPath<String>,
    ApiQuery(query): ApiQuery<IdeaChoiceQuery>,
) -> Result<Json<Vec<IdeaChoice>>, AppError> {
    let search = query.search.unwrap_or_default();
    Ok(Json(
        result_editing::idea_choices(&state, &viewer, &slug, &search).await?,
    ))
}
