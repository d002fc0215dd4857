-- Hostile input (issue "Hardening"): every argument and every direct change
-- that the functions and triggers cannot honour ends in our own SQLSTATE
-- (class NP), never in a PostgreSQL error from deep inside, and the active
-- submission stays exactly as it was.
SET client_min_messages = warning;

-- The outcome of a statement: 'ok', or its SQLSTATE and message.
CREATE FUNCTION pg_temp.outcome(statement text) RETURNS text
LANGUAGE plpgsql AS $$
BEGIN
  EXECUTE statement;
  RETURN 'ok';
EXCEPTION WHEN OTHERS THEN
  RETURN SQLSTATE || ': ' || regexp_replace(SQLERRM, 'submission [0-9]+', 'submission N');
END
$$;

-- What must not change: every row of the submission tables, hashed.
CREATE FUNCTION pg_temp.state() RETURNS text
LANGUAGE sql AS $$
  SELECT md5(concat_ws('|',
    (SELECT string_agg(format('%s %s %s %s %s', id, paediatric_diabetes_unit_id, audit_period_id, is_active, file_sha256), ',' ORDER BY id) FROM npda.submission),
    (SELECT string_agg(to_jsonb(p)::text, ',' ORDER BY id) FROM npda.patient p),
    (SELECT string_agg(to_jsonb(v)::text, ',' ORDER BY id) FROM npda.visit v),
    (SELECT string_agg(format('%s %s %s', patient_id, outcomes, kpi_values), ',' ORDER BY patient_id) FROM npda.patient_kpi_score)))
$$;

\set f `base64 -w0 test/fixtures/npda_dummy_sheet_2024-10.csv`
SELECT id AS submission_id, patient_count, is_active
  FROM npda.submit_csv('PZ041', decode(:'f', 'base64'), 2024, 'dummy.csv') \gset
CREATE TEMP TABLE before AS SELECT pg_temp.state() AS state;

-- 1. Audit years outside every period: "no audit period" (NP104), whatever
--    the integer, not 22008 from building a date.
SELECT y, pg_temp.outcome(format('SELECT npda.submit_csv(%L, decode(%L, %L), %s)', 'PZ041', :'f', 'base64', y)) AS submit_csv
  FROM unnest(ARRAY[0, 2147483647, -2147483648, 1]) AS y;
SELECT y, pg_temp.outcome(format('SELECT npda.rescore(%s)', y)) AS rescore,
          pg_temp.outcome(format('SELECT npda.refresh_kpi_aggregations(%s)', y)) AS refresh
  FROM unnest(ARRAY[0, 2147483647, -2147483648]) AS y;

-- 2. The as-of date of a re-score is a day: not NULL, not infinite (NP105).
SELECT d, pg_temp.outcome(format('SELECT npda.rescore(2024, %L::date)', d)) AS rescore
  FROM unnest(ARRAY['infinity', '-infinity', NULL]) AS d;
SELECT count(*) AS infinite_as_of_stored FROM npda.audit_period_scoring WHERE NOT isfinite(as_of);

-- 3. A submission cannot be moved to another period, PDU or dataset (NP111):
--    its children were scored for its own.
SELECT pg_temp.outcome(format('UPDATE npda.submission SET audit_period_id = audit_period_id + 1 WHERE id = %s', :submission_id)) AS move_period,
       pg_temp.outcome(format('UPDATE npda.submission SET paediatric_diabetes_unit_id = (SELECT id FROM npda.paediatric_diabetes_unit WHERE pz_code = %L) WHERE id = %s', 'PZ215', :submission_id)) AS move_pdu,
       pg_temp.outcome(format('UPDATE npda.submission SET dataset_year = 2026 WHERE id = %s', :submission_id)) AS move_dataset;
-- Other changes to a submission stay possible (its file name, say).
SELECT pg_temp.outcome(format('UPDATE npda.submission SET file_name = %L WHERE id = %s', 'renamed.csv', :submission_id)) AS rename;
UPDATE npda.submission SET file_name = 'dummy.csv' WHERE id = :submission_id;

-- 4. TRUNCATE obeys the rule DELETE obeys (NP106), also through a cascade.
SELECT pg_temp.outcome('TRUNCATE npda.submission CASCADE') AS truncate_submission,
       pg_temp.outcome('DELETE FROM npda.submission') AS delete_submission;

-- Nothing of the above changed the active submission or its children.
SELECT pg_temp.state() = (SELECT state FROM before) AS unchanged,
       (SELECT is_active FROM npda.submission WHERE id = :submission_id) AS still_active;

-- 5. An edit PostgreSQL would accept but no file can carry is refused by the
--    column's CHECK (its stored size), not by an error inside the scoring
--    trigger; an edit within bounds is scored as before.
SELECT v.id AS visit_id FROM npda.visit v JOIN npda.patient p ON p.id = v.patient_id
 WHERE p.submission_id = :submission_id ORDER BY v.id LIMIT 1 \gset
SELECT x, pg_temp.outcome(format('UPDATE npda.visit SET hba1c = %s WHERE id = %s', x, :visit_id)) AS edit
  FROM unnest(ARRAY['1e400', '''NaN''', '''Infinity''', '-1000', '58']) AS x;
SELECT pg_temp.outcome(format('UPDATE npda.visit SET height = 1e6, weight = -1e6 WHERE id = %s', :visit_id)) AS edit_height;

-- 6. Findings are bounded: a row with 5,000 values beyond the headings records
--    100 of them and one summary finding with the count.
SELECT string_agg(CASE WHEN n = 3 THEN line || repeat(',x', 5000) ELSE line END, E'\n' ORDER BY n) AS wide
  FROM regexp_split_to_table(rtrim(convert_from(decode(:'f', 'base64'), 'UTF8'), E'\r\n'), E'\r?\n') WITH ORDINALITY AS t(line, n) \gset
SELECT id AS wide_id FROM npda.submit_csv('PZ041', convert_to(:'wide', 'UTF8'), 2024, 'wide.csv') \gset
SELECT count(*) FILTER (WHERE code = 'value_without_heading') AS value_without_heading,
       max(row_number || ': ' || message) FILTER (WHERE message LIKE '% more findings %') AS summary
  FROM npda.submission_error WHERE submission_id = :wide_id;

-- 7. Every value has a bound: a 3,000-character NHS number is cut to 20 (its
--    rows still group) with a value_too_large finding; a 100,000-character
--    postcode is not stored. Neither rejects the file.
SELECT string_agg(CASE WHEN n = 2 THEN regexp_replace(line, '^[^,]*,([^,]*),[^,]*', repeat('9', 3000) || ',\1,' || repeat('A', 100000))
                       ELSE line END, E'\n' ORDER BY n) AS absurd
  FROM regexp_split_to_table(rtrim(convert_from(decode(:'f', 'base64'), 'UTF8'), E'\r\n'), E'\r?\n') WITH ORDINALITY AS t(line, n) \gset
SELECT id AS absurd_id, patient_count FROM npda.submit_csv('PZ041', convert_to(:'absurd', 'UTF8'), 2024, 'absurd.csv') \gset
SELECT :patient_count AS children;
SELECT column_heading, code, length(value) AS value_kept FROM npda.submission_error
 WHERE submission_id = :absurd_id AND code = 'value_too_large' ORDER BY row_number, column_heading;
SELECT max(length(nhs_number)) AS longest_nhs_number, max(length(postcode)) AS longest_postcode
  FROM npda.patient WHERE submission_id = :absurd_id;

-- 8. A file above npda.max_file_size is refused before it is read (NP010),
--    and the active submission stays.
SET npda.max_file_size = '1kB';
SELECT pg_temp.outcome(format('SELECT npda.submit_csv(%L, decode(%L, %L), 2024)', 'PZ041', :'f', 'base64')) AS oversized;
RESET npda.max_file_size;
SELECT id = :absurd_id AS absurd_file_still_active FROM npda.submission WHERE is_active;

-- Once withdrawn, the table may be emptied.
UPDATE npda.submission SET is_active = false;
SELECT pg_temp.outcome('TRUNCATE npda.submission CASCADE') AS truncate_after_withdrawal;
SELECT count(*) AS submissions_left FROM npda.submission;
