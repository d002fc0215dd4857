-- KPI scores kept current: the statement-level triggers on visit, patient and
-- transfer, npda.rescore, npda.rescore_ended_periods, replacement of a
-- submission, the 51 definitions (C80), an empty scope (C79) and errors.
-- Helpers (session-local): valid NHS numbers per child label, CSV files built
-- from a few fields per row over the conformance fixtures, per-case tallies.
\set ECHO none
\i test/sql/include/kpi_fixtures.psql
\set ECHO all

-- Per-child results of some cases (the case is the label before the '/').
CREATE FUNCTION pg_temp.results(cases text[], kpis text[], year integer DEFAULT 2024)
RETURNS TABLE (child text, kpi text, outcome npda.kpi_outcome, value numeric, value_expected integer)
LANGUAGE sql AS $$
  SELECT k.label, r.kpi, r.outcome, round(r.value, 2), r.value_expected
    FROM kid k JOIN npda.patient_kpi_results r ON r.nhs_number = k.nhs
   WHERE split_part(k.label, '/', 1) = ANY (cases) AND r.kpi = ANY (kpis) AND r.audit_year = year
   ORDER BY k.n, r.kpi_position
$$;

-- The expected tallies of one case (docs/kpis.md §8): E, P, F, pending, I and the area value
-- (32.1 counts checks: E expected, P achieved, F not achieved by failing
-- children, pending not yet achieved by pending children; I counts children).
CREATE FUNCTION pg_temp.tally(case_id text, kpis text[], year integer DEFAULT 2024)
RETURNS TABLE (kpi text, e bigint, p bigint, f bigint, pending bigint, i bigint, v numeric)
LANGUAGE sql AS $$
  SELECT r.kpi,
         CASE WHEN r.kpi = '32.1' THEN sum(r.value_expected) FILTER (WHERE r.outcome <> 'ineligible')
              ELSE count(*) FILTER (WHERE r.outcome <> 'ineligible') END,
         CASE WHEN r.kpi = '32.1' THEN sum(r.value) FILTER (WHERE r.outcome <> 'ineligible')
              ELSE count(*) FILTER (WHERE r.outcome = 'pass') END,
         CASE WHEN r.kpi = '32.1' THEN coalesce(sum(r.value_expected - r.value) FILTER (WHERE r.outcome = 'fail'), 0)
              ELSE count(*) FILTER (WHERE r.outcome = 'fail') END,
         CASE WHEN r.kpi = '32.1' THEN coalesce(sum(r.value_expected - r.value) FILTER (WHERE r.outcome = 'pending'), 0)
              ELSE count(*) FILTER (WHERE r.outcome = 'pending') END,
         count(*) FILTER (WHERE r.outcome = 'ineligible'),
         CASE r.kpi
           WHEN '44' THEN round(avg(r.value) FILTER (WHERE r.outcome = 'pass'), 1)
           WHEN '45' THEN round((percentile_cont(0.5) WITHIN GROUP (ORDER BY r.value) FILTER (WHERE r.outcome = 'pass'))::numeric, 1)
           WHEN '46' THEN sum(r.value) FILTER (WHERE r.outcome <> 'ineligible')
           WHEN '47' THEN sum(r.value) FILTER (WHERE r.outcome <> 'ineligible')
         END
    FROM kid k JOIN npda.patient_kpi_results r ON r.nhs_number = k.nhs
   WHERE split_part(k.label, '/', 1) = case_id AND r.kpi = ANY (kpis) AND r.audit_year = year
   GROUP BY r.kpi, r.kpi_position
   ORDER BY r.kpi_position
$$;
RESET client_min_messages;
\set ECHO none
\i test/sql/include/outcome_of.psql
\set ECHO all
-- One child's outcome for one KPI in the PZ041 2024 data, with whether it was
-- scored as of today (as triggers do).
CREATE FUNCTION pg_temp.outcome(label text, kpi text) RETURNS text LANGUAGE sql AS $$
  SELECT r.outcome || CASE WHEN r.as_of = current_date THEN ' (as of today)'
                           ELSE ' (as of ' || to_char(r.as_of, 'YYYY-MM-DD') || ')' END
    FROM kid k JOIN npda.patient_kpi_results r ON r.nhs_number = k.nhs
   WHERE k.label = outcome.label AND r.kpi = outcome.kpi AND r.pz_code = 'PZ041' AND r.audit_year = 2024
$$;
CREATE FUNCTION pg_temp.patient_id(label text) RETURNS bigint LANGUAGE sql AS $$
  SELECT p.id FROM kid k JOIN npda.patient p ON p.nhs_number = k.nhs
    JOIN npda.submission s ON s.id = p.submission_id AND s.is_active
   WHERE k.label = patient_id.label
$$;

-- ---------------------------------------------------------------------------
-- The 51 results in report order with their labels (C80).
SELECT string_agg(code, ' ' ORDER BY position) = '1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20 21 22 23 24 25 26 27 28 29 30 31 32.1 32.2 32.3 33 34 35 36 37 38 39 40 41 42 43 44 45 46 47 48 49' AS report_order,
       count(*) AS results, min(position) AS first, max(position) AS last
  FROM npda.kpi;
SELECT position, code, kind, label FROM npda.kpi ORDER BY position;

-- ---------------------------------------------------------------------------
-- A small file for PZ041, audit year 2024 (ended 2025-03-31).
SELECT pg_temp.stage(2021, $$[
  {"kid": "hba1c", "fx": "C5"},
  {"kid": "type", "fx": "Std"},
  {"kid": "leaver", "fx": "C5"},
  {"kid": "two-visits", "fx": "C5", "visit": "2024-03-22"},
  {"kid": "two-visits", "fx": "C5", "visit": "2024-06-01", "hba1c": 58, "hba1c_date": "2024-06-01"},
  {"kid": "three-visits", "fx": "C5", "visit": "2024-05-01"},
  {"kid": "three-visits", "fx": "C5", "visit": "2024-07-01"},
  {"kid": "three-visits", "fx": "C5", "visit": "2024-09-01"}
]$$);
SELECT * FROM pg_temp.submit(2021, 'PZ041', 2024);
-- submit_csv scored every child once, as of today.
SELECT count(*) AS children, count(*) FILTER (WHERE s.as_of = current_date) AS as_of_today,
       bool_and(cardinality(s.outcomes) = 51 AND cardinality(s.kpi_values) = 51) AS arrays_of_51
  FROM kid k JOIN npda.patient p ON p.nhs_number = k.nhs JOIN npda.patient_kpi_score s ON s.patient_id = p.id;
SELECT k.label, count(t.*) AS transfer_rows
  FROM kid k LEFT JOIN npda.transfer t ON t.patient_id = pg_temp.patient_id(k.label) GROUP BY k.label, k.n ORDER BY k.n;

-- UPDATE of a visit: an HbA1c in the period turns KPI 25 from fail to pass in
-- the same transaction; after ROLLBACK it is a fail again.
SELECT pg_temp.outcome('hba1c', '25') AS before;
BEGIN;
UPDATE npda.visit SET hba1c = 50, hba1c_format = 1, hba1c_date = '2024-06-01'
 WHERE patient_id = pg_temp.patient_id('hba1c');
SELECT pg_temp.outcome('hba1c', '25') AS in_transaction;
ROLLBACK;
SELECT pg_temp.outcome('hba1c', '25') AS after_rollback;
-- Committed, it stays.
UPDATE npda.visit SET hba1c = 50, hba1c_format = 1, hba1c_date = '2024-06-01'
 WHERE patient_id = pg_temp.patient_id('hba1c');
SELECT pg_temp.outcome('hba1c', '25') AS after_commit;

-- DELETE of a visit: the child's only visit in the period (with its HbA1c) goes,
-- so it leaves measure 1 (KPI 1) and measure 5 (KPI 25 ineligible).
SELECT pg_temp.outcome('two-visits', '1') AS kpi_1, pg_temp.outcome('two-visits', '25') AS kpi_25;
DELETE FROM npda.visit WHERE patient_id = pg_temp.patient_id('two-visits') AND visit_date = '2024-06-01';
SELECT pg_temp.outcome('two-visits', '1') AS kpi_1, pg_temp.outcome('two-visits', '25') AS kpi_25;

-- UPDATE of the patient: type 1 -> 2 leaves measure 3 (KPI 3) and 5.
SELECT pg_temp.outcome('type', '3') AS kpi_3;
UPDATE npda.patient SET diabetes_type = 2 WHERE id = pg_temp.patient_id('type');
SELECT pg_temp.outcome('type', '3') AS kpi_3, pg_temp.outcome('type', '5') AS kpi_5;

-- UPDATE of the transfer row: a leaving date in the period takes the child out
-- of KPI 5 (no complete year) and into KPI 9.
SELECT pg_temp.outcome('leaver', '5') AS kpi_5, pg_temp.outcome('leaver', '9') AS kpi_9;
UPDATE npda.transfer SET date_leaving_service = '2024-09-01', reason_leaving_service = 2
 WHERE patient_id = pg_temp.patient_id('leaver');
SELECT pg_temp.outcome('leaver', '5') AS kpi_5, pg_temp.outcome('leaver', '9') AS kpi_9;

-- A statement touching many rows scores each child once: five visits of three
-- children -> three score rows written (counted by this transaction's statistics).
BEGIN;
SELECT coalesce(n_tup_ins + n_tup_upd, 0) AS writes_before
  FROM pg_stat_xact_user_tables WHERE relid = 'npda.patient_kpi_score'::regclass \gset
UPDATE npda.visit SET sick_day_rules_training_date = '2024-05-01'
 WHERE patient_id IN (pg_temp.patient_id('three-visits'), pg_temp.patient_id('hba1c'), pg_temp.patient_id('two-visits'));
SELECT count(*) AS visits_updated FROM npda.visit
 WHERE sick_day_rules_training_date = '2024-05-01'
   AND patient_id IN (pg_temp.patient_id('three-visits'), pg_temp.patient_id('hba1c'), pg_temp.patient_id('two-visits'));
SELECT n_tup_ins + n_tup_upd - :writes_before AS score_rows_written
  FROM pg_stat_xact_user_tables WHERE relid = 'npda.patient_kpi_score'::regclass;
SELECT pg_temp.outcome('three-visits', '40') AS kpi_40;
ROLLBACK;

-- npda.rescore: every child of the period's active submissions, as of the
-- date given; returns the count and records it in npda.audit_period_scoring.
SELECT npda.rescore(2024, '2025-04-30') = (SELECT count(*) FROM npda.patient p JOIN npda.submission s ON s.id = p.submission_id
                                            JOIN npda.audit_period ap ON ap.id = s.audit_period_id
                                           WHERE s.is_active AND ap.start_date = '2024-04-01') AS returns_child_count;
SELECT to_char(sc.as_of, 'YYYY-MM-DD') AS as_of, sc.children = (SELECT count(*) FROM npda.patient_kpi_score k WHERE k.audit_period_id = ap.id) AS children_match
  FROM npda.audit_period_scoring sc JOIN npda.audit_period ap ON ap.id = sc.audit_period_id
 WHERE ap.start_date = '2024-04-01';
SELECT k.label, pg_temp.outcome(k.label, '25') AS kpi_25 FROM kid k ORDER BY k.n;

-- As of a date inside the period, care not yet given is pending...
SELECT npda.rescore(2024, '2024-10-01') > 0 AS rescored;
SELECT k.label, pg_temp.outcome(k.label, '25') AS kpi_25 FROM kid k ORDER BY k.n;
-- ...until the daily job re-scores the ended period as of today: no pending left.
SELECT npda.rescore_ended_periods() > 0 AS rescored_ended;
SELECT k.label, pg_temp.outcome(k.label, '25') AS kpi_25 FROM kid k ORDER BY k.n;
SELECT count(*) FILTER (WHERE 'pending' = ANY (s.outcomes)) AS children_with_pending,
       count(*) FILTER (WHERE s.as_of <= ap.end_date) AS scored_before_end
  FROM npda.patient_kpi_score s JOIN npda.audit_period ap ON ap.id = s.audit_period_id WHERE ap.end_date < current_date;
SELECT sc.as_of = current_date AS period_scored_today
  FROM npda.audit_period_scoring sc JOIN npda.audit_period ap ON ap.id = sc.audit_period_id
 WHERE ap.start_date = '2024-04-01';
-- Nothing is left to do on the next run.
SELECT npda.rescore_ended_periods() AS rescored_again;

-- Replacing the submission removes the old children and their scores.
CREATE TEMP TABLE old_children AS
SELECT p.id FROM npda.patient p JOIN npda.submission s ON s.id = p.submission_id
  JOIN npda.paediatric_diabetes_unit u ON u.id = s.paediatric_diabetes_unit_id
  JOIN npda.audit_period ap ON ap.id = s.audit_period_id
 WHERE s.is_active AND u.pz_code = 'PZ041' AND ap.start_date = '2024-04-01';
TRUNCATE staged;
SELECT pg_temp.stage(2021, $$[{"kid": "replacement-1", "fx": "C5"}, {"kid": "replacement-2", "fx": "Std"}]$$);
SELECT * FROM pg_temp.submit(2021, 'PZ041', 2024);
SELECT count(*) AS old_children, count(s.*) AS old_scores_left FROM old_children o LEFT JOIN npda.patient_kpi_score s ON s.patient_id = o.id;
SELECT count(*) AS orphan_scores FROM npda.patient_kpi_score s WHERE NOT EXISTS (SELECT FROM npda.patient p WHERE p.id = s.patient_id);
SELECT count(*) AS pz041_2024_children, bool_and(r.as_of = current_date) AS scored_today
  FROM (SELECT DISTINCT patient_id, as_of FROM npda.patient_kpi_results WHERE pz_code = 'PZ041' AND audit_year = 2024) r;
SELECT s.file_name, s.is_active, s.replaced_at IS NOT NULL AS replaced, s.patient_count
  FROM npda.submission s JOIN npda.paediatric_diabetes_unit u ON u.id = s.paediatric_diabetes_unit_id
 WHERE u.pz_code = 'PZ041' AND s.file_name LIKE 'kpi-cases-%' ORDER BY s.id;

-- An empty scope (C79): a PDU with no submission has no per-child results, and
-- the 51 KPIs summed over nothing give zero counts, NULL for 44/45, 0 for 46/47.
SELECT count(*) AS pz215_results FROM npda.patient_kpi_results WHERE pz_code = 'PZ215';
SELECT count(*) AS kpis, sum(e) AS eligible, sum(i) AS ineligible,
       count(*) FILTER (WHERE code IN ('44', '45') AND v IS NULL) AS null_44_45,
       string_agg(code || '=' || v, ' ' ORDER BY position) FILTER (WHERE v IS NOT NULL) AS values
  FROM (SELECT k.code, k.position, count(r.*) FILTER (WHERE r.outcome <> 'ineligible') AS e,
               count(r.*) FILTER (WHERE r.outcome = 'ineligible') AS i,
               CASE WHEN k.code IN ('46', '47') THEN coalesce(sum(r.value), 0)
                    WHEN k.code = '44' THEN avg(r.value) FILTER (WHERE r.outcome = 'pass') END AS v
          FROM npda.kpi k LEFT JOIN npda.patient_kpi_results r ON r.kpi = k.code AND r.pz_code = 'PZ215' AND r.audit_year = 2024
         GROUP BY k.code, k.position) t;
-- A file with the template's header and no rows is refused (a structural
-- error), so there is never a submission without children.
TRUNCATE staged;
SELECT pg_temp.outcome_of($$SELECT npda.submit_csv('PZ215', pg_temp.csv(2021, 'PZ215'), 2024)$$);

-- Errors: an unknown audit year, a NULL as-of date.
SELECT pg_temp.outcome_of('SELECT npda.rescore(1999)');
SELECT pg_temp.outcome_of($$SELECT npda.rescore(2024, NULL)$$);

-- Leave nothing behind.
UPDATE npda.submission s SET is_active = false FROM npda.paediatric_diabetes_unit u
 WHERE u.id = s.paediatric_diabetes_unit_id AND u.pz_code = 'PZ041' AND s.file_name LIKE 'kpi-cases-%';  -- an active submission cannot be deleted
DELETE FROM npda.submission s USING npda.paediatric_diabetes_unit u
 WHERE u.id = s.paediatric_diabetes_unit_id AND u.pz_code = 'PZ041' AND s.file_name LIKE 'kpi-cases-%';
DELETE FROM npda.audit_period_scoring sc USING npda.audit_period ap
 WHERE ap.id = sc.audit_period_id AND ap.start_date = '2024-04-01';
SELECT count(*) AS scores_left FROM npda.patient_kpi_score s JOIN npda.audit_period ap ON ap.id = s.audit_period_id
 WHERE ap.start_date = '2024-04-01';
