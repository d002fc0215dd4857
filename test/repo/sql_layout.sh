#!/usr/bin/env bash
# The SQL layout keeps its promises (sql/README.md, migrations/README.md):
#   - every object is defined in exactly one place: each CREATE of a table, type,
#     index, view, function or trigger, and each COMMENT ON an object, appears
#     once across migrations/, seeds/ and sql/;
#   - migrations hold tables and data only (no function, view, trigger, policy,
#     row-security switch, grant or comment), and sql/ holds no table, index or
#     ALTER TABLE other than ENABLE ROW LEVEL SECURITY (kept with its policies);
#   - what CREATE OR REPLACE cannot re-apply (a policy, a constraint trigger) is
#     dropped IF EXISTS just before it is created;
#   - the newest migrations folder is npda.control's default_version.
# Prints TAP.
set -uo pipefail
cd "$(dirname "$0")/../.."
source test/lib/tap.sh

migration_files=$(ls migrations/*/[0-9][0-9]_*.sql seeds/[0-9][0-9]_*.sql)
definition_files=$(ls sql/[0-9][0-9]_*.sql)

# "kind name" for every definition in the given files, one line per occurrence,
# prefixed with the file. Names are lower-cased; function names keep their
# argument list's types so that overloads count apart.
definitions() {
  perl -ne '
    BEGIN { $f = "" }
    if ($ARGV ne $f) { $f = $ARGV }
    if (/^\s*CREATE\s+(?:OR\s+REPLACE\s+)?(TABLE|TYPE|VIEW|TRIGGER)\s+([\w.]+)/i) { print "$f\t\L$1 $2\n" }
    if (/^\s*CREATE\s+(?:UNIQUE\s+)?INDEX\s+([\w.]+)/i) { print "$f\tindex \L$1\n" }
    if (/^\s*CREATE\s+(?:OR\s+REPLACE\s+)?FUNCTION\s+([\w.]+)\s*\(([^)]*)\)/i) {
      my ($name, $args) = ($1, $2);
      my @types = map { s/\s+DEFAULT\s+.*//i; s/^\s*(?:IN\s+|OUT\s+|INOUT\s+)?\w+\s+(?=\S)//; s/^\s+|\s+$//g; lc } split /,/, $args;
      print "$f\tfunction \L$name\E(" . join(",", @types) . ")\n";
    }
    if (/^\s*CREATE\s+CONSTRAINT\s+TRIGGER\s+([\w.]+)/i) { print "$f\ttrigger \L$1\n" }
    if (/^\s*CREATE\s+POLICY\s+(\w+)\s+ON\s+([\w.]+)/i) { print "$f\tpolicy \L$1 on $2\n" }
    if (/^\s*COMMENT ON\s+(TABLE|COLUMN|VIEW|FUNCTION|TYPE|SCHEMA|TRIGGER|POLICY|ROLE)\s+(.+?)\s+IS\b/i) { print "$f\tcomment \L$1 $2\n" }
  ' "$@"
}

all=$(definitions $migration_files $definition_files)
[ "$(wc -l <<<"$all")" -gt 400 ]; check $? "definitions found ($(wc -l <<<"$all"))"
dups=$(cut -f2 <<<"$all" | sort | uniq -d)
[ -z "$dups" ]; check $? "every object is defined and commented in exactly one place"
[ -z "$dups" ] || while read -r d; do grep -F "$(printf '\t')$d" <<<"$all" | sed 's/^/#   /'; done <<<"$dups"

bad=$(grep -nEi '^\s*(CREATE\s+(OR\s+REPLACE\s+)?(CONSTRAINT\s+)?(FUNCTION|VIEW|TRIGGER|PROCEDURE|POLICY)|COMMENT\s+ON|GRANT|REVOKE)\b|ROW\s+LEVEL\s+SECURITY' $migration_files || true)
[ -z "$bad" ]; check $? "migrations hold tables and data only"
[ -z "$bad" ] || sed 's/^/#   /' <<<"$bad"
bad=$(grep -nEi '^\s*(CREATE\s+(UNLOGGED\s+)?TABLE|ALTER\s+TABLE|CREATE\s+(UNIQUE\s+)?INDEX|CREATE\s+TYPE)\b' $definition_files |
      grep -vEi 'ALTER\s+TABLE\s+[a-z_.]+\s+ENABLE\s+ROW\s+LEVEL\s+SECURITY\s*;' || true)
[ -z "$bad" ]; check $? "sql/ holds no table, index or type (and no ALTER TABLE but ENABLE ROW LEVEL SECURITY)"
[ -z "$bad" ] || sed 's/^/#   /' <<<"$bad"
bad=$(grep -nEi '^\s*CREATE\s+(FUNCTION|VIEW|TRIGGER)\b' $definition_files || true)
[ -z "$bad" ]; check $? "sql/ definitions can be re-applied (CREATE OR REPLACE)"
[ -z "$bad" ] || sed 's/^/#   /' <<<"$bad"

# A policy or constraint trigger is re-created on every update: the line before
# its CREATE drops it if it exists.
bad=$(perl -ne '
  if (/^\s*DROP\s+(POLICY|TRIGGER)\s+IF\s+EXISTS\s+(\w+)\s+ON\s+([\w.]+)/i) { $dropped = lc "$1 $2 $3" }
  if (/^\s*CREATE\s+(POLICY|CONSTRAINT\s+TRIGGER)\s+(\w+)\s+ON\s+([\w.]+)/i) {
    my $kind = lc $1; $kind =~ s/constraint\s+//; my $want = lc "$kind $2 $3";
    print "$ARGV:$.: $want\n" unless defined $dropped && $dropped eq $want;
    undef $dropped;
  }
  close ARGV if eof;
' $definition_files)
[ -z "$bad" ]; check $? "every policy and constraint trigger of sql/ is dropped IF EXISTS before it is created"
[ -z "$bad" ] || sed 's/^/#   /' <<<"$bad"

default=$(sed -n "s/^default_version *= *'\(.*\)'/\1/p" npda.control)
newest=$(find migrations -mindepth 1 -maxdepth 1 -type d -printf '%f\n' | sort -V | tail -1)
[ "$newest" = "$default" ]; check $? "the newest migrations folder ($newest) is the default version ($default)"

tap_done
