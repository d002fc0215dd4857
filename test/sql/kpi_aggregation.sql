-- Roll-ups (docs/kpis.md §6): levels, the D11 de-duplication of a child who moved
-- between PDUs (conformance case N08), Wales, Jersey and the RCPCH test unit.
SET client_min_messages = warning;
-- A 2021-template file from rows given as their first columns (NHS number ...
-- visit date, and more where a test needs them); each row is padded with empty
-- cells to the template's 52.
CREATE FUNCTION pg_temp.file_2021(rows text[]) RETURNS bytea LANGUAGE sql AS $$
  SELECT convert_to('NHS Number,Date of Birth,Postcode of usual address,Stated gender,Ethnic Category,Diabetes Type,Date of Diabetes Diagnosis,Date of leaving service,Reason for leaving service,Death Date,GP Practice Code,PDU Number,Visit/Appointment Date,Patient Height (cm),Patient Weight (kg),Observation Date (Height and weight),Hba1c Value,HbA1c result format,Observation Date: Hba1c Value,Diabetes Treatment at time of Hba1c measurement,"If treatment included insulin pump therapy (i.e. option 3 or 6 selected), was this part of a closed loop system?","At the time of HbA1c measurement, in addition to standard blood glucose monitoring (SBGM), was the patient using any other method of glucose monitoring?",Systolic Blood Pressure,Diastolic Blood pressure,Observation Date (Blood Pressure),Foot Assessment / Examination Date,Retinal Screening date,Retinal Screening Result,Urinary Albumin Level (ACR),Observation Date: Urinary Albumin Level,Albuminuria Stage,Total Cholesterol Level (mmol/l),Observation Date: Total Cholesterol Level,Observation Date: Thyroid Function ,"At time of, or following measurement of thyroid function, was the patient prescribed any thyroid treatment?",Observation Date: Coeliac Disease Screening,Has the patient been recommended a Gluten-free diet?,Observation Date - Psychological Screening Assessment,Was the patient assessed as requiring additional psychological/CAMHS support outside of MDT clinics?,Does the patient smoke?,Date of offer of referral to smoking cessation service (if patient is a current smoker),Date of Level 3 carbohydrate counting education received,Was the patient offered an additional appointment with a paediatric dietitian?,Date of additional appointment with dietitian,Was the patient using (or trained to use) blood ketone testing equipment at time of visit?,Date that influenza immunisation was recommended,Date of provision of advice (''sick-day rules'') about managing diabetes during intercurrent illness or episodes of hyperglycaemia,Start date (Hospital Provider Spell),Discharge date (Hospital provider spell),Reason for admission,Only complete if DKA selected in previous question: During this DKA admission did the patient receive any of the following therapies?,Only complete if OTHER selected: Reason for admission (free text)' || E'\n' ||
                    array_to_string(ARRAY(SELECT r || repeat(',', 51 - (length(r) - length(replace(r, ',', '')))) FROM unnest(rows) r), E'\n'), 'UTF8')
$$;

-- N08: child 9434765919 is in PZ041's active submission (visit 2024-05-01,
-- left 2024-09-01, reason 2 moved out of area) and in PZ215's (visit 2024-11-01).
-- PZ010 (trust RC9) has a child of its own; PZ001 is Welsh; PZ248 is Jersey
-- (unique reference numbers); PZ999 is the RCPCH test unit.
SELECT pz_code, patient_count, error_count FROM (
  SELECT 'PZ041' AS pz_code, * FROM npda.submit_csv('PZ041', pg_temp.file_2021(ARRAY[
    '9434765919,04/04/2014,CB2 0QQ,1,A,1,01/01/2022,01/09/2024,2,,A81001,PZ041,01/05/2024']), 2024, 'n08-pz041.csv')
  UNION ALL
  SELECT 'PZ215', * FROM npda.submit_csv('PZ215', pg_temp.file_2021(ARRAY[
    '9434765919,04/04/2014,SE5 9RS,1,A,1,01/01/2022,,,,A81001,PZ215,01/11/2024']), 2024, 'n08-pz215.csv')
  UNION ALL
  SELECT 'PZ010', * FROM npda.submit_csv('PZ010', pg_temp.file_2021(ARRAY[
    '4010232137,04/04/2014,LU4 0DZ,2,A,1,01/01/2022,,,,A81001,PZ010,01/06/2024']), 2024, 'luton.csv')
  UNION ALL
  SELECT 'PZ001', * FROM npda.submit_csv('PZ001', pg_temp.file_2021(ARRAY[
    '9434765919,04/04/2014,SA6 6NL,1,A,1,01/01/2022,,,,A81001,PZ001,01/07/2024',
    '9876543210,04/04/2014,SA6 6NL,2,A,2,01/01/2022,,,,A81001,PZ001,01/10/2024']), 2024, 'morriston.csv')
  UNION ALL
  SELECT 'PZ999', * FROM npda.submit_csv('PZ999', pg_temp.file_2021(ARRAY[
    '5990128088,04/04/2014,ZZ99 3VZ,1,A,1,01/01/2022,,,,A81001,PZ999,01/06/2024']), 2024, 'rcpch.csv')
) s ORDER BY pz_code;
SELECT npda.refresh_kpi_aggregations(2024) > 0 AS refreshed;

-- Every area has its 51 rows, zeros where nobody counts (C79).
SELECT level, count(DISTINCT area_code) AS areas, count(*) / count(DISTINCT area_code) AS kpis_per_area,
       count(DISTINCT area_code) FILTER (WHERE eligible + ineligible > 0) AS areas_with_children
  FROM npda.kpi_results WHERE audit_year = 2024 GROUP BY level ORDER BY level;
SELECT kpi, eligible, ineligible, passed, failed, pending, value FROM npda.kpi_results
 WHERE audit_year = 2024 AND level = 'pdu' AND area_code = 'PZ002' AND kpi IN ('1', '25', '44', '45', '46', '47')
 ORDER BY kpi_position;

-- KPIs 1, 5 and 9 in the areas that have children.
SELECT level, area_code, kpi, eligible, ineligible
  FROM npda.kpi_results
 WHERE audit_year = 2024 AND kpi IN ('1', '5', '9') AND eligible + ineligible > 0
 ORDER BY level, area_code, kpi_position;
-- N08: the areas of PZ041 (RGT, QUE, Y61) do not count the child.
SELECT level, area_code, eligible + ineligible AS children FROM npda.kpi_results
 WHERE audit_year = 2024 AND kpi = '1' AND area_code IN ('RGT', 'QUE', 'Y61') ORDER BY level;

-- PZ999 stays at PDU level; Welsh units skip ICB and region; every level's
-- counts hold the invariants (eligible = passed + failed + pending; for
-- children-counting KPIs eligible + ineligible = children in scope).
SELECT count(*) FILTER (WHERE level = 'pdu' AND area_code = 'PZ999') > 0 AS pz999_at_pdu_level,
       count(*) FILTER (WHERE level <> 'pdu' AND area_code = 'PZ999') = 0 AS pz999_nowhere_else,
       count(*) FILTER (WHERE level = 'local_health_board' AND area_code = '7A3') > 0 AS morriston_in_swansea_bay,
       count(*) FILTER (WHERE level = 'country' AND area_code = 'W92000004') > 0 AS wales_present,
       bool_and(eligible = passed + failed + pending) AS counts_add_up
  FROM npda.kpi_aggregation;
SELECT level, area_code, count(DISTINCT eligible + ineligible) AS distinct_scopes
  FROM npda.kpi_aggregation WHERE kpi NOT IN ('32.1', '41', '42', '43')
 GROUP BY 1, 2 HAVING count(DISTINCT eligible + ineligible) > 1;

-- The national scope: 3 distinct children (9434765919 counted once, at the
-- PDU of its latest visit: PZ215, 2024-11-01; its Welsh record's last visit
-- was 2024-07-01; PZ999's child excluded).
SELECT eligible + ineligible AS children_in_scope FROM npda.kpi_results
 WHERE level = 'national' AND audit_year = 2024 AND kpi = '1';

-- Refreshing again with nothing changed writes nothing; a change marks the
-- period and the next refresh rebuilds it.
SELECT npda.refresh_kpi_aggregations() AS rows_when_unchanged;
UPDATE npda.visit SET visit_date = '2024-12-01'
 WHERE patient_id IN (SELECT p.id FROM npda.patient p JOIN npda.submission s ON s.id = p.submission_id
                       JOIN npda.paediatric_diabetes_unit u ON u.id = s.paediatric_diabetes_unit_id
                      WHERE u.pz_code = 'PZ001' AND p.nhs_number = '9434765919');
SELECT npda.refresh_kpi_aggregations() > 0 AS rebuilt_after_change;
-- Now the Welsh record has the latest visit: the child moves to Wales.
SELECT level, area_code, eligible FROM npda.kpi_results
 WHERE audit_year = 2024 AND kpi = '1' AND level IN ('country', 'nhs_england_region') AND eligible > 0
 ORDER BY level, area_code;

-- Withdrawing a submission (no score changes) marks its period too: the next
-- refresh no longer counts its child.
SELECT npda.refresh_kpi_aggregations() AS rows_when_unchanged_again;
UPDATE npda.submission s SET is_active = false FROM npda.paediatric_diabetes_unit u
 WHERE u.id = s.paediatric_diabetes_unit_id AND u.pz_code = 'PZ010';
SELECT npda.refresh_kpi_aggregations() > 0 AS rebuilt_after_withdrawal;
SELECT area_code, eligible + ineligible AS children FROM npda.kpi_results
 WHERE audit_year = 2024 AND kpi = '1' AND level IN ('pdu', 'national') AND area_code IN ('PZ010', 'national')
 ORDER BY area_code;

-- The map view carries geometry for the areas that have one.
SELECT level, count(*) AS rows, count(geom) AS with_geometry, min(ST_SRID(geom)) AS srid
  FROM npda.kpi_map WHERE kpi = '1' AND audit_year = 2024 GROUP BY level ORDER BY level;

-- Quarter breakdowns (docs/kpis.md §6.4, D10; case N07): diagnoses on 30 June and
-- 1 July fall in Q1 and Q2; an admission that started before the period is
-- dated by its discharge; a transition to adult care by its leaving date.
SELECT patient_count FROM npda.submit_csv('PZ002', pg_temp.file_2021(ARRAY[
  '9434765919,04/04/2012,NR4 7UY,1,A,1,30/06/2024,,,,A81001,PZ002,01/07/2024' || repeat(',', 35) || '30/03/2024,02/04/2024,1',
  '9876543210,04/04/2012,NR4 7UY,1,A,1,01/07/2024,,,,A81001,PZ002,02/07/2024',
  '5990128088,04/04/2006,NR4 7UY,1,A,1,01/01/2020,15/01/2025,1,,A81001,PZ002,01/05/2024']), 2024, 'quarters.csv');
SELECT quarter, quarter_start, new_diagnoses, admissions, dka_admissions, leavers, transitions_to_adult_care
  FROM npda.kpi_quarterly WHERE level = 'pdu' AND area_code = 'PZ002' AND audit_year = 2024 ORDER BY quarter;

\set ECHO none
\i test/sql/include/outcome_of.psql
\set ECHO all
SELECT pg_temp.outcome_of('SELECT npda.refresh_kpi_aggregations(2040)');
UPDATE npda.submission SET is_active = false;  -- an active submission cannot be deleted
DELETE FROM npda.submission;
