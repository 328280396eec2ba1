-- Participation core: accounts, sessions, themes with phases, proposals, comments, supports.
-- Timestamps are milliseconds since the Unix epoch (UTC); dates are 'YYYY-MM-DD' text in the
-- municipality's time zone. The PostgreSQL file of the same name holds the same schema.

CREATE TABLE settings (
    key TEXT PRIMARY KEY NOT NULL,
    value TEXT NOT NULL
);

CREATE TABLE users (
    id INTEGER PRIMARY KEY,
    handle TEXT NOT NULL UNIQUE,
    email TEXT UNIQUE,
    display_name TEXT NOT NULL DEFAULT '',
    password_hash TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('resident', 'moderator', 'staff', 'administrator')),
    age_band TEXT,
    area TEXT,
    relations TEXT NOT NULL DEFAULT '',
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);

CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY NOT NULL,
    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    csrf_token TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL
);
CREATE INDEX sessions_user ON sessions (user_id);

CREATE TABLE api_tokens (
    id INTEGER PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    created_at INTEGER NOT NULL,
    last_used_at INTEGER
);
CREATE INDEX api_tokens_user ON api_tokens (user_id);

CREATE TABLE themes (
    id INTEGER PRIMARY KEY,
    slug TEXT NOT NULL UNIQUE,
    title TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    status TEXT NOT NULL CHECK (status IN ('draft', 'open', 'closed', 'archived')),
    created_by INTEGER REFERENCES users (id) ON DELETE SET NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);

CREATE TABLE theme_tags (
    theme_id INTEGER NOT NULL REFERENCES themes (id) ON DELETE CASCADE,
    tag TEXT NOT NULL,
    PRIMARY KEY (theme_id, tag)
);

CREATE TABLE theme_phases (
    id INTEGER PRIMARY KEY,
    theme_id INTEGER NOT NULL REFERENCES themes (id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    name TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    starts_on TEXT NOT NULL,
    ends_on TEXT NOT NULL,
    allow_ideas BOOLEAN NOT NULL,
    allow_comments BOOLEAN NOT NULL,
    allow_supports BOOLEAN NOT NULL,
    UNIQUE (theme_id, position)
);

-- A resident's stable pseudonym within one theme; the mapping is kept for moderation only.
CREATE TABLE pseudonyms (
    id INTEGER PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    theme_id INTEGER NOT NULL REFERENCES themes (id) ON DELETE CASCADE,
    name TEXT NOT NULL UNIQUE,
    created_at INTEGER NOT NULL,
    UNIQUE (user_id, theme_id)
);

CREATE TABLE proposals (
    id INTEGER PRIMARY KEY,
    theme_id INTEGER NOT NULL REFERENCES themes (id) ON DELETE CASCADE,
    author_id INTEGER NOT NULL REFERENCES users (id),
    pseudonym_id INTEGER REFERENCES pseudonyms (id),
    title TEXT NOT NULL,
    body TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    withdrawn_at INTEGER,
    hidden_at INTEGER,
    hidden_reason TEXT,
    hidden_by INTEGER REFERENCES users (id)
);
CREATE INDEX proposals_theme ON proposals (theme_id, created_at);

CREATE TABLE proposal_tags (
    proposal_id INTEGER NOT NULL REFERENCES proposals (id) ON DELETE CASCADE,
    tag TEXT NOT NULL,
    PRIMARY KEY (proposal_id, tag)
);
CREATE INDEX proposal_tags_tag ON proposal_tags (tag);

CREATE TABLE comments (
    id INTEGER PRIMARY KEY,
    proposal_id INTEGER NOT NULL REFERENCES proposals (id) ON DELETE CASCADE,
    parent_id INTEGER REFERENCES comments (id),
    author_id INTEGER NOT NULL REFERENCES users (id),
    body TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    deleted_at INTEGER,
    hidden_at INTEGER,
    hidden_reason TEXT,
    hidden_by INTEGER REFERENCES users (id)
);
CREATE INDEX comments_proposal ON comments (proposal_id, created_at);

CREATE TABLE supports (
    proposal_id INTEGER NOT NULL REFERENCES proposals (id) ON DELETE CASCADE,
    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (proposal_id, user_id)
);

-- Every moderation decision, for accountability.
CREATE TABLE moderation_log (
    id INTEGER PRIMARY KEY,
    moderator_id INTEGER NOT NULL REFERENCES users (id),
    target_kind TEXT NOT NULL,
    target_id INTEGER NOT NULL,
    action TEXT NOT NULL,
    reason TEXT NOT NULL,
    created_at INTEGER NOT NULL
);
