-- npda: the database of the UK National Paediatric Diabetes Audit.
-- This file is assembled by tools/build-sql.sh from sql/, seeds/ and
-- migrations/; edit the parts, not the assembled script.
\echo Use "CREATE EXTENSION npda CASCADE" to load this file. \quit

COMMENT ON SCHEMA npda IS
  'National Paediatric Diabetes Audit: organisation and geography lookups, audit periods, submissions, per-child KPI results and roll-ups. Created by CREATE EXTENSION npda; see README.md.';
