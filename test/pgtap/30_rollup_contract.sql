-- The roll-up part of the contract (docs/architecture.md §4): npda.kpi_aggregation
-- partitioned by level, the readers' views npda.kpi_results and npda.kpi_map,
-- the quarter breakdown, and the refresh function.
BEGIN;
SELECT plan(27);

SELECT has_table('npda', 'kpi_aggregation', 'table npda.kpi_aggregation');
SELECT is((SELECT c.relkind::text FROM pg_class c WHERE c.oid = 'npda.kpi_aggregation'::regclass), 'p',
          'kpi_aggregation is partitioned');
SELECT is((SELECT array_agg(pg_get_expr(c.relpartbound, c.oid) ORDER BY c.relname)::text
             FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
            WHERE i.inhparent = 'npda.kpi_aggregation'::regclass),
          (SELECT array_agg(format('FOR VALUES IN (''%s'')', l) ORDER BY 'kpi_aggregation_' || l)::text
             FROM unnest(enum_range(NULL::npda.geo_level)) l),
          'one partition per geo_level');
SELECT columns_are('npda', 'kpi_aggregation',
  ARRAY['level', 'area_code', 'audit_period_id', 'kpi', 'eligible', 'ineligible', 'passed', 'failed', 'pending',
        'value', 'children_with_value', 'as_of', 'computed_at'], 'kpi_aggregation columns');
SELECT col_type_is('npda', 'kpi_aggregation', 'level', 'npda.geo_level', 'level is npda.geo_level');
SELECT col_type_is('npda', 'kpi_aggregation', 'kpi', 'text', 'kpi is the text code');
SELECT fk_ok('npda', 'kpi_aggregation', 'kpi', 'npda', 'kpi', 'code');
SELECT col_is_pk('npda', 'kpi_aggregation', ARRAY['level', 'area_code', 'audit_period_id', 'kpi'],
                 'one row per level, area, period and KPI');

SELECT has_view('npda', 'kpi_results', 'view npda.kpi_results');
SELECT columns_are('npda', 'kpi_results',
  ARRAY['level', 'area_code', 'area_name', 'audit_year', 'kpi', 'label', 'eligible', 'ineligible', 'passed', 'failed',
        'pending', 'pct_passed', 'value', 'as_of', 'computed_at', 'kpi_position'], 'kpi_results columns');
SELECT col_type_is('npda', 'kpi_results', 'pct_passed', 'numeric', 'pct_passed is numeric');
SELECT col_type_is('npda', 'kpi_results', 'audit_year', 'integer', 'audit_year is integer');
SELECT has_view('npda', 'kpi_map', 'view npda.kpi_map');
SELECT has_column('npda', 'kpi_map', 'geom', 'kpi_map has a geometry column');
SELECT col_type_is('npda', 'kpi_map', 'geom', 'geometry(Geometry,4326)', 'kpi_map.geom is geometry in SRID 4326');
SELECT has_view('npda', 'kpi_quarterly', 'view npda.kpi_quarterly');
SELECT columns_are('npda', 'kpi_quarterly',
  ARRAY['level', 'area_code', 'audit_year', 'quarter', 'quarter_start', 'new_diagnoses', 'admissions',
        'dka_admissions', 'leavers', 'transitions_to_adult_care'], 'kpi_quarterly columns');

SELECT has_function('npda', 'refresh_kpi_aggregations', ARRAY['integer'], 'npda.refresh_kpi_aggregations(integer)');
SELECT function_returns('npda', 'refresh_kpi_aggregations', ARRAY['integer'], 'integer', 'returns the rows written');
SELECT is((SELECT pg_get_expr(p.proargdefaults, 0) FROM pg_proc p
            WHERE p.oid = 'npda.refresh_kpi_aggregations(integer)'::regprocedure), 'NULL::integer',
          'audit_year defaults to NULL (every changed period)');
SELECT throws_ok('SELECT npda.refresh_kpi_aggregations(1999)', 'NP104', NULL, 'unknown audit year is NP104');
-- With no data, a refresh of one year still writes every area's 51 rows, all zeros.
SELECT ok(npda.refresh_kpi_aggregations(2024) > 0, 'refresh of an empty year writes rows');
SELECT is((SELECT count(*)::int FROM npda.kpi_results WHERE audit_year = 2024 AND level = 'national'), 51,
          'the national level has 51 rows');
SELECT is((SELECT sum(eligible + ineligible + passed + failed + pending)::int FROM npda.kpi_results WHERE audit_year = 2024), 0,
          'every count is 0 without data (C79)');

-- The reported percentage (R10) is the engine's, and equals, value and text,
-- what 1.1 computed in SQL: round(100.0 * passed / eligible, 1) for KPIs 13-43,
-- 48 and 49 with someone eligible, NULL otherwise.
SELECT is((SELECT count(*)::int
             FROM npda.kpi k, generate_series(0, 120) AS e(eligible), generate_series(0, 120) AS p(passed)
            WHERE p.passed <= e.eligible
              AND npda._kpi_pct_passed(k.code, p.passed, e.eligible)::text
                  IS DISTINCT FROM (CASE WHEN k.position > 12 AND k.kind <> 'value' AND e.eligible > 0
                                         THEN round(100.0 * p.passed / e.eligible, 1) END)::text), 0,
          'pct_passed: the engine''s R10 equals the 1.1 SQL formula on every count up to 120');
SELECT is(npda._kpi_pct_passed('25', 39999, 40000)::text, '100.0', 'pct_passed: 39,999 of 40,000 is 100.0');
SELECT ok(npda._is_test_unit('PZ999') AND npda._is_test_unit('PZ998') AND NOT npda._is_test_unit('PZ041'),
          'PZ999 and PZ998 are the test units');

SELECT * FROM finish();
ROLLBACK;
