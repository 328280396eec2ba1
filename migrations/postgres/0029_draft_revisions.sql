-- Staff may write a new version of a draft themselves, saying what they changed and why
-- (versions made by accepting an amendment name the amendment instead).
ALTER TABLE draft_versions ADD COLUMN change_note TEXT;
