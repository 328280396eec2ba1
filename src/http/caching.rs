//! What browsers and proxies may keep of a read: every successful `GET` carries an `ETag`
//! (a hash of what it says) and is answered `304 Not Modified` when the browser already has
//! it; what a visitor who is not logged in reads may be kept by a shared cache for a few
//! seconds, what a signed-in person reads only by their own browser, and only after asking.

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use sha2::{Digest, Sha256};

use crate::http::extract::{SESSION_COOKIE, cookie};
use crate::state::AppState;

/// Bodies up to this size get an `ETag`; larger ones (exports) go out as they are.
const MAX_TAGGED_BYTES: usize = 8 * 1024 * 1024;

/// A page or read for visitors: a shared cache may serve it for 5 s, and for 30 s more while
/// it asks again, so a crowd opening the same page makes one request of it.
const PUBLIC: &str = "public, max-age=5, stale-while-revalidate=30";
/// A signed-in person's read: their browser keeps it but asks each time.
const PRIVATE: &str = "private, no-cache";

/// Tags and answers conditional reads; after any write, the pages kept for visitors are
/// not served again.
pub async fn conditional_reads(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    let is_read = matches!(*request.method(), Method::GET | Method::HEAD);
    // A signed fetch (authorized fetch between servers) is a personal read too.
    let signed_in = cookie(request.headers(), SESSION_COOKIE).is_some()
        || request.headers().contains_key(header::AUTHORIZATION)
        || request.headers().contains_key("signature");
    let known = request
        .headers()
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    let response = next.run(request).await;
    if !is_read {
        state.caches.pages_changed();
        return response;
    }
    if response.status() != StatusCode::OK {
        return response;
    }
    let (mut parts, body) = response.into_parts();
    if !parts.headers.contains_key(header::CACHE_CONTROL) {
        let sets_cookie = parts.headers.contains_key(header::SET_COOKIE);
        let policy = if signed_in || sets_cookie {
            PRIVATE
        } else {
            PUBLIC
        };
        parts
            .headers
            .insert(header::CACHE_CONTROL, HeaderValue::from_static(policy));
    }
    // Who asks changes the answer (the viewer's own supports, their name in the header).
    for asked_by in ["Cookie", "Authorization"] {
        let listed = parts.headers.get_all(header::VARY).iter().any(|v| {
            v.to_str().is_ok_and(|v| {
                v.split(',')
                    .any(|name| name.trim().eq_ignore_ascii_case(asked_by))
            })
        });
        if !listed {
            parts
                .headers
                .append(header::VARY, HeaderValue::from_static(asked_by));
        }
    }
    let small = axum::body::HttpBody::size_hint(&body)
        .exact()
        .is_some_and(|n| n <= MAX_TAGGED_BYTES as u64);
    if parts.headers.contains_key(header::ETAG) || !small {
        return Response::from_parts(parts, body);
    }
    let bytes = match axum::body::to_bytes(body, MAX_TAGGED_BYTES).await {
        Ok(bytes) => bytes,
        Err(e) => {
            tracing::warn!(error = %e, "a response could not be read to tag it");
            return StatusCode::INTERNAL_SERVER_ERROR.into_response();
        }
    };
    let digest = Sha256::digest(&bytes);
    let hex: String = digest.iter().take(12).map(|b| format!("{b:02x}")).collect();
    // Weak: the same content compressed differently is the same to a reader.
    let tag = format!("W/\"{hex}\"");
    if let Ok(value) = HeaderValue::from_str(&tag) {
        parts.headers.insert(header::ETAG, value);
    }
    if known.is_some_and(|k| matches_tag(&k, &hex)) {
        parts.status = StatusCode::NOT_MODIFIED;
        parts.headers.remove(header::CONTENT_LENGTH);
        parts.headers.remove(header::CONTENT_TYPE);
        return Response::from_parts(parts, Body::empty());
    }
    Response::from_parts(parts, Body::from(bytes))
}

/// Whether an `If-None-Match` list names the tag (weakly compared, `*` for any).
fn matches_tag(list: &str, hex: &str) -> bool {
    list.split(',').map(str::trim).any(|candidate| {
        candidate == "*" || candidate.trim_start_matches("W/").trim_matches('"').eq(hex)
    })
}

#[cfg(test)]
mod tests {
    use super::matches_tag;

    #[test]
    fn if_none_match_lists_are_read_weakly() {
        assert!(matches_tag("W/\"abc\"", "abc"));
        assert!(matches_tag("\"x\", W/\"abc\"", "abc"));
        assert!(matches_tag("*", "abc"));
        assert!(!matches_tag("W/\"abd\"", "abc"));
    }
}
