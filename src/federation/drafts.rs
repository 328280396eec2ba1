//! Drafts (たたき台) on the wire: each is an `Article` attributed to its theme, with its
//! numbered paragraphs (as HTML for any reader, and as `hiroba:paragraphs` for software that
//! knows them) and its version number. The theme sends `Create` to its followers when staff
//! publish it and `Update` with each new version; the municipality announces both. Served at
//! `/drafts/{id}`, which is also the draft's page.

use axum::http::StatusCode;
use axum::response::Response;
use serde_json::{Value, json};

use super::keys::KeyOwner;
use super::objects::escape;
use super::routes::activity_json;
use super::{PUBLIC, Urls, delivery};
use crate::error::AppError;
use crate::services::Viewer;
use crate::services::accounts::random_token;
use crate::services::drafts::{self, DraftView};
use crate::state::AppState;
use crate::storage::federation as store;

/// One paragraph as HTML: its number, then its lines.
fn paragraph_html(number: i32, text: &str) -> String {
    format!(
        "<p><strong>§{number}</strong> {}</p>",
        escape(text).replace('\n', "<br>")
    )
}

/// A draft's current version as an `Article`.
pub fn article(state: &AppState, draft: &DraftView) -> Value {
    let urls = Urls::new(&state.config);
    let theme = urls.theme(&draft.theme_slug);
    let content: String = draft
        .paragraphs
        .iter()
        .map(|p| paragraph_html(p.number, &p.text))
        .collect();
    json!({
        "id": draft.url,
        "type": "Article",
        "attributedTo": theme,
        "name": draft.title,
        "content": content,
        "mediaType": "text/html",
        "to": [PUBLIC],
        "cc": [format!("{theme}/followers")],
        "audience": theme,
        "url": draft.url,
        "published": draft.published_at,
        "updated": draft.updated_at,
        "hiroba:version": draft.version,
        "hiroba:openForAmendments": draft.open_for_amendments,
        "hiroba:paragraphs": draft.paragraphs.iter().map(|p| json!({
            "type": "hiroba:Paragraph",
            "hiroba:number": p.number,
            "content": escape(&p.text),
        })).collect::<Vec<_>>(),
    })
}

/// The draft, for ActivityStreams clients asking at its id.
pub async fn draft_object(state: &AppState, id: i64) -> Result<Response, AppError> {
    let view = drafts::get(state, &Viewer::default(), id).await?;
    let mut object = article(state, &view);
    object["@context"] = super::objects::context();
    Ok(activity_json(StatusCode::OK, &object))
}

/// A draft was published (`Create`) or has a new version (`Update`).
pub async fn draft_changed(state: &AppState, id: i64, kind: &str) -> Result<(), AppError> {
    let view = match drafts::get(state, &Viewer::default(), id).await {
        Ok(view) => view,
        // Gone, or under a theme that is not public: nothing to tell.
        Err(AppError::NotFound(_)) => return Ok(()),
        Err(e) => return Err(e),
    };
    let theme_id = crate::services::themes::load(state, &Viewer::default(), &view.theme_slug)
        .await?
        .row
        .id;
    let mut conn = state.db.acquire().await?;
    let inboxes = store::follower_inboxes(conn.ex(), "theme", theme_id).await?;
    drop(conn);
    let theme_actor = Urls::new(&state.config).theme(&view.theme_slug);
    let activity = json!({
        "@context": super::objects::context(),
        "id": Urls::activity_id(&theme_actor, &kind.to_lowercase(), &random_token(12)),
        "type": kind,
        "actor": theme_actor,
        "object": article(state, &view),
        "to": [PUBLIC],
        "cc": [format!("{theme_actor}/followers")],
        "published": jiff::Timestamp::now().to_string(),
    });
    if !inboxes.is_empty() {
        delivery::enqueue(state, &inboxes, &activity, KeyOwner::Theme(theme_id)).await?;
    }
    super::municipality::announce(state, activity, None).await
}
