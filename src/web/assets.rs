//! The site's own static files (stylesheet, script, icon) under URLs that carry a hash of
//! their content: pages link to `/static/<hash>/hiroba.css`, which browsers and proxies keep
//! for a year without asking again, and a new release links to a new URL.

use std::sync::OnceLock;

use axum::extract::Path;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use sha2::{Digest, Sha256};

struct Asset {
    name: &'static str,
    body: &'static str,
    content_type: &'static str,
}

const ASSETS: [Asset; 3] = [
    Asset {
        name: "hiroba.css",
        body: include_str!("../../static/hiroba.css"),
        content_type: "text/css; charset=utf-8",
    },
    Asset {
        name: "hiroba.js",
        body: include_str!("../../static/hiroba.js"),
        content_type: "text/javascript; charset=utf-8",
    },
    Asset {
        name: "favicon.svg",
        body: include_str!("../../static/favicon.svg"),
        content_type: "image/svg+xml",
    },
];

/// A year: what "keep it" means for a URL whose content never changes.
const IMMUTABLE: &str = "public, max-age=31536000, immutable";
/// For the unhashed URLs (`/favicon.ico`, links from before a release): an hour.
const AN_HOUR: &str = "public, max-age=3600";

/// The first 16 hex digits of each asset's SHA-256, in the order of [`ASSETS`].
fn hashes() -> &'static [String] {
    static HASHES: OnceLock<Vec<String>> = OnceLock::new();
    HASHES.get_or_init(|| {
        ASSETS
            .iter()
            .map(|asset| {
                let digest = Sha256::digest(asset.body.as_bytes());
                digest.iter().take(8).map(|b| format!("{b:02x}")).collect()
            })
            .collect()
    })
}

/// The URL a page links to for an asset (`hiroba.css`); the plain URL for a name that is
/// not one.
pub fn url(name: &str) -> String {
    match ASSETS.iter().position(|a| a.name == name) {
        Some(i) => format!("/static/{}/{name}", hashes()[i]),
        None => format!("/static/{name}"),
    }
}

fn answer(name: &str, cache: &'static str) -> Response {
    match ASSETS.iter().find(|a| a.name == name) {
        Some(asset) => (
            [
                (header::CONTENT_TYPE, asset.content_type),
                (header::CACHE_CONTROL, cache),
            ],
            asset.body,
        )
            .into_response(),
        None => StatusCode::NOT_FOUND.into_response(),
    }
}

/// `/static/<hash>/<name>`: kept for a year when the hash is the content's; an older hash
/// gets today's file for an hour (a page cached from before the release still looks right).
pub async fn hashed(Path((hash, name)): Path<(String, String)>) -> Response {
    let current = ASSETS
        .iter()
        .position(|a| a.name == name)
        .is_some_and(|i| hashes()[i] == hash);
    answer(&name, if current { IMMUTABLE } else { AN_HOUR })
}

/// `/static/<name>` without a hash.
pub async fn plain(Path(name): Path<String>) -> Response {
    answer(&name, AN_HOUR)
}

/// `/favicon.ico`, where browsers look when a page names no icon.
pub async fn favicon() -> Response {
    answer("favicon.svg", AN_HOUR)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_asset_has_a_url_of_its_content() {
        let css = url("hiroba.css");
        assert!(
            css.starts_with("/static/") && css.ends_with("/hiroba.css"),
            "{css}"
        );
        assert_eq!(css.len(), "/static//hiroba.css".len() + 16);
        assert_ne!(url("hiroba.js").split('/').nth(2), css.split('/').nth(2));
        assert_eq!(url("nothing.txt"), "/static/nothing.txt");
    }
}
