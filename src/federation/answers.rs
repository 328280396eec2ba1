//! The municipality's official answer on the wire: the proposal's `Page` carries it
//! (`hiroba:answer`, sent as an `Update`), and the theme posts a `Note` in reply to the
//! proposal that states it in plain words, mentioning the fediverse accounts that posted,
//! replied to or liked the proposal, so that they are notified of what the city decided.

use serde_json::{Value, json};

use super::keys::KeyOwner;
use super::objects::escape;
use super::{PUBLIC, Urls, delivery, outbox};
use crate::error::AppError;
use crate::i18n::Lang;
use crate::services::answers::{self, AnswerView};
use crate::services::proposals::{self, ContentStatus, ProposalView};
use crate::state::AppState;
use crate::storage::{answers as answer_store, themes as theme_store};

/// An answer as the `hiroba:answer` of a proposal's `Page` and of the theme's `Note`.
pub fn answer_object(answer: &AnswerView) -> Value {
    let mut object = json!({
        "type": "hiroba:Answer",
        "hiroba:state": answer.state.as_str(),
        "content": answer.body_html,
        "mediaType": "text/html",
        "hiroba:department": answer.department,
        "hiroba:version": answer.version,
        "published": answer.answered_at,
    });
    if let Some(yen) = answer.cost_estimate_yen {
        object["hiroba:costEstimateYen"] = json!(yen);
    }
    if let Some(link) = &answer.link {
        object["url"] = json!(link);
    }
    object
}

/// The theme's `Note` stating an answer, without its mentions.
pub fn answer_note(state: &AppState, proposal: &ProposalView, answer: &AnswerView) -> Value {
    let urls = Urls::new(&state.config);
    let theme = urls.theme(&proposal.theme);
    let page = urls.proposal(proposal.id);
    let label = state
        .catalogue
        .loader(Lang::Ja)
        .get(answer.state.label_key());
    let mut content = format!(
        "<p>「{}」への回答: 【{}】（{}）</p><p>{}</p>",
        escape(&proposal.title),
        escape(&label),
        escape(&answer.department),
        escape(crate::markdown::plain_text(&answer.body_html).trim()).replace('\n', "<br>"),
    );
    if let Some(link) = &answer.link {
        content.push_str(&format!("<p><a href=\"{0}\">{0}</a></p>", escape(link)));
    }
    content.push_str(&format!("<p><a href=\"{0}\">{0}</a></p>", escape(&page)));
    json!({
        "id": format!("{page}/answers/{}", answer.version),
        "type": "Note",
        "attributedTo": theme,
        "inReplyTo": proposal.origin.clone().unwrap_or_else(|| page.clone()),
        "content": content,
        "mediaType": "text/html",
        "to": [PUBLIC],
        "cc": [format!("{theme}/followers")],
        "audience": theme,
        "url": page,
        "published": answer.answered_at,
        "hiroba:answer": answer_object(answer),
    })
}

/// Staff answered a proposal: the new `Page` to the theme's followers (for a proposal of
/// this server), and the theme's `Note` to them and to every fediverse account that took
/// part, each mentioned.
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
    let mut inboxes =
        crate::storage::federation::follower_inboxes(conn.ex(), "theme", theme.id).await?;
    let participants = answer_store::remote_participants(conn.ex(), proposal_id).await?;
    drop(conn);
    let mut note = answer_note(state, &proposal, &answer);
    for who in &participants {
        let username = who.preferred_username.as_deref().unwrap_or("user");
        let profile = who.url.as_deref().unwrap_or(&who.actor_id);
        super::objects::mention(&mut note, &who.actor_id, username, &who.domain, profile);
        match super::actors::actor(state, &who.actor_id, false).await {
            Ok(actor) => inboxes.push(actor.delivery_inbox()),
            Err(e) => {
                tracing::info!(actor = %who.actor_id, error = %e, "an account that took part cannot be told of the answer")
            }
        }
    }
    inboxes.sort();
    inboxes.dedup();
    if inboxes.is_empty() {
        return Ok(());
    }
    let theme_actor = Urls::new(&state.config).theme(&theme.slug);
    let create = json!({
        "@context": super::objects::context(),
        "id": format!("{}/activity", note["id"].as_str().unwrap_or_default()),
        "type": "Create",
        "actor": theme_actor,
        "object": note,
        "to": note["to"],
        "cc": note["cc"],
        "published": answer.answered_at,
    });
    delivery::enqueue(state, &inboxes, &create, KeyOwner::Theme(theme.id)).await?;
    Ok(())
}

/// The theme's `Note` of each version of an answer, at its id.
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
    let mut note = answer_note(&state, &proposal, &answer);
    note["@context"] = super::objects::context();
    Ok(super::routes::activity_json(
        axum::http::StatusCode::OK,
        &note,
    ))
}
