-- The submission tables, functions and view (docs/architecture.md §4 "The contract"),
-- and the SQLSTATEs of structural errors (README "Errors"). Everything is
-- rolled back.
BEGIN;
SELECT plan(104);
SET LOCAL client_min_messages = warning;

-- A one-row 2021-template file built from the published headings.
CREATE TEMP TABLE heading_2021 (pos integer PRIMARY KEY, heading text NOT NULL);
INSERT INTO heading_2021
SELECT k, h FROM unnest(ARRAY[
  'NHS Number', 'Date of Birth', 'Postcode of usual address', 'Stated gender', 'Ethnic Category', 'Diabetes Type',
  'Date of Diabetes Diagnosis', 'Date of leaving service', 'Reason for leaving service', 'Death Date',
  'GP Practice Code', 'PDU Number', 'Visit/Appointment Date', 'Patient Height (cm)', 'Patient Weight (kg)',
  'Observation Date (Height and weight)', 'Hba1c Value', 'HbA1c result format', 'Observation Date: Hba1c Value',
  'Diabetes Treatment at time of Hba1c measurement',
  'If treatment included insulin pump therapy (i.e. option 3 or 6 selected), was this part of a closed loop system?',
  'At the time of HbA1c measurement, in addition to standard blood glucose monitoring (SBGM), was the patient using any other method of glucose monitoring?',
  'Systolic Blood Pressure', 'Diastolic Blood pressure', 'Observation Date (Blood Pressure)',
  'Foot Assessment / Examination Date', 'Retinal Screening date', 'Retinal Screening Result',
  'Urinary Albumin Level (ACR)', 'Observation Date: Urinary Albumin Level', 'Albuminuria Stage',
  'Total Cholesterol Level (mmol/l)', 'Observation Date: Total Cholesterol Level', 'Observation Date: Thyroid Function',
  'At time of, or following measurement of thyroid function, was the patient prescribed any thyroid treatment?',
  'Observation Date: Coeliac Disease Screening', 'Has the patient been recommended a Gluten-free diet?',
  'Observation Date - Psychological Screening Assessment',
  'Was the patient assessed as requiring additional psychological/CAMHS support outside of MDT clinics?',
  'Does the patient smoke?',
  'Date of offer of referral to smoking cessation service (if patient is a current smoker)',
  'Date of Level 3 carbohydrate counting education received',
  'Was the patient offered an additional appointment with a paediatric dietitian?',
  'Date of additional appointment with dietitian',
  'Was the patient using (or trained to use) blood ketone testing equipment at time of visit?',
  'Date that influenza immunisation was recommended',
  'Date of provision of advice (''sick-day rules'') about managing diabetes during intercurrent illness or episodes of hyperglycaemia',
  'Start date (Hospital Provider Spell)', 'Discharge date (Hospital provider spell)', 'Reason for admission',
  'Only complete if DKA selected in previous question: During this DKA admission did the patient receive any of the following therapies?',
  'Only complete if OTHER selected: Reason for admission (free text)']) WITH ORDINALITY AS u(h, k);
-- A file: the headings (each passed through `rename`, a heading -> heading map)
-- and one data row with the given cells by heading (a valid child otherwise).
CREATE FUNCTION pg_temp.file(cells jsonb DEFAULT '{}', rename jsonb DEFAULT '{}', extra_heading text DEFAULT NULL)
RETURNS bytea LANGUAGE sql AS $$
  WITH r AS (
    SELECT '{"NHS Number": "943 476 5919", "Date of Birth": "01/01/2012", "Postcode of usual address": "CB2 0QQ",
             "Stated gender": "1", "Ethnic Category": "A", "Diabetes Type": "1", "Date of Diabetes Diagnosis": "01/01/2020",
             "GP Practice Code": "A81001", "PDU Number": "PZ041", "Visit/Appointment Date": "02/06/2024"}'::jsonb || cells AS v)
  SELECT convert_to(
           string_agg('"' || replace(coalesce(rename ->> h.heading, h.heading), '"', '""') || '"', ',' ORDER BY h.pos)
           || coalesce(',' || extra_heading, '') || E'\n'
           || string_agg('"' || coalesce(r.v ->> h.heading, '') || '"', ',' ORDER BY h.pos)
           || CASE WHEN extra_heading IS NULL THEN '' ELSE ',x' END || E'\n', 'UTF8')
    FROM heading_2021 h, r
$$;

-- Tables.
SELECT has_table('npda', t, 'table npda.' || t)
  FROM unnest(ARRAY['submission', 'patient', 'visit', 'transfer', 'submission_error']) AS t;

-- Key columns and their types: keys bigint, dates date, measurements numeric,
-- blood pressure integer, codes smallint, texts text.
SELECT col_type_is('npda', t, c, ty, format('%s.%s is %s', t, c, ty))
  FROM (VALUES
    ('submission', 'id', 'bigint'), ('submission', 'paediatric_diabetes_unit_id', 'bigint'),
    ('submission', 'audit_period_id', 'bigint'), ('submission', 'submitted_at', 'timestamp with time zone'),
    ('submission', 'submitted_by', 'text'), ('submission', 'file_name', 'text'), ('submission', 'file_sha256', 'text'),
    ('submission', 'csv', 'bytea'), ('submission', 'is_active', 'boolean'),
    ('submission', 'replaced_at', 'timestamp with time zone'),
    ('patient', 'submission_id', 'bigint'), ('patient', 'nhs_number', 'text'), ('patient', 'date_of_birth', 'date'),
    ('patient', 'diagnosis_date', 'date'), ('patient', 'sex', 'smallint'), ('patient', 'diabetes_type', 'smallint'),
    ('visit', 'patient_id', 'bigint'), ('visit', 'row_number', 'integer'), ('visit', 'visit_date', 'date'),
    ('visit', 'hba1c', 'numeric'), ('visit', 'height', 'numeric'), ('visit', 'weight', 'numeric'),
    ('visit', 'albumin_creatinine_ratio', 'numeric'), ('visit', 'total_cholesterol', 'numeric'),
    ('visit', 'blood_gas_ph', 'numeric'), ('visit', 'blood_gas_bicarbonate', 'numeric'),
    ('visit', 'systolic_blood_pressure', 'integer'), ('visit', 'treatment', 'smallint'),
    ('visit', 'hospital_admission_reason_2026', 'smallint'), ('visit', 'hospital_admission_other', 'text'),
    ('transfer', 'patient_id', 'bigint'), ('transfer', 'date_leaving_service', 'date'),
    ('transfer', 'reason_leaving_service', 'smallint'),
    ('submission_error', 'submission_id', 'bigint'), ('submission_error', 'row_number', 'integer'),
    ('submission_error', 'column_heading', 'text'), ('submission_error', 'value', 'text'),
    ('submission_error', 'code', 'text'), ('submission_error', 'message', 'text')) AS x(t, c, ty);
-- Every date column of the child tables is a date, every code column a smallint.
SELECT is(ARRAY(SELECT table_name || '.' || column_name || ' ' || data_type FROM information_schema.columns
                 WHERE table_schema = 'npda' AND table_name IN ('patient', 'visit', 'transfer')
                   AND column_name LIKE '%\_date' AND data_type <> 'date' ORDER BY 1),
          '{}'::text[], 'every *_date column of patient, visit and transfer is a date');
SELECT is(ARRAY(SELECT table_name || '.' || column_name || ' ' || data_type FROM information_schema.columns
                 WHERE table_schema = 'npda' AND table_name IN ('patient', 'visit', 'transfer')
                   AND column_name IN ('sex', 'diabetes_type', 'adhd_asd_status', 'learning_disability_status',
                                       'immunotherapy_received', 'reason_leaving_service', 'hba1c_format', 'treatment',
                                       'closed_loop_system', 'glucose_monitoring', 'insulin_regimen',
                                       'non_insulin_medication', 'dietary_lifestyle_modification', 'cgm_use',
                                       'retinal_screening_result', 'albuminuria_stage', 'thyroid_treatment_status',
                                       'gluten_free_diet', 'psychological_additional_support_status',
                                       'psychological_support_outcome', 'smoking_status', 'smoking_vaping_status',
                                       'dietician_additional_appointment_offered', 'ketone_meter_training',
                                       'hospital_admission_reason', 'hospital_admission_reason_2026',
                                       'dka_additional_therapies')
                   AND data_type <> 'smallint' ORDER BY 1),
          '{}'::text[], 'every coded column is a smallint');
SELECT col_not_null('npda', t, c, format('%s.%s is NOT NULL', t, c))
  FROM (VALUES ('submission', 'csv'), ('submission', 'file_sha256'), ('submission', 'is_active'),
               ('patient', 'first_row_number'), ('visit', 'row_number'), ('submission_error', 'row_number'),
               ('submission_error', 'code'), ('submission_error', 'message')) AS x(t, c);

-- Keys.
SELECT col_is_pk('npda', t, 'id', t || ' primary key is id')
  FROM unnest(ARRAY['submission', 'patient', 'visit', 'transfer', 'submission_error']) AS t;
SELECT fk_ok('npda', t, c, 'npda', rt, 'id', format('%s.%s references %s', t, c, rt))
  FROM (VALUES ('submission', 'paediatric_diabetes_unit_id', 'paediatric_diabetes_unit'),
               ('submission', 'audit_period_id', 'audit_period'),
               ('patient', 'submission_id', 'submission'),
               ('visit', 'patient_id', 'patient'),
               ('transfer', 'patient_id', 'patient'),
               ('transfer', 'paediatric_diabetes_unit_id', 'paediatric_diabetes_unit'),
               ('submission_error', 'submission_id', 'submission')) AS x(t, c, rt);
SELECT is(ARRAY(SELECT conrelid::regclass::text FROM pg_constraint
                 WHERE contype = 'f' AND confdeltype = 'c' AND connamespace = 'npda'::regnamespace
                   AND conrelid::regclass::text IN ('npda.patient', 'npda.visit', 'npda.transfer', 'npda.submission_error')
                   AND confrelid::regclass::text IN ('npda.submission', 'npda.patient')
                 ORDER BY 1),
          ARRAY['npda.patient', 'npda.submission_error', 'npda.transfer', 'npda.visit'],
          'children and findings are deleted with their submission (ON DELETE CASCADE)');

-- One active submission per PDU and audit period: a partial unique index.
SELECT has_index('npda', 'submission', 'submission_one_active', ARRAY['paediatric_diabetes_unit_id', 'audit_period_id'],
                 'index submission_one_active on (PDU, period)');
SELECT index_is_unique('npda', 'submission', 'submission_one_active', 'submission_one_active is unique');
SELECT is((SELECT pg_get_expr(i.indpred, i.indrelid) FROM pg_index i WHERE i.indexrelid = 'npda.submission_one_active'::regclass),
          'is_active', 'submission_one_active is partial: WHERE is_active');

-- Functions.
SELECT has_function('npda', 'submit_csv', ARRAY['text', 'bytea', 'integer', 'text'], 'npda.submit_csv(text, bytea, integer, text)');
SELECT is((SELECT prorettype::regtype::text FROM pg_proc WHERE oid = 'npda.submit_csv(text, bytea, integer, text)'::regprocedure),
          'npda.submission', 'submit_csv returns npda.submission');
SELECT is((SELECT pronargdefaults FROM pg_proc WHERE oid = 'npda.submit_csv(text, bytea, integer, text)'::regprocedure),
          2::smallint, 'submit_csv: audit_year and file_name have defaults');
SELECT volatility_is('npda', 'submit_csv', ARRAY['text', 'bytea', 'integer', 'text'], 'volatile', 'submit_csv is volatile');
SELECT has_function('npda', 'submission_annotated_csv', ARRAY['bigint'], 'npda.submission_annotated_csv(bigint)');
SELECT function_returns('npda', 'submission_annotated_csv', ARRAY['bigint'], 'setof record', 'submission_annotated_csv returns a set');
SELECT is_strict('npda', 'submission_annotated_csv', ARRAY['bigint'], 'submission_annotated_csv is strict');

-- The data quality report view.
SELECT has_view('npda', 'submission_error_report', 'view npda.submission_error_report');
SELECT columns_are('npda', 'submission_error_report',
  ARRAY['submission_id', 'pz_code', 'audit_year', 'file_name', 'submitted_at', 'is_active', 'row_number',
        'column_heading', 'value', 'code', 'message'], 'submission_error_report columns');

-- A valid file is accepted and becomes the one active submission.
SELECT lives_ok($$SELECT npda.submit_csv('PZ041', pg_temp.file(), 2024, 'contract.csv')$$, 'a valid one-row file is accepted');
SELECT results_eq($$SELECT is_active, patient_count, visit_count, error_count FROM npda.submission WHERE file_name = 'contract.csv'$$,
                  $$VALUES (true, 1, 1, 0)$$, 'it is active with one child, one visit, no findings');
SELECT lives_ok($$SELECT npda.submit_csv('PZ041', pg_temp.file(), 2024, 'contract-2.csv')$$, 'a second file for the same PDU and period');
SELECT throws_ok($$UPDATE npda.submission SET is_active = true WHERE file_name = 'contract.csv'$$, '23505', NULL,
                 'a second active submission for one PDU and period violates submission_one_active');

-- Structural errors: each file (or argument) raises its SQLSTATE and changes nothing.
CREATE TEMP TABLE structural (n serial, label text, pz text, csv bytea, audit_year integer, sqlstate text);
INSERT INTO structural (label, pz, csv, audit_year, sqlstate) VALUES
  ('empty file', 'PZ041', ''::bytea, 2024, 'NP001'),
  ('header without data rows', 'PZ041', (SELECT convert_to(split_part(convert_from(pg_temp.file(), 'UTF8'), E'\n', 1), 'UTF8')), 2024, 'NP001'),
  ('an Excel workbook (ZIP)', 'PZ041', '\x504b030414000000'::bytea, 2024, 'NP002'),
  ('no recognisable header', 'PZ041', convert_to(E'a,b,c\n1,2,3\n', 'UTF8'), 2024, 'NP003'),
  ('a template column missing', 'PZ041', pg_temp.file(rename => '{"Death Date": ""}'), 2024, 'NP004'),
  ('a column not in the template', 'PZ041', pg_temp.file(extra_heading => 'Consultant'), 2024, 'NP005'),
  ('a heading twice', 'PZ041', pg_temp.file(rename => '{"Death Date": "Date of Birth"}'), 2024, 'NP006'),
  ('URN column from PZ041', 'PZ041', pg_temp.file('{"Unique Reference Number": "1"}', '{"NHS Number": "Unique Reference Number"}'), 2024, 'NP007'),
  ('NHS Number column from PZ248', 'PZ248', pg_temp.file('{"PDU Number": "PZ248"}'), 2024, 'NP007'),
  ('a row without NHS number', 'PZ041', pg_temp.file('{"NHS Number": ""}'), 2024, 'NP008'),
  ('PDU Number of another unit', 'PZ041', pg_temp.file('{"PDU Number": "PZ042"}'), 2024, 'NP101'),
  ('unknown PZ code', 'PZ777', pg_temp.file(), 2024, 'NP103'),
  ('audit period that does not exist', 'PZ041', pg_temp.file(), 2040, 'NP104'),
  ('NULL file', 'PZ041', NULL, 2024, 'NP105');
CREATE TEMP TABLE before AS SELECT (SELECT count(*) FROM npda.submission) AS submissions,
                                   (SELECT count(*) FROM npda.patient) AS patients;
SELECT throws_ok(format('SELECT npda.submit_csv(%L, %L::bytea, %s)', s.pz, s.csv, s.audit_year), s.sqlstate, NULL,
                 format('%s: %s', s.sqlstate, s.label))
  FROM structural s ORDER BY s.n;
-- NP009: the first data row holds more values than the header has headings.
SELECT throws_ok(format('SELECT npda.submit_csv(%L, %L::bytea, 2024)', 'PZ041',
                        convert_to(split_part(convert_from(pg_temp.file(), 'UTF8'), E'\n', 1) || E'\n'
                                   || (SELECT string_agg('1', ',') FROM generate_series(1, 53)) || E'\n', 'UTF8')),
                 'NP009', NULL, 'NP009: 53 values under 52 headings');
-- NP102: a closed period refuses a role outside npda_audit_team and accepts a
-- member of it (roles created inside this transaction, so rolled back).
UPDATE npda.audit_period SET is_open = false WHERE start_date = '2022-04-01';
CREATE ROLE npda_tap_editor NOLOGIN;
CREATE ROLE npda_tap_team NOLOGIN IN ROLE npda_audit_team;
GRANT USAGE ON SCHEMA npda TO npda_tap_editor, npda_tap_team;
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA npda TO npda_tap_editor, npda_tap_team;
GRANT USAGE ON ALL SEQUENCES IN SCHEMA npda TO npda_tap_editor, npda_tap_team;
CREATE TEMP TABLE closed_outcome (who text, outcome text);
GRANT SELECT ON heading_2021 TO npda_tap_editor, npda_tap_team;
GRANT INSERT ON closed_outcome TO npda_tap_editor, npda_tap_team;
CREATE FUNCTION pg_temp.try_closed() RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  PERFORM npda.submit_csv('PZ041', pg_temp.file(), 2022, 'closed.csv');
  INSERT INTO closed_outcome VALUES (current_user, 'accepted');
EXCEPTION WHEN OTHERS THEN
  INSERT INTO closed_outcome VALUES (current_user, SQLSTATE);
END
$$;
SET LOCAL ROLE npda_tap_editor;
SELECT pg_temp.try_closed();
SET LOCAL ROLE npda_tap_team;
SELECT pg_temp.try_closed();
RESET ROLE;
SELECT is((SELECT outcome FROM closed_outcome WHERE who = 'npda_tap_editor'), 'NP102',
          'NP102: a closed period refuses a role outside npda_audit_team');
SELECT is((SELECT outcome FROM closed_outcome WHERE who = 'npda_tap_team'), 'accepted',
          'a member of npda_audit_team may submit into a closed period');
UPDATE npda.submission SET is_active = false WHERE file_name = 'closed.csv';
DELETE FROM npda.submission WHERE file_name = 'closed.csv';

-- NP902: a table that does not match the library's field table stops the
-- write; no column is skipped or filled from the wrong field (each change is
-- rolled back).
SAVEPOINT schema_change;
ALTER TABLE npda.visit ADD COLUMN unknown_measure numeric;
SELECT throws_ok(format('SELECT npda.submit_csv(%L, %L::bytea, 2024)', 'PZ041', pg_temp.file()), 'NP902', NULL,
                 'NP902: a column of npda.visit that no field fills');
ROLLBACK TO SAVEPOINT schema_change;
ALTER TABLE npda.visit DROP COLUMN blood_gas_ph;
SELECT throws_ok(format('SELECT npda.submit_csv(%L, %L::bytea, 2024)', 'PZ041', pg_temp.file()), 'NP902', NULL,
                 'NP902: a field whose column npda.visit lacks');
ROLLBACK TO SAVEPOINT schema_change;
ALTER TABLE npda.patient ALTER COLUMN sex TYPE integer;
SELECT throws_ok(format('SELECT npda.submit_csv(%L, %L::bytea, 2024)', 'PZ041', pg_temp.file()), 'NP902', NULL,
                 'NP902: a column of npda.patient of another type than its field');
ROLLBACK TO SAVEPOINT schema_change;

SELECT results_eq($$SELECT (SELECT count(*) FROM npda.submission), (SELECT count(*) FROM npda.patient)$$,
                  $$SELECT submissions, patients FROM before$$, 'no structural error changed anything');

SELECT * FROM finish();
ROLLBACK;
