//! The real binary under a flood of password work that strangers can cause: concurrent
//! failed logins and sign-ups must not grow the server without bound (each argon2 hash
//! takes about 19 MiB), and freed memory must go back to the system.

use std::time::Duration;

use serde_json::json;

use crate::cli::{Server, hiroba};

/// Memory of its own (not the executable's pages, which the system can drop and reread) a
/// small town's VM can give the server with room to spare.
const LIMIT_MIB: u64 = 80;

/// The anonymous resident memory of a process: what it allocated and keeps. The pages of the
/// executable are left out: this debug build with its debug information maps about 40 MiB of
/// them, a release build a fraction of that, and the system can always reread them.
fn resident_mib(pid: u32) -> u64 {
    status_mib(pid, "RssAnon:")
}

fn status_mib(pid: u32, field: &str) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).expect("proc status");
    status
        .lines()
        .find_map(|l| l.strip_prefix(field))
        .and_then(|v| v.split_whitespace().next())
        .and_then(|kib| kib.parse::<u64>().ok())
        .expect(field)
        / 1024
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn failed_logins_and_signups_leave_memory_bounded() {
    let data = tempfile::tempdir().unwrap();
    let mut cmd = hiroba(data.path(), None);
    // Rate limits high enough that every request reaches the hashing.
    cmd.arg("serve")
        .env("HIROBA_LOGIN_ATTEMPTS_PER_MINUTE", "1000")
        .env("HIROBA_SIGNUPS_PER_HOUR", "1000")
        .env("RUST_LOG", "info");
    let server = Server::start(cmd);
    let pid = server.child.id();
    let started = resident_mib(pid);
    let client = reqwest::Client::new();

    let logins = (0..100).map(|n| {
        let (client, base) = (client.clone(), server.base.clone());
        tokio::spawn(async move {
            client
                .post(format!("{base}/api/v1/auth/login"))
                .json(&json!({"login": format!("nobody{n}"), "password": "wrong password 123"}))
                .send()
                .await
                .map(|r| r.status().as_u16())
                .unwrap_or(0)
        })
    });
    let signups = (0..50).map(|n| {
        let (client, base) = (client.clone(), server.base.clone());
        tokio::spawn(async move {
            client
                .post(format!("{base}/api/v1/auth/signup"))
                .json(&json!({
                    "handle": format!("resident{n}"),
                    "password": "a long enough password",
                    "email": format!("resident{n}@example.jp"),
                }))
                .send()
                .await
                .map(|r| r.status().as_u16())
                .unwrap_or(0)
        })
    });
    let mut statuses = Vec::new();
    for task in logins.chain(signups).collect::<Vec<_>>() {
        statuses.push(task.await.unwrap());
    }
    let peak = resident_mib(pid);
    // Every answer is a real one: wrong login, created, or "busy, come back" with no 5xx
    // but 503.
    assert!(
        statuses.iter().all(|s| [201, 401, 503].contains(s)),
        "{statuses:?}"
    );
    assert!(
        statuses.contains(&401) && statuses.contains(&201),
        "{statuses:?}"
    );
    tokio::time::sleep(Duration::from_secs(3)).await;
    let idle = resident_mib(pid);
    println!(
        "anonymous resident memory: {started} MiB at start, {peak} MiB after the flood, \
         {idle} MiB idle (with the executable's pages: {} MiB)",
        status_mib(pid, "VmRSS:")
    );
    assert!(
        peak < LIMIT_MIB,
        "{peak} MiB after the flood (started at {started} MiB)"
    );
    assert!(
        idle < LIMIT_MIB,
        "{idle} MiB when idle (started at {started} MiB)"
    );
}
