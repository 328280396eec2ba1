//! problem+json (RFC 9457) responses. Every error leaves the server through here: the
//! public message is safe to show, the private cause goes to the log.

use axum::Json;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use serde::de::DeserializeOwned;
use utoipa::ToSchema;

use crate::error::{AppError, FieldError, Msg};
use crate::msg;

/// A field that was refused, as the wire says it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
#[schema(as = FieldError)]
pub struct ProblemField {
    /// The field, as a JSON path (`title`, `phases[1].ends_on`).
    pub field: String,
    /// A stable machine-readable code (`required`, `too_long`, `taken`...).
    pub code: String,
    /// Why, in the request's language (`Accept-Language`; Japanese by default).
    pub message: String,
}

impl From<&FieldError> for ProblemField {
    fn from(e: &FieldError) -> ProblemField {
        ProblemField {
            field: e.field.clone(),
            code: e.code.clone(),
            message: e.message.render_current(),
        }
    }
}

/// The catalogue's word for what was not found or is gone (`theme`, `proposal`…); things
/// without a word of their own are "what was asked for".
pub fn thing(what: &str) -> Msg {
    match what {
        "theme" => msg!("thing-theme"),
        "proposal" => msg!("thing-proposal"),
        "comment" => msg!("thing-comment"),
        "user" | "account" | "actor" | "remote actor" => msg!("thing-account"),
        "survey" => msg!("thing-survey"),
        "question" => msg!("thing-question"),
        "poll" => msg!("thing-poll"),
        "result" => msg!("thing-result"),
        "draft" => msg!("thing-draft"),
        "amendment" => msg!("thing-amendment"),
        "method" | "method version" => msg!("thing-method"),
        "document" => msg!("thing-document"),
        "answer" => msg!("thing-answer"),
        "report" => msg!("thing-report"),
        "block" => msg!("thing-block"),
        "reference" => msg!("thing-reference"),
        "backlink" => msg!("thing-backlink"),
        "follow" | "followed actor" => msg!("thing-follow"),
        "post" | "reply" => msg!("thing-post"),
        "token" => msg!("thing-token"),
        "notification" => msg!("thing-notification"),
        "response" => msg!("thing-response"),
        "page" => msg!("thing-page"),
        _ => msg!("thing-other"),
    }
}

/// An error response body.
#[derive(Debug, Serialize, ToSchema)]
pub struct Problem {
    /// A URI naming the kind of problem, e.g. `urn:hiroba:problem:validation`.
    #[serde(rename = "type")]
    pub kind: String,
    pub title: String,
    pub status: u16,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    /// For validation problems: every field that was refused, and why.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<ProblemField>,
    #[serde(skip)]
    pub retry_after: Option<u64>,
}

impl Problem {
    pub fn new(status: StatusCode, kind: &str, title: &str, detail: Option<String>) -> Self {
        Self {
            kind: format!("urn:hiroba:problem:{kind}"),
            title: title.to_string(),
            status: status.as_u16(),
            detail,
            errors: Vec::new(),
            retry_after: None,
        }
    }

    pub fn status(&self) -> StatusCode {
        StatusCode::from_u16(self.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
    }
}

impl From<AppError> for Problem {
    /// The problem of an error, its `detail` and messages worded in the request's language
    /// (`type` and `title` stay English: they are for programs).
    fn from(err: AppError) -> Self {
        let said = |m: Msg| Some(m.render_current());
        match err {
            AppError::Validation(errors) => {
                let errors: Vec<ProblemField> = errors.iter().map(ProblemField::from).collect();
                let detail = errors
                    .iter()
                    .map(|e| format!("{}: {}", e.field, e.message))
                    .collect::<Vec<_>>()
                    .join("; ");
                Problem {
                    errors,
                    ..Problem::new(
                        StatusCode::UNPROCESSABLE_ENTITY,
                        "validation",
                        "Invalid input",
                        Some(detail),
                    )
                }
            }
            AppError::NotFound(what) => Problem::new(
                StatusCode::NOT_FOUND,
                "not-found",
                "Not found",
                said(msg!(
                    "problem-not-found",
                    what = thing(what).render_current()
                )),
            ),
            AppError::Gone(what) => Problem::new(
                StatusCode::GONE,
                "gone",
                "Gone",
                said(msg!("problem-gone", what = thing(what).render_current())),
            ),
            AppError::Unauthenticated => Problem::new(
                StatusCode::UNAUTHORIZED,
                "unauthenticated",
                "Authentication required",
                said(msg!("problem-unauthenticated")),
            ),
            AppError::InvalidCredentials => Problem::new(
                StatusCode::UNAUTHORIZED,
                "invalid-credentials",
                "Wrong login or password",
                said(msg!("error-credentials")),
            ),
            AppError::Forbidden(detail) => Problem::new(
                StatusCode::FORBIDDEN,
                "forbidden",
                "Forbidden",
                said(detail),
            ),
            AppError::Conflict { field, message } => {
                let errors = field
                    .map(|f| {
                        vec![ProblemField {
                            field: f,
                            code: "conflict".into(),
                            message: message.render_current(),
                        }]
                    })
                    .unwrap_or_default();
                Problem {
                    errors,
                    ..Problem::new(StatusCode::CONFLICT, "conflict", "Conflict", said(message))
                }
            }
            AppError::NotAllowedNow(detail) => Problem::new(
                StatusCode::CONFLICT,
                "not-allowed-now",
                "Not possible at this time",
                said(detail),
            ),
            AppError::RateLimited { retry_after_secs } => Problem {
                retry_after: Some(retry_after_secs),
                ..Problem::new(
                    StatusCode::TOO_MANY_REQUESTS,
                    "rate-limited",
                    "Too many attempts",
                    said(msg!("error-rate-limited", seconds = retry_after_secs)),
                )
            },
            AppError::Busy { retry_after_secs } => Problem {
                retry_after: Some(retry_after_secs),
                ..Problem::new(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "busy",
                    "Busy",
                    said(msg!("error-busy", seconds = retry_after_secs)),
                )
            },
            AppError::CsrfMismatch => Problem::new(
                StatusCode::FORBIDDEN,
                "csrf",
                "Missing or wrong CSRF token",
                said(msg!("problem-csrf")),
            ),
            AppError::Unavailable(cause) => {
                tracing::warn!(error = format!("{cause:#}"), "service unavailable");
                Problem::new(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "unavailable",
                    "Service unavailable",
                    said(msg!("problem-unavailable")),
                )
            }
            AppError::Internal(cause) => {
                tracing::error!(error = format!("{cause:#}"), "internal error");
                Problem::new(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "internal",
                    "Internal server error",
                    said(msg!("problem-internal")),
                )
            }
        }
    }
}

impl IntoResponse for Problem {
    fn into_response(self) -> Response {
        let status = self.status();
        let retry_after = self.retry_after;
        let mut response = (status, Json(self)).into_response();
        let headers = response.headers_mut();
        headers.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/problem+json"),
        );
        if let Some(secs) = retry_after
            && let Ok(value) = HeaderValue::from_str(&secs.to_string())
        {
            headers.insert(header::RETRY_AFTER, value);
        }
        if status == StatusCode::UNAUTHORIZED {
            headers.insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static("Bearer realm=\"hiroba\""),
            );
        }
        response
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        Problem::from(self).into_response()
    }
}

/// A path parameter; a malformed one (such as a non-numeric id) is a 404 problem.
pub struct ApiPath<T>(pub T);

impl<T, S> FromRequestParts<S> for ApiPath<T>
where
    T: DeserializeOwned + Send,
    S: Send + Sync,
{
    type Rejection = Problem;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        axum::extract::Path::<T>::from_request_parts(parts, state)
            .await
            .map(|p| ApiPath(p.0))
            .map_err(|rejection| {
                // The parser's own words (`Cannot parse … to a i64`) say nothing to a client.
                tracing::debug!(reason = %rejection.body_text(), "unreadable path parameter");
                Problem::new(
                    StatusCode::NOT_FOUND,
                    "not-found",
                    "Not found",
                    Some(msg!("problem-bad-id").render_current()),
                )
            })
    }
}
