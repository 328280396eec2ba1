-- Official answers: staff give a proposal a state and an answer; a revision is a new
-- version, earlier ones stay visible with their dates. The proposal keeps its current
-- state for boards and filters.
CREATE TABLE proposal_answers (
    id INTEGER PRIMARY KEY,
    proposal_id INTEGER NOT NULL REFERENCES proposals (id) ON DELETE CASCADE,
    version INTEGER NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('evaluating', 'accepted', 'partly_accepted',
        'not_adopted', 'implemented', 'out_of_scope')),
    -- Markdown.
    body TEXT NOT NULL,
    department TEXT NOT NULL,
    cost_estimate_yen INTEGER,
    link TEXT,
    answered_by INTEGER REFERENCES users (id) ON DELETE SET NULL,
    created_at INTEGER NOT NULL,
    UNIQUE (proposal_id, version)
);
ALTER TABLE proposals ADD COLUMN answer_state TEXT;
ALTER TABLE proposals ADD COLUMN answered_at INTEGER;

-- What residents are told on the site (the header shows how many are unread). One per
-- account and event, so that an event handled twice tells once.
CREATE TABLE notifications (
    id INTEGER PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    kind TEXT NOT NULL,
    proposal_id INTEGER REFERENCES proposals (id) ON DELETE CASCADE,
    event_id INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    read_at INTEGER,
    UNIQUE (user_id, event_id)
);
CREATE INDEX notifications_of_user ON notifications (user_id, created_at);
