-- What peers told us: why a peer refused a Follow we sent (the start of its answer, shown to
-- staff), and which software an instance runs (from its NodeInfo), so that deliveries carry
-- only the forms of an activity that software reads; and what a theme's Group last told its
-- followers about its phase, so that a phase changing at midnight is published once.
ALTER TABLE followed_actors ADD COLUMN refusal TEXT;
ALTER TABLE instances ADD COLUMN software TEXT;
ALTER TABLE instances ADD COLUMN software_checked_at INTEGER;
ALTER TABLE themes ADD COLUMN published_state TEXT;
