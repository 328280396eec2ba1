//! How the event log's consumers learn that there is something to do: a signal in the
//! process that wrote events, and on PostgreSQL the announcement of every commit of events
//! by any process (LISTEN/NOTIFY); a signal given while a consumer was busy is not missed.

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::Notify;

use crate::state::AppState;
use crate::storage::events as store;

/// Wakes this process's consumers when events were written: by this process, or (on
/// PostgreSQL, heard by [`spawn_listener`]) by another; they also look now and then.
#[derive(Clone, Default)]
pub struct EventSignal(Arc<SignalState>);

#[derive(Default)]
pub struct SignalState {
    notify: Notify,
    /// Counts the signals, so that one given while a consumer was busy is not missed.
    generation: std::sync::atomic::AtomicU64,
}

impl EventSignal {
    pub fn written(&self) {
        self.0
            .generation
            .fetch_add(1, std::sync::atomic::Ordering::AcqRel);
        self.0.notify.notify_waiters();
    }

    pub(super) fn generation(&self) -> u64 {
        self.0.generation.load(std::sync::atomic::Ordering::Acquire)
    }

    /// Waits for a signal given after `seen` (at once if one was), at most `at_most`.
    pub(super) async fn wait_since(&self, seen: u64, at_most: Duration) {
        let notified = self.0.notify.notified();
        tokio::pin!(notified);
        notified.as_mut().enable();
        if self.generation() != seen {
            return;
        }
        let _ = tokio::time::timeout(at_most, notified).await;
    }
}

/// On PostgreSQL, hears the events other processes commit and wakes this process's
/// consumers; reconnects after a lost connection. Nothing to do on SQLite.
pub fn spawn_listener(state: &AppState) -> tokio::task::JoinHandle<()> {
    let state = state.clone();
    tokio::spawn(async move {
        loop {
            match store::listen(&state.db).await {
                Ok(None) => return,
                Ok(Some(mut listener)) => loop {
                    match listener.recv().await {
                        Ok(_) => state.event_signal.written(),
                        Err(e) => {
                            tracing::warn!(error = %e, "the event announcements were interrupted");
                            break;
                        }
                    }
                },
                Err(e) => tracing::warn!(error = %e, "cannot listen for event announcements"),
            }
            // Events missed meanwhile are found by the consumers' own look.
            state.event_signal.written();
            tokio::time::sleep(state.config.events.poll_interval).await;
        }
    })
}
