//! Surveys API: staff build a survey on a theme and make one-time links; residents, link
//! holders and help-desk staff answer it; the answer's key changes it; results per question.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::Deserialize;
use utoipa::ToSchema;

use crate::error::AppError;
use crate::http::extract::{ApiJson, ApiPath, ApiQuery, Authorized, Staff};
use crate::http::problem::Problem;
use crate::services::Viewer;
use crate::services::polls::{self, PollView};
use crate::services::survey_breakdowns::{self, Breakdown, Dimension};
use crate::services::survey_responses::{self, Receipt, ResponseInput};
use crate::services::survey_results::{self, SurveyResults};
use crate::services::surveys::{self, SurveyInput, SurveyView};
use crate::state::AppState;

/// A theme's surveys.
#[utoipa::path(get, path = "/themes/{slug}/surveys", tag = "surveys",
    params(("slug" = String, Path, description = "Theme slug")),
    responses((status = 200, body = Vec<SurveyView>), (status = 404, body = Problem)))]
pub async fn list_surveys(
    State(state): State<AppState>,
    viewer: Viewer,
    ApiPath(slug): ApiPath<String>,
) -> Result<Json<Vec<SurveyView>>, AppError> {
    Ok(Json(surveys::of_theme(&state, &viewer, &slug).await?))
}

/// Build a survey on a theme (staff only): sections of questions, open by dates or while a
/// phase runs, answered by residents' accounts or by one-time links.
#[utoipa::path(post, path = "/themes/{slug}/surveys", tag = "surveys", request_body = SurveyInput,
    params(("slug" = String, Path, description = "Theme slug")),
    responses((status = 201, body = SurveyView), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn create_survey(
    State(state): State<AppState>,
    Authorized(viewer, _): Staff,
    ApiPath(slug): ApiPath<String>,
    ApiJson(input): ApiJson<SurveyInput>,
) -> Result<(StatusCode, Json<SurveyView>), AppError> {
    let created = surveys::create(&state, &viewer, &slug, &input).await?;
    Ok((StatusCode::CREATED, Json(created)))
}

/// A survey with its questions, and whether the viewer has answered it.
#[utoipa::path(get, path = "/surveys/{id}", tag = "surveys",
    params(("id" = i64, Path, description = "Survey id", minimum = 1)),
    responses((status = 200, body = SurveyView), (status = 404, body = Problem)))]
pub async fn get_survey(
    State(state): State<AppState>,
    viewer: Viewer,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<SurveyView>, AppError> {
    Ok(Json(surveys::get(&state, &viewer, id).await?))
}

/// Close a survey before its end (staff only): answers stop now, and its fediverse polls
/// close (their followers are sent the closing tally).
#[utoipa::path(post, path = "/surveys/{id}/close", tag = "surveys",
    params(("id" = i64, Path, description = "Survey id", minimum = 1)),
    responses((status = 200, body = SurveyView), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem)))]
pub async fn close_survey(
    State(state): State<AppState>,
    Authorized(viewer, _): Staff,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<SurveyView>, AppError> {
    Ok(Json(
        crate::services::survey_closing::close(&state, &viewer, id).await?,
    ))
}

/// Open a survey closed early again, before its end (staff only).
#[utoipa::path(post, path = "/surveys/{id}/reopen", tag = "surveys",
    params(("id" = i64, Path, description = "Survey id", minimum = 1)),
    responses((status = 200, body = SurveyView), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem)))]
pub async fn reopen_survey(
    State(state): State<AppState>,
    Authorized(viewer, _): Staff,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<SurveyView>, AppError> {
    Ok(Json(
        crate::services::survey_closing::reopen(&state, &viewer, id).await?,
    ))
}

/// Answer a survey: a resident once, a link holder with the link's secret, or staff entering
/// a paper answer (`proxy`). The answer is stored without the account; keep the returned key
/// to change it until the survey closes.
#[utoipa::path(post, path = "/surveys/{id}/responses", tag = "surveys", request_body = ResponseInput,
    params(("id" = i64, Path, description = "Survey id", minimum = 1)),
    responses((status = 201, body = Receipt), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn respond(
    State(state): State<AppState>,
    viewer: Viewer,
    ApiPath(id): ApiPath<i64>,
    ApiJson(input): ApiJson<ResponseInput>,
) -> Result<(StatusCode, Json<Receipt>), AppError> {
    let receipt = survey_responses::respond(&state, &viewer, id, &input).await?;
    Ok((StatusCode::CREATED, Json(receipt)))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ChangeInput {
    /// The key the answer was given with.
    #[schema(min_length = 1, max_length = 100)]
    pub edit_key: String,
    #[schema(value_type = Object)]
    pub answers: std::collections::BTreeMap<String, serde_json::Value>,
}

/// Replace the answers of the response a key opens, while the survey is open.
#[utoipa::path(put, path = "/surveys/{id}/responses", tag = "surveys", request_body = ChangeInput,
    params(("id" = i64, Path, description = "Survey id", minimum = 1)),
    responses((status = 204), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn change_response(
    State(state): State<AppState>,
    viewer: Viewer,
    ApiPath(id): ApiPath<i64>,
    ApiJson(input): ApiJson<ChangeInput>,
) -> Result<StatusCode, AppError> {
    survey_responses::change_response(&state, &viewer, id, &input.edit_key, &input.answers).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LinksInput {
    /// How many links (1 to 1,000).
    #[schema(minimum = 1, maximum = 1000)]
    pub count: i64,
}

/// Make one-time links for a survey answered by link (staff only); each is shown once.
#[utoipa::path(post, path = "/surveys/{id}/links", tag = "surveys", request_body = LinksInput,
    params(("id" = i64, Path, description = "Survey id", minimum = 1)),
    responses((status = 201, body = Vec<String>), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn create_links(
    State(state): State<AppState>,
    Authorized(viewer, _): Staff,
    ApiPath(id): ApiPath<i64>,
    ApiJson(input): ApiJson<LinksInput>,
) -> Result<(StatusCode, Json<Vec<String>>), AppError> {
    let links = surveys::create_links(&state, &viewer, id, input.count).await?;
    Ok((StatusCode::CREATED, Json(links)))
}

/// A survey's results per question: staff at any time, everyone once it has closed.
#[utoipa::path(get, path = "/surveys/{id}/results", tag = "surveys",
    params(("id" = i64, Path, description = "Survey id", minimum = 1)),
    responses((status = 200, body = SurveyResults), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn get_results(
    State(state): State<AppState>,
    viewer: Viewer,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<SurveyResults>, AppError> {
    Ok(Json(survey_results::of_survey(&state, &viewer, id).await?))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct HiddenInput {
    pub hidden: bool,
}

/// Hide a free-text answer from the public results, or show it again (staff only).
#[utoipa::path(put, path = "/surveys/{id}/questions/{question_id}/texts/{response_id}", tag = "surveys",
    request_body = HiddenInput,
    params(("id" = i64, Path, description = "Survey id", minimum = 1),
        ("question_id" = i64, Path, description = "Question id", minimum = 1),
        ("response_id" = i64, Path, description = "The answer's response id", minimum = 1)),
    responses((status = 204), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn hide_text(
    State(state): State<AppState>,
    Authorized(viewer, _): Staff,
    ApiPath((id, question_id, response_id)): ApiPath<(i64, i64, i64)>,
    ApiJson(input): ApiJson<HiddenInput>,
) -> Result<StatusCode, AppError> {
    survey_results::hide_text(&state, &viewer, id, question_id, response_id, input.hidden).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct BreakdownQuery {
    /// What to group the respondents by.
    pub by: Dimension,
}

/// A survey's choice, ranking and scale questions by age band, area or relation, with every
/// count of fewer than `min_group` people (and whatever would reveal one) given as `null`:
/// staff at any time, everyone once it has closed.
#[utoipa::path(get, path = "/surveys/{id}/breakdown", tag = "surveys",
    params(("id" = i64, Path, description = "Survey id", minimum = 1), BreakdownQuery),
    responses((status = 200, body = Breakdown), (status = 400, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn get_breakdown(
    State(state): State<AppState>,
    viewer: Viewer,
    ApiPath(id): ApiPath<i64>,
    ApiQuery(query): ApiQuery<BreakdownQuery>,
) -> Result<Json<Breakdown>, AppError> {
    Ok(Json(
        survey_breakdowns::of_survey(&state, &viewer, id, query.by).await?,
    ))
}

/// Publish a single- or multiple-choice question of a theme's open survey as a fediverse poll
/// of the theme (staff only). Votes are taken until the survey closes.
#[utoipa::path(post, path = "/surveys/{id}/questions/{question_id}/poll", tag = "surveys",
    params(("id" = i64, Path, description = "Survey id", minimum = 1),
        ("question_id" = i64, Path, description = "Question id", minimum = 1)),
    responses((status = 201, body = PollView), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem)))]
pub async fn publish_poll(
    State(state): State<AppState>,
    Authorized(viewer, _): Staff,
    ApiPath((id, question_id)): ApiPath<(i64, i64)>,
) -> Result<(StatusCode, Json<PollView>), AppError> {
    let poll = polls::publish(&state, &viewer, id, question_id).await?;
    Ok((StatusCode::CREATED, Json(poll)))
}

/// A question's fediverse poll with the votes of fediverse accounts, counted apart from
/// residents' answers.
#[utoipa::path(get, path = "/surveys/{id}/questions/{question_id}/poll", tag = "surveys",
    params(("id" = i64, Path, description = "Survey id", minimum = 1),
        ("question_id" = i64, Path, description = "Question id", minimum = 1)),
    responses((status = 200, body = PollView), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn get_poll(
    State(state): State<AppState>,
    viewer: Viewer,
    ApiPath((id, question_id)): ApiPath<(i64, i64)>,
) -> Result<Json<PollView>, AppError> {
    Ok(Json(polls::poll(&state, &viewer, id, question_id).await?))
}
