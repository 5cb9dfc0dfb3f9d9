-- Up Migration
-- AssemblyAI as a speech engine (issue 16): a provider of jobs, routing lists and usage, and a
-- provider key kind. Migrations run in one transaction (server/db/migrate.ts, singleTransaction):
-- PostgreSQL 12 and later allow ADD VALUE there as long as nothing in the same transaction uses
-- the new value, and nothing here does.
ALTER TYPE provider ADD VALUE IF NOT EXISTS 'ASSEMBLYAI';

-- Down Migration
-- (PostgreSQL cannot drop an enum value: 'ASSEMBLYAI' stays in provider.)
