-- Maps as pictures: npda.kpi_map_svg, a choropleth of one KPI as a standalone SVG
-- document (docs/maps.md). PostGIS draws the outlines (projected, simplified,
-- written as SVG path data); the C++ core (src/core/map/svg_map.cpp) makes the
-- document: classes, colours, legend, titles, tooltips and the escaping of names.
-- A current definition (sql/README.md): re-applied by every upgrade.
--
-- The functions are SQL with BEGIN ATOMIC bodies: PostGIS names are bound when
-- they are defined (CREATE EXTENSION puts postgis's schema on the path), so the
-- pinned search_path need not name it.

CREATE OR REPLACE FUNCTION npda._map_areas(level npda.geo_level, on_day date)
  RETURNS TABLE (area_code text, area_name text, boundary geometry)
  LANGUAGE sql STABLE PARALLEL SAFE
  SET search_path = pg_catalog, pg_temp
  BEGIN ATOMIC
    SELECT i.ods_code, v.name, v.boundary
      FROM npda.integrated_care_board i
      JOIN npda.integrated_care_board_version v ON v.integrated_care_board_id = i.id
     WHERE _map_areas.level = 'integrated_care_board' AND v.boundary IS NOT NULL
       AND v.valid_from <= _map_areas.on_day AND (v.valid_to IS NULL OR v.valid_to >= _map_areas.on_day)
    UNION ALL
    SELECT l.ods_code, v.name, v.boundary
      FROM npda.local_health_board l
      JOIN npda.local_health_board_version v ON v.local_health_board_id = l.id
     WHERE _map_areas.level = 'local_health_board' AND v.boundary IS NOT NULL
       AND v.valid_from <= _map_areas.on_day AND (v.valid_to IS NULL OR v.valid_to >= _map_areas.on_day)
    UNION ALL
    SELECT r.region_code, v.name, v.boundary
      FROM npda.nhs_england_region r
      JOIN npda.nhs_england_region_version v ON v.nhs_england_region_id = r.id
     WHERE _map_areas.level = 'nhs_england_region' AND v.boundary IS NOT NULL
       AND v.valid_from <= _map_areas.on_day AND (v.valid_to IS NULL OR v.valid_to >= _map_areas.on_day)
    UNION ALL
    -- The countries the audit covers: those with a region or a local health
    -- board in force that day (England, Wales), not Scotland or Northern Ireland.
    SELECT c.ons_code, v.name, v.boundary
      FROM npda.country c
      JOIN npda.country_version v ON v.country_id = c.id
     WHERE _map_areas.level = 'country' AND v.boundary IS NOT NULL
       AND v.valid_from <= _map_areas.on_day AND (v.valid_to IS NULL OR v.valid_to >= _map_areas.on_day)
       AND (EXISTS (SELECT 1 FROM npda.nhs_england_region_version rv
                     WHERE rv.country_id = c.id AND rv.valid_from <= _map_areas.on_day
                       AND (rv.valid_to IS NULL OR rv.valid_to >= _map_areas.on_day))
            OR EXISTS (SELECT 1 FROM npda.local_health_board_version lv
                        WHERE lv.country_id = c.id AND lv.valid_from <= _map_areas.on_day
                          AND (lv.valid_to IS NULL OR lv.valid_to >= _map_areas.on_day)));
  END;
COMMENT ON FUNCTION npda._map_areas(npda.geo_level, date) IS
  'Internal: the areas a map of this level shows on a day, with their codes (as npda.kpi_results spells them), names and boundaries in force that day: integrated care boards, local health boards, NHS England regions, or the countries the audit covers (England, Wales). Nothing for other levels or areas without a boundary.';

CREATE OR REPLACE FUNCTION npda._kpi_map_svg_document(
    kpi text, kpi_label text, level text, audit_year integer, period_found boolean,
    codes text[], names text[], paths text[], pct_passed double precision[], value double precision[],
    passed double precision[], suppressed boolean[], box double precision[])
  RETURNS text
  AS 'MODULE_PATHNAME', '_kpi_map_svg_document'
  LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION npda._kpi_map_svg_document(text, text, text, integer, boolean, text[], text[], text[], double precision[], double precision[], double precision[], boolean[], double precision[]) IS
  'Internal (C++, src/core/map/svg_map.cpp): the SVG document of npda.kpi_map_svg from its parts: the KPI (a NULL label means no such KPI: NP451), the level (NP450 unless it has boundaries), the audit year (period_found false: NP104), one element per area in each array (code, name, SVG path data, published percentage, value and count, whether disclosure control withheld something) and the view box (x, y, width, height) of the path data.';

-- The outlines: British National Grid (EPSG:27700) in units of 100 m, simplified
-- to 200 m (well below a pixel of the 600-pixel-wide map panel) and snapped to
-- whole units, written as relative SVG path data (short numbers: a 42-ICB map
-- is about 90 kB). ST_AsSVG turns y downwards, as SVG has it.
CREATE OR REPLACE FUNCTION npda.kpi_map_svg(kpi text, level npda.geo_level, audit_year integer) RETURNS text
  LANGUAGE sql STABLE PARALLEL SAFE
  SET search_path = pg_catalog, pg_temp
  BEGIN ATOMIC
    WITH period AS (
      SELECT ap.start_date FROM npda.audit_period ap WHERE npda.audit_year(ap.start_date) = kpi_map_svg.audit_year
    ), shapes AS (
      SELECT a.area_code, a.area_name,
             ST_SnapToGrid(ST_Simplify(ST_Scale(ST_Transform(a.boundary, 27700), 0.01, 0.01), 2, true), 1) AS g
        FROM period p CROSS JOIN LATERAL npda._map_areas(kpi_map_svg.level, p.start_date) a
    ), figures AS (
      SELECT r.area_code, r.pct_passed::double precision AS pct_passed, r.value::double precision AS value,
             r.passed::double precision AS passed, r.suppressed <> 'none' AS suppressed
        FROM npda.kpi_results_published r
       WHERE r.level = kpi_map_svg.level AND r.kpi = kpi_map_svg.kpi AND r.audit_year = kpi_map_svg.audit_year
    ), extent AS (
      SELECT ST_Extent(s.g) AS e FROM shapes s
    )
    SELECT npda._kpi_map_svg_document(
             kpi_map_svg.kpi, (SELECT k.label FROM npda.kpi k WHERE k.code = kpi_map_svg.kpi), kpi_map_svg.level::text,
             kpi_map_svg.audit_year, EXISTS (SELECT 1 FROM period),
             array_agg(s.area_code ORDER BY s.area_code), array_agg(s.area_name ORDER BY s.area_code),
             array_agg(ST_AsSVG(s.g, 1, 0) ORDER BY s.area_code),
             array_agg(f.pct_passed ORDER BY s.area_code), array_agg(f.value ORDER BY s.area_code),
             array_agg(f.passed ORDER BY s.area_code), array_agg(f.suppressed ORDER BY s.area_code),
             (SELECT ARRAY[ST_XMin(x.e) - 20, -ST_YMax(x.e) - 20, ST_XMax(x.e) - ST_XMin(x.e) + 40,
                           ST_YMax(x.e) - ST_YMin(x.e) + 40]::double precision[]
                FROM extent x))
      FROM shapes s LEFT JOIN figures f ON f.area_code = s.area_code;
  END;
COMMENT ON FUNCTION npda.kpi_map_svg(text, npda.geo_level, integer) IS
  'A choropleth map of one KPI as a complete SVG document (900 x 1000 pixels): the areas of the level (integrated_care_board, local_health_board, nhs_england_region or country; others raise NP450) with the boundaries in force on the first day of the audit year, coloured by the published percentage passed (the count for KPIs 1-12, the value for 44-47) in five equal-interval viridis classes; areas without data grey, suppressed figures hatched; a title, the KPI label, the year and a legend; each area''s name and figure as its tooltip (<title>). Unknown KPI: NP451; unknown audit year: NP104. See docs/maps.md.';
