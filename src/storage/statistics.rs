//! Who took part, for the participation statistics: every act of taking part (an idea, a
//! comment, a support, an amendment, a survey answered) as one row of who (a resident or a
//! fediverse account), in which theme and when, counted in SQL.

use super::{Ex, on_conn};

/// Every act of taking part: `kind` is `r` for a resident (`who` a user id) and `f` for a
/// fediverse account (`who` a remote actor id). A survey's marker has no time (answers keep
/// none), so answering counts toward participants but toward no week.
const ACTIVITY: &str = "WITH activity (kind, who, theme_id, at) AS ( \
    SELECT 'r', author_id, theme_id, created_at FROM proposals \
      WHERE author_id IS NOT NULL AND withdrawn_at IS NULL AND hidden_at IS NULL \
    UNION ALL SELECT 'f', remote_actor_id, theme_id, created_at FROM proposals \
      WHERE remote_actor_id IS NOT NULL AND withdrawn_at IS NULL AND hidden_at IS NULL \
    UNION ALL SELECT 'r', c.author_id, p.theme_id, c.created_at FROM comments c \
      JOIN proposals p ON p.id = c.proposal_id \
      WHERE c.author_id IS NOT NULL AND c.deleted_at IS NULL \
    UNION ALL SELECT 'f', c.remote_actor_id, p.theme_id, c.created_at FROM comments c \
      JOIN proposals p ON p.id = c.proposal_id \
      WHERE c.remote_actor_id IS NOT NULL AND c.deleted_at IS NULL \
    UNION ALL SELECT 'r', s.user_id, p.theme_id, s.created_at FROM supports s \
      JOIN proposals p ON p.id = s.proposal_id \
    UNION ALL SELECT 'f', s.remote_actor_id, p.theme_id, s.created_at FROM remote_supports s \
      JOIN proposals p ON p.id = s.proposal_id \
    UNION ALL SELECT 'r', a.author_id, d.theme_id, a.created_at FROM amendments a \
      JOIN drafts d ON d.id = a.draft_id WHERE a.author_id IS NOT NULL \
    UNION ALL SELECT 'r', s.user_id, d.theme_id, s.created_at FROM amendment_supports s \
      JOIN amendments a ON a.id = s.amendment_id JOIN drafts d ON d.id = a.draft_id \
    UNION ALL SELECT 'r', m.user_id, s.theme_id, NULL FROM survey_respondents m \
      JOIN surveys s ON s.id = m.survey_id WHERE s.theme_id IS NOT NULL \
  ) ";

/// `AND theme_id = $n` for one theme, nothing for the whole instance (the parameter is bound
/// either way: 0 matches every theme then).
fn in_scope(n: u8) -> String {
    format!("(${n} = 0 OR theme_id = ${n})")
}

/// Distinct residents and fediverse accounts who took part (`since`: acts from then on).
pub async fn participants(
    ex: Ex<'_>,
    theme_id: Option<i64>,
    since: Option<i64>,
) -> Result<(i64, i64), sqlx::Error> {
    let sql = format!(
        "{ACTIVITY} SELECT \
           (SELECT COUNT(DISTINCT who) FROM activity WHERE kind = 'r' AND {scope} \
              AND ($2 = 0 OR at >= $2)), \
           (SELECT COUNT(DISTINCT who) FROM activity WHERE kind = 'f' AND {scope} \
              AND ($2 = 0 OR at >= $2))",
        scope = in_scope(1)
    );
    on_conn!(ex, |c| sqlx::query_as(&sql)
        .bind(theme_id.unwrap_or(0))
        .bind(since.unwrap_or(0))
        .fetch_one(&mut *c)
        .await)
}

/// The residents who took part, counted by the attributes of their profile.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct AttributeCount {
    pub age_band: Option<String>,
    pub area: Option<String>,
    pub relations: String,
    pub count: i64,
}

pub async fn residents_by_attributes(
    ex: Ex<'_>,
    theme_id: Option<i64>,
) -> Result<Vec<AttributeCount>, sqlx::Error> {
    let sql = format!(
        "{ACTIVITY} SELECT u.age_band, u.area, u.relations, COUNT(*) AS count FROM users u \
         WHERE u.id IN (SELECT who FROM activity WHERE kind = 'r' AND {scope}) \
         GROUP BY u.age_band, u.area, u.relations",
        scope = in_scope(1)
    );
    on_conn!(ex, |c| sqlx::query_as(&sql)
        .bind(theme_id.unwrap_or(0))
        .fetch_all(&mut *c)
        .await)
}

/// Distinct participants of each kind per week: `week` counts the weeks (Monday to Sunday
/// in the municipality's time zone, given as its offset from UTC) since the Unix epoch.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct WeekCount {
    pub kind: String,
    pub week: i64,
    pub count: i64,
}

pub async fn participants_per_week(
    ex: Ex<'_>,
    theme_id: Option<i64>,
    utc_offset_millis: i64,
    since: i64,
) -> Result<Vec<WeekCount>, sqlx::Error> {
    // The epoch was a Thursday: three days on, weeks start on Mondays.
    let sql = format!(
        "{ACTIVITY} SELECT kind, (at + $2 + 259200000) / 604800000 AS week, \
         COUNT(DISTINCT who) AS count FROM activity \
         WHERE at IS NOT NULL AND at >= $3 AND {scope} \
         GROUP BY 1, 2 ORDER BY 2",
        scope = in_scope(1)
    );
    on_conn!(ex, |c| sqlx::query_as(&sql)
        .bind(theme_id.unwrap_or(0))
        .bind(utc_offset_millis)
        .bind(since)
        .fetch_all(&mut *c)
        .await)
}
