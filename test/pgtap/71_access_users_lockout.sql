-- Users, their units and roles, the activity log of changes (codes 8, 10-13),
-- login tracking (1, 2, 3-5, 7) and the lockout rule, driven by the log's
-- timestamps (rows are backdated, nothing sleeps). Everything is rolled back.
BEGIN;
SELECT plan(77);
SET LOCAL client_min_messages = warning;

CREATE ROLE npda_tap_u_team LOGIN;
CREATE ROLE npda_tap_u_coordinator LOGIN;
CREATE ROLE npda_tap_u_editor LOGIN;
CREATE ROLE npda_tap_u_reader LOGIN;
CREATE ROLE npda_tap_u_spare LOGIN;
CREATE ROLE npda_tap_u_nologin NOLOGIN;
CREATE ROLE npda_tap_u_super LOGIN SUPERUSER;
CREATE ROLE npda_tap_u_bypass LOGIN BYPASSRLS;
CREATE ROLE npda_tap_u_app LOGIN IN ROLE npda_application;
CREATE ROLE npda_tap_u_analyst_login LOGIN IN ROLE npda_analyst;
CREATE ROLE npda_tap_u_rogue LOGIN;
-- A role outside npda_application that was given EXECUTE anyway: the
-- functions' own check still refuses it.
GRANT USAGE ON SCHEMA npda TO npda_tap_u_rogue;
GRANT EXECUTE ON FUNCTION npda.record_login(text, inet, boolean, text), npda.act_as(text) TO npda_tap_u_rogue;

-- ---- add_user ------------------------------------------------------------------
SELECT npda.add_user('team@rcpch.example', 'audit_team', '{}', 'npda_tap_u_team') AS team \gset
SELECT ok(:team > 0, 'the superuser adds an audit team member');
SELECT is((SELECT role FROM npda.npda_user WHERE id = :team), 'audit_team', 'with its role');
SELECT ok(pg_has_role('npda_tap_u_team', 'npda_audit_team', 'MEMBER'), 'and its login is granted npda_audit_team');
SET SESSION AUTHORIZATION npda_tap_u_team;
SELECT npda.add_user('Coord@A.example', 'coordinator', '{PZ041, pz042}', 'npda_tap_u_coordinator', 'Cora', 'Ordinate') AS coordinator \gset
RESET SESSION AUTHORIZATION;
SELECT results_eq(format($$SELECT u.pz_code::text, e.is_primary_employer FROM npda.organisation_employer e
                           JOIN npda.paediatric_diabetes_unit u ON u.id = e.paediatric_diabetes_unit_id
                           WHERE e.npda_user_id = %s ORDER BY u.pz_code$$, :coordinator),
                  $$VALUES ('PZ041', true), ('PZ042', false)$$, 'the first unit is the primary one (PZ codes in any case)');
SELECT ok(pg_has_role('npda_tap_u_coordinator', 'npda_coordinator', 'MEMBER')
          AND pg_has_role('npda_tap_u_coordinator', 'npda_editor', 'MEMBER') AND pg_has_role('npda_tap_u_coordinator', 'npda_reader', 'MEMBER'),
          'a coordinator''s login holds the coordinator''s, editor''s and reader''s privileges');
SELECT results_eq(format($$SELECT activity::int, npda_user_id, admin_user_id, details ->> 'role' FROM npda.visit_activity
                           WHERE npda_user_id = %s AND activity = 10$$, :coordinator),
                  format($$VALUES (10, %s::bigint, %s::bigint, 'coordinator')$$, :coordinator, :team),
                  'creating a user logs code 10 with the admin who did it');
SELECT is((SELECT count(*)::int FROM npda.visit_activity WHERE npda_user_id = :coordinator AND activity = 11), 2,
          'and code 11 for each unit the user was employed at');

SET SESSION AUTHORIZATION npda_tap_u_coordinator;
SELECT npda.add_user('editor@a.example', 'editor', '{PZ041}', 'npda_tap_u_editor', 'Ed', 'Itor') AS editor \gset
SELECT npda.add_user('reader@a.example', 'reader', '{PZ042}', 'npda_tap_u_reader') AS reader \gset
SELECT throws_ok($$SELECT npda.add_user('x@b.example', 'reader', '{PZ215}')$$, 'NP202', NULL,
                 'a coordinator adds users to their own units only (NP202)');
SELECT throws_ok($$SELECT npda.add_user('x@a.example', 'reader', '{PZ041, PZ215}')$$, 'NP202', NULL,
                 '... every one of them');
SELECT throws_ok($$SELECT npda.add_user('x@a.example', 'analyst', '{}')$$, 'NP201', NULL,
                 'a coordinator cannot add an analyst (NP201)');
SELECT throws_ok($$SELECT npda.add_user('x@a.example', 'audit_team', '{PZ041}')$$, 'NP201', NULL,
                 '... nor an audit team member');
RESET SESSION AUTHORIZATION;
SELECT throws_ok($$SELECT npda.add_user('EDITOR@a.example', 'reader', '{PZ041}')$$, 'NP209', NULL,
                 'e-mail addresses are unique whatever their case (NP209)');
SELECT throws_ok($$SELECT npda.add_user('x@a.example', 'nurse', '{PZ041}')$$, 'NP105', NULL, 'an unknown role: NP105');
SELECT throws_ok($$SELECT npda.add_user('not an address', 'reader', '{PZ041}')$$, 'NP105', NULL, 'not an e-mail address: NP105');
SELECT throws_ok($$SELECT npda.add_user('x@a.example', 'reader', '{PZ777}')$$, 'NP103', NULL, 'an unknown unit: NP103');
SELECT throws_ok($$SELECT npda.add_user('x@a.example', 'reader', '{}')$$, 'NP105', NULL, 'a reader needs a unit: NP105');
SELECT lives_ok($$SELECT npda.add_user('analyst@rcpch.example', 'analyst', NULL)$$, 'an analyst needs none');
SELECT throws_ok($$SELECT npda.add_user('x@a.example', 'reader', '{PZ041}', 'npda_tap_no_such_role')$$, 'NP209', NULL,
                 'db_role: a role that does not exist (NP209)');
SELECT throws_ok($$SELECT npda.add_user('x@a.example', 'reader', '{PZ041}', 'npda_tap_u_nologin')$$, 'NP209', NULL,
                 'db_role: a role that cannot log in');
SELECT throws_ok($$SELECT npda.add_user('x@a.example', 'reader', '{PZ041}', 'npda_tap_u_super')$$, 'NP209', NULL,
                 'db_role: a superuser');
SELECT throws_ok($$SELECT npda.add_user('x@a.example', 'reader', '{PZ041}', 'npda_tap_u_bypass')$$, 'NP209', NULL,
                 'db_role: a role that bypasses row security');
SELECT throws_ok($$SELECT npda.add_user('x@a.example', 'reader', '{PZ041}', 'npda_tap_u_app')$$, 'NP209', NULL,
                 'db_role: an application login');
SELECT throws_ok($$SELECT npda.add_user('x@a.example', 'reader', '{PZ041}', 'npda_tap_u_analyst_login')$$, 'NP209', NULL,
                 'db_role: a login already in another npda group');
SELECT throws_ok($$SELECT npda.add_user('x@a.example', 'reader', '{PZ041}', 'npda_tap_u_editor')$$, 'NP209', NULL,
                 'db_role: the login of another user');
SELECT throws_ok($$SELECT npda.add_user('x@a.example', 'reader', '{PZ041}', 'npda_editor')$$, 'NP209', NULL,
                 'db_role: one of npda''s group roles');

-- ---- changes to users: group roles follow, the log records them ------------
SET SESSION AUTHORIZATION npda_tap_u_coordinator;
UPDATE npda.npda_user SET first_name = 'Edward' WHERE id = :editor;
UPDATE npda.npda_user SET role = 'reader' WHERE id = :editor;
RESET SESSION AUTHORIZATION;
SELECT ok(pg_has_role('npda_tap_u_editor', 'npda_reader', 'MEMBER') AND NOT pg_has_role('npda_tap_u_editor', 'npda_editor', 'MEMBER'),
          'a role change moves the login from npda_editor to npda_reader');
SELECT results_eq(format($$SELECT activity::int, admin_user_id, details FROM npda.visit_activity
                           WHERE npda_user_id = %s AND activity IN (11, 12, 13) ORDER BY id$$, :editor),
                  format($$VALUES (11, %1$s::bigint, '{"employment": "insert", "is_primary_employer": true}'::jsonb),
                                  (11, %1$s::bigint, '{"changed": ["first_name"]}'::jsonb),
                                  (12, %1$s::bigint, '{"from": "editor", "to": "reader"}'::jsonb)$$, :coordinator),
                  'a unit, a name (11) and a role (12) change are logged with the coordinator as admin');
SELECT is((SELECT updated_by FROM npda.npda_user WHERE id = :editor), 'npda_tap_u_coordinator', 'updated_by: the session user');
SET SESSION AUTHORIZATION npda_tap_u_team;
UPDATE npda.npda_user SET role = 'coordinator' WHERE id = :editor;
UPDATE npda.npda_user SET is_active = false WHERE id = :reader;
RESET SESSION AUTHORIZATION;
SELECT is((SELECT array_agg(activity::int ORDER BY id) FROM npda.visit_activity
            WHERE npda_user_id = :editor AND admin_user_id = :team), ARRAY[12, 13],
          'becoming a coordinator logs 12 and 13 (the power to manage users)');
SELECT ok(NOT pg_has_role('npda_tap_u_reader', 'npda_reader', 'MEMBER'), 'a deactivated user''s login loses its group role');
SET SESSION AUTHORIZATION npda_tap_u_team;
UPDATE npda.npda_user SET is_active = true WHERE id = :reader;
UPDATE npda.npda_user SET db_role = 'npda_tap_u_spare' WHERE id = :reader;
RESET SESSION AUTHORIZATION;
SELECT ok(pg_has_role('npda_tap_u_spare', 'npda_reader', 'MEMBER') AND NOT pg_has_role('npda_tap_u_reader', 'npda_reader', 'MEMBER'),
          're-activated and moved to another login: the new login holds npda_reader, the old one nothing');
SELECT throws_ok(format($$UPDATE npda.npda_user SET db_role = 'npda_tap_u_super' WHERE id = %s$$, :reader), 'NP209', NULL,
                 'db_role changes are checked too (NP209)');

-- One primary unit per user, checked at commit (here: made immediate).
SET CONSTRAINTS ALL IMMEDIATE;
SELECT throws_ok(format($$UPDATE npda.organisation_employer SET is_primary_employer = true WHERE npda_user_id = %s$$, :coordinator),
                 '23P01', NULL, 'a second primary unit is refused');
SELECT throws_ok(format($$DELETE FROM npda.organisation_employer WHERE npda_user_id = %s AND is_primary_employer$$, :coordinator),
                 'NP105', NULL, 'a user left with units but no primary one is refused');
SELECT lives_ok(format($$UPDATE npda.organisation_employer SET is_primary_employer = NOT is_primary_employer WHERE npda_user_id = %s$$, :coordinator),
                'moving the primary flag in one statement works');
SET CONSTRAINTS ALL DEFERRED;

-- ---- uploads (8) ---------------------------------------------------------------
UPDATE npda.audit_period SET is_open = true WHERE start_date = '2025-04-01';
\set file_a `base64 -w0 test/fixtures/npda_dummy_sheet_invalid_2024-10.csv`
SET SESSION AUTHORIZATION npda_tap_u_coordinator;
SELECT (npda.submit_csv('PZ041', decode(:'file_a', 'base64'), 2025, 'up.csv')).id AS sub \gset
RESET SESSION AUTHORIZATION;
SELECT results_eq(format($$SELECT activity::int, npda_user_id, paediatric_diabetes_unit_id, (details ->> 'submission_id')::bigint
                           FROM npda.visit_activity WHERE activity = 8$$),
                  format($$SELECT 8, %s::bigint, id, %s::bigint FROM npda.paediatric_diabetes_unit WHERE pz_code = 'PZ041'$$, :coordinator, :sub),
                  'a submission logs code 8 with the submitter, the unit and the submission');

-- ---- logins and the lockout --------------------------------------------------
SELECT npda.add_user('lock@a.example', 'editor', '{PZ041}') AS lock \gset
SELECT npda.add_user('window@a.example', 'editor', '{PZ041}') AS win \gset
SELECT npda.add_user('mixed@a.example', 'editor', '{PZ041}') AS mixed \gset
CREATE TEMP TABLE attempt (n serial, result timestamptz);
GRANT ALL ON attempt, attempt_n_seq TO PUBLIC;
SET SESSION AUTHORIZATION npda_tap_u_app;
SELECT is(npda.record_login('lock@a.example', '198.51.100.7', true, 'Firefox'), NULL, 'a login: code 1, not locked');
INSERT INTO attempt (result) SELECT npda.record_login('LOCK@a.example', '198.51.100.7', false) FROM generate_series(1, 4);
RESET SESSION AUTHORIZATION;
SELECT is((SELECT count(*)::int FROM attempt WHERE result IS NULL), 4, 'four failed logins lock nothing');
SELECT is((SELECT count(*)::int FROM npda.visit_activity WHERE npda_user_id = :lock AND activity = 6), 0, '... and log no lockout');
SET SESSION AUTHORIZATION npda_tap_u_app;
INSERT INTO attempt (result) SELECT npda.record_login('lock@a.example', '198.51.100.7', false);
RESET SESSION AUTHORIZATION;
SELECT ok((SELECT result FROM attempt WHERE n = 5) BETWEEN clock_timestamp() + interval '9 minutes 50 seconds'
                                                      AND clock_timestamp() + interval '10 minutes',
          'the fifth failure within 5 minutes locks the account for 10 minutes: record_login returns when it ends');
SELECT results_eq(format($$SELECT activity::int, ip_address, paediatric_diabetes_unit_id IS NOT NULL FROM npda.visit_activity
                           WHERE npda_user_id = %s ORDER BY id$$, :lock),
                  $$VALUES (1, '198.51.100.7'::inet, true), (2, '198.51.100.7', true), (2, '198.51.100.7', true),
                           (2, '198.51.100.7', true), (2, '198.51.100.7', true), (2, '198.51.100.7', true), (6, '198.51.100.7', true)$$,
                  'the log: the login (1), five failures (2) and the lockout (6), with the address and the primary unit');
SET SESSION AUTHORIZATION npda_tap_u_app;
SELECT throws_like($$SELECT npda.record_login('lock@a.example', '198.51.100.7', true)$$,
                   'account lock@a.example is locked out until %UTC', 'a successful login is refused while locked out ...');
SELECT throws_ok($$SELECT npda.record_login('lock@a.example', '198.51.100.7', true)$$, 'NP205', NULL, '... with SQLSTATE NP205');
SELECT throws_ok($$SELECT npda.act_as('lock@a.example')$$, 'NP205', NULL, 'npda.act_as refuses a locked-out user (NP205)');
INSERT INTO attempt (result) SELECT npda.record_login('lock@a.example', '198.51.100.7', false);
RESET SESSION AUTHORIZATION;
SELECT is((SELECT result FROM attempt WHERE n = 6), (SELECT result FROM attempt WHERE n = 5),
          'a failure during the lockout is logged but does not extend it');
SELECT is((SELECT count(*)::int FROM npda.visit_activity WHERE npda_user_id = :lock AND activity = 6), 1, '(one lockout row)');
-- A password reset ends a lockout (rolled back: the next tests need it running).
SAVEPOINT reset;
SET SESSION AUTHORIZATION npda_tap_u_app;
SELECT ok(npda.record_activity('lock@a.example', 5) > 0, 'a password reset during the lockout ...');
SELECT is(npda.record_login('lock@a.example', '198.51.100.7', true), NULL, '... ends it: the next login succeeds');
RESET SESSION AUTHORIZATION;
ROLLBACK TO SAVEPOINT reset;
-- Ten minutes pass: backdate the log.
UPDATE npda.visit_activity SET activity_at = activity_at - interval '10 minutes 1 second' WHERE npda_user_id = :lock;
SET SESSION AUTHORIZATION npda_tap_u_app;
SELECT is(npda.record_login('lock@a.example', '198.51.100.7', true), NULL, 'after its 10 minutes the lockout has ended');
INSERT INTO attempt (result) SELECT npda.record_login('lock@a.example', '198.51.100.7', false);
RESET SESSION AUTHORIZATION;
SELECT is((SELECT result FROM attempt WHERE n = 7), NULL, 'and one new failure does not lock again');

-- The window: five failures lock only when all fall within 5 minutes.
INSERT INTO npda.visit_activity (npda_user_id, activity, activity_at)
SELECT :win, 2, clock_timestamp() - interval '5 minutes 1 second' FROM generate_series(1, 4);
SET SESSION AUTHORIZATION npda_tap_u_app;
INSERT INTO attempt (result) SELECT npda.record_login('window@a.example', '198.51.100.8', false);
RESET SESSION AUTHORIZATION;
SELECT is((SELECT result FROM attempt WHERE n = 8), NULL, 'five failures, the oldest 5 minutes and a second ago: no lockout');
UPDATE npda.visit_activity SET activity_at = clock_timestamp() - interval '4 minutes 59 seconds'
 WHERE npda_user_id = :win AND activity = 2 AND activity_at < clock_timestamp() - interval '5 minutes';
SET SESSION AUTHORIZATION npda_tap_u_app;
INSERT INTO attempt (result) SELECT npda.record_login('window@a.example', '198.51.100.8', false);
RESET SESSION AUTHORIZATION;
SELECT isnt((SELECT result FROM attempt WHERE n = 9), NULL, 'the fifth of five failures within 4 minutes 59 seconds: locked');

-- Consecutive: a login or a password reset between failures starts the count again.
SET SESSION AUTHORIZATION npda_tap_u_app;
INSERT INTO attempt (result) SELECT npda.record_login('mixed@a.example', '198.51.100.9', false) FROM generate_series(1, 4);
SELECT is(npda.record_login('mixed@a.example', '198.51.100.9', true), NULL, 'a success after four failures');
INSERT INTO attempt (result) SELECT npda.record_login('mixed@a.example', '198.51.100.9', false) FROM generate_series(1, 4);
SELECT ok(npda.record_activity('mixed@a.example', 5, '198.51.100.9') > 0, 'a password reset (5)');
INSERT INTO attempt (result) SELECT npda.record_login('mixed@a.example', '198.51.100.9', false) FROM generate_series(1, 4);
RESET SESSION AUTHORIZATION;
SELECT is((SELECT count(*)::int FROM attempt WHERE n > 9 AND result IS NOT NULL), 0,
          'failures interrupted by a login or a reset never lock (4 + 4 + 4)');
SELECT is((SELECT count(*)::int FROM npda.visit_activity WHERE npda_user_id = :mixed AND activity = 2), 12, 'all twelve are logged');

-- The settings.
UPDATE npda.access_setting SET lockout_failures = 3, lockout_duration = '1 hour';
SET SESSION AUTHORIZATION npda_tap_u_app;
INSERT INTO attempt (result) SELECT npda.record_login('mixed@a.example', '198.51.100.9', false);
RESET SESSION AUTHORIZATION;
SELECT ok((SELECT result FROM attempt ORDER BY n DESC LIMIT 1) > clock_timestamp() + interval '59 minutes',
          'with lockout_failures = 3, three failures in a row lock, for lockout_duration (1 hour)');

-- Unknown addresses, other roles, application events.
SET SESSION AUTHORIZATION npda_tap_u_app;
SELECT is(npda.record_login('nobody@nowhere.example', '203.0.113.1', false), NULL, 'a failure for an address that is nobody''s ...');
RESET SESSION AUTHORIZATION;
SELECT is((SELECT count(*)::int FROM npda.visit_activity WHERE ip_address = '203.0.113.1'), 0, '... is not logged (code 2 needs a user)');
SET SESSION AUTHORIZATION npda_tap_u_app;
SELECT throws_ok($$SELECT npda.record_login('nobody@nowhere.example', '203.0.113.1', true)$$, 'NP204', NULL,
                 'a success for an unknown address: NP204');
RESET SESSION AUTHORIZATION;
SET SESSION AUTHORIZATION npda_tap_u_editor;
SELECT throws_ok($$SELECT npda.record_login('lock@a.example', '203.0.113.1', false)$$, '42501', NULL,
                 'record_login is not for a person''s login (no EXECUTE)');
RESET SESSION AUTHORIZATION;
SET SESSION AUTHORIZATION npda_tap_u_rogue;
SELECT throws_ok($$SELECT npda.record_login('lock@a.example', '203.0.113.1', false)$$, 'NP203', NULL,
                 'nor, given EXECUTE, for a role outside npda_application (NP203)');
RESET SESSION AUTHORIZATION;
SELECT is((SELECT count(*)::int FROM npda.visit_activity WHERE ip_address = '203.0.113.1'), 0, 'none of that was logged');
SET SESSION AUTHORIZATION npda_tap_u_app;
SELECT ok(npda.record_activity('editor@a.example', 3, '198.51.100.10', 'Safari') > 0, 'a logout (3)');
SELECT ok(npda.record_activity('editor@a.example', 4) > 0, 'a reset link sent (4)');
SELECT ok(npda.record_activity('editor@a.example', 7) > 0, 'two-factor set up (7)');
SELECT throws_ok($$SELECT npda.record_activity('editor@a.example', 1)$$, 'NP105', NULL,
                 'logins go through record_login, not record_activity (NP105)');
SELECT throws_ok($$SELECT npda.record_activity('nobody@nowhere.example', 3)$$, 'NP204', NULL, 'an unknown user: NP204');
RESET SESSION AUTHORIZATION;
SELECT results_eq(format($$SELECT activity::int, user_agent FROM npda.visit_activity WHERE npda_user_id = %s AND activity IN (3, 4, 7) ORDER BY id$$, :editor),
                  $$VALUES (3, 'Safari'), (4, NULL), (7, NULL)$$, 'application events are logged with the user agent given');
-- The log is append-only: nobody but the owner rewrites it.
SET SESSION AUTHORIZATION npda_tap_u_team;
SELECT throws_ok($$UPDATE npda.visit_activity SET activity_at = now()$$, '42501', NULL, 'not even the audit team rewrites the log');
SELECT throws_ok($$DELETE FROM npda.visit_activity$$, '42501', NULL, '... or erases it');
RESET SESSION AUTHORIZATION;
-- The log has no foreign keys (each would cost every edit a lookup and a row
-- lock); what they guaranteed is kept by a check and a trigger.
SELECT throws_ok(format($$DELETE FROM npda.npda_user WHERE id = %s$$, :editor), 'NP210', NULL,
                 'a user the log names cannot be deleted (NP210): deactivate instead');
SAVEPOINT log_keys;
DELETE FROM npda.visit_activity WHERE npda_user_id = :reader;
INSERT INTO npda.visit_activity (npda_user_id, activity, admin_user_id) VALUES (:editor, 11, :reader);
SELECT throws_ok(format($$DELETE FROM npda.npda_user WHERE id = %s$$, :reader), 'NP210', NULL,
                 '... nor one it names only as the admin of a change');
DELETE FROM npda.visit_activity WHERE admin_user_id = :reader;
-- Deleted by the owner's rights but on behalf of a logged person (the audit
-- team's login), so that the cascade to the employments is logged.
CREATE FUNCTION pg_temp.delete_user(id bigint) RETURNS void LANGUAGE sql SECURITY DEFINER AS
  $$ DELETE FROM npda.npda_user u WHERE u.id = delete_user.id $$;
SET SESSION AUTHORIZATION npda_tap_u_team;
SELECT lives_ok(format($$SELECT pg_temp.delete_user(%s)$$, :reader), 'a user the log does not name can be deleted');
RESET SESSION AUTHORIZATION;
SELECT is((SELECT count(*)::int FROM npda.visit_activity WHERE npda_user_id = :reader OR admin_user_id = :reader), 0,
          'and the deletion, its employments'' included, leaves no row naming the deleted user');
ROLLBACK TO SAVEPOINT log_keys;
SELECT throws_ok(format($$INSERT INTO npda.visit_activity (npda_user_id, activity) VALUES (%s, 14)$$, :editor), '23514', NULL,
                 'an activity code outside 1-13 is refused');
SELECT set_eq($$SELECT code::int FROM npda.activity_code$$, $$SELECT generate_series(1, 13)$$,
              'npda.activity_code labels exactly the codes the log accepts');

SELECT * FROM finish();
ROLLBACK;
