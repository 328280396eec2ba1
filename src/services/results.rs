//! Results (反映): staff publish, per theme, sections of Markdown that say what became of
//! the input, each naming the proposals it reflects ("this idea became §3.2 of the plan
//! draft"), with an implementation record of dated progress updates. Each reflected
//! proposal links back to the section that took it up. Publishing and every change are
//! events, from which the fediverse is told.

use crate::msg;
use std::collections::HashMap;

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::documents::DocumentView;
use super::events::{self, EventKind};
use super::{Viewer, rfc3339};
use crate::domain::parse_text;
use crate::error::{AppError, Checker, Invalid, checker_invariant};
use crate::markdown;
use crate::state::AppState;
use crate::storage::results::{self as store, ProgressRow, ReflectedRow, ResultRow};
use crate::storage::{now_millis, proposals as proposal_store};

/// The most proposals one section may name.
const MAX_REFLECTED: usize = 100;

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReflectInput {
    #[schema(minimum = 1)]
    pub proposal_id: i64,
    /// How the section took it up ("became §3.2 of the plan draft").
    #[serde(default)]
    #[schema(pattern = r"^[^\x00-\x1f\x7f-\x9f]*$", max_length = 500)]
    pub note: String,
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ResultInput {
    #[schema(
        pattern = r"^[^\x00-\x1f\x7f-\x9f]*[^\s\x00-\x1f\x7f-\x9f][^\x00-\x1f\x7f-\x9f]*$",
        min_length = 1,
        max_length = 200
    )]
    pub heading: String,
    /// Markdown.
    #[schema(
        pattern = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]*[^\s\x00-\x1f\x7f-\x9f][^\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]*$",
        min_length = 1,
        max_length = 50000
    )]
    pub body: String,
    /// The theme's proposals this section reflects.
    #[serde(default)]
    #[schema(max_items = 100)]
    pub reflects: Vec<ReflectInput>,
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ProgressInput {
    /// planned, in_progress, done or stopped.
    #[schema(pattern = r"^\s*(planned|in_progress|done|stopped)\s*$")]
    pub status: String,
    /// How much is done, 0 to 100.
    #[schema(minimum = 0, maximum = 100)]
    pub percent: i32,
    /// What happened.
    #[serde(default)]
    #[schema(
        pattern = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]*$",
        max_length = 2000
    )]
    pub note: String,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ReflectedView {
    pub proposal_id: i64,
    pub title: String,
    pub note: String,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ProgressView {
    pub id: i64,
    pub status: String,
    pub percent: i32,
    pub note: String,
    pub at: String,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ResultView {
    pub id: i64,
    pub position: i32,
    pub heading: String,
    pub body: String,
    pub body_html: String,
    pub reflects: Vec<ReflectedView>,
    /// The implementation record, oldest first.
    pub progress: Vec<ProgressView>,
    /// Attached PDFs and images, in the order they were attached.
    pub documents: Vec<DocumentView>,
    /// Replies from the fediverse, oldest first.
    pub comments: Vec<super::discussion::DiscussionView>,
    /// Its id on the fediverse (an `Article`).
    pub url: String,
    pub published_at: String,
    pub updated_at: String,
}

impl ResultView {
    /// The latest progress update, if any.
    pub fn latest(&self) -> Option<&ProgressView> {
        self.progress.last()
    }
}

const STATUSES: [&str; 4] = ["planned", "in_progress", "done", "stopped"];

fn view(
    state: &AppState,
    row: ResultRow,
    reflected: &mut HashMap<i64, Vec<ReflectedView>>,
    progress: &mut HashMap<i64, Vec<ProgressView>>,
    documents: &mut HashMap<i64, Vec<DocumentView>>,
) -> ResultView {
    ResultView {
        id: row.id,
        position: row.position,
        body_html: markdown::render(&row.body),
        heading: row.heading,
        body: row.body,
        reflects: reflected.remove(&row.id).unwrap_or_default(),
        progress: progress.remove(&row.id).unwrap_or_default(),
        documents: documents.remove(&row.id).unwrap_or_default(),
        comments: Vec::new(),
        url: format!("{}/results/{}", state.config.public_url(), row.id),
        published_at: rfc3339(row.created_at),
        updated_at: rfc3339(row.updated_at),
    }
}

pub(super) async fn views(
    state: &AppState,
    theme_id: i64,
    only: Option<i64>,
) -> Result<Vec<ResultView>, AppError> {
    let mut conn = state.db.acquire().await?;
    let rows = store::of_theme(conn.ex(), theme_id).await?;
    let mut reflected: HashMap<i64, Vec<ReflectedView>> = HashMap::new();
    for ReflectedRow {
        result_id,
        proposal_id,
        title,
        note,
    } in store::reflected_in_theme(conn.ex(), theme_id).await?
    {
        reflected.entry(result_id).or_default().push(ReflectedView {
            proposal_id,
            title,
            note,
        });
    }
    let mut progress: HashMap<i64, Vec<ProgressView>> = HashMap::new();
    for ProgressRow {
        id,
        result_id,
        status,
        percent,
        note,
        created_at,
    } in store::progress_in_theme(conn.ex(), theme_id).await?
    {
        progress.entry(result_id).or_default().push(ProgressView {
            id,
            status,
            percent,
            note,
            at: rfc3339(created_at),
        });
    }
    let mut documents: HashMap<i64, Vec<DocumentView>> = HashMap::new();
    for row in crate::storage::documents::of_theme(conn.ex(), theme_id).await? {
        documents
            .entry(row.result_id)
            .or_default()
            .push(super::documents::view(state, row));
    }
    drop(conn);
    let mut all = Vec::new();
    for row in rows
        .into_iter()
        .filter(|row| only.is_none_or(|id| id == row.id))
    {
        let mut result = view(state, row, &mut reflected, &mut progress, &mut documents);
        let topic = super::discussion::Topic::Result(result.id);
        result.comments = super::discussion::of_topic(state, topic).await?;
        all.push(result);
    }
    Ok(all)
}

/// A theme's results, in order.
pub async fn of_theme(
    state: &AppState,
    viewer: &Viewer,
    slug: &str,
) -> Result<Vec<ResultView>, AppError> {
    let theme = super::themes::load(state, viewer, slug).await?;
    views(state, theme.row.id, None).await
}

/// Whether a theme the viewer may see has results (its page then links them).
pub async fn exist(state: &AppState, viewer: &Viewer, slug: &str) -> Result<bool, AppError> {
    let theme = super::themes::load(state, viewer, slug).await?;
    let mut conn = state.db.acquire().await?;
    Ok(store::count_of_theme(conn.ex(), theme.row.id).await? > 0)
}

/// One section and its theme's slug, for the federation face.
pub async fn get(state: &AppState, id: i64) -> Result<Option<(ResultView, i64)>, AppError> {
    let mut conn = state.db.acquire().await?;
    let Some(row) = store::find(conn.ex(), id).await? else {
        return Ok(None);
    };
    drop(conn);
    let theme_id = row.theme_id;
    Ok(views(state, theme_id, Some(id))
        .await?
        .into_iter()
        .next()
        .map(|view| (view, theme_id)))
}

/// The sections that took a proposal up: `(result id, heading, note)`.
pub async fn reflecting(
    state: &AppState,
    proposal_id: i64,
) -> Result<Vec<(i64, String, String)>, AppError> {
    let mut conn = state.db.acquire().await?;
    Ok(store::reflecting(conn.ex(), proposal_id).await?)
}

/// Checks a section: its text, and that each named proposal is a published one of the
/// theme, named once.
async fn parse(
    state: &AppState,
    theme_id: i64,
    input: &ResultInput,
) -> Result<(String, String, Vec<(i64, String)>), AppError> {
    let mut check = Checker::new();
    let heading = check.check("heading", parse_text(&input.heading, 1, 200, false));
    let body = check.check("body", parse_text(&input.body, 1, 50_000, true));
    if input.reflects.len() > MAX_REFLECTED {
        check.push(
            Invalid::new("too_many", msg!("error-too-many", limit = MAX_REFLECTED)).at("reflects"),
        );
    }
    let mut reflects = Vec::new();
    let mut conn = state.db.acquire().await?;
    for (i, r) in input.reflects.iter().take(MAX_REFLECTED).enumerate() {
        let at = format!("reflects[{i}].proposal_id");
        if reflects.iter().any(|(id, _)| *id == r.proposal_id) {
            check.push(Invalid::new("duplicate", msg!("error-duplicate-proposal")).at(at));
            continue;
        }
        let found = proposal_store::find(conn.ex(), r.proposal_id).await?;
        if !found.is_some_and(|p| {
            p.theme_id == theme_id && p.withdrawn_at.is_none() && p.hidden_at.is_none()
        }) {
            check.push(Invalid::new("not_in_theme", msg!("error-not-in-theme")).at(at));
            continue;
        }
        let note = check.check(
            format!("reflects[{i}].note"),
            parse_text(&r.note, 0, 500, false),
        );
        reflects.push((r.proposal_id, note.unwrap_or_default()));
    }
    check.finish()?;
    let (Some(heading), Some(body)) = (heading, body) else {
        return Err(checker_invariant());
    };
    Ok((heading, body, reflects))
}

/// Staff publish a new section of a theme's results.
pub async fn publish(
    state: &AppState,
    viewer: &Viewer,
    slug: &str,
    input: &ResultInput,
) -> Result<ResultView, AppError> {
    let staff = viewer.require_staff()?;
    let theme = super::themes::load(state, viewer, slug).await?;
    let (heading, body, reflects) = parse(state, theme.row.id, input).await?;
    let mut tx = state.db.begin().await?;
    let id = store::insert(
        tx.ex(),
        theme.row.id,
        &heading,
        &body,
        staff.id,
        now_millis(),
    )
    .await?;
    store::set_reflected(tx.ex(), id, &reflects).await?;
    events::record(tx.ex(), EventKind::ResultPublished, id).await?;
    tx.commit().await?;
    state.event_signal.written();
    for (proposal, _) in &reflects {
        state.caches.forget_proposal(*proposal).await;
    }
    tracing::info!(theme = slug, result = id, by = staff.id, "result published");
    views(state, theme.row.id, Some(id))
        .await?
        .pop()
        .ok_or(AppError::NotFound("result"))
}

/// A section the viewer may see, with its theme's slug.
pub(super) async fn theme_of(
    state: &AppState,
    viewer: &Viewer,
    id: i64,
) -> Result<(ResultRow, String), AppError> {
    let mut conn = state.db.acquire().await?;
    let row = store::find(conn.ex(), id)
        .await?
        .ok_or(AppError::NotFound("result"))?;
    drop(conn);
    let theme = super::themes::load_by_id(state, row.theme_id).await?;
    if !theme.visible_to(viewer) {
        return Err(AppError::NotFound("result"));
    }
    Ok((row, theme.row.slug))
}

/// Staff change a section's text and the proposals it names.
pub async fn update(
    state: &AppState,
    viewer: &Viewer,
    id: i64,
    input: &ResultInput,
) -> Result<ResultView, AppError> {
    let staff = viewer.require_staff()?;
    let (row, _) = theme_of(state, viewer, id).await?;
    let (heading, body, reflects) = parse(state, row.theme_id, input).await?;
    let mut tx = state.db.begin().await?;
    store::update(tx.ex(), id, &heading, &body, now_millis()).await?;
    store::set_reflected(tx.ex(), id, &reflects).await?;
    events::record(tx.ex(), EventKind::ResultUpdated, id).await?;
    tx.commit().await?;
    state.event_signal.written();
    tracing::info!(result = id, by = staff.id, "result updated");
    views(state, row.theme_id, Some(id))
        .await?
        .pop()
        .ok_or(AppError::NotFound("result"))
}

/// Checks a progress update: its status, share done and note.
pub(super) fn parse_progress(input: &ProgressInput) -> Result<(&str, String), AppError> {
    let mut check = Checker::new();
    let status = input.status.trim();
    if !STATUSES.contains(&status) {
        check.push(Invalid::new("unknown_status", msg!("error-unknown-progress")).at("status"));
    }
    if !(0..=100).contains(&input.percent) {
        check.push(Invalid::new("out_of_range", msg!("error-percent")).at("percent"));
    }
    let note = check.check("note", parse_text(&input.note, 0, 2000, true));
    check.finish()?;
    Ok((status, note.ok_or_else(checker_invariant)?))
}

/// Staff add a progress update to a section's implementation record.
pub async fn add_progress(
    state: &AppState,
    viewer: &Viewer,
    id: i64,
    input: &ProgressInput,
) -> Result<ResultView, AppError> {
    let staff = viewer.require_staff()?;
    let (row, _) = theme_of(state, viewer, id).await?;
    let (status, note) = parse_progress(input)?;
    let mut tx = state.db.begin().await?;
    store::add_progress(
        tx.ex(),
        id,
        status,
        input.percent,
        &note,
        staff.id,
        now_millis(),
    )
    .await?;
    store::touch(tx.ex(), id, now_millis()).await?;
    events::record(tx.ex(), EventKind::ResultUpdated, id).await?;
    tx.commit().await?;
    state.event_signal.written();
    views(state, row.theme_id, Some(id))
        .await?
        .pop()
        .ok_or(AppError::NotFound("result"))
}
