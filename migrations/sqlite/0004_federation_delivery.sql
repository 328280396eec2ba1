-- Federation: remote actors we know, activities already received, and the durable queue of
-- deliveries with the health of each remote instance.

CREATE TABLE remote_actors (
    id INTEGER PRIMARY KEY,
    actor_id TEXT NOT NULL UNIQUE,
    domain TEXT NOT NULL,
    kind TEXT NOT NULL,
    preferred_username TEXT,
    name TEXT,
    url TEXT,
    inbox TEXT NOT NULL,
    shared_inbox TEXT,
    key_id TEXT NOT NULL,
    public_key_pem TEXT NOT NULL,
    fetched_at INTEGER NOT NULL
);
CREATE INDEX remote_actors_key ON remote_actors (key_id);

-- Ids of activities already processed: the same reply often arrives twice.
CREATE TABLE received_activities (
    activity_id TEXT PRIMARY KEY NOT NULL,
    received_at INTEGER NOT NULL
);

CREATE TABLE deliveries (
    id INTEGER PRIMARY KEY,
    inbox TEXT NOT NULL,
    domain TEXT NOT NULL,
    activity TEXT NOT NULL,
    signer_kind TEXT NOT NULL,
    signer_id INTEGER NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER NOT NULL,
    locked_until INTEGER,
    last_error TEXT,
    created_at INTEGER NOT NULL
);
CREATE INDEX deliveries_due ON deliveries (next_attempt_at);

CREATE TABLE instances (
    domain TEXT PRIMARY KEY NOT NULL,
    failures INTEGER NOT NULL DEFAULT 0,
    unreachable_since INTEGER,
    last_success_at INTEGER,
    next_probe_at INTEGER
);
