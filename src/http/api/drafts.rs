//! Drafts API: staff publish a draft (たたき台) as numbered paragraphs; residents propose
//! amendments to a paragraph, support and discuss them; staff accept (a new version) or
//! reject them; every version, and a per-paragraph comparison of any two, can be read.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::error::AppError;
use crate::http::extract::{ApiJson, ApiPath, ApiQuery, Authorized, SignedIn, Staff};
use crate::http::problem::Problem;
use crate::services::Viewer;
use crate::services::amendments::{
    self, AmendmentCommentInput, AmendmentDetail, AmendmentInput, DecisionInput,
};
use crate::services::drafts::{
    self, ComparisonView, DraftInput, DraftSummary, DraftView, VersionView,
};
use crate::state::AppState;

/// A theme's drafts.
#[utoipa::path(get, path = "/themes/{slug}/drafts", tag = "drafts",
    params(("slug" = String, Path, description = "Theme slug")),
    responses((status = 200, body = Vec<DraftSummary>), (status = 404, body = Problem)))]
pub async fn list_drafts(
    State(state): State<AppState>,
    viewer: Viewer,
    ApiPath(slug): ApiPath<String>,
) -> Result<Json<Vec<DraftSummary>>, AppError> {
    Ok(Json(drafts::of_theme(&state, &viewer, &slug).await?))
}

/// Publish a draft under a theme (staff only): a blank line starts a new paragraph.
/// Followers get it as an `Article`.
#[utoipa::path(post, path = "/themes/{slug}/drafts", tag = "drafts", request_body = DraftInput,
    params(("slug" = String, Path, description = "Theme slug")),
    responses((status = 201, body = DraftView), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn publish_draft(
    State(state): State<AppState>,
    Authorized(viewer, _): Staff,
    ApiPath(slug): ApiPath<String>,
    ApiJson(input): ApiJson<DraftInput>,
) -> Result<(StatusCode, Json<DraftView>), AppError> {
    let draft = drafts::publish(&state, &viewer, &slug, &input).await?;
    Ok((StatusCode::CREATED, Json(draft)))
}

/// A draft's current version, with the amendments to each paragraph.
#[utoipa::path(get, path = "/drafts/{id}", tag = "drafts",
    params(("id" = i64, Path, description = "Draft id", minimum = 1)),
    responses((status = 200, body = DraftView), (status = 404, body = Problem)))]
pub async fn get_draft(
    State(state): State<AppState>,
    viewer: Viewer,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<DraftView>, AppError> {
    Ok(Json(drafts::get(&state, &viewer, id).await?))
}

/// Every version of a draft, oldest first.
#[utoipa::path(get, path = "/drafts/{id}/versions", tag = "drafts",
    params(("id" = i64, Path, description = "Draft id", minimum = 1)),
    responses((status = 200, body = Vec<VersionView>), (status = 404, body = Problem)))]
pub async fn list_draft_versions(
    State(state): State<AppState>,
    viewer: Viewer,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<Vec<VersionView>>, AppError> {
    Ok(Json(drafts::versions(&state, &viewer, id).await?))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct VersionText {
    pub version: i32,
    /// The paragraphs, numbered from 1 in this order.
    pub paragraphs: Vec<String>,
}

/// One version's paragraphs.
#[utoipa::path(get, path = "/drafts/{id}/versions/{version}", tag = "drafts",
    params(("id" = i64, Path, description = "Draft id", minimum = 1),
           ("version" = i32, Path, description = "Version number", minimum = 1)),
    responses((status = 200, body = VersionText), (status = 404, body = Problem)))]
pub async fn get_draft_version(
    State(state): State<AppState>,
    viewer: Viewer,
    ApiPath((id, version)): ApiPath<(i64, i32)>,
) -> Result<Json<VersionText>, AppError> {
    let paragraphs = drafts::version(&state, &viewer, id, version).await?;
    Ok(Json(VersionText {
        version,
        paragraphs,
    }))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CompareQuery {
    /// The earlier version (default: the one before `to`).
    #[param(minimum = 1, maximum = 2_147_483_647)]
    pub from: Option<i32>,
    /// The later version (default: the current one).
    #[param(minimum = 1, maximum = 2_147_483_647)]
    pub to: Option<i32>,
}

/// What changed between two versions, paragraph by paragraph.
#[utoipa::path(get, path = "/drafts/{id}/compare", tag = "drafts", params(("id" = i64, Path, description = "Draft id", minimum = 1), CompareQuery),
    responses((status = 200, body = ComparisonView), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn compare_draft_versions(
    State(state): State<AppState>,
    viewer: Viewer,
    ApiPath(id): ApiPath<i64>,
    ApiQuery(query): ApiQuery<CompareQuery>,
) -> Result<Json<ComparisonView>, AppError> {
    Ok(Json(
        drafts::compare(&state, &viewer, id, query.from, query.to).await?,
    ))
}

/// Propose an amendment to a paragraph of the current version, while the theme's phase
/// takes amendments.
#[utoipa::path(post, path = "/drafts/{id}/amendments", tag = "drafts", request_body = AmendmentInput,
    params(("id" = i64, Path, description = "Draft id", minimum = 1)),
    responses((status = 201, body = AmendmentDetail), (status = 401, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn propose_amendment(
    State(state): State<AppState>,
    Authorized(viewer, _): SignedIn,
    ApiPath(id): ApiPath<i64>,
    ApiJson(input): ApiJson<AmendmentInput>,
) -> Result<(StatusCode, Json<AmendmentDetail>), AppError> {
    let amendment = amendments::propose(&state, &viewer, id, &input).await?;
    Ok((StatusCode::CREATED, Json(amendment)))
}

/// An amendment, with the paragraph it would change and its discussion.
#[utoipa::path(get, path = "/amendments/{id}", tag = "drafts",
    params(("id" = i64, Path, description = "Amendment id", minimum = 1)),
    responses((status = 200, body = AmendmentDetail), (status = 404, body = Problem)))]
pub async fn get_amendment(
    State(state): State<AppState>,
    viewer: Viewer,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<AmendmentDetail>, AppError> {
    Ok(Json(amendments::get(&state, &viewer, id).await?))
}

/// Support an open amendment; supporting twice counts once.
#[utoipa::path(put, path = "/amendments/{id}/support", tag = "drafts",
    params(("id" = i64, Path, description = "Amendment id", minimum = 1)),
    responses((status = 200, body = AmendmentDetail), (status = 401, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem)))]
pub async fn support_amendment(
    State(state): State<AppState>,
    Authorized(viewer, _): SignedIn,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<AmendmentDetail>, AppError> {
    Ok(Json(amendments::support(&state, &viewer, id, true).await?))
}

/// Withdraw your support of an open amendment.
#[utoipa::path(delete, path = "/amendments/{id}/support", tag = "drafts",
    params(("id" = i64, Path, description = "Amendment id", minimum = 1)),
    responses((status = 200, body = AmendmentDetail), (status = 401, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem)))]
pub async fn unsupport_amendment(
    State(state): State<AppState>,
    Authorized(viewer, _): SignedIn,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<AmendmentDetail>, AppError> {
    Ok(Json(amendments::support(&state, &viewer, id, false).await?))
}

/// Comment on an open amendment.
#[utoipa::path(post, path = "/amendments/{id}/comments", tag = "drafts", request_body = AmendmentCommentInput,
    params(("id" = i64, Path, description = "Amendment id", minimum = 1)),
    responses((status = 201, body = AmendmentDetail), (status = 401, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn comment_on_amendment(
    State(state): State<AppState>,
    Authorized(viewer, _): SignedIn,
    ApiPath(id): ApiPath<i64>,
    ApiJson(input): ApiJson<AmendmentCommentInput>,
) -> Result<(StatusCode, Json<AmendmentDetail>), AppError> {
    let amendment = amendments::comment(&state, &viewer, id, &input).await?;
    Ok((StatusCode::CREATED, Json(amendment)))
}

/// Accept an amendment (a new version of the draft with its paragraph replaced) or reject
/// it with a reason (staff only). An amendment is decided once.
#[utoipa::path(put, path = "/amendments/{id}/decision", tag = "drafts", request_body = DecisionInput,
    params(("id" = i64, Path, description = "Amendment id", minimum = 1)),
    responses((status = 200, body = AmendmentDetail), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn decide_amendment(
    State(state): State<AppState>,
    Authorized(viewer, _): Staff,
    ApiPath(id): ApiPath<i64>,
    ApiJson(input): ApiJson<DecisionInput>,
) -> Result<Json<AmendmentDetail>, AppError> {
    Ok(Json(amendments::decide(&state, &viewer, id, &input).await?))
}

/// Write a new version of a draft (staff only): its whole text and title with a note of what
/// changed. `base_version` is the version the text was written from; if the draft moved on
/// since, nothing is saved (`409`). Open amendments to paragraphs whose text changed are
/// closed with the note. Followers get the `Update`.
#[utoipa::path(put, path = "/drafts/{id}", tag = "drafts", request_body = crate::services::draft_revisions::RevisionInput,
    params(("id" = i64, Path, description = "Draft id", minimum = 1)),
    responses((status = 200, body = DraftView), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn revise_draft(
    State(state): State<AppState>,
    Authorized(viewer, _): Staff,
    ApiPath(id): ApiPath<i64>,
    ApiJson(input): ApiJson<crate::services::draft_revisions::RevisionInput>,
) -> Result<Json<DraftView>, AppError> {
    Ok(Json(
        crate::services::draft_revisions::revise(&state, &viewer, id, &input).await?,
    ))
}
