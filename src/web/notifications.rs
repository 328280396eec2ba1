//! Residents' notifications page: what they were told (an answer to an idea they took part
//! in, their idea reaching its theme's threshold), newest first, and marking all read.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Query, State};
use axum::response::IntoResponse;

use super::PageResult;
use super::context::PageCtx;
use super::forms::CsrfForm;
use crate::domain::AnswerState;
use crate::services::Page;
use crate::services::notifications::{self, NotificationView};
use crate::state::AppState;
use crate::t;

#[derive(Template, WebTemplate)]
#[template(path = "notifications.html")]
pub struct NotificationsPage {
    pub ctx: PageCtx,
    pub items: Vec<NotificationView>,
    pub page: u32,
    pub has_more: bool,
}

impl NotificationsPage {
    pub fn state_label(&self, state: &AnswerState) -> String {
        self.ctx.l().get(state.label_key())
    }
}

pub async fn notifications_page(
    State(state): State<AppState>,
    ctx: PageCtx,
    Query(query): Query<super::answers::PageQuery>,
) -> PageResult {
    let page = Page::parse(query.page.filter(|p| *p > 0), Some(30))?;
    let (items, has_more) = notifications::list(&state, &ctx.viewer(), page).await?;
    Ok(NotificationsPage {
        ctx,
        items,
        page: page.number,
        has_more,
    }
    .into_response())
}

/// Marks every notification read.
pub async fn mark_all_read(
    State(state): State<AppState>,
    ctx: PageCtx,
    CsrfForm(_): CsrfForm<Vec<(String, String)>>,
) -> PageResult {
    notifications::mark_read(&state, &ctx.viewer(), None).await?;
    ctx.see_other("/notifications")
}
