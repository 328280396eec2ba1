//! Empties the pages kept for visitors whenever the event log says something changed, so a
//! new idea or answer shows to visitors as soon as this process reads the event (at once
//! where it was written, within a poll in other processes).

use super::events::{Event, EventConsumer, Progress};
use crate::error::AppError;
use crate::state::AppState;

/// The event log's consumer that forgets the kept pages; one per process, kept in memory.
pub struct PageCacheInvalidator;

impl EventConsumer for PageCacheInvalidator {
    const NAME: &'static str = "page_cache";
    const DURABLE: bool = false;

    async fn handle(
        &self,
        state: &AppState,
        _event: &Event,
        _progress: &Progress,
    ) -> Result<(), AppError> {
        state.caches.pages_changed();
        state.caches.pages.invalidate_all();
        Ok(())
    }
}
