//! Form posts: URL-encoded bodies whose CSRF token is checked before anything happens, and
//! field errors to show next to the fields, in the page's language.

use crate::msg;
use std::collections::HashMap;

use axum::body::Bytes;
use axum::extract::{FromRequest, Request};
use axum::http::StatusCode;
use serde::de::DeserializeOwned;

use super::WebError;
use crate::error::{AppError, FieldError};
use crate::http::extract::{SESSION_COOKIE, cookie};
use crate::services::{accounts, form_tokens};
use crate::state::AppState;

/// A form body whose `csrf` field matched the session's token, or, before login, carries the
/// instance's signed token and came from a page of this site.
pub struct CsrfForm<T>(pub T);

/// Whether the browser says the request comes from this site: its fetch metadata when it
/// sends them, else its `Origin` against the host asked. A client that sends neither (not a
/// browser of today) is judged by the token alone.
fn sent_from_this_site(headers: &axum::http::HeaderMap) -> bool {
    let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    if let Some(site) = header("sec-fetch-site") {
        return matches!(site, "same-origin" | "none");
    }
    match (header("origin"), header("host")) {
        (Some(origin), Some(host)) => origin
            .split_once("://")
            .is_some_and(|(_, authority)| authority.eq_ignore_ascii_case(host)),
        (Some(_), None) => false,
        (None, _) => true,
    }
}

impl<T: DeserializeOwned> FromRequest<AppState> for CsrfForm<T> {
    type Rejection = WebError;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, Self::Rejection> {
        let session = cookie(req.headers(), SESSION_COOKIE);
        let from_this_site = sent_from_this_site(req.headers());
        let bytes = Bytes::from_request(req, state).await.map_err(|_| {
            WebError(AppError::invalid(
                "form",
                "unreadable",
                msg!("error-unreadable-form"),
            ))
        })?;
        let pairs: Vec<(String, String)> = serde_urlencoded::from_bytes(&bytes).unwrap_or_default();
        let sent = pairs
            .iter()
            .find(|(k, _)| k == "csrf")
            .map(|(_, v)| v.as_str())
            .unwrap_or("");
        let session_csrf = match session {
            Some(token) => accounts::session_user(state, &token)
                .await?
                .map(|(_, csrf)| csrf),
            None => None,
        };
        let accepted = match session_csrf {
            Some(expected) => !sent.is_empty() && sent == expected,
            None => from_this_site && form_tokens::is_valid(state, sent).await?,
        };
        if !accepted {
            return Err(WebError(AppError::CsrfMismatch));
        }
        let value = serde_urlencoded::from_bytes(&bytes).map_err(|e| {
            tracing::info!(error = %e, "a form could not be read");
            WebError(AppError::invalid(
                "form",
                "invalid_form",
                msg!("error-unreadable-form"),
            ))
        })?;
        Ok(CsrfForm(value))
    }
}

/// Field errors of a refused form, by field, translated for the page.
#[derive(Default)]
pub struct FormErrors {
    by_field: HashMap<String, String>,
    /// The fields in the order the refusal named them (`tags`, not `tags[2]`).
    order: Vec<String>,
    pub general: Option<String>,
}

/// One line of a refused form's summary: the message and the id of the field's error.
pub struct SummaryLine {
    pub anchor: String,
    pub message: String,
}

/// The id of the element that shows `field`'s error: `error-` and the field's path in
/// lower-case words (`answers.5` → `error-answers-5`). Every page's field errors use it, so
/// the summary at the top can link to each.
pub fn error_anchor(field: &str) -> String {
    let mut anchor = String::from("error");
    for word in field
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
    {
        anchor.push('-');
        anchor.push_str(&word.to_ascii_lowercase());
    }
    anchor
}

impl FormErrors {
    /// Each field's error once, in the order given, with the id of where it is shown.
    pub fn summary(&self) -> Vec<SummaryLine> {
        self.order
            .iter()
            .filter_map(|field| {
                self.by_field.get(field).map(|message| SummaryLine {
                    anchor: error_anchor(field),
                    message: message.clone(),
                })
            })
            .collect()
    }

    fn note(&mut self, field: &str) {
        let base = field.split('[').next().unwrap_or_default();
        if !self.order.iter().any(|f| f == base) {
            self.order.push(base.to_string());
        }
    }

    pub fn get(&self, field: &str) -> Option<&str> {
        self.by_field.get(field).map(String::as_str)
    }

    pub fn has(&self, field: &str) -> bool {
        self.by_field.contains_key(field)
    }

    /// The first error of a field path starting with `prefix` (`phases[1].`).
    pub fn with_prefix(&self, prefix: &str) -> Option<String> {
        self.first_with_prefix(prefix).map(|(_, message)| message)
    }

    /// The first error of a field path starting with `prefix`, with the path's rest
    /// (`options` of `sections[0].questions[2].options`).
    pub fn first_with_prefix(&self, prefix: &str) -> Option<(String, String)> {
        let mut keys: Vec<&String> = self
            .by_field
            .keys()
            .filter(|k| k.starts_with(prefix))
            .collect();
        keys.sort();
        keys.first().map(|k| {
            let rest = k.strip_prefix(prefix).unwrap_or_default();
            (rest.to_string(), self.by_field[*k].clone())
        })
    }

    /// Shows `text` at `field` (for errors a page words itself).
    pub fn set(&mut self, field: &str, text: String) {
        self.note(field);
        self.by_field.insert(field.to_string(), text);
    }

    pub fn is_empty(&self) -> bool {
        self.by_field.is_empty() && self.general.is_none()
    }
}

/// Splits a service error into what the form shows (field errors, a general message) and
/// what the page cannot handle (returned as `Err`). Every message is worded in the page's
/// language from the catalogue.
pub fn form_errors(
    ctx: &super::context::PageCtx,
    err: AppError,
) -> Result<(StatusCode, FormErrors), WebError> {
    let mut errors = FormErrors::default();
    let status = match err {
        AppError::Validation(fields) => {
            for FieldError { field, message, .. } in fields {
                // `tags[2]` is shown at the tags field; the full path is kept for rows.
                let text = message.render(ctx.lang);
                let key = field.split('[').next().unwrap_or_default().to_string();
                errors.note(&key);
                errors.by_field.entry(key).or_insert_with(|| text.clone());
                errors.by_field.insert(field, text);
            }
            StatusCode::UNPROCESSABLE_ENTITY
        }
        AppError::Conflict {
            field: Some(field),
            message,
        } => {
            errors.note(&field);
            errors.by_field.insert(field, message.render(ctx.lang));
            StatusCode::CONFLICT
        }
        AppError::NotAllowedNow(message) => {
            errors.general = Some(message.render(ctx.lang));
            StatusCode::CONFLICT
        }
        AppError::Conflict { message, .. } => {
            errors.general = Some(message.render(ctx.lang));
            StatusCode::CONFLICT
        }
        AppError::InvalidCredentials => {
            errors.general = Some(crate::t!(ctx, "error-credentials"));
            StatusCode::UNAUTHORIZED
        }
        AppError::RateLimited { retry_after_secs } => {
            errors.general = Some(crate::t!(
                ctx,
                "error-rate-limited",
                seconds = retry_after_secs
            ));
            StatusCode::TOO_MANY_REQUESTS
        }
        AppError::Busy { retry_after_secs } => {
            errors.general = Some(crate::t!(ctx, "error-busy", seconds = retry_after_secs));
            StatusCode::SERVICE_UNAVAILABLE
        }
        other => return Err(WebError(other)),
    };
    Ok((status, errors))
}

/// The fields of the numbered rows a form sends as `{prefix}{field}_{index}` (a phase
/// editor's rows): `(index, field, value)`, for indexes below `max`.
pub fn row_fields<'a>(
    pairs: &'a [(String, String)],
    prefix: &'a str,
    max: usize,
) -> impl Iterator<Item = (usize, &'a str, &'a str)> + 'a {
    pairs.iter().filter_map(move |(key, value)| {
        let (field, index) = key.strip_prefix(prefix)?.rsplit_once('_')?;
        let index = index.parse::<usize>().ok().filter(|i| *i < max)?;
        Some((index, field, value.as_str()))
    })
}
