//! The API of the terms of use and the privacy policy: anyone reads them, staff publish a
//! new version, an account agrees to the current terms.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;

use crate::error::AppError;
use crate::http::extract::{ApiJson, ApiPath, Authorized, SignedIn, Staff};
use crate::http::problem::Problem;
use crate::services::policies::{self, PolicyInput, PolicyKind, PolicyView, TermsAcceptance};
use crate::state::AppState;

/// The current version of the terms of use (`terms`) or the privacy policy (`privacy`);
/// 404 before staff published one.
#[utoipa::path(get, path = "/policies/{kind}", tag = "policies",
    params(("kind" = PolicyKind, Path, description = "terms or privacy")),
    responses((status = 200, body = PolicyView), (status = 404, body = Problem)))]
pub async fn current(
    State(state): State<AppState>,
    ApiPath(kind): ApiPath<String>,
) -> Result<Json<PolicyView>, AppError> {
    let kind = PolicyKind::parse(&kind)?;
    Ok(Json(
        policies::current(&state, kind)
            .await?
            .ok_or(AppError::NotFound("policy"))?,
    ))
}

/// Publish a new version (staff). A new version of the terms is asked of every account at
/// its next login on the pages; the API tells it by `pending_terms` of `/me/terms`.
#[utoipa::path(put, path = "/policies/{kind}", tag = "policies", request_body = PolicyInput,
    params(("kind" = PolicyKind, Path, description = "terms or privacy")),
    responses((status = 200, body = PolicyView), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn publish(
    State(state): State<AppState>,
    Authorized(viewer, _): Staff,
    ApiPath(kind): ApiPath<String>,
    ApiJson(input): ApiJson<PolicyInput>,
) -> Result<Json<PolicyView>, AppError> {
    let kind = PolicyKind::parse(&kind)?;
    Ok(Json(
        policies::publish(&state, &viewer, kind, &input).await?,
    ))
}

#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct TermsStatus {
    /// The current version of the terms, if any.
    pub current: Option<i32>,
    /// The version this account has yet to agree to, if any.
    pub pending_terms: Option<i32>,
}

/// Whether the signed-in account has agreed to the current terms.
#[utoipa::path(get, path = "/me/terms", tag = "policies",
    responses((status = 200, body = TermsStatus), (status = 401, body = Problem)))]
pub async fn status(
    State(state): State<AppState>,
    Authorized(viewer, _): SignedIn,
) -> Result<Json<TermsStatus>, AppError> {
    let user = viewer.user()?;
    Ok(Json(TermsStatus {
        current: policies::terms_version(&state).await?,
        pending_terms: policies::pending_for(&state, user.id).await?,
    }))
}

/// Agree to the current terms (the version must be the current one: 422 otherwise).
#[utoipa::path(put, path = "/me/terms", tag = "policies", request_body = TermsAcceptance,
    responses((status = 204, description = "Agreement recorded"), (status = 401, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn accept(
    State(state): State<AppState>,
    Authorized(viewer, _): SignedIn,
    ApiJson(input): ApiJson<TermsAcceptance>,
) -> Result<StatusCode, AppError> {
    policies::accept(&state, &viewer, &input).await?;
    Ok(StatusCode::NO_CONTENT)
}
