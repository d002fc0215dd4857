-- The daily end-of-period re-score is scheduled with pg_cron when npda is
-- created in the database where pg_cron lives (cron.database_name, here
-- postgres). Runs in that database; everything, extensions included, is
-- created inside the transaction and rolled back, so nothing stays (IF NOT
-- EXISTS: the file also works where the extensions are already installed).
BEGIN;
SET LOCAL client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS pgtap;
CREATE EXTENSION IF NOT EXISTS pg_cron;
CREATE EXTENSION IF NOT EXISTS npda CASCADE;
RESET client_min_messages;
SELECT plan(16);

SELECT is(current_setting('cron.database_name'), current_database()::text, 'running in the pg_cron database');
SELECT has_extension('pg_cron', 'pg_cron is installed here');
SELECT has_extension('npda', 'npda is installed here');
SELECT is((SELECT count(*)::int FROM cron.job WHERE jobname = 'npda-rescore-ended-periods'), 1,
  'CREATE EXTENSION npda scheduled exactly one job npda-rescore-ended-periods');
SELECT is((SELECT schedule::text FROM cron.job WHERE jobname = 'npda-rescore-ended-periods'), '17 2 * * *',
  'the job runs daily at 02:17');
SELECT is((SELECT command::text FROM cron.job WHERE jobname = 'npda-rescore-ended-periods'),
  'SELECT npda.rescore_ended_periods()', 'the job runs SELECT npda.rescore_ended_periods()');
SELECT is((SELECT database::text FROM cron.job WHERE jobname = 'npda-rescore-ended-periods'), current_database()::text,
  'the job runs in this database');
SELECT ok((SELECT active FROM cron.job WHERE jobname = 'npda-rescore-ended-periods'), 'the job is active');
SELECT has_function('npda', 'rescore_ended_periods', ARRAY[]::text[], 'the scheduled function exists');
-- The job's command runs as it is (here: no ended period has children to re-score).
SELECT lives_ok((SELECT command FROM cron.job WHERE jobname = 'npda-rescore-ended-periods'), 'the job''s command runs');
-- Scheduling again under the same name replaces the job rather than adding one
-- (what an ALTER EXTENSION re-running the schedule would do).
SELECT ok(cron.schedule('npda-rescore-ended-periods', '17 2 * * *', 'SELECT npda.rescore_ended_periods()') > 0,
  'scheduling the job again by name succeeds');
SELECT is((SELECT count(*)::int FROM cron.job WHERE jobname = 'npda-rescore-ended-periods'), 1,
  'rescheduling by name keeps one job');

-- The roll-up refresh is scheduled the same way, every 15 minutes.
SELECT is((SELECT schedule::text FROM cron.job WHERE jobname = 'npda-refresh-kpi-aggregations'), '*/15 * * * *',
  'the roll-up refresh runs every 15 minutes');
SELECT is((SELECT command::text FROM cron.job WHERE jobname = 'npda-refresh-kpi-aggregations'),
  'SELECT npda.refresh_kpi_aggregations()', 'the roll-up job runs SELECT npda.refresh_kpi_aggregations()');
SELECT lives_ok((SELECT command FROM cron.job WHERE jobname = 'npda-refresh-kpi-aggregations'), 'the roll-up job''s command runs');
-- npda._schedule_job re-schedules by name.
SELECT lives_ok($$SELECT npda._schedule_job('npda-refresh-kpi-aggregations', '*/15 * * * *', 'SELECT npda.refresh_kpi_aggregations()')$$,
  'npda._schedule_job re-schedules a job by name');

SELECT * FROM finish();
ROLLBACK;
