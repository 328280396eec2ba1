//! The two migration folders must stay in step: same file names, same order.

use std::path::Path;

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
