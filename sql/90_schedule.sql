-- Scheduled jobs: the daily re-score of ended periods and the roll-up refresh
-- every 15 minutes, through pg_cron when it lives in this database.
-- A current definition (sql/README.md): re-applied by every upgrade;
-- cron.schedule replaces a job of the same name, so re-applying is harmless.

-- Schedule a job with pg_cron when it is in this database; otherwise say how
-- to schedule it from cron.database_name. A WARNING, not a NOTICE: PostgreSQL
-- raises client_min_messages to WARNING while it runs an extension script, so
-- a NOTICE would never be seen.
CREATE OR REPLACE FUNCTION npda._schedule_job(job_name text, schedule text, command text) RETURNS void
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp AS $$
BEGIN
  IF EXISTS (SELECT FROM pg_catalog.pg_extension WHERE extname = 'pg_cron') THEN
    PERFORM cron.schedule(job_name, schedule, command);
  ELSE
    RAISE WARNING 'pg_cron is not installed in this database: job % is not scheduled', job_name
      USING HINT = format('In the database where pg_cron lives (cron.database_name), run: SELECT cron.schedule_in_database(%L, %L, %L, %L);',
                          job_name, schedule, command, current_database());
  END IF;
END
$$;
COMMENT ON FUNCTION npda._schedule_job(text, text, text) IS
  'Internal: schedule (or re-schedule, by name) an npda job with pg_cron in this database, or warn with the command to run in pg_cron''s database.';
SELECT npda._schedule_job('npda-rescore-ended-periods', '17 2 * * *', 'SELECT npda.rescore_ended_periods()');
SELECT npda._schedule_job('npda-refresh-kpi-aggregations', '*/15 * * * *', 'SELECT npda.refresh_kpi_aggregations()');
