-- Privileges of the application's role on PostgreSQL (see README, "Database roles").
-- Run as the owner role (the one that runs `manage.py migrate` and owns every table) after each migrate,
-- e.g. psql "$OWNER_DATABASE_URL" -f docs/postgresql-roles.sql
-- The application's role (portail_app) reads and writes, but cannot alter evidence (rules versions and
-- acceptances, dossier histories) nor drop or disable its triggers: only a table's owner can.
GRANT USAGE ON SCHEMA public TO portail_app;
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO portail_app;
GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO portail_app;
REVOKE UPDATE, DELETE, TRUNCATE ON home_rulesacceptance, home_rulesversion, forms_dossierevent FROM portail_app;
-- When a staff account is deleted, its events keep the actor's name and lose the link (the trigger allows
-- only that change).
GRANT UPDATE (actor_id) ON forms_dossierevent TO portail_app;
