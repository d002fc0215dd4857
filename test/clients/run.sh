#!/usr/bin/env bash
# The clients analysts use (docs/clients.md), each against the cluster of make
# test, as an analyst login with a password over TCP (127.0.0.1): the database
# holds a synthetic national submission (tools/npda_gen) with its roll-ups.
#   ODBC    isql (unixODBC) with the PostgreSQL driver, a DSN of the test's own
#           (ODBCINI/ODBCSYSINI), reads the national table of the published view
#   Python  psycopg (Debian python3-psycopg, run by /usr/bin/python3) reads the
#           national and per-unit rows and checks them against psql
#   GDAL    ogr2ogr exports npda.kpi_map for one KPI to GeoJSON and GeoPackage;
#           feature count, properties and geometry validity are checked
#   SVG     npda.kpi_map_svg rendered to PNG by rsvg-convert: a PNG of 900 x 1000
# Prints TAP.
#
# Environment: PGHOST/PGPORT of the cluster (tools/npda-env.sh; the cluster
# listens on 127.0.0.1 too), NPDA_CLIENTS_CHILDREN (default 3000).
set -uo pipefail
cd "$(dirname "$0")/../.."
source test/lib/tap.sh
q() { psql -X -q -v ON_ERROR_STOP=1 -At "$@"; }
DB=npda_clients
YEAR=2024
KPI=13
ANALYST=npda_clients_analyst
PASSWORD="clients-$RANDOM-$RANDOM"
CHILDREN=${NPDA_CLIENTS_CHILDREN:-3000}
dir=$(mktemp -d /tmp/npda-clients.XXXXXX)
chmod 0755 "$dir"
HBA=$(q -d postgres -c "SHOW hba_file")
cp "$HBA" "$dir/pg_hba.conf.orig"
cleanup() {
  cp "$dir/pg_hba.conf.orig" "$HBA" && q -d postgres -c "SELECT pg_reload_conf()" >/dev/null 2>&1
  q -d postgres -c "DROP DATABASE IF EXISTS $DB" >/dev/null 2>&1
  q -d postgres -c "DROP ROLE IF EXISTS $ANALYST" >/dev/null 2>&1
  rm -rf "$dir"
}
trap cleanup EXIT
for tool in isql ogr2ogr ogrinfo rsvg-convert; do
  command -v "$tool" >/dev/null || { echo "not ok 1 - $tool is installed (tools/npda-env.sh installs it)"; echo "1..1"; exit 1; }
done

# ---- the database: a national submission for one year, its roll-ups, an analyst ----
q -d postgres -c "SET client_min_messages = warning" -c "DROP DATABASE IF EXISTS $DB" -c "CREATE DATABASE $DB" >/dev/null
q -d postgres -c "SET client_min_messages = warning" -c "DROP ROLE IF EXISTS $ANALYST" \
  -c "CREATE ROLE $ANALYST LOGIN PASSWORD '$PASSWORD' IN ROLE npda_analyst" >/dev/null
q -d "$DB" -c "SET client_min_messages = error" -c "CREATE EXTENSION npda CASCADE" >/dev/null
check $? "database $DB with npda; analyst login $ANALYST (member of npda_analyst, a password)"
if [ ! -x build/npda_gen ]; then
  cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null && cmake --build build -j2 --target npda_gen >/dev/null
fi
today=$(q -d "$DB" -c "SELECT current_date")
mkdir -p "$dir/gen"
./build/npda_gen --today "$today" --seed 11 --audit-year $YEAR --template 2021 --pdus all --children "$CHILDREN" \
  --visits-per-child 4 --out "$dir/gen" --quiet
chmod 644 "$dir"/gen/*.csv
for f in "$dir"/gen/*.csv; do
  echo "SELECT 1 FROM npda.submit_csv('$(basename "$f" | cut -d_ -f1)', pg_read_binary_file('$f'), $YEAR, '$(basename "$f")');"
done > "$dir/submit.sql"
q -d "$DB" -f "$dir/submit.sql" >/dev/null && q -d "$DB" -c "SELECT npda.refresh_kpi_aggregations($YEAR)" >/dev/null
check $? "a synthetic national submission for $YEAR ($(ls "$dir"/gen/*.csv | wc -l) files, $CHILDREN children) and its roll-ups"
national_rows=$(q -d "$DB" -c "SELECT count(*) FROM npda.kpi_results_published WHERE level = 'national' AND audit_year = $YEAR")
is "$national_rows" 51 "the published national table has the 51 KPIs"

# The analyst must give the password over TCP (the cluster trusts the rest).
{ echo "host all $ANALYST 127.0.0.1/32 scram-sha-256"; cat "$dir/pg_hba.conf.orig"; } > "$HBA"
q -d postgres -c "SELECT pg_reload_conf()" >/dev/null
PGPASSWORD=wrong psql -X -At -h 127.0.0.1 -p "$PGPORT" -U "$ANALYST" -d "$DB" -c "SELECT 1" >/dev/null 2>&1
check $((! $?)) "over TCP the analyst with a wrong password is refused"
is "$(PGPASSWORD=$PASSWORD psql -X -At -h 127.0.0.1 -p "$PGPORT" -U "$ANALYST" -d "$DB" -c "SELECT current_user")" "$ANALYST" \
   "and with the password gets in"

# ---- ODBC: isql with a DSN of the test's own -----------------------------------
cat > "$dir/odbcinst.ini" <<INI
[PostgreSQL Unicode]
Description = PostgreSQL ODBC driver (Unicode), Debian odbc-postgresql
Driver = /usr/lib/$(dpkg-architecture -qDEB_HOST_MULTIARCH 2>/dev/null || echo x86_64-linux-gnu)/odbc/psqlodbcw.so
INI
cat > "$dir/odbc.ini" <<INI
[npda]
Description = npda published results
Driver = PostgreSQL Unicode
Servername = 127.0.0.1
Port = $PGPORT
Database = $DB
SSLmode = disable
ReadOnly = 1
INI
odbc() { ODBCSYSINI=$dir ODBCINI=$dir/odbc.ini isql npda "$ANALYST" "$PASSWORD" -b -d'|' "$@"; }
national_sql="SELECT kpi, eligible, passed, pct_passed FROM npda.kpi_results_published WHERE level = 'national' AND audit_year = $YEAR ORDER BY kpi_position"
echo "$national_sql" | odbc >"$dir/odbc.out" 2>&1
check $? "odbc: isql connects through DSN npda (unixODBC, psqlODBC, TCP, password) as $ANALYST"
q -d "$DB" -F '|' -c "$national_sql" >"$dir/psql.out"
# isql prints NULL as an empty field, like psql -At.
sed -i 's/ *$//' "$dir/odbc.out"
is "$(grep -c . "$dir/odbc.out")" "$national_rows" "odbc: the national table has $national_rows rows"
diff -q "$dir/odbc.out" "$dir/psql.out" >/dev/null
check $? "odbc: every row and figure equals what psql reads"
[ $? = 0 ] || diff "$dir/odbc.out" "$dir/psql.out" | head -5 | sed 's/^/#   /'
echo "SELECT count(*) FROM npda.patient" | odbc -v >"$dir/odbc-patient.out" 2>&1
grep -qi "permission denied" "$dir/odbc-patient.out"
check $? "odbc: the analyst cannot read npda.patient"

# ---- Python: psycopg ------------------------------------------------------------
pyconn="host=127.0.0.1 port=$PGPORT dbname=$DB user=$ANALYST password=$PASSWORD"
for level in national pdu; do
  q -d "$DB" -F '|' -c "SELECT level, area_code, kpi, eligible, passed, pct_passed, value, suppressed FROM npda.kpi_results_published WHERE audit_year = $YEAR AND level = '$level' ORDER BY area_code, kpi_position" >"$dir/expected-$level.txt"
done
/usr/bin/python3 test/clients/check_results.py "$pyconn" "$YEAR" "$dir/expected-national.txt" "$dir/expected-pdu.txt" >"$dir/python.out" 2>&1
py_status=$?
py_ok=$(grep -cE '^ok [0-9]+' "$dir/python.out" || true)
grep -E '^(ok|not ok) [0-9]+' "$dir/python.out" | sed -E 's/^(ok|not ok) [0-9]+ - /\1 - /' | while IFS= read -r line; do echo "# $line"; done
is "$py_status $py_ok" "0 4" "python: /usr/bin/python3 with psycopg $(/usr/bin/python3 -c 'import psycopg; print(psycopg.__version__)' 2>/dev/null): 4 checks passed"
[ "$py_status" = 0 ] || grep -vE '^ok ' "$dir/python.out" | head -10 | sed 's/^/#   /'

# ---- GDAL: ogr2ogr to GeoJSON and GeoPackage ------------------------------------
pgsrc="PG:host=127.0.0.1 port=$PGPORT dbname=$DB user=$ANALYST password=$PASSWORD"
map_sql="SELECT area_code, area_name, kpi, eligible, passed, pct_passed, geom FROM npda.kpi_map WHERE level = 'integrated_care_board' AND kpi = '$KPI' AND audit_year = $YEAR"
icbs=$(q -d "$DB" -c "SELECT count(*) FROM ($map_sql) m WHERE geom IS NOT NULL")
ogr2ogr -f GeoJSON "$dir/icb.geojson" "$pgsrc" -sql "$map_sql" -nln icb_kpi_$KPI 2>"$dir/ogr.err"
check $? "gdal: ogr2ogr exports npda.kpi_map (ICBs, KPI $KPI, $YEAR) to GeoJSON as the analyst"
ogr2ogr -f GPKG "$dir/icb.gpkg" "$pgsrc" -sql "$map_sql" -nln icb_kpi_$KPI 2>>"$dir/ogr.err"
check $? "gdal: and to GeoPackage"
[ -s "$dir/ogr.err" ] && sed 's/^/#   /' "$dir/ogr.err" | head -5
is "$(ogrinfo -ro -so "$dir/icb.geojson" icb_kpi_$KPI 2>/dev/null | sed -n 's/^Feature Count: //p')" "$icbs" \
   "gdal: the GeoJSON has $icbs features (ogrinfo)"
is "$(ogrinfo -ro -so "$dir/icb.gpkg" icb_kpi_$KPI 2>/dev/null | sed -n 's/^Feature Count: //p')" "$icbs" \
   "gdal: the GeoPackage has $icbs features (ogrinfo)"
# The GeoJSON read back by PostGIS: properties as the view has them, every geometry valid.
got=$(q -d "$DB" -v file="$dir/icb.geojson" <<'SQL'
\set gj `cat :'file'`
SELECT count(*) || ' ' || count(*) FILTER (WHERE ST_IsValid(ST_GeomFromGeoJSON(f->'geometry')))
       || ' ' || count(*) FILTER (WHERE (f->'properties') ?& ARRAY['area_code', 'area_name', 'kpi', 'eligible', 'passed', 'pct_passed'])
       || ' ' || count(*) FILTER (WHERE m.area_code IS NOT NULL AND m.area_name = f->'properties'->>'area_name'
                                     AND m.pct_passed IS NOT DISTINCT FROM (f->'properties'->>'pct_passed')::numeric)
  FROM jsonb_array_elements((:'gj')::jsonb->'features') f
  LEFT JOIN npda.kpi_results_published m ON m.level = 'integrated_care_board' AND m.kpi = '13' AND m.audit_year = 2024
                          AND m.area_code = f->'properties'->>'area_code';
SQL
)
is "$got" "$icbs $icbs $icbs $icbs" "gdal: GeoJSON features: geometries valid (ST_IsValid), properties present, figures the published ones"
# The GeoPackage read with sqlite3: the attribute table and the geometries (GPKG
# header + WKB), which PostGIS checks.
/usr/bin/python3 - "$dir/icb.gpkg" icb_kpi_$KPI >"$dir/gpkg.txt" 2>"$dir/gpkg.err" <<'PY'
import sqlite3, struct, sys
db = sqlite3.connect(sys.argv[1])
table = sys.argv[2]
geom_col = db.execute("SELECT column_name FROM gpkg_geometry_columns WHERE table_name = ?", (table,)).fetchone()[0]
for code, name, blob in db.execute(f'SELECT area_code, area_name, "{geom_col}" FROM "{table}"'):
    assert blob[:2] == b"GP", "not a GeoPackage geometry"
    flags = blob[3]
    envelope = {0: 0, 1: 32, 2: 48, 3: 48, 4: 64}[(flags >> 1) & 7]
    print("%s\t%s" % (code, blob[8 + envelope:].hex()))
PY
check $? "gdal: the GeoPackage is a SQLite database with GeoPackage geometries (python3 sqlite3)"
{
  echo "SELECT count(*) || ' ' || count(*) FILTER (WHERE ST_IsValid(ST_GeomFromWKB(decode(w, 'hex'))) AND ST_Equals(ST_GeomFromWKB(decode(w, 'hex'), 4326), m.geom))"
  echo "  FROM (VALUES $(awk -F'\t' '{printf "%s(\047%s\047, \047%s\047)", (NR > 1 ? ", " : ""), $1, $2}' "$dir/gpkg.txt")) v(code, w)"
  echo "  JOIN npda.kpi_map m ON m.level = 'integrated_care_board' AND m.kpi = '$KPI' AND m.audit_year = $YEAR AND m.area_code = v.code;"
} >"$dir/gpkg.sql"
got=$(q -d "$DB" -f "$dir/gpkg.sql")
is "$got" "$icbs $icbs" "gdal: every GeoPackage geometry is valid and equals the area's boundary"

# ---- the SVG map rendered to PNG ---------------------------------------------------
PGPASSWORD=$PASSWORD psql -X -At -h 127.0.0.1 -p "$PGPORT" -U "$ANALYST" -d "$DB" \
  -c "SELECT npda.kpi_map_svg('$KPI', 'integrated_care_board', $YEAR)" >"$dir/map.svg"
check $? "svg: npda.kpi_map_svg as the analyst ($(wc -c <"$dir/map.svg") bytes)"
rsvg-convert -o "$dir/map.png" "$dir/map.svg" 2>"$dir/rsvg.err"
check $? "svg: rsvg-convert renders it"
[ -s "$dir/rsvg.err" ] && sed 's/^/#   /' "$dir/rsvg.err" | head -5
png=$(od -An -tx1 -N 24 "$dir/map.png" | tr -d ' \n')
is "${png:0:16}" "89504e470d0a1a0a" "svg: the output is a PNG (signature)"
is "$((16#${png:32:8})) x $((16#${png:40:8}))" "900 x 1000" "svg: of the document's size, 900 x 1000 pixels (IHDR)"

tap_done
