-- Field rules, cross-field rules and grouping through npda.submit_csv
-- (docs/data-model.md §4, §7, §8, §9): one small file per group of rules, built from
-- the published template header, with a representative case per rule. Every
-- finding names its row and column, keeps the offending text and says what
-- was expected; what was stored is shown where it matters. Values that cannot
-- be stored are NULL, values of the right type that break a rule are kept.
SET client_min_messages = warning;
SET datestyle = ISO;

-- The template headers as published.
CREATE TEMP TABLE fixture (name text PRIMARY KEY, bytes bytea NOT NULL);
\set f `base64 -w0 test/fixtures/npda_csv_template_2021.csv`
INSERT INTO fixture VALUES ('template_2021', decode(:'f', 'base64'));
\set f `base64 -w0 test/fixtures/npda_csv_template_2026.csv`
INSERT INTO fixture VALUES ('template_2026', decode(:'f', 'base64'));
\unset f
CREATE TEMP TABLE template (dataset integer PRIMARY KEY, header text NOT NULL);
INSERT INTO template
SELECT CASE name WHEN 'template_2021' THEN 2021 ELSE 2026 END,
       rtrim(split_part(convert_from(bytes, 'UTF8'), E'\n', 1), E'\r')
  FROM fixture;

-- The template's fields in column order (names as in npda.patient / npda.visit;
-- pdu_number is the PDU Number column).
CREATE TEMP TABLE template_field (dataset integer, pos integer, name text, PRIMARY KEY (dataset, pos));
INSERT INTO template_field
SELECT 2021, k, f FROM unnest(ARRAY[
  'nhs_number', 'date_of_birth', 'postcode', 'sex', 'ethnicity', 'diabetes_type', 'diagnosis_date',
  'date_leaving_service', 'reason_leaving_service', 'death_date', 'gp_practice_ods_code', 'pdu_number', 'visit_date',
  'height', 'weight', 'height_weight_observation_date', 'hba1c', 'hba1c_format', 'hba1c_date', 'treatment',
  'closed_loop_system', 'glucose_monitoring', 'systolic_blood_pressure', 'diastolic_blood_pressure',
  'blood_pressure_observation_date', 'foot_examination_observation_date', 'retinal_screening_observation_date',
  'retinal_screening_result', 'albumin_creatinine_ratio', 'albumin_creatinine_ratio_date', 'albuminuria_stage',
  'total_cholesterol', 'total_cholesterol_date', 'thyroid_function_date', 'thyroid_treatment_status',
  'coeliac_screen_date', 'gluten_free_diet', 'psychological_screening_assessment_date',
  'psychological_additional_support_status', 'smoking_status', 'smoking_cessation_referral_date',
  'carbohydrate_counting_level_three_education_date', 'dietician_additional_appointment_offered',
  'dietician_additional_appointment_date', 'ketone_meter_training', 'flu_immunisation_recommended_date',
  'sick_day_rules_training_date', 'hospital_admission_date', 'hospital_discharge_date', 'hospital_admission_reason',
  'dka_additional_therapies', 'hospital_admission_other']) WITH ORDINALITY AS u(f, k);
INSERT INTO template_field
SELECT 2026, k, f FROM unnest(ARRAY[
  'nhs_number', 'date_of_birth', 'postcode', 'sex', 'ethnicity', 'adhd_asd_status', 'learning_disability_status',
  'diabetes_type', 'diagnosis_date', 'date_leaving_service', 'reason_leaving_service', 'death_date',
  'gp_practice_ods_code', 'pdu_number', 'visit_date', 'height', 'weight', 'height_weight_observation_date', 'hba1c',
  'hba1c_date', 'insulin_regimen', 'non_insulin_medication', 'dietary_lifestyle_modification', 'cgm_use',
  'ketone_meter_training', 'immunotherapy_received', 'immunotherapy_date', 'systolic_blood_pressure',
  'diastolic_blood_pressure', 'blood_pressure_observation_date', 'foot_examination_observation_date',
  'retinal_screening_observation_date', 'retinal_screening_result', 'albumin_creatinine_ratio',
  'albumin_creatinine_ratio_date', 'albuminuria_stage', 'total_cholesterol', 'total_cholesterol_date',
  'thyroid_function_date', 'thyroid_treatment_status', 'coeliac_screen_date', 'gluten_free_diet',
  'smoking_vaping_status', 'smoking_cessation_referral_date', 'flu_immunisation_recommended_date',
  'sick_day_rules_training_date', 'psychological_screening_assessment_date',
  'psychological_additional_support_status', 'psychological_support_outcome',
  'carbohydrate_counting_level_three_education_date', 'dietician_additional_appointment_offered',
  'dietician_additional_appointment_date', 'hospital_admission_date', 'hospital_discharge_date',
  'hospital_admission_reason_2026', 'hospital_admission_other', 'dka_additional_therapies', 'blood_gas_ph',
  'blood_gas_bicarbonate']) WITH ORDINALITY AS u(f, k);
-- The published headers have exactly as many headings as the field lists
-- (52 and 59; counted by splitting on commas outside quotes).
SELECT t.dataset,
       (SELECT count(*) FROM template_field f WHERE f.dataset = t.dataset) AS fields,
       cardinality(regexp_split_to_array(regexp_replace(t.header, '"[^"]*"', 'q', 'g'), ',')) AS headings
  FROM template t ORDER BY t.dataset;

-- The i-th valid NHS number (modulus 11): the first 9-digit base from
-- 600000000 + 100 i whose check digit is not 10, and its check digit.
CREATE FUNCTION pg_temp.nhs(i integer) RETURNS text LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE base text; check_digit integer;
BEGIN
  FOR k IN 0..99 LOOP
    base := (600000000 + i * 100 + k)::text;
    check_digit := 11 - (SELECT sum(substr(base, j, 1)::integer * (11 - j)) FROM generate_series(1, 9) j)::integer % 11;
    IF check_digit = 11 THEN check_digit := 0; END IF;
    IF check_digit < 10 THEN RETURN base || check_digit; END IF;
  END LOOP;
END
$$;
SELECT pg_temp.nhs(1), npda.nhs_number_is_valid(pg_temp.nhs(1)) AS valid,
       (SELECT bool_and(npda.nhs_number_is_valid(pg_temp.nhs(i))) FROM generate_series(1, 300) i) AS all_valid;

-- Which row of which submission is which case.
CREATE TEMP TABLE case_row (submission_id bigint, row_number integer, label text, PRIMARY KEY (submission_id, row_number));

-- Submit a file of one row per case. A case is a JSON object: "case" (its
-- label), optional "child" (rows with the same child share an NHS number;
-- otherwise each row is its own child), and template fields by name. Fields
-- not given take a valid default; JSON null leaves a defaulted cell empty.
CREATE FUNCTION pg_temp.submit(dataset integer, pz text, audit_year integer, file_name text, cases jsonb)
RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE
  header text := (SELECT t.header FROM template t WHERE t.dataset = submit.dataset);
  defaults jsonb := jsonb_build_object(
    'date_of_birth', '01/01/2012', 'postcode', 'CB2 0QQ', 'sex', '1', 'ethnicity', 'A', 'diabetes_type', '1',
    'diagnosis_date', '01/01/2020', 'gp_practice_ods_code', 'A81001', 'pdu_number', pz,
    'visit_date', CASE WHEN dataset = 2026 THEN '02/06/2026' ELSE '02/06/2024' END);
  lines text[] := '{}';
  c jsonb;
  r jsonb;
  k integer := 0;
  unknown text;
  sid bigint;
BEGIN
  IF pz = 'PZ248' THEN header := regexp_replace(header, '^NHS Number', 'Unique Reference Number'); END IF;
  FOR c IN SELECT e FROM jsonb_array_elements(cases) AS e LOOP
    k := k + 1;
    SELECT string_agg(key, ', ') INTO unknown FROM jsonb_object_keys(c) AS key
     WHERE key NOT IN ('case', 'child')
       AND key NOT IN (SELECT f.name FROM template_field f WHERE f.dataset = submit.dataset);
    IF unknown IS NOT NULL THEN RAISE EXCEPTION 'case %: unknown fields %', c ->> 'case', unknown; END IF;
    r := defaults || jsonb_build_object('nhs_number', pg_temp.nhs(coalesce((c ->> 'child')::integer, 1000 + k))) || c;
    lines := lines || (SELECT string_agg(CASE WHEN v ~ '[",\r\n]' THEN '"' || replace(v, '"', '""') || '"' ELSE v END,
                                         ',' ORDER BY f.pos)
                         FROM template_field f, LATERAL (SELECT coalesce(r ->> f.name, '') AS v) x
                        WHERE f.dataset = submit.dataset);
  END LOOP;
  SELECT s.id INTO sid
    FROM npda.submit_csv(pz, convert_to(header || E'\n' || array_to_string(lines, E'\n') || E'\n', 'UTF8'),
                         audit_year, file_name) s;
  INSERT INTO case_row SELECT sid, o::integer + 1, e ->> 'case' FROM jsonb_array_elements(cases) WITH ORDINALITY AS x(e, o);
  RETURN sid;
END
$$;

-- Every case of a submission with its findings (a case without findings shows
-- one row with empty finding columns). The age in the age_over_limit message
-- changes with the day the test runs, so it is shown as N (and the dates of
-- birth computed from today are not shown); long values are abbreviated.
CREATE FUNCTION pg_temp.findings(sid bigint)
RETURNS TABLE ("case" text, "row" integer, column_heading text, value text, code text, message text)
LANGUAGE sql STABLE AS $$
  SELECT c.label, c.row_number, e.column_heading,
         CASE WHEN c.label LIKE '25th birthday%' AND e.value IS NOT NULL THEN '(25 years before today)'
              WHEN length(e.value) > 60 THEN left(e.value, 10) || '... (' || length(e.value) || ' characters)'
              ELSE e.value END, e.code,
         CASE WHEN e.code = 'age_over_limit' THEN regexp_replace(e.message, 'is \d+\.$', 'is N.') ELSE e.message END
    FROM case_row c LEFT JOIN npda.submission_error e ON e.submission_id = c.submission_id AND e.row_number = c.row_number
   WHERE c.submission_id = sid
   ORDER BY c.row_number, e.id
$$;
-- The stored visit of each case.
CREATE FUNCTION pg_temp.visits(sid bigint) RETURNS TABLE ("case" text, "row" integer, v npda.visit)
LANGUAGE sql STABLE AS $$
  SELECT c.label, c.row_number, v
    FROM case_row c JOIN npda.patient p ON p.submission_id = c.submission_id
    JOIN npda.visit v ON v.patient_id = p.id AND v.row_number = c.row_number
   WHERE c.submission_id = sid ORDER BY c.row_number
$$;
-- The stored child whose first row is the case's row.
CREATE FUNCTION pg_temp.children(sid bigint) RETURNS TABLE ("case" text, "row" integer, p npda.patient, t npda.transfer)
LANGUAGE sql STABLE AS $$
  SELECT c.label, c.row_number, p, t
    FROM case_row c JOIN npda.patient p ON p.submission_id = c.submission_id AND p.first_row_number = c.row_number
    JOIN npda.transfer t ON t.patient_id = p.id
   WHERE c.submission_id = sid ORDER BY c.row_number
$$;

UPDATE npda.submission s SET is_active = false FROM npda.paediatric_diabetes_unit u
 WHERE u.id = s.paediatric_diabetes_unit_id AND u.pz_code IN ('PZ041', 'PZ248');  -- an active submission cannot be deleted
DELETE FROM npda.submission s USING npda.paediatric_diabetes_unit u
 WHERE u.id = s.paediatric_diabetes_unit_id AND u.pz_code IN ('PZ041', 'PZ248');

-------------------------------------------------------------------------------
-- 1. Identifiers, postcode, GP practice code, patient codes (docs/data-model.md §3.1-3.3, §4.2-4.5).
SELECT pg_temp.submit(2021, 'PZ041', 2024, 'identifiers.csv', $$[
  {"case": "valid row, every default"},
  {"case": "NHS number with spaces", "nhs_number": "943 476 5919"},
  {"case": "NHS number with hyphens", "nhs_number": "450-557-7104"},
  {"case": "NHS number, mixed separators", "nhs_number": "401-023 2137"},
  {"case": "NHS number, wrong check digit", "nhs_number": "943 476 5918"},
  {"case": "NHS number, check digit would be 10", "nhs_number": "1000000010"},
  {"case": "NHS number, nine digits", "nhs_number": "943476591"},
  {"case": "NHS number, letters", "nhs_number": "NHS4765919"},
  {"case": "postcode in lower case", "postcode": "cb2 0qq"},
  {"case": "postcode with a hyphen, no space", "postcode": "SW1A-1AA"},
  {"case": "ZZ99 special code: no fixed abode", "postcode": "ZZ99 3VZ"},
  {"case": "ZZ99 special code: France", "postcode": "zz99 4gz"},
  {"case": "postcode, not a postcode", "postcode": "NOT KNOWN"},
  {"case": "postcode, digits", "postcode": "12345"},
  {"case": "GP code in lower case", "gp_practice_ods_code": "a81001"},
  {"case": "GP code, sample-sheet value", "gp_practice_ods_code": "G7103993"},
  {"case": "GP code, no letter", "gp_practice_ods_code": "810011"},
  {"case": "GP code missing", "gp_practice_ods_code": null},
  {"case": "sex as text m", "sex": "m"},
  {"case": "sex as text F", "sex": "F"},
  {"case": "sex as text Female (not a listed synonym)", "sex": "Female"},
  {"case": "sex as text unknown", "sex": "Unknown"},
  {"case": "sex as text not specified", "sex": "Not Specified"},
  {"case": "sex 99", "sex": "99"},
  {"case": "sex 0 (2024-10 code)", "sex": "0"},
  {"case": "sex X", "sex": "X"},
  {"case": "ethnicity in lower case", "ethnicity": " h "},
  {"case": "ethnicity 99", "ethnicity": "99"},
  {"case": "ethnicity I (not a code)", "ethnicity": "I"},
  {"case": "ethnicity, long text", "ethnicity": "White British"},
  {"case": "diabetes type 6", "diabetes_type": "6"},
  {"case": "diabetes type missing", "diabetes_type": null},
  {"case": "date of birth missing", "date_of_birth": null},
  {"case": "diagnosis date missing", "diagnosis_date": null}
]$$) AS sid \gset
SELECT * FROM pg_temp.findings(:sid);
SELECT "case", "row", (p).nhs_number, (p).postcode, (p).gp_practice_ods_code, (p).sex, (p).ethnicity,
       (p).diabetes_type, (p).date_of_birth, (p).is_valid
  FROM pg_temp.children(:sid);

-- The same child written 719 573 0220 and 7195730220 (and 719-573-0220) is one
-- child with three visits (docs/data-model.md §4.2, our rule: normalised before grouping).
SELECT pg_temp.submit(2021, 'PZ041', 2024, 'normalised.csv', $$[
  {"case": "spaces", "nhs_number": "719 573 0220", "visit_date": "01/05/2024"},
  {"case": "digits", "nhs_number": "7195730220", "visit_date": "01/06/2024"},
  {"case": "hyphens", "nhs_number": "719-573-0220", "visit_date": "01/07/2024"}
]$$) AS sid \gset
SELECT patient_count, visit_count, error_count FROM npda.submission WHERE id = :sid;
SELECT p.nhs_number, p.first_row_number, array_agg(v.row_number ORDER BY v.row_number) AS rows
  FROM npda.patient p JOIN npda.visit v ON v.patient_id = p.id WHERE p.submission_id = :sid GROUP BY p.id;

-- Jersey (PZ248) identifies children by Unique Reference Number: digits only.
SELECT pg_temp.submit(2021, 'PZ248', 2024, 'jersey.csv', $$[
  {"case": "URN digits", "nhs_number": "0012345", "postcode": "JE2 3QS"},
  {"case": "URN with letters", "nhs_number": "JE-12345", "postcode": "JE2 3QS"},
  {"case": "URN with a space", "nhs_number": "12 345", "postcode": "JE2 3QS"}
]$$) AS sid \gset
SELECT * FROM pg_temp.findings(:sid);
SELECT "case", (p).nhs_number, (p).unique_reference_number, (p).postcode FROM pg_temp.children(:sid);

-------------------------------------------------------------------------------
-- 2. Dates (docs/data-model.md §4.6, §4.7, §7): format, future, before birth, before diagnosis
-- (with the 90-day thyroid/coeliac and 11-day admission allowances at their
-- exact edges; carbohydrate counting and discharge exempt), after death, age.
-- Diagnosis 01/01/2020 (90 days earlier: 03/10/2019; 11 days: 21/12/2019).
SELECT date '2020-01-01' - 90 AS ninety_days_before, date '2020-01-01' - 11 AS eleven_days_before;
SELECT pg_temp.submit(2021, 'PZ041', 2024, 'dates.csv', format($$[
  {"case": "visit date DD/MM/YYYY", "visit_date": "02/06/2024"},
  {"case": "visit date D/M/YYYY", "visit_date": "2/6/2024"},
  {"case": "visit date DD/MM/YY", "visit_date": "02/06/24"},
  {"case": "visit date ISO", "visit_date": "2024-06-02"},
  {"case": "visit date with a time", "visit_date": "02/06/2024 10:30"},
  {"case": "visit date in words", "visit_date": "2 June 2024"},
  {"case": "visit date MM/DD/YYYY (not a date)", "visit_date": "06/13/2024"},
  {"case": "visit date 31/02/2024 (not a date)", "visit_date": "31/02/2024"},
  {"case": "visit date missing", "visit_date": null},
  {"case": "visit date in the future", "visit_date": "02/06/2099"},
  {"case": "date of birth in the future", "date_of_birth": "01/01/2099"},
  {"case": "foot date before birth", "foot_examination_observation_date": "31/12/2011"},
  {"case": "foot date before diagnosis", "foot_examination_observation_date": "31/12/2019"},
  {"case": "foot date on diagnosis day", "foot_examination_observation_date": "01/01/2020"},
  {"case": "thyroid 90 days before diagnosis", "thyroid_function_date": "03/10/2019", "thyroid_treatment_status": "1"},
  {"case": "thyroid 91 days before diagnosis", "thyroid_function_date": "02/10/2019", "thyroid_treatment_status": "1"},
  {"case": "coeliac 90 days before diagnosis", "coeliac_screen_date": "03/10/2019"},
  {"case": "coeliac 91 days before diagnosis", "coeliac_screen_date": "02/10/2019"},
  {"case": "admission 11 days before diagnosis", "hospital_admission_date": "21/12/2019", "hospital_discharge_date": "23/12/2019", "hospital_admission_reason": "1"},
  {"case": "admission 12 days before diagnosis", "hospital_admission_date": "20/12/2019", "hospital_discharge_date": "23/12/2019", "hospital_admission_reason": "1"},
  {"case": "carbohydrate counting before diagnosis (exempt)", "carbohydrate_counting_level_three_education_date": "01/06/2019"},
  {"case": "flu date before diagnosis", "flu_immunisation_recommended_date": "01/06/2019"},
  {"case": "diagnosis before birth", "diagnosis_date": "31/12/2011"},
  {"case": "visit after death", "death_date": "01/06/2024", "visit_date": "02/06/2024"},
  {"case": "HbA1c date after death", "death_date": "01/06/2024", "visit_date": "01/06/2024", "hba1c": "48", "hba1c_format": "1", "hba1c_date": "03/06/2024"},
  {"case": "death before diagnosis", "death_date": "31/12/2019", "visit_date": "31/12/2019"},
  {"case": "death before birth", "death_date": "31/12/2011", "visit_date": "31/12/2011"},
  {"case": "aged 25 or more (born 1990)", "date_of_birth": "01/01/1990"},
  {"case": "25th birthday today", "date_of_birth": "%1$s"},
  {"case": "25th birthday tomorrow", "date_of_birth": "%2$s"},
  {"case": "leaving date without a reason", "date_leaving_service": "01/07/2024"},
  {"case": "leaving reason without a date", "reason_leaving_service": "2"},
  {"case": "leaving reason 4 (not a code)", "date_leaving_service": "01/07/2024", "reason_leaving_service": "4"},
  {"case": "leaving before diagnosis", "date_leaving_service": "01/07/2019", "reason_leaving_service": "2"},
  {"case": "leaving date and reason", "date_leaving_service": "01/07/2024", "reason_leaving_service": "2"}
]$$, to_char(current_date - interval '25 years', 'DD/MM/YYYY'),
     to_char(current_date - interval '25 years' + interval '1 day', 'DD/MM/YYYY'))::jsonb) AS sid \gset
SELECT * FROM pg_temp.findings(:sid);
-- Dates that could not be read are NULL; dates breaking a rule are kept.
SELECT "case", (v).visit_date, (v).foot_examination_observation_date, (v).thyroid_function_date, (v).hospital_admission_date
  FROM pg_temp.visits(:sid) WHERE "row" BETWEEN 2 AND 16;
-- Leaving data that fails its own checks is not stored (docs/data-model.md §8); date of birth,
-- diagnosis and death dates breaking a rule are kept.
SELECT "case", (p).date_of_birth, (p).diagnosis_date, (p).death_date, (t).date_leaving_service, (t).reason_leaving_service
  FROM pg_temp.children(:sid) WHERE ("row" >= 24 OR "row" = 12) AND "case" NOT LIKE '25th birthday%';

-------------------------------------------------------------------------------
-- 3. Numbers (docs/data-model.md §4.8): ranges at their edges, HbA1c in both formats, values too
-- large for their column and text in a number column (NULL stored, the text in
-- the finding), Excel's 180.0 and units written in the cell.
SELECT pg_temp.submit(2021, 'PZ041', 2024, 'numbers.csv', $$[
  {"case": "HbA1c 19 mmol/mol", "hba1c": "19", "hba1c_format": "1", "hba1c_date": "02/06/2024"},
  {"case": "HbA1c 20 mmol/mol", "hba1c": "20", "hba1c_format": "1", "hba1c_date": "02/06/2024"},
  {"case": "HbA1c 195 mmol/mol", "hba1c": "195", "hba1c_format": "1", "hba1c_date": "02/06/2024"},
  {"case": "HbA1c 196 mmol/mol", "hba1c": "196", "hba1c_format": "1", "hba1c_date": "02/06/2024"},
  {"case": "HbA1c 2.9 %", "hba1c": "2.9", "hba1c_format": "2", "hba1c_date": "02/06/2024"},
  {"case": "HbA1c 3 %", "hba1c": "3", "hba1c_format": "2", "hba1c_date": "02/06/2024"},
  {"case": "HbA1c 20 %", "hba1c": "20", "hba1c_format": "2", "hba1c_date": "02/06/2024"},
  {"case": "HbA1c 48 %", "hba1c": "48", "hba1c_format": "2", "hba1c_date": "02/06/2024"},
  {"case": "HbA1c 1000 (too large for Decimal(5,2))", "hba1c": "1000", "hba1c_format": "1", "hba1c_date": "02/06/2024"},
  {"case": "HbA1c 53.456 (rounded to 2 places)", "hba1c": "53.456", "hba1c_format": "1", "hba1c_date": "02/06/2024"},
  {"case": "systolic 49", "systolic_blood_pressure": "49", "diastolic_blood_pressure": "60", "blood_pressure_observation_date": "02/06/2024"},
  {"case": "systolic 50, diastolic 20", "systolic_blood_pressure": "50", "diastolic_blood_pressure": "20", "blood_pressure_observation_date": "02/06/2024"},
  {"case": "systolic 200, diastolic 120", "systolic_blood_pressure": "200", "diastolic_blood_pressure": "120", "blood_pressure_observation_date": "02/06/2024"},
  {"case": "systolic 201, diastolic 121", "systolic_blood_pressure": "201", "diastolic_blood_pressure": "121", "blood_pressure_observation_date": "02/06/2024"},
  {"case": "diastolic 19", "systolic_blood_pressure": "100", "diastolic_blood_pressure": "19", "blood_pressure_observation_date": "02/06/2024"},
  {"case": "systolic 110.0 (Excel)", "systolic_blood_pressure": "110.0", "diastolic_blood_pressure": "70", "blood_pressure_observation_date": "02/06/2024"},
  {"case": "systolic 110.5 (not whole)", "systolic_blood_pressure": "110.5", "diastolic_blood_pressure": "70", "blood_pressure_observation_date": "02/06/2024"},
  {"case": "systolic too large for integer", "systolic_blood_pressure": "99999999999", "diastolic_blood_pressure": "70", "blood_pressure_observation_date": "02/06/2024"},
  {"case": "ACR 0", "albumin_creatinine_ratio": "0", "albumin_creatinine_ratio_date": "02/06/2024", "albuminuria_stage": "1"},
  {"case": "ACR 999", "albumin_creatinine_ratio": "999", "albumin_creatinine_ratio_date": "02/06/2024", "albuminuria_stage": "3"},
  {"case": "ACR 1000", "albumin_creatinine_ratio": "1000", "albumin_creatinine_ratio_date": "02/06/2024", "albuminuria_stage": "3"},
  {"case": "ACR -1", "albumin_creatinine_ratio": "-1", "albumin_creatinine_ratio_date": "02/06/2024", "albuminuria_stage": "1"},
  {"case": "ACR 100000 (too large)", "albumin_creatinine_ratio": "100000", "albumin_creatinine_ratio_date": "02/06/2024", "albuminuria_stage": "3"},
  {"case": "cholesterol 1.9", "total_cholesterol": "1.9", "total_cholesterol_date": "02/06/2024"},
  {"case": "cholesterol 2", "total_cholesterol": "2", "total_cholesterol_date": "02/06/2024"},
  {"case": "cholesterol 12", "total_cholesterol": "12", "total_cholesterol_date": "02/06/2024"},
  {"case": "cholesterol 12.1", "total_cholesterol": "12.1", "total_cholesterol_date": "02/06/2024"},
  {"case": "cholesterol 100 (too large for Decimal(3,1))", "total_cholesterol": "100", "total_cholesterol_date": "02/06/2024"},
  {"case": "height 39.9, weight 0.9", "height": "39.9", "weight": "0.9", "height_weight_observation_date": "02/06/2024"},
  {"case": "height 40, weight 1", "height": "40", "weight": "1", "height_weight_observation_date": "02/06/2024"},
  {"case": "height 240, weight 200", "height": "240", "weight": "200", "height_weight_observation_date": "02/06/2024"},
  {"case": "height 240.1, weight 200.1", "height": "240.1", "weight": "200.1", "height_weight_observation_date": "02/06/2024"},
  {"case": "height 180.0 (Excel), weight 56.96 (rounded)", "height": "180.0", "weight": "56.96", "height_weight_observation_date": "02/06/2024"},
  {"case": "height 155cm, weight 70kg (units)", "height": "155cm", "weight": "70kg", "height_weight_observation_date": "02/06/2024"},
  {"case": "height 1000 (too large for Decimal(4,1))", "height": "1000", "weight": "50", "height_weight_observation_date": "02/06/2024"},
  {"case": "height tall (text)", "height": "tall", "weight": "50", "height_weight_observation_date": "02/06/2024"},
  {"case": "weight 70 kg (unit after a space)", "weight": "70 kg", "height_weight_observation_date": "02/06/2024"}
]$$) AS sid \gset
SELECT * FROM pg_temp.findings(:sid);
SELECT "case", (v).hba1c, (v).hba1c_format, (v).systolic_blood_pressure AS systolic, (v).diastolic_blood_pressure AS diastolic,
       (v).albumin_creatinine_ratio AS acr, (v).total_cholesterol AS cholesterol, (v).height, (v).weight, (v).is_valid
  FROM pg_temp.visits(:sid);

-------------------------------------------------------------------------------
-- 4. Value sets (docs/data-model.md §3, §4.10): out-of-set codes are kept, text and TRUE/FALSE
-- are dropped, Excel's 1.0 is 1, 9 is the legacy treatment "unknown" (99).
SELECT pg_temp.submit(2021, 'PZ041', 2024, 'value_sets.csv', $$[
  {"case": "treatment 45", "treatment": "45"},
  {"case": "treatment TRUE", "treatment": "TRUE"},
  {"case": "treatment 1.0", "treatment": "1.0"},
  {"case": "treatment 9 (2024-10 unknown)", "treatment": "9"},
  {"case": "treatment 1.5", "treatment": "1.5"},
  {"case": "treatment 70000 (too large for smallint)", "treatment": "70000"},
  {"case": "glucose monitoring 6", "glucose_monitoring": "6"},
  {"case": "glucose monitoring 99", "glucose_monitoring": "99"},
  {"case": "HbA1c format 3", "hba1c": "48", "hba1c_format": "3", "hba1c_date": "02/06/2024"},
  {"case": "retinal result 3", "retinal_screening_result": "3", "retinal_screening_observation_date": "02/06/2024"},
  {"case": "albuminuria stage 4", "albumin_creatinine_ratio": "2", "albumin_creatinine_ratio_date": "02/06/2024", "albuminuria_stage": "4"},
  {"case": "thyroid status 5", "thyroid_function_date": "02/06/2024", "thyroid_treatment_status": "5"},
  {"case": "gluten-free diet FALSE", "gluten_free_diet": "FALSE"},
  {"case": "gluten-free diet 2.0", "gluten_free_diet": "2.0"},
  {"case": "smoking 3", "smoking_status": "3"},
  {"case": "ketone meter yes (text)", "ketone_meter_training": "yes"},
  {"case": "dietitian offered 0", "dietician_additional_appointment_offered": "0"},
  {"case": "psychological support 2", "psychological_screening_assessment_date": "02/06/2024", "psychological_additional_support_status": "2"},
  {"case": "DKA therapies 5", "hospital_admission_date": "01/06/2024", "hospital_discharge_date": "02/06/2024", "hospital_admission_reason": "2", "dka_additional_therapies": "5"},
  {"case": "admission reason 7", "hospital_admission_date": "01/06/2024", "hospital_discharge_date": "02/06/2024", "hospital_admission_reason": "7"}
]$$) AS sid \gset
SELECT * FROM pg_temp.findings(:sid);
SELECT "case", (v).treatment, (v).glucose_monitoring, (v).hba1c_format, (v).retinal_screening_result AS retinal,
       (v).albuminuria_stage AS stage, (v).thyroid_treatment_status AS thyroid, (v).gluten_free_diet AS gluten,
       (v).smoking_status AS smoking, (v).ketone_meter_training AS ketone,
       (v).dietician_additional_appointment_offered AS dietitian, (v).dka_additional_therapies AS dka,
       (v).hospital_admission_reason AS reason
  FROM pg_temp.visits(:sid);

-------------------------------------------------------------------------------
-- 5. Cross-field rules on a visit (docs/data-model.md §4.9), 2021 dataset.
SELECT pg_temp.submit(2021, 'PZ041', 2024, 'cross_field.csv', format($$[
  {"case": "height without observation date", "height": "150"},
  {"case": "weight without observation date", "weight": "40"},
  {"case": "observation date without height or weight", "height_weight_observation_date": "02/06/2024"},
  {"case": "HbA1c value only", "hba1c": "48"},
  {"case": "HbA1c format only", "hba1c_format": "1"},
  {"case": "HbA1c date only", "hba1c_date": "02/06/2024"},
  {"case": "HbA1c trio complete", "hba1c": "48", "hba1c_format": "1", "hba1c_date": "02/06/2024"},
  {"case": "treatment 3 (pump) without closed loop", "treatment": "3"},
  {"case": "treatment 6 (pump) with closed loop 2", "treatment": "6", "closed_loop_system": "2"},
  {"case": "treatment 2 with closed loop 2", "treatment": "2", "closed_loop_system": "2"},
  {"case": "closed loop without treatment", "closed_loop_system": "1"},
  {"case": "systolic only", "systolic_blood_pressure": "110"},
  {"case": "blood pressure date only", "blood_pressure_observation_date": "02/06/2024"},
  {"case": "retinal result 1 (normal) without date", "retinal_screening_result": "1"},
  {"case": "retinal result 2 without date", "retinal_screening_result": "2"},
  {"case": "retinal date without result", "retinal_screening_observation_date": "02/06/2024"},
  {"case": "ACR value only", "albumin_creatinine_ratio": "2.5"},
  {"case": "albuminuria stage only", "albuminuria_stage": "1"},
  {"case": "cholesterol value without date", "total_cholesterol": "4.2"},
  {"case": "cholesterol date without value", "total_cholesterol_date": "02/06/2024"},
  {"case": "thyroid date without status", "thyroid_function_date": "02/06/2024"},
  {"case": "thyroid status without date", "thyroid_treatment_status": "1"},
  {"case": "psychology date without status", "psychological_screening_assessment_date": "02/06/2024"},
  {"case": "psychology status 1 without date", "psychological_additional_support_status": "1"},
  {"case": "psychology status 99 without date", "psychological_additional_support_status": "99"},
  {"case": "smoking referral, status 2 (smoker)", "smoking_status": "2", "smoking_cessation_referral_date": "02/06/2024"},
  {"case": "smoking referral, status 1 (non-smoker)", "smoking_status": "1", "smoking_cessation_referral_date": "02/06/2024"},
  {"case": "smoking referral, status 99", "smoking_status": "99", "smoking_cessation_referral_date": "02/06/2024"},
  {"case": "smoking referral, no status", "smoking_cessation_referral_date": "02/06/2024"},
  {"case": "dietitian date, offered 2 (No)", "dietician_additional_appointment_offered": "2", "dietician_additional_appointment_date": "02/06/2024"},
  {"case": "dietitian date, offered 1 (Yes)", "dietician_additional_appointment_offered": "1", "dietician_additional_appointment_date": "02/06/2024"},
  {"case": "discharge date only", "hospital_discharge_date": "02/06/2024"},
  {"case": "admission date only", "hospital_admission_date": "01/06/2024"},
  {"case": "admission reason 2 (DKA) without therapies", "hospital_admission_date": "01/06/2024", "hospital_discharge_date": "02/06/2024", "hospital_admission_reason": "2"},
  {"case": "admission reason 2 (DKA) with therapies 4", "hospital_admission_date": "01/06/2024", "hospital_discharge_date": "02/06/2024", "hospital_admission_reason": "2", "dka_additional_therapies": "4"},
  {"case": "admission reason 4 with DKA therapies", "hospital_admission_date": "01/06/2024", "hospital_discharge_date": "02/06/2024", "hospital_admission_reason": "4", "dka_additional_therapies": "1"},
  {"case": "DKA therapies without admission", "dka_additional_therapies": "1"},
  {"case": "admission reason 6 (other) without free text", "hospital_admission_date": "01/06/2024", "hospital_discharge_date": "02/06/2024", "hospital_admission_reason": "6"},
  {"case": "admission reason 6 with free text", "hospital_admission_date": "01/06/2024", "hospital_discharge_date": "02/06/2024", "hospital_admission_reason": "6", "hospital_admission_other": "Appendicitis, day 2"},
  {"case": "free text with reason 4", "hospital_admission_date": "01/06/2024", "hospital_discharge_date": "02/06/2024", "hospital_admission_reason": "4", "hospital_admission_other": "Hypo at school"},
  {"case": "admission after discharge", "hospital_admission_date": "03/06/2024", "hospital_discharge_date": "02/06/2024", "hospital_admission_reason": "1"},
  {"case": "admission and discharge the same day", "hospital_admission_date": "02/06/2024", "hospital_discharge_date": "02/06/2024", "hospital_admission_reason": "1"},
  {"case": "free text of 500 characters", "hospital_admission_date": "01/06/2024", "hospital_discharge_date": "02/06/2024", "hospital_admission_reason": "6", "hospital_admission_other": "%1$s"},
  {"case": "free text of 501 characters", "hospital_admission_date": "01/06/2024", "hospital_discharge_date": "02/06/2024", "hospital_admission_reason": "6", "hospital_admission_other": "%2$s"}
]$$, repeat('x', 500), repeat('x', 501))::jsonb) AS sid \gset
SELECT * FROM pg_temp.findings(:sid);
-- Values involved in a cross-field finding are kept as they were.
SELECT "case", (v).height, (v).hba1c, (v).treatment, (v).closed_loop_system, (v).retinal_screening_result,
       (v).smoking_cessation_referral_date, (v).dka_additional_therapies, length((v).hospital_admission_other) AS free_text,
       (v).is_valid
  FROM pg_temp.visits(:sid) WHERE "row" IN (2, 5, 9, 11, 15, 28, 38, 41, 44, 45);

-------------------------------------------------------------------------------
-- 6. The 2026 dataset (PZ041, 2026-27): HbA1c always mmol/mol, DKA is code 1,
-- a current smoker is 2 or 4, blood gases in range and only on an admission
-- row, immunotherapy received and its date together, the new value sets.
SELECT pg_temp.submit(2026, 'PZ041', 2026, 'dataset_2026.csv', $$[
  {"case": "2026 valid row, every default"},
  {"case": "HbA1c 19 (mmol/mol only)", "hba1c": "19", "hba1c_date": "02/06/2026"},
  {"case": "HbA1c 7.5 (a percentage)", "hba1c": "7.5", "hba1c_date": "02/06/2026"},
  {"case": "HbA1c without date", "hba1c": "48"},
  {"case": "admission reason 1 (DKA) without therapies", "hospital_admission_date": "01/06/2026", "hospital_discharge_date": "02/06/2026", "hospital_admission_reason_2026": "1"},
  {"case": "admission reason 1 (DKA), therapies 3, pH 6.5, bicarbonate 0", "hospital_admission_date": "01/06/2026", "hospital_discharge_date": "02/06/2026", "hospital_admission_reason_2026": "1", "dka_additional_therapies": "3", "blood_gas_ph": "6.5", "blood_gas_bicarbonate": "0"},
  {"case": "admission reason 2 (not DKA) with therapies", "hospital_admission_date": "01/06/2026", "hospital_discharge_date": "02/06/2026", "hospital_admission_reason_2026": "2", "dka_additional_therapies": "1"},
  {"case": "pH 7.8, bicarbonate 40 on admission", "hospital_admission_date": "01/06/2026", "hospital_discharge_date": "02/06/2026", "hospital_admission_reason_2026": "3", "blood_gas_ph": "7.8", "blood_gas_bicarbonate": "40"},
  {"case": "pH 6.49, bicarbonate 40.1 on admission", "hospital_admission_date": "01/06/2026", "hospital_discharge_date": "02/06/2026", "hospital_admission_reason_2026": "3", "blood_gas_ph": "6.49", "blood_gas_bicarbonate": "40.1"},
  {"case": "pH 7.81, bicarbonate -0.1 on admission", "hospital_admission_date": "01/06/2026", "hospital_discharge_date": "02/06/2026", "hospital_admission_reason_2026": "3", "blood_gas_ph": "7.81", "blood_gas_bicarbonate": "-0.1"},
  {"case": "pH 10.5 (too large for Decimal(3,2))", "hospital_admission_date": "01/06/2026", "hospital_discharge_date": "02/06/2026", "hospital_admission_reason_2026": "3", "blood_gas_ph": "10.5"},
  {"case": "pH and bicarbonate without admission", "blood_gas_ph": "7.2", "blood_gas_bicarbonate": "12"},
  {"case": "vaping (3) with a cessation advice date", "smoking_vaping_status": "3", "smoking_cessation_referral_date": "02/06/2026"},
  {"case": "smoker and vaper (4) with a cessation advice date", "smoking_vaping_status": "4", "smoking_cessation_referral_date": "02/06/2026"},
  {"case": "immunotherapy received, with date", "immunotherapy_received": "1", "immunotherapy_date": "01/02/2020"},
  {"case": "immunotherapy received, no date", "immunotherapy_received": "1"},
  {"case": "immunotherapy date, received missing", "immunotherapy_date": "01/02/2020"},
  {"case": "immunotherapy date, received 2 (No)", "immunotherapy_received": "2", "immunotherapy_date": "01/02/2020"},
  {"case": "immunotherapy date before birth", "immunotherapy_received": "1", "immunotherapy_date": "01/02/2011"},
  {"case": "ADHD/ASD 5", "adhd_asd_status": "5"},
  {"case": "learning disability 3", "learning_disability_status": "3"},
  {"case": "insulin regimen 6", "insulin_regimen": "6"},
  {"case": "non-insulin medication 2.0", "non_insulin_medication": "2.0"},
  {"case": "psychological support outcome 6", "psychological_support_outcome": "6"},
  {"case": "CGM use TRUE", "cgm_use": "TRUE"}
]$$) AS sid \gset
SELECT * FROM pg_temp.findings(:sid);
SELECT "case", (v).hba1c, (v).hba1c_format, (v).hospital_admission_reason, (v).hospital_admission_reason_2026 AS reason_2026,
       (v).dka_additional_therapies AS dka, (v).blood_gas_ph AS ph, (v).blood_gas_bicarbonate AS bicarbonate,
       (v).insulin_regimen, (v).non_insulin_medication, (v).cgm_use
  FROM pg_temp.visits(:sid) WHERE "row" <= 13 OR "row" >= 24;
SELECT "case", (p).immunotherapy_received, (p).immunotherapy_date, (p).adhd_asd_status, (p).learning_disability_status
  FROM pg_temp.children(:sid) WHERE "row" >= 16;

-------------------------------------------------------------------------------
-- 7. Grouping a child's rows and resolving patient-level values (docs/data-model.md §8):
-- conflicts are reported on the child's first row, "Conflicting values for
-- <heading>: a, b"; the most frequent date of birth, the earliest diagnosis,
-- the most recent diabetes type, postcode and GP (a row without a visit date
-- counts as the least recent); an unknown sex or ethnicity (99) seen before a
-- known one is no conflict.
SELECT pg_temp.submit(2021, 'PZ041', 2024, 'grouping.csv', $$[
  {"case": "child 1, visit 1", "child": 1, "visit_date": "01/05/2024", "date_of_birth": "01/01/2012", "diagnosis_date": "01/03/2020", "diabetes_type": "1", "postcode": "CB2 0QQ", "sex": "99"},
  {"case": "child 1, visit 3", "child": 1, "visit_date": "01/09/2024", "date_of_birth": "02/01/2012", "diagnosis_date": "01/01/2020", "diabetes_type": "2", "postcode": "SW1A 1AA", "sex": "2", "gp_practice_ods_code": "B82005"},
  {"case": "child 1, visit 2", "child": 1, "visit_date": "01/07/2024", "date_of_birth": "01/01/2012", "diagnosis_date": "01/02/2020", "diabetes_type": "1", "postcode": "CB2 0QQ", "sex": "2"},
  {"case": "child 2, visit 1", "child": 2, "visit_date": "01/05/2024", "date_of_birth": "03/03/2013", "ethnicity": "99"},
  {"case": "child 2, visit 2", "child": 2, "visit_date": "01/06/2024", "date_of_birth": "04/03/2013", "ethnicity": "B"},
  {"case": "child 3, visit 2", "child": 3, "visit_date": "01/08/2024", "diabetes_type": "2"},
  {"case": "child 3, no visit date (least recent)", "child": 3, "visit_date": null, "diabetes_type": "4"}
]$$) AS sid \gset
SELECT patient_count, visit_count FROM npda.submission WHERE id = :sid;
SELECT * FROM pg_temp.findings(:sid);
SELECT "case", "row", (p).date_of_birth, (p).diagnosis_date, (p).diabetes_type, (p).postcode, (p).sex, (p).ethnicity,
       (p).gp_practice_ods_code, (p).is_valid,
       (SELECT array_agg(v.row_number ORDER BY v.row_number) FROM npda.visit v WHERE v.patient_id = (p).id) AS rows
  FROM pg_temp.children(:sid);

-------------------------------------------------------------------------------
-- Every finding above names its row and a column (except values found under no
-- heading), and carries a code documented in docs/error-codes.md and a message.
SELECT count(*) AS findings,
       count(*) FILTER (WHERE e.row_number < 2) AS without_data_row,
       count(*) FILTER (WHERE e.column_heading IS NULL) AS without_column,
       count(*) FILTER (WHERE e.message IS NULL OR e.message = '') AS without_message,
       count(DISTINCT e.code) AS codes
  FROM npda.submission_error e JOIN case_row c ON c.submission_id = e.submission_id AND c.row_number = e.row_number;
SELECT DISTINCT e.code FROM npda.submission_error e JOIN case_row c ON c.submission_id = e.submission_id
 ORDER BY 1;

UPDATE npda.submission s SET is_active = false FROM npda.paediatric_diabetes_unit u
 WHERE u.id = s.paediatric_diabetes_unit_id AND u.pz_code IN ('PZ041', 'PZ248');  -- an active submission cannot be deleted
DELETE FROM npda.submission s USING npda.paediatric_diabetes_unit u
 WHERE u.id = s.paediatric_diabetes_unit_id AND u.pz_code IN ('PZ041', 'PZ248');
