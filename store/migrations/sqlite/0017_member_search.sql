-- Member search by substring (name, handles, emails) through a trigram
-- index: FTS5's trigram tokenizer matches any substring of three characters
-- or more, case-insensitively, from the index instead of reading every
-- member. A row a member, its rowid the member's id; merged members are left
-- out. char(31), the unit separator, keeps one handle or email from running
-- into the next. The triggers keep it in step with every write path (import,
-- members created by hand, merges and their undo, archive import), so that
-- none has to remember it.
CREATE VIRTUAL TABLE member_search USING fts5(name, handles, emails, tokenize = 'trigram');

INSERT INTO member_search (rowid, name, handles, emails)
    SELECT m.id, m.name,
           coalesce((SELECT group_concat(handle_key, char(31)) FROM identities WHERE member_id = m.id), ''),
           coalesce((SELECT group_concat(email, char(31)) FROM member_emails WHERE member_id = m.id), '')
    FROM members m WHERE m.merged_into = 0;

CREATE TRIGGER members_search_insert AFTER INSERT ON members BEGIN
    DELETE FROM member_search WHERE rowid = NEW.id;
    INSERT INTO member_search (rowid, name, handles, emails)
        SELECT m.id, m.name,
               coalesce((SELECT group_concat(handle_key, char(31)) FROM identities WHERE member_id = m.id), ''),
               coalesce((SELECT group_concat(email, char(31)) FROM member_emails WHERE member_id = m.id), '')
        FROM members m WHERE m.id = NEW.id AND m.merged_into = 0;
END;

CREATE TRIGGER members_search_update AFTER UPDATE OF name, merged_into ON members BEGIN
    DELETE FROM member_search WHERE rowid = NEW.id;
    INSERT INTO member_search (rowid, name, handles, emails)
        SELECT m.id, m.name,
               coalesce((SELECT group_concat(handle_key, char(31)) FROM identities WHERE member_id = m.id), ''),
               coalesce((SELECT group_concat(email, char(31)) FROM member_emails WHERE member_id = m.id), '')
        FROM members m WHERE m.id = NEW.id AND m.merged_into = 0;
END;

CREATE TRIGGER identities_search_insert AFTER INSERT ON identities BEGIN
    DELETE FROM member_search WHERE rowid = NEW.member_id;
    INSERT INTO member_search (rowid, name, handles, emails)
        SELECT m.id, m.name,
               coalesce((SELECT group_concat(handle_key, char(31)) FROM identities WHERE member_id = m.id), ''),
               coalesce((SELECT group_concat(email, char(31)) FROM member_emails WHERE member_id = m.id), '')
        FROM members m WHERE m.id = NEW.member_id AND m.merged_into = 0;
END;

CREATE TRIGGER identities_search_update AFTER UPDATE OF member_id, handle_key ON identities BEGIN
    DELETE FROM member_search WHERE rowid = OLD.member_id;
    INSERT INTO member_search (rowid, name, handles, emails)
        SELECT m.id, m.name,
               coalesce((SELECT group_concat(handle_key, char(31)) FROM identities WHERE member_id = m.id), ''),
               coalesce((SELECT group_concat(email, char(31)) FROM member_emails WHERE member_id = m.id), '')
        FROM members m WHERE m.id = OLD.member_id AND m.merged_into = 0;
    DELETE FROM member_search WHERE rowid = NEW.member_id;
    INSERT INTO member_search (rowid, name, handles, emails)
        SELECT m.id, m.name,
               coalesce((SELECT group_concat(handle_key, char(31)) FROM identities WHERE member_id = m.id), ''),
               coalesce((SELECT group_concat(email, char(31)) FROM member_emails WHERE member_id = m.id), '')
        FROM members m WHERE m.id = NEW.member_id AND m.merged_into = 0;
END;

CREATE TRIGGER identities_search_delete AFTER DELETE ON identities BEGIN
    DELETE FROM member_search WHERE rowid = OLD.member_id;
    INSERT INTO member_search (rowid, name, handles, emails)
        SELECT m.id, m.name,
               coalesce((SELECT group_concat(handle_key, char(31)) FROM identities WHERE member_id = m.id), ''),
               coalesce((SELECT group_concat(email, char(31)) FROM member_emails WHERE member_id = m.id), '')
        FROM members m WHERE m.id = OLD.member_id AND m.merged_into = 0;
END;

CREATE TRIGGER member_emails_search_insert AFTER INSERT ON member_emails BEGIN
    DELETE FROM member_search WHERE rowid = NEW.member_id;
    INSERT INTO member_search (rowid, name, handles, emails)
        SELECT m.id, m.name,
               coalesce((SELECT group_concat(handle_key, char(31)) FROM identities WHERE member_id = m.id), ''),
               coalesce((SELECT group_concat(email, char(31)) FROM member_emails WHERE member_id = m.id), '')
        FROM members m WHERE m.id = NEW.member_id AND m.merged_into = 0;
END;

CREATE TRIGGER member_emails_search_update AFTER UPDATE OF member_id, email ON member_emails BEGIN
    DELETE FROM member_search WHERE rowid = OLD.member_id;
    INSERT INTO member_search (rowid, name, handles, emails)
        SELECT m.id, m.name,
               coalesce((SELECT group_concat(handle_key, char(31)) FROM identities WHERE member_id = m.id), ''),
               coalesce((SELECT group_concat(email, char(31)) FROM member_emails WHERE member_id = m.id), '')
        FROM members m WHERE m.id = OLD.member_id AND m.merged_into = 0;
    DELETE FROM member_search WHERE rowid = NEW.member_id;
    INSERT INTO member_search (rowid, name, handles, emails)
        SELECT m.id, m.name,
               coalesce((SELECT group_concat(handle_key, char(31)) FROM identities WHERE member_id = m.id), ''),
               coalesce((SELECT group_concat(email, char(31)) FROM member_emails WHERE member_id = m.id), '')
        FROM members m WHERE m.id = NEW.member_id AND m.merged_into = 0;
END;

CREATE TRIGGER member_emails_search_delete AFTER DELETE ON member_emails BEGIN
    DELETE FROM member_search WHERE rowid = OLD.member_id;
    INSERT INTO member_search (rowid, name, handles, emails)
        SELECT m.id, m.name,
               coalesce((SELECT group_concat(handle_key, char(31)) FROM identities WHERE member_id = m.id), ''),
               coalesce((SELECT group_concat(email, char(31)) FROM member_emails WHERE member_id = m.id), '')
        FROM members m WHERE m.id = OLD.member_id AND m.merged_into = 0;
END;

CREATE TRIGGER members_search_delete AFTER DELETE ON members BEGIN
    DELETE FROM member_search WHERE rowid = OLD.id;
END;
