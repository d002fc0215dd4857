#!/usr/bin/env bash
# The upgrade walk and the dump/restore check (make test runs it against its
# cluster, after installing the extension). Prints TAP ("ok N - ..."), so the
# harness counts each check.
#
# 1. fresh:     CREATE EXTENSION npda CASCADE (the default version)
# 2. each earlier release V whose scripts are kept, as shipped, in
#    test/upgrade/released/: CREATE EXTENSION npda VERSION 'V', user data where
#    that release can take it, ALTER EXTENSION npda UPDATE. The updated database
#    must report the default version, describe exactly like the fresh one (the
#    whole catalog: columns, constraints, indexes, triggers, functions, views,
#    types, comments, privileges, extension members), hold the fresh seed data,
#    keep every user row and score its children as before.
# 3. the comparison itself can fail: edits a forgotten migration would leave
#    behind (a column, an index, a comment, a privilege, row security, a policy,
#    a view option) each change the description of a fresh database.
# 4. restored: pg_dump -Fc of the fresh database (after changing an audit period,
#    adding data and applying an organisation release) restored into a new
#    database holds the same data.
set -uo pipefail
cd "$(dirname "$0")/../.."
source test/lib/tap.sh
q() { psql -X -q -v ON_ERROR_STOP=1 "$@"; }
default=$(sed -n "s/^default_version *= *'\(.*\)'/\1/p" npda.control)
work=$(mktemp -d /tmp/npda-upgrade.XXXXXX)

# The released scripts go beside the installed ones for the length of the test
# only: a package ships the fresh script of the default version and one update
# script from each earlier release, never the old install scripts.
extdir="$("${PG_CONFIG:-pg_config}" --sharedir)/extension"
released=()
for f in test/upgrade/released/npda--*.sql; do
  target="$extdir/$(basename "$f")"
  [ -e "$target" ] && { echo "# $target exists already: it is replaced for the test and removed after"; }
  install -m 0644 "$f" "$target" && released+=("$target")
done
cleanup() { rm -f "${released[@]}"; rm -rf "$work"; }
trap cleanup EXIT
# Releases that can be installed from what is kept: every install script's
# version and every update script's target, oldest first.
mapfile -t old_versions < <(for f in test/upgrade/released/npda--*.sql; do
    b=$(basename "$f" .sql); b=${b#npda--}; echo "${b##*--}"; done | sort -uV)

# Every table of the extension: row count and a hash of the rows. scored_at
# (when a derived score was computed) is left out: scores are rebuilt on
# restore; kpi_aggregation_refresh is bookkeeping of derived data whose times
# differ by design. With a second argument, the output of columns_of taken
# before an update, only those tables and columns count: an update may add
# tables and columns, but keeps every row and every value it had. A third
# argument names tables to leave out.
fingerprint() {
  q -d "$1" -At -v cols="${2:-}" -v skip="${3:-}" <<'SQL'
SELECT string_agg(format('%s %s %s', c.relname, (xpath('/row/n/text()', query_to_xml(format('SELECT count(*) AS n FROM npda.%I', c.relname), false, true, '')))[1]::text,
                         (xpath('/row/h/text()', query_to_xml(format('SELECT md5(coalesce(string_agg(r::text, ''|'' ORDER BY r::text), '''')) AS h FROM (SELECT CASE WHEN %L::text[] IS NULL THEN to_jsonb(t) - ''scored_at'' ELSE (SELECT jsonb_object_agg(e.key, e.value) FROM jsonb_each(to_jsonb(t)) e WHERE e.key = ANY (%L::text[]) AND e.key <> ''scored_at'') END AS r FROM npda.%I t) x', k.keep, k.keep, c.relname), false, true, '')))[1]::text), E'\n' ORDER BY c.relname)
FROM pg_class c JOIN pg_namespace s ON s.oid = c.relnamespace
CROSS JOIN LATERAL (SELECT CASE WHEN :'cols' = '' THEN NULL
                                ELSE ARRAY(SELECT jsonb_array_elements_text(nullif(:'cols', '')::jsonb -> c.relname)) END AS keep) k
WHERE s.nspname = 'npda' AND c.relkind IN ('r', 'p') AND NOT c.relispartition
  AND c.relname <> 'kpi_aggregation_refresh' AND c.relname <> ALL (string_to_array(:'skip', ' '))
  AND (:'cols' = '' OR nullif(:'cols', '')::jsonb ? c.relname);
SQL
}
# The tables of the extension and their columns, as a JSON object for fingerprint.
columns_of() {
  q -d "$1" -At <<'SQL'
SELECT jsonb_object_agg(c.relname, (SELECT jsonb_agg(a.attname ORDER BY a.attnum) FROM pg_attribute a
                                     WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped))
FROM pg_class c JOIN pg_namespace s ON s.oid = c.relnamespace
WHERE s.nspname = 'npda' AND c.relkind IN ('r', 'p') AND NOT c.relispartition;
SQL
}

# pg_dump leaves out extension members, so describe the catalog directly. The
# optional second argument is SQL run first in the same transaction, which is
# then rolled back (used to show that the description notices a change).
catalog_sql=$(cat <<'SQL'
WITH ns AS (SELECT oid FROM pg_namespace WHERE nspname = 'npda'),
     ext AS (SELECT oid FROM pg_extension WHERE extname = 'npda')
SELECT * FROM (
  SELECT 'column ' || c.relname || '.' || a.attname || ' ' || format_type(a.atttypid, a.atttypmod)
         || CASE WHEN a.attnotnull THEN ' not null' ELSE '' END || coalesce(' default ' || pg_get_expr(d.adbin, d.adrelid), '')
         || coalesce(' identity ' || nullif(a.attidentity::text, ''), '') || coalesce(' -- ' || col_description(c.oid, a.attnum), '')
  FROM pg_class c JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
  LEFT JOIN pg_attrdef d ON d.adrelid = c.oid AND d.adnum = a.attnum
  WHERE c.relnamespace IN (SELECT oid FROM ns)
  UNION ALL SELECT 'relation ' || relname || ' ' || relkind::text || coalesce(' acl ' || relacl::text, '')
         || CASE WHEN relrowsecurity THEN ' row-security' ELSE '' END || CASE WHEN relforcerowsecurity THEN ' forced' ELSE '' END
         || coalesce(' options ' || reloptions::text, '')
         || coalesce(' partition ' || pg_get_expr(relpartbound, oid), '') || coalesce(' -- ' || obj_description(oid, 'pg_class'), '')
  FROM pg_class WHERE relnamespace IN (SELECT oid FROM ns)
  UNION ALL SELECT 'constraint ' || conrelid::regclass::text || ' ' || conname || ' ' || pg_get_constraintdef(oid)
  FROM pg_constraint WHERE connamespace IN (SELECT oid FROM ns)
  UNION ALL SELECT 'index ' || pg_get_indexdef(indexrelid) FROM pg_index i JOIN pg_class c ON c.oid = i.indrelid WHERE c.relnamespace IN (SELECT oid FROM ns)
  UNION ALL SELECT 'trigger ' || pg_get_triggerdef(t.oid) || CASE t.tgenabled WHEN 'O' THEN '' ELSE ' enabled=' || t.tgenabled::text END
  FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid WHERE c.relnamespace IN (SELECT oid FROM ns) AND NOT t.tgisinternal
  UNION ALL SELECT 'function ' || pg_get_functiondef(p.oid) || coalesce(' acl ' || p.proacl::text, '') || coalesce(' -- ' || obj_description(p.oid, 'pg_proc'), '')
  FROM pg_proc p WHERE p.pronamespace IN (SELECT oid FROM ns) AND p.prokind <> 'a'
  UNION ALL SELECT 'view ' || c.relname || ' ' || pg_get_viewdef(c.oid) FROM pg_class c WHERE c.relnamespace IN (SELECT oid FROM ns) AND c.relkind IN ('v', 'm')
  UNION ALL SELECT 'type ' || t.typname || ' ' || coalesce((SELECT string_agg(enumlabel, ',' ORDER BY enumsortorder) FROM pg_enum WHERE enumtypid = t.oid), '')
         || coalesce(' -- ' || obj_description(t.oid, 'pg_type'), '')
  FROM pg_type t WHERE t.typnamespace IN (SELECT oid FROM ns) AND t.typtype IN ('e', 'c', 'd') AND t.typrelid = 0
  UNION ALL SELECT 'policy ' || polname || ' ' || polrelid::regclass::text || ' ' || polcmd::text || ' ' || polpermissive::text
         || ' ' || polroles::regrole[]::text || coalesce(' using ' || pg_get_expr(polqual, polrelid), '')
         || coalesce(' check ' || pg_get_expr(polwithcheck, polrelid), '') || coalesce(' -- ' || obj_description(p.oid, 'pg_policy'), '')
  FROM pg_policy p JOIN pg_class c ON c.oid = p.polrelid WHERE c.relnamespace IN (SELECT oid FROM ns)
  UNION ALL SELECT 'config dump ' || unnest(extconfig)::regclass::text FROM pg_extension WHERE extname = 'npda'
  UNION ALL SELECT 'member ' || pg_describe_object(d.classid, d.objid, d.objsubid)
  FROM pg_depend d WHERE d.refclassid = 'pg_extension'::regclass AND d.refobjid IN (SELECT oid FROM ext) AND d.deptype = 'e'
  UNION ALL SELECT 'schema comment ' || coalesce(obj_description(oid, 'pg_namespace'), '') FROM ns
) x(line) ORDER BY 1;
SQL
)
catalog_of() { # database [SQL to run first, rolled back]
  { echo "BEGIN;"; [ -n "${2:-}" ] && echo "$2"; echo "$catalog_sql"; echo "ROLLBACK;"; } | q -d "$1" -At
}
# The scores of every child, without the time they were computed.
scores_of() {
  q -d "$1" -At -c "SELECT md5(coalesce(string_agg(format('%s %s %s %s', patient_id, outcomes, kpi_values, checks_expected), '|' ORDER BY patient_id), '')) FROM npda.patient_kpi_score"
}

new_db() { q -d postgres -c "SET client_min_messages = warning" -c "DROP DATABASE IF EXISTS $1" -c "CREATE DATABASE $1" >/dev/null; }
dbs=(npda_fresh npda_restored)

new_db npda_fresh
q -d npda_fresh -c "SET client_min_messages = warning" -c "CREATE EXTENSION npda CASCADE" >/dev/null
check $? "fresh install of npda $default"
catalog_of npda_fresh >"$work/catalog-fresh.txt"
[ "$(wc -l <"$work/catalog-fresh.txt")" -gt 500 ]
check $? "catalog description of a fresh database is not empty ($(wc -l <"$work/catalog-fresh.txt") lines)"

[ ${#old_versions[@]} -gt 0 ]; check $? "released scripts kept for the upgrade walk: ${old_versions[*]:-none}"
for v in "${old_versions[@]}"; do
  db="npda_from_${v//./_}"; dbs+=("$db"); new_db "$db"
  q -d "$db" -c "SET client_min_messages = warning" -c "CREATE EXTENSION npda VERSION '$v' CASCADE" >/dev/null
  check $? "install of release $v as shipped"
  # Releases that take submissions get user data, so the walk shows that every
  # row and every score survive the update.
  with_data=0
  if [ "$(q -d "$db" -At -c "SELECT to_regprocedure('npda.submit_csv(text,bytea,integer,text)') IS NOT NULL")" = t ]; then
    bash test/upgrade/add_user_data.sh "$db"; check $? "user data submitted under $v"
    with_data=1
    columns_of "$db" >"$work/columns-before-$v.json"
    fingerprint "$db" >"$work/data-before-$v.txt"; scores_of "$db" >"$work/scores-before-$v.txt"
  fi
  q -d "$db" -c "SET client_min_messages = warning" -c "ALTER EXTENSION npda UPDATE" >/dev/null
  check $? "ALTER EXTENSION npda UPDATE from $v"
  got=$(q -d "$db" -At -c "SELECT extversion FROM pg_extension WHERE extname = 'npda'")
  [ "$got" = "$default" ]; check $? "database updated from $v reports version $default (got $got)"
  catalog_of "$db" >"$work/catalog-from-$v.txt" &&
    diff "$work/catalog-fresh.txt" "$work/catalog-from-$v.txt" >"$work/catalog-from-$v.diff"
  check $? "catalog updated from $v equals a fresh $default install"
  [ -s "$work/catalog-from-$v.diff" ] && head -40 "$work/catalog-from-$v.diff"
  if [ $with_data = 1 ]; then
    diff "$work/data-before-$v.txt" <(fingerprint "$db" "$(cat "$work/columns-before-$v.json")") >/dev/null
    check $? "every row kept by the update from $v"
    q -d "$db" -c "SELECT npda.rescore(2024)" >/dev/null && q -d "$db" -c "SELECT npda.refresh_kpi_aggregations()" >/dev/null
    check $? "re-score and roll-up run after the update from $v"
    [ "$(scores_of "$db")" = "$(cat "$work/scores-before-$v.txt")" ]
    check $? "children updated from $v score as before"
  else
    # (the pseudonym secret is drawn at random in every database)
    diff <(fingerprint npda_fresh "" pseudonym_secret) <(fingerprint "$db" "" pseudonym_secret) >/dev/null
    check $? "seed data updated from $v equals a fresh install's"
  fi
done

# The comparison notices what a forgotten migration would leave behind.
mutations=(
  "ALTER TABLE npda.submission DROP COLUMN replaced_at;"
  "DROP INDEX npda.patient_nhs_number;"
  "COMMENT ON FUNCTION npda.rescore(integer, date) IS 'changed';"
  "GRANT SELECT ON npda.patient TO PUBLIC;"
  "ALTER EXTENSION npda DROP FUNCTION npda.audit_quarter(date);"
  "ALTER TABLE npda.visit DISABLE ROW LEVEL SECURITY;"
  "ALTER POLICY visit_read ON npda.visit USING (true);"
  "ALTER VIEW npda.patient_kpi_results RESET (security_invoker);"
)
for m in "${mutations[@]}"; do
  catalog_of npda_fresh "$m" >"$work/catalog-mutated.txt" &&
    [ "$(wc -l <"$work/catalog-mutated.txt")" -gt 500 ] && ! cmp -s "$work/catalog-fresh.txt" "$work/catalog-mutated.txt"
  check $? "the catalog comparison notices: $m"
done

# Change something users can change, then dump and restore.
q -d npda_fresh -c "UPDATE npda.audit_period SET is_open = NOT is_open WHERE start_date = '2021-04-01'" >/dev/null
bash test/upgrade/add_user_data.sh npda_fresh
# An organisation release changes seeded rows (a unit renamed, versions ended)
# and adds new ones (a network): the dump keeps them and the restore merges
# them into the rows CREATE EXTENSION seeds.
q -d npda_fresh -At >/dev/null <<'SQL'
WITH d AS (SELECT npda.organisation_release('2030-04-01') AS doc)
SELECT npda.apply_organisation_release(
         jsonb_set(jsonb_set(doc, '{paediatric_diabetes_networks}',
                             (doc -> 'paediatric_diabetes_networks') || '[{"code": "PN13", "name": "A network added by a release"}]'),
                   '{paediatric_diabetes_units}',
                   (SELECT jsonb_agg(CASE WHEN o ->> 'code' = 'PZ041' THEN o || '{"name": "RENAMED BY A RELEASE"}' ELSE o END)
                      FROM jsonb_array_elements(doc -> 'paediatric_diabetes_units') o)),
         '2030-04-01')
  FROM d;
SQL
check $? "an organisation release applied before the dump"
dump="$work/npda.dump"
pg_dump -Fc -d npda_fresh -f "$dump"; check $? "pg_dump of a database with npda"
new_db npda_restored
pg_restore -d npda_restored "$dump" 2>"$work/restore.err"; rc=$?
[ $rc = 0 ] || head -20 "$work/restore.err"
check $rc "pg_restore into a new database"
diff <(fingerprint npda_fresh) <(fingerprint npda_restored) >"$work/restore.diff"
check $? "restored data equals dumped data (seeds, organisation releases, audit periods, user data)"
[ -s "$work/restore.diff" ] && head -20 "$work/restore.diff"

for db in "${dbs[@]}"; do q -d postgres -c "DROP DATABASE IF EXISTS $db" >/dev/null; done
tap_done
