//! HTTP: the router, its middleware, and the mapping of errors to responses.

pub mod api;
pub mod caching;
pub mod extract;
pub mod upload;
/// problem+json lives with the error type, shared by every face.
pub use crate::error::problem;

use std::sync::Arc;
use std::time::Duration;

use axum::extract::{DefaultBodyLimit, State};
use axum::http::{HeaderName, HeaderValue, Request, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde::Serialize;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::trace::TraceLayer;
use utoipa::openapi::OpenApi;

use crate::state::AppState;
use problem::Problem;

/// Largest request body accepted by the API.
pub const MAX_BODY_BYTES: usize = 1024 * 1024;

/// Largest body of a request that carries a whole document (a draft, whose text may be
/// 200,000 characters). In the most escaped encodings a client may use (JSON's `\u` pairs,
/// a form's percent-encoding) a character takes up to 12 bytes.
pub const MAX_DOCUMENT_BODY_BYTES: usize = 4 * 1024 * 1024;

const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

pub fn router(state: AppState) -> Router {
    let (api, mut openapi) = api::router().split_for_parts();
    utoipa::Modify::modify(&api::ExactContract, &mut openapi);
    // The paths start with `/api/v1`, so the server is the instance itself.
    openapi.servers = Some(vec![utoipa::openapi::Server::new(
        state.config.public_url(),
    )]);
    let openapi = Arc::new(openapi);
    Router::new()
        .merge(api)
        .merge(crate::web::router(state.clone()))
        .merge(crate::federation::discovery::router())
        .merge(crate::federation::routes::router())
        .merge(crate::federation::inbox::router())
        .route(
            "/api/v1/openapi.json",
            get(move || {
                let spec = openapi.clone();
                async move { Json(OpenApi::clone(&spec)) }
            }),
        )
        .route("/health", get(health))
        .fallback(not_found)
        .layer(axum::middleware::map_response(plain_errors_as_problems))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            caching::conditional_reads,
        ))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            crate::federation::authorized_fetch::guard,
        ))
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            refuse_declared_oversize,
        ))
        .layer(
            TraceLayer::new_for_http().make_span_with(|req: &Request<_>| {
                let id = req
                    .headers()
                    .get(REQUEST_ID)
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or("-");
                tracing::info_span!("request", method = %req.method(), path = %req.uri().path(), request_id = %id)
            }),
        )
        .layer(PropagateRequestIdLayer::new(REQUEST_ID))
        .layer(SetRequestIdLayer::new(REQUEST_ID, MakeRequestUuid))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::REFERRER_POLICY,
            HeaderValue::from_static("same-origin"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::X_FRAME_OPTIONS,
            HeaderValue::from_static("DENY"),
        ))
        // Compressed as the client accepts (gzip, brotli), after the tag is taken.
        .layer(tower_http::compression::CompressionLayer::new())
        // Outermost, so that every refusal (a body over the limit too) is worded in it.
        .layer(axum::middleware::from_fn(request_language))
        .with_state(state)
}

#[derive(Serialize)]
struct Health {
    status: &'static str,
    database: &'static str,
    version: &'static str,
    /// Each event consumer's position, lag and, when it is stuck, the failing event. A
    /// consumer that falls behind does not make the instance unhealthy: requests are served.
    event_consumers: Vec<crate::services::events::ConsumerHealth>,
}

/// Liveness and readiness: 200 when the database answers, 503 otherwise.
async fn health(State(state): State<AppState>) -> Response {
    let ping = tokio::time::timeout(Duration::from_secs(3), state.db.ping()).await;
    let ok = matches!(ping, Ok(Ok(())));
    if !ok {
        tracing::warn!("health check: database does not answer");
    }
    let event_consumers = if ok {
        crate::services::events::health(&state)
            .await
            .unwrap_or_else(|e| {
                tracing::warn!(error = %e, "health check: cannot read the event consumers");
                Vec::new()
            })
    } else {
        Vec::new()
    };
    let body = Health {
        status: if ok { "ok" } else { "unavailable" },
        database: if ok { "ok" } else { "unreachable" },
        version: env!("CARGO_PKG_VERSION"),
        event_consumers,
    };
    let status = if ok {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    (status, Json(body)).into_response()
}

/// Every path that matches no route: the styled page, in the visitor's language, to a
/// browser; problem+json to API clients and under `/api/`.
async fn not_found(
    State(state): State<AppState>,
    uri: axum::http::Uri,
    headers: axum::http::HeaderMap,
) -> Response {
    let wants_page = !uri.path().starts_with("/api/")
        && headers
            .get(header::ACCEPT)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|accept| {
                accept.contains("text/html") || accept.contains("application/xhtml+xml")
            });
    if wants_page {
        let visitor = crate::web::error_page::Visitor::of(&state, &headers);
        return crate::web::error_page::error_page(&state, visitor, StatusCode::NOT_FOUND, None)
            .await;
    }
    Problem::new(
        StatusCode::NOT_FOUND,
        "not-found",
        "Not found",
        Some(crate::msg!("problem-no-route").render_current()),
    )
    .into_response()
}

/// Answers each request in its language: a person's (the language switch, else
/// `Accept-Language`, else Japanese) for pages and the API, English for another server's
/// delivery to an inbox, whose refusals are read in logs by people of any country.
async fn request_language(
    request: Request<axum::body::Body>,
    next: axum::middleware::Next,
) -> Response {
    let to_inbox =
        request.method() == axum::http::Method::POST && request.uri().path().ends_with("/inbox");
    let lang = if to_inbox {
        crate::i18n::Lang::En
    } else {
        crate::web::context::negotiate(request.headers())
    };
    crate::i18n::in_lang(lang, next.run(request)).await
}

/// Room for an upload form's other fields and part headers, beyond the file itself.
const UPLOAD_FORM_OVERHEAD: usize = 64 * 1024;

/// Whether a request posts an upload form (a document for a result). Those routes lift
/// the general body limit; [`refuse_declared_oversize`] applies the upload limit instead.
pub fn is_upload(method: &axum::http::Method, path: &str) -> bool {
    method == axum::http::Method::POST && path.ends_with("/documents")
}

/// Whether a request publishes a draft, whose body may be larger than others
/// ([`MAX_DOCUMENT_BODY_BYTES`]); its routes raise the general limit to that.
pub fn carries_document(method: &axum::http::Method, path: &str) -> bool {
    method == axum::http::Method::POST && path.ends_with("/drafts")
}

/// The body limit of a request (`DefaultBodyLimit` still applies the general limit to the
/// routes that do not raise it).
fn body_limit(state: &AppState, method: &axum::http::Method, path: &str) -> usize {
    if is_upload(method, path) {
        state.config.limits.upload_max_bytes + UPLOAD_FORM_OVERHEAD
    } else if carries_document(method, path) {
        MAX_DOCUMENT_BODY_BYTES
    } else {
        MAX_BODY_BYTES
    }
}

/// A body declared larger than the limit is refused before a byte of it is read, and before
/// `100 Continue` invites the client to send it. Closing a connection with a large unread
/// body in flight makes the peer's TCP stack reset it, and a client that is still writing
/// may then never read the answer; a refusal sent before the body arrives always reaches it.
/// Bodies of undeclared length are still counted as they are read (`DefaultBodyLimit`, or
/// for uploads a limit on the body itself).
async fn refuse_declared_oversize(
    State(state): State<AppState>,
    request: Request<axum::body::Body>,
    next: axum::middleware::Next,
) -> Response {
    let upload = is_upload(request.method(), request.uri().path());
    let limit = body_limit(&state, request.method(), request.uri().path());
    let declared = request
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok());
    if declared.is_some_and(|length| length > limit as u64) {
        let wants_page = !request.uri().path().starts_with("/api/")
            && request
                .headers()
                .get(header::ACCEPT)
                .and_then(|v| v.to_str().ok())
                .is_some_and(|accept| accept.contains("text/html"));
        let mut refusal = if wants_page {
            let visitor = crate::web::error_page::Visitor::of(&state, request.headers());
            let detail = upload.then(|| {
                format!(
                    "{} MB",
                    state.config.limits.upload_max_bytes / (1024 * 1024)
                )
            });
            crate::web::error_page::error_page(
                &state,
                visitor,
                StatusCode::PAYLOAD_TOO_LARGE,
                detail,
            )
            .await
        } else {
            too_large(limit)
        };
        // The unread body makes the connection unusable for another request.
        refusal
            .headers_mut()
            .insert(header::CONNECTION, HeaderValue::from_static("close"));
        return refusal;
    }
    if upload {
        let (parts, body) = request.into_parts();
        let limited = axum::body::Body::new(http_body_util::Limited::new(body, limit));
        return next.run(Request::from_parts(parts, limited)).await;
    }
    next.run(request).await
}

fn too_large(limit: usize) -> Response {
    Problem::new(
        StatusCode::PAYLOAD_TOO_LARGE,
        "too-large",
        "Request body too large",
        Some(crate::msg!("error-too-long-bytes", limit = limit).render_current()),
    )
    .into_response()
}

/// The framework's own refusals (a body over the limit, a method a route does not take)
/// come as plain text or empty; every error of the API and the inbox is problem+json.
async fn plain_errors_as_problems(response: Response) -> Response {
    let status = response.status();
    let typed = response
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|t| {
            t.to_str()
                .is_ok_and(|t| t.contains("json") || t.contains("html"))
        });
    if !status.is_client_error() || typed {
        return response;
    }
    if status == StatusCode::PAYLOAD_TOO_LARGE {
        return too_large(MAX_BODY_BYTES);
    }
    let (kind, title) = match status {
        StatusCode::METHOD_NOT_ALLOWED => ("method-not-allowed", "Method not allowed"),
        StatusCode::UNSUPPORTED_MEDIA_TYPE => ("unsupported-media-type", "Unsupported media type"),
        _ => ("bad-request", "Bad request"),
    };
    let allow = response.headers().get(header::ALLOW).cloned();
    let mut problem = Problem::new(status, kind, title, None).into_response();
    if let Some(allow) = allow {
        problem.headers_mut().insert(header::ALLOW, allow);
    }
    problem
}
