//! The durable delivery queue: activities wait in the database, so nothing is lost when the
//! process restarts. Workers in every process claim due deliveries, sign them with OpenSSL
//! and post them; failures back off exponentially, an instance that keeps failing is marked
//! unreachable and only probed now and then until it answers again.

use std::collections::HashMap;
use std::time::Duration;

use axum::http::Method;
use serde::Serialize;
use serde_json::Value;

use super::actors::host_of;
use super::keys::KeyOwner;
use super::signatures::sign_request;
use super::{Federation, Urls};
use crate::error::AppError;
use crate::state::AppState;
use crate::storage::federation::{self as store, DeliveryRow, InstanceHealth};
use crate::storage::{moderation, now_millis};

/// After this many failed attempts a delivery is given up.
pub const MAX_ATTEMPTS: i64 = 12;
/// Consecutive failures after which an instance counts as unreachable.
pub const UNREACHABLE_AFTER: i64 = 5;
const BATCH: i64 = 64;
/// How long a claimed batch is left to its worker: a batch is sent concurrently within the
/// client's timeouts (20 s at most), so a claim still locked after this belongs to a process
/// that died, and another worker takes it.
const LOCK_MS: i64 = 60_000;

/// Queues `activity` (with Hiroba's `@context`) for each inbox, signed by `signer`; blocked
/// instances and the inboxes of blocked actors are skipped.
pub async fn enqueue<T: Serialize>(
    state: &AppState,
    inboxes: &[String],
    activity: &T,
    signer: KeyOwner,
) -> Result<usize, AppError> {
    enqueue_checked(state, inboxes, activity, signer, Blocks::Respected).await
}

/// Queues what a blocked actor or instance still gets: the answer that ends or refuses its
/// follow (`Reject`, `Block`), so that both sides agree the follow is over.
pub async fn enqueue_to_blocked<T: Serialize>(
    state: &AppState,
    inbox: &str,
    activity: &T,
    signer: KeyOwner,
) -> Result<usize, AppError> {
    let inboxes = [inbox.to_string()];
    enqueue_checked(state, &inboxes, activity, signer, Blocks::Ignored).await
}

/// Whether a delivery skips blocked actors and instances.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Blocks {
    Respected,
    Ignored,
}

async fn enqueue_checked<T: Serialize>(
    state: &AppState,
    inboxes: &[String],
    activity: &T,
    signer: KeyOwner,
    blocks: Blocks,
) -> Result<usize, AppError> {
    let body = serde_json::to_string(&super::wire::with_context(activity))
        .map_err(|e| AppError::Internal(e.into()))?;
    let mut conn = state.db.acquire().await?;
    let mut blocked: HashMap<String, bool> = HashMap::new();
    let blocked_inboxes = if blocks == Blocks::Respected {
        moderation::blocked_actor_inboxes(conn.ex()).await?
    } else {
        Default::default()
    };
    let mut targets: Vec<(String, String)> = Vec::with_capacity(inboxes.len());
    for inbox in inboxes {
        let Some(domain) = host_of(inbox) else {
            continue;
        };
        if blocked_inboxes.contains(inbox) {
            continue;
        }
        let bare_host = domain.split(':').next().unwrap_or_default().to_string();
        let is_blocked = match blocked.get(&bare_host) {
            Some(known) => *known,
            None if blocks == Blocks::Ignored => false,
            None => {
                let found = moderation::is_blocked(conn.ex(), &bare_host, "").await?;
                blocked.insert(bare_host, found);
                found
            }
        };
        if !is_blocked {
            targets.push((inbox.clone(), domain));
        }
    }
    drop(conn);
    let queued = targets.len();
    let prepared = Prepared {
        body,
        targets: spread_over_instances(targets),
        signer,
    };
    // While an event is published, its activities wait to be queued together.
    if super::publisher::PUBLICATION
        .try_with(|p| p.add(prepared.clone()))
        .is_err()
    {
        let mut tx = state.db.begin().await?;
        insert_prepared(&mut tx, &prepared, None).await?;
        tx.commit().await?;
        state.federation.delivery_wakeup.notify_waiters();
    }
    Ok(queued)
}

/// An activity and where it goes, ready to be queued.
#[derive(Clone)]
pub struct Prepared {
    body: String,
    /// (inbox, domain), spread over instances.
    targets: Vec<(String, String)>,
    signer: KeyOwner,
}

/// Stores the activity and its deliveries; false when the activity is stored already
/// under `event_part` (another process published the event).
async fn insert_prepared(
    tx: &mut crate::storage::Tx,
    prepared: &Prepared,
    event_part: Option<(i64, i32)>,
) -> Result<bool, AppError> {
    if prepared.targets.is_empty() {
        return Ok(true);
    }
    let now = now_millis();
    let Some(activity_id) =
        store::insert_delivery_activity(tx.ex(), &prepared.body, event_part, now).await?
    else {
        return Ok(false);
    };
    let (signer_kind, signer_id) = prepared.signer.parts();
    let rows: Vec<(&str, &str)> = prepared
        .targets
        .iter()
        .map(|(i, d)| (i.as_str(), d.as_str()))
        .collect();
    store::enqueue_deliveries(tx.ex(), activity_id, &rows, signer_kind, signer_id, now).await?;
    Ok(true)
}

/// Queues everything one event's publication prepared, and moves the publisher past the
/// event, in one transaction.
pub async fn queue_publication(
    state: &AppState,
    event_id: i64,
    prepared: Vec<Prepared>,
    progress: &crate::services::events::Progress,
) -> Result<(), AppError> {
    if prepared.iter().all(|p| p.targets.is_empty()) {
        // Nothing to send (nobody follows): the runner moves the position with others'.
        return Ok(());
    }
    let mut tx = state.db.begin().await?;
    for (part, activity) in prepared.iter().enumerate() {
        let part = i32::try_from(part).unwrap_or(i32::MAX);
        if !insert_prepared(&mut tx, activity, Some((event_id, part))).await? {
            tracing::info!(
                event = event_id,
                "event published already; nothing queued again"
            );
            return Ok(());
        }
    }
    if !progress.record(tx.ex()).await? {
        // Another process runs the publisher now, or has published this event.
        return Ok(());
    }
    tx.commit().await?;
    state.federation.delivery_wakeup.notify_waiters();
    Ok(())
}

/// Orders deliveries so that consecutive ones go to different instances, in turn: workers
/// claim the queue in order, so a batch then spreads over many instances instead of
/// opening many connections to one at once.
fn spread_over_instances<T>(targets: Vec<(T, String)>) -> Vec<(T, String)> {
    let mut order: Vec<String> = Vec::new();
    let mut by_domain: HashMap<String, std::collections::VecDeque<(T, String)>> = HashMap::new();
    for (inbox, domain) in targets {
        let queue = by_domain.entry(domain.clone()).or_insert_with(|| {
            order.push(domain.clone());
            std::collections::VecDeque::new()
        });
        queue.push_back((inbox, domain));
    }
    let mut spread = Vec::with_capacity(by_domain.values().map(|q| q.len()).sum());
    while !order.is_empty() {
        order.retain(
            |domain| match by_domain.get_mut(domain).and_then(|q| q.pop_front()) {
                Some(target) => {
                    spread.push(target);
                    true
                }
                None => false,
            },
        );
    }
    spread
}

/// A claimed delivery with the activity to send.
struct Claimed {
    row: DeliveryRow,
    activity: bytes::Bytes,
}

pub fn spawn_workers(state: &AppState) -> Vec<tokio::task::JoinHandle<()>> {
    (0..state.config.federation.delivery_workers)
        .map(|_| {
            let state = state.clone();
            tokio::spawn(async move { worker(state).await })
        })
        .collect()
}

/// The longest an idle worker sleeps without being woken: what another process queued
/// (this process's queueing wakes it at once) waits at most this long.
const IDLE_MS: i64 = 5_000;

/// How long an idle worker may sleep: until the queue's next delivery falls due (a retry),
/// at most [`IDLE_MS`].
async fn idle_wait(state: &AppState) -> Duration {
    let now = now_millis();
    let due = match state.db.acquire().await {
        Ok(mut conn) => store::next_delivery_due(conn.ex()).await.ok().flatten(),
        Err(_) => None,
    };
    let wait = due.map_or(IDLE_MS, |at| (at - now).clamp(20, IDLE_MS));
    Duration::from_millis(wait.unsigned_abs())
}

async fn worker(state: AppState) {
    loop {
        // Listening before looking, so that a queueing while this worker reads is not missed.
        let wakeup = state.federation.delivery_wakeup.notified();
        tokio::pin!(wakeup);
        wakeup.as_mut().enable();
        let batch = match claim(&state).await {
            Ok(batch) => batch,
            Err(e) => {
                tracing::warn!(error = %e, "cannot read the delivery queue");
                tokio::time::sleep(Duration::from_secs(5)).await;
                continue;
            }
        };
        if batch.is_empty() {
            let wait = idle_wait(&state).await;
            tokio::select! {
                _ = wakeup => {}
                _ = tokio::time::sleep(wait) => {}
            }
            continue;
        }
        if let Err(e) = process_batch(&state, batch).await {
            tracing::warn!(error = %e, "delivery bookkeeping failed");
        }
    }
}

async fn claim(state: &AppState) -> Result<Vec<Claimed>, sqlx::Error> {
    let now = now_millis();
    let mut conn = state.db.acquire().await?;
    let rows = store::claim_deliveries(conn.ex(), now, now + LOCK_MS, BATCH).await?;
    let mut ids: Vec<i64> = rows.iter().filter_map(|r| r.activity_id).collect();
    ids.sort_unstable();
    ids.dedup();
    let bodies: HashMap<i64, bytes::Bytes> = store::delivery_activities(conn.ex(), &ids)
        .await?
        .into_iter()
        .map(|(id, body)| (id, bytes::Bytes::from(body)))
        .collect();
    Ok(rows
        .into_iter()
        .map(|row| {
            let activity = match (&row.activity, row.activity_id) {
                (Some(own), _) => bytes::Bytes::from(own.clone()),
                (None, Some(id)) => bodies.get(&id).cloned().unwrap_or_default(),
                (None, None) => bytes::Bytes::new(),
            };
            Claimed { row, activity }
        })
        .collect())
}

fn backoff(state: &AppState, attempts: i64) -> i64 {
    let base = state.federation.retry_base.as_millis() as i64;
    let factor = 1_i64 << attempts.clamp(0, 16);
    (base.saturating_mul(factor)).min(6 * 3600 * 1000)
}

enum Outcome {
    Delivered,
    Permanent(String),
    Temporary(String),
}

async fn send(state: &AppState, claimed: &Claimed) -> Outcome {
    let delivery = &claimed.row;
    if claimed.activity.is_empty() {
        return Outcome::Permanent("the activity to send is missing".into());
    }
    let Some(signer) = KeyOwner::from_parts(&delivery.signer_kind, delivery.signer_id) else {
        return Outcome::Permanent(format!("unknown signer {}", delivery.signer_kind));
    };
    let key = match Federation::private_key(state, signer).await {
        Ok(key) => key,
        Err(e) => return Outcome::Temporary(format!("signing key: {e}")),
    };
    let urls = Urls::new(&state.config);
    let key_id = match state.federation.signer_ids.get(&signer.parts()).await {
        Some(actor) => Urls::key_id(&actor),
        None => match signer_actor(state, signer, &urls).await {
            Some(actor) => {
                state
                    .federation
                    .signer_ids
                    .insert(signer.parts(), actor.clone())
                    .await;
                Urls::key_id(&actor)
            }
            None => return Outcome::Permanent("the signing actor no longer exists".into()),
        },
    };
    let Ok(url) = url::Url::parse(&delivery.inbox) else {
        return Outcome::Permanent("invalid inbox URL".into());
    };
    if let Err(e) = super::client::check_url(&url, state.federation.client.insecure) {
        return Outcome::Permanent(e.to_string());
    }
    let body = &claimed.activity[..];
    let headers = match sign_request(
        &key,
        &key_id,
        &Method::POST,
        &url,
        Some(body),
        jiff::Timestamp::now(),
    ) {
        Ok(headers) => headers,
        Err(e) => return Outcome::Permanent(e.to_string()),
    };
    let mut request = state
        .federation
        .client
        .http
        .post(url)
        .header("content-type", "application/activity+json")
        .body(claimed.activity.clone());
    for (name, value) in headers {
        if name != "host" {
            request = request.header(name, value);
        }
    }
    match request.send().await {
        Ok(response) if response.status().is_success() => Outcome::Delivered,
        Ok(response) => {
            let status = response.status().as_u16();
            let why = match answer_start(response).await {
                Some(start) => format!("answered {status}: {start}"),
                None => format!("answered {status}"),
            };
            if (400..500).contains(&status) && status != 408 && status != 429 {
                Outcome::Permanent(why)
            } else {
                Outcome::Temporary(why)
            }
        }
        Err(e) => Outcome::Temporary(error_chain(&e)),
    }
}

/// How much of a refusing peer's answer is kept: enough for its reason, never its page.
const ANSWER_START_CHARS: usize = 200;

/// The start of a peer's answer, on one line, for the log and for staff: peers say why they
/// refuse (`Failed to parse object …`) in the body, not in the status.
async fn answer_start(mut response: reqwest::Response) -> Option<String> {
    let mut body = Vec::new();
    while body.len() < ANSWER_START_CHARS * 4 {
        match response.chunk().await {
            Ok(Some(chunk)) => body.extend_from_slice(&chunk),
            _ => break,
        }
    }
    let text: String = String::from_utf8_lossy(&body)
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .chars()
        .filter(|c| !c.is_control())
        .take(ANSWER_START_CHARS)
        .collect();
    (!text.is_empty()).then_some(text)
}

/// The id of a `Follow` being delivered, to record its refusal.
fn follow_id(activity: &[u8]) -> Option<String> {
    let value: Value = serde_json::from_slice(activity).ok()?;
    (value.get("type").and_then(Value::as_str) == Some("Follow"))
        .then(|| value.get("id").and_then(Value::as_str).map(str::to_string))
        .flatten()
}

/// An error with its causes, e.g. "error sending request: connection refused".
fn error_chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

/// The id of the local actor that signs, for the key id.
async fn signer_actor(state: &AppState, signer: KeyOwner, urls: &Urls) -> Option<String> {
    let mut conn = state.db.acquire().await.ok()?;
    match signer {
        KeyOwner::Instance => Some(urls.instance_actor()),
        KeyOwner::Theme(id) => crate::storage::themes::find_theme(conn.ex(), id)
            .await
            .ok()
            .flatten()
            .map(|t| urls.theme(&t.slug)),
        KeyOwner::User(id) => crate::storage::accounts::find_user(conn.ex(), id)
            .await
            .ok()
            .flatten()
            .map(|u| urls.user(&u.handle)),
        KeyOwner::Pseudonym(id) => store::pseudonym_name(conn.ex(), id)
            .await
            .ok()
            .flatten()
            .map(|name| urls.pseudonym(&name)),
    }
}

/// Sends a claimed batch concurrently, then records every outcome in one transaction.
async fn process_batch(state: &AppState, batch: Vec<Claimed>) -> Result<(), AppError> {
    let now = now_millis();
    let mut domains: Vec<&str> = batch.iter().map(|c| c.row.domain.as_str()).collect();
    domains.sort_unstable();
    domains.dedup();
    let mut conn = state.db.acquire().await?;
    let health: HashMap<String, InstanceHealth> = store::instance_health(conn.ex(), &domains)
        .await?
        .into_iter()
        .collect();
    drop(conn);
    let mut skipped = Vec::new();
    let mut sending = tokio::task::JoinSet::new();
    let mut bodies: Vec<i64> = batch.iter().filter_map(|c| c.row.activity_id).collect();
    bodies.sort_unstable();
    bodies.dedup();
    for claimed in batch {
        match health.get(&claimed.row.domain) {
            // Unreachable: skip without counting an attempt until the next probe.
            Some(InstanceHealth {
                unreachable_since: Some(_),
                next_probe_at: Some(next_probe),
                ..
            }) if *next_probe > now => skipped.push((claimed.row.id, *next_probe)),
            _ => {
                let state = state.clone();
                sending.spawn(async move {
                    let outcome = send(&state, &claimed).await;
                    (claimed.row, outcome, claimed.activity)
                });
            }
        }
    }
    let mut results = Vec::new();
    while let Some(joined) = sending.join_next().await {
        // A send that panicked stays locked and is claimed again when its lock expires.
        if let Ok(result) = joined {
            results.push(result);
        }
    }
    let mut tx = state.db.begin().await?;
    for (id, next_probe) in skipped {
        store::retry_delivery(tx.ex(), id, next_probe, false, "instance unreachable").await?;
    }
    let mut finished: Vec<i64> = Vec::new();
    let mut answered: Vec<String> = Vec::new();
    for (delivery, outcome, activity) in results {
        match outcome {
            Outcome::Delivered => {
                finished.push(delivery.id);
                answered.push(delivery.domain);
            }
            Outcome::Permanent(why) => {
                finished.push(delivery.id);
                tracing::warn!(inbox = %delivery.inbox, %why, "delivery refused; given up");
                // A refused Follow will never be answered: staff see it refused, and why.
                if let Some(follow) = follow_id(&activity) {
                    crate::storage::following::refuse_follow(tx.ex(), &follow, &why, now).await?;
                }
            }
            Outcome::Temporary(why) => {
                let probe = now + state.federation.probe_interval.as_millis() as i64;
                store::instance_failed(tx.ex(), &delivery.domain, UNREACHABLE_AFTER, now, probe)
                    .await?;
                if delivery.attempts + 1 >= MAX_ATTEMPTS {
                    finished.push(delivery.id);
                    tracing::warn!(inbox = %delivery.inbox, %why, "delivery failed too often; given up");
                } else {
                    let next = now + backoff(state, delivery.attempts);
                    store::retry_delivery(tx.ex(), delivery.id, next, true, &why).await?;
                    tracing::info!(inbox = %delivery.inbox, %why, attempts = delivery.attempts + 1, "delivery will be retried");
                }
            }
        }
    }
    store::delete_deliveries(tx.ex(), &finished).await?;
    store::forget_delivered_activities(tx.ex(), &bodies).await?;
    answered.sort_unstable();
    answered.dedup();
    let answered: Vec<&str> = answered.iter().map(String::as_str).collect();
    store::instances_succeeded(tx.ex(), &answered, now).await?;
    let mut released = 0;
    for domain in answered {
        if health.get(domain).is_some_and(|h| h.failures > 0) {
            released += store::release_backlog(tx.ex(), domain, now).await?;
            tracing::info!(%domain, "instance answers again; sending its backlog");
        }
    }
    tx.commit().await?;
    if released > 0 {
        state.federation.delivery_wakeup.notify_waiters();
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::spread_over_instances;

    #[test]
    fn consecutive_deliveries_go_to_different_instances() {
        let targets: Vec<(u32, String)> =
            [(1, "a"), (2, "a"), (3, "a"), (4, "b"), (5, "c"), (6, "c")]
                .into_iter()
                .map(|(n, d)| (n, d.to_string()))
                .collect();
        let spread: Vec<u32> = spread_over_instances(targets)
            .into_iter()
            .map(|(n, _)| n)
            .collect();
        // In turn, each instance's own inboxes in their first order; none is lost.
        assert_eq!(spread, vec![1, 4, 5, 2, 6, 3]);
    }
}
