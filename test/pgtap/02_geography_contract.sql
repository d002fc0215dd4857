-- The geography part of the contract (docs/architecture.md §4): lookup tables, their
-- keys and links, boundaries as SRID-4326 multipolygons, the hierarchy view.
BEGIN;
SELECT plan(60);

SELECT has_table('npda', t, 'table npda.' || t)
  FROM unnest(ARRAY['country', 'nhs_england_region', 'integrated_care_board', 'local_health_board', 'trust',
                    'paediatric_diabetes_network', 'paediatric_diabetes_unit', 'organisation']) t;
SELECT has_view('npda', 'pdu_hierarchy', 'view npda.pdu_hierarchy');

SELECT col_is_unique('npda', 'paediatric_diabetes_unit', 'pz_code', 'PZ code unique');
SELECT col_not_null('npda', 'paediatric_diabetes_unit', 'pz_code', 'PZ code not null');
SELECT col_is_unique('npda', 'country', 'ons_code', 'country ONS code unique');
SELECT col_is_unique('npda', 'nhs_england_region', 'region_code', 'region Y code unique');
SELECT col_is_unique('npda', 'integrated_care_board', 'ods_code', 'ICB ODS code unique');
SELECT col_is_unique('npda', 'local_health_board', 'ods_code', 'LHB ODS code unique');
SELECT col_is_unique('npda', 'trust', 'ods_code', 'trust ODS code unique');
SELECT col_is_unique('npda', 'paediatric_diabetes_network', 'pn_code', 'network PN code unique');

-- References are T_id columns with foreign keys.
SELECT fk_ok('npda', 'paediatric_diabetes_unit', c, 'npda', t, 'id')
  FROM (VALUES ('trust_id', 'trust'), ('local_health_board_id', 'local_health_board'),
               ('integrated_care_board_id', 'integrated_care_board'), ('nhs_england_region_id', 'nhs_england_region'),
               ('country_id', 'country'), ('paediatric_diabetes_network_id', 'paediatric_diabetes_network')) v(c, t);
SELECT fk_ok('npda', 'integrated_care_board', 'nhs_england_region_id', 'npda', 'nhs_england_region', 'id');
SELECT fk_ok('npda', 'local_health_board', 'country_id', 'npda', 'country', 'id');

-- Boundaries: nullable geometry(MultiPolygon, 4326).
SELECT col_type_is('npda', t, 'boundary', 'geometry(MultiPolygon,4326)', t || '.boundary is a 4326 multipolygon')
  FROM unnest(ARRAY['country', 'nhs_england_region', 'integrated_care_board', 'local_health_board']) t;
SELECT col_type_is('npda', 'paediatric_diabetes_unit', 'location', 'geometry(Point,4326)', 'PDU location is a 4326 point');
SELECT hasnt_column('npda', 'trust', 'boundary', 'trusts have no boundary');

-- Seeded counts (docs/data-model.md §13.2).
SELECT results_eq($$SELECT count(*)::int FROM npda.paediatric_diabetes_unit$$, ARRAY[173], '173 PDUs');
SELECT results_eq($$SELECT count(*)::int FROM npda.integrated_care_board$$, ARRAY[42], '42 ICBs');
SELECT results_eq($$SELECT count(*)::int FROM npda.local_health_board$$, ARRAY[7], '7 LHBs');
SELECT results_eq($$SELECT count(*)::int FROM npda.nhs_england_region$$, ARRAY[7], '7 NHS England regions');
SELECT results_eq($$SELECT count(*)::int FROM npda.country$$, ARRAY[5], '5 countries');
SELECT results_eq($$SELECT count(*)::int FROM npda.paediatric_diabetes_network$$, ARRAY[12], '12 networks');
SELECT is_empty($$SELECT pz_code FROM npda.pdu_hierarchy WHERE country_ons_code IS NULL AND pz_code <> 'PZ999'$$,
                'every PDU except PZ999 resolves to a country');
SELECT results_eq($$SELECT country_name, trust_ods_code, integrated_care_board_ods_code FROM npda.pdu_hierarchy WHERE pz_code = 'PZ248'$$,
                  $$VALUES ('Jersey'::text, NULL::text, NULL::text)$$, 'PZ248 rolls up to Jersey only');
SELECT ok(NOT EXISTS (SELECT FROM npda.country WHERE boundary IS NOT NULL AND NOT ST_IsValid(boundary))
          AND NOT EXISTS (SELECT FROM npda.integrated_care_board WHERE NOT ST_IsValid(boundary)),
          'boundaries are valid');

-- Organisation data in time (release 1.2): validity, the hierarchy on a date, releases.
SELECT has_column('npda', t, c, t || '.' || c)
  FROM unnest(ARRAY['country', 'nhs_england_region', 'integrated_care_board', 'local_health_board', 'trust',
                    'paediatric_diabetes_network', 'paediatric_diabetes_unit']) t,
       unnest(ARRAY['valid_from', 'valid_to']) c;
SELECT has_function('npda', 'pdu_hierarchy_at', ARRAY['date'], 'npda.pdu_hierarchy_at(date)');
SELECT has_function('npda', 'organisation_release', ARRAY['date'], 'npda.organisation_release(date)');
SELECT function_returns('npda', 'organisation_release', ARRAY['date'], 'jsonb', 'organisation_release returns jsonb');
SELECT has_function('npda', 'apply_organisation_release', ARRAY['jsonb', 'date'], 'npda.apply_organisation_release(jsonb, date)');
SELECT function_returns('npda', 'apply_organisation_release', ARRAY['jsonb', 'date'], 'jsonb', 'apply_organisation_release returns jsonb');
SELECT results_eq($$SELECT array_agg(k ORDER BY k) FROM jsonb_object_keys(npda.organisation_release('2025-04-01')) k$$,
                  $$VALUES (ARRAY['countries', 'integrated_care_boards', 'local_health_boards', 'nhs_england_regions',
                                  'paediatric_diabetes_networks', 'paediatric_diabetes_units', 'trusts'])$$,
                  'a release document has the seven lists');

SELECT * FROM finish();
ROLLBACK;
