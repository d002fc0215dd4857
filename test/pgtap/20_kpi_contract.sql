-- The KPI engine's SQL contract (docs/architecture.md §4): the definitions table, the
-- per-child score storage and its views, the scoring functions, the triggers
-- that keep scores current, comments on every object, and the errors.
BEGIN;
SELECT plan(73);

-- npda.kpi: the 51 definitions.
SELECT has_table('npda', 'kpi', 'table npda.kpi');
SELECT columns_are('npda', 'kpi', ARRAY['code', 'position', 'key', 'label', 'kind', 'denominator', 'description'], 'kpi columns');
SELECT col_is_pk('npda', 'kpi', 'code', 'kpi primary key is the text code');
SELECT col_type_is('npda', 'kpi', 'code', 'text', 'kpi.code is text');
SELECT col_type_is('npda', 'kpi', 'position', 'smallint', 'kpi.position is smallint');
SELECT col_type_is('npda', 'kpi', 'key', 'text', 'kpi.key is text');
SELECT col_type_is('npda', 'kpi', 'label', 'text', 'kpi.label is text');
SELECT col_type_is('npda', 'kpi', 'kind', 'text', 'kpi.kind is text');
SELECT col_type_is('npda', 'kpi', 'denominator', 'text', 'kpi.denominator is text');
SELECT col_type_is('npda', 'kpi', 'description', 'text', 'kpi.description is text');
SELECT col_is_unique('npda', 'kpi', 'position', 'kpi.position is unique');
SELECT results_eq('SELECT code FROM npda.kpi ORDER BY position',
  ARRAY['1', '2', '3', '4', '5', '6', '7', '8', '9', '10', '11', '12', '13', '14', '15', '16', '17', '18', '19', '20',
        '21', '22', '23', '24', '25', '26', '27', '28', '29', '30', '31', '32.1', '32.2', '32.3', '33', '34', '35',
        '36', '37', '38', '39', '40', '41', '42', '43', '44', '45', '46', '47', '48', '49'],
  'the 51 results in report order (C80)');
SELECT results_eq('SELECT position::int FROM npda.kpi ORDER BY position', 'SELECT generate_series(1, 51)',
  'positions are 1..51');
SELECT is_empty($$SELECT code FROM npda.kpi WHERE coalesce(label, '') = '' OR coalesce(denominator, '') = ''
                   OR coalesce(description, '') = ''$$, 'every KPI has a label, a denominator and a description');
SELECT results_eq($$SELECT kind, count(*)::int FROM npda.kpi GROUP BY kind ORDER BY kind$$,
  $$VALUES ('care-process rate', 1), ('cohort count', 12), ('pass/fail proportion', 34), ('value', 4)$$,
  'kinds: 12 cohort counts, one care-process rate (32.1), four values (44-47)');

-- npda.patient_kpi_score: one row per child, 51-element arrays.
SELECT has_table('npda', 'patient_kpi_score', 'table npda.patient_kpi_score');
SELECT columns_are('npda', 'patient_kpi_score',
  ARRAY['patient_id', 'audit_period_id', 'as_of', 'outcomes', 'kpi_values', 'checks_expected', 'scored_at'],
  'patient_kpi_score columns');
SELECT col_is_pk('npda', 'patient_kpi_score', 'patient_id', 'patient_kpi_score: one row per child');
SELECT col_type_is('npda', 'patient_kpi_score', 'patient_id', 'bigint', 'patient_kpi_score.patient_id is bigint');
SELECT col_type_is('npda', 'patient_kpi_score', 'audit_period_id', 'bigint', 'patient_kpi_score.audit_period_id is bigint');
SELECT col_type_is('npda', 'patient_kpi_score', 'as_of', 'date', 'patient_kpi_score.as_of is date');
SELECT col_type_is('npda', 'patient_kpi_score', 'outcomes', 'npda.kpi_outcome[]', 'patient_kpi_score.outcomes is kpi_outcome[]');
SELECT col_type_is('npda', 'patient_kpi_score', 'kpi_values', 'double precision[]', 'patient_kpi_score.kpi_values is float8[]');
SELECT col_type_is('npda', 'patient_kpi_score', 'checks_expected', 'smallint', 'patient_kpi_score.checks_expected is smallint');
SELECT col_type_is('npda', 'patient_kpi_score', 'scored_at', 'timestamp with time zone', 'patient_kpi_score.scored_at is timestamptz');
SELECT col_not_null('npda', 'patient_kpi_score', 'outcomes', 'outcomes are never NULL');
SELECT fk_ok('npda', 'patient_kpi_score', 'patient_id', 'npda', 'patient', 'id', 'scores reference npda.patient');
SELECT fk_ok('npda', 'patient_kpi_score', 'audit_period_id', 'npda', 'audit_period', 'id', 'scores reference npda.audit_period');

-- npda.patient_kpi: one row per child and KPI.
SELECT has_view('npda', 'patient_kpi', 'view npda.patient_kpi');
SELECT columns_are('npda', 'patient_kpi',
  ARRAY['patient_id', 'audit_period_id', 'kpi', 'outcome', 'value', 'value_expected', 'as_of'], 'patient_kpi columns');
SELECT col_type_is('npda', 'patient_kpi', 'patient_id', 'bigint', 'patient_kpi.patient_id is bigint');
SELECT col_type_is('npda', 'patient_kpi', 'audit_period_id', 'bigint', 'patient_kpi.audit_period_id is bigint');
SELECT col_type_is('npda', 'patient_kpi', 'kpi', 'text', 'patient_kpi.kpi is the text code');
SELECT col_type_is('npda', 'patient_kpi', 'outcome', 'npda.kpi_outcome', 'patient_kpi.outcome is kpi_outcome');
SELECT col_type_is('npda', 'patient_kpi', 'value', 'numeric', 'patient_kpi.value is numeric');
SELECT col_type_is('npda', 'patient_kpi', 'value_expected', 'integer', 'patient_kpi.value_expected is integer');
SELECT col_type_is('npda', 'patient_kpi', 'as_of', 'date', 'patient_kpi.as_of is date');

-- npda.patient_kpi_results: the readable per-child view.
SELECT has_view('npda', 'patient_kpi_results', 'view npda.patient_kpi_results');
SELECT columns_are('npda', 'patient_kpi_results',
  ARRAY['patient_id', 'nhs_number', 'pz_code', 'audit_year', 'kpi', 'label', 'outcome', 'value', 'value_expected',
        'as_of', 'kpi_position'], 'patient_kpi_results columns');
SELECT col_type_is('npda', 'patient_kpi_results', 'patient_id', 'bigint', 'patient_kpi_results.patient_id is bigint');
SELECT col_type_is('npda', 'patient_kpi_results', 'nhs_number', 'text', 'patient_kpi_results.nhs_number is text');
SELECT col_type_is('npda', 'patient_kpi_results', 'pz_code', 'text', 'patient_kpi_results.pz_code is text');
SELECT col_type_is('npda', 'patient_kpi_results', 'audit_year', 'integer', 'patient_kpi_results.audit_year is integer');
SELECT col_type_is('npda', 'patient_kpi_results', 'kpi', 'text', 'patient_kpi_results.kpi is text');
SELECT col_type_is('npda', 'patient_kpi_results', 'label', 'text', 'patient_kpi_results.label is text');
SELECT col_type_is('npda', 'patient_kpi_results', 'outcome', 'npda.kpi_outcome', 'patient_kpi_results.outcome is kpi_outcome');
SELECT col_type_is('npda', 'patient_kpi_results', 'value', 'numeric', 'patient_kpi_results.value is numeric');

-- Functions.
SELECT has_function('npda', 'rescore', ARRAY['integer', 'date'], 'npda.rescore(integer, date)');
SELECT function_returns('npda', 'rescore', ARRAY['integer', 'date'], 'integer', 'rescore returns integer (children scored)');
SELECT volatility_is('npda', 'rescore', ARRAY['integer', 'date'], 'volatile', 'rescore is volatile');
SELECT is(pg_get_function_arguments('npda.rescore(integer, date)'::regprocedure),
  'audit_year integer, as_of date DEFAULT CURRENT_DATE', 'rescore: as_of defaults to today');
SELECT has_function('npda', 'rescore_ended_periods', ARRAY[]::text[], 'npda.rescore_ended_periods()');
SELECT function_returns('npda', 'rescore_ended_periods', ARRAY[]::text[], 'integer', 'rescore_ended_periods returns integer');
SELECT has_function('npda', 'submit_csv', ARRAY['text', 'bytea', 'integer', 'text'], 'npda.submit_csv(text, bytea, integer, text)');
SELECT function_returns('npda', 'submit_csv', ARRAY['text', 'bytea', 'integer', 'text'], 'npda.submission',
  'submit_csv returns npda.submission');
SELECT is(pg_get_function_arguments('npda.submit_csv(text, bytea, integer, text)'::regprocedure),
  'pz_code text, csv bytea, audit_year integer DEFAULT NULL::integer, file_name text DEFAULT NULL::text',
  'submit_csv: audit_year and file_name default to NULL');

-- Triggers keep scores current (statement level, transition tables).
SELECT has_trigger('npda', 'visit', 'visit_rescore_insert', 'visit insert trigger');
SELECT has_trigger('npda', 'visit', 'visit_rescore_update', 'visit update trigger');
SELECT has_trigger('npda', 'visit', 'visit_rescore_delete', 'visit delete trigger');
SELECT has_trigger('npda', 'patient', 'patient_rescore_insert', 'patient insert trigger');
SELECT has_trigger('npda', 'patient', 'patient_rescore_update', 'patient update trigger');
SELECT has_trigger('npda', 'transfer', 'transfer_rescore_insert', 'transfer insert trigger');
SELECT has_trigger('npda', 'transfer', 'transfer_rescore_update', 'transfer update trigger');
SELECT has_trigger('npda', 'transfer', 'transfer_rescore_delete', 'transfer delete trigger');
SELECT is_empty($$SELECT t.tgrelid::regclass || '.' || t.tgname FROM pg_trigger t
                   WHERE t.tgrelid IN ('npda.visit'::regclass, 'npda.patient'::regclass, 'npda.transfer'::regclass)
                     AND t.tgname LIKE '%rescore%'
                     AND (t.tgtype & 1 <> 0 OR t.tgfoid <> 'npda._rescore_changed_children()'::regprocedure
                          OR (t.tgtype & (4 | 16) <> 0 AND t.tgnewtable IS NULL) OR (t.tgtype & (8 | 16) <> 0 AND t.tgoldtable IS NULL))$$,
  'every re-score trigger is FOR EACH STATEMENT with its transition table(s) and calls npda._rescore_changed_children');
SELECT trigger_is('npda', 'visit', 'visit_rescore_update', 'npda', '_rescore_changed_children', 'visit update trigger function');

-- Every table, view, column, function and type of schema npda has a comment;
-- the diagnostic lists the ones that do not. Partitions need a table comment;
-- their columns are those of the partitioned table, which carries the comments.
SELECT is_empty($$
  SELECT kind || ' ' || name FROM (
    SELECT CASE c.relkind WHEN 'v' THEN 'view' WHEN 'm' THEN 'materialized view' ELSE 'table' END AS kind,
           c.oid::regclass::text AS name, obj_description(c.oid, 'pg_class') AS comment
      FROM pg_class c WHERE c.relnamespace = 'npda'::regnamespace AND c.relkind IN ('r', 'p', 'v', 'm')
    UNION ALL
    SELECT 'column', c.oid::regclass || '.' || a.attname, col_description(c.oid, a.attnum)
      FROM pg_class c JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
     WHERE c.relnamespace = 'npda'::regnamespace AND c.relkind IN ('r', 'p', 'v', 'm') AND NOT c.relispartition
    UNION ALL
    SELECT 'function', p.oid::regprocedure::text, obj_description(p.oid, 'pg_proc')
      FROM pg_proc p WHERE p.pronamespace = 'npda'::regnamespace
    UNION ALL
    SELECT 'type', t.oid::regtype::text, obj_description(t.oid, 'pg_type')
      FROM pg_type t WHERE t.typnamespace = 'npda'::regnamespace AND t.typtype IN ('e', 'd')
  ) o WHERE coalesce(btrim(comment), '') = '' ORDER BY 1$$,
  'every table, view, column, function and type in schema npda has a comment');

-- Scores are derived data: no row without its child (C79 needs no rows at all).
SELECT is_empty('SELECT s.patient_id FROM npda.patient_kpi_score s LEFT JOIN npda.patient p ON p.id = s.patient_id WHERE p.id IS NULL',
  'no orphan score rows');
SELECT is((SELECT count(*)::int FROM npda.patient_kpi WHERE false), 0, 'an empty scope reads as no rows, not an error');

-- Errors.
SELECT throws_ok('SELECT npda.rescore(1999)', 'NP104', 'no audit period 1999', 'rescore of an unknown year: NP104');
SELECT throws_ok($$SELECT npda.rescore(2024, NULL)$$, 'NP105', NULL, 'rescore as of NULL: NP105');
SELECT lives_ok('SELECT npda.rescore(2030, ''2030-06-01'')', 'rescore of a period without submissions scores nobody');
SELECT is(npda.rescore(2030, '2030-06-01'), 0, 'and returns 0');

SELECT * FROM finish();
ROLLBACK;
