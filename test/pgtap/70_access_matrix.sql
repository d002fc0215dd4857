-- Access control, the matrix: for every table and view of patient or per-unit
-- data and every role -- reader, editor and coordinator of unit A (PZ041), an
-- analyst, an application login acting for nobody and acting for an editor of
-- A (npda.act_as), the audit team -- each SELECT, INSERT, UPDATE and DELETE
-- sees and touches exactly what it should and nothing of unit B (PZ215); data
-- of a closed period is changed by the audit team only; the functions refuse
-- what the role may not do. Then: triggers and scoring work for every role,
-- TRUNCATE is refused, and the catalog keeps its promises (row security on,
-- security_invoker views, nothing executable by PUBLIC, search_path pinned).
-- The login roles are created here and rolled back with everything else.
BEGIN;
SELECT plan(661);
SET LOCAL client_min_messages = warning;

-- ---- fixture (as the superuser running the test) ----------------------------
SELECT id AS unit_a FROM npda.paediatric_diabetes_unit WHERE pz_code = 'PZ041' \gset
SELECT id AS unit_b FROM npda.paediatric_diabetes_unit WHERE pz_code = 'PZ215' \gset
UPDATE npda.audit_period SET is_open = true WHERE start_date = '2025-04-01';
UPDATE npda.audit_period SET is_open = false WHERE start_date = '2023-04-01';
\set file_a `base64 -w0 test/fixtures/npda_dummy_sheet_invalid_2024-10.csv`
CREATE TEMP TABLE file (pz text PRIMARY KEY, bytes bytea NOT NULL);
INSERT INTO file SELECT 'PZ041', decode(:'file_a', 'base64');
INSERT INTO file SELECT 'PZ215', convert_to(replace(convert_from(decode(:'file_a', 'base64'), 'UTF8'), ',PZ041,', ',PZ215,'), 'UTF8');
GRANT SELECT ON file TO PUBLIC;
-- A: a 2025 file replaced twice (the first two stay, withdrawn) and a closed
-- 2023 one; B: 2025 and 2023.
CREATE TEMP TABLE sub (k text PRIMARY KEY, id bigint);
INSERT INTO sub SELECT 'a_older', (npda.submit_csv('PZ041', bytes, 2025, 'a-older.csv')).id FROM file WHERE pz = 'PZ041';
INSERT INTO sub SELECT 'a_old', (npda.submit_csv('PZ041', bytes, 2025, 'a-old.csv')).id FROM file WHERE pz = 'PZ041';
INSERT INTO sub SELECT 'a', (npda.submit_csv('PZ041', bytes, 2025, 'a.csv')).id FROM file WHERE pz = 'PZ041';
INSERT INTO sub SELECT 'a_closed', (npda.submit_csv('PZ041', bytes, 2023, 'a-2023.csv')).id FROM file WHERE pz = 'PZ041';
INSERT INTO sub SELECT 'b', (npda.submit_csv('PZ215', bytes, 2025, 'b.csv')).id FROM file WHERE pz = 'PZ215';
INSERT INTO sub SELECT 'b_closed', (npda.submit_csv('PZ215', bytes, 2023, 'b-2023.csv')).id FROM file WHERE pz = 'PZ215';
SELECT id AS sub_a FROM sub WHERE k = 'a' \gset
SELECT id AS sub_a_old FROM sub WHERE k = 'a_old' \gset
SELECT id AS sub_a_older FROM sub WHERE k = 'a_older' \gset
SELECT id AS sub_a_closed FROM sub WHERE k = 'a_closed' \gset
SELECT id AS sub_b FROM sub WHERE k = 'b' \gset
CREATE TEMP TABLE refreshed AS SELECT npda.refresh_kpi_aggregations(2025) AS n;

-- Login roles, one per kind of person, and the npda users behind them.
CREATE ROLE npda_tap_reader_a LOGIN;
CREATE ROLE npda_tap_editor_a LOGIN;
CREATE ROLE npda_tap_coordinator_a LOGIN;
CREATE ROLE npda_tap_editor_b LOGIN;
CREATE ROLE npda_tap_analyst LOGIN;
CREATE ROLE npda_tap_team LOGIN;
CREATE ROLE npda_tap_app LOGIN IN ROLE npda_application;
CREATE TEMP TABLE who (k text PRIMARY KEY, id bigint);
INSERT INTO who SELECT 'reader_a', npda.add_user('reader@a.example', 'reader', '{PZ041}', 'npda_tap_reader_a');
INSERT INTO who SELECT 'editor_a', npda.add_user('editor@a.example', 'editor', '{PZ041}', 'npda_tap_editor_a');
INSERT INTO who SELECT 'coordinator_a', npda.add_user('coordinator@a.example', 'coordinator', '{PZ041}', 'npda_tap_coordinator_a');
INSERT INTO who SELECT 'editor_b', npda.add_user('editor@b.example', 'editor', '{PZ215}', 'npda_tap_editor_b');
INSERT INTO who SELECT 'analyst', npda.add_user('analyst@rcpch.example', 'analyst', '{}', 'npda_tap_analyst');
INSERT INTO who SELECT 'team', npda.add_user('team@rcpch.example', 'audit_team', '{}', 'npda_tap_team');
-- Jane has no login of her own: she comes through the application.
INSERT INTO who SELECT 'jane', npda.add_user('Jane@A.example', 'editor', '{PZ041}');
INSERT INTO who SELECT 'reader_b', npda.add_user('reader@b.example', 'reader', '{PZ215}');
-- One login per user in the log (the superuser who made them is not logged).
INSERT INTO npda.visit_activity (npda_user_id, activity, paediatric_diabetes_unit_id)
SELECT w.id, 1, e.paediatric_diabetes_unit_id FROM who w
  LEFT JOIN npda.organisation_employer e ON e.npda_user_id = w.id AND e.is_primary_employer;
SELECT id AS reader_a FROM who WHERE k = 'reader_a' \gset
SELECT min(p.id) AS pa FROM npda.patient p WHERE p.submission_id = :sub_a \gset
SELECT id AS editor_b FROM who WHERE k = 'editor_b' \gset

SELECT is((SELECT array_agg(r.rolname::text ORDER BY r.rolname) FROM pg_roles r
            JOIN pg_auth_members m ON m.member = r.oid
           WHERE m.roleid = 'npda_editor'::regrole AND r.rolname LIKE 'npda_tap_%'),
          ARRAY['npda_tap_editor_a', 'npda_tap_editor_b'], 'add_user granted the editors'' logins npda_editor');
SELECT is((SELECT array_agg(m.roleid::regrole::text ORDER BY 1) FROM pg_auth_members m WHERE m.member = 'npda_tap_team'::regrole),
          ARRAY['npda_audit_team'], 'and the audit team''s login npda_audit_team, nothing else');

-- ---- triggers and scoring keep working for every role ----------------------
-- An editor changes HbA1c on every visit of one child: the child is re-scored
-- and the period marked for the roll-ups, though the editor may write neither
-- table; the activity log gets one row for the statement.
CREATE TEMP TABLE before_edit AS
SELECT (SELECT scored_at FROM npda.patient_kpi_score WHERE patient_id = :pa) AS scored_at,
       (SELECT data_changed_at FROM npda.kpi_aggregation_refresh r JOIN npda.audit_period ap ON ap.id = r.audit_period_id
         WHERE ap.start_date = '2025-04-01') AS changed_at,
       (SELECT count(*) FROM npda.visit_activity WHERE activity = 9) AS logged;
SET SESSION AUTHORIZATION npda_tap_editor_a;
UPDATE npda.visit SET hba1c = 48, hba1c_format = 1, hba1c_date = visit_date WHERE patient_id = :pa;
RESET SESSION AUTHORIZATION;
SELECT ok((SELECT s.scored_at > b.scored_at FROM npda.patient_kpi_score s, before_edit b WHERE s.patient_id = :pa),
          'an editor''s visit edit re-scores the child (no privilege on patient_kpi_score needed)');
SELECT ok((SELECT r.data_changed_at > b.changed_at FROM npda.kpi_aggregation_refresh r JOIN npda.audit_period ap ON ap.id = r.audit_period_id,
                  before_edit b WHERE ap.start_date = '2025-04-01'),
          'and marks the period for the roll-ups (no privilege on kpi_aggregation_refresh needed)');
SELECT results_eq(format($$SELECT activity::int, npda_user_id, paediatric_diabetes_unit_id, details ->> 'table', details ->> 'operation', (details ->> 'rows')::int
                             FROM npda.visit_activity WHERE activity = 9 ORDER BY id$$),
                  format($$VALUES (9, %s::bigint, %s::bigint, 'visit', 'UPDATE', %s)$$,
                         (SELECT id FROM who WHERE k = 'editor_a'), :unit_a,
                         (SELECT count(*) FROM npda.visit WHERE patient_id = :pa)),
                  'the edit of several visits logs code 9 once, with the editor, the unit, the table and the row count');
-- A coordinator deletes a withdrawn submission of their unit.
SET SESSION AUTHORIZATION npda_tap_coordinator_a;
UPDATE npda.submission SET is_active = false WHERE id = :sub_a_older;
DELETE FROM npda.submission WHERE id = :sub_a_older;
RESET SESSION AUTHORIZATION;
SELECT is((SELECT count(*)::int FROM npda.submission WHERE id = :sub_a_older), 0, 'a coordinator deletes a withdrawn submission of their unit');
SELECT is((SELECT count(*)::int FROM npda.visit_activity WHERE activity = 9 AND details ->> 'table' = 'submission'), 2,
          'withdrawing and deleting it log code 9 once each');

-- What there is, counted by the superuser: the expected results.
SELECT string_agg(id::text, ',') AS b_subs FROM npda.submission WHERE paediatric_diabetes_unit_id = :unit_b \gset
SELECT string_agg(p.id::text, ',') AS b_patients FROM npda.patient p JOIN npda.submission s ON s.id = p.submission_id
 WHERE s.paediatric_diabetes_unit_id = :unit_b \gset
SELECT string_agg(p.id::text, ',') AS a_open_patients FROM npda.patient p WHERE p.submission_id = :sub_a \gset
SELECT string_agg(p.id::text, ',') AS a_closed_patients FROM npda.patient p WHERE p.submission_id = :sub_a_closed \gset
SELECT min(p.id) AS pa_closed FROM npda.patient p WHERE p.submission_id = :sub_a_closed \gset
SELECT min(p.id) AS pb FROM npda.patient p WHERE p.submission_id = :sub_b \gset
SELECT min(v.id) AS va FROM npda.visit v WHERE v.patient_id = :pa \gset
CREATE TEMP TABLE n AS
SELECT (SELECT count(*) FROM npda.submission WHERE paediatric_diabetes_unit_id = :unit_a) AS sub_a,
       (SELECT count(*) FROM npda.submission) AS sub_all,
       (SELECT count(*) FROM npda.submission WHERE paediatric_diabetes_unit_id = :unit_b) AS sub_b,
       (SELECT count(*) FROM npda.submission_error e JOIN npda.submission s ON s.id = e.submission_id
         WHERE s.paediatric_diabetes_unit_id = :unit_a) AS err_a,
       (SELECT count(*) FROM npda.submission_error) AS err_all,
       (SELECT count(*) FROM npda.submission_error e JOIN npda.submission s ON s.id = e.submission_id
         WHERE s.paediatric_diabetes_unit_id = :unit_b) AS err_b,
       (SELECT count(*) FROM npda.patient p JOIN npda.submission s ON s.id = p.submission_id
         WHERE s.paediatric_diabetes_unit_id = :unit_a) AS pat_a,
       (SELECT count(*) FROM npda.patient) AS pat_all,
       (SELECT count(*) FROM npda.patient WHERE submission_id IN (:b_subs)) AS pat_b,
       (SELECT count(*) FROM npda.patient WHERE submission_id = :sub_a) AS pat_a_open,
       (SELECT count(*) FROM npda.patient WHERE submission_id = :sub_a_closed) AS pat_a_closed,
       (SELECT count(*) FROM npda.visit v JOIN npda.patient p ON p.id = v.patient_id JOIN npda.submission s ON s.id = p.submission_id
         WHERE s.paediatric_diabetes_unit_id = :unit_a) AS vis_a,
       (SELECT count(*) FROM npda.visit) AS vis_all,
       (SELECT count(*) FROM npda.visit WHERE patient_id IN (:b_patients)) AS vis_b,
       (SELECT count(*) FROM npda.visit WHERE patient_id IN (:a_open_patients)) AS vis_a_open,
       (SELECT count(*) FROM npda.visit WHERE patient_id IN (:a_closed_patients)) AS vis_a_closed,
       (SELECT count(*) FROM npda.visit WHERE patient_id = :pa) AS vis_pa,
       (SELECT count(*) FROM npda.visit WHERE patient_id = :pa_closed) AS vis_pa_closed,
       (SELECT count(*) FROM npda.patient_kpi_score WHERE patient_id IN (:b_patients)) AS score_b,
       (SELECT count(*) FROM npda.patient_kpi_score) AS score_all,
       (SELECT count(*) FROM npda.kpi_quarterly WHERE area_code = 'PZ215') AS quarter_b,
       (SELECT count(*) FROM npda.kpi_quarterly WHERE level = 'pdu') AS quarter_pdu_all,
       (SELECT count(*) FROM npda.kpi_quarterly WHERE level = 'pdu' AND area_code = 'PZ041') AS quarter_pdu_a,
       (SELECT count(*) FROM npda.kpi_results) AS results_all,
       (SELECT count(*) FROM npda.kpi_results WHERE level <> 'pdu') AS results_above_pdu,
       (SELECT count(*) FROM npda.kpi_aggregation) AS agg_all,
       (SELECT count(*) FROM npda.submission_annotated_csv(:sub_a)) AS annotated_a,
       (SELECT count(*) FROM npda.patient p JOIN npda.submission s ON s.id = p.submission_id AND s.is_active) AS pat_active,
       (SELECT count(*) FROM npda.visit v JOIN npda.patient p ON p.id = v.patient_id
          JOIN npda.submission s ON s.id = p.submission_id AND s.is_active) AS vis_active,
       (SELECT count(*) * 51 FROM npda.patient_kpi_score k JOIN npda.patient p ON p.id = k.patient_id
          JOIN npda.submission s ON s.id = p.submission_id AND s.is_active) AS kpi_active,
       (SELECT count(*) FROM npda.npda_user) AS users_all,
       (SELECT count(DISTINCT e.npda_user_id) FROM npda.organisation_employer e WHERE e.paediatric_diabetes_unit_id = :unit_a) AS users_a,
       (SELECT count(DISTINCT e.npda_user_id) FROM npda.organisation_employer e WHERE e.paediatric_diabetes_unit_id = :unit_b) AS users_b,
       (SELECT count(*) FROM npda.organisation_employer) AS emp_all,
       (SELECT count(*) FROM npda.organisation_employer WHERE paediatric_diabetes_unit_id = :unit_a) AS emp_a,
       (SELECT count(*) FROM npda.organisation_employer WHERE paediatric_diabetes_unit_id = :unit_b) AS emp_b,
       (SELECT count(*) FROM npda.visit_activity) AS act_all,
       (SELECT count(*) FROM npda.visit_activity WHERE paediatric_diabetes_unit_id = :unit_a) AS act_a,
       (SELECT count(*) FROM npda.visit_activity WHERE paediatric_diabetes_unit_id = :unit_b) AS act_b;
SELECT ok((SELECT pat_b > 0 AND vis_b > 0 AND err_b > 0 AND pat_a_closed > 0 AND score_b > 0 AND quarter_b > 0 FROM n),
          'the fixture has data in both units, open and closed');

-- Run a statement, report 'rows:N' (rows returned or changed) or 'ERR:SQLSTATE',
-- and undo whatever it did.
CREATE FUNCTION pg_temp.try(stmt text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
  k bigint;
BEGIN
  EXECUTE stmt;
  GET DIAGNOSTICS k = ROW_COUNT;
  RAISE EXCEPTION USING ERRCODE = 'ZZ999', MESSAGE = k::text;
EXCEPTION
  WHEN SQLSTATE 'ZZ999' THEN RETURN 'rows:' || SQLERRM;
  WHEN OTHERS THEN RETURN 'ERR:' || SQLSTATE;
END
$$;

-- The matrix: a statement and the result for each identity. r = rows:N,
-- D = permission denied (42501, also a row policy's WITH CHECK).
CREATE TEMP TABLE matrix (n serial PRIMARY KEY, label text, stmt text, reader text, editor text, coordinator text,
                          analyst text, app_idle text, app_acting text, team text);
CREATE FUNCTION pg_temp.r(k bigint) RETURNS text LANGUAGE sql AS $$ SELECT 'rows:' || k $$;
INSERT INTO matrix (label, stmt, reader, editor, coordinator, analyst, app_idle, app_acting, team)
SELECT label, stmt, reader, editor, coordinator, analyst, app_idle, app_acting, team FROM n, LATERAL (VALUES
  -- SELECT: unit A's rows, and none of unit B's.
  ('read submission', 'SELECT * FROM npda.submission',
   pg_temp.r(sub_a), pg_temp.r(sub_a), pg_temp.r(sub_a), 'ERR:42501', pg_temp.r(0), pg_temp.r(sub_a), pg_temp.r(sub_all)),
  ('read submission of B', format('SELECT * FROM npda.submission WHERE paediatric_diabetes_unit_id = %s', :unit_b),
   pg_temp.r(0), pg_temp.r(0), pg_temp.r(0), 'ERR:42501', pg_temp.r(0), pg_temp.r(0), pg_temp.r(sub_b)),
  ('read submission_error', 'SELECT * FROM npda.submission_error',
   pg_temp.r(err_a), pg_temp.r(err_a), pg_temp.r(err_a), 'ERR:42501', pg_temp.r(0), pg_temp.r(err_a), pg_temp.r(err_all)),
  ('read submission_error of B', format('SELECT * FROM npda.submission_error WHERE submission_id IN (%s)', :'b_subs'),
   pg_temp.r(0), pg_temp.r(0), pg_temp.r(0), 'ERR:42501', pg_temp.r(0), pg_temp.r(0), pg_temp.r(err_b)),
  ('read patient', 'SELECT * FROM npda.patient',
   pg_temp.r(pat_a), pg_temp.r(pat_a), pg_temp.r(pat_a), 'ERR:42501', pg_temp.r(0), pg_temp.r(pat_a), pg_temp.r(pat_all)),
  ('read patient of B', format('SELECT * FROM npda.patient WHERE submission_id IN (%s)', :'b_subs'),
   pg_temp.r(0), pg_temp.r(0), pg_temp.r(0), 'ERR:42501', pg_temp.r(0), pg_temp.r(0), pg_temp.r(pat_b)),
  ('read visit', 'SELECT * FROM npda.visit',
   pg_temp.r(vis_a), pg_temp.r(vis_a), pg_temp.r(vis_a), 'ERR:42501', pg_temp.r(0), pg_temp.r(vis_a), pg_temp.r(vis_all)),
  ('read visit of B', format('SELECT * FROM npda.visit WHERE patient_id IN (%s)', :'b_patients'),
   pg_temp.r(0), pg_temp.r(0), pg_temp.r(0), 'ERR:42501', pg_temp.r(0), pg_temp.r(0), pg_temp.r(vis_b)),
  ('read transfer', 'SELECT * FROM npda.transfer',
   pg_temp.r(pat_a), pg_temp.r(pat_a), pg_temp.r(pat_a), 'ERR:42501', pg_temp.r(0), pg_temp.r(pat_a), pg_temp.r(pat_all)),
  ('read transfer of B', format('SELECT * FROM npda.transfer WHERE patient_id IN (%s)', :'b_patients'),
   pg_temp.r(0), pg_temp.r(0), pg_temp.r(0), 'ERR:42501', pg_temp.r(0), pg_temp.r(0), pg_temp.r(pat_b)),
  ('read patient_kpi_score', 'SELECT * FROM npda.patient_kpi_score',
   pg_temp.r(pat_a), pg_temp.r(pat_a), pg_temp.r(pat_a), 'ERR:42501', pg_temp.r(0), pg_temp.r(pat_a), pg_temp.r(score_all)),
  ('read patient_kpi_score of B', format('SELECT * FROM npda.patient_kpi_score WHERE patient_id IN (%s)', :'b_patients'),
   pg_temp.r(0), pg_temp.r(0), pg_temp.r(0), 'ERR:42501', pg_temp.r(0), pg_temp.r(0), pg_temp.r(score_b)),
  ('read view patient_kpi', 'SELECT * FROM npda.patient_kpi',
   pg_temp.r(pat_a * 51), pg_temp.r(pat_a * 51), pg_temp.r(pat_a * 51), 'ERR:42501', pg_temp.r(0), pg_temp.r(pat_a * 51), pg_temp.r(score_all * 51)),
  ('read view patient_kpi_results of B', 'SELECT * FROM npda.patient_kpi_results WHERE pz_code = ''PZ215''',
   pg_temp.r(0), pg_temp.r(0), pg_temp.r(0), 'ERR:42501', pg_temp.r(0), pg_temp.r(0), pg_temp.r(score_b * 51)),
  ('read view submission_error_report', 'SELECT * FROM npda.submission_error_report',
   pg_temp.r(err_a), pg_temp.r(err_a), pg_temp.r(err_a), 'ERR:42501', pg_temp.r(0), pg_temp.r(err_a), pg_temp.r(err_all)),
  ('read view submission_error_report of B', 'SELECT * FROM npda.submission_error_report WHERE pz_code = ''PZ215''',
   pg_temp.r(0), pg_temp.r(0), pg_temp.r(0), 'ERR:42501', pg_temp.r(0), pg_temp.r(0), pg_temp.r(err_b)),
  ('read view kpi_quarterly (PDU rows)', 'SELECT * FROM npda.kpi_quarterly WHERE level = ''pdu''',
   pg_temp.r(quarter_pdu_a), pg_temp.r(quarter_pdu_a), pg_temp.r(quarter_pdu_a), 'ERR:42501', pg_temp.r(0), pg_temp.r(quarter_pdu_a), pg_temp.r(quarter_pdu_all)),
  ('read view kpi_quarterly of B', 'SELECT * FROM npda.kpi_quarterly WHERE area_code = ''PZ215''',
   pg_temp.r(0), pg_temp.r(0), pg_temp.r(0), 'ERR:42501', pg_temp.r(0), pg_temp.r(0), pg_temp.r(quarter_b)),
  -- (an analyst: the rows above PDU level, with the published figures)
  ('read view kpi_results (aggregates)', 'SELECT * FROM npda.kpi_results',
   pg_temp.r(results_all), pg_temp.r(results_all), pg_temp.r(results_all), pg_temp.r(results_above_pdu), pg_temp.r(results_all), pg_temp.r(results_all), pg_temp.r(results_all)),
  ('read view kpi_results_published', 'SELECT * FROM npda.kpi_results_published',
   pg_temp.r(results_all), pg_temp.r(results_all), pg_temp.r(results_all), pg_temp.r(results_all), pg_temp.r(results_all), pg_temp.r(results_all), pg_temp.r(results_all)),
  ('read the raw roll-ups', 'SELECT * FROM npda.kpi_aggregation',
   pg_temp.r(agg_all), pg_temp.r(agg_all), pg_temp.r(agg_all), 'ERR:42501', 'ERR:42501', 'ERR:42501', pg_temp.r(agg_all)),
  ('read npda_user', 'SELECT * FROM npda.npda_user',
   pg_temp.r(users_a), pg_temp.r(users_a), pg_temp.r(users_a), 'ERR:42501', pg_temp.r(0), pg_temp.r(users_a), pg_temp.r(users_all)),
  ('read npda_user of B', format('SELECT * FROM npda.npda_user WHERE id = %s', :editor_b),
   pg_temp.r(0), pg_temp.r(0), pg_temp.r(0), 'ERR:42501', pg_temp.r(0), pg_temp.r(0), pg_temp.r(1)),
  ('read organisation_employer', 'SELECT * FROM npda.organisation_employer',
   pg_temp.r(emp_a), pg_temp.r(emp_a), pg_temp.r(emp_a), 'ERR:42501', pg_temp.r(0), pg_temp.r(emp_a), pg_temp.r(emp_all)),
  ('read organisation_employer of B', format('SELECT * FROM npda.organisation_employer WHERE paediatric_diabetes_unit_id = %s', :unit_b),
   pg_temp.r(0), pg_temp.r(0), pg_temp.r(0), 'ERR:42501', pg_temp.r(0), pg_temp.r(0), pg_temp.r(emp_b)),
  -- (the editor's own rows: a login and the edit above)
  ('read visit_activity (own; a coordinator''s unit)', 'SELECT * FROM npda.visit_activity',
   pg_temp.r(1), pg_temp.r(2), pg_temp.r(act_a), 'ERR:42501', pg_temp.r(0), pg_temp.r(1), pg_temp.r(act_all)),
  ('read visit_activity of B', format('SELECT * FROM npda.visit_activity WHERE paediatric_diabetes_unit_id = %s', :unit_b),
   pg_temp.r(0), pg_temp.r(0), pg_temp.r(0), 'ERR:42501', pg_temp.r(0), pg_temp.r(0), pg_temp.r(act_b)),
  ('read pseudonym_secret', 'SELECT * FROM npda.pseudonym_secret',
   'ERR:42501', 'ERR:42501', 'ERR:42501', 'ERR:42501', 'ERR:42501', 'ERR:42501', pg_temp.r(1)),
  ('read view patient_pseudonymised', 'SELECT * FROM npda.patient_pseudonymised',
   'ERR:42501', 'ERR:42501', 'ERR:42501', pg_temp.r(pat_active), pg_temp.r(0), pg_temp.r(0), pg_temp.r(pat_active)),
  ('read view visit_pseudonymised', 'SELECT * FROM npda.visit_pseudonymised',
   'ERR:42501', 'ERR:42501', 'ERR:42501', pg_temp.r(vis_active), pg_temp.r(0), pg_temp.r(0), pg_temp.r(vis_active)),
  ('read view patient_kpi_pseudonymised', 'SELECT * FROM npda.patient_kpi_pseudonymised',
   'ERR:42501', 'ERR:42501', 'ERR:42501', pg_temp.r(kpi_active), pg_temp.r(0), pg_temp.r(0), pg_temp.r(kpi_active)),
  -- Visits.
  ('update visits of A (open period)', format('UPDATE npda.visit SET hba1c = hba1c WHERE patient_id IN (%s)', :'a_open_patients'),
   'ERR:42501', pg_temp.r(vis_a_open), pg_temp.r(vis_a_open), 'ERR:42501', pg_temp.r(0), pg_temp.r(vis_a_open), pg_temp.r(vis_a_open)),
  ('update visits of B', format('UPDATE npda.visit SET hba1c = hba1c WHERE patient_id IN (%s)', :'b_patients'),
   'ERR:42501', pg_temp.r(0), pg_temp.r(0), 'ERR:42501', pg_temp.r(0), pg_temp.r(0), pg_temp.r(vis_b)),
  ('update visits of A (closed period)', format('UPDATE npda.visit SET hba1c = hba1c WHERE patient_id IN (%s)', :'a_closed_patients'),
   'ERR:42501', 'ERR:NP207', 'ERR:NP207', 'ERR:42501', pg_temp.r(0), 'ERR:NP207', pg_temp.r(vis_a_closed)),
  ('delete a child''s visits (A, open)', format('DELETE FROM npda.visit WHERE patient_id = %s', :pa),
   'ERR:42501', pg_temp.r(vis_pa), pg_temp.r(vis_pa), 'ERR:42501', pg_temp.r(0), pg_temp.r(vis_pa), pg_temp.r(vis_pa)),
  ('delete visits of B', format('DELETE FROM npda.visit WHERE patient_id IN (%s)', :'b_patients'),
   'ERR:42501', pg_temp.r(0), pg_temp.r(0), 'ERR:42501', pg_temp.r(0), pg_temp.r(0), pg_temp.r(vis_b)),
  ('delete visits of A (closed period)', format('DELETE FROM npda.visit WHERE patient_id = %s', :pa_closed),
   'ERR:42501', 'ERR:NP207', 'ERR:NP207', 'ERR:42501', pg_temp.r(0), 'ERR:NP207', pg_temp.r(vis_pa_closed)),
  ('insert a visit (A, open)', format('INSERT INTO npda.visit (patient_id, row_number) VALUES (%s, 999)', :pa),
   'ERR:42501', pg_temp.r(1), pg_temp.r(1), 'ERR:42501', 'ERR:42501', pg_temp.r(1), pg_temp.r(1)),
  ('insert a visit (B)', format('INSERT INTO npda.visit (patient_id, row_number) VALUES (%s, 999)', :pb),
   'ERR:42501', 'ERR:42501', 'ERR:42501', 'ERR:42501', 'ERR:42501', 'ERR:42501', pg_temp.r(1)),
  ('insert a visit (A, closed period)', format('INSERT INTO npda.visit (patient_id, row_number) VALUES (%s, 999)', :pa_closed),
   'ERR:42501', 'ERR:NP207', 'ERR:NP207', 'ERR:42501', 'ERR:42501', 'ERR:NP207', pg_temp.r(1)),
  ('move a visit of A to a child of B', format('UPDATE npda.visit SET patient_id = %s WHERE id = %s', :pb, :va),
   'ERR:42501', 'ERR:42501', 'ERR:42501', 'ERR:42501', pg_temp.r(0), 'ERR:42501', pg_temp.r(1)),
  -- Children.
  ('update children of A (open)', format('UPDATE npda.patient SET postcode = postcode WHERE submission_id = %s', :sub_a),
   'ERR:42501', pg_temp.r(pat_a_open), pg_temp.r(pat_a_open), 'ERR:42501', pg_temp.r(0), pg_temp.r(pat_a_open), pg_temp.r(pat_a_open)),
  ('update children of B', format('UPDATE npda.patient SET postcode = postcode WHERE submission_id IN (%s)', :'b_subs'),
   'ERR:42501', pg_temp.r(0), pg_temp.r(0), 'ERR:42501', pg_temp.r(0), pg_temp.r(0), pg_temp.r(pat_b)),
  ('update children of A (closed period)', format('UPDATE npda.patient SET postcode = postcode WHERE submission_id = %s', :sub_a_closed),
   'ERR:42501', 'ERR:NP207', 'ERR:NP207', 'ERR:42501', pg_temp.r(0), 'ERR:NP207', pg_temp.r(pat_a_closed)),
  ('delete a child (A, open)', format('DELETE FROM npda.patient WHERE id = %s', :pa),
   'ERR:42501', pg_temp.r(1), pg_temp.r(1), 'ERR:42501', pg_temp.r(0), pg_temp.r(1), pg_temp.r(1)),
  ('delete a child (A, closed period)', format('DELETE FROM npda.patient WHERE id = %s', :pa_closed),
   'ERR:42501', 'ERR:NP207', 'ERR:NP207', 'ERR:42501', pg_temp.r(0), 'ERR:NP207', pg_temp.r(1)),
  ('add a child to A''s submission', format('INSERT INTO npda.patient (submission_id, nhs_number, first_row_number) VALUES (%s, ''9990000026'', 99)', :sub_a),
   'ERR:42501', pg_temp.r(1), pg_temp.r(1), 'ERR:42501', 'ERR:42501', pg_temp.r(1), pg_temp.r(1)),
  ('add a child to B''s submission', format('INSERT INTO npda.patient (submission_id, nhs_number, first_row_number) VALUES (%s, ''9990000026'', 99)', :sub_b),
   'ERR:42501', 'ERR:42501', 'ERR:42501', 'ERR:42501', 'ERR:42501', 'ERR:42501', pg_temp.r(1)),
  ('move a child of A into B''s submission', format('UPDATE npda.patient SET submission_id = %s WHERE id = %s', :sub_b, :pa),
   'ERR:42501', 'ERR:42501', 'ERR:42501', 'ERR:42501', pg_temp.r(0), 'ERR:42501', pg_temp.r(1)),
  -- Leaving data.
  ('update transfers of A (open)', format('UPDATE npda.transfer SET reason_leaving_service = reason_leaving_service WHERE patient_id IN (%s)', :'a_open_patients'),
   'ERR:42501', pg_temp.r(pat_a_open), pg_temp.r(pat_a_open), 'ERR:42501', pg_temp.r(0), pg_temp.r(pat_a_open), pg_temp.r(pat_a_open)),
  ('update transfers of B', format('UPDATE npda.transfer SET reason_leaving_service = reason_leaving_service WHERE patient_id IN (%s)', :'b_patients'),
   'ERR:42501', pg_temp.r(0), pg_temp.r(0), 'ERR:42501', pg_temp.r(0), pg_temp.r(0), pg_temp.r(pat_b)),
  ('update transfers of A (closed period)', format('UPDATE npda.transfer SET reason_leaving_service = 1 WHERE patient_id IN (%s)', :'a_closed_patients'),
   'ERR:42501', 'ERR:NP207', 'ERR:NP207', 'ERR:42501', pg_temp.r(0), 'ERR:NP207', pg_temp.r(pat_a_closed)),
  ('give a child of A a transfer row under unit B', format('UPDATE npda.transfer SET paediatric_diabetes_unit_id = %s WHERE patient_id = %s', :unit_b, :pa),
   'ERR:42501', 'ERR:42501', 'ERR:42501', 'ERR:42501', pg_temp.r(0), 'ERR:42501', pg_temp.r(1)),
  ('delete a transfer row (B)', format('DELETE FROM npda.transfer WHERE patient_id = %s', :pb),
   'ERR:42501', pg_temp.r(0), pg_temp.r(0), 'ERR:42501', pg_temp.r(0), pg_temp.r(0), pg_temp.r(1)),
  -- Submissions.
  ('withdraw A''s active submission', format('UPDATE npda.submission SET is_active = false WHERE id = %s', :sub_a),
   'ERR:42501', pg_temp.r(1), pg_temp.r(1), 'ERR:42501', pg_temp.r(0), pg_temp.r(1), pg_temp.r(1)),
  ('withdraw B''s active submission', format('UPDATE npda.submission SET is_active = false WHERE id = %s', :sub_b),
   'ERR:42501', pg_temp.r(0), pg_temp.r(0), 'ERR:42501', pg_temp.r(0), pg_temp.r(0), pg_temp.r(1)),
  ('withdraw A''s closed-period submission', format('UPDATE npda.submission SET is_active = false WHERE id = %s', :sub_a_closed),
   'ERR:42501', 'ERR:NP207', 'ERR:NP207', 'ERR:42501', pg_temp.r(0), 'ERR:NP207', pg_temp.r(1)),
  ('change a submission''s file name (no column grant)', format('UPDATE npda.submission SET file_name = ''x'' WHERE id = %s', :sub_a),
   'ERR:42501', 'ERR:42501', 'ERR:42501', 'ERR:42501', 'ERR:42501', 'ERR:42501', 'ERR:42501'),
  ('delete A''s withdrawn submission', format('DELETE FROM npda.submission WHERE id = %s', :sub_a_old),
   'ERR:42501', pg_temp.r(1), pg_temp.r(1), 'ERR:42501', pg_temp.r(0), pg_temp.r(1), pg_temp.r(1)),
  ('delete A''s active submission', format('DELETE FROM npda.submission WHERE id = %s', :sub_a),
   'ERR:42501', 'ERR:NP106', 'ERR:NP106', 'ERR:42501', pg_temp.r(0), 'ERR:NP106', 'ERR:NP106'),
  ('insert a submission row directly', format('INSERT INTO npda.submission (paediatric_diabetes_unit_id, audit_period_id, dataset_year, file_sha256, csv) SELECT %s, audit_period_id, 2021, ''x'', ''x'' FROM npda.submission WHERE id = %s', :unit_a, :sub_a),
   'ERR:42501', 'ERR:42501', 'ERR:42501', 'ERR:42501', 'ERR:42501', 'ERR:42501', 'ERR:42501'),
  -- Derived and internal tables: nobody writes them directly.
  ('update findings', 'UPDATE npda.submission_error SET message = message',
   'ERR:42501', 'ERR:42501', 'ERR:42501', 'ERR:42501', 'ERR:42501', 'ERR:42501', 'ERR:42501'),
  ('delete scores', 'DELETE FROM npda.patient_kpi_score',
   'ERR:42501', 'ERR:42501', 'ERR:42501', 'ERR:42501', 'ERR:42501', 'ERR:42501', 'ERR:42501'),
  ('write the activity log', 'INSERT INTO npda.visit_activity (activity) VALUES (1)',
   'ERR:42501', 'ERR:42501', 'ERR:42501', 'ERR:42501', 'ERR:42501', 'ERR:42501', 'ERR:42501'),
  ('rewrite the activity log', 'UPDATE npda.visit_activity SET activity_at = activity_at - interval ''1 day''',
   'ERR:42501', 'ERR:42501', 'ERR:42501', 'ERR:42501', 'ERR:42501', 'ERR:42501', 'ERR:42501'),
  ('erase the activity log', 'DELETE FROM npda.visit_activity',
   'ERR:42501', 'ERR:42501', 'ERR:42501', 'ERR:42501', 'ERR:42501', 'ERR:42501', 'ERR:42501'),
  ('truncate visits', 'TRUNCATE npda.visit',
   'ERR:42501', 'ERR:42501', 'ERR:42501', 'ERR:42501', 'ERR:42501', 'ERR:42501', 'ERR:42501'),
  ('write roll-ups', 'DELETE FROM npda.kpi_aggregation',
   'ERR:42501', 'ERR:42501', 'ERR:42501', 'ERR:42501', 'ERR:42501', 'ERR:42501', 'ERR:42501'),
  -- Users and their units.
  ('rename a reader of A', format('UPDATE npda.npda_user SET surname = ''Renamed'' WHERE id = %s', :reader_a),
   'ERR:42501', 'ERR:42501', pg_temp.r(1), 'ERR:42501', pg_temp.r(0), pg_temp.r(0), pg_temp.r(1)),
  ('rename an editor of B', format('UPDATE npda.npda_user SET surname = ''Renamed'' WHERE id = %s', :editor_b),
   'ERR:42501', 'ERR:42501', pg_temp.r(0), 'ERR:42501', pg_temp.r(0), pg_temp.r(0), pg_temp.r(1)),
  ('make a reader of A audit team', format('UPDATE npda.npda_user SET role = ''audit_team'' WHERE id = %s', :reader_a),
   'ERR:42501', 'ERR:42501', 'ERR:42501', 'ERR:42501', pg_temp.r(0), pg_temp.r(0), pg_temp.r(1)),
  ('link a reader of A to another login', format('UPDATE npda.npda_user SET db_role = ''npda_tap_analyst'' WHERE id = %s', :reader_a),
   'ERR:42501', 'ERR:42501', 'ERR:42501', 'ERR:42501', 'ERR:42501', 'ERR:42501', 'ERR:NP209'),
  ('employ the editor of B at A', format('INSERT INTO npda.organisation_employer (npda_user_id, paediatric_diabetes_unit_id) VALUES (%s, %s)', :editor_b, :unit_a),
   'ERR:42501', 'ERR:42501', pg_temp.r(1), 'ERR:42501', 'ERR:42501', 'ERR:42501', pg_temp.r(1)),
  ('employ the reader of A at B', format('INSERT INTO npda.organisation_employer (npda_user_id, paediatric_diabetes_unit_id) VALUES (%s, %s)', :reader_a, :unit_b),
   'ERR:42501', 'ERR:42501', 'ERR:42501', 'ERR:42501', 'ERR:42501', 'ERR:42501', pg_temp.r(1)),
  ('end the employments at B', format('DELETE FROM npda.organisation_employer WHERE paediatric_diabetes_unit_id = %s', :unit_b),
   'ERR:42501', 'ERR:42501', pg_temp.r(0), 'ERR:42501', pg_temp.r(0), pg_temp.r(0), pg_temp.r(emp_b)),
  ('add a reader to A', 'SELECT npda.add_user(''new@a.example'', ''reader'', ''{PZ041}'')',
   'ERR:42501', 'ERR:42501', pg_temp.r(1), 'ERR:42501', 'ERR:NP201', 'ERR:NP201', pg_temp.r(1)),
  ('add a reader to B', 'SELECT npda.add_user(''new@b.example'', ''reader'', ''{PZ215}'')',
   'ERR:42501', 'ERR:42501', 'ERR:NP202', 'ERR:42501', 'ERR:NP201', 'ERR:NP201', pg_temp.r(1)),
  ('add an audit team member', 'SELECT npda.add_user(''new@rcpch.example'', ''audit_team'', ''{}'')',
   'ERR:42501', 'ERR:42501', 'ERR:NP201', 'ERR:42501', 'ERR:NP201', 'ERR:NP201', pg_temp.r(1)),
  -- Reference data and settings.
  ('open or close a period', 'UPDATE npda.audit_period SET is_open = is_open WHERE start_date = ''2025-04-01''',
   'ERR:42501', 'ERR:42501', 'ERR:42501', 'ERR:42501', 'ERR:42501', 'ERR:42501', pg_temp.r(1)),
  ('change the lockout settings', 'UPDATE npda.access_setting SET lockout_failures = 3',
   'ERR:42501', 'ERR:42501', 'ERR:42501', 'ERR:42501', 'ERR:42501', 'ERR:42501', pg_temp.r(1)),
  ('rotate the pseudonym secret', 'SELECT npda.rotate_pseudonym_secret()',
   'ERR:42501', 'ERR:42501', 'ERR:42501', 'ERR:42501', 'ERR:42501', 'ERR:42501', pg_temp.r(1)),
  ('change a unit', format('UPDATE npda.paediatric_diabetes_unit SET name = name WHERE id = %s', :unit_a),
   'ERR:42501', 'ERR:42501', 'ERR:42501', 'ERR:42501', 'ERR:42501', 'ERR:42501', 'ERR:42501'),
  -- Functions.
  ('submit for A (open period)', 'SELECT npda.submit_csv(''PZ041'', (SELECT bytes FROM file WHERE pz = ''PZ041''), 2025)',
   'ERR:42501', pg_temp.r(1), pg_temp.r(1), 'ERR:42501', 'ERR:NP201', pg_temp.r(1), pg_temp.r(1)),
  ('submit for B', 'SELECT npda.submit_csv(''PZ215'', (SELECT bytes FROM file WHERE pz = ''PZ215''), 2025)',
   'ERR:42501', 'ERR:NP202', 'ERR:NP202', 'ERR:42501', 'ERR:NP201', 'ERR:NP202', pg_temp.r(1)),
  ('submit for A (closed period)', 'SELECT npda.submit_csv(''PZ041'', (SELECT bytes FROM file WHERE pz = ''PZ041''), 2023)',
   'ERR:42501', 'ERR:NP102', 'ERR:NP102', 'ERR:42501', 'ERR:NP201', 'ERR:NP102', pg_temp.r(1)),
  ('annotated report of A''s file', format('SELECT * FROM npda.submission_annotated_csv(%s)', :sub_a),
   pg_temp.r(annotated_a), pg_temp.r(annotated_a), pg_temp.r(annotated_a), 'ERR:42501', 'ERR:NP105', pg_temp.r(annotated_a), pg_temp.r(annotated_a)),
  ('annotated report of B''s file', format('SELECT * FROM npda.submission_annotated_csv_lines(%s)', :sub_b),
   'ERR:NP105', 'ERR:NP105', 'ERR:NP105', 'ERR:42501', 'ERR:NP105', 'ERR:NP105', pg_temp.r(annotated_a)),
  ('re-score a period', 'SELECT npda.rescore(2025)',
   'ERR:42501', 'ERR:42501', 'ERR:42501', 'ERR:42501', 'ERR:NP201', 'ERR:NP201', pg_temp.r(1)),
  ('refresh the roll-ups', 'SELECT npda.refresh_kpi_aggregations(2025)',
   'ERR:42501', 'ERR:42501', 'ERR:42501', 'ERR:42501', 'ERR:NP201', 'ERR:NP201', pg_temp.r(1)),
  ('call an internal function', format('SELECT npda._score_patients(ARRAY[%s]::bigint[], current_date)', :pa),
   'ERR:42501', 'ERR:42501', 'ERR:42501', 'ERR:42501', 'ERR:42501', 'ERR:42501', 'ERR:42501'),
  ('act for someone', 'SELECT npda.act_as(''editor@b.example'')',
   'ERR:42501', 'ERR:42501', 'ERR:42501', 'ERR:42501', pg_temp.r(1), 'ERR:NP206', 'ERR:42501')
) AS m(label, stmt, reader, editor, coordinator, analyst, app_idle, app_acting, team);
-- (The idle application's act_as succeeds, inside pg_temp.try's subtransaction,
-- whose rollback forgets it again.)
GRANT SELECT ON matrix TO PUBLIC;
CREATE TEMP TABLE got (who text, n integer, result text);
GRANT INSERT, SELECT ON got TO PUBLIC;

SET SESSION AUTHORIZATION npda_tap_reader_a;
INSERT INTO got SELECT 'reader', n, pg_temp.try(stmt) FROM matrix ORDER BY n;
RESET SESSION AUTHORIZATION;
SET SESSION AUTHORIZATION npda_tap_editor_a;
INSERT INTO got SELECT 'editor', n, pg_temp.try(stmt) FROM matrix ORDER BY n;
RESET SESSION AUTHORIZATION;
SET SESSION AUTHORIZATION npda_tap_coordinator_a;
INSERT INTO got SELECT 'coordinator', n, pg_temp.try(stmt) FROM matrix ORDER BY n;
RESET SESSION AUTHORIZATION;
SET SESSION AUTHORIZATION npda_tap_analyst;
INSERT INTO got SELECT 'analyst', n, pg_temp.try(stmt) FROM matrix ORDER BY n;
RESET SESSION AUTHORIZATION;
SET SESSION AUTHORIZATION npda_tap_app;
INSERT INTO got SELECT 'app_idle', n, pg_temp.try(stmt) FROM matrix ORDER BY n;
RESET SESSION AUTHORIZATION;
SET SESSION AUTHORIZATION npda_tap_team;
INSERT INTO got SELECT 'team', n, pg_temp.try(stmt) FROM matrix ORDER BY n;
RESET SESSION AUTHORIZATION;

SELECT is(g.result, CASE g.who WHEN 'reader' THEN m.reader WHEN 'editor' THEN m.editor WHEN 'coordinator' THEN m.coordinator
                               WHEN 'analyst' THEN m.analyst WHEN 'app_idle' THEN m.app_idle WHEN 'team' THEN m.team END,
          format('%s: %s', g.who, m.label))
  FROM got g JOIN matrix m USING (n)
 ORDER BY CASE g.who WHEN 'reader' THEN 1 WHEN 'editor' THEN 2 WHEN 'coordinator' THEN 3 WHEN 'analyst' THEN 4
                     WHEN 'app_idle' THEN 5 ELSE 6 END, m.n;

-- ---- TRUNCATE ----------------------------------------------------------------
SELECT throws_ok(format('TRUNCATE npda.%I CASCADE', t), code, NULL, format('TRUNCATE npda.%s refused while submissions are active (%s)', t, code))
  FROM (VALUES ('submission', 'NP106'), ('submission_error', 'NP208'), ('patient', 'NP208'), ('visit', 'NP208'),
               ('transfer', 'NP208'), ('patient_kpi_score', 'NP208')) AS x(t, code);

-- ---- the catalog keeps the model's promises --------------------------------
SELECT is_empty($$SELECT c.relname FROM pg_class c
                   WHERE c.oid IN ('npda.submission'::regclass, 'npda.submission_error'::regclass, 'npda.patient'::regclass,
                                   'npda.visit'::regclass, 'npda.transfer'::regclass, 'npda.patient_kpi_score'::regclass,
                                   'npda.visit_activity'::regclass, 'npda.npda_user'::regclass,
                                   'npda.organisation_employer'::regclass)
                     AND NOT c.relrowsecurity$$,
                'row security is on for every table of patient or per-unit data');
SELECT is_empty($$SELECT DISTINCT v.relname FROM pg_class v JOIN pg_rewrite rw ON rw.ev_class = v.oid
                     JOIN pg_depend d ON d.classid = 'pg_rewrite'::regclass AND d.objid = rw.oid
                                     AND d.refclassid = 'pg_class'::regclass
                     JOIN pg_class t ON t.oid = d.refobjid AND t.relrowsecurity
                   WHERE v.relnamespace = 'npda'::regnamespace AND v.relkind = 'v'
                     AND v.relname NOT IN ('patient_pseudonymised', 'visit_pseudonymised', 'patient_kpi_pseudonymised')
                     AND NOT coalesce(v.reloptions @> ARRAY['security_invoker=true'], false)$$,
                'every view over patient data runs with the caller''s rights (security_invoker) ...');
SELECT is_empty($$SELECT c.relname FROM pg_class c WHERE c.relnamespace = 'npda'::regnamespace
                     AND c.relname IN ('patient_pseudonymised', 'visit_pseudonymised', 'patient_kpi_pseudonymised')
                     AND NOT coalesce(c.reloptions @> ARRAY['security_barrier=true'], false)$$,
                '... but the pseudonymised ones, definer-rights behind a security barrier');
SELECT is_empty($$SELECT p.oid::regprocedure::text FROM pg_proc p WHERE p.pronamespace = 'npda'::regnamespace
                     AND (p.proacl IS NULL OR EXISTS (SELECT FROM aclexplode(p.proacl) a WHERE a.grantee = 0))$$,
                'no function of npda is executable by PUBLIC');
SELECT is_empty($$SELECT c.relname FROM pg_class c WHERE c.relnamespace = 'npda'::regnamespace
                     AND EXISTS (SELECT FROM aclexplode(c.relacl) a WHERE a.grantee = 0)$$,
                'no table or view of npda is granted to PUBLIC');
SELECT is_empty($$SELECT p.oid::regprocedure::text FROM pg_proc p WHERE p.pronamespace = 'npda'::regnamespace
                     AND p.prosecdef AND NOT coalesce(p.proconfig @> ARRAY['search_path=pg_catalog, pg_temp'], false)$$,
                'every SECURITY DEFINER function pins search_path');
SELECT is_empty($$SELECT p.oid::regprocedure::text FROM pg_proc p JOIN pg_language l ON l.oid = p.prolang
                   WHERE p.pronamespace = 'npda'::regnamespace
                     AND NOT coalesce(p.proconfig @> ARRAY['search_path=pg_catalog, pg_temp'], false)
                     AND NOT (l.lanname = 'c' AND p.proname IN ('audit_year', 'audit_quarter', 'nhs_number_is_valid',
                              '_guard_selftest', '_kpi_definitions', '_bulk_load_active', '_outer_role', '_acting_user_id',
                              '_set_acting_user', '_hmac_sha256', '_strong_random_bytes', '_scope_all', '_scope_unit',
                              '_scope_submission', '_scope_patient', '_scope_user', '_caller', '_scope_changed',
                              '_lock_period_exclusive', '_lock_refresh', '_lock_login', '_kpi_pct_passed',
                              '_qualifying_admissions', '_is_test_unit', '_kpi_map_svg_document'))$$,
                'every function pins search_path, but the C ones that look no name up');
SELECT is_empty($$SELECT r FROM unnest(ARRAY['npda_audit_team', 'npda_coordinator', 'npda_editor', 'npda_reader',
                                              'npda_analyst', 'npda_application']) AS r
                   WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = r AND NOT rolcanlogin)$$,
                'the six group roles exist and cannot log in');

-- ---- the application, acting for Jane (an editor of A) ---------------------
-- Last: npda.act_as holds for the rest of this transaction.
SET SESSION AUTHORIZATION npda_tap_app;
SELECT npda.act_as('jane@a.example') AS jane \gset
INSERT INTO got SELECT 'app_acting', n, pg_temp.try(stmt) FROM matrix ORDER BY n;
CREATE TEMP TABLE app_submission AS
SELECT id, submitted_by FROM npda.submit_csv('PZ041', (SELECT bytes FROM file WHERE pz = 'PZ041'), 2025, 'by-jane.csv');
UPDATE npda.visit SET hba1c = 50
 WHERE patient_id IN (SELECT p.id FROM npda.patient p WHERE p.submission_id = (SELECT id FROM app_submission));
RESET SESSION AUTHORIZATION;
SELECT is(g.result, m.app_acting, format('app acting for an editor of A: %s', m.label))
  FROM got g JOIN matrix m USING (n) WHERE g.who = 'app_acting' ORDER BY m.n;
SELECT is((SELECT submitted_by FROM app_submission), 'Jane@A.example', 'submitted_by is the person the application acted for');
SELECT is((SELECT string_agg(format('%s/%s/%s', activity, npda_user_id, db_role), ' ' ORDER BY id) FROM npda.visit_activity
            WHERE id > (SELECT max(id) FROM npda.visit_activity WHERE activity = 9 AND details ->> 'table' = 'submission')),
          format('8/%1$s/npda_tap_app 9/%1$s/npda_tap_app', :jane),
                  'the upload (8) and the edit (9) are logged as Jane''s, through the application''s login');

SELECT * FROM finish();
ROLLBACK;
