-- Executive feedback sessions (SPEC 6): a session with its attendees (the
-- ambassadors by member, the executive team by name or email); the items
-- ambassadors submit before it, one vote per ambassador an item; the
-- commitments made of items, with their history of notes and status
-- changes, and when their owner was last reminded of an overdue one.
-- Times are Unix microseconds; due_at is the last instant of the due date.
CREATE TABLE feedback_sessions (
    id         INTEGER PRIMARY KEY,
    title      TEXT    NOT NULL,
    at         INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    actor      TEXT    NOT NULL
);

CREATE TABLE feedback_ambassadors (
    session_id INTEGER NOT NULL REFERENCES feedback_sessions (id),
    member_id  INTEGER NOT NULL REFERENCES members (id),
    PRIMARY KEY (session_id, member_id)
);

CREATE TABLE feedback_executives (
    session_id INTEGER NOT NULL REFERENCES feedback_sessions (id),
    name       TEXT    NOT NULL,
    PRIMARY KEY (session_id, name)
);

CREATE TABLE feedback_items (
    id         INTEGER PRIMARY KEY,
    session_id INTEGER NOT NULL REFERENCES feedback_sessions (id),
    kind       TEXT    NOT NULL CHECK (kind IN ('critique', 'feature')),
    title      TEXT    NOT NULL,
    body       TEXT    NOT NULL DEFAULT '',
    author_id  INTEGER NOT NULL REFERENCES members (id),
    created_at INTEGER NOT NULL
);
CREATE INDEX feedback_items_session ON feedback_items (session_id);

CREATE TABLE feedback_votes (
    item_id   INTEGER NOT NULL REFERENCES feedback_items (id),
    member_id INTEGER NOT NULL REFERENCES members (id),
    at        INTEGER NOT NULL,
    PRIMARY KEY (item_id, member_id)
);

CREATE TABLE commitments (
    id          INTEGER PRIMARY KEY,
    session_id  INTEGER NOT NULL REFERENCES feedback_sessions (id),
    item_id     INTEGER NOT NULL REFERENCES feedback_items (id),
    title       TEXT    NOT NULL,
    owner       TEXT    NOT NULL,
    due_at      INTEGER NOT NULL,
    status      TEXT    NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'in_progress', 'done', 'declined')),
    done_at     INTEGER NOT NULL DEFAULT 0,
    created_at  INTEGER NOT NULL,
    actor       TEXT    NOT NULL,
    reminded_at INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX commitments_due ON commitments (due_at);

CREATE TABLE commitment_notes (
    id            INTEGER PRIMARY KEY,
    commitment_id INTEGER NOT NULL REFERENCES commitments (id),
    at            INTEGER NOT NULL,
    author        TEXT    NOT NULL,
    status        TEXT    NOT NULL DEFAULT '',
    text          TEXT    NOT NULL DEFAULT ''
);
CREATE INDEX commitment_notes_commitment ON commitment_notes (commitment_id);
