-- The search_path attack: operators and functions planted in schema public,
-- each writing a row to public.attack_log when it runs, shadow pg_catalog's
-- for any code that resolves names through the caller's search_path. With
-- search_path = public, pg_catalog, every function of npda a role may call
-- (the C ones included), every view and every trigger is run by the superuser
-- and by each kind of user; nothing of the attacker's may run. The statements
-- of the test itself name pg_catalog's operators in full, so that only npda's
-- code could reach the planted ones.
BEGIN;
SELECT plan(5);
SET LOCAL client_min_messages = warning;

-- ---- fixture (before anything is planted) ------------------------------------
UPDATE npda.audit_period SET is_open = true WHERE start_date = '2025-04-01';
\set file_a `base64 -w0 test/fixtures/npda_dummy_sheet_invalid_2024-10.csv`
CREATE TEMP TABLE file_a AS SELECT decode(:'file_a', 'base64') AS bytes;
CREATE TEMP TABLE file_b AS SELECT convert_to(replace(convert_from(decode(:'file_a', 'base64'), 'UTF8'), ',PZ041,', ',PZ215,'), 'UTF8') AS bytes;
GRANT SELECT ON file_a, file_b TO PUBLIC;
CREATE TEMP TABLE sub AS SELECT (npda.submit_csv('PZ041', (SELECT bytes FROM file_a), 2025, 'a.csv')).id AS a;
SELECT a AS sub_a FROM sub \gset
SELECT min(id) AS pa FROM npda.patient WHERE submission_id = :sub_a \gset
SELECT min(id) AS va FROM npda.visit WHERE patient_id = :pa \gset
CREATE ROLE npda_tap_sp_reader LOGIN;
CREATE ROLE npda_tap_sp_editor LOGIN;
CREATE ROLE npda_tap_sp_coordinator LOGIN;
CREATE ROLE npda_tap_sp_analyst LOGIN;
CREATE ROLE npda_tap_sp_team LOGIN;
CREATE ROLE npda_tap_sp_app LOGIN IN ROLE npda_application;
CREATE ROLE npda_tap_sp_later LOGIN;
CREATE TEMP TABLE who AS
SELECT npda.add_user('sp-reader@a.example', 'reader', '{PZ041}', 'npda_tap_sp_reader') AS reader,
       npda.add_user('sp-editor@a.example', 'editor', '{PZ041}', 'npda_tap_sp_editor') AS editor,
       npda.add_user('sp-coordinator@a.example', 'coordinator', '{PZ041}', 'npda_tap_sp_coordinator') AS coordinator,
       npda.add_user('sp-analyst@rcpch.example', 'analyst', '{}', 'npda_tap_sp_analyst') AS analyst,
       npda.add_user('sp-team@rcpch.example', 'audit_team', '{}', 'npda_tap_sp_team') AS team,
       npda.add_user('sp-jane@a.example', 'editor', '{PZ041}') AS jane;
SELECT reader AS sp_reader FROM who \gset

-- ---- the attacker's objects ------------------------------------------------
CREATE TABLE public.attack_log (what text NOT NULL, at timestamptz DEFAULT clock_timestamp());
GRANT INSERT, SELECT ON public.attack_log TO PUBLIC;
CREATE FUNCTION public.attack_hit(what text) RETURNS void LANGUAGE sql AS $$ INSERT INTO public.attack_log (what) VALUES (what) $$;
-- Operators on the types npda's queries compare, join and concatenate.
CREATE FUNCTION public.attack_int8eq(bigint, bigint) RETURNS boolean LANGUAGE plpgsql AS
  $$ BEGIN PERFORM public.attack_hit('bigint = bigint'); RETURN $1 OPERATOR(pg_catalog.=) $2; END $$;
CREATE OPERATOR public.= (LEFTARG = bigint, RIGHTARG = bigint, FUNCTION = public.attack_int8eq);
CREATE FUNCTION public.attack_int4eq(integer, integer) RETURNS boolean LANGUAGE plpgsql AS
  $$ BEGIN PERFORM public.attack_hit('integer = integer'); RETURN $1 OPERATOR(pg_catalog.=) $2; END $$;
CREATE OPERATOR public.= (LEFTARG = integer, RIGHTARG = integer, FUNCTION = public.attack_int4eq);
CREATE FUNCTION public.attack_int84eq(bigint, integer) RETURNS boolean LANGUAGE plpgsql AS
  $$ BEGIN PERFORM public.attack_hit('bigint = integer'); RETURN $1 OPERATOR(pg_catalog.=) $2; END $$;
CREATE OPERATOR public.= (LEFTARG = bigint, RIGHTARG = integer, FUNCTION = public.attack_int84eq);
CREATE FUNCTION public.attack_texteq(text, text) RETURNS boolean LANGUAGE plpgsql AS
  $$ BEGIN PERFORM public.attack_hit('text = text'); RETURN $1 OPERATOR(pg_catalog.=) $2; END $$;
CREATE OPERATOR public.= (LEFTARG = text, RIGHTARG = text, FUNCTION = public.attack_texteq);
CREATE FUNCTION public.attack_nameeq(name, name) RETURNS boolean LANGUAGE plpgsql AS
  $$ BEGIN PERFORM public.attack_hit('name = name'); RETURN $1 OPERATOR(pg_catalog.=) $2; END $$;
CREATE OPERATOR public.= (LEFTARG = name, RIGHTARG = name, FUNCTION = public.attack_nameeq);
CREATE FUNCTION public.attack_dateeq(date, date) RETURNS boolean LANGUAGE plpgsql AS
  $$ BEGIN PERFORM public.attack_hit('date = date'); RETURN $1 OPERATOR(pg_catalog.=) $2; END $$;
CREATE OPERATOR public.= (LEFTARG = date, RIGHTARG = date, FUNCTION = public.attack_dateeq);
CREATE FUNCTION public.attack_boolne(boolean, boolean) RETURNS boolean LANGUAGE plpgsql AS
  $$ BEGIN PERFORM public.attack_hit('boolean <> boolean'); RETURN $1 OPERATOR(pg_catalog.<>) $2; END $$;
CREATE OPERATOR public.<> (LEFTARG = boolean, RIGHTARG = boolean, FUNCTION = public.attack_boolne);
CREATE FUNCTION public.attack_textcat(text, text) RETURNS text LANGUAGE plpgsql AS
  $$ BEGIN PERFORM public.attack_hit('text || text'); RETURN $1 OPERATOR(pg_catalog.||) $2; END $$;
CREATE OPERATOR public.|| (LEFTARG = text, RIGHTARG = text, FUNCTION = public.attack_textcat);
CREATE FUNCTION public.attack_int8lt(bigint, bigint) RETURNS boolean LANGUAGE plpgsql AS
  $$ BEGIN PERFORM public.attack_hit('bigint < bigint'); RETURN $1 OPERATOR(pg_catalog.<) $2; END $$;
CREATE OPERATOR public.< (LEFTARG = bigint, RIGHTARG = bigint, FUNCTION = public.attack_int8lt);
CREATE FUNCTION public.attack_tsgt(timestamptz, timestamptz) RETURNS boolean LANGUAGE plpgsql AS
  $$ BEGIN PERFORM public.attack_hit('timestamptz > timestamptz'); RETURN $1 OPERATOR(pg_catalog.>) $2; END $$;
CREATE OPERATOR public.> (LEFTARG = timestamptz, RIGHTARG = timestamptz, FUNCTION = public.attack_tsgt);
CREATE FUNCTION public.attack_tsmi(timestamptz, interval) RETURNS timestamptz LANGUAGE plpgsql AS
  $$ BEGIN PERFORM public.attack_hit('timestamptz - interval'); RETURN $1 OPERATOR(pg_catalog.-) $2; END $$;
CREATE OPERATOR public.- (LEFTARG = timestamptz, RIGHTARG = interval, FUNCTION = public.attack_tsmi);
CREATE FUNCTION public.attack_tspl(timestamptz, interval) RETURNS timestamptz LANGUAGE plpgsql AS
  $$ BEGIN PERFORM public.attack_hit('timestamptz + interval'); RETURN $1 OPERATOR(pg_catalog.+) $2; END $$;
CREATE OPERATOR public.+ (LEFTARG = timestamptz, RIGHTARG = interval, FUNCTION = public.attack_tspl);
-- Functions npda's code calls by name.
CREATE FUNCTION public.lower(text) RETURNS text LANGUAGE plpgsql AS
  $$ BEGIN PERFORM public.attack_hit('lower'); RETURN pg_catalog.lower($1); END $$;
CREATE FUNCTION public.upper(text) RETURNS text LANGUAGE plpgsql AS
  $$ BEGIN PERFORM public.attack_hit('upper'); RETURN pg_catalog.upper($1); END $$;
CREATE FUNCTION public.btrim(text) RETURNS text LANGUAGE plpgsql AS
  $$ BEGIN PERFORM public.attack_hit('btrim'); RETURN pg_catalog.btrim($1); END $$;
CREATE FUNCTION public.left(text, integer) RETURNS text LANGUAGE plpgsql AS
  $$ BEGIN PERFORM public.attack_hit('left'); RETURN pg_catalog.left($1, $2); END $$;
CREATE FUNCTION public.replace(text, text, text) RETURNS text LANGUAGE plpgsql AS
  $$ BEGIN PERFORM public.attack_hit('replace'); RETURN pg_catalog.replace($1, $2, $3); END $$;
CREATE FUNCTION public.encode(bytea, text) RETURNS text LANGUAGE plpgsql AS
  $$ BEGIN PERFORM public.attack_hit('encode'); RETURN pg_catalog.encode($1, $2); END $$;
CREATE FUNCTION public.sha256(bytea) RETURNS bytea LANGUAGE plpgsql AS
  $$ BEGIN PERFORM public.attack_hit('sha256'); RETURN pg_catalog.sha256($1); END $$;
CREATE FUNCTION public.nextval(regclass) RETURNS bigint LANGUAGE plpgsql AS
  $$ BEGIN PERFORM public.attack_hit('nextval'); RETURN pg_catalog.nextval($1); END $$;
CREATE FUNCTION public.make_date(integer, integer, integer) RETURNS date LANGUAGE plpgsql AS
  $$ BEGIN PERFORM public.attack_hit('make_date'); RETURN pg_catalog.make_date($1, $2, $3); END $$;
CREATE FUNCTION public.clock_timestamp() RETURNS timestamptz LANGUAGE plpgsql AS
  $$ BEGIN PERFORM public.attack_hit('clock_timestamp'); RETURN pg_catalog.clock_timestamp(); END $$;
CREATE FUNCTION public.date_trunc(text, timestamptz) RETURNS timestamptz LANGUAGE plpgsql AS
  $$ BEGIN PERFORM public.attack_hit('date_trunc'); RETURN pg_catalog.date_trunc($1, $2); END $$;
CREATE FUNCTION public.pg_has_role(name, name, text) RETURNS boolean LANGUAGE plpgsql AS
  $$ BEGIN PERFORM public.attack_hit('pg_has_role'); RETURN pg_catalog.pg_has_role($1, $2, $3); END $$;
CREATE FUNCTION public.pg_advisory_xact_lock(integer, integer) RETURNS void LANGUAGE plpgsql AS
  $$ BEGIN PERFORM public.attack_hit('pg_advisory_xact_lock'); PERFORM pg_catalog.pg_advisory_xact_lock($1, $2); END $$;
CREATE FUNCTION public.pg_advisory_xact_lock_shared(integer, integer) RETURNS void LANGUAGE plpgsql AS
  $$ BEGIN PERFORM public.attack_hit('pg_advisory_xact_lock_shared'); PERFORM pg_catalog.pg_advisory_xact_lock_shared($1, $2); END $$;
CREATE FUNCTION public.unnest(anyarray) RETURNS SETOF anyelement LANGUAGE plpgsql AS
  $$ BEGIN PERFORM public.attack_hit('unnest'); RETURN QUERY SELECT pg_catalog.unnest($1); END $$;
CREATE FUNCTION public.generate_series(integer, integer) RETURNS SETOF integer LANGUAGE plpgsql AS
  $$ BEGIN PERFORM public.attack_hit('generate_series'); RETURN QUERY SELECT pg_catalog.generate_series($1, $2); END $$;
CREATE FUNCTION public.generate_subscripts(anyarray, integer) RETURNS SETOF integer LANGUAGE plpgsql AS
  $$ BEGIN PERFORM public.attack_hit('generate_subscripts'); RETURN QUERY SELECT pg_catalog.generate_subscripts($1, $2); END $$;
CREATE FUNCTION public.array_replace(anyarray, anyelement, anyelement) RETURNS anyarray LANGUAGE plpgsql AS
  $$ BEGIN PERFORM public.attack_hit('array_replace'); RETURN pg_catalog.array_replace($1, $2, $3); END $$;
CREATE FUNCTION public.to_jsonb(anyelement) RETURNS jsonb LANGUAGE plpgsql AS
  $$ BEGIN PERFORM public.attack_hit('to_jsonb'); RETURN pg_catalog.to_jsonb($1); END $$;
CREATE FUNCTION public.jsonb_each(jsonb) RETURNS SETOF record LANGUAGE plpgsql AS
  $$ BEGIN PERFORM public.attack_hit('jsonb_each'); RETURN QUERY SELECT * FROM pg_catalog.jsonb_each($1); END $$;
CREATE FUNCTION public.cardinality(anyarray) RETURNS integer LANGUAGE plpgsql AS
  $$ BEGIN PERFORM public.attack_hit('cardinality'); RETURN pg_catalog.cardinality($1); END $$;
CREATE FUNCTION public.array_to_string(anyarray, text) RETURNS text LANGUAGE plpgsql AS
  $$ BEGIN PERFORM public.attack_hit('array_to_string'); RETURN pg_catalog.array_to_string($1, $2); END $$;
CREATE FUNCTION public.string_to_array(text, text) RETURNS text[] LANGUAGE plpgsql AS
  $$ BEGIN PERFORM public.attack_hit('string_to_array'); RETURN pg_catalog.string_to_array($1, $2); END $$;
CREATE FUNCTION public.audit_year(date) RETURNS integer LANGUAGE plpgsql AS
  $$ BEGIN PERFORM public.attack_hit('audit_year'); RETURN 0; END $$;
-- (aggregates with pg_catalog's own signatures: a different one would only
-- make calls ambiguous, not run)
CREATE FUNCTION public.attack_array_agg_step(anyarray, anynonarray) RETURNS anyarray LANGUAGE plpgsql AS
  $$ BEGIN PERFORM public.attack_hit('array_agg'); RETURN pg_catalog.array_append($1, $2); END $$;
CREATE AGGREGATE public.array_agg(anynonarray) (SFUNC = public.attack_array_agg_step, STYPE = anyarray);
CREATE FUNCTION public.attack_string_agg_step(text, text, text) RETURNS text LANGUAGE plpgsql AS
  $$ BEGIN PERFORM public.attack_hit('string_agg'); RETURN pg_catalog.concat_ws($3, $1, $2); END $$;
CREATE AGGREGATE public.string_agg(text, text) (SFUNC = public.attack_string_agg_step, STYPE = text);
CREATE FUNCTION public.attack_bool_or_step(boolean, boolean) RETURNS boolean LANGUAGE plpgsql AS
  $$ BEGIN PERFORM public.attack_hit('bool_or'); RETURN $1 OR $2; END $$;
CREATE AGGREGATE public.bool_or(boolean) (SFUNC = public.attack_bool_or_step, STYPE = boolean);

-- The planted objects work: unqualified names under this search_path reach them.
SET search_path = public, pg_catalog;
CREATE TEMP TABLE control AS
SELECT 1::bigint = 2::bigint AS a, lower('X') AS b, 'a'::text || 'b'::text AS c, upper('x') AS d,
       make_date(2025, 4, 1) AS e, btrim(' x ') AS f;
RESET search_path;
SELECT ok((SELECT count(DISTINCT what) FROM public.attack_log) >= 5,
          'control: under search_path = public, pg_catalog the planted operators, functions and aggregates run');
DELETE FROM public.attack_log;

-- ---- everything npda lets anyone call, under the attacker's search_path ----
\o /dev/null
SET search_path = public, pg_catalog;
-- The superuser, and through it the internal paths (triggers, scoring,
-- roll-ups, the C submission and report code).
SELECT npda.audit_year('2025-05-01'), npda.audit_quarter('2025-05-01'), npda.nhs_number_is_valid('943 476 5919');
SELECT * FROM npda.submit_csv('PZ041', (SELECT bytes FROM file_a), 2025, 'again.csv');
SELECT * FROM npda.submit_csv('PZ215', (SELECT bytes FROM file_b), 2025, 'b.csv');
SELECT (npda.submit_csv('PZ041', (SELECT bytes FROM file_a), 2025, 'third.csv')).id AS sub_a \gset
SELECT * FROM npda.submission_annotated_csv(:sub_a);
SELECT * FROM npda.submission_annotated_csv_lines(:sub_a);
SELECT min(id) AS pa FROM npda.patient WHERE submission_id OPERATOR(pg_catalog.=) :sub_a \gset
UPDATE npda.visit SET hba1c = 52 WHERE patient_id OPERATOR(pg_catalog.=) :pa;
UPDATE npda.patient SET postcode = 'S431BN' WHERE id OPERATOR(pg_catalog.=) :pa;
UPDATE npda.transfer SET reason_leaving_service = 2 WHERE patient_id OPERATOR(pg_catalog.=) :pa;
INSERT INTO npda.visit (patient_id, row_number, visit_date) VALUES (:pa, 900, '2025-06-01');
DELETE FROM npda.visit WHERE patient_id OPERATOR(pg_catalog.=) :pa AND row_number OPERATOR(pg_catalog.=) 900;
SELECT npda.rescore(2025), npda.rescore(2025, '2025-12-31');
SELECT npda.rescore_ended_periods();
SELECT npda.refresh_kpi_aggregations(2025), npda.refresh_kpi_aggregations();
SELECT npda._guard_selftest('ok');
SELECT npda._hmac_sha256('\x00'::bytea, 'x');
SELECT npda.add_user('sp-later@a.example', 'reader', '{PZ041,PZ215}', 'npda_tap_sp_later', 'Later', 'User') AS later \gset
UPDATE npda.npda_user SET role = 'editor', surname = 'Changed' WHERE id OPERATOR(pg_catalog.=) :later;
UPDATE npda.organisation_employer SET is_primary_employer = NOT is_primary_employer WHERE npda_user_id OPERATOR(pg_catalog.=) :later;
DELETE FROM npda.organisation_employer WHERE npda_user_id OPERATOR(pg_catalog.=) :later AND NOT is_primary_employer;
UPDATE npda.npda_user SET is_active = false WHERE id OPERATOR(pg_catalog.=) :later;
SELECT npda.rotate_pseudonym_secret();
SELECT * FROM npda.kpi_results; SELECT * FROM npda.kpi_map; SELECT * FROM npda.kpi_quarterly; SELECT * FROM npda.pdu_hierarchy;
SELECT npda.kpi_map_svg('25', 'integrated_care_board', 2025);
-- Organisation releases: export, the hierarchy on a date, and a release that
-- renames a unit (validation, versions, the marking of periods for refresh).
SELECT * FROM npda.pdu_hierarchy_at('2025-04-01');
SELECT npda.apply_organisation_release(
         jsonb_set(d.doc, '{paediatric_diabetes_units}',
                   (SELECT jsonb_agg(CASE WHEN o ->> 'code' OPERATOR(pg_catalog.=) 'PZ041'
                                          THEN o OPERATOR(pg_catalog.||) '{"name": "Renamed under attack"}'::jsonb ELSE o END)
                      FROM jsonb_array_elements(d.doc -> 'paediatric_diabetes_units') o)),
         '2030-04-01')
  FROM (SELECT npda.organisation_release('2030-04-01') AS doc) d;
SELECT npda.refresh_kpi_aggregations();
SELECT * FROM npda.patient_kpi; SELECT * FROM npda.patient_kpi_results; SELECT * FROM npda.submission_error_report;
SELECT * FROM npda.patient_pseudonymised; SELECT * FROM npda.visit_pseudonymised; SELECT * FROM npda.patient_kpi_pseudonymised;
-- A reader: the row policies' scope functions, the views, the report.
SET SESSION AUTHORIZATION npda_tap_sp_reader;
SET search_path = public, pg_catalog;
SELECT * FROM npda.submission; SELECT * FROM npda.submission_error; SELECT * FROM npda.patient; SELECT * FROM npda.visit;
SELECT * FROM npda.transfer; SELECT * FROM npda.patient_kpi_score; SELECT * FROM npda.npda_user;
SELECT * FROM npda.organisation_employer; SELECT * FROM npda.visit_activity;
SELECT * FROM npda.patient_kpi_results; SELECT * FROM npda.submission_error_report; SELECT * FROM npda.kpi_quarterly;
SELECT * FROM npda.submission_annotated_csv(:sub_a);
SELECT npda.organisation_release('2025-04-01'); SELECT * FROM npda.pdu_hierarchy_at('2025-04-01'); SELECT * FROM npda.pdu_hierarchy;
SELECT npda._scope_all(), npda._scope_unit('read', 1), npda._scope_submission('read', :sub_a), npda._scope_patient('read', :pa),
       npda._scope_user('read', :sp_reader), npda._user_role(:sp_reader);
RESET SESSION AUTHORIZATION;
-- An editor: a submission and edits through the row policies and triggers.
SET SESSION AUTHORIZATION npda_tap_sp_editor;
SET search_path = public, pg_catalog;
SELECT (npda.submit_csv('PZ041', (SELECT bytes FROM file_a), 2025, 'by-editor.csv')).id AS sub_a \gset
SELECT min(id) AS pa FROM npda.patient WHERE submission_id OPERATOR(pg_catalog.=) :sub_a \gset
UPDATE npda.visit SET hba1c = 53 WHERE patient_id OPERATOR(pg_catalog.=) :pa;
INSERT INTO npda.visit (patient_id, row_number) VALUES (:pa, 901);
DELETE FROM npda.visit WHERE patient_id OPERATOR(pg_catalog.=) :pa AND row_number OPERATOR(pg_catalog.=) 901;
UPDATE npda.patient SET ethnicity = 'A' WHERE id OPERATOR(pg_catalog.=) :pa;
RESET SESSION AUTHORIZATION;
-- A coordinator: users of their unit.
SET SESSION AUTHORIZATION npda_tap_sp_coordinator;
SET search_path = public, pg_catalog;
SELECT npda.add_user('sp-new@a.example', 'reader', '{PZ041}') AS newcomer \gset
UPDATE npda.npda_user SET first_name = 'New', role = 'editor' WHERE id OPERATOR(pg_catalog.=) :newcomer;
RESET SESSION AUTHORIZATION;
-- An analyst: the pseudonymised export.
SET SESSION AUTHORIZATION npda_tap_sp_analyst;
SET search_path = public, pg_catalog;
SELECT * FROM npda.patient_pseudonymised; SELECT * FROM npda.visit_pseudonymised; SELECT * FROM npda.patient_kpi_pseudonymised;
SELECT * FROM npda.kpi_results;
SELECT * FROM npda.kpi_results_published; SELECT * FROM npda.kpi_report(2025, 'integrated_care_board');
SELECT npda.kpi_map_svg('25', 'country', 2025);
RESET SESSION AUTHORIZATION;
-- The audit team: re-scores, roll-ups, the secret.
SET SESSION AUTHORIZATION npda_tap_sp_team;
SET search_path = public, pg_catalog;
SELECT npda.rescore(2025), npda.rescore_ended_periods(), npda.refresh_kpi_aggregations(2025);
SELECT npda.rotate_pseudonym_secret();
UPDATE npda.access_setting SET lockout_window = '6 minutes';
UPDATE npda.publication_setting SET rounding_base = 10;
RESET SESSION AUTHORIZATION;
-- The application: logins (to a lockout), events, then acting for Jane.
SET SESSION AUTHORIZATION npda_tap_sp_app;
SET search_path = public, pg_catalog;
SELECT npda.record_login('sp-reader@a.example', '192.0.2.1', true, 'test agent');
SELECT npda.record_login('sp-reader@a.example', '192.0.2.1', false) FROM pg_catalog.generate_series(1, 5);
SELECT npda.record_login('nobody@nowhere.example', '192.0.2.1', false);
SELECT npda.record_activity('sp-reader@a.example', 3, '192.0.2.1', 'test agent');
SELECT npda.act_as('sp-jane@a.example');
SELECT (npda.submit_csv('PZ041', (SELECT bytes FROM file_a), 2025, 'by-jane.csv')).id AS sub_a \gset
SELECT * FROM npda.patient;
RESET SESSION AUTHORIZATION;
RESET search_path;
\o

SELECT is((SELECT string_agg(DISTINCT what, ', ') FROM public.attack_log), NULL,
          'nothing planted in public ran: no operator, function or aggregate of the attacker''s');
SELECT is((SELECT count(*)::int FROM npda.visit_activity WHERE activity OPERATOR(pg_catalog.=) 6), 1,
          'and the calls did their work (the lockout among them)');

-- Every function any npda group may execute was called above.
SELECT is(ARRAY(SELECT DISTINCT p.oid::regprocedure::text FROM pg_proc p, aclexplode(p.proacl) a
                 WHERE p.pronamespace = 'npda'::regnamespace AND a.privilege_type = 'EXECUTE'
                   AND a.grantee::regrole::text LIKE 'npda\_%' ORDER BY 1),
          ARRAY['npda._boundary_geojson(geometry)', 'npda._caller_may_read_pseudonymised()', 'npda._caller_reads_published()', 'npda._hmac_sha256(bytea,text)', 'npda._is_test_unit(text)',
                'npda._kpi_map_svg_document(text,text,text,integer,boolean,text[],text[],text[],double precision[],double precision[],double precision[],boolean[],double precision[])',
                'npda._kpi_pct_passed(text,bigint,bigint)', 'npda._map_areas(npda.geo_level,date)', 'npda._organisation_lists()', 'npda._organisation_objects(date)',
                'npda._qualifying_admissions(date,date,smallint,date[],date[],smallint[],smallint[])', 'npda._scope_all()',
                'npda._scope_patient(text,bigint)', 'npda._scope_submission(text,bigint)', 'npda._scope_unit(text,bigint)',
                'npda._scope_user(text,bigint)', 'npda._user_role(bigint)',
                'npda.act_as(text)', 'npda.add_user(text,text,text[],name,text,text)', 'npda.audit_quarter(date)',
                'npda.audit_year(date)', 'npda.kpi_map_svg(text,npda.geo_level,integer)', 'npda.kpi_report(integer,npda.geo_level)',
                'npda.nhs_number_is_valid(text)',
                'npda.organisation_release(date)', 'npda.pdu_hierarchy_at(date)', 'npda.record_activity(text,integer,inet,text)',
                'npda.record_login(text,inet,boolean,text)', 'npda.refresh_kpi_aggregations(integer)', 'npda.rescore(integer,date)',
                'npda.rescore_ended_periods()', 'npda.rotate_pseudonym_secret()', 'npda.submission_annotated_csv(bigint)',
                'npda.submission_annotated_csv_lines(bigint)', 'npda.submit_csv(text,bytea,integer,text)'],
          'the functions npda''s groups may execute are exactly those this test calls under the attacker''s search_path');
SELECT is_empty($$SELECT p.oid::regprocedure::text FROM pg_proc p WHERE p.pronamespace = 'npda'::regnamespace
                     AND p.prolang <> (SELECT oid FROM pg_language WHERE lanname = 'c')
                     AND NOT coalesce(p.proconfig @> ARRAY['search_path=pg_catalog, pg_temp'], false)$$,
                'every SQL and PL/pgSQL function of npda pins search_path = pg_catalog, pg_temp');

SELECT * FROM finish();
ROLLBACK;
