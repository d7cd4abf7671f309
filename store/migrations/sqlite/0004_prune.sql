-- Changes older than the stored standings are pruned; a reader that was further
-- behind starts again from the stored standings.
ALTER TABLE change_seq ADD COLUMN pruned INTEGER NOT NULL DEFAULT 0;
