//! Pages for what the municipality follows on other servers: the posts that came in (for
//! everyone), supports and replies (for residents), and the list of follows (for staff).

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use serde::Deserialize;

use super::PageResult;
use super::context::PageCtx;
use super::forms::{CsrfForm, FormErrors, form_errors};
use super::pages::PagePath;
use crate::error::AppError;
use crate::services::Page;
use crate::services::followed_themes::{self, RemoteThemeView};
use crate::services::following::{
    self, FollowInput, FollowView, RemotePostDetail, RemotePostView, ReplyInput,
};
use crate::state::AppState;
use crate::t;

#[derive(Template, WebTemplate)]
#[template(path = "following.html")]
pub struct FollowingPage {
    pub ctx: PageCtx,
    pub posts: Vec<RemotePostView>,
    pub page: u32,
    pub has_more: bool,
}

#[derive(Debug, Default, Deserialize)]
pub struct PageQuery {
    pub page: Option<u32>,
}

pub async fn posts(
    State(state): State<AppState>,
    ctx: PageCtx,
    Query(query): Query<PageQuery>,
) -> PageResult {
    let page = Page::parse(query.page, Some(30))?;
    let (posts, has_more) = following::posts(&state, &ctx.viewer(), page).await?;
    Ok(FollowingPage {
        ctx,
        posts,
        page: page.number,
        has_more,
    }
    .into_response())
}

#[derive(Template, WebTemplate)]
#[template(path = "following_post.html")]
pub struct FollowedPostPage {
    pub ctx: PageCtx,
    pub detail: RemotePostDetail,
    pub reply_form: ReplyForm,
    pub errors: FormErrors,
}

#[derive(Debug, Default, Deserialize)]
pub struct ReplyForm {
    #[serde(default)]
    pub body: String,
}

async fn render_post(
    state: &AppState,
    ctx: PageCtx,
    id: i64,
    reply_form: ReplyForm,
    errors: FormErrors,
    status: StatusCode,
) -> PageResult {
    let detail = following::post(state, &ctx.viewer(), id).await?;
    Ok((
        status,
        FollowedPostPage {
            ctx,
            detail,
            reply_form,
            errors,
        },
    )
        .into_response())
}

pub async fn post(
    State(state): State<AppState>,
    ctx: PageCtx,
    PagePath(id): PagePath<i64>,
) -> PageResult {
    render_post(
        &state,
        ctx,
        id,
        ReplyForm::default(),
        FormErrors::default(),
        StatusCode::OK,
    )
    .await
}

#[derive(Debug, Deserialize)]
pub struct SupportForm {
    pub action: String,
}

pub async fn support(
    State(state): State<AppState>,
    ctx: PageCtx,
    PagePath(id): PagePath<i64>,
    CsrfForm(form): CsrfForm<SupportForm>,
) -> PageResult {
    let viewer = ctx.viewer();
    viewer.user()?;
    match following::set_support(&state, &viewer, id, form.action != "remove").await {
        Ok(_) => ctx.see_other(&format!("/following/posts/{id}#support")),
        Err(err) => {
            let (status, errors) = form_errors(&ctx, err)?;
            render_post(&state, ctx, id, ReplyForm::default(), errors, status).await
        }
    }
}

pub async fn reply(
    State(state): State<AppState>,
    ctx: PageCtx,
    PagePath(id): PagePath<i64>,
    CsrfForm(form): CsrfForm<ReplyForm>,
) -> PageResult {
    let viewer = ctx.viewer();
    viewer.user()?;
    let input = ReplyInput {
        body: form.body.clone(),
    };
    match following::reply(&state, &viewer, id, input).await {
        Ok(_) => ctx.see_other(&format!("/following/posts/{id}#replies")),
        Err(err) => {
            let (status, errors) = form_errors(&ctx, err)?;
            render_post(&state, ctx, id, form, errors, status).await
        }
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "staff/following.html")]
pub struct StaffFollowingPage {
    pub ctx: PageCtx,
    pub follows: Vec<FollowView>,
    /// Themes that followed municipalities announced.
    pub themes: Vec<RemoteThemeView>,
    pub form: FollowForm,
    pub errors: FormErrors,
}

#[derive(Debug, Default, Deserialize)]
pub struct FollowForm {
    #[serde(default)]
    pub actor: String,
}

async fn render_staff(
    state: &AppState,
    ctx: PageCtx,
    form: FollowForm,
    errors: FormErrors,
    status: StatusCode,
) -> PageResult {
    let follows = following::follows(state, &ctx.viewer()).await?;
    let (themes, _) = followed_themes::list(state, Page::parse(None, Some(50))?).await?;
    Ok((
        status,
        StaffFollowingPage {
            ctx,
            follows,
            themes,
            form,
            errors,
        },
    )
        .into_response())
}

pub async fn staff_follows(State(state): State<AppState>, ctx: PageCtx) -> PageResult {
    render_staff(
        &state,
        ctx,
        FollowForm::default(),
        FormErrors::default(),
        StatusCode::OK,
    )
    .await
}

pub async fn staff_follow(
    State(state): State<AppState>,
    ctx: PageCtx,
    CsrfForm(form): CsrfForm<FollowForm>,
) -> PageResult {
    let input = FollowInput {
        actor: form.actor.clone(),
    };
    match following::follow(&state, &ctx.viewer(), input).await {
        Ok(_) => ctx.see_other("/staff/following"),
        Err(AppError::Conflict { .. }) => {
            let mut errors = FormErrors::default();
            errors.set("actor", t!(ctx, "error-already-followed"));
            render_staff(&state, ctx, form, errors, StatusCode::CONFLICT).await
        }
        Err(err) => {
            let (status, errors) = form_errors(&ctx, err)?;
            render_staff(&state, ctx, form, errors, status).await
        }
    }
}

pub async fn staff_unfollow(
    State(state): State<AppState>,
    ctx: PageCtx,
    PagePath(id): PagePath<i64>,
    CsrfForm(_): CsrfForm<Vec<(String, String)>>,
) -> PageResult {
    following::unfollow(&state, &ctx.viewer(), id).await?;
    ctx.see_other("/staff/following")
}
