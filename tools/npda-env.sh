# Shared set-up for make demo, make test and make bench (sourced, not run).
#
# npda_install_packages  installs the Debian packages the project needs (only
#                        what is missing; needs root, as the README says)
# npda_build_install     builds and installs the extension with PGXS
# npda_cluster_start     starts a throwaway PostgreSQL 15 cluster as the postgres
#                        user in a directory of its own (not in the checkout,
#                        which may sit under /root where postgres cannot reach),
#                        with pg_cron preloaded, listening on its socket and on
#                        127.0.0.1 (same port); exports PGHOST/PGPORT/PGUSER
# npda_cluster_stop      stops it and removes its directory
set -euo pipefail

NPDA_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# NPDA_PGBIN: another PostgreSQL 15 (e.g. a relocated private copy, so that two
# checkouts can install and test at once without sharing the system directories).
PGBIN=${NPDA_PGBIN:-/usr/lib/postgresql/15/bin}
export PG_CONFIG=$PGBIN/pg_config
NPDA_CLUSTER_DIR=${NPDA_CLUSTER_DIR:-/tmp/npda-cluster-$(id -u)}
NPDA_PORT=${NPDA_PORT:-55432}
# Warnings are errors in every build unless NPDA_WERROR=0 (make test
# NPDA_WERROR=0, for a newer compiler that warns about more); the PGXS build
# reads NPDA_WERROR itself, CMake is given -DNPDA_WERROR=$NPDA_CMAKE_WERROR.
case "${NPDA_WERROR:-1}" in
  0|OFF|off|no|false) NPDA_CMAKE_WERROR=OFF ;;
  *) NPDA_CMAKE_WERROR=ON ;;
esac

NPDA_PACKAGES=(postgresql-15 postgresql-server-dev-15 postgresql-15-postgis-3 postgresql-15-postgis-3-scripts
  postgresql-15-cron postgresql-15-pgtap libtap-parser-sourcehandler-pgtap-perl pgbouncer
  make g++ cmake libgtest-dev clang-14 libclang-rt-14-dev
  odbc-postgresql unixodbc python3-psycopg gdal-bin librsvg2-bin)   # the clients of test/clients

npda_install_packages() {
  local missing=()
  for p in "${NPDA_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  echo "== installing Debian packages: ${missing[*]}"
  if [ "$(id -u)" != 0 ]; then echo "need root to install packages" >&2; return 1; fi
  # Do not let postgresql-common create and start a 15/main cluster: we run our own.
  mkdir -p /etc/postgresql-common
  if [ ! -f /etc/postgresql-common/createcluster.conf ] || ! grep -q '^create_main_cluster *= *false' /etc/postgresql-common/createcluster.conf; then
    echo "create_main_cluster = false" >> /etc/postgresql-common/createcluster.conf
  fi
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

npda_build_install() {
  echo "== building and installing the extension"
  make -C "$NPDA_ROOT" -s -j2 PG_CONFIG="$PG_CONFIG" >/dev/null
  # Scripts left by an earlier install (an older release's fresh script, say)
  # would be found by CREATE EXTENSION ... VERSION and hide what this build
  # ships: install onto a clean slate.
  rm -f "$("$PG_CONFIG" --sharedir)"/extension/npda--*.sql
  make -C "$NPDA_ROOT" -s install PG_CONFIG="$PG_CONFIG" >/dev/null
}

npda_cluster_stop() {
  if [ -f "$NPDA_CLUSTER_DIR/data/postmaster.pid" ]; then
    runuser -u postgres -- "$PGBIN/pg_ctl" -D "$NPDA_CLUSTER_DIR/data" -m fast -w stop >/dev/null 2>&1 || true
  fi
  rm -rf "$NPDA_CLUSTER_DIR"
}

npda_cluster_start() {
  npda_cluster_stop   # a cluster left by an interrupted run is replaced, not reused
  mkdir -p "$NPDA_CLUSTER_DIR"
  chown postgres: "$NPDA_CLUSTER_DIR"
  chmod 0700 "$NPDA_CLUSTER_DIR"
  runuser -u postgres -- "$PGBIN/initdb" -D "$NPDA_CLUSTER_DIR/data" --auth=trust -U postgres \
    --encoding=UTF8 --locale=C.UTF-8 >/dev/null
  cat >> "$NPDA_CLUSTER_DIR/data/postgresql.conf" <<CONF
listen_addresses = '127.0.0.1'   # TCP for the clients of test/clients (ODBC, GDAL, Python)
port = $NPDA_PORT
unix_socket_directories = '$NPDA_CLUSTER_DIR'
shared_preload_libraries = 'pg_cron'
cron.database_name = 'postgres'
cron.host = '$NPDA_CLUSTER_DIR'
fsync = off
synchronous_commit = off
full_page_writes = off
max_connections = 40
CONF
  # The server must not inherit the caller's open files beyond the standard
  # three: a lock a wrapper holds (flock, a CI runner) would otherwise stay
  # held by the postmaster after this script ends.
  runuser -u postgres -- "$PGBIN/pg_ctl" -D "$NPDA_CLUSTER_DIR/data" -l "$NPDA_CLUSTER_DIR/server.log" -w start \
    >/dev/null 3>&- 4>&- 5>&- 6>&- 7>&- 8>&- 9>&-
  export PGHOST=$NPDA_CLUSTER_DIR PGPORT=$NPDA_PORT PGUSER=postgres PGDATABASE=postgres
}
