-- Surveys (アンケート): staff build one on a theme or on its own, as sections of questions;
-- residents (or holders of a one-time link) answer once, and help-desk staff enter paper
-- answers on a resident's behalf. Answers are anonymous by construction: a response row has
-- no account id, no time and nothing shared with the row that records that an account has
-- answered; the respondent's profile attributes are copied into the response at submission.
CREATE TABLE surveys (
    id INTEGER PRIMARY KEY,
    theme_id INTEGER REFERENCES themes (id) ON DELETE CASCADE,
    title TEXT NOT NULL,
    description TEXT NOT NULL,
    -- 'residents': one answer per account; 'link': one answer per one-time link.
    audience TEXT NOT NULL CHECK (audience IN ('residents', 'link')),
    -- Open from opens_on to closes_on (dates in the municipality's time zone, both days
    -- included), or while the theme's phase runs.
    opens_on TEXT,
    closes_on TEXT,
    phase_id INTEGER REFERENCES theme_phases (id) ON DELETE SET NULL,
    response_count INTEGER NOT NULL,
    created_by INTEGER REFERENCES users (id) ON DELETE SET NULL,
    created_at INTEGER NOT NULL
);
CREATE INDEX surveys_theme ON surveys (theme_id, id);

CREATE TABLE survey_sections (
    survey_id INTEGER NOT NULL REFERENCES surveys (id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    title TEXT NOT NULL,
    description TEXT NOT NULL,
    PRIMARY KEY (survey_id, position)
);

CREATE TABLE survey_questions (
    id INTEGER PRIMARY KEY,
    survey_id INTEGER NOT NULL REFERENCES surveys (id) ON DELETE CASCADE,
    section INTEGER NOT NULL,
    position INTEGER NOT NULL,
    kind TEXT NOT NULL,
    prompt TEXT NOT NULL,
    help TEXT NOT NULL,
    required BOOLEAN NOT NULL,
    -- Choices and ranking: how many may be chosen (none: any number).
    max_choices INTEGER,
    -- Scales: the lowest and highest point; numbers: the allowed range.
    low INTEGER,
    high INTEGER,
    low_label TEXT NOT NULL,
    high_label TEXT NOT NULL
);
CREATE INDEX survey_questions_survey ON survey_questions (survey_id, section, position);

CREATE TABLE survey_options (
    question_id INTEGER NOT NULL REFERENCES survey_questions (id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    label TEXT NOT NULL,
    PRIMARY KEY (question_id, position)
);

-- One per answer given; its id is random, so that neither it nor the order of ids follows
-- the order in which accounts answered. edit_key_hash lets the holder of the key (kept by
-- the respondent, never by the server) replace the answer until the survey closes.
CREATE TABLE survey_responses (
    id INTEGER PRIMARY KEY,
    survey_id INTEGER NOT NULL REFERENCES surveys (id) ON DELETE CASCADE,
    edit_key_hash TEXT UNIQUE,
    proxy BOOLEAN NOT NULL,
    age_band TEXT,
    area TEXT,
    relations TEXT NOT NULL
);
CREATE INDEX survey_responses_survey ON survey_responses (survey_id);

-- A chosen option (choice_position), a ranked option (choice_position and rank), a point on
-- a scale or a number (number), a date or a free text (text).
CREATE TABLE survey_answers (
    response_id INTEGER NOT NULL REFERENCES survey_responses (id) ON DELETE CASCADE,
    question_id INTEGER NOT NULL REFERENCES survey_questions (id) ON DELETE CASCADE,
    choice_position INTEGER,
    rank INTEGER,
    number INTEGER,
    text TEXT,
    hidden BOOLEAN NOT NULL DEFAULT FALSE
);
CREATE INDEX survey_answers_question ON survey_answers (question_id);
CREATE INDEX survey_answers_response ON survey_answers (response_id);

-- Only that an account has answered (so it answers once); nothing about the answer, and
-- (without a row id) not in which order accounts answered.
CREATE TABLE survey_respondents (
    survey_id INTEGER NOT NULL REFERENCES surveys (id) ON DELETE CASCADE,
    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    PRIMARY KEY (survey_id, user_id)
) WITHOUT ROWID;

-- One-time links: the hash of the secret in the link, and whether it was used.
CREATE TABLE survey_links (
    token_hash TEXT PRIMARY KEY,
    survey_id INTEGER NOT NULL REFERENCES surveys (id) ON DELETE CASCADE,
    used BOOLEAN NOT NULL
);
