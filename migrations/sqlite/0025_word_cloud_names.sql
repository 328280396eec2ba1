-- The word cloud's local names: place and facility names staff keep whole, so that the
-- morphological analysis never splits them (琴浦町民プール stays one term).
CREATE TABLE word_cloud_names (
    name TEXT PRIMARY KEY,
    created_at INTEGER NOT NULL
);
