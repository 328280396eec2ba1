//! Ideas / proposals, their tags, the pseudonyms of anonymous authors, and supports (共感).

use sqlx::FromRow;

use super::{Ex, on_conn};

#[derive(Debug, Clone, FromRow)]
pub struct ProposalRow {
    pub id: i64,
    pub theme_id: i64,
    pub theme_slug: String,
    /// The resident who wrote it, or none for a proposal from the fediverse.
    pub author_id: Option<i64>,
    pub author_handle: Option<String>,
    pub author_display_name: Option<String>,
    pub pseudonym_name: Option<String>,
    /// The word that tells the theme's anonymous authors apart.
    pub pseudonym_word: Option<String>,
    pub remote_actor: Option<String>,
    pub remote_username: Option<String>,
    pub remote_name: Option<String>,
    pub remote_domain: Option<String>,
    pub remote_url: Option<String>,
    /// The proposal's id on its origin, for proposals from the fediverse.
    pub ap_id: Option<String>,
    pub title: String,
    pub body: String,
    pub created_at: i64,
    pub updated_at: i64,
    pub withdrawn_at: Option<i64>,
    pub hidden_at: Option<i64>,
    pub hidden_reason: Option<String>,
    pub support_count: i64,
    /// Likes from fediverse accounts, counted apart from residents' supports.
    pub remote_support_count: i64,
    pub comment_count: i64,
    /// The state of its official answer, if staff answered it.
    pub answer_state: Option<String>,
    /// The theme's support threshold and who counts toward it.
    pub theme_support_threshold: Option<i32>,
    pub theme_threshold_counts: String,
    /// When it reached the threshold.
    pub threshold_reached_at: Option<i64>,
}

macro_rules! proposal_select {
    () => {
        "SELECT p.id, p.theme_id, t.slug AS theme_slug, p.author_id, u.handle AS author_handle, \
         u.display_name AS author_display_name, ps.name AS pseudonym_name, \
         ps.word AS pseudonym_word, \
         ra.actor_id AS remote_actor, ra.preferred_username AS remote_username, \
         ra.name AS remote_name, ra.domain AS remote_domain, ra.url AS remote_url, p.ap_id, \
         p.title, p.body, \
         p.created_at, p.updated_at, p.withdrawn_at, p.hidden_at, p.hidden_reason, p.answer_state, \
         t.support_threshold AS theme_support_threshold, \
         t.threshold_counts AS theme_threshold_counts, p.threshold_reached_at, \
         (SELECT COUNT(*) FROM supports s WHERE s.proposal_id = p.id) AS support_count, \
         (SELECT COUNT(*) FROM remote_supports rs WHERE rs.proposal_id = p.id) AS remote_support_count, \
         (SELECT COUNT(*) FROM comments c WHERE c.proposal_id = p.id \
            AND c.deleted_at IS NULL AND c.hidden_at IS NULL) AS comment_count \
         FROM proposals p JOIN themes t ON t.id = p.theme_id LEFT JOIN users u ON u.id = p.author_id \
         LEFT JOIN remote_actors ra ON ra.id = p.remote_actor_id \
         LEFT JOIN pseudonyms ps ON ps.id = p.pseudonym_id"
    };
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProposalOrder {
    Newest,
    MostSupported,
    MostDiscussed,
}

pub struct ProposalFilter<'a> {
    pub theme_id: i64,
    pub tag: Option<&'a str>,
    /// Only those with this answer state; `unanswered` for those without an answer.
    pub answer_state: Option<&'a str>,
    pub include_hidden: bool,
    pub order: ProposalOrder,
    pub limit: i64,
    pub offset: i64,
}

pub async fn list(
    ex: Ex<'_>,
    filter: &ProposalFilter<'_>,
) -> Result<Vec<ProposalRow>, sqlx::Error> {
    let order = match filter.order {
        ProposalOrder::Newest => "p.created_at DESC, p.id DESC",
        ProposalOrder::MostSupported => "support_count DESC, p.created_at DESC, p.id DESC",
        ProposalOrder::MostDiscussed => "comment_count DESC, p.created_at DESC, p.id DESC",
    };
    let sql = format!(
        "{} WHERE p.theme_id = $1 AND p.withdrawn_at IS NULL AND ($2 OR p.hidden_at IS NULL) \
         AND ($3 IS NULL OR EXISTS (SELECT 1 FROM proposal_tags pt \
              WHERE pt.proposal_id = p.id AND pt.tag = $3)) \
         AND ($6 IS NULL OR p.answer_state = $6 \
              OR ($6 = 'unanswered' AND p.answer_state IS NULL)) \
         ORDER BY {order} LIMIT $4 OFFSET $5",
        proposal_select!()
    );
    on_conn!(ex, |c| sqlx::query_as(&sql)
        .bind(filter.theme_id)
        .bind(filter.include_hidden)
        .bind(filter.tag)
        .bind(filter.limit)
        .bind(filter.offset)
        .bind(filter.answer_state)
        .fetch_all(c)
        .await)
}

pub async fn find(ex: Ex<'_>, id: i64) -> Result<Option<ProposalRow>, sqlx::Error> {
    on_conn!(ex, |c| sqlx::query_as(concat!(
        proposal_select!(),
        " WHERE p.id = $1"
    ))
    .bind(id)
    .fetch_optional(c)
    .await)
}

/// Several proposals at once, in no particular order (the caller keeps its own).
pub async fn find_many(ex: Ex<'_>, ids: &[i64]) -> Result<Vec<ProposalRow>, sqlx::Error> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        "{} WHERE p.id IN ({})",
        proposal_select!(),
        super::placeholders(1, ids.len())
    );
    on_conn!(ex, |c| {
        let mut query = sqlx::query_as(&sql);
        for id in ids {
            query = query.bind(id);
        }
        query.fetch_all(c).await
    })
}

/// The theme a proposal belongs to (which never changes), for the inbox.
pub async fn theme_of(ex: Ex<'_>, id: i64) -> Result<Option<i64>, sqlx::Error> {
    on_conn!(ex, |c| sqlx::query_scalar(
        "SELECT theme_id FROM proposals WHERE id = $1"
    )
    .bind(id)
    .fetch_optional(c)
    .await)
}

/// The tags of several proposals at once, as (proposal id, tag) pairs.
pub async fn tags_of(ex: Ex<'_>, ids: &[i64]) -> Result<Vec<(i64, String)>, sqlx::Error> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        "SELECT proposal_id, tag FROM proposal_tags WHERE proposal_id IN ({}) ORDER BY tag",
        super::placeholders(1, ids.len())
    );
    on_conn!(ex, |c| {
        let mut query = sqlx::query_as(&sql);
        for id in ids {
            query = query.bind(id);
        }
        query.fetch_all(c).await
    })
}

pub struct NewProposal<'a> {
    pub theme_id: i64,
    pub author_id: i64,
    pub pseudonym_id: Option<i64>,
    pub title: &'a str,
    pub body: &'a str,
}

pub async fn insert(ex: Ex<'_>, p: &NewProposal<'_>, now: i64) -> Result<i64, sqlx::Error> {
    on_conn!(ex, |c| {
        sqlx::query_scalar(
        "INSERT INTO proposals (theme_id, author_id, pseudonym_id, title, body, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $6) RETURNING id"
    )
    .bind(p.theme_id)
    .bind(p.author_id)
    .bind(p.pseudonym_id)
    .bind(p.title)
    .bind(p.body)
    .bind(now)
    .fetch_one(c)
    .await
    })
}

/// A proposal from the fediverse, as stored.
pub struct NewRemoteProposal<'a> {
    pub theme_id: i64,
    pub remote_actor_id: i64,
    pub ap_id: &'a str,
    pub title: &'a str,
    pub body: &'a str,
    pub published: i64,
}

/// Stores a proposal from the fediverse; `None` when its object id is already stored.
pub async fn insert_remote(
    ex: Ex<'_>,
    p: &NewRemoteProposal<'_>,
) -> Result<Option<i64>, sqlx::Error> {
    on_conn!(ex, |c| {
        sqlx::query_scalar(
        "INSERT INTO proposals (theme_id, remote_actor_id, ap_id, title, body, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $6) ON CONFLICT (ap_id) DO NOTHING RETURNING id"
    )
    .bind(p.theme_id)
    .bind(p.remote_actor_id)
    .bind(p.ap_id)
    .bind(p.title)
    .bind(p.body)
    .bind(p.published)
    .fetch_optional(c)
    .await
    })
}

pub async fn find_by_ap_id(ex: Ex<'_>, ap_id: &str) -> Result<Option<ProposalRow>, sqlx::Error> {
    on_conn!(ex, |c| sqlx::query_as(concat!(
        proposal_select!(),
        " WHERE p.ap_id = $1"
    ))
    .bind(ap_id)
    .fetch_optional(c)
    .await)
}

pub async fn replace_tags(ex: Ex<'_>, proposal_id: i64, tags: &[&str]) -> Result<(), sqlx::Error> {
    on_conn!(ex, |c| {
        sqlx::query("DELETE FROM proposal_tags WHERE proposal_id = $1")
            .bind(proposal_id)
            .execute(&mut *c)
            .await?;
        for tag in tags {
            sqlx::query("INSERT INTO proposal_tags (proposal_id, tag) VALUES ($1, $2)")
                .bind(proposal_id)
                .bind(tag)
                .execute(&mut *c)
                .await?;
        }
        Ok(())
    })
}

pub async fn update_text(
    ex: Ex<'_>,
    id: i64,
    title: &str,
    body: &str,
    now: i64,
) -> Result<(), sqlx::Error> {
    on_conn!(ex, |c| sqlx::query(
        "UPDATE proposals SET title = $1, body = $2, updated_at = $3 WHERE id = $4"
    )
    .bind(title)
    .bind(body)
    .bind(now)
    .bind(id)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(())
}

pub async fn set_withdrawn(ex: Ex<'_>, id: i64, now: i64) -> Result<(), sqlx::Error> {
    on_conn!(ex, |c| {
        sqlx::query(
        "UPDATE proposals SET withdrawn_at = $1, updated_at = $1 WHERE id = $2 AND withdrawn_at IS NULL"
    )
    .bind(now)
    .bind(id)
    .execute(c)
        .await
        .map(|r| r.rows_affected())
    })?;
    Ok(())
}

/// Hides (with a reason and the moderator) or restores (`None`) a proposal.
pub async fn set_hidden(
    ex: Ex<'_>,
    id: i64,
    hidden: Option<(i64, &str, i64)>,
) -> Result<(), sqlx::Error> {
    let (at, reason, by) = match hidden {
        Some((at, reason, by)) => (Some(at), Some(reason), Some(by)),
        None => (None, None, None),
    };
    on_conn!(ex, |c| sqlx::query(
        "UPDATE proposals SET hidden_at = $1, hidden_reason = $2, hidden_by = $3 WHERE id = $4"
    )
    .bind(at)
    .bind(reason)
    .bind(by)
    .bind(id)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(())
}

/// The words of a theme's anonymous authors so far.
pub async fn pseudonym_words(ex: Ex<'_>, theme_id: i64) -> Result<Vec<String>, sqlx::Error> {
    on_conn!(ex, |c| sqlx::query_scalar(
        "SELECT word FROM pseudonyms WHERE theme_id = $1 AND word IS NOT NULL"
    )
    .bind(theme_id)
    .fetch_all(c)
    .await)
}

/// The pseudonym a user posts under in a theme, created on first use with the name
/// `candidate` and the word `word`. Returns `(id, name)`, or `None` when the candidate
/// collided with another pseudonym's name or word.
pub async fn pseudonym_for(
    ex: Ex<'_>,
    user_id: i64,
    theme_id: i64,
    (candidate, word): (&str, &str),
    now: i64,
) -> Result<Option<(i64, String)>, sqlx::Error> {
    on_conn!(ex, |c| {
        let existing: Option<(i64, String)> =
            sqlx::query_as("SELECT id, name FROM pseudonyms WHERE user_id = $1 AND theme_id = $2")
                .bind(user_id)
                .bind(theme_id)
                .fetch_optional(&mut *c)
                .await?;
        if existing.is_some() {
            return Ok(existing);
        }
        sqlx::query(
            "INSERT INTO pseudonyms (user_id, theme_id, name, word, created_at) \
             VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING",
        )
        .bind(user_id)
        .bind(theme_id)
        .bind(candidate)
        .bind(word)
        .bind(now)
        .execute(&mut *c)
        .await?;
        sqlx::query_as("SELECT id, name FROM pseudonyms WHERE user_id = $1 AND theme_id = $2")
            .bind(user_id)
            .bind(theme_id)
            .fetch_optional(&mut *c)
            .await
    })
}

/// Adds a support; returns false when this person already supported the proposal.
pub async fn add_support(
    ex: Ex<'_>,
    proposal_id: i64,
    user_id: i64,
    now: i64,
) -> Result<bool, sqlx::Error> {
    let done = on_conn!(ex, |c| sqlx::query(
        "INSERT INTO supports (proposal_id, user_id, created_at) VALUES ($1, $2, $3) \
         ON CONFLICT DO NOTHING"
    )
    .bind(proposal_id)
    .bind(user_id)
    .bind(now)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(done == 1)
}

pub async fn remove_support(
    ex: Ex<'_>,
    proposal_id: i64,
    user_id: i64,
) -> Result<bool, sqlx::Error> {
    let done = on_conn!(ex, |c| sqlx::query(
        "DELETE FROM supports WHERE proposal_id = $1 AND user_id = $2"
    )
    .bind(proposal_id)
    .bind(user_id)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(done == 1)
}

/// Which of the given proposals this user supports.
pub async fn supported_among(
    ex: Ex<'_>,
    user_id: i64,
    ids: &[i64],
) -> Result<Vec<i64>, sqlx::Error> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        "SELECT proposal_id FROM supports WHERE user_id = $1 AND proposal_id IN ({})",
        super::placeholders(2, ids.len())
    );
    on_conn!(ex, |c| {
        let mut query = sqlx::query_scalar(&sql).bind(user_id);
        for id in ids {
            query = query.bind(id);
        }
        query.fetch_all(c).await
    })
}

pub async fn support_count(ex: Ex<'_>, proposal_id: i64) -> Result<i64, sqlx::Error> {
    on_conn!(ex, |c| sqlx::query_scalar(
        "SELECT COUNT(*) FROM supports WHERE proposal_id = $1"
    )
    .bind(proposal_id)
    .fetch_one(c)
    .await)
}

/// The newest published proposals of published themes, for the home page.
pub async fn recent(ex: Ex<'_>, limit: i64) -> Result<Vec<ProposalRow>, sqlx::Error> {
    on_conn!(ex, |c| {
        sqlx::query_as(concat!(
        proposal_select!(),
        " WHERE t.status <> 'draft' AND t.removed_at IS NULL AND p.withdrawn_at IS NULL AND p.hidden_at IS NULL \
          ORDER BY p.created_at DESC, p.id DESC LIMIT $1"
    ))
    .bind(limit)
    .fetch_all(c)
    .await
    })
}

/// Published proposals of published themes whose title or body contains every term
/// (case-insensitive), newest first. A plain scan: fine for a municipality's thousands of
/// ideas; a token index can replace it without changing callers.
pub async fn search(
    ex: Ex<'_>,
    terms: &[String],
    limit: i64,
) -> Result<Vec<ProposalRow>, sqlx::Error> {
    let mut sql = format!(
        "{} WHERE t.status <> 'draft' AND t.removed_at IS NULL AND p.withdrawn_at IS NULL AND p.hidden_at IS NULL",
        proposal_select!()
    );
    for i in 1..=terms.len() {
        sql.push_str(&format!(
            " AND (LOWER(p.title) LIKE ${i} ESCAPE '\\' OR LOWER(p.body) LIKE ${i} ESCAPE '\\')"
        ));
    }
    sql.push_str(&format!(
        " ORDER BY p.created_at DESC, p.id DESC LIMIT ${}",
        terms.len() + 1
    ));
    let patterns: Vec<String> = terms.iter().map(|t| super::like_pattern(t)).collect();
    on_conn!(ex, |c| {
        let mut query = sqlx::query_as(&sql);
        for pattern in &patterns {
            query = query.bind(pattern);
        }
        query.bind(limit).fetch_all(c).await
    })
}

/// Published proposals that no official answer has met yet, oldest first (the staff queue).
pub async fn awaiting_answer(
    ex: Ex<'_>,
    limit: i64,
    offset: i64,
) -> Result<Vec<ProposalRow>, sqlx::Error> {
    on_conn!(ex, |c| sqlx::query_as(concat!(
        proposal_select!(),
        " WHERE p.answer_state IS NULL AND p.withdrawn_at IS NULL AND p.hidden_at IS NULL \
          AND t.status <> 'draft' AND t.removed_at IS NULL \
          ORDER BY CASE WHEN p.threshold_reached_at IS NULL THEN 1 ELSE 0 END, \
          p.threshold_reached_at, p.created_at, p.id LIMIT $1 OFFSET $2"
    ))
    .bind(limit)
    .bind(offset)
    .fetch_all(c)
    .await)
}
