//! Which process runs a durable event consumer: one at a time, and when that process dies
//! (even by SIGKILL) the next one takes over at once, because the operating system (SQLite:
//! a lock on a file beside the database) or the database server (PostgreSQL: an advisory
//! lock held by a connection of its own) lets go together with the process.

use std::path::PathBuf;

use anyhow::Context;
use sqlx::Connection;

use super::Db;

/// Advisory locks of consumers are keyed (this class, a hash of the consumer's name).
const LOCK_CLASS: i32 = 0x4852_4241;

/// A consumer's lock, held or waited for.
pub struct ConsumerLock {
    name: &'static str,
    holder: Holder,
}

enum Holder {
    Nothing,
    /// The locked file; closing it (or the process ending) unlocks it.
    File {
        _locked: std::fs::File,
    },
    /// The connection, and whether its session holds the lock.
    Postgres(Box<sqlx::PgConnection>, bool),
}

/// What [`ConsumerLock::hold`] found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Held {
    /// Another process holds it.
    No,
    /// Taken just now: the consumer goes on from its stored position.
    Taken,
    /// Held since an earlier call.
    Still,
}

impl ConsumerLock {
    pub fn new(name: &'static str) -> Self {
        Self {
            name,
            holder: Holder::Nothing,
        }
    }

    /// Keeps or tries to take the lock.
    pub async fn hold(&mut self, db: &Db) -> anyhow::Result<Held> {
        if let Holder::Postgres(conn, true) = &mut self.holder {
            if conn.ping().await.is_ok() {
                return Ok(Held::Still);
            }
            // The session ended, and its lock with it.
            self.holder = Holder::Nothing;
        }
        if matches!(self.holder, Holder::File { .. }) {
            return Ok(Held::Still);
        }
        match db {
            Db::Sqlite(pool) => {
                let db_file = pool.connect_options().get_filename().to_path_buf();
                let path =
                    PathBuf::from(format!("{}.consumer-{}.lock", db_file.display(), self.name));
                let file = tokio::task::spawn_blocking(move || {
                    let file = std::fs::OpenOptions::new()
                        .create(true)
                        .truncate(false)
                        .write(true)
                        .open(&path)
                        .with_context(|| format!("cannot open {}", path.display()))?;
                    match file.try_lock() {
                        Ok(()) => Ok(Some(file)),
                        Err(std::fs::TryLockError::WouldBlock) => Ok(None),
                        Err(std::fs::TryLockError::Error(e)) => Err(anyhow::Error::new(e)
                            .context(format!("cannot lock {}", path.display()))),
                    }
                })
                .await??;
                Ok(match file {
                    Some(file) => {
                        self.holder = Holder::File { _locked: file };
                        Held::Taken
                    }
                    None => Held::No,
                })
            }
            Db::Postgres(pool) => {
                if !matches!(self.holder, Holder::Postgres(..)) {
                    let conn = sqlx::PgConnection::connect_with(&pool.connect_options())
                        .await
                        .context("cannot open the connection that holds a consumer's lock")?;
                    self.holder = Holder::Postgres(Box::new(conn), false);
                }
                let Holder::Postgres(conn, held) = &mut self.holder else {
                    return Ok(Held::No);
                };
                let taken = sqlx::query_scalar("SELECT pg_try_advisory_lock($1, hashtext($2))")
                    .bind(LOCK_CLASS)
                    .bind(self.name)
                    .fetch_one(&mut **conn)
                    .await;
                match taken {
                    Ok(true) => {
                        *held = true;
                        Ok(Held::Taken)
                    }
                    Ok(false) => Ok(Held::No),
                    Err(e) => {
                        self.holder = Holder::Nothing;
                        Err(e.into())
                    }
                }
            }
        }
    }

    /// Lets go of the lock (when this process found that another one took over).
    pub fn release(&mut self) {
        self.holder = Holder::Nothing;
    }
}
