-- Member search by substring (name, handles, emails) through trigram GIN
-- indexes, which serve LIKE '%…%' of three characters or more without
-- reading every member. pg_trgm ships with PostgreSQL and is a trusted
-- extension (13 and later): the database's owner may create it.
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE INDEX members_name_trgm ON members USING gin (lower(name) gin_trgm_ops);
CREATE INDEX identities_handle_trgm ON identities USING gin (handle_key gin_trgm_ops);
CREATE INDEX member_emails_email_trgm ON member_emails USING gin (email gin_trgm_ops);
