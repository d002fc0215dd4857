-- Replacement and history (docs/data-model.md §10, §11; docs/architecture.md §5 "One transaction per
-- submission"): a second submission for the same PDU and period replaces the
-- first in one step; the first is kept with its file and findings but without
-- children; other PDUs and periods are left alone; the same child may be in
-- two PDUs' active submissions; the annotated file gives back every record
-- with its findings.
SET client_min_messages = warning;
SET datestyle = ISO;

CREATE TEMP TABLE fixture (name text PRIMARY KEY, bytes bytea NOT NULL);
\set f `base64 -w0 test/fixtures/npda_dummy_sheet_2024-10.csv`
INSERT INTO fixture VALUES ('dummy', decode(:'f', 'base64'));
\set f `base64 -w0 test/fixtures/npda_dummy_sheet_invalid_2024-10.csv`
INSERT INTO fixture VALUES ('invalid', decode(:'f', 'base64'));
\unset f
-- The 2024-10 sheet with its PDU Number changed to PZ042 (the same children
-- submitted by another unit).
INSERT INTO fixture
SELECT 'dummy_pz042', convert_to(replace(convert_from(bytes, 'UTF8'), ',PZ041,', ',PZ042,'), 'UTF8')
  FROM fixture WHERE name = 'dummy';

UPDATE npda.submission s SET is_active = false FROM npda.paediatric_diabetes_unit u
 WHERE u.id = s.paediatric_diabetes_unit_id AND u.pz_code IN ('PZ041', 'PZ042');  -- an active submission cannot be deleted
DELETE FROM npda.submission s USING npda.paediatric_diabetes_unit u
 WHERE u.id = s.paediatric_diabetes_unit_id AND u.pz_code IN ('PZ041', 'PZ042');

-- Every submission of PZ041/PZ042 with its state and what it still holds.
CREATE FUNCTION pg_temp.history()
RETURNS TABLE (file_name text, pz_code text, audit_year integer, is_active boolean, replaced boolean,
               row_count integer, patient_count integer, error_count integer,
               children bigint, visits bigint, scored bigint, findings bigint, file_kept boolean)
LANGUAGE sql STABLE AS $$
  SELECT s.file_name, u.pz_code, npda.audit_year(ap.start_date), s.is_active, s.replaced_at IS NOT NULL,
         s.row_count, s.patient_count, s.error_count,
         (SELECT count(*) FROM npda.patient p WHERE p.submission_id = s.id),
         (SELECT count(*) FROM npda.visit v JOIN npda.patient p ON p.id = v.patient_id WHERE p.submission_id = s.id),
         (SELECT count(*) FROM npda.patient_kpi_score k JOIN npda.patient p ON p.id = k.patient_id WHERE p.submission_id = s.id),
         (SELECT count(*) FROM npda.submission_error e WHERE e.submission_id = s.id),
         s.csv IS NOT NULL AND s.file_sha256 = encode(sha256(s.csv), 'hex')
    FROM npda.submission s
    JOIN npda.paediatric_diabetes_unit u ON u.id = s.paediatric_diabetes_unit_id
    JOIN npda.audit_period ap ON ap.id = s.audit_period_id
   WHERE u.pz_code IN ('PZ041', 'PZ042')
   ORDER BY s.id
$$;

-- 1. First submission for PZ041, 2024-25.
SELECT id AS first_id, submitted_by = session_user AS by_session_user, replaced_at IS NULL AS not_replaced
  FROM npda.submit_csv('PZ041', (SELECT bytes FROM fixture WHERE name = 'dummy'), 2024, 'first.csv') \gset
SELECT :'by_session_user' AS by_session_user, :'not_replaced' AS not_replaced;
SELECT * FROM pg_temp.history();

-- 2. A second file for the same PDU and period replaces it: one active
-- submission; the first keeps its row, file, SHA-256 and findings, gets
-- replaced_at, and loses its children (visits, transfers and scores with them).
SELECT id AS second_id
  FROM npda.submit_csv('PZ041', (SELECT bytes FROM fixture WHERE name = 'invalid'), 2024, 'second.csv') \gset
SELECT * FROM pg_temp.history();
SELECT s.replaced_at >= s.submitted_at AS replaced_after_submitted,
       s.replaced_at <= (SELECT n.submitted_at FROM npda.submission n WHERE n.id = :second_id) AS replaced_when_second_came,
       s.file_sha256 = encode(sha256((SELECT bytes FROM fixture WHERE name = 'dummy')), 'hex') AS sha256_kept
  FROM npda.submission s WHERE s.id = :first_id;
-- Nothing of the first submission's children is left anywhere.
SELECT (SELECT count(*) FROM npda.transfer t WHERE NOT EXISTS (SELECT FROM npda.patient p WHERE p.id = t.patient_id)) AS orphan_transfers,
       (SELECT count(*) FROM npda.visit v WHERE NOT EXISTS (SELECT FROM npda.patient p WHERE p.id = v.patient_id)) AS orphan_visits,
       (SELECT count(*) FROM npda.patient_kpi_score k WHERE NOT EXISTS (SELECT FROM npda.patient p WHERE p.id = k.patient_id)) AS orphan_scores;
-- The first submission's findings stay readable in the report, marked inactive.
SELECT file_name, is_active, count(*) AS findings
  FROM npda.submission_error_report WHERE pz_code = 'PZ041' AND audit_year = 2024
 GROUP BY file_name, is_active ORDER BY file_name;

-- 3. Re-submitting the first file: the same SHA-256 identifies it; it replaces
-- the second, and the first stays inactive.
SELECT id AS third_id
  FROM npda.submit_csv('PZ041', (SELECT bytes FROM fixture WHERE name = 'dummy'), 2024, 'first-again.csv') \gset
SELECT s.file_name, s.is_active, s.file_sha256 = (SELECT f.file_sha256 FROM npda.submission f WHERE f.id = :first_id) AS same_file
  FROM npda.submission s WHERE s.id IN (:first_id, :second_id, :third_id) ORDER BY s.id;

-- 4. A submission for another period, and one for another PDU carrying the
-- same children, leave the PZ041 2024-25 submission alone.
SELECT md5(string_agg(p::text, ';' ORDER BY p.id)) AS before
  FROM npda.patient p WHERE p.submission_id = :third_id \gset
SELECT id AS other_period_id
  FROM npda.submit_csv('PZ041', (SELECT bytes FROM fixture WHERE name = 'dummy'), 2023, 'period-2023.csv') \gset
SELECT id AS other_pdu_id
  FROM npda.submit_csv('PZ042', (SELECT bytes FROM fixture WHERE name = 'dummy_pz042'), 2024, 'pz042.csv') \gset
SELECT * FROM pg_temp.history();
SELECT md5(string_agg(p::text, ';' ORDER BY p.id)) = :'before' AS pz041_2024_untouched
  FROM npda.patient p WHERE p.submission_id = :third_id;
-- The same NHS numbers are in PZ041's and PZ042's active submissions for
-- 2024-25 (docs/data-model.md §11: uniqueness is per PDU and period), each with its own transfer
-- row pointing at the unit that submitted it.
SELECT u.pz_code, count(*) AS children, count(DISTINCT p.nhs_number) AS nhs_numbers,
       bool_and(t.paediatric_diabetes_unit_id = s.paediatric_diabetes_unit_id) AS transfer_to_submitter
  FROM npda.submission s
  JOIN npda.paediatric_diabetes_unit u ON u.id = s.paediatric_diabetes_unit_id
  JOIN npda.audit_period ap ON ap.id = s.audit_period_id
  JOIN npda.patient p ON p.submission_id = s.id
  JOIN npda.transfer t ON t.patient_id = p.id
 WHERE s.is_active AND ap.start_date = '2024-04-01' AND u.pz_code IN ('PZ041', 'PZ042')
 GROUP BY u.pz_code ORDER BY u.pz_code;
SELECT count(*) AS nhs_numbers_in_both
  FROM (SELECT p.nhs_number FROM npda.patient p WHERE p.submission_id = :third_id
        INTERSECT
        SELECT p.nhs_number FROM npda.patient p WHERE p.submission_id = :other_pdu_id) x;
-- One active submission per PDU and period, whatever happened.
SELECT u.pz_code, npda.audit_year(ap.start_date) AS audit_year, count(*) FILTER (WHERE s.is_active) AS active,
       count(*) AS submissions
  FROM npda.submission s
  JOIN npda.paediatric_diabetes_unit u ON u.id = s.paediatric_diabetes_unit_id
  JOIN npda.audit_period ap ON ap.id = s.audit_period_id
 WHERE u.pz_code IN ('PZ041', 'PZ042')
 GROUP BY 1, 2 ORDER BY 1, 2;
-- The partial unique index is the backstop: a second active row is refused
-- (terse: the detail would show surrogate keys).
\set VERBOSITY terse
UPDATE npda.submission SET is_active = true WHERE id = :first_id;
\set VERBOSITY default

-- 5. A submission rolled back with its transaction changes nothing.
BEGIN;
SELECT is_active, patient_count FROM npda.submit_csv('PZ041', (SELECT bytes FROM fixture WHERE name = 'invalid'), 2024, 'rolled-back.csv');
SELECT count(*) AS active_in_transaction FROM npda.submission s
 WHERE s.is_active AND s.file_name = 'rolled-back.csv';
ROLLBACK;
SELECT s.file_name, s.is_active, (SELECT count(*) FROM npda.patient p WHERE p.submission_id = s.id) AS children
  FROM npda.submission s WHERE s.id = :third_id;
SELECT count(*) AS rolled_back_rows FROM npda.submission WHERE file_name = 'rolled-back.csv';

-- 6. The annotated file: every record of the file (header = row 1, no
-- findings), its findings as "heading: message [code]" lines, and its cells.
SELECT count(*) AS records, min(row_number) AS first_row, max(row_number) AS last_row,
       sum(error_count) AS findings,
       sum(error_count) = (SELECT error_count FROM npda.submission WHERE id = :third_id) AS matches_submission
  FROM npda.submission_annotated_csv(:third_id);
SELECT row_number, error_count, errors IS NULL OR errors = '' AS no_errors, cardinality(fields) AS cells,
       fields[1] AS first_cell, fields[12] AS pdu_cell
  FROM npda.submission_annotated_csv(:third_id) ORDER BY row_number LIMIT 3;
SELECT row_number, error_count, errors FROM npda.submission_annotated_csv(:third_id) WHERE row_number = 12;
-- Each annotated record carries exactly the findings of its row.
SELECT bool_and(a.error_count = (SELECT count(*) FROM npda.submission_error e
                                  WHERE e.submission_id = :third_id AND e.row_number = a.row_number)) AS counts_match
  FROM npda.submission_annotated_csv(:third_id) a;
-- A replaced submission's annotated file is still available (its file and
-- findings were kept), with the invalid sheet's TRUE/FALSE findings.
SELECT count(*) AS records, sum(error_count) AS findings
  FROM npda.submission_annotated_csv(:second_id);
SELECT row_number, error_count, fields[22] AS glucose_monitoring_cell
  FROM npda.submission_annotated_csv(:second_id) WHERE row_number IN (1, 2) ORDER BY row_number;
-- Records count CSV records, not lines: a cell holding a line break stays one
-- record, decoded to UTF-8 (a Windows-1252 é), and later rows keep their number.
SELECT id AS multi_id FROM npda.submit_csv('PZ041',
  convert_to(E'NHS Number,Date of Birth,Postcode of usual address,Stated gender,Ethnic Category,Diabetes Type,Date of Diabetes Diagnosis,Date of leaving service,Reason for leaving service,Death Date,GP Practice Code,PDU Number,Visit/Appointment Date,Patient Height (cm),Patient Weight (kg),Observation Date (Height and weight),Hba1c Value,HbA1c result format,Observation Date: Hba1c Value,Diabetes Treatment at time of Hba1c measurement,"If treatment included insulin pump therapy (i.e. option 3 or 6 selected), was this part of a closed loop system?","At the time of HbA1c measurement, in addition to standard blood glucose monitoring (SBGM), was the patient using any other method of glucose monitoring?",Systolic Blood Pressure,Diastolic Blood pressure,Observation Date (Blood Pressure),Foot Assessment / Examination Date,Retinal Screening date,Retinal Screening Result,Urinary Albumin Level (ACR),Observation Date: Urinary Albumin Level,Albuminuria Stage,Total Cholesterol Level (mmol/l),Observation Date: Total Cholesterol Level,Observation Date: Thyroid Function ,"At time of, or following measurement of thyroid function, was the patient prescribed any thyroid treatment?",Observation Date: Coeliac Disease Screening,Has the patient been recommended a Gluten-free diet?,Observation Date - Psychological Screening Assessment,Was the patient assessed as requiring additional psychological/CAMHS support outside of MDT clinics?,Does the patient smoke?,Date of offer of referral to smoking cessation service (if patient is a current smoker),Date of Level 3 carbohydrate counting education received,Was the patient offered an additional appointment with a paediatric dietitian?,Date of additional appointment with dietitian,Was the patient using (or trained to use) blood ketone testing equipment at time of visit?,Date that influenza immunisation was recommended,Date of provision of advice (''sick-day rules'') about managing diabetes during intercurrent illness or episodes of hyperglycaemia,Start date (Hospital Provider Spell),Discharge date (Hospital provider spell),Reason for admission,Only complete if DKA selected in previous question: During this DKA admission did the patient receive any of the following therapies?,Only complete if OTHER selected: Reason for admission (free text)\r\n'
             || E'9434765919,01/01/2012,CB2 0QQ,1,A,1,01/01/2020,,,,A81001,PZ041,02/06/2024,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,01/06/2024,02/06/2024,6,,"Fièvre, then\r\nvomiting"\r\n'
             || E'9434765919,01/01/2012,CB2 0QQ,1,A,1,01/01/2020,,,,A81001,PZ041,03/06/2024,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,TRUE,\r\n', 'WIN1252'),
  2024, 'multi-line.csv') \gset
SELECT row_number, error_count, errors, fields[52] AS free_text, fields[51] AS dka_cell
  FROM npda.submission_annotated_csv(:multi_id) WHERE row_number > 1 ORDER BY row_number;
SELECT v.row_number, v.hospital_admission_other FROM npda.visit v JOIN npda.patient p ON p.id = v.patient_id
 WHERE p.submission_id = :multi_id ORDER BY v.row_number;
-- An unknown submission id is an error; NULL gives no rows.
SELECT count(*) AS unknown_id_records FROM npda.submission_annotated_csv(-1);
SELECT count(*) AS null_id_records FROM npda.submission_annotated_csv(NULL);

-- The same report as CSV text (what a data lead downloads): a findings
-- column first, quoted, then the record as submitted, re-quoted where needed.
SELECT row_number, left(line, 100) AS line_start, length(line) AS length
  FROM npda.submission_annotated_csv_lines(:multi_id) ORDER BY row_number;

-- An active submission cannot be deleted (docs/data-model.md §10.1): NP106, with the
-- way to withdraw it in the hint; once inactive it can go, children and all.
CREATE FUNCTION pg_temp.delete_submission(sid bigint) RETURNS text LANGUAGE plpgsql AS $$
DECLARE detail text; hint text;
BEGIN
  DELETE FROM npda.submission WHERE id = sid;
  RETURN 'deleted';
EXCEPTION WHEN OTHERS THEN
  GET STACKED DIAGNOSTICS detail = PG_EXCEPTION_DETAIL, hint = PG_EXCEPTION_HINT;
  -- The id varies with the tests run before this one.
  RETURN SQLSTATE || ': ' || regexp_replace(SQLERRM || ' / ' || detail || ' / ' || hint, '\m\d+\M', 'N', 'g');
END $$;
SELECT pg_temp.delete_submission(:multi_id);
UPDATE npda.submission SET is_active = false WHERE id = :multi_id;
DELETE FROM npda.submission WHERE id = :multi_id;
SELECT count(*) AS children_left FROM npda.patient WHERE submission_id = :multi_id;

UPDATE npda.submission s SET is_active = false FROM npda.paediatric_diabetes_unit u
 WHERE u.id = s.paediatric_diabetes_unit_id AND u.pz_code IN ('PZ041', 'PZ042');  -- an active submission cannot be deleted
DELETE FROM npda.submission s USING npda.paediatric_diabetes_unit u
 WHERE u.id = s.paediatric_diabetes_unit_id AND u.pz_code IN ('PZ041', 'PZ042');
