-- What make demo prints: the extension as a client sees it.
\pset footer off
\echo '== npda version and audit periods'
SELECT extversion AS npda_version FROM pg_extension WHERE extname = 'npda';
SELECT npda.audit_year(start_date) AS audit_year, start_date, end_date, dataset_year, is_open
FROM npda.audit_period ORDER BY start_date;

\echo '== The jobs CREATE EXTENSION scheduled with pg_cron'
SELECT jobname, schedule, command FROM cron.job WHERE jobname LIKE 'npda-%' ORDER BY jobname;

\echo '== PDUs per country and NHS England region'
SELECT coalesce(country_name, '(no geography: RCPCH test unit)') AS country,
       coalesce(nhs_england_region_name, '-') AS nhs_england_region, count(*) AS pdus
FROM npda.pdu_hierarchy
GROUP BY 1, 2 ORDER BY 1, 2;

\echo '== A sample of the hierarchy (PDU -> trust or LHB -> ICB -> region -> country)'
SELECT pz_code, left(name, 34) AS pdu, coalesce(trust_ods_code, local_health_board_ods_code) AS trust_or_lhb,
       integrated_care_board_ods_code AS icb, nhs_england_region_code AS region, country_name AS country
FROM npda.pdu_hierarchy
WHERE pz_code IN ('PZ001', 'PZ041', 'PZ092', 'PZ171', 'PZ215', 'PZ248', 'PZ999')
ORDER BY pz_code;

\echo '== GeoJSON snippet: the Welsh local health boards as points on their surface'
SELECT ods_code, name, ST_AsGeoJSON(ST_PointOnSurface(boundary), 4) AS geojson_point,
       round((ST_Area(boundary::geography) / 1e6)::numeric) AS area_km2
FROM npda.local_health_board ORDER BY ods_code;

\echo '== Submissions: the sample sheets (one by one) and the synthetic national set (summed)'
SELECT s.id, u.pz_code, npda.audit_year(ap.start_date) AS audit_year, s.dataset_year AS dataset, s.file_name,
       s.is_active, s.row_count AS rows, s.patient_count AS children, s.visit_count AS visits, s.error_count AS findings
  FROM npda.submission s
  JOIN npda.paediatric_diabetes_unit u ON u.id = s.paediatric_diabetes_unit_id
  JOIN npda.audit_period ap ON ap.id = s.audit_period_id
 WHERE s.file_name NOT LIKE 'PZ%\_2025.csv'
 ORDER BY s.id;
SELECT count(*) AS synthetic_files, sum(row_count) AS rows, sum(patient_count) AS child_records,
       sum(error_count) AS findings, count(*) FILTER (WHERE is_active) AS active
  FROM npda.submission WHERE file_name LIKE 'PZ%\_2025.csv';

\echo '== Data quality report: findings per rule, all active submissions'
SELECT code, count(*) AS findings, count(DISTINCT submission_id) AS files
  FROM npda.submission_error_report WHERE is_active
 GROUP BY code ORDER BY findings DESC, code;

\echo '== A few findings in full (PZ041, 2026-27)'
SELECT row_number AS row, left(column_heading, 40) AS column_heading, value, code, left(message, 90) AS message
  FROM npda.submission_error_report
 WHERE pz_code = 'PZ041' AND audit_year = 2026 AND is_active
 ORDER BY row_number, column_heading LIMIT 6;

\echo '== Per-child results: one child of the sample sheet (PZ041, 2024-25)'
SELECT kpi, left(label, 50) AS label, outcome, value, value_expected
  FROM npda.patient_kpi_results
 WHERE pz_code = 'PZ041' AND audit_year = 2024
   AND patient_id = (SELECT min(patient_id) FROM npda.patient_kpi_results WHERE pz_code = 'PZ041' AND audit_year = 2024)
   AND kpi IN ('1', '3', '5', '25', '26', '27', '32.1', '44', '46')
 ORDER BY kpi_position;

\echo '== Roll-ups: npda.refresh_kpi_aggregations() (pg_cron runs it every 15 minutes)'
SELECT npda.refresh_kpi_aggregations() AS aggregate_rows_written;
SELECT level, count(DISTINCT area_code) AS areas, count(DISTINCT audit_year) AS audit_years
  FROM npda.kpi_results GROUP BY level ORDER BY level;
SELECT (SELECT eligible + ineligible FROM npda.kpi_results WHERE level = 'national' AND audit_year = 2025 AND kpi = '1')
         AS children_nationally,
       (SELECT sum(eligible + ineligible) FROM npda.kpi_results WHERE level = 'pdu' AND audit_year = 2025 AND kpi = '1'
           AND area_code <> 'PZ999') AS child_records_in_pdus;

\echo '== The national KPI table, 2025-26 (each child counted once: decision D11)'
SELECT kpi, left(label, 58) AS label, eligible, passed, failed, pending, pct_passed, round(value, 1) AS value
  FROM npda.kpi_results
 WHERE level = 'national' AND audit_year = 2025
 ORDER BY kpi_position;

\echo '== By NHS England region and country, 2025-26: HbA1c checks (25), all six health checks (32.3), mean HbA1c (44)'
SELECT r.level, r.area_name,
       max(r.pct_passed) FILTER (WHERE r.kpi = '25') AS hba1c_checked_pct,
       max(r.pct_passed) FILTER (WHERE r.kpi = '32.3') AS all_checks_12_plus_pct,
       round(max(r.value) FILTER (WHERE r.kpi = '44'), 1) AS mean_hba1c
  FROM npda.kpi_results r
 WHERE r.audit_year = 2025 AND r.level IN ('nhs_england_region', 'country')
 GROUP BY r.level, r.area_name ORDER BY r.level DESC, r.area_name;

\echo '== GeoJSON for a map: one ICB with its KPI 25 result (first 160 characters)'
SELECT area_code, area_name, pct_passed, left(ST_AsGeoJSON(geom, 3), 160) AS geojson
  FROM npda.kpi_map
 WHERE level = 'integrated_care_board' AND audit_year = 2025 AND kpi = '25' AND area_code = 'QUE';

\echo '== Quarter by quarter, nationally, 2025-26 (docs/kpis.md §6.4)'
SELECT quarter, quarter_start, new_diagnoses, admissions, dka_admissions, leavers, transitions_to_adult_care
  FROM npda.kpi_quarterly WHERE level = 'national' AND audit_year = 2025 ORDER BY quarter;
