-- Member search by substring (name, handles, emails) through trigram GIN
-- indexes, which serve LIKE '%…%' of three characters or more without
-- reading every member. pg_trgm ships with PostgreSQL and is a trusted
-- extension (13 and later): the database's owner may create it. It goes
-- into the public schema, where one copy serves every schema of the
-- database (Cadre's may be another, and a schema dropped would take the
-- extension and every index on it along); the indexes name its operator
-- class wherever an earlier install put it.
CREATE EXTENSION IF NOT EXISTS pg_trgm SCHEMA public;
DO $$
DECLARE
    ops text;
BEGIN
    SELECT quote_ident(n.nspname) || '.gin_trgm_ops' INTO STRICT ops
    FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace
    WHERE e.extname = 'pg_trgm';
    EXECUTE 'CREATE INDEX members_name_trgm ON members USING gin (lower(name) ' || ops || ')';
    EXECUTE 'CREATE INDEX identities_handle_trgm ON identities USING gin (handle_key ' || ops || ')';
    EXECUTE 'CREATE INDEX member_emails_email_trgm ON member_emails USING gin (email ' || ops || ')';
END
$$;
