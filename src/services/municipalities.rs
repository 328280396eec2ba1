//! The directory of other municipalities: those this one follows or is followed by (as
//! their instances' NodeInfo describes them), with their prefecture, local government code
//! and the open themes they announced.

use serde::Serialize;
use utoipa::ToSchema;

use crate::error::AppError;
use crate::state::AppState;
use crate::storage::municipalities as store;

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct OpenTheme {
    pub name: String,
    /// Its page.
    pub url: String,
    /// The phase running there, as last announced.
    pub phase: Option<String>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct MunicipalityView {
    /// Its server.
    pub domain: String,
    pub name_ja: Option<String>,
    pub name_en: Option<String>,
    pub prefecture: Option<String>,
    /// The six-digit local government code (全国地方公共団体コード).
    pub local_government_code: Option<String>,
    /// Its municipality actor, to follow it.
    pub actor: Option<String>,
    /// Its page for people.
    pub url: Option<String>,
    /// This municipality follows it (and so gets its themes and methods).
    pub followed: bool,
    /// It follows this municipality.
    pub follows_us: bool,
    /// Its open themes, as it announced them to this municipality (only when followed).
    pub open_themes: Vec<OpenTheme>,
}

/// Every municipality this one follows or is followed by, by prefecture then name.
pub async fn directory(state: &AppState) -> Result<Vec<MunicipalityView>, AppError> {
    let mut conn = state.db.acquire().await?;
    let rows = store::related(conn.ex()).await?;
    let themes = store::open_themes(conn.ex()).await?;
    drop(conn);
    let mut listed: Vec<MunicipalityView> = rows
        .into_iter()
        .map(|row| {
            let about: serde_json::Value =
                serde_json::from_str(&row.municipality).unwrap_or_default();
            let text = |key: &str| {
                about
                    .get(key)
                    .and_then(serde_json::Value::as_str)
                    .map(str::to_string)
            };
            MunicipalityView {
                open_themes: themes
                    .iter()
                    .filter(|(domain, ..)| *domain == row.domain)
                    .map(|(_, name, url, phase)| OpenTheme {
                        name: name.clone(),
                        url: url.clone(),
                        phase: phase.clone(),
                    })
                    .collect(),
                name_ja: text("nameJa"),
                name_en: text("nameEn"),
                // A server that names only its code still says where it is.
                prefecture: text("prefecture").or_else(|| {
                    let code = text("localGovernmentCode")?;
                    let code = crate::domain::LocalGovernmentCode::parse(&code).ok()?;
                    Some(code.prefecture().0.to_string())
                }),
                local_government_code: text("localGovernmentCode"),
                domain: row.domain,
                actor: row.actor,
                url: row.url,
                followed: row.we_follow,
                follows_us: row.follows_us,
            }
        })
        .collect();
    listed.sort_by(|a, b| {
        (&a.prefecture, &a.local_government_code, &a.name_ja).cmp(&(
            &b.prefecture,
            &b.local_government_code,
            &b.name_ja,
        ))
    });
    Ok(listed)
}
