-- Change tracking for the standings that instances keep in memory.
-- change_seq holds one row: every write transaction that touches what scores
-- depend on increments it first, so writers take turns and sequence numbers,
-- and the IDs of the rows they insert, grow in commit order. Readers compare
-- the number with theirs to know they are current, and catch up from
-- activities with larger IDs and from the log of changes below.
CREATE TABLE change_seq (
    id  SMALLINT PRIMARY KEY CHECK (id = 1),
    seq BIGINT NOT NULL
);
INSERT INTO change_seq (id, seq) VALUES (1, 0);

-- What inserts alone do not show: members created or changed, and activities
-- changed after they were stored, with what counted before the change.
CREATE TABLE changes (
    seq        BIGINT  NOT NULL,
    kind       TEXT    NOT NULL CHECK (kind IN ('member', 'activity', 'criteria')),
    ref        BIGINT  NOT NULL,
    old_member BIGINT  NOT NULL DEFAULT 0,
    old_type   TEXT    NOT NULL DEFAULT '',
    old_at     BIGINT  NOT NULL DEFAULT 0,
    old_status TEXT    NOT NULL DEFAULT ''
);
CREATE INDEX changes_seq ON changes (seq);

-- The standings as of a change sequence number, in the binary form of the
-- standings package, so that a restart reads one row instead of every activity.
CREATE TABLE score_snapshot (
    id            SMALLINT PRIMARY KEY CHECK (id = 1),
    seq           BIGINT  NOT NULL,
    activity_mark BIGINT  NOT NULL,
    created_at    BIGINT  NOT NULL,
    data          BYTEA   NOT NULL
);
