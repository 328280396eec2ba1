//! Fediverse polls (FEP-9967): staff publish a single- or multiple-choice question of a
//! theme's survey as a poll of the theme; fediverse accounts vote on it until the survey
//! closes, once each, and their votes are counted apart from residents' answers. The poll
//! and its tallies reach the fediverse through the event log: publishing records
//! `PollPublished`, and a watcher records `PollTallied` at most once per
//! `poll_tally_interval` while votes arrive, and once more when the poll closes.

use crate::msg;
use serde::Serialize;
use utoipa::ToSchema;

use super::Viewer;
use super::accounts::token_digest;
use super::events::{self, EventKind};
use super::surveys::{self, QuestionView, SurveyView};
use crate::domain::parse_date;
use crate::domain::surveys::QuestionKind;
use crate::error::AppError;
use crate::state::AppState;
use crate::storage::federation::RemoteActorRow;
use crate::storage::now_millis;
use crate::storage::polls::{self as store, PollRow};

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PollOptionTally {
    pub number: i32,
    pub label: String,
    /// Votes from fediverse accounts (residents' answers are counted in the results).
    pub votes: i64,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PollView {
    pub survey_id: i64,
    pub question_id: i64,
    /// The `Question`'s ActivityPub id.
    pub url: String,
    pub published_at: String,
    /// Votes are taken until then.
    pub closes_at: String,
    /// The end the poll was published with (its `endTime` on the fediverse); a survey closed
    /// early closes its polls before it.
    pub ends_at: String,
    pub closed: bool,
    /// How many fediverse accounts voted.
    pub voters: i64,
    pub options: Vec<PollOptionTally>,
}

/// A poll with everything its `Question` says: the survey and question it publishes, the
/// theme it belongs to, and the fediverse tally.
pub struct PollState {
    pub row: PollRow,
    pub survey: SurveyView,
    pub question: QuestionView,
    pub theme_slug: String,
    pub view: PollView,
}

impl PollState {
    pub fn multiple(&self) -> bool {
        self.question.kind == QuestionKind::MultipleChoice
    }
}

pub fn poll_url(state: &AppState, survey_id: i64, question_id: i64) -> String {
    format!(
        "{}/surveys/{survey_id}/questions/{question_id}",
        state.config.public_url()
    )
}

/// The instant a survey stops taking answers: the end of its last day in the municipality's
/// time zone, if it has a last day.
async fn closing_instant(
    state: &AppState,
    viewer: &Viewer,
    survey: &SurveyView,
) -> Result<Option<i64>, AppError> {
    let last_day = match (&survey.closes_on, survey.phase, &survey.theme_slug) {
        (Some(day), _, _) => parse_date(day).ok(),
        (None, Some(number), Some(slug)) => {
            let theme = super::themes::load(state, viewer, slug).await?;
            usize::try_from(number - 1)
                .ok()
                .and_then(|i| theme.phases.get(i))
                .and_then(|p| parse_date(&p.ends_on).ok())
        }
        _ => None,
    };
    let Some(day) = last_day else {
        return Ok(None);
    };
    let end = day
        .tomorrow()
        .and_then(|d| d.to_zoned(state.config.municipality.time_zone.clone()))
        .map_err(|e| AppError::Internal(anyhow::anyhow!("end of {day}: {e}")))?;
    Ok(Some(end.timestamp().as_millisecond()))
}

/// Whether a choice question can be a fediverse poll: a single choice, or several with no
/// limit below the number of options. Mastodon-family polls cannot limit how many options
/// a voter picks, so a limited question would take votes there that are refused here.
pub fn expressible(question: &QuestionView) -> bool {
    match question.kind {
        QuestionKind::SingleChoice => true,
        QuestionKind::MultipleChoice => question
            .max_choices
            .is_none_or(|most| usize::try_from(most).unwrap_or(0) >= question.options.len()),
        _ => false,
    }
}

/// Staff publish a choice question of a theme's open survey as a fediverse poll.
pub async fn publish(
    state: &AppState,
    viewer: &Viewer,
    survey_id: i64,
    question_id: i64,
) -> Result<PollView, AppError> {
    let staff = viewer.require_staff()?;
    let survey = surveys::get(state, viewer, survey_id).await?;
    let question = survey
        .questions()
        .find(|q| q.id == question_id)
        .ok_or(AppError::NotFound("question"))?;
    if !matches!(
        question.kind,
        QuestionKind::SingleChoice | QuestionKind::MultipleChoice
    ) {
        return Err(AppError::conflict("question", msg!("error-poll-kind")));
    }
    if !expressible(question) {
        return Err(AppError::conflict("question", msg!("error-poll-limited")));
    }
    let Some(slug) = survey.theme_slug.clone() else {
        return Err(AppError::conflict(
            "question",
            msg!("error-poll-needs-theme"),
        ));
    };
    if !survey.open {
        return Err(AppError::NotAllowedNow(msg!("error-poll-survey-closed")));
    }
    let Some(closes_at) = closing_instant(state, viewer, &survey).await? else {
        return Err(AppError::conflict("question", msg!("error-poll-needs-end")));
    };
    let theme = super::themes::load(state, viewer, &slug).await?;
    let now = now_millis();
    let mut tx = state.db.begin().await?;
    let created = store::insert(
        tx.ex(),
        question_id,
        survey_id,
        theme.row.id,
        closes_at,
        now,
    )
    .await?;
    if !created {
        return Err(AppError::conflict("question", msg!("error-poll-published")));
    }
    events::record(tx.ex(), EventKind::PollPublished, question_id).await?;
    tx.commit().await?;
    state.event_signal.written();
    tracing::info!(
        survey = survey_id,
        question = question_id,
        by = staff.id,
        "question published as a fediverse poll"
    );
    poll(state, viewer, survey_id, question_id).await
}

/// A published poll with its fediverse tally.
pub async fn poll(
    state: &AppState,
    viewer: &Viewer,
    survey_id: i64,
    question_id: i64,
) -> Result<PollView, AppError> {
    let found = load(state, viewer, question_id).await?;
    match found {
        Some(poll) if poll.row.survey_id == survey_id => Ok(poll.view),
        _ => Err(AppError::NotFound("poll")),
    }
}

/// The polls of a survey, by question.
pub async fn of_survey(state: &AppState, survey: &SurveyView) -> Result<Vec<PollView>, AppError> {
    let mut conn = state.db.acquire().await?;
    let rows = store::of_survey(conn.ex(), survey.id).await?;
    if rows.is_empty() {
        return Ok(Vec::new());
    }
    let counts = store::vote_counts(conn.ex(), survey.id).await?;
    let voters = store::voter_counts(conn.ex(), survey.id).await?;
    drop(conn);
    Ok(rows
        .iter()
        .filter_map(|row| {
            let question = survey.questions().find(|q| q.id == row.question_id)?;
            Some(view_of(state, row, question, &counts, &voters))
        })
        .collect())
}

fn view_of(
    state: &AppState,
    row: &PollRow,
    question: &QuestionView,
    counts: &[store::VoteCount],
    voters: &[(i64, i64)],
) -> PollView {
    let votes = |number: i32| {
        counts
            .iter()
            .find(|c| c.question_id == row.question_id && c.choice_position == number)
            .map_or(0, |c| c.votes)
    };
    PollView {
        survey_id: row.survey_id,
        question_id: row.question_id,
        url: poll_url(state, row.survey_id, row.question_id),
        published_at: super::rfc3339(row.published_at),
        closes_at: super::rfc3339(row.closes_at),
        ends_at: super::rfc3339(row.end_time),
        closed: row.closes_at <= now_millis(),
        voters: voters
            .iter()
            .find(|(q, _)| *q == row.question_id)
            .map_or(0, |(_, n)| *n),
        options: question
            .options
            .iter()
            .map(|o| PollOptionTally {
                number: o.number,
                label: o.label.clone(),
                votes: votes(o.number),
            })
            .collect(),
    }
}

/// A poll as the viewer may see it, with its survey, question and tally; `None` when the
/// question is not a poll.
pub async fn load(
    state: &AppState,
    viewer: &Viewer,
    question_id: i64,
) -> Result<Option<PollState>, AppError> {
    let mut conn = state.db.acquire().await?;
    let Some(row) = store::find(conn.ex(), question_id).await? else {
        return Ok(None);
    };
    let counts = store::vote_counts(conn.ex(), row.survey_id).await?;
    let voters = store::voter_counts(conn.ex(), row.survey_id).await?;
    drop(conn);
    let survey = surveys::get(state, viewer, row.survey_id).await?;
    let Some(question) = survey.questions().find(|q| q.id == question_id).cloned() else {
        return Ok(None);
    };
    let Some(theme_slug) = survey.theme_slug.clone() else {
        return Ok(None);
    };
    let view = view_of(state, &row, &question, &counts, &voters);
    Ok(Some(PollState {
        row,
        survey,
        question,
        theme_slug,
        view,
    }))
}

/// What became of a fediverse vote.
#[derive(Debug, PartialEq, Eq)]
pub enum VoteOutcome {
    Counted,
    /// The same choice again (a delivery that came twice): nothing changes.
    AlreadyCounted,
}

/// A fediverse account votes for the option named `choice` (its label, as the `Question`
/// gives it). Refused (403) after the end, for an option the poll does not have, for a second
/// vote on a single-choice poll and past the most choices a multiple-choice one allows.
pub async fn vote(
    state: &AppState,
    actor: &RemoteActorRow,
    question_id: i64,
    choice: &str,
) -> Result<VoteOutcome, AppError> {
    let poll = load(state, &Viewer::default(), question_id)
        .await?
        .ok_or(AppError::NotFound("poll"))?;
    if poll.view.closed {
        return Err(AppError::Forbidden(msg!("error-poll-closed")));
    }
    let choice = choice.trim();
    let Some(option) = poll.question.options.iter().find(|o| o.label == choice) else {
        return Err(AppError::invalid(
            "name",
            "unknown_option",
            msg!("error-unknown-option"),
        ));
    };
    let most = if poll.multiple() {
        poll.question
            .max_choices
            .map_or(poll.question.options.len(), |n| n as usize)
    } else {
        1
    };
    let digest = token_digest(&format!("{question_id} {}", actor.actor_id));
    let (number, remote_actor_id) = (option.number, actor.id);
    let outcome = state
        .writes
        .write(move |mut ex| {
            Box::pin(async move {
                // Checked again where the vote is written: the poll may have closed since.
                let open = store::find(ex.reborrow(), question_id)
                    .await?
                    .is_some_and(|p| p.closes_at > now_millis());
                if !open {
                    return Ok(Refusal::Closed.into());
                }
                store::lock_voter(ex.reborrow(), question_id, remote_actor_id).await?;
                let chosen = store::choices_of(ex.reborrow(), question_id, &digest).await?;
                if chosen.contains(&number) {
                    return Ok(Ok(VoteOutcome::AlreadyCounted));
                }
                if chosen.len() >= most {
                    if chosen.is_empty() {
                        store::forget_voter(ex, question_id, remote_actor_id).await?;
                    }
                    return Ok(Refusal::TooMany(most).into());
                }
                store::insert_vote(ex, question_id, &digest, number).await?;
                Ok(Ok(VoteOutcome::Counted))
            })
        })
        .await?;
    match outcome {
        Ok(outcome) => {
            tracing::info!(question = question_id, from = %actor.actor_id, ?outcome, "fediverse vote");
            Ok(outcome)
        }
        Err(Refusal::Closed) => Err(AppError::Forbidden(msg!("error-poll-closed"))),
        Err(Refusal::TooMany(1)) => Err(AppError::conflict("name", msg!("error-poll-voted"))),
        Err(Refusal::TooMany(most)) => Err(AppError::conflict(
            "name",
            msg!("error-too-many-choices", limit = most),
        )),
    }
}

/// Why a vote was not written.
enum Refusal {
    Closed,
    /// The voter has already chosen as many options as the poll allows.
    TooMany(usize),
}

impl From<Refusal> for Result<VoteOutcome, Refusal> {
    fn from(refusal: Refusal) -> Self {
        Err(refusal)
    }
}

/// Watches the polls every few seconds and records a tally when one is due.
pub fn spawn_tally_watch(state: &AppState) -> tokio::task::JoinHandle<()> {
    let state = state.clone();
    tokio::spawn(async move {
        let gap = state.config.federation.poll_tally_interval;
        let mut tick = tokio::time::interval(gap.min(std::time::Duration::from_secs(5)));
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            if let Err(e) = record_due_tallies(&state).await {
                tracing::warn!(error = %e, "cannot check the polls' tallies");
            }
        }
    })
}

/// Records `PollTallied` for each poll whose tally is due; one process wins each claim.
pub async fn record_due_tallies(state: &AppState) -> Result<(), AppError> {
    let now = now_millis();
    let gap =
        i64::try_from(state.config.federation.poll_tally_interval.as_millis()).unwrap_or(i64::MAX);
    let mut conn = state.db.acquire().await?;
    let due = store::maybe_due(conn.ex(), now).await?;
    drop(conn);
    for question_id in due {
        let mut tx = state.db.begin().await?;
        if let Some(last) = store::claim_tally(tx.ex(), question_id, now, gap).await? {
            events::record(tx.ex(), EventKind::PollTallied, question_id).await?;
            tx.commit().await?;
            state.event_signal.written();
            tracing::debug!(question = question_id, last, "poll tally recorded");
        }
    }
    Ok(())
}
