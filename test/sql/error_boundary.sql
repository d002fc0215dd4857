-- The C++ / PostgreSQL error boundary: every kind of failure inside guarded C++
-- arrives as a clean SQL error with the right SQLSTATE, and the backend lives on.
\set ECHO none
\i test/sql/include/outcome_of.psql
\set ECHO all
CREATE TEMP TABLE backend AS SELECT pg_backend_pid() AS pid;

SELECT npda._guard_selftest('ok');
SELECT kind, pg_temp.outcome_of(format('SELECT npda._guard_selftest(%L)', kind)) AS outcome
FROM unnest(ARRAY['npda_error', 'std_exception', 'bad_alloc', 'unknown', 'pg_error', 'nonsense']) AS kind;

-- A cancel noticed by a core loop's interrupt hook unwinds the C++ work and
-- ends as PostgreSQL's own cancel (57014; PL/pgSQL cannot catch it, so the
-- call stands alone).
SELECT npda._guard_selftest('interrupt');

-- Detail and hint of a project error reach the client.
SELECT npda._guard_selftest('npda_error');

-- A message longer than the guard's buffer is cut at a character boundary:
-- cut inside a two-byte character it was invalid UTF-8, and a client in
-- another encoding got a conversion error (22021) instead of NP103.
SELECT octet_length(m) AS message_bytes, left(m, 2) AS starts, right(m, 1) = U&'\00e9' AS ends_whole
  FROM (SELECT substr(pg_temp.outcome_of(format('SELECT npda.submit_csv(%L, %L::bytea)', 'x' || repeat(U&'\00e9', 600), '')), 8) AS m) o;
SET client_encoding = 'LATIN1';
\set VERBOSITY sqlstate
SELECT npda.submit_csv('x' || repeat(U&'\00e9', 600), ''::bytea);
\set VERBOSITY default
RESET client_encoding;

-- Same backend, still working, after all of the above.
SELECT pid = pg_backend_pid() AS same_backend FROM backend;
SELECT npda.audit_year(date '2025-01-15') AS still_works;
