-- Each member's count of activities, kept by triggers on every write path
-- (import, reports, merges and their undo, archive import), so that the
-- member list pages by the most active through an index instead of counting
-- every member's activities and sorting them all (0.8 s at a million
-- members).
ALTER TABLE members ADD COLUMN activity_count INTEGER NOT NULL DEFAULT 0;

UPDATE members SET activity_count = (SELECT count(*) FROM activities a WHERE a.member_id = members.id);

CREATE INDEX members_by_activity ON members (merged_into, activity_count DESC, id);
CREATE INDEX members_by_status_activity ON members (status, merged_into, activity_count DESC, id);

CREATE TRIGGER activities_count_insert AFTER INSERT ON activities BEGIN
    UPDATE members SET activity_count = activity_count + 1 WHERE id = NEW.member_id;
END;

CREATE TRIGGER activities_count_delete AFTER DELETE ON activities BEGIN
    UPDATE members SET activity_count = activity_count - 1 WHERE id = OLD.member_id;
END;

CREATE TRIGGER activities_count_update AFTER UPDATE OF member_id ON activities WHEN OLD.member_id <> NEW.member_id BEGIN
    UPDATE members SET activity_count = activity_count - 1 WHERE id = OLD.member_id;
    UPDATE members SET activity_count = activity_count + 1 WHERE id = NEW.member_id;
END;
