-- A paused source is left alone by every sync, scheduled or asked for, until
-- it is resumed: a source whose platform is down for a while, or the demo's
-- sample feed, whose host does not exist.
ALTER TABLE sources ADD COLUMN paused INTEGER NOT NULL DEFAULT 0;
