-- The RCPCH sample sheets (docs/data-model.md §14) through npda.submit_csv, and messy
-- real-world exports of the same file (§6, §7, §15 item 2): each is accepted with
-- the same children, visits and findings as the clean file.
SET client_min_messages = warning;
SET datestyle = ISO;

CREATE TEMP TABLE fixture (name text PRIMARY KEY, bytes bytea NOT NULL);
\set f `base64 -w0 test/fixtures/npda_dummy_sheet_2024-10.csv`
INSERT INTO fixture VALUES ('dummy', decode(:'f', 'base64'));
\set f `base64 -w0 test/fixtures/npda_dummy_sheet_invalid_2024-10.csv`
INSERT INTO fixture VALUES ('invalid', decode(:'f', 'base64'));
\set f `base64 -w0 test/fixtures/npda_dummy_sheet_2026_test.csv`
INSERT INTO fixture VALUES ('dummy_2026', decode(:'f', 'base64'));
\set f `base64 -w0 test/fixtures/npda_dummy_sheet_old_headers.csv`
INSERT INTO fixture VALUES ('old_headers', decode(:'f', 'base64'));
\set f `base64 -w0 test/fixtures/npda_one_patient_four_visits.csv`
INSERT INTO fixture VALUES ('one_patient', decode(:'f', 'base64'));
\unset f
SELECT name, length(bytes) AS bytes FROM fixture ORDER BY name;

-- A submission's children, visits and transfers without their surrogate keys,
-- as one hash: equal hashes = the same data stored.
CREATE FUNCTION pg_temp.children(sid bigint) RETURNS text LANGUAGE sql STABLE AS $$
  SELECT md5(string_agg(x, E'\n' ORDER BY k)) FROM (
    SELECT p.first_row_number AS k,
           (to_jsonb(p) - 'id' - 'submission_id')::text
           || (SELECT string_agg((to_jsonb(v) - 'id' - 'patient_id')::text, ';' ORDER BY v.row_number)
                 FROM npda.visit v WHERE v.patient_id = p.id)
           || (SELECT (to_jsonb(t) - 'id' - 'patient_id')::text FROM npda.transfer t WHERE t.patient_id = p.id) AS x
      FROM npda.patient p WHERE p.submission_id = sid) c
$$;
-- Its findings (row, heading, value, code, message) as one hash.
CREATE FUNCTION pg_temp.findings(sid bigint) RETURNS text LANGUAGE sql STABLE AS $$
  SELECT md5(coalesce(string_agg(concat_ws('|', e.row_number, e.column_heading, e.value, e.code, e.message), E'\n'
                                 ORDER BY e.row_number, e.id), ''))
    FROM npda.submission_error e WHERE e.submission_id = sid
$$;
-- Findings per code.
CREATE FUNCTION pg_temp.codes(sid bigint) RETURNS TABLE (code text, findings bigint) LANGUAGE sql STABLE AS $$
  SELECT e.code, count(*) FROM npda.submission_error e WHERE e.submission_id = sid GROUP BY e.code ORDER BY e.code
$$;

UPDATE npda.submission s SET is_active = false FROM npda.paediatric_diabetes_unit u
 WHERE u.id = s.paediatric_diabetes_unit_id AND u.pz_code IN ('PZ041', 'PZ999');  -- an active submission cannot be deleted
DELETE FROM npda.submission s USING npda.paediatric_diabetes_unit u
 WHERE u.id = s.paediatric_diabetes_unit_id AND u.pz_code IN ('PZ041', 'PZ999');

-- 1. npda_dummy_sheet_2024-10.csv: accepted for PZ041; GP code G7103993 is not
-- a practice code (one finding per row); the admission findings come from the
-- DKA-therapy cells of rows without a DKA admission.
SELECT id AS dummy_id
  FROM npda.submit_csv('PZ041', (SELECT bytes FROM fixture WHERE name = 'dummy'), 2024, 'npda_dummy_sheet_2024-10.csv') \gset
SELECT is_active, dataset_year, row_count, patient_count, visit_count, error_count, file_name,
       file_sha256 = encode(sha256((SELECT bytes FROM fixture WHERE name = 'dummy')), 'hex') AS sha256_of_file,
       csv = (SELECT bytes FROM fixture WHERE name = 'dummy') AS raw_file_kept
  FROM npda.submission WHERE id = :dummy_id;
SELECT * FROM pg_temp.codes(:dummy_id);
SELECT row_number, column_heading, value, code, message FROM npda.submission_error
 WHERE submission_id = :dummy_id AND code = 'gp_practice_code_format' ORDER BY row_number LIMIT 2;
-- NHS numbers written with spaces are stored as ten digits; the child with two
-- rows is one patient with two visits; leaving data and death date.
SELECT p.nhs_number, p.first_row_number, p.date_of_birth, p.sex, p.ethnicity, p.postcode, p.diabetes_type,
       p.diagnosis_date, p.death_date, p.gp_practice_ods_code, t.date_leaving_service, t.reason_leaving_service,
       (SELECT array_agg(v.row_number ORDER BY v.row_number) FROM npda.visit v WHERE v.patient_id = p.id) AS rows
  FROM npda.patient p JOIN npda.transfer t ON t.patient_id = p.id
 WHERE p.submission_id = :dummy_id ORDER BY p.first_row_number;
-- Visits spread over 2016-2023, outside the 2024-25 period: not an error (docs/data-model.md §4.7, our rule).
SELECT min(v.visit_date), max(v.visit_date) FROM npda.visit v JOIN npda.patient p ON p.id = v.patient_id
 WHERE p.submission_id = :dummy_id;
SELECT count(*) FILTER (WHERE code LIKE 'date%') AS date_findings FROM npda.submission_error WHERE submission_id = :dummy_id;
-- Every child scored.
SELECT count(*) AS scored FROM npda.patient_kpi_score k JOIN npda.patient p ON p.id = k.patient_id
 WHERE p.submission_id = :dummy_id;
CREATE TEMP TABLE clean AS SELECT :dummy_id::bigint AS id, pg_temp.children(:dummy_id) AS children,
                                  pg_temp.findings(:dummy_id) AS findings;
CREATE TEMP TABLE clean_children AS
SELECT p.first_row_number, p.nhs_number, p.date_of_birth, (SELECT count(*) FROM npda.visit v WHERE v.patient_id = p.id) AS visits
  FROM npda.patient p WHERE p.submission_id = :dummy_id;

-- 2. npda_dummy_sheet_invalid_2024-10.csv: accepted for PZ041 in 2024-25 with
-- many field errors: TRUE/FALSE in coded columns, observation dates before
-- birth, dates after a death.
SELECT id AS invalid_id
  FROM npda.submit_csv('PZ041', (SELECT bytes FROM fixture WHERE name = 'invalid'), 2024, 'npda_dummy_sheet_invalid_2024-10.csv') \gset
SELECT is_active, row_count, patient_count, visit_count, error_count FROM npda.submission WHERE id = :invalid_id;
SELECT * FROM pg_temp.codes(:invalid_id);
-- TRUE/FALSE: the cell is named with its value, the stored value is NULL.
SELECT row_number, column_heading, value, code, message FROM npda.submission_error
 WHERE submission_id = :invalid_id AND code = 'value_not_in_set' AND row_number = 2 ORDER BY id;
SELECT v.row_number, v.glucose_monitoring, v.thyroid_treatment_status, v.gluten_free_diet, v.smoking_status, v.is_valid
  FROM npda.visit v JOIN npda.patient p ON p.id = v.patient_id WHERE p.submission_id = :invalid_id AND v.row_number <= 3
 ORDER BY v.row_number;
SELECT row_number, column_heading, value, code, message FROM npda.submission_error
 WHERE submission_id = :invalid_id AND code IN ('date_before_birth', 'date_after_death') ORDER BY row_number, id LIMIT 4;
SELECT count(*) AS valid_children FROM npda.patient WHERE submission_id = :invalid_id AND is_valid;

-- 3. npda_dummy_sheet_2026_test.csv: 2026 template with footnote daggers,
-- accepted for PZ041 in 2026-27 (dataset 2026).
SELECT id AS s2026_id
  FROM npda.submit_csv('PZ041', (SELECT bytes FROM fixture WHERE name = 'dummy_2026'), 2026, 'npda_dummy_sheet_2026_test.csv') \gset
SELECT is_active, dataset_year, row_count, patient_count, visit_count FROM npda.submission WHERE id = :s2026_id;
-- The three findings docs/data-model.md §14 expects are among the findings.
SELECT e.row_number, e.column_heading, e.value, e.code, e.message
  FROM npda.submission_error e
 WHERE e.submission_id = :s2026_id
   AND ((e.code = 'value_not_applicable' AND e.column_heading LIKE 'Only complete if DKA selected%')
     OR (e.code = 'value_not_applicable' AND e.column_heading LIKE 'Date of offer of smoking cessation advice%')
     OR (e.code = 'value_not_in_set' AND e.column_heading LIKE 'Has the patient had a diagnosis of Attention Deficit%'))
 ORDER BY e.row_number;
SELECT v.row_number, v.hospital_admission_reason, v.hospital_admission_reason_2026, v.dka_additional_therapies,
       v.blood_gas_ph, v.blood_gas_bicarbonate
  FROM npda.visit v JOIN npda.patient p ON p.id = v.patient_id
 WHERE p.submission_id = :s2026_id AND v.hospital_admission_reason_2026 IS NOT NULL ORDER BY v.row_number;
SELECT v.row_number, v.smoking_vaping_status, v.smoking_cessation_referral_date
  FROM npda.visit v JOIN npda.patient p ON p.id = v.patient_id
 WHERE p.submission_id = :s2026_id AND v.smoking_cessation_referral_date IS NOT NULL ORDER BY v.row_number;
-- adhd_asd_status 5 is kept (a value of the right type, outside its set, docs/data-model.md §4.1).
SELECT p.nhs_number, p.adhd_asd_status, p.death_date FROM npda.patient p
 WHERE p.submission_id = :s2026_id AND p.adhd_asd_status = 5;
-- The other findings (the admission of January 2027 is in the future only
-- until then, so date_in_future findings are left out of this listing).
SELECT e.row_number, e.code, count(*) FROM npda.submission_error e
 WHERE e.submission_id = :s2026_id AND e.code <> 'date_in_future'
 GROUP BY e.row_number, e.code ORDER BY e.row_number, e.code;
-- 2021-only columns are empty on a 2026 submission, and 2026-only ones are filled.
SELECT count(*) FILTER (WHERE v.treatment IS NOT NULL OR v.hba1c_format IS NOT NULL OR v.smoking_status IS NOT NULL
                           OR v.hospital_admission_reason IS NOT NULL) AS with_2021_fields,
       count(*) FILTER (WHERE v.insulin_regimen IS NOT NULL) AS with_insulin_regimen
  FROM npda.visit v JOIN npda.patient p ON p.id = v.patient_id WHERE p.submission_id = :s2026_id;

-- 4. npda_dummy_sheet_old_headers.csv: every old heading resolves (docs/data-model.md §6.2).
SELECT id AS old_id
  FROM npda.submit_csv('PZ041', (SELECT bytes FROM fixture WHERE name = 'old_headers'), 2023, 'npda_dummy_sheet_old_headers.csv') \gset
SELECT is_active, row_count, patient_count, visit_count, error_count FROM npda.submission WHERE id = :old_id;
-- The same children as the 2024-10 sheet (same NHS numbers, dates of birth, visits per child), GP G85004.
SELECT (SELECT array_agg(p.nhs_number || ' ' || p.date_of_birth || ' ' ||
                         (SELECT count(*) FROM npda.visit v WHERE v.patient_id = p.id) ORDER BY p.first_row_number)
          FROM npda.patient p WHERE p.submission_id = :old_id)
     = (SELECT array_agg(c.nhs_number || ' ' || c.date_of_birth || ' ' || c.visits ORDER BY c.first_row_number)
          FROM clean_children c) AS same_children,
       (SELECT array_agg(DISTINCT gp_practice_ods_code) FROM npda.patient WHERE submission_id = :old_id) AS gp_codes;

-- 5. npda_one_patient_four_visits.csv: one child, PZ999, 2025-26.
SELECT id AS one_id
  FROM npda.submit_csv('PZ999', (SELECT bytes FROM fixture WHERE name = 'one_patient'), 2025, 'npda_one_patient_four_visits.csv') \gset
SELECT is_active, row_count, patient_count, visit_count, error_count FROM npda.submission WHERE id = :one_id;
SELECT p.nhs_number, p.sex, p.ethnicity, p.postcode, p.date_of_birth, p.diagnosis_date, p.gp_practice_ods_code
  FROM npda.patient p WHERE p.submission_id = :one_id;
SELECT v.row_number, v.visit_date, v.height, v.weight, v.hba1c, v.hba1c_format, v.treatment, v.glucose_monitoring,
       v.dietician_additional_appointment_offered, v.dietician_additional_appointment_date
  FROM npda.visit v JOIN npda.patient p ON p.id = v.patient_id WHERE p.submission_id = :one_id ORDER BY v.row_number;

-- 6. Messy exports of the 2024-10 sheet. Each is built from the file's bytes
-- and must be accepted with exactly the children, visits and findings of the
-- clean file.
\set ECHO none
\i test/sql/include/csv_split.psql
\set ECHO all
-- Quote every cell (quote_all) or only those that need it.
CREATE FUNCTION pg_temp.csv_line(cells text[], quote_all boolean DEFAULT false) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
  SELECT string_agg(CASE WHEN quote_all OR c ~ '[",\r\n]' THEN '"' || replace(c, '"', '""') || '"' ELSE coalesce(c, '') END,
                    ',' ORDER BY k)
    FROM unnest(cells) WITH ORDINALITY AS u(c, k)
$$;
CREATE TEMP TABLE dummy AS
SELECT n::integer, pg_temp.csv_split(line) AS cells
  FROM regexp_split_to_table(rtrim(convert_from((SELECT bytes FROM fixture WHERE name = 'dummy'), 'UTF8'), E'\r\n'),
                             E'\r?\n') WITH ORDINALITY AS t(line, n);
CREATE FUNCTION pg_temp.col(heading text) RETURNS integer LANGUAGE sql STABLE AS $$
  SELECT array_position(cells, heading) FROM dummy WHERE n = 1
$$;
-- The sheet's text with every record's cells passed through an expression over
-- `c` (text[]) and `n` (record number, 1 = header), joined by `eol`.
CREATE FUNCTION pg_temp.dummy_text(expr text, eol text DEFAULT E'\n', quote_all boolean DEFAULT false) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE result text;
BEGIN
  EXECUTE format('SELECT string_agg(pg_temp.csv_line(%s, %L), %L ORDER BY n) || %L FROM (SELECT n, cells AS c FROM dummy) d',
                 expr, quote_all, eol, eol) INTO result;
  RETURN result;
END
$$;
-- Dates rewritten: DD/MM/YY on even records, YYYY-MM-DD on odd ones.
CREATE FUNCTION pg_temp.redate(c text[], n integer) RETURNS text[] LANGUAGE sql IMMUTABLE AS $$
  SELECT array_agg(CASE WHEN n > 1 AND x ~ '^\d\d/\d\d/\d{4}$'
                        THEN CASE WHEN n % 2 = 0 THEN substr(x, 1, 6) || substr(x, 9, 2)
                                  ELSE substr(x, 7, 4) || '-' || substr(x, 4, 2) || '-' || substr(x, 1, 2) END
                        ELSE x END ORDER BY k)
    FROM unnest(c) WITH ORDINALITY AS u(x, k)
$$;

CREATE TEMP TABLE messy (n serial PRIMARY KEY, label text NOT NULL, csv bytea NOT NULL);
INSERT INTO messy (label, csv) VALUES
  ('UTF-8 byte-order mark', '\xefbbbf'::bytea || (SELECT bytes FROM fixture WHERE name = 'dummy')),
  ('Windows-1252: NBSP in NHS numbers and a heading, é in a heading',
     convert_to(pg_temp.dummy_text(format($$CASE WHEN n = 1 THEN c[1:%1$s] || 'Ethnic Catégory'::text || c[%2$s:%3$s] || replace(c[%4$s], ' ', E'\u00a0') || c[%5$s:]
                                              ELSE replace(c[1], ' ', E'\u00a0') || c[2:] END$$,
                                           pg_temp.col('Ethnic Category') - 1, pg_temp.col('Ethnic Category') + 1,
                                           pg_temp.col('Has the patient been recommended a Gluten-free diet?') - 1,
                                           pg_temp.col('Has the patient been recommended a Gluten-free diet?'),
                                           pg_temp.col('Has the patient been recommended a Gluten-free diet?') + 1)), 'WIN1252')),
  ('CRLF line ends', convert_to(pg_temp.dummy_text('c', E'\r\n'), 'UTF8')),
  ('every cell quoted, headings included', convert_to(pg_temp.dummy_text('c', E'\n', true), 'UTF8')),
  ('headings in upper case with trailing spaces', convert_to(pg_temp.dummy_text($$CASE WHEN n = 1 THEN ARRAY(SELECT upper(h) || '   ' FROM unnest(c) WITH ORDINALITY AS u(h, k) ORDER BY k) ELSE c END$$), 'UTF8')),
  ('trailing empty rows and trailing empty columns', convert_to(pg_temp.dummy_text($$c || '{"",""}'::text[]$$) || E'\n,,\n\n\r\n', 'UTF8')),
  ('PDU Number written 41, 041, 41.0, pz41, PZ041 and blank',
     convert_to(pg_temp.dummy_text(format($$CASE WHEN n = 1 THEN c ELSE c[1:%1$s] || (ARRAY['41', '041', '41.0', 'pz41', 'PZ041', '', ' 41 '])[n %% 7 + 1] || c[%2$s:] END$$,
                                           pg_temp.col('PDU Number') - 1, pg_temp.col('PDU Number') + 1)), 'UTF8')),
  ('dates as DD/MM/YY and YYYY-MM-DD', convert_to(pg_temp.dummy_text('pg_temp.redate(c, n)'), 'UTF8')),
  ('all of the above at once',
     '\xefbbbf'::bytea || convert_to(pg_temp.dummy_text(format($$CASE WHEN n = 1 THEN ARRAY(SELECT upper(h) || ' ' FROM unnest(c) WITH ORDINALITY AS u(h, k) ORDER BY k) || '{"",""}'::text[]
                                                                   ELSE pg_temp.redate(c[1:%1$s] || (ARRAY['41', '', '41.0'])[n %% 3 + 1] || c[%2$s:], n) || '{"",""}'::text[] END$$,
                                                                pg_temp.col('PDU Number') - 1, pg_temp.col('PDU Number') + 1), E'\r\n', true), 'UTF8'));

CREATE TEMP TABLE messy_result (n integer PRIMARY KEY, id bigint, children text, findings text);
DO $$
DECLARE m record; sid bigint;
BEGIN
  FOR m IN SELECT * FROM messy ORDER BY n LOOP
    SELECT s.id INTO sid FROM npda.submit_csv('PZ041', m.csv, 2024, m.label) s;
    INSERT INTO messy_result VALUES (m.n, sid, pg_temp.children(sid), pg_temp.findings(sid));
  END LOOP;
END
$$;
SELECT m.n, m.label, s.row_count, s.patient_count, s.visit_count, s.error_count,
       r.children = c.children AS same_children, r.findings = c.findings AS same_findings
  FROM messy m JOIN messy_result r USING (n) JOIN npda.submission s ON s.id = r.id CROSS JOIN clean c
 ORDER BY m.n;
-- Only the last one is active: each replaced the one before.
SELECT count(*) FILTER (WHERE s.is_active) AS active, count(*) AS submitted
  FROM messy_result r JOIN npda.submission s ON s.id = r.id;

-- A quoted free-text cell holding a comma and a line break (row 7, admission
-- reason 6 "other"): row numbers count CSV records, not lines, so every later
-- row keeps its number, and the "free text required" finding of row 7 goes.
SELECT id AS multi_id
  FROM npda.submit_csv('PZ041', convert_to(pg_temp.dummy_text(format($$CASE WHEN n = 7 THEN c[1:%1$s] || E'Fell off a bike, then\nvomited twice'::text ELSE c END$$,
                                                                        pg_temp.col('Only complete if OTHER selected: Reason for admission (free text)') - 1)), 'UTF8'),
                       2024, 'multi-line cell') \gset
SELECT row_count, visit_count FROM npda.submission WHERE id = :multi_id;
SELECT v.row_number, v.hospital_admission_reason, v.hospital_admission_other
  FROM npda.visit v JOIN npda.patient p ON p.id = v.patient_id
 WHERE p.submission_id = :multi_id AND v.row_number BETWEEN 6 AND 8 ORDER BY v.row_number;
-- Findings of the clean file that differ: only row 7's missing free text.
(SELECT row_number, column_heading, code FROM npda.submission_error WHERE submission_id = (SELECT id FROM clean)
 EXCEPT ALL
 SELECT row_number, column_heading, code FROM npda.submission_error WHERE submission_id = :multi_id)
UNION ALL
(SELECT row_number, column_heading, code FROM npda.submission_error WHERE submission_id = :multi_id
 EXCEPT ALL
 SELECT row_number, column_heading, code FROM npda.submission_error WHERE submission_id = (SELECT id FROM clean));
SELECT count(*) AS later_findings, min(row_number), max(row_number)
  FROM npda.submission_error WHERE submission_id = :multi_id AND row_number > 7;

-- A value past the last heading on a later row is not structural: a finding
-- naming the column, and the value is ignored.
SELECT id AS stray_id FROM npda.submit_csv('PZ041',
         convert_to(pg_temp.dummy_text($$CASE WHEN n = 5 THEN c || '{"","stray"}'::text[] ELSE c END$$), 'UTF8'),
         2024, 'stray value') \gset
SELECT row_number, column_heading, value, code, message FROM npda.submission_error
 WHERE submission_id = :stray_id AND code = 'value_without_heading';
SELECT pg_temp.children(:stray_id) = (SELECT children FROM clean) AS same_children;

-- A PDU Number column blank on every row: taken as the submitting PDU, with a
-- finding on the first data row (docs/data-model.md §6.3, our rule).
SELECT id AS blank_pdu_id FROM npda.submit_csv('PZ041',
         convert_to(pg_temp.dummy_text(format($$CASE WHEN n = 1 THEN c ELSE c[1:%1$s] || ''::text || c[%2$s:] END$$,
                                              pg_temp.col('PDU Number') - 1, pg_temp.col('PDU Number') + 1)), 'UTF8'),
         2024, 'blank PDU column') \gset
SELECT row_number, column_heading, value, code, message FROM npda.submission_error
 WHERE submission_id = :blank_pdu_id AND code = 'pdu_number_missing';
SELECT pg_temp.children(:blank_pdu_id) = (SELECT children FROM clean) AS same_children;

UPDATE npda.submission s SET is_active = false FROM npda.paediatric_diabetes_unit u
 WHERE u.id = s.paediatric_diabetes_unit_id AND u.pz_code IN ('PZ041', 'PZ999');  -- an active submission cannot be deleted
DELETE FROM npda.submission s USING npda.paediatric_diabetes_unit u
 WHERE u.id = s.paediatric_diabetes_unit_id AND u.pz_code IN ('PZ041', 'PZ999');
