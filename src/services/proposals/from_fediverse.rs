//! Ideas that fediverse accounts address to a theme: stored while the phase takes ideas,
//! titled from the post, and changed or withdrawn only by the account that posted them.

use crate::domain::{Action, Tag, kept_text};
use crate::error::AppError;
use crate::markdown;
use crate::msg;
use crate::services::events::{self, EventKind};
use crate::services::themes::LoadedTheme;
use crate::state::AppState;
use crate::storage::{now_millis, proposals as store};

/// A proposal that a fediverse account addressed to a theme, as the inbox read it.
pub struct RemoteProposalInput {
    pub remote_actor_id: i64,
    /// The object's id on its origin.
    pub ap_id: String,
    /// The object's `name`, when it has one.
    pub name: Option<String>,
    /// HTML from the origin; sanitised when shown.
    pub content: String,
    /// Hashtag names, with or without `#`.
    pub tags: Vec<String>,
    pub published: i64,
}

/// Longest title kept from another server (characters).
const REMOTE_TITLE_CHARS: usize = 120;

/// The title of a post from the fediverse: its `name`, or else the first line of its text
/// without the leading mentions (Mastodon's notes have no title).
pub fn remote_title(name: Option<&str>, content: &str) -> String {
    let from_name = name.map(normalize_title).filter(|t| !t.is_empty());
    let title = from_name.unwrap_or_else(|| {
        let text = markdown::plain_text(content);
        // Mentions lead a post and hashtags often trail its line: neither is the title.
        let line = text
            .lines()
            .map(|line| {
                let mut words: Vec<&str> = line
                    .split_whitespace()
                    .skip_while(|word| word.starts_with(['@', '＠']))
                    .collect();
                while words.last().is_some_and(|w| w.starts_with(['#', '＃'])) {
                    words.pop();
                }
                words.join(" ")
            })
            .find(|line| !line.is_empty())
            .unwrap_or_default();
        normalize_title(&line)
    });
    if title.chars().count() <= REMOTE_TITLE_CHARS {
        return title;
    }
    let mut short: String = title.chars().take(REMOTE_TITLE_CHARS - 1).collect();
    short.push('…');
    short
}

/// A title as its author wrote it, without control characters or the spaces around it.
fn normalize_title(raw: &str) -> String {
    raw.chars()
        .filter(|c| !c.is_control())
        .collect::<String>()
        .trim()
        .to_string()
}

/// Stores a proposal posted to a theme from the fediverse, while the theme's phase takes
/// ideas. Returns its id, or `None` when the same object was already stored.
pub async fn create_from_fediverse(
    state: &AppState,
    theme: &LoadedTheme,
    input: RemoteProposalInput,
) -> Result<Option<i64>, AppError> {
    theme.require(Action::PostIdea, state.config.municipality.today())?;
    let title = remote_title(input.name.as_deref(), &input.content);
    let body = kept_text(&input.content);
    if title.is_empty() || markdown::plain_text(&body).trim().is_empty() {
        return Err(AppError::invalid(
            "content",
            "required",
            msg!("error-wire-no-text"),
        ));
    }
    let tags: Vec<Tag> =
        input
            .tags
            .iter()
            .filter_map(|t| Tag::parse(t).ok())
            .fold(Vec::new(), |mut tags, tag| {
                if !tags.contains(&tag) && tags.len() < Tag::MAX_PER_ITEM {
                    tags.push(tag);
                }
                tags
            });
    let mut tx = state.db.begin().await?;
    let stored = store::insert_remote(
        tx.ex(),
        &store::NewRemoteProposal {
            theme_id: theme.row.id,
            remote_actor_id: input.remote_actor_id,
            ap_id: &input.ap_id,
            title: &title,
            body: &body,
            published: input.published,
        },
    )
    .await?;
    if let Some(id) = stored {
        let tag_strs: Vec<&str> = tags.iter().map(Tag::as_str).collect();
        store::replace_tags(tx.ex(), id, &tag_strs).await?;
        events::record(tx.ex(), EventKind::RemoteProposalChanged, id).await?;
    }
    tx.commit().await?;
    if stored.is_some() {
        state.event_signal.written();
    }
    if let Some(id) = stored {
        tracing::info!(proposal = id, theme = %theme.row.slug, origin = %input.ap_id, "proposal from the fediverse stored");
    }
    Ok(stored)
}

/// What the origin of a proposal from the fediverse may do to it.
pub enum RemoteChange {
    /// A new title (from `name`, if any) and text.
    Edit {
        name: Option<String>,
        content: String,
    },
    Delete,
}

/// Applies an `Update` or `Delete` of a proposal from the fediverse, taken only from the
/// account that posted it. Returns the proposal's theme, or `None` when no such proposal
/// is stored.
pub async fn change_from_fediverse(
    state: &AppState,
    ap_id: &str,
    actor: &str,
    change: RemoteChange,
) -> Result<Option<ChangedIn>, AppError> {
    let mut conn = state.db.begin().await?;
    let Some(row) = store::find_by_ap_id(conn.ex(), ap_id).await? else {
        return Ok(None);
    };
    if row.remote_actor.as_deref() != Some(actor) {
        return Err(AppError::Forbidden(msg!("error-wire-not-origin")));
    }
    match change {
        RemoteChange::Edit { name, content } => {
            let title = remote_title(name.as_deref(), &content);
            let body = kept_text(&content);
            if !title.is_empty() {
                store::update_text(conn.ex(), row.id, &title, &body, now_millis()).await?;
            }
        }
        RemoteChange::Delete => {
            store::set_withdrawn(conn.ex(), row.id, now_millis()).await?;
            tracing::info!(
                proposal = row.id,
                "proposal withdrawn by its fediverse author"
            );
        }
    }
    events::record(conn.ex(), EventKind::RemoteProposalChanged, row.id).await?;
    conn.commit().await?;
    state.event_signal.written();
    state.caches.forget_proposal(row.id).await;
    Ok(Some(ChangedIn {
        theme_id: row.theme_id,
        theme_slug: row.theme_slug,
    }))
}

/// The theme of a proposal or comment a fediverse author changed, whose followers are told.
pub struct ChangedIn {
    pub theme_id: i64,
    pub theme_slug: String,
}

#[cfg(test)]
mod tests {
    use super::remote_title;

    #[test]
    fn a_note_without_a_name_is_titled_by_its_first_line_without_mentions() {
        let html = "<p><span class=\"h-card\"><a href=\"https://city.example/themes/parks\">@<span>parks</span></a></span> 駅前にベンチを増やしてほしい</p><p>理由は…</p>";
        assert_eq!(remote_title(None, html), "駅前にベンチを増やしてほしい");
        assert_eq!(remote_title(Some("  公園の照明 "), html), "公園の照明");
        let long = format!("<p>{}</p>", "あ".repeat(300));
        let title = remote_title(None, &long);
        assert_eq!(title.chars().count(), 120);
        assert!(title.ends_with('…'));
    }

    #[test]
    fn hashtags_that_trail_a_line_or_fill_it_are_not_the_title() {
        let trailing = "<p>@parks 公園に日陰のベンチを #夏 #公園</p>";
        assert_eq!(remote_title(None, trailing), "公園に日陰のベンチを");
        let own_line = "<p>#公園 #夏</p><p>木陰がほしい</p>";
        assert_eq!(remote_title(None, own_line), "木陰がほしい");
        // A hashtag inside the sentence stays.
        let inside = "<p>#公園 の木陰がほしい</p>";
        assert_eq!(remote_title(None, inside), "#公園 の木陰がほしい");
    }
}
