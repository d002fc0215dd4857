#!/usr/bin/env bash
# make demo, part 2: submit the RCPCH sample sheets (test/fixtures), show that
# a rejected file changes nothing, then build the generator (tools/npda_gen) and
# submit a synthetic national set: one file for every PDU.
set -euo pipefail
cd "$(dirname "$0")/../.."
submit() { # pz year file
  psql -X -q -v ON_ERROR_STOP=1 -v pz="$1" -v year="$2" -v name="$(basename "$3")" -v file="$3" <<'SQL'
\set content `base64 -w0 :'file'`
SELECT format('%-6s %s-%s  %-42s rows %4s  children %4s  findings %4s', :'pz', :'year', (:'year'::int + 1) % 100, :'name',
              row_count, patient_count, error_count) AS submitted
  FROM npda.submit_csv(:'pz', decode(:'content', 'base64'), :'year'::int, :'name') \gset
\echo :submitted
SQL
}
echo "== submitting the RCPCH sample sheets"
submit PZ041 2023 test/fixtures/npda_dummy_sheet_2024-10.csv
submit PZ041 2024 test/fixtures/npda_dummy_sheet_invalid_2024-10.csv
moved=$(mktemp -d)/old_headers_as_PZ215.csv
sed 's/,PZ041,/,PZ215,/' test/fixtures/npda_dummy_sheet_old_headers.csv > "$moved"
submit PZ215 2024 "$moved"
submit PZ999 2025 test/fixtures/npda_one_patient_four_visits.csv
submit PZ041 2026 test/fixtures/npda_dummy_sheet_2026_test.csv
echo "== a rejected file changes nothing (a file for PZ041 submitted as PZ002)"
psql -X -q -v file=test/fixtures/npda_dummy_sheet_invalid_2024-10.csv <<'SQL' 2>&1 | sed 's/^/   /'
\set content `base64 -w0 :'file'`
SELECT npda.submit_csv('PZ002', decode(:'content', 'base64'), 2024, 'wrong-unit.csv');
SQL

echo "== synthetic national submissions (tools/npda_gen: seed 7, 2025-26, every PDU, 1% realistic errors)"
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j2 --target npda_gen >/dev/null
gen=$(mktemp -d)
chmod 755 "$gen"
# Files are generated as of the server's today (see tools/bench.sh).
today=$(psql -X -At -c "SELECT current_date")
./build/npda_gen --today "$today" --seed 7 --audit-year 2025 --template 2021 --pdus all --children 6000 --visits-per-child 8 \
  --error-rate 0.01 --out "$gen" --quiet
chmod 644 "$gen"/*.csv
# One statement per file, as a PDU would submit; the files are read by the
# server (pg_read_binary_file), which the demo's superuser may do.
for f in "$gen"/*.csv; do
  pz=$(basename "$f" | cut -d_ -f1)
  echo "SELECT 1 FROM npda.submit_csv('$pz', pg_read_binary_file('$f'), 2025, '$(basename "$f")');"
done > "$gen/submit.sql"
start=$(date +%s%N)
psql -X -q -v ON_ERROR_STOP=1 -f "$gen/submit.sql" >/dev/null
echo "   $(ls "$gen"/*.csv | wc -l) files submitted in $(( ($(date +%s%N) - start) / 1000000 )) ms"
rm -rf "$gen"
