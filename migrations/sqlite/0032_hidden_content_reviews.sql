-- Authors are told when moderators hide what they wrote, with the reason, and may ask once
-- for the decision to be reviewed.
ALTER TABLE notifications ADD COLUMN comment_id INTEGER REFERENCES comments (id) ON DELETE CASCADE;

CREATE TABLE review_requests (
    id INTEGER PRIMARY KEY,
    target_kind TEXT NOT NULL CHECK (target_kind IN ('proposal', 'comment')),
    target_id INTEGER NOT NULL,
    author_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    message TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    decided_at INTEGER,
    decided_by INTEGER REFERENCES users (id) ON DELETE SET NULL,
    -- 'restored' or 'kept'.
    outcome TEXT,
    decision_reason TEXT,
    UNIQUE (target_kind, target_id)
);
CREATE INDEX review_requests_open ON review_requests (decided_at, created_at);
