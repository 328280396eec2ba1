//! The terms of use and privacy pages, staff's form to change them (each save a new
//! version), and the page where an account agrees to changed terms after logging in.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Query, State};
use axum::response::IntoResponse;
use serde::Deserialize;

use super::context::PageCtx;
use super::forms::{CsrfForm, FormErrors, form_errors};
use super::pages::PagePath;
use super::{PageResult, local_path};
use crate::services::policies::{self, PolicyInput, PolicyKind, PolicyView, TermsAcceptance};
use crate::state::AppState;
use crate::t;

#[derive(Template, WebTemplate)]
#[template(path = "policy.html")]
pub struct PolicyPage {
    pub ctx: PageCtx,
    pub kind: PolicyKind,
    pub policy: Option<PolicyView>,
}

impl PolicyPage {
    pub fn heading(&self) -> String {
        heading(&self.ctx, self.kind)
    }
}

fn heading(ctx: &PageCtx, kind: PolicyKind) -> String {
    match kind {
        PolicyKind::Terms => t!(ctx, "policy-terms"),
        PolicyKind::Privacy => t!(ctx, "policy-privacy"),
    }
}

async fn show(state: &AppState, ctx: PageCtx, kind: PolicyKind) -> PageResult {
    let policy = policies::current(state, kind).await?;
    Ok(PolicyPage { ctx, kind, policy }.into_response())
}

pub async fn terms(State(state): State<AppState>, ctx: PageCtx) -> PageResult {
    show(&state, ctx, PolicyKind::Terms).await
}

pub async fn privacy(State(state): State<AppState>, ctx: PageCtx) -> PageResult {
    show(&state, ctx, PolicyKind::Privacy).await
}

#[derive(Template, WebTemplate)]
#[template(path = "staff/policy_form.html")]
pub struct PolicyFormPage {
    pub ctx: PageCtx,
    pub kind: PolicyKind,
    pub version: Option<i32>,
    pub body: String,
    pub errors: FormErrors,
}

impl PolicyFormPage {
    pub fn heading(&self) -> String {
        heading(&self.ctx, self.kind)
    }
}

#[derive(Debug, Default, Deserialize)]
pub struct PolicyForm {
    #[serde(default)]
    pub body: String,
}

pub async fn edit_form(
    State(state): State<AppState>,
    ctx: PageCtx,
    PagePath(kind): PagePath<String>,
) -> PageResult {
    ctx.viewer().require_staff()?;
    let kind = PolicyKind::parse(&kind)?;
    let current = policies::current(&state, kind).await?;
    Ok(PolicyFormPage {
        ctx,
        kind,
        version: current.as_ref().map(|p| p.version),
        body: current.map(|p| p.body).unwrap_or_default(),
        errors: FormErrors::default(),
    }
    .into_response())
}

pub async fn save(
    State(state): State<AppState>,
    ctx: PageCtx,
    PagePath(kind): PagePath<String>,
    CsrfForm(form): CsrfForm<PolicyForm>,
) -> PageResult {
    let kind = PolicyKind::parse(&kind)?;
    let input = PolicyInput { body: form.body };
    match policies::publish(&state, &ctx.viewer(), kind, &input).await {
        Ok(_) => ctx.see_other(&format!("/{}", kind.as_str())),
        Err(err) => {
            let (status, errors) = form_errors(&ctx, err)?;
            let version = policies::current(&state, kind).await?.map(|p| p.version);
            Ok((
                status,
                PolicyFormPage {
                    ctx,
                    kind,
                    version,
                    body: input.body,
                    errors,
                },
            )
                .into_response())
        }
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "terms_accept.html")]
pub struct AcceptPage {
    pub ctx: PageCtx,
    pub current_terms: PolicyView,
    pub next: String,
    pub errors: FormErrors,
}

#[derive(Debug, Deserialize)]
pub struct NextQuery {
    pub next: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
pub struct AcceptForm {
    #[serde(default)]
    pub version: i32,
    #[serde(default)]
    pub agree: Option<String>,
    #[serde(default)]
    pub next: String,
}

/// Changed terms, for an account that has yet to agree to them.
pub async fn accept_form(
    State(state): State<AppState>,
    ctx: PageCtx,
    Query(query): Query<NextQuery>,
) -> PageResult {
    let user = ctx.viewer().user()?.id;
    let next = local_path(query.next.as_deref());
    if policies::pending_for(&state, user).await?.is_none() {
        return ctx.see_other(&next);
    }
    let Some(current_terms) = policies::current(&state, PolicyKind::Terms).await? else {
        return ctx.see_other(&next);
    };
    Ok(AcceptPage {
        ctx,
        current_terms,
        next,
        errors: FormErrors::default(),
    }
    .into_response())
}

pub async fn accept(
    State(state): State<AppState>,
    ctx: PageCtx,
    CsrfForm(form): CsrfForm<AcceptForm>,
) -> PageResult {
    let next = local_path(Some(&form.next));
    let viewer = ctx.viewer();
    let outcome = if form.agree.is_some() {
        policies::accept(
            &state,
            &viewer,
            &TermsAcceptance {
                version: form.version,
            },
        )
        .await
    } else {
        Err(crate::error::AppError::invalid(
            "agree",
            "required",
            crate::msg!("error-terms-agree-required"),
        ))
    };
    match outcome {
        Ok(()) => ctx.see_other(&next),
        Err(err) => {
            let (status, errors) = form_errors(&ctx, err)?;
            let Some(current_terms) = policies::current(&state, PolicyKind::Terms).await? else {
                return ctx.see_other(&next);
            };
            Ok((
                status,
                AcceptPage {
                    ctx,
                    current_terms,
                    next,
                    errors,
                },
            )
                .into_response())
        }
    }
}

/// Where a login leads: to the changed terms first, when the account has yet to agree.
pub async fn after_login(
    state: &AppState,
    user_id: i64,
    next: &str,
) -> Result<String, crate::error::AppError> {
    let next = local_path(Some(next));
    Ok(match policies::pending_for(state, user_id).await? {
        Some(_) => format!("/terms/accept?next={}", super::encode_component(&next)),
        None => next,
    })
}
