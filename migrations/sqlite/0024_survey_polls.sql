-- Fediverse polls (FEP-9967): staff publish a single- or multiple-choice survey question
-- from its theme as a `Question`; fediverse accounts vote on it with `Note`s. Their votes
-- are counted here, apart from residents' answers. A vote row names its voter only by a
-- digest used to refuse a second vote; the voters (whose servers are sent the tallies) are
-- kept in a table of their own, without their choices.
CREATE TABLE survey_polls (
    question_id INTEGER PRIMARY KEY REFERENCES survey_questions (id) ON DELETE CASCADE,
    survey_id INTEGER NOT NULL REFERENCES surveys (id) ON DELETE CASCADE,
    theme_id INTEGER NOT NULL REFERENCES themes (id) ON DELETE CASCADE,
    published_at INTEGER NOT NULL,
    -- Votes are taken until this instant (the end of the survey's last day).
    closes_at INTEGER NOT NULL,
    -- When the last tally was sent; votes since then wait for the next one.
    last_tally_at INTEGER NOT NULL,
    tally_pending BOOLEAN NOT NULL,
    -- Whether the final tally (with `closed`) was sent.
    closed_sent BOOLEAN NOT NULL
);
CREATE INDEX survey_polls_survey ON survey_polls (survey_id);
CREATE INDEX survey_polls_due ON survey_polls (closed_sent, closes_at);

CREATE TABLE survey_poll_votes (
    question_id INTEGER NOT NULL REFERENCES survey_polls (question_id) ON DELETE CASCADE,
    voter_digest TEXT NOT NULL,
    choice_position INTEGER NOT NULL,
    PRIMARY KEY (question_id, voter_digest, choice_position)
) WITHOUT ROWID;

CREATE TABLE survey_poll_voters (
    question_id INTEGER NOT NULL REFERENCES survey_polls (question_id) ON DELETE CASCADE,
    remote_actor_id INTEGER NOT NULL REFERENCES remote_actors (id) ON DELETE CASCADE,
    PRIMARY KEY (question_id, remote_actor_id)
) WITHOUT ROWID;
