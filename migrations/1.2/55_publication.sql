-- npda 1.2, tables. Published outputs: the disclosure-control settings and the
-- stored results of every area, KPI and period, exact and published, written
-- by the roll-up refresh so that the views read them without computing names
-- or suppression per read. Functions, views, triggers, grants and comments:
-- sql/55_publication.sql and sql/99_privileges.sql.

-- One row: the small-number rule (counts 1..suppression_threshold withheld,
-- the others rounded to the nearest rounding_base).
CREATE TABLE npda.publication_setting (
  id boolean PRIMARY KEY DEFAULT true CHECK (id),
  suppression_threshold integer NOT NULL DEFAULT 7 CHECK (suppression_threshold BETWEEN 0 AND 1000),
  rounding_base integer NOT NULL DEFAULT 5 CHECK (rounding_base BETWEEN 1 AND 1000)
);
INSERT INTO npda.publication_setting DEFAULT VALUES;
SELECT pg_catalog.pg_extension_config_dump('npda.publication_setting', '');

-- Derived data (rebuilt by npda.refresh_kpi_aggregations), like
-- npda.kpi_aggregation: not dumped.
CREATE TABLE npda.kpi_result_store (
  audit_year integer NOT NULL,
  level npda.geo_level NOT NULL,
  area_code text NOT NULL,
  kpi text NOT NULL REFERENCES npda.kpi (code),
  audit_period_id bigint NOT NULL REFERENCES npda.audit_period (id),
  area_name text,
  label text NOT NULL,
  kpi_position smallint NOT NULL,
  eligible bigint NOT NULL,
  ineligible bigint NOT NULL,
  passed bigint NOT NULL,
  failed bigint NOT NULL,
  pending bigint NOT NULL,
  pct_passed numeric,
  value numeric,
  as_of date NOT NULL,
  computed_at timestamptz NOT NULL,
  published_eligible bigint,
  published_ineligible bigint,
  published_passed bigint,
  published_failed bigint,
  published_pending bigint,
  published_pct_passed numeric,
  published_value numeric,
  suppressed text NOT NULL CHECK (suppressed IN ('none', 'primary', 'secondary')),
  withheld text[] NOT NULL DEFAULT '{}',
  published_at timestamptz NOT NULL DEFAULT clock_timestamp(),
  PRIMARY KEY (audit_year, level, area_code, kpi)
);
CREATE INDEX kpi_result_store_period ON npda.kpi_result_store (audit_period_id);

-- A database updated from 1.1 has roll-ups but no stored results yet: mark
-- every period that has roll-ups, so the next refresh (pg_cron, within 15
-- minutes, or npda.refresh_kpi_aggregations() at once) stores them.
INSERT INTO npda.kpi_aggregation_refresh (audit_period_id)
SELECT DISTINCT audit_period_id FROM npda.kpi_aggregation
ON CONFLICT (audit_period_id) DO UPDATE SET data_changed_at = clock_timestamp();
