-- Roll-ups: comments on the tables of migrations/1.1/30_aggregation.sql, the
-- bookkeeping triggers that mark a period for the next refresh, the refresh
-- itself and the views npda.kpi_results and npda.kpi_map.
-- A current definition (sql/README.md): re-applied by every upgrade.

COMMENT ON TABLE npda.kpi_aggregation IS
  'KPI results rolled up per area and audit period, one row per level, area, period and KPI; partitioned by level (one partition per level). Rebuilt from the per-child scores by npda.refresh_kpi_aggregations(). PDU rows count the PDU''s own children; above PDU level a child in two PDUs'' active submissions counts once, at the PDU of its latest visit in the period (KPIs 41-43: the PDU caring on day 90 / day 14 after diagnosis) (decision D11); PZ999 appears only at PDU level.';
COMMENT ON COLUMN npda.kpi_aggregation.level IS 'pdu, trust, local_health_board, integrated_care_board, nhs_england_region, country or national.';
COMMENT ON COLUMN npda.kpi_aggregation.area_code IS 'PZ code (pdu), ODS code (trust, LHB, ICB), region code Y56-Y63, ONS country code, or ''national''.';
COMMENT ON COLUMN npda.kpi_aggregation.audit_period_id IS 'npda.audit_period.id.';
COMMENT ON COLUMN npda.kpi_aggregation.kpi IS 'KPI code (npda.kpi.code).';
COMMENT ON COLUMN npda.kpi_aggregation.eligible IS 'Children in the denominator (32.1: health checks expected); for cohort KPIs 1-12 the cohort count.';
COMMENT ON COLUMN npda.kpi_aggregation.ineligible IS 'Children in scope but not in the denominator.';
COMMENT ON COLUMN npda.kpi_aggregation.passed IS 'Children passing (32.1: checks achieved; 1-12: = eligible).';
COMMENT ON COLUMN npda.kpi_aggregation.failed IS 'Children failing (32.1: checks not achieved by failing children).';
COMMENT ON COLUMN npda.kpi_aggregation.pending IS 'Children pending: the period is open and the care can still be delivered (32.1: checks not yet achieved).';
COMMENT ON COLUMN npda.kpi_aggregation.value IS '44: mean of per-child mean HbA1c; 45: median of per-child medians (mmol/mol, NULL when no child has a value); 46/47: total admissions; NULL otherwise.';
COMMENT ON COLUMN npda.kpi_aggregation.children_with_value IS '44/45: children with a qualifying HbA1c; 46/47: children with at least one admission.';
COMMENT ON COLUMN npda.kpi_aggregation.as_of IS 'The oldest as-of date among the children''s scores: the results are at least as current as this date.';
COMMENT ON COLUMN npda.kpi_aggregation.computed_at IS 'When the aggregate was computed.';
COMMENT ON TABLE npda.kpi_aggregation_pdu IS 'Partition of npda.kpi_aggregation: level pdu.';
COMMENT ON TABLE npda.kpi_aggregation_trust IS 'Partition of npda.kpi_aggregation: level trust.';
COMMENT ON TABLE npda.kpi_aggregation_local_health_board IS 'Partition of npda.kpi_aggregation: level local_health_board.';
COMMENT ON TABLE npda.kpi_aggregation_integrated_care_board IS 'Partition of npda.kpi_aggregation: level integrated_care_board.';
COMMENT ON TABLE npda.kpi_aggregation_nhs_england_region IS 'Partition of npda.kpi_aggregation: level nhs_england_region.';
COMMENT ON TABLE npda.kpi_aggregation_country IS 'Partition of npda.kpi_aggregation: level country.';
COMMENT ON TABLE npda.kpi_aggregation_national IS 'Partition of npda.kpi_aggregation: level national.';
COMMENT ON TABLE npda.kpi_aggregation_refresh IS
  'Per audit period: when its per-child scores last changed and when its aggregates were last rebuilt; npda.refresh_kpi_aggregations(NULL) rebuilds the periods changed since.';
COMMENT ON COLUMN npda.kpi_aggregation_refresh.audit_period_id IS 'npda.audit_period.id.';
COMMENT ON COLUMN npda.kpi_aggregation_refresh.data_changed_at IS 'Last change to what the period''s roll-ups count: its per-child scores (set by a trigger on npda.patient_kpi_score), an active submission withdrawn, or an organisation release reaching the period (npda.apply_organisation_release).';
COMMENT ON COLUMN npda.kpi_aggregation_refresh.refreshed_at IS 'Last rebuild of the period''s aggregates.';
CREATE OR REPLACE FUNCTION npda._mark_scores_changed() RETURNS trigger
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp AS $$
BEGIN
  IF TG_OP = 'DELETE' THEN
    INSERT INTO npda.kpi_aggregation_refresh AS r (audit_period_id)
    SELECT DISTINCT audit_period_id FROM changed_old
    ON CONFLICT (audit_period_id) DO UPDATE SET data_changed_at = clock_timestamp();
  ELSE
    INSERT INTO npda.kpi_aggregation_refresh AS r (audit_period_id)
    SELECT DISTINCT audit_period_id FROM changed_new
    ON CONFLICT (audit_period_id) DO UPDATE SET data_changed_at = clock_timestamp();
  END IF;
  RETURN NULL;
END
$$;
COMMENT ON FUNCTION npda._mark_scores_changed() IS
  'Trigger: note that an audit period''s per-child scores changed, so the next npda.refresh_kpi_aggregations() rebuilds it.';
CREATE OR REPLACE TRIGGER patient_kpi_score_changed_insert AFTER INSERT ON npda.patient_kpi_score REFERENCING NEW TABLE AS changed_new
  FOR EACH STATEMENT EXECUTE FUNCTION npda._mark_scores_changed();
CREATE OR REPLACE TRIGGER patient_kpi_score_changed_update AFTER UPDATE ON npda.patient_kpi_score REFERENCING NEW TABLE AS changed_new
  FOR EACH STATEMENT EXECUTE FUNCTION npda._mark_scores_changed();
CREATE OR REPLACE TRIGGER patient_kpi_score_changed_delete AFTER DELETE ON npda.patient_kpi_score REFERENCING OLD TABLE AS changed_old
  FOR EACH STATEMENT EXECUTE FUNCTION npda._mark_scores_changed();

-- Withdrawing a submission (is_active set to false) changes what the period's
-- roll-ups count without touching a score: mark the period as well.
CREATE OR REPLACE FUNCTION npda._mark_submission_periods_changed() RETURNS trigger
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp AS $$
BEGIN
  INSERT INTO npda.kpi_aggregation_refresh AS r (audit_period_id)
  SELECT DISTINCT n.audit_period_id
    FROM changed_new n JOIN changed_old o ON o.id = n.id
   WHERE n.is_active IS DISTINCT FROM o.is_active
  ON CONFLICT (audit_period_id) DO UPDATE SET data_changed_at = clock_timestamp();
  RETURN NULL;
END
$$;
COMMENT ON FUNCTION npda._mark_submission_periods_changed() IS
  'Trigger: a submission made active or inactive changes its period''s roll-ups; note it for the next npda.refresh_kpi_aggregations().';
CREATE OR REPLACE TRIGGER submission_activity_changed AFTER UPDATE ON npda.submission
  REFERENCING OLD TABLE AS changed_old NEW TABLE AS changed_new
  FOR EACH STATEMENT EXECUTE FUNCTION npda._mark_submission_periods_changed();
CREATE OR REPLACE FUNCTION npda._refresh_kpi_aggregation(audit_period_id bigint) RETURNS integer
  AS 'MODULE_PATHNAME', '_refresh_kpi_aggregation' LANGUAGE C VOLATILE STRICT
  SET search_path = pg_catalog, pg_temp;
COMMENT ON FUNCTION npda._refresh_kpi_aggregation(bigint) IS
  'Internal: rebuild one audit period''s aggregates (C++); returns the rows written.';
CREATE OR REPLACE FUNCTION npda._lock_refresh(audit_period_id bigint) RETURNS void
  AS 'MODULE_PATHNAME', '_lock_refresh' LANGUAGE C VOLATILE STRICT;
COMMENT ON FUNCTION npda._lock_refresh(bigint) IS
  'Internal: take the advisory lock of the audit period''s roll-up refresh until the transaction ends (npda.refresh_kpi_aggregations). The lock keys are defined once, in the C++ library.';
CREATE OR REPLACE FUNCTION npda.refresh_kpi_aggregations(audit_year integer DEFAULT NULL) RETURNS integer
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  p record;
  total integer := 0;
BEGIN
  PERFORM npda._require_role(ARRAY['audit_team'], 'refreshing the roll-ups');
  FOR p IN
    SELECT ap.id FROM npda.audit_period ap
      LEFT JOIN npda.kpi_aggregation_refresh r ON r.audit_period_id = ap.id
     WHERE CASE WHEN audit_year IS NULL
                THEN r.audit_period_id IS NOT NULL AND (r.refreshed_at IS NULL OR r.refreshed_at < r.data_changed_at)
                ELSE ap.id = npda._audit_period_id(audit_year) END
     ORDER BY ap.start_date
  LOOP
    -- One rebuild at a time per period: a concurrent refresh waits, then
    -- rebuilds from the committed scores.
    PERFORM npda._lock_refresh(p.id);
    -- Claim the period's bookkeeping row before reading a single score. A
    -- transaction that changed the period's scores holds this row (through
    -- npda._mark_scores_changed) until it ends, so this waits for it, and the
    -- rebuild below, a later statement with a fresh snapshot under READ
    -- COMMITTED, includes what it committed. A change marked after this point
    -- waits for this transaction and then sets a data_changed_at later than
    -- refreshed_at: the next refresh takes the period up again. Stamping the
    -- row after the rebuild instead would mark a rebuild that missed a change
    -- committed meanwhile as current.
    INSERT INTO npda.kpi_aggregation_refresh AS r (audit_period_id, refreshed_at)
    VALUES (p.id, clock_timestamp())
    ON CONFLICT (audit_period_id) DO UPDATE SET refreshed_at = clock_timestamp();
    total := total + npda._refresh_kpi_aggregation(p.id);
    -- The stored results, exact and published, with the year's names.
    PERFORM npda._publish_kpi_results(p.id);
  END LOOP;
  IF audit_year IS NOT NULL AND NOT FOUND THEN
    RAISE EXCEPTION USING ERRCODE = 'NP104', MESSAGE = format('no audit period %s', audit_year),
      HINT = 'Pass the audit year as the calendar year the period starts (2025 for 2025-26).';
  END IF;
  RETURN total;
END
$$;
COMMENT ON FUNCTION npda.refresh_kpi_aggregations(integer) IS
  'Rebuild the KPI aggregates (npda.kpi_aggregation) of one audit year (the start year), or with NULL of every period whose per-child scores changed since its last rebuild. Also stores each rebuilt period''s results, exact and published (npda._publish_kpi_results, npda.kpi_result_store), which npda.kpi_results, npda.kpi_results_published and npda.kpi_map read. Scheduled every 15 minutes with pg_cron when available. Audit team only (pg_cron runs it as the superuser who scheduled it). Returns the aggregate rows written.';
CREATE OR REPLACE FUNCTION npda._kpi_pct_passed(kpi text, passed bigint, eligible bigint) RETURNS numeric
  AS 'MODULE_PATHNAME', '_kpi_pct_passed' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION npda._kpi_pct_passed(text, bigint, bigint) IS
  'Internal: the percentage passed of a KPI aggregate as npda.kpi_results reports it (reading R10, from the C++ engine): 100 x passed / eligible rounded half away from zero to one decimal place; NULL for cohort counts (1-12), values (44-47) and when nobody is eligible.';
-- Who reads published figures. The analyst check is worked out once per read
-- of npda.kpi_results (the view's one-row subquery), not per row.
CREATE OR REPLACE FUNCTION npda._caller_reads_published() RETURNS boolean
LANGUAGE plpgsql STABLE SECURITY DEFINER PARALLEL RESTRICTED
SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  c record := npda._caller();
  who name;
BEGIN
  IF npda._acting_user_id() IS NOT NULL THEN
    -- An application acting for an analyst, or for a user deactivated since.
    RETURN c.role IS NULL OR c.role = 'analyst';
  END IF;
  IF c.role IS NOT NULL THEN
    RETURN c.role = 'analyst';
  END IF;
  -- A login that is no npda user: an analyst when npda_analyst is its only npda group.
  who := npda._outer_role();
  RETURN pg_catalog.pg_has_role(who, 'npda_analyst', 'MEMBER')
     AND NOT pg_catalog.pg_has_role(who, 'npda_reader', 'MEMBER')
     AND NOT pg_catalog.pg_has_role(who, 'npda_editor', 'MEMBER')
     AND NOT pg_catalog.pg_has_role(who, 'npda_coordinator', 'MEMBER')
     AND NOT pg_catalog.pg_has_role(who, 'npda_application', 'MEMBER')
     AND NOT pg_catalog.pg_has_role(who, 'npda_audit_team', 'MEMBER');
END
$$;
COMMENT ON FUNCTION npda._caller_reads_published() IS
  'Internal: true when the caller is an analyst and npda.kpi_results and npda.kpi_map must show the published (disclosure-controlled) figures above PDU level only: an npda user with role analyst (its own login, or an application acting for it with npda.act_as), an application acting for a user deactivated since, or a login that is no npda user and whose only npda group is npda_analyst (docs/publishing.md).';
-- The results are stored by the refresh (npda.kpi_result_store, written by
-- npda._publish_kpi_results): area names as in the audit year, exact and
-- published figures side by side. The one-row subquery (kept a subquery by
-- OFFSET 0) asks once per read whether the caller is an analyst, who gets the
-- published figures and no PDU rows; everyone else gets the exact figures.
CREATE OR REPLACE VIEW npda.kpi_results AS
SELECT s.level, s.area_code, s.area_name, s.audit_year, s.kpi, s.label,
       CASE WHEN c.published THEN s.published_eligible ELSE s.eligible END AS eligible,
       CASE WHEN c.published THEN s.published_ineligible ELSE s.ineligible END AS ineligible,
       CASE WHEN c.published THEN s.published_passed ELSE s.passed END AS passed,
       CASE WHEN c.published THEN s.published_failed ELSE s.failed END AS failed,
       CASE WHEN c.published THEN s.published_pending ELSE s.pending END AS pending,
       CASE WHEN c.published THEN s.published_pct_passed ELSE s.pct_passed END AS pct_passed,
       CASE WHEN c.published THEN s.published_value ELSE s.value END AS value,
       s.as_of, s.computed_at, s.kpi_position
  FROM (SELECT npda._caller_reads_published() AS published OFFSET 0) c
  JOIN npda.kpi_result_store s ON NOT c.published OR s.level <> 'pdu';
COMMENT ON VIEW npda.kpi_results IS
  'KPI results per area for dashboards and the annual report: level, area code and name, audit year, KPI code and label, counts, the percentage passed (100 x passed / eligible, one decimal, NULL for cohort counts, values and empty denominators) and the value. Current as of npda.refresh_kpi_aggregations(), which stores them (npda.kpi_result_store). An analyst (npda._caller_reads_published()) sees the rows above PDU level with the published figures of npda.kpi_results_published; everyone else the exact figures.';
COMMENT ON COLUMN npda.kpi_results.level IS 'Aggregation level (npda.geo_level).';
COMMENT ON COLUMN npda.kpi_results.area_code IS 'PZ code, ODS code, region code, ONS country code or ''national''.';
COMMENT ON COLUMN npda.kpi_results.area_name IS 'Name of the area in the audit year: as on the period''s first day, whose geography the roll-ups follow.';
COMMENT ON COLUMN npda.kpi_results.audit_year IS 'Audit year (start year of the period).';
COMMENT ON COLUMN npda.kpi_results.kpi IS 'KPI code.';
COMMENT ON COLUMN npda.kpi_results.label IS 'KPI label.';
COMMENT ON COLUMN npda.kpi_results.eligible IS 'Children in the denominator (32.1: checks expected).';
COMMENT ON COLUMN npda.kpi_results.ineligible IS 'Children in scope not in the denominator.';
COMMENT ON COLUMN npda.kpi_results.passed IS 'Children passing (32.1: checks achieved).';
COMMENT ON COLUMN npda.kpi_results.failed IS 'Children failing.';
COMMENT ON COLUMN npda.kpi_results.pending IS 'Children pending (period still open).';
COMMENT ON COLUMN npda.kpi_results.pct_passed IS '100 x passed / eligible, one decimal place; NULL for KPIs 1-12, 44-47 and when nobody is eligible (reading R10).';
COMMENT ON COLUMN npda.kpi_results.value IS '44/45: HbA1c mmol/mol (mean of means / median of medians); 46/47: admissions.';
COMMENT ON COLUMN npda.kpi_results.as_of IS 'Results are at least as current as this date.';
COMMENT ON COLUMN npda.kpi_results.computed_at IS 'When the aggregate was computed.';
COMMENT ON COLUMN npda.kpi_results.kpi_position IS 'Report order of the KPI.';
-- Boundaries, like names, as on the first day of the audit year.
CREATE OR REPLACE VIEW npda.kpi_map AS
SELECT kr.*,
       CASE kr.level
         WHEN 'pdu' THEN (SELECT u.location FROM npda.paediatric_diabetes_unit u WHERE u.pz_code = kr.area_code)
         WHEN 'local_health_board' THEN
           (SELECT v.boundary FROM npda.local_health_board l JOIN npda.local_health_board_version v ON v.local_health_board_id = l.id
             WHERE l.ods_code = kr.area_code AND v.valid_from <= make_date(kr.audit_year, 4, 1)
               AND (v.valid_to IS NULL OR v.valid_to >= make_date(kr.audit_year, 4, 1)))
         WHEN 'integrated_care_board' THEN
           (SELECT v.boundary FROM npda.integrated_care_board i JOIN npda.integrated_care_board_version v ON v.integrated_care_board_id = i.id
             WHERE i.ods_code = kr.area_code AND v.valid_from <= make_date(kr.audit_year, 4, 1)
               AND (v.valid_to IS NULL OR v.valid_to >= make_date(kr.audit_year, 4, 1)))
         WHEN 'nhs_england_region' THEN
           (SELECT v.boundary FROM npda.nhs_england_region r JOIN npda.nhs_england_region_version v ON v.nhs_england_region_id = r.id
             WHERE r.region_code = kr.area_code AND v.valid_from <= make_date(kr.audit_year, 4, 1)
               AND (v.valid_to IS NULL OR v.valid_to >= make_date(kr.audit_year, 4, 1)))
         WHEN 'country' THEN
           (SELECT v.boundary FROM npda.country c JOIN npda.country_version v ON v.country_id = c.id
             WHERE c.ons_code = kr.area_code AND v.valid_from <= make_date(kr.audit_year, 4, 1)
               AND (v.valid_to IS NULL OR v.valid_to >= make_date(kr.audit_year, 4, 1)))
       END::geometry(Geometry, 4326) AS geom
  FROM npda.kpi_results kr;
COMMENT ON VIEW npda.kpi_map IS
  'npda.kpi_results with each area''s geometry (SRID 4326) for GIS tools and GeoJSON: boundaries for LHBs, ICBs, regions and countries, the lead site''s point for PDUs, NULL for trusts (no trust boundaries are published), Jersey and national.';
COMMENT ON COLUMN npda.kpi_map.level IS 'Aggregation level (npda.geo_level).';
COMMENT ON COLUMN npda.kpi_map.area_code IS 'PZ code, ODS code, region code, ONS country code or ''national''.';
COMMENT ON COLUMN npda.kpi_map.area_name IS 'Name of the area in the audit year: as on the period''s first day, whose geography the roll-ups follow.';
COMMENT ON COLUMN npda.kpi_map.audit_year IS 'Audit year (start year of the period).';
COMMENT ON COLUMN npda.kpi_map.kpi IS 'KPI code.';
COMMENT ON COLUMN npda.kpi_map.label IS 'KPI label.';
COMMENT ON COLUMN npda.kpi_map.eligible IS 'Children in the denominator (32.1: checks expected).';
COMMENT ON COLUMN npda.kpi_map.ineligible IS 'Children in scope not in the denominator.';
COMMENT ON COLUMN npda.kpi_map.passed IS 'Children passing (32.1: checks achieved).';
COMMENT ON COLUMN npda.kpi_map.failed IS 'Children failing.';
COMMENT ON COLUMN npda.kpi_map.pending IS 'Children pending (period still open).';
COMMENT ON COLUMN npda.kpi_map.pct_passed IS '100 x passed / eligible, one decimal place; NULL for KPIs 1-12, 44-47 and when nobody is eligible (reading R10).';
COMMENT ON COLUMN npda.kpi_map.value IS '44/45: HbA1c mmol/mol (mean of means / median of medians); 46/47: admissions.';
COMMENT ON COLUMN npda.kpi_map.as_of IS 'Results are at least as current as this date.';
COMMENT ON COLUMN npda.kpi_map.computed_at IS 'When the aggregate was computed.';
COMMENT ON COLUMN npda.kpi_map.kpi_position IS 'Report order of the KPI.';
COMMENT ON COLUMN npda.kpi_map.geom IS 'Area geometry, EPSG:4326 (longitude, latitude): the boundary in force on the first day of the audit year; the PDU''s lead site.';
