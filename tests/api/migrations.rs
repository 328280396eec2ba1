//! The two migration folders must stay in step: same file names, same order.

use std::path::Path;

use crate::helpers::{Backend, TestDatabase};

fn names(dir: &str) -> Vec<String> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("migrations")
        .join(dir);
    let mut names: Vec<String> = std::fs::read_dir(&path)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

#[test]
fn sqlite_and_postgres_migrations_have_the_same_files() {
    let sqlite = names("sqlite");
    let postgres = names("postgres");
    assert!(!sqlite.is_empty(), "no migrations found");
    assert_eq!(
        sqlite, postgres,
        "migrations/sqlite and migrations/postgres differ"
    );
}

#[test]
fn both_schemas_end_with_the_same_tables() {
    let tables = |dir: &str| {
        // Replay CREATE, DROP and RENAME to get the tables that exist in the end.
        let mut tables: Vec<String> = Vec::new();
        for name in names(dir) {
            let path = Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("migrations")
                .join(dir)
                .join(name);
            for line in std::fs::read_to_string(path).unwrap().lines() {
                let words: Vec<&str> = line
                    .trim()
                    .trim_end_matches(';')
                    .split_whitespace()
                    .collect();
                match words.as_slice() {
                    ["CREATE", "TABLE", table, ..] => tables.push(table.to_string()),
                    ["DROP", "TABLE", table] => tables.retain(|t| t != table),
                    ["ALTER", "TABLE", from, "RENAME", "TO", to] => {
                        tables.retain(|t| t != from);
                        tables.push(to.to_string());
                    }
                    _ => {}
                }
            }
        }
        tables.sort();
        tables
    };
    let sqlite = tables("sqlite");
    assert!(sqlite.contains(&"comments".to_string()));
    assert_eq!(sqlite, tables("postgres"));
}

/// Upgrading keeps what was stored: a database filled under the schema before proposals
/// could come from the fediverse (migrations 6 and 8 rebuild tables on SQLite) keeps every
/// proposal, everything that hangs off one, and the queued deliveries, after `migrate`.
async fn upgrading_keeps_stored_proposals_and_what_refers_to_them(backend: Backend) {
    use hiroba::storage::Db;
    let database = TestDatabase::create(&backend).await;
    let db = Db::connect(&database.target, 2).await.expect("connect");
    let dir = match db.dialect() {
        hiroba::storage::Dialect::Sqlite => "sqlite",
        hiroba::storage::Dialect::Postgres => "postgres",
    };
    let mut before = sqlx::migrate::Migrator::new(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("migrations")
            .join(dir),
    )
    .await
    .expect("read migrations");
    before.migrations = before
        .migrations
        .iter()
        .filter(|m| m.version < 6)
        .cloned()
        .collect::<Vec<_>>()
        .into();
    let fill = [
        "INSERT INTO users (id, handle, password_hash, role, created_at, updated_at) VALUES (1, 'hanako', 'x', 'resident', 0, 0)",
        "INSERT INTO themes (id, slug, title, status, created_at, updated_at) VALUES (1, 'parks', 'Parks', 'open', 0, 0)",
        "INSERT INTO proposals (id, theme_id, author_id, title, body, created_at, updated_at) VALUES (7, 1, 1, 'ベンチ', '本文', 1, 2)",
        "INSERT INTO proposal_tags (proposal_id, tag) VALUES (7, '公園')",
        "INSERT INTO supports (proposal_id, user_id, created_at) VALUES (7, 1, 3)",
        "INSERT INTO comments (id, proposal_id, author_id, body, created_at, updated_at) VALUES (1, 7, 1, 'いいね', 4, 4)",
        "INSERT INTO remote_actors (id, actor_id, domain, kind, inbox, key_id, public_key_pem, fetched_at) VALUES (1, 'https://peer.example/u/a', 'peer.example', 'Person', 'https://peer.example/inbox', 'k', 'pem', 0)",
        "INSERT INTO remote_supports (proposal_id, remote_actor_id, like_id, created_at) VALUES (7, 1, 'https://peer.example/likes/1', 5)",
        "INSERT INTO deliveries (inbox, domain, activity, signer_kind, signer_id, next_attempt_at, created_at) VALUES ('https://peer.example/inbox', 'peer.example', '{\"type\":\"Like\"}', 'instance', 0, 6, 6)",
    ];
    let counts = [
        "SELECT COUNT(*) FROM proposals WHERE id = 7 AND title = 'ベンチ' AND author_id = 1",
        "SELECT COUNT(*) FROM proposal_tags WHERE proposal_id = 7",
        "SELECT COUNT(*) FROM supports WHERE proposal_id = 7",
        "SELECT COUNT(*) FROM comments WHERE proposal_id = 7",
        "SELECT COUNT(*) FROM remote_supports WHERE proposal_id = 7",
        // A delivery queued before bodies were stored once keeps its own copy.
        "SELECT COUNT(*) FROM deliveries WHERE activity = '{\"type\":\"Like\"}' AND activity_id IS NULL",
    ];
    match &db {
        Db::Sqlite(pool) => {
            before.run(pool).await.expect("migrations 1-5");
            for sql in fill {
                sqlx::query(sql).execute(pool).await.expect(sql);
            }
        }
        Db::Postgres(pool) => {
            before.run(pool).await.expect("migrations 1-5");
            for sql in fill {
                sqlx::query(sql).execute(pool).await.expect(sql);
            }
        }
    }
    db.migrate().await.expect("the remaining migrations");
    for sql in counts {
        let n: i64 = match &db {
            Db::Sqlite(pool) => sqlx::query_scalar(sql).fetch_one(pool).await,
            Db::Postgres(pool) => sqlx::query_scalar(sql).fetch_one(pool).await,
        }
        .expect(sql);
        assert_eq!(n, 1, "{sql}");
    }
    if let Db::Sqlite(pool) = &db {
        let broken: Vec<(String, i64, String, i64)> = sqlx::query_as("PRAGMA foreign_key_check")
            .fetch_all(pool)
            .await
            .expect("foreign key check");
        assert!(broken.is_empty(), "dangling references: {broken:?}");
        let deletes_cascade: i64 = {
            sqlx::query("DELETE FROM proposals WHERE id = 7")
                .execute(pool)
                .await
                .expect("delete");
            sqlx::query_scalar("SELECT COUNT(*) FROM comments")
                .fetch_one(pool)
                .await
                .expect("count")
        };
        assert_eq!(deletes_cascade, 0, "comments still follow their proposal");
    }
    db.close().await;
}

crate::both_databases!(upgrading_keeps_stored_proposals_and_what_refers_to_them);
