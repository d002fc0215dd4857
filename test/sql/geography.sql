--
-- geography: the organisation and geography lookups (sql/20_geography.sql), their seed
-- (seeds/25_geography_seed.sql) and the boundaries.  Expected figures: docs/data-model.md
-- §13.2; the decisions and documented exceptions: docs/geography.md.
--
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS npda CASCADE;

-- exact row counts of every lookup table
SELECT 'country' AS tbl, count(*) FROM npda.country
UNION ALL SELECT 'nhs_england_region', count(*) FROM npda.nhs_england_region
UNION ALL SELECT 'integrated_care_board', count(*) FROM npda.integrated_care_board
UNION ALL SELECT 'local_health_board', count(*) FROM npda.local_health_board
UNION ALL SELECT 'trust', count(*) FROM npda.trust
UNION ALL SELECT 'paediatric_diabetes_network', count(*) FROM npda.paediatric_diabetes_network
UNION ALL SELECT 'organisation', count(*) FROM npda.organisation
UNION ALL SELECT 'paediatric_diabetes_unit', count(*) FROM npda.paediatric_diabetes_unit
ORDER BY 1;

-- natural keys: present and unique (duplicates and NULLs per key; all must be 0)
SELECT 'country.ons_code' AS code, count(*) - count(DISTINCT ons_code) AS duplicates_or_nulls FROM npda.country
UNION ALL SELECT 'nhs_england_region.region_code', count(*) - count(DISTINCT region_code) FROM npda.nhs_england_region
UNION ALL SELECT 'nhs_england_region.ons_code', count(*) - count(DISTINCT ons_code) FROM npda.nhs_england_region
UNION ALL SELECT 'integrated_care_board.ods_code', count(*) - count(DISTINCT ods_code) FROM npda.integrated_care_board
UNION ALL SELECT 'integrated_care_board.ons_code', count(*) - count(DISTINCT ons_code) FROM npda.integrated_care_board
UNION ALL SELECT 'local_health_board.ods_code', count(*) - count(DISTINCT ods_code) FROM npda.local_health_board
UNION ALL SELECT 'local_health_board.ons_code', count(*) - count(DISTINCT ons_code) FROM npda.local_health_board
UNION ALL SELECT 'trust.ods_code', count(*) - count(DISTINCT ods_code) FROM npda.trust
UNION ALL SELECT 'paediatric_diabetes_network.pn_code', count(*) - count(DISTINCT pn_code) FROM npda.paediatric_diabetes_network
UNION ALL SELECT 'organisation.ods_code', count(*) - count(DISTINCT ods_code) FROM npda.organisation
UNION ALL SELECT 'paediatric_diabetes_unit.pz_code', count(*) - count(DISTINCT pz_code) FROM npda.paediatric_diabetes_unit
ORDER BY 1;

-- the unique constraints that keep them so
SELECT r.relname AS tbl, string_agg(a.attname, ', ' ORDER BY a.attname) AS unique_columns
  FROM pg_constraint c
  JOIN pg_class r ON r.oid = c.conrelid
  JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = ANY (c.conkey)
 WHERE c.contype = 'u' AND r.relnamespace = 'npda'::regnamespace
   AND r.relname IN ('country', 'nhs_england_region', 'integrated_care_board', 'local_health_board', 'trust',
                     'paediatric_diabetes_network', 'organisation', 'paediatric_diabetes_unit')
 GROUP BY r.relname, c.conname
 ORDER BY 1, 2;

-- PDUs per country (PZ999 has none)
SELECT c.ons_code AS country_ons_code, c.name AS country, count(*) AS pdus
  FROM npda.paediatric_diabetes_unit u
  LEFT JOIN npda.country c ON c.id = u.country_id
 GROUP BY 1, 2
 ORDER BY 3 DESC, 1 NULLS LAST;

-- English PDUs per NHS England region
SELECT r.region_code, r.name, count(u.id) AS pdus
  FROM npda.nhs_england_region r
  LEFT JOIN npda.paediatric_diabetes_unit u ON u.nhs_england_region_id = r.id
 GROUP BY r.region_code, r.name
 ORDER BY 3 DESC, 1;

-- PDUs per paediatric diabetes network
SELECT n.pn_code, n.name AS network, count(*) AS pdus
  FROM npda.paediatric_diabetes_unit u
  LEFT JOIN npda.paediatric_diabetes_network n ON n.id = u.paediatric_diabetes_network_id
 GROUP BY 1, 2
 ORDER BY 1 NULLS LAST;

-- every PDU except PZ999 resolves to a country
SELECT pz_code AS pdu_without_country FROM npda.paediatric_diabetes_unit WHERE country_id IS NULL ORDER BY 1;

-- the special units: PZ248 rolls up to Jersey (and network PN01) only; PZ999 to nothing
SELECT h.pz_code, h.trust_ods_code, h.local_health_board_ods_code, h.integrated_care_board_ods_code,
       h.nhs_england_region_code, h.country_ons_code, h.country_name, h.paediatric_diabetes_network_code,
       u.parent_ods_code AS source_parent
  FROM npda.pdu_hierarchy h
  JOIN npda.paediatric_diabetes_unit u ON u.pz_code = h.pz_code
 WHERE h.pz_code IN ('PZ248', 'PZ999')
 ORDER BY 1;

-- Jersey has no boundary, and nothing but PZ248 (and its site) is in Jersey
SELECT c.name, c.boundary IS NULL AS no_boundary,
       (SELECT string_agg(pz_code, ',' ORDER BY pz_code) FROM npda.paediatric_diabetes_unit WHERE country_id = c.id) AS pdus,
       (SELECT string_agg(ods_code, ',' ORDER BY ods_code) FROM npda.organisation WHERE country_id = c.id) AS sites,
       (SELECT count(*) FROM npda.organisation WHERE country_id = c.id AND trust_id IS NOT NULL) AS sites_linked_to_a_trust
  FROM npda.country c
 WHERE c.ons_code = 'E92000003';

-- Welsh PDUs: an LHB, no trust, no ICB, no region
SELECT count(*) AS welsh_pdus,
       count(local_health_board_id) AS with_lhb,
       count(trust_id) AS with_trust,
       count(integrated_care_board_id) AS with_icb,
       count(nhs_england_region_id) AS with_region
  FROM npda.paediatric_diabetes_unit u
  JOIN npda.country c ON c.id = u.country_id
 WHERE c.ons_code = 'W92000004';

-- English PDUs: a trust, an ICB and a region, no LHB; the region is their ICB's
SELECT count(*) AS english_pdus,
       count(u.trust_id) AS with_trust,
       count(u.integrated_care_board_id) AS with_icb,
       count(u.nhs_england_region_id) AS with_region,
       count(u.local_health_board_id) AS with_lhb,
       count(*) FILTER (WHERE u.nhs_england_region_id IS DISTINCT FROM i.nhs_england_region_id) AS region_not_icb_region
  FROM npda.paediatric_diabetes_unit u
  JOIN npda.country c ON c.id = u.country_id
  LEFT JOIN npda.integrated_care_board i ON i.id = u.integrated_care_board_id
 WHERE c.ons_code = 'E92000001';

-- every ICB has a PDU; every LHB but Powys (7A7) has one
SELECT 'integrated_care_board' AS level, count(*) AS areas_without_pdu, string_agg(ods_code, ',') AS codes
  FROM npda.integrated_care_board i
 WHERE NOT EXISTS (SELECT FROM npda.paediatric_diabetes_unit u WHERE u.integrated_care_board_id = i.id)
UNION ALL
SELECT 'local_health_board', count(*), string_agg(ods_code, ',')
  FROM npda.local_health_board l
 WHERE NOT EXISTS (SELECT FROM npda.paediatric_diabetes_unit u WHERE u.local_health_board_id = l.id)
ORDER BY 1;

-- the doubtful links as seeded (docs/geography.md): kept as the source gives them, and flagged
SELECT h.pz_code, coalesce(h.trust_ods_code, h.local_health_board_ods_code) AS trust_or_lhb,
       h.integrated_care_board_ods_code AS icb, u.icb_ods_code_trust_map, u.is_active,
       u.data_quality_flags
  FROM npda.pdu_hierarchy h
  JOIN npda.paediatric_diabetes_unit u ON u.pz_code = h.pz_code
 WHERE h.pz_code IN ('PZ092', 'PZ171', 'PZ206') OR u.icb_sources_agree = false
 ORDER BY 1;

-- data-quality flags: how many units carry each
SELECT f.flag, count(*) AS pdus, string_agg(u.pz_code, ',' ORDER BY u.pz_code) AS pz_codes
  FROM npda.paediatric_diabetes_unit u, unnest(u.data_quality_flags) AS f(flag)
 GROUP BY f.flag
 ORDER BY f.flag;

-- lead organisations and sites: 154 leads are sites; a PDU may have several sites
SELECT lead_ods_code_kind, count(*) AS pdus, count(lead_organisation_id) AS linked_to_a_site,
       count(location) AS with_location
  FROM npda.paediatric_diabetes_unit
 GROUP BY 1
 ORDER BY 1;
SELECT u.pz_code, u.lead_organisation_ods_code, u.other_ods_codes,
       (SELECT string_agg(o.ods_code, ',' ORDER BY o.ods_code) FROM npda.organisation o
         WHERE o.paediatric_diabetes_unit_id = u.id) AS sites
  FROM npda.paediatric_diabetes_unit u
 WHERE u.pz_code IN ('PZ010', 'PZ041')
 ORDER BY 1;
SELECT parent_type, count(*) AS sites, count(trust_id) AS with_trust,
       count(local_health_board_id) AS with_lhb, count(location) AS with_location,
       count(paediatric_diabetes_unit_id) AS with_pdu
  FROM npda.organisation
 GROUP BY 1
 ORDER BY 1 NULLS LAST;

-- boundaries: present where expected; valid, SRID 4326, MultiPolygon, and still valid in EPSG:27700
SELECT tbl, count(*) AS areas, count(boundary) AS with_boundary,
       bool_and(ST_IsValid(boundary)) AS all_valid,
       bool_and(ST_SRID(boundary) = 4326) AS all_srid_4326,
       bool_and(GeometryType(boundary) = 'MULTIPOLYGON') AS all_multipolygon,
       bool_and(ST_IsValid(ST_Transform(boundary, 27700))) AS all_valid_in_27700,
       string_agg(code, ',' ORDER BY code) FILTER (WHERE boundary IS NULL) AS without_boundary
  FROM (SELECT 'country' AS tbl, ons_code AS code, boundary FROM npda.country
        UNION ALL SELECT 'nhs_england_region', region_code, boundary FROM npda.nhs_england_region
        UNION ALL SELECT 'integrated_care_board', ods_code, boundary FROM npda.integrated_care_board
        UNION ALL SELECT 'local_health_board', ods_code, boundary FROM npda.local_health_board) AS b
 GROUP BY tbl
 ORDER BY tbl;

-- label points and locations: SRID 4326 points, inside the British Isles box (longitude west is negative)
SELECT 'label_point' AS what, count(*) AS points,
       bool_and(ST_SRID(p) = 4326 AND GeometryType(p) = 'POINT') AS all_4326_points,
       bool_and(ST_X(p) BETWEEN -9 AND 2 AND ST_Y(p) BETWEEN 49 AND 61) AS all_in_box
  FROM (SELECT label_point AS p FROM npda.country UNION ALL SELECT label_point FROM npda.nhs_england_region
        UNION ALL SELECT label_point FROM npda.integrated_care_board
        UNION ALL SELECT label_point FROM npda.local_health_board) AS l
UNION ALL
SELECT 'pdu location', count(location), bool_and(ST_SRID(location) = 4326 AND GeometryType(location) = 'POINT'),
       bool_and(ST_X(location) BETWEEN -9 AND 2 AND ST_Y(location) BETWEEN 49 AND 61)
  FROM npda.paediatric_diabetes_unit
UNION ALL
SELECT 'site location', count(location), bool_and(ST_SRID(location) = 4326 AND GeometryType(location) = 'POINT'),
       bool_and(ST_X(location) BETWEEN -9 AND 2 AND ST_Y(location) BETWEEN 49 AND 61)
  FROM npda.organisation
ORDER BY 1;

-- every PDU location lies inside its own ICB (England) or LHB (Wales) boundary, except the
-- documented exceptions of docs/geography.md; a new or vanished exception changes this output
WITH checked AS (
    SELECT coalesce(ST_Covers(coalesce(i.boundary, l.boundary), u.location), false) AS inside_own_area
      FROM npda.paediatric_diabetes_unit u
      LEFT JOIN npda.integrated_care_board i ON i.id = u.integrated_care_board_id
      LEFT JOIN npda.local_health_board l ON l.id = u.local_health_board_id
     WHERE u.location IS NOT NULL
)
SELECT count(*) AS pdus_with_location,
       count(*) FILTER (WHERE inside_own_area) AS inside_own_area,
       count(*) FILTER (WHERE NOT inside_own_area) AS outside
  FROM checked;
WITH documented(pz_code, reason) AS (
    VALUES ('PZ092', 'linked to source parent 7A3 Swansea Bay; the site lies in 7A5 Cwm Taf Morgannwg'),
           ('PZ248', 'Jersey: no ICB or LHB, and Jersey has no boundary'),
           ('PZ999', 'RCPCH office, not a clinical unit: no geography')
), outside AS (
    SELECT u.pz_code,
           (SELECT string_agg(a.code, ',' ORDER BY a.code)
              FROM (SELECT ods_code AS code, boundary FROM npda.integrated_care_board
                    UNION ALL SELECT ods_code, boundary FROM npda.local_health_board) AS a
             WHERE ST_Covers(a.boundary, u.location)) AS area_containing_location
      FROM npda.paediatric_diabetes_unit u
      LEFT JOIN npda.integrated_care_board i ON i.id = u.integrated_care_board_id
      LEFT JOIN npda.local_health_board l ON l.id = u.local_health_board_id
     WHERE u.location IS NOT NULL
       AND NOT coalesce(ST_Covers(coalesce(i.boundary, l.boundary), u.location), false)
)
SELECT coalesce(o.pz_code, d.pz_code) AS pz_code,
       o.pz_code IS NOT NULL AS outside_own_area,
       d.pz_code IS NOT NULL AS documented,
       o.area_containing_location,
       d.reason
  FROM outside o
  FULL JOIN documented d ON d.pz_code = o.pz_code
 ORDER BY 1;

-- the checks above, on the first day of every organisation release in force (here the seed alone;
-- test/sql/organisation_releases.sql adds releases and runs them again)
\set ECHO none
\i test/sql/include/geography_checks.psql
\set ECHO all

-- export works: GeoJSON of a point, of a feature with properties, and of a bounding box
SELECT ST_AsGeoJSON(location, 4) AS jersey_general_hospital
  FROM npda.paediatric_diabetes_unit WHERE pz_code = 'PZ248';
SELECT ST_AsGeoJSON(f.*, 'geom', 3) AS feature
  FROM (SELECT pz_code, name, location AS geom FROM npda.paediatric_diabetes_unit WHERE pz_code = 'PZ041') AS f;
SELECT ods_code, ST_AsGeoJSON(ST_Envelope(boundary), 2) AS bbox
  FROM npda.local_health_board WHERE ods_code = '7A7';

-- \d+ explains itself: every table, view and column of the geography part has a comment
SELECT r.relname AS relation, a.attname AS column_without_comment
  FROM pg_class r
  JOIN pg_attribute a ON a.attrelid = r.oid AND a.attnum > 0 AND NOT a.attisdropped
 WHERE r.relnamespace = 'npda'::regnamespace
   AND r.relname IN ('country', 'nhs_england_region', 'integrated_care_board', 'local_health_board', 'trust',
                     'paediatric_diabetes_network', 'organisation', 'paediatric_diabetes_unit', 'pdu_hierarchy',
                     'organisation_release_log', 'country_version', 'nhs_england_region_version',
                     'integrated_care_board_version', 'local_health_board_version', 'trust_version',
                     'paediatric_diabetes_network_version', 'paediatric_diabetes_unit_version')
   AND (col_description(r.oid, a.attnum) IS NULL OR obj_description(r.oid, 'pg_class') IS NULL)
 ORDER BY 1, 2;
SELECT count(*) AS relations_with_comment, sum(ncols) AS columns_with_comment
  FROM (SELECT r.oid, (SELECT count(*) FROM pg_attribute a
                        WHERE a.attrelid = r.oid AND a.attnum > 0 AND NOT a.attisdropped
                          AND col_description(r.oid, a.attnum) IS NOT NULL) AS ncols
          FROM pg_class r
         WHERE r.relnamespace = 'npda'::regnamespace
           AND r.relname IN ('country', 'nhs_england_region', 'integrated_care_board', 'local_health_board', 'trust',
                             'paediatric_diabetes_network', 'organisation', 'paediatric_diabetes_unit', 'pdu_hierarchy',
                             'organisation_release_log', 'country_version', 'nhs_england_region_version',
                             'integrated_care_board_version', 'local_health_board_version', 'trust_version',
                             'paediatric_diabetes_network_version', 'paediatric_diabetes_unit_version')
           AND obj_description(r.oid, 'pg_class') IS NOT NULL) AS x;

-- the hierarchy view: one row per PDU
SELECT count(*) AS rows, count(DISTINCT pz_code) AS pdus FROM npda.pdu_hierarchy;
SELECT pz_code, trust_ods_code, local_health_board_ods_code, integrated_care_board_ods_code,
       nhs_england_region_code, country_ons_code, paediatric_diabetes_network_code, is_active
  FROM npda.pdu_hierarchy
 WHERE pz_code IN ('PZ001', 'PZ041', 'PZ215')
 ORDER BY pz_code;
