#!/usr/bin/env bash
# Assemble the extension's SQL scripts from their parts.
#
#   npda--<first>.sql        the first release: every sql/NN_*.sql and seeds/NN_*.sql,
#                            ordered by file name across both folders
#   npda--<A>--<B>.sql       each upgrade: the parts in migrations/npda--A--B/NN_*.sql
#                            (or a single hand-written migrations/npda--A--B.sql)
#   npda--<default>.sql      a fresh install of the newest version: the first
#                            release followed by every upgrade in order, so a fresh
#                            install and an upgraded one run the very same SQL
#
# Usage: tools/build-sql.sh OUTDIR   (prints the files it wrote)
#        tools/build-sql.sh --list   (prints the file names it would write)
set -euo pipefail
cd "$(dirname "$0")/.."
list=0; [ "${1:-}" = --list ] && { list=1; shift; }
out=${1:-.}
first=1.0
default=$(sed -n "s/^default_version *= *'\(.*\)'/\1/p" npda.control)

parts() { # list NN_*.sql files of the given folders, ordered by base name
  for d in "$@"; do ls "$d"/[0-9][0-9]_*.sql 2>/dev/null || true; done |
    awk -F/ '{print $NF" "$0}' | sort | cut -d' ' -f2
}

if [ $list = 1 ]; then
  echo "npda--$first.sql"; v=$first
  while [ "$v" != "$default" ]; do
    next=""; for m in migrations/npda--"$v"--*; do [ -e "$m" ] || continue; n=${m#migrations/npda--$v--}; next=${n%.sql}; done
    [ -n "$next" ] || exit 1
    echo "npda--$v--$next.sql"; v=$next
  done
  [ "$default" = "$first" ] || echo "npda--$default.sql"
  exit 0
fi

tmp=$(mktemp); trap 'rm -f "$tmp"' EXIT
cat $(parts sql seeds) > "$tmp"
cp "$tmp" "$out/npda--$first.sql"; echo "$out/npda--$first.sql"

# Walk the upgrade chain from the first release to the default version.
v=$first
full=$(mktemp); trap 'rm -f "$tmp" "$full"' EXIT
cp "$tmp" "$full"
while [ "$v" != "$default" ]; do
  next=""
  for m in migrations/npda--"$v"--*; do
    [ -e "$m" ] || continue
    n=${m#migrations/npda--$v--}; n=${n%.sql}; next=$n; src=$m
  done
  [ -n "$next" ] || { echo "no upgrade path from $v to $default in migrations/" >&2; exit 1; }
  if [ -d "$src" ]; then cat $(parts "$src") > "$out/npda--$v--$next.sql"; else cp "$src" "$out/npda--$v--$next.sql"; fi
  echo "$out/npda--$v--$next.sql"
  cat "$out/npda--$v--$next.sql" >> "$full"
  v=$next
done
if [ "$default" != "$first" ]; then cp "$full" "$out/npda--$default.sql"; echo "$out/npda--$default.sql"; fi
