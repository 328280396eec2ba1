-- The word cloud's kept counts: the terms of each published idea, and per theme how many
-- ideas contain each term, kept up to date from the event log as ideas are posted, edited,
-- withdrawn, hidden or restored. Staff add stop words of their own.
CREATE TABLE proposal_terms (
    proposal_id INTEGER NOT NULL REFERENCES proposals (id) ON DELETE CASCADE,
    term TEXT NOT NULL,
    PRIMARY KEY (proposal_id, term)
);
CREATE INDEX proposal_terms_term ON proposal_terms (term, proposal_id);

CREATE TABLE theme_terms (
    theme_id INTEGER NOT NULL REFERENCES themes (id) ON DELETE CASCADE,
    term TEXT NOT NULL,
    ideas INTEGER NOT NULL,
    PRIMARY KEY (theme_id, term)
);
CREATE INDEX theme_terms_rank ON theme_terms (theme_id, ideas);

CREATE TABLE word_cloud_stop_words (
    term TEXT PRIMARY KEY,
    created_at INTEGER NOT NULL
);
