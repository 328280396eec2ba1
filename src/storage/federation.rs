//! Key pairs of local actors, remote actors, received activities and the delivery queue.

use super::{Ex, on_conn};

pub use super::followers::{
    add_follower, follower_count, follower_inboxes, follows_of, remove_follower,
    remove_follower_everywhere,
};

/// Stores a key pair unless the actor already has one; returns the stored pair (which may
/// be another process's, when two raced).
pub async fn key_pair(
    ex: Ex<'_>,
    owner_kind: &str,
    owner_id: i64,
    candidate: Option<(&str, &str)>,
    now: i64,
) -> Result<Option<(String, String)>, sqlx::Error> {
    on_conn!(ex, |c| {
        if let Some((public_pem, private_pem)) = candidate {
            sqlx::query(
                "INSERT INTO actor_keys (owner_kind, owner_id, public_key_pem, private_key_pem, created_at) \
                 VALUES ($1, $2, $3, $4, $5) ON CONFLICT (owner_kind, owner_id) DO NOTHING",
            )
            .bind(owner_kind)
            .bind(owner_id)
            .bind(public_pem)
            .bind(private_pem)
            .bind(now)
            .execute(&mut *c)
            .await?;
        }
        sqlx::query_as(
            "SELECT public_key_pem, private_key_pem FROM actor_keys WHERE owner_kind = $1 AND owner_id = $2",
        )
        .bind(owner_kind)
        .bind(owner_id)
        .fetch_optional(&mut *c)
        .await
    })
}

/// A pseudonym by its public name: (id, theme id, created_at).
pub async fn find_pseudonym(
    ex: Ex<'_>,
    name: &str,
) -> Result<Option<(i64, i64, i64)>, sqlx::Error> {
    on_conn!(ex, |c| sqlx::query_as(
        "SELECT id, theme_id, created_at FROM pseudonyms WHERE name = $1"
    )
    .bind(name)
    .fetch_optional(c)
    .await)
}

/// The word of a pseudonym (by its name), which tells the theme's anonymous authors apart.
pub async fn pseudonym_word(ex: Ex<'_>, name: &str) -> Result<Option<String>, sqlx::Error> {
    on_conn!(ex, |c| sqlx::query_scalar(
        "SELECT word FROM pseudonyms WHERE name = $1"
    )
    .bind(name)
    .fetch_optional(c)
    .await)
    .map(Option::flatten)
}

/// A user by handle: (id, display name, created_at).
pub async fn find_user_by_handle(
    ex: Ex<'_>,
    handle: &str,
) -> Result<Option<(i64, String, i64)>, sqlx::Error> {
    on_conn!(ex, |c| sqlx::query_as(
        "SELECT id, display_name, created_at FROM users WHERE handle = $1"
    )
    .bind(handle)
    .fetch_optional(c)
    .await)
}

/// Local users, published proposals and visible comments, for NodeInfo.
pub async fn usage_counts(ex: Ex<'_>) -> Result<(i64, i64, i64), sqlx::Error> {
    on_conn!(ex, |c| sqlx::query_as(
        "SELECT (SELECT COUNT(*) FROM users), \
                (SELECT COUNT(*) FROM proposals WHERE withdrawn_at IS NULL AND hidden_at IS NULL), \
                (SELECT COUNT(*) FROM comments WHERE deleted_at IS NULL AND hidden_at IS NULL)"
    )
    .fetch_one(c)
    .await)
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct RemoteActorRow {
    /// The row id (0 before the row is stored).
    pub id: i64,
    pub actor_id: String,
    pub domain: String,
    pub kind: String,
    pub preferred_username: Option<String>,
    pub name: Option<String>,
    pub url: Option<String>,
    pub inbox: String,
    pub shared_inbox: Option<String>,
    pub key_id: String,
    pub public_key_pem: String,
    pub fetched_at: i64,
}

impl RemoteActorRow {
    /// Where to deliver to the actor: its server's shared inbox, else its own.
    pub fn delivery_inbox(&self) -> String {
        self.shared_inbox
            .clone()
            .unwrap_or_else(|| self.inbox.clone())
    }
}

macro_rules! remote_actor_columns {
    () => {
        "id, actor_id, domain, kind, preferred_username, name, url, inbox, shared_inbox, key_id, public_key_pem, fetched_at"
    };
}

pub async fn upsert_remote_actor(ex: Ex<'_>, a: &RemoteActorRow) -> Result<(), sqlx::Error> {
    on_conn!(ex, |c| {
        sqlx::query(
        "INSERT INTO remote_actors (actor_id, domain, kind, preferred_username, name, url, inbox, \
         shared_inbox, key_id, public_key_pem, fetched_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) \
         ON CONFLICT (actor_id) DO UPDATE SET domain = excluded.domain, kind = excluded.kind, \
         preferred_username = excluded.preferred_username, name = excluded.name, url = excluded.url, \
         inbox = excluded.inbox, shared_inbox = excluded.shared_inbox, key_id = excluded.key_id, \
         public_key_pem = excluded.public_key_pem, fetched_at = excluded.fetched_at"
    )
    .bind(&a.actor_id)
    .bind(&a.domain)
    .bind(&a.kind)
    .bind(&a.preferred_username)
    .bind(&a.name)
    .bind(&a.url)
    .bind(&a.inbox)
    .bind(&a.shared_inbox)
    .bind(&a.key_id)
    .bind(&a.public_key_pem)
    .bind(a.fetched_at)
    .execute(c)
    .await
    .map(|_| ())
    })
}

pub async fn remote_actor(
    ex: Ex<'_>,
    actor_id: &str,
) -> Result<Option<RemoteActorRow>, sqlx::Error> {
    on_conn!(ex, |c| sqlx::query_as(concat!(
        "SELECT ",
        remote_actor_columns!(),
        " FROM remote_actors WHERE actor_id = $1"
    ))
    .bind(actor_id)
    .fetch_optional(c)
    .await)
}

pub async fn remote_actor_by_key(
    ex: Ex<'_>,
    key_id: &str,
) -> Result<Option<RemoteActorRow>, sqlx::Error> {
    on_conn!(ex, |c| sqlx::query_as(concat!(
        "SELECT ",
        remote_actor_columns!(),
        " FROM remote_actors WHERE key_id = $1 LIMIT 1"
    ))
    .bind(key_id)
    .fetch_optional(c)
    .await)
}

/// Whether an activity id was recorded as received.
pub async fn was_received(ex: Ex<'_>, activity_id: &str) -> Result<bool, sqlx::Error> {
    on_conn!(ex, |c| {
        // COUNT(*) is a BIGINT in both databases; a literal 1 is an INT4 in PostgreSQL.
        sqlx::query_scalar::<_, i64>(
            "SELECT COUNT(*) FROM received_activities WHERE activity_id = $1",
        )
        .bind(activity_id)
        .fetch_one(c)
        .await
        .map(|found| found > 0)
    })
}

/// Records an activity id; false when it was already received.
pub async fn mark_received(ex: Ex<'_>, activity_id: &str, now: i64) -> Result<bool, sqlx::Error> {
    on_conn!(ex, |c| {
        sqlx::query(
        "INSERT INTO received_activities (activity_id, received_at) VALUES ($1, $2) ON CONFLICT DO NOTHING"
    )
    .bind(activity_id)
    .bind(now)
    .execute(c)
    .await
    .map(|r| r.rows_affected() == 1)
    })
}

/// Stores an activity to be delivered, once for all its inboxes; returns its id.
/// Stores an activity body; with `(event, part)` only once per pair, returning `None` when
/// that pair was stored before.
pub async fn insert_delivery_activity(
    ex: Ex<'_>,
    activity: &str,
    event_part: Option<(i64, i32)>,
    now: i64,
) -> Result<Option<i64>, sqlx::Error> {
    on_conn!(ex, |c| sqlx::query_scalar(
        "INSERT INTO delivery_activities (activity, created_at, event_id, event_part) \
         VALUES ($1, $2, $3, $4) ON CONFLICT (event_id, event_part) DO NOTHING RETURNING id"
    )
    .bind(activity)
    .bind(now)
    .bind(event_part.map(|(event, _)| event))
    .bind(event_part.map(|(_, part)| part))
    .fetch_optional(c)
    .await)
}

/// Queues the stored activity `activity_id` for each `(inbox, domain)`, several rows per
/// statement (one round trip per few hundred inboxes).
pub async fn enqueue_deliveries(
    ex: Ex<'_>,
    activity_id: i64,
    targets: &[(&str, &str)],
    signer_kind: &str,
    signer_id: i64,
    now: i64,
) -> Result<(), sqlx::Error> {
    const ROWS_PER_STATEMENT: usize = 400;
    let mut ex = ex;
    for chunk in targets.chunks(ROWS_PER_STATEMENT) {
        // $1 activity, $2 signer kind, $3 signer id, $4 now; then inbox and domain per row.
        let values: Vec<String> = (0..chunk.len())
            .map(|i| format!("(${}, ${}, $1, $2, $3, $4, $4)", 5 + 2 * i, 6 + 2 * i))
            .collect();
        let sql = format!(
            "INSERT INTO deliveries (inbox, domain, activity_id, signer_kind, signer_id, \
             next_attempt_at, created_at) VALUES {}",
            values.join(", ")
        );
        on_conn!(&mut ex, |c| {
            let mut query = sqlx::query(&sql)
                .bind(activity_id)
                .bind(signer_kind)
                .bind(signer_id)
                .bind(now);
            for (inbox, domain) in chunk {
                query = query.bind(*inbox).bind(*domain);
            }
            query.execute(&mut **c).await.map(|_| ())
        })?;
    }
    Ok(())
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct DeliveryRow {
    pub id: i64,
    pub inbox: String,
    pub domain: String,
    /// The activity's own copy, for rows queued before bodies were stored once.
    pub activity: Option<String>,
    pub activity_id: Option<i64>,
    pub signer_kind: String,
    pub signer_id: i64,
    pub attempts: i64,
}

/// The stored activities with these ids, as `(id, activity)`.
pub async fn delivery_activities(
    ex: Ex<'_>,
    ids: &[i64],
) -> Result<Vec<(i64, String)>, sqlx::Error> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        "SELECT id, activity FROM delivery_activities WHERE id IN ({})",
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

/// Forgets the stored activities among `ids` that no delivery names any more. Those queued
/// for an event keep an empty row until the event is pruned: it is what tells a second
/// publication of the event that they were queued already.
pub async fn forget_delivered_activities(ex: Ex<'_>, ids: &[i64]) -> Result<(), sqlx::Error> {
    if ids.is_empty() {
        return Ok(());
    }
    let list = super::placeholders(1, ids.len());
    let unreferenced = "NOT EXISTS (SELECT 1 FROM deliveries \
                        WHERE deliveries.activity_id = delivery_activities.id)";
    let delete = format!(
        "DELETE FROM delivery_activities WHERE id IN ({list}) AND event_id IS NULL \
         AND {unreferenced}"
    );
    let empty = format!(
        "UPDATE delivery_activities SET activity = '' WHERE id IN ({list}) \
         AND event_id IS NOT NULL AND {unreferenced}"
    );
    let mut ex = ex;
    for sql in [delete, empty] {
        on_conn!(&mut ex, |c| {
            let mut query = sqlx::query(&sql);
            for id in ids {
                query = query.bind(id);
            }
            query.execute(&mut **c).await.map(|_| ())
        })?;
    }
    Ok(())
}

/// Claims due deliveries for one worker until `lock_until`. Workers in every process share
/// the queue: PostgreSQL skips rows another worker holds; SQLite has a single writer, so
/// the update itself is the claim.
pub async fn claim_deliveries(
    ex: Ex<'_>,
    now: i64,
    lock_until: i64,
    limit: i64,
) -> Result<Vec<DeliveryRow>, sqlx::Error> {
    match ex {
        Ex::Sqlite(c) => {
            sqlx::query_as(
                "UPDATE deliveries SET locked_until = $1 WHERE id IN (SELECT id FROM deliveries \
             WHERE next_attempt_at <= $2 AND (locked_until IS NULL OR locked_until < $2) \
             ORDER BY next_attempt_at, id LIMIT $3) \
             RETURNING id, inbox, domain, activity, activity_id, signer_kind, signer_id, attempts",
            )
            .bind(lock_until)
            .bind(now)
            .bind(limit)
            .fetch_all(c)
            .await
        }
        Ex::Postgres(c) => {
            sqlx::query_as(
                "UPDATE deliveries SET locked_until = $1 WHERE id IN (SELECT id FROM deliveries \
             WHERE next_attempt_at <= $2 AND (locked_until IS NULL OR locked_until < $2) \
             ORDER BY next_attempt_at, id LIMIT $3 FOR UPDATE SKIP LOCKED) \
             RETURNING id, inbox, domain, activity, activity_id, signer_kind, signer_id, attempts",
            )
            .bind(lock_until)
            .bind(now)
            .bind(limit)
            .fetch_all(c)
            .await
        }
    }
}

/// When the queue's next delivery may be claimed (its attempt due and its lock over);
/// `None` when the queue is empty.
pub async fn next_delivery_due(ex: Ex<'_>) -> Result<Option<i64>, sqlx::Error> {
    on_conn!(ex, |c| sqlx::query_scalar(
        "SELECT MIN(CASE WHEN locked_until IS NOT NULL AND locked_until > next_attempt_at \
         THEN locked_until ELSE next_attempt_at END) FROM deliveries"
    )
    .fetch_one(c)
    .await)
}

/// Removes these deliveries from the queue (sent, or given up).
pub async fn delete_deliveries(ex: Ex<'_>, ids: &[i64]) -> Result<(), sqlx::Error> {
    if ids.is_empty() {
        return Ok(());
    }
    let sql = format!(
        "DELETE FROM deliveries WHERE id IN ({})",
        super::placeholders(1, ids.len())
    );
    on_conn!(ex, |c| {
        let mut query = sqlx::query(&sql);
        for id in ids {
            query = query.bind(id);
        }
        query.execute(c).await.map(|_| ())
    })
}

/// Schedules another attempt (`count_attempt` false when the instance is only skipped).
pub async fn retry_delivery(
    ex: Ex<'_>,
    id: i64,
    next_attempt_at: i64,
    count_attempt: bool,
    error: &str,
) -> Result<(), sqlx::Error> {
    on_conn!(ex, |c| sqlx::query(
        "UPDATE deliveries SET next_attempt_at = $1, locked_until = NULL, last_error = $2, \
         attempts = attempts + $3 WHERE id = $4"
    )
    .bind(next_attempt_at)
    .bind(error)
    .bind(if count_attempt { 1_i64 } else { 0_i64 })
    .bind(id)
    .execute(c)
    .await
    .map(|_| ()))
}

pub async fn pending_deliveries(ex: Ex<'_>) -> Result<i64, sqlx::Error> {
    on_conn!(ex, |c| sqlx::query_scalar(
        "SELECT COUNT(*) FROM deliveries"
    )
    .fetch_one(c)
    .await)
}

/// How an instance has been answering deliveries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct InstanceHealth {
    /// Failed attempts in a row.
    pub failures: i64,
    pub unreachable_since: Option<i64>,
    /// When an unreachable instance is tried again.
    pub next_probe_at: Option<i64>,
}

/// The recorded health of those of `domains` that have a record.
pub async fn instance_health(
    ex: Ex<'_>,
    domains: &[&str],
) -> Result<Vec<(String, InstanceHealth)>, sqlx::Error> {
    if domains.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        "SELECT domain, failures, unreachable_since, next_probe_at FROM instances WHERE domain IN ({})",
        super::placeholders(1, domains.len())
    );
    on_conn!(ex, |c| {
        let mut query = sqlx::query_as::<_, (String, i64, Option<i64>, Option<i64>)>(&sql);
        for domain in domains {
            query = query.bind(*domain);
        }
        query.fetch_all(c).await.map(|rows| {
            rows.into_iter()
                .map(|(domain, failures, unreachable_since, next_probe_at)| {
                    (
                        domain,
                        InstanceHealth {
                            failures,
                            unreachable_since,
                            next_probe_at,
                        },
                    )
                })
                .collect()
        })
    })
}

/// Records that these instances answered: their failure count and unreachable mark are
/// cleared.
pub async fn instances_succeeded(
    ex: Ex<'_>,
    domains: &[&str],
    now: i64,
) -> Result<(), sqlx::Error> {
    const ROWS_PER_STATEMENT: usize = 500;
    let mut ex = ex;
    for chunk in domains.chunks(ROWS_PER_STATEMENT) {
        let values: Vec<String> = (0..chunk.len())
            .map(|i| format!("(${}, 0, $1)", i + 2))
            .collect();
        let sql = format!(
            "INSERT INTO instances (domain, failures, last_success_at) VALUES {} \
             ON CONFLICT (domain) DO UPDATE SET failures = 0, unreachable_since = NULL, \
             next_probe_at = NULL, last_success_at = excluded.last_success_at",
            values.join(", ")
        );
        on_conn!(&mut ex, |c| {
            let mut query = sqlx::query(&sql).bind(now);
            for domain in chunk {
                query = query.bind(*domain);
            }
            query.execute(&mut **c).await.map(|_| ())
        })?;
    }
    Ok(())
}

/// Counts a failure; after `threshold` in a row the instance is marked unreachable and only
/// probed again at `next_probe_at`.
pub async fn instance_failed(
    ex: Ex<'_>,
    domain: &str,
    threshold: i64,
    now: i64,
    next_probe_at: i64,
) -> Result<(), sqlx::Error> {
    on_conn!(ex, |c| {
        sqlx::query(
            "INSERT INTO instances (domain, failures) VALUES ($1, 1) \
             ON CONFLICT (domain) DO UPDATE SET failures = instances.failures + 1",
        )
        .bind(domain)
        .execute(&mut *c)
        .await?;
        sqlx::query(
            "UPDATE instances SET unreachable_since = COALESCE(unreachable_since, $1), next_probe_at = $2 \
             WHERE domain = $3 AND failures >= $4",
        )
        .bind(now)
        .bind(next_probe_at)
        .bind(domain)
        .bind(threshold)
        .execute(&mut *c)
        .await
        .map(|_| ())
    })
}

/// The software recorded for those of `domains` whose NodeInfo named one.
pub async fn instance_software(
    ex: Ex<'_>,
    domains: &[&str],
) -> Result<Vec<(String, String)>, sqlx::Error> {
    if domains.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        "SELECT domain, software FROM instances WHERE software IS NOT NULL AND domain IN ({})",
        super::placeholders(1, domains.len())
    );
    on_conn!(ex, |c| {
        let mut query = sqlx::query_as::<_, (String, String)>(&sql);
        for domain in domains {
            query = query.bind(*domain);
        }
        query.fetch_all(c).await
    })
}

/// When an instance's NodeInfo was last read, if ever.
pub async fn software_checked_at(ex: Ex<'_>, domain: &str) -> Result<Option<i64>, sqlx::Error> {
    on_conn!(ex, |c| sqlx::query_scalar::<_, Option<i64>>(
        "SELECT software_checked_at FROM instances WHERE domain = $1"
    )
    .bind(domain)
    .fetch_optional(c)
    .await
    .map(Option::flatten))
}

/// Records what an instance's NodeInfo named (`None`: nothing readable): its software and
/// its municipality (JSON).
pub async fn set_software(
    ex: Ex<'_>,
    domain: &str,
    software: Option<&str>,
    municipality: Option<&str>,
    now: i64,
) -> Result<(), sqlx::Error> {
    on_conn!(ex, |c| sqlx::query(
        "INSERT INTO instances (domain, failures, software, municipality, software_checked_at) \
         VALUES ($1, 0, $2, $3, $4) ON CONFLICT (domain) DO UPDATE \
         SET software = excluded.software, municipality = excluded.municipality, \
         software_checked_at = excluded.software_checked_at"
    )
    .bind(domain)
    .bind(software)
    .bind(municipality)
    .bind(now)
    .execute(c)
    .await
    .map(|_| ()))
}

/// The instance's NodeInfo could not be read: what was known of it stays, and it is read
/// again once `checked_at` is old enough.
pub async fn software_unread(ex: Ex<'_>, domain: &str, checked_at: i64) -> Result<(), sqlx::Error> {
    on_conn!(ex, |c| sqlx::query(
        "INSERT INTO instances (domain, failures, software_checked_at) VALUES ($1, 0, $2) \
         ON CONFLICT (domain) DO UPDATE SET software_checked_at = excluded.software_checked_at"
    )
    .bind(domain)
    .bind(checked_at)
    .execute(c)
    .await
    .map(|_| ()))
}

/// What the instance's NodeInfo said of its municipality (JSON), if anything.
pub async fn instance_municipality(
    ex: Ex<'_>,
    domain: &str,
) -> Result<Option<String>, sqlx::Error> {
    on_conn!(ex, |c| sqlx::query_scalar(
        "SELECT municipality FROM instances WHERE domain = $1"
    )
    .bind(domain)
    .fetch_optional(c)
    .await
    .map(Option::flatten))
}

/// An instance answered again: its waiting deliveries become due now.
pub async fn release_backlog(ex: Ex<'_>, domain: &str, now: i64) -> Result<u64, sqlx::Error> {
    on_conn!(ex, |c| sqlx::query(
        "UPDATE deliveries SET next_attempt_at = $1 WHERE domain = $2 AND next_attempt_at > $1"
    )
    .bind(now)
    .bind(domain)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))
}

/// Records a remote support (a `Like`) of a proposal that is still open (neither withdrawn
/// nor hidden); false when it is not open or this actor already supported it.
pub async fn add_remote_support(
    ex: Ex<'_>,
    proposal_id: i64,
    remote_actor_id: i64,
    like_id: &str,
    now: i64,
) -> Result<bool, sqlx::Error> {
    on_conn!(ex, |c| {
        sqlx::query(
            "INSERT INTO remote_supports (proposal_id, remote_actor_id, like_id, created_at) \
             SELECT id, $2, $3, $4 FROM proposals \
             WHERE id = $1 AND withdrawn_at IS NULL AND hidden_at IS NULL \
             ON CONFLICT DO NOTHING",
        )
        .bind(proposal_id)
        .bind(remote_actor_id)
        .bind(like_id)
        .bind(now)
        .execute(c)
        .await
        .map(|r| r.rows_affected() == 1)
    })
}

/// Withdraws a remote support, by the Like's id or, failing that, by proposal and actor.
pub async fn remove_remote_support(
    ex: Ex<'_>,
    remote_actor_id: i64,
    like_id: &str,
    proposal_id: Option<i64>,
) -> Result<bool, sqlx::Error> {
    on_conn!(ex, |c| {
        sqlx::query(
        "DELETE FROM remote_supports WHERE remote_actor_id = $1 AND (like_id = $2 OR proposal_id = $3)"
    )
    .bind(remote_actor_id)
    .bind(like_id)
    .bind(proposal_id.unwrap_or(-1))
    .execute(c)
    .await
    .map(|r| r.rows_affected() > 0)
    })
}

/// A pseudonym's public name, by id.
pub async fn pseudonym_name(ex: Ex<'_>, id: i64) -> Result<Option<String>, sqlx::Error> {
    on_conn!(ex, |c| sqlx::query_scalar(
        "SELECT name FROM pseudonyms WHERE id = $1"
    )
    .bind(id)
    .fetch_optional(c)
    .await)
}
