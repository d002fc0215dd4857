-- npda.kpi_map_svg (docs/maps.md): the SVG document of a KPI map, its areas, tooltips,
-- legend, refused levels and the escaping of hostile names.
SET client_min_messages = warning;
-- A 2021-template file from rows given as their first columns (NHS number ...
-- visit date, and more where a test needs them); each row is padded with empty
-- cells to the template's 52.
CREATE FUNCTION pg_temp.file_2021(rows text[]) RETURNS bytea LANGUAGE sql AS $$
  SELECT convert_to('NHS Number,Date of Birth,Postcode of usual address,Stated gender,Ethnic Category,Diabetes Type,Date of Diabetes Diagnosis,Date of leaving service,Reason for leaving service,Death Date,GP Practice Code,PDU Number,Visit/Appointment Date,Patient Height (cm),Patient Weight (kg),Observation Date (Height and weight),Hba1c Value,HbA1c result format,Observation Date: Hba1c Value,Diabetes Treatment at time of Hba1c measurement,"If treatment included insulin pump therapy (i.e. option 3 or 6 selected), was this part of a closed loop system?","At the time of HbA1c measurement, in addition to standard blood glucose monitoring (SBGM), was the patient using any other method of glucose monitoring?",Systolic Blood Pressure,Diastolic Blood pressure,Observation Date (Blood Pressure),Foot Assessment / Examination Date,Retinal Screening date,Retinal Screening Result,Urinary Albumin Level (ACR),Observation Date: Urinary Albumin Level,Albuminuria Stage,Total Cholesterol Level (mmol/l),Observation Date: Total Cholesterol Level,Observation Date: Thyroid Function ,"At time of, or following measurement of thyroid function, was the patient prescribed any thyroid treatment?",Observation Date: Coeliac Disease Screening,Has the patient been recommended a Gluten-free diet?,Observation Date - Psychological Screening Assessment,Was the patient assessed as requiring additional psychological/CAMHS support outside of MDT clinics?,Does the patient smoke?,Date of offer of referral to smoking cessation service (if patient is a current smoker),Date of Level 3 carbohydrate counting education received,Was the patient offered an additional appointment with a paediatric dietitian?,Date of additional appointment with dietitian,Was the patient using (or trained to use) blood ketone testing equipment at time of visit?,Date that influenza immunisation was recommended,Date of provision of advice (''sick-day rules'') about managing diabetes during intercurrent illness or episodes of hyperglycaemia,Start date (Hospital Provider Spell),Discharge date (Hospital provider spell),Reason for admission,Only complete if DKA selected in previous question: During this DKA admission did the patient receive any of the following therapies?,Only complete if OTHER selected: Reason for admission (free text)' || E'\n' ||
                    array_to_string(ARRAY(SELECT r || repeat(',', 51 - (length(r) - length(replace(r, ',', '')))) FROM unnest(rows) r), E'\n'), 'UTF8')
$$;

-- Thirty children at PZ041 (Addenbrooke's, ICB QUE), two at PZ010 (Luton, ICB
-- QHG; so QUE, the region's other ICB with data, is suppressed too), thirty at
-- PZ215 (King's, ICB QKK), none in the other 39 ICBs; NHS numbers are valid
-- ones from a series.
CREATE FUNCTION pg_temp.children(pz text, first bigint, n integer) RETURNS text[] LANGUAGE sql AS $$
  SELECT array_agg(format('%s,04/04/2014,CB2 0QQ,1,A,1,01/01/2022,,,,A81001,%s,01/06/2024,140,35,01/06/2024,52,1,01/06/2024', nhs, pz))
    FROM (SELECT nhs FROM generate_series(first, first + 1000) nhs WHERE npda.nhs_number_is_valid(nhs::text) LIMIT n) s
$$;
SELECT (npda.submit_csv('PZ041', pg_temp.file_2021(pg_temp.children('PZ041', 4010232000, 30)), 2024, 'que.csv')).patient_count;
SELECT (npda.submit_csv('PZ215', pg_temp.file_2021(pg_temp.children('PZ215', 4010234000, 30)), 2024, 'qkk.csv')).patient_count;
SELECT (npda.submit_csv('PZ010', pg_temp.file_2021(pg_temp.children('PZ010', 4010233000, 2)), 2024, 'qhg.csv')).patient_count;
SELECT npda.refresh_kpi_aggregations(2024) > 0 AS refreshed;

-- A well-formed XML document: one path per ICB in force on 1 April 2024, each with its tooltip.
CREATE TEMP TABLE map AS SELECT npda.kpi_map_svg('25', 'integrated_care_board', 2024) AS svg;
SELECT xml_is_well_formed_document(svg) AS well_formed, left(svg, 38) AS prolog,
       length(svg) < 500000 AS under_500_kb FROM map;
SELECT count(*) AS paths FROM map, unnest(xpath('//s:path', xmlparse(document svg), '{{s,http://www.w3.org/2000/svg}}'));
SELECT count(*) AS paths_with_title FROM map, unnest(xpath('//s:path[s:title]', xmlparse(document svg), '{{s,http://www.w3.org/2000/svg}}'));
SELECT (SELECT count(*) FROM npda.integrated_care_board_version v
         WHERE v.valid_from <= '2024-04-01' AND (v.valid_to IS NULL OR v.valid_to >= '2024-04-01')) AS icbs_in_force;
-- The areas with figures, one grey area, the legend and the titles.
SELECT t::text AS tooltip FROM map, unnest(xpath('//s:path/s:title/text()', xmlparse(document svg), '{{s,http://www.w3.org/2000/svg}}')) t
 WHERE t::text LIKE '%(QUE)%' OR t::text LIKE '%(QHG)%' OR t::text LIKE '%(QKK)%' OR t::text LIKE '%(QYG)%' ORDER BY 1;
SELECT unnest(xpath('//s:path[@data-code="QYG"]/@fill', xmlparse(document svg), '{{s,http://www.w3.org/2000/svg}}'))::text AS no_data_fill,
       unnest(xpath('//s:path[@data-code="QHG"]/@fill', xmlparse(document svg), '{{s,http://www.w3.org/2000/svg}}'))::text AS suppressed_fill,
       unnest(xpath('//s:path[@data-code="QKK"]/@fill', xmlparse(document svg), '{{s,http://www.w3.org/2000/svg}}'))::text AS value_fill
  FROM map;
-- What the published view says of the three ICBs with children.
SELECT area_code, eligible, passed, pct_passed, suppressed FROM npda.kpi_results_published
 WHERE level = 'integrated_care_board' AND kpi = '25' AND audit_year = 2024 AND area_code IN ('QUE', 'QHG', 'QKK') ORDER BY 1;
SELECT array_length(xpath('//s:g[@id="npda-legend"]/s:rect', xmlparse(document svg), '{{s,http://www.w3.org/2000/svg}}'), 1) AS legend_swatches,
       array_to_string(xpath('//s:g[@id="npda-legend"]/s:text/text()', xmlparse(document svg), '{{s,http://www.w3.org/2000/svg}}')::text[], ' | ') AS legend
  FROM map;
SELECT array_to_string(xpath('/s:svg/s:text/text()', xmlparse(document svg), '{{s,http://www.w3.org/2000/svg}}')::text[], ' | ') AS titles,
       (xpath('/s:svg/@width', xmlparse(document svg), '{{s,http://www.w3.org/2000/svg}}'))[1]::text AS width,
       (xpath('/s:svg/@height', xmlparse(document svg), '{{s,http://www.w3.org/2000/svg}}'))[1]::text AS height
  FROM map;

-- The other levels with boundaries; KPIs 1-12 are counts, 44-47 values.
SELECT level, kpi, xml_is_well_formed_document(svg) AS well_formed,
       array_length(xpath('//s:path', xmlparse(document svg), '{{s,http://www.w3.org/2000/svg}}'), 1) AS paths,
       (xpath('//s:g[@id="npda-legend"]/s:text/text()', xmlparse(document svg), '{{s,http://www.w3.org/2000/svg}}'))[1]::text AS legend_heading
  FROM (VALUES ('local_health_board'::npda.geo_level, '1'), ('nhs_england_region', '44'), ('country', '46')) v(level, kpi),
       LATERAL (SELECT npda.kpi_map_svg(kpi, level, 2024) AS svg) m
 ORDER BY level;

-- Refused: levels without boundaries (NP450), an unknown KPI (NP451), an unknown year (NP104).
\set VERBOSITY sqlstate
SELECT npda.kpi_map_svg('13', 'pdu', 2024);
SELECT npda.kpi_map_svg('13', 'trust', 2024);
SELECT npda.kpi_map_svg('13', 'national', 2024);
SELECT npda.kpi_map_svg('99', 'integrated_care_board', 2024);
SELECT npda.kpi_map_svg('13', 'integrated_care_board', 1999);
SELECT npda.kpi_map_svg(NULL, 'country', 2024);
SELECT npda.kpi_map_svg('25', NULL, 2024);
SELECT npda.kpi_map_svg('25', 'country', NULL);
\set VERBOSITY default
SELECT npda.kpi_map_svg('13', 'pdu', 2024);

-- A hostile area name is escaped: the document still parses, and the name is
-- only text.
BEGIN;
UPDATE npda.integrated_care_board_version SET name = 'Evil <&"> </title><script>alert(1)</script>'
 WHERE integrated_care_board_id = (SELECT id FROM npda.integrated_care_board WHERE ods_code = 'QUE');
SELECT xml_is_well_formed_document(svg) AS well_formed, position('<script' IN svg) AS raw_script,
       position('Evil &lt;&amp;&quot;&gt; &lt;/title&gt;&lt;script&gt;' IN svg) > 0 AS escaped,
       (SELECT count(*) FROM unnest(xpath('//s:script', xmlparse(document svg), '{{s,http://www.w3.org/2000/svg}}'))) AS script_elements
  FROM (SELECT npda.kpi_map_svg('25', 'integrated_care_board', 2024) AS svg) m;
ROLLBACK;

-- Every role that reads results may draw maps; PUBLIC may not.
CREATE ROLE regress_map_analyst IN ROLE npda_analyst;
CREATE ROLE regress_map_nobody;
SET ROLE regress_map_analyst;
SELECT xml_is_well_formed_document(npda.kpi_map_svg('13', 'nhs_england_region', 2024)) AS analyst_draws;
RESET ROLE;
SET ROLE regress_map_nobody;
\set VERBOSITY sqlstate
SELECT npda.kpi_map_svg('13', 'nhs_england_region', 2024);
\set VERBOSITY default
RESET ROLE;
DROP ROLE regress_map_analyst;
DROP ROLE regress_map_nobody;
SELECT r.rolname, has_function_privilege(r.rolname, 'npda.kpi_map_svg(text, npda.geo_level, integer)', 'EXECUTE') AS may_execute
  FROM pg_roles r WHERE r.rolname LIKE 'npda\_%' ORDER BY 1;
-- Leave the database as the later tests expect it: no submissions of this test.
UPDATE npda.submission SET is_active = false WHERE file_name IN ('que.csv', 'qkk.csv', 'qhg.csv');
DELETE FROM npda.submission WHERE file_name IN ('que.csv', 'qkk.csv', 'qhg.csv');
SELECT npda.refresh_kpi_aggregations(2024) >= 0 AS refreshed_again;
