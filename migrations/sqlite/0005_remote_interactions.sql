-- Comments from fediverse accounts, and their supports (Likes), counted apart.

-- A comment is written either by a resident (author_id) or by a remote actor
-- (remote_actor_id, with ap_id the id of its object on its origin). SQLite cannot relax a
-- NOT NULL constraint in place, so the table is rebuilt.
CREATE TABLE comments_rebuilt (
    id INTEGER PRIMARY KEY,
    proposal_id INTEGER NOT NULL REFERENCES proposals (id) ON DELETE CASCADE,
    parent_id INTEGER REFERENCES comments_rebuilt (id),
    author_id INTEGER REFERENCES users (id),
    remote_actor_id INTEGER REFERENCES remote_actors (id),
    ap_id TEXT UNIQUE,
    body TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    deleted_at INTEGER,
    hidden_at INTEGER,
    hidden_reason TEXT,
    hidden_by INTEGER REFERENCES users (id),
    CHECK ((author_id IS NULL) <> (remote_actor_id IS NULL))
);
INSERT INTO comments_rebuilt (id, proposal_id, parent_id, author_id, body, created_at, updated_at,
    deleted_at, hidden_at, hidden_reason, hidden_by)
SELECT id, proposal_id, parent_id, author_id, body, created_at, updated_at, deleted_at, hidden_at,
    hidden_reason, hidden_by FROM comments;
DROP TABLE comments;
ALTER TABLE comments_rebuilt RENAME TO comments;
CREATE INDEX comments_proposal ON comments (proposal_id, created_at);

CREATE TABLE remote_supports (
    proposal_id INTEGER NOT NULL REFERENCES proposals (id) ON DELETE CASCADE,
    remote_actor_id INTEGER NOT NULL REFERENCES remote_actors (id) ON DELETE CASCADE,
    like_id TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (proposal_id, remote_actor_id)
);
