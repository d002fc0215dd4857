-- Organisation releases: the organisation data in force on a date as one JSON
-- document (npda.organisation_release), and applying such a document as a new
-- release (npda.apply_organisation_release); the comments on the release log
-- and the version tables of migrations/1.2/20_geography_validity.sql; the
-- trigger that lets pg_restore merge the organisation data into a fresh
-- install. docs/geography.md ("Releases") explains the rules.
-- A current definition (sql/README.md): re-applied by every upgrade.
--
-- PostGIS may live in any schema, and every function here pins its
-- search_path to pg_catalog. The few functions that call PostGIS are
-- therefore SQL-standard bodies (BEGIN ATOMIC), whose names are resolved once,
-- when CREATE EXTENSION or ALTER EXTENSION UPDATE defines them with PostGIS on
-- the path; the PL/pgSQL code calls only them.

--------------------------------------------------------------------------------------------------
-- comments on the tables
--------------------------------------------------------------------------------------------------
COMMENT ON TABLE npda.organisation_release_log IS
  'One row per organisation release applied: the seeded data (id 1, effective 2020-04-01) and each later release that changed something (npda.apply_organisation_release). Versions name the release that wrote them (release_id). Kept by pg_dump.';
COMMENT ON COLUMN npda.organisation_release_log.id IS 'Release number (identity); the seed is 1.';
COMMENT ON COLUMN npda.organisation_release_log.effective_from IS 'First day the release is in force; never before an earlier release''s. A release with the same date as the last one corrects it.';
COMMENT ON COLUMN npda.organisation_release_log.applied_at IS 'When the release was applied; NULL for the seed.';
COMMENT ON COLUMN npda.organisation_release_log.applied_by IS 'Database user who applied it; NULL for the seed.';
COMMENT ON COLUMN npda.organisation_release_log.summary IS 'What the release changed, as returned by npda.apply_organisation_release (added, ended, renamed, relinked, boundary_changed, ons_code_changed: codes per list; audit_years_to_refresh).';

COMMENT ON TABLE npda.country_version IS
  'Versions of each country: its name and boundary from valid_from to valid_to (inclusive; NULL = still in force). Written by organisation releases; see npda.organisation_release_log.';
COMMENT ON COLUMN npda.country_version.id IS 'Surrogate key (identity).';
COMMENT ON COLUMN npda.country_version.country_id IS 'The country (npda.country.id; its ons_code is the code).';
COMMENT ON COLUMN npda.country_version.valid_from IS 'First day this version is in force.';
COMMENT ON COLUMN npda.country_version.valid_to IS 'Last day this version is in force; NULL while it still is. The day before valid_from: withdrawn by a correcting release of the same date, never in force.';
COMMENT ON COLUMN npda.country_version.release_id IS 'The release that wrote the version (npda.organisation_release_log.id).';
COMMENT ON COLUMN npda.country_version.name IS 'Country name in force.';
COMMENT ON COLUMN npda.country_version.boundary IS 'Boundary in force, SRID 4326 valid MultiPolygon; NULL for Jersey.';

COMMENT ON TABLE npda.nhs_england_region_version IS
  'Versions of each NHS England region: ONS code, name, country and boundary from valid_from to valid_to (inclusive; NULL = still in force).';
COMMENT ON COLUMN npda.nhs_england_region_version.id IS 'Surrogate key (identity).';
COMMENT ON COLUMN npda.nhs_england_region_version.nhs_england_region_id IS 'The region (npda.nhs_england_region.id; its region_code is the code).';
COMMENT ON COLUMN npda.nhs_england_region_version.valid_from IS 'First day this version is in force.';
COMMENT ON COLUMN npda.nhs_england_region_version.valid_to IS 'Last day this version is in force; NULL while it still is. The day before valid_from: withdrawn by a correcting release of the same date, never in force.';
COMMENT ON COLUMN npda.nhs_england_region_version.release_id IS 'The release that wrote the version (npda.organisation_release_log.id).';
COMMENT ON COLUMN npda.nhs_england_region_version.ons_code IS 'ONS GSS code of the region in force (E40...).';
COMMENT ON COLUMN npda.nhs_england_region_version.name IS 'Region name in force.';
COMMENT ON COLUMN npda.nhs_england_region_version.country_id IS 'Country the region belongs to (England).';
COMMENT ON COLUMN npda.nhs_england_region_version.boundary IS 'Boundary in force, SRID 4326 valid MultiPolygon.';

COMMENT ON TABLE npda.integrated_care_board_version IS
  'Versions of each integrated care board: ONS code, name, NHS England region and boundary from valid_from to valid_to (inclusive; NULL = still in force). A merger ends the merged boards and adds the new one.';
COMMENT ON COLUMN npda.integrated_care_board_version.id IS 'Surrogate key (identity).';
COMMENT ON COLUMN npda.integrated_care_board_version.integrated_care_board_id IS 'The ICB (npda.integrated_care_board.id; its ods_code is the code).';
COMMENT ON COLUMN npda.integrated_care_board_version.valid_from IS 'First day this version is in force.';
COMMENT ON COLUMN npda.integrated_care_board_version.valid_to IS 'Last day this version is in force; NULL while it still is. The day before valid_from: withdrawn by a correcting release of the same date, never in force.';
COMMENT ON COLUMN npda.integrated_care_board_version.release_id IS 'The release that wrote the version (npda.organisation_release_log.id).';
COMMENT ON COLUMN npda.integrated_care_board_version.ons_code IS 'ONS GSS code of the ICB in force (E54...).';
COMMENT ON COLUMN npda.integrated_care_board_version.name IS 'ICB name in force (ODS style).';
COMMENT ON COLUMN npda.integrated_care_board_version.nhs_england_region_id IS 'NHS England region the ICB belongs to.';
COMMENT ON COLUMN npda.integrated_care_board_version.boundary IS 'Boundary in force, SRID 4326 valid MultiPolygon.';

COMMENT ON TABLE npda.local_health_board_version IS
  'Versions of each Welsh local health board: ONS code, name, country and boundary from valid_from to valid_to (inclusive; NULL = still in force).';
COMMENT ON COLUMN npda.local_health_board_version.id IS 'Surrogate key (identity).';
COMMENT ON COLUMN npda.local_health_board_version.local_health_board_id IS 'The LHB (npda.local_health_board.id; its ods_code is the code).';
COMMENT ON COLUMN npda.local_health_board_version.valid_from IS 'First day this version is in force.';
COMMENT ON COLUMN npda.local_health_board_version.valid_to IS 'Last day this version is in force; NULL while it still is. The day before valid_from: withdrawn by a correcting release of the same date, never in force.';
COMMENT ON COLUMN npda.local_health_board_version.release_id IS 'The release that wrote the version (npda.organisation_release_log.id).';
COMMENT ON COLUMN npda.local_health_board_version.ons_code IS 'ONS GSS code of the LHB in force (W11...).';
COMMENT ON COLUMN npda.local_health_board_version.name IS 'LHB name in force (ODS style).';
COMMENT ON COLUMN npda.local_health_board_version.country_id IS 'Country of the LHB (Wales).';
COMMENT ON COLUMN npda.local_health_board_version.boundary IS 'Boundary in force, SRID 4326 valid MultiPolygon.';

COMMENT ON TABLE npda.paediatric_diabetes_network_version IS
  'Versions of each paediatric diabetes network: its name from valid_from to valid_to (inclusive; NULL = still in force).';
COMMENT ON COLUMN npda.paediatric_diabetes_network_version.id IS 'Surrogate key (identity).';
COMMENT ON COLUMN npda.paediatric_diabetes_network_version.paediatric_diabetes_network_id IS 'The network (npda.paediatric_diabetes_network.id; its pn_code is the code).';
COMMENT ON COLUMN npda.paediatric_diabetes_network_version.valid_from IS 'First day this version is in force.';
COMMENT ON COLUMN npda.paediatric_diabetes_network_version.valid_to IS 'Last day this version is in force; NULL while it still is. The day before valid_from: withdrawn by a correcting release of the same date, never in force.';
COMMENT ON COLUMN npda.paediatric_diabetes_network_version.release_id IS 'The release that wrote the version (npda.organisation_release_log.id).';
COMMENT ON COLUMN npda.paediatric_diabetes_network_version.name IS 'Network name in force.';

COMMENT ON TABLE npda.trust_version IS
  'Versions of each NHS trust: name, ICB and country from valid_from to valid_to (inclusive; NULL = still in force). The trust''s ICB is its own administrative link; a PDU rolls up through its own ICB (npda.paediatric_diabetes_unit_version).';
COMMENT ON COLUMN npda.trust_version.id IS 'Surrogate key (identity).';
COMMENT ON COLUMN npda.trust_version.trust_id IS 'The trust (npda.trust.id; its ods_code is the code).';
COMMENT ON COLUMN npda.trust_version.valid_from IS 'First day this version is in force.';
COMMENT ON COLUMN npda.trust_version.valid_to IS 'Last day this version is in force; NULL while it still is. The day before valid_from: withdrawn by a correcting release of the same date, never in force.';
COMMENT ON COLUMN npda.trust_version.release_id IS 'The release that wrote the version (npda.organisation_release_log.id).';
COMMENT ON COLUMN npda.trust_version.name IS 'Trust name in force (ODS style).';
COMMENT ON COLUMN npda.trust_version.integrated_care_board_id IS 'The trust''s ICB in force (the RCPCH trust map''s); NULL for trusts it does not name. Not used to place a PDU.';
COMMENT ON COLUMN npda.trust_version.country_id IS 'Country of the trust (England or Wales).';

COMMENT ON TABLE npda.paediatric_diabetes_unit_version IS
  'Versions of each PDU: name and the areas it rolls up to (trust or LHB, its own ICB, country, network) from valid_from to valid_to (inclusive; NULL = still in force). The region is its ICB''s. npda.pdu_hierarchy_at(date) reads them.';
COMMENT ON COLUMN npda.paediatric_diabetes_unit_version.id IS 'Surrogate key (identity).';
COMMENT ON COLUMN npda.paediatric_diabetes_unit_version.paediatric_diabetes_unit_id IS 'The PDU (npda.paediatric_diabetes_unit.id; its pz_code is the code).';
COMMENT ON COLUMN npda.paediatric_diabetes_unit_version.valid_from IS 'First day this version is in force.';
COMMENT ON COLUMN npda.paediatric_diabetes_unit_version.valid_to IS 'Last day this version is in force; NULL while it still is. The day before valid_from: withdrawn by a correcting release of the same date, never in force.';
COMMENT ON COLUMN npda.paediatric_diabetes_unit_version.release_id IS 'The release that wrote the version (npda.organisation_release_log.id).';
COMMENT ON COLUMN npda.paediatric_diabetes_unit_version.name IS 'PDU name in force.';
COMMENT ON COLUMN npda.paediatric_diabetes_unit_version.trust_id IS 'Parent trust (England); NULL in Wales, Jersey and for PZ999.';
COMMENT ON COLUMN npda.paediatric_diabetes_unit_version.local_health_board_id IS 'Parent LHB (Wales); NULL elsewhere.';
COMMENT ON COLUMN npda.paediatric_diabetes_unit_version.integrated_care_board_id IS 'The PDU''s own ICB (England): the one containing its lead site, or its trust''s where it has no location.';
COMMENT ON COLUMN npda.paediatric_diabetes_unit_version.country_id IS 'Country (England, Wales, Jersey); NULL for PZ999.';
COMMENT ON COLUMN npda.paediatric_diabetes_unit_version.paediatric_diabetes_network_id IS 'Paediatric diabetes network; NULL for PZ206 and PZ999.';

--------------------------------------------------------------------------------------------------
-- pg_restore: the dumped organisation rows merge into the ones CREATE EXTENSION seeds
--------------------------------------------------------------------------------------------------
CREATE OR REPLACE FUNCTION npda._organisation_restore_row() RETURNS trigger
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  seeded boolean;
  assignments text;
BEGIN
  -- A row with a new id is an ordinary insert (a release adding a code).
  EXECUTE format('SELECT EXISTS (SELECT FROM %I.%I WHERE id = $1)', TG_TABLE_SCHEMA, TG_TABLE_NAME)
     INTO STRICT seeded USING NEW.id;
  IF NOT seeded THEN
    RETURN NEW;
  END IF;
  -- The same id again can only come from pg_restore (identity ids are never
  -- given by hand): the dumped row replaces the seeded one.
  SELECT string_agg(format('%I = ($1).%I', a.attname, a.attname), ', ' ORDER BY a.attnum)
    INTO assignments
    FROM pg_catalog.pg_attribute a
   WHERE a.attrelid = TG_RELID AND a.attnum > 0 AND NOT a.attisdropped AND a.attname <> 'id';
  EXECUTE format('UPDATE %I.%I SET %s WHERE id = ($1).id', TG_TABLE_SCHEMA, TG_TABLE_NAME, assignments) USING NEW;
  RETURN NULL;
END
$$;
COMMENT ON FUNCTION npda._organisation_restore_row() IS
  'Trigger: an insert of an organisation row whose id exists already (pg_restore of a dump, after CREATE EXTENSION has seeded the row) updates the existing row instead, so a restore keeps what releases changed.';
CREATE OR REPLACE TRIGGER organisation_release_log_restore_row BEFORE INSERT ON npda.organisation_release_log
  FOR EACH ROW EXECUTE FUNCTION npda._organisation_restore_row();
CREATE OR REPLACE TRIGGER country_restore_row BEFORE INSERT ON npda.country
  FOR EACH ROW EXECUTE FUNCTION npda._organisation_restore_row();
CREATE OR REPLACE TRIGGER country_version_restore_row BEFORE INSERT ON npda.country_version
  FOR EACH ROW EXECUTE FUNCTION npda._organisation_restore_row();
CREATE OR REPLACE TRIGGER nhs_england_region_restore_row BEFORE INSERT ON npda.nhs_england_region
  FOR EACH ROW EXECUTE FUNCTION npda._organisation_restore_row();
CREATE OR REPLACE TRIGGER nhs_england_region_version_restore_row BEFORE INSERT ON npda.nhs_england_region_version
  FOR EACH ROW EXECUTE FUNCTION npda._organisation_restore_row();
CREATE OR REPLACE TRIGGER integrated_care_board_restore_row BEFORE INSERT ON npda.integrated_care_board
  FOR EACH ROW EXECUTE FUNCTION npda._organisation_restore_row();
CREATE OR REPLACE TRIGGER integrated_care_board_version_restore_row BEFORE INSERT ON npda.integrated_care_board_version
  FOR EACH ROW EXECUTE FUNCTION npda._organisation_restore_row();
CREATE OR REPLACE TRIGGER local_health_board_restore_row BEFORE INSERT ON npda.local_health_board
  FOR EACH ROW EXECUTE FUNCTION npda._organisation_restore_row();
CREATE OR REPLACE TRIGGER local_health_board_version_restore_row BEFORE INSERT ON npda.local_health_board_version
  FOR EACH ROW EXECUTE FUNCTION npda._organisation_restore_row();
CREATE OR REPLACE TRIGGER paediatric_diabetes_network_restore_row BEFORE INSERT ON npda.paediatric_diabetes_network
  FOR EACH ROW EXECUTE FUNCTION npda._organisation_restore_row();
CREATE OR REPLACE TRIGGER paediatric_diabetes_network_version_restore_row BEFORE INSERT ON npda.paediatric_diabetes_network_version
  FOR EACH ROW EXECUTE FUNCTION npda._organisation_restore_row();
CREATE OR REPLACE TRIGGER trust_restore_row BEFORE INSERT ON npda.trust
  FOR EACH ROW EXECUTE FUNCTION npda._organisation_restore_row();
CREATE OR REPLACE TRIGGER trust_version_restore_row BEFORE INSERT ON npda.trust_version
  FOR EACH ROW EXECUTE FUNCTION npda._organisation_restore_row();
CREATE OR REPLACE TRIGGER paediatric_diabetes_unit_restore_row BEFORE INSERT ON npda.paediatric_diabetes_unit
  FOR EACH ROW EXECUTE FUNCTION npda._organisation_restore_row();
CREATE OR REPLACE TRIGGER paediatric_diabetes_unit_version_restore_row BEFORE INSERT ON npda.paediatric_diabetes_unit_version
  FOR EACH ROW EXECUTE FUNCTION npda._organisation_restore_row();

--------------------------------------------------------------------------------------------------
-- boundaries (the only PostGIS calls: names bound when these are defined)
--------------------------------------------------------------------------------------------------
CREATE OR REPLACE FUNCTION npda._boundary_geojson(boundary geometry) RETURNS jsonb
  LANGUAGE sql IMMUTABLE PARALLEL SAFE
  SET search_path = pg_catalog, pg_temp
  BEGIN ATOMIC
    SELECT ST_AsGeoJSON(boundary, 9)::jsonb;
  END;
COMMENT ON FUNCTION npda._boundary_geojson(geometry) IS
  'Internal: a boundary as the GeoJSON geometry of a release document (9 decimal places, about 0.1 mm; NULL for NULL). A boundary stored by a release is the parse of exactly this text, so export and re-import agree.';
CREATE OR REPLACE FUNCTION npda._boundary_from_geojson(geojson jsonb) RETURNS geometry
  LANGUAGE sql IMMUTABLE PARALLEL SAFE
  SET search_path = pg_catalog, pg_temp
  BEGIN ATOMIC
    SELECT ST_GeomFromGeoJSON(geojson::text);
  END;
COMMENT ON FUNCTION npda._boundary_from_geojson(jsonb) IS
  'Internal: parse a GeoJSON geometry (PostGIS ST_GeomFromGeoJSON: SRID 4326 unless the geometry names another crs); raises on malformed GeoJSON.';
CREATE OR REPLACE FUNCTION npda._boundary_stored(boundary geometry) RETURNS geometry
  LANGUAGE sql IMMUTABLE PARALLEL SAFE
  SET search_path = pg_catalog, pg_temp
  BEGIN ATOMIC
    SELECT ST_GeomFromGeoJSON(ST_AsGeoJSON(ST_Multi(boundary), 9));
  END;
COMMENT ON FUNCTION npda._boundary_stored(geometry) IS
  'Internal: the boundary as a release stores it: a MultiPolygon with coordinates rounded to 9 decimal places (npda._boundary_geojson).';
CREATE OR REPLACE FUNCTION npda._boundary_problem(boundary geometry) RETURNS text
  LANGUAGE sql IMMUTABLE PARALLEL SAFE
  SET search_path = pg_catalog, pg_temp
  BEGIN ATOMIC
    SELECT CASE
             WHEN ST_SRID(boundary) <> 4326 THEN
               format('has SRID %s, not 4326 (longitude and latitude in degrees)', ST_SRID(boundary))
             WHEN GeometryType(boundary) NOT IN ('POLYGON', 'MULTIPOLYGON') THEN
               format('is a %s, not a Polygon or MultiPolygon', GeometryType(boundary))
             WHEN ST_IsEmpty(boundary) THEN 'is empty'
             WHEN ST_XMin(boundary) < -180 OR ST_XMax(boundary) > 180 OR ST_YMin(boundary) < -90 OR ST_YMax(boundary) > 90 THEN
               'has coordinates outside longitude -180..180 and latitude -90..90: it is not in SRID 4326'
             WHEN NOT ST_IsValid(ST_GeomFromGeoJSON(ST_AsGeoJSON(ST_Multi(boundary), 9))) THEN
               'is not a valid polygon: ' || ST_IsValidReason(ST_GeomFromGeoJSON(ST_AsGeoJSON(ST_Multi(boundary), 9)))
           END;
  END;
COMMENT ON FUNCTION npda._boundary_problem(geometry) IS
  'Internal: why a boundary cannot be stored (not SRID 4326, not a Polygon or MultiPolygon, empty, coordinates out of range, or invalid once stored), or NULL when it can.';
CREATE OR REPLACE FUNCTION npda._boundary_label_point(boundary geometry) RETURNS geometry
  LANGUAGE sql IMMUTABLE PARALLEL SAFE
  SET search_path = pg_catalog, pg_temp
  BEGIN ATOMIC
    SELECT ST_PointOnSurface(boundary);
  END;
COMMENT ON FUNCTION npda._boundary_label_point(geometry) IS
  'Internal: a label point for an area a release adds (a point inside its boundary; NULL without one).';

--------------------------------------------------------------------------------------------------
-- an organisation's span of validity, from its versions
--------------------------------------------------------------------------------------------------
CREATE OR REPLACE FUNCTION npda._validity_span(version_from date[], version_to date[],
                                               OUT valid_from date, OUT valid_to date)
  LANGUAGE sql IMMUTABLE PARALLEL SAFE
  SET search_path = pg_catalog, pg_temp
  BEGIN ATOMIC
    -- From the first version that is in force at all (a version whose end
    -- precedes its start was withdrawn before it took effect); open while any
    -- version is, else to the last end. An organisation with only withdrawn
    -- versions ends the day before it would have started.
    SELECT coalesce(min(v.f) FILTER (WHERE v.t IS NULL OR v.t >= v.f), min(v.f)),
           CASE WHEN bool_or(v.t IS NULL) THEN NULL
                ELSE coalesce(max(v.t) FILTER (WHERE v.t >= v.f), min(v.f) - 1) END
      FROM unnest(version_from, version_to) AS v(f, t);
  END;
COMMENT ON FUNCTION npda._validity_span(date[], date[]) IS
  'Internal: the days an organisation is in force (valid_from, valid_to; NULL valid_to while it is), from the valid_from and valid_to of its versions (one element each): from the first version in force to the last, ignoring versions withdrawn before they took effect. npda.apply_organisation_release writes it into each organisation row.';

--------------------------------------------------------------------------------------------------
-- the lists of a release document
--------------------------------------------------------------------------------------------------
CREATE OR REPLACE FUNCTION npda._organisation_lists()
  RETURNS TABLE (list text, list_order integer, code_pattern text, ons_code_pattern text, parents jsonb,
                 required_parents text[], has_boundary boolean, fields text[])
  LANGUAGE sql IMMUTABLE PARALLEL SAFE
  SET search_path = pg_catalog, pg_temp
  BEGIN ATOMIC
    SELECT v.list, v.list_order, v.code_pattern, v.ons_code_pattern, v.parents, v.required_parents, v.has_boundary,
           ARRAY['code', 'name']
             || CASE WHEN v.ons_code_pattern IS NULL THEN '{}'::text[] ELSE ARRAY['ons_code'] END
             || ARRAY(SELECT jsonb_object_keys(v.parents))
             || CASE WHEN v.has_boundary THEN ARRAY['boundary'] ELSE '{}'::text[] END
      FROM (VALUES
        ('countries', 1, '^[ENSW]92[0-9]{6}$', NULL, '{}'::jsonb, '{}'::text[], true),
        ('nhs_england_regions', 2, '^Y[0-9]{2}$', '^E40[0-9]{6}$', '{"country": "countries"}', '{country}', true),
        ('integrated_care_boards', 3, '^Q[A-Z0-9]{2}$', '^E54[0-9]{6}$',
         '{"nhs_england_region": "nhs_england_regions"}', '{nhs_england_region}', true),
        ('local_health_boards', 4, '^7A[0-9]$', '^W11[0-9]{6}$', '{"country": "countries"}', '{country}', true),
        ('paediatric_diabetes_networks', 5, '^PN[0-9]{2}$', NULL, '{}', '{}', false),
        ('trusts', 6, '^[A-Z0-9]{3}$', NULL,
         '{"integrated_care_board": "integrated_care_boards", "country": "countries"}', '{country}', false),
        ('paediatric_diabetes_units', 7, '^PZ[0-9]{3}$', NULL,
         '{"trust": "trusts", "local_health_board": "local_health_boards", "integrated_care_board": "integrated_care_boards", "country": "countries", "paediatric_diabetes_network": "paediatric_diabetes_networks"}',
         '{}', false)
      ) AS v(list, list_order, code_pattern, ons_code_pattern, parents, required_parents, has_boundary);
  END;
COMMENT ON FUNCTION npda._organisation_lists() IS
  'Internal: the seven lists of a release document in the order they are applied (parents first), with each list''s code pattern, ONS code pattern, parent fields (field -> list), required parents, whether it has a boundary, and its fields.';

-- Every object in force on a day, as a release document writes it: every field
-- of its list present, NULL where empty.
CREATE OR REPLACE FUNCTION npda._organisation_objects(as_of date)
  RETURNS TABLE (list text, code text, object jsonb)
  LANGUAGE sql STABLE
  SET search_path = pg_catalog, pg_temp
  BEGIN ATOMIC
    SELECT 'countries', c.ons_code,
           jsonb_build_object('code', c.ons_code, 'name', v.name, 'boundary', npda._boundary_geojson(v.boundary))
      FROM npda.country_version v JOIN npda.country c ON c.id = v.country_id
     WHERE v.valid_from <= as_of AND (v.valid_to IS NULL OR v.valid_to >= as_of)
    UNION ALL
    SELECT 'nhs_england_regions', r.region_code,
           jsonb_build_object('code', r.region_code, 'ons_code', v.ons_code, 'name', v.name, 'country', c.ons_code,
                              'boundary', npda._boundary_geojson(v.boundary))
      FROM npda.nhs_england_region_version v JOIN npda.nhs_england_region r ON r.id = v.nhs_england_region_id
      JOIN npda.country c ON c.id = v.country_id
     WHERE v.valid_from <= as_of AND (v.valid_to IS NULL OR v.valid_to >= as_of)
    UNION ALL
    SELECT 'integrated_care_boards', i.ods_code,
           jsonb_build_object('code', i.ods_code, 'ons_code', v.ons_code, 'name', v.name,
                              'nhs_england_region', r.region_code, 'boundary', npda._boundary_geojson(v.boundary))
      FROM npda.integrated_care_board_version v JOIN npda.integrated_care_board i ON i.id = v.integrated_care_board_id
      JOIN npda.nhs_england_region r ON r.id = v.nhs_england_region_id
     WHERE v.valid_from <= as_of AND (v.valid_to IS NULL OR v.valid_to >= as_of)
    UNION ALL
    SELECT 'local_health_boards', l.ods_code,
           jsonb_build_object('code', l.ods_code, 'ons_code', v.ons_code, 'name', v.name, 'country', c.ons_code,
                              'boundary', npda._boundary_geojson(v.boundary))
      FROM npda.local_health_board_version v JOIN npda.local_health_board l ON l.id = v.local_health_board_id
      JOIN npda.country c ON c.id = v.country_id
     WHERE v.valid_from <= as_of AND (v.valid_to IS NULL OR v.valid_to >= as_of)
    UNION ALL
    SELECT 'paediatric_diabetes_networks', n.pn_code, jsonb_build_object('code', n.pn_code, 'name', v.name)
      FROM npda.paediatric_diabetes_network_version v
      JOIN npda.paediatric_diabetes_network n ON n.id = v.paediatric_diabetes_network_id
     WHERE v.valid_from <= as_of AND (v.valid_to IS NULL OR v.valid_to >= as_of)
    UNION ALL
    SELECT 'trusts', t.ods_code,
           jsonb_build_object('code', t.ods_code, 'name', v.name, 'integrated_care_board', i.ods_code, 'country', c.ons_code)
      FROM npda.trust_version v JOIN npda.trust t ON t.id = v.trust_id
      LEFT JOIN npda.integrated_care_board i ON i.id = v.integrated_care_board_id
      JOIN npda.country c ON c.id = v.country_id
     WHERE v.valid_from <= as_of AND (v.valid_to IS NULL OR v.valid_to >= as_of)
    UNION ALL
    SELECT 'paediatric_diabetes_units', u.pz_code,
           jsonb_build_object('code', u.pz_code, 'name', v.name, 'trust', t.ods_code, 'local_health_board', l.ods_code,
                              'integrated_care_board', i.ods_code, 'country', c.ons_code,
                              'paediatric_diabetes_network', n.pn_code)
      FROM npda.paediatric_diabetes_unit_version v JOIN npda.paediatric_diabetes_unit u ON u.id = v.paediatric_diabetes_unit_id
      LEFT JOIN npda.trust t ON t.id = v.trust_id
      LEFT JOIN npda.local_health_board l ON l.id = v.local_health_board_id
      LEFT JOIN npda.integrated_care_board i ON i.id = v.integrated_care_board_id
      LEFT JOIN npda.country c ON c.id = v.country_id
      LEFT JOIN npda.paediatric_diabetes_network n ON n.id = v.paediatric_diabetes_network_id
     WHERE v.valid_from <= as_of AND (v.valid_to IS NULL OR v.valid_to >= as_of);
  END;
COMMENT ON FUNCTION npda._organisation_objects(date) IS
  'Internal: every organisation and area in force on a date as (list, code, object), the object as npda.organisation_release writes it.';

--------------------------------------------------------------------------------------------------
-- export
--------------------------------------------------------------------------------------------------
CREATE OR REPLACE FUNCTION npda.organisation_release(as_of date DEFAULT current_date) RETURNS jsonb
  LANGUAGE sql STABLE
  SET search_path = pg_catalog, pg_temp
  BEGIN ATOMIC
    SELECT jsonb_object_agg(l.list, coalesce(
             (SELECT jsonb_agg(o.object ORDER BY o.code) FROM npda._organisation_objects(as_of) o WHERE o.list = l.list),
             '[]'::jsonb))
      FROM npda._organisation_lists() l;
  END;
COMMENT ON FUNCTION npda.organisation_release(date) IS
  'The organisation data in force on a date (default today) as one release document: keys paediatric_diabetes_units, trusts, local_health_boards, integrated_care_boards, nhs_england_regions, countries, paediatric_diabetes_networks, each an array ordered by code of objects with code (PZ, ODS, region or ONS code), name, ons_code (regions, ICBs, LHBs), the parents'' codes under the parent table''s name (e.g. "integrated_care_board": "QUE"; null where none) and, for areas with a boundary, boundary as a GeoJSON geometry. npda.apply_organisation_release takes the same shape.';

--------------------------------------------------------------------------------------------------
-- apply
--------------------------------------------------------------------------------------------------
CREATE OR REPLACE FUNCTION npda._refuse_organisation_release(sqlstate text, problem text, hint text) RETURNS void
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp AS $$
BEGIN
  RAISE EXCEPTION USING ERRCODE = sqlstate, MESSAGE = 'organisation release refused: ' || problem,
    DETAIL = 'A release is applied whole or not at all: nothing was changed.', HINT = hint;
END
$$;
COMMENT ON FUNCTION npda._refuse_organisation_release(text, text, text) IS
  'Internal: raise the error that refuses a release document (SQLSTATE NP301-NP306, docs/error-codes.md).';

CREATE OR REPLACE FUNCTION npda.apply_organisation_release(release jsonb, effective_from date) RETURNS jsonb
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  last_from date;
  lst record;
  el record;
  what text;                     -- how an error names the object: trusts "RVR" or trusts[5]
  k text;
  b jsonb;
  g_problem text;
  n_objects integer;
  n_changes integer;
  release_id bigint;
  marked jsonb;
  outcome jsonb;
BEGIN
  IF release IS NULL OR effective_from IS NULL OR NOT isfinite(effective_from) THEN
    RAISE EXCEPTION USING ERRCODE = 'NP105',
      MESSAGE = 'npda.apply_organisation_release needs a release document and a finite effective_from date';
  END IF;
  -- One release at a time; the checks below read what the last one left.
  LOCK TABLE npda.organisation_release_log IN SHARE ROW EXCLUSIVE MODE;
  SELECT max(r.effective_from) INTO last_from FROM npda.organisation_release_log r;
  IF effective_from < last_from THEN
    PERFORM npda._refuse_organisation_release('NP306',
      format('effective_from %s is before the last release, which took effect on %s',
             to_char(effective_from, 'YYYY-MM-DD'), to_char(last_from, 'YYYY-MM-DD')),
      'Releases take effect in order. A correction of the last release takes effect on the same day or later.');
  END IF;

  -- The release's objects (normalised as the export writes them) and what
  -- changes, for the statements below; dropped at the end of the transaction.
  IF to_regclass('pg_temp.npda_release_object') IS NULL THEN
    CREATE TEMP TABLE npda_release_object (list text, list_order integer, pos integer, code text, object jsonb)
      ON COMMIT DROP;
    CREATE TEMP TABLE npda_release_change (list text, code text, old jsonb, new jsonb) ON COMMIT DROP;
  ELSE
    TRUNCATE pg_temp.npda_release_object, pg_temp.npda_release_change;
  END IF;

  -- 1. The shape: an object with the seven lists, each an array of objects
  --    holding only their list's fields, with values of the right type.
  IF jsonb_typeof(release) <> 'object' THEN
    PERFORM npda._refuse_organisation_release('NP301',
      format('the release document is a JSON %s, not an object', jsonb_typeof(release)),
      'A release is an object whose keys are the seven lists of npda.organisation_release().');
  END IF;
  SELECT key INTO k FROM jsonb_object_keys(release) AS key
   WHERE key NOT IN (SELECT ol.list FROM npda._organisation_lists() ol) ORDER BY key LIMIT 1;
  IF k IS NOT NULL THEN
    PERFORM npda._refuse_organisation_release('NP301', format('unknown key "%s" in the release document', k),
      'The keys are paediatric_diabetes_units, trusts, local_health_boards, integrated_care_boards, nhs_england_regions, countries and paediatric_diabetes_networks.');
  END IF;
  FOR lst IN SELECT * FROM npda._organisation_lists() ORDER BY list_order LOOP
    IF NOT release ? lst.list THEN
      PERFORM npda._refuse_organisation_release('NP301', format('the release document has no "%s"', lst.list),
        'A release is complete: every list is given, with every code in force (a code left out ends).');
    ELSIF jsonb_typeof(release -> lst.list) <> 'array' THEN
      PERFORM npda._refuse_organisation_release('NP301',
        format('"%s" is a JSON %s, not an array', lst.list, jsonb_typeof(release -> lst.list)),
        'Each list is an array of objects.');
    END IF;
    FOR el IN SELECT x.obj, x.pos::integer AS pos FROM jsonb_array_elements(release -> lst.list) WITH ORDINALITY AS x(obj, pos)
              ORDER BY x.pos LOOP
      what := format('%s[%s]', lst.list, el.pos - 1);
      IF jsonb_typeof(el.obj) <> 'object' THEN
        PERFORM npda._refuse_organisation_release('NP301', format('%s is a JSON %s, not an object', what, jsonb_typeof(el.obj)),
          'Each element of a list is an object such as {"code": ..., "name": ...}.');
      END IF;
      IF jsonb_typeof(el.obj -> 'code') = 'string' THEN
        what := format('%s "%s"', lst.list, el.obj ->> 'code');
      END IF;
      SELECT key INTO k FROM jsonb_object_keys(el.obj) AS key WHERE key <> ALL (lst.fields) ORDER BY key LIMIT 1;
      IF k IS NOT NULL THEN
        PERFORM npda._refuse_organisation_release('NP301', format('%s has an unknown field "%s"', what, k),
          format('The fields of %s are: %s.', lst.list, array_to_string(lst.fields, ', ')));
      END IF;
      FOREACH k IN ARRAY lst.fields LOOP
        IF k IN ('code', 'name') OR (k = 'ons_code') THEN
          IF jsonb_typeof(el.obj -> k) IS DISTINCT FROM 'string' THEN
            PERFORM npda._refuse_organisation_release('NP301',
              format('%s: field "%s" is %s, not a string', what, k, coalesce('a JSON ' || jsonb_typeof(el.obj -> k), 'missing')),
              format('Every object of %s has a %s (a string).', lst.list, k));
          ELSIF btrim(el.obj ->> k) = '' THEN
            PERFORM npda._refuse_organisation_release('NP301', format('%s: field "%s" is empty', what, k),
              format('Every object of %s has a %s.', lst.list, k));
          END IF;
        ELSIF k = 'boundary' THEN
          IF coalesce(jsonb_typeof(el.obj -> k), 'null') NOT IN ('object', 'null') THEN
            PERFORM npda._refuse_organisation_release('NP301',
              format('%s: field "boundary" is a JSON %s, not a GeoJSON geometry object', what, jsonb_typeof(el.obj -> k)),
              'A boundary is a GeoJSON geometry object (Polygon or MultiPolygon) or null.');
          END IF;
        ELSIF coalesce(jsonb_typeof(el.obj -> k), 'null') NOT IN ('string', 'null') THEN
          PERFORM npda._refuse_organisation_release('NP301',
            format('%s: field "%s" is a JSON %s, not a code', what, k, jsonb_typeof(el.obj -> k)),
            'A parent is given by its code (a string), or null.');
        END IF;
      END LOOP;
      -- The codes: the list's pattern.
      IF (el.obj ->> 'code') !~ lst.code_pattern THEN
        PERFORM npda._refuse_organisation_release('NP302',
          format('%s: field "code" is not a code of %s (pattern %s)', what, lst.list, lst.code_pattern),
          'Codes are written as the NHS and ONS publish them, e.g. PZ041, RGT, QUE, 7A1, Y61, E92000001, PN01.');
      END IF;
      IF lst.ons_code_pattern IS NOT NULL AND (el.obj ->> 'ons_code') !~ lst.ons_code_pattern THEN
        PERFORM npda._refuse_organisation_release('NP302',
          format('%s: field "ons_code" "%s" is not an ONS code of %s (pattern %s)', what, el.obj ->> 'ons_code', lst.list, lst.ons_code_pattern),
          'ONS codes are nine characters, e.g. E54000056 for an ICB.');
      END IF;
      -- The boundary: valid GeoJSON, SRID 4326, a (Multi)Polygon, valid once stored.
      b := NULL;
      IF lst.has_boundary AND jsonb_typeof(el.obj -> 'boundary') = 'object' THEN
        BEGIN
          b := npda._boundary_geojson(npda._boundary_stored(npda._boundary_from_geojson(el.obj -> 'boundary')));
          g_problem := npda._boundary_problem(npda._boundary_from_geojson(el.obj -> 'boundary'));
        EXCEPTION WHEN OTHERS THEN
          g_problem := 'is not a GeoJSON geometry (' || SQLERRM || ')';
        END;
        IF g_problem IS NOT NULL THEN
          PERFORM npda._refuse_organisation_release('NP305', format('%s: field "boundary" %s', what, g_problem),
            'A boundary is a valid GeoJSON Polygon or MultiPolygon in longitude and latitude (SRID 4326), without a crs member or with EPSG:4326.');
        END IF;
      END IF;
      INSERT INTO pg_temp.npda_release_object (list, list_order, pos, code, object)
      SELECT lst.list, lst.list_order, el.pos - 1, el.obj ->> 'code',
             jsonb_object_agg(f, CASE WHEN f = 'boundary' THEN coalesce(b, 'null'::jsonb)
                                      ELSE coalesce(el.obj -> f, 'null'::jsonb) END)
        FROM unnest(lst.fields) AS f;
    END LOOP;
  END LOOP;
  ANALYZE pg_temp.npda_release_object;

  -- 2. Each code (and ONS code) once per list, and ONS codes not taken by another area.
  SELECT format('%s "%s"', o.list, o.code) INTO what
    FROM pg_temp.npda_release_object o
   GROUP BY o.list, o.code HAVING count(*) > 1
   ORDER BY min(o.pos) LIMIT 1;
  IF what IS NOT NULL THEN
    PERFORM npda._refuse_organisation_release('NP302', format('%s: field "code" appears more than once', what),
      'Each code appears once in its list.');
  END IF;
  SELECT format('%s "%s" and "%s": field "ons_code" "%s"', o.list, min(o.code), max(o.code), o.object ->> 'ons_code') INTO what
    FROM pg_temp.npda_release_object o
   WHERE o.object ? 'ons_code'
   GROUP BY o.list, o.object ->> 'ons_code' HAVING count(*) > 1
   LIMIT 1;
  IF what IS NOT NULL THEN
    PERFORM npda._refuse_organisation_release('NP302', what || ' is given to both', 'Each ONS code names one area.');
  END IF;
  SELECT format('%s "%s": field "ons_code" "%s" belongs to %s', o.list, o.code, o.object ->> 'ons_code', x.code) INTO what
    FROM pg_temp.npda_release_object o
    JOIN (SELECT 'nhs_england_regions' AS list, region_code AS code, ons_code FROM npda.nhs_england_region
          UNION ALL SELECT 'integrated_care_boards', ods_code, ons_code FROM npda.integrated_care_board
          UNION ALL SELECT 'local_health_boards', ods_code, ons_code FROM npda.local_health_board) AS x
      ON x.list = o.list AND x.ons_code = o.object ->> 'ons_code' AND x.code <> o.code
   ORDER BY o.list, o.pos LIMIT 1;
  IF what IS NOT NULL THEN
    PERFORM npda._refuse_organisation_release('NP302', what,
      'ONS codes are never reused: an area with a new ONS code keeps its own.');
  END IF;

  -- 3. Every parent is in the release (in its own list); required parents are given.
  SELECT format('%s "%s": field "%s" %s', o.list, o.code, p.key,
                CASE WHEN o.object ->> p.key IS NULL THEN 'is missing'
                     ELSE format('names "%s", which is not in the release''s %s', o.object ->> p.key, p.value) END),
         format('Field "%s" of %s holds the code of one of the release''s own %s.', p.key, o.list, p.value)
    INTO what, k
    FROM pg_temp.npda_release_object o
    JOIN npda._organisation_lists() ol ON ol.list = o.list
   CROSS JOIN LATERAL jsonb_each_text(ol.parents) AS p(key, value)
   WHERE CASE WHEN o.object ->> p.key IS NULL THEN p.key = ANY (ol.required_parents)
              ELSE NOT EXISTS (SELECT FROM pg_temp.npda_release_object q
                                WHERE q.list = p.value AND q.code = o.object ->> p.key) END
   ORDER BY ol.list_order, o.pos, p.key LIMIT 1;
  IF what IS NOT NULL THEN
    PERFORM npda._refuse_organisation_release('NP303', what, k);
  END IF;

  -- 4. A PDU has a parent, and its links agree: a trust (England) or a local
  --    health board (Wales), never both; an ICB only in England; its country is
  --    that of its LHB or of its ICB's region. The RCPCH test units
  --    (npda._is_test_unit: PZ999, PZ998) are the only units without any.
  SELECT format('paediatric_diabetes_units "%s": %s', u.code, u.problem) INTO what
    FROM (
      SELECT o.code, o.pos,
             CASE
               WHEN o.object ->> 'trust' IS NULL AND o.object ->> 'local_health_board' IS NULL
                    AND o.object ->> 'integrated_care_board' IS NULL AND o.object ->> 'country' IS NULL
                    AND NOT npda._is_test_unit(o.code)
                 THEN 'has no parent (fields "trust", "local_health_board", "integrated_care_board" and "country" are all null)'
               WHEN o.object ->> 'trust' IS NOT NULL AND o.object ->> 'local_health_board' IS NOT NULL
                 THEN 'fields "trust" and "local_health_board" are both given'
               WHEN o.object ->> 'integrated_care_board' IS NOT NULL AND o.object ->> 'local_health_board' IS NOT NULL
                 THEN 'fields "integrated_care_board" and "local_health_board" are both given'
               WHEN o.object ->> 'country' IS NULL
                    AND coalesce(o.object ->> 'trust', o.object ->> 'local_health_board', o.object ->> 'integrated_care_board') IS NOT NULL
                 THEN 'field "country" is missing'
               WHEN o.object ->> 'country' IS DISTINCT FROM
                    coalesce((SELECT lhb.object ->> 'country' FROM pg_temp.npda_release_object lhb
                               WHERE lhb.list = 'local_health_boards' AND lhb.code = o.object ->> 'local_health_board'),
                             (SELECT reg.object ->> 'country'
                                FROM pg_temp.npda_release_object icb
                                JOIN pg_temp.npda_release_object reg
                                  ON reg.list = 'nhs_england_regions' AND reg.code = icb.object ->> 'nhs_england_region'
                               WHERE icb.list = 'integrated_care_boards' AND icb.code = o.object ->> 'integrated_care_board'),
                             o.object ->> 'country')
                 THEN format('field "country" "%s" is not the country of its %s', o.object ->> 'country',
                             CASE WHEN o.object ->> 'local_health_board' IS NOT NULL THEN 'local health board'
                                  ELSE 'integrated care board''s region' END)
             END AS problem
        FROM pg_temp.npda_release_object o
       WHERE o.list = 'paediatric_diabetes_units') AS u
   WHERE u.problem IS NOT NULL
   ORDER BY u.pos LIMIT 1;
  IF what IS NOT NULL THEN
    PERFORM npda._refuse_organisation_release('NP304', what,
      'An English unit names its trust, its own ICB and England; a Welsh unit its local health board and Wales; Jersey only its country.');
  END IF;

  -- 5. What changes: each code of the release against the object in force on
  --    effective_from (on or after every earlier release, so: the open versions).
  INSERT INTO pg_temp.npda_release_change (list, code, old, new)
  SELECT coalesce(n.list, c.list), coalesce(n.code, c.code), c.object, n.object
    FROM pg_temp.npda_release_object n
    FULL JOIN npda._organisation_objects(effective_from) AS c ON c.list = n.list AND c.code = n.code
   WHERE n.object IS DISTINCT FROM c.object;
  GET DIAGNOSTICS n_changes = ROW_COUNT;
  SELECT count(*) INTO n_objects FROM pg_temp.npda_release_object;

  outcome := jsonb_build_object(
    'effective_from', effective_from,
    'added', (SELECT coalesce(jsonb_object_agg(x.list, x.codes), '{}') FROM (
                SELECT ch.list, jsonb_agg(ch.code ORDER BY ch.code) AS codes
                  FROM pg_temp.npda_release_change ch
                 WHERE ch.old IS NULL GROUP BY ch.list) x),
    'ended', (SELECT coalesce(jsonb_object_agg(x.list, x.codes), '{}') FROM (
                SELECT ch.list, jsonb_agg(ch.code ORDER BY ch.code) AS codes
                  FROM pg_temp.npda_release_change ch
                 WHERE ch.new IS NULL GROUP BY ch.list) x),
    'renamed', (SELECT coalesce(jsonb_object_agg(x.list, x.codes), '{}') FROM (
                SELECT ch.list, jsonb_agg(ch.code ORDER BY ch.code) AS codes
                  FROM pg_temp.npda_release_change ch
                 WHERE ch.old ->> 'name' <> ch.new ->> 'name' GROUP BY ch.list) x),
    'ons_code_changed', (SELECT coalesce(jsonb_object_agg(x.list, x.codes), '{}') FROM (
                SELECT ch.list, jsonb_agg(ch.code ORDER BY ch.code) AS codes
                  FROM pg_temp.npda_release_change ch
                 WHERE ch.old ->> 'ons_code' <> ch.new ->> 'ons_code' GROUP BY ch.list) x),
    'relinked', (SELECT coalesce(jsonb_object_agg(x.list, x.codes), '{}') FROM (
                SELECT ch.list, jsonb_agg(ch.code ORDER BY ch.code) AS codes
                  FROM pg_temp.npda_release_change ch
                  JOIN npda._organisation_lists() ol ON ol.list = ch.list
                 WHERE ch.old IS NOT NULL AND ch.new IS NOT NULL
                   AND EXISTS (SELECT FROM jsonb_object_keys(ol.parents) AS p
                                WHERE ch.old -> p IS DISTINCT FROM ch.new -> p)
                 GROUP BY ch.list) x),
    'boundary_changed', (SELECT coalesce(jsonb_object_agg(x.list, x.codes), '{}') FROM (
                SELECT ch.list, jsonb_agg(ch.code ORDER BY ch.code) AS codes
                  FROM pg_temp.npda_release_change ch
                 WHERE ch.old ? 'boundary' AND ch.new ? 'boundary' AND ch.old -> 'boundary' <> ch.new -> 'boundary'
                 GROUP BY ch.list) x),
    'unchanged', n_objects - (SELECT count(*) FROM pg_temp.npda_release_change ch WHERE ch.new IS NOT NULL));
  IF n_changes = 0 THEN
    -- Nothing to do: the same release applied again changes nothing.
    RETURN jsonb_build_object('release_id', NULL, 'changed', false) || outcome
           || jsonb_build_object('audit_years_to_refresh', '[]'::jsonb);
  END IF;

  -- 6. Write: the release, new codes, the end of the versions that change or
  --    end, the new versions, then each changed code's own row (its newest
  --    version and its validity).
  INSERT INTO npda.organisation_release_log (effective_from, applied_at, applied_by, summary)
  VALUES (effective_from, clock_timestamp(), session_user, outcome)
  RETURNING id INTO release_id;

  -- New codes, parents first (the lists' order), with what the code rows need.
  INSERT INTO npda.country (ons_code, name, label_point, boundary, valid_from)
  SELECT ch.code, ch.new ->> 'name', npda._boundary_label_point(npda._boundary_from_geojson(ch.new -> 'boundary')),
         npda._boundary_from_geojson(ch.new -> 'boundary'), effective_from
    FROM pg_temp.npda_release_change ch
   WHERE ch.list = 'countries' AND ch.old IS NULL AND NOT EXISTS (SELECT FROM npda.country x WHERE x.ons_code = ch.code)
   ORDER BY ch.code;
  INSERT INTO npda.nhs_england_region (region_code, ons_code, name, country_id, label_point, boundary, valid_from)
  SELECT ch.code, ch.new ->> 'ons_code', ch.new ->> 'name', c.id,
         npda._boundary_label_point(npda._boundary_from_geojson(ch.new -> 'boundary')),
         npda._boundary_from_geojson(ch.new -> 'boundary'), effective_from
    FROM pg_temp.npda_release_change ch
    JOIN npda.country c ON c.ons_code = ch.new ->> 'country'
   WHERE ch.list = 'nhs_england_regions' AND ch.old IS NULL
     AND NOT EXISTS (SELECT FROM npda.nhs_england_region x WHERE x.region_code = ch.code)
   ORDER BY ch.code;
  INSERT INTO npda.integrated_care_board (ods_code, ons_code, name, ons_name, nhs_england_region_id, country_id,
                                          label_point, boundary, valid_from)
  SELECT ch.code, ch.new ->> 'ons_code', ch.new ->> 'name', ch.new ->> 'name', r.id, r.country_id,
         npda._boundary_label_point(npda._boundary_from_geojson(ch.new -> 'boundary')),
         npda._boundary_from_geojson(ch.new -> 'boundary'), effective_from
    FROM pg_temp.npda_release_change ch
    JOIN npda.nhs_england_region r ON r.region_code = ch.new ->> 'nhs_england_region'
   WHERE ch.list = 'integrated_care_boards' AND ch.old IS NULL
     AND NOT EXISTS (SELECT FROM npda.integrated_care_board x WHERE x.ods_code = ch.code)
   ORDER BY ch.code;
  INSERT INTO npda.local_health_board (ods_code, ons_code, name, ons_name, country_id, label_point, boundary, valid_from)
  SELECT ch.code, ch.new ->> 'ons_code', ch.new ->> 'name', ch.new ->> 'name', c.id,
         npda._boundary_label_point(npda._boundary_from_geojson(ch.new -> 'boundary')),
         npda._boundary_from_geojson(ch.new -> 'boundary'), effective_from
    FROM pg_temp.npda_release_change ch
    JOIN npda.country c ON c.ons_code = ch.new ->> 'country'
   WHERE ch.list = 'local_health_boards' AND ch.old IS NULL
     AND NOT EXISTS (SELECT FROM npda.local_health_board x WHERE x.ods_code = ch.code)
   ORDER BY ch.code;
  INSERT INTO npda.paediatric_diabetes_network (pn_code, name, valid_from)
  SELECT ch.code, ch.new ->> 'name', effective_from
    FROM pg_temp.npda_release_change ch
   WHERE ch.list = 'paediatric_diabetes_networks' AND ch.old IS NULL
     AND NOT EXISTS (SELECT FROM npda.paediatric_diabetes_network x WHERE x.pn_code = ch.code)
   ORDER BY ch.code;
  INSERT INTO npda.trust (ods_code, name, country_id, integrated_care_board_id, nhs_england_region_id,
                          icb_ods_codes_all, valid_from)
  SELECT ch.code, ch.new ->> 'name', c.id, i.id, i.nhs_england_region_id,
         CASE WHEN i.id IS NULL THEN '{}'::text[] ELSE ARRAY[i.ods_code] END, effective_from
    FROM pg_temp.npda_release_change ch
    JOIN npda.country c ON c.ons_code = ch.new ->> 'country'
    LEFT JOIN npda.integrated_care_board i ON i.ods_code = ch.new ->> 'integrated_care_board'
   WHERE ch.list = 'trusts' AND ch.old IS NULL AND NOT EXISTS (SELECT FROM npda.trust x WHERE x.ods_code = ch.code)
   ORDER BY ch.code;
  -- A unit a release adds is led by its trust or LHB until an administrator
  -- records its lead site and location (UPDATE npda.paediatric_diabetes_unit).
  INSERT INTO npda.paediatric_diabetes_unit (pz_code, name, lead_organisation_ods_code, lead_organisation_name,
                                             lead_ods_code_kind, parent_ods_code, parent_name, parent_type,
                                             parent_derivation, valid_from, notes)
  SELECT ch.code, ch.new ->> 'name',
         coalesce(ch.new ->> 'trust', ch.new ->> 'local_health_board', ch.code),
         coalesce(t.name, lhb.name),
         CASE WHEN t.id IS NOT NULL THEN 'trust' WHEN lhb.id IS NOT NULL THEN 'local_health_board' ELSE 'unknown' END,
         coalesce(ch.new ->> 'trust', ch.new ->> 'local_health_board'), coalesce(t.name, lhb.name),
         CASE WHEN t.id IS NOT NULL THEN 'trust' WHEN lhb.id IS NOT NULL THEN 'local_health_board' END,
         'organisation release', effective_from,
         format('Added by organisation release %s, effective %s.', release_id, effective_from)
    FROM pg_temp.npda_release_change ch
    LEFT JOIN npda.trust t ON t.ods_code = ch.new ->> 'trust'
    LEFT JOIN npda.local_health_board lhb ON lhb.ods_code = ch.new ->> 'local_health_board'
   WHERE ch.list = 'paediatric_diabetes_units' AND ch.old IS NULL
     AND NOT EXISTS (SELECT FROM npda.paediatric_diabetes_unit x WHERE x.pz_code = ch.code)
   ORDER BY ch.code;

  -- The versions in force that change or end, end the day before. One that
  -- starts that very day (written by the release this one corrects) is
  -- withdrawn: its valid_to becomes the day before its valid_from.
  UPDATE npda.country_version v SET valid_to = effective_from - 1
    FROM npda.country x, pg_temp.npda_release_change ch
   WHERE ch.list = 'countries' AND ch.old IS NOT NULL AND x.ons_code = ch.code AND v.country_id = x.id AND v.valid_to IS NULL;
  UPDATE npda.nhs_england_region_version v SET valid_to = effective_from - 1
    FROM npda.nhs_england_region x, pg_temp.npda_release_change ch
   WHERE ch.list = 'nhs_england_regions' AND ch.old IS NOT NULL AND x.region_code = ch.code
     AND v.nhs_england_region_id = x.id AND v.valid_to IS NULL;
  UPDATE npda.integrated_care_board_version v SET valid_to = effective_from - 1
    FROM npda.integrated_care_board x, pg_temp.npda_release_change ch
   WHERE ch.list = 'integrated_care_boards' AND ch.old IS NOT NULL AND x.ods_code = ch.code
     AND v.integrated_care_board_id = x.id AND v.valid_to IS NULL;
  UPDATE npda.local_health_board_version v SET valid_to = effective_from - 1
    FROM npda.local_health_board x, pg_temp.npda_release_change ch
   WHERE ch.list = 'local_health_boards' AND ch.old IS NOT NULL AND x.ods_code = ch.code
     AND v.local_health_board_id = x.id AND v.valid_to IS NULL;
  UPDATE npda.paediatric_diabetes_network_version v SET valid_to = effective_from - 1
    FROM npda.paediatric_diabetes_network x, pg_temp.npda_release_change ch
   WHERE ch.list = 'paediatric_diabetes_networks' AND ch.old IS NOT NULL AND x.pn_code = ch.code
     AND v.paediatric_diabetes_network_id = x.id AND v.valid_to IS NULL;
  UPDATE npda.trust_version v SET valid_to = effective_from - 1
    FROM npda.trust x, pg_temp.npda_release_change ch
   WHERE ch.list = 'trusts' AND ch.old IS NOT NULL AND x.ods_code = ch.code AND v.trust_id = x.id AND v.valid_to IS NULL;
  UPDATE npda.paediatric_diabetes_unit_version v SET valid_to = effective_from - 1
    FROM npda.paediatric_diabetes_unit x, pg_temp.npda_release_change ch
   WHERE ch.list = 'paediatric_diabetes_units' AND ch.old IS NOT NULL AND x.pz_code = ch.code
     AND v.paediatric_diabetes_unit_id = x.id AND v.valid_to IS NULL;

  -- The new versions: every code the release adds or changes, from effective_from.
  INSERT INTO npda.country_version (country_id, valid_from, release_id, name, boundary)
  SELECT x.id, effective_from, release_id, ch.new ->> 'name', npda._boundary_from_geojson(ch.new -> 'boundary')
    FROM pg_temp.npda_release_change ch
    JOIN npda.country x ON x.ons_code = ch.code
   WHERE ch.list = 'countries' AND ch.new IS NOT NULL ORDER BY ch.code;
  INSERT INTO npda.nhs_england_region_version (nhs_england_region_id, valid_from, release_id, ons_code, name, country_id, boundary)
  SELECT x.id, effective_from, release_id, ch.new ->> 'ons_code', ch.new ->> 'name', c.id,
         npda._boundary_from_geojson(ch.new -> 'boundary')
    FROM pg_temp.npda_release_change ch
    JOIN npda.nhs_england_region x ON x.region_code = ch.code
    JOIN npda.country c ON c.ons_code = ch.new ->> 'country'
   WHERE ch.list = 'nhs_england_regions' AND ch.new IS NOT NULL ORDER BY ch.code;
  INSERT INTO npda.integrated_care_board_version (integrated_care_board_id, valid_from, release_id, ons_code, name,
                                                  nhs_england_region_id, boundary)
  SELECT x.id, effective_from, release_id, ch.new ->> 'ons_code', ch.new ->> 'name', r.id,
         npda._boundary_from_geojson(ch.new -> 'boundary')
    FROM pg_temp.npda_release_change ch
    JOIN npda.integrated_care_board x ON x.ods_code = ch.code
    JOIN npda.nhs_england_region r ON r.region_code = ch.new ->> 'nhs_england_region'
   WHERE ch.list = 'integrated_care_boards' AND ch.new IS NOT NULL ORDER BY ch.code;
  INSERT INTO npda.local_health_board_version (local_health_board_id, valid_from, release_id, ons_code, name, country_id, boundary)
  SELECT x.id, effective_from, release_id, ch.new ->> 'ons_code', ch.new ->> 'name', c.id,
         npda._boundary_from_geojson(ch.new -> 'boundary')
    FROM pg_temp.npda_release_change ch
    JOIN npda.local_health_board x ON x.ods_code = ch.code
    JOIN npda.country c ON c.ons_code = ch.new ->> 'country'
   WHERE ch.list = 'local_health_boards' AND ch.new IS NOT NULL ORDER BY ch.code;
  INSERT INTO npda.paediatric_diabetes_network_version (paediatric_diabetes_network_id, valid_from, release_id, name)
  SELECT x.id, effective_from, release_id, ch.new ->> 'name'
    FROM pg_temp.npda_release_change ch
    JOIN npda.paediatric_diabetes_network x ON x.pn_code = ch.code
   WHERE ch.list = 'paediatric_diabetes_networks' AND ch.new IS NOT NULL ORDER BY ch.code;
  INSERT INTO npda.trust_version (trust_id, valid_from, release_id, name, integrated_care_board_id, country_id)
  SELECT x.id, effective_from, release_id, ch.new ->> 'name', i.id, c.id
    FROM pg_temp.npda_release_change ch
    JOIN npda.trust x ON x.ods_code = ch.code
    LEFT JOIN npda.integrated_care_board i ON i.ods_code = ch.new ->> 'integrated_care_board'
    JOIN npda.country c ON c.ons_code = ch.new ->> 'country'
   WHERE ch.list = 'trusts' AND ch.new IS NOT NULL ORDER BY ch.code;
  INSERT INTO npda.paediatric_diabetes_unit_version (paediatric_diabetes_unit_id, valid_from, release_id, name, trust_id,
                                                     local_health_board_id, integrated_care_board_id, country_id,
                                                     paediatric_diabetes_network_id)
  SELECT x.id, effective_from, release_id, ch.new ->> 'name', t.id, lhb.id, i.id, c.id, n.id
    FROM pg_temp.npda_release_change ch
    JOIN npda.paediatric_diabetes_unit x ON x.pz_code = ch.code
    LEFT JOIN npda.trust t ON t.ods_code = ch.new ->> 'trust'
    LEFT JOIN npda.local_health_board lhb ON lhb.ods_code = ch.new ->> 'local_health_board'
    LEFT JOIN npda.integrated_care_board i ON i.ods_code = ch.new ->> 'integrated_care_board'
    LEFT JOIN npda.country c ON c.ons_code = ch.new ->> 'country'
    LEFT JOIN npda.paediatric_diabetes_network n ON n.pn_code = ch.new ->> 'paediatric_diabetes_network'
   WHERE ch.list = 'paediatric_diabetes_units' AND ch.new IS NOT NULL ORDER BY ch.code;

  -- Each changed code's own row: its newest version (the one in force from the
  -- latest day; a withdrawn one only when there is no other) and its validity.
  UPDATE npda.country x
     SET name = v.name, boundary = v.boundary,
         valid_from = s.valid_from, valid_to = s.valid_to
    FROM pg_temp.npda_release_change ch,
         (SELECT DISTINCT ON (w.country_id) w.* FROM npda.country_version w
           ORDER BY w.country_id, coalesce(w.valid_to < w.valid_from, false), w.valid_from DESC, w.id DESC) v,
         (SELECT w.country_id AS id, (npda._validity_span(array_agg(w.valid_from), array_agg(w.valid_to))).*
           FROM npda.country_version w GROUP BY w.country_id) s
   WHERE ch.list = 'countries' AND x.ons_code = ch.code AND v.country_id = x.id AND s.id = x.id;
  UPDATE npda.nhs_england_region x
     SET ons_code = v.ons_code, name = v.name, country_id = v.country_id, boundary = v.boundary,
         valid_from = s.valid_from, valid_to = s.valid_to
    FROM pg_temp.npda_release_change ch,
         (SELECT DISTINCT ON (w.nhs_england_region_id) w.* FROM npda.nhs_england_region_version w
           ORDER BY w.nhs_england_region_id, coalesce(w.valid_to < w.valid_from, false), w.valid_from DESC, w.id DESC) v,
         (SELECT w.nhs_england_region_id AS id, (npda._validity_span(array_agg(w.valid_from), array_agg(w.valid_to))).*
           FROM npda.nhs_england_region_version w GROUP BY w.nhs_england_region_id) s
   WHERE ch.list = 'nhs_england_regions' AND x.region_code = ch.code AND v.nhs_england_region_id = x.id AND s.id = x.id;
  UPDATE npda.integrated_care_board x
     SET ons_code = v.ons_code, name = v.name, nhs_england_region_id = v.nhs_england_region_id,
         country_id = (SELECT r.country_id FROM npda.nhs_england_region r WHERE r.id = v.nhs_england_region_id),
         boundary = v.boundary,
         valid_from = s.valid_from, valid_to = s.valid_to
    FROM pg_temp.npda_release_change ch,
         (SELECT DISTINCT ON (w.integrated_care_board_id) w.* FROM npda.integrated_care_board_version w
           ORDER BY w.integrated_care_board_id, coalesce(w.valid_to < w.valid_from, false), w.valid_from DESC, w.id DESC) v,
         (SELECT w.integrated_care_board_id AS id, (npda._validity_span(array_agg(w.valid_from), array_agg(w.valid_to))).*
           FROM npda.integrated_care_board_version w GROUP BY w.integrated_care_board_id) s
   WHERE ch.list = 'integrated_care_boards' AND x.ods_code = ch.code AND v.integrated_care_board_id = x.id AND s.id = x.id;
  UPDATE npda.local_health_board x
     SET ons_code = v.ons_code, name = v.name, country_id = v.country_id, boundary = v.boundary,
         valid_from = s.valid_from, valid_to = s.valid_to
    FROM pg_temp.npda_release_change ch,
         (SELECT DISTINCT ON (w.local_health_board_id) w.* FROM npda.local_health_board_version w
           ORDER BY w.local_health_board_id, coalesce(w.valid_to < w.valid_from, false), w.valid_from DESC, w.id DESC) v,
         (SELECT w.local_health_board_id AS id, (npda._validity_span(array_agg(w.valid_from), array_agg(w.valid_to))).*
           FROM npda.local_health_board_version w GROUP BY w.local_health_board_id) s
   WHERE ch.list = 'local_health_boards' AND x.ods_code = ch.code AND v.local_health_board_id = x.id AND s.id = x.id;
  UPDATE npda.paediatric_diabetes_network x
     SET name = v.name,
         valid_from = s.valid_from, valid_to = s.valid_to
    FROM pg_temp.npda_release_change ch,
         (SELECT DISTINCT ON (w.paediatric_diabetes_network_id) w.* FROM npda.paediatric_diabetes_network_version w
           ORDER BY w.paediatric_diabetes_network_id, coalesce(w.valid_to < w.valid_from, false), w.valid_from DESC, w.id DESC) v,
         (SELECT w.paediatric_diabetes_network_id AS id, (npda._validity_span(array_agg(w.valid_from), array_agg(w.valid_to))).*
           FROM npda.paediatric_diabetes_network_version w GROUP BY w.paediatric_diabetes_network_id) s
   WHERE ch.list = 'paediatric_diabetes_networks' AND x.pn_code = ch.code AND v.paediatric_diabetes_network_id = x.id AND s.id = x.id;
  UPDATE npda.trust x
     SET name = v.name, integrated_care_board_id = v.integrated_care_board_id,
         nhs_england_region_id = (SELECT i.nhs_england_region_id FROM npda.integrated_care_board i WHERE i.id = v.integrated_care_board_id),
         country_id = v.country_id,
         valid_from = s.valid_from, valid_to = s.valid_to
    FROM pg_temp.npda_release_change ch,
         (SELECT DISTINCT ON (w.trust_id) w.* FROM npda.trust_version w
           ORDER BY w.trust_id, coalesce(w.valid_to < w.valid_from, false), w.valid_from DESC, w.id DESC) v,
         (SELECT w.trust_id AS id, (npda._validity_span(array_agg(w.valid_from), array_agg(w.valid_to))).*
           FROM npda.trust_version w GROUP BY w.trust_id) s
   WHERE ch.list = 'trusts' AND x.ods_code = ch.code AND v.trust_id = x.id AND s.id = x.id;
  UPDATE npda.paediatric_diabetes_unit x
     SET name = v.name, trust_id = v.trust_id, local_health_board_id = v.local_health_board_id,
         integrated_care_board_id = v.integrated_care_board_id,
         nhs_england_region_id = (SELECT i.nhs_england_region_id FROM npda.integrated_care_board i WHERE i.id = v.integrated_care_board_id),
         country_id = v.country_id, paediatric_diabetes_network_id = v.paediatric_diabetes_network_id,
         valid_from = s.valid_from, valid_to = s.valid_to
    FROM pg_temp.npda_release_change ch,
         (SELECT DISTINCT ON (w.paediatric_diabetes_unit_id) w.* FROM npda.paediatric_diabetes_unit_version w
           ORDER BY w.paediatric_diabetes_unit_id, coalesce(w.valid_to < w.valid_from, false), w.valid_from DESC, w.id DESC) v,
         (SELECT w.paediatric_diabetes_unit_id AS id, (npda._validity_span(array_agg(w.valid_from), array_agg(w.valid_to))).*
           FROM npda.paediatric_diabetes_unit_version w GROUP BY w.paediatric_diabetes_unit_id) s
   WHERE ch.list = 'paediatric_diabetes_units' AND x.pz_code = ch.code AND v.paediatric_diabetes_unit_id = x.id AND s.id = x.id;

  -- 7. The roll-ups of every audit period the release reaches (a period
  --    follows the geography of its first day; one ending on or after
  --    effective_from is marked, so a unit opening during a period is covered
  --    too) are rebuilt by the next npda.refresh_kpi_aggregations().
  WITH m AS (
    UPDATE npda.kpi_aggregation_refresh r SET data_changed_at = clock_timestamp()
      FROM npda.audit_period ap
     WHERE ap.id = r.audit_period_id AND ap.end_date >= effective_from
    RETURNING extract(year FROM ap.start_date)::integer AS audit_year)
  SELECT coalesce(jsonb_agg(m.audit_year ORDER BY m.audit_year), '[]'::jsonb) INTO marked FROM m;

  outcome := jsonb_build_object('release_id', release_id, 'changed', true) || outcome
             || jsonb_build_object('audit_years_to_refresh', marked);
  UPDATE npda.organisation_release_log r SET summary = outcome WHERE r.id = release_id;
  RETURN outcome;
END
$$;
COMMENT ON FUNCTION npda.apply_organisation_release(jsonb, date) IS
  'Apply a release document (the shape of npda.organisation_release) as a new release from effective_from: codes not in force are added, changed names, ONS codes, links and boundaries take effect from effective_from, and codes in force but missing from the release end the day before; nothing is deleted. Returns a summary (added, ended, renamed, relinked, boundary_changed, ons_code_changed per list; unchanged; audit_years_to_refresh, whose roll-ups the next refresh rebuilds). The same release applied again changes nothing. A bad document is refused whole with SQLSTATE NP301-NP306 naming the object and the field; effective_from may not be before the last release (the same day corrects it). docs/geography.md.';
