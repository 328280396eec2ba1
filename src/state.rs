//! The state shared by every request: the database and its write batcher, the configuration
//! and the in-memory rate limiters.

use std::net::IpAddr;
use std::num::NonZeroU32;
use std::sync::Arc;
use std::time::Duration;

use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};

use crate::config::Config;
use crate::error::AppError;
use crate::federation::Federation;
use crate::i18n::Catalogue;
use crate::storage::Db;
use crate::storage::batch::Batcher;

#[derive(Clone)]
pub struct AppState {
    pub db: Db,
    pub config: Arc<Config>,
    pub limits: Arc<RateLimits>,
    pub catalogue: Arc<Catalogue>,
    pub federation: Arc<Federation>,
    /// Small writes of concurrent requests (the inbox's), grouped into shared commits.
    pub writes: Batcher,
    /// Bounds the password hashes running at once.
    pub passwords: crate::services::passwords::PasswordHashing,
    /// Wakes this process's event consumers after it wrote events.
    pub event_signal: crate::services::events::EventSignal,
    pub caches: Arc<Caches>,
    /// Finds remote actors by address, for services (implemented by the federation face).
    pub directory: Arc<dyn crate::services::directory::ActorDirectory>,
    /// The word cloud's tokeniser, with its dictionary (built once per process).
    pub terms: Arc<crate::domain::terms::TermFinder>,
}

/// Per-process caches that services fill or empty and faces read.
pub struct Caches {
    /// Rendered ActivityStreams documents of proposals (status, JSON), by id. Changes to a
    /// proposal remove its entry; counters may lag by the time-to-live.
    pub proposal_documents: moka::future::Cache<i64, Arc<(u16, bytes::Bytes)>>,
    /// Themes with their phases, by id. Dropped when a theme changes here; another process
    /// sees a change within the time-to-live.
    pub themes: moka::future::Cache<i64, Arc<crate::services::themes::LoadedTheme>>,
    /// Whether an actor (or its instance) is blocked, by actor id. Emptied when a block is
    /// added or lifted here; another process sharing the database sees it within the TTL.
    pub blocked: moka::future::Cache<String, bool>,
    /// The theme of each proposal, by proposal id (a proposal never changes theme).
    pub proposal_themes: moka::future::Cache<i64, i64>,
    /// Pages rendered for visitors who are not logged in, by language and address: emptied
    /// by the event log when anything changes (at once in the process that wrote it, within
    /// its poll elsewhere) and kept at most a few seconds in any case.
    pub pages: moka::future::Cache<String, Arc<RenderedPage>>,
    /// Moves on at every write this process answers and every event it reads: a kept page
    /// of an earlier generation is not served.
    pub page_generation: std::sync::atomic::AtomicU64,
    /// The key that signs the forms of visitors who are not logged in (read once from the
    /// database, which every process shares).
    pub form_key: std::sync::OnceLock<Vec<u8>>,
}

/// A page as it was sent: its headers and body, and the generation it was rendered in.
pub struct RenderedPage {
    pub headers: axum::http::HeaderMap,
    pub body: bytes::Bytes,
    pub generation: u64,
}

impl Caches {
    fn new() -> Self {
        Self {
            proposal_documents: moka::future::Cache::builder()
                .max_capacity(20_000)
                .time_to_live(Duration::from_secs(10))
                .build(),
            themes: moka::future::Cache::builder()
                .max_capacity(10_000)
                .time_to_live(Duration::from_secs(2))
                .build(),
            blocked: moka::future::Cache::builder()
                .max_capacity(50_000)
                .time_to_live(Duration::from_secs(5))
                .build(),
            proposal_themes: moka::future::Cache::builder()
                .max_capacity(100_000)
                .time_to_idle(Duration::from_secs(3600))
                .build(),
            pages: moka::future::Cache::builder()
                .max_capacity(2_000)
                .time_to_live(Duration::from_secs(5))
                .build(),
            page_generation: std::sync::atomic::AtomicU64::new(0),
            form_key: std::sync::OnceLock::new(),
        }
    }

    /// The generation of kept pages now.
    pub fn page_generation(&self) -> u64 {
        self.page_generation
            .load(std::sync::atomic::Ordering::Acquire)
    }

    /// Something changed: no page kept before is served again.
    pub fn pages_changed(&self) {
        self.page_generation
            .fetch_add(1, std::sync::atomic::Ordering::AcqRel);
    }

    /// Forgets the rendered document of a proposal after it changed.
    pub async fn forget_proposal(&self, id: i64) {
        self.proposal_documents.invalidate(&id).await;
    }
}

impl AppState {
    pub fn new(db: Db, config: Config) -> anyhow::Result<Self> {
        let limits = RateLimits::new(&config);
        let federation = Arc::new(Federation::new(&config)?);
        Ok(Self {
            writes: Batcher::start(db.clone()),
            passwords: crate::services::passwords::PasswordHashing::per_core(),
            event_signal: Default::default(),
            caches: Arc::new(Caches::new()),
            directory: Arc::new(crate::federation::following::Directory),
            terms: Arc::new(crate::domain::terms::TermFinder::new()),
            db,
            config: Arc::new(config),
            limits: Arc::new(limits),
            catalogue: Catalogue::load()?,
            federation,
        })
    }
}

/// Per-process limits on login and sign-up attempts. With several processes behind a load
/// balancer each keeps its own counters, so the effective limit is multiplied by their
/// number; that still stops password guessing at scale.
pub struct RateLimits {
    login_by_name: DefaultKeyedRateLimiter<String>,
    login_by_ip: DefaultKeyedRateLimiter<IpAddr>,
    signup_by_ip: DefaultKeyedRateLimiter<IpAddr>,
}

fn nonzero(n: u32) -> NonZeroU32 {
    NonZeroU32::new(n.max(1)).unwrap_or(NonZeroU32::MIN)
}

impl RateLimits {
    pub fn new(config: &Config) -> Self {
        let per_name = config.limits.login_attempts_per_minute;
        Self {
            login_by_name: RateLimiter::keyed(Quota::per_minute(nonzero(per_name))),
            // A household or a community centre shares one address: allow more per address.
            login_by_ip: RateLimiter::keyed(Quota::per_minute(nonzero(per_name.saturating_mul(6)))),
            signup_by_ip: RateLimiter::keyed(
                Quota::with_period(
                    Duration::from_secs(3600) / nonzero(config.limits.signups_per_hour).get(),
                )
                .unwrap_or_else(|| Quota::per_hour(NonZeroU32::MIN))
                .allow_burst(nonzero(config.limits.signups_per_hour)),
            ),
        }
    }

    pub fn check_login(&self, login: &str, ip: IpAddr) -> Result<(), AppError> {
        let key = login.to_lowercase();
        check(self.login_by_ip.check_key(&ip))?;
        check(self.login_by_name.check_key(&key))
    }

    pub fn check_signup(&self, ip: IpAddr) -> Result<(), AppError> {
        check(self.signup_by_ip.check_key(&ip))
    }

    /// Forgets keys whose limits have fully recovered, so memory does not grow forever.
    pub fn forget_idle(&self) {
        self.login_by_name.retain_recent();
        self.login_by_ip.retain_recent();
        self.signup_by_ip.retain_recent();
    }
}

fn check(
    result: Result<(), governor::NotUntil<governor::clock::QuantaInstant>>,
) -> Result<(), AppError> {
    result.map_err(|not_until| {
        let wait = not_until.wait_time_from(DefaultClock::default().now());
        AppError::RateLimited {
            retry_after_secs: wait.as_secs().max(1),
        }
    })
}
