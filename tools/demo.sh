#!/usr/bin/env bash
# make demo: the main job on sample data, in a throwaway cluster.
# Installs what is missing, builds and installs npda, creates the extension
# and prints what is there; then stops the cluster.
source "$(dirname "$0")/npda-env.sh"
cd "$NPDA_ROOT"
trap 'npda_cluster_stop' EXIT
npda_install_packages
npda_build_install
npda_cluster_start
# The demo runs in database postgres, where pg_cron lives (cron.database_name),
# so CREATE EXTENSION npda schedules its two jobs there and then.
export PGDATABASE=postgres
echo "== CREATE EXTENSION pg_cron; CREATE EXTENSION npda CASCADE"
psql -X -q -v ON_ERROR_STOP=1 -c "CREATE EXTENSION pg_cron" -c "CREATE EXTENSION npda CASCADE"
for part in tools/demo/[0-9][0-9]_*.sh; do
  [ -e "$part" ] || continue
  bash "$part"
done
psql -X -v ON_ERROR_STOP=1 -P pager=off -f tools/demo/demo.sql
bash tools/demo/maps.sh
