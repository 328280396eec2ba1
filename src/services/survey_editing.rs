//! Staff correct and finish what they published: a survey nobody has answered may change in
//! every way; once answers exist only its wording may, each change logged and the survey
//! marked as edited, so that no answer is counted under a question it was not given to. A
//! survey is duplicated as a draft, published from a draft, archived with its answers,
//! brought back, or deleted while nobody has answered it.

use super::Viewer;
use super::events::{self, EventKind};
use super::surveys::{
    self, ParsedSurvey, QuestionView, SurveyInput, SurveyState, SurveyView, parse_input,
};
use crate::domain::surveys::Question;
use crate::error::AppError;
use crate::msg;
use crate::state::AppState;
use crate::storage::now_millis;
use crate::storage::survey_edits::{self as store, NewEdit, QuestionText};
use crate::storage::{polls as poll_store, surveys as survey_store};

/// Staff change a survey. Before the first answer everything may change; after it, only
/// the wording (and the dates, while no fediverse poll carries them).
pub async fn update(
    state: &AppState,
    viewer: &Viewer,
    id: i64,
    input: &SurveyInput,
) -> Result<SurveyView, AppError> {
    let staff = viewer.require_staff()?;
    let loaded = surveys::load(state, viewer, id).await?;
    let theme = loaded.theme.clone().ok_or(AppError::NotFound("survey"))?;
    let parsed = parse_input(&theme, input)?;
    let current = surveys::get(state, viewer, id).await?;
    let mut conn = state.db.acquire().await?;
    let polls = poll_store::of_survey(conn.ex(), id).await?;
    drop(conn);
    let mut tx = state.db.begin().await?;
    if current.response_count == 0 && polls.is_empty() {
        store::update_settings(tx.ex(), id, &parsed.settings()).await?;
        store::delete_structure(tx.ex(), id).await?;
        survey_store::insert_structure(
            tx.ex(),
            id,
            &parsed.new_sections(),
            &parsed.new_questions(),
        )
        .await?;
        tx.commit().await?;
        tracing::info!(
            survey = id,
            by = staff.id,
            "survey rebuilt before any answer"
        );
        return surveys::get(state, viewer, id).await;
    }
    let settings_locked = !polls.is_empty();
    check_same_structure(&current, &parsed, loaded.row.phase_id, settings_locked)?;
    // Fediverse votes name the option they choose, and a poll whose options change is a new
    // poll there: a published poll's options keep their words.
    for (s, section) in current.sections.iter().enumerate() {
        for (q, old) in section.questions.iter().enumerate() {
            let new = parsed
                .questions
                .iter()
                .filter(|(n, _)| *n == s as i32)
                .nth(q)
                .map(|(_, new)| new);
            let renamed = new.is_some_and(|new| {
                old.options
                    .iter()
                    .zip(&new.options)
                    .any(|(o, label)| o.label != *label)
            });
            if renamed && polls.iter().any(|p| p.question_id == old.id) {
                return Err(AppError::conflict(
                    &format!("sections[{s}].questions[{q}]"),
                    msg!("error-survey-poll-options"),
                ));
            }
        }
    }
    let now = now_millis();
    let mut changed_polls = Vec::new();
    let log = |field: String, question_id: Option<i64>, old: &str, new: &str| {
        (old != new).then(|| (field, question_id, old.to_string(), new.to_string()))
    };
    let mut edits = Vec::new();
    edits.extend(log("title".into(), None, &current.title, &parsed.title));
    edits.extend(log(
        "description".into(),
        None,
        &current.description,
        &parsed.description,
    ));
    for (s, (section, (title, description))) in
        current.sections.iter().zip(&parsed.sections).enumerate()
    {
        let at = |field: &str| format!("sections[{s}].{field}");
        edits.extend(log(at("title"), None, &section.title, title));
        edits.extend(log(
            at("description"),
            None,
            &section.description,
            description,
        ));
        store::update_section_text(tx.ex(), id, s as i32, title, description).await?;
    }
    for (old, (_, new)) in current.questions().zip(&parsed.questions) {
        let before = edits.len();
        let q = Some(old.id);
        edits.extend(log("prompt".into(), q, &old.prompt, &new.prompt));
        edits.extend(log("help".into(), q, &old.help, &new.help));
        edits.extend(log("low_label".into(), q, &old.low_label, &new.low_label));
        edits.extend(log(
            "high_label".into(),
            q,
            &old.high_label,
            &new.high_label,
        ));
        for (option, label) in old.options.iter().zip(&new.options) {
            if option.label != *label {
                edits.extend(log(
                    format!("options[{}]", option.number),
                    q,
                    &option.label,
                    label,
                ));
                store::update_option_label(tx.ex(), old.id, option.number, label).await?;
            }
        }
        store::update_question_text(
            tx.ex(),
            old.id,
            &QuestionText {
                prompt: &new.prompt,
                help: &new.help,
                low_label: &new.low_label,
                high_label: &new.high_label,
            },
        )
        .await?;
        if edits.len() > before && polls.iter().any(|p| p.question_id == old.id) {
            changed_polls.push(old.id);
        }
    }
    store::update_settings(tx.ex(), id, &parsed.settings()).await?;
    for (field, question_id, old_text, new_text) in &edits {
        store::insert_edit(
            tx.ex(),
            &NewEdit {
                survey_id: id,
                question_id: *question_id,
                field,
                old_text,
                new_text,
                by: staff.id,
                at: now,
            },
        )
        .await?;
    }
    // A poll's followers see its new wording with the next tally.
    for question in &changed_polls {
        events::record(tx.ex(), EventKind::PollTallied, *question).await?;
    }
    tx.commit().await?;
    if !changed_polls.is_empty() {
        state.event_signal.written();
    }
    tracing::info!(
        survey = id,
        by = staff.id,
        wording_changes = edits.len(),
        "survey wording corrected after answers"
    );
    surveys::get(state, viewer, id).await
}

/// After the first answer, a survey keeps its audience, its sections and questions in their
/// order, each question's kind, options, range and whether it must be answered; with a
/// fediverse poll, its dates too (a poll's end never changes there).
fn check_same_structure(
    current: &SurveyView,
    parsed: &ParsedSurvey,
    phase_id: Option<i64>,
    settings_locked: bool,
) -> Result<(), AppError> {
    let locked = |field: &str| {
        Err(AppError::conflict(
            field,
            msg!("error-survey-structure-locked"),
        ))
    };
    if current.audience != parsed.audience {
        return locked("audience");
    }
    if settings_locked
        && (current.opens_on != parsed.opens_on
            || current.closes_on != parsed.closes_on
            || phase_id != parsed.phase_id)
    {
        return Err(AppError::conflict(
            "closes_on",
            msg!("error-survey-poll-dates"),
        ));
    }
    if current.sections.len() != parsed.sections.len() {
        return locked("sections");
    }
    let mut parsed_questions = parsed.questions.iter();
    for (s, section) in current.sections.iter().enumerate() {
        for (q, old) in section.questions.iter().enumerate() {
            let at = format!("sections[{s}].questions[{q}]");
            match parsed_questions.next() {
                Some((section_of_new, new))
                    if *section_of_new == s as i32 && same_shape(old, new) => {}
                _ => return locked(&at),
            }
        }
    }
    if parsed_questions.next().is_some() {
        return locked("sections");
    }
    Ok(())
}

/// Whether a question keeps what its answers mean: kind, options, range, obligation.
fn same_shape(old: &QuestionView, new: &Question) -> bool {
    old.kind == new.kind
        && old.required == new.required
        && old.options.len() == new.options.len()
        && old.max_choices == new.max_choices
        && old.low == new.low
        && old.high == new.high
}

/// A survey's questions as they are, to build another with.
fn questions_of(survey: &SurveyView) -> Vec<(i32, Question)> {
    survey
        .sections
        .iter()
        .enumerate()
        .flat_map(|(s, section)| {
            section.questions.iter().map(move |q| {
                (
                    s as i32,
                    Question {
                        kind: q.kind,
                        prompt: q.prompt.clone(),
                        help: q.help.clone(),
                        required: q.required,
                        options: q.options.iter().map(|o| o.label.clone()).collect(),
                        max_choices: q.max_choices,
                        low: q.low,
                        high: q.high,
                        low_label: q.low_label.clone(),
                        high_label: q.high_label.clone(),
                    },
                )
            })
        })
        .collect()
}

/// A new draft with the same sections and questions, without dates: staff set them before
/// publishing it.
pub async fn duplicate(state: &AppState, viewer: &Viewer, id: i64) -> Result<SurveyView, AppError> {
    let staff = viewer.require_staff()?;
    let loaded = surveys::load(state, viewer, id).await?;
    let theme_id = loaded.row.theme_id;
    let survey = surveys::get(state, viewer, id).await?;
    let questions = questions_of(&survey);
    let sections: Vec<survey_store::NewSection> = survey
        .sections
        .iter()
        .map(|s| survey_store::NewSection {
            title: &s.title,
            description: &s.description,
        })
        .collect();
    let new_questions: Vec<survey_store::NewQuestion> = questions
        .iter()
        .map(|(section, question)| survey_store::NewQuestion {
            section: *section,
            question,
        })
        .collect();
    let mut tx = state.db.begin().await?;
    let copy = survey_store::insert(
        tx.ex(),
        &survey_store::NewSurvey {
            theme_id,
            title: &survey.title,
            description: &survey.description,
            audience: survey.audience.as_str(),
            opens_on: None,
            closes_on: None,
            phase_id: None,
            by: staff.id,
            now: now_millis(),
            state: SurveyState::Draft.as_str(),
        },
        &sections,
        &new_questions,
    )
    .await?;
    tx.commit().await?;
    tracing::info!(
        survey = id,
        copy,
        by = staff.id,
        "survey duplicated as a draft"
    );
    surveys::get(state, viewer, copy).await
}

/// Moves a survey from one state to another, refusing any other move.
async fn change_state(
    state: &AppState,
    viewer: &Viewer,
    id: i64,
    from: SurveyState,
    to: SurveyState,
) -> Result<SurveyView, AppError> {
    let staff = viewer.require_staff()?;
    let loaded = surveys::load(state, viewer, id).await?;
    if SurveyState::parse(&loaded.row.state) != from {
        return Err(AppError::NotAllowedNow(match from {
            SurveyState::Draft => msg!("error-survey-not-draft"),
            SurveyState::Published => msg!("error-survey-not-published"),
            SurveyState::Archived => msg!("error-survey-not-archived"),
        }));
    }
    let mut tx = state.db.begin().await?;
    store::set_state(tx.ex(), id, to.as_str()).await?;
    if to == SurveyState::Archived {
        // An archived survey takes no answers, and its polls no votes.
        poll_store::close_polls_of_survey(tx.ex(), id, now_millis()).await?;
    }
    tx.commit().await?;
    tracing::info!(
        survey = id,
        by = staff.id,
        state = to.as_str(),
        "survey state changed"
    );
    surveys::get(state, viewer, id).await
}

/// Residents see a draft once staff publish it.
pub async fn publish(state: &AppState, viewer: &Viewer, id: i64) -> Result<SurveyView, AppError> {
    change_state(
        state,
        viewer,
        id,
        SurveyState::Draft,
        SurveyState::Published,
    )
    .await
}

/// Takes a survey out of residents' view, its answers kept for staff.
pub async fn archive(state: &AppState, viewer: &Viewer, id: i64) -> Result<SurveyView, AppError> {
    change_state(
        state,
        viewer,
        id,
        SurveyState::Published,
        SurveyState::Archived,
    )
    .await
}

/// Brings an archived survey back into view.
pub async fn unarchive(state: &AppState, viewer: &Viewer, id: i64) -> Result<SurveyView, AppError> {
    change_state(
        state,
        viewer,
        id,
        SurveyState::Archived,
        SurveyState::Published,
    )
    .await
}

/// Deletes a survey nobody has answered (and no fediverse poll carries); one with answers
/// is archived instead, so that no answer is lost.
pub async fn delete(state: &AppState, viewer: &Viewer, id: i64) -> Result<(), AppError> {
    let staff = viewer.require_staff()?;
    surveys::load(state, viewer, id).await?;
    let mut tx = state.db.begin().await?;
    if !store::delete_unanswered(tx.ex(), id).await? {
        return Err(AppError::conflict(
            "survey",
            msg!("error-survey-has-answers"),
        ));
    }
    tx.commit().await?;
    tracing::info!(
        survey = id,
        by = staff.id,
        "survey deleted before any answer"
    );
    Ok(())
}

/// One wording staff corrected after answers came in.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct SurveyEdit {
    /// The question, when a question's wording changed.
    pub question_id: Option<i64>,
    /// What changed: `title`, `description`, `sections[0].title`, `prompt`, `help`,
    /// `low_label`, `high_label` or `options[2]` (by the option's number).
    pub field: String,
    pub old_text: String,
    pub new_text: String,
    pub edited_by: Option<String>,
    pub edited_at: String,
}

/// Staff read what was corrected after answers came in, newest first.
pub async fn edits(
    state: &AppState,
    viewer: &Viewer,
    id: i64,
) -> Result<Vec<SurveyEdit>, AppError> {
    viewer.require_staff()?;
    surveys::load(state, viewer, id).await?;
    let mut conn = state.db.acquire().await?;
    Ok(store::edits_of(conn.ex(), id)
        .await?
        .into_iter()
        .map(|e| SurveyEdit {
            question_id: e.question_id,
            field: e.field,
            old_text: e.old_text,
            new_text: e.new_text,
            edited_by: e.editor,
            edited_at: super::rfc3339(e.edited_at),
        })
        .collect())
}
