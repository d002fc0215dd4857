-- Submissions: comments on the tables of migrations/1.1/10_submissions.sql and
-- 11_visits.sql, the rule that an active submission is never deleted, and the
-- functions that submit a file and give its findings back.
-- A current definition (sql/README.md): re-applied by every upgrade.

COMMENT ON TABLE npda.submission IS
  'One row per CSV file submitted by a PDU for an audit period (npda.submit_csv). Exactly one submission per PDU and period is active; replaced ones stay as history with their file and errors, their children removed.';
COMMENT ON COLUMN npda.submission.id IS 'Surrogate key.';
COMMENT ON COLUMN npda.submission.paediatric_diabetes_unit_id IS 'The submitting PDU (npda.paediatric_diabetes_unit.id).';
COMMENT ON COLUMN npda.submission.audit_period_id IS 'The audit period submitted for (npda.audit_period.id).';
COMMENT ON COLUMN npda.submission.dataset_year IS 'Dataset (CSV template) the file was read with: 2021 or 2026, from the audit period.';
COMMENT ON COLUMN npda.submission.submitted_at IS 'When the file was accepted (clock time).';
COMMENT ON COLUMN npda.submission.submitted_by IS 'Who submitted it: the e-mail of the person an application acted for (npda.act_as), otherwise the database session user (session_user).';
COMMENT ON COLUMN npda.submission.file_name IS 'File name given by the submitter, for display; NULL when none was given.';
COMMENT ON COLUMN npda.submission.file_sha256 IS 'SHA-256 of the raw file bytes, hexadecimal: identifies re-submissions of the same file.';
COMMENT ON COLUMN npda.submission.csv IS 'The raw file as submitted (lz4-compressed: several times faster to store than pglz), kept for the annotated error report (npda.submission_annotated_csv) and for re-processing after rule changes.';
COMMENT ON COLUMN npda.submission.is_active IS 'True for the one submission per PDU and audit period whose children are the PDU''s data for that period.';
COMMENT ON COLUMN npda.submission.replaced_at IS 'When a later submission replaced this one (NULL while active).';
COMMENT ON COLUMN npda.submission.row_count IS 'Data rows in the file (the header not counted).';
COMMENT ON COLUMN npda.submission.patient_count IS 'Distinct children (identifiers) in the file.';
COMMENT ON COLUMN npda.submission.visit_count IS 'Visit rows stored (one per data row).';
COMMENT ON COLUMN npda.submission.error_count IS 'Field-level findings recorded in npda.submission_error.';
COMMENT ON INDEX npda.submission_lookup IS 'A child''s submission, unit and audit period read from the index alone: the joins of every edit (row security, the KPI trigger, the closed-period rule).';

-- An active submission holds a PDU's data for the period: it is replaced by
-- submitting a new file, never deleted. Withdrawing one is a deliberate two-
-- step act (deactivate, then delete), which the error's hint spells out.
CREATE OR REPLACE FUNCTION npda.submission_refuse_active_delete() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
BEGIN
  IF OLD.is_active THEN
    RAISE EXCEPTION USING ERRCODE = 'NP106',
      MESSAGE = format('submission %s is active and cannot be deleted', OLD.id),
      DETAIL = 'The active submission holds the PDU''s data for its audit period.',
      HINT = format('Submit a replacement file, or withdraw it first: UPDATE npda.submission SET is_active = false WHERE id = %s;', OLD.id);
  END IF;
  RETURN OLD;
END
$$;
COMMENT ON FUNCTION npda.submission_refuse_active_delete() IS
  'Trigger: refuse to delete an active submission (SQLSTATE NP106); deleting an inactive one removes its children.';
CREATE OR REPLACE TRIGGER submission_refuse_active_delete BEFORE DELETE ON npda.submission
  FOR EACH ROW EXECUTE FUNCTION npda.submission_refuse_active_delete();

-- TRUNCATE skips row triggers, so it gets the same rule as a statement: while
-- any submission is active, truncating the table (or anything that cascades
-- into it) would silently drop PDUs' current data.
CREATE OR REPLACE FUNCTION npda.submission_refuse_truncate() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  active bigint;
BEGIN
  SELECT count(*) INTO active FROM npda.submission WHERE is_active;
  IF active > 0 THEN
    RAISE EXCEPTION USING ERRCODE = 'NP106',
      MESSAGE = format('npda.submission cannot be truncated while submissions are active (%s active)', active),
      DETAIL = 'Active submissions hold the PDUs'' data for their audit periods.',
      HINT = 'Withdraw them first (UPDATE npda.submission SET is_active = false ...), then delete or truncate.';
  END IF;
  RETURN NULL;
END
$$;
COMMENT ON FUNCTION npda.submission_refuse_truncate() IS
  'Trigger: refuse TRUNCATE of npda.submission (SQLSTATE NP106) while any submission is active, as DELETE is refused row by row.';
CREATE OR REPLACE TRIGGER submission_refuse_truncate BEFORE TRUNCATE ON npda.submission
  FOR EACH STATEMENT EXECUTE FUNCTION npda.submission_refuse_truncate();

-- A submission's children were scored for its period and roll up under its
-- PDU: moving it to another period or PDU would leave their scores and the
-- roll-ups behind. Not a supported operation: submit the file again instead.
CREATE OR REPLACE FUNCTION npda.submission_refuse_move() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
BEGIN
  IF NEW.audit_period_id IS DISTINCT FROM OLD.audit_period_id
     OR NEW.paediatric_diabetes_unit_id IS DISTINCT FROM OLD.paediatric_diabetes_unit_id
     OR NEW.dataset_year IS DISTINCT FROM OLD.dataset_year THEN
    RAISE EXCEPTION USING ERRCODE = 'NP111',
      MESSAGE = format('submission %s cannot be moved to another PDU, audit period or dataset', OLD.id),
      DETAIL = 'Its children were read and scored for its own PDU and period.',
      HINT = 'Submit the file again for the right PDU and audit year with npda.submit_csv.';
  END IF;
  RETURN NEW;
END
$$;
COMMENT ON FUNCTION npda.submission_refuse_move() IS
  'Trigger: refuse changing a submission''s PDU, audit period or dataset (SQLSTATE NP111): its children''s scores and the roll-ups would stay behind.';
CREATE OR REPLACE TRIGGER submission_refuse_move BEFORE UPDATE OF audit_period_id, paediatric_diabetes_unit_id, dataset_year ON npda.submission
  FOR EACH ROW EXECUTE FUNCTION npda.submission_refuse_move();
COMMENT ON TABLE npda.patient IS
  'One child as submitted by one PDU in one submission (not a person master record: the same child appears again in every submission and under every PDU that submits them). Patient-level values resolved across the child''s rows as docs/data-model.md §8 describes.';
COMMENT ON COLUMN npda.patient.id IS 'Surrogate key.';
COMMENT ON COLUMN npda.patient.submission_id IS 'The submission that carried this child (npda.submission.id); deleted with it when replaced.';
COMMENT ON COLUMN npda.patient.nhs_number IS 'NHS number, normalised to ten digits (separators removed); NULL for Jersey children (unique_reference_number).';
COMMENT ON COLUMN npda.patient.unique_reference_number IS 'Jersey (PZ248) identifier, digits only, instead of an NHS number.';
COMMENT ON COLUMN npda.patient.sex IS 'Stated gender (2021) / sex assigned at birth (2026): 1 male, 2 female, 3 not specified, 99 unknown.';
COMMENT ON COLUMN npda.patient.date_of_birth IS 'Date of birth (most frequent value across the child''s rows).';
COMMENT ON COLUMN npda.patient.postcode IS 'Postcode of usual address, upper case without spaces (ZZ99 pseudo-postcodes kept as they are).';
COMMENT ON COLUMN npda.patient.ethnicity IS 'Ethnic category code (A-S, Z, 99), upper case.';
COMMENT ON COLUMN npda.patient.diabetes_type IS 'Diabetes type: 1 type 1, 2 type 2, 3 cystic-fibrosis related, 4 MODY, 5 other specified, 99 unknown (value on the most recent visit having one).';
COMMENT ON COLUMN npda.patient.diagnosis_date IS 'Date of diabetes diagnosis (earliest across the child''s rows).';
COMMENT ON COLUMN npda.patient.death_date IS 'Date of death, if any.';
COMMENT ON COLUMN npda.patient.gp_practice_ods_code IS 'GP practice ODS code as submitted (format checked, not looked up).';
COMMENT ON COLUMN npda.patient.adhd_asd_status IS '2026 dataset: ADHD/ASD diagnosis, 1 ADHD, 2 ASD, 3 both, 4 neither, 99 unknown.';
COMMENT ON COLUMN npda.patient.learning_disability_status IS '2026 dataset: learning disability diagnosis, 1 yes, 2 no, 99 unknown.';
COMMENT ON COLUMN npda.patient.immunotherapy_received IS '2026 dataset: immunotherapy before or after stage 3 type 1 diagnosis, 1 yes, 2 no, 99 unknown.';
COMMENT ON COLUMN npda.patient.immunotherapy_date IS '2026 dataset: date immunotherapy started.';
COMMENT ON COLUMN npda.patient.first_row_number IS 'CSV record number of the child''s first row (header = 1); patient-level errors are reported there.';
COMMENT ON COLUMN npda.patient.is_valid IS 'False when any finding was recorded on any of the child''s rows.';
COMMENT ON TABLE npda.transfer IS
  'The link between a child''s record and the PDU that submitted it, with the leaving-service data (one row per patient row). A move between units is the sending PDU''s leaving date with reason 2 plus the receiving PDU''s own submission (docs/data-model.md §11).';
COMMENT ON COLUMN npda.transfer.id IS 'Surrogate key.';
COMMENT ON COLUMN npda.transfer.patient_id IS 'The child''s record (npda.patient.id).';
COMMENT ON COLUMN npda.transfer.paediatric_diabetes_unit_id IS 'The PDU caring for the child in this record (the submitting PDU).';
COMMENT ON COLUMN npda.transfer.date_leaving_service IS 'Date the child left this PDU''s service, if they did.';
COMMENT ON COLUMN npda.transfer.reason_leaving_service IS 'Reason for leaving: 1 transitioned to adult service, 2 moved out of area, 3 other.';
COMMENT ON COLUMN npda.transfer.previous_pz_code IS 'PZ code of a unit the child came from, when known (not carried by the CSV).';

COMMENT ON TABLE npda.visit IS
  'One row per CSV data row ("visit or activity") of a child''s record. Every clinical field is nullable and each observation carries its own date; a value that could not be read is NULL and its finding is in npda.submission_error. Codes are kept as submitted even when outside their value set (the finding says so). Value sets: docs/data-model.md §3.';
COMMENT ON COLUMN npda.visit.id IS 'Surrogate key.';
COMMENT ON COLUMN npda.visit.patient_id IS 'The child''s record (npda.patient.id).';
COMMENT ON COLUMN npda.visit.row_number IS 'CSV record number of the row in its file (header = 1, first data row = 2); also the file order that breaks ties between visits on one date (KPI decision D1).';
COMMENT ON COLUMN npda.visit.visit_date IS 'Visit/appointment date.';
COMMENT ON COLUMN npda.visit.height IS 'Height, cm, one decimal place (plausible 40-240).';
COMMENT ON COLUMN npda.visit.weight IS 'Weight, kg, one decimal place (plausible 1-200).';
COMMENT ON COLUMN npda.visit.height_weight_observation_date IS 'Date height and weight were measured.';
COMMENT ON COLUMN npda.visit.hba1c IS 'HbA1c value, in the unit of hba1c_format (2021 dataset) or mmol/mol (2026 dataset).';
COMMENT ON COLUMN npda.visit.hba1c_format IS '2021 dataset: 1 mmol/mol (IFCC), 2 percent (DCCT/NGSP).';
COMMENT ON COLUMN npda.visit.hba1c_date IS 'Observation date of the HbA1c value.';
COMMENT ON COLUMN npda.visit.treatment IS '2021 dataset: diabetes treatment at the time of HbA1c: 1 one-three injections/day, 2 four or more, 3 insulin pump, 4-6 the same plus other blood glucose lowering medication, 7 dietary management alone, 8 dietary plus other medication, 99 unknown.';
COMMENT ON COLUMN npda.visit.closed_loop_system IS '2021 dataset, with treatment 3 or 6: 1 no, 2 closed loop (licensed), 3 closed loop (DIY), 4 closed loop (licence unknown).';
COMMENT ON COLUMN npda.visit.glucose_monitoring IS '2021 dataset: 1 no, 2 flash, 3 modified flash, 4 real-time CGM with alarms, 5 other, 99 unknown.';
COMMENT ON COLUMN npda.visit.insulin_regimen IS '2026 dataset: 1 no insulin, 2 one-three injections/day, 3 four or more, 4 insulin pump (standalone), 5 hybrid closed loop, 99 unknown.';
COMMENT ON COLUMN npda.visit.non_insulin_medication IS '2026 dataset: 1 none, 2 metformin only, 3 GLP-1 agonists, 4 SGLT2 inhibitors, 5 other, 99 unknown.';
COMMENT ON COLUMN npda.visit.dietary_lifestyle_modification IS '2026 dataset: lifestyle and dietary modification recommended, 1 yes, 2 no, 99 unknown.';
COMMENT ON COLUMN npda.visit.cgm_use IS '2026 dataset: using a continuous glucose monitor, 1 yes, 2 no, 99 unknown.';
COMMENT ON COLUMN npda.visit.systolic_blood_pressure IS 'Systolic blood pressure, mmHg (plausible 50-200).';
COMMENT ON COLUMN npda.visit.diastolic_blood_pressure IS 'Diastolic blood pressure, mmHg (plausible 20-120).';
COMMENT ON COLUMN npda.visit.blood_pressure_observation_date IS 'Date blood pressure was measured.';
COMMENT ON COLUMN npda.visit.foot_examination_observation_date IS 'Date of foot assessment / examination.';
COMMENT ON COLUMN npda.visit.retinal_screening_observation_date IS 'Date of retinal screening.';
COMMENT ON COLUMN npda.visit.retinal_screening_result IS 'Retinal screening result: 1 normal, 2 abnormal, 99 unknown.';
COMMENT ON COLUMN npda.visit.albumin_creatinine_ratio IS 'Urinary albumin-creatinine ratio, mg/mmol (0-999).';
COMMENT ON COLUMN npda.visit.albumin_creatinine_ratio_date IS 'Observation date of the urinary albumin level.';
COMMENT ON COLUMN npda.visit.albuminuria_stage IS 'Albuminuria stage: 1 normo-, 2 micro-, 3 macroalbuminuria, 99 unknown.';
COMMENT ON COLUMN npda.visit.total_cholesterol IS 'Total cholesterol, mmol/l (2-12).';
COMMENT ON COLUMN npda.visit.total_cholesterol_date IS 'Observation date of the total cholesterol level.';
COMMENT ON COLUMN npda.visit.thyroid_function_date IS 'Observation date of thyroid function.';
COMMENT ON COLUMN npda.visit.thyroid_treatment_status IS 'Thyroid treatment: 1 none, 2 thyroxine for hypothyroidism, 3 antithyroid medication, 99 unknown.';
COMMENT ON COLUMN npda.visit.coeliac_screen_date IS 'Observation date of coeliac disease screening.';
COMMENT ON COLUMN npda.visit.gluten_free_diet IS 'Recommended a gluten-free diet: 1 yes, 2 no, 99 unknown.';
COMMENT ON COLUMN npda.visit.psychological_screening_assessment_date IS 'Date of (annual) psychological screening assessment.';
COMMENT ON COLUMN npda.visit.psychological_additional_support_status IS 'Assessed as requiring additional psychological support: 1 yes, 2 no, 99 unknown.';
COMMENT ON COLUMN npda.visit.psychological_support_outcome IS '2026 dataset: additional mental-health appointment, 1 offered and attended, 2 offered, did not attend, 3 offered and declined, 4 not offered, 5 support accessed elsewhere, 99 unknown.';
COMMENT ON COLUMN npda.visit.smoking_status IS '2021 dataset: 1 non-smoker, 2 current smoker, 99 unknown.';
COMMENT ON COLUMN npda.visit.smoking_vaping_status IS '2026 dataset: 1 neither, 2 smoker, 3 vaper, 4 smoker and vaper, 99 unknown.';
COMMENT ON COLUMN npda.visit.smoking_cessation_referral_date IS 'Date of offer of referral to smoking cessation (2026: of smoking cessation advice).';
COMMENT ON COLUMN npda.visit.carbohydrate_counting_level_three_education_date IS 'Date level 3 carbohydrate counting education was received.';
COMMENT ON COLUMN npda.visit.dietician_additional_appointment_offered IS 'Offered an additional appointment with a paediatric dietitian: 1 yes, 2 no, 99 unknown.';
COMMENT ON COLUMN npda.visit.dietician_additional_appointment_date IS 'Date of the additional dietitian appointment.';
COMMENT ON COLUMN npda.visit.flu_immunisation_recommended_date IS 'Date influenza immunisation was recommended.';
COMMENT ON COLUMN npda.visit.ketone_meter_training IS 'Using (or trained to use) blood ketone testing equipment: 1 yes, 2 no, 99 unknown.';
COMMENT ON COLUMN npda.visit.sick_day_rules_training_date IS 'Date of sick-day rules advice.';
COMMENT ON COLUMN npda.visit.hospital_admission_date IS 'Start date of the hospital provider spell.';
COMMENT ON COLUMN npda.visit.hospital_discharge_date IS 'Discharge date of the hospital provider spell.';
COMMENT ON COLUMN npda.visit.hospital_admission_reason IS '2021 dataset reason for admission: 1 stabilisation, 2 DKA, 3 ketosis without acidosis, 4 hypoglycaemia, 5 surgery, 6 other.';
COMMENT ON COLUMN npda.visit.hospital_admission_reason_2026 IS '2026 dataset reason for admission: 1 acute DKA, 2 acute not DKA, 3 hypoglycaemia, 4 surgery, 5 routine stabilisation/education, 6 other.';
COMMENT ON COLUMN npda.visit.dka_additional_therapies IS 'During a DKA admission: 1 hypertonic saline, 2 mannitol, 3 bicarbonate infusion, 4 none of these.';
COMMENT ON COLUMN npda.visit.hospital_admission_other IS 'Free-text reason when the admission reason is 6 (other).';
COMMENT ON COLUMN npda.visit.blood_gas_ph IS '2026 dataset: initial pH at admission (plausible 6.5-7.8).';
COMMENT ON COLUMN npda.visit.blood_gas_bicarbonate IS '2026 dataset: initial standard bicarbonate at admission, mmol/l (plausible 0-40).';
COMMENT ON COLUMN npda.visit.is_valid IS 'False when a finding was recorded on this row.';
COMMENT ON TABLE npda.submission_error IS
  'The data quality report: one row per field-level finding in a submitted file. Findings never block a file; the value that could not be stored is NULL in the tables and kept here as submitted. Structural problems reject the file instead (SQLSTATE class NP, see README).';
COMMENT ON COLUMN npda.submission_error.id IS 'Surrogate key.';
COMMENT ON COLUMN npda.submission_error.submission_id IS 'The submission (npda.submission.id).';
COMMENT ON COLUMN npda.submission_error.row_number IS 'CSV record number: the header is 1, the first data row 2; line breaks inside quoted fields do not advance it.';
COMMENT ON COLUMN npda.submission_error.column_heading IS 'The template heading of the offending column; NULL for a finding about the whole row or child.';
COMMENT ON COLUMN npda.submission_error.value IS 'The offending value as it was in the file.';
COMMENT ON COLUMN npda.submission_error.code IS 'Stable snake_case name of the rule (README "Error codes", docs/error-codes.md).';
COMMENT ON COLUMN npda.submission_error.message IS 'What is wrong and what was expected, for the PDU''s data lead.';

-- Submitting a file, and reading its findings back.

-- C functions that run queries pin search_path like every other function, so
-- that no object a caller plants in a schema of their search_path can stand in
-- for one of ours (their SQL also names pg_catalog and npda objects in full).
CREATE OR REPLACE FUNCTION npda._submit_csv(pz_code text, csv bytea, audit_year integer, file_name text) RETURNS bigint
  AS 'MODULE_PATHNAME', '_submit_csv_as_caller'
  LANGUAGE C VOLATILE
  SET search_path = pg_catalog, pg_temp;
COMMENT ON FUNCTION npda._submit_csv(text, bytea, integer, text) IS
  'Internal: the C++ submission path behind npda.submit_csv; returns the new submission''s id. Refuses a unit the caller may not write (NP202) and a closed period to anyone but the audit team (NP102).';
-- Definer rights: the submission writes and scores a whole file at once,
-- below row security, after checking the caller's role here and their unit
-- and the period in npda._submit_csv.
CREATE OR REPLACE FUNCTION npda.submit_csv(pz_code text, csv bytea, audit_year integer DEFAULT NULL, file_name text DEFAULT NULL)
  RETURNS npda.submission
  LANGUAGE plpgsql VOLATILE SECURITY DEFINER
  SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  new_id bigint; result npda.submission; c record := npda._caller();  -- (keeps the call below on line 6 of errors' CONTEXT)
BEGIN
  PERFORM npda._require_role(ARRAY['editor', 'coordinator', 'audit_team'], 'submitting a file');
  new_id := npda._submit_csv(pz_code, csv, audit_year, file_name);
  SELECT s.* INTO result FROM npda.submission s WHERE s.id = new_id;
  IF NOT c.unlogged THEN
    PERFORM npda._log_activity(8, c.user_id, result.paediatric_diabetes_unit_id, NULL, NULL, NULL,
                               jsonb_build_object('submission_id', new_id, 'file_name', file_name,
                                                  'rows', result.row_count, 'findings', result.error_count));
  END IF;
  RETURN result;
END
$$;
COMMENT ON FUNCTION npda.submit_csv(text, bytea, integer, text) IS
  'Submit a PDU''s NPDA CSV file (2021 or 2026 template, chosen by the audit period) for an audit year (the calendar year the period starts; NULL = the period containing today). Structural problems raise an SQLSTATE NP0xx/NP1xx error and change nothing; field problems are stored in npda.submission_error and the file is accepted. In one transaction the new submission becomes the only active one for the PDU and period, the previous one''s children are removed (its row, file and errors kept), and every child is scored. Editors and coordinators submit for their own units in open periods, the audit team for any unit and period (NP201, NP202, NP102 otherwise); logs code 8. Returns the submission row.';
CREATE OR REPLACE FUNCTION npda.submission_annotated_csv(submission_id bigint)
  RETURNS TABLE (row_number integer, error_count integer, errors text, fields text[])
  AS 'MODULE_PATHNAME', 'submission_annotated_csv'
  LANGUAGE C STABLE STRICT
  SET search_path = pg_catalog, pg_temp;
COMMENT ON FUNCTION npda.submission_annotated_csv(bigint) IS
  'The submitted file given back record by record (header = row 1) with its findings: error_count, errors (one line per finding: heading: message [code]) and the record''s fields as read (decoded to UTF-8). The downloadable "annotated" data quality report. Runs with the caller''s rights: a submission the caller may not read is "no submission".';
CREATE OR REPLACE VIEW npda.submission_error_report WITH (security_invoker = true) AS
SELECT s.id AS submission_id, u.pz_code, npda.audit_year(ap.start_date) AS audit_year, s.file_name,
       s.submitted_at, s.is_active, e.row_number, e.column_heading, e.value, e.code, e.message
  FROM npda.submission_error e
  JOIN npda.submission s ON s.id = e.submission_id
  JOIN npda.paediatric_diabetes_unit u ON u.id = s.paediatric_diabetes_unit_id
  JOIN npda.audit_period ap ON ap.id = s.audit_period_id;
COMMENT ON VIEW npda.submission_error_report IS
  'The data quality report as a plain query: every finding of every submission with its PDU, audit year and file. Filter on pz_code, audit_year and is_active for a PDU''s current report.';
COMMENT ON COLUMN npda.submission_error_report.submission_id IS 'npda.submission.id.';
COMMENT ON COLUMN npda.submission_error_report.pz_code IS 'The submitting PDU.';
COMMENT ON COLUMN npda.submission_error_report.audit_year IS 'Audit year (start year of the period).';
COMMENT ON COLUMN npda.submission_error_report.file_name IS 'The submitted file''s name.';
COMMENT ON COLUMN npda.submission_error_report.submitted_at IS 'When the file was submitted.';
COMMENT ON COLUMN npda.submission_error_report.is_active IS 'Whether this is the PDU''s active submission for the period.';
COMMENT ON COLUMN npda.submission_error_report.row_number IS 'CSV record number (header = 1).';
COMMENT ON COLUMN npda.submission_error_report.column_heading IS 'Template heading of the offending column (NULL: the whole row or child).';
COMMENT ON COLUMN npda.submission_error_report.value IS 'The offending value as submitted.';
COMMENT ON COLUMN npda.submission_error_report.code IS 'Stable rule name (docs/error-codes.md).';
COMMENT ON COLUMN npda.submission_error_report.message IS 'What is wrong and what was expected.';
CREATE OR REPLACE FUNCTION npda.submission_annotated_csv_lines(submission_id bigint)
  RETURNS TABLE (row_number integer, line text)
  AS 'MODULE_PATHNAME', 'submission_annotated_csv_lines'
  LANGUAGE C STABLE STRICT
  SET search_path = pg_catalog, pg_temp;
COMMENT ON FUNCTION npda.submission_annotated_csv_lines(bigint) IS
  'The annotated data quality report as CSV text, one line per record of the submitted file, in file order: a first column "NPDA findings" holding each row''s findings (always quoted), then the row as submitted (UTF-8, a field quoted when it holds a quote, comma or line break). Save it with \copy (SELECT line FROM npda.submission_annotated_csv_lines(id) ORDER BY row_number) TO ''report.csv''.';
