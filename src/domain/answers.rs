//! The states of the municipality's official answer to a proposal.

use crate::msg;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::error::Invalid;

/// What became of a proposal, as staff answer it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum AnswerState {
    /// 検討中
    Evaluating,
    /// 採用
    Accepted,
    /// 一部採用
    PartlyAccepted,
    /// 不採用
    NotAdopted,
    /// 実施済み
    Implemented,
    /// 対象外
    OutOfScope,
}

impl AnswerState {
    pub const ALL: [AnswerState; 6] = [
        AnswerState::Evaluating,
        AnswerState::Accepted,
        AnswerState::PartlyAccepted,
        AnswerState::NotAdopted,
        AnswerState::Implemented,
        AnswerState::OutOfScope,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            AnswerState::Evaluating => "evaluating",
            AnswerState::Accepted => "accepted",
            AnswerState::PartlyAccepted => "partly_accepted",
            AnswerState::NotAdopted => "not_adopted",
            AnswerState::Implemented => "implemented",
            AnswerState::OutOfScope => "out_of_scope",
        }
    }

    pub fn parse(input: &str) -> Result<Self, Invalid> {
        Self::ALL
            .into_iter()
            .find(|s| s.as_str() == input.trim())
            .ok_or_else(|| Invalid::new("unknown_state", msg!("error-unknown-answer-state")))
    }

    /// The catalogue key of its label.
    pub fn label_key(self) -> &'static str {
        match self {
            AnswerState::Evaluating => "answer-state-evaluating",
            AnswerState::Accepted => "answer-state-accepted",
            AnswerState::PartlyAccepted => "answer-state-partly-accepted",
            AnswerState::NotAdopted => "answer-state-not-adopted",
            AnswerState::Implemented => "answer-state-implemented",
            AnswerState::OutOfScope => "answer-state-out-of-scope",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_state_reads_back_and_others_are_refused() {
        for state in AnswerState::ALL {
            assert_eq!(AnswerState::parse(state.as_str()).ok(), Some(state));
        }
        assert_eq!(
            AnswerState::parse("adopted").err().map(|e| e.code),
            Some("unknown_state")
        );
    }
}
