//! Fediverse polls: the survey questions published as a `Question`, the fediverse votes on
//! them (counted apart from residents' answers, their voter named only by a digest), the
//! voters whose servers get the tallies, and the claim that makes one process send a tally.

use super::{Ex, on_conn};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct PollRow {
    pub question_id: i64,
    pub survey_id: i64,
    pub theme_id: i64,
    pub published_at: i64,
    pub closes_at: i64,
    /// The end the poll was published with (its `endTime`), which never changes: it may
    /// close earlier (`closes_at`).
    pub end_time: i64,
    pub closed_sent: bool,
}

const POLL_COLUMNS: &str = "question_id, survey_id, theme_id, published_at, closes_at, \
     COALESCE(end_time, closes_at) AS end_time, closed_sent";

/// Publishes a question as a poll; false when it already is one.
pub async fn insert(
    ex: Ex<'_>,
    question_id: i64,
    survey_id: i64,
    theme_id: i64,
    closes_at: i64,
    now: i64,
) -> Result<bool, sqlx::Error> {
    on_conn!(ex, |c| sqlx::query(
        "INSERT INTO survey_polls (question_id, survey_id, theme_id, published_at, closes_at, \
         end_time, last_tally_at, tally_pending, closed_sent) \
         VALUES ($1, $2, $3, $4, $5, $5, $4, FALSE, FALSE) ON CONFLICT DO NOTHING"
    )
    .bind(question_id)
    .bind(survey_id)
    .bind(theme_id)
    .bind(now)
    .bind(closes_at)
    .execute(&mut *c)
    .await
    .map(|r| r.rows_affected() == 1))
}

pub async fn find(ex: Ex<'_>, question_id: i64) -> Result<Option<PollRow>, sqlx::Error> {
    let sql = format!("SELECT {POLL_COLUMNS} FROM survey_polls WHERE question_id = $1");
    on_conn!(ex, |c| sqlx::query_as(&sql)
        .bind(question_id)
        .fetch_optional(&mut *c)
        .await)
}

pub async fn of_survey(ex: Ex<'_>, survey_id: i64) -> Result<Vec<PollRow>, sqlx::Error> {
    let sql = format!(
        "SELECT {POLL_COLUMNS} FROM survey_polls WHERE survey_id = $1 ORDER BY question_id"
    );
    on_conn!(ex, |c| sqlx::query_as(&sql)
        .bind(survey_id)
        .fetch_all(&mut *c)
        .await)
}

/// Holds the voter's row for the rest of the transaction, so that two votes of one voter
/// arriving at once are checked one after the other.
pub async fn lock_voter(
    ex: Ex<'_>,
    question_id: i64,
    remote_actor_id: i64,
) -> Result<(), sqlx::Error> {
    on_conn!(ex, |c| {
        sqlx::query(
        "INSERT INTO survey_poll_voters (question_id, remote_actor_id) VALUES ($1, $2) \
         ON CONFLICT (question_id, remote_actor_id) DO UPDATE SET remote_actor_id = excluded.remote_actor_id"
    )
    .bind(question_id)
    .bind(remote_actor_id)
    .execute(&mut *c)
    .await
    .map(|_| ())
    })
}

/// Forgets a voter whose vote was refused and who has no other.
pub async fn forget_voter(
    ex: Ex<'_>,
    question_id: i64,
    remote_actor_id: i64,
) -> Result<(), sqlx::Error> {
    on_conn!(ex, |c| sqlx::query(
        "DELETE FROM survey_poll_voters WHERE question_id = $1 AND remote_actor_id = $2"
    )
    .bind(question_id)
    .bind(remote_actor_id)
    .execute(&mut *c)
    .await
    .map(|_| ()))
}

/// The options a voter has chosen so far.
pub async fn choices_of(
    ex: Ex<'_>,
    question_id: i64,
    voter_digest: &str,
) -> Result<Vec<i32>, sqlx::Error> {
    on_conn!(ex, |c| sqlx::query_scalar(
        "SELECT choice_position FROM survey_poll_votes WHERE question_id = $1 AND voter_digest = $2"
    )
    .bind(question_id)
    .bind(voter_digest)
    .fetch_all(&mut *c)
    .await)
}

/// Counts a vote and marks the poll as having a tally to send.
pub async fn insert_vote(
    mut ex: Ex<'_>,
    question_id: i64,
    voter_digest: &str,
    choice_position: i32,
) -> Result<bool, sqlx::Error> {
    let inserted = on_conn!(ex.reborrow(), |c| sqlx::query(
        "INSERT INTO survey_poll_votes (question_id, voter_digest, choice_position) \
         VALUES ($1, $2, $3) ON CONFLICT DO NOTHING"
    )
    .bind(question_id)
    .bind(voter_digest)
    .bind(choice_position)
    .execute(&mut *c)
    .await?
    .rows_affected()
        == 1);
    if inserted {
        on_conn!(ex, |c| sqlx::query(
            "UPDATE survey_polls SET tally_pending = TRUE WHERE question_id = $1"
        )
        .bind(question_id)
        .execute(&mut *c)
        .await
        .map(|_| ()))?;
    }
    Ok(inserted)
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct VoteCount {
    pub question_id: i64,
    pub choice_position: i32,
    pub votes: i64,
}

/// The fediverse votes of each option of a survey's polls.
pub async fn vote_counts(ex: Ex<'_>, survey_id: i64) -> Result<Vec<VoteCount>, sqlx::Error> {
    on_conn!(ex, |c| sqlx::query_as(
        "SELECT v.question_id, v.choice_position, COUNT(*) AS votes FROM survey_poll_votes v \
         JOIN survey_polls p ON p.question_id = v.question_id WHERE p.survey_id = $1 \
         GROUP BY v.question_id, v.choice_position"
    )
    .bind(survey_id)
    .fetch_all(&mut *c)
    .await)
}

/// How many accounts voted on each of a survey's polls.
pub async fn voter_counts(ex: Ex<'_>, survey_id: i64) -> Result<Vec<(i64, i64)>, sqlx::Error> {
    on_conn!(ex, |c| sqlx::query_as(
        "SELECT v.question_id, COUNT(DISTINCT v.voter_digest) FROM survey_poll_votes v \
         JOIN survey_polls p ON p.question_id = v.question_id WHERE p.survey_id = $1 \
         GROUP BY v.question_id"
    )
    .bind(survey_id)
    .fetch_all(&mut *c)
    .await)
}

/// Where the voters of a poll are told its tallies.
pub async fn voter_inboxes(ex: Ex<'_>, question_id: i64) -> Result<Vec<String>, sqlx::Error> {
    on_conn!(ex, |c| sqlx::query_scalar(
        "SELECT DISTINCT COALESCE(a.shared_inbox, a.inbox) FROM survey_poll_voters v \
         JOIN remote_actors a ON a.id = v.remote_actor_id WHERE v.question_id = $1"
    )
    .bind(question_id)
    .fetch_all(&mut *c)
    .await)
}

/// The polls that may have a tally to send at `now`: votes since the last tally, or closed
/// without the final tally.
pub async fn maybe_due(ex: Ex<'_>, now: i64) -> Result<Vec<i64>, sqlx::Error> {
    on_conn!(ex, |c| sqlx::query_scalar(
        "SELECT question_id FROM survey_polls WHERE NOT closed_sent \
         AND (tally_pending OR closes_at <= $1)"
    )
    .bind(now)
    .fetch_all(&mut *c)
    .await)
}

/// Claims the next tally of a poll: votes arrived and the last tally is at least `gap` old,
/// or the poll has closed and the final tally is unsent. Only one process wins a claim.
/// Returns whether it was won, and whether this is the final tally.
pub async fn claim_tally(
    ex: Ex<'_>,
    question_id: i64,
    now: i64,
    gap: i64,
) -> Result<Option<bool>, sqlx::Error> {
    on_conn!(ex, |c| sqlx::query_scalar(
        "UPDATE survey_polls SET tally_pending = FALSE, last_tally_at = $2, \
         closed_sent = (closes_at <= $2) \
         WHERE question_id = $1 AND NOT closed_sent \
         AND ((tally_pending AND last_tally_at <= $3) OR closes_at <= $2) \
         RETURNING closed_sent"
    )
    .bind(question_id)
    .bind(now)
    .bind(now - gap)
    .fetch_optional(&mut *c)
    .await)
}

/// A survey closed early: its open polls close at `at` (their published end stays), and
/// their closing tally becomes due.
pub async fn close_polls_of_survey(ex: Ex<'_>, survey_id: i64, at: i64) -> Result<(), sqlx::Error> {
    on_conn!(ex, |c| sqlx::query(
        "UPDATE survey_polls SET closes_at = $1 WHERE survey_id = $2 AND closes_at > $1"
    )
    .bind(at)
    .bind(survey_id)
    .execute(c)
    .await
    .map(|_| ()))
}

/// A survey opened again before its end: its polls take votes until their published end,
/// and followers are sent that they are open (a tally is due).
pub async fn reopen_polls_of_survey(
    ex: Ex<'_>,
    survey_id: i64,
    now: i64,
) -> Result<Vec<i64>, sqlx::Error> {
    on_conn!(ex, |c| sqlx::query_scalar(
        "UPDATE survey_polls SET closes_at = COALESCE(end_time, closes_at), closed_sent = FALSE, \
         tally_pending = TRUE WHERE survey_id = $1 AND COALESCE(end_time, closes_at) > $2 \
         RETURNING question_id"
    )
    .bind(survey_id)
    .bind(now)
    .fetch_all(c)
    .await)
}
