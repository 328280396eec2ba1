//! The municipality's public profile: set in the configuration, and editable by staff,
//! whose changes are stored in the database and win over the configuration.

use crate::msg;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::Viewer;
use crate::domain::parse_text;
use crate::error::{AppError, Checker, checker_invariant};
use crate::state::AppState;
use crate::storage::settings;

const PREFIX: &str = "profile.";

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Profile {
    pub name_ja: String,
    pub name_en: String,
    pub prefecture: Option<String>,
    /// 全国地方公共団体コード (configuration only: it identifies the instance).
    pub local_government_code: Option<String>,
    pub time_zone: String,
}

pub async fn profile(state: &AppState) -> Result<Profile, AppError> {
    let m = &state.config.municipality;
    let mut profile = Profile {
        name_ja: m.name_ja.clone(),
        name_en: m.name_en.clone(),
        prefecture: m.prefecture.clone(),
        local_government_code: m
            .local_government_code
            .as_ref()
            .map(|c| c.as_str().to_string()),
        time_zone: m.time_zone_name.clone(),
    };
    // The demo shows its own sample municipality whatever the database says.
    if state.config.demo {
        return Ok(profile);
    }
    let mut conn = state.db.acquire().await?;
    for (key, value) in settings::with_prefix(conn.ex(), PREFIX).await? {
        match key.trim_start_matches(PREFIX) {
            "name_ja" => profile.name_ja = value,
            "name_en" => profile.name_en = value,
            "prefecture" => profile.prefecture = Some(value).filter(|v| !v.is_empty()),
            _ => {}
        }
    }
    Ok(profile)
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ProfileUpdate {
    #[schema(
        pattern = r"^[^\x00-\x1f\x7f-\x9f]*[^\s\x00-\x1f\x7f-\x9f][^\x00-\x1f\x7f-\x9f]*$",
        min_length = 1,
        max_length = 100
    )]
    pub name_ja: String,
    #[schema(
        pattern = r"^[^\x00-\x1f\x7f-\x9f]*[^\s\x00-\x1f\x7f-\x9f][^\x00-\x1f\x7f-\x9f]*$",
        min_length = 1,
        max_length = 100
    )]
    pub name_en: String,
    #[serde(default)]
    #[schema(pattern = r"^[^\x00-\x1f\x7f-\x9f]*$", max_length = 20)]
    pub prefecture: String,
}

pub async fn update(
    state: &AppState,
    viewer: &Viewer,
    input: ProfileUpdate,
) -> Result<Profile, AppError> {
    let staff = viewer.require_staff()?;
    if state.config.demo {
        // The demo shows its sample municipality whatever is saved: say so, keep nothing.
        return Err(AppError::NotAllowedNow(msg!("error-demo-profile")));
    }
    let mut check = Checker::new();
    let name_ja = check.check("name_ja", parse_text(&input.name_ja, 1, 100, false));
    let name_en = check.check("name_en", parse_text(&input.name_en, 1, 100, false));
    let prefecture = check.check("prefecture", parse_text(&input.prefecture, 0, 20, false));
    check.finish()?;
    let (Some(name_ja), Some(name_en), Some(prefecture)) = (name_ja, name_en, prefecture) else {
        return Err(checker_invariant());
    };
    let mut tx = state.db.begin().await?;
    settings::set(tx.ex(), "profile.name_ja", &name_ja).await?;
    settings::set(tx.ex(), "profile.name_en", &name_en).await?;
    settings::set(tx.ex(), "profile.prefecture", &prefecture).await?;
    tx.commit().await?;
    tracing::info!(by = staff.id, "municipality profile updated");
    profile(state).await
}
