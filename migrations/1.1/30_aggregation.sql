-- npda 1.1, tables. Roll-ups: KPI aggregates per PDU, trust or local health board, integrated
-- care board, NHS England region, country and nation, rebuilt from the
-- per-child scores (derived data: they can always be recomputed).

CREATE TABLE npda.kpi_aggregation (
  level npda.geo_level NOT NULL,
  area_code text NOT NULL,
  audit_period_id bigint NOT NULL REFERENCES npda.audit_period (id),
  kpi text NOT NULL REFERENCES npda.kpi (code),
  eligible bigint NOT NULL,
  ineligible bigint NOT NULL,
  passed bigint NOT NULL,
  failed bigint NOT NULL,
  pending bigint NOT NULL,
  value double precision,
  children_with_value bigint NOT NULL DEFAULT 0,
  as_of date NOT NULL,
  computed_at timestamptz NOT NULL DEFAULT clock_timestamp(),
  PRIMARY KEY (level, area_code, audit_period_id, kpi),
  CONSTRAINT kpi_aggregation_counts CHECK (eligible = passed + failed + pending)
) PARTITION BY LIST (level);
CREATE TABLE npda.kpi_aggregation_pdu PARTITION OF npda.kpi_aggregation FOR VALUES IN ('pdu');
CREATE TABLE npda.kpi_aggregation_trust PARTITION OF npda.kpi_aggregation FOR VALUES IN ('trust');
CREATE TABLE npda.kpi_aggregation_local_health_board PARTITION OF npda.kpi_aggregation FOR VALUES IN ('local_health_board');
CREATE TABLE npda.kpi_aggregation_integrated_care_board PARTITION OF npda.kpi_aggregation FOR VALUES IN ('integrated_care_board');
CREATE TABLE npda.kpi_aggregation_nhs_england_region PARTITION OF npda.kpi_aggregation FOR VALUES IN ('nhs_england_region');
CREATE TABLE npda.kpi_aggregation_country PARTITION OF npda.kpi_aggregation FOR VALUES IN ('country');
CREATE TABLE npda.kpi_aggregation_national PARTITION OF npda.kpi_aggregation FOR VALUES IN ('national');
CREATE TABLE npda.kpi_aggregation_refresh (
  audit_period_id bigint PRIMARY KEY REFERENCES npda.audit_period (id),
  data_changed_at timestamptz NOT NULL DEFAULT clock_timestamp(),
  refreshed_at timestamptz
);
