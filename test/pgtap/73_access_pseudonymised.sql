-- The pseudonymised export for analysts: no identifying column, a keyed child
-- key that is the same for the same child in every unit and year (checked
-- against pgcrypto's HMAC, an implementation independent of ours), date of
-- birth as a month, postcode as its outward code; the secret is the audit
-- team's alone and rotating it changes every key. Everything is rolled back.
BEGIN;
SELECT plan(19);
SET LOCAL client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS pgcrypto;

\set file_a `base64 -w0 test/fixtures/npda_dummy_sheet_2024-10.csv`
CREATE TEMP TABLE file (pz text, bytes bytea);
INSERT INTO file SELECT 'PZ041', decode(:'file_a', 'base64');
INSERT INTO file SELECT 'PZ215', convert_to(replace(convert_from(decode(:'file_a', 'base64'), 'UTF8'), ',PZ041,', ',PZ215,'), 'UTF8');
CREATE TEMP TABLE subs AS
SELECT (npda.submit_csv('PZ041', (SELECT bytes FROM file WHERE pz = 'PZ041'), 2025)).id AS a25,
       (npda.submit_csv('PZ215', (SELECT bytes FROM file WHERE pz = 'PZ215'), 2025)).id AS b25,
       (npda.submit_csv('PZ041', (SELECT bytes FROM file WHERE pz = 'PZ041'), 2024)).id AS a24;
CREATE ROLE npda_tap_p_analyst LOGIN;
CREATE ROLE npda_tap_p_team LOGIN;
CREATE ROLE npda_tap_p_app LOGIN IN ROLE npda_application;
DO $$ BEGIN
  PERFORM npda.add_user('p-analyst@rcpch.example', 'analyst', '{}', 'npda_tap_p_analyst');
  PERFORM npda.add_user('p-team@rcpch.example', 'audit_team', '{}', 'npda_tap_p_team');
  PERFORM npda.add_user('p-analyst2@rcpch.example', 'analyst', '{}');
END $$;

SELECT columns_are('npda', 'patient_pseudonymised',
  ARRAY['child_key', 'pz_code', 'audit_year', 'sex', 'birth_month', 'postcode_district', 'ethnicity', 'diabetes_type',
        'diagnosis_date', 'death_date', 'adhd_asd_status', 'learning_disability_status', 'immunotherapy_received',
        'immunotherapy_date', 'date_leaving_service', 'reason_leaving_service', 'is_valid'],
  'patient_pseudonymised: no NHS number, URN, date of birth, postcode or GP practice');
SELECT is_empty($$SELECT c.relname || '.' || a.attname FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
                   WHERE c.oid IN ('npda.patient_pseudonymised'::regclass, 'npda.visit_pseudonymised'::regclass,
                                   'npda.patient_kpi_pseudonymised'::regclass) AND a.attnum > 0
                     AND a.attname IN ('nhs_number', 'unique_reference_number', 'date_of_birth', 'postcode',
                                       'gp_practice_ods_code', 'patient_id', 'id', 'submission_id')$$,
                'no view of the export has an identifying column or an internal id');

CREATE TEMP TABLE seen AS SELECT * FROM npda.patient_pseudonymised WHERE false;
CREATE TEMP TABLE seen_kpi AS SELECT child_key, pz_code, audit_year, kpi, outcome FROM npda.patient_kpi_pseudonymised WHERE false;
CREATE TEMP TABLE seen_visit AS SELECT child_key, pz_code, audit_year, visit_date FROM npda.visit_pseudonymised WHERE false;
GRANT INSERT, SELECT ON seen, seen_kpi, seen_visit TO PUBLIC;
SET SESSION AUTHORIZATION npda_tap_p_analyst;
INSERT INTO seen SELECT * FROM npda.patient_pseudonymised;
INSERT INTO seen_kpi SELECT child_key, pz_code, audit_year, kpi, outcome FROM npda.patient_kpi_pseudonymised;
INSERT INTO seen_visit SELECT child_key, pz_code, audit_year, visit_date FROM npda.visit_pseudonymised;
SELECT throws_ok('SELECT * FROM npda.pseudonym_secret', '42501', NULL, 'an analyst cannot read the secret');
SELECT throws_ok('SELECT npda.rotate_pseudonym_secret()', '42501', NULL, '... nor rotate it');
SELECT throws_ok('SELECT nhs_number FROM npda.patient', '42501', NULL, '... nor read a child''s record');
RESET SESSION AUTHORIZATION;

SELECT is((SELECT count(*)::int FROM seen), (SELECT count(*)::int FROM npda.patient p JOIN npda.submission s ON s.id = p.submission_id AND s.is_active),
          'an analyst sees every child of every active submission');
SELECT is((SELECT count(*)::int FROM seen s JOIN npda.patient p ON p.nhs_number IS NOT NULL
             AND s.child_key = encode(hmac(convert_to('nhs:' || p.nhs_number, 'UTF8'), (SELECT secret FROM npda.pseudonym_secret), 'sha256'), 'hex')
             JOIN npda.submission sub ON sub.id = p.submission_id AND sub.is_active
             JOIN npda.paediatric_diabetes_unit u ON u.id = sub.paediatric_diabetes_unit_id AND u.pz_code = s.pz_code
             JOIN npda.audit_period ap ON ap.id = sub.audit_period_id AND npda.audit_year(ap.start_date) = s.audit_year),
          (SELECT count(*)::int FROM seen),
          'the child key is HMAC-SHA-256(secret, ''nhs:'' || NHS number), as pgcrypto computes it');
SELECT is((SELECT count(*)::int FROM seen s JOIN npda.patient p ON s.child_key = encode(sha256(convert_to('nhs:' || p.nhs_number, 'UTF8')), 'hex')),
          0, 'and not an unkeyed hash of the NHS number');
SELECT is((SELECT count(DISTINCT child_key)::int FROM seen), (SELECT count(DISTINCT nhs_number)::int FROM npda.patient),
          'one key per child');
SELECT is_empty($$SELECT child_key FROM seen GROUP BY child_key
                   HAVING array_agg(DISTINCT pz_code || '/' || audit_year ORDER BY pz_code || '/' || audit_year)
                          <> ARRAY['PZ041/2024', 'PZ041/2025', 'PZ215/2025']$$,
                'the same child has the same key in two units and two years');
SELECT is_empty($$SELECT 1 FROM seen s WHERE s.birth_month <> date_trunc('month', s.birth_month)::date$$,
                'birth_month is a month (its first day)');
SELECT results_eq($$SELECT DISTINCT p.postcode, s.postcode_district, s.birth_month
                      FROM seen s JOIN npda.patient p
                        ON encode(hmac(convert_to('nhs:' || p.nhs_number, 'UTF8'), (SELECT secret FROM npda.pseudonym_secret), 'sha256'), 'hex') = s.child_key
                     WHERE p.nhs_number IN ('7195730220', '6537651948', '3518961306') ORDER BY 1$$,
                  $$VALUES ('BS105AH', 'BS10', '2015-10-01'::date), ('EH558PQ', 'EH55', '2022-08-01'), ('S431BN', 'S43', '2020-10-01')$$,
                  'postcodes become their outward code (S43 1BN: S43), dates of birth their month');
SELECT is((SELECT count(*)::int FROM seen_kpi), (SELECT count(*)::int * 51 FROM seen), 'per-child KPI outcomes: 51 per child');
SELECT is((SELECT count(*)::int FROM seen_visit),
          (SELECT count(*)::int FROM npda.visit v JOIN npda.patient p ON p.id = v.patient_id JOIN npda.submission s ON s.id = p.submission_id AND s.is_active),
          'every visit row of every active submission');
SELECT is_empty($$SELECT child_key FROM seen_kpi EXCEPT SELECT child_key FROM seen$$,
                'the keys of outcomes and visits are those of the children');

-- Rotation: the audit team only; every key changes.
SET SESSION AUTHORIZATION npda_tap_p_team;
SELECT lives_ok('SELECT npda.rotate_pseudonym_secret()', 'the audit team rotates the secret');
RESET SESSION AUTHORIZATION;
SELECT is((SELECT count(*)::int FROM npda.patient_pseudonymised n JOIN seen s USING (child_key)), 0,
          'after rotation no key is what it was');
-- An application acting for an analyst sees the export; acting for nobody, nothing.
SET SESSION AUTHORIZATION npda_tap_p_app;
SELECT is((SELECT count(*)::int FROM npda.patient_pseudonymised), 0, 'an application acting for nobody sees no row of the export');
SELECT npda.act_as('p-analyst2@rcpch.example') AS acting \gset
SELECT is((SELECT count(*)::int FROM npda.patient_pseudonymised), (SELECT count(*)::int FROM seen),
          'acting for an analyst, it sees the export');
RESET SESSION AUTHORIZATION;

SELECT * FROM finish();
ROLLBACK;
