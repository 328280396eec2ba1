//! Drafts (たたき台) on the wire: each is an `Article` by the municipality in its theme, with its
//! numbered paragraphs (as HTML for any reader, and as `hiroba:paragraphs` for software that
//! knows them) and its version number. The municipality's `Create` when staff publish it and
//! `Update` with each new version are announced by the theme to its followers (FEP-1b12) and
//! by the municipality to its own. Served at
//! `/drafts/{id}`, which is also the draft's page.

use axum::http::StatusCode;
use axum::response::Response;

use super::objects::escape;
use super::routes::activity_json;
use super::wire::article::{Article, ArticleType, Paragraph, changed_since};
use super::wire::create::{CreateOrUpdate, CreateOrUpdateType};
use super::wire::followers_of;
use super::{PUBLIC, Urls, outbox};
use crate::error::AppError;
use crate::services::Viewer;
use crate::services::drafts::{self, DraftView};
use crate::state::AppState;

/// One paragraph as HTML: its number, then its lines.
fn paragraph_html(number: i32, text: &str) -> String {
    format!(
        "<p><strong>§{number}</strong> {}</p>",
        escape(text).replace('\n', "<br>")
    )
}

/// A draft's current version as an `Article` by the municipality.
pub fn article(state: &AppState, draft: &DraftView) -> Article {
    let urls = Urls::new(&state.config);
    let theme = urls.theme(&draft.theme_slug);
    // The title leads the content: Mastodon-family software shows the content of an
    // `Article`, not its `name`.
    let version = state
        .catalogue
        .loader(crate::i18n::Lang::Ja)
        .get_args("method-version", [("version", draft.version)].into());
    let content: String = std::iter::once(format!(
        "<p><strong>{}</strong>（{}）</p>",
        escape(&draft.title),
        escape(&version)
    ))
    .chain(
        draft
            .paragraphs
            .iter()
            .map(|p| paragraph_html(p.number, &p.text)),
    )
    .collect();
    Article {
        id: draft.url.clone(),
        kind: ArticleType::Article,
        attributed_to: urls.instance_actor(),
        name: draft.title.clone(),
        content,
        media_type: "text/html".into(),
        source: None,
        to: vec![PUBLIC.to_string()],
        cc: vec![theme.clone(), followers_of(&theme)],
        audience: theme,
        url: draft.url.clone(),
        published: draft.published_at.clone(),
        updated: changed_since(&draft.published_at, &draft.updated_at),
        attachment: Vec::new(),
        reflects: None,
        progress: None,
        version: Some(draft.version),
        open_for_amendments: Some(draft.open_for_amendments),
        paragraphs: Some(
            draft
                .paragraphs
                .iter()
                .map(|p| Paragraph {
                    kind: "hiroba:Paragraph".into(),
                    number: p.number,
                    content: escape(&p.text),
                })
                .collect(),
        ),
    }
}

/// The draft, for ActivityStreams clients asking at its id.
pub async fn draft_object(state: &AppState, id: i64) -> Result<Response, AppError> {
    let view = drafts::get(state, &Viewer::default(), id).await?;
    let object = article(state, &view);
    Ok(activity_json(
        StatusCode::OK,
        &super::wire::with_context(&object),
    ))
}

/// A draft was published (`Create`) or has a new version (`Update`).
pub async fn draft_changed(
    state: &AppState,
    id: i64,
    kind: CreateOrUpdateType,
) -> Result<(), AppError> {
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
    let theme_actor = Urls::new(&state.config).theme(&view.theme_slug);
    let mut object = article(state, &view);
    if kind == CreateOrUpdateType::Update {
        object.updated.get_or_insert_with(super::wire::now);
    }
    let activity = CreateOrUpdate::fresh(kind, object);
    outbox::municipality_post_in_theme(state, theme_id, &theme_actor, activity.clone(), vec![])
        .await?;
    super::municipality::announce(state, &activity, None).await
}
