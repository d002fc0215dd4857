#!/usr/bin/env bash
# make demo, last part (after tools/demo/demo.sql has refreshed the roll-ups):
# the national map of one KPI by integrated care board, 2025-26, as a picture
# (npda.kpi_map_svg) and as GeoJSON (a FeatureCollection of npda.kpi_map), in
# NPDA_DEMO_OUT (default /tmp/npda-demo-<uid>); prints where they are.
set -euo pipefail
cd "$(dirname "$0")/../.."
out=${NPDA_DEMO_OUT:-/tmp/npda-demo-$(id -u)}
mkdir -p "$out"
kpi=32.3; year=2025
echo "== The map of KPI $kpi (all six health checks, children 12 and over) by integrated care board, $year-$(( (year + 1) % 100 )): SVG and GeoJSON"
psql -X -At -v ON_ERROR_STOP=1 -c "SELECT npda.kpi_map_svg('$kpi', 'integrated_care_board', $year)" >"$out/npda-kpi$kpi-icb-$year.svg"
psql -X -At -v ON_ERROR_STOP=1 >"$out/npda-kpi$kpi-icb-$year.geojson" <<SQL
SELECT json_build_object(
         'type', 'FeatureCollection',
         'features', json_agg(json_build_object(
           'type', 'Feature',
           'geometry', ST_AsGeoJSON(m.geom, 5)::json,
           'properties', json_build_object('area_code', m.area_code, 'area_name', m.area_name, 'kpi', m.kpi,
                                           'label', m.label, 'audit_year', m.audit_year, 'eligible', m.eligible,
                                           'passed', m.passed, 'pct_passed', m.pct_passed))
           ORDER BY m.area_code))
  FROM npda.kpi_map m
 WHERE m.level = 'integrated_care_board' AND m.kpi = '$kpi' AND m.audit_year = $year AND m.geom IS NOT NULL;
SQL
for f in "$out/npda-kpi$kpi-icb-$year.svg" "$out/npda-kpi$kpi-icb-$year.geojson"; do
  printf '   %-60s %7d bytes\n' "$f" "$(wc -c <"$f")"
done
if command -v rsvg-convert >/dev/null; then
  rsvg-convert -o "$out/npda-kpi$kpi-icb-$year.png" "$out/npda-kpi$kpi-icb-$year.svg" &&
    printf '   %-60s %7d bytes (rendered by rsvg-convert)\n' "$out/npda-kpi$kpi-icb-$year.png" "$(wc -c <"$out/npda-kpi$kpi-icb-$year.png")"
fi
echo "   Open the .svg in a browser (hover over an area for its name and figure), the .geojson in QGIS or geojson.io."
