-- Least-privilege PostgreSQL roles for opendental-sync, created in the analytics database:
--
--   psql -v prefix=opendental -v raw=opendental_raw -f scripts/pg_roles.sql postgresql://postgres@host/opendental_analytics
--
-- Run it as a superuser (or a role with CREATEROLE that owns the database). It is idempotent. It creates:
--   <prefix>_loader       the pipeline: owns the raw schema (and creates dlt's <raw>_staging); not a superuser,
--                         cannot create roles or databases
--   <prefix>_transformer  dbt: reads raw (SELECT on every raw table, present and future), creates and owns its
--                         own schemas (staging, snapshots, ...)
--   <prefix>_analyst      people's queries: no access to raw at all; dbt grants it the masked layer it may read
--                         (run dbt with OPENDENTAL_ANALYST_ROLES=<prefix>_analyst)
-- The roles are created without passwords: set them with \password, or use the cluster's own authentication.

\set ON_ERROR_STOP on
\if :{?prefix}
\else
  \set prefix opendental
\endif
\if :{?raw}
\else
  \set raw opendental_raw
\endif
\set loader :prefix _loader
\set transformer :prefix _transformer
\set analyst :prefix _analyst

SELECT format('CREATE ROLE %I LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOINHERIT', r)
FROM unnest(ARRAY[:'loader', :'transformer', :'analyst']) AS r
WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = r)
\gexec

-- Nobody but these roles (and superusers) connects or creates in this database.
SELECT format('REVOKE ALL ON DATABASE %I FROM PUBLIC', current_database()) \gexec
SELECT format('GRANT CONNECT ON DATABASE %I TO %I, %I, %I', current_database(), :'loader', :'transformer', :'analyst')
\gexec
-- The loader creates dlt's staging schema for merges; the transformer creates dbt's schemas.
SELECT format('GRANT CREATE ON DATABASE %I TO %I, %I', current_database(), :'loader', :'transformer') \gexec
-- dbt's unit tests and Elementary's models build through temporary tables (REVOKE ALL above took PUBLIC's).
SELECT format('GRANT TEMPORARY ON DATABASE %I TO %I', current_database(), :'transformer') \gexec
REVOKE CREATE ON SCHEMA public FROM PUBLIC;

-- The raw copy: owned by the loader, readable by the transformer, closed to everyone else.
SELECT format('CREATE SCHEMA IF NOT EXISTS %I AUTHORIZATION %I', :'raw', :'loader') \gexec
SELECT format('ALTER SCHEMA %I OWNER TO %I', :'raw', :'loader') \gexec
SELECT format('REVOKE ALL ON SCHEMA %I FROM PUBLIC', :'raw') \gexec
SELECT format('GRANT USAGE ON SCHEMA %I TO %I', :'raw', :'transformer') \gexec
SELECT format('GRANT SELECT ON ALL TABLES IN SCHEMA %I TO %I', :'raw', :'transformer') \gexec
SELECT format('ALTER DEFAULT PRIVILEGES FOR ROLE %I IN SCHEMA %I GRANT SELECT ON TABLES TO %I',
              :'loader', :'raw', :'transformer') \gexec
