//! What every page knows about its request: language, the signed-in person, the token its
//! forms carry against cross-site requests, the municipality's name.

use std::sync::Arc;

use axum::extract::FromRequestParts;
use axum::http::HeaderMap;
use axum::http::request::Parts;
use i18n_embed::fluent::FluentLanguageLoader;

use super::WebError;
use crate::http::extract::{SESSION_COOKIE, cookie};
use crate::i18n::{Catalogue, Lang};
use crate::services::{CurrentUser, Viewer, accounts};
use crate::state::AppState;

pub const LANG_COOKIE: &str = "hiroba_lang";

/// The language chosen with the switch (cookie), else the browser's preference, else
/// Japanese.
pub fn negotiate(headers: &HeaderMap) -> Lang {
    cookie(headers, LANG_COOKIE)
        .and_then(|c| Lang::parse(&c))
        .or_else(|| {
            headers
                .get(axum::http::header::ACCEPT_LANGUAGE)
                .and_then(|v| v.to_str().ok())
                .and_then(Lang::from_accept_language)
        })
        .unwrap_or(Lang::Ja)
}

pub struct PageCtx {
    pub lang: Lang,
    pub catalogue: Arc<Catalogue>,
    pub user: Option<CurrentUser>,
    /// The token that this page's forms carry.
    pub csrf: String,
    /// The path and query of this page, to come back to after switching language.
    pub path: String,
    pub site_name: String,
    pub time_zone: jiff::tz::TimeZone,
    pub domain: String,
    /// How many of the signed-in resident's notifications are unread (for the header).
    pub unread: i64,
}

impl PageCtx {
    pub fn l(&self) -> &FluentLanguageLoader {
        self.catalogue.loader(self.lang)
    }

    pub fn viewer(&self) -> Viewer {
        Viewer(self.user.clone())
    }

    pub fn is_ja(&self) -> bool {
        self.lang == Lang::Ja
    }

    /// A timestamp (RFC 3339) as the municipality's local time, in the page's style.
    pub fn datetime(&self, rfc3339: &str) -> String {
        let Ok(ts) = rfc3339.parse::<jiff::Timestamp>() else {
            return rfc3339.to_string();
        };
        let local = ts.to_zoned(self.time_zone.clone());
        match self.lang {
            Lang::Ja => local.strftime("%Y年%-m月%-d日 %H:%M").to_string(),
            Lang::En => local.strftime("%-d %b %Y, %H:%M").to_string(),
        }
    }

    /// A date (`YYYY-MM-DD`) in the page's style.
    pub fn date(&self, iso: &str) -> String {
        let Ok(date) = iso.parse::<jiff::civil::Date>() else {
            return iso.to_string();
        };
        match self.lang {
            Lang::Ja => date.strftime("%Y年%-m月%-d日").to_string(),
            Lang::En => date.strftime("%-d %b %Y").to_string(),
        }
    }

    pub fn is_staff(&self) -> bool {
        self.user
            .as_ref()
            .is_some_and(|u| u.role.can_manage_themes())
    }

    pub fn is_moderator(&self) -> bool {
        self.user.as_ref().is_some_and(|u| u.role.can_moderate())
    }

    /// The age bands a profile or a paper answer may give, with their labels.
    pub fn age_bands(&self) -> Vec<(&'static str, String)> {
        use crate::domain::AgeBand;
        AgeBand::ALL
            .iter()
            .map(|band| {
                let label = match band {
                    AgeBand::Under20 => crate::t!(self, "age-under-20"),
                    AgeBand::Twenties => crate::t!(self, "age-20s"),
                    AgeBand::Thirties => crate::t!(self, "age-30s"),
                    AgeBand::Forties => crate::t!(self, "age-40s"),
                    AgeBand::Fifties => crate::t!(self, "age-50s"),
                    AgeBand::Sixties => crate::t!(self, "age-60s"),
                    AgeBand::Seventies => crate::t!(self, "age-70s"),
                    AgeBand::EightyPlus => crate::t!(self, "age-80-plus"),
                };
                (band.as_str(), label)
            })
            .collect()
    }

    /// The relations to the municipality a profile or a paper answer may give, labelled.
    pub fn relations(&self) -> Vec<(&'static str, String)> {
        use crate::domain::Relation;
        Relation::ALL
            .iter()
            .map(|relation| {
                let label = match relation {
                    Relation::Lives => crate::t!(self, "relation-lives"),
                    Relation::Works => crate::t!(self, "relation-works"),
                    Relation::Studies => crate::t!(self, "relation-studies"),
                    Relation::Visits => crate::t!(self, "relation-visits"),
                };
                (relation.as_str(), label)
            })
            .collect()
    }

    pub fn is_admin(&self) -> bool {
        self.user
            .as_ref()
            .is_some_and(|u| u.role.can_manage_users())
    }
}

impl FromRequestParts<AppState> for PageCtx {
    type Rejection = WebError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let lang = negotiate(&parts.headers);
        let mut user = None;
        let mut session_csrf = None;
        if let Some(token) = cookie(&parts.headers, SESSION_COOKIE)
            && let Some((current, csrf)) = accounts::session_user(state, &token).await?
        {
            user = Some(current);
            session_csrf = Some(csrf);
        }
        // A visitor's forms carry the instance's signed token: no cookie, one page for all.
        let csrf = match session_csrf {
            Some(csrf) => csrf,
            None => crate::services::form_tokens::current(state).await?,
        };
        let m = &state.config.municipality;
        let profile = crate::services::instance::profile(state).await?;
        let unread = crate::services::notifications::unread(state, &Viewer(user.clone())).await?;
        Ok(PageCtx {
            unread,
            lang,
            catalogue: state.catalogue.clone(),
            user,
            csrf,
            path: parts
                .uri
                .path_and_query()
                .map(|p| p.as_str().to_string())
                .unwrap_or_else(|| "/".into()),
            site_name: match lang {
                Lang::Ja => profile.name_ja,
                Lang::En => profile.name_en,
            },
            time_zone: m.time_zone.clone(),
            domain: state.config.domain.clone(),
        })
    }
}
