//! The word cloud of a theme (ワードクラウド): the terms of its ideas (and, when asked, of
//! their comments), counted as they are posted, edited, withdrawn, hidden or restored (the
//! event log's term counter keeps each item's terms and the theme's counts, so a page reads
//! counts and never tokenises), for the whole theme or one phase; staff keep extra stop
//! words (and local names, in `word_cloud_names`).

use crate::msg;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::Viewer;
use super::events::{Event, EventConsumer, EventKind, Progress};
use crate::domain::parse_text;
use crate::error::{AppError, Checker, Invalid};
use crate::state::AppState;
use crate::storage::terms::{self as store, Counted, StaffTerms, TermCount};
use crate::storage::{comments as comment_store, now_millis, proposals as proposal_store};

/// The most terms a cloud shows.
pub const MAX_TERMS: i64 = 100;
/// The most stop words staff keep.
const MAX_STOP_WORDS: usize = 500;

/// The event log's consumer that keeps each idea's and comment's terms and each theme's
/// counts.
pub struct TermCounter;

impl EventConsumer for TermCounter {
    const NAME: &'static str = "term_counter";

    async fn handle(
        &self,
        state: &AppState,
        event: &Event,
        progress: &Progress,
    ) -> Result<(), AppError> {
        match event.kind {
            EventKind::ProposalCreated
            | EventKind::ProposalUpdated
            | EventKind::ProposalWithdrawn
            | EventKind::ProposalHidden
            | EventKind::ProposalRestored
            | EventKind::RemoteProposalChanged => {
                // Its comments count only while the idea is published. Counting again
                // changes nothing, so they go first and the idea records the progress.
                let mut conn = state.db.acquire().await?;
                let comments = store::comments_of(conn.ex(), event.subject_id).await?;
                drop(conn);
                for comment in comments {
                    count(state, Counted::Comment, comment, None).await?;
                }
                count(state, Counted::Idea, event.subject_id, Some(progress)).await?;
            }
            EventKind::CommentCreated
            | EventKind::CommentUpdated
            | EventKind::CommentRemoved
            | EventKind::RemoteCommentChanged => {
                count(state, Counted::Comment, event.subject_id, Some(progress)).await?;
            }
            EventKind::WordCloudNamesChanged => {
                super::word_cloud_names::recount_all(state).await?;
            }
            _ => {}
        }
        Ok(())
    }
}

/// The theme and the text an idea or a comment counts with now: none once it (or a
/// comment's idea) is withdrawn, hidden, deleted or gone.
async fn counted_text(
    state: &AppState,
    counted: Counted,
    id: i64,
) -> Result<Option<(i64, Option<String>)>, AppError> {
    let mut conn = state.db.acquire().await?;
    let (proposal_id, comment_text) = match counted {
        Counted::Idea => (id, None),
        Counted::Comment => match comment_store::find(conn.ex(), id).await? {
            Some(c) => {
                let shown = c.deleted_at.is_none() && c.hidden_at.is_none();
                (c.proposal_id, Some(shown.then_some(c.body)))
            }
            None => return Ok(None),
        },
    };
    let Some(proposal) = proposal_store::find(conn.ex(), proposal_id).await? else {
        return Ok(None);
    };
    let published = proposal.withdrawn_at.is_none() && proposal.hidden_at.is_none();
    let text = match comment_text {
        None => format!("{}\n{}", proposal.title, proposal.body),
        Some(Some(body)) => body,
        Some(None) => return Ok(Some((proposal.theme_id, None))),
    };
    Ok(Some((proposal.theme_id, published.then_some(text))))
}

/// Brings an idea's or a comment's stored terms, and its theme's counts, to what it says
/// now (none once it is withdrawn, hidden or gone). Running it again changes nothing.
pub async fn count(
    state: &AppState,
    counted: Counted,
    id: i64,
    progress: Option<&Progress>,
) -> Result<(), AppError> {
    let found = counted_text(state, counted, id).await?;
    let wanted: Vec<String> = match found.as_ref().and_then(|(_, text)| text.clone()) {
        Some(text) => {
            super::word_cloud_names::refresh(state).await?;
            let finder = state.terms.clone();
            tokio::task::spawn_blocking(move || finder.terms(&text))
                .await
                .map_err(|e| AppError::Internal(anyhow::anyhow!("tokeniser: {e}")))?
        }
        None => Vec::new(),
    };
    let mut tx = state.db.begin().await?;
    let stored = store::of_item(tx.ex(), counted, id).await?;
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
    if let Some((theme_id, _)) = found {
        store::change(tx.ex(), counted, theme_id, id, &added, &removed).await?;
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
    /// How many ideas contain it (ideas and comments, when the cloud counts comments).
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
    /// Whether comments count with the ideas (each term's count is then of both).
    pub with_comments: bool,
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

/// A theme's word cloud, or that of the ideas posted during one of its phases; of its
/// ideas, or of its ideas and their comments.
pub async fn of_theme(
    state: &AppState,
    viewer: &Viewer,
    slug: &str,
    phase: Option<usize>,
    with_comments: bool,
) -> Result<WordCloud, AppError> {
    let theme = super::themes::load(state, viewer, slug).await?;
    let mut conn = state.db.acquire().await?;
    let included = store::staff_terms(conn.ex(), StaffTerms::Included).await?;
    // Enough to fill the cloud after the default list has left its terms out.
    let wanted = MAX_TERMS * 3;
    let counts = match phase {
        None => store::top_of_theme(conn.ex(), theme.row.id, with_comments, wanted).await?,
        Some(i) => {
            let Some(p) = theme.phases.get(i) else {
                return Err(AppError::invalid(
                    "phase",
                    "no_such_phase",
                    msg!("error-no-such-phase"),
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
            store::top_between(conn.ex(), theme.row.id, from, until, with_comments, wanted).await?
        }
    };
    let counts: Vec<TermCount> = counts
        .into_iter()
        .filter(|c| {
            !crate::domain::terms::left_out_by_default(&c.term) || included.contains(&c.term)
        })
        .take(MAX_TERMS as usize)
        .collect();
    Ok(WordCloud {
        theme_slug: theme.row.slug.clone(),
        theme_title: theme.row.title.clone(),
        phase,
        with_comments,
        terms: steps(counts),
    })
}

/// The ideas of a theme that contain a term (or, with comments, have a comment that does),
/// newest first.
pub async fn ideas_with(
    state: &AppState,
    viewer: &Viewer,
    slug: &str,
    term: &str,
    with_comments: bool,
) -> Result<Vec<super::proposals::ProposalView>, AppError> {
    let theme = super::themes::load(state, viewer, slug).await?;
    let mut conn = state.db.acquire().await?;
    let ids = store::proposals_with(conn.ex(), theme.row.id, term, with_comments, 200).await?;
    drop(conn);
    super::proposals::views_of(state, viewer, &ids).await
}

#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StopWords {
    /// Terms the word cloud leaves out, besides its own list.
    #[schema(max_items = 500)]
    pub terms: Vec<String>,
    /// Terms the cloud shows although its own list (or its rule for terms of one character
    /// and numbers) leaves them out.
    #[serde(default)]
    #[schema(max_items = 500)]
    pub included: Vec<String>,
    /// The cloud's own list, left out unless included (read only: ignored when sent, so
    /// what `GET` gives may be sent back as it is).
    #[serde(default)]
    #[schema(read_only)]
    pub defaults: Vec<String>,
}

pub async fn stop_words(state: &AppState, viewer: &Viewer) -> Result<StopWords, AppError> {
    viewer.require_staff()?;
    let mut conn = state.db.acquire().await?;
    Ok(StopWords {
        terms: store::staff_terms(conn.ex(), StaffTerms::StopWords).await?,
        included: store::staff_terms(conn.ex(), StaffTerms::Included).await?,
        defaults: crate::domain::terms::default_stop_words()
            .map(str::to_string)
            .collect(),
    })
}

/// Staff replace the extra stop words and the terms included again; the cloud follows at
/// once.
pub async fn set_stop_words(
    state: &AppState,
    viewer: &Viewer,
    input: &StopWords,
) -> Result<StopWords, AppError> {
    viewer.require_staff()?;
    let lowered = |term: String| term.to_lowercase();
    let (terms, included) = crate::error::both(
        checked_list(&input.terms, "terms", MAX_STOP_WORDS, lowered),
        checked_list(&input.included, "included", MAX_STOP_WORDS, lowered),
    )?;
    let now = now_millis();
    let mut tx = state.db.begin().await?;
    store::set_staff_terms(tx.ex(), StaffTerms::StopWords, &terms, now).await?;
    store::set_staff_terms(tx.ex(), StaffTerms::Included, &included, now).await?;
    tx.commit().await?;
    stop_words(state, viewer).await
}

/// A list staff keep (stop words, local names): at most `max` entries of 1 to 40
/// characters, each refused by its place (`field[i]`), written as `written` makes it and kept
/// once (Latin letters without regard to case).
pub(super) fn checked_list(
    entries: &[String],
    field: &str,
    max: usize,
    written: impl Fn(String) -> String,
) -> Result<Vec<String>, AppError> {
    let mut check = Checker::new();
    if entries.len() > max {
        check.push(Invalid::new("too_many", msg!("error-too-many", limit = max)).at(field));
    }
    let mut kept: Vec<String> = Vec::new();
    for (i, entry) in entries.iter().take(max).enumerate() {
        if let Some(entry) = check.check(format!("{field}[{i}]"), parse_text(entry, 1, 40, false)) {
            let entry = written(entry);
            if !kept.iter().any(|k| k.eq_ignore_ascii_case(&entry)) {
                kept.push(entry);
            }
        }
    }
    check.finish()?;
    Ok(kept)
}
