//! Surveys (アンケート): staff build one on a theme as sections of questions; residents, the
//! holders of one-time links, and help-desk staff entering a paper answer (代理入力) answer
//! it while it is open. A response is stored without its account: the account is only
//! marked as having answered, and the respondent keeps the key that can change the answer.

use crate::msg;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::accounts::{random_token, token_digest};
use super::{Viewer, rfc3339};
use crate::domain::surveys::{MAX_QUESTIONS, Question, QuestionDraft, QuestionKind};
use crate::domain::{parse_date, parse_text};
use crate::error::{AppError, Checker, Invalid};
use crate::state::AppState;
use crate::storage::now_millis;
use crate::storage::survey_edits;
use crate::storage::surveys::{self as store, SurveyRow};

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct QuestionInput {
    pub kind: QuestionKind,
    #[schema(min_length = 1, max_length = 500)]
    pub prompt: String,
    #[serde(default)]
    #[schema(max_length = 1000)]
    pub help: String,
    #[serde(default)]
    pub required: bool,
    /// Choices and ranking: the options, in order (2 to 30).
    #[serde(default)]
    pub options: Vec<String>,
    /// Multiple choice and ranking: how many may be chosen.
    #[serde(default)]
    pub max_choices: Option<i64>,
    /// Labelled scales: 5 or 7 points.
    #[serde(default)]
    pub points: Option<i64>,
    /// Numbers: the allowed range.
    #[serde(default)]
    pub min: Option<i64>,
    #[serde(default)]
    pub max: Option<i64>,
    /// Scales: what the lowest and highest points mean.
    #[serde(default)]
    #[schema(max_length = 50)]
    pub low_label: String,
    #[serde(default)]
    #[schema(max_length = 50)]
    pub high_label: String,
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SectionInput {
    #[serde(default)]
    #[schema(max_length = 200)]
    pub title: String,
    #[serde(default)]
    #[schema(max_length = 2000)]
    pub description: String,
    pub questions: Vec<QuestionInput>,
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SurveyInput {
    #[schema(min_length = 1, max_length = 200)]
    pub title: String,
    #[serde(default)]
    #[schema(max_length = 5000)]
    pub description: String,
    /// Who answers: `residents` (one answer per account) or `link` (one per one-time link).
    #[serde(default)]
    pub audience: Audience,
    /// Open from this day to `closes_on` (both included, in the municipality's time zone)...
    #[serde(default)]
    pub opens_on: Option<String>,
    #[serde(default)]
    pub closes_on: Option<String>,
    /// ...or while this phase of the theme runs (numbered from 1).
    #[serde(default)]
    #[schema(minimum = 1)]
    pub phase: Option<i64>,
    pub sections: Vec<SectionInput>,
    /// Create it as a draft that only staff see, to publish later.
    #[serde(default)]
    pub draft: bool,
}

/// Where a survey stands for staff: a draft only they see, published, or archived (kept
/// with its answers, out of residents' view).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum SurveyState {
    Draft,
    Published,
    Archived,
}

impl SurveyState {
    pub fn as_str(self) -> &'static str {
        match self {
            SurveyState::Draft => "draft",
            SurveyState::Published => "published",
            SurveyState::Archived => "archived",
        }
    }

    pub(super) fn parse(stored: &str) -> SurveyState {
        match stored {
            "draft" => SurveyState::Draft,
            "archived" => SurveyState::Archived,
            _ => SurveyState::Published,
        }
    }
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Audience {
    #[default]
    Residents,
    Link,
}

impl Audience {
    pub fn as_str(self) -> &'static str {
        match self {
            Audience::Residents => "residents",
            Audience::Link => "link",
        }
    }
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct OptionView {
    /// The number an answer gives to choose it.
    pub number: i32,
    pub label: String,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct QuestionView {
    pub id: i64,
    pub kind: QuestionKind,
    pub prompt: String,
    pub help: String,
    pub required: bool,
    pub options: Vec<OptionView>,
    pub max_choices: Option<i64>,
    /// Scales: the lowest and highest point; numbers: the allowed range.
    pub low: Option<i64>,
    pub high: Option<i64>,
    pub low_label: String,
    pub high_label: String,
    /// When staff last corrected its wording after answers came in.
    pub edited_at: Option<String>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SectionView {
    pub title: String,
    pub description: String,
    pub questions: Vec<QuestionView>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SurveyView {
    pub id: i64,
    pub theme_slug: Option<String>,
    pub title: String,
    pub description: String,
    pub audience: Audience,
    pub opens_on: Option<String>,
    pub closes_on: Option<String>,
    pub phase: Option<i64>,
    /// Whether it takes answers today.
    pub open: bool,
    /// Whether it has closed (its results are then public).
    pub closed: bool,
    /// Whether staff closed it before its end (they may open it again until then).
    pub closed_early: bool,
    pub response_count: i32,
    /// Whether the signed-in viewer has answered.
    pub answered: bool,
    pub sections: Vec<SectionView>,
    pub created_at: String,
    pub state: SurveyState,
    /// When staff last corrected its wording after answers came in (the survey says so).
    pub edited_at: Option<String>,
}

impl SurveyView {
    pub fn questions(&self) -> impl Iterator<Item = &QuestionView> {
        self.sections.iter().flat_map(|s| &s.questions)
    }
}

/// A survey row with the theme it belongs to, checked visible to the viewer.
pub(super) struct Loaded {
    pub(super) row: SurveyRow,
    pub(super) theme: Option<std::sync::Arc<super::themes::LoadedTheme>>,
}

impl Loaded {
    fn phase_number(&self) -> Option<i64> {
        let (id, theme) = (self.row.phase_id?, self.theme.as_ref()?);
        theme
            .phases
            .iter()
            .position(|p| p.id == id)
            .map(|i| i as i64 + 1)
    }

    /// Whether it takes answers on `today`, and whether it has closed (staff may open a
    /// survey they closed early again before its end).
    pub(super) fn window(&self, today: jiff::civil::Date) -> (bool, bool) {
        match SurveyState::parse(&self.row.state) {
            SurveyState::Draft => return (false, false),
            SurveyState::Archived => return (false, true),
            SurveyState::Published => {}
        }
        if self.row.closed_at.is_some() {
            return (false, true);
        }
        let theme_open = self
            .theme
            .as_ref()
            .is_none_or(|t| t.status == crate::domain::ThemeStatus::Open);
        if let (Some(phase_id), Some(theme)) = (self.row.phase_id, self.theme.as_ref()) {
            let Some(phase) = theme.phases.iter().find(|p| p.id == phase_id) else {
                return (false, true);
            };
            let (Ok(starts), Ok(ends)) = (parse_date(&phase.starts_on), parse_date(&phase.ends_on))
            else {
                return (false, false);
            };
            let ended = today > ends;
            return (theme_open && starts <= today && !ended, ended);
        }
        let opens = self
            .row
            .opens_on
            .as_deref()
            .and_then(|d| parse_date(d).ok());
        let closes = self
            .row
            .closes_on
            .as_deref()
            .and_then(|d| parse_date(d).ok());
        let started = opens.is_none_or(|d| d <= today);
        let ended = closes.is_some_and(|d| today > d);
        (theme_open && started && !ended, ended)
    }
}

pub(super) async fn load(state: &AppState, viewer: &Viewer, id: i64) -> Result<Loaded, AppError> {
    let mut conn = state.db.acquire().await?;
    let row = store::find(conn.ex(), id)
        .await?
        .ok_or(AppError::NotFound("survey"))?;
    drop(conn);
    let theme = match row.theme_id {
        Some(theme_id) => {
            let theme = super::themes::load_by_id(state, theme_id)
                .await
                .map_err(|_| AppError::NotFound("survey"))?;
            if !theme.visible_to(viewer) {
                return Err(AppError::NotFound("survey"));
            }
            Some(std::sync::Arc::new(theme))
        }
        None => None,
    };
    if SurveyState::parse(&row.state) != SurveyState::Published && !viewer.can_manage_themes() {
        return Err(AppError::NotFound("survey"));
    }
    Ok(Loaded { row, theme })
}

/// A survey as staff described it, checked.
pub(super) struct ParsedSurvey {
    pub(super) title: String,
    pub(super) description: String,
    pub(super) audience: Audience,
    /// Each section's title and description.
    pub(super) sections: Vec<(String, String)>,
    /// Each question with the section (from 0) it is in.
    pub(super) questions: Vec<(i32, Question)>,
    pub(super) opens_on: Option<String>,
    pub(super) closes_on: Option<String>,
    pub(super) phase_id: Option<i64>,
}

impl ParsedSurvey {
    pub(super) fn settings(&self) -> survey_edits::Settings<'_> {
        survey_edits::Settings {
            title: &self.title,
            description: &self.description,
            audience: self.audience.as_str(),
            opens_on: self.opens_on.as_deref(),
            closes_on: self.closes_on.as_deref(),
            phase_id: self.phase_id,
        }
    }

    pub(super) fn new_sections(&self) -> Vec<store::NewSection<'_>> {
        self.sections
            .iter()
            .map(|(title, description)| store::NewSection { title, description })
            .collect()
    }

    pub(super) fn new_questions(&self) -> Vec<store::NewQuestion<'_>> {
        self.questions
            .iter()
            .map(|(section, question)| store::NewQuestion {
                section: *section,
                question,
            })
            .collect()
    }
}

/// Checks a survey as staff describe it, every refusal by its field.
pub(super) fn parse_input(
    theme: &super::themes::LoadedTheme,
    input: &SurveyInput,
) -> Result<ParsedSurvey, AppError> {
    let mut check = Checker::new();
    let keep = |check: &mut Checker, field: &str, result: Result<String, Invalid>| {
        check.check(field, result).unwrap_or_default()
    };
    let title = keep(&mut check, "title", parse_text(&input.title, 1, 200, false));
    let description = keep(
        &mut check,
        "description",
        parse_text(&input.description, 0, 5_000, true),
    );
    let mut sections = Vec::new();
    let mut questions = Vec::new();
    for (s, section) in input.sections.iter().enumerate() {
        let at = |field: &str| format!("sections[{s}].{field}");
        let title = keep(
            &mut check,
            &at("title"),
            parse_text(&section.title, 0, 200, false),
        );
        let description = keep(
            &mut check,
            &at("description"),
            parse_text(&section.description, 0, 2_000, true),
        );
        sections.push((title, description));
        for (q, raw) in section.questions.iter().enumerate() {
            let draft = QuestionDraft {
                kind: raw.kind.as_str(),
                prompt: &raw.prompt,
                help: &raw.help,
                required: raw.required,
                options: &raw.options,
                max_choices: raw.max_choices,
                points: raw.points,
                min: raw.min,
                max: raw.max,
                low_label: &raw.low_label,
                high_label: &raw.high_label,
            };
            match Question::parse(&draft) {
                Ok(question) => questions.push((s as i32, question)),
                Err(found) => {
                    for mut e in found {
                        e.field = format!("sections[{s}].questions[{q}].{}", e.field);
                        check.push(e);
                    }
                }
            }
        }
    }
    let question_count: usize = input.sections.iter().map(|s| s.questions.len()).sum();
    if question_count == 0 {
        check.push(Invalid::new("required", msg!("error-survey-needs-question")).at("sections"));
    }
    if question_count > MAX_QUESTIONS {
        check.push(
            Invalid::new(
                "too_many_questions",
                msg!("error-too-many-questions", limit = MAX_QUESTIONS),
            )
            .at("sections"),
        );
    }
    let date = |check: &mut Checker, field: &str, raw: Option<&str>| {
        crate::domain::given(raw).and_then(|raw| check.check(field, parse_date(raw)))
    };
    let opens_on = date(&mut check, "opens_on", input.opens_on.as_deref());
    let closes_on = date(&mut check, "closes_on", input.closes_on.as_deref());
    if let (Some(opens), Some(closes)) = (opens_on, closes_on)
        && closes < opens
    {
        check.push(Invalid::new("before_opening", msg!("error-ends-before-start")).at("closes_on"));
    }
    let phase_id = match input.phase {
        None => None,
        Some(_) if opens_on.is_some() || closes_on.is_some() => {
            check.push(Invalid::new("both", msg!("error-phase-or-dates")).at("phase"));
            None
        }
        Some(n) => match usize::try_from(n)
            .ok()
            .and_then(|n| n.checked_sub(1))
            .and_then(|i| theme.phases.get(i))
        {
            Some(phase) => Some(phase.id),
            None => {
                check.push(Invalid::new("unknown_phase", msg!("error-no-such-phase")).at("phase"));
                None
            }
        },
    };
    check.finish()?;
    Ok(ParsedSurvey {
        title,
        description,
        audience: input.audience,
        sections,
        questions,
        opens_on: opens_on.map(|d| d.to_string()),
        closes_on: closes_on.map(|d| d.to_string()),
        phase_id,
    })
}

/// Staff build a survey on a theme (as a draft, seen only by staff, when `input.draft`).
pub async fn create(
    state: &AppState,
    viewer: &Viewer,
    slug: &str,
    input: &SurveyInput,
) -> Result<SurveyView, AppError> {
    let staff = viewer.require_staff()?;
    let theme = super::themes::load(state, viewer, slug).await?;
    let parsed = parse_input(&theme, input)?;
    let mut tx = state.db.begin().await?;
    let id = store::insert(
        tx.ex(),
        &store::NewSurvey {
            theme_id: Some(theme.row.id),
            title: &parsed.title,
            description: &parsed.description,
            audience: parsed.audience.as_str(),
            opens_on: parsed.opens_on.as_deref(),
            closes_on: parsed.closes_on.as_deref(),
            phase_id: parsed.phase_id,
            by: staff.id,
            now: now_millis(),
            state: if input.draft {
                SurveyState::Draft.as_str()
            } else {
                SurveyState::Published.as_str()
            },
        },
        &parsed.new_sections(),
        &parsed.new_questions(),
    )
    .await?;
    tx.commit().await?;
    tracing::info!(
        theme = slug,
        survey = id,
        by = staff.id,
        questions = parsed.questions.len(),
        "survey created"
    );
    get(state, viewer, id).await
}

/// Whether a theme has surveys (the theme page links to them).
pub async fn exist(state: &AppState, viewer: &Viewer, slug: &str) -> Result<bool, AppError> {
    let theme = super::themes::load(state, viewer, slug).await?;
    let mut conn = state.db.acquire().await?;
    Ok(store::count_of_theme(conn.ex(), theme.row.id).await? > 0)
}

/// A theme's surveys.
pub async fn of_theme(
    state: &AppState,
    viewer: &Viewer,
    slug: &str,
) -> Result<Vec<SurveyView>, AppError> {
    let theme = std::sync::Arc::new(super::themes::load(state, viewer, slug).await?);
    let mut conn = state.db.acquire().await?;
    let rows = store::of_theme(conn.ex(), theme.row.id).await?;
    drop(conn);
    let mut views = Vec::with_capacity(rows.len());
    let staff = viewer.can_manage_themes();
    for row in rows {
        if !staff && SurveyState::parse(&row.state) != SurveyState::Published {
            continue;
        }
        let loaded = Loaded {
            row,
            theme: Some(theme.clone()),
        };
        views.push(view(state, viewer, loaded).await?);
    }
    Ok(views)
}

pub async fn get(state: &AppState, viewer: &Viewer, id: i64) -> Result<SurveyView, AppError> {
    let loaded = load(state, viewer, id).await?;
    view(state, viewer, loaded).await
}

/// A loaded survey with its sections, questions and options, as the viewer sees it.
async fn view(state: &AppState, viewer: &Viewer, loaded: Loaded) -> Result<SurveyView, AppError> {
    let id = loaded.row.id;
    let mut conn = state.db.acquire().await?;
    let sections = store::sections(conn.ex(), id).await?;
    let questions = store::questions(conn.ex(), id).await?;
    let options = store::options(conn.ex(), id).await?;
    let answered = match viewer.id() {
        Some(user) => store::has_answered(conn.ex(), id, user).await?,
        None => false,
    };
    let edits = survey_edits::edits_of(conn.ex(), id).await?;
    drop(conn);
    let edited_at = |question: Option<i64>| {
        edits
            .iter()
            .filter(|e| question.is_none() || e.question_id == question)
            .map(|e| e.edited_at)
            .max()
            .map(rfc3339)
    };
    let mut section_views: Vec<SectionView> = sections
        .into_iter()
        .map(|s| SectionView {
            title: s.title,
            description: s.description,
            questions: Vec::new(),
        })
        .collect();
    for q in questions {
        let kind = QuestionKind::parse(&q.kind)
            .map_err(|e| AppError::Internal(anyhow::anyhow!("stored question: {}", e.message)))?;
        let view = QuestionView {
            id: q.id,
            kind,
            prompt: q.prompt,
            help: q.help,
            required: q.required,
            options: options
                .iter()
                .filter(|o| o.question_id == q.id)
                .map(|o| OptionView {
                    number: o.position,
                    label: o.label.clone(),
                })
                .collect(),
            max_choices: q.max_choices,
            low: q.low,
            high: q.high,
            low_label: q.low_label,
            high_label: q.high_label,
            edited_at: edited_at(Some(q.id)),
        };
        if let Some(section) = section_views.get_mut(q.section as usize) {
            section.questions.push(view);
        }
    }
    let (open, closed) = loaded.window(state.config.municipality.today());
    let phase = loaded.phase_number();
    let row = loaded.row;
    Ok(SurveyView {
        id,
        theme_slug: loaded.theme.map(|t| t.row.slug.clone()),
        title: row.title,
        description: row.description,
        audience: if row.audience == "link" {
            Audience::Link
        } else {
            Audience::Residents
        },
        opens_on: row.opens_on,
        closes_on: row.closes_on,
        phase,
        open,
        closed,
        closed_early: row.closed_at.is_some(),
        response_count: row.response_count,
        answered,
        sections: section_views,
        created_at: rfc3339(row.created_at),
        state: SurveyState::parse(&row.state),
        edited_at: edited_at(None),
    })
}

/// Staff make one-time links (at most 1,000 at a time); each opens the survey for one answer.
pub async fn create_links(
    state: &AppState,
    viewer: &Viewer,
    id: i64,
    count: i64,
) -> Result<Vec<String>, AppError> {
    viewer.require_staff()?;
    let survey = get(state, viewer, id).await?;
    if survey.audience != Audience::Link {
        return Err(AppError::conflict("count", msg!("error-not-link-survey")));
    }
    if !(1..=1_000).contains(&count) {
        return Err(AppError::invalid(
            "count",
            "out_of_range",
            msg!("error-link-count"),
        ));
    }
    let tokens: Vec<String> = (0..count).map(|_| random_token(24)).collect();
    let hashes: Vec<String> = tokens.iter().map(|t| token_digest(t)).collect();
    let mut conn = state.db.acquire().await?;
    store::insert_links(conn.ex(), id, &hashes).await?;
    let base = state.config.public_url();
    Ok(tokens
        .into_iter()
        .map(|t| format!("{base}/surveys/{id}?link={t}"))
        .collect())
}

/// How many of a theme's surveys take answers today (the staff home counts them).
pub async fn open_in_theme(
    state: &AppState,
    viewer: &Viewer,
    slug: &str,
) -> Result<usize, AppError> {
    let theme = std::sync::Arc::new(super::themes::load(state, viewer, slug).await?);
    let mut conn = state.db.acquire().await?;
    let rows = store::of_theme(conn.ex(), theme.row.id).await?;
    let today = state.config.municipality.today();
    Ok(rows
        .into_iter()
        .filter(|row| {
            Loaded {
                row: row.clone(),
                theme: Some(theme.clone()),
            }
            .window(today)
            .0
        })
        .count())
}
