//! Reports (通報) from residents, the moderators' queue, and blocks of remote accounts and
//! instances (defederation).

use crate::msg;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::events::{self, EventKind};
use super::{Viewer, comments, proposals, rfc3339};
use crate::domain::parse_text;
use crate::error::{AppError, Invalid};
use crate::state::AppState;
use crate::storage::followers as follower_store;
use crate::storage::moderation::{self as store, ReportRow};
use crate::storage::{comments as comment_store, now_millis, proposals as proposal_store};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum TargetKind {
    Proposal,
    Comment,
}

impl TargetKind {
    pub fn as_str(self) -> &'static str {
        match self {
            TargetKind::Proposal => "proposal",
            TargetKind::Comment => "comment",
        }
    }

    fn parse(stored: &str) -> TargetKind {
        if stored == "comment" {
            TargetKind::Comment
        } else {
            TargetKind::Proposal
        }
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReportInput {
    /// What is wrong with it.
    #[schema(
        pattern = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]*[^\s\x00-\x1f\x7f-\x9f][^\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]*$",
        min_length = 1,
        max_length = 1000
    )]
    pub reason: String,
}

/// Reports a proposal or comment the reporter can see.
pub async fn report(
    state: &AppState,
    viewer: &Viewer,
    kind: TargetKind,
    id: i64,
    reason: &str,
) -> Result<(), AppError> {
    let user = viewer.user()?;
    let reason = parse_text(reason, 1, 1_000, true)
        .map_err(|e| AppError::Validation(vec![e.at("reason")]))?;
    match kind {
        TargetKind::Proposal => {
            proposals::load(state, viewer, id).await?;
        }
        TargetKind::Comment => {
            comments::load(state, viewer, id).await?;
        }
    }
    let mut conn = state.db.acquire().await?;
    store::insert_report(conn.ex(), user.id, kind.as_str(), id, &reason, now_millis()).await?;
    tracing::info!(
        kind = kind.as_str(),
        id,
        reporter = user.id,
        "content reported"
    );
    Ok(())
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ReportView {
    pub id: i64,
    pub target_kind: TargetKind,
    pub target_id: i64,
    /// The proposal the target belongs to (itself for a proposal).
    pub proposal_id: i64,
    /// The proposal's title, or the start of the comment.
    pub excerpt: String,
    /// Whether moderators already hid the target.
    pub target_hidden: bool,
    pub reason: String,
    pub reporter: Option<String>,
    pub created_at: String,
}

async fn report_view(state: &AppState, row: ReportRow) -> Result<Option<ReportView>, AppError> {
    let kind = TargetKind::parse(&row.target_kind);
    let mut conn = state.db.acquire().await?;
    let (proposal_id, excerpt, hidden) = match kind {
        TargetKind::Proposal => match proposal_store::find(conn.ex(), row.target_id).await? {
            Some(p) => (p.id, p.title, p.hidden_at.is_some()),
            None => return Ok(None),
        },
        TargetKind::Comment => match comment_store::find(conn.ex(), row.target_id).await? {
            Some(c) => (
                c.proposal_id,
                c.body.chars().take(120).collect(),
                c.hidden_at.is_some(),
            ),
            None => return Ok(None),
        },
    };
    Ok(Some(ReportView {
        id: row.id,
        target_kind: kind,
        target_id: row.target_id,
        proposal_id,
        excerpt,
        target_hidden: hidden,
        reason: row.reason,
        reporter: row.reporter_handle,
        created_at: rfc3339(row.created_at),
    }))
}

/// The moderation queue: unresolved reports, oldest first.
pub async fn open_reports(state: &AppState, viewer: &Viewer) -> Result<Vec<ReportView>, AppError> {
    viewer.require_moderator()?;
    let mut conn = state.db.acquire().await?;
    let rows = store::open_reports(conn.ex(), 200).await?;
    drop(conn);
    let mut views = Vec::with_capacity(rows.len());
    for row in rows {
        if let Some(view) = report_view(state, row).await? {
            views.push(view);
        }
    }
    Ok(views)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Resolution {
    /// Hide the reported content, with the note as the reason shown to its author.
    Hide,
    /// Keep the content; close the report.
    Dismiss,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ResolveInput {
    pub action: Resolution,
    /// The reason, recorded and (when hiding) shown to the author.
    #[schema(schema_with = resolution_note)]
    pub note: String,
}

fn resolution_note() -> utoipa::openapi::schema::Object {
    crate::domain::schemas::reason(500)
}

/// Decides a report; every open report of the same content is closed with it.
pub async fn resolve(
    state: &AppState,
    viewer: &Viewer,
    report_id: i64,
    input: ResolveInput,
) -> Result<(), AppError> {
    let moderator = viewer.require_moderator()?;
    let note = proposals::parse_reason(&input.note).map_err(|_| {
        AppError::Validation(vec![
            Invalid::new("required", msg!("error-reason-required")).at("note"),
        ])
    })?;
    let mut conn = state.db.acquire().await?;
    let row = store::find_report(conn.ex(), report_id)
        .await?
        .ok_or(AppError::NotFound("report"))?;
    drop(conn);
    if row.resolved_at.is_some() {
        return Err(AppError::Conflict {
            field: None,
            message: msg!("error-report-resolved"),
        });
    }
    let kind = TargetKind::parse(&row.target_kind);
    if input.action == Resolution::Hide {
        match kind {
            TargetKind::Proposal => {
                proposals::hide(state, viewer, row.target_id, &note).await?;
            }
            TargetKind::Comment => {
                comments::set_hidden(state, viewer, row.target_id, true, &note).await?;
            }
        }
    }
    let resolution = match input.action {
        Resolution::Hide => format!("hidden: {note}"),
        Resolution::Dismiss => format!("dismissed: {note}"),
    };
    let mut tx = state.db.begin().await?;
    store::resolve_reports_of(
        tx.ex(),
        kind.as_str(),
        row.target_id,
        moderator.id,
        &resolution,
        now_millis(),
    )
    .await?;
    if input.action == Resolution::Dismiss {
        super::moderation_log::record(
            tx.ex(),
            moderator.id,
            (
                "report",
                report_id,
                &format!("{} {}", kind.as_str(), row.target_id),
            ),
            "dismiss",
            &note,
        )
        .await?;
    }
    tx.commit().await?;
    Ok(())
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum BlockKind {
    /// A whole instance, by host name.
    Domain,
    /// One remote account, by its actor URL or `@user@host`.
    Actor,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BlockInput {
    pub kind: BlockKind,
    /// A host name for `domain`, an actor URL or `@user@host` for `actor`.
    pub value: String,
    /// Recorded with the block; up to 500 characters.
    #[serde(default)]
    pub reason: String,
}

/// The value's form depends on the kind, so the schema is one object per kind.
impl utoipa::PartialSchema for BlockInput {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        use crate::domain::schemas;
        use utoipa::openapi::schema::{
            AdditionalProperties, Object, ObjectBuilder, OneOfBuilder, Schema, SchemaType, Type,
        };
        let variant = |kind: &str, value: Object| {
            ObjectBuilder::new()
                .schema_type(SchemaType::new(Type::Object))
                .property(
                    "kind",
                    ObjectBuilder::new()
                        .schema_type(SchemaType::new(Type::String))
                        .enum_values(Some([kind])),
                )
                .property("value", value)
                .property(
                    "reason",
                    ObjectBuilder::new()
                        .schema_type(SchemaType::new(Type::String))
                        .pattern(Some(r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]*$"))
                        .max_length(Some(500)),
                )
                .required("kind")
                .required("value")
                .additional_properties(Some(AdditionalProperties::<Schema>::FreeForm(false)))
                .build()
        };
        OneOfBuilder::new()
            .item(variant("domain", schemas::domain()))
            .item(variant("actor", schemas::actor_address()))
            .into()
    }
}

impl ToSchema for BlockInput {}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct BlockView {
    pub id: i64,
    pub kind: BlockKind,
    pub value: String,
    pub reason: String,
    pub created_at: String,
}

/// A host name as blocks store it: lower-case, no scheme, path or port.
fn parse_domain(input: &str) -> Result<String, Invalid> {
    let raw = input
        .trim()
        .trim_start_matches("https://")
        .trim_start_matches("http://");
    let host = raw.split('/').next().unwrap_or_default().to_lowercase();
    let valid = url::Url::parse(&format!("https://{host}/"))
        .ok()
        .and_then(|u| u.host_str().map(|h| h == host))
        .unwrap_or(false);
    if host.is_empty() || !valid || !host.contains('.') {
        return Err(Invalid::new("invalid_domain", msg!("error-invalid-domain")));
    }
    Ok(host)
}

/// An actor as blocks store it: its URL, or `acct:user@host` for a handle.
fn parse_actor(input: &str) -> Result<String, Invalid> {
    let value = input.trim();
    if let Ok(url) = url::Url::parse(value)
        && matches!(url.scheme(), "https" | "http")
        && url.host_str().is_some()
    {
        return Ok(url.to_string());
    }
    let (user, host) = crate::domain::parse_account_address(value)
        .map_err(|_| Invalid::new("invalid_actor", msg!("error-invalid-actor")))?;
    Ok(format!("acct:{}@{host}", user.to_lowercase()))
}

/// The payload of an `actor_blocked` event (a block of an actor or of an instance).
#[derive(Debug, Serialize, Deserialize)]
pub struct ActorBlocked {
    /// The blocked actor, or the blocked instance's host name.
    pub actor: String,
    /// The follows that the block ended, each to be rejected.
    pub ended: Vec<EndedFollow>,
}

/// A follow of a local actor (`instance` or `theme`, by id) that ended: who followed, its
/// inbox, and the `Follow` it sent as received (none for follows kept before they were).
#[derive(Debug, Serialize, Deserialize)]
pub struct EndedFollow {
    pub local_kind: String,
    pub local_id: i64,
    pub inbox: String,
    #[serde(default)]
    pub follower: String,
    #[serde(default)]
    pub follower_row: i64,
    #[serde(default)]
    pub follow: Option<String>,
    /// Names the `Block` sent for it, which its `Undo` names again.
    #[serde(default)]
    pub notice: String,
}

/// The payload of an `actor_unblocked` event: the `Block`s sent for the lifted block, each
/// to be undone.
#[derive(Debug, Serialize, Deserialize)]
pub struct ActorUnblocked {
    pub value: String,
    pub notices: Vec<BlockNotice>,
}

/// A `Block` a followed local actor sent for a moderators' block.
#[derive(Debug, Serialize, Deserialize)]
pub struct BlockNotice {
    pub local_kind: String,
    pub local_id: i64,
    pub follower: String,
    pub inbox: String,
    pub notice: String,
}

pub async fn add_block(
    state: &AppState,
    viewer: &Viewer,
    input: BlockInput,
) -> Result<BlockView, AppError> {
    let moderator = viewer.require_moderator()?;
    let value = match input.kind {
        BlockKind::Domain => parse_domain(&input.value),
        BlockKind::Actor => parse_actor(&input.value),
    }
    .map_err(|e| AppError::Validation(vec![e.at("value")]))?;
    if input.kind == BlockKind::Domain
        && value == state.config.domain.split(':').next().unwrap_or_default()
    {
        return Err(AppError::invalid(
            "value",
            "own_domain",
            msg!("error-own-domain"),
        ));
    }
    let reason = parse_text(&input.reason, 0, 500, true)
        .map_err(|e| AppError::Validation(vec![e.at("reason")]))?;
    // Signatures name actors by URL: a handle is resolved now, or the block would never
    // match anything.
    let value = match value.strip_prefix("acct:") {
        Some(handle) => state
            .directory
            .actor_of_handle(state, handle)
            .await
            .map_err(|e| {
                tracing::info!(error = %e, "a handle to block could not be looked up");
                AppError::invalid("value", "unresolvable", msg!("error-unresolvable-handle"))
            })?,
        None => value,
    };
    let kind = match input.kind {
        BlockKind::Domain => "domain",
        BlockKind::Actor => "actor",
    };
    let mut tx = state.db.begin().await?;
    let now = now_millis();
    let id = store::insert_block(tx.ex(), kind, &value, &reason, moderator.id, now)
        .await?
        .ok_or_else(|| AppError::conflict("value", msg!("error-already-blocked")))?;
    super::moderation_log::record(
        tx.ex(),
        moderator.id,
        ("block", id, &format!("{kind}: {value}")),
        "block",
        &reason,
    )
    .await?;
    // The follows of the actor, or of every account of the instance, end with the block;
    // the publisher still sends each follower the `Reject` of its `Follow`, so that both
    // sides agree the follow is over.
    let follows = match input.kind {
        BlockKind::Actor => follower_store::follows_of(tx.ex(), &value).await?,
        BlockKind::Domain => follower_store::follows_from_domain(tx.ex(), &value).await?,
    };
    follower_store::remove_followers(tx.ex(), &follows.iter().map(|f| f.id).collect::<Vec<_>>())
        .await?;
    let mut ended = Vec::with_capacity(follows.len());
    for f in follows {
        let notice = format!("{id}-{}", f.id);
        let row = follower_store::BlockNoticeRow {
            local_kind: f.local_kind.clone(),
            local_id: f.local_id,
            follower: f.remote_actor.clone(),
            inbox: f.inbox.clone(),
            block_activity: notice.clone(),
        };
        follower_store::insert_block_notice(tx.ex(), id, &row, now).await?;
        ended.push(EndedFollow {
            local_kind: f.local_kind,
            local_id: f.local_id,
            inbox: f.inbox,
            follower: f.remote_actor,
            follower_row: f.id,
            follow: f.follow_activity,
            notice,
        });
    }
    tracing::info!(value = %value, follows = ended.len(), "follows ended by a block");
    let blocked = ActorBlocked {
        actor: value.clone(),
        ended,
    };
    events::record_with(tx.ex(), EventKind::ActorBlocked, id, &blocked).await?;
    tx.commit().await?;
    state.event_signal.written();
    state.caches.blocked.invalidate_all();
    tracing::info!(kind, value = %value, by = moderator.id, "block added");
    list_blocks(state, viewer)
        .await?
        .into_iter()
        .find(|b| b.value == value)
        .ok_or(AppError::NotFound("block"))
}

pub async fn list_blocks(state: &AppState, viewer: &Viewer) -> Result<Vec<BlockView>, AppError> {
    viewer.require_moderator()?;
    let mut conn = state.db.acquire().await?;
    Ok(store::list_blocks(conn.ex())
        .await?
        .into_iter()
        .map(|b| BlockView {
            id: b.id,
            kind: if b.kind == "domain" {
                BlockKind::Domain
            } else {
                BlockKind::Actor
            },
            value: b.value,
            reason: b.reason,
            created_at: rfc3339(b.created_at),
        })
        .collect())
}

pub async fn remove_block(state: &AppState, viewer: &Viewer, id: i64) -> Result<(), AppError> {
    let moderator = viewer.require_moderator()?;
    let mut tx = state.db.begin().await?;
    let value = store::list_blocks(tx.ex())
        .await?
        .into_iter()
        .find(|b| b.id == id)
        .map(|b| b.value)
        .ok_or(AppError::NotFound("block"))?;
    if !store::delete_block(tx.ex(), id).await? {
        return Err(AppError::NotFound("block"));
    }
    // Each `Block` sent for it is undone, so that the accounts may follow again.
    let notices: Vec<BlockNotice> = follower_store::take_block_notices(tx.ex(), id)
        .await?
        .into_iter()
        .map(|n| BlockNotice {
            local_kind: n.local_kind,
            local_id: n.local_id,
            follower: n.follower,
            inbox: n.inbox,
            notice: n.block_activity,
        })
        .collect();
    super::moderation_log::record(tx.ex(), moderator.id, ("block", id, &value), "unblock", "")
        .await?;
    let lifted = ActorUnblocked { value, notices };
    events::record_with(tx.ex(), EventKind::ActorUnblocked, id, &lifted).await?;
    tx.commit().await?;
    state.event_signal.written();
    state.caches.blocked.invalidate_all();
    tracing::info!(id, by = moderator.id, "block removed");
    Ok(())
}

/// Whether an actor (by its id) or its whole instance is blocked here.
pub async fn is_blocked(state: &AppState, actor_id: &str) -> Result<bool, AppError> {
    if let Some(known) = state.caches.blocked.get(actor_id).await {
        return Ok(known);
    }
    let domain = url::Url::parse(actor_id)
        .ok()
        .and_then(|u| u.host_str().map(str::to_string))
        .unwrap_or_default();
    let mut conn = state.db.acquire().await?;
    let blocked = store::is_blocked(conn.ex(), &domain, actor_id).await?;
    state
        .caches
        .blocked
        .insert(actor_id.to_string(), blocked)
        .await;
    Ok(blocked)
}
