-- npda 1.0, tables: organisations and geography (countries, NHS England
-- regions, integrated care boards, local health boards, networks, trusts,
-- sites and paediatric diabetes units). The rows come from
-- seeds/25_geography_seed.sql; the comments, the hierarchy this encodes and
-- the view npda.pdu_hierarchy are in sql/20_geography.sql.
--
-- Conventions: every table has an identity key `id`; a reference to table T is the column `T_id`;
-- natural codes are unique and NOT NULL; geometries are EPSG:4326 (longitude, latitude in degrees).
-- PostGIS types and functions resolve through the search_path set for CREATE EXTENSION.

--------------------------------------------------------------------------------------------------
-- country
--------------------------------------------------------------------------------------------------
CREATE TABLE npda.country (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    ons_code    text NOT NULL UNIQUE CHECK (ons_code ~ '^[ENSW]92[0-9]{6}$'),
    name        text NOT NULL,
    name_welsh  text,
    label_point geometry(Point, 4326),
    boundary    geometry(MultiPolygon, 4326),
    note        text
);

--------------------------------------------------------------------------------------------------
-- nhs_england_region
--------------------------------------------------------------------------------------------------
CREATE TABLE npda.nhs_england_region (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    region_code text NOT NULL UNIQUE CHECK (region_code ~ '^Y[0-9]{2}$'),
    ons_code    text NOT NULL UNIQUE CHECK (ons_code ~ '^E40[0-9]{6}$'),
    name        text NOT NULL,
    country_id  bigint NOT NULL REFERENCES npda.country (id),
    label_point geometry(Point, 4326),
    boundary    geometry(MultiPolygon, 4326)
);

--------------------------------------------------------------------------------------------------
-- integrated_care_board
--------------------------------------------------------------------------------------------------
CREATE TABLE npda.integrated_care_board (
    id                    bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    ods_code              text NOT NULL UNIQUE CHECK (ods_code ~ '^Q[A-Z0-9]{2}$'),
    ons_code              text NOT NULL UNIQUE CHECK (ons_code ~ '^E54[0-9]{6}$'),
    name                  text NOT NULL,
    ons_name              text NOT NULL,
    nhs_england_region_id bigint NOT NULL REFERENCES npda.nhs_england_region (id),
    country_id            bigint NOT NULL REFERENCES npda.country (id),
    label_point           geometry(Point, 4326),
    boundary              geometry(MultiPolygon, 4326)
);

--------------------------------------------------------------------------------------------------
-- local_health_board
--------------------------------------------------------------------------------------------------
CREATE TABLE npda.local_health_board (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    ods_code    text NOT NULL UNIQUE CHECK (ods_code ~ '^7A[0-9]$'),
    ons_code    text NOT NULL UNIQUE CHECK (ons_code ~ '^W11[0-9]{6}$'),
    name        text NOT NULL,
    ons_name    text NOT NULL,
    name_welsh  text,
    country_id  bigint NOT NULL REFERENCES npda.country (id),
    label_point geometry(Point, 4326),
    boundary    geometry(MultiPolygon, 4326)
);

--------------------------------------------------------------------------------------------------
-- paediatric_diabetes_network
--------------------------------------------------------------------------------------------------
CREATE TABLE npda.paediatric_diabetes_network (
    id      bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    pn_code text NOT NULL UNIQUE CHECK (pn_code ~ '^PN[0-9]{2}$'),
    name    text NOT NULL
);

--------------------------------------------------------------------------------------------------
-- trust
--------------------------------------------------------------------------------------------------
CREATE TABLE npda.trust (
    id                       bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    ods_code                 text NOT NULL UNIQUE CHECK (ods_code ~ '^[A-Z0-9]{3}$'),
    name                     text NOT NULL,
    address_line_1           text,
    address_line_2           text,
    town                     text,
    postcode                 text,
    country_id               bigint NOT NULL REFERENCES npda.country (id),
    integrated_care_board_id bigint REFERENCES npda.integrated_care_board (id),
    nhs_england_region_id    bigint REFERENCES npda.nhs_england_region (id),
    icb_ods_codes_all        text[] NOT NULL DEFAULT '{}',
    icb_ambiguous            boolean NOT NULL DEFAULT false
);

--------------------------------------------------------------------------------------------------
-- organisation (hospital and community sites)
--------------------------------------------------------------------------------------------------
CREATE TABLE npda.organisation (
    id                            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    ods_code                      text NOT NULL UNIQUE CHECK (ods_code ~ '^[A-Z0-9]{5}$'),
    name                          text NOT NULL,
    address1                      text,
    address2                      text,
    address3                      text,
    city                          text,
    county                        text,
    postcode                      text,
    location                      geometry(Point, 4326),
    website                       text,
    parent_ods_code               text,
    parent_name                   text,
    parent_type                   text CHECK (parent_type IN ('trust', 'local_health_board')),
    trust_id                      bigint REFERENCES npda.trust (id),
    local_health_board_id         bigint REFERENCES npda.local_health_board (id),
    local_authority_code          text,
    country_id                    bigint REFERENCES npda.country (id),
    integrated_care_board_id      bigint REFERENCES npda.integrated_care_board (id),
    site_integrated_care_board_id bigint REFERENCES npda.integrated_care_board (id),
    nhs_england_region_id         bigint REFERENCES npda.nhs_england_region (id),
    paediatric_diabetes_unit_id   bigint,  -- foreign key added below, after paediatric_diabetes_unit
    CHECK (trust_id IS NULL OR local_health_board_id IS NULL)
);

--------------------------------------------------------------------------------------------------
-- paediatric_diabetes_unit
--------------------------------------------------------------------------------------------------
CREATE TABLE npda.paediatric_diabetes_unit (
    id                             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    pz_code                        text NOT NULL UNIQUE CHECK (pz_code ~ '^PZ[0-9]{3}$'),
    name                           text NOT NULL,
    lead_organisation_ods_code     text NOT NULL,
    lead_organisation_name         text,
    lead_ods_code_kind             text NOT NULL
        CHECK (lead_ods_code_kind IN ('site', 'trust', 'local_health_board', 'unknown')),
    lead_organisation_id           bigint REFERENCES npda.organisation (id),
    other_ods_codes                text[] NOT NULL DEFAULT '{}',
    parent_ods_code                text,
    parent_name                    text,
    parent_type                    text CHECK (parent_type IN ('trust', 'local_health_board')),
    parent_derivation              text,
    trust_id                       bigint REFERENCES npda.trust (id),
    local_health_board_id          bigint REFERENCES npda.local_health_board (id),
    integrated_care_board_id       bigint REFERENCES npda.integrated_care_board (id),
    icb_derivation                 text,
    icb_ods_code_trust_map         text,
    icb_trust_map_ambiguous        boolean,
    icb_sources_agree              boolean,
    nhs_england_region_id          bigint REFERENCES npda.nhs_england_region (id),
    country_id                     bigint REFERENCES npda.country (id),
    paediatric_diabetes_network_id bigint REFERENCES npda.paediatric_diabetes_network (id),
    postcode                       text,
    location                       geometry(Point, 4326),
    npda_repo_ods_code             text,
    npda_repo_organisation_name    text,
    npda_repo_trust_name           text,
    is_active                      boolean NOT NULL DEFAULT true,
    data_quality_flags             text[] NOT NULL DEFAULT '{}',
    notes                          text,
    CHECK (trust_id IS NULL OR local_health_board_id IS NULL),
    CHECK (integrated_care_board_id IS NULL OR local_health_board_id IS NULL),
    CHECK (nhs_england_region_id IS NULL OR local_health_board_id IS NULL)
);
ALTER TABLE npda.organisation
    ADD FOREIGN KEY (paediatric_diabetes_unit_id) REFERENCES npda.paediatric_diabetes_unit (id);
