//! Building and running the server: open the database, apply migrations, bind, serve.

use std::future::Future;
use std::net::SocketAddr;
use std::time::Duration;

use anyhow::Context;
use tokio::net::TcpListener;

use crate::config::Config;
use crate::services::accounts;
use crate::state::AppState;
use crate::storage::Db;

pub struct Application {
    listener: TcpListener,
    state: AppState,
}

impl Application {
    /// Prepares the data directory and database, and binds the listening socket.
    pub async fn build(config: Config) -> anyhow::Result<Self> {
        std::fs::create_dir_all(config.media_dir()).with_context(|| {
            format!(
                "cannot create the media folder {}",
                config.media_dir().display()
            )
        })?;
        let db = Db::connect(&config.database, config.database_max_connections).await?;
        db.migrate().await?;
        let listener = TcpListener::bind(config.listen)
            .await
            .with_context(|| format!("cannot listen on {}", config.listen))?;
        if config.federation.insecure {
            tracing::warn!(
                "federation_insecure is set: plain-http peers and private addresses are allowed (for tests only)"
            );
        }
        let state = AppState::new(db, config)?;
        Ok(Self { listener, state })
    }

    pub fn local_addr(&self) -> SocketAddr {
        self.listener
            .local_addr()
            .unwrap_or_else(|_| SocketAddr::from(([127, 0, 0, 1], 0)))
    }

    pub fn state(&self) -> &AppState {
        &self.state
    }

    /// Logs the one-time setup link while no administrator exists.
    pub async fn announce_setup(&self) -> anyhow::Result<()> {
        if let Some(token) = accounts::pending_setup_token(&self.state).await? {
            let base = self.state.config.public_url();
            tracing::warn!(
                setup_url = format!("{base}/setup?token={token}"),
                setup_api = format!("{base}/api/v1/setup"),
                setup_token = %token,
                "no administrator yet: open the setup link once to create the first one \
                 (or POST the token with a handle and password to the setup API, or run \
                 `hiroba admin create-user --role administrator`)"
            );
        }
        Ok(())
    }

    /// Serves until `shutdown` completes, then finishes the requests in flight.
    pub async fn run(
        self,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> anyhow::Result<()> {
        let sweep_state = self.state.clone();
        let sweeper = tokio::spawn(async move {
            let mut tick = tokio::time::interval(Duration::from_secs(60));
            loop {
                tick.tick().await;
                sweep_state.limits.forget_idle();
                match accounts::purge_expired_sessions(&sweep_state).await {
                    Ok(0) => {}
                    Ok(n) => tracing::debug!(sessions = n, "expired sessions removed"),
                    Err(e) => tracing::warn!(error = %e, "cannot remove expired sessions"),
                }
            }
        });
        let mut workers = crate::federation::delivery::spawn_workers(&self.state);
        workers.push(crate::federation::phase_watch::spawn(&self.state));
        workers.push(crate::services::polls::spawn_tally_watch(&self.state));
        workers.push(crate::services::references::spawn_refresher(&self.state));
        workers.push(crate::services::events::spawn_listener(&self.state));
        // Every process keeps its own pages for visitors, and so forgets them itself.
        workers.push(crate::services::events::spawn(
            &self.state,
            crate::services::page_cache::PageCacheInvalidator,
        ));
        if self.state.config.events.run_consumers {
            workers.push(crate::services::events::spawn(
                &self.state,
                crate::federation::publisher::Publisher,
            ));
            workers.push(crate::services::events::spawn(
                &self.state,
                crate::services::notifications::Notifier,
            ));
            workers.push(crate::services::events::spawn(
                &self.state,
                crate::services::word_cloud::TermCounter,
            ));
            workers.push(crate::services::events::spawn(
                &self.state,
                crate::federation::backfill::Backfill,
            ));
            workers.push(crate::services::events::spawn_pruning(&self.state));
        }
        let db = self.state.db.clone();
        let address = self.local_addr();
        let url = self.state.config.public_url();
        // Built first, so that "listening" means that requests are answered.
        let app = crate::http::router(self.state);
        tracing::info!(address = %address, url = %url, "listening");
        let result = axum::serve(
            self.listener,
            app.into_make_service_with_connect_info::<SocketAddr>(),
        )
        .with_graceful_shutdown(shutdown)
        .await
        .context("server error");
        sweeper.abort();
        for worker in workers {
            worker.abort();
        }
        db.close().await;
        result
    }
}

/// Completes on Ctrl-C or SIGTERM.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = terminate => {},
    }
    tracing::info!("shutting down");
}
