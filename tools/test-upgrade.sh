#!/usr/bin/env bash
# Upgrade and dump/restore checks (run by make test against its cluster).
#
# 1. fresh:    CREATE EXTENSION npda CASCADE (the default version)
# 2. upgraded: CREATE EXTENSION npda VERSION '1.0' CASCADE, then ALTER EXTENSION npda UPDATE
# 3. restored: pg_dump -Fc of the fresh database (after changing an audit period
#              and, where the tables exist, adding data) restored into a new database
# The schemas of 1 and 2 must be identical, and the data fingerprint of 3 must
# equal that of 1. Prints TAP ("ok N - ..."), so the harness counts each check.
set -uo pipefail
cd "$(dirname "$0")/.."
n=0; fails=0
check() { n=$((n + 1)); if [ "$1" = 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; fails=$((fails + 1)); fi; }
q() { psql -X -q -v ON_ERROR_STOP=1 "$@"; }
first=1.0
default=$(sed -n "s/^default_version *= *'\(.*\)'/\1/p" npda.control)

# What must survive a dump: every table of the extension, row counts and a hash
# of the rows (scored_at, the time a derived score was computed, left out:
# scores are rebuilt on restore).
fingerprint() {
  q -d "$1" -At <<'SQL'
SELECT string_agg(format('%s %s %s', c.relname, (xpath('/row/n/text()', query_to_xml(format('SELECT count(*) AS n FROM npda.%I', c.relname), false, true, '')))[1]::text,
                         (xpath('/row/h/text()', query_to_xml(format('SELECT md5(coalesce(string_agg((to_jsonb(t) - ''scored_at'')::text, ''|'' ORDER BY (to_jsonb(t) - ''scored_at'')::text), '''')) AS h FROM npda.%I t', c.relname), false, true, '')))[1]::text), E'\n' ORDER BY c.relname)
FROM pg_class c JOIN pg_namespace s ON s.oid = c.relnamespace
WHERE s.nspname = 'npda' AND c.relkind IN ('r', 'p') AND NOT c.relispartition
  AND c.relname <> 'kpi_aggregation_refresh';  -- bookkeeping of derived data: times differ by design
SQL
}
# pg_dump leaves out extension members, so compare the catalogs directly:
# columns, constraints, indexes, triggers, functions, views, types, comments, privileges.
schema_of() {
  q -d "$1" -At <<'SQL'
WITH ns AS (SELECT oid FROM pg_namespace WHERE nspname = 'npda')
SELECT * FROM (
  SELECT 'column ' || c.relname || '.' || a.attname || ' ' || format_type(a.atttypid, a.atttypmod)
         || CASE WHEN a.attnotnull THEN ' not null' ELSE '' END || coalesce(' default ' || pg_get_expr(d.adbin, d.adrelid), '')
         || coalesce(' identity ' || nullif(a.attidentity::text, ''), '') || coalesce(' -- ' || col_description(c.oid, a.attnum), '')
  FROM pg_class c JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
  LEFT JOIN pg_attrdef d ON d.adrelid = c.oid AND d.adnum = a.attnum
  WHERE c.relnamespace IN (SELECT oid FROM ns)
  UNION ALL SELECT 'relation ' || relname || ' ' || relkind::text || coalesce(' acl ' || relacl::text, '') || coalesce(' -- ' || obj_description(oid, 'pg_class'), '')
  FROM pg_class WHERE relnamespace IN (SELECT oid FROM ns)
  UNION ALL SELECT 'constraint ' || conrelid::regclass::text || ' ' || conname || ' ' || pg_get_constraintdef(oid)
  FROM pg_constraint WHERE connamespace IN (SELECT oid FROM ns)
  UNION ALL SELECT 'index ' || pg_get_indexdef(indexrelid) FROM pg_index i JOIN pg_class c ON c.oid = i.indrelid WHERE c.relnamespace IN (SELECT oid FROM ns)
  UNION ALL SELECT 'trigger ' || pg_get_triggerdef(t.oid) FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid WHERE c.relnamespace IN (SELECT oid FROM ns) AND NOT t.tgisinternal
  UNION ALL SELECT 'function ' || pg_get_functiondef(p.oid) || coalesce(' acl ' || p.proacl::text, '') || coalesce(' -- ' || obj_description(p.oid, 'pg_proc'), '')
  FROM pg_proc p WHERE p.pronamespace IN (SELECT oid FROM ns) AND p.prokind <> 'a'
  UNION ALL SELECT 'view ' || c.relname || ' ' || pg_get_viewdef(c.oid) FROM pg_class c WHERE c.relnamespace IN (SELECT oid FROM ns) AND c.relkind IN ('v', 'm')
  UNION ALL SELECT 'type ' || t.typname || ' ' || coalesce((SELECT string_agg(enumlabel, ',' ORDER BY enumsortorder) FROM pg_enum WHERE enumtypid = t.oid), '')
         || coalesce(' -- ' || obj_description(t.oid, 'pg_type'), '')
  FROM pg_type t WHERE t.typnamespace IN (SELECT oid FROM ns) AND t.typtype IN ('e', 'c', 'd') AND t.typrelid = 0
  UNION ALL SELECT 'policy ' || polname || ' ' || polrelid::regclass::text FROM pg_policy p JOIN pg_class c ON c.oid = p.polrelid WHERE c.relnamespace IN (SELECT oid FROM ns)
  UNION ALL SELECT 'config dump ' || unnest(extconfig)::regclass::text FROM pg_extension WHERE extname = 'npda'
) x(line) ORDER BY 1;
SQL
}

for db in npda_fresh npda_upgraded npda_restored; do q -d postgres -c "SET client_min_messages = warning" -c "DROP DATABASE IF EXISTS $db" >/dev/null; q -d postgres -c "CREATE DATABASE $db" >/dev/null; done
q -d npda_fresh -c "SET client_min_messages = warning" -c "CREATE EXTENSION npda CASCADE" >/dev/null
check $? "fresh install of npda $default"

q -d npda_upgraded -c "SET client_min_messages = warning" -c "CREATE EXTENSION npda VERSION '$first' CASCADE" >/dev/null
check $? "install of the first release $first"
q -d npda_upgraded -c "SET client_min_messages = warning" -c "ALTER EXTENSION npda UPDATE" >/dev/null
check $? "ALTER EXTENSION npda UPDATE from $first to $default"
v=$(q -d npda_upgraded -At -c "SELECT extversion FROM pg_extension WHERE extname = 'npda'")
[ "$v" = "$default" ]; check $? "upgraded database reports version $default (got $v)"
schema_of npda_fresh >/tmp/npda-schema-fresh.txt && schema_of npda_upgraded >/tmp/npda-schema-upgraded.txt
check $? "catalog description of both databases"
[ "$(wc -l </tmp/npda-schema-fresh.txt)" -gt 50 ]; check $? "catalog description is not empty ($(wc -l </tmp/npda-schema-fresh.txt) lines)"
diff /tmp/npda-schema-fresh.txt /tmp/npda-schema-upgraded.txt >/tmp/npda-upgrade-schema.diff
check $? "upgraded schema equals fresh schema"
[ -s /tmp/npda-upgrade-schema.diff ] && head -40 /tmp/npda-upgrade-schema.diff
diff <(fingerprint npda_fresh) <(fingerprint npda_upgraded) >/dev/null
check $? "upgraded seed data equals fresh seed data"

# Change something users can change, then dump and restore.
q -d npda_fresh -c "UPDATE npda.audit_period SET is_open = NOT is_open WHERE start_date = '2021-04-01'" >/dev/null
[ -x tools/test-upgrade-data.sh ] && bash tools/test-upgrade-data.sh npda_fresh
dump=$(mktemp /tmp/npda-dump.XXXXXX)
pg_dump -Fc -d npda_fresh -f "$dump"; check $? "pg_dump of a database with npda"
pg_restore -d npda_restored "$dump" 2>/tmp/npda-restore.err; rc=$?
[ $rc = 0 ] || head -20 /tmp/npda-restore.err
check $rc "pg_restore into a new database"
diff <(fingerprint npda_fresh) <(fingerprint npda_restored) >/tmp/npda-restore.diff
check $? "restored data equals dumped data (seeds, audit periods, user data)"
[ -s /tmp/npda-restore.diff ] && head -20 /tmp/npda-restore.diff
rm -f "$dump"
for db in npda_fresh npda_upgraded npda_restored; do q -d postgres -c "DROP DATABASE IF EXISTS $db" >/dev/null; done
echo "1..$n"
echo "# $((n - fails)) passed, $fails failed"
[ $fails = 0 ]
