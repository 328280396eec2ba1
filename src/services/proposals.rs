//! Ideas / proposals and supports (共感): posted by residents while the theme's phase
//! allows it, optionally under a pseudonym that is stable per person and theme.

mod from_fediverse;
mod reading;

pub use from_fediverse::{
    ChangedIn, RemoteChange, RemoteProposalInput, change_from_fediverse, create_from_fediverse,
    remote_title,
};
pub use reading::{ListQuery, as_published, get, list, recent, search, views_of};

use crate::msg;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::events::{self, EventKind};
use super::themes::{self, LoadedTheme};
use super::{Viewer, rfc3339};
use crate::domain::{Action, AnswerState, Tag, parse_text};
use crate::error::{AppError, Checker, Invalid, checker_invariant};
use crate::markdown;
use crate::state::AppState;
use crate::storage::proposals::{NewProposal, ProposalRow};
use crate::storage::{now_millis, proposals as store};

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ProposalInput {
    #[schema(
        pattern = r"^[^\x00-\x1f\x7f-\x9f]*[^\s\x00-\x1f\x7f-\x9f][^\x00-\x1f\x7f-\x9f]*$",
        min_length = 1,
        max_length = 120
    )]
    pub title: String,
    /// Markdown.
    #[schema(
        pattern = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]*[^\s\x00-\x1f\x7f-\x9f][^\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]*$",
        min_length = 1,
        max_length = 10000
    )]
    pub body: String,
    #[serde(default)]
    #[schema(schema_with = crate::domain::schemas::tags)]
    pub tags: Vec<String>,
    /// Post under a pseudonym that is the same for you throughout this theme and different
    /// in every other theme. Moderators can still see who posted.
    #[serde(default)]
    pub anonymous: bool,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ProposalEdit {
    #[schema(
        pattern = r"^[^\x00-\x1f\x7f-\x9f]*[^\s\x00-\x1f\x7f-\x9f][^\x00-\x1f\x7f-\x9f]*$",
        min_length = 1,
        max_length = 120
    )]
    pub title: String,
    #[schema(
        pattern = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]*[^\s\x00-\x1f\x7f-\x9f][^\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]*$",
        min_length = 1,
        max_length = 10000
    )]
    pub body: String,
    /// Replaces the tags when given.
    #[serde(default)]
    #[schema(schema_with = crate::domain::schemas::tags_optional)]
    pub tags: Option<Vec<String>>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ModerationInput {
    /// Why, shown to the author and recorded in the moderation log.
    #[schema(
        pattern = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]*[^\s\x00-\x1f\x7f-\x9f][^\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]*$",
        min_length = 1,
        max_length = 500
    )]
    pub reason: String,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AuthorView {
    pub anonymous: bool,
    /// The resident's handle, or `user@host` for a fediverse account; absent for
    /// anonymous posts.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub handle: Option<String>,
    /// The resident's name, or the pseudonym of an anonymous post.
    pub display_name: String,
    /// For an anonymous post: the word that tells the theme's anonymous authors apart, as
    /// a key in Latin letters (`sakura`, `sakura2`; older authors have a number); pages show
    /// it as 「匿名さん（さくら）」 or "Anonymous (Sakura)".
    #[serde(skip_serializing_if = "Option::is_none")]
    pub nickname: Option<String>,
    /// Posted from a fediverse account rather than by a resident here.
    pub remote: bool,
    /// The account's page on its origin, for fediverse accounts.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ContentStatus {
    Published,
    Withdrawn,
    Hidden,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ProposalView {
    pub id: i64,
    pub theme: String,
    pub title: String,
    pub body: String,
    pub body_html: String,
    pub tags: Vec<String>,
    pub author: AuthorView,
    /// The account behind the post; only for moderators and staff.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub author_user_id: Option<i64>,
    /// Whether the viewer wrote it.
    pub mine: bool,
    pub status: ContentStatus,
    /// Why moderators hid it; only for moderators and the author.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hidden_reason: Option<String>,
    pub support_count: i64,
    /// Likes from fediverse accounts, shown apart from residents' supports.
    pub remote_support_count: i64,
    pub comment_count: i64,
    /// Whether the viewer supports it (absent when not signed in).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub supported: Option<bool>,
    pub url: String,
    /// For a proposal from the fediverse: its id on its origin.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub origin: Option<String>,
    /// The state of the municipality's official answer; absent until staff answer.
    pub answer_state: Option<AnswerState>,
    /// The current answer itself (on a single proposal; lists give only the state).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub answer: Option<super::answers::AnswerView>,
    /// Progress toward the theme's support threshold, if it sets one.
    pub threshold: Option<super::thresholds::ThresholdView>,
    /// The sections of the theme's results that took it up (on a single proposal).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub reflected_in: Vec<ReflectedIn>,
    pub created_at: String,
    pub updated_at: String,
}

/// A section of results that took a proposal up.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ReflectedIn {
    pub result_id: i64,
    pub heading: String,
    /// How it took it up.
    pub note: String,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SupportView {
    pub proposal_id: i64,
    pub supported: bool,
    pub support_count: i64,
}

impl ContentStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            ContentStatus::Published => "published",
            ContentStatus::Withdrawn => "withdrawn",
            ContentStatus::Hidden => "hidden",
        }
    }
}

fn status_of(row: &ProposalRow) -> ContentStatus {
    if row.hidden_at.is_some() {
        ContentStatus::Hidden
    } else if row.withdrawn_at.is_some() {
        ContentStatus::Withdrawn
    } else {
        ContentStatus::Published
    }
}

fn author_of(row: &ProposalRow) -> AuthorView {
    if let Some(pseudonym) = &row.pseudonym_name {
        return AuthorView {
            anonymous: true,
            handle: None,
            display_name: pseudonym.clone(),
            nickname: row.pseudonym_word.clone(),
            remote: false,
            url: None,
        };
    }
    if let Some(actor) = &row.remote_actor {
        let handle = match (&row.remote_username, &row.remote_domain) {
            (Some(user), Some(domain)) => format!("{user}@{domain}"),
            _ => actor.clone(),
        };
        return AuthorView {
            anonymous: false,
            display_name: row
                .remote_name
                .clone()
                .filter(|n| !n.trim().is_empty())
                .unwrap_or_else(|| handle.clone()),
            handle: Some(handle),
            nickname: None,
            remote: true,
            url: Some(row.remote_url.clone().unwrap_or_else(|| actor.clone())),
        };
    }
    AuthorView {
        anonymous: false,
        handle: row.author_handle.clone(),
        display_name: row.author_display_name.clone().unwrap_or_default(),
        nickname: None,
        remote: false,
        url: None,
    }
}

pub(super) fn view(
    state: &AppState,
    viewer: &Viewer,
    row: &ProposalRow,
    tags: Vec<String>,
    supported: Option<bool>,
) -> ProposalView {
    let mine = viewer.id().is_some() && viewer.id() == row.author_id;
    let moderator = viewer.can_moderate();
    let author = author_of(row);
    ProposalView {
        id: row.id,
        theme: row.theme_slug.clone(),
        title: row.title.clone(),
        body: row.body.clone(),
        body_html: markdown::render(&row.body),
        tags,
        author,
        author_user_id: row.author_id.filter(|_| moderator),
        mine,
        status: status_of(row),
        hidden_reason: if moderator || mine {
            row.hidden_reason.clone()
        } else {
            None
        },
        support_count: row.support_count,
        remote_support_count: row.remote_support_count,
        comment_count: row.comment_count,
        supported,
        url: format!("{}/proposals/{}", state.config.public_url(), row.id),
        origin: row.ap_id.clone(),
        answer_state: row
            .answer_state
            .as_deref()
            .and_then(|s| AnswerState::parse(s).ok()),
        answer: None,
        threshold: super::thresholds::progress(row),
        reflected_in: Vec::new(),
        created_at: rfc3339(row.created_at),
        updated_at: rfc3339(row.updated_at),
    }
}

/// A proposal the viewer may see, with its theme.
pub async fn load(
    state: &AppState,
    viewer: &Viewer,
    id: i64,
) -> Result<(ProposalRow, LoadedTheme), AppError> {
    let mut conn = state.db.acquire().await?;
    let row = store::find(conn.ex(), id)
        .await?
        .ok_or(AppError::NotFound("proposal"))?;
    drop(conn);
    let theme = themes::load_by_id(state, row.theme_id).await?;
    if !theme.visible_to(viewer) || hidden_from(viewer, &row) {
        return Err(AppError::NotFound("proposal"));
    }
    Ok((row, theme))
}

/// Whether a hidden proposal is out of the viewer's sight: only moderators and its author
/// still see it.
fn hidden_from(viewer: &Viewer, row: &ProposalRow) -> bool {
    let is_author = viewer.id().is_some() && viewer.id() == row.author_id;
    row.hidden_at.is_some() && !viewer.can_moderate() && !is_author
}

/// The theme of a proposal, for a reply or like from the fediverse, when that theme is
/// public; the proposal's own state is left to the write, which stores a reply or like only
/// while the proposal is open (neither withdrawn nor hidden).
pub async fn public_theme_of(
    state: &AppState,
    id: i64,
) -> Result<Option<std::sync::Arc<LoadedTheme>>, AppError> {
    let theme_id = match state.caches.proposal_themes.get(&id).await {
        Some(theme_id) => theme_id,
        None => {
            let mut conn = state.db.acquire().await?;
            let theme_id = store::theme_of(conn.ex(), id)
                .await?
                .ok_or(AppError::NotFound("proposal"))?;
            drop(conn);
            state.caches.proposal_themes.insert(id, theme_id).await;
            theme_id
        }
    };
    let theme = themes::load_by_id_cached(state, theme_id).await?;
    Ok(theme.visible_to(&Viewer::default()).then_some(theme))
}

fn parse_text_fields(
    check: &mut Checker,
    title: &str,
    body: &str,
) -> (Option<String>, Option<String>) {
    (
        check.check("title", parse_text(title, 1, 120, false)),
        check.check("body", parse_text(body, 1, 10_000, true)),
    )
}

fn parse_tags(check: &mut Checker, tags: &[String]) -> Option<Vec<Tag>> {
    match Tag::parse_list(tags) {
        Ok(tags) => Some(tags),
        Err((index, invalid)) => {
            check.push(invalid.at(index.map_or("tags".to_string(), |i| format!("tags[{i}]"))));
            None
        }
    }
}

fn pseudonym_candidate() -> String {
    const ALPHABET: &[u8] = b"abcdefghijkmnpqrstuvwxyz23456789";
    use rand::Rng;
    let mut rng = rand::rng();
    let code: String = (0..8)
        .map(|_| ALPHABET[rng.random_range(0..ALPHABET.len())] as char)
        .collect();
    format!("anon-{code}")
}

pub async fn create(
    state: &AppState,
    viewer: &Viewer,
    slug: &str,
    input: ProposalInput,
) -> Result<ProposalView, AppError> {
    let user = viewer.user()?;
    let theme = themes::load(state, viewer, slug).await?;
    theme.require(Action::PostIdea, state.config.municipality.today())?;
    let mut check = Checker::new();
    let (title, body) = parse_text_fields(&mut check, &input.title, &input.body);
    let tags = parse_tags(&mut check, &input.tags);
    check.finish()?;
    let (Some(title), Some(body), Some(tags)) = (title, body, tags) else {
        return Err(checker_invariant());
    };
    let now = now_millis();
    let mut tx = state.db.begin().await?;
    let pseudonym_id = if input.anonymous {
        let mut found = None;
        for _ in 0..5 {
            let taken = store::pseudonym_words(tx.ex(), theme.row.id).await?;
            let word = crate::domain::pseudonym_word::pick(&taken, |n| {
                use rand::Rng;
                rand::rng().random_range(0..n)
            });
            let candidate = (pseudonym_candidate(), word);
            if let Some((id, _)) = store::pseudonym_for(
                tx.ex(),
                user.id,
                theme.row.id,
                (&candidate.0, &candidate.1),
                now,
            )
            .await?
            {
                found = Some(id);
                break;
            }
        }
        Some(found.ok_or_else(|| AppError::Internal(anyhow::anyhow!("no free pseudonym found")))?)
    } else {
        None
    };
    let id = store::insert(
        tx.ex(),
        &NewProposal {
            theme_id: theme.row.id,
            author_id: user.id,
            pseudonym_id,
            title: &title,
            body: &body,
        },
        now,
    )
    .await?;
    let tag_strs: Vec<&str> = tags.iter().map(Tag::as_str).collect();
    store::replace_tags(tx.ex(), id, &tag_strs).await?;
    events::record(tx.ex(), EventKind::ProposalCreated, id).await?;
    tx.commit().await?;
    state.event_signal.written();
    tracing::info!(
        proposal = id,
        theme = slug,
        anonymous = input.anonymous,
        "proposal posted"
    );
    get(state, viewer, id).await
}

/// Loads a proposal that its author is about to change.
async fn load_own(
    state: &AppState,
    viewer: &Viewer,
    id: i64,
) -> Result<(ProposalRow, LoadedTheme), AppError> {
    let user = viewer.user()?;
    let (row, theme) = load(state, viewer, id).await?;
    if row.author_id != Some(user.id) {
        return Err(AppError::Forbidden(msg!("error-proposal-not-yours")));
    }
    match status_of(&row) {
        ContentStatus::Withdrawn => Err(AppError::Conflict {
            field: None,
            message: msg!("error-proposal-withdrawn"),
        }),
        ContentStatus::Hidden => Err(AppError::Conflict {
            field: None,
            message: msg!("error-proposal-hidden"),
        }),
        ContentStatus::Published => Ok((row, theme)),
    }
}

pub async fn edit(
    state: &AppState,
    viewer: &Viewer,
    id: i64,
    input: ProposalEdit,
) -> Result<ProposalView, AppError> {
    let (row, theme) = load_own(state, viewer, id).await?;
    // Editing is part of posting ideas: once that phase ends the text is what people
    // supported and discussed, and stays.
    theme.require(Action::PostIdea, state.config.municipality.today())?;
    let mut check = Checker::new();
    let (title, body) = parse_text_fields(&mut check, &input.title, &input.body);
    let tags = match &input.tags {
        Some(tags) => parse_tags(&mut check, tags).map(Some),
        None => Some(None),
    };
    check.finish()?;
    let (Some(title), Some(body), Some(tags)) = (title, body, tags) else {
        return Err(checker_invariant());
    };
    let mut tx = state.db.begin().await?;
    store::update_text(tx.ex(), row.id, &title, &body, now_millis()).await?;
    if let Some(tags) = tags {
        let tag_strs: Vec<&str> = tags.iter().map(Tag::as_str).collect();
        store::replace_tags(tx.ex(), row.id, &tag_strs).await?;
    }
    events::record(tx.ex(), EventKind::ProposalUpdated, row.id).await?;
    tx.commit().await?;
    state.event_signal.written();
    state.caches.forget_proposal(id).await;
    get(state, viewer, id).await
}

pub async fn withdraw(
    state: &AppState,
    viewer: &Viewer,
    id: i64,
) -> Result<ProposalView, AppError> {
    let (row, _) = load_own(state, viewer, id).await?;
    let mut tx = state.db.begin().await?;
    store::set_withdrawn(tx.ex(), row.id, now_millis()).await?;
    events::record(tx.ex(), EventKind::ProposalWithdrawn, row.id).await?;
    tx.commit().await?;
    state.event_signal.written();
    tracing::info!(proposal = id, "proposal withdrawn by its author");
    state.caches.forget_proposal(id).await;
    get(state, viewer, id).await
}

pub fn parse_reason(reason: &str) -> Result<String, AppError> {
    parse_text(reason, 1, 500, true)
        .map_err(|e: Invalid| AppError::Validation(vec![e.at("reason")]))
}

pub async fn hide(
    state: &AppState,
    viewer: &Viewer,
    id: i64,
    reason: &str,
) -> Result<ProposalView, AppError> {
    let moderator = viewer.require_moderator()?;
    let reason = parse_reason(reason)?;
    let (row, _) = load(state, viewer, id).await?;
    let now = now_millis();
    let mut tx = state.db.begin().await?;
    store::set_hidden(tx.ex(), row.id, Some((now, &reason, moderator.id))).await?;
    super::moderation_log::record(
        tx.ex(),
        moderator.id,
        ("proposal", row.id, ""),
        "hide",
        &reason,
    )
    .await?;
    events::record(tx.ex(), EventKind::ProposalHidden, row.id).await?;
    tx.commit().await?;
    state.event_signal.written();
    tracing::info!(proposal = id, moderator = moderator.id, "proposal hidden");
    state.caches.forget_proposal(id).await;
    get(state, viewer, id).await
}

pub async fn restore(
    state: &AppState,
    viewer: &Viewer,
    id: i64,
    reason: &str,
) -> Result<ProposalView, AppError> {
    let moderator = viewer.require_moderator()?;
    let reason = parse_reason(reason)?;
    let (row, _) = load(state, viewer, id).await?;
    let mut tx = state.db.begin().await?;
    store::set_hidden(tx.ex(), row.id, None).await?;
    super::moderation_log::record(
        tx.ex(),
        moderator.id,
        ("proposal", row.id, ""),
        "restore",
        &reason,
    )
    .await?;
    // Published again: peers were sent a Delete when it was hidden.
    events::record(tx.ex(), EventKind::ProposalRestored, row.id).await?;
    tx.commit().await?;
    state.event_signal.written();
    state.caches.forget_proposal(id).await;
    get(state, viewer, id).await
}

/// Adds (`true`) or withdraws (`false`) the viewer's support.
pub async fn set_support(
    state: &AppState,
    viewer: &Viewer,
    id: i64,
    support: bool,
) -> Result<SupportView, AppError> {
    let user = viewer.user()?;
    let (row, theme) = load(state, viewer, id).await?;
    if status_of(&row) != ContentStatus::Published {
        return Err(AppError::Conflict {
            field: None,
            message: msg!("error-support-unpublished"),
        });
    }
    theme.require(Action::Support, state.config.municipality.today())?;
    let mut conn = state.db.acquire().await?;
    if support {
        store::add_support(conn.ex(), row.id, user.id, now_millis()).await?;
    } else {
        store::remove_support(conn.ex(), row.id, user.id).await?;
    }
    let support_count = store::support_count(conn.ex(), row.id).await?;
    drop(conn);
    if support {
        super::thresholds::supported(state, row.id).await?;
    }
    Ok(SupportView {
        proposal_id: row.id,
        supported: support,
        support_count,
    })
}
