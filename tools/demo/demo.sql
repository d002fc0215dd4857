-- What make demo prints: the extension as a client sees it.
\pset footer off
\echo '== npda version and audit periods'
SELECT extversion AS npda_version FROM pg_extension WHERE extname = 'npda';
SELECT npda.audit_year(start_date) AS audit_year, start_date, end_date, dataset_year, is_open
FROM npda.audit_period ORDER BY start_date;

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

\echo '== Submissions (active and replaced)'
SELECT s.id, u.pz_code, npda.audit_year(ap.start_date) AS audit_year, s.dataset_year AS dataset, s.file_name,
       s.is_active, s.row_count AS rows, s.patient_count AS children, s.visit_count AS visits, s.error_count AS findings
  FROM npda.submission s
  JOIN npda.paediatric_diabetes_unit u ON u.id = s.paediatric_diabetes_unit_id
  JOIN npda.audit_period ap ON ap.id = s.audit_period_id
 ORDER BY s.id;

\echo '== Data quality report: findings per rule (active submissions)'
SELECT pz_code, audit_year, code, count(*) AS findings, min(row_number) AS first_row
  FROM npda.submission_error_report WHERE is_active
 GROUP BY 1, 2, 3 ORDER BY 1, 2, 4 DESC, 3;

\echo '== A few findings in full (PZ041, 2026-27)'
SELECT row_number AS row, column_heading, value, code, message
  FROM npda.submission_error_report
 WHERE pz_code = 'PZ041' AND audit_year = 2026 AND is_active
 ORDER BY row_number, column_heading LIMIT 8;

\echo '== KPI results per PDU and audit year (PDU scope; eligible, passed, failed, pending)'
SELECT r.pz_code, r.audit_year, r.kpi, left(r.label, 44) AS label,
       count(*) FILTER (WHERE r.outcome <> 'ineligible') AS eligible,
       count(*) FILTER (WHERE r.outcome = 'pass') AS passed,
       count(*) FILTER (WHERE r.outcome = 'fail') AS failed,
       count(*) FILTER (WHERE r.outcome = 'pending') AS pending
  FROM npda.patient_kpi_results r
 WHERE r.kpi IN ('1', '3', '5', '25', '26', '32.1', '41', '44')
 GROUP BY r.pz_code, r.audit_year, r.kpi, r.kpi_position, r.label
 ORDER BY r.pz_code, r.audit_year, r.kpi_position;

\echo '== Roll-ups: npda.refresh_kpi_aggregations() (pg_cron runs it every 15 minutes)'
SELECT npda.refresh_kpi_aggregations() AS aggregate_rows_written;
SELECT level, count(DISTINCT area_code) AS areas, count(DISTINCT audit_year) AS audit_years
  FROM npda.kpi_results GROUP BY level ORDER BY level;

\echo '== The national KPI table, 2025-26 (each child counted once: decision D11)'
SELECT kpi, left(label, 58) AS label, eligible, passed, failed, pending, pct_passed, round(value, 1) AS value
  FROM npda.kpi_results
 WHERE level = 'national' AND audit_year = 2025
 ORDER BY kpi_position;
