-- Threads (SPEC 2): the topic, question or issue that forum activities
-- belong to, by the source of their activities and the platform's id, with
-- the thread's state as last seen, for SPEC 6's forum outcomes. Each of
-- views and solved (0 or 1) is NULL until a record tells it, and keeps the
-- occurred_at (Unix microseconds) of the activity whose record told it: the
-- state that the latest activity saw wins, so that an old file imported
-- after a fresh sync does not undo it, and a record seen again (the same
-- activity, synced later) updates it.
CREATE TABLE threads (
    id          INTEGER PRIMARY KEY,
    source      TEXT    NOT NULL,
    external_id TEXT    NOT NULL,
    views       INTEGER,
    views_at    INTEGER NOT NULL DEFAULT 0,
    solved      INTEGER CHECK (solved IN (0, 1)),
    solved_at   INTEGER NOT NULL DEFAULT 0,
    UNIQUE (source, external_id)
);

-- An activity's thread: the external_id of a thread of its source, '' for none.
ALTER TABLE activities ADD COLUMN thread TEXT NOT NULL DEFAULT '';
-- The forum outcomes read a quarter's activities that name a thread; only
-- those are indexed, so imports of other activities pay nothing.
CREATE INDEX activities_thread ON activities (occurred_at) WHERE thread <> '';
