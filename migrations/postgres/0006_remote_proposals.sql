-- Proposals posted from the fediverse: a proposal is written either by a resident
-- (author_id) or by a remote actor (remote_actor_id, with ap_id the id of its object on its
-- origin).
ALTER TABLE proposals ALTER COLUMN author_id DROP NOT NULL;
ALTER TABLE proposals ADD COLUMN remote_actor_id BIGINT REFERENCES remote_actors (id);
ALTER TABLE proposals ADD COLUMN ap_id TEXT UNIQUE;
ALTER TABLE proposals ADD CONSTRAINT proposals_one_author CHECK ((author_id IS NULL) <> (remote_actor_id IS NULL));
