-- Staff remove a theme: it answers 410 and leaves every list, but nothing of it is deleted
-- (its ideas, comments and supports stay), so that it can be restored.
ALTER TABLE themes ADD COLUMN removed_at BIGINT;
