#!/usr/bin/env bash
# The advisory lock keys have one home, src/pg/locks.hpp:
#   - no other file of the repository spells a key (the released scripts kept
#     frozen in test/upgrade/released/ aside: they are history);
#   - docs/operations.md names every key of locks.hpp, so a DBA can recognise
#     the locks in pg_locks, and no key that locks.hpp does not define.
# Prints TAP.
set -uo pipefail
cd "$(dirname "$0")/../.."
source test/lib/tap.sh

home=src/pg/locks.hpp
keys=$(grep -oE 'k[A-Za-z]+ = [0-9]{6,}' "$home" | awk '{print $3}' | sort -u)
[ "$(wc -w <<<"$keys")" -ge 3 ]; check $? "lock keys found in $home ($(wc -w <<<"$keys"))"

# Every number of the keys' shape (ten digits starting 131388) outside the home.
# Tracked and new files alike; without git, every text file but build output.
if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
  elsewhere=$(git grep --untracked -nE '131388[0-9]{4}' -- . ":!$home" ':!test/upgrade/released/' ':!docs/operations.md' || true)
else
  elsewhere=$(grep -rInE '131388[0-9]{4}' --exclude-dir=build --exclude-dir='build-*' --exclude-dir=released \
                --exclude='npda--*.sql' . | grep -v -e "^./$home:" -e '^./docs/operations.md:' || true)
fi
[ -z "$elsewhere" ]; check $? "no file but $home spells a lock key"
[ -z "$elsewhere" ] || sed 's/^/#   /' <<<"$elsewhere"

documented=$(grep -oE '131388[0-9]{4}' docs/operations.md | sort -u)
[ "$documented" = "$keys" ]; check $? "docs/operations.md lists exactly the keys of $home"
[ "$documented" = "$keys" ] || diff <(echo "$keys") <(echo "$documented") | sed 's/^/#   /'

tap_done
