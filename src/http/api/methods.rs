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
use crate::services::theme_from_method::{self, StartTheme};
use crate::services::themes::ThemeView;
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

pub(super) fn created(method: MethodView) -> Response {
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
    Ok(created(
        crate::services::method_from_theme::save_as_is(&state, &viewer, &slug).await?,
    ))
}

pub(super) fn theme_created(theme: ThemeView) -> Response {
    let location = format!("/api/v1/themes/{}", theme.slug);
    (
        StatusCode::CREATED,
        [(header::LOCATION, location)],
        Json(theme),
    )
        .into_response()
}

/// Fork a method (staff only): a new method of this municipality with the same content,
/// attributed to the one it came from.
#[utoipa::path(post, path = "/methods/{id}/fork", tag = "methods",
    params(("id" = i64, Path, description = "Method id", minimum = 1)),
    responses((status = 201, body = MethodView), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn fork_method(
    State(state): State<AppState>,
    Authorized(viewer, _): Staff,
    ApiPath(id): ApiPath<i64>,
) -> Result<Response, AppError> {
    Ok(created(
        crate::services::method_reuse::fork(&state, &viewer, id).await?,
    ))
}

/// Start a theme from a method (staff only): a draft whose phases follow one another from
/// `starts_on`, with the method's guidance, tags and description, based on the method.
#[utoipa::path(post, path = "/methods/{id}/themes", tag = "methods", request_body = StartTheme,
    params(("id" = i64, Path, description = "Method id", minimum = 1)),
    responses((status = 201, body = ThemeView), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn start_theme(
    State(state): State<AppState>,
    Authorized(viewer, _): Staff,
    ApiPath(id): ApiPath<i64>,
    ApiJson(input): ApiJson<StartTheme>,
) -> Result<Response, AppError> {
    Ok(theme_created(
        theme_from_method::from_local(&state, &viewer, id, input).await?,
    ))
}

/// A method as a file to give to a municipality that does not federate: the same document
/// as its ActivityStreams object.
#[utoipa::path(get, path = "/methods/{id}/export", tag = "methods",
    params(("id" = i64, Path, description = "Method id", minimum = 1)),
    responses((status = 200, description = "The method's document (application/activity+json)"), (status = 404, body = Problem)))]
pub async fn export_method(
    State(state): State<AppState>,
    ApiPath(id): ApiPath<i64>,
) -> Result<Response, AppError> {
    let document = crate::federation::methods::export(&state, id).await?;
    let mut response = crate::federation::routes::activity_json(StatusCode::OK, &document);
    if let Ok(value) =
        header::HeaderValue::from_str(&format!("attachment; filename=\"method-{id}.json\""))
    {
        response
            .headers_mut()
            .insert(header::CONTENT_DISPOSITION, value);
    }
    Ok(response)
}

/// Import a method from an exported file (staff only): a new method here, attributed to
/// the file's. A missing or malformed field is refused with errors that name it.
#[utoipa::path(post, path = "/methods/import", tag = "methods",
    request_body(content = Object, description = "An exported method document"),
    responses((status = 201, body = MethodView), (status = 401, body = Problem), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn import_method(
    State(state): State<AppState>,
    Authorized(viewer, _): Staff,
    ApiJson(file): ApiJson<serde_json::Value>,
) -> Result<Response, AppError> {
    Ok(created(
        crate::federation::methods::import(&state, &viewer, &file).await?,
    ))
}
