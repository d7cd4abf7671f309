-- Applications through the public form (SPEC section 5), with the member
-- they resolve to and the applicant's personal link, kept hashed.
CREATE TABLE applications (
    id         INTEGER PRIMARY KEY,
    name       TEXT    NOT NULL,
    email      TEXT    NOT NULL,
    handles    TEXT    NOT NULL DEFAULT '',
    motivation TEXT    NOT NULL,
    links      TEXT    NOT NULL DEFAULT '',
    member_id  INTEGER NOT NULL DEFAULT 0,
    state      TEXT    NOT NULL CHECK (state IN ('submitted', 'accepted', 'rejected', 'withdrawn')),
    hash       TEXT    NOT NULL UNIQUE,
    at         INTEGER NOT NULL,
    decided_at INTEGER NOT NULL DEFAULT 0,
    reviewer   TEXT    NOT NULL DEFAULT '',
    reason     TEXT    NOT NULL DEFAULT ''
);
-- One open application per email.
CREATE UNIQUE INDEX applications_open_email ON applications (email) WHERE state = 'submitted';

CREATE TABLE application_notes (
    id             INTEGER PRIMARY KEY,
    application_id INTEGER NOT NULL REFERENCES applications (id),
    author         TEXT    NOT NULL,
    at             INTEGER NOT NULL,
    text           TEXT    NOT NULL
);
