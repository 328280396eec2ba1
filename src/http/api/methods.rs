//! Methods API: the municipality's process templates, with their versions.

use axum::Json;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::error::AppError;
use crate::http::extract::{ApiJson, ApiPath, ApiQuery};
use crate::http::extract::{Authorized, Staff};
use crate::http::problem::Problem;
use crate::services::Page;
use crate::services::methods::{self, MethodFilter, MethodInput, MethodVersionView, MethodView};
use crate::state::AppState;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct MethodListQuery {
    /// Words the title or summary must contain.
    #[param(max_length = 200)]
    pub q: Option<String>,
    /// Only methods with this tag.
    #[param(schema_with = crate::domain::schemas::tag_filter)]
    pub tag: Option<String>,
    /// Page number, from 1 to 1,000,000.
    #[param(minimum = 1, maximum = 1_000_000)]
    pub page: Option<u32>,
    /// Items per page, 1 to 100 (default 50).
    #[param(minimum = 1, maximum = 100)]
    pub per_page: Option<u32>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MethodPage {
    pub items: Vec<MethodView>,
    pub page: u32,
    pub per_page: u32,
    pub has_more: bool,
}

fn created(method: MethodView) -> Response {
    let location = format!("/api/v1/methods/{}", method.id);
    (
        StatusCode::CREATED,
        [(header::LOCATION, location)],
        Json(method),
    )
        .into_response()
}

/// The municipality's methods, most recently changed first.
#[utoipa::path(get, path = "/methods", tag = "methods", params(MethodListQuery),
    responses((status = 200, body = MethodPage), (status = 422, body = Problem)))]
pub async fn list_methods(
    State(state): State<AppState>,
    ApiQuery(query): ApiQuery<MethodListQuery>,
) -> Result<Json<MethodPage>, AppError> {
    let page = Page::parse(query.page, query.per_page)?;
    let filter = MethodFilter {
        q: query.q,
        tag: query.tag,
    };
    let (items, has_more) = methods::list(&state, &filter, page).await?;
    Ok(Json(MethodPage {
        items,
        page: page.number,
        per_page: page.per_page,
        has_more,
    }))
}

/// Publish a method (staff only).
#[utoipa::path(post, path = "/methods", tag = "methods", request_body = MethodInput,
    responses((status = 201, body = MethodView), (status = 401, body = Problem), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn create_method(
    State(state): State<AppState>,
    Authorized(viewer, _): Staff,
    ApiJson(input): ApiJson<MethodInput>,
) -> Result<Response, AppError> {
    Ok(created(methods::create(&state, &viewer, input).await?))
}

/// A method at its newest version.
#[utoipa::path(get, path = "/methods/{id}", tag = "methods",
    params(("id" = i64, Path, description = "Method id", minimum = 1)),
    responses((status = 200, body = MethodView), (status = 404, body = Problem)))]
pub async fn get_method(
    State(state): State<AppState>,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<MethodView>, AppError> {
    Ok(Json(methods::get(&state, id, None).await?))
}

/// Edit a method (staff only): a new version; earlier ones stay readable.
#[utoipa::path(put, path = "/methods/{id}", tag = "methods", request_body = MethodInput,
    params(("id" = i64, Path, description = "Method id", minimum = 1)),
    responses((status = 200, body = MethodView), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn update_method(
    State(state): State<AppState>,
    Authorized(viewer, _): Staff,
    ApiPath(id): ApiPath<i64>,
    ApiJson(input): ApiJson<MethodInput>,
) -> Result<Json<MethodView>, AppError> {
    Ok(Json(methods::update(&state, &viewer, id, input).await?))
}

/// Every version of a method, newest first.
#[utoipa::path(get, path = "/methods/{id}/versions", tag = "methods",
    params(("id" = i64, Path, description = "Method id", minimum = 1)),
    responses((status = 200, body = Vec<MethodVersionView>), (status = 404, body = Problem)))]
pub async fn list_versions(
    State(state): State<AppState>,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<Vec<MethodVersionView>>, AppError> {
    Ok(Json(methods::versions(&state, id).await?))
}

/// A method as it read at one version.
#[utoipa::path(get, path = "/methods/{id}/versions/{version}", tag = "methods",
    params(("id" = i64, Path, description = "Method id", minimum = 1),
           ("version" = i32, Path, description = "Version, from 1", minimum = 1)),
    responses((status = 200, body = MethodView), (status = 404, body = Problem)))]
pub async fn get_version(
    State(state): State<AppState>,
    ApiPath((id, version)): ApiPath<(i64, i32)>,
) -> Result<Json<MethodView>, AppError> {
    Ok(Json(methods::get(&state, id, Some(version)).await?))
}

/// Save a theme as a method (staff only): its phases, what each allowed, its tags, and the
/// theme as where the method was used; the rest is completed by editing it.
#[utoipa::path(post, path = "/themes/{slug}/method", tag = "methods",
    params(("slug" = String, Path, description = "Theme slug")),
    responses((status = 201, body = MethodView), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn save_theme_as_method(
    State(state): State<AppState>,
    Authorized(viewer, _): Staff,
    ApiPath(slug): ApiPath<String>,
) -> Result<Response, AppError> {
    Ok(created(methods::from_theme(&state, &viewer, &slug).await?))
}
