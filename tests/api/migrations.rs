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
fn both_schemas_create_the_same_tables() {
    let tables = |dir: &str| {
        let mut found: Vec<String> = names(dir)
            .iter()
            .flat_map(|name| {
                let path = Path::new(env!("CARGO_MANIFEST_DIR"))
                    .join("migrations")
                    .join(dir)
                    .join(name);
                std::fs::read_to_string(path)
                    .unwrap()
                    .lines()
                    .filter_map(|l| {
                        l.trim()
                            .strip_prefix("CREATE TABLE ")
                            .map(|r| r.split_whitespace().next().unwrap_or_default().to_string())
                    })
                    .collect::<Vec<_>>()
            })
            .collect();
        found.sort();
        found
    };
    assert_eq!(tables("sqlite"), tables("postgres"));
}
