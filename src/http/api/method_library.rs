//! The library API: methods that followed municipalities published, found by words, tag
//! and prefecture, forked into a method here or used to start a theme.

use axum::Json;
use axum::extract::State;
use axum::response::Response;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::methods::{created, theme_created};
use crate::error::AppError;
use crate::http::extract::{ApiJson, ApiPath, ApiQuery, Authorized, Staff};
use crate::http::problem::Problem;
use crate::services::Page;
use crate::services::method_library::{self, LibraryFilter, LibraryMethodView};
use crate::services::methods::MethodView;
use crate::services::theme_from_method::{self, StartTheme};
use crate::services::themes::ThemeView;
use crate::state::AppState;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct LibraryQuery {
    /// Words the title or summary must contain.
    #[param(max_length = 200)]
    pub q: Option<String>,
    /// Only methods with this tag.
    #[param(schema_with = crate::domain::schemas::tag_filter)]
    pub tag: Option<String>,
    /// Only methods of municipalities in this prefecture (e.g. 鳥取県).
    #[param(max_length = 20)]
    pub prefecture: Option<String>,
    /// Page number, from 1 to 1,000,000.
    #[param(minimum = 1, maximum = 1_000_000)]
    pub page: Option<u32>,
    /// Items per page, 1 to 100 (default 50).
    #[param(minimum = 1, maximum = 100)]
    pub per_page: Option<u32>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct LibraryPage {
    pub items: Vec<LibraryMethodView>,
    /// Every prefecture the library's methods come from, for filtering.
    pub prefectures: Vec<String>,
    pub page: u32,
    pub per_page: u32,
    pub has_more: bool,
}

/// Methods from other municipalities, most recently changed first.
#[utoipa::path(get, path = "/federated/methods", tag = "methods", params(LibraryQuery),
    responses((status = 200, body = LibraryPage), (status = 422, body = Problem)))]
pub async fn list_library(
    State(state): State<AppState>,
    ApiQuery(query): ApiQuery<LibraryQuery>,
) -> Result<Json<LibraryPage>, AppError> {
    let page = Page::parse(query.page, query.per_page)?;
    let filter = LibraryFilter {
        q: query.q,
        tag: query.tag,
        prefecture: query.prefecture,
    };
    let (items, has_more) = method_library::list(&state, &filter, page).await?;
    Ok(Json(LibraryPage {
        items,
        prefectures: method_library::prefectures(&state).await?,
        page: page.number,
        per_page: page.per_page,
        has_more,
    }))
}

/// A method from another municipality, as its newest version was received.
#[utoipa::path(get, path = "/federated/methods/{id}", tag = "methods",
    params(("id" = i64, Path, description = "Library entry id", minimum = 1)),
    responses((status = 200, body = LibraryMethodView), (status = 404, body = Problem)))]
pub async fn get_library_method(
    State(state): State<AppState>,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<LibraryMethodView>, AppError> {
    Ok(Json(method_library::get(&state, id).await?))
}

/// Make a method of this municipality from another's (staff only), attributed to it.
#[utoipa::path(post, path = "/federated/methods/{id}/fork", tag = "methods",
    params(("id" = i64, Path, description = "Library entry id", minimum = 1)),
    responses((status = 201, body = MethodView), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn fork_library_method(
    State(state): State<AppState>,
    Authorized(viewer, _): Staff,
    ApiPath(id): ApiPath<i64>,
) -> Result<Response, AppError> {
    Ok(created(method_library::fork(&state, &viewer, id).await?))
}

/// Start a theme from another municipality's method (staff only); that municipality is told
/// when the theme opens and lists it where its method was used.
#[utoipa::path(post, path = "/federated/methods/{id}/themes", tag = "methods", request_body = StartTheme,
    params(("id" = i64, Path, description = "Library entry id", minimum = 1)),
    responses((status = 201, body = ThemeView), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn start_theme_from_library(
    State(state): State<AppState>,
    Authorized(viewer, _): Staff,
    ApiPath(id): ApiPath<i64>,
    ApiJson(input): ApiJson<StartTheme>,
) -> Result<Response, AppError> {
    Ok(theme_created(
        theme_from_method::from_library(&state, &viewer, id, input).await?,
    ))
}
