//! Survey corrections API: staff change a survey (all of it before the first answer, its
//! wording after), duplicate it as a draft, publish a draft, archive and bring back, delete
//! one nobody answered, and read the log of corrections.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;

use crate::error::AppError;
use crate::http::extract::{ApiJson, ApiPath, Authorized, Staff};
use crate::http::problem::Problem;
use crate::services::survey_editing::{self, SurveyEdit};
use crate::services::surveys::{SurveyInput, SurveyView};
use crate::state::AppState;

/// Change a survey (staff only). Before the first answer every part may change; after it,
/// only the wording and (without a fediverse poll) the dates: a change to a question's
/// kind, options, range, obligation or order is `409`. Each wording changed after answers
/// came in is logged, and the survey and the question show `edited_at`.
#[utoipa::path(put, path = "/surveys/{id}", tag = "surveys", request_body = SurveyInput,
    params(("id" = i64, Path, description = "Survey id", minimum = 1)),
    responses((status = 200, body = SurveyView), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn update_survey(
    State(state): State<AppState>,
    Authorized(viewer, _): Staff,
    ApiPath(id): ApiPath<i64>,
    ApiJson(input): ApiJson<SurveyInput>,
) -> Result<Json<SurveyView>, AppError> {
    Ok(Json(
        survey_editing::update(&state, &viewer, id, &input).await?,
    ))
}

/// Delete a survey nobody has answered and no fediverse poll carries (staff only); one with
/// answers is `409`: archive it instead.
#[utoipa::path(delete, path = "/surveys/{id}", tag = "surveys",
    params(("id" = i64, Path, description = "Survey id", minimum = 1)),
    responses((status = 204), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem)))]
pub async fn delete_survey(
    State(state): State<AppState>,
    Authorized(viewer, _): Staff,
    ApiPath(id): ApiPath<i64>,
) -> Result<StatusCode, AppError> {
    survey_editing::delete(&state, &viewer, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Duplicate a survey as a new draft with the same sections and questions, without dates
/// (staff only).
#[utoipa::path(post, path = "/surveys/{id}/duplicate", tag = "surveys",
    params(("id" = i64, Path, description = "Survey id", minimum = 1)),
    responses((status = 201, body = SurveyView), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn duplicate_survey(
    State(state): State<AppState>,
    Authorized(viewer, _): Staff,
    ApiPath(id): ApiPath<i64>,
) -> Result<(StatusCode, Json<SurveyView>), AppError> {
    let copy = survey_editing::duplicate(&state, &viewer, id).await?;
    Ok((StatusCode::CREATED, Json(copy)))
}

/// Publish a draft survey: residents see it, and it takes answers within its dates.
#[utoipa::path(post, path = "/surveys/{id}/publish", tag = "surveys",
    params(("id" = i64, Path, description = "Survey id", minimum = 1)),
    responses((status = 200, body = SurveyView), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem)))]
pub async fn publish_survey(
    State(state): State<AppState>,
    Authorized(viewer, _): Staff,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<SurveyView>, AppError> {
    Ok(Json(survey_editing::publish(&state, &viewer, id).await?))
}

/// Archive a published survey: out of residents' view, answers kept, no more answers.
#[utoipa::path(post, path = "/surveys/{id}/archive", tag = "surveys",
    params(("id" = i64, Path, description = "Survey id", minimum = 1)),
    responses((status = 200, body = SurveyView), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem)))]
pub async fn archive_survey(
    State(state): State<AppState>,
    Authorized(viewer, _): Staff,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<SurveyView>, AppError> {
    Ok(Json(survey_editing::archive(&state, &viewer, id).await?))
}

/// Bring an archived survey back into view.
#[utoipa::path(post, path = "/surveys/{id}/unarchive", tag = "surveys",
    params(("id" = i64, Path, description = "Survey id", minimum = 1)),
    responses((status = 200, body = SurveyView), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem)))]
pub async fn unarchive_survey(
    State(state): State<AppState>,
    Authorized(viewer, _): Staff,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<SurveyView>, AppError> {
    Ok(Json(survey_editing::unarchive(&state, &viewer, id).await?))
}

/// The wording corrected after answers came in, newest first (staff only).
#[utoipa::path(get, path = "/surveys/{id}/edits", tag = "surveys",
    params(("id" = i64, Path, description = "Survey id", minimum = 1)),
    responses((status = 200, body = Vec<SurveyEdit>), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn survey_edits(
    State(state): State<AppState>,
    Authorized(viewer, _): Staff,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<Vec<SurveyEdit>>, AppError> {
    Ok(Json(survey_editing::edits(&state, &viewer, id).await?))
}
