#!/usr/bin/env bash
# make bench: performance of the submission path, the KPI re-score and a
# single visit edit, each against a plain-PostgreSQL baseline, in a throwaway
# cluster (docs/benchmarks.md describes the method and the last numbers).
#
#   1. national submission: one synthetic file per PDU (tools/npda_gen, 172
#      units, ~40,000 children, ~400,000 rows, 2021 template, audit year 2025)
#      through npda.submit_csv, against COPY of the same files into a table of
#      52 text columns; rows per second and the backend's peak memory (VmHWM)
#   2. linearity: submit_csv time per row for files of ~10k, ~100k, ~400k rows
#   3. KPI re-score: npda.rescore(2025) against one query reading every visit
#      of the period grouped by child
#   4. one visit edit with its trigger: 1,000 single-row UPDATEs (pgbench,
#      one statement per transaction), median and p95 latency
#   5. where the submission time goes: pg_stat_statements over the SQL that
#      submit_csv runs, and the C++ reader alone (outside PostgreSQL)
#   6. access control: the national resubmission, the re-score and the
#      roll-up refresh as superuser and, in the same run, by an application
#      login acting (npda.act_as) for an editor of every unit / the audit team,
#      row security on (3 alternating runs each, medians; every re-score and
#      refresh after a VACUUM); and the visit edit
#      as superuser, by an editor's own login (row security) and by the
#      application acting for that editor, on the children of one unit
#      (after VACUUM and CHECKPOINT, so that no clean-up of the steps before
#      runs under one of them; 3 alternating rounds, medians)
#   7. published results: the national table of one year read from
#      npda.kpi_results_published and npda.kpi_results, planning included
#      (pgbench -M simple and EXPLAIN ANALYZE medians), against the per-read
#      computation the refresh now stores (target: under 5 ms)
#   8. maps: npda.kpi_map_svg of the 42 ICBs, time (a session's first call and
#      the median of five more) and document size
#   9. memory bounded by the file (on a restarted server, whose shared buffers
#      the steps before have not filled): single files of ~10, ~60 and ~200 MB
#      through npda.submit_csv, each in a fresh session, and the annotated CSV of the
#      ~200 MB submission (npda.submission_annotated_csv and _lines, each in a
#      fresh session): the backend's peak memory (VmHWM) against the bound
#      4 x file size + 64 MB. Printed, never failing.
#      NPDA_BENCH_ONLY=memory (or make bench-memory) runs this step alone.
# Server times come from clock_timestamp() inside one psql session per
# measurement, so client start-up is excluded; files are read server-side
# (pg_read_binary_file / COPY FROM file) so no client encoding is measured.
# Targets are printed with the numbers; a missed target does not fail the run.
#
# Environment: NPDA_CLUSTER_DIR, NPDA_PORT (tools/npda-env.sh), and
# NPDA_BENCH_CHILDREN (default 40000), NPDA_BENCH_VISITS (default 10),
# NPDA_BENCH_SEED (default 42), NPDA_BENCH_EDITS (default 1000),
# NPDA_BENCH_ONLY (memory: step 9 alone).
source "$(dirname "$0")/npda-env.sh"
cd "$NPDA_ROOT"

CHILDREN=${NPDA_BENCH_CHILDREN:-40000}
VISITS=${NPDA_BENCH_VISITS:-10}
SEED=${NPDA_BENCH_SEED:-42}
EDITS=${NPDA_BENCH_EDITS:-1000}
YEAR=2025          # national data: an open period, 2021 dataset
LIN_YEAR=2024      # linearity files: a closed period (superuser may submit), so the national data stays as it is
DB=npda_bench
BENCH_START=$SECONDS

WORK=$(mktemp -d /tmp/npda-bench-data.XXXXXX)
chmod 755 "$WORK"   # the server (user postgres) reads the files
trap 'npda_cluster_stop; rm -rf "$WORK"' EXIT

npda_install_packages
npda_build_install
echo "== building the generator (build/npda_gen)"
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo -DNPDA_WERROR="$NPDA_CMAKE_WERROR" >"$WORK/cmake.log" 2>&1 &&
  cmake --build build --target npda_gen -j2 >>"$WORK/cmake.log" 2>&1 || { tail -30 "$WORK/cmake.log"; exit 1; }
GEN=build/npda_gen

echo "== cluster (pg_stat_statements loaded, tracking off except in step 5)"
npda_cluster_start
cat >> "$NPDA_CLUSTER_DIR/data/postgresql.conf" <<CONF
shared_preload_libraries = 'pg_cron,pg_stat_statements'
pg_stat_statements.track = none
pg_stat_statements.max = 1000
CONF
cluster_restart() {
  runuser -u postgres -- "$PGBIN/pg_ctl" -D "$NPDA_CLUSTER_DIR/data" -l "$NPDA_CLUSTER_DIR/server.log" -w restart \
    >/dev/null 3>&- 4>&- 5>&- 6>&- 7>&- 8>&- 9>&-   # no inherited lock (see npda_cluster_start)
}
cluster_restart
psql -X -q -d postgres -c "CREATE DATABASE $DB" >/dev/null
export PGDATABASE=$DB
# (the WARNING that pg_cron lives in another database is expected here)
psql -X -q -v ON_ERROR_STOP=1 -c "CREATE EXTENSION npda CASCADE; CREATE EXTENSION pg_stat_statements;" >/dev/null 2>"$WORK/create.log" ||
  { cat "$WORK/create.log"; exit 1; }

PSQL=(psql -X -q -v ON_ERROR_STOP=1 -P pager=off)
declare -A R   # results: key -> value
# The generator writes files "as of today"; that day must be the server's, or
# data generated without errors earns findings (a visit after the server's
# today, an age crossing a birthday) when the two clocks disagree.
TODAY=$("${PSQL[@]}" -At -c "SELECT current_date")
run_sql() { # file [psql options] -> fills R from "RESULT key value" lines; a CHECKPOINT first, so no phase pays for another's dirty buffers
  local out file=$1; shift
  "${PSQL[@]}" -c "CHECKPOINT" >/dev/null
  out=$("${PSQL[@]}" "$@" -f "$file") || { echo "$out"; exit 1; }
  while read -r tag key value; do
    if [ "$tag" = RESULT ]; then R[$key]=$value; fi
  done <<<"$out"
}
hwm_sql() { # key: peak resident memory of this backend, kB
  echo "SELECT (pg_catalog.regexp_match(pg_catalog.pg_read_file('/proc/' || pg_catalog.pg_backend_pid() || '/status'), 'VmHWM:\\s+(\\d+)'))[1] AS hwm \\gset"
  echo "\\echo RESULT $1 :hwm"
}
elapsed_sql() { # key: seconds since :t0
  echo "SELECT round(extract(epoch FROM clock_timestamp() - :'t0'::timestamptz)::numeric, 4) AS secs \\gset"
  echo "\\echo RESULT $1 :secs"
}
submit_sql() { # year file...: one statement per file, autocommit
  local year=$1; shift
  for f in "$@"; do
    local name; name=$(basename "$f")
    echo "SELECT 1 FROM npda.submit_csv('${name%%_*}', pg_catalog.pg_read_binary_file('$f'), $year, '$name');"
  done
}

# Step 9, the memory test: a function so that NPDA_BENCH_ONLY=memory can run
# it alone. Fills MEM_ROWS (printed by memory_report).
MEM_YEAR=2023      # a closed period of its own (superuser may submit), so no other step's data moves
MEM_ROWS=()
memory_step() {
  echo "== 9. memory: files of ~10, ~60 and ~200 MB, each submitted in a fresh session"
  mkdir -p "$WORK/mem"
  local sizes=(6500 40000 130000) pdus=(PZ010 PZ011 PZ012) i f kb mb bound hwm secs sid
  for i in 0 1 2; do
    $GEN --today "$TODAY" --seed "$SEED" --audit-year $MEM_YEAR --template 2021 --pdus "${pdus[$i]}" \
      --children-per-pdu "${sizes[$i]}" --visits-per-child "$VISITS" --move-rate 0 --out "$WORK/mem" --quiet
  done
  chmod 644 "$WORK"/mem/*.csv
  mem_row() { # label file_bytes hwm_kb secs
    local mb bound
    mb=$(awk -v b="$2" 'BEGIN { printf "%.1f", b / 1048576 }')
    bound=$(awk -v b="$2" 'BEGIN { printf "%.0f", 4 * b / 1048576 + 64 }')
    MEM_ROWS+=("$(printf '| %-46s | %8s | %9s | %9s | %-6s | %8s |' "$1" "$mb" "$(awk -v k="$3" 'BEGIN { printf "%.0f", k / 1024 }')" \
      "$bound" "$(awk -v h="$3" -v b="$bound" 'BEGIN { print (h / 1024 <= b) ? "yes" : "NO" }')" "$4")")
  }
  for i in 0 1 2; do
    f="$WORK/mem/${pdus[$i]}_$MEM_YEAR.csv"
    {
      echo "\\o /dev/null"
      echo "SET npda.max_file_size = '1GB';"
      echo "SELECT clock_timestamp() AS t0 \\gset"
      submit_sql $MEM_YEAR "$f"
      elapsed_sql "mem_s_$i"
      hwm_sql "mem_hwm_kb_$i"
    } > "$WORK/mem_$i.sql"
    run_sql "$WORK/mem_$i.sql"
    mem_row "npda.submit_csv, $(wc -l < "$f") lines" "$(stat -c %s "$f")" "${R[mem_hwm_kb_$i]}" "${R[mem_s_$i]}"
  done
  sid=$("${PSQL[@]}" -At -c "SELECT id FROM npda.submission WHERE is_active AND file_name = '${pdus[2]}_$MEM_YEAR.csv'")
  for fn in submission_annotated_csv submission_annotated_csv_lines; do
    {
      echo "\\o /dev/null"
      echo "SELECT clock_timestamp() AS t0 \\gset"
      if [ $fn = submission_annotated_csv ]; then
        echo "SELECT count(*), sum(pg_catalog.cardinality(fields)) FROM npda.$fn($sid);"
      else
        echo "SELECT count(*), sum(pg_catalog.length(line)) FROM npda.$fn($sid);"
      fi
      elapsed_sql "mem_s_$fn"
      hwm_sql "mem_hwm_kb_$fn"
    } > "$WORK/mem_$fn.sql"
    run_sql "$WORK/mem_$fn.sql"
    mem_row "npda.$fn, ~200 MB" "$(stat -c %s "$WORK/mem/${pdus[2]}_$MEM_YEAR.csv")" "${R[mem_hwm_kb_$fn]}" "${R[mem_s_$fn]}"
  done
}
memory_report() {
  echo
  echo "Memory bounded by the file (each call in a fresh session; VmHWM of its backend; bound = 4 x file + 64 MB):"
  printf '| %-46s | %8s | %9s | %9s | %-6s | %8s |\n' "call" "file MB" "VmHWM MB" "bound MB" "within" "time s"
  printf '| %-46s | %8s | %9s | %9s | %-6s | %8s |\n' "----------------------------------------------" "--------" "---------" "---------" "------" "--------"
  printf '%s\n' "${MEM_ROWS[@]}"
}
if [ "${NPDA_BENCH_ONLY:-}" = memory ]; then
  memory_step
  memory_report
  exit 0
fi

echo "== generating the national data set"
mkdir -p "$WORK/national" "$WORK/lin" "$WORK/reader"
$GEN --today "$TODAY" --seed "$SEED" --audit-year $YEAR --template 2021 --pdus all --children "$CHILDREN" \
  --visits-per-child "$VISITS" --out "$WORK/national" --check | sed 's/^/   /'
chmod 644 "$WORK"/national/*.csv
NATIONAL=("$WORK"/national/*.csv)
R[files]=${#NATIONAL[@]}
R[mb]=$(du -cb "${NATIONAL[@]}" | tail -1 | awk '{printf "%.1f", $1 / 1e6}')

echo "== 1. national submission: COPY baseline"
{
  echo "CREATE TABLE bench_copy ($(for i in $(seq -w 1 52); do printf 'c%s text%s' "$i" "$([ "$i" = 52 ] || echo ,)"; done));"
  echo "\\o /dev/null"
  echo "SELECT clock_timestamp() AS t0 \\gset"
  for f in "${NATIONAL[@]}"; do echo "COPY bench_copy FROM '$f' WITH (FORMAT csv, HEADER true);"; done
  elapsed_sql copy_s
  hwm_sql copy_hwm_kb
  echo "SELECT count(*) AS n FROM bench_copy \\gset"
  echo "\\echo RESULT copy_rows :n"
} > "$WORK/copy.sql"
run_sql "$WORK/copy.sql"
"${PSQL[@]}" -c "DROP TABLE bench_copy" >/dev/null

echo "== 1. national submission: npda.submit_csv, one session, one statement per file"
{
  echo "\\o /dev/null"
  hwm_sql submit_hwm_before_kb
  echo "SELECT clock_timestamp() AS t0 \\gset"
  submit_sql $YEAR "${NATIONAL[@]}"
  elapsed_sql submit_s
  hwm_sql submit_hwm_kb
  cat <<'SQL'
SELECT sum(row_count) AS rows, sum(patient_count) AS children, sum(error_count) AS findings
  FROM npda.submission s JOIN npda.audit_period ap ON ap.id = s.audit_period_id
 WHERE s.is_active AND ap.start_date = make_date(2025, 4, 1) \gset
\echo RESULT submit_rows :rows
\echo RESULT submit_children :children
\echo RESULT submit_findings :findings
SELECT count(*) AS n FROM npda.submission_error \gset
\echo RESULT error_rows :n
SQL
} > "$WORK/submit.sql"
run_sql "$WORK/submit.sql"
echo "   ${R[submit_rows]} rows, ${R[submit_children]} children, ${R[submit_findings]} findings (npda.submission_error rows: ${R[error_rows]})"
"${PSQL[@]}" -c "VACUUM ANALYZE" >/dev/null

echo "== 3. KPI re-score against a grouping query (3 runs each, median)"
{
  echo "\\o /dev/null"
  echo "SELECT id AS period FROM npda.audit_period WHERE start_date = make_date($YEAR, 4, 1) \\gset"
  for i in 1 2 3; do
    echo "SELECT clock_timestamp() AS t0 \\gset"
    echo "SELECT npda.rescore($YEAR, current_date) AS n \\gset"
    elapsed_sql "rescore_s_$i"
    echo "\\echo RESULT rescore_children :n"
    echo "SELECT clock_timestamp() AS t0 \\gset"
    echo "SELECT v.patient_id, count(*) FROM npda.visit v JOIN npda.patient p ON p.id = v.patient_id JOIN npda.submission s ON s.id = p.submission_id WHERE s.audit_period_id = :period AND s.is_active GROUP BY v.patient_id;"
    elapsed_sql "group_s_$i"
  done
} > "$WORK/rescore.sql"
run_sql "$WORK/rescore.sql"
median3() { printf '%s\n' "$@" | sort -g | sed -n 2p; }
R[rescore_s]=$(median3 "${R[rescore_s_1]}" "${R[rescore_s_2]}" "${R[rescore_s_3]}")
R[group_s]=$(median3 "${R[group_s_1]}" "${R[group_s_2]}" "${R[group_s_3]}")

echo "== 4. one visit edit with its trigger: $EDITS single-row UPDATEs (pgbench)"
"${PSQL[@]}" <<SQL >/dev/null
CREATE TABLE bench_edit AS
SELECT row_number() OVER (ORDER BY md5(v.patient_id::text))::int AS n, min(v.id) AS visit_id
  FROM npda.visit v JOIN npda.patient p ON p.id = v.patient_id JOIN npda.submission s ON s.id = p.submission_id
  JOIN npda.audit_period ap ON ap.id = s.audit_period_id
 WHERE s.is_active AND ap.start_date = make_date($YEAR, 4, 1)
 GROUP BY v.patient_id;
ALTER TABLE bench_edit ADD PRIMARY KEY (n);
ANALYZE bench_edit;
SQL
NEDIT=$("${PSQL[@]}" -Atc "SELECT count(*) FROM bench_edit")
cat > "$WORK/edit.pgbench" <<'PGB'
\set n random(1, :nchildren)
UPDATE npda.visit SET hba1c = CASE WHEN hba1c_format = 2 THEN 6.0 + (:n % 30) * 0.1 ELSE 45 + :n % 30 END WHERE id = (SELECT visit_id FROM bench_edit WHERE n = :n);
PGB
"$PGBIN/pgbench" -n -f "$WORK/edit.pgbench" -D nchildren="$NEDIT" -t 100 >/dev/null 2>&1   # warm-up
(cd "$WORK" && "$PGBIN/pgbench" -n -f "$WORK/edit.pgbench" -D nchildren="$NEDIT" -t "$EDITS" -l --log-prefix=edit >"$WORK/pgbench.out" 2>&1) ||
  { cat "$WORK/pgbench.out"; exit 1; }
awk '{print $3}' "$WORK"/edit.* | sort -n > "$WORK/edit.lat"
pct() { awk -v p="$1" '{a[NR]=$1} END {i=int(NR*p+0.999999); if (i<1) i=1; printf "%.3f", a[i]/1000}' "$WORK/edit.lat"; }
R[edit_median_ms]=$(pct 0.5)
R[edit_p95_ms]=$(pct 0.95)
R[edit_n]=$(wc -l < "$WORK/edit.lat")
R[edit_tps]=$(sed -n 's/^tps = \([0-9.]*\).*/\1/p' "$WORK/pgbench.out" | head -1)

echo "== 2. linearity: one file per size, each in a fresh session"
LIN_SIZES=(1000 10000 40000)
LIN_PDUS=(PZ002 PZ003 PZ004)
for i in 0 1 2; do
  $GEN --today "$TODAY" --seed "$SEED" --audit-year $LIN_YEAR --template 2021 --pdus "${LIN_PDUS[$i]}" --children-per-pdu "${LIN_SIZES[$i]}" \
    --visits-per-child "$VISITS" --move-rate 0 --out "$WORK/lin" --quiet
done
$GEN --today "$TODAY" --seed "$SEED" --audit-year $LIN_YEAR --template 2021 --pdus PZ005 --children-per-pdu 10000 \
  --visits-per-child "$VISITS" --move-rate 0 --out "$WORK/lin" --quiet   # for step 5
chmod 644 "$WORK"/lin/*.csv
for i in 0 1 2; do
  f="$WORK/lin/${LIN_PDUS[$i]}_$LIN_YEAR.csv"
  {
    echo "\\o /dev/null"
    echo "SELECT clock_timestamp() AS t0 \\gset"
    submit_sql $LIN_YEAR "$f"
    elapsed_sql "lin_s_$i"
    hwm_sql "lin_hwm_kb_$i"
    echo "SELECT row_count AS n FROM npda.submission WHERE is_active AND file_name = '$(basename "$f")' \\gset"
    echo "\\echo RESULT lin_rows_$i :n"
  } > "$WORK/lin_$i.sql"
  run_sql "$WORK/lin_$i.sql"
done

echo "== 5. where the submission time goes (pg_stat_statements, a fresh ~100k-row file)"
f="$WORK/lin/PZ005_$LIN_YEAR.csv"
{
  echo "\\o /dev/null"
  echo "SELECT pg_stat_statements_reset();"
  echo "SET pg_stat_statements.track = 'all';"
  echo "SELECT clock_timestamp() AS t0 \\gset"
  submit_sql $LIN_YEAR "$f"
  elapsed_sql prof_s
  echo "SET pg_stat_statements.track = 'none';"
} > "$WORK/profile.sql"
run_sql "$WORK/profile.sql"
PROFILE=$("${PSQL[@]}" -At -F $'\t' <<'SQL'
SELECT round(total_exec_time::numeric / 1000, 3), calls,
       regexp_replace(left(regexp_replace(query, '\s+', ' ', 'g'), 90), '\t', ' ', 'g')
  FROM pg_stat_statements
 WHERE query NOT ILIKE 'SELECT 1 FROM npda.submit_csv%' AND query NOT ILIKE 'SET %' AND query NOT ILIKE '%pg_stat_statements%'
   AND query NOT ILIKE 'SELECT clock_timestamp%' AND query NOT ILIKE 'SELECT round(extract%'
 ORDER BY total_exec_time DESC LIMIT 8;
SQL
)
echo "== 5. where the edit time goes (pg_stat_statements with planning, 200 edits)"
{
  echo "\\o /dev/null"
  echo "SELECT pg_stat_statements_reset();"
  echo "SET pg_stat_statements.track = 'all';"
  echo "SET pg_stat_statements.track_planning = on;"
  for n in $(seq 1 200); do
    echo "UPDATE npda.visit SET hba1c = 45 + $n % 30 WHERE id = (SELECT visit_id FROM bench_edit WHERE n = $((n * 97 % NEDIT + 1)));"
  done
  echo "SET pg_stat_statements.track = 'none';"
} > "$WORK/edit_profile.sql"
run_sql "$WORK/edit_profile.sql"
EDIT_PROFILE=$("${PSQL[@]}" -At -F $'\t' <<'SQL'
SELECT round((total_exec_time / calls)::numeric, 3), round((total_plan_time / greatest(plans, 1))::numeric, 3), calls,
       regexp_replace(left(regexp_replace(query, '\s+', ' ', 'g'), 80), '\t', ' ', 'g')
  FROM pg_stat_statements
 WHERE calls > 0 AND query NOT ILIKE 'SET %' AND query NOT ILIKE '%pg_stat_statements%'
 ORDER BY total_exec_time DESC LIMIT 8;
SQL
)
READER=$($GEN --today "$TODAY" --seed "$SEED" --audit-year $YEAR --template 2021 --pdus all --children "$CHILDREN" \
  --visits-per-child "$VISITS" --out "$WORK/reader" --check | sed -n 's/.*reader time \([0-9.]*\) s.*/\1/p')

echo "== 6. access control: row security on, a user acting through npda.act_as, against superuser"
ACCESS_UNIT=$("${PSQL[@]}" -At <<SQL
SELECT u.pz_code FROM npda.submission s JOIN npda.paediatric_diabetes_unit u ON u.id = s.paediatric_diabetes_unit_id
 JOIN npda.audit_period ap ON ap.id = s.audit_period_id
 WHERE s.is_active AND ap.start_date = make_date($YEAR, 4, 1) ORDER BY s.patient_count DESC, u.pz_code LIMIT 1;
SQL
)
{
  cat <<SQL
SET client_min_messages = warning;
CREATE ROLE npda_bench_app LOGIN IN ROLE npda_application;
CREATE ROLE npda_bench_editor LOGIN;
CREATE TABLE bench_file (name text PRIMARY KEY, pz_code text NOT NULL, bytes bytea NOT NULL);
GRANT SELECT ON bench_file TO npda_bench_app;
SELECT npda.add_user('bench-national@example.org', 'editor',
                     (SELECT array_agg(DISTINCT pz_code) FROM npda.paediatric_diabetes_unit u
                        JOIN npda.submission s ON s.paediatric_diabetes_unit_id = u.id));
SELECT npda.add_user('bench-team@example.org', 'audit_team', '{}');
SELECT npda.add_user('bench-unit@example.org', 'editor', ARRAY['$ACCESS_UNIT'], 'npda_bench_editor');
SQL
  for f in "${NATIONAL[@]}"; do
    name=$(basename "$f"); echo "INSERT INTO bench_file VALUES ('$name', '${name%%_*}', pg_catalog.pg_read_binary_file('$f'));"
  done
  echo "ANALYZE;"
} | "${PSQL[@]}" >/dev/null
access_submit_sql() { # key [act_as e-mail]: every national file again, one transaction each
  echo "\\o /dev/null"
  echo "SELECT clock_timestamp() AS t0 \\gset"
  for f in "${NATIONAL[@]}"; do
    local name; name=$(basename "$f")
    printf 'BEGIN; %sSELECT 1 FROM npda.submit_csv(%s, (SELECT bytes FROM bench_file WHERE name = %s), %s, %s); COMMIT;\n' \
      "${2:+SELECT npda.act_as('$2'); }" "'${name%%_*}'" "'$name'" "$YEAR" "'$name'"
  done
  elapsed_sql "$1"
}
access_call_sql() { # key call [act_as e-mail]: the call once, in a transaction of its own
  echo "\\o /dev/null"
  echo "SELECT clock_timestamp() AS t0 \\gset"
  echo "BEGIN; ${3:+SELECT npda.act_as('$3'); }SELECT $2; COMMIT;"
  elapsed_sql "$1"
}
for i in 1 2 3; do
  access_submit_sql "acc_submit_su_$i" > "$WORK/acc_submit_su.sql"; run_sql "$WORK/acc_submit_su.sql"
  access_submit_sql "acc_submit_user_$i" bench-national@example.org > "$WORK/acc_submit_user.sql"
  run_sql "$WORK/acc_submit_user.sql" -U npda_bench_app
done
"${PSQL[@]}" -c "VACUUM ANALYZE" >/dev/null
# The re-score and the refresh alternate, superuser then user, three rounds;
# each call starts from a vacuumed database (a re-score leaves a dead row per
# child, which autovacuum would otherwise clean up under the next call).
for i in 1 2 3; do
  for call in rescore refresh; do
    case $call in rescore) sql="npda.rescore($YEAR)" ;; refresh) sql="npda.refresh_kpi_aggregations($YEAR)" ;; esac
    "${PSQL[@]}" -c "VACUUM ANALYZE" >/dev/null
    access_call_sql "acc_${call}_su_$i" "$sql" > "$WORK/acc_call.sql"; run_sql "$WORK/acc_call.sql"
    "${PSQL[@]}" -c "VACUUM ANALYZE" >/dev/null
    access_call_sql "acc_${call}_user_$i" "$sql" bench-team@example.org > "$WORK/acc_call.sql"
    run_sql "$WORK/acc_call.sql" -U npda_bench_app
  done
done
for k in acc_submit_su acc_submit_user acc_rescore_su acc_rescore_user acc_refresh_su acc_refresh_user; do
  R[$k]=$(median3 "${R[${k}_1]}" "${R[${k}_2]}" "${R[${k}_3]}")
done
# The visit edit, on the children of one unit: superuser, the unit's editor
# through their own login, and the application acting for that editor.
"${PSQL[@]}" >/dev/null <<SQL
CREATE TABLE bench_edit_unit AS
SELECT row_number() OVER (ORDER BY v.patient_id)::int AS n, min(v.id) AS visit_id
  FROM npda.visit v JOIN npda.patient p ON p.id = v.patient_id JOIN npda.submission s ON s.id = p.submission_id
  JOIN npda.paediatric_diabetes_unit u ON u.id = s.paediatric_diabetes_unit_id
 WHERE s.is_active AND u.pz_code = '$ACCESS_UNIT'
 GROUP BY v.patient_id;
ALTER TABLE bench_edit_unit ADD PRIMARY KEY (n);
GRANT SELECT ON bench_edit_unit TO PUBLIC;
ANALYZE bench_edit_unit;
SQL
NUNIT=$("${PSQL[@]}" -Atc "SELECT count(*) FROM bench_edit_unit")
cat > "$WORK/edit_unit.pgbench" <<'PGB'
\set n random(1, :nchildren)
UPDATE npda.visit SET hba1c = 45 + :n % 30 WHERE id = (SELECT visit_id FROM bench_edit_unit WHERE n = :n);
PGB
cat > "$WORK/edit_app.pgbench" <<'PGB'
\set n random(1, :nchildren)
BEGIN;
SELECT npda.act_as('bench-unit@example.org');
UPDATE npda.visit SET hba1c = 45 + :n % 30 WHERE id = (SELECT visit_id FROM bench_edit_unit WHERE n = :n);
COMMIT;
PGB
edit_median() { # label script user -> median ms of per-transaction latencies
  local dir="$WORK/lat_$1"; rm -rf "$dir"; mkdir -p "$dir"
  "$PGBIN/pgbench" -n -f "$2" -D nchildren="$NUNIT" -t 100 -U "$3" >/dev/null 2>&1   # warm-up
  (cd "$dir" && "$PGBIN/pgbench" -n -f "$2" -D nchildren="$NUNIT" -t "$EDITS" -U "$3" -r -l --log-prefix=lat >"$dir/out" 2>&1) ||
    { cat "$dir/out"; exit 1; }
  awk '{print $3}' "$dir"/lat.* | sort -n | awk '{a[NR]=$1} END {printf "%.3f", a[int((NR+1)/2)]/1000}'
}
# The earlier steps leave dead rows (six national resubmissions, six
# re-scores): vacuum them now, so that autovacuum does not run under one of
# the three and not the others, and alternate the three, three rounds.
"${PSQL[@]}" -c "VACUUM ANALYZE" -c "CHECKPOINT" >/dev/null
for i in 1 2 3; do
  R[acc_edit_su_$i]=$(edit_median su "$WORK/edit_unit.pgbench" postgres)
  R[acc_edit_login_$i]=$(edit_median login "$WORK/edit_unit.pgbench" npda_bench_editor)
  R[acc_edit_app_$i]=$(edit_median app "$WORK/edit_app.pgbench" npda_bench_app)
  R[acc_edit_app_update_$i]=$(awk '/UPDATE npda.visit/ {printf "%.3f", $1}' "$WORK/lat_app/out")
  R[acc_edit_app_act_as_$i]=$(awk '/npda.act_as/ {printf "%.3f", $1}' "$WORK/lat_app/out")
done
for k in acc_edit_su acc_edit_login acc_edit_app acc_edit_app_update acc_edit_app_act_as; do
  R[$k]=$(median3 "${R[${k}_1]}" "${R[${k}_2]}" "${R[${k}_3]}")
done

# ---- 7. published results (issue 10): the national table, planning included ----
# What a dashboard polls: one year's national rows. pgbench in simple protocol
# (every read is parsed and planned again, as a dashboard's ad-hoc query is),
# per-read latency medians; and EXPLAIN (ANALYZE, SUMMARY) planning + execution,
# median of 51. npda._kpi_results_computed is what npda.kpi_results computed
# per read before the refresh stored the results.
echo "== 7. the national table: npda.kpi_results_published and npda.kpi_results (planning included)"
read_query() { echo "SELECT * FROM $1 WHERE audit_year = $YEAR AND level = 'national' ORDER BY kpi_position"; }
read_median() { # label view -> median ms per read (pgbench -M simple)
  local dir="$WORK/read_$1"; mkdir -p "$dir"
  echo "$(read_query "$2");" > "$dir/q.pgbench"
  "$PGBIN/pgbench" -n -M simple -f "$dir/q.pgbench" -t 50 -U postgres >/dev/null 2>&1   # warm-up
  (cd "$dir" && "$PGBIN/pgbench" -n -M simple -f "$dir/q.pgbench" -t 1000 -U postgres -l --log-prefix=lat >"$dir/out" 2>&1) ||
    { cat "$dir/out"; exit 1; }
  awk '{print $3}' "$dir"/lat.* | sort -n | awk '{a[NR]=$1} END {printf "%.3f", a[int((NR+1)/2)]/1000}'
}
explain_median() { # view -> "planning execution" median ms of 51 EXPLAIN ANALYZE
  "${PSQL[@]}" -At <<SQL
CREATE TEMP TABLE t (plan_ms float8, exec_ms float8);
DO \$\$
DECLARE
  j json;
BEGIN
  FOR i IN 1..51 LOOP
    EXECUTE 'EXPLAIN (ANALYZE, SUMMARY, FORMAT JSON) $(read_query "$1" | sed "s/'/''/g")' INTO j;
    INSERT INTO t VALUES ((j -> 0 ->> 'Planning Time')::float8, (j -> 0 ->> 'Execution Time')::float8);
  END LOOP;
END
\$\$;
SELECT format('%s %s', round(percentile_disc(0.5) WITHIN GROUP (ORDER BY plan_ms)::numeric, 3),
              round(percentile_disc(0.5) WITHIN GROUP (ORDER BY exec_ms)::numeric, 3)) FROM t;
SQL
}
R[read_pub]=$(read_median pub npda.kpi_results_published)
R[read_res]=$(read_median res npda.kpi_results)
R[read_old]=$(read_median old npda._kpi_results_computed)
read -r R[read_pub_plan] R[read_pub_exec] <<<"$(explain_median npda.kpi_results_published)"
read -r R[read_res_plan] R[read_res_exec] <<<"$(explain_median npda.kpi_results)"
read -r R[read_old_plan] R[read_old_exec] <<<"$(explain_median npda._kpi_results_computed)"
cold_median() { # view -> "planning execution" median ms of 11 reads, each the first of a new session (cold caches)
  local runs med
  runs=$(for i in $(seq 11); do
    psql -X -At -c "EXPLAIN (ANALYZE, SUMMARY, FORMAT JSON) $(read_query "$1")" |
      tr -d '\n' | sed -E 's/.*"Planning Time": ([0-9.]+).*"Execution Time": ([0-9.]+).*/\1 \2/'
    echo
  done)
  med() { sort -n | awk '{a[NR]=$1} END {printf "%.3f", a[int((NR+1)/2)]}'; }
  echo "$(awk '{print $1}' <<<"$runs" | med) $(awk '{print $2}' <<<"$runs" | med)"
}
read -r R[cold_pub_plan] R[cold_pub_exec] <<<"$(cold_median npda.kpi_results_published)"
read -r R[cold_res_plan] R[cold_res_exec] <<<"$(cold_median npda.kpi_results)"
read -r R[cold_old_plan] R[cold_old_exec] <<<"$(cold_median npda._kpi_results_computed)"
R[read_rows]=$("${PSQL[@]}" -Atc "SELECT count(*) FROM ($(read_query npda.kpi_results_published)) x")
echo "== 8. maps: npda.kpi_map_svg, the 42 ICBs, KPI 25 (a fresh session: first call, then 5 more, median)"
{
  echo "\\o /dev/null"
  for i in 0 1 2 3 4 5; do
    echo "SELECT clock_timestamp() AS t0 \\gset"
    echo "SELECT length(npda.kpi_map_svg('25', 'integrated_care_board', $YEAR)) AS bytes \\gset"
    elapsed_sql "map_s_$i"
  done
  echo "\\echo RESULT map_bytes :bytes"
  echo "SELECT count(*) AS n FROM npda._map_areas('integrated_care_board', make_date($YEAR, 4, 1)) \\gset"
  echo "\\echo RESULT map_areas :n"
} > "$WORK/map.sql"
run_sql "$WORK/map.sql"
R[map_first_ms]=$(awk -v s="${R[map_s_0]}" 'BEGIN { printf "%.1f", s * 1000 }')
R[map_ms]=$(printf '%s\n' "${R[map_s_1]}" "${R[map_s_2]}" "${R[map_s_3]}" "${R[map_s_4]}" "${R[map_s_5]}" | sort -g | sed -n 3p |
  awk '{ printf "%.1f", $1 * 1000 }')

# ---- report ----
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "-" }'; }
met() { awk -v v="$1" -v t="$2" 'BEGIN { print (v != "-" && v <= t) ? "yes" : "NO" }'; }
rate() { awk -v n="$1" -v s="$2" 'BEGIN { if (s > 0) printf "%d", n / s; else print "-" }'; }
mb() { awk -v k="$1" 'BEGIN { printf "%.0f MB", k / 1024 }'; }
us_row() { awk -v s="$1" -v n="$2" 'BEGIN { if (n > 0) printf "%.2f", s * 1e6 / n; else print "-" }'; }

sub_ratio=$(ratio "${R[submit_s]}" "${R[copy_s]}")
kpi_ratio=$(ratio "${R[rescore_s]}" "${R[group_s]}")
echo
echo "== results ($(nproc) CPUs; ${R[files]} files, ${R[mb]} MB; total bench time $((SECONDS - BENCH_START)) s)"
row() { printf '| %-44s | %-14s | %-14s | %-6s | %-10s | %-4s |\n' "$@"; }
row "measure" "npda" "baseline" "ratio" "target" "met"
row "--------------------------------------------" "--------------" "--------------" "------" "----------" "----"
row "national submission, ${R[submit_rows]} rows (s)" "${R[submit_s]}" "${R[copy_s]} COPY" "$sub_ratio" "<= 2.0" "$(met "$sub_ratio" 2.0)"
row "  rows per second" "$(rate "${R[submit_rows]}" "${R[submit_s]}")" "$(rate "${R[copy_rows]}" "${R[copy_s]}")" "" "" ""
row "  backend peak memory (VmHWM)" "$(mb "${R[submit_hwm_kb]}")" "$(mb "${R[copy_hwm_kb]}")" "" "" ""
row "  findings with --error-rate 0" "${R[submit_findings]}" "" "" "0" "$( [ "${R[submit_findings]}" = 0 ] && echo yes || echo NO)"
for i in 0 1 2; do
  row "linearity: ${R[lin_rows_$i]} rows in one file (us/row)" "$(us_row "${R[lin_s_$i]}" "${R[lin_rows_$i]}")" "" "" "" ""
  row "  time (s) / backend peak memory" "${R[lin_s_$i]}" "$(mb "${R[lin_hwm_kb_$i]}")" "" "" ""
done
row "KPI re-score, ${R[rescore_children]} children (s, median of 3)" "${R[rescore_s]}" "${R[group_s]} GROUP BY" "$kpi_ratio" "<= 1.5" "$(met "$kpi_ratio" 1.5)"
row "visit edit + trigger, median (ms, n=${R[edit_n]})" "${R[edit_median_ms]}" "" "" "< 1 ms" "$(awk -v v="${R[edit_median_ms]}" 'BEGIN { print (v < 1) ? "yes" : "NO" }')"
row "visit edit + trigger, p95 (ms)" "${R[edit_p95_ms]}" "" "" "" ""
echo
echo "Access control (row security on; the user is an application login acting through npda.act_as, one transaction per call):"
row "measure" "superuser" "user" "ratio" "target" "met"
row "--------------------------------------------" "--------------" "--------------" "------" "----------" "----"
r=$(ratio "${R[acc_submit_user]}" "${R[acc_submit_su]}")
row "national resubmission, editor of every unit (s)" "${R[acc_submit_su]}" "${R[acc_submit_user]}" "$r" "<= 1.10" "$(met "$r" 1.10)"
r=$(ratio "${R[acc_rescore_user]}" "${R[acc_rescore_su]}")
row "KPI re-score, audit team (s)" "${R[acc_rescore_su]}" "${R[acc_rescore_user]}" "$r" "<= 1.10" "$(met "$r" 1.10)"
r=$(ratio "${R[acc_refresh_user]}" "${R[acc_refresh_su]}")
row "roll-up refresh, audit team (s)" "${R[acc_refresh_su]}" "${R[acc_refresh_user]}" "$r" "<= 1.10" "$(met "$r" 1.10)"
echo "   (medians of 3 alternating runs; the resubmission replaces every unit's file, $((${#NATIONAL[@]})) transactions)"
echo "Visit edit on the children of $ACCESS_UNIT ($NUNIT children; after VACUUM and CHECKPOINT, 3 alternating rounds of $EDITS transactions each; medians of the rounds, ms):"
r=$(ratio "${R[acc_edit_login]}" "${R[acc_edit_su]}")
row "one UPDATE, the editor's own login (RLS)" "${R[acc_edit_su]}" "${R[acc_edit_login]}" "$r" "< 1 ms" "$(awk -v v="${R[acc_edit_login]}" 'BEGIN { print (v < 1) ? "yes" : "NO" }')"
r=$(ratio "${R[acc_edit_app]}" "${R[acc_edit_su]}")
row "BEGIN; act_as; UPDATE; COMMIT (application)" "${R[acc_edit_su]}" "${R[acc_edit_app]}" "$r" "" ""
row "  of which act_as / UPDATE (mean ms)" "" "${R[acc_edit_app_act_as]} / ${R[acc_edit_app_update]}" "" "< 1 ms" "$(awk -v v="${R[acc_edit_app_update]}" 'BEGIN { print (v < 1) ? "yes" : "NO" }')"
echo
echo "Published results: the national table of $YEAR (${R[read_rows]} rows), per read, planning included (ms, medians):"
row "measure" "pgbench read" "plan + exec" "new session" "target" "met"
row "--------------------------------------------" "--------------" "--------------" "------" "----------" "----"
cold_sum() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a + b }'; }
r=$(cold_sum "${R[cold_pub_plan]}" "${R[cold_pub_exec]}")
row "npda.kpi_results_published" "${R[read_pub]}" "${R[read_pub_plan]} + ${R[read_pub_exec]}" "$r" "< 5 ms" "$(awk -v v="${R[read_pub]}" -v c="$r" 'BEGIN { print (v < 5 && c < 5) ? "yes" : "NO" }')"
row "npda.kpi_results" "${R[read_res]}" "${R[read_res_plan]} + ${R[read_res_exec]}" "$(cold_sum "${R[cold_res_plan]}" "${R[cold_res_exec]}")" "" ""
row "  before: computed per read" "${R[read_old]}" "${R[read_old_plan]} + ${R[read_old_exec]}" "$(cold_sum "${R[cold_old_plan]}" "${R[cold_old_exec]}")" "" ""
echo "   (pgbench -M simple: one session, each read parsed and planned; plan + exec: EXPLAIN ANALYZE in one session;"
echo "    new session: planning + execution of the first read of a fresh session, catalog caches cold; all medians)"
echo "   new session, planning / execution: published ${R[cold_pub_plan]} / ${R[cold_pub_exec]}, kpi_results ${R[cold_res_plan]} / ${R[cold_res_exec]}, before ${R[cold_old_plan]} / ${R[cold_old_exec]}"
echo
echo "Where the submission time goes (~100k-row file, ${R[prof_s]} s in all, pg_stat_statements track = all):"
echo "   C++ reader alone on the national files (parse, validate, group; outside PostgreSQL): ${READER} s of ${R[submit_s]} s"
printf '   %8s  %6s  %s\n' "seconds" "calls" "statement run inside submit_csv"
while IFS=$'\t' read -r secs calls query; do
  printf '   %8s  %6s  %s\n' "$secs" "$calls" "$query"
done <<<"$PROFILE"
echo
echo "Where the edit time goes (200 single-row UPDATEs, per call, pg_stat_statements track = all, track_planning = on):"
printf '   %8s  %8s  %6s  %s\n' "exec ms" "plan ms" "calls" "statement (nested statements are included in their callers)"
while IFS=$'\t' read -r ex pl calls query; do
  printf '   %8s  %8s  %6s  %s\n' "$ex" "$pl" "$calls" "$query"
done <<<"$EDIT_PROFILE"
echo
echo "Maps (npda.kpi_map_svg, ${R[map_areas]} ICBs, KPI 25, one session):"
row "measure" "npda" "" "" "target" "met"
row "kpi_map_svg, median of 5 calls (ms)" "${R[map_ms]}" "" "" "< 200 ms" "$(awk -v v="${R[map_ms]}" 'BEGIN { print (v < 200) ? "yes" : "NO" }')"
row "  the session's first call (ms; PROJ set-up)" "${R[map_first_ms]}" "" "" "< 200 ms" "$(awk -v v="${R[map_first_ms]}" 'BEGIN { print (v < 200) ? "yes" : "NO" }')"
row "  document size (bytes)" "${R[map_bytes]}" "" "" "< 500 KB" "$(awk -v v="${R[map_bytes]}" 'BEGIN { print (v < 500 * 1024) ? "yes" : "NO" }')"

# VmHWM also counts the shared buffers a backend touches: start step 9 from
# empty buffers, as when it runs alone (NPDA_BENCH_ONLY=memory), not from the
# 128 MB the steps before filled (and dirtied).
"${PSQL[@]}" -c "CHECKPOINT" >/dev/null
cluster_restart
memory_step
memory_report
