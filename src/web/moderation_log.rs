//! The moderation log page: every decision, newest first, narrowed by action and by
//! moderator with a form that needs no script.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Query, State};
use axum::response::IntoResponse;

use super::PageResult;
use super::context::PageCtx;
use crate::services::moderation_log::{self, ACTIONS, LogEntryView, LogFilter};
use crate::state::AppState;
use crate::t;

#[derive(Template, WebTemplate)]
#[template(path = "staff/moderation_log.html")]
pub struct LogPage {
    pub ctx: PageCtx,
    pub entries: Vec<LogEntryView>,
    pub moderators: Vec<(i64, String)>,
    pub action: String,
    pub moderator: Option<i64>,
    pub page: u32,
    pub has_more: bool,
}

impl LogPage {
    /// Each action with its label, for the filter.
    pub fn actions(&self) -> Vec<(&'static str, String)> {
        ACTIONS.iter().map(|a| (*a, self.action_label(a))).collect()
    }

    pub fn action_label(&self, action: &str) -> String {
        self.ctx.label(&format!("log-action-{action}"))
    }

    pub fn is_moderator(&self, id: &i64) -> bool {
        self.moderator == Some(*id)
    }

    /// The page's address with the filter kept.
    pub fn page_link(&self, page: &u32) -> String {
        let mut link = format!("/staff/moderation/log?page={page}");
        if !self.action.is_empty() {
            link.push_str(&format!("&action={}", self.action));
        }
        if let Some(m) = self.moderator {
            link.push_str(&format!("&moderator={m}"));
        }
        link
    }

    /// Where the target can be seen, when it is content of this site.
    pub fn target_link(&self, entry: &LogEntryView) -> Option<String> {
        match entry.target_kind.as_str() {
            "proposal" => Some(format!("/proposals/{}", entry.target_id)),
            _ => None,
        }
    }
}

/// The filter as a form sends it ("" for "all").
#[derive(Debug, Default, serde::Deserialize)]
pub struct LogQuery {
    #[serde(default)]
    pub action: String,
    #[serde(default)]
    pub moderator: String,
    pub page: Option<u32>,
}

pub async fn log(
    State(state): State<AppState>,
    ctx: PageCtx,
    Query(query): Query<LogQuery>,
) -> PageResult {
    let viewer = ctx.viewer();
    let filter = LogFilter {
        action: Some(query.action.trim().to_string()).filter(|a| !a.is_empty()),
        moderator: query.moderator.trim().parse().ok(),
        page: query.page,
    };
    let (entries, has_more) = moderation_log::list(&state, &viewer, &filter).await?;
    let moderators = moderation_log::moderators(&state, &viewer).await?;
    Ok(LogPage {
        ctx,
        entries,
        moderators,
        action: filter.action.unwrap_or_default(),
        moderator: filter.moderator,
        page: filter.page.unwrap_or(1),
        has_more,
    }
    .into_response())
}
