//! The word cloud of a theme (ワードクラウド): the terms of its ideas, counted as ideas are
//! posted, edited, withdrawn, hidden or restored (the event log's term counter keeps each
//! idea's terms and the theme's counts, so a page reads counts and never tokenises), for
//! the whole theme or the ideas of one phase; staff keep extra stop words (and local names,
//! in `word_cloud_names`).

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::Viewer;
use super::events::{Event, EventConsumer, EventKind, Progress};
use crate::domain::parse_text;
use crate::error::{AppError, Checker, Invalid};
use crate::state::AppState;
use crate::storage::terms::{self as store, TermCount};
use crate::storage::{now_millis, proposals as proposal_store};

/// The most terms a cloud shows.
pub const MAX_TERMS: i64 = 100;
/// The most stop words staff keep.
const MAX_STOP_WORDS: usize = 500;

/// The event log's consumer that keeps each idea's terms and each theme's counts.
pub struct TermCounter;

impl EventConsumer for TermCounter {
    const NAME: &'static str = "term_counter";

    async fn handle(
        &self,
        state: &AppState,
        event: &Event,
        progress: &Progress,
    ) -> Result<(), AppError> {
        if matches!(
            event.kind,
            EventKind::ProposalCreated
                | EventKind::ProposalUpdated
                | EventKind::ProposalWithdrawn
                | EventKind::ProposalHidden
                | EventKind::ProposalRestored
                | EventKind::RemoteProposalChanged
        ) {
            count(state, event.subject_id, Some(progress)).await?;
        } else if event.kind == EventKind::WordCloudNamesChanged {
            super::word_cloud_names::recount_all(state).await?;
        }
        Ok(())
    }
}

/// Brings an idea's stored terms, and its theme's counts, to what the idea says now (none
/// once it is withdrawn, hidden or gone). Running it again changes nothing.
pub async fn count(
    state: &AppState,
    proposal_id: i64,
    progress: Option<&Progress>,
) -> Result<(), AppError> {
    let mut conn = state.db.acquire().await?;
    let row = proposal_store::find(conn.ex(), proposal_id).await?;
    drop(conn);
    let wanted: Vec<String> = match &row {
        Some(p) if p.withdrawn_at.is_none() && p.hidden_at.is_none() => {
            super::word_cloud_names::refresh(state).await?;
            let text = format!("{}\n{}", p.title, p.body);
            let finder = state.terms.clone();
            tokio::task::spawn_blocking(move || finder.terms(&text))
                .await
                .map_err(|e| AppError::Internal(anyhow::anyhow!("tokeniser: {e}")))?
        }
        _ => Vec::new(),
    };
    let mut tx = state.db.begin().await?;
    let stored = store::of_proposal(tx.ex(), proposal_id).await?;
    let added: Vec<String> = wanted
        .iter()
        .filter(|t| !stored.contains(t))
        .cloned()
        .collect();
    let removed: Vec<String> = stored
        .iter()
        .filter(|t| !wanted.contains(t))
        .cloned()
        .collect();
    if let Some(theme_id) = row.as_ref().map(|p| p.theme_id) {
        store::change(tx.ex(), theme_id, proposal_id, &added, &removed).await?;
    }
    if let Some(progress) = progress
        && !progress.record(tx.ex()).await?
    {
        return Ok(());
    }
    tx.commit().await?;
    Ok(())
}

/// A term and how many ideas contain it, with its size step in the cloud (1 to 5).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TermView {
    pub term: String,
    pub ideas: i64,
    /// 5 for the most frequent terms, 1 for the least.
    pub step: u8,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct WordCloud {
    pub theme_slug: String,
    pub theme_title: String,
    /// The phase the ideas were posted in (its index from 0), or none for the whole theme.
    pub phase: Option<usize>,
    /// Most frequent first.
    pub terms: Vec<TermView>,
}

/// Size steps for counted terms, most frequent first.
pub(super) fn steps(counts: Vec<TermCount>) -> Vec<TermView> {
    let most = counts.iter().map(|c| c.ideas).max().unwrap_or(1).max(1);
    let least = counts.iter().map(|c| c.ideas).min().unwrap_or(1);
    counts
        .into_iter()
        .map(|c| {
            let step = if most == least {
                3
            } else {
                1 + ((c.ideas - least) * 4 / (most - least)) as u8
            };
            TermView {
                term: c.term,
                ideas: c.ideas,
                step,
            }
        })
        .collect()
}

/// A theme's word cloud, or that of the ideas posted during one of its phases.
pub async fn of_theme(
    state: &AppState,
    viewer: &Viewer,
    slug: &str,
    phase: Option<usize>,
) -> Result<WordCloud, AppError> {
    let theme = super::themes::load(state, viewer, slug).await?;
    let mut conn = state.db.acquire().await?;
    let counts = match phase {
        None => store::top_of_theme(conn.ex(), theme.row.id, MAX_TERMS).await?,
        Some(i) => {
            let Some(p) = theme.phases.get(i) else {
                return Err(AppError::invalid(
                    "phase",
                    "no_such_phase",
                    format!(
                        "the theme has {} phases, numbered from 0",
                        theme.phases.len()
                    ),
                ));
            };
            let tz = &state.config.municipality.time_zone;
            let instant = |date: &str, next_day: bool| -> Result<i64, AppError> {
                let day: jiff::civil::Date = date
                    .parse()
                    .map_err(|_| AppError::Internal(anyhow::anyhow!("stored phase date {date}")))?;
                let day = if next_day {
                    day.tomorrow().unwrap_or(day)
                } else {
                    day
                };
                Ok(day
                    .to_zoned(tz.clone())
                    .map_err(|e| AppError::Internal(e.into()))?
                    .timestamp()
                    .as_millisecond())
            };
            let from = instant(&p.starts_on, false)?;
            let until = instant(&p.ends_on, true)?;
            store::top_between(conn.ex(), theme.row.id, from, until, MAX_TERMS).await?
        }
    };
    Ok(WordCloud {
        theme_slug: theme.row.slug.clone(),
        theme_title: theme.row.title.clone(),
        phase,
        terms: steps(counts),
    })
}

/// The ideas of a theme that contain a term, newest first.
pub async fn ideas_with(
    state: &AppState,
    viewer: &Viewer,
    slug: &str,
    term: &str,
) -> Result<Vec<super::proposals::ProposalView>, AppError> {
    let theme = super::themes::load(state, viewer, slug).await?;
    let mut conn = state.db.acquire().await?;
    let ids = store::proposals_with(conn.ex(), theme.row.id, term, 200).await?;
    drop(conn);
    let mut ideas = Vec::with_capacity(ids.len());
    for id in ids {
        match super::proposals::get(state, viewer, id).await {
            Ok(idea) => ideas.push(idea),
            Err(AppError::NotFound(_) | AppError::Gone(_)) => {}
            Err(e) => return Err(e),
        }
    }
    Ok(ideas)
}

#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StopWords {
    /// Terms the word cloud leaves out, besides its own list.
    #[schema(max_items = 500)]
    pub terms: Vec<String>,
}

pub async fn stop_words(state: &AppState, viewer: &Viewer) -> Result<StopWords, AppError> {
    viewer.require_staff()?;
    let mut conn = state.db.acquire().await?;
    Ok(StopWords {
        terms: store::stop_words(conn.ex()).await?,
    })
}

/// Staff replace the extra stop words; the cloud leaves them out at once.
pub async fn set_stop_words(
    state: &AppState,
    viewer: &Viewer,
    input: &StopWords,
) -> Result<StopWords, AppError> {
    viewer.require_staff()?;
    let mut check = Checker::new();
    if input.terms.len() > MAX_STOP_WORDS {
        check.push(
            Invalid::new("too_many", format!("at most {MAX_STOP_WORDS} stop words")).at("terms"),
        );
    }
    let mut terms = Vec::new();
    for (i, term) in input.terms.iter().take(MAX_STOP_WORDS).enumerate() {
        if let Some(term) = check.check(format!("terms[{i}]"), parse_text(term, 1, 40, false)) {
            let term = term.to_lowercase();
            if !terms.contains(&term) {
                terms.push(term);
            }
        }
    }
    check.finish()?;
    let mut tx = state.db.begin().await?;
    store::set_stop_words(tx.ex(), &terms, now_millis()).await?;
    tx.commit().await?;
    stop_words(state, viewer).await
}
