//! Staff close a survey before its end, and may open it again while its end has not come:
//! answers stop or resume at once, and so do the votes of its fediverse polls, whose
//! followers are sent the close (or the reopening) through the event log.

use super::Viewer;
use super::events::{self, EventKind};
use super::surveys::{self, SurveyView};
use crate::error::AppError;
use crate::msg;
use crate::state::AppState;
use crate::storage::{now_millis, polls as poll_store, surveys as store};

/// Closes an open survey now, and its polls.
pub async fn close(state: &AppState, viewer: &Viewer, id: i64) -> Result<SurveyView, AppError> {
    let staff = viewer.require_staff()?;
    let loaded = surveys::load(state, viewer, id).await?;
    let (open, _) = loaded.window(state.config.municipality.today());
    if !open {
        return Err(AppError::NotAllowedNow(msg!("error-survey-not-open")));
    }
    let now = now_millis();
    let mut tx = state.db.begin().await?;
    store::set_closed_at(tx.ex(), id, Some(now)).await?;
    // The tally watcher sends each poll's closing tally, `closed` set to now.
    poll_store::close_polls_of_survey(tx.ex(), id, now).await?;
    tx.commit().await?;
    tracing::info!(survey = id, by = staff.id, "survey closed early");
    surveys::get(state, viewer, id).await
}

/// Opens a survey closed early again, when its end has not come; its polls take votes
/// until their published end.
pub async fn reopen(state: &AppState, viewer: &Viewer, id: i64) -> Result<SurveyView, AppError> {
    let staff = viewer.require_staff()?;
    let mut loaded = surveys::load(state, viewer, id).await?;
    if loaded.row.closed_at.take().is_none() {
        return Err(AppError::NotAllowedNow(msg!(
            "error-survey-not-closed-early"
        )));
    }
    let (open, _) = loaded.window(state.config.municipality.today());
    if !open {
        return Err(AppError::NotAllowedNow(msg!("error-survey-ended")));
    }
    let mut tx = state.db.begin().await?;
    store::set_closed_at(tx.ex(), id, None).await?;
    for question in poll_store::reopen_polls_of_survey(tx.ex(), id, now_millis()).await? {
        events::record(tx.ex(), EventKind::PollTallied, question).await?;
    }
    tx.commit().await?;
    state.event_signal.written();
    tracing::info!(survey = id, by = staff.id, "survey opened again");
    surveys::get(state, viewer, id).await
}
