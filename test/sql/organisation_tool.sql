-- tools/load-organisations (README, "Refreshing the organisation data"): the
-- document it builds from seeds/orgs, the export the seed was generated from,
-- is the organisation data in force, so applying it changes nothing; a changed
-- export shows what it would change (dry run, nothing kept); an export the
-- database refuses changes nothing and names the object and the field.
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS npda CASCADE;
\setenv PGDATABASE :DBNAME
\! perl tools/load-organisations --output results/organisation_tool.json seeds/orgs
\set ECHO none
\set doc `cat results/organisation_tool.json`
\set ECHO all
SELECT :'doc'::jsonb = npda.organisation_release('2026-04-01') AS document_is_the_data_in_force;
\! perl tools/load-organisations --effective-from 2026-04-01 seeds/orgs
SELECT count(*) AS releases FROM npda.organisation_release_log;
-- A renamed network, dry run (from 2031-04-01, after the last audit period: no roll-ups to mark).
\! rm -rf results/organisation_tool && cp -r seeds/orgs results/organisation_tool && sed -i 's/^PN02,South West$/PN02,South West England/' results/organisation_tool/paediatric_diabetes_networks.csv
\! perl tools/load-organisations --effective-from 2031-04-01 --dry-run results/organisation_tool
SELECT count(*) AS releases FROM npda.organisation_release_log;
-- A trust in an ICB the export does not have.
\! sed -i 's/^RVV,\(.*\),QKS,E54000032,Y59,QKS,false$/RVV,\1,QXX,E54000032,Y59,QKS,false/' results/organisation_tool/trusts.csv
\! perl tools/load-organisations --effective-from 2026-04-01 results/organisation_tool 2>&1; echo "exit status $?"
SELECT count(*) AS releases FROM npda.organisation_release_log;
\! rm -rf results/organisation_tool results/organisation_tool.json
