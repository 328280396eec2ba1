//! Drafts (たたき台): their versions, each version's numbered paragraphs, and the
//! amendments residents propose to a paragraph with their supports.

use super::{Ex, on_conn};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct DraftRow {
    pub id: i64,
    pub theme_id: i64,
    pub title: String,
    pub current_version: i32,
    pub created_at: i64,
    pub updated_at: i64,
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct VersionRow {
    pub version: i32,
    pub amendment_id: Option<i64>,
    /// The paragraph the accepted amendment replaced.
    pub paragraph: Option<i32>,
    /// What staff said they changed, for a version they wrote themselves.
    pub change_note: Option<String>,
    pub created_at: i64,
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct AmendmentRow {
    pub id: i64,
    pub draft_id: i64,
    pub paragraph: i32,
    pub base_version: i32,
    pub replacement: String,
    pub reason: String,
    pub author_id: Option<i64>,
    pub author_handle: Option<String>,
    pub author_display_name: Option<String>,
    pub status: String,
    pub decision_reason: String,
    pub decided_at: Option<i64>,
    pub accepted_version: Option<i32>,
    pub support_count: i32,
    pub created_at: i64,
}

const DRAFT_COLUMNS: &str = "id, theme_id, title, current_version, created_at, updated_at";

/// A new draft with its first version.
pub async fn insert(
    ex: Ex<'_>,
    theme_id: i64,
    title: &str,
    paragraphs: &[String],
    by: i64,
    now: i64,
) -> Result<i64, sqlx::Error> {
    on_conn!(ex, |c| {
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO drafts (theme_id, title, current_version, created_by, created_at, \
             updated_at) VALUES ($1, $2, 1, $3, $4, $4) RETURNING id",
        )
        .bind(theme_id)
        .bind(title)
        .bind(by)
        .bind(now)
        .fetch_one(&mut *c)
        .await?;
        sqlx::query(
            "INSERT INTO draft_versions (draft_id, version, amendment_id, created_by, created_at) \
             VALUES ($1, 1, NULL, $2, $3)",
        )
        .bind(id)
        .bind(by)
        .bind(now)
        .execute(&mut *c)
        .await?;
        for (i, body) in paragraphs.iter().enumerate() {
            sqlx::query(
                "INSERT INTO draft_paragraphs (draft_id, version, number, body) \
                 VALUES ($1, 1, $2, $3)",
            )
            .bind(id)
            .bind(i as i32 + 1)
            .bind(body)
            .execute(&mut *c)
            .await?;
        }
        Ok(id)
    })
}

/// A new version of a draft made by accepting an amendment: version `from` with one
/// paragraph replaced.
pub struct Replacement<'a> {
    pub draft_id: i64,
    pub from: i32,
    pub paragraph: i32,
    pub body: &'a str,
    pub amendment_id: i64,
    pub by: i64,
    pub now: i64,
}

/// Makes the new version; `None` when the draft moved on meanwhile (`from` is no longer
/// current).
pub async fn replace_paragraph(
    ex: Ex<'_>,
    r: &Replacement<'_>,
) -> Result<Option<i32>, sqlx::Error> {
    let Replacement {
        draft_id,
        from,
        paragraph,
        body,
        amendment_id,
        by,
        now,
    } = *r;
    on_conn!(ex, |c| {
        let moved = sqlx::query(
            "UPDATE drafts SET current_version = $2 + 1, updated_at = $3 \
             WHERE id = $1 AND current_version = $2",
        )
        .bind(draft_id)
        .bind(from)
        .bind(now)
        .execute(&mut *c)
        .await?;
        if moved.rows_affected() == 0 {
            return Ok(None);
        }
        let version = from + 1;
        sqlx::query(
            "INSERT INTO draft_versions (draft_id, version, amendment_id, created_by, created_at) \
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(draft_id)
        .bind(version)
        .bind(amendment_id)
        .bind(by)
        .bind(now)
        .execute(&mut *c)
        .await?;
        sqlx::query(
            "INSERT INTO draft_paragraphs (draft_id, version, number, body) \
             SELECT draft_id, $3, number, CASE WHEN number = $4 THEN $5 ELSE body END \
             FROM draft_paragraphs WHERE draft_id = $1 AND version = $2",
        )
        .bind(draft_id)
        .bind(from)
        .bind(version)
        .bind(paragraph)
        .bind(body)
        .execute(&mut *c)
        .await?;
        Ok(Some(version))
    })
}

/// A new version staff wrote themselves: the whole text and title, with what changed.
pub struct Revision<'a> {
    pub draft_id: i64,
    pub from: i32,
    pub title: &'a str,
    pub paragraphs: &'a [String],
    pub note: &'a str,
    pub by: i64,
    pub now: i64,
}

/// Makes the new version; `None` when the draft moved on meanwhile.
pub async fn revise(ex: Ex<'_>, r: &Revision<'_>) -> Result<Option<i32>, sqlx::Error> {
    on_conn!(ex, |c| {
        let moved = sqlx::query(
            "UPDATE drafts SET current_version = $2 + 1, title = $3, updated_at = $4 \
             WHERE id = $1 AND current_version = $2",
        )
        .bind(r.draft_id)
        .bind(r.from)
        .bind(r.title)
        .bind(r.now)
        .execute(&mut *c)
        .await?;
        if moved.rows_affected() == 0 {
            return Ok(None);
        }
        let version = r.from + 1;
        sqlx::query(
            "INSERT INTO draft_versions (draft_id, version, amendment_id, created_by, created_at, \
             change_note) VALUES ($1, $2, NULL, $3, $4, $5)",
        )
        .bind(r.draft_id)
        .bind(version)
        .bind(r.by)
        .bind(r.now)
        .bind(r.note)
        .execute(&mut *c)
        .await?;
        for (i, body) in r.paragraphs.iter().enumerate() {
            sqlx::query(
                "INSERT INTO draft_paragraphs (draft_id, version, number, body) \
                 VALUES ($1, $2, $3, $4)",
            )
            .bind(r.draft_id)
            .bind(version)
            .bind(i as i32 + 1)
            .bind(body)
            .execute(&mut *c)
            .await?;
        }
        Ok(Some(version))
    })
}

/// Closes the open amendments to the given paragraphs (their text changed under them),
/// with `reason`; returns the ones closed.
pub async fn close_amendments_on(
    ex: Ex<'_>,
    draft_id: i64,
    paragraphs: &[i32],
    reason: &str,
    by: i64,
    now: i64,
) -> Result<Vec<i64>, sqlx::Error> {
    on_conn!(ex, |c| {
        let mut closed = Vec::new();
        for paragraph in paragraphs {
            let ids: Vec<i64> = sqlx::query_scalar(
                "UPDATE amendments SET status = 'rejected', decision_reason = $3, \
                 decided_by = $4, decided_at = $5 \
                 WHERE draft_id = $1 AND paragraph = $2 AND status = 'open' RETURNING id",
            )
            .bind(draft_id)
            .bind(paragraph)
            .bind(reason)
            .bind(by)
            .bind(now)
            .fetch_all(&mut *c)
            .await?;
            closed.extend(ids);
        }
        Ok(closed)
    })
}

pub async fn find(ex: Ex<'_>, id: i64) -> Result<Option<DraftRow>, sqlx::Error> {
    let sql = format!("SELECT {DRAFT_COLUMNS} FROM drafts WHERE id = $1");
    on_conn!(ex, |c| sqlx::query_as(&sql)
        .bind(id)
        .fetch_optional(c)
        .await)
}

pub async fn of_theme(ex: Ex<'_>, theme_id: i64) -> Result<Vec<DraftRow>, sqlx::Error> {
    let sql = format!("SELECT {DRAFT_COLUMNS} FROM drafts WHERE theme_id = $1 ORDER BY id");
    on_conn!(ex, |c| sqlx::query_as(&sql)
        .bind(theme_id)
        .fetch_all(c)
        .await)
}

pub async fn count_of_theme(ex: Ex<'_>, theme_id: i64) -> Result<i64, sqlx::Error> {
    on_conn!(ex, |c| sqlx::query_scalar(
        "SELECT COUNT(*) FROM drafts WHERE theme_id = $1"
    )
    .bind(theme_id)
    .fetch_one(c)
    .await)
}

/// A version's paragraphs, in order; empty when the version does not exist.
pub async fn paragraphs(
    ex: Ex<'_>,
    draft_id: i64,
    version: i32,
) -> Result<Vec<String>, sqlx::Error> {
    on_conn!(ex, |c| sqlx::query_scalar(
        "SELECT body FROM draft_paragraphs WHERE draft_id = $1 AND version = $2 ORDER BY number"
    )
    .bind(draft_id)
    .bind(version)
    .fetch_all(c)
    .await)
}

pub async fn versions(ex: Ex<'_>, draft_id: i64) -> Result<Vec<VersionRow>, sqlx::Error> {
    on_conn!(ex, |c| sqlx::query_as(
        "SELECT v.version, v.amendment_id, a.paragraph, v.change_note, v.created_at \
         FROM draft_versions v \
         LEFT JOIN amendments a ON a.id = v.amendment_id WHERE v.draft_id = $1 ORDER BY v.version"
    )
    .bind(draft_id)
    .fetch_all(c)
    .await)
}

const AMENDMENT_SELECT: &str = "SELECT a.id, a.draft_id, a.paragraph, a.base_version, \
     a.replacement, a.reason, a.author_id, u.handle AS author_handle, \
     u.display_name AS author_display_name, a.status, a.decision_reason, a.decided_at, \
     a.accepted_version, a.support_count, a.created_at FROM amendments a \
     LEFT JOIN users u ON u.id = a.author_id";

pub struct NewAmendment<'a> {
    pub draft_id: i64,
    pub paragraph: i32,
    pub base_version: i32,
    pub replacement: &'a str,
    pub reason: &'a str,
    pub author_id: i64,
    pub now: i64,
}

pub async fn insert_amendment(ex: Ex<'_>, a: &NewAmendment<'_>) -> Result<i64, sqlx::Error> {
    on_conn!(ex, |c| sqlx::query_scalar(
        "INSERT INTO amendments (draft_id, paragraph, base_version, replacement, reason, \
         author_id, status, decision_reason, support_count, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, 'open', '', 0, $7) RETURNING id"
    )
    .bind(a.draft_id)
    .bind(a.paragraph)
    .bind(a.base_version)
    .bind(a.replacement)
    .bind(a.reason)
    .bind(a.author_id)
    .bind(a.now)
    .fetch_one(c)
    .await)
}

pub async fn find_amendment(ex: Ex<'_>, id: i64) -> Result<Option<AmendmentRow>, sqlx::Error> {
    let sql = format!("{AMENDMENT_SELECT} WHERE a.id = $1");
    on_conn!(ex, |c| sqlx::query_as(&sql)
        .bind(id)
        .fetch_optional(c)
        .await)
}

/// A draft's amendments by paragraph, oldest first.
pub async fn amendments(ex: Ex<'_>, draft_id: i64) -> Result<Vec<AmendmentRow>, sqlx::Error> {
    let sql = format!("{AMENDMENT_SELECT} WHERE a.draft_id = $1 ORDER BY a.paragraph, a.id");
    on_conn!(ex, |c| sqlx::query_as(&sql)
        .bind(draft_id)
        .fetch_all(c)
        .await)
}

/// Records a decision on an open amendment; whether it was still open.
pub async fn decide(
    ex: Ex<'_>,
    id: i64,
    status: &str,
    reason: &str,
    accepted_version: Option<i32>,
    by: i64,
    now: i64,
) -> Result<bool, sqlx::Error> {
    on_conn!(ex, |c| sqlx::query(
        "UPDATE amendments SET status = $2, decision_reason = $3, accepted_version = $4, \
         decided_by = $5, decided_at = $6 WHERE id = $1 AND status = 'open'"
    )
    .bind(id)
    .bind(status)
    .bind(reason)
    .bind(accepted_version)
    .bind(by)
    .bind(now)
    .execute(c)
    .await
    .map(|done| done.rows_affected() > 0))
}

/// Adds or takes back a resident's support; whether anything changed.
pub async fn set_support(
    ex: Ex<'_>,
    amendment_id: i64,
    user_id: i64,
    support: bool,
    now: i64,
) -> Result<bool, sqlx::Error> {
    on_conn!(ex, |c| {
        let changed = if support {
            sqlx::query(
                "INSERT INTO amendment_supports (amendment_id, user_id, created_at) \
                 VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
            )
            .bind(amendment_id)
            .bind(user_id)
            .bind(now)
            .execute(&mut *c)
            .await?
        } else {
            sqlx::query("DELETE FROM amendment_supports WHERE amendment_id = $1 AND user_id = $2")
                .bind(amendment_id)
                .bind(user_id)
                .execute(&mut *c)
                .await?
        }
        .rows_affected()
            > 0;
        if changed {
            sqlx::query(
                "UPDATE amendments SET support_count = (SELECT COUNT(*) FROM amendment_supports \
                 WHERE amendment_id = $1) WHERE id = $1",
            )
            .bind(amendment_id)
            .execute(&mut *c)
            .await?;
        }
        Ok(changed)
    })
}

/// The amendments of a draft a resident supports.
pub async fn supported_by(
    ex: Ex<'_>,
    draft_id: i64,
    user_id: i64,
) -> Result<Vec<i64>, sqlx::Error> {
    on_conn!(ex, |c| sqlx::query_scalar(
        "SELECT s.amendment_id FROM amendment_supports s JOIN amendments a \
         ON a.id = s.amendment_id WHERE a.draft_id = $1 AND s.user_id = $2"
    )
    .bind(draft_id)
    .bind(user_id)
    .fetch_all(c)
    .await)
}

/// The residents to tell about a decision: the author and those who supported it.
pub async fn people_of_amendment(ex: Ex<'_>, id: i64) -> Result<Vec<i64>, sqlx::Error> {
    on_conn!(ex, |c| sqlx::query_scalar(
        "SELECT author_id FROM amendments WHERE id = $1 AND author_id IS NOT NULL \
         UNION SELECT user_id FROM amendment_supports WHERE amendment_id = $1"
    )
    .bind(id)
    .fetch_all(c)
    .await)
}
