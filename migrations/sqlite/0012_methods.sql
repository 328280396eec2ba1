-- Methods (手法): process templates a municipality publishes for others to reuse. Every edit
-- adds a version and earlier versions stay readable; the method row holds what lists and
-- searches need of the newest one.
CREATE TABLE methods (
    id INTEGER PRIMARY KEY,
    current_version INTEGER NOT NULL,
    title TEXT NOT NULL,
    summary TEXT NOT NULL,
    -- The id (URL) of the method or theme this one was derived from, here or elsewhere.
    derived_from TEXT,
    created_by INTEGER REFERENCES users (id) ON DELETE SET NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
CREATE INDEX methods_newest ON methods (updated_at);

-- One version of a method: its whole content as a JSON document (the same fields the API
-- and the wire object carry).
CREATE TABLE method_versions (
    method_id INTEGER NOT NULL REFERENCES methods (id) ON DELETE CASCADE,
    version INTEGER NOT NULL,
    document TEXT NOT NULL,
    created_by INTEGER REFERENCES users (id) ON DELETE SET NULL,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (method_id, version)
);

-- The tags of each method's newest version, for filtering.
CREATE TABLE method_tags (
    method_id INTEGER NOT NULL REFERENCES methods (id) ON DELETE CASCADE,
    tag TEXT NOT NULL,
    PRIMARY KEY (method_id, tag)
);
CREATE INDEX method_tags_by_tag ON method_tags (tag);
