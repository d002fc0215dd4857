#!/usr/bin/env bash
# Assemble the extension's SQL scripts (the TimescaleDB shape; see sql/README.md
# and migrations/README.md):
#
#   migrations/<version>/NN_*.sql   tables, types, indexes and data changes of each
#                                   release, append-only (the first release also
#                                   takes seeds/NN_*.sql, ordered by file name with
#                                   its migrations)
#   sql/NN_*.sql                    the current definitions: functions, views,
#                                   triggers, grants, comments, schedules
#
# It writes, for the default version D of npda.control (the newest folder):
#   npda--D.sql        a fresh install: every release's migrations in version
#                      order, then sql/
#   npda--V--D.sql     for every earlier release V: the migrations of the releases
#                      after V, then sql/ again, so an updated database ends with
#                      the very same definitions as a fresh one
#
# Usage: tools/build-sql.sh OUTDIR   (prints the files it wrote)
#        tools/build-sql.sh --list   (prints the file names it would write)
set -euo pipefail
cd "$(dirname "$0")/.."
list=0; [ "${1:-}" = --list ] && { list=1; shift; }
out=${1:-.}
default=$(sed -n "s/^default_version *= *'\(.*\)'/\1/p" npda.control)

mapfile -t versions < <(find migrations -mindepth 1 -maxdepth 1 -type d -printf '%f\n' | grep -E '^[0-9]+(\.[0-9]+)+$' | sort -V)
[ ${#versions[@]} -gt 0 ] || { echo "build-sql.sh: no release folders in migrations/" >&2; exit 1; }
newest=${versions[-1]}
if [ "$newest" != "$default" ]; then
  echo "build-sql.sh: npda.control says default_version '$default' but the newest folder is migrations/$newest/" >&2
  exit 1
fi
first=${versions[0]}

if [ $list = 1 ]; then
  echo "npda--$default.sql"
  for v in "${versions[@]}"; do [ "$v" = "$default" ] || echo "npda--$v--$default.sql"; done
  exit 0
fi

parts() { # NN_*.sql files of the given folders, ordered by base name
  for d in "$@"; do ls "$d"/[0-9][0-9]_*.sql 2>/dev/null || true; done |
    awk -F/ '{print $NF" "$0}' | sort | cut -d' ' -f2
}
emit() { # the files given, each under a line naming it
  local f
  for f in "$@"; do printf -- '-- ---- %s ----\n' "$f"; cat "$f"; printf '\n'; done
}
migrations_of() { # the migration parts of one release
  if [ "$1" = "$first" ]; then parts "migrations/$1" seeds; else parts "migrations/$1"; fi
}

fresh="$out/npda--$default.sql"
{
  printf -- '-- npda %s: fresh install, assembled by tools/build-sql.sh from migrations/, seeds/ and\n' "$default"
  printf -- '-- sql/; edit the parts, not this script.\n'
  printf '\\echo Use "CREATE EXTENSION npda CASCADE" to load this file. \\quit\n\n'
  for v in "${versions[@]}"; do mapfile -t p < <(migrations_of "$v"); emit "${p[@]}"; done
  mapfile -t p < <(parts sql); emit "${p[@]}"
} > "$fresh"
echo "$fresh"

for old in "${versions[@]}"; do
  [ "$old" != "$default" ] || continue
  script="$out/npda--$old--$default.sql"
  {
    printf -- '-- npda %s -> %s: assembled by tools/build-sql.sh (the migrations after %s, then\n' "$old" "$default" "$old"
    printf -- '-- the current definitions of sql/); edit the parts, not this script.\n'
    printf '\\echo Use "ALTER EXTENSION npda UPDATE TO '"'"'%s'"'"'" to load this file. \\quit\n\n' "$default"
    after=0
    for v in "${versions[@]}"; do
      if [ $after = 1 ]; then mapfile -t p < <(migrations_of "$v"); emit "${p[@]}"; fi
      [ "$v" != "$old" ] || after=1
    done
    mapfile -t p < <(parts sql); emit "${p[@]}"
  } > "$script"
  echo "$script"
done
