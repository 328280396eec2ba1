//! Pages for visitors who are not logged in, kept a few seconds and forgotten as soon as
//! the event log says something changed: when a theme is in the news, a crowd opening it
//! costs one rendering, not one each. Signed-in people always get their page fresh.

use std::sync::Arc;

use axum::body::Body;
use axum::extract::Request;
use axum::http::{Method, StatusCode, header};
use axum::response::{IntoResponse, Response};

use super::context::{LANG_COOKIE, negotiate};
use crate::state::{AppState, RenderedPage};

/// Pages longer than this are not kept.
const MAX_KEPT_BYTES: usize = 2 * 1024 * 1024;

/// A visitor's page read: its key (language and address) and the generation it began in.
pub struct PageKey {
    key: String,
    generation: u64,
}

/// The key of a visitor's page read. None for anything else (a signed-in person, a script
/// with a token, any cookie but the language's, a write).
pub fn key_of(state: &AppState, request: &Request) -> Option<PageKey> {
    if request.method() != Method::GET || request.headers().contains_key(header::AUTHORIZATION) {
        return None;
    }
    let only_language = request
        .headers()
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .map(|pair| pair.trim().split('=').next().unwrap_or_default())
        .all(|name| name.is_empty() || name == LANG_COOKIE);
    if !only_language {
        return None;
    }
    let address = request.uri().path_and_query()?.as_str();
    Some(PageKey {
        key: format!("{}:{address}", negotiate(request.headers()).code()),
        generation: state.caches.page_generation(),
    })
}

/// The kept page for a key, as a response, unless something changed since it was kept.
pub async fn cached(state: &AppState, key: &PageKey) -> Option<Response> {
    let page = state
        .caches
        .pages
        .get(&key.key)
        .await
        .filter(|page| page.generation == key.generation)?;
    let mut response = Response::new(Body::from(page.body.clone()));
    *response.headers_mut() = page.headers.clone();
    Some(response)
}

/// Keeps a visitor's page that anyone may be shown (a success, setting no cookie, not
/// marked private); returns it as it was.
pub async fn keep(state: &AppState, key: PageKey, response: Response) -> Response {
    let headers = response.headers();
    let html = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/html"));
    let personal = headers
        .get(header::CACHE_CONTROL)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("no-store") || v.contains("private"));
    let small = axum::body::HttpBody::size_hint(response.body())
        .exact()
        .is_some_and(|n| n <= MAX_KEPT_BYTES as u64);
    if response.status() != StatusCode::OK
        || !html
        || personal
        || !small
        || headers.contains_key(header::SET_COOKIE)
    {
        return response;
    }
    let (parts, body) = response.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, MAX_KEPT_BYTES).await else {
        tracing::warn!("a page to keep could not be read");
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    };
    // Rendered from what was there when the request began: kept under that generation, so
    // a write answered meanwhile is never hidden by it.
    let page = RenderedPage {
        headers: parts.headers.clone(),
        body: bytes.clone(),
        generation: key.generation,
    };
    state.caches.pages.insert(key.key, Arc::new(page)).await;
    Response::from_parts(parts, Body::from(bytes))
}
