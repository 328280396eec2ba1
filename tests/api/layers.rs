//! How the folders of `src/` may depend on each other: `services` calls `storage` and
//! `domain` and imports no face (`federation`, `http`, `web`); `federation` imports nothing
//! of `http` or `web` (errors leave through `error::problem`). What reaches the fediverse
//! goes through the event log, and what services must ask the fediverse while a user waits
//! goes through `services::directory`, which the federation face implements.

use std::path::Path;

fn rust_files(folder: &Path) -> Vec<std::path::PathBuf> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(folder).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            files.extend(rust_files(&path));
        } else if path.extension().is_some_and(|e| e == "rs") {
            files.push(path);
        }
    }
    files.sort();
    files
}

#[test]
fn services_import_no_face() {
    let services = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/services");
    let mut wrong = Vec::new();
    for file in rust_files(&services) {
        let name = file.file_name().unwrap().to_string_lossy().to_string();
        let text = std::fs::read_to_string(&file).unwrap();
        for face in ["federation", "http", "web"] {
            if text.contains(&format!("crate::{face}")) {
                wrong.push(format!("{name} imports {face}"));
            }
        }
        if text.contains("state.federation") {
            wrong.push(format!("{name} reaches into the federation face's state"));
        }
    }
    assert!(wrong.is_empty(), "{wrong:#?}");
}

#[test]
fn federation_imports_neither_http_nor_web() {
    let federation = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/federation");
    let wrong: Vec<String> = rust_files(&federation)
        .into_iter()
        .filter(|file| {
            let text = std::fs::read_to_string(file).unwrap();
            text.contains("crate::http") || text.contains("crate::web")
        })
        .map(|file| file.display().to_string())
        .collect();
    assert!(wrong.is_empty(), "{wrong:#?}");
}
