//! Storage: the only module that speaks SQL. Each query is written once, in SQL that both
//! SQLite and PostgreSQL accept, and runs on whichever database the instance was given.

pub mod accounts;
pub mod answers;
pub mod backlinks;
pub mod batch;
pub mod comments;
pub mod consumer_lock;
pub mod discussion;
pub mod documents;
pub mod drafts;
pub mod events;
pub mod federation;
pub mod followers;
pub mod following;
pub mod media;
pub mod methods;
pub mod moderation;
pub mod moderation_log;
pub mod municipalities;
pub mod notifications;
pub mod policies;
pub mod polls;
pub mod proposals;
pub mod references;
pub mod remote_methods;
pub mod remote_themes;
pub mod results;
pub mod review_requests;
pub mod settings;
pub mod statistics;
pub mod summary;
pub mod survey_edits;
pub mod surveys;
pub mod terms;
pub mod theme_overview;
pub mod themes;
pub mod thresholds;

use std::path::PathBuf;
use std::str::FromStr;
use std::time::Duration;

use anyhow::Context;
use sqlx::migrate::Migrator;
use sqlx::pool::PoolConnection;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{PgConnection, PgPool, Postgres, Sqlite, SqliteConnection, SqlitePool, Transaction};

use crate::config::DatabaseTarget;

static SQLITE_MIGRATIONS: Migrator = sqlx::migrate!("./migrations/sqlite");
static POSTGRES_MIGRATIONS: Migrator = sqlx::migrate!("./migrations/postgres");

/// A connection pool to one of the two supported databases.
#[derive(Clone, Debug)]
pub enum Db {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dialect {
    Sqlite,
    Postgres,
}

/// One borrowed connection, from a pool or inside a transaction. Storage functions take
/// this and run the same SQL on whichever database it holds (see [`on_conn!`]).
pub enum Ex<'a> {
    Sqlite(&'a mut SqliteConnection),
    Postgres(&'a mut PgConnection),
}

impl Ex<'_> {
    /// The same connection for one more call, keeping this handle for later ones.
    pub fn reborrow(&mut self) -> Ex<'_> {
        match self {
            Ex::Sqlite(c) => Ex::Sqlite(c),
            Ex::Postgres(c) => Ex::Postgres(c),
        }
    }
}

/// Runs `$body` with `$c` bound to the concrete connection; the body is compiled once per
/// database, so the same SQL text and bindings serve both.
macro_rules! on_conn {
    ($ex:expr, |$c:ident| $body:expr) => {
        match $ex {
            $crate::storage::Ex::Sqlite($c) => $body,
            $crate::storage::Ex::Postgres($c) => $body,
        }
    };
}
pub(crate) use on_conn;

pub enum PooledConn {
    Sqlite(PoolConnection<Sqlite>),
    Postgres(PoolConnection<Postgres>),
}

impl PooledConn {
    pub fn ex(&mut self) -> Ex<'_> {
        match self {
            PooledConn::Sqlite(c) => Ex::Sqlite(c),
            PooledConn::Postgres(c) => Ex::Postgres(c),
        }
    }
}

/// A transaction: everything written through it lands together or not at all.
pub enum Tx {
    Sqlite(Transaction<'static, Sqlite>),
    Postgres(Transaction<'static, Postgres>),
}

impl Tx {
    pub fn ex(&mut self) -> Ex<'_> {
        match self {
            Tx::Sqlite(t) => Ex::Sqlite(t),
            Tx::Postgres(t) => Ex::Postgres(t),
        }
    }

    pub async fn commit(self) -> Result<(), sqlx::Error> {
        match self {
            Tx::Sqlite(t) => t.commit().await,
            Tx::Postgres(t) => t.commit().await,
        }
    }
}

/// A pooled connection that sat idle for longer than this is checked before it is handed
/// out (the server may have restarted meanwhile); one in steady use is not, which spares a
/// round trip per query.
const CHECK_IDLE_AFTER: Duration = Duration::from_secs(10);

/// An OS file lock beside the SQLite file that processes starting on the same file take in
/// turn while they open and migrate it; released when the returned file is dropped.
async fn sqlite_startup_lock(db_file: &std::path::Path) -> anyhow::Result<std::fs::File> {
    let lock_path = PathBuf::from(format!("{}.startup-lock", db_file.display()));
    tokio::task::spawn_blocking(move || {
        let file = std::fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&lock_path)
            .with_context(|| format!("cannot open {}", lock_path.display()))?;
        file.lock()
            .with_context(|| format!("cannot lock {}", lock_path.display()))?;
        Ok::<_, anyhow::Error>(file)
    })
    .await?
}

async fn still_alive<C: sqlx::Connection>(
    conn: &mut C,
    meta: sqlx::pool::PoolConnectionMetadata,
) -> Result<bool, sqlx::Error> {
    if meta.idle_for > CHECK_IDLE_AFTER {
        conn.ping().await?;
    }
    Ok(true)
}

impl Db {
    /// Opens the database, creating the SQLite file (and its folder) when missing.
    pub async fn connect(target: &DatabaseTarget, max_connections: u32) -> anyhow::Result<Db> {
        match target {
            DatabaseTarget::Sqlite(path) => {
                if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
                    std::fs::create_dir_all(parent).with_context(|| {
                        format!("cannot create the database folder {}", parent.display())
                    })?;
                }
                // What a resident was told is stored must survive a power loss: FULL sync.
                let options = SqliteConnectOptions::new()
                    .filename(path)
                    .create_if_missing(true)
                    .journal_mode(SqliteJournalMode::Wal)
                    .synchronous(SqliteSynchronous::Full)
                    .foreign_keys(true)
                    .busy_timeout(Duration::from_secs(10));
                // The first connection switches a new file to WAL, which needs the file to
                // itself: SQLite answers "locked" at once, without waiting, when two
                // processes try that together, so processes starting at once take turns.
                let lock = sqlite_startup_lock(path).await?;
                let pool = SqlitePoolOptions::new()
                    .max_connections(max_connections)
                    .test_before_acquire(false)
                    .before_acquire(|conn, meta| Box::pin(still_alive(conn, meta)))
                    .acquire_timeout(Duration::from_secs(15))
                    .connect_with(options)
                    .await
                    .with_context(|| format!("cannot open SQLite database {}", path.display()));
                drop(lock);
                Ok(Db::Sqlite(pool?))
            }
            DatabaseTarget::Postgres(url) => {
                let options = PgConnectOptions::from_str(url.expose())
                    .with_context(|| format!("invalid PostgreSQL URL {}", url.redacted()))?;
                let pool = PgPoolOptions::new()
                    .max_connections(max_connections)
                    .test_before_acquire(false)
                    .before_acquire(|conn, meta| Box::pin(still_alive(conn, meta)))
                    .acquire_timeout(Duration::from_secs(15))
                    .connect_with(options)
                    .await
                    .with_context(|| {
                        format!("cannot connect to PostgreSQL at {}", url.redacted())
                    })?;
                Ok(Db::Postgres(pool))
            }
        }
    }

    /// Applies pending migrations. Several processes may start at once: on PostgreSQL the
    /// migrator serialises them with an advisory lock; SQLite has no such lock, so they
    /// take turns through [`sqlite_startup_lock`].
    pub async fn migrate(&self) -> anyhow::Result<()> {
        match self {
            Db::Sqlite(pool) => {
                let lock = sqlite_startup_lock(pool.connect_options().get_filename()).await?;
                let result = migrate_sqlite(pool).await;
                drop(lock);
                result
            }
            Db::Postgres(pool) => POSTGRES_MIGRATIONS
                .run(pool)
                .await
                .context("cannot apply database migrations"),
        }
    }

    pub fn dialect(&self) -> Dialect {
        match self {
            Db::Sqlite(_) => Dialect::Sqlite,
            Db::Postgres(_) => Dialect::Postgres,
        }
    }

    pub async fn acquire(&self) -> Result<PooledConn, sqlx::Error> {
        Ok(match self {
            Db::Sqlite(pool) => PooledConn::Sqlite(pool.acquire().await?),
            Db::Postgres(pool) => PooledConn::Postgres(pool.acquire().await?),
        })
    }

    /// Begins a write transaction. On SQLite it takes the write lock at once (`BEGIN
    /// IMMEDIATE`): a transaction that read first could not take it later while another
    /// connection writes, and would fail instead of waiting.
    pub async fn begin(&self) -> Result<Tx, sqlx::Error> {
        Ok(match self {
            Db::Sqlite(pool) => Tx::Sqlite(pool.begin_with("BEGIN IMMEDIATE").await?),
            Db::Postgres(pool) => Tx::Postgres(pool.begin().await?),
        })
    }

    /// A trivial query, for the health endpoint.
    pub async fn ping(&self) -> Result<(), sqlx::Error> {
        let mut conn = self.acquire().await?;
        on_conn!(conn.ex(), |c| sqlx::query("SELECT 1")
            .execute(c)
            .await
            .map(|r| r.rows_affected()))?;
        Ok(())
    }

    pub async fn close(&self) {
        match self {
            Db::Sqlite(pool) => pool.close().await,
            Db::Postgres(pool) => pool.close().await,
        }
    }
}

/// Applies SQLite migrations on one connection with foreign keys off, as SQLite's way of
/// rebuilding a table requires (dropping the old table would otherwise cascade to every
/// row that refers to it; a transaction cannot switch them off), then checks that every
/// reference still holds before switching them on again.
async fn migrate_sqlite(pool: &SqlitePool) -> anyhow::Result<()> {
    let mut conn = pool.acquire().await?;
    sqlx::query("PRAGMA foreign_keys = OFF")
        .execute(&mut *conn)
        .await?;
    let applied = SQLITE_MIGRATIONS
        .run_direct(&mut *conn)
        .await
        .context("cannot apply database migrations");
    let broken: Result<Vec<(String,)>, sqlx::Error> =
        sqlx::query_as("SELECT \"table\" FROM pragma_foreign_key_check")
            .fetch_all(&mut *conn)
            .await;
    sqlx::query("PRAGMA foreign_keys = ON")
        .execute(&mut *conn)
        .await?;
    applied?;
    let broken = broken?;
    if !broken.is_empty() {
        anyhow::bail!(
            "after migrating, rows in {} refer to rows that do not exist",
            broken
                .iter()
                .map(|(t,)| t.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        );
    }
    Ok(())
}

/// `$from, $from+1, ...`: `count` numbered placeholders for an `IN (...)` list.
pub fn placeholders(from: usize, count: usize) -> String {
    (from..from + count)
        .map(|i| format!("${i}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Milliseconds since the Unix epoch, the portable timestamp stored in every table.
pub fn now_millis() -> i64 {
    jiff::Timestamp::now().as_millisecond()
}

/// A `LIKE ... ESCAPE '\'` pattern that finds `term` anywhere, lower-cased (compare with
/// `LOWER(column)`); `%`, `_` and `\` in the term match themselves.
pub fn like_pattern(term: &str) -> String {
    let escaped = term
        .replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_");
    format!("%{}%", escaped.to_lowercase())
}
