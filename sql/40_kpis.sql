-- KPIs: the 51 definitions, per-child scores kept current by triggers, and
-- the readable per-child views (tables: migrations/1.1/20_kpis.sql).
-- A current definition (sql/README.md): re-applied by every upgrade.

CREATE OR REPLACE FUNCTION npda._kpi_definitions()
  RETURNS TABLE (kpi_position smallint, code text, key text, label text, kind text, denominator text, description text)
  AS 'MODULE_PATHNAME', '_kpi_definitions'
  LANGUAGE C IMMUTABLE;
COMMENT ON FUNCTION npda._kpi_definitions() IS
  'Internal: the 51 KPI definitions compiled into the C++ engine (the source of npda.kpi).';
-- npda.kpi holds the engine's definitions: re-applied by every upgrade, so a
-- label or description changed in C++ reaches every database.
INSERT INTO npda.kpi AS k (code, position, key, label, kind, denominator, description)
SELECT code, kpi_position, key, label, kind, denominator, description FROM npda._kpi_definitions()
ON CONFLICT (code) DO UPDATE
  SET position = EXCLUDED.position, key = EXCLUDED.key, label = EXCLUDED.label, kind = EXCLUDED.kind,
      denominator = EXCLUDED.denominator, description = EXCLUDED.description
  WHERE (k.position, k.key, k.label, k.kind, k.denominator, k.description)
        IS DISTINCT FROM (EXCLUDED.position, EXCLUDED.key, EXCLUDED.label, EXCLUDED.kind, EXCLUDED.denominator, EXCLUDED.description);
COMMENT ON TABLE npda.kpi IS
  'The 51 NPDA KPI results (49 measures; 32 has three parts) as scored by the engine: RCPCH KPI specification of June 2024 with the project''s decisions D1-D14 (docs/kpis.md). Filled from the engine itself, so the two cannot disagree.';
COMMENT ON COLUMN npda.kpi.code IS 'KPI code: ''1''..''31'', ''32.1'', ''32.2'', ''32.3'', ''33''..''49''.';
COMMENT ON COLUMN npda.kpi.position IS 'Report order, 1..51 (32.1-32.3 are 32-34, 33 is 35, ...).';
COMMENT ON COLUMN npda.kpi.key IS 'The reference platform''s result name (e.g. kpi_25_hba1c), for readers of its code.';
COMMENT ON COLUMN npda.kpi.label IS 'The specification''s measure name.';
COMMENT ON COLUMN npda.kpi.kind IS 'cohort count (1-12: counted = pass), pass/fail proportion, care-process rate (32.1: counts checks) or value (44, 45 HbA1c mmol/mol; 46, 47 admissions).';
COMMENT ON COLUMN npda.kpi.denominator IS 'Who is eligible (measures M1-M7).';
COMMENT ON COLUMN npda.kpi.description IS 'Eligibility, pass rule and 2026-dataset notes, in words.';
COMMENT ON TABLE npda.patient_kpi_score IS
  'Storage of the per-child KPI results: one row per child and audit period holding all 51 outcomes and values as arrays in npda.kpi.position order. Read it through npda.patient_kpi (one row per child and KPI). One row instead of 51 makes a national re-score write 40,000 rows, not 2 million (measured: 0.2 s against 5.9 s, 13 s with a per-row foreign key).';
COMMENT ON COLUMN npda.patient_kpi_score.patient_id IS 'The child''s record (npda.patient.id); removed with it.';
COMMENT ON COLUMN npda.patient_kpi_score.audit_period_id IS 'The audit period scored (that of the child''s submission).';
COMMENT ON COLUMN npda.patient_kpi_score.as_of IS 'The date the outcomes were evaluated for: "pending" depends on it (decision D12).';
COMMENT ON COLUMN npda.patient_kpi_score.outcomes IS 'The 51 outcomes, element i = the KPI with npda.kpi.position i.';
COMMENT ON COLUMN npda.patient_kpi_score.kpi_values IS 'The 51 per-child values (NULL where a KPI has none): 32.1 checks achieved, 44/45 mean/median qualifying HbA1c in mmol/mol, 46/47 distinct qualifying admissions.';
COMMENT ON COLUMN npda.patient_kpi_score.checks_expected IS 'KPI 32.1: the health checks expected of the child, 3 (under 12) or 6 (12 and over); NULL when not eligible.';
COMMENT ON COLUMN npda.patient_kpi_score.scored_at IS 'When the row was computed.';
-- Not kept by pg_dump: scores are derived data. Restoring a dump re-inserts
-- children and visits, and the KPI triggers score them again (as of the
-- restore date; npda.rescore(year, date) reproduces any other date).

CREATE OR REPLACE VIEW npda.patient_kpi AS
SELECT s.patient_id, s.audit_period_id, k.code AS kpi, s.outcomes[k.position] AS outcome,
       s.kpi_values[k.position]::numeric AS value,
       CASE WHEN k.code = '32.1' THEN s.checks_expected::integer END AS value_expected,
       s.as_of
  FROM npda.patient_kpi_score s
 CROSS JOIN npda.kpi k;
COMMENT ON VIEW npda.patient_kpi IS
  'Per-child KPI results: one row per child, audit period and KPI (51 per child), as of the date they were computed for. Every kpi value is a row of npda.kpi.';
COMMENT ON COLUMN npda.patient_kpi.patient_id IS 'The child''s record (npda.patient.id).';
COMMENT ON COLUMN npda.patient_kpi.audit_period_id IS 'The audit period (npda.audit_period.id).';
COMMENT ON COLUMN npda.patient_kpi.kpi IS 'KPI code (npda.kpi.code).';
COMMENT ON COLUMN npda.patient_kpi.outcome IS 'pass, fail, pending or ineligible (for cohort KPIs 1-12: pass = counted).';
COMMENT ON COLUMN npda.patient_kpi.value IS '32.1: checks achieved; 44/45: the child''s mean/median qualifying HbA1c, mmol/mol; 46/47: distinct qualifying admissions; NULL otherwise.';
COMMENT ON COLUMN npda.patient_kpi.value_expected IS '32.1 only: checks expected (3 or 6).';
COMMENT ON COLUMN npda.patient_kpi.as_of IS 'Date the outcome was evaluated for.';
CREATE OR REPLACE VIEW npda.patient_kpi_results AS
SELECT s.patient_id, coalesce(p.nhs_number, p.unique_reference_number) AS nhs_number, u.pz_code,
       npda.audit_year(ap.start_date) AS audit_year, k.code AS kpi, k.label,
       s.outcomes[k.position] AS outcome, s.kpi_values[k.position]::numeric AS value,
       CASE WHEN k.code = '32.1' THEN s.checks_expected::integer END AS value_expected,
       s.as_of, k.position AS kpi_position
  FROM npda.patient_kpi_score s
  JOIN npda.patient p ON p.id = s.patient_id
  JOIN npda.submission sub ON sub.id = p.submission_id
  JOIN npda.paediatric_diabetes_unit u ON u.id = sub.paediatric_diabetes_unit_id
  JOIN npda.audit_period ap ON ap.id = s.audit_period_id
 CROSS JOIN npda.kpi k;
COMMENT ON VIEW npda.patient_kpi_results IS
  'Readable per-child KPI results: the child''s identifier and PDU, audit year, KPI code and label, outcome and value. ORDER BY kpi_position for report order.';
COMMENT ON COLUMN npda.patient_kpi_results.patient_id IS 'The child''s record (npda.patient.id).';
COMMENT ON COLUMN npda.patient_kpi_results.nhs_number IS 'NHS number (ten digits), or the Jersey unique reference number.';
COMMENT ON COLUMN npda.patient_kpi_results.pz_code IS 'The PDU whose submission holds the record.';
COMMENT ON COLUMN npda.patient_kpi_results.audit_year IS 'Audit year (start year of the period).';
COMMENT ON COLUMN npda.patient_kpi_results.kpi IS 'KPI code.';
COMMENT ON COLUMN npda.patient_kpi_results.label IS 'KPI label.';
COMMENT ON COLUMN npda.patient_kpi_results.outcome IS 'pass, fail, pending or ineligible.';
COMMENT ON COLUMN npda.patient_kpi_results.value IS 'The per-child value where the KPI has one.';
COMMENT ON COLUMN npda.patient_kpi_results.value_expected IS '32.1 only: checks expected.';
COMMENT ON COLUMN npda.patient_kpi_results.as_of IS 'Date the outcome was evaluated for.';
COMMENT ON COLUMN npda.patient_kpi_results.kpi_position IS 'Report order of the KPI (npda.kpi.position).';

-- Scoring entry points.
CREATE OR REPLACE FUNCTION npda._bulk_load_active() RETURNS boolean
  AS 'MODULE_PATHNAME', '_bulk_load_active' LANGUAGE C VOLATILE;
COMMENT ON FUNCTION npda._bulk_load_active() IS
  'Internal: true while npda.submit_csv writes a file (it scores the file itself, so the KPI triggers stand aside).';
CREATE OR REPLACE FUNCTION npda._score_patients(patient_ids bigint[], as_of date) RETURNS integer
  AS 'MODULE_PATHNAME', '_score_patients' LANGUAGE C VOLATILE STRICT;
COMMENT ON FUNCTION npda._score_patients(bigint[], date) IS
  'Internal: re-score these children (npda.patient.id) as of a date; ids that no longer exist are skipped. Returns the number scored.';
CREATE OR REPLACE FUNCTION npda._rescore_period(audit_period_id bigint, as_of date) RETURNS integer
  AS 'MODULE_PATHNAME', '_rescore_period' LANGUAGE C VOLATILE STRICT;
COMMENT ON FUNCTION npda._rescore_period(bigint, date) IS
  'Internal: re-score every child of an audit period''s active submissions as of a date.';
COMMENT ON TABLE npda.audit_period_scoring IS
  'Last whole-period re-score of each audit period (npda.rescore): lets the scheduled job find periods that ended after they were last scored.';
COMMENT ON COLUMN npda.audit_period_scoring.audit_period_id IS 'npda.audit_period.id.';
COMMENT ON COLUMN npda.audit_period_scoring.as_of IS 'The as-of date of the last whole-period re-score.';
COMMENT ON COLUMN npda.audit_period_scoring.children IS 'Children scored.';
COMMENT ON COLUMN npda.audit_period_scoring.scored_at IS 'When it ran.';
CREATE OR REPLACE FUNCTION npda._lock_period_exclusive(audit_period_id bigint) RETURNS void
  AS 'MODULE_PATHNAME', '_lock_period_exclusive' LANGUAGE C VOLATILE STRICT;
COMMENT ON FUNCTION npda._lock_period_exclusive(bigint) IS
  'Internal: take the audit period''s advisory lock exclusively until the transaction ends (npda.rescore; submissions and edits take it shared). The lock keys are defined once, in the C++ library.';
CREATE OR REPLACE FUNCTION npda.rescore(audit_year integer, as_of date DEFAULT current_date) RETURNS integer
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  period_id bigint;
  n integer;
BEGIN
  period_id := npda._audit_period_id(audit_year);
  IF period_id IS NULL THEN
    RAISE EXCEPTION USING ERRCODE = 'NP104', MESSAGE = format('no audit period %s', audit_year),
      HINT = 'Pass the audit year as the calendar year the period starts (2025 for 2025-26).';
  END IF;
  IF as_of IS NULL THEN
    RAISE EXCEPTION USING ERRCODE = 'NP105', MESSAGE = 'as_of must not be NULL';
  END IF;
  IF NOT isfinite(as_of) THEN
    RAISE EXCEPTION USING ERRCODE = 'NP105', MESSAGE = format('as_of must be a finite date, not %s', as_of),
      HINT = 'Pass the day the results should stand on, e.g. current_date or the end of the period.';
  END IF;
  -- Exclusive against submissions for the period (they hold it shared), so a
  -- replacement cannot remove children while they are being scored.
  PERFORM npda._lock_period_exclusive(period_id);
  n := npda._rescore_period(period_id, as_of);
  INSERT INTO npda.audit_period_scoring AS s (audit_period_id, as_of, children)
  VALUES (period_id, as_of, n)
  ON CONFLICT (audit_period_id) DO UPDATE SET as_of = EXCLUDED.as_of, children = EXCLUDED.children, scored_at = clock_timestamp();
  RETURN n;
END
$$;
COMMENT ON FUNCTION npda.rescore(integer, date) IS
  'Re-score every child of an audit period (audit year = start year) as of a date (default today): after a rule change, or to see the results as they stood on a chosen date. Returns the number of children scored.';
CREATE OR REPLACE FUNCTION npda.rescore_ended_periods() RETURNS integer
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  p record;
  total integer := 0;
BEGIN
  -- A period that has ended must have no pending outcome left (decision D12):
  -- re-score every period whose end date has passed and that was not scored
  -- as of a date after its end, or whose children still hold a pending.
  FOR p IN
    SELECT ap.start_date FROM npda.audit_period ap
     LEFT JOIN npda.audit_period_scoring s ON s.audit_period_id = ap.id
     WHERE ap.end_date < current_date
       AND (s.as_of IS NULL OR s.as_of <= ap.end_date
            OR EXISTS (SELECT FROM npda.patient_kpi_score k
                        WHERE k.audit_period_id = ap.id AND k.as_of <= ap.end_date))
       AND EXISTS (SELECT FROM npda.submission sub WHERE sub.audit_period_id = ap.id AND sub.is_active)
     ORDER BY ap.start_date
  LOOP
    total := total + npda.rescore(extract(year FROM p.start_date)::integer, current_date);
  END LOOP;
  RETURN total;
END
$$;
COMMENT ON FUNCTION npda.rescore_ended_periods() IS
  'Scheduled job (pg_cron, daily): re-score, as of today, every audit period that has ended since it was last scored, so that no pending outcome survives the end of its period. Returns the number of children scored.';

-- Triggers: statement-level with transition tables, so a statement touching
-- many rows scores each affected child once.
CREATE OR REPLACE FUNCTION npda._rescore_changed_children() RETURNS trigger
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  ids bigint[];
BEGIN
  IF npda._bulk_load_active() THEN
    RETURN NULL;
  END IF;
  -- Static statements, one per table shape and event, so PL/pgSQL keeps
  -- their plans (it compiles the function once per trigger table): a visit
  -- edit plans nothing.
  IF TG_ARGV[0] = 'id' THEN
    IF TG_OP = 'INSERT' THEN
      SELECT array_agg(DISTINCT c.id) INTO ids FROM changed_new c;
    ELSIF TG_OP = 'DELETE' THEN
      SELECT array_agg(DISTINCT c.id) INTO ids FROM changed_old c;
    ELSE
      SELECT array_agg(DISTINCT x) INTO ids FROM (SELECT id FROM changed_new UNION SELECT id FROM changed_old) AS c(x);
    END IF;
  ELSE
    IF TG_OP = 'INSERT' THEN
      SELECT array_agg(DISTINCT c.patient_id) INTO ids FROM changed_new c;
    ELSIF TG_OP = 'DELETE' THEN
      SELECT array_agg(DISTINCT c.patient_id) INTO ids FROM changed_old c;
    ELSE
      SELECT array_agg(DISTINCT x) INTO ids
        FROM (SELECT patient_id FROM changed_new UNION SELECT patient_id FROM changed_old) AS c(x);
    END IF;
  END IF;
  IF ids IS NOT NULL THEN
    PERFORM npda._score_patients(ids, current_date);
  END IF;
  RETURN NULL;
END
$$;
COMMENT ON FUNCTION npda._rescore_changed_children() IS
  'Trigger: re-score (as of today) every child touched by the statement; TG_ARGV[0] names the column holding the npda.patient id (id on npda.patient, patient_id on visit and transfer).';
CREATE OR REPLACE TRIGGER visit_rescore_insert AFTER INSERT ON npda.visit REFERENCING NEW TABLE AS changed_new
  FOR EACH STATEMENT EXECUTE FUNCTION npda._rescore_changed_children('patient_id');
CREATE OR REPLACE TRIGGER visit_rescore_update AFTER UPDATE ON npda.visit REFERENCING OLD TABLE AS changed_old NEW TABLE AS changed_new
  FOR EACH STATEMENT EXECUTE FUNCTION npda._rescore_changed_children('patient_id');
CREATE OR REPLACE TRIGGER visit_rescore_delete AFTER DELETE ON npda.visit REFERENCING OLD TABLE AS changed_old
  FOR EACH STATEMENT EXECUTE FUNCTION npda._rescore_changed_children('patient_id');
CREATE OR REPLACE TRIGGER transfer_rescore_insert AFTER INSERT ON npda.transfer REFERENCING NEW TABLE AS changed_new
  FOR EACH STATEMENT EXECUTE FUNCTION npda._rescore_changed_children('patient_id');
CREATE OR REPLACE TRIGGER transfer_rescore_update AFTER UPDATE ON npda.transfer REFERENCING OLD TABLE AS changed_old NEW TABLE AS changed_new
  FOR EACH STATEMENT EXECUTE FUNCTION npda._rescore_changed_children('patient_id');
CREATE OR REPLACE TRIGGER transfer_rescore_delete AFTER DELETE ON npda.transfer REFERENCING OLD TABLE AS changed_old
  FOR EACH STATEMENT EXECUTE FUNCTION npda._rescore_changed_children('patient_id');
CREATE OR REPLACE TRIGGER patient_rescore_insert AFTER INSERT ON npda.patient REFERENCING NEW TABLE AS changed_new
  FOR EACH STATEMENT EXECUTE FUNCTION npda._rescore_changed_children('id');
CREATE OR REPLACE TRIGGER patient_rescore_update AFTER UPDATE ON npda.patient REFERENCING OLD TABLE AS changed_old NEW TABLE AS changed_new
  FOR EACH STATEMENT EXECUTE FUNCTION npda._rescore_changed_children('id');

