//! References API: staff point a theme or proposal at another instance's theme, proposal
//! or method; anyone reads the cards.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

use crate::error::AppError;
use crate::http::extract::{ApiJson, ApiPath, Authorized, Staff};
use crate::http::problem::Problem;
use crate::services::references::{self, Local, ReferenceInput, ReferenceView};
use crate::services::{Viewer, proposals, themes};
use crate::state::AppState;

async fn theme_local(state: &AppState, viewer: &Viewer, slug: &str) -> Result<Local, AppError> {
    Ok(Local::Theme(
        themes::load(state, viewer, slug).await?.row.id,
    ))
}

async fn proposal_local(state: &AppState, viewer: &Viewer, id: i64) -> Result<Local, AppError> {
    Ok(Local::Proposal(proposals::get(state, viewer, id).await?.id))
}

/// A theme's references to other instances' objects, each with its snapshot.
#[utoipa::path(get, path = "/themes/{slug}/references", tag = "references",
    params(("slug" = String, Path, description = "Theme slug")),
    responses((status = 200, body = Vec<ReferenceView>), (status = 404, body = Problem)))]
pub async fn list_theme_references(
    State(state): State<AppState>,
    viewer: Viewer,
    ApiPath(slug): ApiPath<String>,
) -> Result<Json<Vec<ReferenceView>>, AppError> {
    let local = theme_local(&state, &viewer, &slug).await?;
    Ok(Json(references::list(&state, local).await?))
}

/// Reference another instance's theme, proposal or method from a theme (staff only): it is
/// fetched now; a private address, a page that is not ActivityPub or a document too large is
/// refused at `target`, and nothing is stored.
#[utoipa::path(post, path = "/themes/{slug}/references", tag = "references", request_body = ReferenceInput,
    params(("slug" = String, Path, description = "Theme slug")),
    responses((status = 201, body = ReferenceView), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn add_theme_reference(
    State(state): State<AppState>,
    Authorized(viewer, _): Staff,
    ApiPath(slug): ApiPath<String>,
    ApiJson(input): ApiJson<ReferenceInput>,
) -> Result<Response, AppError> {
    let local = theme_local(&state, &viewer, &slug).await?;
    let added = references::add(&state, &viewer, local, &input).await?;
    Ok((StatusCode::CREATED, Json(added)).into_response())
}

/// A proposal's references to other instances' objects.
#[utoipa::path(get, path = "/proposals/{id}/references", tag = "references",
    params(("id" = i64, Path, description = "Proposal id", minimum = 1)),
    responses((status = 200, body = Vec<ReferenceView>), (status = 404, body = Problem)))]
pub async fn list_proposal_references(
    State(state): State<AppState>,
    viewer: Viewer,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<Vec<ReferenceView>>, AppError> {
    let local = proposal_local(&state, &viewer, id).await?;
    Ok(Json(references::list(&state, local).await?))
}

/// Reference another instance's object from a proposal (staff only).
#[utoipa::path(post, path = "/proposals/{id}/references", tag = "references", request_body = ReferenceInput,
    params(("id" = i64, Path, description = "Proposal id", minimum = 1)),
    responses((status = 201, body = ReferenceView), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn add_proposal_reference(
    State(state): State<AppState>,
    Authorized(viewer, _): Staff,
    ApiPath(id): ApiPath<i64>,
    ApiJson(input): ApiJson<ReferenceInput>,
) -> Result<Response, AppError> {
    let local = proposal_local(&state, &viewer, id).await?;
    let added = references::add(&state, &viewer, local, &input).await?;
    Ok((StatusCode::CREATED, Json(added)).into_response())
}

/// Remove a reference (staff only).
#[utoipa::path(delete, path = "/references/{id}", tag = "references",
    params(("id" = i64, Path, description = "Reference id", minimum = 1)),
    responses((status = 204), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn remove_reference(
    State(state): State<AppState>,
    Authorized(viewer, _): Staff,
    ApiPath(id): ApiPath<i64>,
) -> Result<StatusCode, AppError> {
    references::remove(&state, &viewer, id).await?;
    Ok(StatusCode::NO_CONTENT)
}
