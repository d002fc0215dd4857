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
