//! One error type for the service layer, and its wire form (`problem`), mapped to a status
//! code in one place for every face.

pub mod message;
pub mod problem;

pub use message::{Msg, MsgArg};

/// A problem with one field of the input, named so that a form or a client can point at it.
#[derive(Debug, Clone, PartialEq)]
pub struct FieldError {
    /// The field, as a JSON path (`title`, `phases[1].ends_on`).
    pub field: String,
    /// A stable machine-readable code (`required`, `too_long`, `taken`...).
    pub code: String,
    /// What a person reads, worded in their language when it is shown.
    pub message: Msg,
}

/// Why a single value was refused; the caller adds the field name.
#[derive(Debug, Clone, PartialEq)]
pub struct Invalid {
    pub code: &'static str,
    pub message: Msg,
}

impl Invalid {
    pub fn new(code: &'static str, message: Msg) -> Self {
        Self { code, message }
    }

    pub fn at(self, field: impl Into<String>) -> FieldError {
        FieldError {
            field: field.into(),
            code: self.code.to_string(),
            message: self.message,
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("invalid input")]
    Validation(Vec<FieldError>),
    #[error("{0} not found")]
    NotFound(&'static str),
    /// It existed and was removed (410).
    #[error("this {0} was removed")]
    Gone(&'static str),
    #[error("authentication required")]
    Unauthenticated,
    #[error("wrong login or password")]
    InvalidCredentials,
    #[error("{0}")]
    Forbidden(Msg),
    #[error("{message}")]
    Conflict { field: Option<String>, message: Msg },
    /// The action exists but is not possible now: the theme's status or phase, or the
    /// dates of a survey or a poll, do not allow it (the detail says which).
    #[error("{0}")]
    NotAllowedNow(Msg),
    #[error("too many attempts; retry in {retry_after_secs} s")]
    RateLimited { retry_after_secs: u64 },
    /// Too much of a bounded kind of work (password hashing) is running; come back soon.
    #[error("busy; retry in {retry_after_secs} s")]
    Busy { retry_after_secs: u64 },
    #[error("missing or wrong CSRF token")]
    CsrfMismatch,
    #[error("service unavailable")]
    Unavailable(#[source] anyhow::Error),
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

impl AppError {
    pub fn invalid(field: &str, code: &'static str, message: Msg) -> Self {
        AppError::Validation(vec![Invalid::new(code, message).at(field)])
    }

    pub fn conflict(field: &str, message: Msg) -> Self {
        AppError::Conflict {
            field: Some(field.to_string()),
            message,
        }
    }
}

/// Two checks of one request, with every refusal at once: both values, or the field errors
/// of both (another error of either is returned as it is).
pub fn both<A, B>(a: Result<A, AppError>, b: Result<B, AppError>) -> Result<(A, B), AppError> {
    match (a, b) {
        (Ok(a), Ok(b)) => Ok((a, b)),
        (Err(AppError::Validation(mut fields)), Err(AppError::Validation(more))) => {
            fields.extend(more);
            Err(AppError::Validation(fields))
        }
        (Err(e), _) | (_, Err(e)) => Err(e),
    }
}

impl From<sqlx::Error> for AppError {
    fn from(err: sqlx::Error) -> Self {
        AppError::Internal(anyhow::Error::new(err).context("database error"))
    }
}

/// True when a database error is a unique-constraint violation (on either database).
pub fn is_unique_violation(err: &sqlx::Error) -> bool {
    err.as_database_error()
        .map(|e| e.is_unique_violation())
        .unwrap_or(false)
}

/// Collects field errors while parsing a whole input, so that the client learns every
/// problem at once instead of one per round trip.
#[derive(Default)]
pub struct Checker {
    errors: Vec<FieldError>,
}

impl Checker {
    pub fn new() -> Self {
        Self::default()
    }

    /// Keeps the parsed value, or records why it was refused.
    pub fn check<T>(&mut self, field: impl Into<String>, result: Result<T, Invalid>) -> Option<T> {
        match result {
            Ok(value) => Some(value),
            Err(invalid) => {
                self.errors.push(invalid.at(field));
                None
            }
        }
    }

    pub fn push(&mut self, error: FieldError) {
        self.errors.push(error);
    }

    pub fn is_clean(&self) -> bool {
        self.errors.is_empty()
    }

    pub fn finish(self) -> Result<(), AppError> {
        if self.errors.is_empty() {
            Ok(())
        } else {
            Err(AppError::Validation(self.errors))
        }
    }
}

/// The error for a parsed value that a clean [`Checker`] guaranteed but is missing: a bug.
pub fn checker_invariant() -> AppError {
    AppError::Internal(anyhow::anyhow!(
        "a parsed value was missing although the checker was clean"
    ))
}
