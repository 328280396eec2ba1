//! The word cloud's kept counts: each published idea's and comment's terms, how many ideas
//! and comments of a theme contain each term, and the stop words and local names staff add.

use super::{Ex, on_conn};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct TermCount {
    pub term: String,
    pub ideas: i64,
}

/// What the word cloud counts terms of: ideas, and comments when a cloud includes them.
/// Each has its own table of terms and of a theme's counts (fixed names, never input).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Counted {
    Idea,
    Comment,
}

impl Counted {
    /// The table of each item's terms, its key column and the table of a theme's counts
    /// with its count column.
    fn tables(self) -> (&'static str, &'static str, &'static str, &'static str) {
        match self {
            Counted::Idea => ("proposal_terms", "proposal_id", "theme_terms", "ideas"),
            Counted::Comment => (
                "comment_terms",
                "comment_id",
                "theme_comment_terms",
                "comments",
            ),
        }
    }
}

/// The terms stored for an idea or a comment.
pub async fn of_item(ex: Ex<'_>, counted: Counted, id: i64) -> Result<Vec<String>, sqlx::Error> {
    let (terms, key, _, _) = counted.tables();
    let sql = format!("SELECT term FROM {terms} WHERE {key} = $1 ORDER BY term");
    on_conn!(ex, |c| sqlx::query_scalar(&sql).bind(id).fetch_all(c).await)
}

/// Records that an idea or a comment now contains `added` and no longer `removed`, and
/// moves its theme's counts by as much.
pub async fn change(
    ex: Ex<'_>,
    counted: Counted,
    theme_id: i64,
    id: i64,
    added: &[String],
    removed: &[String],
) -> Result<(), sqlx::Error> {
    let (terms, key, counts, count) = counted.tables();
    let insert_term = format!("INSERT INTO {terms} ({key}, term) VALUES ($1, $2)");
    let count_up = format!(
        "INSERT INTO {counts} (theme_id, term, {count}) VALUES ($1, $2, 1) \
         ON CONFLICT (theme_id, term) DO UPDATE SET {count} = {counts}.{count} + 1"
    );
    let delete_term = format!("DELETE FROM {terms} WHERE {key} = $1 AND term = $2");
    let count_down =
        format!("UPDATE {counts} SET {count} = {count} - 1 WHERE theme_id = $1 AND term = $2");
    let drop_empty = format!("DELETE FROM {counts} WHERE theme_id = $1 AND {count} <= 0");
    on_conn!(ex, |c| {
        for term in added {
            sqlx::query(&insert_term)
                .bind(id)
                .bind(term)
                .execute(&mut *c)
                .await?;
            sqlx::query(&count_up)
                .bind(theme_id)
                .bind(term)
                .execute(&mut *c)
                .await?;
        }
        for term in removed {
            sqlx::query(&delete_term)
                .bind(id)
                .bind(term)
                .execute(&mut *c)
                .await?;
            sqlx::query(&count_down)
                .bind(theme_id)
                .bind(term)
                .execute(&mut *c)
                .await?;
        }
        if !removed.is_empty() {
            sqlx::query(&drop_empty)
                .bind(theme_id)
                .execute(&mut *c)
                .await?;
        }
        Ok(())
    })
}

/// A theme's most frequent terms, leaving out stop words: by how many ideas contain each,
/// or ideas and comments together.
pub async fn top_of_theme(
    ex: Ex<'_>,
    theme_id: i64,
    with_comments: bool,
    limit: i64,
) -> Result<Vec<TermCount>, sqlx::Error> {
    let comments = if with_comments {
        " UNION ALL SELECT term, comments AS n FROM theme_comment_terms WHERE theme_id = $1"
    } else {
        ""
    };
    let sql = format!(
        "SELECT t.term, CAST(SUM(t.n) AS BIGINT) AS ideas FROM \
         (SELECT term, ideas AS n FROM theme_terms WHERE theme_id = $1{comments}) t \
         WHERE NOT EXISTS (SELECT 1 FROM word_cloud_stop_words s WHERE s.term = t.term) \
         GROUP BY t.term ORDER BY SUM(t.n) DESC, t.term LIMIT $2"
    );
    on_conn!(ex, |c| sqlx::query_as(&sql)
        .bind(theme_id)
        .bind(limit)
        .fetch_all(c)
        .await)
}

/// The most frequent terms of a theme's ideas (and comments) posted between two instants
/// (a phase).
pub async fn top_between(
    ex: Ex<'_>,
    theme_id: i64,
    from: i64,
    until: i64,
    with_comments: bool,
    limit: i64,
) -> Result<Vec<TermCount>, sqlx::Error> {
    let comments = if with_comments {
        " UNION ALL SELECT ct.term FROM comment_terms ct \
         JOIN comments c ON c.id = ct.comment_id JOIN proposals p ON p.id = c.proposal_id \
         WHERE p.theme_id = $1 AND c.created_at >= $2 AND c.created_at < $3"
    } else {
        ""
    };
    let sql = format!(
        "SELECT t.term, COUNT(*) AS ideas FROM \
         (SELECT pt.term FROM proposal_terms pt JOIN proposals p ON p.id = pt.proposal_id \
          WHERE p.theme_id = $1 AND p.created_at >= $2 AND p.created_at < $3{comments}) t \
         WHERE NOT EXISTS (SELECT 1 FROM word_cloud_stop_words s WHERE s.term = t.term) \
         GROUP BY t.term ORDER BY COUNT(*) DESC, t.term LIMIT $4"
    );
    on_conn!(ex, |c| sqlx::query_as(&sql)
        .bind(theme_id)
        .bind(from)
        .bind(until)
        .bind(limit)
        .fetch_all(c)
        .await)
}

/// The ids of a theme's ideas that contain a term (or have a comment that does), newest
/// first.
pub async fn proposals_with(
    ex: Ex<'_>,
    theme_id: i64,
    term: &str,
    with_comments: bool,
    limit: i64,
) -> Result<Vec<i64>, sqlx::Error> {
    let comments = if with_comments {
        " OR EXISTS (SELECT 1 FROM comment_terms ct JOIN comments c ON c.id = ct.comment_id \
         WHERE ct.term = $1 AND c.proposal_id = p.id)"
    } else {
        ""
    };
    let sql = format!(
        "SELECT p.id FROM proposals p WHERE p.theme_id = $2 AND \
         (EXISTS (SELECT 1 FROM proposal_terms pt WHERE pt.term = $1 AND pt.proposal_id = p.id){comments}) \
         ORDER BY p.created_at DESC, p.id DESC LIMIT $3"
    );
    on_conn!(ex, |c| sqlx::query_scalar(&sql)
        .bind(term)
        .bind(theme_id)
        .bind(limit)
        .fetch_all(c)
        .await)
}

/// A list of terms staff keep: the extra stop words, or the terms shown although the
/// default list leaves them out.
#[derive(Debug, Clone, Copy)]
pub enum StaffTerms {
    StopWords,
    Included,
}

impl StaffTerms {
    fn table(self) -> &'static str {
        match self {
            StaffTerms::StopWords => "word_cloud_stop_words",
            StaffTerms::Included => "word_cloud_included_terms",
        }
    }
}

/// The terms of one of staff's lists.
pub async fn staff_terms(ex: Ex<'_>, list: StaffTerms) -> Result<Vec<String>, sqlx::Error> {
    let sql = format!("SELECT term FROM {} ORDER BY term", list.table());
    on_conn!(ex, |c| sqlx::query_scalar(&sql).fetch_all(c).await)
}

/// Replaces one of staff's lists.
pub async fn set_staff_terms(
    ex: Ex<'_>,
    list: StaffTerms,
    terms: &[String],
    now: i64,
) -> Result<(), sqlx::Error> {
    let delete = format!("DELETE FROM {}", list.table());
    let insert = format!(
        "INSERT INTO {} (term, created_at) VALUES ($1, $2) ON CONFLICT (term) DO NOTHING",
        list.table()
    );
    on_conn!(ex, |c| {
        sqlx::query(&delete).execute(&mut *c).await?;
        for term in terms {
            sqlx::query(&insert)
                .bind(term)
                .bind(now)
                .execute(&mut *c)
                .await?;
        }
        Ok(())
    })
}

/// The local names staff keep whole, in the same order on both databases (their
/// collations differ, so the order is made here).
pub async fn names(ex: Ex<'_>) -> Result<Vec<String>, sqlx::Error> {
    let mut names: Vec<String> = on_conn!(ex, |c| sqlx::query_scalar(
        "SELECT name FROM word_cloud_names"
    )
    .fetch_all(c)
    .await)?;
    names.sort();
    Ok(names)
}

/// Replaces staff's local names.
pub async fn set_names(ex: Ex<'_>, names: &[String], now: i64) -> Result<(), sqlx::Error> {
    on_conn!(ex, |c| {
        sqlx::query("DELETE FROM word_cloud_names")
            .execute(&mut *c)
            .await?;
        for name in names {
            sqlx::query(
                "INSERT INTO word_cloud_names (name, created_at) VALUES ($1, $2) \
                 ON CONFLICT (name) DO NOTHING",
            )
            .bind(name)
            .bind(now)
            .execute(&mut *c)
            .await?;
        }
        Ok(())
    })
}

/// The ids of every idea or comment, for counting them all again.
pub async fn every_item(ex: Ex<'_>, counted: Counted) -> Result<Vec<i64>, sqlx::Error> {
    let table = match counted {
        Counted::Idea => "proposals",
        Counted::Comment => "comments",
    };
    let sql = format!("SELECT id FROM {table} ORDER BY id");
    on_conn!(ex, |c| sqlx::query_scalar(&sql).fetch_all(c).await)
}

/// The ids of an idea's comments, whose terms count only while the idea is published.
pub async fn comments_of(ex: Ex<'_>, proposal_id: i64) -> Result<Vec<i64>, sqlx::Error> {
    on_conn!(ex, |c| sqlx::query_scalar(
        "SELECT id FROM comments WHERE proposal_id = $1 ORDER BY id"
    )
    .bind(proposal_id)
    .fetch_all(c)
    .await)
}
