//! Discovery: WebFinger (`acct:` for the municipality, every theme, resident and
//! pseudonym), NodeInfo 2.1 with the municipality's metadata and its application actor
//! (FEP-2677), and host-meta.

use axum::Router;
use axum::extract::{Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde::{Deserialize, Serialize};

use super::{ACTIVITY_JSON, INSTANCE_ACTOR, Urls};
use crate::domain::ThemeStatus;
use crate::error::AppError;
use crate::services::instance;
use crate::state::AppState;
use crate::storage::{federation as store, themes as theme_store};

pub const NODEINFO_21: &str = "http://nodeinfo.diaspora.software/ns/schema/2.1";
pub const APPLICATION_REL: &str = "https://www.w3.org/ns/activitystreams#Application";

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/.well-known/webfinger", get(webfinger))
        .route("/.well-known/nodeinfo", get(nodeinfo_links))
        .route("/nodeinfo/2.1", get(nodeinfo))
        .route("/.well-known/host-meta", get(host_meta))
}

#[derive(Debug, Deserialize)]
pub struct WebfingerQuery {
    pub resource: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Jrd {
    pub subject: String,
    #[serde(default)]
    pub aliases: Vec<String>,
    pub links: Vec<JrdLink>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct JrdLink {
    pub rel: String,
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub href: Option<String>,
}

fn with_headers(mut response: Response, content_type: &'static str) -> Response {
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    headers.insert(
        header::ACCESS_CONTROL_ALLOW_ORIGIN,
        HeaderValue::from_static("*"),
    );
    response
}

/// The local name a resource asks for: `acct:name@host`, `name@host`, or one of our actor
/// URLs. `None` when it names another host or nothing we publish.
/// RFC 7033 §4.2: the resource is an absolute URI; an `acct:` URI names a user and a host.
fn check_resource(resource: &str) -> Result<(), &'static str> {
    let uri = url::Url::parse(resource.trim())
        .map_err(|_| "the resource must be an absolute URI, such as acct:name@host")?;
    if uri.scheme() == "acct" {
        let (user, host) = uri.path().rsplit_once('@').unwrap_or(("", ""));
        if user.is_empty() || host.is_empty() {
            return Err("an acct: URI names a user and a host: acct:name@host");
        }
    }
    Ok(())
}

fn local_name(resource: &str, urls: &Urls, domain: &str) -> Option<String> {
    let resource = resource.trim();
    if let Some(rest) = resource.strip_prefix(urls.base()) {
        let path = rest.trim_end_matches('/');
        if path == "/actor" {
            return Some(INSTANCE_ACTOR.to_string());
        }
        for prefix in ["/themes/", "/users/", "/anonymous/"] {
            if let Some(name) = path.strip_prefix(prefix) {
                return (!name.is_empty() && !name.contains('/')).then(|| name.to_string());
            }
        }
        return None;
    }
    let acct = resource
        .strip_prefix("acct:")
        .unwrap_or(resource)
        .trim_start_matches('@');
    let (name, host) = acct.rsplit_once('@')?;
    (host.eq_ignore_ascii_case(domain) && !name.is_empty()).then(|| name.to_lowercase())
}

async fn webfinger(
    State(state): State<AppState>,
    Query(query): Query<WebfingerQuery>,
) -> Result<Response, AppError> {
    // RFC 7033: a missing resource is a bad request (400).
    let Some(resource) = query.resource.filter(|r| !r.trim().is_empty()) else {
        return Ok(crate::error::problem::Problem::new(
            StatusCode::BAD_REQUEST,
            "bad-request",
            "Missing resource",
            Some("give ?resource=acct:name@host".into()),
        )
        .into_response());
    };
    if let Err(why) = check_resource(&resource) {
        return Ok(crate::error::problem::Problem::new(
            StatusCode::BAD_REQUEST,
            "bad-request",
            "Malformed resource",
            Some(why.into()),
        )
        .into_response());
    }
    let urls = Urls::new(&state.config);
    let domain = state.config.domain.clone();
    let name = local_name(&resource, &urls, &domain).ok_or(AppError::NotFound("account"))?;
    let mut conn = state.db.acquire().await?;
    let (actor, page) = if name == INSTANCE_ACTOR {
        (urls.instance_actor(), Some(format!("{}/", urls.base())))
    } else if let Some(theme) = theme_store::find_theme_by_slug(conn.ex(), &name).await? {
        if ThemeStatus::parse(&theme.status).ok() == Some(ThemeStatus::Draft) {
            return Err(AppError::NotFound("account"));
        }
        (urls.theme(&name), Some(urls.theme(&name)))
    } else if store::find_user_by_handle(conn.ex(), &name)
        .await?
        .is_some()
    {
        (urls.user(&name), None)
    } else if store::find_pseudonym(conn.ex(), &name).await?.is_some() {
        (urls.pseudonym(&name), None)
    } else {
        return Err(AppError::NotFound("account"));
    };
    let mut links = vec![JrdLink {
        rel: "self".into(),
        kind: Some(ACTIVITY_JSON.into()),
        href: Some(actor.clone()),
    }];
    if let Some(page) = page {
        links.push(JrdLink {
            rel: "http://webfinger.net/rel/profile-page".into(),
            kind: Some("text/html".into()),
            href: Some(page),
        });
    }
    let jrd = Jrd {
        subject: format!("acct:{name}@{domain}"),
        aliases: vec![actor],
        links,
    };
    Ok(with_headers(
        axum::Json(jrd).into_response(),
        "application/jrd+json; charset=utf-8",
    ))
}

/// A link of the NodeInfo discovery document.
#[derive(Serialize)]
struct NodeInfoLink {
    rel: &'static str,
    href: String,
}

#[derive(Serialize)]
struct NodeInfoLinks {
    links: Vec<NodeInfoLink>,
}

async fn nodeinfo_links(State(state): State<AppState>) -> Response {
    let urls = Urls::new(&state.config);
    let body = NodeInfoLinks {
        links: vec![
            NodeInfoLink {
                rel: NODEINFO_21,
                href: format!("{}/nodeinfo/2.1", urls.base()),
            },
            NodeInfoLink {
                rel: APPLICATION_REL,
                href: urls.instance_actor(),
            },
        ],
    };
    with_headers(axum::Json(body).into_response(), "application/json")
}

/// NodeInfo 2.1, with the municipality in its metadata (FEP-f1d5).
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct NodeInfo {
    version: &'static str,
    software: NodeInfoSoftware,
    protocols: [&'static str; 1],
    services: NodeInfoServices,
    open_registrations: bool,
    usage: NodeInfoUsage,
    metadata: NodeInfoMetadata,
}

#[derive(Serialize)]
struct NodeInfoSoftware {
    name: &'static str,
    version: &'static str,
    homepage: String,
}

#[derive(Serialize)]
struct NodeInfoServices {
    inbound: [&'static str; 0],
    outbound: [&'static str; 0],
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct NodeInfoUsage {
    users: NodeInfoUsers,
    local_posts: i64,
    local_comments: i64,
}

#[derive(Serialize)]
struct NodeInfoUsers {
    total: i64,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct NodeInfoMetadata {
    node_name: String,
    node_description: String,
    municipality: NodeInfoMunicipality,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct NodeInfoMunicipality {
    name_ja: String,
    name_en: String,
    prefecture: Option<String>,
    local_government_code: Option<String>,
    time_zone: String,
}

async fn nodeinfo(State(state): State<AppState>) -> Result<Response, AppError> {
    let profile = instance::profile(&state).await?;
    let mut conn = state.db.acquire().await?;
    let (users, proposals, comments) = store::usage_counts(conn.ex()).await?;
    let body = NodeInfo {
        version: "2.1",
        software: NodeInfoSoftware {
            name: "hiroba",
            version: env!("CARGO_PKG_VERSION"),
            homepage: format!("{}/", state.config.public_url()),
        },
        protocols: ["activitypub"],
        services: NodeInfoServices {
            inbound: [],
            outbound: [],
        },
        open_registrations: true,
        usage: NodeInfoUsage {
            users: NodeInfoUsers { total: users },
            local_posts: proposals,
            local_comments: comments,
        },
        metadata: NodeInfoMetadata {
            node_description: format!("{} / {}", profile.name_ja, profile.name_en),
            node_name: profile.name_ja.clone(),
            municipality: NodeInfoMunicipality {
                name_ja: profile.name_ja,
                name_en: profile.name_en,
                prefecture: profile.prefecture,
                local_government_code: profile.local_government_code,
                time_zone: profile.time_zone,
            },
        },
    };
    Ok(with_headers(
        axum::Json(body).into_response(),
        "application/json; profile=\"http://nodeinfo.diaspora.software/ns/schema/2.1#\"",
    ))
}

async fn host_meta(State(state): State<AppState>) -> Response {
    let base = state.config.public_url();
    let xml = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n\
         <XRD xmlns=\"http://docs.oasis-open.org/ns/xri/xrd-1.0\">\n  \
         <Link rel=\"lrdd\" template=\"{base}/.well-known/webfinger?resource={{uri}}\"/>\n</XRD>\n"
    );
    with_headers(
        (StatusCode::OK, xml).into_response(),
        "application/xrd+xml; charset=utf-8",
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn malformed_resources_are_told_apart_from_unknown_ones() {
        for bad in [
            "city@host.example",
            "=acct:city@host",
            "acct:",
            "acct:city",
            "acct:@host",
            "acct:city@",
        ] {
            assert!(check_resource(bad).is_err(), "{bad}");
        }
        for good in [
            "acct:city@host.example",
            "https://host.example/actor",
            "acct:someone@elsewhere.example",
        ] {
            assert!(check_resource(good).is_ok(), "{good}");
        }
    }
    use crate::config::Config;

    #[test]
    fn resources_name_local_actors_only() {
        let mut config = Config::for_data_dir(std::path::Path::new("/tmp"));
        config.domain = "sanka.city.example.jp".into();
        config.scheme = crate::config::Scheme::Https;
        let urls = Urls::new(&config);
        let domain = "sanka.city.example.jp";
        assert_eq!(
            local_name("acct:smartcity@sanka.city.example.jp", &urls, domain).as_deref(),
            Some("smartcity")
        );
        assert_eq!(
            local_name("@SmartCity@SANKA.city.example.jp", &urls, domain).as_deref(),
            Some("smartcity")
        );
        assert_eq!(
            local_name("https://sanka.city.example.jp/themes/parks", &urls, domain).as_deref(),
            Some("parks")
        );
        assert_eq!(
            local_name("https://sanka.city.example.jp/actor", &urls, domain).as_deref(),
            Some("city")
        );
        assert_eq!(
            local_name("acct:smartcity@elsewhere.example", &urls, domain),
            None
        );
        assert_eq!(
            local_name("https://elsewhere.example/themes/parks", &urls, domain),
            None
        );
        assert_eq!(
            local_name(
                "https://sanka.city.example.jp/themes/parks/inbox",
                &urls,
                domain
            ),
            None
        );
    }
}
