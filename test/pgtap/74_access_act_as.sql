-- npda.act_as cannot be forged: not by a role outside npda_application, not
-- for an unknown, inactive or locked-out user, not by setting a setting, and
-- it does not outlive its transaction (nor a rolled-back savepoint). This file
-- needs real transaction ends, so it runs in autocommit mode: it makes its
-- roles, users and data, and removes them at the end.
SET client_min_messages = warning;
-- Left over by an interrupted run?
DO $$
DECLARE
  r text;
BEGIN
  DELETE FROM npda.visit_activity a USING npda.npda_user u WHERE u.id = a.npda_user_id AND u.email LIKE '%@act-as.example';
  DELETE FROM npda.npda_user WHERE email LIKE '%@act-as.example';
  UPDATE npda.submission SET is_active = false WHERE file_name = 'act-as.csv';
  DELETE FROM npda.submission WHERE file_name = 'act-as.csv';
  FOREACH r IN ARRAY ARRAY['npda_tap_x_app', 'npda_tap_x_editor', 'npda_tap_x_rogue'] LOOP
    IF EXISTS (SELECT FROM pg_roles WHERE rolname = r) THEN
      EXECUTE format('DROP OWNED BY %I', r);
      EXECUTE format('DROP ROLE %I', r);
    END IF;
  END LOOP;
END
$$;
SELECT plan(21);

UPDATE npda.audit_period SET is_open = true WHERE start_date = '2025-04-01';
\set file_a `base64 -w0 test/fixtures/npda_dummy_sheet_2024-10.csv`
CREATE TEMP TABLE sub AS SELECT (npda.submit_csv('PZ041', decode(:'file_a', 'base64'), 2025, 'act-as.csv')).id AS id;
CREATE ROLE npda_tap_x_app LOGIN IN ROLE npda_application;
CREATE ROLE npda_tap_x_editor LOGIN;
CREATE ROLE npda_tap_x_rogue LOGIN;
GRANT USAGE ON SCHEMA npda TO npda_tap_x_rogue;
GRANT EXECUTE ON FUNCTION npda.act_as(text) TO npda_tap_x_rogue;
CREATE TEMP TABLE who AS
SELECT npda.add_user('jane@act-as.example', 'editor', '{PZ041}') AS jane,
       npda.add_user('bob@act-as.example', 'editor', '{PZ041}') AS bob,
       npda.add_user('gone@act-as.example', 'editor', '{PZ041}') AS gone,
       npda.add_user('locked@act-as.example', 'editor', '{PZ041}') AS locked,
       npda.add_user('ed@act-as.example', 'editor', '{PZ041}', 'npda_tap_x_editor') AS ed;
UPDATE npda.npda_user SET is_active = false WHERE email = 'gone@act-as.example';
INSERT INTO npda.visit_activity (npda_user_id, activity, activity_at)
SELECT locked, code, clock_timestamp() - interval '1 minute' FROM who, unnest(ARRAY[2, 2, 2, 2, 2, 6]) AS code;
SELECT count(*) AS children FROM npda.patient WHERE submission_id = (SELECT id FROM sub) \gset
CREATE TEMP TABLE seen (step text, n bigint);
GRANT ALL ON seen TO PUBLIC;
GRANT SELECT ON who TO PUBLIC;

-- Who may call it.
SET SESSION AUTHORIZATION npda_tap_x_editor;
SELECT throws_ok($$SELECT npda.act_as('jane@act-as.example')$$, '42501', NULL,
                 'a person''s login (outside npda_application) may not execute act_as');
RESET SESSION AUTHORIZATION;
SET SESSION AUTHORIZATION npda_tap_x_rogue;
SELECT throws_ok($$SELECT npda.act_as('jane@act-as.example')$$, 'NP203', NULL,
                 'given EXECUTE anyway, a role outside npda_application is refused (NP203)');
RESET SESSION AUTHORIZATION;
-- For whom.
SET SESSION AUTHORIZATION npda_tap_x_app;
SELECT throws_ok($$SELECT npda.act_as('nobody@act-as.example')$$, 'NP204', NULL, 'an unknown user: NP204');
SELECT throws_ok($$SELECT npda.act_as('gone@act-as.example')$$, 'NP204', NULL, 'an inactive user: NP204');
SELECT throws_ok($$SELECT npda.act_as('locked@act-as.example')$$, 'NP205', NULL, 'a locked-out user: NP205');
SELECT is((SELECT count(*) FROM npda.patient), 0::bigint, 'the application acting for nobody sees no child');

-- Settings forge nothing: npda keeps the person in backend memory.
SET npda.act_as = 'jane@act-as.example';
SET npda.acting_user = 'jane@act-as.example';
SELECT set_config('npda.user_id', (SELECT jane::text FROM who), false) IS NOT NULL AS set \gset
SELECT is((SELECT count(*) FROM npda.patient), 0::bigint, 'setting npda.* settings does not make the application anyone');
RESET npda.act_as;
RESET npda.acting_user;

-- A transaction: acting for Jane inside it, nobody after COMMIT.
BEGIN;
SELECT npda.act_as('JANE@act-as.example') AS jane \gset
INSERT INTO seen SELECT 'in transaction', count(*) FROM npda.patient;
SELECT npda.act_as('jane@act-as.example') AS again \gset
INSERT INTO seen SELECT 'second act_as for the same person', count(*) FROM npda.patient;
COMMIT;
SELECT is((SELECT n FROM seen WHERE step = 'in transaction'), :children::bigint, 'acting for Jane, the application sees her unit''s children');
SELECT is(:again, :jane, 'naming the same person again in the transaction is allowed');
SELECT is((SELECT count(*) FROM npda.patient), 0::bigint, 'after COMMIT it acts for nobody');
BEGIN;
SELECT npda.act_as('jane@act-as.example') AS jane \gset
SELECT throws_ok($$SELECT npda.act_as('bob@act-as.example')$$, 'NP206', NULL, 'a second person in one transaction: NP206');
ROLLBACK;
SELECT is((SELECT count(*) FROM npda.patient), 0::bigint, 'after ROLLBACK it acts for nobody');
-- Autocommit: the statement is its own transaction.
SELECT npda.act_as('jane@act-as.example') AS jane \gset
SELECT is((SELECT count(*) FROM npda.patient), 0::bigint, 'a lone SELECT npda.act_as(...) lasts one statement');
-- Savepoints.
BEGIN;
SAVEPOINT s;
SELECT npda.act_as('jane@act-as.example') AS jane \gset
ROLLBACK TO SAVEPOINT s;
INSERT INTO seen SELECT 'after rollback to savepoint', count(*) FROM npda.patient;
SELECT npda.act_as('bob@act-as.example') AS bob \gset
INSERT INTO seen SELECT 'bob after the rolled back jane', count(*) FROM npda.patient;
SAVEPOINT t;
INSERT INTO seen SELECT 'inside a later savepoint', count(*) FROM npda.patient;
RELEASE SAVEPOINT t;
COMMIT;
SELECT is((SELECT n FROM seen WHERE step = 'after rollback to savepoint'), 0::bigint,
          'ROLLBACK TO a savepoint taken before act_as forgets the person');
SELECT is((SELECT n FROM seen WHERE step = 'bob after the rolled back jane'), :children::bigint,
          'so the transaction may then act for someone else');
SELECT is((SELECT n FROM seen WHERE step = 'inside a later savepoint'), :children::bigint,
          'acting holds in the savepoints that follow');
BEGIN;
SAVEPOINT s;
SELECT npda.act_as('jane@act-as.example') AS jane \gset
RELEASE SAVEPOINT s;
INSERT INTO seen SELECT 'after release', count(*) FROM npda.patient;
COMMIT;
SELECT is((SELECT n FROM seen WHERE step = 'after release'), :children::bigint, 'RELEASE keeps it for the transaction');
SELECT is((SELECT count(*) FROM npda.patient), 0::bigint, '... which then ends it');
-- An error ends the transaction, and the person with it.
BEGIN;
SELECT npda.act_as('jane@act-as.example') AS jane \gset
SELECT throws_ok($$SELECT 1 / 0$$, '22012', NULL, 'an error in a transaction that acts for Jane ...');
ROLLBACK;
SELECT is((SELECT count(*) FROM npda.patient), 0::bigint, '... and the next transaction acts for nobody');
RESET SESSION AUTHORIZATION;
SELECT is((SELECT count(*)::int FROM npda.visit_activity a JOIN who ON a.npda_user_id IN (who.jane, who.bob)), 0,
          'acting for someone logs nothing by itself');

SELECT * FROM finish();

-- Clean up.
\o /dev/null
UPDATE npda.submission SET is_active = false WHERE id = (SELECT id FROM sub);
DELETE FROM npda.submission WHERE id = (SELECT id FROM sub);
DELETE FROM npda.visit_activity a USING npda.npda_user u WHERE u.id = a.npda_user_id AND u.email LIKE '%@act-as.example';
DELETE FROM npda.npda_user WHERE email LIKE '%@act-as.example';
DROP OWNED BY npda_tap_x_rogue;
DROP ROLE npda_tap_x_app;
DROP ROLE npda_tap_x_editor;
DROP ROLE npda_tap_x_rogue;
\o
