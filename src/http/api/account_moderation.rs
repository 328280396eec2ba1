//! The API of moderation people can trust: suspending and restoring accounts, and the
//! moderation log that records every decision.

use axum::Json;
use axum::extract::State;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::error::AppError;
use crate::http::extract::{ApiJson, ApiPath, ApiQuery, Authorized, Moderator};
use crate::http::problem::Problem;
use crate::services::account_suspension;
use crate::services::accounts::UserView;
use crate::services::moderation_log::{self, LogEntryView, LogFilter};
use crate::state::AppState;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SuspensionInput {
    /// `true` suspends the account, `false` restores it.
    pub suspended: bool,
    /// Why; kept in the moderation log (required, up to 500 characters).
    #[schema(schema_with = suspension_reason)]
    pub reason: String,
}

fn suspension_reason() -> utoipa::openapi::schema::Object {
    crate::domain::schemas::reason(500)
}

/// Suspend an account (it cannot log in; its content stays) or restore it.
#[utoipa::path(put, path = "/users/{id}/suspension", tag = "moderation", request_body = SuspensionInput,
    params(("id" = i64, Path, description = "Account id", minimum = 1)),
    responses((status = 200, body = UserView), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn set_suspension(
    State(state): State<AppState>,
    Authorized(viewer, _): Moderator,
    ApiPath(id): ApiPath<i64>,
    ApiJson(input): ApiJson<SuspensionInput>,
) -> Result<Json<UserView>, AppError> {
    Ok(Json(
        account_suspension::set_suspended(&state, &viewer, id, input.suspended, &input.reason)
            .await?,
    ))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct LogPage {
    pub items: Vec<LogEntryView>,
    pub page: u32,
    pub has_more: bool,
}

/// The moderation log, newest first, by action and by moderator.
#[utoipa::path(get, path = "/moderation/log", tag = "moderation", params(LogFilter),
    responses((status = 200, body = LogPage), (status = 401, body = Problem), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn log(
    State(state): State<AppState>,
    Authorized(viewer, _): Moderator,
    ApiQuery(filter): ApiQuery<LogFilter>,
) -> Result<Json<LogPage>, AppError> {
    let (items, has_more) = moderation_log::list(&state, &viewer, &filter).await?;
    Ok(Json(LogPage {
        items,
        page: filter.page.unwrap_or(1),
        has_more,
    }))
}
