-- The foundation's SQL contract (docs/architecture.md §4): schema, types, role, audit
-- periods and the helper functions, with their types, volatility and errors.
BEGIN;
SELECT plan(31);

SELECT has_schema('npda', 'schema npda exists');
SELECT has_extension('npda', 'extension npda is installed');
SELECT has_extension('postgis', 'postgis is installed (required)');

SELECT has_type('npda', 'kpi_outcome', 'type npda.kpi_outcome');
SELECT enum_has_labels('npda', 'kpi_outcome', ARRAY['pass', 'fail', 'pending', 'ineligible'], 'kpi_outcome labels in order');
SELECT has_type('npda', 'geo_level', 'type npda.geo_level');
SELECT enum_has_labels('npda', 'geo_level',
  ARRAY['pdu', 'trust', 'local_health_board', 'integrated_care_board', 'nhs_england_region', 'country', 'national'],
  'geo_level labels in order');

SELECT has_role('npda_audit_team', 'role npda_audit_team exists');

SELECT has_table('npda', 'audit_period', 'table npda.audit_period');
SELECT columns_are('npda', 'audit_period', ARRAY['id', 'start_date', 'end_date', 'dataset_year', 'is_open'], 'audit_period columns');
SELECT col_type_is('npda', 'audit_period', 'id', 'bigint', 'audit_period.id is bigint');
SELECT col_type_is('npda', 'audit_period', 'start_date', 'date', 'audit_period.start_date is date');
SELECT col_type_is('npda', 'audit_period', 'is_open', 'boolean', 'audit_period.is_open is boolean');
SELECT col_is_pk('npda', 'audit_period', 'id', 'audit_period primary key');
SELECT results_eq('SELECT count(*)::int FROM npda.audit_period', ARRAY[11], 'eleven audit periods seeded');

SELECT has_function('npda', 'audit_year', ARRAY['date'], 'npda.audit_year(date)');
SELECT function_returns('npda', 'audit_year', ARRAY['date'], 'integer', 'audit_year returns integer');
SELECT volatility_is('npda', 'audit_year', ARRAY['date'], 'immutable', 'audit_year is immutable');
SELECT is_strict('npda', 'audit_year', ARRAY['date'], 'audit_year is strict');
SELECT has_function('npda', 'audit_quarter', ARRAY['date'], 'npda.audit_quarter(date)');
SELECT function_returns('npda', 'audit_quarter', ARRAY['date'], 'integer', 'audit_quarter returns integer');
SELECT has_function('npda', 'nhs_number_is_valid', ARRAY['text'], 'npda.nhs_number_is_valid(text)');
SELECT function_returns('npda', 'nhs_number_is_valid', ARRAY['text'], 'boolean', 'nhs_number_is_valid returns boolean');
SELECT function_lang_is('npda', 'nhs_number_is_valid', ARRAY['text'], 'c', 'nhs_number_is_valid is C (C++)');

-- Data-driven: valid and invalid NHS numbers.
SELECT ok(bool_and(npda.nhs_number_is_valid(v)), 'valid NHS numbers accepted')
FROM unnest(ARRAY['9434765919', '943 476 5919', '943-476-5919', '999 489 2266', '7800713695']) v;
SELECT ok(NOT bool_or(npda.nhs_number_is_valid(v)), 'invalid NHS numbers refused without error')
FROM unnest(ARRAY['9434765918', '1000000010', '123', '', 'NHS', '94347659190', '9434765919 9']) v;

-- The error boundary keeps SQLSTATEs.
SELECT throws_ok($$SELECT npda._guard_selftest('npda_error')$$, 'NP105', 'self-test project error', 'project error keeps its SQLSTATE');
SELECT throws_ok($$SELECT npda._guard_selftest('pg_error')$$, '22P02', NULL, 'PostgreSQL error raised inside C++ keeps 22P02');
SELECT throws_ok($$SELECT npda._guard_selftest('unknown')$$, 'NP901', NULL, 'catch (...) becomes NP901');
SELECT throws_ok($$SELECT npda.audit_quarter('-infinity'::date)$$, 'NP105', NULL, 'infinite date refused with NP105');
SELECT lives_ok($$SELECT npda._guard_selftest('ok')$$, 'backend still answers after the errors');

SELECT * FROM finish();
ROLLBACK;
