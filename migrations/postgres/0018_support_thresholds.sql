-- A theme may set how many supports make a proposal need an answer, and who counts toward
-- it; a proposal records when it reached that number (once).
ALTER TABLE themes ADD COLUMN support_threshold INTEGER;
ALTER TABLE themes ADD COLUMN threshold_counts TEXT NOT NULL DEFAULT 'residents'
    CHECK (threshold_counts IN ('residents', 'residents_and_fediverse'));
ALTER TABLE proposals ADD COLUMN threshold_reached_at BIGINT;
