//! A resident's own pages: profile (with the optional statistics attributes), password,
//! and reporting content to the moderators; plus the search page.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use serde::Deserialize;

use super::context::PageCtx;
use super::forms::{CsrfForm, FormErrors, form_errors};
use super::pages::PagePath;
use super::{PageResult, WebError};
use crate::error::AppError;
use crate::http::extract::SessionToken;
use crate::services::accounts::{self, ProfileInput, UserView};
use crate::services::moderation::{self, TargetKind};
use crate::services::proposals::{self, ProposalView};
use crate::state::AppState;
use crate::t;

#[derive(Template, WebTemplate)]
#[template(path = "profile.html")]
pub struct ProfilePage {
    pub ctx: PageCtx,
    pub user: UserView,
    pub form: ProfileForm,
    pub errors: FormErrors,
    pub saved: bool,
}

/// The profile form as typed: checkboxes arrive as repeated `relations` fields.
#[derive(Debug, Default)]
pub struct ProfileForm {
    pub display_name: String,
    pub age_band: String,
    pub area: String,
    pub relations: Vec<String>,
}

impl ProfileForm {
    fn from_pairs(pairs: &[(String, String)]) -> Self {
        let get = |name: &str| {
            pairs
                .iter()
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.clone())
                .unwrap_or_default()
        };
        ProfileForm {
            display_name: get("display_name"),
            age_band: get("age_band"),
            area: get("area"),
            relations: pairs
                .iter()
                .filter(|(k, _)| k == "relations")
                .map(|(_, v)| v.clone())
                .collect(),
        }
    }

    fn from_user(user: &UserView) -> Self {
        let profile = user.profile.clone();
        ProfileForm {
            display_name: user.display_name.clone(),
            age_band: profile
                .as_ref()
                .and_then(|p| p.age_band)
                .map(|b| b.as_str().to_string())
                .unwrap_or_default(),
            area: profile
                .as_ref()
                .and_then(|p| p.area.clone())
                .unwrap_or_default(),
            relations: profile
                .map(|p| p.relations.iter().map(|r| r.as_str().to_string()).collect())
                .unwrap_or_default(),
        }
    }

    pub fn has_relation(&self, relation: impl AsRef<str>) -> bool {
        self.relations.iter().any(|r| r == relation.as_ref())
    }
}

impl ProfilePage {
    pub fn age_bands(&self) -> Vec<(&'static str, String)> {
        self.ctx.age_bands()
    }

    pub fn relations(&self) -> Vec<(&'static str, String)> {
        self.ctx.relations()
    }
}

#[derive(Deserialize)]
pub struct SavedQuery {
    pub saved: Option<String>,
}

pub async fn profile(
    State(state): State<AppState>,
    ctx: PageCtx,
    Query(q): Query<SavedQuery>,
) -> PageResult {
    let user = accounts::me(&state, &ctx.viewer()).await?;
    let form = ProfileForm::from_user(&user);
    Ok(ProfilePage {
        ctx,
        user,
        form,
        errors: FormErrors::default(),
        saved: q.saved.is_some(),
    }
    .into_response())
}

pub async fn save_profile(
    State(state): State<AppState>,
    ctx: PageCtx,
    CsrfForm(pairs): CsrfForm<Vec<(String, String)>>,
) -> PageResult {
    let viewer = ctx.viewer();
    let user = accounts::me(&state, &viewer).await?;
    let form = ProfileForm::from_pairs(&pairs);
    let input = ProfileInput {
        display_name: Some(form.display_name.clone()),
        age_band: Some(form.age_band.clone()),
        area: Some(form.area.clone()),
        relations: form.relations.clone(),
    };
    match accounts::update_profile(&state, &viewer, input).await {
        Ok(_) => ctx.see_other("/me?saved=1"),
        Err(err) => {
            let (status, errors) = form_errors(&ctx, err)?;
            Ok((
                status,
                ProfilePage {
                    ctx,
                    user,
                    form,
                    errors,
                    saved: false,
                },
            )
                .into_response())
        }
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "password.html")]
pub struct PasswordPage {
    pub ctx: PageCtx,
    pub errors: FormErrors,
    pub saved: bool,
}

pub async fn password_form(ctx: PageCtx, Query(q): Query<SavedQuery>) -> PageResult {
    ctx.viewer().user()?;
    Ok(PasswordPage {
        ctx,
        errors: FormErrors::default(),
        saved: q.saved.is_some(),
    }
    .into_response())
}

#[derive(Deserialize)]
pub struct PasswordForm {
    #[serde(default)]
    pub current_password: String,
    #[serde(default)]
    pub new_password: String,
}

pub async fn change_password(
    State(state): State<AppState>,
    ctx: PageCtx,
    SessionToken(session): SessionToken,
    CsrfForm(form): CsrfForm<PasswordForm>,
) -> PageResult {
    let viewer = ctx.viewer();
    match accounts::change_password(
        &state,
        &viewer,
        &form.current_password,
        &form.new_password,
        session.as_deref(),
    )
    .await
    {
        Ok(()) => ctx.see_other("/me/password?saved=1"),
        Err(err) => {
            let (status, errors) = form_errors(&ctx, err)?;
            Ok((
                status,
                PasswordPage {
                    ctx,
                    errors,
                    saved: false,
                },
            )
                .into_response())
        }
    }
}

#[derive(Deserialize)]
pub struct ReportForm {
    #[serde(default)]
    pub reason: String,
}

async fn report(
    state: &AppState,
    ctx: PageCtx,
    kind: TargetKind,
    id: i64,
    reason: &str,
) -> PageResult {
    let viewer = ctx.viewer();
    viewer.user()?;
    let proposal_id = match kind {
        TargetKind::Proposal => id,
        TargetKind::Comment => {
            crate::services::comments::load(state, &viewer, id)
                .await?
                .proposal_id
        }
    };
    match moderation::report(state, &viewer, kind, id, reason).await {
        Ok(()) => ctx.see_other(&format!("/proposals/{proposal_id}?reported=1")),
        Err(AppError::Validation(_)) => {
            ctx.see_other(&format!("/proposals/{proposal_id}?report_error=1"))
        }
        Err(other) => Err(WebError(other)),
    }
}

pub async fn report_proposal(
    State(state): State<AppState>,
    ctx: PageCtx,
    PagePath(id): PagePath<i64>,
    CsrfForm(form): CsrfForm<ReportForm>,
) -> PageResult {
    report(&state, ctx, TargetKind::Proposal, id, &form.reason).await
}

pub async fn report_comment(
    State(state): State<AppState>,
    ctx: PageCtx,
    PagePath(id): PagePath<i64>,
    CsrfForm(form): CsrfForm<ReportForm>,
) -> PageResult {
    report(&state, ctx, TargetKind::Comment, id, &form.reason).await
}

#[derive(Template, WebTemplate)]
#[template(path = "search.html")]
pub struct SearchPage {
    pub ctx: PageCtx,
    pub query: String,
    pub results: Vec<ProposalView>,
}

impl SearchPage {
    pub fn search_query(&self) -> &str {
        &self.query
    }
}

#[derive(Deserialize)]
pub struct SearchQuery {
    #[serde(default)]
    pub q: String,
}

pub async fn search(
    State(state): State<AppState>,
    ctx: PageCtx,
    Query(q): Query<SearchQuery>,
) -> PageResult {
    let results = proposals::search(&state, &ctx.viewer(), &q.q).await?;
    let status = StatusCode::OK;
    Ok((
        status,
        SearchPage {
            ctx,
            query: q.q,
            results,
        },
    )
        .into_response())
}

#[derive(Deserialize)]
pub struct ModerateForm {
    #[serde(default)]
    pub action: String,
    #[serde(default)]
    pub reason: String,
}

/// Moderators hide or restore a proposal or comment, with a reason, from its page.
async fn moderate(
    state: &AppState,
    ctx: PageCtx,
    kind: TargetKind,
    id: i64,
    form: ModerateForm,
) -> PageResult {
    let viewer = ctx.viewer();
    viewer.require_moderator()?;
    let hide = form.action != "restore";
    let proposal_id = match kind {
        TargetKind::Proposal => id,
        TargetKind::Comment => {
            crate::services::comments::load(state, &viewer, id)
                .await?
                .proposal_id
        }
    };
    let result = match (kind, hide) {
        (TargetKind::Proposal, true) => proposals::hide(state, &viewer, id, &form.reason)
            .await
            .map(|_| ()),
        (TargetKind::Proposal, false) => proposals::restore(state, &viewer, id, &form.reason)
            .await
            .map(|_| ()),
        (TargetKind::Comment, _) => {
            crate::services::comments::set_hidden(state, &viewer, id, hide, &form.reason)
                .await
                .map(|_| ())
        }
    };
    match result {
        Ok(()) => ctx.see_other(&format!("/proposals/{proposal_id}")),
        Err(AppError::Validation(_)) => {
            ctx.see_other(&format!("/proposals/{proposal_id}?report_error=1"))
        }
        Err(other) => Err(WebError(other)),
    }
}

pub async fn moderate_proposal(
    State(state): State<AppState>,
    ctx: PageCtx,
    PagePath(id): PagePath<i64>,
    CsrfForm(form): CsrfForm<ModerateForm>,
) -> PageResult {
    moderate(&state, ctx, TargetKind::Proposal, id, form).await
}

pub async fn moderate_comment(
    State(state): State<AppState>,
    ctx: PageCtx,
    PagePath(id): PagePath<i64>,
    CsrfForm(form): CsrfForm<ModerateForm>,
) -> PageResult {
    moderate(&state, ctx, TargetKind::Comment, id, form).await
}
