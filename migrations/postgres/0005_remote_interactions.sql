-- Comments from fediverse accounts, and their supports (Likes), counted apart.

-- A comment is written either by a resident (author_id) or by a remote actor
-- (remote_actor_id, with ap_id the id of its object on its origin).
ALTER TABLE comments ALTER COLUMN author_id DROP NOT NULL;
ALTER TABLE comments ADD COLUMN remote_actor_id BIGINT REFERENCES remote_actors (id);
ALTER TABLE comments ADD COLUMN ap_id TEXT UNIQUE;
ALTER TABLE comments ADD CONSTRAINT comments_one_author CHECK ((author_id IS NULL) <> (remote_actor_id IS NULL));

CREATE TABLE remote_supports (
    proposal_id BIGINT NOT NULL REFERENCES proposals (id) ON DELETE CASCADE,
    remote_actor_id BIGINT NOT NULL REFERENCES remote_actors (id) ON DELETE CASCADE,
    like_id TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (proposal_id, remote_actor_id)
);
