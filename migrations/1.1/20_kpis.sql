-- npda 1.1, tables: the KPI definitions (rows filled from the engine by
-- sql/40_kpis.sql), the per-child scores and the last whole-period re-score.
-- patient_kpi_score is not kept by pg_dump: scores are derived data. Restoring
-- a dump re-inserts children and visits, and the KPI triggers score them again
-- (as of the restore date; npda.rescore(year, date) reproduces any other date).

CREATE TABLE npda.kpi (
  code text PRIMARY KEY,
  position smallint NOT NULL UNIQUE CHECK (position BETWEEN 1 AND 51),
  key text NOT NULL UNIQUE,
  label text NOT NULL,
  kind text NOT NULL CHECK (kind IN ('cohort count', 'pass/fail proportion', 'care-process rate', 'value')),
  denominator text NOT NULL,
  description text NOT NULL
);
CREATE TABLE npda.patient_kpi_score (
  patient_id bigint PRIMARY KEY REFERENCES npda.patient (id) ON DELETE CASCADE,
  audit_period_id bigint NOT NULL REFERENCES npda.audit_period (id),
  as_of date NOT NULL,
  outcomes npda.kpi_outcome[] NOT NULL CHECK (cardinality(outcomes) = 51),
  kpi_values double precision[] NOT NULL CHECK (cardinality(kpi_values) = 51),
  checks_expected smallint,
  scored_at timestamptz NOT NULL DEFAULT clock_timestamp()
);
CREATE INDEX patient_kpi_score_period ON npda.patient_kpi_score (audit_period_id);
CREATE TABLE npda.audit_period_scoring (
  audit_period_id bigint PRIMARY KEY REFERENCES npda.audit_period (id),
  as_of date NOT NULL,
  children integer NOT NULL,
  scored_at timestamptz NOT NULL DEFAULT clock_timestamp()
);
SELECT pg_catalog.pg_extension_config_dump('npda.audit_period_scoring', '');
