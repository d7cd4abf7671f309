-- Terms: the periods in which members are ambassadors (SPEC section 5).
-- Times are Unix microseconds, as review instants are. end_at 0: open.
CREATE TABLE terms (
    id         INTEGER PRIMARY KEY,
    member_id  INTEGER NOT NULL REFERENCES members (id),
    start_at   INTEGER NOT NULL,
    end_at     INTEGER NOT NULL DEFAULT 0,
    via        TEXT    NOT NULL CHECK (via IN ('invitation', 'application', 'roster')),
    ended_by   TEXT    NOT NULL DEFAULT '' CHECK (ended_by IN ('', 'review', 'resigned', 'removed', 'roster')),
    reason     TEXT    NOT NULL DEFAULT '',
    UNIQUE (member_id, start_at)
);

-- Applied quarterly reviews, one a quarter, with what they decided.
CREATE TABLE reviews (
    quarter          TEXT    PRIMARY KEY,
    applied_at       INTEGER NOT NULL,
    criteria_version INTEGER NOT NULL,
    actor            TEXT    NOT NULL,
    result           TEXT    NOT NULL
);

-- Ambassadors excused from a quarter's review (leave of absence).
CREATE TABLE excusals (
    quarter   TEXT    NOT NULL,
    member_id INTEGER NOT NULL REFERENCES members (id),
    reason    TEXT    NOT NULL,
    actor     TEXT    NOT NULL,
    at        INTEGER NOT NULL,
    PRIMARY KEY (quarter, member_id)
);
