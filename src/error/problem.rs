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

use crate::error::{AppError, FieldError};

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
    pub errors: Vec<FieldError>,
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
    fn from(err: AppError) -> Self {
        match err {
            AppError::Validation(errors) => {
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
                Some(format!("no such {what}")),
            ),
            AppError::Gone(what) => Problem::new(
                StatusCode::GONE,
                "gone",
                "Gone",
                Some(format!("this {what} was removed")),
            ),
            AppError::Unauthenticated => Problem::new(
                StatusCode::UNAUTHORIZED,
                "unauthenticated",
                "Authentication required",
                Some("log in, or send an API token as `Authorization: Bearer ...`".into()),
            ),
            AppError::InvalidCredentials => Problem::new(
                StatusCode::UNAUTHORIZED,
                "invalid-credentials",
                "Wrong login or password",
                None,
            ),
            AppError::Forbidden(detail) => Problem::new(
                StatusCode::FORBIDDEN,
                "forbidden",
                "Forbidden",
                Some(detail),
            ),
            AppError::Conflict { field, message } => {
                let errors = field
                    .map(|f| {
                        vec![FieldError {
                            field: f,
                            code: "conflict".into(),
                            message: message.clone(),
                        }]
                    })
                    .unwrap_or_default();
                Problem {
                    errors,
                    ..Problem::new(StatusCode::CONFLICT, "conflict", "Conflict", Some(message))
                }
            }
            AppError::NotAllowedNow(detail) => Problem::new(
                StatusCode::CONFLICT,
                "not-allowed-now",
                "Not possible at this time",
                Some(detail),
            ),
            AppError::RateLimited { retry_after_secs } => Problem {
                retry_after: Some(retry_after_secs),
                ..Problem::new(
                    StatusCode::TOO_MANY_REQUESTS,
                    "rate-limited",
                    "Too many attempts",
                    Some(format!("try again in {retry_after_secs} seconds")),
                )
            },
            AppError::Busy { retry_after_secs } => Problem {
                retry_after: Some(retry_after_secs),
                ..Problem::new(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "busy",
                    "Busy",
                    Some(format!(
                        "too many sign-ins at once; try again in {retry_after_secs} seconds"
                    )),
                )
            },
            AppError::CsrfMismatch => Problem::new(
                StatusCode::FORBIDDEN,
                "csrf",
                "Missing or wrong CSRF token",
                Some("send the session's csrf_token in the X-CSRF-Token header".into()),
            ),
            AppError::Unavailable(cause) => {
                tracing::warn!(error = format!("{cause:#}"), "service unavailable");
                Problem::new(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "unavailable",
                    "Service unavailable",
                    None,
                )
            }
            AppError::Internal(cause) => {
                tracing::error!(error = format!("{cause:#}"), "internal error");
                Problem::new(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "internal",
                    "Internal server error",
                    Some("the error was logged; please try again later".into()),
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
                    Some(format!(
                        "nothing has this address: ids are whole numbers from 1 to {}",
                        i64::MAX
                    )),
                )
            })
    }
}
