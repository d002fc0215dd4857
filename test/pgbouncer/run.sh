#!/usr/bin/env bash
# npda.act_as through a real connection pooler (make test runs it against its
# cluster): PgBouncer in transaction pooling mode with a pool of ONE server
# connection, two application clients (as a web application's workers would
# be) acting for two people of two units, their transactions interleaved on
# that one connection -- one even queued behind the other. Each transaction
# sees exactly its person's unit, and what one transaction named is never
# seen by the next on the shared connection. Prints TAP.
#
# Environment: PGHOST/PGPORT of the cluster (tools/npda-env.sh), and
# NPDA_PGBOUNCER_PORT (default 55433) for the pooler's own unix socket.
set -uo pipefail
cd "$(dirname "$0")/../.."
source test/lib/tap.sh
q() { psql -X -q -v ON_ERROR_STOP=1 -At "$@"; }
DB=npda_pgbouncer
PORT=${NPDA_PGBOUNCER_PORT:-55433}
dir=$(mktemp -d /tmp/npda-pgbouncer.XXXXXX)
chown postgres: "$dir"; chmod 0755 "$dir"
bouncer_pid=
cleanup() {
  [ -n "${A_PID:-}" ] && kill "$A_PID" 2>/dev/null
  [ -n "${B_PID:-}" ] && kill "$B_PID" 2>/dev/null
  if [ -n "$bouncer_pid" ]; then kill "$bouncer_pid" 2>/dev/null; wait_gone "$bouncer_pid"; fi
  q -d postgres -c "DROP DATABASE IF EXISTS $DB" >/dev/null 2>&1
  q -d postgres -c "DROP ROLE IF EXISTS npda_pgb_app" >/dev/null 2>&1
  rm -rf "$dir"
}
wait_gone() { for _ in $(seq 1 50); do kill -0 "$1" 2>/dev/null || return 0; sleep 0.1; done; }
trap cleanup EXIT

command -v pgbouncer >/dev/null || { echo "not ok 1 - pgbouncer is installed (Debian package pgbouncer)"; echo "1..1"; exit 1; }

# ---- the database: two units' submissions, two people, one application login
q -d postgres -c "SET client_min_messages = warning" -c "DROP DATABASE IF EXISTS $DB" -c "CREATE DATABASE $DB" >/dev/null
q -d postgres -c "SET client_min_messages = warning" -c "DROP ROLE IF EXISTS npda_pgb_app" \
  -c "CREATE ROLE npda_pgb_app LOGIN IN ROLE npda_application" >/dev/null
q -d "$DB" -v file=test/fixtures/npda_dummy_sheet_2024-10.csv >/dev/null 2>&1 <<'SQL'
SET client_min_messages = error;
CREATE EXTENSION npda CASCADE;
UPDATE npda.audit_period SET is_open = true WHERE start_date = '2025-04-01';
\set content `base64 -w0 :'file'`
SELECT npda.submit_csv('PZ041', decode(:'content', 'base64'), 2025, 'a.csv');
SELECT npda.submit_csv('PZ215', convert_to(replace(convert_from(decode(:'content', 'base64'), 'UTF8'), ',PZ041,', ',PZ215,'), 'UTF8'), 2025, 'b.csv');
SELECT npda.add_user('jane@a.example', 'editor', '{PZ041}');
SELECT npda.add_user('bob@b.example', 'editor', '{PZ215}');
SQL
check $? "database with units A (PZ041) and B (PZ215), users Jane (A) and Bob (B) and an application login"
children_a=$(q -d "$DB" -c "SELECT count(*) FROM npda.patient p JOIN npda.submission s ON s.id = p.submission_id JOIN npda.paediatric_diabetes_unit u ON u.id = s.paediatric_diabetes_unit_id WHERE u.pz_code = 'PZ041'")
children_b=$(q -d "$DB" -c "SELECT count(*) FROM npda.patient p JOIN npda.submission s ON s.id = p.submission_id JOIN npda.paediatric_diabetes_unit u ON u.id = s.paediatric_diabetes_unit_id WHERE u.pz_code = 'PZ215'")

# ---- PgBouncer: transaction pooling, one server connection ----------------------
cat >"$dir/pgbouncer.ini" <<INI
[databases]
$DB = host=$PGHOST port=$PGPORT dbname=$DB user=npda_pgb_app pool_size=1

[pgbouncer]
listen_addr =
listen_port = $PORT
unix_socket_dir = $dir
auth_type = trust
auth_file = $dir/userlist.txt
pool_mode = transaction
default_pool_size = 1
max_client_conn = 10
server_lifetime = 3600
server_idle_timeout = 3600
logfile = $dir/pgbouncer.log
pidfile = $dir/pgbouncer.pid
INI
echo '"npda_pgb_app" ""' >"$dir/userlist.txt"
chown postgres: "$dir"/pgbouncer.ini "$dir"/userlist.txt
runuser -u postgres -- pgbouncer -d "$dir/pgbouncer.ini"
for _ in $(seq 1 50); do [ -S "$dir/.s.PGSQL.$PORT" ] && break; sleep 0.1; done
bouncer_pid=$(cat "$dir/pgbouncer.pid" 2>/dev/null)
[ -S "$dir/.s.PGSQL.$PORT" ] && [ -n "$bouncer_pid" ]
check $? "pgbouncer listens on its own socket ($dir, port $PORT), pool_mode = transaction, pool_size = 1"

# ---- two clients, each a psql reading statements from a pipe --------------------
client() { # name: a psql through the pooler, reading $dir/name.in, writing $dir/name.out
  mkfifo "$dir/$1.in" "$dir/$1.out"
  psql -X -q -At -v ON_ERROR_STOP=0 -h "$dir" -p "$PORT" -U npda_pgb_app -d "$DB" <"$dir/$1.in" >"$dir/$1.out" 2>&1 &
}
client a; A_PID=$!; exec {A_IN}>"$dir/a.in" {A_OUT}<"$dir/a.out"
client b; B_PID=$!; exec {B_IN}>"$dir/b.in" {B_OUT}<"$dir/b.out"
send() { # client sql : send without waiting
  local fd; [ "$1" = A ] && fd=$A_IN || fd=$B_IN
  printf '%s\n\\echo __done__\n' "$2" >&"$fd"
}
recv() { # client : the output of the last statement sent, up to its marker
  local fd line out=""; [ "$1" = A ] && fd=$A_OUT || fd=$B_OUT
  while IFS= read -r -t 30 line <&"$fd"; do
    [ "$line" = __done__ ] && break
    out+="${out:+ }$line"
  done
  printf '%s' "$out"
}
run() { send "$1" "$2"; recv "$1"; }
children="SELECT count(*) FROM npda.patient"

# Transaction 1 (A, Jane) and 2 (B, Bob), one after the other.
run A "BEGIN;" >/dev/null
pid_a1=$(run A "SELECT pg_backend_pid();")
run A "SELECT npda.act_as('jane@a.example') IS NOT NULL;" >/dev/null
is "$(run A "$children;")" "$children_a" "client A, acting for Jane, sees unit A's $children_a children"
is "$(run A "SELECT count(*) FROM npda.patient p JOIN npda.submission s ON s.id = p.submission_id JOIN npda.paediatric_diabetes_unit u ON u.id = s.paediatric_diabetes_unit_id WHERE u.pz_code = 'PZ215';")" 0 \
   "and none of unit B's"
run A "COMMIT;" >/dev/null
run B "BEGIN;" >/dev/null
pid_b1=$(run B "SELECT pg_backend_pid();")
is "$pid_b1" "$pid_a1" "client B's transaction runs on the same server connection (backend $pid_a1)"
is "$(run B "$children;")" 0 "where, before acting for anyone, it sees nothing: Jane did not outlive A's transaction"
run B "SELECT npda.act_as('bob@b.example') IS NOT NULL;" >/dev/null
is "$(run B "$children;")" "$children_b" "client B, acting for Bob, sees unit B's $children_b children"
is "$(run B "SELECT count(*) FROM npda.patient p JOIN npda.submission s ON s.id = p.submission_id JOIN npda.paediatric_diabetes_unit u ON u.id = s.paediatric_diabetes_unit_id WHERE u.pz_code = 'PZ041';")" 0 \
   "and none of unit A's"
run B "COMMIT;" >/dev/null

# Interleaved: A holds the only connection while B's statement waits for it.
run A "BEGIN;" >/dev/null
run A "SELECT npda.act_as('jane@a.example') IS NOT NULL;" >/dev/null
send B "SELECT pg_backend_pid() || ' ' || ($children);"
sleep 0.5
is "$(run A "$children;")" "$children_a" "with B's statement queued behind it, A still acts for Jane"
is "$(run A "SELECT (npda.submit_csv('PZ041', (SELECT csv FROM npda.submission WHERE file_name = 'a.csv' AND is_active), 2025, 'by-jane.csv')).id IS NOT NULL;")" t \
   "and submits for unit A through the pooler"
run A "COMMIT;" >/dev/null
is "$(recv B)" "$pid_a1 0" "B's queued statement then runs on the same connection and sees nothing: it acts for nobody"

# Autocommit statements, alternating.
is "$(run A "SELECT npda.act_as('jane@a.example') IS NOT NULL;")" t "A: a lone act_as (its own transaction) ..."
is "$(run B "SELECT pg_backend_pid() || ' ' || ($children);")" "$pid_a1 0" "... leaves nothing behind for B's next statement on the shared connection"
is "$(run A "$children;")" 0 "... nor for A's"

# What a client can try instead of act_as.
run B "SET npda.acting_user = 'jane@a.example';" >/dev/null
is "$(run B "$children;")" 0 "B: a setting (npda.acting_user) makes it nobody"
run B "SELECT npda.act_as('bob@b.example') IS NOT NULL;" >/dev/null
is "$(run B "SELECT npda.act_as('jane@a.example') IS NOT NULL;")" t \
   "two autocommit act_as statements are two transactions: Bob, then Jane, no NP206"
run B "BEGIN;" >/dev/null
run B "SELECT npda.act_as('bob@b.example') IS NOT NULL;" >/dev/null
is "$(run B "\\set VERBOSITY verbose
SELECT npda.act_as('jane@a.example');" | grep -o 'NP206' | head -1)" NP206 "within one transaction B cannot switch from Bob to Jane (NP206)"
run B "ROLLBACK;" >/dev/null

# The log: Jane's upload, through the application's login.
is "$(q -d "$DB" -c "SELECT string_agg(format('%s %s %s', a.activity, u.email, a.db_role), ', ') FROM npda.visit_activity a JOIN npda.npda_user u ON u.id = a.npda_user_id")" \
   "8 jane@a.example npda_pgb_app" "the activity log has Jane's upload (8), made through the application login"
is "$(q -d "$DB" -c "SELECT submitted_by FROM npda.submission WHERE file_name = 'by-jane.csv'")" "jane@a.example" \
   "and the submission's submitted_by is Jane"
server_connections=$(grep -c "new connection to server" "$dir/pgbouncer.log" || true)
is "$server_connections" 1 "pgbouncer opened exactly one server connection for all of it"

exec {A_IN}>&- {B_IN}>&-
wait "$A_PID" 2>/dev/null; wait "$B_PID" 2>/dev/null; A_PID=; B_PID=
kill "$bouncer_pid" && wait_gone "$bouncer_pid" && ! kill -0 "$bouncer_pid" 2>/dev/null
check $? "pgbouncer stopped"
bouncer_pid=

tap_done
