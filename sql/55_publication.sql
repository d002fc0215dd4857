-- Published outputs (docs/publishing.md): the disclosure-control settings, the
-- stored results of every area, KPI and period (exact and published) that the
-- refresh writes, npda.kpi_results_published and the annual-report tables
-- npda.kpi_report. npda.kpi_results and npda.kpi_map (sql/50_aggregation.sql)
-- read the same stored results.
-- A current definition (sql/README.md): re-applied by every upgrade.

COMMENT ON TABLE npda.publication_setting IS
  'The small-number rule of the published outputs, one row: counts from 1 to suppression_threshold are withheld, other counts are rounded to the nearest multiple of rounding_base, zeros stay 0 (defaults 7 and 5, as NHS statistical publications). The audit team may change them (UPDATE npda.publication_setting SET suppression_threshold = 10); every period''s published results are then recomputed at once. Kept by pg_dump.';
COMMENT ON COLUMN npda.publication_setting.id IS 'Always true: the table has one row.';
COMMENT ON COLUMN npda.publication_setting.suppression_threshold IS 'Counts from 1 to this are withheld (default 7); 0 withholds nothing.';
COMMENT ON COLUMN npda.publication_setting.rounding_base IS 'Shown counts are rounded to the nearest multiple of this, halves up (default 5); 1 shows them exactly.';

COMMENT ON TABLE npda.kpi_result_store IS
  'The KPI results of every area, KPI and audit period as npda.refresh_kpi_aggregations() last stored them (npda._publish_kpi_results): area names as in the audit year, the exact figures of npda.kpi_results and the published figures of npda.kpi_results_published side by side, so that reading either costs one index scan. Derived data (not dumped): rebuilt with the roll-ups, and for every period when npda.publication_setting changes. Readable by the audit team only; everyone else reads the views.';
COMMENT ON COLUMN npda.kpi_result_store.audit_year IS 'Audit year (start year of the period).';
COMMENT ON COLUMN npda.kpi_result_store.level IS 'Aggregation level (npda.geo_level).';
COMMENT ON COLUMN npda.kpi_result_store.area_code IS 'PZ code, ODS code, region code, ONS country code or ''national''.';
COMMENT ON COLUMN npda.kpi_result_store.kpi IS 'KPI code.';
COMMENT ON COLUMN npda.kpi_result_store.audit_period_id IS 'npda.audit_period.id.';
COMMENT ON COLUMN npda.kpi_result_store.area_name IS 'Name of the area in the audit year (as on the period''s first day), as of the last refresh.';
COMMENT ON COLUMN npda.kpi_result_store.label IS 'KPI label.';
COMMENT ON COLUMN npda.kpi_result_store.kpi_position IS 'Report order of the KPI.';
COMMENT ON COLUMN npda.kpi_result_store.eligible IS 'Exact: children in the denominator (32.1: checks expected).';
COMMENT ON COLUMN npda.kpi_result_store.ineligible IS 'Exact: children in scope not in the denominator.';
COMMENT ON COLUMN npda.kpi_result_store.passed IS 'Exact: children passing.';
COMMENT ON COLUMN npda.kpi_result_store.failed IS 'Exact: children failing.';
COMMENT ON COLUMN npda.kpi_result_store.pending IS 'Exact: children pending.';
COMMENT ON COLUMN npda.kpi_result_store.pct_passed IS 'Exact: 100 x passed / eligible, one decimal (npda._kpi_pct_passed).';
COMMENT ON COLUMN npda.kpi_result_store.value IS 'Exact: 44/45 HbA1c mmol/mol, 46/47 admissions.';
COMMENT ON COLUMN npda.kpi_result_store.as_of IS 'Results are at least as current as this date.';
COMMENT ON COLUMN npda.kpi_result_store.computed_at IS 'When the aggregate was computed.';
COMMENT ON COLUMN npda.kpi_result_store.published_eligible IS 'Published: eligible rounded, NULL when withheld.';
COMMENT ON COLUMN npda.kpi_result_store.published_ineligible IS 'Published: always NULL (ineligible is not published: it is the children in scope less eligible, which could be worked back from other KPIs).';
COMMENT ON COLUMN npda.kpi_result_store.published_passed IS 'Published: passed rounded, NULL when withheld.';
COMMENT ON COLUMN npda.kpi_result_store.published_failed IS 'Published: failed rounded, NULL when withheld.';
COMMENT ON COLUMN npda.kpi_result_store.published_pending IS 'Published: pending rounded, NULL when withheld.';
COMMENT ON COLUMN npda.kpi_result_store.published_pct_passed IS 'Published: the exact percentage (from the unrounded counts), NULL when eligible, passed, failed or pending is withheld.';
COMMENT ON COLUMN npda.kpi_result_store.published_value IS 'Published: 44/45 the exact HbA1c unless children_with_value is small; 46/47 admissions rounded, or NULL when withheld.';
COMMENT ON COLUMN npda.kpi_result_store.suppressed IS 'none, primary (a count of the row is from 1 to the threshold) or secondary (a count was withheld so that another cannot be worked out by subtraction).';
COMMENT ON COLUMN npda.kpi_result_store.withheld IS 'The published columns withheld: eligible, passed, failed, pending, pct_passed, value.';
COMMENT ON COLUMN npda.kpi_result_store.published_at IS 'When the row was stored.';

-- Area names follow the geography of each audit year: the version in force on
-- the period's first day, the day whose hierarchy the roll-ups used
-- (npda._pdu_hierarchy_for_roll_up); an area not in force that day (a unit that
-- opened during the year) shows its newest name.
CREATE OR REPLACE VIEW npda._kpi_results_computed AS
SELECT a.audit_period_id, a.level, a.area_code,
       CASE a.level
         WHEN 'pdu' THEN coalesce(uv.name, u.name)
         WHEN 'trust' THEN coalesce(tv.name, t.name)
         WHEN 'local_health_board' THEN coalesce(lv.name, l.name)
         WHEN 'integrated_care_board' THEN coalesce(iv.name, i.name)
         WHEN 'nhs_england_region' THEN coalesce(rv.name, r.name)
         WHEN 'country' THEN coalesce(cv.name, c.name)
         ELSE 'England, Wales and Jersey'
       END AS area_name,
       npda.audit_year(ap.start_date) AS audit_year, a.kpi, k.label,
       a.eligible, a.ineligible, a.passed, a.failed, a.pending,
       npda._kpi_pct_passed(a.kpi, a.passed, a.eligible) AS pct_passed,
       a.value::numeric AS value, a.as_of, a.computed_at, k.position AS kpi_position
  FROM npda.kpi_aggregation a
  JOIN npda.kpi k ON k.code = a.kpi
  JOIN npda.audit_period ap ON ap.id = a.audit_period_id
  LEFT JOIN npda.paediatric_diabetes_unit u ON a.level = 'pdu' AND u.pz_code = a.area_code
  LEFT JOIN npda.paediatric_diabetes_unit_version uv
    ON uv.paediatric_diabetes_unit_id = u.id AND uv.valid_from <= ap.start_date
   AND (uv.valid_to IS NULL OR uv.valid_to >= ap.start_date)
  LEFT JOIN npda.trust t ON a.level = 'trust' AND t.ods_code = a.area_code
  LEFT JOIN npda.trust_version tv
    ON tv.trust_id = t.id AND tv.valid_from <= ap.start_date AND (tv.valid_to IS NULL OR tv.valid_to >= ap.start_date)
  LEFT JOIN npda.local_health_board l ON a.level = 'local_health_board' AND l.ods_code = a.area_code
  LEFT JOIN npda.local_health_board_version lv
    ON lv.local_health_board_id = l.id AND lv.valid_from <= ap.start_date
   AND (lv.valid_to IS NULL OR lv.valid_to >= ap.start_date)
  LEFT JOIN npda.integrated_care_board i ON a.level = 'integrated_care_board' AND i.ods_code = a.area_code
  LEFT JOIN npda.integrated_care_board_version iv
    ON iv.integrated_care_board_id = i.id AND iv.valid_from <= ap.start_date
   AND (iv.valid_to IS NULL OR iv.valid_to >= ap.start_date)
  LEFT JOIN npda.nhs_england_region r ON a.level = 'nhs_england_region' AND r.region_code = a.area_code
  LEFT JOIN npda.nhs_england_region_version rv
    ON rv.nhs_england_region_id = r.id AND rv.valid_from <= ap.start_date
   AND (rv.valid_to IS NULL OR rv.valid_to >= ap.start_date)
  LEFT JOIN npda.country c ON a.level = 'country' AND c.ons_code = a.area_code
  LEFT JOIN npda.country_version cv
    ON cv.country_id = c.id AND cv.valid_from <= ap.start_date AND (cv.valid_to IS NULL OR cv.valid_to >= ap.start_date);
COMMENT ON VIEW npda._kpi_results_computed IS
  'Internal: the exact KPI results computed from npda.kpi_aggregation with the area names of the audit year, which npda._publish_kpi_results stores in npda.kpi_result_store (the reading views read the stored copy). Owner only.';

CREATE OR REPLACE FUNCTION npda._publish_kpi_results(audit_period_id bigint) RETURNS integer
  AS 'MODULE_PATHNAME', '_publish_kpi_results' LANGUAGE C VOLATILE STRICT
  SET search_path = pg_catalog, pg_temp;
COMMENT ON FUNCTION npda._publish_kpi_results(bigint) IS
  'Internal: store one period''s KPI results in npda.kpi_result_store from its roll-ups: exact, and published by the rule of npda.publication_setting (C++, src/core/publish: small counts withheld, others rounded, secondary suppression across the partitions of the period''s geography). Returns the rows stored. Called by npda.refresh_kpi_aggregations and when the settings change.';

CREATE OR REPLACE VIEW npda.kpi_results_published AS
SELECT s.level, s.area_code, s.area_name, s.audit_year, s.kpi, s.label,
       s.published_eligible AS eligible, s.published_ineligible AS ineligible, s.published_passed AS passed,
       s.published_failed AS failed, s.published_pending AS pending, s.published_pct_passed AS pct_passed,
       s.published_value AS value, s.as_of, s.computed_at, s.kpi_position, s.suppressed, s.withheld
  FROM npda.kpi_result_store s;
COMMENT ON VIEW npda.kpi_results_published IS
  'The KPI results with disclosure control, for publication, analysts and BI tools: the columns of npda.kpi_results, with every count from 1 to the threshold of npda.publication_setting withheld (NULL), other counts rounded to the nearest multiple of its base (zeros stay 0), the percentage computed from the exact counts but withheld with any of its counts, and secondary suppression so that no withheld count can be worked out by subtracting the other areas from their parent (docs/publishing.md). ineligible is never published. Current as of npda.refresh_kpi_aggregations().';
COMMENT ON COLUMN npda.kpi_results_published.level IS 'Aggregation level (npda.geo_level).';
COMMENT ON COLUMN npda.kpi_results_published.area_code IS 'PZ code, ODS code, region code, ONS country code or ''national''.';
COMMENT ON COLUMN npda.kpi_results_published.area_name IS 'Name of the area in the audit year: as on the period''s first day.';
COMMENT ON COLUMN npda.kpi_results_published.audit_year IS 'Audit year (start year of the period).';
COMMENT ON COLUMN npda.kpi_results_published.kpi IS 'KPI code.';
COMMENT ON COLUMN npda.kpi_results_published.label IS 'KPI label.';
COMMENT ON COLUMN npda.kpi_results_published.eligible IS 'Children in the denominator, rounded; NULL when withheld.';
COMMENT ON COLUMN npda.kpi_results_published.ineligible IS 'Not published: always NULL.';
COMMENT ON COLUMN npda.kpi_results_published.passed IS 'Children passing, rounded; NULL when withheld.';
COMMENT ON COLUMN npda.kpi_results_published.failed IS 'Children failing, rounded; NULL when withheld.';
COMMENT ON COLUMN npda.kpi_results_published.pending IS 'Children pending, rounded; NULL when withheld.';
COMMENT ON COLUMN npda.kpi_results_published.pct_passed IS '100 x passed / eligible from the exact counts, one decimal; NULL when any of eligible, passed, failed and pending is withheld, and (as in npda.kpi_results) for KPIs 1-12, 44-47 and empty denominators.';
COMMENT ON COLUMN npda.kpi_results_published.value IS '44/45: HbA1c mmol/mol, NULL when fewer children than the threshold have a value; 46/47: admissions rounded, NULL when withheld.';
COMMENT ON COLUMN npda.kpi_results_published.as_of IS 'Results are at least as current as this date.';
COMMENT ON COLUMN npda.kpi_results_published.computed_at IS 'When the aggregate was computed.';
COMMENT ON COLUMN npda.kpi_results_published.kpi_position IS 'Report order of the KPI.';
COMMENT ON COLUMN npda.kpi_results_published.suppressed IS 'Why figures of the row are withheld: none, primary (a count of the row is from 1 to the threshold) or secondary (withheld so that another area''s or column''s small count cannot be worked out by subtraction).';
COMMENT ON COLUMN npda.kpi_results_published.withheld IS 'The columns withheld in this row: eligible, passed, failed, pending, pct_passed, value (empty when none).';

-- The settings: a change republishes every period at once; a pg_restore of the
-- one row merges into the seeded one.
CREATE OR REPLACE FUNCTION npda._publication_setting_changed() RETURNS trigger
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  p record;
BEGIN
  FOR p IN SELECT DISTINCT a.audit_period_id AS id FROM npda.kpi_aggregation a ORDER BY 1 LOOP
    PERFORM npda._lock_refresh(p.id);
    PERFORM npda._publish_kpi_results(p.id);
  END LOOP;
  RETURN NULL;
END
$$;
COMMENT ON FUNCTION npda._publication_setting_changed() IS
  'Trigger: after npda.publication_setting changes, store every period''s published results again by the new rule (npda._publish_kpi_results, under each period''s refresh lock).';
CREATE OR REPLACE TRIGGER publication_setting_changed AFTER UPDATE ON npda.publication_setting
  FOR EACH STATEMENT EXECUTE FUNCTION npda._publication_setting_changed();
CREATE OR REPLACE FUNCTION npda._publication_setting_merge() RETURNS trigger
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp AS $$
BEGIN
  IF EXISTS (SELECT FROM npda.publication_setting) THEN
    UPDATE npda.publication_setting
       SET suppression_threshold = NEW.suppression_threshold, rounding_base = NEW.rounding_base;
    RETURN NULL;
  END IF;
  RETURN NEW;
END
$$;
COMMENT ON FUNCTION npda._publication_setting_merge() IS
  'Trigger: inserting the row of npda.publication_setting when the seeded one exists updates it instead (makes pg_restore of the one-row table work).';
CREATE OR REPLACE TRIGGER publication_setting_merge BEFORE INSERT ON npda.publication_setting
  FOR EACH ROW EXECUTE FUNCTION npda._publication_setting_merge();

-- The annual report's tables.
CREATE OR REPLACE FUNCTION npda.kpi_report(audit_year integer, level npda.geo_level)
  RETURNS TABLE (area_code text, area_name text, kpi text, label text,
                 eligible bigint, passed bigint, pct_passed numeric, value numeric, suppressed text,
                 national_eligible bigint, national_passed bigint, national_pct_passed numeric, national_value numeric)
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
  SELECT p.area_code, p.area_name, p.kpi, p.label, p.eligible, p.passed, p.pct_passed, p.value,
         p.suppressed, n.eligible, n.passed, n.pct_passed, n.value
    FROM npda.kpi_results_published p
    LEFT JOIN npda.kpi_results_published n
      ON n.audit_year = p.audit_year AND n.level = 'national' AND n.area_code = 'national' AND n.kpi = p.kpi
   WHERE p.audit_year = kpi_report.audit_year AND p.level = kpi_report.level
   ORDER BY p.area_name, p.area_code, p.kpi_position;
END;
COMMENT ON FUNCTION npda.kpi_report(integer, npda.geo_level) IS
  'The tables of the NPDA annual report, from the published results (npda.kpi_results_published): one row per area of the level and KPI, in area-name and report order, with area code and name, KPI code and label, eligible, passed, percentage and value as published, why figures are withheld, and the national figures beside them. For a CSV: \copy (SELECT * FROM npda.kpi_report(2025, ''integrated_care_board'')) TO ''report.csv'' CSV HEADER. Analysts, applications and the audit team.';
