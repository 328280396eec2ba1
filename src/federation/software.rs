//! Which software a peer instance runs, read once a week from its NodeInfo, so that the
//! theme's deliveries carry only the form of an announcement that software reads: group
//! software (Lemmy and its kind) reads an `Announce` of the author's activity and refuses
//! one of the bare object; Mastodon-family software shows an `Announce` of the object and
//! skips one of an activity. A peer whose software is not known gets both.

use std::collections::HashMap;
use std::time::Duration;

use serde_json::Value;

use super::actors::host_of;
use crate::error::AppError;
use crate::state::AppState;
use crate::storage::{federation as store, now_millis};

/// How long what a NodeInfo said is trusted before it is read again.
const RECHECK_AFTER_MS: i64 = 7 * 24 * 3600 * 1000;
/// A slow NodeInfo must not hold up the follow that made us ask.
const LOOKUP_TIMEOUT: Duration = Duration::from_secs(3);
/// How soon a NodeInfo that could not be read is asked for again.
const RETRY_UNREAD_AFTER_MS: i64 = 10 * 60 * 1000;

/// Software that reads an `Announce` of an activity and refuses one of an object.
const GROUP_SOFTWARE: &[&str] = &["lemmy", "mbin", "kbin", "piefed", "lotide"];
/// Software that shows an `Announce` of an object and skips one of an activity it cannot
/// fetch as a post.
const MICROBLOG_SOFTWARE: &[&str] = &[
    "mastodon",
    "hometown",
    "glitchsoc",
    "fedibird",
    "gotosocial",
    "misskey",
    "sharkey",
    "firefish",
    "iceshrimp",
    "cherrypick",
];

/// What a peer's software reads of the theme's announcements.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reads {
    /// `Announce(Create(Page))`, `Announce(Update(…))`: group software.
    Activities,
    /// `Announce(Page)` and the author's own `Update`/`Delete`: Mastodon-family software.
    Objects,
    /// Unknown software: both forms.
    Both,
}

impl Reads {
    pub fn of(software: Option<&str>) -> Reads {
        let Some(name) = software.map(|s| s.to_ascii_lowercase().replace(['-', '_'], "")) else {
            return Reads::Both;
        };
        if GROUP_SOFTWARE.contains(&name.as_str()) {
            Reads::Activities
        } else if MICROBLOG_SOFTWARE.contains(&name.as_str()) {
            Reads::Objects
        } else {
            Reads::Both
        }
    }

    pub fn activities(self) -> bool {
        self != Reads::Objects
    }

    pub fn objects(self) -> bool {
        self != Reads::Activities
    }
}

/// Inboxes split by the form their software reads; an unknown one is in both lists.
#[derive(Debug, Default)]
pub struct Readers {
    /// Inboxes that get the `Announce` of an activity.
    pub activities: Vec<String>,
    /// Inboxes that get the `Announce` of an object, or the author's activity itself.
    pub objects: Vec<String>,
}

/// Splits `inboxes` by what the software of each one's instance reads.
pub async fn readers(state: &AppState, inboxes: Vec<String>) -> Result<Readers, AppError> {
    let mut domains: Vec<String> = inboxes.iter().filter_map(|i| host_of(i)).collect();
    domains.sort_unstable();
    domains.dedup();
    let domains: Vec<&str> = domains.iter().map(String::as_str).collect();
    let mut conn = state.db.acquire().await?;
    let known: HashMap<String, String> = store::instance_software(conn.ex(), &domains)
        .await?
        .into_iter()
        .collect();
    drop(conn);
    let mut readers = Readers::default();
    for inbox in inboxes {
        let reads = host_of(&inbox)
            .and_then(|domain| known.get(&domain))
            .map_or(Reads::Both, |software| Reads::of(Some(software)));
        if reads.activities() {
            readers.activities.push(inbox.clone());
        }
        if reads.objects() {
            readers.objects.push(inbox);
        }
    }
    Ok(readers)
}

/// Learns the software of the instance that serves `inbox`, unless it was read recently.
/// Failures only mean the software stays unknown, so both forms are sent.
pub async fn learn(state: &AppState, inbox: &str) {
    let Ok(url) = url::Url::parse(inbox) else {
        return;
    };
    let Some(domain) = host_of(inbox) else {
        return;
    };
    let checked = match state.db.acquire().await {
        Ok(mut conn) => store::software_checked_at(conn.ex(), &domain).await,
        Err(e) => Err(e),
    };
    match checked {
        Ok(Some(at)) if now_millis() - at < RECHECK_AFTER_MS => return,
        Ok(_) => {}
        Err(e) => {
            tracing::warn!(error = %e, "cannot read what is known of an instance");
            return;
        }
    }
    let read = match tokio::time::timeout(LOOKUP_TIMEOUT, nodeinfo_software(state, &url)).await {
        Ok(Ok(read)) => Some(read),
        Ok(Err(why)) => {
            tracing::info!(%domain, %why, "no NodeInfo software; both announcement forms are sent");
            None
        }
        Err(_) => {
            tracing::info!(%domain, "NodeInfo timed out; both announcement forms are sent");
            None
        }
    };
    let Ok(mut conn) = state.db.acquire().await else {
        return;
    };
    let recorded = match read {
        Some((software, municipality)) => {
            store::set_software(
                conn.ex(),
                &domain,
                Some(&software),
                municipality.as_deref(),
                now_millis(),
            )
            .await
        }
        // A server that did not answer keeps what was known, and is asked again soon.
        None => {
            let retry_at = now_millis() - RECHECK_AFTER_MS + RETRY_UNREAD_AFTER_MS;
            store::software_unread(conn.ex(), &domain, retry_at).await
        }
    };
    if let Err(e) = recorded {
        tracing::warn!(error = %e, "cannot record an instance's software");
    }
}

/// `software.name` from the NodeInfo (FEP-f1d5) of the instance at `url`'s origin, and
/// what its `metadata.municipality` says (Hiroba's: names, prefecture, code), as JSON.
async fn nodeinfo_software(
    state: &AppState,
    url: &url::Url,
) -> Result<(String, Option<String>), String> {
    let client = &state.federation.client;
    let mut links = url.clone();
    links.set_path("/.well-known/nodeinfo");
    links.set_query(None);
    links.set_fragment(None);
    let (_, document) = client.get_jrd(&links).await.map_err(|e| e.to_string())?;
    let href = nodeinfo_href(&document).ok_or("no NodeInfo 2.x link")?;
    let href = url::Url::parse(&href).map_err(|e| e.to_string())?;
    let (_, info) = client.get_jrd(&href).await.map_err(|e| e.to_string())?;
    let name = info
        .pointer("/software/name")
        .and_then(Value::as_str)
        .filter(|name| !name.is_empty() && name.len() <= 64)
        .map(str::to_ascii_lowercase)
        .ok_or("no software.name")?;
    Ok((name, municipality_of(&info)))
}

/// The municipality a NodeInfo describes, kept to its short text fields.
fn municipality_of(info: &Value) -> Option<String> {
    let m = info.pointer("/metadata/municipality")?.as_object()?;
    let mut kept = serde_json::Map::new();
    for key in ["nameJa", "nameEn", "prefecture", "localGovernmentCode"] {
        if let Some(text) = m.get(key).and_then(Value::as_str)
            && !text.trim().is_empty()
        {
            kept.insert(
                key.to_string(),
                Value::String(text.chars().take(100).collect()),
            );
        }
    }
    (!kept.is_empty()).then(|| Value::Object(kept).to_string())
}

/// What is known of the municipality of the instance at `domain`: (Japanese name,
/// prefecture), learning it first when it was never read.
pub async fn municipality(state: &AppState, any_url: &str) -> (Option<String>, Option<String>) {
    learn(state, any_url).await;
    let Some(domain) = host_of(any_url) else {
        return (None, None);
    };
    let known = match state.db.acquire().await {
        Ok(mut conn) => store::instance_municipality(conn.ex(), &domain)
            .await
            .ok()
            .flatten(),
        Err(_) => None,
    };
    let Some(value) = known.and_then(|k| serde_json::from_str::<Value>(&k).ok()) else {
        return (None, None);
    };
    let text = |key: &str| value.get(key).and_then(Value::as_str).map(str::to_string);
    (text("nameJa"), text("prefecture"))
}

/// The newest NodeInfo 2.x schema a links document offers.
fn nodeinfo_href(document: &Value) -> Option<String> {
    let links = document.get("links")?.as_array()?;
    links
        .iter()
        .filter_map(|link| {
            let rel = link.get("rel")?.as_str()?;
            let version = rel.strip_prefix("http://nodeinfo.diaspora.software/ns/schema/2.")?;
            let href = link.get("href")?.as_str()?;
            Some((version.to_string(), href.to_string()))
        })
        .max_by(|a, b| a.0.cmp(&b.0))
        .map(|(_, href)| href)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn known_software_reads_one_form_and_unknown_both() {
        assert_eq!(Reads::of(Some("lemmy")), Reads::Activities);
        assert_eq!(Reads::of(Some("Mastodon")), Reads::Objects);
        assert_eq!(Reads::of(Some("glitch-soc")), Reads::Objects);
        assert_eq!(Reads::of(Some("akkoma")), Reads::Both);
        assert_eq!(Reads::of(None), Reads::Both);
    }

    #[test]
    fn the_newest_nodeinfo_schema_is_chosen() {
        let links = json!({"links": [
            {"rel": "http://nodeinfo.diaspora.software/ns/schema/2.0", "href": "https://a.example/2.0"},
            {"rel": "http://nodeinfo.diaspora.software/ns/schema/2.1", "href": "https://a.example/2.1"},
            {"rel": "https://www.w3.org/ns/activitystreams#Application", "href": "https://a.example/actor"},
        ]});
        assert_eq!(
            nodeinfo_href(&links).as_deref(),
            Some("https://a.example/2.1")
        );
        assert_eq!(nodeinfo_href(&json!({"links": []})), None);
    }
}
