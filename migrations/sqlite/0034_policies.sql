-- The terms of use and the privacy policy that staff write, every version kept; and which
-- versions of the terms each account agreed to, and when.
CREATE TABLE policy_versions (
    id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL CHECK (kind IN ('terms', 'privacy')),
    version INTEGER NOT NULL,
    body TEXT NOT NULL,
    created_by INTEGER REFERENCES users (id) ON DELETE SET NULL,
    created_at INTEGER NOT NULL,
    UNIQUE (kind, version)
);

CREATE TABLE terms_acceptances (
    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    version INTEGER NOT NULL,
    accepted_at INTEGER NOT NULL,
    PRIMARY KEY (user_id, version)
);
