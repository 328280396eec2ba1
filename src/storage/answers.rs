//! Official answers to proposals, every version kept.

use super::{Ex, on_conn};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct AnswerRow {
    pub id: i64,
    pub proposal_id: i64,
    pub version: i32,
    pub state: String,
    pub body: String,
    pub department: String,
    pub cost_estimate_yen: Option<i64>,
    pub cost_text: Option<String>,
    pub link: Option<String>,
    pub answered_by: Option<i64>,
    pub created_at: i64,
}

const COLUMNS: &str = "id, proposal_id, version, state, body, department, cost_estimate_yen, \
                       cost_text, link, answered_by, created_at";

pub struct NewAnswer<'a> {
    pub proposal_id: i64,
    pub state: &'a str,
    pub body: &'a str,
    pub department: &'a str,
    pub cost_estimate_yen: Option<i64>,
    pub cost_text: Option<&'a str>,
    pub link: Option<&'a str>,
    pub answered_by: i64,
}

/// Stores the next version of a proposal's answer and makes its state the proposal's;
/// the new answer's id.
pub async fn insert(ex: Ex<'_>, answer: &NewAnswer<'_>, now: i64) -> Result<i64, sqlx::Error> {
    on_conn!(ex, |c| {
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO proposal_answers (proposal_id, version, state, body, department, \
             cost_estimate_yen, cost_text, link, answered_by, created_at) \
             SELECT $1, COALESCE(MAX(version), 0) + 1, $2, $3, $4, $5, $6, $7, $8, $9 \
             FROM proposal_answers WHERE proposal_id = $1 RETURNING id",
        )
        .bind(answer.proposal_id)
        .bind(answer.state)
        .bind(answer.body)
        .bind(answer.department)
        .bind(answer.cost_estimate_yen)
        .bind(answer.cost_text)
        .bind(answer.link)
        .bind(answer.answered_by)
        .bind(now)
        .fetch_one(&mut *c)
        .await?;
        sqlx::query("UPDATE proposals SET answer_state = $2, answered_at = $3 WHERE id = $1")
            .bind(answer.proposal_id)
            .bind(answer.state)
            .bind(now)
            .execute(&mut *c)
            .await?;
        Ok(id)
    })
}

pub async fn find(ex: Ex<'_>, id: i64) -> Result<Option<AnswerRow>, sqlx::Error> {
    let sql = format!("SELECT {COLUMNS} FROM proposal_answers WHERE id = $1");
    on_conn!(ex, |c| sqlx::query_as(&sql)
        .bind(id)
        .fetch_optional(c)
        .await)
}

/// Every version of a proposal's answer, newest first.
pub async fn history(ex: Ex<'_>, proposal_id: i64) -> Result<Vec<AnswerRow>, sqlx::Error> {
    let sql = format!(
        "SELECT {COLUMNS} FROM proposal_answers WHERE proposal_id = $1 ORDER BY version DESC"
    );
    on_conn!(ex, |c| sqlx::query_as(&sql)
        .bind(proposal_id)
        .fetch_all(c)
        .await)
}

/// The current answer of a proposal.
pub async fn current(ex: Ex<'_>, proposal_id: i64) -> Result<Option<AnswerRow>, sqlx::Error> {
    let sql = format!(
        "SELECT {COLUMNS} FROM proposal_answers WHERE proposal_id = $1 \
         ORDER BY version DESC LIMIT 1"
    );
    on_conn!(ex, |c| sqlx::query_as(&sql)
        .bind(proposal_id)
        .fetch_optional(c)
        .await)
}

/// The residents who wrote, commented on or supported a proposal (those to tell of its
/// answer), but `except` (who answered).
pub async fn local_participants(
    ex: Ex<'_>,
    proposal_id: i64,
    except: Option<i64>,
) -> Result<Vec<i64>, sqlx::Error> {
    on_conn!(ex, |c| sqlx::query_scalar(
        "SELECT DISTINCT who FROM ( \
           SELECT author_id AS who FROM proposals WHERE id = $1 AND author_id IS NOT NULL \
           UNION SELECT author_id FROM comments WHERE proposal_id = $1 \
             AND author_id IS NOT NULL AND deleted_at IS NULL \
           UNION SELECT user_id FROM supports WHERE proposal_id = $1 \
         ) participants WHERE $2 IS NULL OR who <> $2 ORDER BY who"
    )
    .bind(proposal_id)
    .bind(except)
    .fetch_all(c)
    .await)
}

/// A fediverse account that took part in a proposal.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct RemoteParticipant {
    pub actor_id: String,
    pub preferred_username: Option<String>,
    pub domain: String,
    pub url: Option<String>,
}

/// The fediverse accounts that posted, replied to or liked a proposal.
pub async fn remote_participants(
    ex: Ex<'_>,
    proposal_id: i64,
) -> Result<Vec<RemoteParticipant>, sqlx::Error> {
    on_conn!(ex, |c| sqlx::query_as(
        "SELECT ra.actor_id, ra.preferred_username, ra.domain, ra.url FROM remote_actors ra \
         WHERE ra.id IN ( \
           SELECT remote_actor_id FROM proposals WHERE id = $1 AND remote_actor_id IS NOT NULL \
           UNION SELECT remote_actor_id FROM comments WHERE proposal_id = $1 \
             AND remote_actor_id IS NOT NULL AND deleted_at IS NULL \
           UNION SELECT remote_actor_id FROM remote_supports WHERE proposal_id = $1 \
         ) ORDER BY ra.actor_id LIMIT 200"
    )
    .bind(proposal_id)
    .fetch_all(c)
    .await)
}
