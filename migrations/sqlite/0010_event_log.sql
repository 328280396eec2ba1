-- The event log: what users and peers caused, appended in the same transaction as the change
-- itself, read in order by consumers (the federation publisher first), each with a durable
-- position. Ids are never reused, so a position stays meaningful after old events are pruned.
CREATE TABLE events (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    kind TEXT NOT NULL,
    subject_id INTEGER NOT NULL,
    payload TEXT NOT NULL DEFAULT '{}',
    created_at INTEGER NOT NULL
);

CREATE TABLE event_consumers (
    name TEXT PRIMARY KEY,
    position INTEGER NOT NULL,
    lease_owner TEXT,
    leased_until INTEGER,
    failing_event INTEGER,
    attempts INTEGER NOT NULL DEFAULT 0,
    retry_at INTEGER,
    last_error TEXT,
    updated_at INTEGER NOT NULL
);

-- Each activity queued while publishing an event names the event and its place in that
-- publication, so that publishing the same event again (after a crash) queues nothing twice.
ALTER TABLE delivery_activities ADD COLUMN event_id INTEGER;
ALTER TABLE delivery_activities ADD COLUMN event_part INTEGER;
CREATE UNIQUE INDEX delivery_activities_event_part ON delivery_activities (event_id, event_part);
