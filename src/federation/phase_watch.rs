//! Phases change with the date, not only when staff edit a theme: at the municipality's
//! midnight a theme may stop taking ideas. This watcher notices when what a theme's `Group`
//! says about its phase (the running phase, whether group software may post) differs from
//! what its followers were last sent, and records that in the event log once, even when
//! several processes share the database; the publisher then sends the `Update`.

use crate::error::AppError;
use crate::services::events::{self, EventKind};
use crate::state::AppState;
use crate::storage::themes as theme_store;

/// Checks the themes every `phase_check_interval`.
pub fn spawn(state: &AppState) -> tokio::task::JoinHandle<()> {
    let state = state.clone();
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(state.config.federation.phase_check_interval);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            if let Err(e) = check(&state).await {
                tracing::warn!(error = %e, "cannot check the themes' phases");
            }
        }
    })
}

/// What followers learn of the phase from a `Group` document: the running phase and
/// whether posting is closed. Only a change of these is sent by the watcher.
pub fn published_state(group: &super::objects::Actor) -> String {
    state_of(group.current_phase, group.posting_restricted_to_mods)
}

/// What followers learn of the phase from the running phase (its index) and whether
/// posting is closed.
pub fn state_of(current_phase: Option<usize>, restricted: Option<bool>) -> String {
    let shown = |value: Option<String>| value.unwrap_or_else(|| "null".to_string());
    format!(
        "phase={} restricted={}",
        shown(current_phase.map(|p| p.to_string())),
        shown(restricted.map(|r| r.to_string()))
    )
}

async fn check(state: &AppState) -> Result<(), AppError> {
    let mut conn = state.db.acquire().await?;
    let themes = theme_store::published_states(conn.ex()).await?;
    drop(conn);
    for (id, slug, before) in themes {
        let group = match super::routes::group_json(state, &slug).await {
            Ok(group) => group,
            Err(AppError::NotFound(_)) => continue,
            Err(e) => return Err(e),
        };
        let now = published_state(&group);
        if before.as_deref() == Some(now.as_str()) {
            continue;
        }
        let mut tx = state.db.begin().await?;
        let won = theme_store::swap_published_state(tx.ex(), id, before.as_deref(), &now).await?;
        // The first look at a theme only records it: it has told nobody anything yet.
        if won && before.is_some() {
            tracing::info!(theme = %slug, state = %now, "the phase changed with the date; followers are told");
            events::record(tx.ex(), EventKind::ThemePhaseChanged, id).await?;
        }
        tx.commit().await?;
        state.event_signal.written();
    }
    Ok(())
}
