//! The word cloud's local names (ユーザー辞書): place and facility names staff keep whole,
//! so that 琴浦町民プール is one term and not 琴浦, 町民 and プール. Changing them counts
//! every idea's terms again through the event log.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::Viewer;
use super::events::{self, EventKind};
use crate::domain::parse_text;
use crate::error::{AppError, Checker, Invalid};
use crate::state::AppState;
use crate::storage::now_millis;
use crate::storage::terms as store;

/// The most local names staff keep.
const MAX_NAMES: usize = 500;
/// The longest local name (characters), as long as the longest term the cloud keeps.
const MAX_NAME: usize = 40;

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
    let mut check = Checker::new();
    if input.names.len() > MAX_NAMES {
        check
            .push(Invalid::new("too_many", format!("at most {MAX_NAMES} local names")).at("names"));
    }
    let mut names: Vec<String> = Vec::new();
    for (i, name) in input.names.iter().take(MAX_NAMES).enumerate() {
        if let Some(name) = check.check(format!("names[{i}]"), parse_text(name, 1, MAX_NAME, false))
        {
            let name = crate::domain::normalize_text(&name);
            if !names.iter().any(|n| n.eq_ignore_ascii_case(&name)) {
                names.push(name);
            }
        }
    }
    check.finish()?;
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
