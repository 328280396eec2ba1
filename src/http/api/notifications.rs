//! Notifications API: what the signed-in resident was told, and marking it read.

use axum::Json;
use axum::extract::State;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::error::AppError;
use crate::http::extract::{ApiJson, ApiQuery, Authorized, SignedIn};
use crate::http::problem::Problem;
use crate::services::Page;
use crate::services::notifications::{self, NotificationView};
use crate::state::AppState;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct NotificationQuery {
    /// Page number, from 1 to 1,000,000.
    #[param(minimum = 1, maximum = 1_000_000)]
    pub page: Option<u32>,
    /// Items per page, 1 to 100 (default 50).
    #[param(minimum = 1, maximum = 100)]
    pub per_page: Option<u32>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct NotificationPage {
    pub items: Vec<NotificationView>,
    /// How many of all the resident's notifications are unread.
    pub unread: i64,
    pub page: u32,
    pub per_page: u32,
    pub has_more: bool,
}

/// Your notifications, newest first.
#[utoipa::path(get, path = "/me/notifications", tag = "accounts", params(NotificationQuery),
    responses((status = 200, body = NotificationPage), (status = 401, body = Problem), (status = 422, body = Problem)))]
pub async fn list_notifications(
    State(state): State<AppState>,
    Authorized(viewer, _): SignedIn,
    ApiQuery(query): ApiQuery<NotificationQuery>,
) -> Result<Json<NotificationPage>, AppError> {
    let page = Page::parse(query.page, query.per_page)?;
    let (items, has_more) = notifications::list(&state, &viewer, page).await?;
    Ok(Json(NotificationPage {
        items,
        unread: notifications::unread(&state, &viewer).await?,
        page: page.number,
        per_page: page.per_page,
        has_more,
    }))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MarkRead {
    /// One notification; all of yours when absent.
    #[serde(default)]
    #[schema(minimum = 1)]
    pub id: Option<i64>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MarkedRead {
    /// How many were unread and are now read.
    pub marked: u64,
}

/// Mark one of your notifications read, or all of them.
#[utoipa::path(post, path = "/me/notifications/read", tag = "accounts", request_body = MarkRead,
    responses((status = 200, body = MarkedRead), (status = 401, body = Problem), (status = 422, body = Problem)))]
pub async fn mark_read(
    State(state): State<AppState>,
    Authorized(viewer, _): SignedIn,
    ApiJson(input): ApiJson<MarkRead>,
) -> Result<Json<MarkedRead>, AppError> {
    Ok(Json(MarkedRead {
        marked: notifications::mark_read(&state, &viewer, input.id).await?,
    }))
}
