//! A survey's results: per question the counts and shares of each option or point, the mean
//! and median of scales and numbers, the mean rank of ranked options, and the free texts
//! (staff can hide one). Staff see them at any time; everyone once the survey has closed.

use crate::msg;
use serde::Serialize;
use utoipa::ToSchema;

use super::Viewer;
use super::surveys::{self, QuestionView};
use crate::domain::surveys::{QuestionKind, median};
use crate::error::AppError;
use crate::state::AppState;
use crate::storage::surveys::{self as store, StoredAnswer, ValueCount};

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct OptionResult {
    pub number: i32,
    pub label: String,
    pub count: i64,
    /// Of the respondents who answered the question, rounded to one decimal.
    pub percent: f64,
    /// Ranking: the mean place given (1 is first), among those who ranked it.
    pub mean_rank: Option<f64>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PointResult {
    pub value: i64,
    pub count: i64,
    pub percent: f64,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TextAnswer {
    /// Names the answer for hiding it (it names no person).
    pub response_id: i64,
    pub text: String,
    /// Shown only to staff.
    pub hidden: bool,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct QuestionResult {
    pub id: i64,
    pub kind: QuestionKind,
    pub prompt: String,
    /// How many respondents answered it.
    pub answered: i64,
    pub options: Vec<OptionResult>,
    /// Scales: every point, in order; numbers: each value given.
    pub points: Vec<PointResult>,
    pub low_label: String,
    pub high_label: String,
    pub mean: Option<f64>,
    pub median: Option<f64>,
    pub texts: Vec<TextAnswer>,
    /// Free-text questions: the terms of the answers shown (most frequent first, at most
    /// 30), counted by how many answers contain each.
    pub words: Vec<super::word_cloud::TermView>,
    /// When the question is also a fediverse poll: the fediverse votes, counted apart from
    /// the residents' answers above.
    pub fediverse: Option<super::polls::PollView>,
    /// Whether the fediverse can carry it as a poll (see [`super::polls::expressible`]).
    pub poll_expressible: bool,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SurveyResults {
    pub survey_id: i64,
    pub title: String,
    pub theme_slug: Option<String>,
    pub respondents: i32,
    /// Of them, paper answers entered by help-desk staff.
    pub proxy_respondents: i64,
    pub closed: bool,
    /// Whether it takes answers now.
    pub open: bool,
    pub questions: Vec<QuestionResult>,
}

fn percent(count: i64, of: i64) -> f64 {
    if of == 0 {
        0.0
    } else {
        (count as f64 * 1000.0 / of as f64).round() / 10.0
    }
}

fn round2(value: f64) -> f64 {
    (value * 100.0).round() / 100.0
}

pub async fn of_survey(
    state: &AppState,
    viewer: &Viewer,
    id: i64,
) -> Result<SurveyResults, AppError> {
    let survey = surveys::get(state, viewer, id).await?;
    let staff = viewer.can_manage_themes();
    if !survey.closed && !staff {
        return Err(AppError::Forbidden(msg!("error-results-after-close")));
    }
    let mut conn = state.db.acquire().await?;
    let counts = store::value_counts(conn.ex(), id).await?;
    let answered = store::answered_counts(conn.ex(), id).await?;
    let texts = store::texts(conn.ex(), id).await?;
    let proxy_respondents = store::proxy_count(conn.ex(), id).await?;
    drop(conn);
    let questions = survey
        .questions()
        .map(|q| {
            let answered = answered
                .iter()
                .find(|(question, _)| *question == q.id)
                .map_or(0, |(_, n)| *n);
            let counts: Vec<&ValueCount> =
                counts.iter().filter(|c| c.question_id == q.id).collect();
            let texts: Vec<&StoredAnswer> = texts
                .iter()
                .filter(|t| t.question_id == q.id && (staff || !t.hidden))
                .collect();
            question_result(q, answered, &counts, &texts)
        })
        .collect();
    let mut questions: Vec<QuestionResult> = questions;
    for question in questions.iter_mut().filter(|q| q.kind.is_text()) {
        let texts: Vec<String> = question
            .texts
            .iter()
            .filter(|t| !t.hidden)
            .map(|t| t.text.clone())
            .collect();
        question.words = words_of(state, texts).await?;
    }
    for poll in super::polls::of_survey(state, &survey).await? {
        if let Some(question) = questions.iter_mut().find(|q| q.id == poll.question_id) {
            question.fediverse = Some(poll);
        }
    }
    Ok(SurveyResults {
        survey_id: id,
        title: survey.title.clone(),
        theme_slug: survey.theme_slug.clone(),
        respondents: survey.response_count,
        proxy_respondents,
        closed: survey.closed,
        open: survey.open,
        questions,
    })
}

/// The most frequent terms of free-text answers, by how many answers contain each.
async fn words_of(
    state: &AppState,
    texts: Vec<String>,
) -> Result<Vec<super::word_cloud::TermView>, AppError> {
    if texts.is_empty() {
        return Ok(Vec::new());
    }
    super::word_cloud_names::refresh(state).await?;
    let finder = state.terms.clone();
    let counted = tokio::task::spawn_blocking(move || {
        let mut counts: std::collections::HashMap<String, i64> = std::collections::HashMap::new();
        for text in &texts {
            for term in finder.terms(text) {
                *counts.entry(term).or_default() += 1;
            }
        }
        counts
    })
    .await
    .map_err(|e| AppError::Internal(anyhow::anyhow!("tokeniser: {e}")))?;
    let mut counts: Vec<crate::storage::terms::TermCount> = counted
        .into_iter()
        .map(|(term, ideas)| crate::storage::terms::TermCount { term, ideas })
        .collect();
    counts.sort_by(|a, b| b.ideas.cmp(&a.ideas).then_with(|| a.term.cmp(&b.term)));
    counts.truncate(30);
    Ok(super::word_cloud::steps(counts))
}

fn question_result(
    q: &QuestionView,
    answered: i64,
    counts: &[&ValueCount],
    texts: &[&StoredAnswer],
) -> QuestionResult {
    let options = q
        .options
        .iter()
        .map(|o| {
            let of_option = counts
                .iter()
                .filter(|c| c.choice_position == Some(o.number));
            let count: i64 = of_option.clone().map(|c| c.count).sum();
            let rank_sum: i64 = of_option
                .filter_map(|c| c.rank.map(|r| i64::from(r) * c.count))
                .sum();
            OptionResult {
                number: o.number,
                label: o.label.clone(),
                count,
                percent: percent(count, answered),
                mean_rank: (q.kind == QuestionKind::Ranking && count > 0)
                    .then(|| round2(rank_sum as f64 / count as f64)),
            }
        })
        .collect();
    let mut values: Vec<(i64, i64)> = counts
        .iter()
        .filter_map(|c| c.number.map(|n| (n, c.count)))
        .collect();
    values.sort_unstable();
    let points = if matches!(q.kind, QuestionKind::Scale | QuestionKind::ZeroToTen) {
        let (low, high) = (q.low.unwrap_or(0), q.high.unwrap_or(0));
        (low..=high)
            .map(|value| {
                let count = values
                    .iter()
                    .find(|(v, _)| *v == value)
                    .map_or(0, |(_, n)| *n);
                PointResult {
                    value,
                    count,
                    percent: percent(count, answered),
                }
            })
            .collect()
    } else {
        values
            .iter()
            .map(|(value, count)| PointResult {
                value: *value,
                count: *count,
                percent: percent(*count, answered),
            })
            .collect()
    };
    let (mean, median) = if q.kind.is_numeric() {
        let total: i64 = values.iter().map(|(_, n)| n).sum();
        let sum: i128 = values
            .iter()
            .map(|(v, n)| i128::from(*v) * i128::from(*n))
            .sum();
        let mean = (total > 0).then(|| round2(sum as f64 / total as f64));
        (mean, median_of_counts(&values, total))
    } else {
        (None, None)
    };
    QuestionResult {
        id: q.id,
        kind: q.kind,
        prompt: q.prompt.clone(),
        answered,
        options,
        points,
        low_label: q.low_label.clone(),
        high_label: q.high_label.clone(),
        mean,
        median,
        texts: texts
            .iter()
            .map(|t| TextAnswer {
                response_id: t.response_id,
                text: t.text.clone().unwrap_or_default(),
                hidden: t.hidden,
            })
            .collect(),
        words: Vec::new(),
        fediverse: None,
        poll_expressible: super::polls::expressible(q),
    }
}

/// The median of values given as (value, how many), sorted by value.
fn median_of_counts(values: &[(i64, i64)], total: i64) -> Option<f64> {
    if total == 0 {
        return None;
    }
    let at = |index: i64| {
        let mut seen = 0;
        for (value, count) in values {
            seen += count;
            if index < seen {
                return *value;
            }
        }
        values.last().map_or(0, |(v, _)| *v)
    };
    let middle = if total % 2 == 1 {
        vec![at(total / 2)]
    } else {
        vec![at(total / 2 - 1), at(total / 2)]
    };
    median(&middle)
}

/// Staff hide a free-text answer from the public results (or show it again).
pub async fn hide_text(
    state: &AppState,
    viewer: &Viewer,
    survey_id: i64,
    question_id: i64,
    response_id: i64,
    hidden: bool,
) -> Result<(), AppError> {
    let staff = viewer.require_staff()?;
    let survey = surveys::get(state, viewer, survey_id).await?;
    if !survey.questions().any(|q| q.id == question_id) {
        return Err(AppError::NotFound("question"));
    }
    let mut conn = state.db.acquire().await?;
    if !store::set_text_hidden(conn.ex(), question_id, response_id, hidden).await? {
        return Err(AppError::NotFound("answer"));
    }
    tracing::info!(
        survey = survey_id,
        question = question_id,
        hidden,
        by = staff.id,
        "survey text hidden"
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_median_of_counted_values() {
        assert_eq!(median_of_counts(&[(1, 2), (5, 1)], 3), Some(1.0));
        assert_eq!(median_of_counts(&[(1, 1), (3, 1)], 2), Some(2.0));
        assert_eq!(median_of_counts(&[], 0), None);
    }
}
