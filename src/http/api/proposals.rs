//! Proposals and supports API.

use axum::Json;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::error::AppError;
use crate::http::extract::{ApiJson, ApiPath, ApiQuery};
use crate::http::extract::{Authorized, Moderator, SignedIn};
use crate::http::problem::Problem;
use crate::services::proposals::{
    self, ListQuery, ModerationInput, ProposalEdit, ProposalInput, ProposalView, SupportView,
};
use crate::services::{Page, Viewer};
use crate::state::AppState;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ProposalListQuery {
    /// Only proposals with this tag.
    #[param(schema_with = crate::domain::schemas::tag_filter)]
    pub tag: Option<String>,
    /// newest (default), most_supported or most_discussed
    #[param(pattern = r"^(newest|most_supported|most_discussed)?$")]
    pub sort: Option<String>,
    /// Only proposals whose official answer has this state, or `unanswered`.
    #[param(
        pattern = r"^(evaluating|accepted|partly_accepted|not_adopted|implemented|out_of_scope|unanswered)?$"
    )]
    pub state: Option<String>,
    /// Page number, from 1 to 1,000,000.
    #[param(minimum = 1, maximum = 1_000_000)]
    pub page: Option<u32>,
    /// Items per page, 1 to 100 (default 50).
    #[param(minimum = 1, maximum = 100)]
    pub per_page: Option<u32>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ProposalPage {
    pub items: Vec<ProposalView>,
    pub page: u32,
    pub per_page: u32,
    pub has_more: bool,
}

/// The ideas posted under a theme (withdrawn ones are left out; hidden ones are listed for
/// moderators only).
#[utoipa::path(get, path = "/themes/{slug}/proposals", tag = "proposals", params(("slug" = String, Path, description = "Theme slug"), ProposalListQuery),
    responses((status = 200, body = ProposalPage), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn list_proposals(
    State(state): State<AppState>,
    viewer: Viewer,
    ApiPath(slug): ApiPath<String>,
    ApiQuery(query): ApiQuery<ProposalListQuery>,
) -> Result<Json<ProposalPage>, AppError> {
    let page = Page::parse(query.page, query.per_page)?;
    let (items, has_more) = proposals::list(
        &state,
        &viewer,
        &slug,
        ListQuery {
            tag: query.tag.as_deref(),
            sort: query.sort.as_deref(),
            state: query.state.as_deref(),
            page,
        },
    )
    .await?;
    Ok(Json(ProposalPage {
        items,
        page: page.number,
        per_page: page.per_page,
        has_more,
    }))
}

/// Post an idea under a theme, while its phase allows ideas.
#[utoipa::path(post, path = "/themes/{slug}/proposals", tag = "proposals", request_body = ProposalInput,
    params(("slug" = String, Path, description = "Theme slug")),
    responses((status = 201, body = ProposalView), (status = 401, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn create_proposal(
    State(state): State<AppState>,
    Authorized(viewer, _): SignedIn,
    ApiPath(slug): ApiPath<String>,
    ApiJson(input): ApiJson<ProposalInput>,
) -> Result<Response, AppError> {
    let proposal = proposals::create(&state, &viewer, &slug, input).await?;
    let location = format!("/api/v1/proposals/{}", proposal.id);
    Ok((
        StatusCode::CREATED,
        [(header::LOCATION, location)],
        Json(proposal),
    )
        .into_response())
}

/// One proposal.
#[utoipa::path(get, path = "/proposals/{id}", tag = "proposals",
    params(("id" = i64, Path, description = "Proposal id")),
    responses((status = 200, body = ProposalView), (status = 404, body = Problem)))]
pub async fn get_proposal(
    State(state): State<AppState>,
    viewer: Viewer,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<ProposalView>, AppError> {
    Ok(Json(proposals::get(&state, &viewer, id).await?))
}

/// Edit your proposal while the theme accepts ideas.
#[utoipa::path(patch, path = "/proposals/{id}", tag = "proposals", request_body = ProposalEdit,
    params(("id" = i64, Path, description = "Proposal id")),
    responses((status = 200, body = ProposalView), (status = 403, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn edit_proposal(
    State(state): State<AppState>,
    Authorized(viewer, _): SignedIn,
    ApiPath(id): ApiPath<i64>,
    ApiJson(input): ApiJson<ProposalEdit>,
) -> Result<Json<ProposalView>, AppError> {
    Ok(Json(proposals::edit(&state, &viewer, id, input).await?))
}

/// Withdraw your proposal. It stays readable, marked as withdrawn.
#[utoipa::path(post, path = "/proposals/{id}/withdraw", tag = "proposals",
    params(("id" = i64, Path, description = "Proposal id")),
    responses((status = 200, body = ProposalView), (status = 403, body = Problem), (status = 409, body = Problem)))]
pub async fn withdraw_proposal(
    State(state): State<AppState>,
    viewer: Viewer,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<ProposalView>, AppError> {
    Ok(Json(proposals::withdraw(&state, &viewer, id).await?))
}

/// Hide a proposal, with a reason (moderators).
#[utoipa::path(post, path = "/proposals/{id}/hide", tag = "moderation", request_body = ModerationInput,
    params(("id" = i64, Path, description = "Proposal id")),
    responses((status = 200, body = ProposalView), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn hide_proposal(
    State(state): State<AppState>,
    Authorized(viewer, _): Moderator,
    ApiPath(id): ApiPath<i64>,
    ApiJson(input): ApiJson<ModerationInput>,
) -> Result<Json<ProposalView>, AppError> {
    Ok(Json(
        proposals::hide(&state, &viewer, id, &input.reason).await?,
    ))
}

/// Restore a hidden proposal, with a reason (moderators).
#[utoipa::path(post, path = "/proposals/{id}/restore", tag = "moderation", request_body = ModerationInput,
    params(("id" = i64, Path, description = "Proposal id")),
    responses((status = 200, body = ProposalView), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn restore_proposal(
    State(state): State<AppState>,
    Authorized(viewer, _): Moderator,
    ApiPath(id): ApiPath<i64>,
    ApiJson(input): ApiJson<ModerationInput>,
) -> Result<Json<ProposalView>, AppError> {
    Ok(Json(
        proposals::restore(&state, &viewer, id, &input.reason).await?,
    ))
}

/// Support (共感) a proposal; supporting twice counts once.
#[utoipa::path(put, path = "/proposals/{id}/support", tag = "proposals",
    params(("id" = i64, Path, description = "Proposal id")),
    responses((status = 200, body = SupportView), (status = 401, body = Problem), (status = 409, body = Problem)))]
pub async fn support(
    State(state): State<AppState>,
    viewer: Viewer,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<SupportView>, AppError> {
    Ok(Json(
        proposals::set_support(&state, &viewer, id, true).await?,
    ))
}

/// Withdraw your support.
#[utoipa::path(delete, path = "/proposals/{id}/support", tag = "proposals",
    params(("id" = i64, Path, description = "Proposal id")),
    responses((status = 200, body = SupportView), (status = 401, body = Problem), (status = 409, body = Problem)))]
pub async fn unsupport(
    State(state): State<AppState>,
    viewer: Viewer,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<SupportView>, AppError> {
    Ok(Json(
        proposals::set_support(&state, &viewer, id, false).await?,
    ))
}
