//! The event log under real crashes: the `hiroba serve` binary with followers on 50 sink
//! instances (each on its own loopback address) is killed with SIGKILL at random moments
//! while residents post ideas and comments, and restarted each time. Afterwards every sink
//! holds an announcement of every stored idea and comment, each under one activity id
//! however often it was re-sent. Also: what is stored while the publisher is off reaches the
//! sinks after a crash, and two processes on one database publish each event once.

use std::collections::{HashMap, HashSet};
use std::process::Command;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::both_databases;
use crate::cli::{Server, database_url, hiroba};
use crate::helpers::{Backend, PASSWORD, TestDatabase, phase_today};
use crate::peer::GtsPeer;

const SINKS: usize = 50;
const KILLS: usize = 20;
/// Where everything that must arrive should have arrived (deliveries a killed process had
/// claimed wait for their claim to expire first).
const SETTLE: Duration = Duration::from_secs(150);

/// A city server on a fixed address, so that it keeps its name across restarts.
struct City {
    data: tempfile::TempDir,
    database_url: Option<String>,
    listen: String,
    base: String,
}

impl City {
    fn new(ip: &str, database_url: Option<String>) -> City {
        let port = std::net::TcpListener::bind((ip, 0))
            .and_then(|l| l.local_addr())
            .expect("a free port")
            .port();
        City {
            data: tempfile::tempdir().unwrap(),
            database_url,
            listen: format!("{ip}:{port}"),
            base: format!("http://{ip}:{port}"),
        }
    }

    fn command(&self, consumers: bool) -> Command {
        self.command_on(&self.listen, consumers)
    }

    /// A process of this city listening on another address (sharing its database: on
    /// SQLite, the file in its data directory).
    fn command_on(&self, listen: &str, consumers: bool) -> Command {
        let mut cmd = hiroba(self.data.path(), self.database_url.as_deref());
        cmd.arg("serve")
            .env("HIROBA_LISTEN", listen)
            .env("HIROBA_DOMAIN", self.listen.as_str())
            .env("HIROBA_SCHEME", "http")
            .env("HIROBA_FEDERATION_INSECURE", "1")
            .env("HIROBA_SIGNUPS_PER_HOUR", "1000")
            .env(
                "HIROBA_RUN_EVENT_CONSUMERS",
                if consumers { "1" } else { "0" },
            )
            .env("RUST_LOG", "warn,hiroba=info");
        cmd
    }

    async fn start(&self, consumers: bool) -> Server {
        let cmd = self.command(consumers);
        tokio::task::spawn_blocking(move || Server::start(cmd))
            .await
            .unwrap()
    }
}

/// A signed-in account on a city server: its session survives the server's restarts.
#[derive(Clone)]
struct Session {
    client: reqwest::Client,
    cookie: String,
    csrf: String,
}

impl Session {
    async fn login(client: &reqwest::Client, base: &str, handle: &str, password: &str) -> Session {
        let login = client
            .post(format!("{base}/api/v1/auth/login"))
            .json(&json!({"login": handle, "password": password}))
            .send()
            .await
            .unwrap();
        assert_eq!(login.status(), 200, "login of {handle}");
        let cookie = login.headers()["set-cookie"]
            .to_str()
            .unwrap()
            .split(';')
            .next()
            .unwrap()
            .to_string();
        let csrf = login.json::<Value>().await.unwrap()["csrf_token"]
            .as_str()
            .unwrap()
            .to_string();
        Session {
            client: client.clone(),
            cookie,
            csrf,
        }
    }

    /// Posts JSON; `None` when the server could not be reached or did not answer.
    async fn post(&self, url: &str, body: Value) -> Option<(u16, Value)> {
        let response = self
            .client
            .post(url)
            .header("cookie", &self.cookie)
            .header("x-csrf-token", &self.csrf)
            .json(&body)
            .send()
            .await
            .ok()?;
        let status = response.status().as_u16();
        Some((status, response.json().await.unwrap_or(Value::Null)))
    }
}

fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .timeout(Duration::from_secs(10))
        .build()
        .unwrap()
}

/// Sets the city up: an administrator, an open theme, a resident.
async fn set_up(server: &Server, base: &str) -> (Session, Session) {
    let client = client();
    let token = server.setup_token().expect("the setup link is logged");
    let setup = client
        .post(format!("{base}/api/v1/setup"))
        .json(&json!({"token": token, "handle": "chief", "password": PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_eq!(setup.status(), 201);
    let staff = Session::login(&client, base, "chief", PASSWORD).await;
    let theme = json!({"slug": "parks", "title": "公園", "status": "open",
                       "phases": phase_today(true, true, true)});
    let (status, body) = staff
        .post(&format!("{base}/api/v1/themes"), theme)
        .await
        .unwrap();
    assert_eq!(status, 201, "{body}");
    let signup = client
        .post(format!("{base}/api/v1/auth/signup"))
        .json(&json!({"handle": "hanako", "password": PASSWORD, "email": "hanako@example.jp"}))
        .send()
        .await
        .unwrap();
    assert_eq!(signup.status(), 201);
    let resident = Session::login(&client, base, "hanako", PASSWORD).await;
    (staff, resident)
}

/// 50 sinks on 127.0.3.1–50, each following the theme.
async fn sinks_following(base: &str) -> Vec<GtsPeer> {
    let client = client();
    let mut sinks = Vec::with_capacity(SINKS);
    for n in 1..=SINKS {
        let sink = GtsPeer::start(&format!("127.0.3.{n}"), base).await;
        let follow = sink.follow(&format!("{base}/themes/parks"), 1);
        let (status, body) = sink.post_to(&client, base, "/inbox", &follow).await;
        assert_eq!(status, 202, "{body}");
        sinks.push(sink);
    }
    for sink in &sinks {
        sink.wait_for("an Accept", |a| a["type"] == "Accept").await;
    }
    sinks
}

/// The URLs of every stored idea and comment of the theme, read back from the server.
async fn stored_objects(base: &str) -> Vec<String> {
    let client = client();
    let mut objects = Vec::new();
    for page in 1.. {
        let list: Value = client
            .get(format!(
                "{base}/api/v1/themes/parks/proposals?page={page}&per_page=100"
            ))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        for item in list["items"].as_array().unwrap() {
            let id = item["id"].as_i64().unwrap();
            objects.push(format!("{base}/proposals/{id}"));
            let comments: Value = client
                .get(format!("{base}/api/v1/proposals/{id}/comments"))
                .send()
                .await
                .unwrap()
                .json()
                .await
                .unwrap();
            for comment in comments.as_array().unwrap() {
                objects.push(format!("{base}/comments/{}", comment["id"]));
            }
        }
        if list["has_more"] != true {
            break;
        }
    }
    objects
}

/// The object an announcement brings: `Announce(Create(x))`, `Announce(x)` or by id.
fn announced_object(activity: &Value) -> Option<&str> {
    if activity["type"] != "Announce" {
        return None;
    }
    let inner = &activity["object"];
    let target = if inner["type"] == "Create" {
        &inner["object"]
    } else {
        inner
    };
    target.as_str().or_else(|| target["id"].as_str())
}

/// The two forms a theme announces an idea or a comment in to software it does not know:
/// the author's `Create`, and the object itself.
const FORMS: [&str; 2] = ["Create", "object"];

/// For one sink: the distinct announcement ids per (object, form), and how many
/// announcements arrived more than once.
fn announcements(sink: &GtsPeer) -> (HashMap<(String, &'static str), HashSet<String>>, usize) {
    let mut ids_by_object: HashMap<(String, &'static str), HashSet<String>> = HashMap::new();
    let mut seen = HashSet::new();
    let mut repeated = 0;
    for (_, activity) in sink.received() {
        let Some(object) = announced_object(&activity) else {
            continue;
        };
        let form = if activity["object"]["type"] == "Create" {
            FORMS[0]
        } else {
            FORMS[1]
        };
        let id = activity["id"].as_str().unwrap_or_default().to_string();
        if !seen.insert(id.clone()) {
            repeated += 1;
        }
        ids_by_object
            .entry((object.to_string(), form))
            .or_default()
            .insert(id);
    }
    (ids_by_object, repeated)
}

/// Waits until every sink holds every object, then checks that none holds an object under
/// two activity ids. Returns how many announcements arrived twice, over all sinks.
async fn every_sink_holds(sinks: &[GtsPeer], objects: &[String]) -> usize {
    let deadline = Instant::now() + SETTLE;
    loop {
        let missing: Vec<(usize, &String, &str)> = sinks
            .iter()
            .enumerate()
            .flat_map(|(n, sink)| {
                let (held, _) = announcements(sink);
                objects
                    .iter()
                    .flat_map(|o| FORMS.map(|form| (o, form)))
                    .filter(|(o, form)| !held.contains_key(&(o.to_string(), *form)))
                    .map(|(o, form)| (n, o, form))
                    .collect::<Vec<_>>()
            })
            .collect();
        if missing.is_empty() {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "{} announcements never arrived, e.g. {:?}",
            missing.len(),
            &missing[..missing.len().min(5)]
        );
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    let mut repeated = 0;
    for sink in sinks {
        let (held, twice) = announcements(sink);
        for (object, ids) in &held {
            assert_eq!(
                ids.len(),
                1,
                "{object:?} was announced under several ids: {ids:?}"
            );
        }
        repeated += twice;
    }
    repeated
}

/// Residents keep posting ideas and comments on every server in `bases` until `stop`.
fn keep_posting(
    resident: Session,
    bases: Vec<String>,
    stop: Arc<AtomicBool>,
    posted: Arc<AtomicUsize>,
) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut ideas: Vec<(usize, i64)> = Vec::new();
        let mut n = 0usize;
        while !stop.load(Ordering::Relaxed) {
            n += 1;
            let server = n % bases.len();
            let base = &bases[server];
            let url = format!("{base}/api/v1/themes/parks/proposals");
            let idea = json!({"title": format!("案 {n}"), "body": format!("案 {n} の本文")});
            if let Some((201, body)) = resident.post(&url, idea).await {
                ideas.push((server, body["id"].as_i64().unwrap()));
                posted.fetch_add(1, Ordering::Relaxed);
            }
            if let Some(&(_, id)) = ideas.get(n * 7 % ideas.len().max(1)) {
                let url = format!("{base}/api/v1/proposals/{id}/comments");
                let comment = json!({"body": format!("意見 {n}")});
                if let Some((201, _)) = resident.post(&url, comment).await {
                    posted.fetch_add(1, Ordering::Relaxed);
                }
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    })
}

/// A pseudo-random delay in `range` (no seed to keep: any order of kills must pass).
fn random_delay(range: std::ops::Range<u64>) -> Duration {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .subsec_nanos() as u64;
    Duration::from_millis(range.start + nanos % (range.end - range.start))
}

fn kill(server: &mut Server) {
    // `Child::kill` is SIGKILL on Unix: no shutdown code runs.
    server.child.kill().unwrap();
    server.child.wait().unwrap();
}

async fn every_activity_survives_sigkill(backend: Backend) {
    let db = TestDatabase::create(&backend).await;
    let city = City::new("127.0.0.40", database_url(&backend, &db));
    let mut server = city.start(true).await;
    let (_staff, resident) = set_up(&server, &city.base).await;
    let sinks = sinks_following(&city.base).await;

    // Stored while no publisher runs, then the process dies: published after the restart.
    kill(&mut server);
    let mut server = city.start(false).await;
    for n in 0..3 {
        let idea = json!({"title": format!("停止中の案 {n}"), "body": "本文"});
        let url = format!("{}/api/v1/themes/parks/proposals", city.base);
        assert_eq!(resident.post(&url, idea).await.map(|r| r.0), Some(201));
    }
    kill(&mut server);
    let mut server = city.start(true).await;

    let stop = Arc::new(AtomicBool::new(false));
    let posted = Arc::new(AtomicUsize::new(0));
    let poster = keep_posting(
        resident.clone(),
        vec![city.base.clone()],
        stop.clone(),
        posted.clone(),
    );
    for _ in 0..KILLS {
        tokio::time::sleep(random_delay(300..1500)).await;
        kill(&mut server);
        server = city.start(true).await;
    }
    tokio::time::sleep(Duration::from_millis(500)).await;
    stop.store(true, Ordering::Relaxed);
    poster.await.unwrap();

    let objects = stored_objects(&city.base).await;
    assert!(
        objects.len() > KILLS,
        "too little was posted to prove anything: {objects:?}"
    );
    let started = Instant::now();
    let repeated = every_sink_holds(&sinks, &objects).await;
    eprintln!(
        "crash safety: {KILLS} kills; {} ideas and comments stored ({} confirmed to the \
         poster), each announced to {SINKS} sinks; {repeated} announcements arrived twice \
         (in flight at a kill); settled {:.1} s after the last restart",
        objects.len(),
        posted.load(Ordering::Relaxed),
        started.elapsed().as_secs_f64()
    );
    drop(server);
}

/// Two processes on one database, both running the consumers, residents posting on both:
/// each event is published once, under one activity id per object and form.
async fn two_processes_publish_each_event_once(backend: Backend) {
    let db = TestDatabase::create(&backend).await;
    let city = City::new("127.0.0.41", database_url(&backend, &db));
    let a = city.start(true).await;
    let (_staff, resident) = set_up(&a, &city.base).await;
    let sinks = sinks_following(&city.base).await;
    // The second process serves the same city under the same name, on another port.
    let other_port = std::net::TcpListener::bind(("127.0.0.41", 0))
        .and_then(|l| l.local_addr())
        .unwrap()
        .port();
    let other_listen = format!("127.0.0.41:{other_port}");
    let cmd = city.command_on(&other_listen, true);
    let b = tokio::task::spawn_blocking(move || Server::start(cmd))
        .await
        .unwrap();

    let stop = Arc::new(AtomicBool::new(false));
    let posted = Arc::new(AtomicUsize::new(0));
    let poster = keep_posting(
        resident,
        vec![city.base.clone(), format!("http://{other_listen}")],
        stop.clone(),
        posted.clone(),
    );
    tokio::time::sleep(Duration::from_secs(8)).await;
    stop.store(true, Ordering::Relaxed);
    poster.await.unwrap();

    let objects = stored_objects(&city.base).await;
    assert!(objects.len() >= 10, "{objects:?}");
    let repeated = every_sink_holds(&sinks, &objects).await;
    assert_eq!(
        repeated, 0,
        "nothing was killed, so nothing may arrive twice"
    );
    eprintln!(
        "two processes: {} ideas and comments, each announced once to each of {SINKS} sinks",
        objects.len()
    );
    drop((a, b));
}

both_databases!(
    every_activity_survives_sigkill,
    two_processes_publish_each_event_once,
);
