//! The residents' pages: home, theme board, idea with its comments.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{FromRequestParts, Query, State};
use axum::http::StatusCode;
use axum::http::request::Parts;
use axum::response::IntoResponse;
use serde::Deserialize;
use serde::de::DeserializeOwned;

use super::context::PageCtx;
use super::forms::{CsrfForm, FormErrors, form_errors};
use super::{PageResult, WebError};
use crate::error::AppError;
use crate::services::Page;
use crate::services::comments::{self, CommentInput, CommentView};
use crate::services::proposals::{self, ListQuery, ProposalInput, ProposalView};
use crate::services::themes::{self, Progress, ThemeView};
use crate::state::AppState;
use crate::t;

/// A path parameter; a malformed one is a 404 page.
pub struct PagePath<T>(pub T);

impl<T: DeserializeOwned + Send, S: Send + Sync> FromRequestParts<S> for PagePath<T> {
    type Rejection = WebError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        axum::extract::Path::<T>::from_request_parts(parts, state)
            .await
            .map(|p| PagePath(p.0))
            .map_err(|_| WebError(AppError::NotFound("page")))
    }
}

/// Labels that need a number or a name, for templates.
impl PageCtx {
    pub fn supports_label(&self, count: &i64) -> String {
        let count: i64 = *count;
        crate::t!(self, "idea-supports", count = count)
    }

    pub fn remote_supports_label(&self, count: &i64) -> String {
        let count: i64 = *count;
        crate::t!(self, "idea-remote-supports", count = count)
    }

    pub fn comments_label(&self, count: &i64) -> String {
        let count: i64 = *count;
        crate::t!(self, "idea-comments", count = count)
    }

    pub fn ideas_label(&self, count: &i64) -> String {
        let count: i64 = *count;
        crate::t!(self, "theme-idea-count", count = count)
    }

    pub fn results_label(&self, count: impl std::borrow::Borrow<usize>) -> String {
        let count = *count.borrow() as i64;
        crate::t!(self, "search-results", count = count)
    }

    pub fn reports_label(&self, count: impl std::borrow::Borrow<usize>) -> String {
        let count = *count.borrow() as i64;
        crate::t!(self, "reports-open", count = count)
    }

    pub fn phase_number(&self, index: &usize) -> String {
        let number = (*index + 1) as i64;
        crate::t!(self, "staff-phase-number", number = number)
    }

    pub fn period(&self, from: &str, to: &str) -> String {
        crate::t!(
            self,
            "phase-period",
            from = self.date(from),
            to = self.date(to)
        )
    }

    /// The dates of the phase running today, or nothing.
    pub fn current_period(&self, theme: &ThemeView) -> String {
        theme
            .current_phase
            .and_then(|i| theme.phases.get(i))
            .map(|p| self.period(&p.starts_on, &p.ends_on))
            .unwrap_or_default()
    }

    pub fn author_name(&self, idea: &ProposalView) -> String {
        if idea.author.anonymous {
            use crate::domain::pseudonym_word;
            let key = idea.author.nickname.as_deref().unwrap_or_default();
            let word = match self.lang {
                crate::i18n::Lang::Ja => pseudonym_word::in_kana(key),
                crate::i18n::Lang::En => pseudonym_word::in_latin(key),
            };
            crate::t!(self, "idea-anonymous-author", pseudonym = word)
        } else {
            idea.author.display_name.clone()
        }
    }

    /// What the current phase (or the status) means for residents, in one line.
    pub fn progress_label(&self, theme: &ThemeView) -> String {
        match (theme.progress, theme.current_phase) {
            (_, Some(i)) => crate::t!(
                self,
                "theme-now-in-phase",
                phase = theme.phases[i].name.clone()
            ),
            (Progress::NotStarted, _) => crate::t!(self, "theme-not-started"),
            (Progress::BetweenPhases, _) => crate::t!(self, "theme-between-phases"),
            (Progress::Ended, _) => crate::t!(self, "theme-ended"),
            (Progress::Unphased, _) | (Progress::InPhase, None) => String::new(),
        }
    }

    pub fn status_label(&self, theme: &ThemeView) -> String {
        use crate::domain::ThemeStatus;
        match theme.status {
            ThemeStatus::Draft => crate::t!(self, "status-draft"),
            ThemeStatus::Open => crate::t!(self, "status-open"),
            ThemeStatus::Closed => crate::t!(self, "status-closed"),
            ThemeStatus::Archived => crate::t!(self, "status-archived"),
        }
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "home.html")]
pub struct HomePage {
    pub ctx: PageCtx,
    pub themes: Vec<ThemeView>,
    pub recent: Vec<ProposalView>,
    pub prefecture: Option<String>,
}

pub async fn home(State(state): State<AppState>, ctx: PageCtx) -> PageResult {
    let viewer = ctx.viewer();
    let mut themes: Vec<ThemeView> = themes::list(&state, &viewer, None)
        .await?
        .into_iter()
        .filter(|t| t.status != crate::domain::ThemeStatus::Draft)
        .collect();
    // Open themes first: that is where residents can take part today.
    themes.sort_by_key(|t| t.status != crate::domain::ThemeStatus::Open);
    let recent = proposals::recent(&state, &viewer, 6).await?;
    Ok(HomePage {
        ctx,
        themes,
        recent,
        prefecture: crate::services::instance::profile(&state).await?.prefecture,
    }
    .into_response())
}

impl HomePage {
    pub fn search_query(&self) -> &str {
        ""
    }
}

#[derive(Debug, Default, Deserialize)]
pub struct BoardQuery {
    pub tag: Option<String>,
    pub sort: Option<String>,
    /// An answer state, or `unanswered`.
    pub state: Option<String>,
    pub page: Option<u32>,
}

/// What a resident typed into the idea form, kept when the form is refused.
#[derive(Debug, Default, Deserialize)]
pub struct IdeaForm {
    #[serde(default)]
    pub title: String,
    #[serde(default)]
    pub body: String,
    #[serde(default)]
    pub tags: String,
    #[serde(default)]
    pub anonymous: Option<String>,
}

impl IdeaForm {
    fn tag_list(&self) -> Vec<String> {
        self.tags
            .split([',', '、', ' ', '　', '\n'])
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .map(str::to_string)
            .collect()
    }

    pub fn is_anonymous(&self) -> bool {
        self.anonymous.is_some()
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "theme.html")]
pub struct ThemePage {
    pub ctx: PageCtx,
    pub theme: ThemeView,
    pub ideas: Vec<ProposalView>,
    pub has_more: bool,
    pub page: u32,
    pub tag: Option<String>,
    pub sort: String,
    /// The answer state the board shows only, or `unanswered`.
    pub state: Option<String>,
    pub answer_states: Vec<(&'static str, String)>,
    pub tags: Vec<String>,
    pub form: IdeaForm,
    pub errors: FormErrors,
    pub handle: String,
    /// What the visitor typed into the follow box, and why it did not work.
    pub follow_account: String,
    pub follow_error: Option<String>,
    /// Cards of other instances' projects that staff referenced.
    pub references: Vec<crate::services::references::ReferenceView>,
    /// Other instances' projects that reference this theme (those staff did not hide).
    pub backlinks: Vec<crate::services::backlinks::BacklinkView>,
    /// Whether staff published results (the page links them).
    pub has_results: bool,
    pub has_drafts: bool,
    pub has_surveys: bool,
}

impl ThemePage {
    pub fn sort_link(&self, sort: &str) -> String {
        let mut link = format!("/themes/{}?sort={sort}", self.theme.slug);
        if let Some(tag) = &self.tag {
            link.push_str(&format!("&tag={}", super::encode_component(tag)));
        }
        if let Some(state) = &self.state {
            link.push_str(&format!("&state={}", super::encode_component(state)));
        }
        link
    }

    pub fn tag_link(&self, tag: &str) -> String {
        let mut link = format!(
            "/themes/{}?sort={}&tag={}",
            self.theme.slug,
            self.sort,
            super::encode_component(tag)
        );
        if let Some(state) = &self.state {
            link.push_str(&format!("&state={}", super::encode_component(state)));
        }
        link
    }

    /// The board with only the ideas whose answer has `state` (all for "").
    pub fn state_link(&self, state: &str) -> String {
        let mut link = format!("/themes/{}?sort={}", self.theme.slug, self.sort);
        if let Some(tag) = &self.tag {
            link.push_str(&format!("&tag={}", super::encode_component(tag)));
        }
        if !state.is_empty() {
            link.push_str(&format!("&state={}", super::encode_component(state)));
        }
        link
    }

    pub fn page_link(&self, page: u32) -> String {
        let mut link = self.sort_link(&self.sort);
        link.push_str(&format!("&page={page}"));
        link
    }

    pub fn is_current_phase(&self, index: &usize) -> bool {
        self.theme.current_phase == Some(*index)
    }

    /// Whether a phase may promise comments: there must be something to comment on, ideas
    /// posted in that phase or already there (a phase for reading before ideas are asked
    /// for promises nothing it cannot keep).
    pub fn promises_comments(&self, phase: &crate::services::themes::PhaseView) -> bool {
        phase.allows.comments && (phase.allows.ideas || self.theme.proposal_count > 0)
    }
}

/// What the theme page shows besides the theme: the idea form as typed, its errors, the
/// follow box's input and error, and the status to answer with.
pub struct ThemeForms {
    pub form: IdeaForm,
    pub errors: FormErrors,
    pub status: StatusCode,
    pub follow: Option<(String, String)>,
}

impl Default for ThemeForms {
    fn default() -> Self {
        Self {
            form: IdeaForm::default(),
            errors: FormErrors::default(),
            status: StatusCode::OK,
            follow: None,
        }
    }
}

async fn render_theme(
    state: &AppState,
    ctx: PageCtx,
    slug: &str,
    query: BoardQuery,
    forms: ThemeForms,
) -> PageResult {
    let viewer = ctx.viewer();
    let theme = themes::get(state, &viewer, slug).await?;
    let sort = match query.sort.as_deref() {
        Some("most_supported") => "most_supported",
        Some("most_discussed") => "most_discussed",
        _ => "newest",
    };
    let page = Page::parse(query.page.filter(|p| *p > 0), Some(30))?;
    let tag = query.tag.filter(|t| !t.trim().is_empty());
    let state_filter = query.state.filter(|s| !s.trim().is_empty());
    let (ideas, has_more) = proposals::list(
        state,
        &viewer,
        slug,
        ListQuery {
            tag: tag.as_deref(),
            sort: Some(sort),
            state: state_filter.as_deref(),
            page,
        },
    )
    .await
    .or_else(|e| match e {
        // An unusable tag filter shows an empty board rather than an error page.
        AppError::Validation(_) => Ok((Vec::new(), false)),
        other => Err(other),
    })?;
    let mut tags = theme.tags.clone();
    for idea in &ideas {
        for t in &idea.tags {
            if !tags.contains(t) {
                tags.push(t.clone());
            }
        }
    }
    let handle = format!("@{}@{}", theme.slug, state.config.domain);
    let ThemeForms {
        form,
        errors,
        status,
        follow,
    } = forms;
    let answer_states = super::answers::state_choices(&ctx);
    let page = ThemePage {
        ctx,
        theme,
        ideas,
        has_more,
        page: page.number,
        tag,
        sort: sort.to_string(),
        state: state_filter,
        answer_states,
        tags,
        form,
        errors,
        handle,
        follow_account: follow.as_ref().map(|f| f.0.clone()).unwrap_or_default(),
        follow_error: follow.map(|f| f.1),
        references: crate::services::references::of_theme(state, &viewer, slug).await?,
        has_results: crate::services::results::exist(state, &viewer, slug).await?,
        has_drafts: crate::services::drafts::exist(state, &viewer, slug).await?,
        has_surveys: crate::services::surveys::exist(state, &viewer, slug).await?,
        backlinks: crate::services::backlinks::of_theme(state, &viewer, slug)
            .await?
            .into_iter()
            .filter(|b| !b.hidden)
            .collect(),
    };
    Ok((status, page).into_response())
}

pub async fn theme(
    State(state): State<AppState>,
    ctx: PageCtx,
    PagePath(slug): PagePath<String>,
    Query(query): Query<BoardQuery>,
) -> PageResult {
    render_theme(&state, ctx, &slug, query, ThemeForms::default()).await
}

pub async fn post_idea(
    State(state): State<AppState>,
    ctx: PageCtx,
    PagePath(slug): PagePath<String>,
    CsrfForm(form): CsrfForm<IdeaForm>,
) -> PageResult {
    let viewer = ctx.viewer();
    viewer.user()?;
    let input = ProposalInput {
        title: form.title.clone(),
        body: form.body.clone(),
        tags: form.tag_list(),
        anonymous: form.is_anonymous(),
    };
    match proposals::create(&state, &viewer, &slug, input).await {
        Ok(idea) => ctx.see_other(&format!("/proposals/{}", idea.id)),
        Err(err) => {
            let (status, errors) = form_errors(&ctx, err)?;
            render_theme(
                &state,
                ctx,
                &slug,
                BoardQuery::default(),
                ThemeForms {
                    form,
                    errors,
                    status,
                    follow: None,
                },
            )
            .await
        }
    }
}

/// One comment of the tree, flattened for the template: after a comment without replies
/// the template closes `close_levels` enclosing reply lists.
pub struct CommentItem {
    pub comment: CommentView,
    pub has_replies: bool,
    pub close_levels: usize,
}

fn flatten(nodes: Vec<CommentView>, out: &mut Vec<CommentItem>) {
    for mut node in nodes {
        let replies = std::mem::take(&mut node.replies);
        let has_replies = !replies.is_empty();
        out.push(CommentItem {
            comment: node,
            has_replies,
            close_levels: 0,
        });
        if has_replies {
            flatten(replies, out);
            if let Some(last) = out.last_mut() {
                last.close_levels += 1;
            }
        }
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "idea.html")]
pub struct IdeaPage {
    pub ctx: PageCtx,
    /// A one-time notice after a redirect (`reported`, `report_error`).
    pub notice: Option<String>,
    pub idea: ProposalView,
    pub theme: ThemeView,
    pub comments: Vec<CommentItem>,
    pub comment_form: CommentForm,
    pub errors: FormErrors,
    /// Cards of other instances' projects that staff referenced from this idea.
    pub references: Vec<crate::services::references::ReferenceView>,
    /// Other instances' projects that reference this idea (those staff did not hide).
    pub backlinks: Vec<crate::services::backlinks::BacklinkView>,
    /// The answers before the current one, newest first.
    pub earlier_answers: Vec<crate::services::answers::AnswerView>,
    /// The staff answer form, as typed or as the answer is now.
    pub answer_form: super::answers::AnswerForm,
    pub answer_states: Vec<(&'static str, String)>,
}

impl IdeaPage {
    pub fn replying_to(&self, id: &i64) -> bool {
        self.comment_form.parent_id.as_deref() == Some(id.to_string().as_str())
    }
}

#[derive(Debug, Default, Deserialize)]
pub struct CommentForm {
    #[serde(default)]
    pub body: String,
    #[serde(default)]
    pub parent_id: Option<String>,
}

#[allow(clippy::too_many_arguments)]
pub(super) async fn render_idea(
    state: &AppState,
    ctx: PageCtx,
    id: i64,
    comment_form: CommentForm,
    answer_form: Option<super::answers::AnswerForm>,
    errors: FormErrors,
    status: StatusCode,
    notice: Option<String>,
) -> PageResult {
    let viewer = ctx.viewer();
    let idea = proposals::get(state, &viewer, id).await?;
    // Reading the idea reads what the resident was told of it.
    if ctx.unread > 0 {
        crate::services::notifications::seen_proposal(state, &viewer, id).await?;
    }
    let mut earlier_answers = crate::services::answers::history(state, &viewer, id).await?;
    if !earlier_answers.is_empty() {
        earlier_answers.remove(0);
    }
    let answer_form = answer_form.unwrap_or_else(|| {
        idea.answer
            .as_ref()
            .map(super::answers::AnswerForm::from_answer)
            .unwrap_or_default()
    });
    let answer_states = super::answers::state_choices(&ctx);
    let theme = themes::get(state, &viewer, &idea.theme).await?;
    let mut items = Vec::new();
    flatten(comments::list(state, &viewer, id).await?, &mut items);
    let references =
        crate::services::references::list(state, crate::services::references::Local::Proposal(id))
            .await?;
    let linked = crate::services::backlinks::Linked::Proposal(id);
    let mut backlinks = crate::services::backlinks::list(state, &viewer, linked).await?;
    backlinks.retain(|b| !b.hidden);
    let page = IdeaPage {
        ctx,
        notice,
        idea,
        theme,
        comments: items,
        comment_form,
        errors,
        references,
        backlinks,
        earlier_answers,
        answer_form,
        answer_states,
    };
    Ok((status, page).into_response())
}

#[derive(Debug, Default, Deserialize)]
pub struct IdeaQuery {
    pub reported: Option<String>,
    pub report_error: Option<String>,
}

pub async fn idea(
    State(state): State<AppState>,
    ctx: PageCtx,
    PagePath(id): PagePath<i64>,
    Query(query): Query<IdeaQuery>,
) -> PageResult {
    let notice = if query.reported.is_some() {
        Some(crate::t!(ctx, "report-received"))
    } else if query.report_error.is_some() {
        Some(crate::t!(ctx, "report-needs-reason"))
    } else {
        None
    };
    render_idea(
        &state,
        ctx,
        id,
        CommentForm::default(),
        None,
        FormErrors::default(),
        StatusCode::OK,
        notice,
    )
    .await
}

#[derive(Debug, Deserialize)]
pub struct SupportForm {
    pub action: String,
}

pub async fn support(
    State(state): State<AppState>,
    ctx: PageCtx,
    PagePath(id): PagePath<i64>,
    CsrfForm(form): CsrfForm<SupportForm>,
) -> PageResult {
    let viewer = ctx.viewer();
    viewer.user()?;
    match proposals::set_support(&state, &viewer, id, form.action != "remove").await {
        Ok(_) => ctx.see_other(&format!("/proposals/{id}#support")),
        Err(err) => {
            let (status, errors) = form_errors(&ctx, err)?;
            render_idea(
                &state,
                ctx,
                id,
                CommentForm::default(),
                None,
                errors,
                status,
                None,
            )
            .await
        }
    }
}

pub async fn post_comment(
    State(state): State<AppState>,
    ctx: PageCtx,
    PagePath(id): PagePath<i64>,
    CsrfForm(form): CsrfForm<CommentForm>,
) -> PageResult {
    let viewer = ctx.viewer();
    viewer.user()?;
    let parent_id = match form.parent_id.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(raw) => Some(
            raw.parse::<i64>()
                .map_err(|_| AppError::NotFound("comment"))?,
        ),
    };
    let input = CommentInput {
        body: form.body.clone(),
        parent_id,
    };
    match comments::create(&state, &viewer, id, input).await {
        Ok(comment) => ctx.see_other(&format!("/proposals/{id}#comment-{}", comment.id)),
        Err(err) => {
            let (status, errors) = form_errors(&ctx, err)?;
            render_idea(&state, ctx, id, form, None, errors, status, None).await
        }
    }
}

#[derive(Debug, Default, Deserialize)]
pub struct RemoteFollowForm {
    #[serde(default)]
    pub account: String,
}

/// Sends the visitor to their own server to confirm following the theme.
pub async fn remote_follow(
    State(state): State<AppState>,
    ctx: PageCtx,
    PagePath(slug): PagePath<String>,
    CsrfForm(form): CsrfForm<RemoteFollowForm>,
) -> PageResult {
    use crate::federation::remote_follow::{RemoteFollowError, subscribe_url};
    let theme = themes::get(&state, &ctx.viewer(), &slug).await?;
    let target = crate::federation::Urls::new(&state.config).theme(&theme.slug);
    match subscribe_url(&state, &form.account, &target).await {
        Ok(url) => Ok(axum::response::Redirect::to(&url).into_response()),
        Err(error) => {
            let message = match error {
                RemoteFollowError::NotAHandle => crate::t!(ctx, "follow-error-handle"),
                RemoteFollowError::Unreachable => crate::t!(ctx, "follow-error-unreachable"),
                RemoteFollowError::NoTemplate | RemoteFollowError::NoActor => {
                    let handle = format!("@{}@{}", theme.slug, state.config.domain);
                    crate::t!(ctx, "follow-error-no-template", handle = handle)
                }
            };
            render_theme(
                &state,
                ctx,
                &slug,
                BoardQuery::default(),
                ThemeForms {
                    status: StatusCode::UNPROCESSABLE_ENTITY,
                    follow: Some((form.account, message)),
                    ..ThemeForms::default()
                },
            )
            .await
        }
    }
}
