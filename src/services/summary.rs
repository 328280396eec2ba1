//! A theme's public, printable summary: how many took part (residents and fediverse
//! accounts apart), how many ideas, comments and supports, how the ideas were answered, and
//! the results.

use serde::Serialize;
use utoipa::ToSchema;

use super::Viewer;
use super::results::{self, ResultView};
use super::themes::{self, ThemeView};
use crate::domain::AnswerState;
use crate::error::AppError;
use crate::state::AppState;
use crate::storage::summary as store;

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AnswerCount {
    /// An answer state, or `unanswered`.
    pub state: String,
    pub count: i64,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ThemeSummary {
    pub theme: ThemeView,
    /// Registered residents who posted, commented or supported.
    pub residents: i64,
    /// Fediverse accounts that posted, replied or liked.
    pub fediverse_accounts: i64,
    pub ideas: i64,
    pub comments: i64,
    pub supports: i64,
    pub remote_supports: i64,
    /// Ideas by the state of their answer, every state listed (zero included).
    pub answers: Vec<AnswerCount>,
    pub results: Vec<ResultView>,
}

pub async fn of_theme(
    state: &AppState,
    viewer: &Viewer,
    slug: &str,
) -> Result<ThemeSummary, AppError> {
    let theme = themes::load(state, viewer, slug).await?;
    let mut conn = state.db.acquire().await?;
    let figures = store::participation(conn.ex(), theme.row.id).await?;
    let by_state = store::answers_by_state(conn.ex(), theme.row.id).await?;
    drop(conn);
    let count_of = |key: Option<&str>| {
        by_state
            .iter()
            .filter(|(state, _)| state.as_deref() == key)
            .map(|(_, n)| *n)
            .sum::<i64>()
    };
    let mut answers: Vec<AnswerCount> = AnswerState::ALL
        .into_iter()
        .map(|s| AnswerCount {
            state: s.as_str().to_string(),
            count: count_of(Some(s.as_str())),
        })
        .collect();
    answers.push(AnswerCount {
        state: "unanswered".into(),
        count: count_of(None),
    });
    Ok(ThemeSummary {
        theme: theme.view(state),
        residents: figures.residents,
        fediverse_accounts: figures.fediverse_accounts,
        ideas: figures.ideas,
        comments: figures.comments,
        supports: figures.supports,
        remote_supports: figures.remote_supports,
        answers,
        results: results::of_theme(state, viewer, slug).await?,
    })
}
