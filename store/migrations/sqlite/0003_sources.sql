-- Sources Cadre reads on a schedule, each with the cursor it resumes from and
-- a lease that keeps two instances from syncing it at once.
CREATE TABLE sources (
    name         TEXT    PRIMARY KEY,
    kind         TEXT    NOT NULL,
    config       TEXT    NOT NULL DEFAULT '{}',
    cursor       TEXT    NOT NULL DEFAULT '',
    last_sync_at INTEGER NOT NULL DEFAULT 0,
    last_error   TEXT    NOT NULL DEFAULT '',
    inserted     INTEGER NOT NULL DEFAULT 0,
    duplicates   INTEGER NOT NULL DEFAULT 0,
    rejected     INTEGER NOT NULL DEFAULT 0,
    lease_owner  TEXT    NOT NULL DEFAULT '',
    lease_until  INTEGER NOT NULL DEFAULT 0
);

-- Webhook deliveries already taken, so that a redelivery changes nothing.
CREATE TABLE webhook_deliveries (
    platform    TEXT    NOT NULL,
    delivery_id TEXT    NOT NULL,
    received_at INTEGER NOT NULL,
    PRIMARY KEY (platform, delivery_id)
);

-- Merges of two members, with what moved, so that an unmerge restores it.
CREATE TABLE merges (
    id        INTEGER PRIMARY KEY,
    from_id   INTEGER NOT NULL REFERENCES members (id),
    into_id   INTEGER NOT NULL REFERENCES members (id),
    at        INTEGER NOT NULL,
    actor     TEXT    NOT NULL,
    reason    TEXT    NOT NULL,
    moved     TEXT    NOT NULL,
    undone_at INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX merges_from ON merges (from_id);

-- A member merged into another is kept, empty, to be restored by an unmerge.
ALTER TABLE members ADD COLUMN merged_into INTEGER NOT NULL DEFAULT 0;

-- A self-reported activity that looks like one already known.
ALTER TABLE activities ADD COLUMN duplicate_of INTEGER NOT NULL DEFAULT 0;

-- Program settings, such as the email domains of staff.
CREATE TABLE settings (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

-- Merge suggestions look for the same handle on other platforms.
CREATE INDEX identities_handle ON identities (handle_key);
