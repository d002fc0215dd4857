-- Published outputs and analysts (docs/publishing.md): an analyst's own login,
-- a login whose only npda group is npda_analyst, and an application acting
-- for an analyst (npda.act_as) try every path to a count from 1 to 7 and find
-- none: npda.kpi_results (published figures, no PDU rows), npda.kpi_map,
-- npda.kpi_results_published, npda.kpi_report, the raw roll-ups and the stored
-- results (refused), the functions that write them (refused), and the
-- settings (read-only). Secondary suppression holds in what they read: no
-- region, country or the nation shows a count whose children areas show all
-- but one. Everyone else still reads the exact figures. Rolled back.
BEGIN;
SELECT plan(64);
SET LOCAL client_min_messages = warning;

-- ---- fixture: 2025 children in region Y61 (East of England) ----------------
-- QUE (PZ041): 20 children; QMM (PZ002): 3; QHG (PZ010): 12. KPI 1 in Y61:
-- QMM's 3 is small; the region (35) less QUE (20) would give it away, so
-- QHG's 12 is withheld too.
UPDATE npda.audit_period SET is_open = true WHERE start_date = '2025-04-01';
CREATE TEMP TABLE nhs AS
SELECT n::text AS nhs, row_number() OVER (ORDER BY n) AS k
  FROM generate_series(9434765000::bigint, 9434769999) n WHERE npda.nhs_number_is_valid(n::text);
CREATE FUNCTION pg_temp.file(pz text, postcode text, first integer, children integer) RETURNS bytea LANGUAGE sql AS $$
  SELECT convert_to('NHS Number,Date of Birth,Postcode of usual address,Stated gender,Ethnic Category,Diabetes Type,Date of Diabetes Diagnosis,Date of leaving service,Reason for leaving service,Death Date,GP Practice Code,PDU Number,Visit/Appointment Date,Patient Height (cm),Patient Weight (kg),Observation Date (Height and weight),Hba1c Value,HbA1c result format,Observation Date: Hba1c Value,Diabetes Treatment at time of Hba1c measurement,"If treatment included insulin pump therapy (i.e. option 3 or 6 selected), was this part of a closed loop system?","At the time of HbA1c measurement, in addition to standard blood glucose monitoring (SBGM), was the patient using any other method of glucose monitoring?",Systolic Blood Pressure,Diastolic Blood pressure,Observation Date (Blood Pressure),Foot Assessment / Examination Date,Retinal Screening date,Retinal Screening Result,Urinary Albumin Level (ACR),Observation Date: Urinary Albumin Level,Albuminuria Stage,Total Cholesterol Level (mmol/l),Observation Date: Total Cholesterol Level,Observation Date: Thyroid Function ,"At time of, or following measurement of thyroid function, was the patient prescribed any thyroid treatment?",Observation Date: Coeliac Disease Screening,Has the patient been recommended a Gluten-free diet?,Observation Date - Psychological Screening Assessment,Was the patient assessed as requiring additional psychological/CAMHS support outside of MDT clinics?,Does the patient smoke?,Date of offer of referral to smoking cessation service (if patient is a current smoker),Date of Level 3 carbohydrate counting education received,Was the patient offered an additional appointment with a paediatric dietitian?,Date of additional appointment with dietitian,Was the patient using (or trained to use) blood ketone testing equipment at time of visit?,Date that influenza immunisation was recommended,Date of provision of advice (''sick-day rules'') about managing diabetes during intercurrent illness or episodes of hyperglycaemia,Start date (Hospital Provider Spell),Discharge date (Hospital provider spell),Reason for admission,Only complete if DKA selected in previous question: During this DKA admission did the patient receive any of the following therapies?,Only complete if OTHER selected: Reason for admission (free text)' || E'\n' ||
                    string_agg(format('%s,04/04/2014,%s,1,A,1,01/01/2022,,,,A81001,%s,01/06/2025', nhs, postcode, pz)
                               || repeat(',', 39), E'\n'), 'UTF8')
    FROM nhs WHERE k >= first AND k < first + children
$$;
SELECT lives_ok($$SELECT npda.submit_csv('PZ041', pg_temp.file('PZ041', 'CB2 0QQ', 1, 20), 2025, 'que.csv')$$, 'QUE: 20 children');
SELECT lives_ok($$SELECT npda.submit_csv('PZ002', pg_temp.file('PZ002', 'NR4 7UY', 101, 3), 2025, 'qmm.csv')$$, 'QMM: 3 children');
SELECT lives_ok($$SELECT npda.submit_csv('PZ010', pg_temp.file('PZ010', 'LU4 0DZ', 201, 12), 2025, 'qhg.csv')$$, 'QHG: 12 children');
SELECT ok(npda.refresh_kpi_aggregations(2025) > 0, 'the 2025 roll-ups and results are stored');

-- The exact figures hold small counts (so the checks below are not empty).
SELECT is((SELECT eligible FROM npda.kpi_results WHERE audit_year = 2025 AND kpi = '1' AND area_code = 'QMM'), 3::bigint,
          'the exact figures: QMM has 3 children');
SELECT ok((SELECT count(*) FROM npda.kpi_results WHERE audit_year = 2025 AND level <> 'pdu' AND passed BETWEEN 1 AND 7) > 0,
          'the exact figures above PDU level hold counts from 1 to 7');

-- ---- identities --------------------------------------------------------------
CREATE ROLE npda_tap_p_analyst LOGIN;
CREATE ROLE npda_tap_p_bare LOGIN IN ROLE npda_analyst;  -- no npda user: only its group
CREATE ROLE npda_tap_p_app LOGIN IN ROLE npda_application;
CREATE ROLE npda_tap_p_reader LOGIN;
SELECT npda.add_user('analyst@published.example', 'analyst', '{}', 'npda_tap_p_analyst') IS NOT NULL AS analyst \gset
SELECT npda.add_user('reader@published.example', 'reader', '{PZ041}', 'npda_tap_p_reader') IS NOT NULL AS reader \gset

-- Counts from 1 to 7 a query returns (eligible, ineligible, passed, failed,
-- pending, and the admissions of 46/47), or 'ERR:SQLSTATE'.
CREATE FUNCTION pg_temp.small(q text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
  k bigint;
BEGIN
  EXECUTE format('SELECT count(*) FROM (%s) x WHERE eligible BETWEEN 1 AND 7 OR ineligible BETWEEN 1 AND 7 '
                 'OR passed BETWEEN 1 AND 7 OR failed BETWEEN 1 AND 7 OR pending BETWEEN 1 AND 7 '
                 'OR (kpi IN (''46'', ''47'') AND value BETWEEN 1 AND 7)', q) INTO k;
  RETURN k::text;
EXCEPTION WHEN OTHERS THEN
  RETURN 'ERR:' || SQLSTATE;
END
$$;
-- Rows a statement returns or changes, or 'refused' (no privilege, 42501, or
-- not the audit team, NP201), or 'ERR:SQLSTATE'.
CREATE FUNCTION pg_temp.try(q text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
  k bigint;
BEGIN
  EXECUTE q;
  GET DIAGNOSTICS k = ROW_COUNT;
  RETURN k::text;
EXCEPTION WHEN OTHERS THEN
  RETURN CASE WHEN SQLSTATE IN ('42501', 'NP201') THEN 'refused' ELSE 'ERR:' || SQLSTATE END;
END
$$;
-- A withheld count next to siblings that are all shown, under a shown parent:
-- the parent less the siblings would give it away. Returns how many.
CREATE FUNCTION pg_temp.recoverable(src text) RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE
  k bigint;
BEGIN
  EXECUTE format($q$
    WITH r AS (SELECT * FROM %s WHERE audit_year = 2025),
    links AS (SELECT DISTINCT 'nhs_england_region'::npda.geo_level AS pl, nhs_england_region_code AS pc,
                     'integrated_care_board'::npda.geo_level AS cl, integrated_care_board_ods_code AS cc
                FROM npda.pdu_hierarchy_at('2025-04-01') WHERE integrated_care_board_ods_code IS NOT NULL
              UNION SELECT DISTINCT 'country'::npda.geo_level, country_ons_code, 'nhs_england_region'::npda.geo_level, nhs_england_region_code
                FROM npda.pdu_hierarchy_at('2025-04-01') WHERE nhs_england_region_code IS NOT NULL
              UNION SELECT DISTINCT 'national'::npda.geo_level, 'national', 'country'::npda.geo_level, country_ons_code
                FROM npda.pdu_hierarchy_at('2025-04-01') WHERE country_ons_code IS NOT NULL AND pz_code NOT IN ('PZ999', 'PZ998')),
    m AS (SELECT p.kpi, l.pc, p.eligible AS pe, p.passed AS pp, c.eligible AS ce, c.passed AS cp
            FROM links l JOIN r p ON p.level = l.pl AND p.area_code = l.pc
            JOIN r c ON c.level = l.cl AND c.area_code = l.cc AND c.kpi = p.kpi)
    SELECT count(*) FROM (
      SELECT kpi, pc FROM m WHERE pe IS NOT NULL GROUP BY kpi, pc HAVING count(*) FILTER (WHERE ce IS NULL) = 1
      UNION ALL
      SELECT kpi, pc FROM m WHERE pp IS NOT NULL GROUP BY kpi, pc HAVING count(*) FILTER (WHERE cp IS NULL) = 1) x
  $q$, src) INTO k;
  RETURN k;
END
$$;
CREATE TEMP TABLE got (who text, what text, result text);
GRANT INSERT, SELECT ON got TO PUBLIC;
CREATE FUNCTION pg_temp.probe(who text) RETURNS void LANGUAGE sql AS $$
  INSERT INTO got VALUES
    (who, 'kpi_results: small counts', pg_temp.small('SELECT * FROM npda.kpi_results')),
    (who, 'kpi_results: PDU rows', (SELECT count(*)::text FROM npda.kpi_results WHERE level = 'pdu')),
    (who, 'kpi_results: QMM KPI 1', (SELECT coalesce(eligible::text, 'withheld') FROM npda.kpi_results
                                      WHERE audit_year = 2025 AND kpi = '1' AND area_code = 'QMM')),
    (who, 'kpi_results: region less its shown ICBs', (SELECT count(*)::text FROM npda.kpi_results r
                                      WHERE r.audit_year = 2025 AND r.kpi = '1' AND r.area_code = 'QHG' AND r.eligible IS NOT NULL)),
    (who, 'kpi_map: small counts', pg_temp.small('SELECT * FROM npda.kpi_map')),
    (who, 'kpi_map: PDU rows', (SELECT count(*)::text FROM npda.kpi_map WHERE level = 'pdu')),
    (who, 'kpi_results_published: small counts', pg_temp.small('SELECT * FROM npda.kpi_results_published')),
    (who, 'kpi_report: small counts', pg_temp.small('SELECT *, NULL::bigint AS ineligible, NULL::bigint AS failed, NULL::bigint AS pending FROM npda.kpi_report(2025, ''integrated_care_board'')')),
    (who, 'kpi_results: recoverable by subtraction', pg_temp.recoverable('npda.kpi_results')::text),
    (who, 'kpi_results: a percentage beside a withheld count',
     (SELECT count(*)::text FROM npda.kpi_results WHERE pct_passed IS NOT NULL AND (eligible IS NULL OR passed IS NULL OR failed IS NULL))),
    (who, 'read kpi_aggregation', pg_temp.try('SELECT * FROM npda.kpi_aggregation')),
    (who, 'read a partition of kpi_aggregation', pg_temp.try('SELECT * FROM npda.kpi_aggregation_integrated_care_board')),
    (who, 'read kpi_result_store', pg_temp.try('SELECT * FROM npda.kpi_result_store')),
    (who, 'read _kpi_results_computed', pg_temp.try('SELECT * FROM npda._kpi_results_computed')),
    (who, 'read kpi_quarterly', pg_temp.try('SELECT * FROM npda.kpi_quarterly')),
    (who, 'lower the threshold', pg_temp.try('UPDATE npda.publication_setting SET suppression_threshold = 0')),
    (who, 'store results itself', pg_temp.try('SELECT npda._publish_kpi_results(1)')),
    (who, 'refresh the roll-ups', pg_temp.try('SELECT npda.refresh_kpi_aggregations(2025)'));
$$;
CREATE TEMP TABLE want (what text PRIMARY KEY, result text);
-- (Patterns: the analyst's own login may not read npda.kpi_quarterly at all;
-- the application may, and row security leaves an analyst no row of it.)
INSERT INTO want VALUES
  ('kpi_results: small counts', '^0$'), ('kpi_results: PDU rows', '^0$'), ('kpi_results: QMM KPI 1', '^withheld$'),
  ('kpi_results: region less its shown ICBs', '^0$'),
  ('kpi_map: small counts', '^0$'), ('kpi_map: PDU rows', '^0$'), ('kpi_results_published: small counts', '^0$'),
  ('kpi_report: small counts', '^0$'), ('kpi_results: recoverable by subtraction', '^0$'),
  ('kpi_results: a percentage beside a withheld count', '^0$'),
  ('read kpi_aggregation', '^refused$'), ('read a partition of kpi_aggregation', '^refused$'),
  ('read kpi_result_store', '^refused$'), ('read _kpi_results_computed', '^refused$'),
  ('read kpi_quarterly', '^(refused|0)$'), ('lower the threshold', '^refused$'),
  ('store results itself', '^refused$'), ('refresh the roll-ups', '^refused$');
GRANT SELECT ON want TO PUBLIC;

SET SESSION AUTHORIZATION npda_tap_p_analyst;
SELECT pg_temp.probe('analyst login');
RESET SESSION AUTHORIZATION;
SET SESSION AUTHORIZATION npda_tap_p_bare;
SELECT pg_temp.probe('npda_analyst only');
RESET SESSION AUTHORIZATION;
-- The audit team is unaffected; a reader still reads the exact figures.
SET SESSION AUTHORIZATION npda_tap_p_reader;
SELECT is((SELECT eligible FROM npda.kpi_results WHERE audit_year = 2025 AND kpi = '1' AND area_code = 'QMM'), 3::bigint,
          'a reader reads the exact figures');
SELECT ok((SELECT count(*) FROM npda.kpi_results WHERE level = 'pdu') > 0, 'a reader reads the PDU rows');
RESET SESSION AUTHORIZATION;
SELECT is((SELECT suppression_threshold FROM npda.publication_setting), 7, 'the threshold is unchanged');

-- Last: the application acting for the analyst (act_as holds for the rest of
-- the transaction). Idle, it reads the exact figures like any non-analyst.
SET SESSION AUTHORIZATION npda_tap_p_app;
SELECT is((SELECT eligible FROM npda.kpi_results WHERE audit_year = 2025 AND kpi = '1' AND area_code = 'QMM'), 3::bigint,
          'the application acting for nobody reads the exact figures');
SELECT npda.act_as('analyst@published.example') IS NULL AS acted \gset
SELECT pg_temp.probe('application acting for the analyst');
RESET SESSION AUTHORIZATION;

SELECT matches(g.result, w.result, format('%s: %s', g.who, g.what))
  FROM got g JOIN want w USING (what)
 ORDER BY g.who, g.what;
SELECT * FROM finish();
ROLLBACK;
