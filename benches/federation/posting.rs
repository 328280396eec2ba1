//! Posting ideas through the API, each request timed, on this build and (with
//! `HIROBA_BENCH_COMPARE=<path to another build's hiroba>`) on another one, in alternating
//! runs; and the event log's own cost: how many events per second the publisher works
//! through when nobody follows. Each run is a fresh server process on a fresh database,
//! prepared only through what every build has (`admin create-user` and the API), so builds
//! with different migrations can be compared.

use std::io::Write;
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

const PASSWORD: &str = "bench password 1";
/// Ideas per measured run, and how many are posted at once.
const POSTS: usize = 2000;
const CLIENTS: usize = 8;
const ROUNDS: usize = 3;

/// Where a run's server keeps its data.
struct Store {
    dir: tempfile::TempDir,
    /// A fresh PostgreSQL database's URL, or `None` for SQLite in `dir`.
    database_url: Option<String>,
}

impl Store {
    async fn new(postgres: Option<&str>, n: usize) -> Store {
        let database_url = match postgres {
            None => None,
            Some(url) => {
                use sqlx::Connection;
                let name = format!("hiroba_bench_posting_{}_{n}", std::process::id());
                let mut conn = sqlx::PgConnection::connect(url).await.expect("PostgreSQL");
                sqlx::query(&format!("CREATE DATABASE {name}"))
                    .execute(&mut conn)
                    .await
                    .expect("create database");
                let mut parsed = url::Url::parse(url).expect("URL");
                parsed.set_path(&format!("/{name}"));
                Some(parsed.to_string())
            }
        };
        Store {
            dir: tempfile::tempdir().unwrap(),
            database_url,
        }
    }

    /// Drops the run's PostgreSQL database.
    async fn remove(self, postgres: Option<&str>) {
        use sqlx::Connection;
        if let (Some(url), Some(own)) = (postgres, &self.database_url) {
            let name = own.rsplit('/').next().unwrap_or_default().to_string();
            let mut conn = sqlx::PgConnection::connect(url).await.expect("PostgreSQL");
            let _ = sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                .execute(&mut conn)
                .await;
        }
    }

    fn command(&self, binary: &str, listen: &str) -> Command {
        let mut cmd = Command::new(binary);
        cmd.env("HIROBA_DATA_DIR", self.dir.path())
            .env("HIROBA_LISTEN", listen)
            .env("HIROBA_DOMAIN", listen)
            .env("HIROBA_LOGIN_ATTEMPTS_PER_MINUTE", "1000")
            .env("RUST_LOG", "error");
        if let Some(url) = &self.database_url {
            cmd.env("HIROBA_DATABASE_URL", url);
        }
        cmd
    }

    fn create_user(&self, binary: &str, handle: &str, role: &str) {
        let mut child = self
            .command(binary, "127.0.0.1:0")
            .args(["admin", "create-user", "--handle", handle, "--role", role])
            .arg("--password-stdin")
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .spawn()
            .expect("hiroba admin create-user");
        writeln!(child.stdin.take().unwrap(), "{PASSWORD}").unwrap();
        assert!(child.wait().unwrap().success(), "create-user {handle}");
    }
}

struct Running(std::process::Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

async fn start(store: &Store, binary: &str, listen: &str, consumers: bool) -> Running {
    let server = Running(
        store
            .command(binary, listen)
            .arg("serve")
            .env(
                "HIROBA_RUN_EVENT_CONSUMERS",
                if consumers { "1" } else { "0" },
            )
            .stdout(Stdio::null())
            .spawn()
            .expect("hiroba serve"),
    );
    let client = reqwest::Client::new();
    let started = Instant::now();
    while !client
        .get(format!("http://{listen}/health"))
        .send()
        .await
        .is_ok_and(|r| r.status().is_success())
    {
        assert!(started.elapsed() < Duration::from_secs(30), "no server");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    server
}

/// Cookie and CSRF token of a login.
async fn login(client: &reqwest::Client, base: &str, handle: &str) -> (String, String) {
    let response = client
        .post(format!("{base}/api/v1/auth/login"))
        .json(&json!({"login": handle, "password": PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200, "login {handle}");
    let cookie = response.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_string();
    let csrf = response.json::<Value>().await.unwrap()["csrf_token"]
        .as_str()
        .unwrap()
        .to_string();
    (cookie, csrf)
}

fn phase_open_today() -> Value {
    let today = jiff::Timestamp::now()
        .to_zoned(jiff::tz::TimeZone::get("Asia/Tokyo").unwrap())
        .date();
    json!([{"name": "考える", "starts_on": today.yesterday().unwrap().to_string(),
            "ends_on": today.tomorrow().unwrap().to_string(),
            "allows": {"ideas": true, "comments": true, "supports": true}}])
}

/// A fresh server with a staff member, a resident and an open theme; the resident's login.
async fn prepared(
    store: &Store,
    binary: &str,
    listen: &str,
    consumers: bool,
) -> (Running, (String, String)) {
    store.create_user(binary, "bench_staff", "staff");
    store.create_user(binary, "bench_resident", "resident");
    let server = start(store, binary, listen, consumers).await;
    let base = format!("http://{listen}");
    let client = reqwest::Client::new();
    let (cookie, csrf) = login(&client, &base, "bench_staff").await;
    let created = client
        .post(format!("{base}/api/v1/themes"))
        .header("cookie", cookie)
        .header("x-csrf-token", csrf)
        .json(
            &json!({"slug": "bench", "title": "ベンチ", "status": "open",
                      "phases": phase_open_today()}),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(created.status(), 201, "{:?}", created.text().await);
    let resident = login(&client, &base, "bench_resident").await;
    (server, resident)
}

/// Posts `total` ideas, `CLIENTS` at a time; the latency of each, sorted, and the rate.
async fn post_ideas(base: &str, session: &(String, String), total: usize) -> (Vec<Duration>, f64) {
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(CLIENTS)
        .build()
        .unwrap();
    let latencies = Arc::new(Mutex::new(Vec::with_capacity(total)));
    let next = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let started = Instant::now();
    let tasks: Vec<_> = (0..CLIENTS)
        .map(|_| {
            let (client, latencies, next) = (client.clone(), latencies.clone(), next.clone());
            let (base, (cookie, csrf)) = (base.to_string(), session.clone());
            tokio::spawn(async move {
                loop {
                    let n = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    if n >= total {
                        break;
                    }
                    let sent = Instant::now();
                    let response = client
                        .post(format!("{base}/api/v1/themes/bench/proposals"))
                        .header("cookie", &cookie)
                        .header("x-csrf-token", &csrf)
                        .json(&json!({"title": format!("計測 {n}"), "body": "本文"}))
                        .send()
                        .await
                        .unwrap();
                    assert_eq!(response.status(), 201);
                    let _ = response.bytes().await;
                    latencies.lock().unwrap().push(sent.elapsed());
                }
            })
        })
        .collect();
    for task in tasks {
        task.await.unwrap();
    }
    let rate = total as f64 / started.elapsed().as_secs_f64();
    let mut all = std::mem::take(&mut *latencies.lock().unwrap());
    all.sort_unstable();
    (all, rate)
}

fn quantile(sorted: &[Duration], q: f64) -> f64 {
    let i = ((sorted.len() as f64 - 1.0) * q).round() as usize;
    sorted[i].as_secs_f64() * 1000.0
}

fn free_listen() -> String {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .unwrap()
        .port();
    format!("127.0.0.1:{port}")
}

pub async fn posting(postgres: Option<&str>) {
    let this = env!("CARGO_BIN_EXE_hiroba").to_string();
    let mut builds = vec![("this build", this.clone())];
    if let Ok(other) = std::env::var("HIROBA_BENCH_COMPARE") {
        builds.insert(0, ("compared build", other));
    }
    println!(
        "posting: {POSTS} ideas through the API, {CLIENTS} at a time, {ROUNDS} alternating rounds"
    );
    let mut n = 0;
    for round in 1..=ROUNDS {
        for (label, binary) in &builds {
            n += 1;
            let store = Store::new(postgres, n).await;
            let listen = free_listen();
            let (server, resident) = prepared(&store, binary, &listen, true).await;
            let base = format!("http://{listen}");
            post_ideas(&base, &resident, 100).await;
            let (latencies, rate) = post_ideas(&base, &resident, POSTS).await;
            println!(
                "  round {round}, {label}: p50 {:.2} ms, p99 {:.2} ms, {rate:.0} ideas/s",
                quantile(&latencies, 0.5),
                quantile(&latencies, 0.99)
            );
            drop(server);
            store.remove(postgres).await;
        }
    }

    // The publisher's pace when nobody follows: ideas posted while it is off, then the
    // time a fresh process takes to work through their events.
    n += 1;
    let store = Store::new(postgres, n).await;
    let listen = free_listen();
    let (server, resident) = prepared(&store, &this, &listen, false).await;
    post_ideas(&format!("http://{listen}"), &resident, POSTS).await;
    drop(server);
    let started = Instant::now();
    let server = start(&store, &this, &listen, true).await;
    let client = reqwest::Client::new();
    loop {
        let health: Value = client
            .get(format!("http://{listen}/health"))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let lag = health["event_consumers"]
            .as_array()
            .and_then(|all| all.iter().find(|c| c["name"] == "federation_publisher"))
            .map(|c| c["lag"].as_i64().unwrap_or(i64::MAX));
        if lag == Some(0) {
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(300),
            "the publisher did not catch up"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let elapsed = started.elapsed().as_secs_f64();
    println!(
        "event log: {POSTS} events with nobody following worked through in {elapsed:.2} s \
         from the process start: {:.0} events/s",
        POSTS as f64 / elapsed
    );
    drop(server);
    store.remove(postgres).await;
}
