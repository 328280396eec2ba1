-- Terms staff show in the word cloud although the default list leaves them out. The rules of
-- finding terms changed (loanword compounds stay whole; general words are left out when the
-- cloud is read, not when it is counted): every idea and comment is counted again.
CREATE TABLE word_cloud_included_terms (
    term TEXT PRIMARY KEY,
    created_at INTEGER NOT NULL
);
INSERT INTO events (kind, subject_id, payload, created_at)
VALUES ('word_cloud_names_changed', 0, '{}',
        CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER));
