-- Privileges: every grant of the extension, in one place and applied last, so
-- that it covers every object the files before it define. Each run first takes
-- away everything from PUBLIC and from npda's groups, then grants what each
-- group needs (README "Roles"; docs/access.md): an object added to npda is
-- nobody's until a line here gives it to someone.
-- A current definition (sql/README.md): re-applied by every upgrade.
--
-- Rows are narrowed further by the row policies of sql/70_access.sql: a grant
-- here says which tables a group may touch at all, the policies which rows.
-- Tables without row security are granted read-only to the application, whose
-- own login acts for people of every role.

REVOKE ALL ON SCHEMA npda FROM PUBLIC;
REVOKE ALL ON ALL TABLES IN SCHEMA npda
  FROM PUBLIC, npda_reader, npda_editor, npda_coordinator, npda_analyst, npda_application, npda_audit_team;
REVOKE ALL ON ALL SEQUENCES IN SCHEMA npda
  FROM PUBLIC, npda_reader, npda_editor, npda_coordinator, npda_analyst, npda_application, npda_audit_team;
REVOKE ALL ON ALL FUNCTIONS IN SCHEMA npda
  FROM PUBLIC, npda_reader, npda_editor, npda_coordinator, npda_analyst, npda_application, npda_audit_team;

GRANT USAGE ON SCHEMA npda TO npda_reader, npda_analyst, npda_application, npda_audit_team;

-- Reference data and published aggregates: everyone of npda.
GRANT SELECT ON npda.audit_period, npda.country, npda.nhs_england_region, npda.integrated_care_board,
                npda.local_health_board, npda.paediatric_diabetes_network, npda.trust, npda.organisation,
                npda.paediatric_diabetes_unit, npda.pdu_hierarchy, npda.kpi, npda.activity_code,
                npda.kpi_aggregation_refresh, npda.audit_period_scoring,
                npda.kpi_results, npda.kpi_map,
                npda.country_version, npda.nhs_england_region_version, npda.integrated_care_board_version,
                npda.local_health_board_version, npda.paediatric_diabetes_network_version, npda.trust_version,
                npda.paediatric_diabetes_unit_version, npda.organisation_release_log
  TO npda_reader, npda_analyst, npda_application, npda_audit_team;
-- The organisation data on a date (npda.pdu_hierarchy reads the first; the
-- export calls the internal ones). Applying a release is the owner's alone
-- (tools/load-organisations, run by a DBA): granted to nobody.
GRANT EXECUTE ON FUNCTION npda.pdu_hierarchy_at(date), npda.organisation_release(date),
                          npda._organisation_lists(), npda._organisation_objects(date), npda._boundary_geojson(geometry)
  TO npda_reader, npda_analyst, npda_application, npda_audit_team;
GRANT EXECUTE ON FUNCTION npda.audit_year(date), npda.audit_quarter(date), npda.nhs_number_is_valid(text)
  TO npda_reader, npda_analyst, npda_application, npda_audit_team;
-- The C++ rules the views compute with (a view's functions are checked
-- against the role reading it).
GRANT EXECUTE ON FUNCTION npda._kpi_pct_passed(text, bigint, bigint), npda._is_test_unit(text),
                          npda._qualifying_admissions(date, date, smallint, date[], date[], smallint[], smallint[])
  TO npda_reader, npda_analyst, npda_application, npda_audit_team;

-- Published outputs (issue 10, docs/publishing.md). The raw roll-ups hold
-- exact small counts: not for analysts, nor for the application (which may act
-- for one); everyone reads npda.kpi_results, exact or published by who asks.
GRANT SELECT ON npda.kpi_aggregation TO npda_reader, npda_audit_team;
GRANT SELECT ON npda.kpi_results_published, npda.publication_setting
  TO npda_reader, npda_analyst, npda_application, npda_audit_team;
GRANT EXECUTE ON FUNCTION npda._caller_reads_published()
  TO npda_reader, npda_analyst, npda_application, npda_audit_team;
GRANT EXECUTE ON FUNCTION npda.kpi_report(integer, npda.geo_level) TO npda_analyst, npda_application, npda_audit_team;
GRANT SELECT ON npda.kpi_result_store TO npda_audit_team;
GRANT UPDATE (suppression_threshold, rounding_base) ON npda.publication_setting TO npda_audit_team;

-- Patient and per-unit data (row security decides which rows).
GRANT SELECT ON npda.submission, npda.submission_error, npda.patient, npda.visit, npda.transfer,
                npda.patient_kpi_score, npda.patient_kpi, npda.patient_kpi_results, npda.submission_error_report,
                npda.kpi_quarterly, npda.npda_user, npda.organisation_employer, npda.visit_activity
  TO npda_reader, npda_application, npda_audit_team;
GRANT INSERT, UPDATE, DELETE ON npda.patient, npda.visit, npda.transfer
  TO npda_editor, npda_application, npda_audit_team;
GRANT UPDATE (is_active), DELETE ON npda.submission TO npda_editor, npda_application, npda_audit_team;
GRANT EXECUTE ON FUNCTION npda.submission_annotated_csv(bigint), npda.submission_annotated_csv_lines(bigint)
  TO npda_reader, npda_application, npda_audit_team;
GRANT EXECUTE ON FUNCTION npda.submit_csv(text, bytea, integer, text) TO npda_editor, npda_application, npda_audit_team;
-- The scope functions the row policies call (the querying role needs them;
-- they tell the caller nothing but what the caller may see).
GRANT EXECUTE ON FUNCTION npda._scope_all(), npda._scope_unit(text, bigint), npda._scope_submission(text, bigint),
                          npda._scope_patient(text, bigint), npda._scope_user(text, bigint), npda._user_role(bigint)
  TO npda_reader, npda_application, npda_audit_team;

-- Users: coordinators manage those of their units (the policies say which).
GRANT UPDATE (title, first_name, surname, email, role, is_active) ON npda.npda_user
  TO npda_coordinator, npda_application;
GRANT UPDATE ON npda.npda_user TO npda_audit_team;
GRANT INSERT, UPDATE (is_primary_employer), DELETE ON npda.organisation_employer
  TO npda_coordinator, npda_application, npda_audit_team;
GRANT EXECUTE ON FUNCTION npda.add_user(text, text, text[], name, text, text)
  TO npda_coordinator, npda_application, npda_audit_team;

-- The audit team's powers (each function checks that the caller is the audit
-- team, so an application may hold them for the audit team it serves).
GRANT EXECUTE ON FUNCTION npda.rescore(integer, date), npda.rescore_ended_periods(),
                          npda.refresh_kpi_aggregations(integer)
  TO npda_application, npda_audit_team;
GRANT UPDATE (is_open) ON npda.audit_period TO npda_audit_team;
GRANT SELECT, UPDATE (lockout_failures, lockout_window, lockout_duration) ON npda.access_setting TO npda_audit_team;
GRANT SELECT ON npda.pseudonym_secret TO npda_audit_team;
GRANT EXECUTE ON FUNCTION npda.rotate_pseudonym_secret() TO npda_audit_team;

-- The pseudonymised export: analysts and the audit team (the views admit no
-- one else, whoever holds the grant).
GRANT SELECT ON npda.patient_pseudonymised, npda.visit_pseudonymised, npda.patient_kpi_pseudonymised
  TO npda_analyst, npda_application, npda_audit_team;
GRANT EXECUTE ON FUNCTION npda._hmac_sha256(bytea, text), npda._caller_may_read_pseudonymised()
  TO npda_analyst, npda_application, npda_audit_team;

-- Applications: act for a person, record logins and application events.
GRANT EXECUTE ON FUNCTION npda.act_as(text), npda.record_login(text, inet, boolean, text),
                          npda.record_activity(text, integer, inet, text)
  TO npda_application;

-- Maps as pictures (sql/56_maps.sql): everyone of npda who reads results.
GRANT EXECUTE ON FUNCTION npda.kpi_map_svg(text, npda.geo_level, integer),
                          npda._map_areas(npda.geo_level, date),
                          npda._kpi_map_svg_document(text, text, text, integer, boolean, text[], text[], text[],
                                                     double precision[], double precision[], double precision[],
                                                     boolean[], double precision[])
  TO npda_reader, npda_analyst, npda_application, npda_audit_team;
