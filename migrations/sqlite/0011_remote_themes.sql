-- Themes that followed municipalities announce (their Group as they open, and its changes),
-- so that staff here see what other cities run and can follow a theme in one step.
CREATE TABLE remote_themes (
    id INTEGER PRIMARY KEY,
    ap_id TEXT NOT NULL UNIQUE,
    followed_id INTEGER NOT NULL REFERENCES followed_actors (id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    summary TEXT NOT NULL,
    url TEXT,
    handle TEXT,
    status TEXT,
    phase_name TEXT,
    received_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
CREATE INDEX remote_themes_newest ON remote_themes (updated_at);
