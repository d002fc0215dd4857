-- Organisation releases (docs/geography.md, "Releases"): the organisation data
-- in force on a date as one document, a release that merges two ICBs, renames a
-- PDU and moves a trust to another ICB from 2026-04-01, roll-ups of each audit
-- year by its own geography, export -> apply of an unchanged release, every bad
-- document refused whole, and the 1.1 geography checks for every release in
-- force. Everything runs in one transaction, rolled back at the end, so the
-- tests after this one see the seeded data only.
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS npda CASCADE;
\set ECHO none
\i test/sql/include/outcome_of.psql
\set t2021 `base64 -w0 test/fixtures/npda_csv_template_2021.csv`
\set t2026 `base64 -w0 test/fixtures/npda_csv_template_2026.csv`
\set ECHO all
BEGIN;

-- 1. The seeded data is release 1, in force from 2020-04-01 (the first audit
--    period): every code and every version, nothing ended.
SELECT id, effective_from, applied_at IS NULL AS seeded, applied_by, summary -> 'added' -> 'integrated_care_boards' ->> 0 AS first_icb
  FROM npda.organisation_release_log ORDER BY id;
SELECT t AS code_table, count(*) AS codes, min(valid_from) AS valid_from, count(valid_to) AS ended
  FROM (SELECT 'country' AS t, valid_from, valid_to FROM npda.country
        UNION ALL SELECT 'nhs_england_region', valid_from, valid_to FROM npda.nhs_england_region
        UNION ALL SELECT 'integrated_care_board', valid_from, valid_to FROM npda.integrated_care_board
        UNION ALL SELECT 'local_health_board', valid_from, valid_to FROM npda.local_health_board
        UNION ALL SELECT 'paediatric_diabetes_network', valid_from, valid_to FROM npda.paediatric_diabetes_network
        UNION ALL SELECT 'trust', valid_from, valid_to FROM npda.trust
        UNION ALL SELECT 'paediatric_diabetes_unit', valid_from, valid_to FROM npda.paediatric_diabetes_unit) x
 GROUP BY t ORDER BY t;
SELECT t AS version_table, count(*) AS versions, min(valid_from) AS valid_from, count(valid_to) AS ended,
       count(DISTINCT release_id) AS releases
  FROM (SELECT 'country_version' AS t, valid_from, valid_to, release_id FROM npda.country_version
        UNION ALL SELECT 'nhs_england_region_version', valid_from, valid_to, release_id FROM npda.nhs_england_region_version
        UNION ALL SELECT 'integrated_care_board_version', valid_from, valid_to, release_id FROM npda.integrated_care_board_version
        UNION ALL SELECT 'local_health_board_version', valid_from, valid_to, release_id FROM npda.local_health_board_version
        UNION ALL SELECT 'paediatric_diabetes_network_version', valid_from, valid_to, release_id FROM npda.paediatric_diabetes_network_version
        UNION ALL SELECT 'trust_version', valid_from, valid_to, release_id FROM npda.trust_version
        UNION ALL SELECT 'paediatric_diabetes_unit_version', valid_from, valid_to, release_id FROM npda.paediatric_diabetes_unit_version) x
 GROUP BY t ORDER BY t;
-- Before the first audit period there is no hierarchy; from it on, the seeded one.
SELECT d AS as_of, count(h.pz_code) AS pdus FROM unnest('{2020-03-31,2020-04-01,2025-04-01}'::date[]) d
  LEFT JOIN LATERAL npda.pdu_hierarchy_at(d) h ON true GROUP BY d ORDER BY d;
SELECT count(*) AS differences FROM (
  (SELECT * FROM npda.pdu_hierarchy EXCEPT SELECT * FROM npda.pdu_hierarchy_at(current_date))
  UNION ALL (SELECT * FROM npda.pdu_hierarchy_at(current_date) EXCEPT SELECT * FROM npda.pdu_hierarchy)) x;

-- 2. The export: the seven lists, ordered by code, objects with code, name,
--    the parents' codes under the parent table's name and boundaries as GeoJSON.
CREATE TEMP TABLE export_2025 AS SELECT npda.organisation_release('2025-04-01') AS doc;
SELECT key AS list, jsonb_array_length(value) AS objects,
       (SELECT string_agg(k, ',' ORDER BY k) FROM jsonb_object_keys(value -> 0) k) AS fields
  FROM export_2025, jsonb_each(doc) ORDER BY key;
SELECT jsonb_pretty(o) FROM export_2025, jsonb_array_elements(doc -> 'paediatric_diabetes_units') o
 WHERE o ->> 'code' IN ('PZ001', 'PZ041', 'PZ248', 'PZ999') ORDER BY o ->> 'code';
SELECT o ->> 'code' AS code, o ->> 'nhs_england_region' AS region, o -> 'boundary' ->> 'type' AS boundary_type,
       jsonb_array_length(o -> 'boundary' -> 'coordinates') AS polygons
  FROM export_2025, jsonb_array_elements(doc -> 'integrated_care_boards') o
 WHERE o ->> 'code' IN ('QUE', 'QMM') ORDER BY 1;
SELECT o FROM export_2025, jsonb_array_elements(doc -> 'trusts') o WHERE o ->> 'code' IN ('RGT', 'RVR', 'RYT') ORDER BY o ->> 'code';
SELECT o - 'boundary' AS country FROM export_2025, jsonb_array_elements(doc -> 'countries') o ORDER BY o ->> 'code';

-- 3. Export -> apply of an unchanged release is a no-op: nothing is written,
--    not even a release.
CREATE FUNCTION pg_temp.organisation_fingerprint() RETURNS text LANGUAGE sql AS $$
  SELECT md5(string_agg(r, '|' ORDER BY r)) FROM (
    SELECT to_jsonb(x)::text AS r FROM npda.organisation_release_log x
    UNION ALL SELECT to_jsonb(x)::text FROM npda.country x UNION ALL SELECT to_jsonb(x)::text FROM npda.country_version x
    UNION ALL SELECT to_jsonb(x)::text FROM npda.nhs_england_region x UNION ALL SELECT to_jsonb(x)::text FROM npda.nhs_england_region_version x
    UNION ALL SELECT to_jsonb(x)::text FROM npda.integrated_care_board x UNION ALL SELECT to_jsonb(x)::text FROM npda.integrated_care_board_version x
    UNION ALL SELECT to_jsonb(x)::text FROM npda.local_health_board x UNION ALL SELECT to_jsonb(x)::text FROM npda.local_health_board_version x
    UNION ALL SELECT to_jsonb(x)::text FROM npda.paediatric_diabetes_network x
    UNION ALL SELECT to_jsonb(x)::text FROM npda.paediatric_diabetes_network_version x
    UNION ALL SELECT to_jsonb(x)::text FROM npda.trust x UNION ALL SELECT to_jsonb(x)::text FROM npda.trust_version x
    UNION ALL SELECT to_jsonb(x)::text FROM npda.paediatric_diabetes_unit x
    UNION ALL SELECT to_jsonb(x)::text FROM npda.paediatric_diabetes_unit_version x
    UNION ALL SELECT to_jsonb(x)::text FROM npda.kpi_aggregation_refresh x) AS rows
$$;
CREATE TEMP TABLE fingerprint AS SELECT pg_temp.organisation_fingerprint() AS before;
SELECT npda.apply_organisation_release(doc, '2026-04-01') AS unchanged_release FROM export_2025;
SELECT before = pg_temp.organisation_fingerprint() AS nothing_changed FROM fingerprint;

-- 4. Children in 2025-26 and 2026-27 at four units: PZ041 (ICB QUE), PZ002
--    (QMM), PZ050 (trust RVR, ICB QXU from its trust: it has no site location)
--    and PZ010 (QHG, untouched). Other tests' submissions are withdrawn for the
--    length of this one.
UPDATE npda.submission SET is_active = false WHERE is_active;
CREATE TEMP TABLE template (dataset integer PRIMARY KEY, header text, columns integer);
INSERT INTO template VALUES
  (2021, rtrim(convert_from(decode(:'t2021', 'base64'), 'UTF8'), E'\r\n'), 52),
  (2026, rtrim(convert_from(decode(:'t2026', 'base64'), 'UTF8'), E'\r\n'), 59);
-- A file of the dataset from rows given as their first columns, each padded
-- with empty cells to the template's width.
CREATE FUNCTION pg_temp.file(dataset integer, rows text[]) RETURNS bytea LANGUAGE sql AS $$
  SELECT convert_to(t.header || E'\n' || array_to_string(ARRAY(
           SELECT r || repeat(',', t.columns - 1 - (length(r) - length(replace(r, ',', '')))) FROM unnest(rows) r), E'\n'), 'UTF8')
    FROM template t WHERE t.dataset = file.dataset
$$;
SELECT pz_code, audit_year, patient_count FROM (
  SELECT 'PZ041' AS pz_code, 2025 AS audit_year, * FROM npda.submit_csv('PZ041', pg_temp.file(2021, ARRAY[
    '9434765919,04/04/2014,CB2 0QQ,1,A,1,01/01/2022,,,,A81001,PZ041,01/06/2025']), 2025, 'pz041-2025.csv')
  UNION ALL SELECT 'PZ002', 2025, * FROM npda.submit_csv('PZ002', pg_temp.file(2021, ARRAY[
    '4010232137,04/04/2014,NR4 7UY,2,A,1,01/01/2022,,,,A81001,PZ002,01/06/2025']), 2025, 'pz002-2025.csv')
  UNION ALL SELECT 'PZ050', 2025, * FROM npda.submit_csv('PZ050', pg_temp.file(2021, ARRAY[
    '9876543210,04/04/2014,SM5 1AA,1,A,1,01/01/2022,,,,A81001,PZ050,01/06/2025']), 2025, 'pz050-2025.csv')
  UNION ALL SELECT 'PZ010', 2025, * FROM npda.submit_csv('PZ010', pg_temp.file(2021, ARRAY[
    '5990128088,04/04/2014,LU4 0DZ,2,A,1,01/01/2022,,,,A81001,PZ010,01/06/2025']), 2025, 'pz010-2025.csv')
  UNION ALL SELECT 'PZ041', 2026, * FROM npda.submit_csv('PZ041', pg_temp.file(2026, ARRAY[
    '9434765919,04/04/2014,CB2 0QQ,1,A,2,2,1,01/01/2022,,,,A81001,PZ041,01/06/2026']), 2026, 'pz041-2026.csv')
  UNION ALL SELECT 'PZ002', 2026, * FROM npda.submit_csv('PZ002', pg_temp.file(2026, ARRAY[
    '4010232137,04/04/2014,NR4 7UY,2,A,2,2,1,01/01/2022,,,,A81001,PZ002,01/06/2026']), 2026, 'pz002-2026.csv')
  UNION ALL SELECT 'PZ050', 2026, * FROM npda.submit_csv('PZ050', pg_temp.file(2026, ARRAY[
    '9876543210,04/04/2014,SM5 1AA,1,A,2,2,1,01/01/2022,,,,A81001,PZ050,01/06/2026']), 2026, 'pz050-2026.csv')
  UNION ALL SELECT 'PZ010', 2026, * FROM npda.submit_csv('PZ010', pg_temp.file(2026, ARRAY[
    '5990128088,04/04/2014,LU4 0DZ,2,A,2,2,1,01/01/2022,,,,A81001,PZ010,01/06/2026']), 2026, 'pz010-2026.csv')
) s ORDER BY audit_year, pz_code;
SELECT npda.refresh_kpi_aggregations(2025) > 0 AS refreshed_2025, npda.refresh_kpi_aggregations(2026) > 0 AS refreshed_2026;
-- The roll-ups that involve these units (KPI 1 counts the children).
CREATE VIEW pg_temp.touched AS
SELECT audit_year, level, area_code, area_name, eligible + ineligible AS children
  FROM npda.kpi_results
 WHERE kpi = '1' AND audit_year IN (2025, 2026)
   AND area_code IN ('PZ041', 'PZ002', 'PZ050', 'PZ010', 'RGT', 'RM1', 'RVR', 'RC9', 'QUE', 'QMM', 'QZ1', 'QXU', 'QWE', 'QHG',
                     'Y61', 'Y59', 'Y56', 'E92000001');
SELECT * FROM pg_temp.touched ORDER BY audit_year, level, area_code;
CREATE TEMP TABLE results_2025 AS
SELECT level, area_code, area_name, kpi, eligible, ineligible, passed, failed, pending, pct_passed, value
  FROM npda.kpi_results WHERE audit_year = 2025;

-- 5. The release of 2026-04-01, built from the export of the day before: QUE
--    and QMM merge into QZ1 (boundary: their union), whose trusts and units
--    follow; PZ041 is renamed; trust RVR moves to QWE and so does PZ050, whose
--    ICB is its trust's.
CREATE TEMP TABLE rel AS SELECT npda.organisation_release('2026-03-31') AS doc;
-- Set field `field` to `new_code` in the objects of `list` where it is one of `old_codes`.
CREATE FUNCTION pg_temp.relink(doc jsonb, list text, field text, old_codes text[], new_code text) RETURNS jsonb
LANGUAGE sql AS $$
  SELECT jsonb_set(doc, ARRAY[list], (SELECT jsonb_agg(CASE WHEN o ->> field = ANY (old_codes)
                                                             THEN jsonb_set(o, ARRAY[field], to_jsonb(new_code)) ELSE o END
                                                        ORDER BY o ->> 'code')
                                         FROM jsonb_array_elements(doc -> list) o))
$$;
-- Set field `field` of the object `code` of `list`.
CREATE FUNCTION pg_temp.set_field(doc jsonb, list text, code text, field text, new_value jsonb) RETURNS jsonb
LANGUAGE sql AS $$
  SELECT jsonb_set(doc, ARRAY[list], (SELECT jsonb_agg(CASE WHEN o ->> 'code' = code THEN jsonb_set(o, ARRAY[field], new_value) ELSE o END
                                                        ORDER BY o ->> 'code')
                                         FROM jsonb_array_elements(doc -> list) o))
$$;
UPDATE rel SET doc = jsonb_set(doc, '{integrated_care_boards}', (
  SELECT jsonb_agg(o ORDER BY o ->> 'code') FROM (
    SELECT o FROM jsonb_array_elements(doc -> 'integrated_care_boards') o WHERE o ->> 'code' NOT IN ('QUE', 'QMM')
    UNION ALL
    SELECT jsonb_build_object('code', 'QZ1', 'ons_code', 'E54000099',
             'name', 'NHS CAMBRIDGESHIRE, PETERBOROUGH, NORFOLK AND WAVENEY INTEGRATED CARE BOARD',
             'nhs_england_region', 'Y61',
             'boundary', (SELECT ST_AsGeoJSON(ST_Union(boundary))::jsonb FROM npda.integrated_care_board
                           WHERE ods_code IN ('QUE', 'QMM')))) AS x(o)));
UPDATE rel SET doc = pg_temp.relink(pg_temp.relink(doc, 'trusts', 'integrated_care_board', '{QUE,QMM}', 'QZ1'),
                                    'paediatric_diabetes_units', 'integrated_care_board', '{QUE,QMM}', 'QZ1');
UPDATE rel SET doc = pg_temp.set_field(doc, 'paediatric_diabetes_units', 'PZ041', 'name', '"CAMBRIDGE CHILDREN''S HOSPITAL"');
UPDATE rel SET doc = pg_temp.set_field(pg_temp.set_field(doc, 'trusts', 'RVR', 'integrated_care_board', '"QWE"'),
                                       'paediatric_diabetes_units', 'PZ050', 'integrated_care_board', '"QWE"');
CREATE TEMP TABLE applied AS SELECT npda.apply_organisation_release(doc, '2026-04-01') AS summary FROM rel;
SELECT jsonb_pretty(summary - 'audit_years_to_refresh') AS summary FROM applied;
-- The periods the release reaches are marked for the next refresh; 2025-26
-- (its first day is before 2026-04-01) is not.
SELECT summary -> 'audit_years_to_refresh' @> '[2026]' AS marks_2026,
       NOT summary -> 'audit_years_to_refresh' @> '[2025]' AS leaves_2025
  FROM applied;
SELECT id, effective_from, applied_at IS NOT NULL AS applied, applied_by = session_user AS by_me,
       (SELECT jsonb_object_agg(key, jsonb_array_length(value)) FROM jsonb_each(summary -> 'added')) AS codes_added
  FROM npda.organisation_release_log ORDER BY id;

-- Nothing is deleted: the merged boards end on 2026-03-31, the new one starts
-- the next day; names, links and boundaries have versions.
SELECT ods_code, name, valid_from, valid_to, ST_Equals(boundary,
         (SELECT ST_Union(boundary) FROM npda.integrated_care_board_version
           WHERE release_id = 1 AND integrated_care_board_id IN (SELECT id FROM npda.integrated_care_board WHERE ods_code IN ('QUE', 'QMM'))))
         AS union_of_merged
  FROM npda.integrated_care_board WHERE ods_code IN ('QUE', 'QMM', 'QZ1') ORDER BY ods_code;
SELECT u.pz_code, v.valid_from, v.valid_to, v.name, i.ods_code AS icb, v.release_id
  FROM npda.paediatric_diabetes_unit_version v
  JOIN npda.paediatric_diabetes_unit u ON u.id = v.paediatric_diabetes_unit_id
  LEFT JOIN npda.integrated_care_board i ON i.id = v.integrated_care_board_id
 WHERE u.pz_code IN ('PZ041', 'PZ050', 'PZ010') ORDER BY u.pz_code, v.valid_from;
SELECT t.ods_code, v.valid_from, v.valid_to, i.ods_code AS icb
  FROM npda.trust_version v JOIN npda.trust t ON t.id = v.trust_id
  LEFT JOIN npda.integrated_care_board i ON i.id = v.integrated_care_board_id
 WHERE t.ods_code IN ('RVR', 'RGT') ORDER BY t.ods_code, v.valid_from;
-- The code rows hold each code's newest version.
SELECT u.pz_code, u.name, i.ods_code AS icb, r.region_code AS region, u.valid_from, u.valid_to
  FROM npda.paediatric_diabetes_unit u
  LEFT JOIN npda.integrated_care_board i ON i.id = u.integrated_care_board_id
  LEFT JOIN npda.nhs_england_region r ON r.id = u.nhs_england_region_id
 WHERE u.pz_code IN ('PZ041', 'PZ050') ORDER BY 1;

-- The hierarchy on the last day of 2025-26 and on the first of 2026-27.
SELECT d AS as_of, h.pz_code, h.name, h.trust_ods_code, h.integrated_care_board_ods_code, h.integrated_care_board_name,
       h.nhs_england_region_code
  FROM unnest('{2026-03-31,2026-04-01}'::date[]) d, npda.pdu_hierarchy_at(d) h
 WHERE h.pz_code IN ('PZ041', 'PZ002', 'PZ050', 'PZ010') ORDER BY h.pz_code, d;
SELECT d AS as_of, count(*) AS pdus, count(DISTINCT integrated_care_board_ods_code) AS icbs,
       count(*) FILTER (WHERE integrated_care_board_ods_code = 'QZ1') AS in_qz1,
       count(*) FILTER (WHERE integrated_care_board_ods_code IN ('QUE', 'QMM')) AS in_que_or_qmm
  FROM unnest('{2026-03-31,2026-04-01}'::date[]) d, npda.pdu_hierarchy_at(d) GROUP BY d ORDER BY d;
SELECT count(*) AS differences FROM (
  (SELECT * FROM npda.pdu_hierarchy EXCEPT SELECT * FROM npda.pdu_hierarchy_at(current_date))
  UNION ALL (SELECT * FROM npda.pdu_hierarchy_at(current_date) EXCEPT SELECT * FROM npda.pdu_hierarchy)) x;

-- 6. The roll-ups: the next refresh rebuilds 2026-27 by the new geography (QZ1,
--    not QUE or QMM; PZ050's child in QWE and London); 2025-26, rebuilt again,
--    is unchanged. PZ041 carries its old name in 2025-26 and its new one in 2026-27.
SELECT npda.refresh_kpi_aggregations() > 0 AS refreshed_marked_periods;
SELECT * FROM pg_temp.touched ORDER BY audit_year, level, area_code;
SELECT audit_year, count(DISTINCT area_code) FILTER (WHERE level = 'integrated_care_board') AS icbs,
       count(*) FILTER (WHERE area_code IN ('QUE', 'QMM')) AS rows_of_que_qmm,
       count(*) FILTER (WHERE area_code = 'QZ1') AS rows_of_qz1
  FROM npda.kpi_results WHERE audit_year IN (2025, 2026) GROUP BY audit_year ORDER BY audit_year;
SELECT npda.refresh_kpi_aggregations(2025) > 0 AS rebuilt_2025;
SELECT count(*) AS changed_rows_2025 FROM (
  (SELECT level, area_code, area_name, kpi, eligible, ineligible, passed, failed, pending, pct_passed, value
     FROM npda.kpi_results WHERE audit_year = 2025 EXCEPT SELECT * FROM results_2025)
  UNION ALL
  (SELECT * FROM results_2025 EXCEPT SELECT level, area_code, area_name, kpi, eligible, ineligible, passed, failed,
                                            pending, pct_passed, value FROM npda.kpi_results WHERE audit_year = 2025)) x;
-- Maps: each year's boundaries.
SELECT audit_year, area_code, ST_Equals(geom, (SELECT ST_Union(boundary) FROM npda.integrated_care_board_version
                                                WHERE release_id = 1 AND integrated_care_board_id IN
                                                  (SELECT id FROM npda.integrated_care_board WHERE ods_code IN ('QUE', 'QMM'))))
                                  AS union_of_que_qmm
  FROM npda.kpi_map WHERE kpi = '1' AND level = 'integrated_care_board' AND area_code IN ('QUE', 'QMM', 'QZ1')
   AND audit_year IN (2025, 2026)
 ORDER BY audit_year, area_code;

-- 7. Export -> apply after the release is a no-op too, and so is the same
--    release applied again.
UPDATE fingerprint SET before = pg_temp.organisation_fingerprint();
SELECT npda.apply_organisation_release(npda.organisation_release('2026-04-01'), '2026-04-01') - 'effective_from' AS export_applied;
SELECT (npda.apply_organisation_release(doc, '2026-04-01') ->> 'changed')::boolean AS same_release_changed FROM rel;
SELECT npda.organisation_release('2026-04-01') = doc AS export_is_the_release FROM rel;
SELECT before = pg_temp.organisation_fingerprint() AS nothing_changed FROM fingerprint;

-- 8. Bad documents are refused as a whole, with an NP2xx SQLSTATE naming the
--    object and the field; nothing changes.
CREATE FUNCTION pg_temp.refused(doc jsonb, effective_from date DEFAULT '2026-04-01') RETURNS text LANGUAGE sql AS $$
  SELECT pg_temp.outcome_of(format('SELECT npda.apply_organisation_release(%L::jsonb, %L::date)', doc, effective_from))
$$;
CREATE TEMP TABLE bad (n serial, what text, doc jsonb, effective_from date DEFAULT '2026-05-01');
INSERT INTO bad (what, doc) SELECT v.what, v.doc FROM rel, LATERAL (VALUES
  ('not an object', '[]'::jsonb),
  ('a list missing', doc - 'paediatric_diabetes_networks'),
  ('an unknown key', doc || '{"hospitals": []}'),
  ('a list that is not an array', jsonb_set(doc, '{countries}', '{}')),
  ('an element that is not an object', jsonb_set(doc, '{paediatric_diabetes_networks}', (doc -> 'paediatric_diabetes_networks') || '"PN13"')),
  ('an unknown field', pg_temp.set_field(doc, 'trusts', 'RGT', 'postcode', '"CB2 0QQ"')),
  ('a name that is a number', pg_temp.set_field(doc, 'paediatric_diabetes_units', 'PZ041', 'name', '41')),
  ('a parent code that is a number', pg_temp.set_field(doc, 'paediatric_diabetes_units', 'PZ041', 'trust', '7')),
  ('a boundary that is text', pg_temp.set_field(doc, 'local_health_boards', '7A1', 'boundary', '"POLYGON((0 0,1 0,1 1,0 0))"')),
  ('a code without a name', pg_temp.set_field(doc, 'paediatric_diabetes_networks', 'PN02', 'name', '""')),
  ('a malformed code', pg_temp.set_field(doc, 'paediatric_diabetes_units', 'PZ041', 'code', '"PZ41"')),
  ('a duplicate code', jsonb_set(doc, '{paediatric_diabetes_networks}', (doc -> 'paediatric_diabetes_networks') || '{"code": "PN02", "name": "Again"}')),
  ('an ONS code given twice', pg_temp.set_field(doc, 'integrated_care_boards', 'QZ1', 'ons_code', '"E54000008"')),
  ('the ONS code of an ended area', pg_temp.set_field(doc, 'integrated_care_boards', 'QZ1', 'ons_code', '"E54000056"')),
  ('an unknown parent code', pg_temp.set_field(doc, 'trusts', 'RVR', 'integrated_care_board', '"QXX"')),
  ('a parent that has ended', pg_temp.set_field(doc, 'paediatric_diabetes_units', 'PZ002', 'integrated_care_board', '"QMM"')),
  ('a required parent missing', pg_temp.set_field(doc, 'nhs_england_regions', 'Y61', 'country', 'null')),
  ('a PDU without a parent', pg_temp.set_field(pg_temp.set_field(pg_temp.set_field(pg_temp.set_field(doc,
       'paediatric_diabetes_units', 'PZ248', 'country', 'null'), 'paediatric_diabetes_units', 'PZ248', 'trust', 'null'),
       'paediatric_diabetes_units', 'PZ248', 'local_health_board', 'null'), 'paediatric_diabetes_units', 'PZ248', 'integrated_care_board', 'null')),
  ('a PDU with a trust and an LHB', pg_temp.set_field(doc, 'paediatric_diabetes_units', 'PZ001', 'trust', '"RGT"')),
  ('a PDU in the wrong country', pg_temp.set_field(doc, 'paediatric_diabetes_units', 'PZ041', 'country', '"W92000004"')),
  ('a self-intersecting boundary', pg_temp.set_field(doc, 'integrated_care_boards', 'QZ1', 'boundary',
       '{"type": "Polygon", "coordinates": [[[0, 52], [1, 53], [1, 52], [0, 53], [0, 52]]]}')),
  ('a boundary in British National Grid', pg_temp.set_field(doc, 'integrated_care_boards', 'QZ1', 'boundary',
       '{"type": "Polygon", "crs": {"type": "name", "properties": {"name": "EPSG:27700"}}, "coordinates": [[[540000, 260000], [560000, 260000], [560000, 280000], [540000, 260000]]]}')),
  ('a boundary with projected coordinates and no crs', pg_temp.set_field(doc, 'integrated_care_boards', 'QZ1', 'boundary',
       '{"type": "Polygon", "coordinates": [[[540000, 260000], [560000, 260000], [560000, 280000], [540000, 260000]]]}')),
  ('a boundary that is a point', pg_temp.set_field(doc, 'countries', 'E92000001', 'boundary', '{"type": "Point", "coordinates": [-1.5, 52.5]}')),
  ('a boundary that is not GeoJSON', pg_temp.set_field(doc, 'countries', 'E92000001', 'boundary', '{"type": "Polygon", "coordinates": "none"}'))
) AS v(what, doc);
INSERT INTO bad (what, doc, effective_from) SELECT 'effective_from before the last release', doc, '2026-03-01' FROM rel;
INSERT INTO bad (what, doc, effective_from) SELECT 'no effective_from', doc, NULL FROM rel;
SELECT n, what, pg_temp.refused(doc, effective_from) AS outcome FROM bad ORDER BY n;
SELECT before = pg_temp.organisation_fingerprint() AS nothing_changed FROM fingerprint;
-- The error as a client sees it, with its detail and hint.
SAVEPOINT refused;
\set SHOW_CONTEXT never
SELECT npda.apply_organisation_release(pg_temp.set_field(doc, 'trusts', 'RVR', 'integrated_care_board', '"QXX"'), '2026-05-01') FROM rel;
\set SHOW_CONTEXT errors
ROLLBACK TO SAVEPOINT refused;

-- 9. A release with the same date as the last one corrects it: PZ041 keeps
--    its name after all. The version the first one wrote is withdrawn (it ends
--    the day before it starts), nothing is deleted, and 2026-27 shows the old
--    name again. Applying the first release again restores the new name.
SELECT npda.apply_organisation_release(pg_temp.set_field(doc, 'paediatric_diabetes_units', 'PZ041', 'name', '"ADDENBROOKE''S HOSPITAL"'),
                                       '2026-04-01') -> 'renamed' AS corrected FROM rel;
SELECT v.valid_from, v.valid_to, v.valid_to < v.valid_from AS withdrawn, v.name, v.release_id
  FROM npda.paediatric_diabetes_unit_version v JOIN npda.paediatric_diabetes_unit u ON u.id = v.paediatric_diabetes_unit_id
 WHERE u.pz_code = 'PZ041' ORDER BY v.id;
SELECT name FROM npda.pdu_hierarchy_at('2026-04-01') WHERE pz_code = 'PZ041';
SELECT npda.apply_organisation_release(doc, '2026-04-01') -> 'renamed' AS renamed_again FROM rel;
SELECT name FROM npda.pdu_hierarchy_at('2026-04-01') WHERE pz_code = 'PZ041';

-- 10. A later release that ends a unit and adds one: PZ206 (not in use) ends,
--     PZ300 opens under trust RGT in QZ1. A unit added by a release is led by
--     its trust until its site is recorded.
SELECT npda.apply_organisation_release(jsonb_set(doc, '{paediatric_diabetes_units}', (
         SELECT jsonb_agg(o ORDER BY o ->> 'code') FROM (
           SELECT o FROM jsonb_array_elements(doc -> 'paediatric_diabetes_units') o WHERE o ->> 'code' <> 'PZ206'
           UNION ALL SELECT '{"code": "PZ300", "name": "NEW UNIT", "trust": "RGT", "local_health_board": null, "integrated_care_board": "QZ1", "country": "E92000001", "paediatric_diabetes_network": "PN06"}'::jsonb) x(o))),
       '2027-04-01') - 'effective_from' - 'audit_years_to_refresh' - 'release_id' AS summary
  FROM (SELECT npda.organisation_release('2027-04-01') AS doc) r;
SELECT pz_code, name, lead_organisation_ods_code, lead_ods_code_kind, parent_type, valid_from, valid_to
  FROM npda.paediatric_diabetes_unit WHERE pz_code IN ('PZ206', 'PZ300') ORDER BY pz_code;
SELECT d AS as_of, string_agg(pz_code, ',' ORDER BY pz_code) FILTER (WHERE pz_code IN ('PZ206', 'PZ300')) AS units
  FROM unnest('{2027-03-31,2027-04-01}'::date[]) d, npda.pdu_hierarchy_at(d) GROUP BY d ORDER BY d;

-- 11. The geography checks of 1.1 hold on the first day of every release in force.
\set ECHO none
\i test/sql/include/geography_checks.psql
\set ECHO all

ROLLBACK;
-- Rolled back: the seeded data alone again.
SELECT count(*) AS releases FROM npda.organisation_release_log;
