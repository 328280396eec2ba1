//! Authorized fetch: when the operator turns it on, ActivityStreams documents are served
//! only to requests signed by a known, unblocked actor. The municipality's own actor stays
//! public (other servers need its key to check its signed GETs), as do discovery and pages.

use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::actors::{self, host_of};
use super::signatures::{prepare_rfc9421, prepare_verification, verify};
use super::wants_activity_json;
use crate::http::problem::Problem;
use crate::state::AppState;
use crate::storage::moderation;

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
    let headers = request.headers();
    let path_and_query = request
        .uri()
        .path_and_query()
        .map(|p| p.as_str())
        .unwrap_or("/")
        .to_string();
    let now = jiff::Timestamp::now();
    let prepared = if headers.contains_key("signature-input") {
        let host = headers
            .get("host")
            .and_then(|v| v.to_str().ok())
            .unwrap_or(&state.config.domain)
            .to_string();
        match url::Url::parse(&format!(
            "{}://{host}{path_and_query}",
            state.config.scheme.as_str()
        )) {
            Ok(target) => prepare_rfc9421(request.method(), &target, headers, b"", now),
            Err(_) => return refuse(StatusCode::UNAUTHORIZED, "bad target"),
        }
    } else {
        prepare_verification(request.method(), &path_and_query, headers, b"", now)
            .map(|(s, t)| (s.key_id, t, s.signature))
    };
    let (key_id, text, signature) = match prepared {
        Ok(prepared) => prepared,
        Err(e) => return refuse(StatusCode::UNAUTHORIZED, &e.to_string()),
    };
    let key = match actors::key(&state, &key_id, false).await {
        Ok(key) if verify(&key.key, &text, &signature).is_ok() => key,
        _ => match actors::key(&state, &key_id, true).await {
            Ok(key) if verify(&key.key, &text, &signature).is_ok() => key,
            _ => return refuse(StatusCode::UNAUTHORIZED, "the signature does not verify"),
        },
    };
    let domain = host_of(&key.owner).unwrap_or_default();
    let bare = domain.split(':').next().unwrap_or_default().to_string();
    if let Ok(mut conn) = state.db.acquire().await
        && moderation::is_blocked(conn.ex(), &bare, &key.owner)
            .await
            .unwrap_or(false)
    {
        return refuse(StatusCode::FORBIDDEN, "blocked");
    }
    next.run(request).await
}
