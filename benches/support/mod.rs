//! What every benchmark needs: accounts to act as, the server under test as a process of
//! its own, and that process's memory.
// Each benchmark uses part of it.
#![allow(dead_code)]

use hiroba::domain::Role;
use hiroba::services::accounts::{self, SignupInput};
use hiroba::services::{CurrentUser, Viewer};
use hiroba::state::AppState;

/// A memory figure (`VmRSS:` now, `VmHWM:` peak) of a process, in KiB.
pub fn rss_kib(pid: u32, field: &str) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .unwrap_or_default()
        .lines()
        .find_map(|l| {
            l.strip_prefix(field)
                .map(|v| v.trim().trim_end_matches(" kB").trim().parse().unwrap_or(0))
        })
        .unwrap_or(0)
}

/// A new account with `role`, as a viewer of the services.
pub async fn viewer(state: &AppState, handle: &str, role: Role) -> Viewer {
    let user = accounts::create_user_with_role(
        state,
        SignupInput {
            handle: Some(handle.into()),
            email: None,
            password: "bench password".into(),
            display_name: None,
            accepted_terms: None,
        },
        role,
    )
    .await
    .expect("user");
    Viewer(Some(CurrentUser {
        id: user.id,
        handle: user.handle,
        display_name: user.display_name,
        role,
    }))
}

/// The server under test, stopped when dropped.
pub struct Server(pub std::process::Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// A fresh instance to measure: its data folder, address and database (SQLite in the
/// folder, or the empty PostgreSQL database `HIROBA_BENCH_DATABASE_URL` names), migrated,
/// with a state of its own for seeding through the services.
pub struct Instance {
    pub data: tempfile::TempDir,
    pub domain: String,
    pub base: String,
    pub database_url: String,
    pub state: AppState,
}

pub async fn instance() -> Instance {
    use hiroba::config::{Config, DatabaseTarget, SecretUrl};
    let data = tempfile::tempdir().expect("temp dir");
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("port")
        .port();
    let domain = format!("127.0.0.1:{port}");
    let database_url = std::env::var("HIROBA_BENCH_DATABASE_URL")
        .unwrap_or_else(|_| format!("sqlite://{}", data.path().join("bench.sqlite3").display()));
    let mut config = Config::for_data_dir(data.path());
    config.domain = domain.clone();
    config.database = if database_url.starts_with("postgres") {
        DatabaseTarget::Postgres(SecretUrl::new(database_url.clone()))
    } else {
        DatabaseTarget::Sqlite(data.path().join("bench.sqlite3"))
    };
    println!("database: {}", config.database.describe());
    let db = hiroba::storage::Db::connect(&config.database, 4)
        .await
        .expect("database");
    db.migrate().await.expect("migrate");
    let state = AppState::new(db, config).expect("state");
    Instance {
        base: format!("http://{domain}"),
        data,
        domain,
        database_url,
        state,
    }
}

impl Instance {
    /// Starts the real `hiroba serve` on the instance and waits until it answers.
    pub async fn serve(&self, client: &reqwest::Client) -> Server {
        let server = Server(
            std::process::Command::new(env!("CARGO_BIN_EXE_hiroba"))
                .arg("serve")
                .env("HIROBA_DATA_DIR", self.data.path())
                .env("HIROBA_DATABASE_URL", &self.database_url)
                .env("HIROBA_LISTEN", &self.domain)
                .env("HIROBA_DOMAIN", &self.domain)
                .env("RUST_LOG", "error")
                .spawn()
                .expect("start hiroba serve"),
        );
        let started = std::time::Instant::now();
        while !client
            .get(format!("{}/health", self.base))
            .send()
            .await
            .is_ok_and(|r| r.status().is_success())
        {
            assert!(
                started.elapsed() < std::time::Duration::from_secs(30),
                "the server did not start"
            );
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        server
    }
}

/// Rate and latency of `requests` GETs of one URL by `clients` concurrent clients.
pub async fn measure(
    client: &reqwest::Client,
    url: &str,
    requests: usize,
    clients: usize,
) -> (f64, std::time::Duration, std::time::Duration) {
    // Warm up: caches, connections, the first template render.
    for _ in 0..clients {
        let response = client.get(url).send().await.expect("request");
        assert!(
            response.status().is_success(),
            "{url}: {}",
            response.status()
        );
        let _ = response.bytes().await;
    }
    let next = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let started = std::time::Instant::now();
    let tasks: Vec<_> = (0..clients)
        .map(|_| {
            let (client, url, next) = (client.clone(), url.to_string(), next.clone());
            tokio::spawn(async move {
                let mut times = Vec::new();
                while next.fetch_add(1, std::sync::atomic::Ordering::Relaxed) < requests {
                    let one = std::time::Instant::now();
                    let response = client.get(&url).send().await.expect("request");
                    assert!(
                        response.status().is_success(),
                        "{url}: {}",
                        response.status()
                    );
                    let _ = response.bytes().await.expect("body");
                    times.push(one.elapsed());
                }
                times
            })
        })
        .collect();
    let mut times = Vec::with_capacity(requests);
    for task in tasks {
        times.extend(task.await.expect("client"));
    }
    let elapsed = started.elapsed().as_secs_f64();
    times.sort();
    let at = |q: f64| times[((times.len() as f64 * q) as usize).min(times.len() - 1)];
    (times.len() as f64 / elapsed, at(0.50), at(0.99))
}
