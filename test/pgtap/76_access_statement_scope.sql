-- Who the caller is (npda._caller()) is worked out once per statement and
-- kept for the row policies and triggers of that statement. A change made
-- within the statement itself -- an employment, a deactivation, a role
-- membership -- must count from the next query of the same statement: each
-- test below runs as one top-level statement (a function called by SELECT)
-- that reads, makes the change through a definer-rights helper, and reads
-- again. Without the invalidation the second read would still see the first
-- answer.
BEGIN;
SELECT plan(5);
SET LOCAL client_min_messages = warning;

-- ---- fixture ---------------------------------------------------------------
UPDATE npda.audit_period SET is_open = true WHERE start_date = '2025-04-01';
\set file_a `base64 -w0 test/fixtures/npda_dummy_sheet_2024-10.csv`
CREATE TEMP TABLE file_a AS SELECT decode(:'file_a', 'base64') AS bytes;
CREATE TEMP TABLE file_b AS SELECT convert_to(replace(convert_from(bytes, 'UTF8'), ',PZ041,', ',PZ215,'), 'UTF8') AS bytes FROM file_a;
SELECT (npda.submit_csv('PZ041', (SELECT bytes FROM file_a), 2025, 'a.csv')).id AS sub_a \gset
SELECT (npda.submit_csv('PZ215', (SELECT bytes FROM file_b), 2025, 'b.csv')).id AS sub_b \gset
SELECT count(*) AS children_a FROM npda.patient WHERE submission_id = :sub_a \gset
SELECT count(*) AS children_b FROM npda.patient WHERE submission_id = :sub_b \gset
SELECT count(*) AS children_all FROM npda.patient \gset
CREATE ROLE npda_tap_ss_editor LOGIN;
CREATE ROLE npda_tap_ss_lead LOGIN IN ROLE npda_reader;   -- a login that is no npda user
CREATE ROLE npda_tap_ss_app LOGIN IN ROLE npda_application;
SELECT npda.add_user('ss-editor@a.example', 'editor', '{PZ041}', 'npda_tap_ss_editor') AS editor \gset
SELECT npda.add_user('ss-jane@a.example', 'editor', '{PZ041}') AS jane \gset

-- Definer-rights helpers (owned by this superuser) make the changes.
CREATE FUNCTION pg_temp.employ_at(pz text) RETURNS void LANGUAGE sql SECURITY DEFINER AS $$
  INSERT INTO npda.organisation_employer (npda_user_id, paediatric_diabetes_unit_id, is_primary_employer)
  SELECT u.id, p.id, false FROM npda.npda_user u, npda.paediatric_diabetes_unit p
   WHERE u.email = 'ss-editor@a.example' AND p.pz_code = pz $$;
CREATE FUNCTION pg_temp.deactivate_jane() RETURNS void LANGUAGE sql SECURITY DEFINER AS $$
  UPDATE npda.npda_user SET is_active = false WHERE email = 'ss-jane@a.example' $$;
CREATE FUNCTION pg_temp.join_audit_team() RETURNS void LANGUAGE plpgsql SECURITY DEFINER AS $$
  BEGIN GRANT npda_audit_team TO npda_tap_ss_lead; END $$;
-- One statement: count the children the caller sees, call the change, count again.
CREATE FUNCTION pg_temp.seen_around(change text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
  before bigint;
  after bigint;
BEGIN
  SELECT count(*) INTO before FROM npda.patient;
  CASE change
    WHEN 'employ' THEN PERFORM pg_temp.employ_at('PZ215');
    WHEN 'deactivate jane' THEN PERFORM pg_temp.deactivate_jane();
    WHEN 'audit team' THEN PERFORM pg_temp.join_audit_team();
    ELSE NULL;
  END CASE;
  SELECT count(*) INTO after FROM npda.patient;
  RETURN before || ' then ' || after;
END
$$;

-- ---- the tests ---------------------------------------------------------------
SET LOCAL SESSION AUTHORIZATION npda_tap_ss_editor;
SELECT is(pg_temp.seen_around('nothing'), :children_a || ' then ' || :children_a,
          'no change: both reads of one statement see the editor''s unit');
SELECT is(pg_temp.seen_around('employ'), :children_a || ' then ' || (:children_a + :children_b),
          'employed at a second unit within a statement: the next read of that statement sees its children');
SELECT is((SELECT count(*) FROM npda.patient), (:children_a + :children_b)::bigint,
          'and so does the next statement');
RESET SESSION AUTHORIZATION;

SET LOCAL SESSION AUTHORIZATION npda_tap_ss_lead;
SELECT is(pg_temp.seen_around('audit team'), '0 then ' || :children_all,
          'a login made a member of npda_audit_team within a statement sees every child from its next read');
RESET SESSION AUTHORIZATION;

-- Last: npda.act_as holds for the rest of the transaction.
SET LOCAL SESSION AUTHORIZATION npda_tap_ss_app;
SELECT npda.act_as('ss-jane@a.example') IS NOT NULL AS acting \gset
SELECT is(pg_temp.seen_around('deactivate jane'), :children_a || ' then 0',
          'an application acting for a person deactivated within a statement: the next read of that statement sees nothing');
RESET SESSION AUTHORIZATION;

SELECT * FROM finish();
ROLLBACK;
