//! Reading ideas: one, several by id, a theme's board page, the newest and a search, each
//! as the viewer may see it.

use crate::msg;
use std::collections::HashMap;

use super::{ProposalView, ReflectedIn, hidden_from, load, view};
use crate::domain::{AnswerState, Tag};
use crate::error::AppError;
use crate::services::{Page, Viewer, answers, results, themes};
use crate::state::AppState;
use crate::storage::Ex;
use crate::storage::proposals::{self as store, ProposalFilter, ProposalOrder, ProposalRow};

pub async fn get(state: &AppState, viewer: &Viewer, id: i64) -> Result<ProposalView, AppError> {
    let (row, _) = load(state, viewer, id).await?;
    let mut conn = state.db.acquire().await?;
    let tags = store::tags_of(conn.ex(), &[row.id])
        .await?
        .into_iter()
        .map(|(_, t)| t)
        .collect();
    let supported = match viewer.id() {
        Some(uid) => Some(
            !store::supported_among(conn.ex(), uid, &[row.id])
                .await?
                .is_empty(),
        ),
        None => None,
    };
    // The calls below take connections of their own: holding this one meanwhile would let
    // concurrent requests exhaust the pool and wait on each other.
    drop(conn);
    let mut shown = view(state, viewer, &row, tags, supported);
    shown.answer = answers::current(state, row.id).await?;
    shown.reflected_in = results::reflecting(state, row.id)
        .await?
        .into_iter()
        .map(|(result_id, heading, note)| ReflectedIn {
            result_id,
            heading,
            note,
        })
        .collect();
    Ok(shown)
}

/// The proposals of `ids` the viewer may see, in the order of `ids`, as the board shows
/// them (tags and the viewer's support; no answer or results): one query for each kind of
/// thing, whatever the number of ids. The caller has checked that their theme is visible.
pub async fn views_of(
    state: &AppState,
    viewer: &Viewer,
    ids: &[i64],
) -> Result<Vec<ProposalView>, AppError> {
    let mut conn = state.db.acquire().await?;
    let mut found: HashMap<i64, ProposalRow> = store::find_many(conn.ex(), ids)
        .await?
        .into_iter()
        .filter(|row| !hidden_from(viewer, row))
        .map(|row| (row.id, row))
        .collect();
    let rows: Vec<ProposalRow> = ids.iter().filter_map(|id| found.remove(id)).collect();
    board_views(state, viewer, conn.ex(), rows).await
}

/// Rows as the board shows them: their tags and the viewer's support, each fetched once
/// for all the rows.
async fn board_views(
    state: &AppState,
    viewer: &Viewer,
    mut ex: Ex<'_>,
    rows: Vec<ProposalRow>,
) -> Result<Vec<ProposalView>, AppError> {
    let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
    let mut tags: HashMap<i64, Vec<String>> = HashMap::new();
    for (id, tag) in store::tags_of(ex.reborrow(), &ids).await? {
        tags.entry(id).or_default().push(tag);
    }
    let supported = match viewer.id() {
        Some(uid) => Some(store::supported_among(ex, uid, &ids).await?),
        None => None,
    };
    Ok(rows
        .iter()
        .map(|row| {
            let is_supported = supported.as_ref().map(|s| s.contains(&row.id));
            let row_tags = tags.remove(&row.id).unwrap_or_default();
            view(state, viewer, row, row_tags, is_supported)
        })
        .collect())
}

/// A proposal as the fediverse is told of it, whatever its state now (withdrawn and hidden
/// ones too), for the event log's consumers; `None` when it no longer exists.
pub async fn as_published(state: &AppState, id: i64) -> Result<Option<ProposalView>, AppError> {
    let mut conn = state.db.acquire().await?;
    let Some(row) = store::find(conn.ex(), id).await? else {
        return Ok(None);
    };
    let tags = store::tags_of(conn.ex(), &[row.id])
        .await?
        .into_iter()
        .map(|(_, t)| t)
        .collect();
    Ok(Some(view(state, &Viewer::default(), &row, tags, None)))
}

/// The newest ideas across published themes (for the home page).
pub async fn recent(
    state: &AppState,
    viewer: &Viewer,
    limit: i64,
) -> Result<Vec<ProposalView>, AppError> {
    let mut conn = state.db.acquire().await?;
    let rows = store::recent(conn.ex(), limit).await?;
    Ok(rows
        .iter()
        .map(|row| view(state, viewer, row, Vec::new(), None))
        .collect())
}

/// Ideas containing every word of `query` (NFKC-normalised, case-insensitive).
pub async fn search(
    state: &AppState,
    viewer: &Viewer,
    query: &str,
) -> Result<Vec<ProposalView>, AppError> {
    let normalized = crate::domain::normalize_text(query);
    let terms: Vec<String> = normalized
        .split(|c: char| c.is_whitespace() || c == '、' || c == ',')
        .filter(|t| !t.is_empty())
        .take(5)
        .map(str::to_string)
        .collect();
    if terms.is_empty() {
        return Ok(Vec::new());
    }
    let mut conn = state.db.acquire().await?;
    let rows = store::search(conn.ex(), &terms, 50).await?;
    Ok(rows
        .iter()
        .map(|row| view(state, viewer, row, Vec::new(), None))
        .collect())
}

pub struct ListQuery<'a> {
    pub tag: Option<&'a str>,
    pub sort: Option<&'a str>,
    /// An answer state, or `unanswered`.
    pub state: Option<&'a str>,
    pub page: Page,
}

pub async fn list(
    state: &AppState,
    viewer: &Viewer,
    slug: &str,
    query: ListQuery<'_>,
) -> Result<(Vec<ProposalView>, bool), AppError> {
    let theme = themes::load(state, viewer, slug).await?;
    let tag = match crate::domain::given(query.tag) {
        None => None,
        Some(t) => Some(Tag::parse(t).map_err(|e| AppError::Validation(vec![e.at("tag")]))?),
    };
    // Sort and state exactly as the document states them (not trimmed): they are picked
    // from a list, not typed.
    let order = match query.sort.filter(|s| !s.is_empty()) {
        None | Some("newest") => ProposalOrder::Newest,
        Some("most_supported") => ProposalOrder::MostSupported,
        Some("most_discussed") => ProposalOrder::MostDiscussed,
        Some(_) => {
            return Err(AppError::invalid(
                "sort",
                "unknown_sort",
                msg!("error-unknown-sort"),
            ));
        }
    };
    let answer_state = match query.state.filter(|s| !s.is_empty()) {
        None => None,
        Some("unanswered") => Some("unanswered"),
        Some(other) => Some(
            AnswerState::parse(other)
                .map_err(|e| AppError::Validation(vec![e.at("state")]))?
                .as_str(),
        ),
    };
    let mut conn = state.db.acquire().await?;
    let mut rows = store::list(
        conn.ex(),
        &ProposalFilter {
            theme_id: theme.row.id,
            tag: tag.as_ref().map(Tag::as_str),
            answer_state,
            include_hidden: viewer.can_moderate(),
            order,
            limit: query.page.probe_limit(),
            offset: query.page.offset(),
        },
    )
    .await?;
    let more = rows.len() as i64 > i64::from(query.page.per_page);
    rows.truncate(query.page.per_page as usize);
    let views = board_views(state, viewer, conn.ex(), rows).await?;
    Ok((views, more))
}
