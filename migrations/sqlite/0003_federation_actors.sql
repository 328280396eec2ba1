-- Federation: key pairs of local actors, and remote followers of local actors.

-- RSA key pairs, created on first use. owner_kind: instance, theme, user, pseudonym.
CREATE TABLE actor_keys (
    owner_kind TEXT NOT NULL,
    owner_id INTEGER NOT NULL,
    public_key_pem TEXT NOT NULL,
    private_key_pem TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (owner_kind, owner_id)
);

-- Remote actors following a local actor (a theme or the municipality).
CREATE TABLE followers (
    id INTEGER PRIMARY KEY,
    local_kind TEXT NOT NULL,
    local_id INTEGER NOT NULL,
    remote_actor TEXT NOT NULL,
    inbox TEXT NOT NULL,
    shared_inbox TEXT,
    created_at INTEGER NOT NULL,
    UNIQUE (local_kind, local_id, remote_actor)
);
