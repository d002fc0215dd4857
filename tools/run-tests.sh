#!/usr/bin/env bash
# make test: every test of the project, from nothing, on Debian 12 as root.
#   1. C++ unit tests of src/core (GoogleTest through CTest)
#   2. the same tests under AddressSanitizer + UndefinedBehaviorSanitizer
#   3. a short libFuzzer run of each harness in test/fuzz (fixed seed, 15,000 runs;
#      NPDA_FUZZ_SECONDS=N for a longer exploratory run with a random seed)
#   4. pg_regress (test/sql -> expected/) and isolation (test/specs -> test/expected/)
#      against a throwaway cluster with pg_cron preloaded
#   5. the upgrade walk (every kept release -> ALTER EXTENSION UPDATE, compared with a
#      fresh install) and pg_dump/pg_restore (test/upgrade/run.sh)
#   6. pgTAP files in test/pgtap (pg_prove)
#   7. npda.act_as through PgBouncer in transaction pooling mode (test/pgbouncer/run.sh)
#   8. the clients analysts use, over TCP as an analyst: ODBC (isql), Python (psycopg),
#      GDAL (ogr2ogr to GeoJSON and GeoPackage), the SVG map rendered by rsvg-convert
#      (test/clients/run.sh)
#   and, before the cluster starts, the repository checks in test/repo (TAP scripts, one
#   suite each): one SQL definition per object (sql_layout), no path outside the
#   repository (no_outside_paths), citations of docs/ and KPI ids resolve (doc_citations)
# The last line is "N passed, N failed"; the exit status is 0 only when nothing failed.
# Every build treats warnings as errors; NPDA_WERROR=0 turns that off (tools/cxx-warnings.txt).
source "$(dirname "$0")/npda-env.sh"
cd "$NPDA_ROOT"

PASSED=0; FAILED=0; FAILED_SUITES=()
record() { # suite passed failed
  PASSED=$((PASSED + $2)); FAILED=$((FAILED + $3))
  [ "$3" -eq 0 ] || FAILED_SUITES+=("$1")
  printf '   %-28s %5d passed, %d failed\n' "$1" "$2" "$3"
}
ctest_counts() { # log -> "passed failed"
  local line total failed
  line=$(grep -E '[0-9]+% tests passed, [0-9]+ tests? failed out of [0-9]+' "$1" | tail -1)
  if [ -z "$line" ]; then echo "0 1"; return; fi
  failed=$(sed -E 's/.* ([0-9]+) tests? failed out of ([0-9]+).*/\1/' <<<"$line")
  total=$(sed -E 's/.* failed out of ([0-9]+).*/\1/' <<<"$line")
  echo "$((total - failed)) $failed"
}
LOGDIR=$(mktemp -d /tmp/npda-test-logs.XXXXXX)
trap 'npda_cluster_stop' EXIT

npda_install_packages

echo "== C++ unit tests"
if cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo -DNPDA_WERROR="$NPDA_CMAKE_WERROR" >"$LOGDIR/cmake.log" 2>&1 &&
   cmake --build build -j2 >>"$LOGDIR/cmake.log" 2>&1; then
  ctest --test-dir build --output-on-failure -j2 >"$LOGDIR/unit.log" 2>&1 || true
  read -r p f < <(ctest_counts "$LOGDIR/unit.log"); record "unit" "$p" "$f"
  [ "$f" -eq 0 ] || grep -E "Failed|FAILED" "$LOGDIR/unit.log" | head -40
else
  tail -40 "$LOGDIR/cmake.log"; record "unit (build)" 0 1
fi

echo "== C++ unit tests under ASan + UBSan"
if cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=Debug -DNPDA_SANITIZE=ON -DNPDA_WERROR="$NPDA_CMAKE_WERROR" >"$LOGDIR/asan-build.log" 2>&1 &&
   cmake --build build-asan -j2 --target npda_unit_tests >>"$LOGDIR/asan-build.log" 2>&1; then
  ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    ctest --test-dir build-asan --output-on-failure -j2 >"$LOGDIR/asan.log" 2>&1 || true
  read -r p f < <(ctest_counts "$LOGDIR/asan.log"); record "unit (asan+ubsan)" "$p" "$f"
  [ "$f" -eq 0 ] || grep -E "Failed|ERROR|runtime error" "$LOGDIR/asan.log" | head -40
else
  tail -40 "$LOGDIR/asan-build.log"; record "unit asan (build)" 0 1
fi

echo "== fuzzing (short runs)"
if ls test/fuzz/*.cpp >/dev/null 2>&1; then
  if CXX=clang++-14 cmake -S . -B build-fuzz -DCMAKE_BUILD_TYPE=RelWithDebInfo -DNPDA_FUZZ=ON -DNPDA_WERROR="$NPDA_CMAKE_WERROR" >"$LOGDIR/fuzz-build.log" 2>&1 &&
     cmake --build build-fuzz -j2 --target $(for f in test/fuzz/*.cpp; do basename "$f" .cpp; done) >>"$LOGDIR/fuzz-build.log" 2>&1; then
    for src in test/fuzz/*.cpp; do
      name=$(basename "$src" .cpp); corpus=$(mktemp -d)
      [ -d "test/fuzz/corpus/$name" ] && cp -r "test/fuzz/corpus/$name/." "$corpus/"
      # A fixed seed and run count keep make test deterministic; set
      # NPDA_FUZZ_SECONDS for an exploratory run with a random seed (make fuzz
      # runs longer and keeps what it finds: docs/fuzzing.md).
      if [ -n "${NPDA_FUZZ_SECONDS:-}" ]; then fuzz_args=(-max_total_time="$NPDA_FUZZ_SECONDS")
      else fuzz_args=(-seed=20261127 -runs="${NPDA_FUZZ_RUNS:-15000}"); fi
      if ./build-fuzz/"$name" "${fuzz_args[@]}" -rss_limit_mb=2048 "$corpus" >"$LOGDIR/$name.log" 2>&1; then
        record "fuzz $name" 1 0
      else
        tail -30 "$LOGDIR/$name.log"; record "fuzz $name" 0 1
      fi
      rm -rf "$corpus"
    done
  else
    tail -40 "$LOGDIR/fuzz-build.log"; record "fuzz (build)" 0 1
  fi
fi

echo "== repository checks (test/repo)"
for t in test/repo/*.sh; do
  name=$(basename "$t" .sh)
  bash "$t" >"$LOGDIR/repo-$name.log" 2>&1 || true
  p=$(grep -cE '^ok [0-9]+' "$LOGDIR/repo-$name.log" || true)
  f=$(grep -cE '^not ok [0-9]+' "$LOGDIR/repo-$name.log" || true)
  [ "$p" -gt 0 ] || f=$((f + 1))
  record "repo $name" "$p" "$f"
  [ "$f" -eq 0 ] || grep -vE '^ok ' "$LOGDIR/repo-$name.log" | head -30
done

echo "== extension: build, install, throwaway cluster"
npda_build_install
npda_cluster_start

echo "== pg_regress and isolation"
rm -rf results output_iso regression.diffs regression.out
make -s installcheck PG_CONFIG="$PG_CONFIG" >"$LOGDIR/installcheck.log" 2>&1 || true
p=$(grep -cE '\.\.\. ok|^ok [0-9]+ ' "$LOGDIR/installcheck.log" || true)
f=$(grep -cE '\.\.\. FAILED|^not ok [0-9]+ |\.\.\. failed' "$LOGDIR/installcheck.log" || true)
if [ "$p" -eq 0 ] && [ "$f" -eq 0 ]; then f=1; tail -30 "$LOGDIR/installcheck.log"; fi
record "pg_regress + isolation" "$p" "$f"
if [ "$f" -ne 0 ]; then
  grep -E 'FAILED|failed' "$LOGDIR/installcheck.log" | head -20
  for d in regression.diffs output_iso/regression.diffs; do [ -f "$d" ] && head -150 "$d"; done
fi

echo "== upgrade walk and dump/restore"
bash test/upgrade/run.sh >"$LOGDIR/upgrade.log" 2>&1 || true
p=$(grep -cE '^ok [0-9]+' "$LOGDIR/upgrade.log" || true)
f=$(grep -cE '^not ok [0-9]+' "$LOGDIR/upgrade.log" || true)
[ "$p" -gt 0 ] || f=$((f + 1))
record "upgrade + dump/restore" "$p" "$f"
[ "$f" -eq 0 ] || tail -40 "$LOGDIR/upgrade.log"

echo "== pgTAP"
if ls test/pgtap/*.sql >/dev/null 2>&1; then
  psql -q -X -c "DROP DATABASE IF EXISTS npda_tap" -c "CREATE DATABASE npda_tap" >/dev/null
  psql -q -X -d npda_tap -c "CREATE EXTENSION pgtap" -c "SET client_min_messages = warning" -c "CREATE EXTENSION npda CASCADE" >/dev/null
  # Files named *_cron.sql need pg_cron, which lives only in cron.database_name (postgres).
  tap_files=$(ls test/pgtap/*.sql | grep -v '_cron\.sql$' || true)
  cron_files=$(ls test/pgtap/*_cron.sql 2>/dev/null || true)
  : >"$LOGDIR/pgtap.log"
  [ -z "$tap_files" ] || pg_prove -v -d npda_tap $tap_files >>"$LOGDIR/pgtap.log" 2>&1 || true
  [ -z "$cron_files" ] || pg_prove -v -d postgres $cron_files >>"$LOGDIR/pgtap.log" 2>&1 || true
  p=$(grep -cE '^ *ok [0-9]+' "$LOGDIR/pgtap.log" || true)
  f=$(grep -cE '^ *not ok [0-9]+' "$LOGDIR/pgtap.log" || true)
  bad=$(grep -cE 'Dubious|Bad plan|No plan found|Parse errors' "$LOGDIR/pgtap.log" || true)
  f=$((f + bad))
  record "pgTAP" "$p" "$f"
  [ "$f" -eq 0 ] || grep -E -A3 'not ok|Dubious|Bad plan|No plan|Parse errors|ERROR' "$LOGDIR/pgtap.log" | head -60
fi

# A suite that is one shell script printing TAP lines: no "ok" at all is a failure.
run_tap_script() { # suite-name script
  local log="$LOGDIR/$1.log" p f
  bash "$2" >"$log" 2>&1 || true
  p=$(grep -cE '^ok [0-9]+' "$log" || true)
  f=$(grep -cE '^not ok [0-9]+' "$log" || true)
  [ "$p" -gt 0 ] || f=$((f + 1))
  record "$1" "$p" "$f"
  [ "$f" -eq 0 ] || grep -vE '^ok ' "$log" | head -30
}

echo "== pgbouncer (transaction pooling, one server connection)"
run_tap_script pgbouncer test/pgbouncer/run.sh

echo "== clients analysts use: ODBC, Python, GDAL, the SVG map as PNG (test/clients/run.sh)"
run_tap_script clients test/clients/run.sh

if [ "$FAILED" -ne 0 ]; then
  echo "== failing suites: ${FAILED_SUITES[*]} (logs in $LOGDIR; server log follows)"
  tail -40 "$NPDA_CLUSTER_DIR/server.log" 2>/dev/null || true
fi
echo "$PASSED passed, $FAILED failed"
[ "$FAILED" -eq 0 ]
