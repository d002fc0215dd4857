-- Structural errors of a submitted file (docs/data-model.md §6.4, §9; README "Errors"):
-- every one is raised by npda.submit_csv with its SQLSTATE (class NP), a message
-- naming the problem and a detail naming the columns or rows, and nothing in
-- the database changes: the previously active submission stays active with its
-- children, visits, findings and scores exactly as they were.
SET client_min_messages = warning;

-- A CSV line split into its cells (RFC 4180 quotes; one physical line) and
-- joined back, quoting cells that need it.
\set ECHO none
\i test/sql/include/csv_split.psql
\set ECHO all
CREATE FUNCTION pg_temp.csv_line(cells text[]) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
  SELECT string_agg(CASE WHEN c ~ '[",\r\n]' THEN '"' || replace(c, '"', '""') || '"' ELSE coalesce(c, '') END, ','
                    ORDER BY k)
    FROM unnest(cells) WITH ORDINALITY AS u(c, k)
$$;

-- The fixtures, read by psql on the client side (the current directory is the
-- repository root when pg_regress runs).
CREATE TEMP TABLE fixture (name text PRIMARY KEY, bytes bytea NOT NULL);
\set f `base64 -w0 test/fixtures/npda_dummy_sheet_2024-10.csv`
INSERT INTO fixture VALUES ('dummy', decode(:'f', 'base64'));
\set f `base64 -w0 test/fixtures/npda_dummy_sheet_2026_test.csv`
INSERT INTO fixture VALUES ('dummy_2026', decode(:'f', 'base64'));
\set f `base64 -w0 test/fixtures/npda_csv_template_2021.csv`
INSERT INTO fixture VALUES ('csv_template_2021', decode(:'f', 'base64'));
\set f `base64 -w0 test/fixtures/npda_base_template_2021.csv`
INSERT INTO fixture VALUES ('base_template_2021', decode(:'f', 'base64'));
\set f `base64 -w0 test/fixtures/npda_csv_template_2026.csv`
INSERT INTO fixture VALUES ('csv_template_2026', decode(:'f', 'base64'));
\unset f
SELECT name, length(bytes) AS bytes FROM fixture ORDER BY name;

-- The 2024-10 dummy sheet as records of cells (record 1 = the header).
CREATE TEMP TABLE dummy AS
SELECT n::integer, pg_temp.csv_split(line) AS cells
  FROM regexp_split_to_table(rtrim(convert_from((SELECT bytes FROM fixture WHERE name = 'dummy'), 'UTF8'), E'\r\n'),
                             E'\r?\n') WITH ORDINALITY AS t(line, n);
SELECT count(*) AS records, min(cardinality(cells)) AS min_cells, max(cardinality(cells)) AS max_cells FROM dummy;
-- Position of a heading in the dummy sheet's header.
CREATE FUNCTION pg_temp.col(heading text) RETURNS integer LANGUAGE sql STABLE AS $$
  SELECT array_position(cells, heading) FROM dummy WHERE n = 1
$$;
-- A file from (record number, cells) pairs, LF line ends.
CREATE FUNCTION pg_temp.file_of(records jsonb) RETURNS bytea LANGUAGE sql IMMUTABLE AS $$
  SELECT convert_to(string_agg(pg_temp.csv_line(ARRAY(SELECT jsonb_array_elements_text(r))), E'\n' ORDER BY k) || E'\n',
                    'UTF8')
    FROM jsonb_array_elements(records) WITH ORDINALITY AS x(r, k)
$$;
-- The dummy sheet with every record's cells passed through an expression
-- (a SQL snippet over `c` text[] and `n` the record number).
CREATE FUNCTION pg_temp.dummy_with(expr text) RETURNS bytea LANGUAGE plpgsql AS $$
DECLARE result bytea;
BEGIN
  EXECUTE format('SELECT pg_temp.file_of(jsonb_agg(to_jsonb(%s) ORDER BY n)) FROM (SELECT n, cells AS c FROM dummy) d',
                 expr) INTO result;
  RETURN result;
END
$$;

-- Everything a submission can change, as one hash.
CREATE FUNCTION pg_temp.state() RETURNS text LANGUAGE sql STABLE AS $$
  SELECT md5(concat_ws('|',
    (SELECT string_agg(concat_ws(',', s.id, s.is_active, s.replaced_at, s.file_sha256, s.patient_count, s.visit_count,
                                 s.error_count), ';' ORDER BY s.id) FROM npda.submission s),
    (SELECT string_agg(p::text, ';' ORDER BY p.id) FROM npda.patient p),
    (SELECT string_agg(v::text, ';' ORDER BY v.id) FROM npda.visit v),
    (SELECT string_agg(t::text, ';' ORDER BY t.id) FROM npda.transfer t),
    (SELECT string_agg(e::text, ';' ORDER BY e.id) FROM npda.submission_error e),
    (SELECT string_agg(concat_ws(',', k.patient_id, k.audit_period_id, k.as_of, k.outcomes, k.kpi_values), ';'
                       ORDER BY k.patient_id) FROM npda.patient_kpi_score k)))
$$;
-- Submit and report the outcome: the SQLSTATE and message of the error (or
-- 'accepted'), its detail, and whether the database is exactly as before.
CREATE FUNCTION pg_temp.try_submit(pz text, csv bytea, audit_year integer,
                                   OUT outcome text, OUT detail text, OUT unchanged boolean)
LANGUAGE plpgsql AS $$
DECLARE
  before text := pg_temp.state();
BEGIN
  BEGIN
    PERFORM npda.submit_csv(pz, csv, audit_year, 'structure-test.csv');
    outcome := 'accepted';
  EXCEPTION WHEN OTHERS THEN
    GET STACKED DIAGNOSTICS detail = PG_EXCEPTION_DETAIL;
    outcome := SQLSTATE || ': ' || SQLERRM;
  END;
  unchanged := pg_temp.state() = before;
END
$$;

-- Start from nothing for the PDUs and periods used here, then submit a valid
-- sample: it is the active submission that every rejected file must leave alone.
UPDATE npda.submission s SET is_active = false FROM npda.paediatric_diabetes_unit u
 WHERE u.id = s.paediatric_diabetes_unit_id AND u.pz_code IN ('PZ041', 'PZ042', 'PZ248');  -- an active submission cannot be deleted
DELETE FROM npda.submission s USING npda.paediatric_diabetes_unit u
 WHERE u.id = s.paediatric_diabetes_unit_id AND u.pz_code IN ('PZ041', 'PZ042', 'PZ248');
SELECT is_active, row_count, patient_count, visit_count, error_count, file_name
  FROM npda.submit_csv('PZ041', (SELECT bytes FROM fixture WHERE name = 'dummy'), 2024, 'baseline.csv');
CREATE TEMP TABLE baseline AS
SELECT s.id AS submission_id, pg_temp.state() AS state,
       (SELECT count(*) FROM npda.patient p WHERE p.submission_id = s.id) AS patients,
       (SELECT count(*) FROM npda.visit v JOIN npda.patient p ON p.id = v.patient_id WHERE p.submission_id = s.id) AS visits,
       (SELECT count(*) FROM npda.transfer t JOIN npda.patient p ON p.id = t.patient_id WHERE p.submission_id = s.id) AS transfers,
       (SELECT count(*) FROM npda.patient_kpi_score k JOIN npda.patient p ON p.id = k.patient_id WHERE p.submission_id = s.id) AS scored,
       (SELECT count(*) FROM npda.submission_error e WHERE e.submission_id = s.id) AS findings
  FROM npda.submission s WHERE s.is_active AND s.file_name = 'baseline.csv';
SELECT patients, visits, transfers, scored, findings FROM baseline;

-- The files. Each is the valid sample with one thing wrong, unless said otherwise.
CREATE TEMP TABLE rejected (n serial PRIMARY KEY, label text NOT NULL, pz text, audit_year integer, csv bytea);
INSERT INTO rejected (label, pz, audit_year, csv) VALUES
  -- NP001: no rows at all, only blank lines, a header and no data rows.
  ('empty file', 'PZ041', 2024, ''::bytea),
  ('blank lines only', 'PZ041', 2024, convert_to(E'\n\r\n\n', 'UTF8')),
  ('2021 template, header only (LF)', 'PZ041', 2024, (SELECT bytes FROM fixture WHERE name = 'csv_template_2021')),
  ('2021 base template, header only (CRLF)', 'PZ041', 2024, (SELECT bytes FROM fixture WHERE name = 'base_template_2021')),
  ('2026 template, header only, 2026-27 period', 'PZ041', 2026, (SELECT bytes FROM fixture WHERE name = 'csv_template_2026')),
  ('sample header and trailing blank lines', 'PZ041', 2024, pg_temp.file_of(jsonb_build_array((SELECT to_jsonb(cells) FROM dummy WHERE n = 1))) || convert_to(E'\n\n', 'UTF8')),
  -- NP002: bytes that are not CSV text.
  ('Excel workbook (ZIP bytes)', 'PZ041', 2024, '\x504b0304140006000800000021000000'::bytea || (SELECT bytes FROM fixture WHERE name = 'dummy')),
  ('old Excel workbook (OLE bytes)', 'PZ041', 2024, '\xd0cf11e0a1b11ae1000000000000'::bytea),
  ('PDF document', 'PZ041', 2024, convert_to(E'%PDF-1.4\n%...\n', 'UTF8')),
  ('UTF-16 text with its byte-order mark', 'PZ041', 2024, '\xfffe4e00480053002000'::bytea),
  ('NUL bytes inside the file', 'PZ041', 2024, (SELECT overlay(bytes placing '\x00'::bytea from 100 for 1) FROM fixture WHERE name = 'dummy')),
  -- NP003: the first row is data, or nothing in it is a heading.
  ('header row removed', 'PZ041', 2024, (SELECT pg_temp.file_of(jsonb_agg(to_jsonb(cells) ORDER BY n)) FROM dummy WHERE n > 1)),
  ('a title line above the header', 'PZ041', 2024, convert_to(E'NPDA export for PZ041,,,\n', 'UTF8') || (SELECT bytes FROM fixture WHERE name = 'dummy')),
  -- NP004: template columns missing (the detail names them).
  ('Death Date and flu columns removed', 'PZ041', 2024,
     pg_temp.dummy_with(format('c[1:%s] || c[%s:%s] || c[%s:]', pg_temp.col('Death Date') - 1, pg_temp.col('Death Date') + 1,
                               pg_temp.col('Date that influenza immunisation was recommended') - 1,
                               pg_temp.col('Date that influenza immunisation was recommended') + 1))),
  ('2026 sample submitted for a 2021-dataset period', 'PZ041', 2024, (SELECT bytes FROM fixture WHERE name = 'dummy_2026')),
  ('2021 sample submitted for a 2026-dataset period', 'PZ041', 2026, (SELECT bytes FROM fixture WHERE name = 'dummy')),
  -- NP005: columns that are not in the template.
  ('an extra Consultant column', 'PZ041', 2024, pg_temp.dummy_with($$c || CASE WHEN n = 1 THEN 'Consultant' ELSE 'Dr Jones' END$$)),
  -- NP006: a heading twice (also two spellings of one heading).
  ('Postcode column twice', 'PZ041', 2024, pg_temp.dummy_with(format('c || c[%s]', pg_temp.col('Postcode of usual address')))),
  ('DOB beside Date of Birth', 'PZ041', 2024, pg_temp.dummy_with($$c || CASE WHEN n = 1 THEN 'DOB' ELSE c[2] END$$)),
  -- NP007: the identifier column.
  ('both NHS Number and Unique Reference Number', 'PZ041', 2024, pg_temp.dummy_with($$c || CASE WHEN n = 1 THEN 'Unique Reference Number' ELSE (1000 + n)::text END$$)),
  ('neither identifier column', 'PZ041', 2024, pg_temp.dummy_with($$CASE WHEN n = 1 THEN 'Hospital Number' ELSE c[1] END || c[2:]$$)),
  ('Unique Reference Number used by PZ041', 'PZ041', 2024, pg_temp.dummy_with($$CASE WHEN n = 1 THEN 'Unique Reference Number' ELSE (1000 + n)::text END || c[2:]$$)),
  ('NHS Number used by PZ248 (Jersey)', 'PZ248', 2024, (SELECT bytes FROM fixture WHERE name = 'dummy')),
  -- NP008: rows without an identifier (the detail lists them).
  ('rows 4 and 9 without an NHS Number', 'PZ041', 2024, pg_temp.dummy_with($$CASE WHEN n IN (4, 9) THEN '' ELSE c[1] END || c[2:]$$)),
  ('one row whose NHS Number is only spaces', 'PZ041', 2024, pg_temp.dummy_with($$CASE WHEN n = 7 THEN '   ' ELSE c[1] END || c[2:]$$)),
  -- NP009: the first data row has more values than the header has headings.
  -- (a value past the last heading on a row that has fewer values than headings
  -- is a finding instead: see submission_files)
  ('first data row with 53 values under 52 headings', 'PZ041', 2024,
     pg_temp.dummy_with($$CASE WHEN n = 2 THEN ARRAY(SELECT coalesce(nullif(x, ''), '1') FROM unnest(c) WITH ORDINALITY AS u(x, k) ORDER BY k) || 'stray'::text ELSE c END$$)),
  ('53 values under 52 headings and an empty heading cell', 'PZ041', 2024,
     pg_temp.dummy_with($$CASE WHEN n = 1 THEN c || ''::text WHEN n = 2 THEN ARRAY(SELECT coalesce(nullif(x, ''), '1') FROM unnest(c) WITH ORDINALITY AS u(x, k) ORDER BY k) || 'stray'::text ELSE c END$$)),
  -- NP101: the PDU Number column.
  ('PDU Number of another PDU (PZ042)', 'PZ041', 2024, pg_temp.dummy_with(format($$c[1:%1$s] || CASE WHEN n = 1 THEN c[%2$s] ELSE 'PZ042' END || c[%3$s:]$$, pg_temp.col('PDU Number') - 1, pg_temp.col('PDU Number'), pg_temp.col('PDU Number') + 1))),
  ('two different PDU Numbers', 'PZ041', 2024, pg_temp.dummy_with(format($$c[1:%1$s] || CASE WHEN n IN (5, 6) THEN '42' ELSE c[%2$s] END || c[%3$s:]$$, pg_temp.col('PDU Number') - 1, pg_temp.col('PDU Number'), pg_temp.col('PDU Number') + 1))),
  ('PDU Number that is not a PZ code', 'PZ041', 2024, pg_temp.dummy_with(format($$c[1:%1$s] || CASE WHEN n = 3 THEN 'Leeds' ELSE c[%2$s] END || c[%3$s:]$$, pg_temp.col('PDU Number') - 1, pg_temp.col('PDU Number'), pg_temp.col('PDU Number') + 1))),
  ('PZ041 file submitted as PZ042', 'PZ042', 2024, (SELECT bytes FROM fixture WHERE name = 'dummy')),
  -- NP103: unknown PDU; NP104: unknown audit period; NP105: NULL arguments.
  ('PZ code with no unit', 'PZ777', 2024, (SELECT bytes FROM fixture WHERE name = 'dummy')),
  ('not a PZ code at all', 'Leeds General', 2024, (SELECT bytes FROM fixture WHERE name = 'dummy')),
  ('audit year 2040', 'PZ041', 2040, (SELECT bytes FROM fixture WHERE name = 'dummy')),
  ('audit year 2019', 'PZ041', 2019, (SELECT bytes FROM fixture WHERE name = 'dummy')),
  ('NULL file', 'PZ041', 2024, NULL),
  ('NULL PDU', NULL, 2024, (SELECT bytes FROM fixture WHERE name = 'dummy'));

-- Every rejection: its SQLSTATE, message and detail; the database unchanged.
\pset format unaligned
SELECT r.n, r.label, o.outcome, o.detail, o.unchanged
  FROM rejected r, LATERAL pg_temp.try_submit(r.pz, r.csv, r.audit_year) o
 ORDER BY r.n;
\pset format aligned

-- A few of them as plain statements, as a client sees them (message, DETAIL, HINT).
SELECT npda.submit_csv('PZ041', (SELECT csv FROM rejected WHERE label = '2021 template, header only (LF)'), 2024);
SELECT npda.submit_csv('PZ041', (SELECT csv FROM rejected WHERE label = 'Excel workbook (ZIP bytes)'), 2024);
SELECT npda.submit_csv('PZ041', (SELECT csv FROM rejected WHERE label = 'header row removed'), 2024);
SELECT npda.submit_csv('PZ041', (SELECT csv FROM rejected WHERE label = 'Death Date and flu columns removed'), 2024);
SELECT npda.submit_csv('PZ041', (SELECT csv FROM rejected WHERE label = '2026 sample submitted for a 2021-dataset period'), 2024);
SELECT npda.submit_csv('PZ041', (SELECT csv FROM rejected WHERE label = 'an extra Consultant column'), 2024);
SELECT npda.submit_csv('PZ041', (SELECT csv FROM rejected WHERE label = 'DOB beside Date of Birth'), 2024);
SELECT npda.submit_csv('PZ248', (SELECT csv FROM rejected WHERE label = 'NHS Number used by PZ248 (Jersey)'), 2024);
SELECT npda.submit_csv('PZ041', (SELECT csv FROM rejected WHERE label = 'rows 4 and 9 without an NHS Number'), 2024);
SELECT npda.submit_csv('PZ041', (SELECT csv FROM rejected WHERE label = 'first data row with 53 values under 52 headings'), 2024);
SELECT npda.submit_csv('PZ041', (SELECT csv FROM rejected WHERE label = 'PDU Number of another PDU (PZ042)'), 2024);
SELECT npda.submit_csv('PZ041', (SELECT csv FROM rejected WHERE label = 'two different PDU Numbers'), 2024);
SELECT npda.submit_csv('PZ777', (SELECT csv FROM rejected WHERE label = 'PZ code with no unit'), 2024);
SELECT npda.submit_csv('PZ041', (SELECT csv FROM rejected WHERE label = 'audit year 2040'), 2040);
SELECT npda.submit_csv('PZ041', NULL, 2024);

-- After all of that, nothing changed.
SELECT pg_temp.state() = b.state AS unchanged,
       (SELECT s.is_active FROM npda.submission s WHERE s.id = b.submission_id) AS baseline_still_active,
       (SELECT count(*) FROM npda.submission s) AS submissions,
       (SELECT count(*) FROM npda.patient p WHERE p.submission_id = b.submission_id) = b.patients AS patients_same,
       (SELECT count(*) FROM npda.visit v JOIN npda.patient p ON p.id = v.patient_id WHERE p.submission_id = b.submission_id) = b.visits AS visits_same,
       (SELECT count(*) FROM npda.patient_kpi_score k JOIN npda.patient p ON p.id = k.patient_id WHERE p.submission_id = b.submission_id) = b.scored AS scores_same
  FROM baseline b;

-- NP102: a closed audit period refuses ordinary users; the audit team may
-- submit. The period states are set here so the test does not depend on today.
CREATE TEMP TABLE period_was AS
SELECT start_date, is_open FROM npda.audit_period WHERE start_date IN ('2022-04-01', '2023-04-01');
UPDATE npda.audit_period SET is_open = (start_date = '2023-04-01') WHERE start_date IN ('2022-04-01', '2023-04-01');
SELECT npda.audit_year(start_date) AS audit_year, is_open FROM npda.audit_period
 WHERE start_date IN ('2022-04-01', '2023-04-01') ORDER BY 1;
-- Two roles without LOGIN (roles are cluster-wide: dropped at the end): an
-- ordinary editor with the table privileges a submission needs, and a member
-- of npda_audit_team with the same privileges.
DROP ROLE IF EXISTS npda_regress_editor;
DROP ROLE IF EXISTS npda_regress_team;
CREATE ROLE npda_regress_editor NOLOGIN;
CREATE ROLE npda_regress_team NOLOGIN IN ROLE npda_audit_team;
GRANT USAGE ON SCHEMA npda TO npda_regress_editor, npda_regress_team;
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA npda TO npda_regress_editor, npda_regress_team;
GRANT USAGE ON ALL SEQUENCES IN SCHEMA npda TO npda_regress_editor, npda_regress_team;
GRANT SELECT ON baseline, fixture TO npda_regress_editor, npda_regress_team;
UPDATE baseline SET state = pg_temp.state();

SET ROLE npda_regress_editor;
SELECT current_user, pg_has_role('npda_audit_team', 'MEMBER') AS audit_team;
-- Closed 2022-23: refused, nothing changed.
SELECT npda.submit_csv('PZ041', (SELECT bytes FROM fixture WHERE name = 'dummy'), 2022, 'closed.csv');
SELECT outcome, unchanged FROM pg_temp.try_submit('PZ041', (SELECT bytes FROM fixture WHERE name = 'dummy'), 2022);
-- The same role may submit into the open 2023-24 (so the refusal above is the period rule).
SELECT is_active, patient_count, visit_count, submitted_by = session_user AS by_session_user
  FROM npda.submit_csv('PZ041', (SELECT bytes FROM fixture WHERE name = 'dummy'), 2023, 'open.csv');
RESET ROLE;
SELECT count(*) AS submissions_2022 FROM npda.submission s JOIN npda.audit_period ap ON ap.id = s.audit_period_id
 WHERE ap.start_date = '2022-04-01';

SET ROLE npda_regress_team;
SELECT current_user, pg_has_role('npda_audit_team', 'MEMBER') AS audit_team;
SELECT is_active, patient_count, visit_count, error_count
  FROM npda.submit_csv('PZ041', (SELECT bytes FROM fixture WHERE name = 'dummy'), 2022, 'closed-by-team.csv');
RESET ROLE;
-- The superuser running this test may submit into the closed period too.
SELECT is_active, patient_count FROM npda.submit_csv('PZ041', (SELECT bytes FROM fixture WHERE name = 'dummy'), 2022, 'closed-by-superuser.csv');
SELECT npda.audit_year(ap.start_date) AS audit_year, s.file_name, s.is_active, s.replaced_at IS NOT NULL AS replaced
  FROM npda.submission s JOIN npda.audit_period ap ON ap.id = s.audit_period_id
  JOIN npda.paediatric_diabetes_unit u ON u.id = s.paediatric_diabetes_unit_id
 WHERE u.pz_code = 'PZ041' ORDER BY s.id;
-- None of this touched the 2024-25 baseline.
SELECT s.is_active AS baseline_still_active,
       (SELECT count(*) FROM npda.patient p WHERE p.submission_id = b.submission_id) = b.patients AS patients_same
  FROM baseline b JOIN npda.submission s ON s.id = b.submission_id;

-- Clean up: roles, period states, submissions.
DROP OWNED BY npda_regress_editor, npda_regress_team;
DROP ROLE npda_regress_editor;
DROP ROLE npda_regress_team;
UPDATE npda.audit_period ap SET is_open = w.is_open FROM period_was w WHERE w.start_date = ap.start_date;
UPDATE npda.submission s SET is_active = false FROM npda.paediatric_diabetes_unit u
 WHERE u.id = s.paediatric_diabetes_unit_id AND u.pz_code IN ('PZ041', 'PZ042', 'PZ248');  -- an active submission cannot be deleted
DELETE FROM npda.submission s USING npda.paediatric_diabetes_unit u
 WHERE u.id = s.paediatric_diabetes_unit_id AND u.pz_code IN ('PZ041', 'PZ042', 'PZ248');
SELECT count(*) AS roles_left FROM pg_roles WHERE rolname LIKE 'npda_regress_%';
