//! Survey questions and answers as parsed values: a question of each type with its rules
//! (choices, a maximum, a scale's points and end labels, a number's range), and an answer
//! checked against its question, so that storage only ever sees answers that fit.

use crate::msg;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::parse_text;
use crate::error::{FieldError, Invalid};

/// The most questions, options and characters a survey may have.
pub const MAX_QUESTIONS: usize = 100;
pub const MAX_OPTIONS: usize = 30;
pub const MAX_SHORT_TEXT: usize = 200;
pub const MAX_LONG_TEXT: usize = 5_000;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum QuestionKind {
    SingleChoice,
    MultipleChoice,
    ShortText,
    LongText,
    /// A whole number, optionally within a range.
    Number,
    Date,
    /// A labelled scale of 5 or 7 points (1 to 5, 1 to 7).
    Scale,
    /// 0 to 10 (life-satisfaction style well-being questions).
    ZeroToTen,
    /// The options put in order of preference.
    Ranking,
}

impl QuestionKind {
    pub const ALL: [QuestionKind; 9] = [
        QuestionKind::SingleChoice,
        QuestionKind::MultipleChoice,
        QuestionKind::ShortText,
        QuestionKind::LongText,
        QuestionKind::Number,
        QuestionKind::Date,
        QuestionKind::Scale,
        QuestionKind::ZeroToTen,
        QuestionKind::Ranking,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            QuestionKind::SingleChoice => "single_choice",
            QuestionKind::MultipleChoice => "multiple_choice",
            QuestionKind::ShortText => "short_text",
            QuestionKind::LongText => "long_text",
            QuestionKind::Number => "number",
            QuestionKind::Date => "date",
            QuestionKind::Scale => "scale",
            QuestionKind::ZeroToTen => "zero_to_ten",
            QuestionKind::Ranking => "ranking",
        }
    }

    pub fn parse(raw: &str) -> Result<Self, Invalid> {
        Self::ALL
            .into_iter()
            .find(|k| k.as_str() == raw)
            .ok_or_else(|| Invalid::new("unknown_kind", msg!("error-unknown-kind")))
    }

    pub fn has_options(self) -> bool {
        matches!(
            self,
            QuestionKind::SingleChoice | QuestionKind::MultipleChoice | QuestionKind::Ranking
        )
    }

    pub fn is_text(self) -> bool {
        matches!(self, QuestionKind::ShortText | QuestionKind::LongText)
    }

    /// Whether its answers are points whose mean and median mean something.
    pub fn is_numeric(self) -> bool {
        matches!(
            self,
            QuestionKind::Number | QuestionKind::Scale | QuestionKind::ZeroToTen
        )
    }
}

/// A question as the survey holds it.
#[derive(Debug, Clone, PartialEq)]
pub struct Question {
    pub kind: QuestionKind,
    pub prompt: String,
    pub help: String,
    pub required: bool,
    pub options: Vec<String>,
    pub max_choices: Option<i64>,
    /// Scales: the lowest and highest point; numbers: the allowed range (either may be open).
    pub low: Option<i64>,
    pub high: Option<i64>,
    pub low_label: String,
    pub high_label: String,
}

/// A question as staff describe it, before it is checked.
pub struct QuestionDraft<'a> {
    pub kind: &'a str,
    pub prompt: &'a str,
    pub help: &'a str,
    pub required: bool,
    pub options: &'a [String],
    pub max_choices: Option<i64>,
    pub points: Option<i64>,
    pub min: Option<i64>,
    pub max: Option<i64>,
    pub low_label: &'a str,
    pub high_label: &'a str,
}

impl Question {
    /// Checks a question; each error names its field relative to the question
    /// (`prompt`, `options[2]`, ...).
    pub fn parse(draft: &QuestionDraft<'_>) -> Result<Self, Vec<FieldError>> {
        let mut errors = Vec::new();
        let mut keep = |field: &str, result: Result<String, Invalid>| match result {
            Ok(v) => v,
            Err(e) => {
                errors.push(e.at(field));
                String::new()
            }
        };
        let prompt = keep("prompt", parse_text(draft.prompt, 1, 500, true));
        let help = keep("help", parse_text(draft.help, 0, 1_000, true));
        let low_label = keep("low_label", parse_text(draft.low_label, 0, 50, false));
        let high_label = keep("high_label", parse_text(draft.high_label, 0, 50, false));
        let kind = match QuestionKind::parse(draft.kind.trim()) {
            Ok(kind) => kind,
            Err(e) => {
                errors.push(e.at("kind"));
                return Err(errors);
            }
        };
        let mut options = Vec::new();
        if kind.has_options() {
            if draft.options.len() < 2 {
                errors.push(Invalid::new("too_few", msg!("error-too-few-options")).at("options"));
            }
            if draft.options.len() > MAX_OPTIONS {
                errors.push(
                    Invalid::new(
                        "too_many_options",
                        msg!("error-too-many-options", limit = MAX_OPTIONS),
                    )
                    .at("options"),
                );
            }
            for (i, raw) in draft.options.iter().enumerate() {
                match parse_text(raw, 1, 200, false) {
                    Ok(label) if options.contains(&label) => errors.push(
                        Invalid::new("duplicate", msg!("error-duplicate-option"))
                            .at(format!("options[{i}]")),
                    ),
                    Ok(label) => options.push(label),
                    Err(e) => errors.push(e.at(format!("options[{i}]"))),
                }
            }
        } else if !draft.options.is_empty() {
            errors.push(Invalid::new("not_allowed", msg!("error-not-for-this-kind")).at("options"));
        }
        let max_choices = match (kind, draft.max_choices) {
            (QuestionKind::MultipleChoice | QuestionKind::Ranking, Some(n))
                if n < 1 || n as usize > draft.options.len().max(1) =>
            {
                errors.push(
                    Invalid::new("out_of_range", msg!("error-max-choices-range")).at("max_choices"),
                );
                None
            }
            (QuestionKind::MultipleChoice | QuestionKind::Ranking, n) => n,
            (_, None) => None,
            (_, Some(_)) => {
                errors.push(
                    Invalid::new("not_allowed", msg!("error-not-for-this-kind")).at("max_choices"),
                );
                None
            }
        };
        let (low, high) = match kind {
            QuestionKind::Scale => match draft.points {
                Some(points @ (5 | 7)) => (Some(1), Some(points)),
                _ => {
                    errors.push(
                        Invalid::new("invalid_points", msg!("error-invalid-points")).at("points"),
                    );
                    (None, None)
                }
            },
            QuestionKind::ZeroToTen => (Some(0), Some(10)),
            QuestionKind::Number => {
                if let (Some(min), Some(max)) = (draft.min, draft.max)
                    && min > max
                {
                    errors
                        .push(Invalid::new("out_of_range", msg!("error-low-above-high")).at("min"));
                }
                (draft.min, draft.max)
            }
            _ => (None, None),
        };
        if draft.points.is_some() && kind != QuestionKind::Scale {
            errors.push(Invalid::new("not_allowed", msg!("error-not-for-this-kind")).at("points"));
        }
        if (draft.min.is_some() || draft.max.is_some()) && kind != QuestionKind::Number {
            errors.push(Invalid::new("not_allowed", msg!("error-not-for-this-kind")).at("min"));
        }
        let scale = matches!(kind, QuestionKind::Scale | QuestionKind::ZeroToTen);
        let labelled = !low_label.is_empty() || !high_label.is_empty();
        if labelled && !scale {
            errors
                .push(Invalid::new("not_allowed", msg!("error-not-for-this-kind")).at("low_label"));
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        Ok(Question {
            kind,
            prompt,
            help,
            required: draft.required,
            options,
            max_choices,
            low,
            high,
            low_label,
            high_label,
        })
    }

    /// The points of a scale, lowest first.
    pub fn points(&self) -> Vec<i64> {
        match (self.kind, self.low, self.high) {
            (QuestionKind::Scale | QuestionKind::ZeroToTen, Some(low), Some(high)) => {
                (low..=high).collect()
            }
            _ => Vec::new(),
        }
    }

    /// Checks what a respondent gave for this question. `given` holds the values as sent
    /// (one for most types; every chosen option for multiple choice; for ranking the options
    /// in order of preference, by their numbers from 1). Nothing given is `None` (refused
    /// when the question is required).
    pub fn answer(&self, given: &[String]) -> Result<Option<Answer>, Invalid> {
        let given: Vec<&str> = given
            .iter()
            .map(|g| g.trim())
            .filter(|g| !g.is_empty())
            .collect();
        if given.is_empty() {
            return if self.required {
                Err(Invalid::new("required", msg!("error-answer-required")))
            } else {
                Ok(None)
            };
        }
        let single = || -> Result<&str, Invalid> {
            match given.as_slice() {
                [one] => Ok(one),
                _ => Err(Invalid::new("one_value", msg!("error-one-value"))),
            }
        };
        let answer = match self.kind {
            QuestionKind::SingleChoice => Answer::Choices(vec![self.option(single()?)?]),
            QuestionKind::MultipleChoice | QuestionKind::Ranking => {
                let mut chosen = Vec::new();
                for raw in &given {
                    let option = self.option(raw)?;
                    if chosen.contains(&option) {
                        return Err(Invalid::new("duplicate", msg!("error-duplicate-choice")));
                    }
                    chosen.push(option);
                }
                if let Some(max) = self.max_choices
                    && chosen.len() as i64 > max
                {
                    return Err(Invalid::new(
                        "too_many_choices",
                        msg!("error-too-many-choices", limit = max),
                    ));
                }
                if self.kind == QuestionKind::Ranking {
                    Answer::Ranking(chosen)
                } else {
                    chosen.sort_unstable();
                    Answer::Choices(chosen)
                }
            }
            QuestionKind::ShortText => {
                Answer::Text(parse_text(single()?, 1, MAX_SHORT_TEXT, false)?)
            }
            QuestionKind::LongText => Answer::Text(parse_text(single()?, 1, MAX_LONG_TEXT, true)?),
            QuestionKind::Date => {
                let raw = single()?;
                super::parse_date(raw)?;
                Answer::Text(raw.to_string())
            }
            QuestionKind::Number | QuestionKind::Scale | QuestionKind::ZeroToTen => {
                let raw = single()?;
                let value: i64 = raw
                    .parse()
                    .map_err(|_| Invalid::new("not_a_number", msg!("error-not-a-number")))?;
                let below = self.low.is_some_and(|low| value < low);
                let above = self.high.is_some_and(|high| value > high);
                if below || above {
                    return Err(Invalid::new("out_of_range", self.range_text()));
                }
                Answer::Number(value)
            }
        };
        Ok(Some(answer))
    }

    fn range_text(&self) -> crate::error::Msg {
        match (self.low, self.high) {
            (Some(low), Some(high)) => msg!("error-between", low = low, high = high),
            (Some(low), None) => msg!("error-at-least", low = low),
            (None, Some(high)) => msg!("error-at-most", high = high),
            (None, None) => msg!("error-not-a-number"),
        }
    }

    /// An option by its number (from 1).
    fn option(&self, raw: &str) -> Result<i32, Invalid> {
        raw.parse::<i32>()
            .ok()
            .filter(|n| *n >= 1 && *n as usize <= self.options.len())
            .ok_or_else(|| Invalid::new("unknown_option", msg!("error-unknown-option")))
    }
}

/// An answer that fits its question.
#[derive(Debug, Clone, PartialEq)]
pub enum Answer {
    /// The chosen options' numbers, from 1, in order.
    Choices(Vec<i32>),
    /// The options' numbers in order of preference.
    Ranking(Vec<i32>),
    Number(i64),
    /// A free text, or a date as `YYYY-MM-DD`.
    Text(String),
}

/// The median of sorted values (the mean of the middle two for an even count).
pub fn median(sorted: &[i64]) -> Option<f64> {
    let n = sorted.len();
    match n {
        0 => None,
        _ if n % 2 == 1 => Some(sorted[n / 2] as f64),
        _ => Some((sorted[n / 2 - 1] + sorted[n / 2]) as f64 / 2.0),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn draft<'a>(kind: &'a str, options: &'a [String]) -> QuestionDraft<'a> {
        QuestionDraft {
            kind,
            prompt: "公園の満足度",
            help: "",
            required: true,
            options,
            max_choices: None,
            points: None,
            min: None,
            max: None,
            low_label: "",
            high_label: "",
        }
    }

    fn strings(items: &[&str]) -> Vec<String> {
        items.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn a_choice_answer_must_name_an_option() {
        let options = strings(&["公園", "図書館", "駐輪場"]);
        let q = Question::parse(&QuestionDraft {
            max_choices: Some(2),
            ..draft("multiple_choice", &options)
        })
        .unwrap();
        assert_eq!(
            q.answer(&strings(&["3", "1"])).unwrap(),
            Some(Answer::Choices(vec![1, 3]))
        );
        assert_eq!(
            q.answer(&strings(&["4"])).unwrap_err().code,
            "unknown_option"
        );
        assert_eq!(
            q.answer(&strings(&["1", "2", "3"])).unwrap_err().code,
            "too_many_choices"
        );
        assert_eq!(
            q.answer(&strings(&["1", "1"])).unwrap_err().code,
            "duplicate"
        );
        assert_eq!(q.answer(&[]).unwrap_err().code, "required");
    }

    #[test]
    fn scales_and_numbers_keep_to_their_range() {
        let q = Question::parse(&QuestionDraft {
            points: Some(7),
            low_label: "不満",
            high_label: "満足",
            ..draft("scale", &[])
        })
        .unwrap();
        assert_eq!(q.points(), (1..=7).collect::<Vec<_>>());
        assert_eq!(q.answer(&strings(&["7"])).unwrap(), Some(Answer::Number(7)));
        assert_eq!(q.answer(&strings(&["8"])).unwrap_err().code, "out_of_range");
        assert_eq!(q.answer(&strings(&["x"])).unwrap_err().code, "not_a_number");
        let wellbeing = Question::parse(&draft("zero_to_ten", &[])).unwrap();
        assert_eq!(
            wellbeing.answer(&strings(&["0"])).unwrap(),
            Some(Answer::Number(0))
        );
        let refused = Question::parse(&QuestionDraft {
            points: Some(4),
            ..draft("scale", &[])
        })
        .unwrap_err();
        assert_eq!(refused[0].field, "points");
        let number = Question::parse(&QuestionDraft {
            min: Some(0),
            max: Some(120),
            ..draft("number", &[])
        })
        .unwrap();
        assert_eq!(
            number.answer(&strings(&["121"])).unwrap_err().code,
            "out_of_range"
        );
    }

    #[test]
    fn a_ranking_keeps_the_order_given() {
        let options = strings(&["A", "B", "C"]);
        let q = Question::parse(&draft("ranking", &options)).unwrap();
        assert_eq!(
            q.answer(&strings(&["3", "1", "2"])).unwrap(),
            Some(Answer::Ranking(vec![3, 1, 2]))
        );
    }

    #[test]
    fn a_question_without_options_refuses_them() {
        let options = strings(&["A", "B"]);
        let errors = Question::parse(&draft("short_text", &options)).unwrap_err();
        assert_eq!(errors[0].field, "options");
        let errors = Question::parse(&draft("single_choice", &strings(&["A"]))).unwrap_err();
        assert_eq!(errors[0].code, "too_few");
    }

    #[test]
    fn the_median_of_an_even_count_is_between_the_middle_two() {
        assert_eq!(median(&[1, 2, 4, 9]), Some(3.0));
        assert_eq!(median(&[5]), Some(5.0));
        assert_eq!(median(&[]), None);
    }
}
