//! Request extractors: JSON bodies with field-precise errors, the signed-in viewer (API
//! token or session cookie, with CSRF checks), and the client's address.

use std::net::{IpAddr, SocketAddr};

use axum::body::Bytes;
use axum::extract::{ConnectInfo, FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{HeaderMap, Method, StatusCode, header};
use serde::de::DeserializeOwned;

use super::problem::Problem;
pub use crate::error::problem::ApiPath;
use crate::error::{AppError, FieldError, Msg};
use crate::msg;
use crate::services::{Viewer, accounts};
use crate::state::AppState;

pub const SESSION_COOKIE: &str = "hiroba_session";
pub const CSRF_HEADER: &str = "x-csrf-token";

/// A JSON body; errors name the offending field.
pub struct ApiJson<T>(pub T);

impl<T, S> FromRequest<S> for ApiJson<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = Problem;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let is_json = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(';').next())
            .map(|v| {
                let v = v.trim().to_ascii_lowercase();
                v == "application/json" || (v.starts_with("application/") && v.ends_with("+json"))
            })
            .unwrap_or(false);
        if !is_json {
            return Err(Problem::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "unsupported-media-type",
                "Expected a JSON body",
                Some(msg!("problem-send-json").render_current()),
            ));
        }
        let bytes = Bytes::from_request(req, state).await.map_err(|rejection| {
            Problem::new(
                rejection.status(),
                "bad-body",
                "The request body could not be read",
                Some(msg!("problem-unreadable-body").render_current()),
            )
        })?;
        // Every body of this API is an object; serde would also read a struct from an array
        // of its fields in order, which no client means.
        let first = bytes.iter().find(|b| !b.is_ascii_whitespace());
        if first.is_some_and(|b| *b != b'{')
            && serde_json::from_slice::<serde_json::Value>(&bytes).is_ok()
        {
            return Err(Problem::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "invalid-body",
                "Expected a JSON object",
                Some(msg!("problem-json-object").render_current()),
            ));
        }
        let mut deserializer = serde_json::Deserializer::from_slice(&bytes);
        match serde_path_to_error::deserialize(&mut deserializer) {
            Ok(value) => Ok(ApiJson(value)),
            Err(err) => Err(json_problem(err)),
        }
    }
}

fn json_problem(err: serde_path_to_error::Error<serde_json::Error>) -> Problem {
    let path = err.path().to_string();
    let inner = err.into_inner();
    if inner.is_syntax() || inner.is_eof() {
        return Problem::new(
            StatusCode::BAD_REQUEST,
            "malformed-json",
            "Malformed JSON",
            Some(
                msg!(
                    "problem-malformed-json",
                    line = inner.line(),
                    column = inner.column()
                )
                .render_current(),
            ),
        );
    }
    let message = inner.to_string();
    // serde names a missing or unknown field inside backticks in its message.
    let named = message
        .split('`')
        .nth(1)
        .filter(|_| message.starts_with("missing field") || message.starts_with("unknown field"));
    // For an unknown field the path already ends with its name; for a missing one it
    // names the enclosing object.
    let field = match (path.as_str(), named) {
        (".", Some(name)) => name.to_string(),
        (path, Some(name)) if path == name || path.ends_with(&format!(".{name}")) => {
            path.to_string()
        }
        (prefix, Some(name)) => format!("{prefix}.{name}"),
        (path, None) => path.to_string(),
    };
    let code = if message.starts_with("missing field") {
        "required"
    } else if message.starts_with("unknown field") {
        "unknown_field"
    } else {
        "invalid_type"
    };
    let message = match code {
        "required" => msg!("error-required"),
        "unknown_field" => msg!("error-unknown-field"),
        _ => expected_shape(&message),
    };
    Problem::from(AppError::Validation(vec![FieldError {
        field,
        code: code.into(),
        message,
    }]))
}

/// What a value of the wrong shape should have been, from serde's wording of it ("invalid
/// type: integer `5`, expected a string"), for a person reading the problem.
fn expected_shape(serde_message: &str) -> Msg {
    let expected = serde_message
        .split(" at line ")
        .next()
        .unwrap_or_default()
        .rsplit_once("expected ")
        .map(|(_, what)| what)
        .unwrap_or_default();
    if serde_message.starts_with("unknown variant") {
        // "unknown variant `x`, expected one of `a`, `b`": the allowed codes are for programs.
        let codes = expected
            .strip_prefix("one of ")
            .or_else(|| expected.strip_prefix("`"))
            .map(|codes| codes.replace('`', ""))
            .unwrap_or_default();
        return msg!("error-one-of-codes", codes = codes);
    }
    let is = |words: &[&str]| words.iter().any(|w| expected.contains(w));
    if serde_message.starts_with("missing field") {
        msg!("error-required")
    } else if serde_message.contains("invalid digit") || serde_message.contains("too large") {
        msg!("error-not-a-number")
    } else if is(&["string", "char"]) {
        msg!("error-must-be-text")
    } else if is(&["bool"]) {
        msg!("error-must-be-boolean")
    } else if is(&["sequence", "array", "tuple"]) {
        msg!("error-must-be-list")
    } else if is(&[
        "i8", "i16", "i32", "i64", "u8", "u16", "u32", "u64", "usize", "integer",
    ]) {
        msg!("error-not-a-number")
    } else if is(&["f32", "f64", "number"]) {
        msg!("error-must-be-number")
    } else if is(&["struct", "map", "object"]) {
        msg!("error-must-be-object")
    } else {
        msg!("error-wrong-shape")
    }
}

/// The value of one cookie.
pub fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_string())
}

/// The raw session cookie, for logging out and keeping the current session.
pub struct SessionToken(pub Option<String>);

impl<S: Send + Sync> FromRequestParts<S> for SessionToken {
    type Rejection = Problem;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        Ok(SessionToken(cookie(&parts.headers, SESSION_COOKIE)))
    }
}

fn is_unsafe(method: &Method) -> bool {
    !matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS)
}

impl FromRequestParts<AppState> for Viewer {
    type Rejection = Problem;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        if let Some(value) = parts.headers.get(header::AUTHORIZATION) {
            let token = value
                .to_str()
                .ok()
                .and_then(|v| v.strip_prefix("Bearer "))
                .map(str::trim)
                .filter(|t| !t.is_empty())
                .ok_or_else(|| {
                    Problem::new(
                        StatusCode::UNAUTHORIZED,
                        "unauthenticated",
                        "Malformed Authorization header",
                        Some(msg!("problem-bearer").render_current()),
                    )
                })?;
            return match accounts::token_user(state, token).await? {
                Some(user) => Ok(Viewer(Some(user))),
                None => Err(Problem::new(
                    StatusCode::UNAUTHORIZED,
                    "unauthenticated",
                    "Unknown or revoked API token",
                    Some(msg!("problem-unknown-token").render_current()),
                )),
            };
        }
        if let Some(token) = cookie(&parts.headers, SESSION_COOKIE)
            && let Some((user, csrf)) = accounts::session_user(state, &token).await?
        {
            if is_unsafe(&parts.method) {
                let sent = parts
                    .headers
                    .get(CSRF_HEADER)
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or("");
                if sent.is_empty() || sent != csrf {
                    return Err(AppError::CsrfMismatch.into());
                }
            }
            return Ok(Viewer(Some(user)));
        }
        Ok(Viewer(None))
    }
}

/// Who may call an endpoint, checked from the headers alone, before the body is read: a
/// caller who may not gets 401 or 403 whatever the body holds. The services check again.
pub trait Requirement {
    fn check(viewer: &Viewer) -> Result<(), AppError>;
}

/// Any signed-in user.
pub struct AnyUser;
/// Staff and administrators.
pub struct StaffRole;
/// Moderators, staff and administrators.
pub struct ModeratorRole;
/// Administrators.
pub struct AdministratorRole;

impl Requirement for AnyUser {
    fn check(viewer: &Viewer) -> Result<(), AppError> {
        viewer.user().map(|_| ())
    }
}

impl Requirement for StaffRole {
    fn check(viewer: &Viewer) -> Result<(), AppError> {
        viewer.require_staff().map(|_| ())
    }
}

impl Requirement for ModeratorRole {
    fn check(viewer: &Viewer) -> Result<(), AppError> {
        viewer.require_moderator().map(|_| ())
    }
}

impl Requirement for AdministratorRole {
    fn check(viewer: &Viewer) -> Result<(), AppError> {
        viewer.require_administrator().map(|_| ())
    }
}

/// A viewer that meets `R`; see [`Requirement`].
pub struct Authorized<R>(pub Viewer, pub std::marker::PhantomData<R>);

pub type SignedIn = Authorized<AnyUser>;
pub type Staff = Authorized<StaffRole>;
pub type Moderator = Authorized<ModeratorRole>;
pub type Administrator = Authorized<AdministratorRole>;

impl<R: Requirement + Send + Sync> FromRequestParts<AppState> for Authorized<R> {
    type Rejection = Problem;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let viewer = Viewer::from_request_parts(parts, state).await?;
        R::check(&viewer)?;
        Ok(Authorized(viewer, std::marker::PhantomData))
    }
}

/// The client's address: the TCP peer, or the first `X-Forwarded-For` entry when the
/// operator said the server runs behind a reverse proxy.
pub struct ClientIp(pub IpAddr);

impl FromRequestParts<AppState> for ClientIp {
    type Rejection = Problem;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        if state.config.behind_proxy {
            let forwarded = parts
                .headers
                .get("x-forwarded-for")
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.split(',').next())
                .and_then(|v| v.trim().parse::<IpAddr>().ok());
            if let Some(ip) = forwarded {
                return Ok(ClientIp(ip));
            }
        }
        let peer = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|c| c.0.ip())
            .unwrap_or(IpAddr::from([127, 0, 0, 1]));
        Ok(ClientIp(peer))
    }
}

/// Query-string parameters; a bad value is a problem+json error, not plain text.
pub struct ApiQuery<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequestParts<S> for ApiQuery<T> {
    type Rejection = Problem;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        let query = parts.uri.query().unwrap_or_default();
        let deserializer =
            serde_urlencoded::Deserializer::new(url::form_urlencoded::parse(query.as_bytes()));
        serde_path_to_error::deserialize(deserializer)
            .map(ApiQuery)
            .map_err(|err| {
                let parameter = err.path().to_string();
                let why = expected_shape(&err.into_inner().to_string());
                let detail = if parameter == "." {
                    why.render_current()
                } else {
                    msg!("problem-bad-parameter", parameter = parameter, why = why).render_current()
                };
                Problem::new(
                    StatusCode::BAD_REQUEST,
                    "bad-query",
                    "Invalid query parameters",
                    Some(detail),
                )
            })
    }
}

/// `; Secure` when the instance is served over https, for every cookie it sets.
pub fn secure_attribute(state: &AppState) -> &'static str {
    if state.config.scheme == crate::config::Scheme::Https {
        "; Secure"
    } else {
        ""
    }
}

/// The `Set-Cookie` value of the login session (an empty value with age 0 ends it). Used by
/// the API and the web login alike.
pub fn session_cookie(state: &AppState, value: &str, max_age_secs: i64) -> axum::http::HeaderValue {
    let cookie = format!(
        "{SESSION_COOKIE}={value}; Path=/; HttpOnly; SameSite=Lax; Max-Age={max_age_secs}{}",
        secure_attribute(state)
    );
    axum::http::HeaderValue::from_str(&cookie)
        .unwrap_or_else(|_| axum::http::HeaderValue::from_static(""))
}
