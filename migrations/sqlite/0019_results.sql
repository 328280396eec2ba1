-- Results (反映): per theme, sections of Markdown that staff publish, each naming the
-- proposals it reflects, with an implementation record of dated progress updates.
CREATE TABLE theme_results (
    id INTEGER PRIMARY KEY,
    theme_id INTEGER NOT NULL REFERENCES themes (id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    heading TEXT NOT NULL,
    -- Markdown.
    body TEXT NOT NULL,
    created_by INTEGER REFERENCES users (id) ON DELETE SET NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
CREATE INDEX theme_results_theme ON theme_results (theme_id, position);

-- The proposals a section reflects, with how ("this idea became §3.2 of the plan draft").
CREATE TABLE result_proposals (
    result_id INTEGER NOT NULL REFERENCES theme_results (id) ON DELETE CASCADE,
    proposal_id INTEGER NOT NULL REFERENCES proposals (id) ON DELETE CASCADE,
    note TEXT NOT NULL,
    PRIMARY KEY (result_id, proposal_id)
);
CREATE INDEX result_proposals_proposal ON result_proposals (proposal_id);

-- The implementation record: each update's status, how much is done, and what happened.
CREATE TABLE result_progress (
    id INTEGER PRIMARY KEY,
    result_id INTEGER NOT NULL REFERENCES theme_results (id) ON DELETE CASCADE,
    status TEXT NOT NULL CHECK (status IN ('planned', 'in_progress', 'done', 'stopped')),
    percent INTEGER NOT NULL CHECK (percent BETWEEN 0 AND 100),
    note TEXT NOT NULL,
    created_by INTEGER REFERENCES users (id) ON DELETE SET NULL,
    created_at INTEGER NOT NULL
);
CREATE INDEX result_progress_result ON result_progress (result_id, created_at);
