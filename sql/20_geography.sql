-- Organisations and geography: comments on the lookup tables of
-- migrations/1.0/20_geography.sql (and their validity, migrations/1.2/20_geography_validity.sql),
-- the hierarchy in force on a date (npda.pdu_hierarchy_at) and today's (the view npda.pdu_hierarchy).
-- Releases that change the organisation data: sql/25_organisation_releases.sql.
-- A current definition (sql/README.md): re-applied by every upgrade.
--
-- The hierarchy used for aggregation:
--   England: PDU -> trust;  PDU -> its own ICB -> NHS England region -> country E92000001
--   Wales:   PDU -> local health board -> country W92000004 (no ICB, no region)
--   Jersey:  PZ248 -> country E92000003 only (its source parent, RGT, is kept as text, not linked)
--   PZ999 (RCPCH dummy unit): no geography at all
--   Any PDU: PDU -> paediatric diabetes network (a separate clinical grouping)

COMMENT ON TABLE npda.country IS
    'Countries of the audit hierarchy: England, Wales, Scotland, Northern Ireland (ONS codes) and Jersey '
    '(E92000003, an RCPCH pseudo-code, not issued by ONS, with no boundary). Top level below national. '
    'Source: RCPCH NHS Organisations (country_codes.py); names, Welsh names, label points and boundaries '
    'from ONS Countries (December 2022) UK BUC, Open Government Licence v3.0. See docs/geography.md.';
COMMENT ON COLUMN npda.country.id IS 'Surrogate key (identity); other tables refer to it as country_id.';
COMMENT ON COLUMN npda.country.ons_code IS
    'ONS GSS country code, e.g. E92000001 England, W92000004 Wales; E92000003 is the RCPCH pseudo-code '
    'for Jersey. The area code of the country level in KPI aggregations.';
COMMENT ON COLUMN npda.country.name IS 'Country name in English (ONS).';
COMMENT ON COLUMN npda.country.name_welsh IS 'Country name in Welsh (ONS); NULL for Jersey.';
COMMENT ON COLUMN npda.country.label_point IS
    'ONS label point (a point inside the area, for map labels), SRID 4326 (longitude, latitude in degrees). '
    'For Jersey an RCPCH centroid, corrected to west longitude (-2.1313); one source comment has +2.1313.';
COMMENT ON COLUMN npda.country.boundary IS
    'Country polygon, SRID 4326, valid MultiPolygon: ONS Countries (December 2022) UK BUC, ultra-generalised '
    '(500 m), clipped to the coastline. NULL for Jersey (no ONS boundary).';
COMMENT ON COLUMN npda.country.note IS 'Source remark (Jersey: pseudo-code and centroid correction); NULL otherwise.';
COMMENT ON TABLE npda.nhs_england_region IS
    'The seven NHS England regions (July 2022), between integrated care boards and England. Welsh, Jersey '
    'and RCPCH units have no region. Source: RCPCH NHS Organisations (nhs_england_regions.py); boundary '
    'from ONS NHS England Regions (July 2022) EN BUC, Open Government Licence v3.0.';
COMMENT ON COLUMN npda.nhs_england_region.id IS 'Surrogate key (identity); referenced as nhs_england_region_id.';
COMMENT ON COLUMN npda.nhs_england_region.region_code IS
    'NHS England region code Y56..Y63 (ODS); the area code of the nhs_england_region level in KPI aggregations.';
COMMENT ON COLUMN npda.nhs_england_region.ons_code IS 'ONS GSS code of the region (E40...).';
COMMENT ON COLUMN npda.nhs_england_region.name IS 'Region name, e.g. London, North East and Yorkshire.';
COMMENT ON COLUMN npda.nhs_england_region.country_id IS 'The country of the region (always England).';
COMMENT ON COLUMN npda.nhs_england_region.label_point IS 'ONS label point, SRID 4326 (longitude, latitude in degrees).';
COMMENT ON COLUMN npda.nhs_england_region.boundary IS
    'Region polygon, SRID 4326, valid MultiPolygon: ONS NHS England Regions (July 2022) EN BUC, '
    'ultra-generalised (500 m), clipped to the coastline.';
COMMENT ON TABLE npda.integrated_care_board IS
    'The 42 integrated care boards of England (April 2023 codes and boundaries). An English PDU belongs to '
    'its own ICB (paediatric_diabetes_unit.integrated_care_board_id), which can differ from its trust''s. '
    'Source: RCPCH NHS Organisations (integrated_care_boards.py); ONS Integrated Care Boards (April 2023) '
    'EN BSC, Open Government Licence v3.0. Later mergers arrive as organisation releases (npda.integrated_care_board_version).';
COMMENT ON COLUMN npda.integrated_care_board.id IS 'Surrogate key (identity); referenced as integrated_care_board_id.';
COMMENT ON COLUMN npda.integrated_care_board.ods_code IS
    'ODS code of the ICB (Qxx); the area code of the integrated_care_board level in KPI aggregations.';
COMMENT ON COLUMN npda.integrated_care_board.ons_code IS 'ONS GSS code of the ICB (E54..., April 2023 vintage).';
COMMENT ON COLUMN npda.integrated_care_board.name IS 'ICB name as ODS writes it (upper case).';
COMMENT ON COLUMN npda.integrated_care_board.ons_name IS 'ICB name as ONS writes it (mixed case).';
COMMENT ON COLUMN npda.integrated_care_board.nhs_england_region_id IS 'The NHS England region the ICB belongs to.';
COMMENT ON COLUMN npda.integrated_care_board.country_id IS 'The country of the ICB (always England).';
COMMENT ON COLUMN npda.integrated_care_board.label_point IS 'ONS label point, SRID 4326 (longitude, latitude in degrees).';
COMMENT ON COLUMN npda.integrated_care_board.boundary IS
    'ICB polygon, SRID 4326, valid MultiPolygon: ONS Integrated Care Boards (April 2023) EN BSC, '
    'super-generalised (200 m), clipped to the coastline.';
COMMENT ON TABLE npda.local_health_board IS
    'The seven Welsh local health boards (LHBs). In Wales the LHB plays the roles of both trust and ICB: a '
    'Welsh PDU links to its LHB and to Wales, not to an ICB or region. Powys (7A7) has no PDU and is also '
    'listed as a trust. Source: RCPCH NHS Organisations (local_health_boards.py); ONS Local Health Boards '
    '(April 2022) WA BUC, Open Government Licence v3.0.';
COMMENT ON COLUMN npda.local_health_board.id IS 'Surrogate key (identity); referenced as local_health_board_id.';
COMMENT ON COLUMN npda.local_health_board.ods_code IS
    'ODS code of the LHB (7A1..7A7); the area code of the local_health_board level in KPI aggregations.';
COMMENT ON COLUMN npda.local_health_board.ons_code IS 'ONS GSS code of the LHB (W11...).';
COMMENT ON COLUMN npda.local_health_board.name IS 'LHB name as ODS writes it (upper case).';
COMMENT ON COLUMN npda.local_health_board.ons_name IS 'LHB name as ONS writes it (mixed case).';
COMMENT ON COLUMN npda.local_health_board.name_welsh IS 'LHB name in Welsh (ONS; the source truncates Cardiff and Vale''s).';
COMMENT ON COLUMN npda.local_health_board.country_id IS 'The country of the LHB (always Wales).';
COMMENT ON COLUMN npda.local_health_board.label_point IS 'ONS label point, SRID 4326 (longitude, latitude in degrees).';
COMMENT ON COLUMN npda.local_health_board.boundary IS
    'LHB polygon, SRID 4326, valid MultiPolygon: ONS Local Health Boards (April 2022) WA BUC, '
    'ultra-generalised (500 m), clipped to the coastline.';
COMMENT ON TABLE npda.paediatric_diabetes_network IS
    'The twelve paediatric diabetes networks (PN01 Jersey .. PN12 North East & North Cumbria), a clinical '
    'grouping of PDUs separate from the NHS geography; no boundary. Source: RCPCH NHS Organisations '
    '(paediatric_diabetes_networks.py).';
COMMENT ON COLUMN npda.paediatric_diabetes_network.id IS 'Surrogate key (identity); referenced as paediatric_diabetes_network_id.';
COMMENT ON COLUMN npda.paediatric_diabetes_network.pn_code IS 'Network code PN01..PN12 (RCPCH).';
COMMENT ON COLUMN npda.paediatric_diabetes_network.name IS 'Network name, e.g. London & South East.';
COMMENT ON TABLE npda.trust IS
    'NHS trusts (242: 239 in England; RYT, RT4 and 7A7 in Wales, 7A7 being also an LHB). An English PDU '
    'links to its trust (its parent). Trusts have no boundary: show them as points (their sites) or '
    'through an ICB polygon. Source: RCPCH NHS Organisations (trust.py), ODS codes, names and addresses '
    'from the NHS Organisation Data Service (Open Government Licence v3.0).';
COMMENT ON COLUMN npda.trust.id IS 'Surrogate key (identity); referenced as trust_id.';
COMMENT ON COLUMN npda.trust.ods_code IS 'ODS code of the trust (three characters); the area code of the trust level.';
COMMENT ON COLUMN npda.trust.name IS 'Trust name as ODS writes it (upper case).';
COMMENT ON COLUMN npda.trust.address_line_1 IS 'Registered address, first line (ODS).';
COMMENT ON COLUMN npda.trust.address_line_2 IS 'Registered address, second line (ODS).';
COMMENT ON COLUMN npda.trust.town IS 'Registered address, town (ODS).';
COMMENT ON COLUMN npda.trust.postcode IS 'Registered address, postcode as published (with space).';
COMMENT ON COLUMN npda.trust.country_id IS 'Country of the trust (England or Wales).';
COMMENT ON COLUMN npda.trust.integrated_care_board_id IS
    'One ICB for the trust from the RCPCH trust/ICB/local-authority table, where the LAST matching row '
    'wins (as RCPCH seeds it): arbitrary for the trusts that span several ICBs (see icb_ambiguous). NULL '
    'for 35 trusts the table does not name (Welsh, ambulance, specialist). Do NOT use it to place a PDU: '
    'paediatric_diabetes_unit.integrated_care_board_id is the PDU''s own ICB.';
COMMENT ON COLUMN npda.trust.nhs_england_region_id IS 'Region of integrated_care_board_id (same caveat); NULL where that is NULL.';
COMMENT ON COLUMN npda.trust.icb_ods_codes_all IS
    'ODS codes of every ICB the trust/ICB/local-authority table names for the trust (empty when none).';
COMMENT ON COLUMN npda.trust.icb_ambiguous IS
    'True when the trust/ICB table names several ICBs for the trust (33 trusts), so integrated_care_board_id is arbitrary.';
COMMENT ON TABLE npda.organisation IS
    'Hospital and community sites (339): the lead site of most PDUs, and the other sites of PDUs that span '
    'several. 310 sites sit under a trust, 28 under a Welsh LHB, 1 (8HV48, RCPCH) under nothing. Source: '
    'RCPCH NHS Organisations (rcpch_organisations.py); ODS codes, names and addresses from the NHS '
    'Organisation Data Service (Open Government Licence v3.0). Vintage August-October 2024.';
COMMENT ON COLUMN npda.organisation.id IS 'Surrogate key (identity); referenced as organisation_id.';
COMMENT ON COLUMN npda.organisation.ods_code IS 'ODS site code (five characters), e.g. RGT01 Addenbrooke''s Hospital.';
COMMENT ON COLUMN npda.organisation.name IS 'Site name as the source writes it (mostly upper case).';
COMMENT ON COLUMN npda.organisation.address1 IS 'Address, first line (ODS).';
COMMENT ON COLUMN npda.organisation.address2 IS 'Address, second line (ODS).';
COMMENT ON COLUMN npda.organisation.address3 IS 'Address, third line (ODS).';
COMMENT ON COLUMN npda.organisation.city IS 'Address, town or city (ODS).';
COMMENT ON COLUMN npda.organisation.county IS 'Address, county (ODS).';
COMMENT ON COLUMN npda.organisation.postcode IS 'Postcode of the site as published (with space).';
COMMENT ON COLUMN npda.organisation.location IS
    'Site location from the source latitude/longitude, SRID 4326 (longitude, latitude in degrees); known for every site.';
COMMENT ON COLUMN npda.organisation.website IS 'Web site of the site or its trust, as in the source.';
COMMENT ON COLUMN npda.organisation.parent_ods_code IS
    'ODS code of the parent trust or LHB exactly as the source gives it (kept even where not linked: '
    'RGT1W Jersey General Hospital keeps RGT).';
COMMENT ON COLUMN npda.organisation.parent_name IS 'Name of the parent as the source gives it.';
COMMENT ON COLUMN npda.organisation.parent_type IS 'trust or local_health_board; NULL for the RCPCH site 8HV48.';
COMMENT ON COLUMN npda.organisation.trust_id IS
    'Parent trust when parent_type = trust. NULL for the Jersey site RGT1W: its source parent RGT '
    '(Cambridge) is not followed, as for PDU PZ248.';
COMMENT ON COLUMN npda.organisation.local_health_board_id IS 'Parent LHB when the site is in Wales.';
COMMENT ON COLUMN npda.organisation.local_authority_code IS 'ONS code of the local authority the site is in (E06/E07/E08/E09/W06...), as in the source.';
COMMENT ON COLUMN npda.organisation.country_id IS 'Country of the site (Jersey for RGT1W); NULL for the RCPCH site 8HV48.';
COMMENT ON COLUMN npda.organisation.integrated_care_board_id IS
    'ICB of the site''s parent trust in the RCPCH trust/ICB table (last row wins; arbitrary for trusts in '
    'several ICBs). NULL in Wales, Jersey and for trusts the table does not name.';
COMMENT ON COLUMN npda.organisation.site_integrated_care_board_id IS
    'ICB whose April 2023 boundary contains the site location (computed by the data source); NULL outside '
    'England. Prefer it to integrated_care_board_id for placing a site.';
COMMENT ON COLUMN npda.organisation.nhs_england_region_id IS 'Region of integrated_care_board_id (as in the source).';
COMMENT ON COLUMN npda.organisation.paediatric_diabetes_unit_id IS
    'The PDU this site belongs to (191 sites carry a PZ code; a PDU may have several sites).';
COMMENT ON TABLE npda.paediatric_diabetes_unit IS
    'Paediatric diabetes units (PDUs), one row per PZ code (173): the unit that submits audit data and the '
    'lowest aggregation level. England: links to trust, own ICB, region, England. Wales: LHB and Wales only. '
    'PZ248 Jersey: country Jersey and network PN01 only (its source parent RGT is kept in parent_ods_code '
    'but not linked). PZ999 (RCPCH dummy unit for staff and sample files): no geography at all, to be '
    'excluded from every level above the PDU. Doubtful source links are kept and flagged in '
    'data_quality_flags (docs/geography.md). Source: RCPCH NHS Organisations (paediatric_diabetes_units.py, '
    'August 2024) joined with the site, trust and boundary data; npda_repo_* columns from the RCPCH NPDA '
    'platform (October 2024).';
COMMENT ON COLUMN npda.paediatric_diabetes_unit.id IS 'Surrogate key (identity); referenced as paediatric_diabetes_unit_id.';
COMMENT ON COLUMN npda.paediatric_diabetes_unit.pz_code IS
    'PDU number: PZ + three digits, e.g. PZ041. Unique. PZ999 = RCPCH dummy unit, PZ248 = Jersey General '
    'Hospital (uses Unique Reference Numbers, not NHS numbers). The area code of the pdu level.';
COMMENT ON COLUMN npda.paediatric_diabetes_unit.name IS
    'Display name of the unit: the lead organisation''s name as the source writes it (for PZ206 the trust''s name).';
COMMENT ON COLUMN npda.paediatric_diabetes_unit.lead_organisation_ods_code IS
    'ODS code of the lead organisation: usually a hospital site (154), sometimes a trust (10) or an LHB (1), '
    'and for 8 PDUs a site code missing from the site list (lead_ods_code_kind = unknown).';
COMMENT ON COLUMN npda.paediatric_diabetes_unit.lead_organisation_name IS 'Name of the lead organisation as the source writes it.';
COMMENT ON COLUMN npda.paediatric_diabetes_unit.lead_ods_code_kind IS
    'What lead_organisation_ods_code is: site, trust, local_health_board or unknown (not in the site list).';
COMMENT ON COLUMN npda.paediatric_diabetes_unit.lead_organisation_id IS
    'The lead site in npda.organisation when lead_ods_code_kind = site; NULL otherwise.';
COMMENT ON COLUMN npda.paediatric_diabetes_unit.other_ods_codes IS
    'Further ODS site codes of the unit (e.g. PZ010 Luton & Dunstable: RGT2X); empty array when none. '
    'See also npda.organisation.paediatric_diabetes_unit_id.';
COMMENT ON COLUMN npda.paediatric_diabetes_unit.parent_ods_code IS
    'ODS code of the parent trust (England) or LHB (Wales) exactly as the source gives it, kept even where '
    'not linked (PZ248: RGT) or doubtful (PZ171: R1L, PZ092: 7A3). NULL for PZ999.';
COMMENT ON COLUMN npda.paediatric_diabetes_unit.parent_name IS 'Name of the parent as the source gives it.';
COMMENT ON COLUMN npda.paediatric_diabetes_unit.parent_type IS 'trust (161 units) or local_health_board (11); NULL for PZ999.';
COMMENT ON COLUMN npda.paediatric_diabetes_unit.parent_derivation IS
    'How the source found the parent: rcpch_organisations.ParentODSCode (the lead site''s parent), '
    'self (PZ code attached to the trust / LHB itself), ods_code_prefix (heuristic) (first three '
    'characters of a lead site code missing from the site list), none.';
COMMENT ON COLUMN npda.paediatric_diabetes_unit.trust_id IS
    'Parent trust (England; trust level of the KPI aggregations). NULL in Wales, for PZ248 Jersey and PZ999.';
COMMENT ON COLUMN npda.paediatric_diabetes_unit.local_health_board_id IS
    'Parent LHB (Wales; local_health_board level). NULL outside Wales.';
COMMENT ON COLUMN npda.paediatric_diabetes_unit.integrated_care_board_id IS
    'The PDU''s own ICB (England only): the ICB whose boundary contains the lead site, or, without a site '
    'location, the trust''s ICB from the trust map (see icb_derivation). Use this, not the trust''s ICB.';
COMMENT ON COLUMN npda.paediatric_diabetes_unit.icb_derivation IS
    'How integrated_care_board_id was found: site_point_in_icb_polygon (142) or trust_icb_map (18; '
    'last row wins, as RCPCH seeds it); NULL outside England.';
COMMENT ON COLUMN npda.paediatric_diabetes_unit.icb_ods_code_trust_map IS
    'ICB ODS code the trust map gives for the parent trust, kept for comparison (not linked).';
COMMENT ON COLUMN npda.paediatric_diabetes_unit.icb_trust_map_ambiguous IS
    'True when the trust map names several ICBs for the parent trust; NULL outside England.';
COMMENT ON COLUMN npda.paediatric_diabetes_unit.icb_sources_agree IS
    'Whether the site-in-polygon ICB and the trust-map ICB agree; false for PZ006, PZ033, PZ057, PZ110, '
    'PZ133, PZ223 (the site-in-polygon ICB is used); NULL when only one source exists.';
COMMENT ON COLUMN npda.paediatric_diabetes_unit.nhs_england_region_id IS
    'NHS England region of the PDU''s ICB (England only).';
COMMENT ON COLUMN npda.paediatric_diabetes_unit.country_id IS
    'Country: England, Wales or Jersey (PZ248); NULL for PZ999.';
COMMENT ON COLUMN npda.paediatric_diabetes_unit.paediatric_diabetes_network_id IS
    'Paediatric diabetes network (PN01..PN12); NULL for PZ206 (not in use) and PZ999.';
COMMENT ON COLUMN npda.paediatric_diabetes_unit.postcode IS 'Postcode of the lead site as published (with space); NULL when unknown.';
COMMENT ON COLUMN npda.paediatric_diabetes_unit.location IS
    'Lead site location, SRID 4326 (longitude, latitude in degrees); NULL for the 19 units whose lead is a '
    'trust, an LHB or a site missing from the site list. PZ999 carries the RCPCH office (London), which '
    'is not a clinical location.';
COMMENT ON COLUMN npda.paediatric_diabetes_unit.npda_repo_ods_code IS
    'Lead ODS code the NPDA platform itself used in October 2024 (160 units; may be an older code, e.g. RW6 for PZ206).';
COMMENT ON COLUMN npda.paediatric_diabetes_unit.npda_repo_organisation_name IS 'Unit name the NPDA platform used in October 2024.';
COMMENT ON COLUMN npda.paediatric_diabetes_unit.npda_repo_trust_name IS 'Trust name the NPDA platform used in October 2024.';
COMMENT ON COLUMN npda.paediatric_diabetes_unit.is_active IS
    'False when the source marks the unit as not in use (PZ206, ex-Pennine Acute); true otherwise. '
    'Administrators may change it.';
COMMENT ON COLUMN npda.paediatric_diabetes_unit.data_quality_flags IS
    'Snake_case flags for doubtful or missing data, e.g. parent_doubtful, parent_probably_stale, not_in_use, '
    'parent_from_code_prefix, icb_sources_disagree, icb_from_trust_map, no_location, no_geography; the '
    'list and the choices made are in docs/geography.md. Empty array when none.';
COMMENT ON COLUMN npda.paediatric_diabetes_unit.notes IS
    'Source comments and data-quality remarks (QA: ...), several joined with " | "; NULL when none.';

--------------------------------------------------------------------------------------------------
-- validity: each code's dates; what changes over time is in the *_version tables
--------------------------------------------------------------------------------------------------
COMMENT ON COLUMN npda.country.valid_from IS
    'First day the country is in force: 2020-04-01 (the first audit period) for the seeded data, else the effective date of the organisation release that added it. The name, links and boundary of this row are the country''s newest version; what was in force on a given day is in npda.country_version.';
COMMENT ON COLUMN npda.country.valid_to IS
    'Last day the country is in force (the day before the release that left it out took effect); NULL while it is.';
COMMENT ON COLUMN npda.nhs_england_region.valid_from IS
    'First day the NHS England region is in force: 2020-04-01 (the first audit period) for the seeded data, else the effective date of the organisation release that added it. The name, links and boundary of this row are the NHS England region''s newest version; what was in force on a given day is in npda.nhs_england_region_version.';
COMMENT ON COLUMN npda.nhs_england_region.valid_to IS
    'Last day the NHS England region is in force (the day before the release that left it out took effect); NULL while it is.';
COMMENT ON COLUMN npda.integrated_care_board.valid_from IS
    'First day the ICB is in force: 2020-04-01 (the first audit period) for the seeded data, else the effective date of the organisation release that added it. The name, links and boundary of this row are the ICB''s newest version; what was in force on a given day is in npda.integrated_care_board_version.';
COMMENT ON COLUMN npda.integrated_care_board.valid_to IS
    'Last day the ICB is in force (the day before the release that left it out took effect); NULL while it is.';
COMMENT ON COLUMN npda.local_health_board.valid_from IS
    'First day the LHB is in force: 2020-04-01 (the first audit period) for the seeded data, else the effective date of the organisation release that added it. The name, links and boundary of this row are the LHB''s newest version; what was in force on a given day is in npda.local_health_board_version.';
COMMENT ON COLUMN npda.local_health_board.valid_to IS
    'Last day the LHB is in force (the day before the release that left it out took effect); NULL while it is.';
COMMENT ON COLUMN npda.paediatric_diabetes_network.valid_from IS
    'First day the network is in force: 2020-04-01 (the first audit period) for the seeded data, else the effective date of the organisation release that added it. The name, links and boundary of this row are the network''s newest version; what was in force on a given day is in npda.paediatric_diabetes_network_version.';
COMMENT ON COLUMN npda.paediatric_diabetes_network.valid_to IS
    'Last day the network is in force (the day before the release that left it out took effect); NULL while it is.';
COMMENT ON COLUMN npda.trust.valid_from IS
    'First day the trust is in force: 2020-04-01 (the first audit period) for the seeded data, else the effective date of the organisation release that added it. The name, links and boundary of this row are the trust''s newest version; what was in force on a given day is in npda.trust_version.';
COMMENT ON COLUMN npda.trust.valid_to IS
    'Last day the trust is in force (the day before the release that left it out took effect); NULL while it is.';
COMMENT ON COLUMN npda.paediatric_diabetes_unit.valid_from IS
    'First day the PDU is in force: 2020-04-01 (the first audit period) for the seeded data, else the effective date of the organisation release that added it. The name, links and boundary of this row are the PDU''s newest version; what was in force on a given day is in npda.paediatric_diabetes_unit_version.';
COMMENT ON COLUMN npda.paediatric_diabetes_unit.valid_to IS
    'Last day the PDU is in force (the day before the release that left it out took effect); NULL while it is.';

--------------------------------------------------------------------------------------------------
-- pdu_hierarchy: one row per PDU with every level it rolls up to
--------------------------------------------------------------------------------------------------
CREATE OR REPLACE FUNCTION npda.pdu_hierarchy_at(as_of date DEFAULT current_date)
  RETURNS TABLE (paediatric_diabetes_unit_id bigint, pz_code text, name text,
                 trust_ods_code text, trust_name text,
                 local_health_board_ods_code text, local_health_board_name text,
                 integrated_care_board_ods_code text, integrated_care_board_name text,
                 nhs_england_region_code text, nhs_england_region_name text,
                 country_ons_code text, country_name text,
                 paediatric_diabetes_network_code text, paediatric_diabetes_network_name text,
                 is_active boolean)
  LANGUAGE sql STABLE
  SET search_path = pg_catalog, pg_temp
  BEGIN ATOMIC
    -- Each PDU's version in force on as_of, and the version of each area it
    -- names that is in force that day (a release is complete, so they are);
    -- the region is the ICB's.
    SELECT u.id, u.pz_code, uv.name,
           t.ods_code, tv.name, l.ods_code, lv.name, i.ods_code, iv.name, r.region_code, rv.name,
           c.ons_code, cv.name, n.pn_code, nv.name, u.is_active
      FROM npda.paediatric_diabetes_unit_version uv
      JOIN npda.paediatric_diabetes_unit u ON u.id = uv.paediatric_diabetes_unit_id
      LEFT JOIN npda.trust t ON t.id = uv.trust_id
      LEFT JOIN npda.trust_version tv
        ON tv.trust_id = t.id AND tv.valid_from <= as_of AND (tv.valid_to IS NULL OR tv.valid_to >= as_of)
      LEFT JOIN npda.local_health_board l ON l.id = uv.local_health_board_id
      LEFT JOIN npda.local_health_board_version lv
        ON lv.local_health_board_id = l.id AND lv.valid_from <= as_of AND (lv.valid_to IS NULL OR lv.valid_to >= as_of)
      LEFT JOIN npda.integrated_care_board i ON i.id = uv.integrated_care_board_id
      LEFT JOIN npda.integrated_care_board_version iv
        ON iv.integrated_care_board_id = i.id AND iv.valid_from <= as_of AND (iv.valid_to IS NULL OR iv.valid_to >= as_of)
      LEFT JOIN npda.nhs_england_region r ON r.id = iv.nhs_england_region_id
      LEFT JOIN npda.nhs_england_region_version rv
        ON rv.nhs_england_region_id = r.id AND rv.valid_from <= as_of AND (rv.valid_to IS NULL OR rv.valid_to >= as_of)
      LEFT JOIN npda.country c ON c.id = uv.country_id
      LEFT JOIN npda.country_version cv
        ON cv.country_id = c.id AND cv.valid_from <= as_of AND (cv.valid_to IS NULL OR cv.valid_to >= as_of)
      LEFT JOIN npda.paediatric_diabetes_network n ON n.id = uv.paediatric_diabetes_network_id
      LEFT JOIN npda.paediatric_diabetes_network_version nv
        ON nv.paediatric_diabetes_network_id = n.id AND nv.valid_from <= as_of AND (nv.valid_to IS NULL OR nv.valid_to >= as_of)
     WHERE uv.valid_from <= as_of AND (uv.valid_to IS NULL OR uv.valid_to >= as_of)
     ORDER BY u.pz_code;
  END;
COMMENT ON FUNCTION npda.pdu_hierarchy_at(date) IS
  'The hierarchy in force on a date (default today): one row per PDU in force that day, with the code and name, as they were that day, of every area it rolls up to (the columns of npda.pdu_hierarchy). A NULL level means the PDU does not roll up through it. The roll-ups of an audit period use the hierarchy of its first day (docs/geography.md).';

-- The roll-ups of a period follow the hierarchy of its first day, 1 April:
-- NHS reorganisations take effect on 1 April, the day an audit year begins,
-- and a year's areas are then fixed for the whole year, so a release applied
-- during a year never moves the children of a year already under way. A unit
-- not in force that day but with children in the period (it opened during the
-- year, or closed before it) rolls up as it stood on the nearest day it was in
-- force; only the units in force get rows of their own when they have no child.
CREATE OR REPLACE FUNCTION npda._pdu_hierarchy_for_roll_up(audit_period_id bigint)
  RETURNS TABLE (paediatric_diabetes_unit_id bigint, pz_code text, trust_ods_code text,
                 local_health_board_ods_code text, integrated_care_board_ods_code text,
                 nhs_england_region_code text, country_ons_code text, in_force boolean)
  LANGUAGE sql STABLE
  SET search_path = pg_catalog, pg_temp
  BEGIN ATOMIC
    WITH period AS (
      SELECT ap.start_date AS day FROM npda.audit_period ap WHERE ap.id = _pdu_hierarchy_for_roll_up.audit_period_id
    ), unit_day AS MATERIALIZED (
      SELECT u.id, u.pz_code,
             CASE WHEN EXISTS (SELECT FROM npda.paediatric_diabetes_unit_version v
                                WHERE v.paediatric_diabetes_unit_id = u.id AND v.valid_from <= p.day
                                  AND (v.valid_to IS NULL OR v.valid_to >= p.day))
                  THEN p.day
                  ELSE coalesce(
                    (SELECT min(v.valid_from) FROM npda.paediatric_diabetes_unit_version v
                      WHERE v.paediatric_diabetes_unit_id = u.id AND v.valid_from > p.day
                        AND (v.valid_to IS NULL OR v.valid_to >= v.valid_from)),
                    (SELECT max(v.valid_to) FROM npda.paediatric_diabetes_unit_version v
                      WHERE v.paediatric_diabetes_unit_id = u.id AND v.valid_to < p.day AND v.valid_to >= v.valid_from))
             END AS day,
             p.day AS period_day
        FROM npda.paediatric_diabetes_unit u, period p
    ), hierarchy AS MATERIALIZED (
      -- Once per distinct day (usually the period's first day alone).
      SELECT days.day, h.*
        FROM (SELECT DISTINCT ud.day FROM unit_day ud WHERE ud.day IS NOT NULL) AS days
       CROSS JOIN LATERAL npda.pdu_hierarchy_at(days.day) AS h
    )
    SELECT h.paediatric_diabetes_unit_id, h.pz_code, h.trust_ods_code, h.local_health_board_ods_code,
           h.integrated_care_board_ods_code, h.nhs_england_region_code, h.country_ons_code, d.day = d.period_day
      FROM hierarchy h
      JOIN unit_day d ON d.id = h.paediatric_diabetes_unit_id AND d.day = h.day
    UNION ALL
    SELECT ud.id, ud.pz_code, NULL, NULL, NULL, NULL, NULL, false FROM unit_day ud WHERE ud.day IS NULL;
  END;
COMMENT ON FUNCTION npda._pdu_hierarchy_for_roll_up(bigint) IS
  'Internal: the areas each PDU rolls up to in an audit period (npda._refresh_kpi_aggregation): the hierarchy of the period''s first day; a PDU not in force that day as on the nearest day it was (in_force false).';

CREATE OR REPLACE VIEW npda.pdu_hierarchy AS
SELECT h.paediatric_diabetes_unit_id, h.pz_code, h.name, h.trust_ods_code, h.trust_name,
       h.local_health_board_ods_code, h.local_health_board_name,
       h.integrated_care_board_ods_code, h.integrated_care_board_name,
       h.nhs_england_region_code, h.nhs_england_region_name, h.country_ons_code, h.country_name,
       h.paediatric_diabetes_network_code, h.paediatric_diabetes_network_name, h.is_active
  FROM npda.pdu_hierarchy_at(current_date) AS h;
COMMENT ON VIEW npda.pdu_hierarchy IS
    'Today''s hierarchy (npda.pdu_hierarchy_at(current_date)): one row per PDU in force with the code and name of every area it rolls up to: trust (England) or local health '
    'board (Wales), ICB and NHS England region (England only), country, and paediatric diabetes network. '
    'A NULL level means the PDU does not roll up through it (Welsh units have no ICB/region; PZ248 Jersey '
    'has only country and network; PZ999 has nothing).';
COMMENT ON COLUMN npda.pdu_hierarchy.paediatric_diabetes_unit_id IS 'npda.paediatric_diabetes_unit.id.';
COMMENT ON COLUMN npda.pdu_hierarchy.pz_code IS 'PDU number (PZ code).';
COMMENT ON COLUMN npda.pdu_hierarchy.name IS 'PDU display name (lead organisation name).';
COMMENT ON COLUMN npda.pdu_hierarchy.trust_ods_code IS 'ODS code of the parent trust (England); NULL otherwise.';
COMMENT ON COLUMN npda.pdu_hierarchy.trust_name IS 'Name of the parent trust.';
COMMENT ON COLUMN npda.pdu_hierarchy.local_health_board_ods_code IS 'ODS code of the parent LHB (Wales); NULL otherwise.';
COMMENT ON COLUMN npda.pdu_hierarchy.local_health_board_name IS 'Name of the parent LHB.';
COMMENT ON COLUMN npda.pdu_hierarchy.integrated_care_board_ods_code IS 'ODS code of the PDU''s own ICB (England); NULL otherwise.';
COMMENT ON COLUMN npda.pdu_hierarchy.integrated_care_board_name IS 'Name of the ICB (ODS style).';
COMMENT ON COLUMN npda.pdu_hierarchy.nhs_england_region_code IS 'NHS England region code (Y56..Y63); NULL outside England.';
COMMENT ON COLUMN npda.pdu_hierarchy.nhs_england_region_name IS 'NHS England region name.';
COMMENT ON COLUMN npda.pdu_hierarchy.country_ons_code IS 'Country code (E92000001, W92000004, E92000003 Jersey); NULL for PZ999.';
COMMENT ON COLUMN npda.pdu_hierarchy.country_name IS 'Country name.';
COMMENT ON COLUMN npda.pdu_hierarchy.paediatric_diabetes_network_code IS 'Network code PN01..PN12; NULL for PZ206 and PZ999.';
COMMENT ON COLUMN npda.pdu_hierarchy.paediatric_diabetes_network_name IS 'Network name.';
COMMENT ON COLUMN npda.pdu_hierarchy.is_active IS 'Whether the unit is in use (false for PZ206).';
