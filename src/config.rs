//! Typed configuration: defaults, then an optional TOML file, then `HIROBA_*` environment
//! variables, parsed once into values that cannot be invalid. No global settings: the
//! parsed [`Config`] is passed to whatever needs it.

use crate::msg;
use std::fmt;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use figment::Figment;
use figment::providers::{Env, Format, Serialized, Toml};
use serde::{Deserialize, Deserializer, Serialize};

use crate::domain::LocalGovernmentCode;

/// Raw settings as an operator writes them; every key is documented in
/// `hiroba.example.toml`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default)]
struct RawConfig {
    domain: String,
    scheme: Option<String>,
    listen: String,
    data_dir: PathBuf,
    database_url: Option<String>,
    database_max_connections: u32,
    #[serde(deserialize_with = "switch")]
    behind_proxy: bool,
    log_format: String,
    login_attempts_per_minute: u32,
    signups_per_hour: u32,
    upload_max_megabytes: u32,
    statistics_min_group: u32,
    #[serde(deserialize_with = "switch")]
    federation_insecure: bool,
    extra_ca_cert: Option<PathBuf>,
    #[serde(deserialize_with = "switch")]
    authorized_fetch: bool,
    delivery_workers: usize,
    event_retention_days: u32,
    reference_refresh_hours: u32,
    #[serde(deserialize_with = "switch")]
    run_event_consumers: bool,
    municipality: RawMunicipality,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default)]
struct RawMunicipality {
    name_ja: String,
    name_en: String,
    prefecture: Option<String>,
    #[serde(deserialize_with = "string_or_number")]
    local_government_code: Option<String>,
    time_zone: String,
}

/// Environment variables arrive untyped, and `142042` parses as a number; accept both.
fn string_or_number<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Either {
        Text(String),
        Number(u64),
    }
    Ok(match Option::<Either>::deserialize(d)? {
        Some(Either::Text(s)) if s.trim().is_empty() => None,
        Some(Either::Text(s)) => Some(s),
        Some(Either::Number(n)) => Some(format!("{n:06}")),
        None => None,
    })
}

/// An on/off setting: `true`/`false` in TOML, and from the environment also `1`/`0`,
/// `yes`/`no`, `on`/`off` (as operators write `HIROBA_FEDERATION_INSECURE=1`).
fn switch<'de, D: Deserializer<'de>>(d: D) -> Result<bool, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Either {
        Flag(bool),
        Number(u64),
        Text(String),
    }
    match Either::deserialize(d)? {
        Either::Flag(b) => Ok(b),
        Either::Number(0) => Ok(false),
        Either::Number(1) => Ok(true),
        Either::Text(t) => match t.trim().to_ascii_lowercase().as_str() {
            "1" | "true" | "yes" | "on" => Ok(true),
            "0" | "false" | "no" | "off" | "" => Ok(false),
            other => Err(serde::de::Error::custom(format!(
                "expected true or false (or 1/0), found `{other}`"
            ))),
        },
        Either::Number(n) => Err(serde::de::Error::custom(format!(
            "expected true or false (or 1/0), found `{n}`"
        ))),
    }
}

impl Default for RawConfig {
    fn default() -> Self {
        Self {
            domain: "localhost:8080".into(),
            scheme: None,
            listen: "127.0.0.1:8080".into(),
            data_dir: PathBuf::from("data"),
            database_url: None,
            database_max_connections: 10,
            behind_proxy: false,
            log_format: "text".into(),
            login_attempts_per_minute: 5,
            signups_per_hour: 30,
            upload_max_megabytes: 20,
            statistics_min_group: 5,
            federation_insecure: false,
            extra_ca_cert: None,
            authorized_fetch: false,
            delivery_workers: 4,
            event_retention_days: 30,
            reference_refresh_hours: 6,
            run_event_consumers: true,
            municipality: RawMunicipality::default(),
        }
    }
}

impl Default for RawMunicipality {
    fn default() -> Self {
        Self {
            name_ja: "未設定の自治体".into(),
            name_en: "Unnamed municipality".into(),
            prefecture: None,
            local_government_code: None,
            time_zone: "Asia/Tokyo".into(),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scheme {
    Http,
    Https,
}

impl Scheme {
    pub fn as_str(self) -> &'static str {
        match self {
            Scheme::Http => "http",
            Scheme::Https => "https",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogFormat {
    Text,
    Json,
}

/// A PostgreSQL URL whose password never reaches a log line or `Debug` output.
#[derive(Clone, PartialEq, Eq)]
pub struct SecretUrl(String);

impl SecretUrl {
    pub fn new(url: String) -> Self {
        Self(url)
    }

    pub fn expose(&self) -> &str {
        &self.0
    }

    /// The URL with its password replaced by `***`.
    pub fn redacted(&self) -> String {
        match url::Url::parse(&self.0) {
            Ok(mut url) => {
                if url.password().is_some() {
                    let _ = url.set_password(Some("***"));
                }
                url.to_string()
            }
            Err(_) => "<unparseable database URL>".to_string(),
        }
    }
}

impl fmt::Debug for SecretUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.redacted())
    }
}

/// Which database the instance runs on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DatabaseTarget {
    Sqlite(PathBuf),
    Postgres(SecretUrl),
}

impl DatabaseTarget {
    pub fn parse(url: &str) -> Result<Self, ConfigError> {
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            url::Url::parse(url).map_err(|e| ConfigError::invalid("database_url", e))?;
            Ok(DatabaseTarget::Postgres(SecretUrl::new(url.to_string())))
        } else if let Some(path) = url
            .strip_prefix("sqlite://")
            .or_else(|| url.strip_prefix("sqlite:"))
        {
            let path = path.split('?').next().unwrap_or_default();
            if path.is_empty() {
                return Err(ConfigError::invalid(
                    "database_url",
                    "the SQLite path is empty",
                ));
            }
            Ok(DatabaseTarget::Sqlite(PathBuf::from(path)))
        } else {
            Err(ConfigError::invalid(
                "database_url",
                "must start with sqlite:// or postgres://",
            ))
        }
    }

    pub fn describe(&self) -> String {
        match self {
            DatabaseTarget::Sqlite(path) => format!("sqlite://{}", path.display()),
            DatabaseTarget::Postgres(url) => url.redacted(),
        }
    }
}

/// The municipality that runs this instance.
#[derive(Debug, Clone)]
pub struct Municipality {
    pub name_ja: String,
    pub name_en: String,
    pub prefecture: Option<String>,
    pub local_government_code: Option<LocalGovernmentCode>,
    pub time_zone: jiff::tz::TimeZone,
    pub time_zone_name: String,
}

impl Municipality {
    /// Today's date where the municipality is: phases change at local midnight.
    pub fn today(&self) -> jiff::civil::Date {
        jiff::Timestamp::now()
            .to_zoned(self.time_zone.clone())
            .date()
    }
}

#[derive(Debug, Clone)]
pub struct Limits {
    pub login_attempts_per_minute: u32,
    pub signups_per_hour: u32,
    /// The largest document staff may upload (a result's PDF or image), in bytes.
    pub upload_max_bytes: usize,
    /// The fewest people a published figure may count (k of k-anonymity): smaller groups
    /// are shown as `< k`, and other cells are held back so that totals do not reveal them.
    pub statistics_min_group: i64,
}

#[derive(Debug, Clone)]
pub struct Config {
    /// Public host name (with a port when not the default), e.g. `sanka.city.kamakura.jp`.
    pub domain: String,
    pub scheme: Scheme,
    pub listen: SocketAddr,
    pub data_dir: PathBuf,
    pub database: DatabaseTarget,
    pub database_max_connections: u32,
    /// Trust `X-Forwarded-For` for client addresses (only behind a reverse proxy).
    pub behind_proxy: bool,
    pub log_format: LogFormat,
    pub limits: Limits,
    pub municipality: Municipality,
    pub federation: FederationSettings,
    pub events: EventSettings,
    /// Set by `serve --demo`: the instance serves sample data from its own database.
    pub demo: bool,
}

#[derive(Debug, Clone)]
pub struct FederationSettings {
    /// Allow plain-http peers and private or loopback addresses (tests only).
    pub insecure: bool,
    /// A CA certificate (PEM) the outgoing HTTP client trusts besides the system's.
    pub extra_ca_cert: Option<PathBuf>,
    /// Require signed GETs for ActivityPub documents.
    pub authorized_fetch: bool,
    /// Tasks delivering activities from the queue, per process.
    pub delivery_workers: usize,
    /// Delay before the first retry of a failed delivery; it doubles with each attempt.
    pub retry_base: std::time::Duration,
    /// How long an unreachable instance is skipped before it is tried again.
    pub probe_interval: std::time::Duration,
    /// How often themes are checked for a phase that changed with the date, whose `Group`
    /// followers must then be sent.
    pub phase_check_interval: std::time::Duration,
    /// The least time between two tallies of a fediverse poll sent while votes arrive.
    pub poll_tally_interval: std::time::Duration,
    /// How often a referenced object of another instance is fetched again.
    pub reference_refresh: std::time::Duration,
}

/// The event log and its consumers.
#[derive(Debug, Clone)]
pub struct EventSettings {
    /// Whether this process runs the consumers (the federation publisher...). With several
    /// processes on one database, any number may; a lock makes one do the work.
    pub run_consumers: bool,
    /// Events every consumer has passed are deleted once older than this.
    pub retention: std::time::Duration,
    /// How often a consumer looks for events without being woken: events are announced in
    /// the process that writes them and, on PostgreSQL, to every process (LISTEN/NOTIFY), so
    /// this only bounds what an announcement lost to a broken connection may wait.
    pub poll_interval: std::time::Duration,
    /// Delay before a failed event is tried again; it doubles with each attempt.
    pub retry_base: std::time::Duration,
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("configuration key `{key}`: {message}")]
    Invalid { key: String, message: String },
    #[error("configuration file {path}: {message}")]
    File { path: String, message: String },
}

impl ConfigError {
    fn invalid(key: &str, message: impl fmt::Display) -> Self {
        ConfigError::Invalid {
            key: key.to_string(),
            message: message.to_string(),
        }
    }
}

impl Config {
    /// Defaults, then the TOML file (when given), then `HIROBA_*` variables.
    pub fn load(file: Option<&Path>) -> Result<Config, ConfigError> {
        let mut figment = Figment::from(Serialized::defaults(RawConfig::default()));
        if let Some(path) = file {
            if !path.exists() {
                return Err(ConfigError::File {
                    path: path.display().to_string(),
                    message: "no such file".into(),
                });
            }
            figment = figment.merge(Toml::file_exact(path));
        }
        figment = figment.merge(Env::prefixed("HIROBA_").split("__").ignore(&["config"]));
        let raw: RawConfig = figment.extract().map_err(|e| {
            let key = e.path.join(".");
            ConfigError::Invalid {
                key: if key.is_empty() { "(file)".into() } else { key },
                message: e.kind.to_string(),
            }
        })?;
        Self::from_raw(raw)
    }

    /// A configuration for a data directory with every other key at its default; used by
    /// tests and tools that build a config in code.
    pub fn for_data_dir(data_dir: &Path) -> Config {
        let raw = RawConfig {
            data_dir: data_dir.to_path_buf(),
            ..RawConfig::default()
        };
        // The defaults are valid by construction.
        Self::from_raw(raw).expect("default configuration is valid")
    }

    fn from_raw(raw: RawConfig) -> Result<Config, ConfigError> {
        let domain = raw.domain.trim().to_lowercase();
        if domain.is_empty()
            || domain.contains('/')
            || domain.contains(char::is_whitespace)
            || url::Url::parse(&format!("http://{domain}/")).is_err()
        {
            return Err(ConfigError::invalid(
                "domain",
                "must be a host name such as hiroba.city.example.jp (no scheme, no path)",
            ));
        }
        let host = domain.split(':').next().unwrap_or_default();
        let local = host == "localhost" || host.starts_with("127.") || host == "[::1]";
        let scheme = match raw.scheme.as_deref().map(str::trim) {
            Some("https") => Scheme::Https,
            Some("http") => Scheme::Http,
            None | Some("") => {
                if local {
                    Scheme::Http
                } else {
                    Scheme::Https
                }
            }
            Some(other) => {
                return Err(ConfigError::invalid(
                    "scheme",
                    format!("must be http or https, not {other:?}"),
                ));
            }
        };
        let listen: SocketAddr = raw.listen.trim().parse().map_err(|_| {
            ConfigError::invalid("listen", "must be an address:port such as 0.0.0.0:8080")
        })?;
        let database = match raw.database_url.as_deref().map(str::trim) {
            None | Some("") => DatabaseTarget::Sqlite(raw.data_dir.join("hiroba.sqlite3")),
            Some(url) => DatabaseTarget::parse(url)?,
        };
        if raw.database_max_connections == 0 {
            return Err(ConfigError::invalid(
                "database_max_connections",
                "must be at least 1",
            ));
        }
        let log_format = match raw.log_format.trim() {
            "text" => LogFormat::Text,
            "json" => LogFormat::Json,
            other => {
                return Err(ConfigError::invalid(
                    "log_format",
                    format!("must be text or json, not {other:?}"),
                ));
            }
        };
        if raw.login_attempts_per_minute == 0 {
            return Err(ConfigError::invalid(
                "login_attempts_per_minute",
                "must be at least 1",
            ));
        }
        if raw.signups_per_hour == 0 {
            return Err(ConfigError::invalid(
                "signups_per_hour",
                "must be at least 1",
            ));
        }
        if !(3..=1_000).contains(&raw.statistics_min_group) {
            return Err(ConfigError::invalid(
                "statistics_min_group",
                "must be between 3 and 1000: smaller groups would let a figure point at a person",
            ));
        }
        if !(1..=512).contains(&raw.upload_max_megabytes) {
            return Err(ConfigError::invalid(
                "upload_max_megabytes",
                "must be from 1 to 512",
            ));
        }
        let m = raw.municipality;
        let time_zone = jiff::tz::TimeZone::get(m.time_zone.trim()).map_err(|_| {
            ConfigError::invalid(
                "municipality.time_zone",
                format!(
                    "unknown time zone {:?}; use an IANA name such as Asia/Tokyo",
                    m.time_zone
                ),
            )
        })?;
        let code = match m.local_government_code.as_deref() {
            None => None,
            Some(code) => Some(LocalGovernmentCode::parse(code).map_err(|e| {
                ConfigError::invalid("municipality.local_government_code", e.message)
            })?),
        };
        let prefecture = m
            .prefecture
            .filter(|p| !p.trim().is_empty())
            .or_else(|| code.as_ref().map(|c| c.prefecture().0.to_string()));
        for (key, value) in [
            ("municipality.name_ja", &m.name_ja),
            ("municipality.name_en", &m.name_en),
        ] {
            if value.trim().is_empty() {
                return Err(ConfigError::invalid(key, msg!("error-required")));
            }
        }
        Ok(Config {
            domain,
            scheme,
            listen,
            data_dir: raw.data_dir,
            database,
            database_max_connections: raw.database_max_connections,
            behind_proxy: raw.behind_proxy,
            log_format,
            limits: Limits {
                login_attempts_per_minute: raw.login_attempts_per_minute,
                signups_per_hour: raw.signups_per_hour,
                upload_max_bytes: raw.upload_max_megabytes as usize * 1024 * 1024,
                statistics_min_group: i64::from(raw.statistics_min_group),
            },
            municipality: Municipality {
                name_ja: m.name_ja.trim().to_string(),
                name_en: m.name_en.trim().to_string(),
                prefecture,
                local_government_code: code,
                time_zone,
                time_zone_name: m.time_zone.trim().to_string(),
            },
            federation: FederationSettings {
                insecure: raw.federation_insecure,
                extra_ca_cert: raw.extra_ca_cert,
                authorized_fetch: raw.authorized_fetch,
                delivery_workers: raw.delivery_workers.clamp(1, 64),
                retry_base: std::time::Duration::from_secs(30),
                probe_interval: std::time::Duration::from_secs(3600),
                phase_check_interval: std::time::Duration::from_secs(60),
                poll_tally_interval: std::time::Duration::from_secs(60),
                reference_refresh: std::time::Duration::from_secs(
                    u64::from(raw.reference_refresh_hours.clamp(1, 24 * 7)) * 3600,
                ),
            },
            events: EventSettings {
                run_consumers: raw.run_event_consumers,
                retention: std::time::Duration::from_secs(
                    u64::from(raw.event_retention_days.max(1)) * 86_400,
                ),
                poll_interval: std::time::Duration::from_secs(5),
                retry_base: std::time::Duration::from_secs(5),
            },
            demo: false,
        })
    }

    /// The public base URL, without a trailing slash.
    pub fn public_url(&self) -> String {
        format!("{}://{}", self.scheme.as_str(), self.domain)
    }

    pub fn media_dir(&self) -> PathBuf {
        self.data_dir.join("media")
    }

    /// A summary of the effective configuration, secrets redacted, for `hiroba config`.
    pub fn summary(&self) -> String {
        let m = &self.municipality;
        format!(
            "domain = {}\nscheme = {}\nlisten = {}\ndata_dir = {}\ndatabase_url = {}\n\
             database_max_connections = {}\nbehind_proxy = {}\nlog_format = {}\n\
             login_attempts_per_minute = {}\nsignups_per_hour = {}\nupload_max_megabytes = {}\n\
             statistics_min_group = {}\n\
             federation_insecure = {}\nextra_ca_cert = {}\nauthorized_fetch = {}\ndelivery_workers = {}\n\
             reference_refresh_hours = {}\nevent_retention_days = {}\nrun_event_consumers = {}\n\
             municipality.name_ja = {}\nmunicipality.name_en = {}\nmunicipality.prefecture = {}\n\
             municipality.local_government_code = {}\nmunicipality.time_zone = {}\n",
            self.domain,
            self.scheme.as_str(),
            self.listen,
            self.data_dir.display(),
            self.database.describe(),
            self.database_max_connections,
            self.behind_proxy,
            match self.log_format {
                LogFormat::Text => "text",
                LogFormat::Json => "json",
            },
            self.limits.login_attempts_per_minute,
            self.limits.signups_per_hour,
            self.limits.upload_max_bytes / (1024 * 1024),
            self.limits.statistics_min_group,
            self.federation.insecure,
            self.federation
                .extra_ca_cert
                .as_ref()
                .map(|p| p.display().to_string())
                .unwrap_or_else(|| "(unset)".into()),
            self.federation.authorized_fetch,
            self.federation.delivery_workers,
            self.federation.reference_refresh.as_secs() / 3600,
            self.events.retention.as_secs() / 86_400,
            self.events.run_consumers,
            m.name_ja,
            m.name_en,
            m.prefecture.as_deref().unwrap_or("(unset)"),
            m.local_government_code
                .as_ref()
                .map(|c| c.as_str())
                .unwrap_or("(unset)"),
            m.time_zone_name,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn postgres_passwords_are_redacted() {
        let target = DatabaseTarget::parse("postgres://hiroba:s3cret@db:5432/hiroba").unwrap();
        let shown = format!("{target:?} {}", target.describe());
        assert!(!shown.contains("s3cret"), "{shown}");
        assert!(shown.contains("hiroba:***@db"), "{shown}");
    }

    #[test]
    fn sqlite_urls_name_a_file() {
        assert_eq!(
            DatabaseTarget::parse("sqlite://data/x.db?mode=rwc").unwrap(),
            DatabaseTarget::Sqlite(PathBuf::from("data/x.db"))
        );
        assert!(DatabaseTarget::parse("mysql://x").is_err());
    }

    /// A published figure never counts fewer than 3 people, whatever the operator sets.
    #[test]
    fn the_statistics_group_is_never_below_three() {
        for (k, accepted) in [(2, false), (3, true), (5, true), (1_001, false)] {
            let raw = RawConfig {
                statistics_min_group: k,
                ..RawConfig::default()
            };
            match Config::from_raw(raw) {
                Ok(config) => {
                    assert!(accepted, "k = {k} was accepted");
                    assert_eq!(config.limits.statistics_min_group, i64::from(k));
                }
                Err(e) => {
                    assert!(!accepted, "k = {k}: {e}");
                    assert!(e.to_string().contains("statistics_min_group"), "{e}");
                }
            }
        }
    }

    /// What a newcomer copies must work: the example loads through the real loader, its
    /// values are the ones read, and it documents every key the configuration knows.
    #[test]
    fn the_example_file_loads_and_names_every_key() {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("hiroba.example.toml");
        let config = Config::load(Some(&path)).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(config.domain, "sanka.city.example.jp");
        assert_eq!(config.municipality.name_ja, "みどり市");
        assert_eq!(config.federation.delivery_workers, 4);
        let text = std::fs::read_to_string(&path).unwrap();
        let (top, municipality) = text.split_once("\n[municipality]\n").unwrap();
        let documented = |part: &str, key: &str| {
            part.lines().any(|line| {
                let line = line.trim_start_matches('#').trim_start();
                line.strip_prefix(key)
                    .is_some_and(|rest| rest.trim_start().starts_with('='))
            })
        };
        let keys = serde_json::to_value(RawConfig::default()).unwrap();
        for (key, value) in keys.as_object().unwrap() {
            if key == "municipality" {
                for key in value.as_object().unwrap().keys() {
                    assert!(
                        documented(municipality, key),
                        "[municipality] {key} is missing"
                    );
                }
            } else {
                assert!(
                    documented(top, key),
                    "{key} is missing before [municipality]"
                );
            }
        }
    }
}
