//! Form posts: URL-encoded bodies whose CSRF token is checked before anything happens, and
//! field errors to show next to the fields, in the page's language.

use std::collections::HashMap;

use axum::body::Bytes;
use axum::extract::{FromRequest, Request};
use axum::http::StatusCode;
use serde::de::DeserializeOwned;

use super::WebError;
use super::context::CsrfCookie;
use crate::error::{AppError, FieldError};
use crate::http::extract::{SESSION_COOKIE, cookie};
use crate::services::accounts;
use crate::state::AppState;

/// A form body whose `csrf` field matched the session's token (or, before login, the
/// visitor's CSRF cookie).
pub struct CsrfForm<T>(pub T);

impl<T: DeserializeOwned> FromRequest<AppState> for CsrfForm<T> {
    type Rejection = WebError;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, Self::Rejection> {
        let session = cookie(req.headers(), SESSION_COOKIE);
        let visitor_token = req.extensions().get::<CsrfCookie>().map(|c| c.0.clone());
        let bytes = Bytes::from_request(req, state).await.map_err(|_| {
            WebError(AppError::invalid(
                "form",
                "unreadable",
                "the form could not be read",
            ))
        })?;
        let pairs: Vec<(String, String)> = serde_urlencoded::from_bytes(&bytes).unwrap_or_default();
        let sent = pairs
            .iter()
            .find(|(k, _)| k == "csrf")
            .map(|(_, v)| v.as_str())
            .unwrap_or("");
        let expected = match session {
            Some(token) => match accounts::session_user(state, &token).await? {
                Some((_, csrf)) => Some(csrf),
                None => visitor_token,
            },
            None => visitor_token,
        };
        if sent.is_empty() || expected.as_deref() != Some(sent) {
            return Err(WebError(AppError::CsrfMismatch));
        }
        let value = serde_urlencoded::from_bytes(&bytes)
            .map_err(|e| WebError(AppError::invalid("form", "invalid_form", e.to_string())))?;
        Ok(CsrfForm(value))
    }
}

/// Field errors of a refused form, by field, translated for the page.
#[derive(Default)]
pub struct FormErrors {
    by_field: HashMap<String, String>,
    pub general: Option<String>,
}

impl FormErrors {
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
        self.by_field.insert(field.to_string(), text);
    }

    pub fn is_empty(&self) -> bool {
        self.by_field.is_empty() && self.general.is_none()
    }
}

/// Splits a service error into what the form shows (field errors, a general message) and
/// what the page cannot handle (returned as `Err`).
pub fn form_errors(
    ctx: &super::context::PageCtx,
    err: AppError,
) -> Result<(StatusCode, FormErrors), WebError> {
    let mut errors = FormErrors::default();
    let status = match err {
        AppError::Validation(fields) => {
            for FieldError {
                field,
                code,
                message,
            } in fields
            {
                // `tags[2]` is shown at the tags field; the full path is kept for rows.
                let text = translate_field_error(ctx, &code, &message);
                let key = field.split('[').next().unwrap_or_default().to_string();
                errors.by_field.entry(key).or_insert_with(|| text.clone());
                errors.by_field.insert(field, text);
            }
            StatusCode::UNPROCESSABLE_ENTITY
        }
        AppError::Conflict {
            field: Some(field), ..
        } => {
            errors.by_field.insert(field, crate::t!(ctx, "error-taken"));
            StatusCode::CONFLICT
        }
        AppError::NotAllowedNow(_) => {
            errors.general = Some(crate::t!(ctx, "error-not-allowed-now"));
            StatusCode::CONFLICT
        }
        AppError::Conflict { message, .. } => {
            errors.general = Some(message);
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

/// The Japanese (or English) text for a field error code; the English message from the
/// service carries the numbers, so it is appended where a limit matters.
pub(super) fn translate_field_error(
    ctx: &super::context::PageCtx,
    code: &str,
    message: &str,
) -> String {
    let limit: Option<String> = message
        .split(|c: char| !c.is_ascii_digit())
        .find(|s| !s.is_empty())
        .map(str::to_string);
    match (code, limit) {
        ("required", _) => crate::t!(ctx, "error-required"),
        ("too_short", Some(n)) => crate::t!(ctx, "error-too-short", limit = n),
        ("too_long", Some(n)) => crate::t!(ctx, "error-too-long", limit = n),
        ("invalid_email", _) => crate::t!(ctx, "error-invalid-email"),
        ("invalid_characters", _) => crate::t!(ctx, "error-handle-characters"),
        ("reserved", _) => crate::t!(ctx, "error-reserved"),
        ("invalid_tag", _) => crate::t!(ctx, "error-tags"),
        // Too many tags, phases, stop words...: the limit, whatever the field holds.
        ("too_many", Some(n)) => crate::t!(ctx, "error-too-many", limit = n),
        ("too_many", None) => crate::t!(ctx, "error-tags"),
        ("control_characters", _) => crate::t!(ctx, "error-control-characters"),
        ("invalid_date", _) => crate::t!(ctx, "error-invalid-date"),
        ("ends_before_start", _) => crate::t!(ctx, "error-ends-before-start"),
        ("overlapping_phases", _) => crate::t!(ctx, "error-overlapping-phases"),
        ("invalid_slug", _) => crate::t!(ctx, "error-invalid-slug"),
        ("not_a_handle", _) => crate::t!(ctx, "error-not-a-handle"),
        ("invalid_url", _) => crate::t!(ctx, "error-invalid-url"),
        ("unreachable", _) | ("unresolvable", _) => crate::t!(ctx, "error-unreachable"),
        ("local", _) => crate::t!(ctx, "error-local-actor"),
        ("blocked", _) => crate::t!(ctx, "error-blocked-actor"),
        ("refused", _) => crate::t!(ctx, "error-reference-refused"),
        ("too_large", _) => crate::t!(ctx, "error-reference-too-large"),
        ("not_activitypub", _) => crate::t!(ctx, "error-reference-not-activitypub"),
        ("removed", _) => crate::t!(ctx, "error-reference-removed"),
        ("file_too_large", Some(n)) => crate::t!(ctx, "error-file-too-large", limit = n),
        ("unsupported_type", _) => crate::t!(ctx, "error-unsupported-file"),
        ("empty", _) => crate::t!(ctx, "error-empty-file"),
        ("unreadable", _) => crate::t!(ctx, "error-unreadable-upload"),
        ("no_such_phase", _) => crate::t!(ctx, "error-no-such-phase"),
        ("no_such_paragraph", _) => crate::t!(ctx, "error-no-such-paragraph"),
        ("unchanged", _) => crate::t!(ctx, "error-unchanged"),
        ("no_such_version", _) => crate::t!(ctx, "error-no-such-version"),
        ("unknown_decision", _) => crate::t!(ctx, "error-unknown-decision"),
        ("too_many_paragraphs", _) => crate::t!(ctx, "error-too-many-paragraphs"),
        ("paragraph_too_long", _) => crate::t!(ctx, "error-paragraph-too-long"),
        ("one_value", _) => crate::t!(ctx, "error-one-value"),
        ("duplicate", _) => crate::t!(ctx, "error-duplicate-choice"),
        ("duplicate_rank", _) => crate::t!(ctx, "error-duplicate-rank"),
        ("not_a_number", _) => crate::t!(ctx, "error-not-a-number"),
        ("unknown_option", _) => crate::t!(ctx, "error-unknown-option"),
        ("too_many_choices", Some(n)) => crate::t!(ctx, "error-too-many-choices", limit = n),
        ("too_many_options", Some(n)) => crate::t!(ctx, "error-too-many-options", limit = n),
        ("too_many_questions", Some(n)) => crate::t!(ctx, "error-too-many-questions", limit = n),
        ("too_few", _) => crate::t!(ctx, "error-too-few-options"),
        ("invalid_points", _) => crate::t!(ctx, "error-invalid-points"),
        ("not_allowed", _) => crate::t!(ctx, "error-not-for-this-kind"),
        ("unknown_kind", _) => crate::t!(ctx, "error-unknown-kind"),
        ("unknown_phase", _) => crate::t!(ctx, "error-no-such-phase"),
        ("both", _) => crate::t!(ctx, "error-phase-or-dates"),
        ("before_opening", _) => crate::t!(ctx, "error-ends-before-start"),
        ("used_or_unknown", _) => crate::t!(ctx, "error-link-used"),
        ("out_of_range", _) => out_of_range(ctx, message),
        _ => message.to_string(),
    }
}

/// "must be between 1 and 5", "must be at least -3", "must be at most 10", in the page's
/// language (the numbers are read from the service's message).
fn out_of_range(ctx: &super::context::PageCtx, message: &str) -> String {
    let numbers: Vec<String> = message
        .split(|c: char| !(c.is_ascii_digit() || c == '-'))
        .filter(|s| s.trim_start_matches('-').parse::<i64>().is_ok())
        .map(str::to_string)
        .collect();
    match (message, numbers.as_slice()) {
        (m, [low, high]) if m.starts_with("must be between") => {
            crate::t!(ctx, "error-between", low = low.clone(), high = high.clone())
        }
        (m, [low]) if m.starts_with("must be at least") => {
            crate::t!(ctx, "error-at-least", low = low.clone())
        }
        (m, [high]) if m.starts_with("must be at most") => {
            crate::t!(ctx, "error-at-most", high = high.clone())
        }
        _ => crate::t!(ctx, "error-out-of-range"),
    }
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
