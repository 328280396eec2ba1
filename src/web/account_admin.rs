//! Accounts in the staff area: moderators search and page through them and suspend or
//! restore one with a reason; administrators also change roles.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use serde::Deserialize;

use super::PageResult;
use super::WebError;
use super::context::PageCtx;
use super::forms::CsrfForm;
use super::pages::PagePath;
use crate::domain::Role;
use crate::error::AppError;
use crate::services::Page;
use crate::services::account_suspension;
use crate::services::accounts::{self, UserView};
use crate::state::AppState;
use crate::t;

#[derive(Template, WebTemplate)]
#[template(path = "staff/users.html")]
pub struct UsersPage {
    pub ctx: PageCtx,
    pub users: Vec<UserView>,
    pub page: u32,
    pub has_more: bool,
    pub error: Option<String>,
    /// The search as typed.
    pub search: String,
}

impl UsersPage {
    pub fn has_role(&self, user: &UserView, role: &str) -> bool {
        user.role.as_str() == role
    }

    pub fn roles(&self) -> Vec<(&'static str, String)> {
        [
            Role::Resident,
            Role::Moderator,
            Role::Staff,
            Role::Administrator,
        ]
        .iter()
        .map(|role| {
            let label = match role {
                Role::Resident => t!(self.ctx, "role-resident"),
                Role::Moderator => t!(self.ctx, "role-moderator"),
                Role::Staff => t!(self.ctx, "role-staff"),
                Role::Administrator => t!(self.ctx, "role-administrator"),
            };
            (role.as_str(), label)
        })
        .collect()
    }

    /// A page's address that keeps the search.
    pub fn page_link(&self, page: &u32) -> String {
        let mut link = format!("/staff/users?page={page}");
        if !self.search.is_empty() {
            link.push_str("&q=");
            link.push_str(&urlencoding(&self.search));
        }
        link
    }
}

fn urlencoding(text: &str) -> String {
    url::form_urlencoded::byte_serialize(text.as_bytes()).collect()
}

#[derive(Deserialize)]
pub struct UsersQuery {
    pub page: Option<u32>,
    #[serde(default)]
    pub q: String,
}

async fn render_users(
    state: &AppState,
    ctx: PageCtx,
    query: UsersQuery,
    error: Option<String>,
    status: StatusCode,
) -> PageResult {
    let page = Page::parse(Some(query.page.unwrap_or(1).max(1)), Some(100))?;
    let search = Some(query.q.as_str()).filter(|q| !q.trim().is_empty());
    let (users, has_more) = accounts::list_users(state, &ctx.viewer(), search, page).await?;
    Ok((
        status,
        UsersPage {
            ctx,
            users,
            page: page.number,
            has_more,
            error,
            search: query.q,
        },
    )
        .into_response())
}

pub async fn users(
    State(state): State<AppState>,
    ctx: PageCtx,
    Query(query): Query<UsersQuery>,
) -> PageResult {
    ctx.viewer().require_moderator()?;
    render_users(&state, ctx, query, None, StatusCode::OK).await
}

#[derive(Deserialize)]
pub struct RoleForm {
    pub role: String,
}

pub async fn set_role(
    State(state): State<AppState>,
    ctx: PageCtx,
    PagePath(id): PagePath<i64>,
    CsrfForm(form): CsrfForm<RoleForm>,
) -> PageResult {
    ctx.viewer().require_administrator()?;
    match accounts::set_role(&state, &ctx.viewer(), id, &form.role).await {
        Ok(_) => ctx.see_other("/staff/users"),
        Err(AppError::Conflict { message, .. }) => {
            let said = message.render(ctx.lang);
            let query = UsersQuery {
                page: None,
                q: String::new(),
            };
            render_users(&state, ctx, query, Some(said), StatusCode::CONFLICT).await
        }
        Err(other) => Err(WebError(other)),
    }
}

#[derive(Deserialize)]
pub struct SuspensionForm {
    /// `suspend` or `restore`.
    pub action: String,
    #[serde(default)]
    pub reason: String,
    /// The search to return to.
    #[serde(default)]
    pub q: String,
}

/// Suspends or restores an account from the list; a refusal is shown above the list.
pub async fn set_suspension(
    State(state): State<AppState>,
    ctx: PageCtx,
    PagePath(id): PagePath<i64>,
    CsrfForm(form): CsrfForm<SuspensionForm>,
) -> PageResult {
    ctx.viewer().require_moderator()?;
    let suspend = form.action == "suspend";
    match account_suspension::set_suspended(&state, &ctx.viewer(), id, suspend, &form.reason).await
    {
        Ok(_) => {
            let back = if form.q.trim().is_empty() {
                "/staff/users".to_string()
            } else {
                format!("/staff/users?q={}", urlencoding(&form.q))
            };
            ctx.see_other(&back)
        }
        Err(AppError::Validation(problems)) => {
            let said = problems
                .first()
                .map(|p| p.message.render(ctx.lang))
                .unwrap_or_default();
            let query = UsersQuery {
                page: None,
                q: form.q,
            };
            render_users(
                &state,
                ctx,
                query,
                Some(said),
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        Err(AppError::Conflict { message, .. }) => {
            let said = message.render(ctx.lang);
            let query = UsersQuery {
                page: None,
                q: form.q,
            };
            render_users(&state, ctx, query, Some(said), StatusCode::CONFLICT).await
        }
        Err(other) => Err(WebError(other)),
    }
}
