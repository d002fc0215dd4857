-- npda 1.2, tables: organisation data in time (issue 11). Every organisation
-- and area keeps its code row (the key user data refers to, e.g.
-- submission.paediatric_diabetes_unit_id) and gains the dates it is valid
-- for; what can change (name, ONS code, parent links, boundary) is kept as
-- versions, each valid from one day to another; each set of changes is a
-- release, logged. The seeded data (release 1.0) becomes release 1, valid from
-- 2020-04-01, the first day of the first audit period.
--
-- Dates are inclusive: a version is in force on day d when valid_from <= d and
-- (valid_to IS NULL or d <= valid_to). A version whose valid_to is the day
-- before its valid_from was withdrawn by a correcting release of the same date
-- before it ever applied. npda.apply_organisation_release (sql/25_organisation_releases.sql)
-- writes these tables; comments are there and in sql/20_geography.sql.
--
-- pg_dump keeps every row of these tables and of the code tables (a release
-- changes seeded rows too); the restore merges the dumped rows into the ones
-- CREATE EXTENSION seeds (trigger npda._organisation_restore_row).

--------------------------------------------------------------------------------------------------
-- the releases applied
--------------------------------------------------------------------------------------------------
CREATE TABLE npda.organisation_release_log (
  id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  effective_from date NOT NULL,
  applied_at     timestamptz,
  applied_by     text,
  summary        jsonb NOT NULL
);
CREATE INDEX organisation_release_log_effective_from ON npda.organisation_release_log (effective_from);

--------------------------------------------------------------------------------------------------
-- validity of each code
--------------------------------------------------------------------------------------------------
ALTER TABLE npda.country
  ADD COLUMN valid_from date NOT NULL DEFAULT '2020-04-01',
  ADD COLUMN valid_to date,
  ADD CONSTRAINT country_validity CHECK (valid_to IS NULL OR valid_to >= valid_from - 1);
ALTER TABLE npda.nhs_england_region
  ADD COLUMN valid_from date NOT NULL DEFAULT '2020-04-01',
  ADD COLUMN valid_to date,
  ADD CONSTRAINT nhs_england_region_validity CHECK (valid_to IS NULL OR valid_to >= valid_from - 1);
ALTER TABLE npda.integrated_care_board
  ADD COLUMN valid_from date NOT NULL DEFAULT '2020-04-01',
  ADD COLUMN valid_to date,
  ADD CONSTRAINT integrated_care_board_validity CHECK (valid_to IS NULL OR valid_to >= valid_from - 1);
ALTER TABLE npda.local_health_board
  ADD COLUMN valid_from date NOT NULL DEFAULT '2020-04-01',
  ADD COLUMN valid_to date,
  ADD CONSTRAINT local_health_board_validity CHECK (valid_to IS NULL OR valid_to >= valid_from - 1);
ALTER TABLE npda.paediatric_diabetes_network
  ADD COLUMN valid_from date NOT NULL DEFAULT '2020-04-01',
  ADD COLUMN valid_to date,
  ADD CONSTRAINT paediatric_diabetes_network_validity CHECK (valid_to IS NULL OR valid_to >= valid_from - 1);
ALTER TABLE npda.trust
  ADD COLUMN valid_from date NOT NULL DEFAULT '2020-04-01',
  ADD COLUMN valid_to date,
  ADD CONSTRAINT trust_validity CHECK (valid_to IS NULL OR valid_to >= valid_from - 1);
ALTER TABLE npda.paediatric_diabetes_unit
  ADD COLUMN valid_from date NOT NULL DEFAULT '2020-04-01',
  ADD COLUMN valid_to date,
  ADD CONSTRAINT paediatric_diabetes_unit_validity CHECK (valid_to IS NULL OR valid_to >= valid_from - 1);
-- The seeded rows are valid from 2020-04-01; a code a release adds gets its own dates.
ALTER TABLE npda.country ALTER COLUMN valid_from DROP DEFAULT;
ALTER TABLE npda.nhs_england_region ALTER COLUMN valid_from DROP DEFAULT;
ALTER TABLE npda.integrated_care_board ALTER COLUMN valid_from DROP DEFAULT;
ALTER TABLE npda.local_health_board ALTER COLUMN valid_from DROP DEFAULT;
ALTER TABLE npda.paediatric_diabetes_network ALTER COLUMN valid_from DROP DEFAULT;
ALTER TABLE npda.trust ALTER COLUMN valid_from DROP DEFAULT;
ALTER TABLE npda.paediatric_diabetes_unit ALTER COLUMN valid_from DROP DEFAULT;

--------------------------------------------------------------------------------------------------
-- versions: what a code is, and where it belongs, from one day to another
--------------------------------------------------------------------------------------------------
CREATE TABLE npda.country_version (
  id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  country_id bigint NOT NULL REFERENCES npda.country (id),
  valid_from date NOT NULL,
  valid_to   date,
  release_id bigint NOT NULL REFERENCES npda.organisation_release_log (id),
  name       text NOT NULL,
  boundary   geometry(MultiPolygon, 4326),
  CONSTRAINT country_version_validity CHECK (valid_to IS NULL OR valid_to >= valid_from - 1)
);
CREATE INDEX country_version_country ON npda.country_version (country_id, valid_from);

CREATE TABLE npda.nhs_england_region_version (
  id                    bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  nhs_england_region_id bigint NOT NULL REFERENCES npda.nhs_england_region (id),
  valid_from            date NOT NULL,
  valid_to              date,
  release_id            bigint NOT NULL REFERENCES npda.organisation_release_log (id),
  ons_code              text NOT NULL CHECK (ons_code ~ '^E40[0-9]{6}$'),
  name                  text NOT NULL,
  country_id            bigint NOT NULL REFERENCES npda.country (id),
  boundary              geometry(MultiPolygon, 4326),
  CONSTRAINT nhs_england_region_version_validity CHECK (valid_to IS NULL OR valid_to >= valid_from - 1)
);
CREATE INDEX nhs_england_region_version_region ON npda.nhs_england_region_version (nhs_england_region_id, valid_from);

CREATE TABLE npda.integrated_care_board_version (
  id                       bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  integrated_care_board_id bigint NOT NULL REFERENCES npda.integrated_care_board (id),
  valid_from               date NOT NULL,
  valid_to                 date,
  release_id               bigint NOT NULL REFERENCES npda.organisation_release_log (id),
  ons_code                 text NOT NULL CHECK (ons_code ~ '^E54[0-9]{6}$'),
  name                     text NOT NULL,
  nhs_england_region_id    bigint NOT NULL REFERENCES npda.nhs_england_region (id),
  boundary                 geometry(MultiPolygon, 4326),
  CONSTRAINT integrated_care_board_version_validity CHECK (valid_to IS NULL OR valid_to >= valid_from - 1)
);
CREATE INDEX integrated_care_board_version_icb ON npda.integrated_care_board_version (integrated_care_board_id, valid_from);

CREATE TABLE npda.local_health_board_version (
  id                    bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  local_health_board_id bigint NOT NULL REFERENCES npda.local_health_board (id),
  valid_from            date NOT NULL,
  valid_to              date,
  release_id            bigint NOT NULL REFERENCES npda.organisation_release_log (id),
  ons_code              text NOT NULL CHECK (ons_code ~ '^W11[0-9]{6}$'),
  name                  text NOT NULL,
  country_id            bigint NOT NULL REFERENCES npda.country (id),
  boundary              geometry(MultiPolygon, 4326),
  CONSTRAINT local_health_board_version_validity CHECK (valid_to IS NULL OR valid_to >= valid_from - 1)
);
CREATE INDEX local_health_board_version_lhb ON npda.local_health_board_version (local_health_board_id, valid_from);

CREATE TABLE npda.paediatric_diabetes_network_version (
  id                             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  paediatric_diabetes_network_id bigint NOT NULL REFERENCES npda.paediatric_diabetes_network (id),
  valid_from                     date NOT NULL,
  valid_to                       date,
  release_id                     bigint NOT NULL REFERENCES npda.organisation_release_log (id),
  name                           text NOT NULL,
  CONSTRAINT paediatric_diabetes_network_version_validity CHECK (valid_to IS NULL OR valid_to >= valid_from - 1)
);
CREATE INDEX paediatric_diabetes_network_version_network
  ON npda.paediatric_diabetes_network_version (paediatric_diabetes_network_id, valid_from);

CREATE TABLE npda.trust_version (
  id                       bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  trust_id                 bigint NOT NULL REFERENCES npda.trust (id),
  valid_from               date NOT NULL,
  valid_to                 date,
  release_id               bigint NOT NULL REFERENCES npda.organisation_release_log (id),
  name                     text NOT NULL,
  integrated_care_board_id bigint REFERENCES npda.integrated_care_board (id),
  country_id               bigint NOT NULL REFERENCES npda.country (id),
  CONSTRAINT trust_version_validity CHECK (valid_to IS NULL OR valid_to >= valid_from - 1)
);
CREATE INDEX trust_version_trust ON npda.trust_version (trust_id, valid_from);

CREATE TABLE npda.paediatric_diabetes_unit_version (
  id                             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  paediatric_diabetes_unit_id    bigint NOT NULL REFERENCES npda.paediatric_diabetes_unit (id),
  valid_from                     date NOT NULL,
  valid_to                       date,
  release_id                     bigint NOT NULL REFERENCES npda.organisation_release_log (id),
  name                           text NOT NULL,
  trust_id                       bigint REFERENCES npda.trust (id),
  local_health_board_id          bigint REFERENCES npda.local_health_board (id),
  integrated_care_board_id       bigint REFERENCES npda.integrated_care_board (id),
  country_id                     bigint REFERENCES npda.country (id),
  paediatric_diabetes_network_id bigint REFERENCES npda.paediatric_diabetes_network (id),
  CONSTRAINT paediatric_diabetes_unit_version_validity CHECK (valid_to IS NULL OR valid_to >= valid_from - 1),
  CHECK (trust_id IS NULL OR local_health_board_id IS NULL),
  CHECK (integrated_care_board_id IS NULL OR local_health_board_id IS NULL)
);
CREATE INDEX paediatric_diabetes_unit_version_pdu
  ON npda.paediatric_diabetes_unit_version (paediatric_diabetes_unit_id, valid_from);

--------------------------------------------------------------------------------------------------
-- the seeded data becomes release 1, valid from 2020-04-01 (rows in code order, so the ids are
-- the same in a fresh install and in an updated database)
--------------------------------------------------------------------------------------------------
INSERT INTO npda.organisation_release_log (effective_from, summary)
SELECT date '2020-04-01',
       jsonb_build_object(
         'effective_from', '2020-04-01',
         'note', 'the organisation data seeded by release 1.0 (seeds/orgs: RCPCH NHS Organisations, August-October 2024)',
         'added', jsonb_build_object(
           'countries', (SELECT jsonb_agg(ons_code ORDER BY ons_code) FROM npda.country),
           'nhs_england_regions', (SELECT jsonb_agg(region_code ORDER BY region_code) FROM npda.nhs_england_region),
           'integrated_care_boards', (SELECT jsonb_agg(ods_code ORDER BY ods_code) FROM npda.integrated_care_board),
           'local_health_boards', (SELECT jsonb_agg(ods_code ORDER BY ods_code) FROM npda.local_health_board),
           'paediatric_diabetes_networks', (SELECT jsonb_agg(pn_code ORDER BY pn_code) FROM npda.paediatric_diabetes_network),
           'trusts', (SELECT jsonb_agg(ods_code ORDER BY ods_code) FROM npda.trust),
           'paediatric_diabetes_units', (SELECT jsonb_agg(pz_code ORDER BY pz_code) FROM npda.paediatric_diabetes_unit)));

INSERT INTO npda.country_version (country_id, valid_from, release_id, name, boundary)
SELECT id, date '2020-04-01', 1, name, boundary FROM npda.country ORDER BY ons_code;
INSERT INTO npda.nhs_england_region_version (nhs_england_region_id, valid_from, release_id, ons_code, name, country_id, boundary)
SELECT id, date '2020-04-01', 1, ons_code, name, country_id, boundary FROM npda.nhs_england_region ORDER BY region_code;
INSERT INTO npda.integrated_care_board_version (integrated_care_board_id, valid_from, release_id, ons_code, name,
                                                nhs_england_region_id, boundary)
SELECT id, date '2020-04-01', 1, ons_code, name, nhs_england_region_id, boundary FROM npda.integrated_care_board ORDER BY ods_code;
INSERT INTO npda.local_health_board_version (local_health_board_id, valid_from, release_id, ons_code, name, country_id, boundary)
SELECT id, date '2020-04-01', 1, ons_code, name, country_id, boundary FROM npda.local_health_board ORDER BY ods_code;
INSERT INTO npda.paediatric_diabetes_network_version (paediatric_diabetes_network_id, valid_from, release_id, name)
SELECT id, date '2020-04-01', 1, name FROM npda.paediatric_diabetes_network ORDER BY pn_code;
INSERT INTO npda.trust_version (trust_id, valid_from, release_id, name, integrated_care_board_id, country_id)
SELECT id, date '2020-04-01', 1, name, integrated_care_board_id, country_id FROM npda.trust ORDER BY ods_code;
INSERT INTO npda.paediatric_diabetes_unit_version (paediatric_diabetes_unit_id, valid_from, release_id, name, trust_id,
                                                   local_health_board_id, integrated_care_board_id, country_id,
                                                   paediatric_diabetes_network_id)
SELECT id, date '2020-04-01', 1, name, trust_id, local_health_board_id, integrated_care_board_id, country_id,
       paediatric_diabetes_network_id
  FROM npda.paediatric_diabetes_unit ORDER BY pz_code;

--------------------------------------------------------------------------------------------------
-- pg_dump keeps the organisation data: releases change seeded rows and add new ones
--------------------------------------------------------------------------------------------------
SELECT pg_catalog.pg_extension_config_dump('npda.organisation_release_log', '');
SELECT pg_catalog.pg_extension_config_dump('npda.organisation_release_log_id_seq', '');
SELECT pg_catalog.pg_extension_config_dump('npda.country', '');
SELECT pg_catalog.pg_extension_config_dump('npda.country_id_seq', '');
SELECT pg_catalog.pg_extension_config_dump('npda.country_version', '');
SELECT pg_catalog.pg_extension_config_dump('npda.country_version_id_seq', '');
SELECT pg_catalog.pg_extension_config_dump('npda.nhs_england_region', '');
SELECT pg_catalog.pg_extension_config_dump('npda.nhs_england_region_id_seq', '');
SELECT pg_catalog.pg_extension_config_dump('npda.nhs_england_region_version', '');
SELECT pg_catalog.pg_extension_config_dump('npda.nhs_england_region_version_id_seq', '');
SELECT pg_catalog.pg_extension_config_dump('npda.integrated_care_board', '');
SELECT pg_catalog.pg_extension_config_dump('npda.integrated_care_board_id_seq', '');
SELECT pg_catalog.pg_extension_config_dump('npda.integrated_care_board_version', '');
SELECT pg_catalog.pg_extension_config_dump('npda.integrated_care_board_version_id_seq', '');
SELECT pg_catalog.pg_extension_config_dump('npda.local_health_board', '');
SELECT pg_catalog.pg_extension_config_dump('npda.local_health_board_id_seq', '');
SELECT pg_catalog.pg_extension_config_dump('npda.local_health_board_version', '');
SELECT pg_catalog.pg_extension_config_dump('npda.local_health_board_version_id_seq', '');
SELECT pg_catalog.pg_extension_config_dump('npda.paediatric_diabetes_network', '');
SELECT pg_catalog.pg_extension_config_dump('npda.paediatric_diabetes_network_id_seq', '');
SELECT pg_catalog.pg_extension_config_dump('npda.paediatric_diabetes_network_version', '');
SELECT pg_catalog.pg_extension_config_dump('npda.paediatric_diabetes_network_version_id_seq', '');
SELECT pg_catalog.pg_extension_config_dump('npda.trust', '');
SELECT pg_catalog.pg_extension_config_dump('npda.trust_id_seq', '');
SELECT pg_catalog.pg_extension_config_dump('npda.trust_version', '');
SELECT pg_catalog.pg_extension_config_dump('npda.trust_version_id_seq', '');
SELECT pg_catalog.pg_extension_config_dump('npda.paediatric_diabetes_unit', '');
SELECT pg_catalog.pg_extension_config_dump('npda.paediatric_diabetes_unit_id_seq', '');
SELECT pg_catalog.pg_extension_config_dump('npda.paediatric_diabetes_unit_version', '');
SELECT pg_catalog.pg_extension_config_dump('npda.paediatric_diabetes_unit_version_id_seq', '');
