//! Participation statistics for staff, per theme and for the whole instance (and a public
//! summary once staff publish it): how many residents and fediverse accounts took part, the
//! residents by age band, area and relation, participants per week and in the last 30 days.
//! Every count is k-anonymous, as the survey breakdowns are.

use crate::msg;
use serde::Serialize;
use utoipa::ToSchema;

use super::Viewer;
use super::survey_breakdowns::{Dimension, Group, Rows};
use crate::domain::k_anonymity::protect;
use crate::error::AppError;
use crate::state::AppState;
use crate::storage::now_millis;
use crate::storage::settings as settings_store;
use crate::storage::statistics as store;
use crate::storage::surveys::Attributes;

const WEEK_MILLIS: i64 = 604_800_000;
/// The weeks shown, counting back from this one.
pub const WEEKS_SHOWN: i64 = 26;

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct GroupCount {
    pub group: Group,
    /// `null` when held back (fewer than k, or so that the total does not reveal one).
    pub count: Option<i64>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AttributeTable {
    pub by: Dimension,
    pub rows: Vec<GroupCount>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct WeekFigures {
    /// The week's Monday (YYYY-MM-DD, the municipality's time zone).
    pub week_of: String,
    /// Residents and fediverse accounts who took part that week; `null` below k.
    pub residents: Option<i64>,
    pub fediverse_accounts: Option<i64>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Statistics {
    /// The theme, or none for the whole instance.
    pub theme_slug: Option<String>,
    pub min_group: i64,
    /// Whether staff have published these figures for everyone.
    pub public: bool,
    /// Residents who posted, commented, supported, amended or answered a survey.
    pub residents: Option<i64>,
    /// Fediverse accounts that posted, replied or liked.
    pub fediverse_accounts: Option<i64>,
    /// The fediverse accounts' share of all participants, in percent.
    pub fediverse_share: Option<f64>,
    /// Participants (of both kinds) active in the last 30 days.
    pub monthly_active: Option<i64>,
    /// The residents by each attribute of their profile.
    pub by_attribute: Vec<AttributeTable>,
    /// The last weeks, oldest first.
    pub weeks: Vec<WeekFigures>,
}

/// A count that is shown only when it is at least k (zero is shown).
fn at_least(count: i64, k: i64) -> Option<i64> {
    (count == 0 || count >= k).then_some(count)
}

fn setting_key(theme_id: Option<i64>) -> String {
    match theme_id {
        Some(id) => format!("statistics_public:theme:{id}"),
        None => "statistics_public:instance".into(),
    }
}

async fn scope(
    state: &AppState,
    viewer: &Viewer,
    slug: Option<&str>,
) -> Result<(Option<i64>, Option<String>), AppError> {
    match slug {
        Some(slug) => {
            let theme = super::themes::load(state, viewer, slug).await?;
            Ok((Some(theme.row.id), Some(theme.row.slug)))
        }
        None => Ok((None, None)),
    }
}

/// The statistics of a theme (`slug`) or of the whole instance: staff always, everyone
/// else once staff have published them.
pub async fn of_scope(
    state: &AppState,
    viewer: &Viewer,
    slug: Option<&str>,
) -> Result<Statistics, AppError> {
    let (theme_id, theme_slug) = scope(state, viewer, slug).await?;
    let k = state.config.limits.statistics_min_group;
    let mut conn = state.db.acquire().await?;
    let public = settings_store::get(conn.ex(), &setting_key(theme_id))
        .await?
        .is_some_and(|v| v == "1");
    if !public && !viewer.can_manage_themes() {
        return Err(AppError::Forbidden(msg!("error-statistics-unpublished")));
    }
    let now = now_millis();
    let (residents, remote) = store::participants(conn.ex(), theme_id, None).await?;
    let (active_residents, active_remote) =
        store::participants(conn.ex(), theme_id, Some(now - 30 * 86_400_000)).await?;
    let attributes = store::residents_by_attributes(conn.ex(), theme_id).await?;
    let offset = i64::from(
        state
            .config
            .municipality
            .time_zone
            .to_offset(jiff::Timestamp::now())
            .seconds(),
    ) * 1000;
    let this_week = (now + offset + 259_200_000) / WEEK_MILLIS;
    let first_week = this_week - (WEEKS_SHOWN - 1);
    let since = first_week * WEEK_MILLIS - 259_200_000 - offset;
    let weeks = store::participants_per_week(conn.ex(), theme_id, offset, since).await?;
    drop(conn);

    let sizes: Vec<(Attributes, i64)> = attributes
        .into_iter()
        .map(|a| {
            (
                Attributes {
                    age_band: a.age_band,
                    area: a.area,
                    relations: a.relations,
                },
                a.count,
            )
        })
        .collect();
    let by_attribute = Dimension::ALL
        .into_iter()
        .map(|by| attribute_table(by, &sizes, residents, k))
        .collect();
    let all = residents + remote;
    let monday = |week: i64| {
        jiff::Timestamp::from_millisecond(week * WEEK_MILLIS - 259_200_000 - offset)
            .map(|t| {
                t.to_zoned(state.config.municipality.time_zone.clone())
                    .date()
                    .to_string()
            })
            .unwrap_or_default()
    };
    let count_of = |kind: &str, week: i64| {
        weeks
            .iter()
            .find(|w| w.kind == kind && w.week == week)
            .map_or(0, |w| w.count)
    };
    Ok(Statistics {
        theme_slug,
        min_group: k,
        public,
        residents: at_least(residents, k),
        fediverse_accounts: at_least(remote, k),
        fediverse_share: (all >= k && remote >= k && residents >= k)
            .then(|| (remote as f64 * 1000.0 / all as f64).round() / 10.0),
        monthly_active: at_least(active_residents + active_remote, k),
        by_attribute,
        weeks: (first_week..=this_week)
            .map(|week| WeekFigures {
                week_of: monday(week),
                residents: at_least(count_of("r", week), k),
                fediverse_accounts: at_least(count_of("f", week), k),
            })
            .collect(),
    })
}

/// One attribute's table of residents (a resident with several relations is in several
/// rows), held back as the survey breakdowns are.
fn attribute_table(
    by: Dimension,
    sizes: &[(Attributes, i64)],
    residents: i64,
    k: i64,
) -> AttributeTable {
    let rows = Rows::of(by, sizes, k);
    let mut counts = vec![0i64; rows.order.len()];
    for (attributes, count) in sizes {
        for row in rows.of_response(attributes, by) {
            counts[row] += count;
        }
    }
    let cells: Vec<Vec<i64>> = counts.iter().map(|c| vec![*c]).collect();
    let protected = protect(&cells, &counts, &[residents], k);
    AttributeTable {
        by,
        rows: rows
            .order
            .into_iter()
            .zip(protected.cells)
            .map(|(group, cell)| GroupCount {
                group,
                count: cell.first().copied().flatten(),
            })
            .collect(),
    }
}

/// Staff publish a theme's (or the instance's) statistics for everyone, or withdraw them.
pub async fn set_public(
    state: &AppState,
    viewer: &Viewer,
    slug: Option<&str>,
    public: bool,
) -> Result<(), AppError> {
    let staff = viewer.require_staff()?;
    let (theme_id, _) = scope(state, viewer, slug).await?;
    let mut conn = state.db.acquire().await?;
    let key = setting_key(theme_id);
    if public {
        settings_store::set(conn.ex(), &key, "1").await?;
    } else {
        settings_store::delete(conn.ex(), &key).await?;
    }
    tracing::info!(scope = %key, public, by = staff.id, "statistics publication changed");
    Ok(())
}
