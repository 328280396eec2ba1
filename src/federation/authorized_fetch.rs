//! Authorized fetch: when the operator turns it on, ActivityStreams documents are served
//! only to requests signed by a known, unblocked actor. The municipality's own actor stays
//! public (other servers need its key to check its signed GETs), as do discovery and pages.

use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::actors;
use super::wants_activity_json;
use crate::error::problem::Problem;
use crate::state::AppState;

fn refuse(status: StatusCode, detail: &str) -> Response {
    Problem::new(
        status,
        "signature",
        "Signed request required",
        Some(detail.to_string()),
    )
    .into_response()
}

pub async fn guard(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let path = request.uri().path();
    let exempt =
        path == "/actor" || path.starts_with("/.well-known/") || path.starts_with("/nodeinfo/");
    if !state.config.federation.authorized_fetch
        || exempt
        || request.method() != axum::http::Method::GET
        || !wants_activity_json(request.headers())
    {
        return next.run(request).await;
    }
    let path_and_query = request
        .uri()
        .path_and_query()
        .map(|p| p.as_str())
        .unwrap_or("/")
        .to_string();
    let key = match actors::verify_request(
        &state,
        request.method(),
        &path_and_query,
        request.headers(),
        b"",
    )
    .await
    {
        Ok(key) => key,
        Err(why) => return refuse(StatusCode::UNAUTHORIZED, &why),
    };
    if crate::services::moderation::is_blocked(&state, &key.owner)
        .await
        .unwrap_or(false)
    {
        return refuse(StatusCode::FORBIDDEN, "blocked");
    }
    next.run(request).await
}
