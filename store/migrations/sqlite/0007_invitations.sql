-- Invitations to become an ambassador, each with a personal single-use link
-- kept as the SHA-256 of its secret. Times are Unix microseconds.
CREATE TABLE invitations (
    id         INTEGER PRIMARY KEY,
    member_id  INTEGER NOT NULL REFERENCES members (id),
    hash       TEXT    NOT NULL UNIQUE,
    state      TEXT    NOT NULL CHECK (state IN ('sent', 'accepted', 'declined', 'revoked')),
    sent_at    INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    decided_at INTEGER NOT NULL DEFAULT 0,
    actor      TEXT    NOT NULL
);
CREATE INDEX invitations_member ON invitations (member_id);
