//! The municipality's official answer on the wire. The proposal's `Page` carries it, in its
//! `content` (state, department, text, link: what every follower's software shows) and as
//! `hiroba:answer` (the structure); its `Update` goes to the theme's followers. The
//! municipality also posts a `Note` in reply to the proposal that states the answer,
//! addressed to the theme and announced by it (FEP-1b12), mentioning the fediverse accounts
//! that posted, replied to or liked the proposal, so that they are notified: in group
//! software it is a comment in the idea's thread.

use std::collections::HashMap;

use super::objects::{PostObject, escape};
use super::wire::answer::AnswerObject;
use super::wire::create::{CreateOrUpdate, CreateOrUpdateType};
use super::wire::followers_of;
use super::{PUBLIC, Urls, outbox};
use crate::error::AppError;
use crate::i18n::Lang;
use crate::services::answers::{self, AnswerView};
use crate::services::proposals::{self, ContentStatus, ProposalView};
use crate::state::AppState;
use crate::storage::answers::RemoteParticipant;
use crate::storage::{answers as answer_store, themes as theme_store};

/// An answer as the `hiroba:answer` of a proposal's `Page` and of the answer's `Note`.
pub fn answer_object(answer: &AnswerView) -> AnswerObject {
    AnswerObject {
        kind: "hiroba:Answer".into(),
        state: answer.state.as_str().to_string(),
        content: answer.body_html.clone(),
        media_type: "text/html".into(),
        department: answer.department.clone(),
        version: answer.version,
        published: answer.answered_at.clone(),
        cost_estimate_yen: answer.cost_estimate_yen,
        cost: answer.cost.clone(),
        url: answer.link.clone(),
    }
}

/// The answer as readable HTML: its state and department, its text, and its link.
pub fn answer_html(state: &AppState, answer: &AnswerView) -> String {
    let label = state
        .catalogue
        .loader(Lang::Ja)
        .get(answer.state.label_key());
    let mut html = format!(
        "<p>【{}】（{}）</p><p>{}</p>",
        escape(&label),
        escape(&answer.department),
        escape(crate::markdown::plain_text(&answer.body_html).trim()).replace('\n', "<br>"),
    );
    let ja = state.catalogue.loader(Lang::Ja);
    let cost = match (&answer.cost, answer.cost_estimate_yen) {
        (Some(text), _) => {
            Some(ja.get_args("answer-cost-text", HashMap::from([("cost", text.clone())])))
        }
        (None, Some(yen)) => Some(ja.get_args(
            "answer-cost",
            HashMap::from([("yen", crate::domain::yen::grouped(yen))]),
        )),
        (None, None) => None,
    };
    if let Some(cost) = cost {
        html.push_str(&format!("<p>{}</p>", escape(&cost)));
    }
    if let Some(link) = &answer.link {
        html.push_str(&format!("<p><a href=\"{0}\">{0}</a></p>", escape(link)));
    }
    html
}

/// A proposal's content with the municipality's answer after it, as followers see it.
pub fn content_with_answer(state: &AppState, content: &str, answer: &AnswerView) -> String {
    format!(
        "{content}<hr><p><strong>{}</strong></p>{}",
        escape(&state.catalogue.loader(Lang::Ja).get("answer-heading")),
        answer_html(state, answer)
    )
}

/// The municipality's `Note` stating an answer, without its mentions.
pub fn answer_note(state: &AppState, proposal: &ProposalView, answer: &AnswerView) -> PostObject {
    let urls = Urls::new(&state.config);
    let theme = urls.theme(&proposal.theme);
    let page = urls.proposal(proposal.id);
    let mut content = format!(
        "<p>「{}」への回答:</p>{}",
        escape(&proposal.title),
        answer_html(state, answer)
    );
    content.push_str(&format!("<p><a href=\"{0}\">{0}</a></p>", escape(&page)));
    PostObject {
        context: serde_json::Value::Null,
        id: format!("{page}/answers/{}", answer.version),
        kind: "Note".into(),
        attributed_to: Some(urls.instance_actor()),
        name: None,
        content,
        content_map: None,
        media_type: Some("text/html".into()),
        source: None,
        in_reply_to: Some(proposal.origin.clone().unwrap_or_else(|| page.clone())),
        to: vec![PUBLIC.to_string()],
        cc: vec![theme.clone(), followers_of(&theme)],
        audience: Some(theme),
        thread: Some(urls.proposal_context(proposal.id)),
        url: Some(page),
        published: Some(answer.answered_at.clone()),
        updated: None,
        tag: Vec::new(),
        attachment: Vec::new(),
        sensitive: Some(false),
        support_count: None,
        anonymous: None,
        answer: Some(answer_object(answer)),
    }
}

/// The municipality's `Note` stating an answer, mentioning every fediverse account that
/// took part in the proposal (as sent, and as served at its id: software that fetches it
/// notifies whom it mentions); and those accounts.
async fn mentioning_note(
    state: &AppState,
    proposal: &ProposalView,
    answer: &AnswerView,
) -> Result<(PostObject, Vec<RemoteParticipant>), AppError> {
    let mut conn = state.db.acquire().await?;
    let participants = answer_store::remote_participants(conn.ex(), proposal.id).await?;
    drop(conn);
    let mut note = answer_note(state, proposal, answer);
    for who in &participants {
        let username = who.preferred_username.as_deref().unwrap_or("user");
        let profile = who.url.as_deref().unwrap_or(&who.actor_id);
        super::objects::mention(&mut note, &who.actor_id, username, &who.domain, profile);
    }
    Ok((note, participants))
}

/// Staff answered a proposal: the new `Page` to the theme's followers (for a proposal of
/// this server), and the municipality's `Note` to them and to every fediverse account that
/// took part, each mentioned.
pub async fn proposal_answered(state: &AppState, answer_id: i64) -> Result<(), AppError> {
    let Some((answer, proposal_id, _)) = answers::as_published(state, answer_id).await? else {
        return Ok(());
    };
    let Some(proposal) = proposals::as_published(state, proposal_id)
        .await?
        .filter(|p| p.status == ContentStatus::Published)
    else {
        return Ok(());
    };
    if proposal.origin.is_none() {
        outbox::proposal_updated(state, &proposal).await?;
    }
    let mut conn = state.db.acquire().await?;
    let Some(theme) = theme_store::find_theme_by_slug(conn.ex(), &proposal.theme).await? else {
        return Ok(());
    };
    drop(conn);
    let (note, participants) = mentioning_note(state, &proposal, &answer).await?;
    let mut told = Vec::new();
    for who in &participants {
        match super::actors::actor(state, &who.actor_id, false).await {
            Ok(actor) => told.push(actor.delivery_inbox()),
            Err(e) => {
                tracing::info!(actor = %who.actor_id, error = %e, "an account that took part cannot be told of the answer")
            }
        }
    }
    told.sort();
    told.dedup();
    let create = CreateOrUpdate::with_id(
        format!("{}/activity", note.id),
        CreateOrUpdateType::Create,
        note,
    );
    let theme_actor = Urls::new(&state.config).theme(&theme.slug);
    outbox::municipality_post_in_theme(state, theme.id, &theme_actor, create, told).await
}

/// The municipality's `Note` of each version of an answer, at its id.
pub fn router() -> axum::Router<AppState> {
    axum::Router::new().route(
        "/proposals/{id}/answers/{version}",
        axum::routing::get(note_at_its_id),
    )
}

async fn note_at_its_id(
    axum::extract::State(state): axum::extract::State<AppState>,
    crate::error::problem::ApiPath((id, version)): crate::error::problem::ApiPath<(i64, i32)>,
) -> Result<axum::response::Response, AppError> {
    let viewer = crate::services::Viewer::default();
    let proposal = proposals::get(&state, &viewer, id).await?;
    let answer = answers::history(&state, &viewer, id)
        .await?
        .into_iter()
        .find(|a| a.version == version)
        .ok_or(AppError::NotFound("answer"))?;
    let (note, _) = mentioning_note(&state, &proposal, &answer).await?;
    Ok(super::routes::activity_json(
        axum::http::StatusCode::OK,
        &super::wire::with_context(&note),
    ))
}
