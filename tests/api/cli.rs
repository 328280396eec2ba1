//! The `hiroba` binary as an operator runs it: serve from an empty data directory, the
//! setup link, `admin create-user`, `config`, `serve --demo`, several processes on one
//! database.

use std::io::{BufRead, BufReader, Write};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::both_databases;
use crate::helpers::{Backend, TestDatabase};

const BIN: &str = env!("CARGO_BIN_EXE_hiroba");

pub(crate) fn hiroba(data_dir: &std::path::Path, database_url: Option<&str>) -> Command {
    let mut cmd = Command::new(BIN);
    for (key, _) in std::env::vars() {
        if key.starts_with("HIROBA_") {
            cmd.env_remove(key);
        }
    }
    cmd.env("HIROBA_DATA_DIR", data_dir)
        .env("HIROBA_LISTEN", "127.0.0.1:0")
        .env("HIROBA_DOMAIN", "localhost")
        .env("HIROBA_LOG_FORMAT", "json")
        .env("RUST_LOG", "info");
    if let Some(url) = database_url {
        cmd.env("HIROBA_DATABASE_URL", url);
    }
    cmd
}

/// A running `hiroba serve` process, killed when dropped.
pub(crate) struct Server {
    pub(crate) child: Child,
    pub(crate) base: String,
    log: Vec<Value>,
}

impl Server {
    pub(crate) fn start(mut cmd: Command) -> Server {
        let mut child = cmd
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start hiroba");
        let stdout = child.stdout.take().expect("stdout");
        let (tx, rx) = mpsc::channel::<String>();
        std::thread::spawn(move || {
            // Once the server is up nobody reads the lines, but they are still drained: a
            // full pipe would stop the server at its next log line.
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                let _ = tx.send(line);
            }
        });
        let deadline = Instant::now() + Duration::from_secs(60);
        let mut log = Vec::new();
        loop {
            let remaining = deadline.saturating_duration_since(Instant::now());
            let line = match rx.recv_timeout(remaining) {
                Ok(line) => line,
                Err(_) => {
                    let _ = child.kill();
                    let _ = child.wait();
                    let mut err = String::new();
                    if let Some(mut stderr) = child.stderr.take() {
                        let _ = std::io::Read::read_to_string(&mut stderr, &mut err);
                    }
                    panic!("hiroba did not start; log: {log:?}; stderr: {err}");
                }
            };
            let entry: Value = serde_json::from_str(&line).unwrap_or(Value::String(line));
            let listening = entry["message"] == "listening";
            log.push(entry.clone());
            if listening {
                let address = entry["address"].as_str().expect("address").to_string();
                return Server {
                    child,
                    base: format!("http://{address}"),
                    log,
                };
            }
        }
    }

    pub(crate) fn setup_token(&self) -> Option<String> {
        self.log
            .iter()
            .find_map(|e| e["setup_token"].as_str().map(str::to_string))
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

async fn get(url: String) -> (u16, Value) {
    let response = reqwest::get(url).await.expect("request");
    (
        response.status().as_u16(),
        response.json().await.unwrap_or(Value::Null),
    )
}

async fn post(url: String, body: Value) -> (u16, Value) {
    let response = reqwest::Client::new()
        .post(url)
        .json(&body)
        .send()
        .await
        .expect("request");
    (
        response.status().as_u16(),
        response.json().await.unwrap_or(Value::Null),
    )
}

fn run(cmd: &mut Command, stdin: Option<&str>) -> (bool, String, String) {
    let mut child = cmd
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run hiroba");
    if let Some(input) = stdin {
        child
            .stdin
            .take()
            .unwrap()
            .write_all(input.as_bytes())
            .unwrap();
    } else {
        drop(child.stdin.take());
    }
    let out = child.wait_with_output().expect("wait");
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

pub(crate) fn database_url(backend: &Backend, db: &TestDatabase) -> Option<String> {
    match backend {
        // The SQLite default (a file under the data directory) is what we test there.
        Backend::Sqlite => None,
        Backend::Postgres(_) => Some(db.url()),
    }
}

async fn serve_starts_from_an_empty_data_directory(backend: Backend) {
    let db = TestDatabase::create(&backend).await;
    let data = tempfile::tempdir().unwrap();
    let server = Server::start({
        let mut cmd = hiroba(data.path(), database_url(&backend, &db).as_deref());
        cmd.arg("serve");
        cmd
    });
    assert!(data.path().join("media").is_dir(), "media folder created");
    if matches!(backend, Backend::Sqlite) {
        assert!(
            data.path().join("hiroba.sqlite3").is_file(),
            "SQLite file created"
        );
    }
    let (status, health) = get(format!("{}/health", server.base)).await;
    assert_eq!((status, health["database"].as_str()), (200, Some("ok")));
    let link = server
        .log
        .iter()
        .find_map(|e| e["setup_url"].as_str().map(str::to_string))
        .expect("the setup link is logged");
    assert!(link.starts_with("http://localhost/setup?token="), "{link}");
    let token = server.setup_token().unwrap();
    let (status, admin) = post(
        format!("{}/api/v1/setup", server.base),
        json!({"token": token, "handle": "chief", "password": "a long password"}),
    )
    .await;
    assert_eq!(
        (status, admin["role"].as_str()),
        (201, Some("administrator")),
        "{admin}"
    );
    drop(server);

    // Restarted, it finds its administrator and logs no setup link.
    let server = Server::start({
        let mut cmd = hiroba(data.path(), database_url(&backend, &db).as_deref());
        cmd.arg("serve");
        cmd
    });
    assert_eq!(server.setup_token(), None);
    let (status, _) = post(
        format!("{}/api/v1/auth/login", server.base),
        json!({"login": "chief", "password": "a long password"}),
    )
    .await;
    assert_eq!(status, 200);
}

async fn admin_create_user_works_from_a_script(backend: Backend) {
    let db = TestDatabase::create(&backend).await;
    let data = tempfile::tempdir().unwrap();
    let url = database_url(&backend, &db);
    let (ok, stdout, stderr) = run(
        hiroba(data.path(), url.as_deref()).args([
            "admin",
            "create-user",
            "--handle",
            "chief",
            "--email",
            "chief@city.example.jp",
            "--role",
            "administrator",
            "--password-stdin",
        ]),
        Some("scripted password\n"),
    );
    assert!(ok, "stdout: {stdout}\nstderr: {stderr}");
    assert!(stdout.contains("created administrator chief"), "{stdout}");
    let (ok, stdout, _) = run(
        hiroba(data.path(), url.as_deref()).args([
            "admin",
            "create-user",
            "--email",
            "clerk@city.example.jp",
            "--role",
            "staff",
        ]),
        None,
    );
    assert!(ok);
    let generated = stdout
        .lines()
        .find_map(|l| l.strip_prefix("password: "))
        .expect("a generated password is printed once")
        .to_string();
    let (ok, _, stderr) = run(
        hiroba(data.path(), url.as_deref()).args([
            "admin",
            "create-user",
            "--handle",
            "x",
            "--role",
            "king",
        ]),
        None,
    );
    assert!(!ok);
    assert!(stderr.contains("--role"), "{stderr}");
    let (ok, _, stderr) = run(
        hiroba(data.path(), url.as_deref()).args([
            "admin",
            "create-user",
            "--handle",
            "chief",
            "--role",
            "staff",
        ]),
        None,
    );
    assert!(!ok);
    assert!(stderr.contains("taken"), "{stderr}");

    let server = Server::start({
        let mut cmd = hiroba(data.path(), url.as_deref());
        cmd.arg("serve");
        cmd
    });
    assert_eq!(
        server.setup_token(),
        None,
        "an administrator exists: no setup link"
    );
    for (login, password) in [
        ("chief", "scripted password"),
        ("clerk", generated.as_str()),
    ] {
        let (status, body) = post(
            format!("{}/api/v1/auth/login", server.base),
            json!({"login": login, "password": password}),
        )
        .await;
        assert_eq!(status, 200, "{login}: {body}");
    }
}

async fn demo_mode_serves_sample_data_and_leaves_the_real_database_alone(backend: Backend) {
    let db = TestDatabase::create(&backend).await;
    let data = tempfile::tempdir().unwrap();
    let url = database_url(&backend, &db);
    let (ok, _, stderr) = run(
        hiroba(data.path(), url.as_deref()).args([
            "admin",
            "create-user",
            "--handle",
            "real_admin",
            "--role",
            "administrator",
        ]),
        None,
    );
    assert!(ok, "{stderr}");
    for round in 0..2 {
        let server = Server::start({
            let mut cmd = hiroba(data.path(), url.as_deref());
            cmd.args(["serve", "--demo"]);
            cmd
        });
        let (_, instance) = get(format!("{}/api/v1/instance", server.base)).await;
        assert_eq!(instance["demo"], true);
        let (_, themes) = get(format!("{}/api/v1/themes", server.base)).await;
        let slugs: Vec<&str> = themes
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|t| t["slug"].as_str())
            .collect();
        assert!(slugs.contains(&"sogo-keikaku"), "round {round}: {slugs:?}");
        assert!(
            !slugs.contains(&"shiyakusho"),
            "the demo's draft stays hidden"
        );
        let plan = themes
            .as_array()
            .unwrap()
            .iter()
            .find(|t| t["slug"] == "sogo-keikaku")
            .unwrap();
        assert_eq!(
            plan["phases"][plan["current_phase"].as_u64().unwrap() as usize]["name"],
            "考える"
        );
        let (_, ideas) = get(format!(
            "{}/api/v1/themes/sogo-keikaku/proposals?sort=most_supported",
            server.base
        ))
        .await;
        assert_eq!(
            ideas["items"].as_array().unwrap().len(),
            4,
            "round {round}: sample data loaded once"
        );
        assert_eq!(ideas["items"][0]["support_count"], 4);
        let login = reqwest::Client::new()
            .post(format!("{}/api/v1/auth/login", server.base))
            .json(&json!({"login": "demo_staff", "password": hiroba::demo::DEMO_PASSWORD}))
            .send()
            .await
            .expect("request");
        assert_eq!(login.status().as_u16(), 200);
        let cookie = login
            .headers()
            .get("set-cookie")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(';').next())
            .expect("a session cookie")
            .to_string();
        let csrf = login.json::<Value>().await.unwrap()["csrf_token"]
            .as_str()
            .unwrap()
            .to_string();
        // The demo keeps its own profile and says so instead of accepting a change.
        let page = reqwest::Client::new()
            .get(format!("{}/staff/profile", server.base))
            .header("cookie", &cookie)
            .send()
            .await
            .expect("request")
            .text()
            .await
            .unwrap();
        assert!(page.contains("デモでは、自治体のプロフィール"), "{page}");
        assert!(
            page.contains("<fieldset class=\"plain\" disabled>"),
            "{page}"
        );
        let refused = reqwest::Client::new()
            .put(format!("{}/api/v1/instance", server.base))
            .header("cookie", &cookie)
            .header("x-csrf-token", csrf)
            .json(&json!({"name_ja": "別の市", "name_en": "Another City", "prefecture": ""}))
            .send()
            .await
            .expect("request");
        assert_eq!(refused.status().as_u16(), 409);
        let problem: Value = refused.json().await.unwrap();
        assert!(
            problem["detail"].as_str().unwrap().contains("デモ"),
            "{problem}"
        );
        // The real administrator does not exist in the demo.
        let (status, _) = post(
            format!("{}/api/v1/auth/login", server.base),
            json!({"login": "real_admin", "password": "whatever it is"}),
        )
        .await;
        assert_eq!(status, 401);
    }
    // The configured database holds exactly what it held before.
    let real = hiroba::storage::Db::connect(
        &match url {
            Some(u) => hiroba::config::DatabaseTarget::parse(&u).unwrap(),
            None => hiroba::config::DatabaseTarget::Sqlite(data.path().join("hiroba.sqlite3")),
        },
        1,
    )
    .await
    .unwrap();
    let mut conn = real.acquire().await.unwrap();
    assert_eq!(
        hiroba::storage::settings::content_rows(conn.ex())
            .await
            .unwrap(),
        1
    );
}

async fn demo_resets_an_empty_database_and_refuses_one_with_content(_backend: Backend) {
    let data = tempfile::tempdir().unwrap();
    let foreign = hiroba::demo::demo_database_path(data.path());
    std::fs::create_dir_all(foreign.parent().unwrap()).unwrap();
    let (ok, _, stderr) = run(
        hiroba(
            data.path(),
            Some(&format!("sqlite://{}", foreign.display())),
        )
        .arg("migrate"),
        None,
    );
    assert!(ok, "{stderr}");
    // Empty, it holds nothing to lose: a demo whose earlier start failed before loading its
    // sample data (its port was taken) left just that, and the next start resets it.
    let server = Server::start({
        let mut cmd = hiroba(data.path(), None);
        cmd.args(["serve", "--demo"]);
        cmd
    });
    let (_, instance) = get(format!("{}/api/v1/instance", server.base)).await;
    assert_eq!(instance["demo"], true);
    drop(server);
    // With an account of its own and no demo marker, it is refused.
    let other = tempfile::tempdir().unwrap();
    let foreign = hiroba::demo::demo_database_path(other.path());
    std::fs::create_dir_all(foreign.parent().unwrap()).unwrap();
    let url = format!("sqlite://{}", foreign.display());
    let (ok, _, stderr) = run(
        hiroba(other.path(), Some(&url)).args([
            "admin",
            "create-user",
            "--handle",
            "someone",
            "--role",
            "administrator",
        ]),
        None,
    );
    assert!(ok, "{stderr}");
    let (ok, _, stderr) = run(hiroba(other.path(), None).args(["serve", "--demo"]), None);
    assert!(!ok);
    assert!(stderr.contains("not a demo database"), "{stderr}");
    assert!(foreign.exists());
}

async fn several_processes_share_one_database(backend: Backend) {
    let db = TestDatabase::create(&backend).await;
    let data = tempfile::tempdir().unwrap();
    // The SQLite case shares the file through the data directory.
    let url = database_url(&backend, &db);
    let (a, b) = std::thread::scope(|s| {
        let first = s.spawn(|| {
            let mut cmd = hiroba(data.path(), url.as_deref());
            cmd.arg("serve");
            Server::start(cmd)
        });
        let second = s.spawn(|| {
            let mut cmd = hiroba(data.path(), url.as_deref());
            cmd.arg("serve");
            Server::start(cmd)
        });
        (first.join().unwrap(), second.join().unwrap())
    });
    let token = a.setup_token().expect("first process logs the setup link");
    assert_eq!(
        b.setup_token().as_deref(),
        Some(token.as_str()),
        "both processes agree on one link"
    );
    let (status, _) = post(
        format!("{}/api/v1/setup", a.base),
        json!({"token": token, "handle": "chief", "password": "a long password"}),
    )
    .await;
    assert_eq!(status, 201);
    // The session made on one process works on the other.
    let client = reqwest::Client::new();
    let login = client
        .post(format!("{}/api/v1/auth/login", b.base))
        .json(&json!({"login": "chief", "password": "a long password"}))
        .send()
        .await
        .unwrap();
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
    let created = client
        .post(format!("{}/api/v1/themes", a.base))
        .header("cookie", &cookie)
        .header("x-csrf-token", &csrf)
        .json(&json!({"slug": "shared", "title": "共有", "status": "open"}))
        .send()
        .await
        .unwrap();
    assert_eq!(created.status(), 201);
    let (status, theme) = get(format!("{}/api/v1/themes/shared", b.base)).await;
    assert_eq!((status, theme["title"].as_str()), (200, Some("共有")));
}

both_databases!(
    serve_starts_from_an_empty_data_directory,
    admin_create_user_works_from_a_script,
    demo_mode_serves_sample_data_and_leaves_the_real_database_alone,
    several_processes_share_one_database,
);

#[tokio::test]
async fn demo_refuses_foreign_databases() {
    demo_resets_an_empty_database_and_refuses_one_with_content(Backend::Sqlite).await;
}

#[test]
fn config_layers_file_then_environment_and_redacts_secrets() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("hiroba.toml");
    std::fs::write(
        &file,
        "domain = \"file.example.jp\"\n[municipality]\nname_ja = \"鎌倉市\"\nname_en = \"Kamakura\"\n\
         local_government_code = \"142042\"\n",
    )
    .unwrap();
    let (ok, stdout, stderr) = run(
        hiroba(
            dir.path(),
            Some("postgres://hiroba:s3cret-pw@db.internal:5432/hiroba"),
        )
        .env("HIROBA_CONFIG", &file)
        .env("HIROBA_DOMAIN", "sanka.city.kamakura.example.jp")
        .arg("config"),
        None,
    );
    assert!(ok, "{stderr}");
    assert!(
        stdout.contains("domain = sanka.city.kamakura.example.jp"),
        "{stdout}"
    );
    assert!(stdout.contains("scheme = https"), "{stdout}");
    assert!(stdout.contains("municipality.name_ja = 鎌倉市"), "{stdout}");
    assert!(
        stdout.contains("municipality.prefecture = 神奈川県"),
        "derived from the code: {stdout}"
    );
    assert!(stdout.contains("hiroba:***@db.internal"), "{stdout}");
    assert!(!stdout.contains("s3cret-pw") && !stderr.contains("s3cret-pw"));
}

#[test]
fn switches_read_as_operators_write_them() {
    let dir = tempfile::tempdir().unwrap();
    for (value, expected) in [("1", true), ("true", true), ("0", false), ("off", false)] {
        let (ok, stdout, stderr) = run(
            hiroba(dir.path(), None)
                .env("HIROBA_FEDERATION_INSECURE", value)
                .env("HIROBA_AUTHORIZED_FETCH", value)
                .arg("config"),
            None,
        );
        assert!(ok, "{value}: {stderr}");
        assert!(
            stdout.contains(&format!("federation_insecure = {expected}"))
                && stdout.contains(&format!("authorized_fetch = {expected}")),
            "{value}: {stdout}"
        );
    }
    let (ok, _, stderr) = run(
        hiroba(dir.path(), None)
            .env("HIROBA_FEDERATION_INSECURE", "maybe")
            .arg("config"),
        None,
    );
    assert!(!ok);
    assert!(stderr.contains("federation_insecure"), "{stderr}");
}

#[test]
fn bad_configuration_names_the_key() {
    let dir = tempfile::tempdir().unwrap();
    for (key, value, expected) in [
        (
            "HIROBA_MUNICIPALITY__LOCAL_GOVERNMENT_CODE",
            "142043",
            "municipality.local_government_code",
        ),
        ("HIROBA_LISTEN", "everywhere", "listen"),
        (
            "HIROBA_MUNICIPALITY__TIME_ZONE",
            "Mars/Olympus",
            "municipality.time_zone",
        ),
        ("HIROBA_DATABASE_URL", "mysql://x", "database_url"),
    ] {
        let (ok, _, stderr) = run(hiroba(dir.path(), None).env(key, value).arg("config"), None);
        assert!(!ok, "{key}={value} was accepted");
        assert!(stderr.contains(expected), "{key}: {stderr}");
    }
    let (ok, _, stderr) = run(
        hiroba(dir.path(), None)
            .env("HIROBA_CONFIG", dir.path().join("missing.toml"))
            .arg("config"),
        None,
    );
    assert!(!ok);
    assert!(stderr.contains("missing.toml"), "{stderr}");
}
