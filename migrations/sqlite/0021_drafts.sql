-- Drafts (たたき台) and amendments (修正提案). A phase may take amendments. A draft is kept
-- as numbered paragraphs per version; accepting an amendment makes a new version with that
-- paragraph replaced, and every version stays. Residents support and discuss amendments;
-- replies from the fediverse to a draft or to a section of results are kept as comments.
ALTER TABLE theme_phases ADD COLUMN allow_amendments BOOLEAN NOT NULL DEFAULT FALSE;

CREATE TABLE drafts (
    id INTEGER PRIMARY KEY,
    theme_id INTEGER NOT NULL REFERENCES themes (id) ON DELETE CASCADE,
    title TEXT NOT NULL,
    current_version INTEGER NOT NULL,
    created_by INTEGER REFERENCES users (id) ON DELETE SET NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
CREATE INDEX drafts_theme ON drafts (theme_id, id);

CREATE TABLE amendments (
    id INTEGER PRIMARY KEY,
    draft_id INTEGER NOT NULL REFERENCES drafts (id) ON DELETE CASCADE,
    paragraph INTEGER NOT NULL,
    -- The version whose paragraph it would replace.
    base_version INTEGER NOT NULL,
    replacement TEXT NOT NULL,
    reason TEXT NOT NULL,
    author_id INTEGER REFERENCES users (id) ON DELETE SET NULL,
    status TEXT NOT NULL CHECK (status IN ('open', 'accepted', 'rejected')),
    decision_reason TEXT NOT NULL,
    decided_by INTEGER REFERENCES users (id) ON DELETE SET NULL,
    decided_at INTEGER,
    -- The version that accepting it made.
    accepted_version INTEGER,
    support_count INTEGER NOT NULL,
    created_at INTEGER NOT NULL
);
CREATE INDEX amendments_draft ON amendments (draft_id, paragraph, id);

CREATE TABLE draft_versions (
    draft_id INTEGER NOT NULL REFERENCES drafts (id) ON DELETE CASCADE,
    version INTEGER NOT NULL,
    -- The amendment it accepted (none for the first version).
    amendment_id INTEGER REFERENCES amendments (id) ON DELETE SET NULL,
    created_by INTEGER REFERENCES users (id) ON DELETE SET NULL,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (draft_id, version)
);

CREATE TABLE draft_paragraphs (
    draft_id INTEGER NOT NULL,
    version INTEGER NOT NULL,
    number INTEGER NOT NULL,
    body TEXT NOT NULL,
    PRIMARY KEY (draft_id, version, number),
    FOREIGN KEY (draft_id, version) REFERENCES draft_versions (draft_id, version) ON DELETE CASCADE
);

CREATE TABLE amendment_supports (
    amendment_id INTEGER NOT NULL REFERENCES amendments (id) ON DELETE CASCADE,
    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (amendment_id, user_id)
);

-- Comments on an amendment, a draft or a section of results: by a resident (author_id) or
-- from the fediverse (remote_actor_id, ap_id the reply's id, so it is kept once).
CREATE TABLE discussion_comments (
    id INTEGER PRIMARY KEY,
    amendment_id INTEGER REFERENCES amendments (id) ON DELETE CASCADE,
    draft_id INTEGER REFERENCES drafts (id) ON DELETE CASCADE,
    result_id INTEGER REFERENCES theme_results (id) ON DELETE CASCADE,
    author_id INTEGER REFERENCES users (id) ON DELETE SET NULL,
    remote_actor_id INTEGER REFERENCES remote_actors (id) ON DELETE CASCADE,
    ap_id TEXT UNIQUE,
    body TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    hidden_at INTEGER,
    CHECK ((amendment_id IS NOT NULL) + (draft_id IS NOT NULL) + (result_id IS NOT NULL) = 1)
);
CREATE INDEX discussion_amendment ON discussion_comments (amendment_id, created_at);
CREATE INDEX discussion_draft ON discussion_comments (draft_id, created_at);
CREATE INDEX discussion_result ON discussion_comments (result_id, created_at);

-- A notification may be about an amendment (its author and supporters learn the decision).
ALTER TABLE notifications ADD COLUMN amendment_id INTEGER REFERENCES amendments (id) ON DELETE CASCADE;
