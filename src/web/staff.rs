//! The staff area: themes and their phases, the moderation queue and blocks, user roles,
//! the municipality's profile.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use serde::Deserialize;

use super::context::PageCtx;
use super::forms::{CsrfForm, FormErrors, form_errors};
use super::pages::PagePath;
use super::{PageResult, WebError};
use crate::domain::PhaseActions;
use crate::services::Viewer;
use crate::services::instance::{self, Profile, ProfileUpdate};
use crate::services::moderation::{
    self, BlockInput, BlockKind, BlockView, ReportView, Resolution, ResolveInput,
};
use crate::services::theme_overview::{self, ThemeOverview};
use crate::services::themes::{self, PhaseInput, ThemeInput, ThemeUpdate, ThemeView};
use crate::state::AppState;
use crate::t;

#[derive(Template, WebTemplate)]
#[template(path = "staff/home.html")]
pub struct StaffHome {
    pub ctx: PageCtx,
    pub themes: Vec<ThemeOverview>,
    pub open_reports: usize,
}

fn require_moderator(ctx: &PageCtx) -> Result<(), WebError> {
    ctx.viewer().require_moderator()?;
    Ok(())
}

pub async fn home(State(state): State<AppState>, ctx: PageCtx) -> PageResult {
    require_moderator(&ctx)?;
    let viewer = ctx.viewer();
    let themes = theme_overview::all(&state, &viewer).await?;
    let open_reports = moderation::open_reports(&state, &viewer).await?.len();
    Ok(StaffHome {
        ctx,
        themes,
        open_reports,
    }
    .into_response())
}

/// One row of the phase editor, as typed.
#[derive(Debug, Default, Clone)]
pub struct PhaseRow {
    pub index: usize,
    pub name: String,
    pub description: String,
    pub staff_guidance: String,
    pub starts_on: String,
    pub ends_on: String,
    pub ideas: bool,
    pub comments: bool,
    pub supports: bool,
    pub amendments: bool,
    pub error: Option<String>,
}

impl PhaseRow {
    fn is_blank(&self) -> bool {
        self.name.trim().is_empty()
            && self.starts_on.trim().is_empty()
            && self.ends_on.trim().is_empty()
    }
}

#[derive(Debug, Default)]
pub struct ThemeForm {
    pub slug: String,
    pub title: String,
    pub description: String,
    pub tags: String,
    pub status: String,
    pub phases: Vec<PhaseRow>,
}

const BLANK_PHASE_ROWS: usize = 3;

impl ThemeForm {
    fn from_pairs(pairs: &[(String, String)]) -> Self {
        let get = |name: &str| {
            pairs
                .iter()
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.clone())
                .unwrap_or_default()
        };
        let mut phases: Vec<PhaseRow> = Vec::new();
        for (index, field, value) in super::forms::row_fields(pairs, "phase_", 41) {
            let value = value.to_string();
            while phases.len() <= index {
                let i = phases.len();
                phases.push(PhaseRow {
                    index: i,
                    ..PhaseRow::default()
                });
            }
            let row = &mut phases[index];
            match field {
                "name" => row.name = value,
                "description" => row.description = value,
                "guidance" => row.staff_guidance = value,
                "starts" => row.starts_on = value,
                "ends" => row.ends_on = value,
                "ideas" => row.ideas = true,
                "comments" => row.comments = true,
                "supports" => row.supports = true,
                "amendments" => row.amendments = true,
                _ => {}
            }
        }
        ThemeForm {
            slug: get("slug"),
            title: get("title"),
            description: get("description"),
            tags: get("tags"),
            status: get("status"),
            phases,
        }
    }

    fn from_theme(theme: &ThemeView) -> Self {
        ThemeForm {
            slug: theme.slug.clone(),
            title: theme.title.clone(),
            description: theme.description.clone(),
            tags: theme.tags.join("、"),
            status: theme.status.as_str().to_string(),
            phases: theme
                .phases
                .iter()
                .enumerate()
                .map(|(index, p)| PhaseRow {
                    index,
                    name: p.name.clone(),
                    description: p.description.clone(),
                    staff_guidance: p.staff_guidance.clone(),
                    starts_on: p.starts_on.clone(),
                    ends_on: p.ends_on.clone(),
                    ideas: p.allows.ideas,
                    comments: p.allows.comments,
                    supports: p.allows.supports,
                    amendments: p.allows.amendments,
                    error: None,
                })
                .collect(),
        }
    }

    /// Adds blank rows so that staff can add phases without JavaScript.
    fn with_blank_rows(mut self) -> Self {
        self.phases.retain(|p| !p.is_blank() || p.error.is_some());
        for (i, row) in self.phases.iter_mut().enumerate() {
            row.index = i;
        }
        for _ in 0..BLANK_PHASE_ROWS {
            let index = self.phases.len();
            self.phases.push(PhaseRow {
                index,
                ideas: true,
                comments: true,
                supports: true,
                ..PhaseRow::default()
            });
        }
        self
    }

    /// The filled-in rows, in order, with their row numbers.
    fn phase_inputs(&self) -> (Vec<PhaseInput>, Vec<usize>) {
        let filled: Vec<&PhaseRow> = self.phases.iter().filter(|p| !p.is_blank()).collect();
        let rows = filled.iter().map(|p| p.index).collect();
        let inputs = filled
            .iter()
            .map(|p| PhaseInput {
                name: p.name.clone(),
                description: p.description.clone(),
                staff_guidance: p.staff_guidance.clone(),
                starts_on: p.starts_on.clone(),
                ends_on: p.ends_on.clone(),
                allows: PhaseActions {
                    ideas: p.ideas,
                    comments: p.comments,
                    supports: p.supports,
                    amendments: p.amendments,
                },
            })
            .collect();
        (inputs, rows)
    }

    fn tag_list(&self) -> Vec<String> {
        self.tags
            .split([',', '、', ' ', '　'])
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .map(str::to_string)
            .collect()
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "staff/theme_form.html")]
pub struct ThemeFormPage {
    pub ctx: PageCtx,
    pub form: ThemeForm,
    pub errors: FormErrors,
    /// The slug of the theme being edited; `None` for a new theme.
    pub editing: Option<String>,
}

impl ThemeFormPage {
    pub fn statuses(&self) -> Vec<(&'static str, String)> {
        vec![
            ("draft", t!(self.ctx, "status-draft")),
            ("open", t!(self.ctx, "status-open")),
            ("closed", t!(self.ctx, "status-closed")),
            ("archived", t!(self.ctx, "status-archived")),
        ]
    }
}

pub async fn new_theme(ctx: PageCtx) -> PageResult {
    ctx.viewer().require_staff()?;
    let form = ThemeForm {
        status: "draft".into(),
        ..ThemeForm::default()
    }
    .with_blank_rows();
    Ok(ThemeFormPage {
        ctx,
        form,
        errors: FormErrors::default(),
        editing: None,
    }
    .into_response())
}

pub async fn edit_theme(
    State(state): State<AppState>,
    ctx: PageCtx,
    PagePath(slug): PagePath<String>,
) -> PageResult {
    ctx.viewer().require_staff()?;
    let theme = themes::get(&state, &ctx.viewer(), &slug).await?;
    let form = ThemeForm::from_theme(&theme).with_blank_rows();
    Ok(ThemeFormPage {
        ctx,
        form,
        errors: FormErrors::default(),
        editing: Some(slug),
    }
    .into_response())
}

/// Puts each phase error on the row it belongs to.
fn attach_phase_errors(form: &mut ThemeForm, errors: &FormErrors, rows: &[usize]) {
    for (service_index, row_index) in rows.iter().enumerate() {
        let prefix = format!("phases[{service_index}].");
        if let Some(message) = errors.with_prefix(&prefix)
            && let Some(row) = form.phases.iter_mut().find(|p| p.index == *row_index)
        {
            row.error = Some(message);
        }
    }
}

async fn save_theme(
    state: &AppState,
    ctx: PageCtx,
    editing: Option<String>,
    form: ThemeForm,
) -> PageResult {
    let viewer = ctx.viewer();
    let (phases, rows) = form.phase_inputs();
    let result = match &editing {
        None => {
            themes::create(
                state,
                &viewer,
                ThemeInput {
                    slug: form.slug.clone(),
                    title: form.title.clone(),
                    description: form.description.clone(),
                    tags: form.tag_list(),
                    status: Some(form.status.clone()),
                    phases,
                },
            )
            .await
        }
        Some(slug) => {
            themes::update(
                state,
                &viewer,
                slug,
                ThemeUpdate {
                    title: form.title.clone(),
                    description: form.description.clone(),
                    tags: form.tag_list(),
                    status: form.status.clone(),
                    phases,
                },
            )
            .await
        }
    };
    match result {
        Ok(theme) => ctx.see_other(&format!("/themes/{}", theme.slug)),
        Err(err) => {
            let (status, errors) = form_errors(&ctx, err)?;
            let mut form = form;
            attach_phase_errors(&mut form, &errors, &rows);
            let form = form.with_blank_rows();
            Ok((
                status,
                ThemeFormPage {
                    ctx,
                    form,
                    errors,
                    editing,
                },
            )
                .into_response())
        }
    }
}

pub async fn create_theme(
    State(state): State<AppState>,
    ctx: PageCtx,
    CsrfForm(pairs): CsrfForm<Vec<(String, String)>>,
) -> PageResult {
    ctx.viewer().require_staff()?;
    save_theme(&state, ctx, None, ThemeForm::from_pairs(&pairs)).await
}

pub async fn update_theme(
    State(state): State<AppState>,
    ctx: PageCtx,
    PagePath(slug): PagePath<String>,
    CsrfForm(pairs): CsrfForm<Vec<(String, String)>>,
) -> PageResult {
    ctx.viewer().require_staff()?;
    save_theme(&state, ctx, Some(slug), ThemeForm::from_pairs(&pairs)).await
}

#[derive(Template, WebTemplate)]
#[template(path = "staff/moderation.html")]
pub struct ModerationPage {
    pub ctx: PageCtx,
    pub reports: Vec<ReportView>,
    pub reviews: Vec<crate::services::review_requests::ReviewView>,
    pub blocks: Vec<BlockView>,
    pub errors: FormErrors,
    pub block_form: BlockForm,
}

#[derive(Debug, Default, Deserialize)]
pub struct BlockForm {
    #[serde(default)]
    pub kind: String,
    #[serde(default)]
    pub value: String,
    #[serde(default)]
    pub reason: String,
}

async fn render_moderation(
    state: &AppState,
    ctx: PageCtx,
    errors: FormErrors,
    block_form: BlockForm,
    status: StatusCode,
) -> PageResult {
    let viewer = ctx.viewer();
    let reports = moderation::open_reports(state, &viewer).await?;
    let reviews = crate::services::review_requests::open(state, &viewer).await?;
    let blocks = moderation::list_blocks(state, &viewer).await?;
    Ok((
        status,
        ModerationPage {
            ctx,
            reports,
            reviews,
            blocks,
            errors,
            block_form,
        },
    )
        .into_response())
}

pub async fn moderation_queue(State(state): State<AppState>, ctx: PageCtx) -> PageResult {
    require_moderator(&ctx)?;
    render_moderation(
        &state,
        ctx,
        FormErrors::default(),
        BlockForm::default(),
        StatusCode::OK,
    )
    .await
}

#[derive(Deserialize)]
pub struct ResolveForm {
    pub action: String,
    #[serde(default)]
    pub note: String,
}

pub async fn resolve_report(
    State(state): State<AppState>,
    ctx: PageCtx,
    PagePath(id): PagePath<i64>,
    CsrfForm(form): CsrfForm<ResolveForm>,
) -> PageResult {
    require_moderator(&ctx)?;
    let action = if form.action == "hide" {
        Resolution::Hide
    } else {
        Resolution::Dismiss
    };
    match moderation::resolve(
        &state,
        &ctx.viewer(),
        id,
        ResolveInput {
            action,
            note: form.note,
        },
    )
    .await
    {
        Ok(()) => ctx.see_other("/staff/moderation"),
        Err(err) => {
            let (status, errors) = form_errors(&ctx, err)?;
            render_moderation(&state, ctx, errors, BlockForm::default(), status).await
        }
    }
}

pub async fn add_block(
    State(state): State<AppState>,
    ctx: PageCtx,
    CsrfForm(form): CsrfForm<BlockForm>,
) -> PageResult {
    require_moderator(&ctx)?;
    let kind = if form.kind == "actor" {
        BlockKind::Actor
    } else {
        BlockKind::Domain
    };
    let input = BlockInput {
        kind,
        value: form.value.clone(),
        reason: form.reason.clone(),
    };
    match moderation::add_block(&state, &ctx.viewer(), input).await {
        Ok(_) => ctx.see_other("/staff/moderation#blocks"),
        Err(err) => {
            let (status, errors) = form_errors(&ctx, err)?;
            render_moderation(&state, ctx, errors, form, status).await
        }
    }
}

pub async fn remove_block(
    State(state): State<AppState>,
    ctx: PageCtx,
    PagePath(id): PagePath<i64>,
    CsrfForm(_): CsrfForm<Vec<(String, String)>>,
) -> PageResult {
    require_moderator(&ctx)?;
    moderation::remove_block(&state, &ctx.viewer(), id).await?;
    ctx.see_other("/staff/moderation#blocks")
}

#[derive(Template, WebTemplate)]
#[template(path = "staff/profile.html")]
pub struct ProfilePage {
    pub ctx: PageCtx,
    pub profile: Profile,
    pub form: ProfileForm,
    pub errors: FormErrors,
    /// The demo keeps its own profile: the form is shown but cannot be sent.
    pub demo: bool,
}

#[derive(Debug, Default, Deserialize)]
pub struct ProfileForm {
    #[serde(default)]
    pub name_ja: String,
    #[serde(default)]
    pub name_en: String,
    #[serde(default)]
    pub prefecture: String,
}

pub async fn profile(State(state): State<AppState>, ctx: PageCtx) -> PageResult {
    ctx.viewer().require_staff()?;
    let profile = instance::profile(&state).await?;
    let form = ProfileForm {
        name_ja: profile.name_ja.clone(),
        name_en: profile.name_en.clone(),
        prefecture: profile.prefecture.clone().unwrap_or_default(),
    };
    Ok(ProfilePage {
        ctx,
        profile,
        form,
        errors: FormErrors::default(),
        demo: state.config.demo,
    }
    .into_response())
}

pub async fn save_profile(
    State(state): State<AppState>,
    ctx: PageCtx,
    CsrfForm(form): CsrfForm<ProfileForm>,
) -> PageResult {
    let viewer: Viewer = ctx.viewer();
    viewer.require_staff()?;
    let update = ProfileUpdate {
        name_ja: form.name_ja.clone(),
        name_en: form.name_en.clone(),
        prefecture: form.prefecture.clone(),
    };
    match instance::update(&state, &viewer, update).await {
        Ok(_) => ctx.see_other("/staff"),
        Err(err) => {
            let (status, errors) = form_errors(&ctx, err)?;
            let profile = instance::profile(&state).await?;
            Ok((
                status,
                ProfilePage {
                    ctx,
                    profile,
                    form,
                    errors,
                    demo: state.config.demo,
                },
            )
                .into_response())
        }
    }
}
