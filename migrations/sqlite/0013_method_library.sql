-- Methods that followed municipalities publish, kept for staff here to find and reuse: the
-- newest version's document, with what lists filter on beside it.
CREATE TABLE remote_methods (
    id INTEGER PRIMARY KEY,
    ap_id TEXT NOT NULL UNIQUE,
    followed_id INTEGER NOT NULL REFERENCES followed_actors (id) ON DELETE CASCADE,
    -- The municipality that published it (its actor id, its name, its prefecture).
    origin_actor TEXT NOT NULL,
    origin_name TEXT NOT NULL,
    prefecture TEXT,
    version INTEGER NOT NULL,
    title TEXT NOT NULL,
    summary TEXT NOT NULL,
    url TEXT NOT NULL,
    document TEXT NOT NULL,
    received_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
CREATE INDEX remote_methods_newest ON remote_methods (updated_at);

CREATE TABLE remote_method_tags (
    remote_method_id INTEGER NOT NULL REFERENCES remote_methods (id) ON DELETE CASCADE,
    tag TEXT NOT NULL,
    PRIMARY KEY (remote_method_id, tag)
);
CREATE INDEX remote_method_tags_by_tag ON remote_method_tags (tag);

-- Themes at other municipalities started from one of this municipality's methods, as their
-- municipality told when the theme opened ("used by").
CREATE TABLE method_uses (
    method_id INTEGER NOT NULL REFERENCES methods (id) ON DELETE CASCADE,
    theme_ap_id TEXT NOT NULL,
    title TEXT NOT NULL,
    actor_id TEXT NOT NULL,
    received_at INTEGER NOT NULL,
    PRIMARY KEY (method_id, theme_ap_id)
);

-- A theme started from a method: what it was based on (JSON: the method's id, title,
-- municipality and that municipality's actor). How staff run each phase, from the method.
ALTER TABLE themes ADD COLUMN based_on TEXT;
ALTER TABLE theme_phases ADD COLUMN staff_guidance TEXT NOT NULL DEFAULT '';

-- What an instance's NodeInfo says of its municipality (JSON), read with its software.
ALTER TABLE instances ADD COLUMN municipality TEXT;
