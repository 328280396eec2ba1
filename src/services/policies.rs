//! The terms of use and the privacy policy: staff write them in Markdown (each change a new
//! version, every version kept); residents agree to the terms when they sign up, and again
//! at their next login after the terms change.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::{Viewer, rfc3339};
use crate::domain::parse_text;
use crate::error::{AppError, Invalid};
use crate::msg;
use crate::state::AppState;
use crate::storage::{now_millis, policies as store};

/// Which policy.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum PolicyKind {
    /// The terms of use, which accounts agree to.
    Terms,
    /// The privacy policy.
    Privacy,
}

impl PolicyKind {
    pub fn as_str(self) -> &'static str {
        match self {
            PolicyKind::Terms => "terms",
            PolicyKind::Privacy => "privacy",
        }
    }

    pub fn parse(kind: &str) -> Result<Self, AppError> {
        match kind {
            "terms" => Ok(PolicyKind::Terms),
            "privacy" => Ok(PolicyKind::Privacy),
            _ => Err(AppError::NotFound("policy")),
        }
    }
}

/// A version of a policy.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PolicyView {
    pub kind: PolicyKind,
    /// 1 for the first text, one more at each change.
    pub version: i32,
    /// Markdown, as staff wrote it.
    pub body: String,
    /// The text as HTML, for showing.
    pub body_html: String,
    pub published_at: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PolicyInput {
    /// Markdown, up to 50,000 characters.
    #[schema(min_length = 1, max_length = 50000)]
    pub body: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TermsAcceptance {
    /// The version of the terms agreed to: the current one.
    #[schema(minimum = 1)]
    pub version: i32,
}

/// The current version of a policy; `None` before staff wrote one.
pub async fn current(state: &AppState, kind: PolicyKind) -> Result<Option<PolicyView>, AppError> {
    let mut conn = state.db.acquire().await?;
    Ok(store::current(conn.ex(), kind.as_str())
        .await?
        .map(|row| PolicyView {
            kind,
            version: row.version,
            body_html: crate::markdown::render(&row.body),
            body: row.body,
            published_at: rfc3339(row.created_at),
        }))
}

/// The version of the terms that accounts agree to now; `None` while there are no terms.
pub async fn terms_version(state: &AppState) -> Result<Option<i32>, AppError> {
    let mut conn = state.db.acquire().await?;
    Ok(store::current(conn.ex(), PolicyKind::Terms.as_str())
        .await?
        .map(|row| row.version))
}

/// Staff publish a new version of a policy (the earlier ones are kept). A new version of the
/// terms is asked of every account at its next login.
pub async fn publish(
    state: &AppState,
    viewer: &Viewer,
    kind: PolicyKind,
    input: &PolicyInput,
) -> Result<PolicyView, AppError> {
    let staff = viewer.require_staff()?;
    let body = parse_text(&input.body, 1, 50_000, true)
        .map_err(|e| AppError::Validation(vec![e.at("body")]))?;
    let mut conn = state.db.acquire().await?;
    let version = store::insert_next(conn.ex(), kind.as_str(), &body, staff.id, now_millis())
        .await?
        .ok_or(AppError::Conflict {
            field: None,
            message: msg!("error-policy-changed"),
        })?;
    drop(conn);
    tracing::info!(
        kind = kind.as_str(),
        version,
        by = staff.id,
        "policy published"
    );
    current(state, kind)
        .await?
        .ok_or_else(|| AppError::Internal(anyhow::anyhow!("a policy just stored is missing")))
}

/// Checks that `given` is the current version of the terms (when there are terms): what a
/// new account must have agreed to.
pub async fn check_agreed(state: &AppState, given: Option<i32>) -> Result<Option<i32>, AppError> {
    match terms_version(state).await? {
        None => Ok(None),
        Some(current) if given == Some(current) => Ok(Some(current)),
        Some(current) => Err(AppError::Validation(vec![
            Invalid::new(
                "terms_not_accepted",
                msg!("error-terms-not-accepted", version = current),
            )
            .at("accepted_terms"),
        ])),
    }
}

/// Records an account's agreement to a version of the terms.
pub async fn record_agreement(
    state: &AppState,
    user_id: i64,
    version: i32,
) -> Result<(), AppError> {
    let mut conn = state.db.acquire().await?;
    store::accept_terms(conn.ex(), user_id, version, now_millis()).await?;
    tracing::info!(user_id, version, "terms agreed");
    Ok(())
}

/// The signed-in account agrees to the current terms.
pub async fn accept(
    state: &AppState,
    viewer: &Viewer,
    input: &TermsAcceptance,
) -> Result<(), AppError> {
    let user = viewer.user()?;
    let Some(version) = check_agreed(state, Some(input.version)).await? else {
        return Err(AppError::NotFound("policy"));
    };
    record_agreement(state, user.id, version).await
}

/// The version of the terms an account has yet to agree to, if any.
pub async fn pending_for(state: &AppState, user_id: i64) -> Result<Option<i32>, AppError> {
    let Some(current) = terms_version(state).await? else {
        return Ok(None);
    };
    let mut conn = state.db.acquire().await?;
    let agreed = store::accepted_terms(conn.ex(), user_id).await?;
    Ok((agreed.unwrap_or(0) < current).then_some(current))
}
