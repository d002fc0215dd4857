-- Quarter breakdowns for reporting during the year (docs/kpis.md §6.4, D10):
-- new diagnoses, admissions, DKA admissions, leavers and transitions to adult
-- care per quarter of the audit year, for each PDU and nationally.

CREATE OR REPLACE FUNCTION npda._qualifying_admissions(period_start date, period_end date, dataset_year smallint,
                                                       admitted date[], discharged date[], reasons_2021 smallint[],
                                                       reasons_2026 smallint[])
  RETURNS TABLE (admitted date, discharged date, reason smallint, dated date, dka boolean)
  AS 'MODULE_PATHNAME', '_qualifying_admissions' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE ROWS 2;
COMMENT ON FUNCTION npda._qualifying_admissions(date, date, smallint, date[], date[], smallint[], smallint[]) IS
  'Internal: one child''s qualifying admissions in a period (decision D9, the C++ rule the engine counts KPIs 46 and 47 by), from the child''s rows given as parallel arrays: a valid reason (1-6, of the period''s dataset) and an admission or discharge date in the period, one per distinct (admission date, discharge date, reason); dated by the admission date when it is in the period, by the discharge date otherwise; dka when the reason is DKA.';
CREATE OR REPLACE FUNCTION npda._is_test_unit(pz_code text) RETURNS boolean
  AS 'MODULE_PATHNAME', '_is_test_unit' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION npda._is_test_unit(text) IS
  'Internal: true for the RCPCH test units PZ999 and PZ998, which count at PDU level only (reading R15; the C++ rule the roll-ups use).';

CREATE OR REPLACE VIEW npda.kpi_quarterly AS
WITH scope AS (
  -- Every child of an active submission, with what docs/kpis.md §6.4 counts.
  SELECT u.pz_code, ap.id AS audit_period_id, ap.start_date, ap.end_date, ap.dataset_year,
         p.id AS patient_id, coalesce(p.nhs_number, 'U' || p.unique_reference_number) AS child,
         p.diagnosis_date, t.date_leaving_service, t.reason_leaving_service,
         k.outcomes[(SELECT position FROM npda.kpi WHERE code = '2')] = 'pass' AS new_diagnosis,
         k.outcomes[(SELECT position FROM npda.kpi WHERE code = '9')] = 'pass' AS left_service,
         k.outcomes[(SELECT position FROM npda.kpi WHERE code = '46')] <> 'ineligible' AS counts_admissions
    FROM npda.patient p
    JOIN npda.submission s ON s.id = p.submission_id AND s.is_active
    JOIN npda.audit_period ap ON ap.id = s.audit_period_id
    JOIN npda.paediatric_diabetes_unit u ON u.id = s.paediatric_diabetes_unit_id
    LEFT JOIN npda.transfer t ON t.patient_id = p.id
    LEFT JOIN npda.patient_kpi_score k ON k.patient_id = p.id
),
child_rows AS (
  -- The admission fields of each counted child's rows, as parallel arrays
  -- (rows with none of them say nothing about admissions and are left out).
  SELECT sc.pz_code, sc.audit_period_id, sc.child, sc.start_date, sc.end_date, sc.dataset_year,
         array_agg(v.hospital_admission_date) AS admitted, array_agg(v.hospital_discharge_date) AS discharged,
         array_agg(v.hospital_admission_reason) AS reasons_2021,
         array_agg(v.hospital_admission_reason_2026) AS reasons_2026
    FROM scope sc
    JOIN npda.visit v ON v.patient_id = sc.patient_id
   WHERE sc.counts_admissions
     AND (v.hospital_admission_date, v.hospital_discharge_date, v.hospital_admission_reason,
          v.hospital_admission_reason_2026) IS DISTINCT FROM (NULL, NULL, NULL, NULL)
   GROUP BY sc.patient_id, sc.pz_code, sc.audit_period_id, sc.child, sc.start_date, sc.end_date, sc.dataset_year
),
admissions AS (
  -- Each child's distinct qualifying admissions with the day each is dated
  -- by (D9), by the rule the engine counts KPIs 46 and 47 with.
  SELECT c.pz_code, c.audit_period_id, c.child, a.admitted AS hospital_admission_date,
         a.discharged AS hospital_discharge_date, a.reason, a.dated, a.dka
    FROM child_rows c
   CROSS JOIN LATERAL npda._qualifying_admissions(c.start_date, c.end_date, c.dataset_year, c.admitted, c.discharged,
                                                  c.reasons_2021, c.reasons_2026) a
),
events AS (
  SELECT pz_code, audit_period_id, child, npda.audit_quarter(diagnosis_date) AS quarter, 'new_diagnosis' AS kind, NULL::text AS event
    FROM scope WHERE new_diagnosis
  UNION ALL
  SELECT pz_code, audit_period_id, child, npda.audit_quarter(date_leaving_service), 'leaver', NULL FROM scope WHERE left_service
  UNION ALL
  SELECT pz_code, audit_period_id, child, npda.audit_quarter(date_leaving_service), 'transition', NULL
    FROM scope WHERE left_service AND reason_leaving_service = 1
  UNION ALL
  SELECT pz_code, audit_period_id, child, npda.audit_quarter(dated), 'admission',
         concat_ws('|', hospital_admission_date, hospital_discharge_date, reason) FROM admissions
  UNION ALL
  SELECT pz_code, audit_period_id, child, npda.audit_quarter(dated), 'dka_admission',
         concat_ws('|', hospital_admission_date, hospital_discharge_date, reason) FROM admissions WHERE dka
),
counted AS (
  -- PDU level counts its own records; the national level counts each child
  -- (and each admission of a child) once, whichever PDUs recorded it (D11).
  SELECT 'pdu'::npda.geo_level AS level, pz_code AS area_code, audit_period_id, quarter, kind,
         count(DISTINCT child || coalesce('|' || event, '')) AS n
    FROM events GROUP BY 1, 2, 3, 4, 5
  UNION ALL
  SELECT 'national'::npda.geo_level, 'national', audit_period_id, quarter, kind, count(DISTINCT child || coalesce('|' || event, ''))
    FROM events WHERE NOT npda._is_test_unit(pz_code) GROUP BY 3, 4, 5
),
areas AS (
  SELECT DISTINCT 'pdu'::npda.geo_level AS level, pz_code AS area_code, audit_period_id FROM scope
  UNION
  SELECT DISTINCT 'national'::npda.geo_level, 'national', audit_period_id FROM scope WHERE NOT npda._is_test_unit(pz_code)
)
SELECT a.level, a.area_code, npda.audit_year(ap.start_date) AS audit_year, q AS quarter,
       (ap.start_date + make_interval(months => 3 * (q - 1)))::date AS quarter_start,
       coalesce(sum(c.n) FILTER (WHERE c.kind = 'new_diagnosis'), 0) AS new_diagnoses,
       coalesce(sum(c.n) FILTER (WHERE c.kind = 'admission'), 0) AS admissions,
       coalesce(sum(c.n) FILTER (WHERE c.kind = 'dka_admission'), 0) AS dka_admissions,
       coalesce(sum(c.n) FILTER (WHERE c.kind = 'leaver'), 0) AS leavers,
       coalesce(sum(c.n) FILTER (WHERE c.kind = 'transition'), 0) AS transitions_to_adult_care
  FROM areas a
  JOIN npda.audit_period ap ON ap.id = a.audit_period_id
 CROSS JOIN generate_series(1, 4) AS q
  LEFT JOIN counted c ON c.level = a.level AND c.area_code = a.area_code AND c.audit_period_id = a.audit_period_id
                     AND c.quarter = q
 -- An open period reports the quarters that have begun (as of today).
 WHERE (ap.start_date + make_interval(months => 3 * (q - 1)))::date <= current_date
 GROUP BY a.level, a.area_code, ap.start_date, q;
COMMENT ON VIEW npda.kpi_quarterly IS
  'Quarter breakdowns for reporting during the year (docs/kpis.md §6.4, D10: Q1 April-June ... Q4 January-March): new diagnoses (KPI 2 children, by diagnosis date), distinct qualifying admissions and DKA admissions (KPIs 46, 47, by admission date, or discharge date when the admission falls outside the period), leavers (KPI 9, by leaving date) and transitions to adult care (leaving reason 1), per PDU and nationally (each child and admission once). An open period shows only the quarters that have begun. Computed live from the active submissions and the per-child scores.';
COMMENT ON COLUMN npda.kpi_quarterly.level IS 'pdu or national.';
COMMENT ON COLUMN npda.kpi_quarterly.area_code IS 'PZ code, or ''national''.';
COMMENT ON COLUMN npda.kpi_quarterly.audit_year IS 'Audit year (start year of the period).';
COMMENT ON COLUMN npda.kpi_quarterly.quarter IS 'Quarter of the audit year, 1-4.';
COMMENT ON COLUMN npda.kpi_quarterly.quarter_start IS 'First day of the quarter.';
COMMENT ON COLUMN npda.kpi_quarterly.new_diagnoses IS 'Children counted by KPI 2 diagnosed in the quarter.';
COMMENT ON COLUMN npda.kpi_quarterly.admissions IS 'Distinct qualifying admissions (KPI 46 rules) dated in the quarter.';
COMMENT ON COLUMN npda.kpi_quarterly.dka_admissions IS 'Distinct qualifying DKA admissions (KPI 47 rules) dated in the quarter.';
COMMENT ON COLUMN npda.kpi_quarterly.leavers IS 'Children counted by KPI 9 whose leaving date is in the quarter.';
COMMENT ON COLUMN npda.kpi_quarterly.transitions_to_adult_care IS 'Of the leavers, those who transitioned to adult diabetes services (reason 1).';
