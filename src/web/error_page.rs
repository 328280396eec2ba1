//! The page a person sees when a request fails: what happened and what to do next, in
//! plain words and their language, with a way back to where they came from.

use askama::Template;
use askama_web::WebTemplate;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};

use super::context::{PageCtx, negotiate};
use crate::i18n::Lang;
use crate::state::AppState;
use crate::t;

/// Who is shown the error page: their language and the page of this site they came from.
#[derive(Debug, Clone)]
pub struct Visitor {
    pub lang: Lang,
    /// A path on this site (never another site's address) to go back to.
    pub came_from: Option<String>,
}

impl Visitor {
    pub fn of(state: &AppState, headers: &HeaderMap) -> Visitor {
        Visitor {
            lang: negotiate(headers),
            came_from: same_site_referrer(&state.config.public_url(), headers),
        }
    }
}

/// The path of the `Referer` when it is a page of this site; anything else is not offered.
fn same_site_referrer(public_url: &str, headers: &HeaderMap) -> Option<String> {
    let referrer = headers.get(header::REFERER)?.to_str().ok()?;
    let path = referrer.strip_prefix(public_url)?;
    (path.starts_with('/') && !path.starts_with("//") && !path.contains('\\'))
        .then(|| path.to_string())
}

#[derive(Template, WebTemplate)]
#[template(path = "error.html")]
pub struct ErrorPage {
    pub ctx: PageCtx,
    pub status: u16,
    pub title: String,
    pub detail: Option<String>,
    /// What the person can do about it.
    pub next_step: String,
    pub came_from: Option<String>,
}

/// A 4xx/5xx page in the visitor's language.
pub async fn error_page(
    state: &AppState,
    visitor: Visitor,
    status: StatusCode,
    detail: Option<String>,
) -> Response {
    let m = &state.config.municipality;
    let lang = visitor.lang;
    // The staff-edited name when the database answers (a 500 may be because it does not).
    let (name_ja, name_en) = match crate::services::instance::profile(state).await {
        Ok(profile) => (profile.name_ja, profile.name_en),
        Err(_) => (m.name_ja.clone(), m.name_en.clone()),
    };
    let ctx = PageCtx {
        lang,
        catalogue: state.catalogue.clone(),
        user: None,
        csrf: String::new(),
        path: "/".into(),
        site_name: match lang {
            Lang::Ja => name_ja,
            Lang::En => name_en,
        },
        time_zone: m.time_zone.clone(),
        domain: state.config.domain.clone(),
        unread: 0,
    };
    let title = match status {
        StatusCode::NOT_FOUND => crate::t!(ctx, "error-404"),
        StatusCode::FORBIDDEN => crate::t!(ctx, "error-403"),
        StatusCode::GONE => crate::t!(ctx, "error-410"),
        StatusCode::CONFLICT => crate::t!(ctx, "error-409"),
        StatusCode::TOO_MANY_REQUESTS => crate::t!(ctx, "error-429"),
        // For an upload, the detail is its limit ("20 MB").
        StatusCode::PAYLOAD_TOO_LARGE => match &detail {
            Some(limit) => crate::t!(ctx, "error-413-upload", limit = limit.clone()),
            None => crate::t!(ctx, "error-413"),
        },
        StatusCode::INTERNAL_SERVER_ERROR | StatusCode::SERVICE_UNAVAILABLE => {
            crate::t!(ctx, "error-500")
        }
        _ => crate::t!(ctx, "error-other"),
    };
    let next_step = match status {
        StatusCode::NOT_FOUND => crate::t!(ctx, "error-next-404"),
        StatusCode::FORBIDDEN => crate::t!(ctx, "error-next-403"),
        StatusCode::GONE => crate::t!(ctx, "error-next-410"),
        StatusCode::CONFLICT => crate::t!(ctx, "error-next-409"),
        StatusCode::TOO_MANY_REQUESTS => crate::t!(ctx, "error-next-429"),
        StatusCode::PAYLOAD_TOO_LARGE => crate::t!(ctx, "error-next-413"),
        StatusCode::INTERNAL_SERVER_ERROR | StatusCode::SERVICE_UNAVAILABLE => {
            crate::t!(ctx, "error-next-500")
        }
        _ => crate::t!(ctx, "error-next-other"),
    };
    // Details of 404s name internal things ("no such proposal"); keep pages plain.
    let detail = detail.filter(|_| {
        ![
            StatusCode::NOT_FOUND,
            StatusCode::GONE,
            StatusCode::PAYLOAD_TOO_LARGE,
        ]
        .contains(&status)
    });
    (
        status,
        ErrorPage {
            ctx,
            status: status.as_u16(),
            title,
            detail,
            next_step,
            came_from: visitor.came_from,
        },
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn referred_by(value: &str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert(header::REFERER, value.parse().expect("a header value"));
        headers
    }

    #[test]
    fn only_a_page_of_this_site_is_offered_as_the_way_back() {
        let site = "https://city.example.jp";
        assert_eq!(
            same_site_referrer(site, &referred_by("https://city.example.jp/themes/a?x=1")),
            Some("/themes/a?x=1".into())
        );
        for elsewhere in [
            "https://city.example.jp.evil.example/themes",
            "https://other.example/themes",
            "https://city.example.jp//other.example/",
            "http://city.example.jp/themes",
        ] {
            assert_eq!(
                same_site_referrer(site, &referred_by(elsewhere)),
                None,
                "{elsewhere}"
            );
        }
        assert_eq!(same_site_referrer(site, &HeaderMap::new()), None);
    }
}
