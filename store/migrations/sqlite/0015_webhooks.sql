-- Outgoing webhooks (incoming deliveries are webhook_deliveries), and the deliveries of events to them, written in the
-- transaction of the change that causes each event (like the outbox) and
-- delivered by the server's notify job. Times are Unix microseconds;
-- sent_at 0 while a delivery waits. events: space-separated, '' for all.
CREATE TABLE outgoing_webhooks (
    id         INTEGER PRIMARY KEY,
    url        TEXT    NOT NULL,
    kind       TEXT    NOT NULL CHECK (kind IN ('json', 'slack')),
    secret     TEXT    NOT NULL DEFAULT '',
    events     TEXT    NOT NULL DEFAULT '',
    created_at INTEGER NOT NULL,
    actor      TEXT    NOT NULL
);

CREATE TABLE outgoing_deliveries (
    id         INTEGER PRIMARY KEY,
    webhook_id INTEGER NOT NULL REFERENCES outgoing_webhooks (id) ON DELETE CASCADE,
    event      TEXT    NOT NULL,
    body       TEXT    NOT NULL,
    created_at INTEGER NOT NULL,
    attempts   INTEGER NOT NULL DEFAULT 0,
    next_at    INTEGER NOT NULL,
    sent_at    INTEGER NOT NULL DEFAULT 0,
    status     INTEGER NOT NULL DEFAULT 0,
    error      TEXT    NOT NULL DEFAULT ''
);
CREATE INDEX outgoing_deliveries_due ON outgoing_deliveries (next_at) WHERE sent_at = 0;
CREATE INDEX outgoing_deliveries_webhook ON outgoing_deliveries (webhook_id, id);

-- Surveys told closed (survey.closed sent), so that each is told once.
ALTER TABLE surveys ADD COLUMN closed_told INTEGER NOT NULL DEFAULT 0;
