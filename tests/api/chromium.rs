//! The whole journey in a real browser: headless Chromium, driven by playwright-core from
//! `tests/browser/`, with an axe-core accessibility scan of each page. Needs Node, Debian's
//! `chromium` and `npm ci --prefix tests/browser`; skipped with a message without them,
//! unless HIROBA_TEST_REQUIRE_BROWSER=1 (as in CI).

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::json;

use crate::helpers::{Backend, PASSWORD, day, phase_today, spawn_app_with};
use crate::two_instances::{TestHost, instance_with};

fn missing_tools(dir: &Path, chromium: &Path) -> Vec<String> {
    let mut missing = Vec::new();
    if Command::new("node").arg("--version").output().is_err() {
        missing.push("node".to_string());
    }
    if !chromium.exists() {
        missing.push(format!("chromium at {}", chromium.display()));
    }
    for package in ["playwright-core", "axe-core"] {
        if !dir.join("node_modules").join(package).exists() {
            missing.push(format!("{package} (npm ci --prefix tests/browser)"));
        }
    }
    missing
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn residents_and_staff_in_chromium() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests")
        .join("browser");
    let chromium = PathBuf::from(
        std::env::var("HIROBA_CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into()),
    );
    let missing = missing_tools(&dir, &chromium);
    if !missing.is_empty() {
        if std::env::var("HIROBA_TEST_REQUIRE_BROWSER").is_ok_and(|v| v == "1") {
            panic!(
                "the browser test is required but these are missing: {}",
                missing.join(", ")
            );
        }
        let _ = writeln!(
            std::io::stderr(),
            "SKIPPED: browser test (missing: {})",
            missing.join(", ")
        );
        return;
    }

    // It may fetch the other city's theme that staff reference (on a loopback address).
    let app = spawn_app_with(&Backend::Sqlite, |config| {
        config.federation.insecure = true;
    })
    .await;
    let other_host = TestHost::new("chofu-browser", "127.0.0.27");
    let other = instance_with(&Backend::Sqlite, &other_host, "127.0.0.27", |config| {
        config.municipality.name_ja = "調布市".into();
    })
    .await;
    let other_staff = other.staff().await;
    other
        .theme(
            &other_staff,
            "shinchosha",
            "open",
            phase_today(true, true, true),
        )
        .await;
    let reference = format!("{}/themes/shinchosha", other.config.public_url());
    let staff = app.staff().await;
    // The phase also takes amendments to drafts.
    let mut phases = phase_today(true, true, true);
    phases[0]["allows"]["amendments"] = json!(true);
    app.theme(&staff, "parks", "open", phases).await;
    let taro = app.resident("taro").await;
    let idea = app.idea(&taro, "parks", "駅前に駐輪場を").await;
    app.post(
        &format!("/api/v1/proposals/{idea}/comments"),
        Some(&taro),
        json!({"body": "失礼な言葉"}),
    )
    .await
    .expect(201);

    let screenshots = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("screenshots");
    let address = app.address.clone();
    let output = tokio::task::spawn_blocking(move || {
        Command::new("node")
            .arg("flow.mjs")
            .current_dir(&dir)
            .env("HIROBA_URL", address)
            .env("HIROBA_PASSWORD", PASSWORD)
            .env("HIROBA_IDEA_PATH", format!("/proposals/{idea}"))
            .env("HIROBA_SCREENSHOTS", &screenshots)
            .env("HIROBA_CHROMIUM", &chromium)
            .env("HIROBA_TODAY", day(0))
            .env("HIROBA_LATER", day(30))
            .env("HIROBA_REFERENCE_URL", reference)
            .output()
            .expect("run node")
    })
    .await
    .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "browser journey failed\n{stdout}\n{stderr}"
    );
    // What the browser did is visible in the database too.
    let comments = app
        .get(&format!("/api/v1/proposals/{idea}/comments"), None)
        .await
        .expect(200);
    let statuses: Vec<&str> = comments
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["status"].as_str().unwrap())
        .collect();
    assert_eq!(statuses, ["hidden", "published"]);
    let theme = app
        .get("/api/v1/themes/kodomo-no-koe", None)
        .await
        .expect(200);
    assert_eq!(theme["status"], "open");
    let references = app
        .get("/api/v1/themes/kodomo-no-koe/references", None)
        .await
        .expect(200);
    assert_eq!(references[0]["title"], "Theme shinchosha", "{references}");
}
