-- A survey is a draft (seen by staff only, never open), published, or archived (kept with
-- its answers, out of residents' view, taking no answers).
ALTER TABLE surveys ADD COLUMN state TEXT NOT NULL DEFAULT 'published'
    CHECK (state IN ('draft', 'published', 'archived'));

-- Each wording staff corrected after the first answer came in: what it said before and
-- after, who changed it and when. Residents see that the survey (or the question) was
-- edited; staff read the whole log.
CREATE TABLE survey_edits (
    id INTEGER PRIMARY KEY,
    survey_id INTEGER NOT NULL REFERENCES surveys (id) ON DELETE CASCADE,
    -- The question whose wording changed; none for the survey's or a section's own text.
    question_id INTEGER REFERENCES survey_questions (id) ON DELETE CASCADE,
    field TEXT NOT NULL,
    old_text TEXT NOT NULL,
    new_text TEXT NOT NULL,
    edited_by INTEGER REFERENCES users (id) ON DELETE SET NULL,
    edited_at INTEGER NOT NULL
);
CREATE INDEX survey_edits_survey ON survey_edits (survey_id, id);
