//! ActivityStreams JSON for actors, objects and collections. The same URL gives HTML to a
//! browser; the page handlers hand over here when the client asks for ActivityStreams.

use axum::Router;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use serde::Serialize;
use serde_json::Value;

use super::keys::{KeyOwner, key_pair};
use super::objects::{
    Actor, Collection, Endpoints, PhaseObject, PostObject, PublicKey, Source, Tombstone, context,
};
use super::{INSTANCE_ACTOR, PUBLIC, Urls, wants_activity_json};
use crate::error::AppError;
use crate::error::problem::ApiPath;
use crate::services::comments::{self, CommentStatus, CommentView};
use crate::services::proposals::{self, ContentStatus, ProposalView};
use crate::services::references::Local;
use crate::services::themes::{self, ThemeView};
use crate::services::{Viewer, instance};
use crate::state::AppState;
use crate::storage::{federation as store, themes as theme_store};

/// Serialises an ActivityStreams document with its media type.
pub fn activity_json(status: StatusCode, body: &impl Serialize) -> Response {
    let mut response = (status, axum::Json(body)).into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/activity+json; charset=utf-8"),
    );
    headers.insert(header::VARY, HeaderValue::from_static("Accept"));
    response
}

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/actor", get(instance_actor))
        .route("/users/{handle}", get(user_actor))
        .route("/anonymous/{name}", get(pseudonym_actor))
        .route("/comments/{id}", get(comment))
        .route("/replies/{id}", get(reply))
        .route("/proposals/{id}/context", get(thread))
        .merge(super::collections::router())
        .merge(super::answers::router())
        .merge(super::results::router())
        .merge(super::poll_question::router())
        .merge(super::activities::router())
}

pub(super) fn tombstone(id: String, former_type: &str) -> Response {
    activity_json(
        StatusCode::GONE,
        &Tombstone {
            context: context(),
            id,
            kind: "Tombstone".into(),
            former_type: former_type.into(),
        },
    )
}

fn public_key(actor: &str, pem: String) -> Option<PublicKey> {
    Some(PublicKey {
        id: Urls::key_id(actor),
        owner: actor.to_string(),
        public_key_pem: pem,
    })
}

fn endpoints(urls: &Urls) -> Option<Endpoints> {
    Some(Endpoints {
        shared_inbox: Some(urls.shared_inbox()),
    })
}

/// A theme's `Group` document without its `@context`, for embedding in an `Update`.
pub async fn group_json(state: &AppState, slug: &str) -> Result<Actor, AppError> {
    let theme = themes::get(state, &Viewer::default(), slug).await?;
    let mut conn = state.db.acquire().await?;
    let row = theme_store::find_theme_by_slug(conn.ex(), slug)
        .await?
        .ok_or(AppError::NotFound("theme"))?;
    drop(conn);
    let keys = key_pair(state, KeyOwner::Theme(row.id)).await?;
    let urls = Urls::new(&state.config);
    let links = super::backlinks::reference_tags(state, Local::Theme(row.id)).await?;
    let mut group = group(&urls, &urls.theme(slug), &theme, keys.public_pem, links);
    group.context = Value::Null;
    Ok(group)
}

/// A theme as a `Group` actor (FEP-1b12).
pub async fn theme_actor(state: &AppState, slug: &str) -> Result<Response, AppError> {
    let theme = match themes::get(state, &Viewer::default(), slug).await {
        Ok(theme) => theme,
        Err(AppError::Gone(_)) => {
            return Ok(tombstone(Urls::new(&state.config).theme(slug), "Group"));
        }
        Err(e) => return Err(e),
    };
    let mut conn = state.db.acquire().await?;
    let row = theme_store::find_theme_by_slug(conn.ex(), slug)
        .await?
        .ok_or(AppError::NotFound("theme"))?;
    drop(conn);
    let keys = key_pair(state, KeyOwner::Theme(row.id)).await?;
    let urls = Urls::new(&state.config);
    let id = urls.theme(slug);
    let links = super::backlinks::reference_tags(state, Local::Theme(row.id)).await?;
    Ok(activity_json(
        StatusCode::OK,
        &group(&urls, &id, &theme, keys.public_pem, links),
    ))
}

fn group(urls: &Urls, id: &str, theme: &ThemeView, public_pem: String, links: Vec<Value>) -> Actor {
    Actor {
        context: context(),
        id: id.to_string(),
        kind: "Group".into(),
        preferred_username: Some(theme.slug.clone()),
        name: Some(theme.title.clone()),
        summary: Some(theme.description_html.clone()),
        url: Some(id.to_string()),
        inbox: format!("{id}/inbox"),
        outbox: Some(format!("{id}/outbox")),
        followers: Some(format!("{id}/followers")),
        following: None,
        featured: Some(format!("{id}/featured")),
        endpoints: endpoints(urls),
        public_key: public_key(id, public_pem),
        published: Some(theme.created_at.clone()),
        updated: Some(theme.updated_at.clone()),
        tag: links,
        manually_approves_followers: Some(false),
        discoverable: Some(true),
        posting_restricted_to_mods: Some(!theme.allows_now.ideas),
        theme_status: Some(theme.status.as_str().to_string()),
        phases: theme
            .phases
            .iter()
            .map(|p| PhaseObject {
                kind: "hiroba:Phase".into(),
                name: p.name.clone(),
                start_date: p.starts_on.clone(),
                end_date: p.ends_on.clone(),
                allows_ideas: p.allows.ideas,
                allows_comments: p.allows.comments,
                allows_supports: p.allows.supports,
                allows_amendments: p.allows.amendments,
            })
            .collect(),
        current_phase: theme.current_phase,
        proposal_count: Some(theme.proposal_count),
        based_on: theme.based_on.as_ref().map(|b| {
            super::wire::to_value(&super::wire::links::Link::by(
                &b.id,
                &b.title,
                &b.municipality,
            ))
        }),
    }
}

async fn instance_actor(State(state): State<AppState>) -> Result<Response, AppError> {
    let keys = key_pair(&state, KeyOwner::Instance).await?;
    let profile = instance::profile(&state).await?;
    let urls = Urls::new(&state.config);
    let id = urls.instance_actor();
    let actor = Actor {
        context: context(),
        id: id.clone(),
        // Organization, not Application: group software (Lemmy) accepts followers typed
        // Person, Service, Organization or Group only, and the municipality follows.
        kind: "Organization".into(),
        preferred_username: Some(INSTANCE_ACTOR.into()),
        name: Some(profile.name_ja.clone()),
        summary: Some(format!("{} / {}", profile.name_ja, profile.name_en)),
        url: Some(format!("{}/", urls.base())),
        inbox: format!("{id}/inbox"),
        outbox: Some(format!("{id}/outbox")),
        followers: Some(format!("{id}/followers")),
        following: None,
        featured: Some(format!("{id}/featured")),
        endpoints: endpoints(&urls),
        public_key: public_key(&id, keys.public_pem),
        published: None,
        updated: None,
        tag: Vec::new(),
        manually_approves_followers: Some(false),
        discoverable: Some(true),
        posting_restricted_to_mods: None,
        theme_status: None,
        phases: Vec::new(),
        current_phase: None,
        proposal_count: None,
        based_on: None,
    };
    Ok(activity_json(StatusCode::OK, &actor))
}

fn person(
    urls: &Urls,
    id: String,
    username: String,
    name: String,
    published: i64,
    public_pem: String,
) -> Actor {
    Actor {
        context: context(),
        inbox: format!("{id}/inbox"),
        outbox: Some(format!("{id}/outbox")),
        followers: Some(format!("{id}/followers")),
        following: None,
        featured: None,
        endpoints: endpoints(urls),
        public_key: public_key(&id, public_pem),
        url: Some(id.clone()),
        id,
        kind: "Person".into(),
        preferred_username: Some(username),
        name: Some(name),
        summary: None,
        published: Some(crate::services::rfc3339(published)),
        updated: None,
        tag: Vec::new(),
        manually_approves_followers: Some(false),
        discoverable: Some(false),
        posting_restricted_to_mods: None,
        theme_status: None,
        phases: Vec::new(),
        current_phase: None,
        proposal_count: None,
        based_on: None,
    }
}

async fn user_actor(
    State(state): State<AppState>,
    headers: HeaderMap,
    ApiPath(handle): ApiPath<String>,
) -> Result<Response, AppError> {
    if !wants_activity_json(&headers) {
        // Residents have no public profile page: their ideas are shown under themes.
        return Ok(Redirect::to("/").into_response());
    }
    let mut conn = state.db.acquire().await?;
    let (id, display_name, created_at) = store::find_user_by_handle(conn.ex(), &handle)
        .await?
        .ok_or(AppError::NotFound("user"))?;
    drop(conn);
    let keys = key_pair(&state, KeyOwner::User(id)).await?;
    let urls = Urls::new(&state.config);
    let actor = person(
        &urls,
        urls.user(&handle),
        handle,
        display_name,
        created_at,
        keys.public_pem,
    );
    Ok(activity_json(StatusCode::OK, &actor))
}

/// The pseudonymous actor of anonymous posts: nothing in it leads to the person.
async fn pseudonym_actor(
    State(state): State<AppState>,
    ApiPath(name): ApiPath<String>,
) -> Result<Response, AppError> {
    let mut conn = state.db.acquire().await?;
    let (id, _theme, created_at) = store::find_pseudonym(conn.ex(), &name)
        .await?
        .ok_or(AppError::NotFound("actor"))?;
    let word = store::pseudonym_word(conn.ex(), &name).await?;
    drop(conn);
    let keys = key_pair(&state, KeyOwner::Pseudonym(id)).await?;
    let urls = Urls::new(&state.config);
    // Shown by peers as the author's name: 匿名さん（さくら）, as on the theme's pages.
    let shown = state.catalogue.loader(crate::i18n::Lang::Ja).get_args(
        "idea-anonymous-author",
        [(
            "pseudonym",
            crate::domain::pseudonym_word::in_kana(word.as_deref().unwrap_or_default()),
        )]
        .into(),
    );
    let actor = person(
        &urls,
        urls.pseudonym(&name),
        name.clone(),
        shown,
        created_at,
        keys.public_pem,
    );
    Ok(activity_json(StatusCode::OK, &actor))
}

fn author_url(urls: &Urls, proposal: &ProposalView) -> String {
    match &proposal.author.handle {
        Some(handle) if !proposal.author.anonymous => urls.user(handle),
        _ => urls.pseudonym(&proposal.author.display_name),
    }
}

/// A proposal as a `Page`, addressed to the public and its theme.
pub fn page(urls: &Urls, proposal: &ProposalView) -> PostObject {
    let theme = urls.theme(&proposal.theme);
    PostObject {
        context: context(),
        id: urls.proposal(proposal.id),
        kind: "Page".into(),
        attributed_to: Some(author_url(urls, proposal)),
        name: Some(proposal.title.clone()),
        content: proposal.body_html.clone(),
        media_type: Some("text/html".into()),
        source: Some(Source {
            content: proposal.body.clone(),
            media_type: "text/markdown".into(),
        }),
        in_reply_to: None,
        to: vec![PUBLIC.into()],
        cc: vec![theme.clone(), format!("{theme}/followers")],
        audience: Some(theme),
        thread: Some(urls.proposal_context(proposal.id)),
        url: Some(urls.proposal(proposal.id)),
        published: Some(proposal.created_at.clone()),
        updated: (proposal.updated_at != proposal.created_at).then(|| proposal.updated_at.clone()),
        tag: proposal
            .tags
            .iter()
            .map(|t| {
                super::wire::to_value(&super::wire::links::Hashtag::new(
                    &format!("{}/themes/{}", urls.base(), proposal.theme),
                    t,
                ))
            })
            .collect(),
        sensitive: Some(false),
        content_map: None,
        attachment: Vec::new(),
        support_count: Some(proposal.support_count),
        anonymous: Some(proposal.author.anonymous),
        answer: None,
    }
}

pub async fn proposal_object(state: &AppState, id: i64) -> Result<Response, AppError> {
    if let Some(cached) = state.caches.proposal_documents.get(&id).await {
        return Ok(cached_document(&cached));
    }
    let response = render_proposal_object(state, id).await?;
    // Keep what was rendered, to answer the next readers without the database.
    let status = response.status();
    let (parts, body) = response.into_parts();
    let bytes = axum::body::to_bytes(body, 1024 * 1024)
        .await
        .map_err(|e| AppError::Internal(anyhow::anyhow!("render: {e}")))?;
    if status == StatusCode::OK || status == StatusCode::GONE {
        state
            .caches
            .proposal_documents
            .insert(id, std::sync::Arc::new((status.as_u16(), bytes.clone())))
            .await;
    }
    Ok(Response::from_parts(parts, axum::body::Body::from(bytes)))
}

fn cached_document(cached: &(u16, bytes::Bytes)) -> Response {
    let mut response = Response::new(axum::body::Body::from(cached.1.clone()));
    *response.status_mut() = StatusCode::from_u16(cached.0).unwrap_or(StatusCode::OK);
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/activity+json; charset=utf-8"),
    );
    headers.insert(header::VARY, HeaderValue::from_static("Accept"));
    response
}

pub(super) async fn render_proposal_object(
    state: &AppState,
    id: i64,
) -> Result<Response, AppError> {
    let urls = Urls::new(&state.config);
    let proposal = match proposals::get(state, &Viewer::default(), id).await {
        Ok(p) => p,
        // Hidden by moderators: gone for the fediverse.
        Err(AppError::NotFound(_)) if proposal_exists(state, id).await? => {
            return Ok(tombstone(urls.proposal(id), "Page"));
        }
        Err(e) => return Err(e),
    };
    if proposal.status != ContentStatus::Published {
        return Ok(tombstone(urls.proposal(id), "Page"));
    }
    // A proposal from the fediverse is its origin's object, not ours.
    if let Some(origin) = &proposal.origin {
        return Ok(Redirect::to(origin).into_response());
    }
    Ok(activity_json(
        StatusCode::OK,
        &page_document(state, &urls, &proposal).await?,
    ))
}

/// A proposal's `Page` with its links to what it references and the municipality's answer:
/// in its content, for every reader, and as `hiroba:answer`. An answer changes the page, so
/// it is dated by the later of the last edit and the answer.
pub async fn page_document(
    state: &AppState,
    urls: &Urls,
    proposal: &ProposalView,
) -> Result<PostObject, AppError> {
    let mut page = page(urls, proposal);
    page.tag
        .extend(super::backlinks::reference_tags(state, Local::Proposal(proposal.id)).await?);
    if let Some(answer) = crate::services::answers::current(state, proposal.id).await? {
        page.content = super::answers::content_with_answer(state, &page.content, &answer);
        let later = match page.updated.take() {
            Some(edited) => super::wire::article::later_of(&edited, &answer.answered_at),
            None => answer.answered_at.clone(),
        };
        page.updated = super::wire::article::changed_since(&proposal.created_at, &later);
        page.answer = Some(super::answers::answer_object(&answer));
    }
    Ok(page)
}

async fn proposal_exists(state: &AppState, id: i64) -> Result<bool, AppError> {
    let mut conn = state.db.acquire().await?;
    Ok(crate::storage::proposals::find(conn.ex(), id)
        .await?
        .is_some())
}

/// A comment as a `Note` replying to the proposal or to another comment (`parent_origin`
/// is the parent's id on its origin when it came from the fediverse).
pub fn note(
    urls: &Urls,
    proposal: &ProposalView,
    comment: &CommentView,
    parent_origin: Option<String>,
) -> Option<PostObject> {
    let author = comment.author.as_ref().filter(|a| !a.remote)?;
    let theme = urls.theme(&proposal.theme);
    Some(PostObject {
        context: context(),
        id: urls.comment(comment.id),
        kind: "Note".into(),
        attributed_to: Some(urls.user(&author.handle)),
        name: None,
        content: comment.body_html.clone().unwrap_or_default(),
        media_type: Some("text/html".into()),
        source: comment.body.clone().map(|content| Source {
            content,
            media_type: "text/markdown".into(),
        }),
        in_reply_to: Some(match (parent_origin, comment.parent_id) {
            (Some(origin), _) => origin,
            (None, Some(parent)) => urls.comment(parent),
            (None, None) => proposal
                .origin
                .clone()
                .unwrap_or_else(|| urls.proposal(proposal.id)),
        }),
        to: vec![PUBLIC.into()],
        cc: vec![theme.clone(), format!("{theme}/followers")],
        audience: Some(theme),
        thread: Some(urls.proposal_context(proposal.id)),
        url: Some(format!(
            "{}#comment-{}",
            urls.proposal(proposal.id),
            comment.id
        )),
        published: Some(comment.created_at.clone()),
        updated: (comment.updated_at != comment.created_at).then(|| comment.updated_at.clone()),
        tag: Vec::new(),
        sensitive: Some(false),
        content_map: None,
        attachment: Vec::new(),
        support_count: None,
        anonymous: None,
        answer: None,
    })
}

async fn comment(
    State(state): State<AppState>,
    headers: HeaderMap,
    ApiPath(id): ApiPath<i64>,
) -> Result<Response, AppError> {
    let viewer = Viewer::default();
    let row = comments::load(&state, &viewer, id).await?;
    if !wants_activity_json(&headers) {
        return Ok(
            Redirect::to(&format!("/proposals/{}#comment-{id}", row.proposal_id)).into_response(),
        );
    }
    comment_object(&state, id).await
}

/// A comment as ActivityStreams: its `Note`, a `Tombstone` (410) when it is gone, or a
/// redirect to its origin when it came from the fediverse.
pub(super) async fn comment_object(state: &AppState, id: i64) -> Result<Response, AppError> {
    let viewer = Viewer::default();
    let row = comments::load(state, &viewer, id).await?;
    let urls = Urls::new(&state.config);
    let proposal = proposals::get(state, &viewer, row.proposal_id).await?;
    let tree = comments::list(state, &viewer, row.proposal_id).await?;
    let parent_origin = row
        .parent_id
        .and_then(|parent| find_comment(tree.clone(), parent))
        .and_then(|parent| parent.origin);
    let found = find_comment(tree, id);
    // A comment from the fediverse is its origin's object, not ours.
    if let Some(origin) = found.as_ref().and_then(|c| c.origin.clone()) {
        return Ok(Redirect::to(&origin).into_response());
    }
    match found {
        Some(view) if view.status == CommentStatus::Published => {
            let Some(object) = note(&urls, &proposal, &view, parent_origin) else {
                return Ok(tombstone(urls.comment(id), "Note"));
            };
            // The same Note as delivered: a reply to a fediverse account mentions it.
            let mut object = object;
            if let Some(author) =
                super::outbox::answered_remote_author(state, &proposal, &view).await?
            {
                super::outbox::mention_remote(&mut object, &author);
            }
            Ok(activity_json(StatusCode::OK, &object))
        }
        _ => Ok(tombstone(urls.comment(id), "Note")),
    }
}

/// A resident's reply to a post from a followed actor: its `Note`, or for browsers the
/// post's page here.
async fn reply(
    State(state): State<AppState>,
    headers: HeaderMap,
    ApiPath(id): ApiPath<i64>,
) -> Result<Response, AppError> {
    if !wants_activity_json(&headers) {
        let post = crate::services::following::reply_post_id(&state, id).await?;
        return Ok(Redirect::to(&format!("/following/posts/{post}#reply-{id}")).into_response());
    }
    let (reply, post) = crate::services::following::reply_with_post(&state, id).await?;
    let published = crate::services::rfc3339(reply.created_at);
    let note = super::following::reply_note(&Urls::new(&state.config), &reply, &post, &published);
    Ok(activity_json(StatusCode::OK, &note))
}

fn find_comment(tree: Vec<CommentView>, id: i64) -> Option<CommentView> {
    let mut stack = tree;
    while let Some(mut node) = stack.pop() {
        if node.id == id {
            return Some(node);
        }
        stack.append(&mut node.replies);
    }
    None
}

/// The thread of a proposal (FEP-7888 `context`): the proposal and its visible comments.
async fn thread(
    State(state): State<AppState>,
    ApiPath(id): ApiPath<i64>,
) -> Result<Response, AppError> {
    let viewer = Viewer::default();
    let proposal = proposals::get(&state, &viewer, id).await?;
    let urls = Urls::new(&state.config);
    let mut items = vec![Value::String(urls.proposal(id))];
    let mut stack = comments::list(&state, &viewer, id).await?;
    stack.reverse();
    while let Some(mut node) = stack.pop() {
        if node.status == CommentStatus::Published {
            let id = node.origin.clone().unwrap_or_else(|| urls.comment(node.id));
            items.push(Value::String(id));
        }
        node.replies.reverse();
        stack.append(&mut node.replies);
    }
    let collection = Collection {
        attributed_to: Some(urls.theme(&proposal.theme)),
        ..Collection::ordered(urls.proposal_context(id), items.len() as i64, Some(items))
    };
    Ok(activity_json(StatusCode::OK, &collection))
}

pub(super) async fn theme_row(state: &AppState, slug: &str) -> Result<ThemeView, AppError> {
    themes::get(state, &Viewer::default(), slug).await
}
