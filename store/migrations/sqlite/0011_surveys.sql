-- Ambassador NPS surveys (SPEC 6): one a quarter, each ambassador of the
-- quarter invited through a personal link kept as the SHA-256 of its
-- secret, one answer each (changed in place until the survey closes).
-- Times are Unix microseconds.
CREATE TABLE surveys (
    id        INTEGER PRIMARY KEY,
    quarter   TEXT    NOT NULL UNIQUE,
    opened_at INTEGER NOT NULL,
    closes_at INTEGER NOT NULL,
    anonymous INTEGER NOT NULL DEFAULT 0,
    actor     TEXT    NOT NULL
);

CREATE TABLE survey_invitees (
    survey_id   INTEGER NOT NULL REFERENCES surveys (id),
    member_id   INTEGER NOT NULL REFERENCES members (id),
    hash        TEXT    NOT NULL UNIQUE,
    reminded_at INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (survey_id, member_id)
);

CREATE TABLE survey_answers (
    survey_id INTEGER NOT NULL REFERENCES surveys (id),
    member_id INTEGER NOT NULL REFERENCES members (id),
    score     INTEGER NOT NULL CHECK (score BETWEEN 0 AND 10),
    comment   TEXT    NOT NULL DEFAULT '',
    at        INTEGER NOT NULL,
    PRIMARY KEY (survey_id, member_id)
);
