-- Times are Unix seconds, but activities.occurred_at is in Unix microseconds so that
-- exports give back the times they were given. Handles are matched on handle_key,
-- their lower-case form.
CREATE TABLE members (
    id         INTEGER PRIMARY KEY,
    name       TEXT    NOT NULL,
    status     TEXT    NOT NULL DEFAULT 'member' CHECK (status IN ('member', 'ambassador', 'alumni')),
    staff      INTEGER NOT NULL DEFAULT 0,
    bot        INTEGER NOT NULL DEFAULT 0,
    region     TEXT    NOT NULL DEFAULT '',
    company    TEXT    NOT NULL DEFAULT '',
    created_at INTEGER NOT NULL
);

CREATE TABLE member_emails (
    email     TEXT    PRIMARY KEY,
    member_id INTEGER NOT NULL REFERENCES members (id),
    position  INTEGER NOT NULL
);
CREATE INDEX member_emails_member ON member_emails (member_id);

CREATE TABLE identities (
    id         INTEGER PRIMARY KEY,
    member_id  INTEGER NOT NULL REFERENCES members (id),
    platform   TEXT    NOT NULL,
    handle     TEXT    NOT NULL,
    handle_key TEXT    NOT NULL,
    user_id    TEXT    NOT NULL DEFAULT '',
    UNIQUE (platform, handle_key)
);
CREATE UNIQUE INDEX identities_user ON identities (platform, user_id) WHERE user_id <> '';
CREATE INDEX identities_member ON identities (member_id);

-- The foreign keys of activities are checked at commit: a multi-row insert
-- that cannot abort half-way needs no statement journal, which makes imports faster.
CREATE TABLE activities (
    id             INTEGER PRIMARY KEY,
    member_id      INTEGER NOT NULL REFERENCES members (id) DEFERRABLE INITIALLY DEFERRED,
    type           TEXT    NOT NULL,
    occurred_at    INTEGER NOT NULL,
    source         TEXT    NOT NULL,
    external_id    TEXT    NOT NULL,
    status         TEXT    NOT NULL CHECK (status IN ('approved', 'pending', 'rejected')),
    effort_minutes REAL,
    url            TEXT    NOT NULL DEFAULT '',
    title          TEXT    NOT NULL DEFAULT '',
    metrics        TEXT    NOT NULL DEFAULT '',
    mentee_id      INTEGER REFERENCES members (id) DEFERRABLE INITIALLY DEFERRED,
    UNIQUE (source, external_id)
);
CREATE INDEX activities_member ON activities (member_id, occurred_at);

CREATE TABLE criteria_versions (
    version    INTEGER PRIMARY KEY,
    author     TEXT    NOT NULL,
    created_at INTEGER NOT NULL,
    document   TEXT    NOT NULL
);

CREATE TABLE audit_log (
    id     INTEGER PRIMARY KEY,
    at     INTEGER NOT NULL,
    actor  TEXT    NOT NULL,
    action TEXT    NOT NULL,
    target TEXT    NOT NULL,
    detail TEXT    NOT NULL
);
-- The audit log is append-only: the database itself refuses edits.
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
