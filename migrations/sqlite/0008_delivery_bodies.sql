-- An activity sent to many inboxes is stored once, not once per inbox: deliveries name it
-- by activity_id. Rows queued before this migration keep their own copy in `activity`.
-- SQLite cannot relax NOT NULL in place, so the queue table is rebuilt (nothing refers to
-- it; migrations run with foreign keys off, see `Db::migrate`).
CREATE TABLE delivery_activities (
    id INTEGER PRIMARY KEY,
    activity TEXT NOT NULL,
    created_at INTEGER NOT NULL
);

CREATE TABLE deliveries_rebuilt (
    id INTEGER PRIMARY KEY,
    inbox TEXT NOT NULL,
    domain TEXT NOT NULL,
    activity TEXT,
    activity_id INTEGER REFERENCES delivery_activities (id),
    signer_kind TEXT NOT NULL,
    signer_id INTEGER NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER NOT NULL,
    locked_until INTEGER,
    last_error TEXT,
    created_at INTEGER NOT NULL,
    CHECK ((activity IS NULL) <> (activity_id IS NULL))
);
INSERT INTO deliveries_rebuilt (id, inbox, domain, activity, signer_kind, signer_id, attempts,
    next_attempt_at, locked_until, last_error, created_at)
SELECT id, inbox, domain, activity, signer_kind, signer_id, attempts, next_attempt_at,
    locked_until, last_error, created_at FROM deliveries;
DROP TABLE deliveries;
ALTER TABLE deliveries_rebuilt RENAME TO deliveries;
CREATE INDEX deliveries_due ON deliveries (next_attempt_at);
CREATE INDEX deliveries_activity ON deliveries (activity_id);
