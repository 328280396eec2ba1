-- Who to tell of a reference: the actor that speaks for the referenced object (a theme's
-- Group, or the one its object is attributed to).
ALTER TABLE object_references ADD COLUMN actor TEXT;

-- Backlinks: another instance's theme, proposal or method that links (FEP-e232) to a
-- theme, proposal or method here, as its origin told us. Staff may hide one.
CREATE TABLE backlinks (
    id INTEGER PRIMARY KEY,
    local_kind TEXT NOT NULL CHECK (local_kind IN ('theme', 'proposal', 'method')),
    local_id INTEGER NOT NULL,
    -- The object that links here, the actor that told us, and what it shows.
    source TEXT NOT NULL,
    actor TEXT NOT NULL,
    kind TEXT NOT NULL,
    title TEXT NOT NULL,
    municipality TEXT,
    url TEXT,
    hidden INTEGER NOT NULL DEFAULT 0,
    received_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    UNIQUE (local_kind, local_id, source)
);
CREATE INDEX backlinks_source ON backlinks (source);
