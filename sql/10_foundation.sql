-- Foundation: the schema's and the enum types' comments, the audit-team role,
-- the audit periods' comments and restore trigger, and the calendar and
-- NHS-number helpers implemented in C++.
-- A current definition (sql/README.md): re-applied by every upgrade.

COMMENT ON SCHEMA npda IS
  'National Paediatric Diabetes Audit: organisation and geography lookups, audit periods, submissions, per-child KPI results and roll-ups. Created by CREATE EXTENSION npda; see README.md.';
COMMENT ON TYPE npda.kpi_outcome IS
  'Outcome of one child for one KPI: pass, fail, pending (the audit period is still open and the care process can still be delivered; decision D12) or ineligible (not in the KPI''s denominator).';
COMMENT ON TYPE npda.geo_level IS
  'Level of a KPI roll-up: paediatric diabetes unit, trust (England) or local health board (Wales), integrated care board, NHS England region, country, national.';

-- The RCPCH audit team may submit into closed periods and, as later releases
-- add them, holds the audit's administrative powers. Roles are cluster-wide,
-- so a second database's CREATE EXTENSION must not fail on an existing role.
DO $$
BEGIN
  IF NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = 'npda_audit_team') THEN
    CREATE ROLE npda_audit_team NOLOGIN;
    COMMENT ON ROLE npda_audit_team IS 'Group role of the RCPCH NPDA audit team (created by the npda extension).';
  END IF;
END
$$;
COMMENT ON TABLE npda.audit_period IS
  'NPDA audit periods, 1 April to 31 March. Seeded for 2020-21 to 2030-31 with the current and previous audit year open; an administrator opens or closes periods (UPDATE npda.audit_period SET is_open = ...). Kept by pg_dump.';
COMMENT ON COLUMN npda.audit_period.id IS 'Surrogate key.';
COMMENT ON COLUMN npda.audit_period.start_date IS 'First day of the period, always 1 April; its year is the audit year (2025 = 2025-26).';
COMMENT ON COLUMN npda.audit_period.end_date IS 'Last day of the period, always 31 March of the next year (inclusive).';
COMMENT ON COLUMN npda.audit_period.dataset_year IS 'NPDA dataset the period is submitted in: 2021 for periods starting before 2026-04-01, 2026 from then on.';
COMMENT ON COLUMN npda.audit_period.is_open IS 'Whether PDUs may submit into the period; closed periods accept submissions only from superusers and members of npda_audit_team.';

-- pg_dump keeps every row of audit_period (is_open can change). On restore the
-- install script seeds the periods first and the dump's rows follow: this
-- trigger turns the insert of an existing period into an update of is_open,
-- so a restore neither fails on the unique start date nor loses a change.
CREATE OR REPLACE FUNCTION npda.audit_period_merge_existing() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
BEGIN
  UPDATE npda.audit_period SET is_open = NEW.is_open WHERE start_date = NEW.start_date;
  IF FOUND THEN
    RETURN NULL;
  END IF;
  RETURN NEW;
END
$$;
COMMENT ON FUNCTION npda.audit_period_merge_existing() IS
  'Trigger: inserting a period whose start date already exists updates its is_open instead (makes pg_restore of the seeded table idempotent).';
CREATE OR REPLACE TRIGGER audit_period_merge_existing BEFORE INSERT ON npda.audit_period
  FOR EACH ROW EXECUTE FUNCTION npda.audit_period_merge_existing();
CREATE OR REPLACE FUNCTION npda.audit_year(date) RETURNS integer
  AS 'MODULE_PATHNAME', 'audit_year'
  LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION npda.audit_year(date) IS
  'Audit year of a date: the calendar year of the 1 April on or before it (2025-03-31 -> 2024). NULL for NULL.';
CREATE OR REPLACE FUNCTION npda.audit_quarter(date) RETURNS integer
  AS 'MODULE_PATHNAME', 'audit_quarter'
  LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION npda.audit_quarter(date) IS
  'Quarter of the audit year: 1 April-June, 2 July-September, 3 October-December, 4 January-March (decision D10). NULL for NULL.';
-- The one rule from an audit year (the calendar year a period starts) to its
-- period. Any integer is a fair question: no make_date here, which would raise
-- 22008 for year 0 or years beyond the date range instead of "no such period".
CREATE OR REPLACE FUNCTION npda._audit_period_id(audit_year integer) RETURNS bigint
  LANGUAGE sql STABLE PARALLEL SAFE
  SET search_path = pg_catalog, pg_temp
  BEGIN ATOMIC
    SELECT ap.id FROM npda.audit_period ap WHERE npda.audit_year(ap.start_date) = audit_year;
  END;
COMMENT ON FUNCTION npda._audit_period_id(integer) IS
  'Internal: the id of the audit period starting on 1 April of audit_year, or NULL when there is none (any integer, NULL included, is accepted). Every function taking an audit year resolves it here.';

CREATE OR REPLACE FUNCTION npda.nhs_number_is_valid(text) RETURNS boolean
  AS 'MODULE_PATHNAME', 'nhs_number_is_valid'
  LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION npda.nhs_number_is_valid(text) IS
  'True when the text is an NHS number: ten digits (spaces and hyphens allowed between them) whose last digit is the modulus-11 check digit. False for anything else, never an error; NULL for NULL.';
CREATE OR REPLACE FUNCTION npda._guard_selftest(kind text) RETURNS text
  AS 'MODULE_PATHNAME', '_guard_selftest'
  LANGUAGE C VOLATILE STRICT;
COMMENT ON FUNCTION npda._guard_selftest(text) IS
  'Diagnostics for the C++/PostgreSQL error boundary: ''ok'' returns normally; ''npda_error'' throws a project error (SQLSTATE NP105); ''std_exception'' a std::runtime_error (NP900); ''bad_alloc'' std::bad_alloc (53200); ''unknown'' a non-standard C++ exception (NP901); ''pg_error'' calls int4in(''abc'') from C++ (22P02, PostgreSQL''s own error kept); ''interrupt'' simulates a query cancel noticed by a C++ loop (57014). Superuser only.';
REVOKE ALL ON FUNCTION npda._guard_selftest(text) FROM PUBLIC;
