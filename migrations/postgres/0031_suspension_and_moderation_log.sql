-- Accounts staff suspend (cannot log in; what they wrote stays), and a moderation log whose
-- entries the database itself refuses to change or delete.
ALTER TABLE users ADD COLUMN suspended_at BIGINT;
ALTER TABLE users ADD COLUMN suspended_reason TEXT;
-- What the decision was about, in words that outlive it (a blocked host, a handle).
ALTER TABLE moderation_log ADD COLUMN target_label TEXT NOT NULL DEFAULT '';
CREATE INDEX moderation_log_time ON moderation_log (created_at, id);

CREATE FUNCTION moderation_log_kept() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'moderation log entries are kept as written';
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER moderation_log_no_change BEFORE UPDATE OR DELETE ON moderation_log
    FOR EACH ROW EXECUTE FUNCTION moderation_log_kept();
