-- Foundation: audit periods, calendar and NHS-number helpers, the audit-team
-- role, and the behaviour of CREATE EXTENSION without PostGIS.
\set ECHO none
\i test/sql/include/outcome_of.psql
\set ECHO all

-- Eleven audit periods, 2020-21 to 2030-31, dataset year switching on 2026-04-01.
SELECT extract(year FROM start_date)::int AS audit_year, start_date, end_date, dataset_year
FROM npda.audit_period ORDER BY start_date;
-- Open: exactly the current and the previous audit year (relative to today).
SELECT count(*) AS open_periods,
       bool_and(npda.audit_year(start_date) IN (npda.audit_year(current_date), npda.audit_year(current_date) - 1)) AS open_are_current_and_previous
FROM npda.audit_period WHERE is_open;

-- audit_year / audit_quarter at the boundaries (C01, C02, C05; D10).
SELECT d, npda.audit_year(d) AS audit_year, npda.audit_quarter(d) AS quarter
FROM unnest(ARRAY['2024-04-01', '2025-03-31', '2025-04-01', '2026-03-31', '2023-06-30', '2023-07-01',
                  '2023-09-30', '2023-10-01', '2023-12-31', '2024-01-01', '2023-03-31', '2024-02-29']::date[]) AS d;
SELECT npda.audit_year(NULL) IS NULL AS null_year, npda.audit_quarter(NULL) IS NULL AS null_quarter;
SELECT pg_temp.outcome_of($$SELECT npda.audit_year('infinity'::date)$$);

-- NHS numbers: valid, separators, invalid check digit, check digit 10, wrong length, garbage.
SELECT v, npda.nhs_number_is_valid(v) AS valid
FROM unnest(ARRAY['9434765919', '943 476 5919', '943-476-5919', '9434765918', '1000000010',
                  '1000000060', '943476591', '94347659190', 'abc', '', '   ', '9434765919x',
                  E'943\u00a0476\u00a05919']) AS v;
SELECT npda.nhs_number_is_valid(NULL) IS NULL AS null_is_null;
SELECT count(*) FILTER (WHERE npda.nhs_number_is_valid(s)) AS valid_garbage
FROM (SELECT md5(i::text) AS s FROM generate_series(1, 1000) i) g;

-- The audit team role exists (cluster-wide) and cannot log in.
SELECT rolname, rolcanlogin FROM pg_roles WHERE rolname = 'npda_audit_team';

-- Restoring a dump re-inserts seeded periods: the merge trigger keeps one row
-- per start date and applies the dumped is_open.
BEGIN;
INSERT INTO npda.audit_period (start_date, end_date, dataset_year, is_open)
VALUES ('2022-04-01', '2023-03-31', 2021, true);
SELECT count(*) AS rows_2022, bool_and(is_open) AS now_open FROM npda.audit_period WHERE start_date = '2022-04-01';
ROLLBACK;

-- Without PostGIS the dependency error is PostgreSQL's own, with its hint.
CREATE DATABASE npda_no_postgis;
\c npda_no_postgis
\set VERBOSITY default
CREATE EXTENSION npda;
\c contrib_regression
DROP DATABASE npda_no_postgis;
