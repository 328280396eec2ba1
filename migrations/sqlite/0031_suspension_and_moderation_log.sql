-- Accounts staff suspend (cannot log in; what they wrote stays), and a moderation log whose
-- entries the database itself refuses to change or delete.
ALTER TABLE users ADD COLUMN suspended_at INTEGER;
ALTER TABLE users ADD COLUMN suspended_reason TEXT;
-- What the decision was about, in words that outlive it (a blocked host, a handle).
ALTER TABLE moderation_log ADD COLUMN target_label TEXT NOT NULL DEFAULT '';
CREATE INDEX moderation_log_time ON moderation_log (created_at, id);

CREATE TRIGGER moderation_log_no_update BEFORE UPDATE ON moderation_log
BEGIN
    SELECT RAISE(ABORT, 'moderation log entries are kept as written');
END;

CREATE TRIGGER moderation_log_no_delete BEFORE DELETE ON moderation_log
BEGIN
    SELECT RAISE(ABORT, 'moderation log entries are kept as written');
END;
