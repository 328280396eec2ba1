-- References that staff add on a theme or a proposal to another instance's theme,
-- proposal or method, with a snapshot of what the reference shows (refreshed on a schedule
-- and when the origin sends an Update).
CREATE TABLE object_references (
    id INTEGER PRIMARY KEY,
    local_kind TEXT NOT NULL CHECK (local_kind IN ('theme', 'proposal')),
    local_id INTEGER NOT NULL,
    target TEXT NOT NULL,
    -- The snapshot: what kind of object, its title, the municipality, its phase and status,
    -- how many ideas, when it last changed at the origin, its page, and whether it is gone.
    kind TEXT NOT NULL,
    title TEXT NOT NULL,
    municipality TEXT,
    phase TEXT,
    status TEXT,
    idea_count INTEGER,
    changed_at TEXT,
    url TEXT,
    removed INTEGER NOT NULL DEFAULT 0,
    fetched_at INTEGER NOT NULL,
    created_by INTEGER REFERENCES users (id) ON DELETE SET NULL,
    created_at INTEGER NOT NULL,
    UNIQUE (local_kind, local_id, target)
);
CREATE INDEX object_references_target ON object_references (target);
CREATE INDEX object_references_due ON object_references (fetched_at);
