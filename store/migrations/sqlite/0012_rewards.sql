-- Rewards (SPEC 6): the catalog with who may receive each, pain points
-- with weights, the matrix scoring each reward against each pain point
-- (1-10; no row for an empty cell), grants with their fulfilment, and a
-- budget per quarter. Times are Unix microseconds; regions are a
-- comma-separated list, empty for anywhere; a NULL stock has no limit.
CREATE TABLE rewards (
    id         INTEGER PRIMARY KEY,
    name       TEXT    NOT NULL UNIQUE,
    kind       TEXT    NOT NULL CHECK (kind IN ('extrinsic', 'intrinsic')),
    cost       REAL    NOT NULL DEFAULT 0,
    stock      INTEGER CHECK (stock >= 0),
    status     TEXT    NOT NULL DEFAULT '',
    min_score  REAL    NOT NULL DEFAULT 0,
    max_rank   INTEGER NOT NULL DEFAULT 0,
    regions    TEXT    NOT NULL DEFAULT '',
    updated_at INTEGER NOT NULL
);

CREATE TABLE pain_points (
    id     INTEGER PRIMARY KEY,
    name   TEXT    NOT NULL UNIQUE,
    weight REAL    NOT NULL DEFAULT 1
);

CREATE TABLE reward_scores (
    reward_id     INTEGER NOT NULL REFERENCES rewards (id),
    pain_point_id INTEGER NOT NULL REFERENCES pain_points (id),
    score         INTEGER NOT NULL CHECK (score BETWEEN 1 AND 10),
    PRIMARY KEY (reward_id, pain_point_id)
);

CREATE TABLE reward_grants (
    id         INTEGER PRIMARY KEY,
    reward_id  INTEGER NOT NULL REFERENCES rewards (id),
    member_id  INTEGER NOT NULL REFERENCES members (id),
    quarter    TEXT    NOT NULL,
    cost       REAL    NOT NULL,
    state      TEXT    NOT NULL CHECK (state IN ('promised', 'sent', 'delivered', 'cancelled')),
    granted_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    note       TEXT    NOT NULL DEFAULT '',
    actor      TEXT    NOT NULL
);
CREATE INDEX reward_grants_quarter ON reward_grants (quarter);

CREATE TABLE reward_budgets (
    quarter    TEXT    PRIMARY KEY,
    amount     REAL    NOT NULL,
    updated_at INTEGER NOT NULL,
    actor      TEXT    NOT NULL
);
