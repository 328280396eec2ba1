//! Support thresholds: a theme may set how many supports make a proposal need an answer
//! (e.g. 50) and who counts toward it (registered residents, or residents and fediverse
//! accounts). Reaching it is recorded once, as an event, and puts the proposal first in the
//! staff queue as "needs an answer". Residents' and remote supports are always shown apart.

use crate::msg;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::events::{self, EventKind};
use super::themes::{self, ThemeView};
use super::{Viewer, rfc3339};
use crate::error::{AppError, Invalid};
use crate::state::AppState;
use crate::storage::proposals::ProposalRow;
use crate::storage::{now_millis, thresholds as store};

/// The largest threshold a theme may set.
const MAX_THRESHOLD: i64 = 1_000_000;

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ThresholdInput {
    /// Supports that make a proposal need an answer; none when absent or null.
    #[serde(default)]
    #[schema(minimum = 1, maximum = 1_000_000)]
    pub support_threshold: Option<i64>,
    /// Who counts toward it: `residents` (the default) or `residents_and_fediverse`.
    #[serde(default)]
    #[schema(value_type = Option<String>, pattern = r"^\s*(residents|residents_and_fediverse)?\s*$")]
    pub counts: Option<String>,
}

/// How far a proposal is toward its theme's threshold.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ThresholdView {
    /// The theme's threshold.
    pub needed: i64,
    /// The supports that count toward it.
    pub counted: i64,
    /// `residents` or `residents_and_fediverse`.
    pub counts: String,
    /// When it reached the threshold.
    pub reached_at: Option<String>,
}

impl ThresholdView {
    /// How full the bar is: the counted supports, at most the threshold.
    pub fn filled(&self) -> i64 {
        self.counted.min(self.needed)
    }
}

/// A proposal's progress toward its theme's threshold, if the theme sets one.
pub fn progress(row: &ProposalRow) -> Option<ThresholdView> {
    let needed = i64::from(row.theme_support_threshold?);
    let remote = if row.theme_threshold_counts == "residents_and_fediverse" {
        row.remote_support_count
    } else {
        0
    };
    Some(ThresholdView {
        needed,
        counted: row.support_count + remote,
        counts: row.theme_threshold_counts.clone(),
        reached_at: row.threshold_reached_at.map(rfc3339),
    })
}

fn parse(input: &ThresholdInput) -> Result<(Option<i32>, &'static str), AppError> {
    let mut errors = Vec::new();
    let threshold = match input.support_threshold {
        None => None,
        Some(n) if (1..=MAX_THRESHOLD).contains(&n) => i32::try_from(n).ok(),
        Some(_) => {
            errors.push(
                Invalid::new(
                    "out_of_range",
                    msg!("error-between", low = 1, high = MAX_THRESHOLD),
                )
                .at("support_threshold"),
            );
            None
        }
    };
    let counts = match crate::domain::given(input.counts.as_deref()) {
        None | Some("residents") => "residents",
        Some("residents_and_fediverse") => "residents_and_fediverse",
        Some(_) => {
            errors.push(Invalid::new("unknown_counts", msg!("error-unknown-counts")).at("counts"));
            "residents"
        }
    };
    if errors.is_empty() {
        Ok((threshold, counts))
    } else {
        Err(AppError::Validation(errors))
    }
}

async fn record_reached(tx: &mut crate::storage::Tx, reached: &[i64]) -> Result<(), AppError> {
    for proposal in reached {
        events::record(tx.ex(), EventKind::ProposalThresholdReached, *proposal).await?;
    }
    Ok(())
}

/// Staff set (or clear) a theme's threshold; proposals already past it reach it now.
pub async fn set(
    state: &AppState,
    viewer: &Viewer,
    slug: &str,
    input: &ThresholdInput,
) -> Result<ThemeView, AppError> {
    let staff = viewer.require_staff()?;
    let theme = themes::load(state, viewer, slug).await?;
    let (threshold, counts) = parse(input)?;
    let mut tx = state.db.begin().await?;
    store::set(tx.ex(), theme.row.id, threshold, counts).await?;
    let reached = store::reach(tx.ex(), None, Some(theme.row.id), now_millis()).await?;
    record_reached(&mut tx, &reached).await?;
    tx.commit().await?;
    if !reached.is_empty() {
        state.event_signal.written();
    }
    state.caches.themes.invalidate(&theme.row.id).await;
    tracing::info!(
        theme = slug,
        ?threshold,
        counts,
        reached = reached.len(),
        by = staff.id,
        "support threshold set"
    );
    themes::get(state, viewer, slug).await
}

/// A proposal gained a support: it reaches its theme's threshold if that many count now.
pub async fn supported(state: &AppState, proposal_id: i64) -> Result<(), AppError> {
    let mut tx = state.db.begin().await?;
    let reached = store::reach(tx.ex(), Some(proposal_id), None, now_millis()).await?;
    record_reached(&mut tx, &reached).await?;
    tx.commit().await?;
    if !reached.is_empty() {
        state.event_signal.written();
        state.caches.forget_proposal(proposal_id).await;
        tracing::info!(
            proposal = proposal_id,
            "a proposal reached its theme's support threshold"
        );
    }
    Ok(())
}
