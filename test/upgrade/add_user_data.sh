#!/usr/bin/env bash
# Put user data into database $1 (test/upgrade/run.sh): before an update, so the
# upgrade walk covers submissions, visits, errors and scores, and before a dump,
# so the restore check does.
set -euo pipefail
cd "$(dirname "$0")/../.."
psql -X -q -v ON_ERROR_STOP=1 -d "$1" -v file=test/fixtures/npda_dummy_sheet_invalid_2024-10.csv >/dev/null <<'SQL'
\set content `base64 -w0 :'file'`
SELECT npda.submit_csv('PZ041', decode(:'content', 'base64'), 2024, 'first.csv');
SELECT npda.submit_csv('PZ041', decode(:'content', 'base64'), 2024, 'second.csv');
SELECT npda.submit_csv('PZ215', convert_to(replace(convert_from(decode(:'content', 'base64'), 'UTF8'), ',PZ041,', ',PZ215,'), 'UTF8'), 2024, 'other-unit.csv');
SQL
