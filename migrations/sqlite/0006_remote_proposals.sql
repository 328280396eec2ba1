-- Proposals posted from the fediverse: a proposal is written either by a resident
-- (author_id) or by a remote actor (remote_actor_id, with ap_id the id of its object on its
-- origin). SQLite cannot relax a NOT NULL constraint in place, so the table is rebuilt.
-- Migrations run with foreign keys off (see `Db::migrate`), so dropping the old table does
-- not cascade to the tags, supports and comments that refer to proposals by id.
CREATE TABLE proposals_rebuilt (
    id INTEGER PRIMARY KEY,
    theme_id INTEGER NOT NULL REFERENCES themes (id) ON DELETE CASCADE,
    author_id INTEGER REFERENCES users (id),
    pseudonym_id INTEGER REFERENCES pseudonyms (id),
    remote_actor_id INTEGER REFERENCES remote_actors (id),
    ap_id TEXT UNIQUE,
    title TEXT NOT NULL,
    body TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    withdrawn_at INTEGER,
    hidden_at INTEGER,
    hidden_reason TEXT,
    hidden_by INTEGER REFERENCES users (id),
    CHECK ((author_id IS NULL) <> (remote_actor_id IS NULL))
);
INSERT INTO proposals_rebuilt (id, theme_id, author_id, pseudonym_id, title, body, created_at,
    updated_at, withdrawn_at, hidden_at, hidden_reason, hidden_by)
SELECT id, theme_id, author_id, pseudonym_id, title, body, created_at, updated_at, withdrawn_at,
    hidden_at, hidden_reason, hidden_by FROM proposals;
DROP TABLE proposals;
ALTER TABLE proposals_rebuilt RENAME TO proposals;
CREATE INDEX proposals_theme ON proposals (theme_id, created_at);
