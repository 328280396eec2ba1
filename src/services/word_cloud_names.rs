//! The word cloud's local names (ユーザー辞書): place and facility names staff keep whole,
//! so that 琴浦町民プール is one term and not 琴浦, 町民 and プール. Changing them counts
//! every idea's terms again through the event log.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::Viewer;
use super::events::{self, EventKind};
use crate::error::AppError;
use crate::state::AppState;
use crate::storage::now_millis;
use crate::storage::terms as store;

/// The most local names staff keep (each 1 to 40 characters, as long as the longest term
/// the cloud keeps).
const MAX_NAMES: usize = 500;

#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LocalNames {
    /// Names the word cloud keeps whole (places, facilities), each 1 to 40 characters.
    #[schema(max_items = 500)]
    pub names: Vec<String>,
}

pub async fn names(state: &AppState, viewer: &Viewer) -> Result<LocalNames, AppError> {
    viewer.require_staff()?;
    let mut conn = state.db.acquire().await?;
    Ok(LocalNames {
        names: store::names(conn.ex()).await?,
    })
}

/// Staff replace the local names; ideas already posted are counted again with them.
pub async fn set_names(
    state: &AppState,
    viewer: &Viewer,
    input: &LocalNames,
) -> Result<LocalNames, AppError> {
    viewer.require_staff()?;
    let names = super::word_cloud::checked_list(&input.names, "names", MAX_NAMES, |name| {
        crate::domain::normalize_text(&name)
    })?;
    let mut tx = state.db.begin().await?;
    let before = store::names(tx.ex()).await?;
    store::set_names(tx.ex(), &names, now_millis()).await?;
    let after = store::names(tx.ex()).await?;
    if before != after {
        events::record(tx.ex(), EventKind::WordCloudNamesChanged, 0).await?;
    }
    tx.commit().await?;
    if before != after {
        state.event_signal.written();
    }
    Ok(LocalNames { names: after })
}

/// Brings this process's tokeniser to the stored names (another process may have changed
/// them) before it reads a text.
pub(super) async fn refresh(state: &AppState) -> Result<(), AppError> {
    let mut conn = state.db.acquire().await?;
    let names = store::names(conn.ex()).await?;
    drop(conn);
    state.terms.set_names(names);
    Ok(())
}

/// Counts every idea's and comment's terms again, after the names changed.
pub(super) async fn recount_all(state: &AppState) -> Result<(), AppError> {
    refresh(state).await?;
    for counted in [store::Counted::Idea, store::Counted::Comment] {
        let mut conn = state.db.acquire().await?;
        let ids = store::every_item(conn.ex(), counted).await?;
        drop(conn);
        for id in ids {
            super::word_cloud::count(state, counted, id, None).await?;
        }
    }
    Ok(())
}
