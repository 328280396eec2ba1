-- Remote actors this municipality follows (a theme or a municipality on another server),
-- the posts that reach it through them, and what residents here do with those posts.

CREATE TABLE followed_actors (
    id INTEGER PRIMARY KEY,
    remote_actor_id INTEGER NOT NULL UNIQUE REFERENCES remote_actors (id) ON DELETE CASCADE,
    -- The id of the Follow we sent, which the answer names.
    follow_activity TEXT NOT NULL UNIQUE,
    state TEXT NOT NULL CHECK (state IN ('pending', 'accepted', 'rejected')),
    created_by INTEGER REFERENCES users (id) ON DELETE SET NULL,
    created_at INTEGER NOT NULL,
    answered_at INTEGER
);

-- Posts received from followed actors; ap_id is the object's id on its origin.
CREATE TABLE remote_posts (
    id INTEGER PRIMARY KEY,
    ap_id TEXT NOT NULL UNIQUE,
    followed_id INTEGER NOT NULL REFERENCES followed_actors (id) ON DELETE CASCADE,
    author_actor_id INTEGER REFERENCES remote_actors (id) ON DELETE SET NULL,
    kind TEXT NOT NULL,
    name TEXT,
    content TEXT NOT NULL,
    url TEXT,
    in_reply_to TEXT,
    published_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    deleted_at INTEGER,
    received_at INTEGER NOT NULL
);
CREATE INDEX remote_posts_newest ON remote_posts (published_at);
CREATE INDEX remote_posts_replies ON remote_posts (in_reply_to);

-- Residents' supports of remote posts: sent to the origin as a Like, which counts them.
CREATE TABLE remote_post_supports (
    remote_post_id INTEGER NOT NULL REFERENCES remote_posts (id) ON DELETE CASCADE,
    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    like_activity TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (remote_post_id, user_id)
);

-- Residents' replies to remote posts: published here as Notes, delivered to the origin.
CREATE TABLE remote_post_replies (
    id INTEGER PRIMARY KEY,
    remote_post_id INTEGER NOT NULL REFERENCES remote_posts (id) ON DELETE CASCADE,
    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    body TEXT NOT NULL,
    created_at INTEGER NOT NULL
);
CREATE INDEX remote_post_replies_post ON remote_post_replies (remote_post_id, created_at);
