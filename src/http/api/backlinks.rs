//! Backlinks API: which objects of other instances reference a theme, proposal or method
//! here (as their origins told us); staff hide one or show it again.

use axum::Json;
use axum::extract::State;

use crate::error::AppError;
use crate::http::extract::{ApiJson, ApiPath, Authorized, Staff};
use crate::http::problem::Problem;
use crate::services::backlinks::{self, BacklinkView, BacklinkVisibility, Linked};
use crate::services::{Viewer, methods, proposals};
use crate::state::AppState;

/// What references this theme from other instances (hidden ones to staff only).
#[utoipa::path(get, path = "/themes/{slug}/backlinks", tag = "references",
    params(("slug" = String, Path, description = "Theme slug")),
    responses((status = 200, body = Vec<BacklinkView>), (status = 404, body = Problem)))]
pub async fn list_theme_backlinks(
    State(state): State<AppState>,
    viewer: Viewer,
    ApiPath(slug): ApiPath<String>,
) -> Result<Json<Vec<BacklinkView>>, AppError> {
    Ok(Json(backlinks::of_theme(&state, &viewer, &slug).await?))
}

/// What references this proposal from other instances.
#[utoipa::path(get, path = "/proposals/{id}/backlinks", tag = "references",
    params(("id" = i64, Path, description = "Proposal id", minimum = 1)),
    responses((status = 200, body = Vec<BacklinkView>), (status = 404, body = Problem)))]
pub async fn list_proposal_backlinks(
    State(state): State<AppState>,
    viewer: Viewer,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<Vec<BacklinkView>>, AppError> {
    let proposal = proposals::get(&state, &viewer, id).await?;
    let linked = Linked::Proposal(proposal.id);
    Ok(Json(backlinks::list(&state, &viewer, linked).await?))
}

/// What references this method from other instances.
#[utoipa::path(get, path = "/methods/{id}/backlinks", tag = "references",
    params(("id" = i64, Path, description = "Method id", minimum = 1)),
    responses((status = 200, body = Vec<BacklinkView>), (status = 404, body = Problem)))]
pub async fn list_method_backlinks(
    State(state): State<AppState>,
    viewer: Viewer,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<Vec<BacklinkView>>, AppError> {
    let method = methods::get(&state, id, None).await?;
    let linked = Linked::Method(method.id);
    Ok(Json(backlinks::list(&state, &viewer, linked).await?))
}

/// Hide a backlink or show it again (staff only). A hidden one stays recorded, listed to
/// staff, and stays hidden when its origin sends a new version.
#[utoipa::path(put, path = "/backlinks/{id}", tag = "references", request_body = BacklinkVisibility,
    params(("id" = i64, Path, description = "Backlink id", minimum = 1)),
    responses((status = 200, body = BacklinkView), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn set_backlink_visibility(
    State(state): State<AppState>,
    Authorized(viewer, _): Staff,
    ApiPath(id): ApiPath<i64>,
    ApiJson(input): ApiJson<BacklinkVisibility>,
) -> Result<Json<BacklinkView>, AppError> {
    Ok(Json(
        backlinks::set_hidden(&state, &viewer, id, input.hidden).await?,
    ))
}
