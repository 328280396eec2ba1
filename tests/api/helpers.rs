//! spawn_app(): a real server on port 0 with a fresh database, on SQLite or PostgreSQL.

use std::io::Write;
use std::net::{SocketAddr, TcpStream};
use std::sync::OnceLock;
use std::time::Duration;

use hiroba::config::{Config, DatabaseTarget, SecretUrl};
use hiroba::domain::Role;
use hiroba::services::accounts::{self, SignupInput};
use hiroba::startup::Application;
use hiroba::state::AppState;
use reqwest::Method;
use serde_json::{Value, json};
use sqlx::Connection;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

/// Which database a test runs on.
#[derive(Clone, Debug)]
pub enum Backend {
    Sqlite,
    /// The URL of a maintenance database on the server (used to create fresh ones).
    Postgres(String),
}

pub const PG_URL_VAR: &str = "HIROBA_TEST_POSTGRES_URL";
pub const PG_REQUIRED_VAR: &str = "HIROBA_TEST_REQUIRE_POSTGRES";
const DEFAULT_PG_URL: &str = "postgres://postgres@127.0.0.1:5432/postgres";

impl Backend {
    /// PostgreSQL when a server answers; otherwise the test is skipped with a message,
    /// or fails when `HIROBA_TEST_REQUIRE_POSTGRES=1` (as in CI).
    pub fn postgres() -> Option<Backend> {
        static AVAILABLE: OnceLock<Option<String>> = OnceLock::new();
        let found = AVAILABLE.get_or_init(|| {
            let url = std::env::var(PG_URL_VAR).unwrap_or_else(|_| DEFAULT_PG_URL.to_string());
            let parsed = url::Url::parse(&url).ok()?;
            let host = parsed.host_str()?.to_string();
            let port = parsed.port().unwrap_or(5432);
            let addr: SocketAddr = format!("{host}:{port}").parse().ok()?;
            TcpStream::connect_timeout(&addr, Duration::from_secs(2)).ok()?;
            Some(url)
        });
        match found {
            Some(url) => Some(Backend::Postgres(url.clone())),
            None => {
                if std::env::var(PG_REQUIRED_VAR).is_ok_and(|v| v == "1") {
                    panic!("PostgreSQL is required ({PG_REQUIRED_VAR}=1) but no server answers");
                }
                static WARNED: OnceLock<()> = OnceLock::new();
                WARNED.get_or_init(|| {
                    let _ = writeln!(
                        std::io::stderr(),
                        "SKIPPED: PostgreSQL tests (no server at {PG_URL_VAR} or {DEFAULT_PG_URL})"
                    );
                });
                None
            }
        }
    }
}

/// Runs each named async test function once per database.
#[macro_export]
macro_rules! both_databases {
    ($($name:ident),+ $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    super::$name($crate::helpers::Backend::Sqlite).await
                }
            )+
        }
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    if let Some(backend) = $crate::helpers::Backend::postgres() {
                        super::$name(backend).await
                    }
                }
            )+
        }
    };
}

/// A fresh, empty database for one test; dropped with it.
pub struct TestDatabase {
    pub target: DatabaseTarget,
    pg: Option<(String, String)>,
    _dir: tempfile::TempDir,
}

impl TestDatabase {
    pub async fn create(backend: &Backend) -> TestDatabase {
        let dir = tempfile::tempdir().expect("temp dir");
        match backend {
            Backend::Sqlite => TestDatabase {
                target: DatabaseTarget::Sqlite(dir.path().join("db").join("hiroba.sqlite3")),
                pg: None,
                _dir: dir,
            },
            Backend::Postgres(admin_url) => {
                let name = format!("hiroba_test_{}", uuid_like());
                let mut conn = sqlx::PgConnection::connect(admin_url)
                    .await
                    .expect("connect to PostgreSQL");
                sqlx::query(&format!("CREATE DATABASE \"{name}\""))
                    .execute(&mut conn)
                    .await
                    .expect("create test database");
                conn.close().await.ok();
                let mut url = url::Url::parse(admin_url).expect("PostgreSQL URL");
                url.set_path(&format!("/{name}"));
                TestDatabase {
                    target: DatabaseTarget::Postgres(SecretUrl::new(url.to_string())),
                    pg: Some((admin_url.clone(), name)),
                    _dir: dir,
                }
            }
        }
    }

    /// The URL form, for the `hiroba` binary's HIROBA_DATABASE_URL.
    pub fn url(&self) -> String {
        match &self.target {
            DatabaseTarget::Sqlite(path) => format!("sqlite://{}", path.display()),
            DatabaseTarget::Postgres(url) => url.expose().to_string(),
        }
    }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        if let Some((admin_url, name)) = self.pg.take() {
            // Best effort, on a thread of its own: Drop cannot await.
            let _ = std::thread::spawn(move || {
                let rt = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()?;
                rt.block_on(async {
                    let mut conn = sqlx::PgConnection::connect(&admin_url).await?;
                    sqlx::query(&format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"))
                        .execute(&mut conn)
                        .await?;
                    Ok::<_, sqlx::Error>(())
                })
                .map_err(std::io::Error::other)
            })
            .join();
        }
    }
}

pub fn uuid_like() -> String {
    use std::sync::atomic::{AtomicU64, Ordering};
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0);
    format!("{}_{}_{}", std::process::id(), nanos % 1_000_000_000_000, n)
}

/// How a test client authenticates.
#[derive(Clone, Debug)]
pub enum Auth {
    Session { cookie: String, csrf: String },
    Token(String),
}

pub struct Reply {
    pub status: u16,
    pub headers: reqwest::header::HeaderMap,
    pub body: Value,
}

impl Reply {
    #[track_caller]
    pub fn expect(self, status: u16) -> Value {
        assert_eq!(
            self.status, status,
            "unexpected status; body: {}",
            self.body
        );
        self.body
    }

    /// The fields named in a problem+json validation error.
    pub fn fields(&self) -> Vec<String> {
        self.body["errors"]
            .as_array()
            .map(|errors| {
                errors
                    .iter()
                    .filter_map(|e| e["field"].as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default()
    }
}

pub struct TestApp {
    pub address: String,
    pub config: Config,
    pub state: AppState,
    pub client: reqwest::Client,
    _db: TestDatabase,
    server: Option<(oneshot::Sender<()>, JoinHandle<()>)>,
    _data: tempfile::TempDir,
}

pub async fn spawn_app(backend: &Backend) -> TestApp {
    spawn_app_with(backend, |_| {}).await
}

pub async fn spawn_app_with(backend: &Backend, tweak: impl FnOnce(&mut Config)) -> TestApp {
    // HIROBA_TEST_LOG=1 shows the servers' logs while debugging a test.
    if std::env::var("HIROBA_TEST_LOG").is_ok() {
        hiroba::telemetry::init(hiroba::config::LogFormat::Text);
    }
    let db = TestDatabase::create(backend).await;
    let data = tempfile::tempdir().expect("temp dir");
    let mut config = Config::for_data_dir(data.path());
    config.database = db.target.clone();
    config.listen = "127.0.0.1:0".parse().expect("address");
    config.domain = "localhost".into();
    config.database_max_connections = 5;
    tweak(&mut config);
    let application = Application::build(config.clone())
        .await
        .expect("build the application");
    let mut app = TestApp {
        address: String::new(),
        state: application.state().clone(),
        config,
        client: reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("client"),
        _db: db,
        server: None,
        _data: data,
    };
    app.serve(application);
    app
}

impl TestApp {
    fn serve(&mut self, application: Application) {
        self.address = format!("http://{}", application.local_addr());
        self.state = application.state().clone();
        let (tx, rx) = oneshot::channel::<()>();
        let handle = tokio::spawn(async move {
            let _ = application
                .run(async {
                    let _ = rx.await;
                })
                .await;
        });
        self.server = Some((tx, handle));
    }

    pub async fn stop(&mut self) {
        if let Some((tx, handle)) = self.server.take() {
            let _ = tx.send(());
            let _ = handle.await;
        }
    }

    /// Stops the server and starts a new one on the same database and data directory.
    pub async fn restart(&mut self) {
        self.stop().await;
        let application = Application::build(self.config.clone())
            .await
            .expect("rebuild the application");
        self.serve(application);
    }

    /// GETs `path` as an ActivityStreams client does (the `ld+json` profile form); a 200 or
    /// 410 must come as `application/activity+json`. The status and the JSON body (`Null`
    /// when there is none).
    pub async fn activity(&self, path: &str) -> (u16, Value) {
        let response = self
            .client
            .get(format!("{}{path}", self.address))
            .header(
                "accept",
                "application/ld+json; profile=\"https://www.w3.org/ns/activitystreams\"",
            )
            .send()
            .await
            .unwrap();
        let status = response.status().as_u16();
        if status == 200 || status == 410 {
            let content_type = response.headers()["content-type"]
                .to_str()
                .unwrap()
                .to_string();
            assert!(
                content_type.starts_with("application/activity+json"),
                "{path}: {content_type}"
            );
        }
        (status, response.json().await.unwrap_or(Value::Null))
    }

    pub async fn call(
        &self,
        method: Method,
        path: &str,
        auth: Option<&Auth>,
        body: Option<Value>,
    ) -> Reply {
        let mut request = self
            .client
            .request(method, format!("{}{}", self.address, path));
        match auth {
            Some(Auth::Session { cookie, csrf }) => {
                request = request
                    .header("cookie", format!("hiroba_session={cookie}"))
                    .header("x-csrf-token", csrf);
            }
            Some(Auth::Token(token)) => {
                request = request.bearer_auth(token);
            }
            None => {}
        }
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await.expect("request failed");
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let text = response.text().await.unwrap_or_default();
        let body = serde_json::from_str(&text).unwrap_or(Value::String(text));
        Reply {
            status,
            headers,
            body,
        }
    }

    pub async fn get(&self, path: &str, auth: Option<&Auth>) -> Reply {
        self.call(Method::GET, path, auth, None).await
    }

    pub async fn post(&self, path: &str, auth: Option<&Auth>, body: Value) -> Reply {
        self.call(Method::POST, path, auth, Some(body)).await
    }

    pub async fn put(&self, path: &str, auth: Option<&Auth>, body: Value) -> Reply {
        self.call(Method::PUT, path, auth, Some(body)).await
    }

    pub async fn patch(&self, path: &str, auth: Option<&Auth>, body: Value) -> Reply {
        self.call(Method::PATCH, path, auth, Some(body)).await
    }

    pub async fn delete(&self, path: &str, auth: Option<&Auth>) -> Reply {
        self.call(Method::DELETE, path, auth, None).await
    }

    /// Logs in and returns the session cookie and CSRF token.
    pub async fn login(&self, login: &str, password: &str) -> Auth {
        let reply = self
            .post(
                "/api/v1/auth/login",
                None,
                json!({"login": login, "password": password}),
            )
            .await;
        let cookie = reply
            .headers
            .get("set-cookie")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(';').next())
            .and_then(|v| v.strip_prefix("hiroba_session="))
            .map(str::to_string);
        let body = reply.expect(200);
        Auth::Session {
            cookie: cookie.expect("session cookie"),
            csrf: body["csrf_token"].as_str().expect("csrf token").to_string(),
        }
    }

    /// Signs up a resident through the API and logs them in.
    pub async fn resident(&self, handle: &str) -> Auth {
        self.post(
            "/api/v1/auth/signup",
            None,
            json!({"handle": handle, "password": PASSWORD, "email": format!("{handle}@example.jp")}),
        )
        .await
        .expect(201);
        self.login(handle, PASSWORD).await
    }

    /// Creates an account with a role directly (as `hiroba admin create-user` does) and
    /// logs it in.
    pub async fn user_with_role(&self, handle: &str, role: Role) -> Auth {
        accounts::create_user_with_role(
            &self.state,
            SignupInput {
                handle: Some(handle.into()),
                email: None,
                password: PASSWORD.into(),
                display_name: None,
                accepted_terms: None,
            },
            role,
        )
        .await
        .expect("create user");
        self.login(handle, PASSWORD).await
    }

    pub async fn staff(&self) -> Auth {
        self.user_with_role("staff_member", Role::Staff).await
    }

    /// Creates a theme as staff and returns its slug.
    pub async fn theme(&self, staff: &Auth, slug: &str, status: &str, phases: Value) -> Value {
        self.post(
            "/api/v1/themes",
            Some(staff),
            json!({"slug": slug, "title": format!("Theme {slug}"), "status": status, "phases": phases}),
        )
        .await
        .expect(201)
    }

    pub async fn idea(&self, who: &Auth, slug: &str, title: &str) -> i64 {
        self.post(
            &format!("/api/v1/themes/{slug}/proposals"),
            Some(who),
            json!({"title": title, "body": format!("{title}の本文")}),
        )
        .await
        .expect(201)["id"]
            .as_i64()
            .expect("proposal id")
    }
}

pub const PASSWORD: &str = "correct horse battery";

/// A date relative to today in the municipality's time zone (Asia/Tokyo by default).
pub fn day(offset: i64) -> String {
    let today = jiff::Timestamp::now()
        .to_zoned(jiff::tz::TimeZone::get("Asia/Tokyo").expect("tz"))
        .date();
    today
        .checked_add(jiff::Span::new().days(offset))
        .expect("date")
        .to_string()
}

/// One phase running today that allows the given actions.
pub fn phase_today(ideas: bool, comments: bool, supports: bool) -> Value {
    json!([{
        "name": "考える",
        "starts_on": day(-5),
        "ends_on": day(5),
        "allows": {"ideas": ideas, "comments": comments, "supports": supports}
    }])
}

/// An app that federates with test peers on loopback: plain http and private addresses
/// allowed, retries, probes and the phase watcher fast.
pub async fn federating_app(backend: &Backend) -> TestApp {
    spawn_app_with(backend, |config| {
        config.federation.insecure = true;
        config.federation.retry_base = Duration::from_millis(100);
        config.federation.probe_interval = Duration::from_millis(300);
        config.federation.phase_check_interval = Duration::from_millis(100);
        config.federation.poll_tally_interval = Duration::from_millis(300);
    })
    .await
}

/// Waits (up to 10 s) until `check` holds.
pub async fn wait_until(what: &str, mut check: impl AsyncFnMut() -> bool) {
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    while std::time::Instant::now() < deadline {
        if check().await {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("timed out waiting for {what}");
}
