//! Federation benchmark: `cargo bench --bench federation`. Measures, on this machine and in
//! one run: ActivityPub reads of a proposal, signed inbox activities verified and stored,
//! and the delivery of one proposal to many follower inboxes on loopback sinks, compared with
//! what OpenSSL can sign (`openssl speed rsa2048`). The server is the real `hiroba serve`
//! binary in a process of its own (so its memory is its own); this process seeds its
//! database, runs the clients and the loopback sinks, and shares the machine with it.
//! HIROBA_BENCH_DATABASE_URL selects PostgreSQL (a fresh, empty database);
//! HIROBA_BENCH_WORKERS sets the delivery workers (default 4); HIROBA_BENCH_LOG the server's
//! log filter; HIROBA_BENCH_PROGRESS=1 prints how many deliveries arrived, twice a second;
//! HIROBA_BENCH_COMPARE another build's `hiroba` binary for the posting part.

#[path = "support/mod.rs"]
mod support;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};
use support::{Server, rss_kib, viewer};

use axum::http::{HeaderValue, Method};
use hiroba::config::{Config, DatabaseTarget, SecretUrl};
use hiroba::domain::Role;
use hiroba::federation::signatures::sign_request;
use hiroba::services::Viewer;
use hiroba::services::accounts;
use hiroba::services::proposals;
use hiroba::services::themes::{self, ThemeInput};
use hiroba::state::AppState;
use hiroba::storage::federation::{self as store, RemoteActorRow};
use hiroba::storage::{Db, now_millis};
use openssl::pkey::PKey;
use openssl::rsa::Rsa;
use serde_json::json;

#[path = "federation/posting.rs"]
mod posting;

/// Headers and body of a pre-signed inbox POST.
type SignedRequest = (Vec<(&'static str, String)>, Vec<u8>);

/// RSA-2048 signatures per second that `openssl speed` makes on one core, or on `cores`
/// cores at once.
fn openssl_sign_rate(cores: usize) -> Option<f64> {
    let mut command = std::process::Command::new("openssl");
    command.args(["speed", "-seconds", "3"]);
    if cores > 1 {
        command.args(["-multi", &cores.to_string()]);
    }
    let out = command.arg("rsa2048").output().ok()?;
    let text = String::from_utf8_lossy(&out.stdout);
    let line = text.lines().find(|l| l.starts_with("rsa 2048 bits"))?;
    line.split_whitespace().nth(5)?.parse().ok()
}

/// CPU time (user and system) that a process has used so far, in seconds.
fn cpu_seconds(pid: u32) -> f64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    // The fields after the command name, which is in parentheses and may hold spaces.
    let fields: Vec<&str> = stat
        .rsplit_once(')')
        .map(|(_, rest)| rest.split_whitespace().collect())
        .unwrap_or_default();
    let ticks = |i: usize| {
        fields
            .get(i)
            .and_then(|f| f.parse::<f64>().ok())
            .unwrap_or(0.0)
    };
    // utime and stime (fields 14 and 15 of the line), in USER_HZ ticks of 1/100 s.
    (ticks(11) + ticks(12)) / 100.0
}

/// CPU time used so far by all PostgreSQL server processes on this machine, in seconds.
fn postgres_cpu_seconds() -> f64 {
    std::fs::read_dir("/proc")
        .map(|entries| {
            entries
                .filter_map(|e| e.ok()?.file_name().to_str()?.parse::<u32>().ok())
                .filter(|pid| {
                    std::fs::read_to_string(format!("/proc/{pid}/comm"))
                        .is_ok_and(|c| c.trim() == "postgres")
                })
                .map(cpu_seconds)
                .sum()
        })
        .unwrap_or(0.0)
}

/// Whether to run this part of the benchmark: `HIROBA_BENCH_ONLY`, a comma-separated list of
/// `reads`, `inbox` and `delivery` (all three when unset).
fn wanted(part: &str) -> bool {
    std::env::var("HIROBA_BENCH_ONLY")
        .map_or(true, |only| only.split(',').any(|p| p.trim() == part))
}

/// Runs `total` requests with `concurrency` clients; returns requests per second.
async fn hammer<F, Fut>(total: usize, concurrency: usize, make: F) -> f64
where
    F: Fn(usize) -> Fut + Send + Sync + 'static,
    Fut: std::future::Future<Output = bool> + Send,
{
    let make = Arc::new(make);
    let next = Arc::new(AtomicU64::new(0));
    let failures = Arc::new(AtomicU64::new(0));
    let start = Instant::now();
    let tasks: Vec<_> = (0..concurrency)
        .map(|_| {
            let (make, next, failures) = (make.clone(), next.clone(), failures.clone());
            tokio::spawn(async move {
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed) as usize;
                    if i >= total {
                        break;
                    }
                    if !make(i).await {
                        failures.fetch_add(1, Ordering::Relaxed);
                    }
                }
            })
        })
        .collect();
    for task in tasks {
        let _ = task.await;
    }
    let elapsed = start.elapsed().as_secs_f64();
    let failed = failures.load(Ordering::Relaxed);
    assert_eq!(failed, 0, "{failed} requests failed");
    total as f64 / elapsed
}

/// A loopback inbox that accepts everything and counts.
async fn sink(ip: &str, received: Arc<AtomicU64>) -> SocketAddr {
    let listener = tokio::net::TcpListener::bind((ip, 0))
        .await
        .expect("bind sink");
    let addr = listener.local_addr().unwrap();
    let app = axum::Router::new().route(
        "/inbox",
        // It reads the body, as a real inbox does: a server that answers without reading
        // it closes the connection, and every delivery would need a new one.
        axum::routing::post(move |_body: axum::body::Bytes| {
            let received = received.clone();
            async move {
                received.fetch_add(1, Ordering::Relaxed);
                axum::http::StatusCode::ACCEPTED
            }
        }),
    );
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    addr
}

fn main() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(run());
}

async fn run() {
    let data = tempfile::tempdir().unwrap();
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .unwrap()
        .port();
    let domain = format!("127.0.0.1:{port}");
    let base = format!("http://{domain}");
    let database_url = std::env::var("HIROBA_BENCH_DATABASE_URL")
        .unwrap_or_else(|_| format!("sqlite://{}", data.path().join("bench.sqlite3").display()));
    let workers = std::env::var("HIROBA_BENCH_WORKERS").unwrap_or_else(|_| "4".into());
    let mut config = Config::for_data_dir(data.path());
    config.domain = domain.clone();
    config.federation.insecure = true;
    config.database = if database_url.starts_with("postgres") {
        DatabaseTarget::Postgres(SecretUrl::new(database_url.clone()))
    } else {
        DatabaseTarget::Sqlite(data.path().join("bench.sqlite3"))
    };
    println!("database: {}", config.database.describe());
    println!("delivery workers: {workers}");

    // Seed through the services on the same database, as a second process would.
    let db = Db::connect(&config.database, 4).await.expect("database");
    db.migrate().await.expect("migrate");
    let state = AppState::new(db, config).expect("state");
    let staff = viewer(&state, "bench_staff", Role::Staff).await;
    let resident = viewer(&state, "bench_resident", Role::Resident).await;
    themes::create(
        &state,
        &staff,
        ThemeInput {
            slug: "bench".into(),
            title: "ベンチ".into(),
            description: String::new(),
            tags: vec![],
            status: Some("open".into()),
            phases: vec![],
        },
    )
    .await
    .unwrap();
    let token = accounts::create_api_token(&state, &resident, "bench")
        .await
        .unwrap()
        .token
        .unwrap();

    let server = Server(
        std::process::Command::new(env!("CARGO_BIN_EXE_hiroba"))
            .arg("serve")
            .env("HIROBA_DATA_DIR", data.path())
            .env("HIROBA_DATABASE_URL", &database_url)
            .env("HIROBA_LISTEN", &domain)
            .env("HIROBA_DOMAIN", &domain)
            .env("HIROBA_FEDERATION_INSECURE", "1")
            .env("HIROBA_DELIVERY_WORKERS", &workers)
            // High enough that every login and sign-up of the flood below is hashed.
            .env("HIROBA_LOGIN_ATTEMPTS_PER_MINUTE", "1000")
            .env("HIROBA_SIGNUPS_PER_HOUR", "1000")
            .env(
                "RUST_LOG",
                std::env::var("HIROBA_BENCH_LOG").unwrap_or_else(|_| "error".into()),
            )
            .spawn()
            .expect("start hiroba serve"),
    );
    let pid = server.0.id();
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(64)
        .build()
        .unwrap();
    let started = Instant::now();
    while !client
        .get(format!("{base}/health"))
        .send()
        .await
        .is_ok_and(|r| r.status().is_success())
    {
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "the server did not start"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let post_idea = |title: String| {
        let (client, base, token) = (client.clone(), base.clone(), token.clone());
        async move {
            let created: serde_json::Value = client
                .post(format!("{base}/api/v1/themes/bench/proposals"))
                .bearer_auth(&token)
                .json(&json!({"title": title, "body": "本文", "tags": ["公園"]}))
                .send()
                .await
                .unwrap()
                .json()
                .await
                .unwrap();
            created["id"].as_i64().expect("proposal id")
        }
    };
    let proposal_id = post_idea("計測用の提案".into()).await;
    println!(
        "server memory after start: {} MiB",
        rss_kib(pid, "VmRSS:") / 1024
    );

    // 1. ActivityPub reads of a proposal.
    if wanted("reads") {
        reads(&client, &format!("{base}/proposals/{proposal_id}")).await;
    }

    // 2. Signed inbox activities (replies), verified and stored.
    if wanted("inbox") {
        inbox(&state, &client, &base, proposal_id, pid).await;
    }

    // 3. Delivery of one proposal to followers on loopback sinks.
    if wanted("delivery") {
        delivery(&state, &client, &base, &post_idea, pid).await;
    }
    // 4. A flood of password work strangers can cause: failed logins and sign-ups.
    if wanted("logins") {
        logins(&client, &base, pid).await;
    }
    println!(
        "server memory now: {} MiB; peak during the benchmark: {} MiB (this process, with clients and sinks: {} MiB)",
        rss_kib(pid, "VmRSS:") / 1024,
        rss_kib(pid, "VmHWM:") / 1024,
        rss_kib(std::process::id(), "VmHWM:") / 1024
    );
    drop(server);
    // 5. Posting through the API (latency per request, against another build when given),
    // and the event log's own pace.
    if wanted("posting") {
        let postgres = database_url
            .starts_with("postgres")
            .then_some(database_url.as_str());
        posting::posting(postgres).await;
    }
}

async fn reads(client: &reqwest::Client, url: &str) {
    let url = url.to_string();
    let reads = {
        let client = client.clone();
        hammer(20_000, 32, move |_| {
            let (client, url) = (client.clone(), url.clone());
            async move {
                client
                    .get(&url)
                    .header("accept", "application/activity+json")
                    .send()
                    .await
                    .is_ok_and(|r| r.status().is_success())
            }
        })
        .await
    };
    println!("ActivityPub reads of a proposal: {reads:.0} requests/s");
}

async fn inbox(
    state: &AppState,
    client: &reqwest::Client,
    base: &str,
    proposal_id: i64,
    server_pid: u32,
) {
    let rsa = Rsa::generate(2048).unwrap();
    let key = PKey::from_rsa(rsa.clone()).unwrap();
    let actor = "http://127.0.0.9:9/users/bench".to_string();
    let mut conn = state.db.acquire().await.unwrap();
    store::upsert_remote_actor(
        conn.ex(),
        &RemoteActorRow {
            id: 0,
            actor_id: actor.clone(),
            domain: "127.0.0.9:9".into(),
            kind: "Person".into(),
            preferred_username: Some("bench".into()),
            name: None,
            url: None,
            inbox: "http://127.0.0.9:9/inbox".into(),
            shared_inbox: None,
            key_id: format!("{actor}#main-key"),
            public_key_pem: String::from_utf8(rsa.public_key_to_pem().unwrap()).unwrap(),
            fetched_at: now_millis(),
        },
    )
    .await
    .unwrap();
    drop(conn);
    let inbox_url = url::Url::parse(&format!("{base}/inbox")).unwrap();
    let total = 10_000;
    let signed: Vec<SignedRequest> = (0..total)
        .map(|i| {
            let body = serde_json::to_vec(&json!({
                "id": format!("http://127.0.0.9:9/notes/{i}/create"),
                "type": "Create",
                "actor": actor,
                "object": {
                    "id": format!("http://127.0.0.9:9/notes/{i}"),
                    "type": "Note",
                    "attributedTo": actor,
                    "inReplyTo": format!("{base}/proposals/{proposal_id}"),
                    "content": format!("<p>返信 {i}</p>"),
                    "to": ["https://www.w3.org/ns/activitystreams#Public"]
                }
            }))
            .unwrap();
            let headers = sign_request(
                &key,
                &format!("{actor}#main-key"),
                &Method::POST,
                &inbox_url,
                Some(&body),
                jiff::Timestamp::now(),
            )
            .unwrap();
            (headers, body)
        })
        .collect();
    let signed = Arc::new(signed);
    let (server_before, postgres_before) = (cpu_seconds(server_pid), postgres_cpu_seconds());
    let inbox = {
        let client = client.clone();
        let url = inbox_url.clone();
        hammer(total, 32, move |i| {
            let (client, url, signed) = (client.clone(), url.clone(), signed.clone());
            async move {
                let (headers, body) = &signed[i];
                let mut request = client
                    .post(url)
                    .header("content-type", "application/activity+json")
                    .body(body.clone());
                for (name, value) in headers {
                    if *name != "host" {
                        request = request.header(*name, HeaderValue::from_str(value).unwrap());
                    }
                }
                request
                    .send()
                    .await
                    .is_ok_and(|r| r.status().as_u16() == 202)
            }
        })
        .await
    };
    let stored = proposals::get(state, &Viewer::default(), proposal_id)
        .await
        .unwrap()
        .comment_count;
    assert_eq!(stored as usize, total, "every reply was stored");
    let server_ms = 1000.0 * (cpu_seconds(server_pid) - server_before) / total as f64;
    let postgres_ms = 1000.0 * (postgres_cpu_seconds() - postgres_before) / total as f64;
    println!(
        "signed inbox activities verified and stored: {inbox:.0}/s \
         (CPU per activity: server {server_ms:.2} ms, PostgreSQL {postgres_ms:.2} ms)"
    );
}

async fn delivery<F, Fut>(
    state: &AppState,
    client: &reqwest::Client,
    base: &str,
    post_idea: &F,
    server_pid: u32,
) where
    F: Fn(String) -> Fut,
    Fut: std::future::Future<Output = i64>,
{
    // A server that follows the theme first fetches its actor document (for its inbox and
    // key); the followers below are written straight into the database, so fetch it once
    // the way they would have.
    let theme_actor = client
        .get(format!("{base}/themes/bench"))
        .header("accept", "application/activity+json")
        .send()
        .await
        .unwrap();
    assert!(
        theme_actor.status().is_success(),
        "the theme actor is served"
    );
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let openssl = openssl_sign_rate(1);
    let openssl_all = openssl_sign_rate(cores);
    if let (Some(one), Some(all)) = (openssl, openssl_all) {
        println!(
            "openssl speed rsa2048: {one:.0} signatures/s on one core, {all:.0}/s on all {cores} cores"
        );
    }
    // The last run has the followers' software known from NodeInfo (half group software,
    // half Mastodon-family), so each inbox gets only the one form it reads.
    let mut unknown_seconds = None;
    for (followers, instances, known) in [
        (1_000usize, 100usize, false),
        (10_000, 1_000, false),
        (10_000, 1_000, true),
    ] {
        let received = Arc::new(AtomicU64::new(0));
        let mut sinks = Vec::with_capacity(instances);
        for i in 0..instances {
            sinks.push(sink(&format!("127.0.1.{}", 1 + i % 250), received.clone()).await);
        }
        let mut conn = state.db.acquire().await.unwrap();
        let theme = hiroba::storage::themes::find_theme_by_slug(conn.ex(), "bench")
            .await
            .unwrap()
            .unwrap();
        sqlx_clear_followers(state).await;
        for f in 0..followers {
            let sink = sinks[f % instances];
            let inbox = format!("http://{sink}/inbox?follower={f}");
            store::add_follower(
                conn.ex(),
                "theme",
                theme.id,
                &format!("http://{sink}/users/{f}"),
                &inbox,
                None,
                None,
                now_millis(),
            )
            .await
            .unwrap();
        }
        for (i, sink) in sinks.iter().enumerate() {
            let software = if !known {
                None
            } else if i % 2 == 0 {
                Some("lemmy")
            } else {
                Some("mastodon")
            };
            store::set_software(conn.ex(), &sink.to_string(), software, None, now_millis())
                .await
                .unwrap();
        }
        drop(conn);
        let start = Instant::now();
        let (server_before, sinks_before) =
            (cpu_seconds(server_pid), cpu_seconds(std::process::id()));
        post_idea(format!("配信 {followers}")).await;
        let expected = (followers * if known { 1 } else { 2 }) as u64;
        while received.load(Ordering::Relaxed) < expected {
            if start.elapsed() > Duration::from_secs(300) {
                panic!(
                    "only {} of {expected} deliveries arrived",
                    received.load(Ordering::Relaxed)
                );
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
            if std::env::var("HIROBA_BENCH_PROGRESS").is_ok()
                && start.elapsed().as_millis() % 500 < 20
            {
                eprintln!(
                    "{:.1} s: {} received",
                    start.elapsed().as_secs_f64(),
                    received.load(Ordering::Relaxed)
                );
            }
        }
        let seconds = start.elapsed().as_secs_f64();
        let rate = expected as f64 / seconds;
        let software = if known { ", software known" } else { "" };
        print!(
            "delivery to {followers} inboxes on {instances} instances{software} ({expected} signed POSTs): {seconds:.2} s, {rate:.0}/s"
        );
        match (known, unknown_seconds) {
            (false, _) if followers == 10_000 => unknown_seconds = Some(seconds),
            (true, Some(before)) => {
                print!(" (×{:.2} the time with software unknown)", seconds / before)
            }
            _ => {}
        }
        if let Some(limit) = openssl_all {
            print!(
                " = {:.0}% of openssl's {limit:.0} signatures/s on all cores",
                100.0 * rate / limit
            );
        }
        let server_ms = 1000.0 * (cpu_seconds(server_pid) - server_before) / expected as f64;
        let sinks_ms = 1000.0 * (cpu_seconds(std::process::id()) - sinks_before) / expected as f64;
        println!(
            " (CPU per POST: server {server_ms:.2} ms, sinks {sinks_ms:.2} ms{})",
            openssl.map_or(String::new(), |one| format!(
                "; one signature takes {:.2} ms",
                1000.0 / one
            ))
        );
    }
}

async fn logins(client: &reqwest::Client, base: &str, server_pid: u32) {
    let before = rss_kib(server_pid, "VmRSS:") / 1024;
    let start = Instant::now();
    let mut tasks = Vec::new();
    for n in 0..150 {
        let (client, base) = (client.clone(), base.to_string());
        tasks.push(tokio::spawn(async move {
            let request = if n < 100 {
                client
                    .post(format!("{base}/api/v1/auth/login"))
                    .json(&json!({"login": format!("nobody{n}"), "password": "wrong password 123"}))
            } else {
                client
                    .post(format!("{base}/api/v1/auth/signup"))
                    .json(&json!({
                        "handle": format!("flood{n}"),
                        "password": "a long enough password",
                        "email": format!("flood{n}@example.jp"),
                    }))
            };
            request
                .send()
                .await
                .map(|r| r.status().as_u16())
                .unwrap_or(0)
        }));
    }
    let mut busy = 0;
    for task in tasks {
        if task.await.unwrap() == 503 {
            busy += 1;
        }
    }
    let seconds = start.elapsed().as_secs_f64();
    let after = rss_kib(server_pid, "VmRSS:") / 1024;
    tokio::time::sleep(Duration::from_secs(5)).await;
    let idle = rss_kib(server_pid, "VmRSS:") / 1024;
    println!(
        "100 failed logins and 50 sign-ups at once: {seconds:.2} s, {busy} told to come back (503); server memory {before} MiB before, {after} MiB after, {idle} MiB idle 5 s later"
    );
}

async fn sqlx_clear_followers(state: &AppState) {
    let sql = "DELETE FROM followers";
    match &state.db {
        hiroba::storage::Db::Sqlite(pool) => {
            let _ = sqlx::query(sql).execute(pool).await;
        }
        hiroba::storage::Db::Postgres(pool) => {
            let _ = sqlx::query(sql).execute(pool).await;
        }
    }
}
