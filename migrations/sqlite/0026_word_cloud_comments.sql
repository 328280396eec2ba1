-- The word cloud may count comments too: the terms of each published comment, and per
-- theme how many comments contain each term, kept like the ideas' counts.
CREATE TABLE comment_terms (
    comment_id INTEGER NOT NULL REFERENCES comments (id) ON DELETE CASCADE,
    term TEXT NOT NULL,
    PRIMARY KEY (comment_id, term)
);
CREATE INDEX comment_terms_term ON comment_terms (term, comment_id);

CREATE TABLE theme_comment_terms (
    theme_id INTEGER NOT NULL REFERENCES themes (id) ON DELETE CASCADE,
    term TEXT NOT NULL,
    comments INTEGER NOT NULL,
    PRIMARY KEY (theme_id, term)
);
CREATE INDEX theme_comment_terms_rank ON theme_comment_terms (theme_id, comments);
