//! Official answers: staff give a proposal a state (検討中, 採用, 一部採用, 不採用, 実施済み,
//! 対象外) and an answer with the answering department, optionally a cost estimate and a
//! link. A revision is a new version; earlier ones stay visible with their dates. Each
//! answer is an event, from which residents are notified and the fediverse told.

use crate::msg;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::events::{self, EventKind};
use super::proposals::{self, ContentStatus, ProposalView};
use super::{Page, Viewer, rfc3339};
use crate::domain::{AnswerState, parse_text, yen};
use crate::error::{AppError, Checker, Invalid, checker_invariant};
use crate::markdown;
use crate::state::AppState;
use crate::storage::answers::{self as store, AnswerRow, NewAnswer};
use crate::storage::{now_millis, proposals as proposal_store};

/// The largest cost estimate accepted, in yen (a trillion).
const MAX_COST_YEN: i64 = 1_000_000_000_000;

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AnswerInput {
    /// evaluating, accepted, partly_accepted, not_adopted, implemented or out_of_scope.
    #[schema(value_type = AnswerState)]
    pub state: String,
    /// Markdown: the answer.
    #[schema(
        pattern = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]*[^\s\x00-\x1f\x7f-\x9f][^\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]*$",
        min_length = 1,
        max_length = 20000
    )]
    pub body: String,
    /// The department that answers (担当課).
    #[schema(
        pattern = r"^[^\x00-\x1f\x7f-\x9f]*[^\s\x00-\x1f\x7f-\x9f][^\x00-\x1f\x7f-\x9f]*$",
        min_length = 1,
        max_length = 100
    )]
    pub department: String,
    /// The cost as officials write it (「約1,200万円」, 「未定」), shown as typed.
    #[serde(default)]
    #[schema(max_length = 100, pattern = r"^[^\x00-\x1f\x7f-\x9f]*$")]
    pub cost: Option<String>,
    /// The cost in yen, used to sort; when left out, read from `cost` where it states one
    /// amount in yen.
    #[serde(default)]
    #[schema(minimum = 0, maximum = 1_000_000_000_000_i64)]
    pub cost_estimate_yen: Option<i64>,
    /// A page with more (a plan, a budget document).
    #[serde(default)]
    #[schema(max_length = 2000, pattern = r"^\s*(https?://\S+)?\s*$")]
    pub link: Option<String>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AnswerView {
    /// 1 for the first answer; each revision adds one.
    pub version: i32,
    pub state: AnswerState,
    pub body: String,
    pub body_html: String,
    pub department: String,
    /// The cost as staff wrote it; absent when they gave only a number of yen.
    pub cost: Option<String>,
    pub cost_estimate_yen: Option<i64>,
    pub link: Option<String>,
    pub answered_at: String,
}

fn view(row: AnswerRow) -> Option<AnswerView> {
    Some(AnswerView {
        version: row.version,
        state: AnswerState::parse(&row.state).ok()?,
        body_html: markdown::render(&row.body),
        body: row.body,
        department: row.department,
        cost_estimate_yen: row.cost_estimate_yen,
        cost: row.cost_text,
        link: row.link,
        answered_at: rfc3339(row.created_at),
    })
}

fn parse_link(input: &str) -> Result<Option<String>, Invalid> {
    let input = input.trim();
    if input.is_empty() {
        return Ok(None);
    }
    if input.chars().count() > 2000 {
        return Err(Invalid::new("too_long", msg!("error-link-too-long")));
    }
    match url::Url::parse(input) {
        Ok(url) if matches!(url.scheme(), "https" | "http") => Ok(Some(url.to_string())),
        _ => Err(Invalid::new("invalid_url", msg!("error-https-link"))),
    }
}

fn parse_cost(cost: Option<i64>) -> Result<Option<i64>, Invalid> {
    match cost {
        Some(yen) if !(0..=MAX_COST_YEN).contains(&yen) => Err(Invalid::new(
            "out_of_range",
            msg!("error-between", low = 0, high = MAX_COST_YEN),
        )),
        other => Ok(other),
    }
}

/// Staff answer a proposal, or revise the answer.
pub async fn answer(
    state: &AppState,
    viewer: &Viewer,
    proposal_id: i64,
    input: &AnswerInput,
) -> Result<AnswerView, AppError> {
    let staff = viewer.require_staff()?;
    let proposal = proposals::get(state, viewer, proposal_id).await?;
    let mut check = Checker::new();
    let answer_state = check.check("state", AnswerState::parse(&input.state));
    let body = check.check("body", parse_text(&input.body, 1, 20_000, true));
    let department = check.check("department", parse_text(&input.department, 1, 100, false));
    let cost_text = check.check(
        "cost",
        parse_text(input.cost.as_deref().unwrap_or_default(), 0, 100, false),
    );
    let cost = check.check("cost_estimate_yen", parse_cost(input.cost_estimate_yen));
    let link = check.check(
        "link",
        parse_link(input.link.as_deref().unwrap_or_default()),
    );
    check.finish()?;
    let (Some(answer_state), Some(body), Some(department), Some(cost_text), Some(cost), Some(link)) =
        (answer_state, body, department, cost_text, cost, link)
    else {
        return Err(checker_invariant());
    };
    let cost_text = (!cost_text.is_empty()).then_some(cost_text);
    let cost = cost.or_else(|| cost_text.as_deref().and_then(yen::amount_in_text));
    let cost = cost.filter(|yen| (0..=MAX_COST_YEN).contains(yen));
    if proposal.status != ContentStatus::Published {
        return Err(AppError::NotAllowedNow(msg!(
            "error-answer-removed-proposal"
        )));
    }
    let mut tx = state.db.begin().await?;
    let new = NewAnswer {
        proposal_id,
        state: answer_state.as_str(),
        body: &body,
        department: &department,
        cost_estimate_yen: cost,
        cost_text: cost_text.as_deref(),
        link: link.as_deref(),
        answered_by: staff.id,
    };
    let id = store::insert(tx.ex(), &new, now_millis()).await?;
    events::record(tx.ex(), EventKind::ProposalAnswered, id).await?;
    let row = store::find(tx.ex(), id)
        .await?
        .ok_or(AppError::NotFound("answer"))?;
    tx.commit().await?;
    state.event_signal.written();
    state.caches.forget_proposal(proposal_id).await;
    tracing::info!(
        proposal = proposal_id,
        version = row.version,
        state = answer_state.as_str(),
        by = staff.id,
        "proposal answered"
    );
    view(row).ok_or_else(|| AppError::Internal(anyhow::anyhow!("a stored answer is unreadable")))
}

/// The current answer of a proposal.
pub async fn current(state: &AppState, proposal_id: i64) -> Result<Option<AnswerView>, AppError> {
    let mut conn = state.db.acquire().await?;
    Ok(store::current(conn.ex(), proposal_id).await?.and_then(view))
}

/// Every version of a proposal's answer the viewer may see, newest first.
pub async fn history(
    state: &AppState,
    viewer: &Viewer,
    proposal_id: i64,
) -> Result<Vec<AnswerView>, AppError> {
    proposals::load(state, viewer, proposal_id).await?;
    let mut conn = state.db.acquire().await?;
    Ok(store::history(conn.ex(), proposal_id)
        .await?
        .into_iter()
        .filter_map(view)
        .collect())
}

/// An answer as the event log's consumers read it: the answer and its proposal.
pub async fn as_published(
    state: &AppState,
    answer_id: i64,
) -> Result<Option<(AnswerView, i64, Option<i64>)>, AppError> {
    let mut conn = state.db.acquire().await?;
    Ok(store::find(conn.ex(), answer_id).await?.and_then(|row| {
        let (proposal, by) = (row.proposal_id, row.answered_by);
        view(row).map(|v| (v, proposal, by))
    }))
}

/// Published proposals awaiting an answer, oldest first (staff only).
pub async fn awaiting(
    state: &AppState,
    viewer: &Viewer,
    page: Page,
) -> Result<(Vec<ProposalView>, bool), AppError> {
    viewer.require_staff()?;
    let mut conn = state.db.acquire().await?;
    let mut rows =
        proposal_store::awaiting_answer(conn.ex(), page.probe_limit(), page.offset()).await?;
    let more = rows.len() as i64 > i64::from(page.per_page);
    rows.truncate(page.per_page as usize);
    Ok((
        rows.iter()
            .map(|row| proposals::view(state, viewer, row, Vec::new(), None))
            .collect(),
        more,
    ))
}
