-- The word that tells a theme's anonymous authors apart on pages (匿名さん（さくら）), unique
-- within the theme; authors from before words keep a number of their own.
ALTER TABLE pseudonyms ADD COLUMN word TEXT;
UPDATE pseudonyms SET word = CAST(id AS TEXT);
CREATE UNIQUE INDEX pseudonyms_theme_word ON pseudonyms (theme_id, word);
