//! Themes (テーマ): staff open them with phases; the current phase decides what residents
//! may do.

use crate::msg;
use std::sync::Arc;

use jiff::civil::Date;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::{Viewer, rfc3339};
use crate::domain::{Action, PhaseActions, Slug, Tag, ThemeStatus, parse_date, parse_text};
use crate::error::{AppError, Checker, Invalid, checker_invariant, is_unique_violation};
use crate::markdown;
use crate::state::AppState;
use crate::storage::themes::{NewPhase, PhaseRow, ThemeFields, ThemeRow};
use crate::storage::{accounts, now_millis, themes as store};

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PhaseInput {
    /// e.g. 知る, 考える, 創る
    #[schema(
        pattern = r"^[^\x00-\x1f\x7f-\x9f]*[^\s\x00-\x1f\x7f-\x9f][^\x00-\x1f\x7f-\x9f]*$",
        min_length = 1,
        max_length = 40
    )]
    pub name: String,
    /// What this phase asks of residents.
    #[serde(default)]
    #[schema(
        pattern = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]*$",
        max_length = 2000
    )]
    pub description: String,
    /// Markdown: how staff run the phase (from the method the theme was based on).
    #[serde(default)]
    #[schema(
        pattern = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]*$",
        max_length = 5000
    )]
    pub staff_guidance: String,
    /// First day (YYYY-MM-DD), in the municipality's time zone.
    #[schema(format = Date)]
    pub starts_on: String,
    /// Last day, inclusive; phases follow one another without overlapping.
    #[schema(format = Date)]
    pub ends_on: String,
    /// What residents may do during the phase.
    pub allows: PhaseActions,
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ThemeInput {
    /// URL name and fediverse handle; cannot be changed later.
    #[schema(pattern = r"^\s*[a-z0-9]+(-[a-z0-9]+)*\s*$", max_length = 64)]
    pub slug: String,
    #[schema(
        pattern = r"^[^\x00-\x1f\x7f-\x9f]*[^\s\x00-\x1f\x7f-\x9f][^\x00-\x1f\x7f-\x9f]*$",
        min_length = 1,
        max_length = 200
    )]
    pub title: String,
    /// Markdown.
    #[serde(default)]
    #[schema(
        pattern = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]*$",
        max_length = 50000
    )]
    pub description: String,
    #[serde(default)]
    #[schema(schema_with = crate::domain::schemas::tags)]
    pub tags: Vec<String>,
    /// draft (default), open, closed or archived.
    #[serde(default)]
    #[schema(value_type = Option<String>, pattern = r"^\s*(draft|open|closed|archived)?\s*$")]
    pub status: Option<String>,
    #[serde(default)]
    #[schema(max_items = 20)]
    pub phases: Vec<PhaseInput>,
}

/// The full replacement of a theme's editable fields (the slug stays).
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ThemeUpdate {
    #[schema(
        pattern = r"^[^\x00-\x1f\x7f-\x9f]*[^\s\x00-\x1f\x7f-\x9f][^\x00-\x1f\x7f-\x9f]*$",
        min_length = 1,
        max_length = 200
    )]
    pub title: String,
    #[serde(default)]
    #[schema(
        pattern = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]*$",
        max_length = 50000
    )]
    pub description: String,
    #[serde(default)]
    #[schema(schema_with = crate::domain::schemas::tags)]
    pub tags: Vec<String>,
    /// draft, open, closed or archived; empty means draft.
    #[schema(pattern = r"^\s*(draft|open|closed|archived)?\s*$")]
    pub status: String,
    #[serde(default)]
    #[schema(max_items = 20)]
    pub phases: Vec<PhaseInput>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PhaseView {
    pub name: String,
    pub description: String,
    /// How staff run the phase.
    pub staff_guidance: String,
    pub starts_on: String,
    pub ends_on: String,
    pub allows: PhaseActions,
}

/// Where the process stands today.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Progress {
    /// The theme has no phases: what is allowed follows its status alone.
    Unphased,
    NotStarted,
    InPhase,
    BetweenPhases,
    Ended,
}

/// The method a theme was started from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct BasedOn {
    /// The method's id (its URL).
    pub id: String,
    pub title: String,
    /// The municipality that published it.
    pub municipality: String,
    /// That municipality's actor, told when the theme opens; none for a method of ours.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub actor: Option<String>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ThemeView {
    pub slug: String,
    pub title: String,
    pub description: String,
    pub description_html: String,
    pub tags: Vec<String>,
    pub status: ThemeStatus,
    pub phases: Vec<PhaseView>,
    pub progress: Progress,
    /// Index into `phases` of the phase running today.
    pub current_phase: Option<usize>,
    /// What residents may do right now (status and phase together).
    pub allows_now: PhaseActions,
    pub proposal_count: i64,
    /// How many fediverse accounts follow the theme.
    pub follower_count: i64,
    /// The method the theme was started from.
    pub based_on: Option<BasedOn>,
    /// Supports that make a proposal need an answer, if the theme sets a number.
    pub support_threshold: Option<i32>,
    /// Who counts toward it: `residents` or `residents_and_fediverse`.
    pub threshold_counts: String,
    pub url: String,
    pub created_at: String,
    pub updated_at: String,
}

/// A theme loaded with everything needed to decide what it allows.
pub struct LoadedTheme {
    pub row: ThemeRow,
    pub status: ThemeStatus,
    pub phases: Vec<PhaseRow>,
    pub tags: Vec<String>,
}

impl LoadedTheme {
    fn phase_dates(phase: &PhaseRow) -> Option<(Date, Date)> {
        Some((
            parse_date(&phase.starts_on).ok()?,
            parse_date(&phase.ends_on).ok()?,
        ))
    }

    /// The progress of the process on `today` and the index of the running phase.
    pub fn progress(&self, today: Date) -> (Progress, Option<usize>) {
        if self.phases.is_empty() {
            return (Progress::Unphased, None);
        }
        let mut started = false;
        for (i, phase) in self.phases.iter().enumerate() {
            let Some((start, end)) = Self::phase_dates(phase) else {
                continue;
            };
            if start <= today && today <= end {
                return (Progress::InPhase, Some(i));
            }
            if start <= today {
                started = true;
            }
        }
        let ended = self
            .phases
            .last()
            .and_then(Self::phase_dates)
            .is_some_and(|(_, end)| end < today);
        if ended {
            (Progress::Ended, None)
        } else if started {
            (Progress::BetweenPhases, None)
        } else {
            (Progress::NotStarted, None)
        }
    }

    /// What residents may do on `today`: only in an open theme, and only what the running
    /// phase allows (everything, in an open theme without phases).
    pub fn allows(&self, today: Date) -> PhaseActions {
        if self.status != ThemeStatus::Open {
            return PhaseActions::NONE;
        }
        match self.progress(today) {
            (Progress::Unphased, _) => PhaseActions::ALL,
            (Progress::InPhase, Some(i)) => {
                let p = &self.phases[i];
                PhaseActions {
                    ideas: p.allow_ideas,
                    comments: p.allow_comments,
                    supports: p.allow_supports,
                    amendments: p.allow_amendments,
                }
            }
            _ => PhaseActions::NONE,
        }
    }

    /// Refuses the action with a message that says why, when the theme does not allow it.
    pub fn require(&self, action: Action, today: Date) -> Result<(), AppError> {
        if action.allowed_by(self.allows(today)) {
            return Ok(());
        }
        let why = match (self.status, self.progress(today)) {
            (ThemeStatus::Draft, _) => msg!("not-now-draft"),
            (ThemeStatus::Closed | ThemeStatus::Archived, _) => msg!("not-now-closed"),
            (_, (Progress::NotStarted, _)) => msg!("not-now-not-started"),
            (_, (Progress::Ended, _)) => msg!("not-now-ended"),
            (_, (Progress::BetweenPhases, _)) => msg!("not-now-between-phases"),
            (_, (_, Some(i))) => msg!("not-now-phase", phase = &self.phases[i].name),
            _ => msg!("not-now-theme"),
        };
        Err(AppError::NotAllowedNow(msg!(
            "error-not-possible-now",
            action = action.describe(),
            why = why
        )))
    }

    pub fn visible_to(&self, viewer: &Viewer) -> bool {
        self.status != ThemeStatus::Draft || viewer.can_manage_themes()
    }

    pub fn view(&self, state: &AppState) -> ThemeView {
        let today = state.config.municipality.today();
        let (progress, current_phase) = self.progress(today);
        ThemeView {
            slug: self.row.slug.clone(),
            title: self.row.title.clone(),
            description: self.row.description.clone(),
            description_html: markdown::render(&self.row.description),
            tags: self.tags.clone(),
            status: self.status,
            phases: self
                .phases
                .iter()
                .map(|p| PhaseView {
                    name: p.name.clone(),
                    description: p.description.clone(),
                    staff_guidance: p.staff_guidance.clone(),
                    starts_on: p.starts_on.clone(),
                    ends_on: p.ends_on.clone(),
                    allows: PhaseActions {
                        ideas: p.allow_ideas,
                        comments: p.allow_comments,
                        supports: p.allow_supports,
                        amendments: p.allow_amendments,
                    },
                })
                .collect(),
            progress,
            current_phase,
            allows_now: self.allows(today),
            proposal_count: self.row.proposal_count,
            follower_count: self.row.follower_count,
            based_on: self
                .row
                .based_on
                .as_deref()
                .and_then(|json| serde_json::from_str(json).ok()),
            support_threshold: self.row.support_threshold,
            threshold_counts: self.row.threshold_counts.clone(),
            url: format!("{}/themes/{}", state.config.public_url(), self.row.slug),
            created_at: rfc3339(self.row.created_at),
            updated_at: rfc3339(self.row.updated_at),
        }
    }
}

async fn complete(
    ex: &mut crate::storage::PooledConn,
    row: ThemeRow,
) -> Result<LoadedTheme, AppError> {
    let status = ThemeStatus::parse(&row.status).map_err(|e| {
        AppError::Internal(anyhow::anyhow!("theme {} status: {}", row.id, e.message))
    })?;
    let phases = store::phases(ex.ex(), row.id).await?;
    let tags = store::tags(ex.ex(), row.id).await?;
    Ok(LoadedTheme {
        row,
        status,
        phases,
        tags,
    })
}

/// Loads a theme the viewer may see, by slug.
pub async fn load(state: &AppState, viewer: &Viewer, slug: &str) -> Result<LoadedTheme, AppError> {
    let mut conn = state.db.acquire().await?;
    let Some(row) = store::find_theme_by_slug(conn.ex(), slug).await? else {
        // A removed theme says so (a draft never seen says nothing).
        return Err(
            match store::find_removed_theme(conn.ex(), Some(slug), None).await? {
                Some(removed) if removed.status != "draft" => AppError::Gone("theme"),
                _ => AppError::NotFound("theme"),
            },
        );
    };
    let theme = complete(&mut conn, row).await?;
    if !theme.visible_to(viewer) {
        return Err(AppError::NotFound("theme"));
    }
    Ok(theme)
}

pub async fn load_by_id(state: &AppState, id: i64) -> Result<LoadedTheme, AppError> {
    let mut conn = state.db.acquire().await?;
    let row = store::find_theme(conn.ex(), id)
        .await?
        .ok_or(AppError::NotFound("theme"))?;
    complete(&mut conn, row).await
}

/// A theme by id, kept in memory for a moment: the inbox asks for it on every reply and
/// like. A change made here is seen at once; one made by another process within seconds.
pub async fn load_by_id_cached(state: &AppState, id: i64) -> Result<Arc<LoadedTheme>, AppError> {
    if let Some(found) = state.caches.themes.get(&id).await {
        return Ok(found);
    }
    let theme = Arc::new(load_by_id(state, id).await?);
    state.caches.themes.insert(id, theme.clone()).await;
    Ok(theme)
}

pub async fn get(state: &AppState, viewer: &Viewer, slug: &str) -> Result<ThemeView, AppError> {
    Ok(load(state, viewer, slug).await?.view(state))
}

pub async fn list(
    state: &AppState,
    viewer: &Viewer,
    status: Option<&str>,
) -> Result<Vec<ThemeView>, AppError> {
    let status = match status {
        None => None,
        Some(s) => Some(
            ThemeStatus::parse(s.trim()).map_err(|e| AppError::Validation(vec![e.at("status")]))?,
        ),
    };
    let mut conn = state.db.acquire().await?;
    let rows = store::list_themes(
        conn.ex(),
        viewer.can_manage_themes(),
        status.map(ThemeStatus::as_str),
    )
    .await?;
    let mut views = Vec::with_capacity(rows.len());
    for row in rows {
        views.push(complete(&mut conn, row).await?.view(state));
    }
    Ok(views)
}

/// Parsed editable fields of a theme.
struct ThemeDraft {
    title: String,
    description: String,
    tags: Vec<Tag>,
    status: ThemeStatus,
    phases: Vec<ParsedPhase>,
}

struct ParsedPhase {
    name: String,
    description: String,
    staff_guidance: String,
    starts_on: Date,
    ends_on: Date,
    allows: PhaseActions,
}

const MAX_PHASES: usize = 20;

fn parse_draft(
    check: &mut Checker,
    title: &str,
    description: &str,
    tags: &[String],
    status: Option<&str>,
    phases: &[PhaseInput],
) -> Option<ThemeDraft> {
    let title = check.check("title", parse_text(title, 1, 200, false));
    let description = check.check("description", parse_text(description, 0, 50_000, true));
    let tags = match Tag::parse_list(tags) {
        Ok(tags) => Some(tags),
        Err((index, invalid)) => {
            let field = index.map_or("tags".to_string(), |i| format!("tags[{i}]"));
            check.push(invalid.at(field));
            None
        }
    };
    let status = match crate::domain::given(status) {
        None => Some(ThemeStatus::Draft),
        Some(s) => check.check("status", ThemeStatus::parse(s)),
    };
    if phases.len() > MAX_PHASES {
        check.push(
            Invalid::new("too_many", msg!("error-too-many", limit = MAX_PHASES)).at("phases"),
        );
    }
    let mut parsed = Vec::with_capacity(phases.len());
    let mut previous_end: Option<Date> = None;
    for (i, phase) in phases.iter().enumerate() {
        let at = |field: &str| format!("phases[{i}].{field}");
        let name = check.check(at("name"), parse_text(&phase.name, 1, 40, false));
        let description = check.check(
            at("description"),
            parse_text(&phase.description, 0, 2_000, true),
        );
        let staff_guidance = check.check(
            at("staff_guidance"),
            parse_text(&phase.staff_guidance, 0, 5_000, true),
        );
        let starts_on = check.check(at("starts_on"), parse_date(&phase.starts_on));
        let ends_on = check.check(at("ends_on"), parse_date(&phase.ends_on));
        if let (Some(start), Some(end)) = (starts_on, ends_on) {
            if end < start {
                check.push(
                    Invalid::new("ends_before_start", msg!("error-ends-before-start"))
                        .at(at("ends_on")),
                );
            }
            if let Some(prev) = previous_end
                && start <= prev
            {
                check.push(
                    Invalid::new("overlapping_phases", msg!("error-overlapping-phases"))
                        .at(at("starts_on")),
                );
            }
            previous_end = Some(end);
        }
        if let (
            Some(name),
            Some(description),
            Some(staff_guidance),
            Some(starts_on),
            Some(ends_on),
        ) = (name, description, staff_guidance, starts_on, ends_on)
        {
            parsed.push(ParsedPhase {
                name,
                description,
                staff_guidance,
                starts_on,
                ends_on,
                allows: phase.allows,
            });
        }
    }
    Some(ThemeDraft {
        title: title?,
        description: description?,
        tags: tags?,
        status: status?,
        phases: parsed,
    })
}

async fn write_details(
    ex: &mut crate::storage::Tx,
    theme_id: i64,
    draft: &ThemeDraft,
) -> Result<(), AppError> {
    let phases: Vec<NewPhase<'_>> = draft
        .phases
        .iter()
        .map(|p| NewPhase {
            name: &p.name,
            description: &p.description,
            staff_guidance: &p.staff_guidance,
            starts_on: p.starts_on.to_string(),
            ends_on: p.ends_on.to_string(),
            allow_ideas: p.allows.ideas,
            allow_comments: p.allows.comments,
            allow_supports: p.allows.supports,
            allow_amendments: p.allows.amendments,
        })
        .collect();
    store::replace_phases(ex.ex(), theme_id, &phases).await?;
    let tags: Vec<&str> = draft.tags.iter().map(Tag::as_str).collect();
    store::replace_tags(ex.ex(), theme_id, &tags).await?;
    Ok(())
}

pub async fn create(
    state: &AppState,
    viewer: &Viewer,
    input: ThemeInput,
) -> Result<ThemeView, AppError> {
    create_based_on(state, viewer, input, None).await
}

/// Creates a theme, recording the method it was started from when there is one.
pub async fn create_based_on(
    state: &AppState,
    viewer: &Viewer,
    input: ThemeInput,
    based_on: Option<&BasedOn>,
) -> Result<ThemeView, AppError> {
    let staff = viewer.require_staff()?;
    let mut check = Checker::new();
    let slug = check.check("slug", Slug::parse(&input.slug));
    let draft = parse_draft(
        &mut check,
        &input.title,
        &input.description,
        &input.tags,
        input.status.as_deref(),
        &input.phases,
    );
    check.finish()?;
    let (Some(slug), Some(draft)) = (slug, draft) else {
        return Err(checker_invariant());
    };
    let mut tx = state.db.begin().await?;
    if accounts::actor_name_taken(tx.ex(), slug.as_str()).await? {
        return Err(AppError::conflict("slug", msg!("error-slug-taken")));
    }
    let fields = ThemeFields {
        title: &draft.title,
        description: &draft.description,
        status: draft.status.as_str(),
    };
    let id = match store::insert_theme(
        tx.ex(),
        slug.as_str(),
        &fields,
        Some(staff.id),
        now_millis(),
    )
    .await
    {
        Ok(id) => id,
        Err(e) if is_unique_violation(&e) => {
            return Err(AppError::conflict("slug", msg!("error-slug-taken")));
        }
        Err(e) => return Err(e.into()),
    };
    write_details(&mut tx, id, &draft).await?;
    if let Some(based_on) = based_on {
        let json = serde_json::to_string(based_on).map_err(|e| AppError::Internal(e.into()))?;
        store::set_based_on(tx.ex(), id, &json).await?;
    }
    if draft.status == ThemeStatus::Open {
        super::events::record(tx.ex(), super::events::EventKind::ThemeOpened, id).await?;
    }
    tx.commit().await?;
    state.event_signal.written();
    tracing::info!(theme = slug.as_str(), by = staff.id, based_on = ?based_on.map(|b| &b.id), "theme created");
    Ok(load_by_id(state, id).await?.view(state))
}

pub async fn update(
    state: &AppState,
    viewer: &Viewer,
    slug: &str,
    input: ThemeUpdate,
) -> Result<ThemeView, AppError> {
    let staff = viewer.require_staff()?;
    let theme = load(state, viewer, slug).await?;
    let mut check = Checker::new();
    let draft = parse_draft(
        &mut check,
        &input.title,
        &input.description,
        &input.tags,
        Some(&input.status),
        &input.phases,
    );
    check.finish()?;
    let draft = draft.ok_or_else(checker_invariant)?;
    let mut tx = state.db.begin().await?;
    let fields = ThemeFields {
        title: &draft.title,
        description: &draft.description,
        status: draft.status.as_str(),
    };
    store::update_theme(tx.ex(), theme.row.id, &fields, now_millis()).await?;
    write_details(&mut tx, theme.row.id, &draft).await?;
    super::events::record(
        tx.ex(),
        super::events::EventKind::ThemeChanged,
        theme.row.id,
    )
    .await?;
    if draft.status == ThemeStatus::Open && theme.row.status != ThemeStatus::Open.as_str() {
        let kind = super::events::EventKind::ThemeOpened;
        super::events::record(tx.ex(), kind, theme.row.id).await?;
    }
    tx.commit().await?;
    state.event_signal.written();
    state.caches.themes.invalidate(&theme.row.id).await;
    tracing::info!(theme = slug, by = staff.id, "theme updated");
    Ok(load_by_id(state, theme.row.id).await?.view(state))
}
