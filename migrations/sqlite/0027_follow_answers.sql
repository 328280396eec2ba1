-- Each Follow a peer sent, as it was received, kept with its follower: every later answer
-- (Accept, and the Reject when a moderator blocks the follower) carries it exactly, its id
-- first of all, or the follower's server cannot find the follow it ends.
ALTER TABLE followers ADD COLUMN follow_activity TEXT;

-- The end a poll was published with (its endTime): it never changes on the fediverse,
-- where a change would make it a new poll; a survey closed early moves only closes_at.
ALTER TABLE survey_polls ADD COLUMN end_time INTEGER;
UPDATE survey_polls SET end_time = closes_at;

-- When staff closed a survey before its end (its polls close then too).
ALTER TABLE surveys ADD COLUMN closed_at INTEGER;

-- The Block that each followed local actor sent a follower when a moderators' block ended
-- its follow (Mastodon-family servers end an accepted follow only on a Block), kept until
-- the block is lifted and each gets its Undo.
CREATE TABLE block_notices (
    id INTEGER PRIMARY KEY,
    block_id INTEGER NOT NULL,
    local_kind TEXT NOT NULL,
    local_id INTEGER NOT NULL,
    follower TEXT NOT NULL,
    inbox TEXT NOT NULL,
    block_activity TEXT NOT NULL,
    created_at INTEGER NOT NULL
);
CREATE INDEX block_notices_block ON block_notices (block_id);
