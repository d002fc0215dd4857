-- Published outputs (docs/publishing.md): small-number suppression, rounding
-- to 5, a zero that stays 0, secondary suppression (the only withheld ICB of a
-- region takes the next smallest with it), changed settings, what an analyst
-- reads through npda.kpi_results, and the annual-report tables. The roll-ups
-- of audit year 2022 are written by hand (npda.kpi_aggregation), so every
-- expected figure can be worked out on paper; npda._publish_kpi_results then
-- stores them as the refresh would.
SET client_min_messages = warning;
SELECT id AS p2022 FROM npda.audit_period WHERE start_date = '2022-04-01' \gset
CREATE FUNCTION pg_temp.agg(level text, area text, kpi text, passed bigint, failed bigint, value float8 DEFAULT NULL,
                            with_value bigint DEFAULT 0) RETURNS void LANGUAGE sql AS $$
  INSERT INTO npda.kpi_aggregation (level, area_code, audit_period_id, kpi, eligible, ineligible, passed, failed, pending,
                                    value, children_with_value, as_of)
  SELECT level::npda.geo_level, area, ap.id, kpi, passed + failed, 2, passed, failed, 0, value, with_value, '2023-03-31'
    FROM npda.audit_period ap WHERE ap.start_date = '2022-04-01'
$$;
-- KPI 1 (a cohort count: eligible = passed) in region Y62, North West, and its
-- three ICBs: QOP's 6 is small (primary); the region's 176 = 120 + 6 + 50 would
-- give it away, so the next smallest ICB, QE1 (50), is withheld too
-- (secondary); QYG (120) stays. The region rounds 176 to 175.
SELECT pg_temp.agg('nhs_england_region', 'Y62', '1', 176, 0), pg_temp.agg('integrated_care_board', 'QYG', '1', 120, 0),
       pg_temp.agg('integrated_care_board', 'QOP', '1', 6, 0), pg_temp.agg('integrated_care_board', 'QE1', '1', 50, 0),
       pg_temp.agg('national', 'national', '1', 1003, 0);
-- KPI 25 (a proportion): the region 98 of 123 (79.7 %, from the exact counts;
-- counts rounded to 100, 25 and 125); QOP has no one (zeros stay 0); QYG 40
-- of 52; QE1 58 of 71. Nothing is small among the ICBs, so nothing
-- is withheld. A Welsh PDU with 3 of 9: passed 3 and failed 6 are small,
-- eligible 9 shows as 10, the percentage is withheld.
SELECT pg_temp.agg('nhs_england_region', 'Y62', '25', 98, 25), pg_temp.agg('integrated_care_board', 'QYG', '25', 40, 12),
       pg_temp.agg('integrated_care_board', 'QOP', '25', 0, 0), pg_temp.agg('integrated_care_board', 'QE1', '25', 58, 13),
       pg_temp.agg('pdu', 'PZ001', '25', 3, 6), pg_temp.agg('national', 'national', '25', 800, 203);
-- KPI 44 (mean HbA1c): shown exactly for 40 children, withheld for 5.
SELECT pg_temp.agg('integrated_care_board', 'QYG', '44', 40, 0, 58.25, 40),
       pg_temp.agg('integrated_care_board', 'QOP', '44', 5, 0, 61.5, 5);
SELECT npda._publish_kpi_results(:p2022) AS stored;

-- The published view.
CREATE VIEW pg_temp.shown AS
SELECT level, area_code, kpi, eligible, passed, failed, pending, pct_passed, value, suppressed, withheld
  FROM npda.kpi_results_published WHERE audit_year = 2022;
SELECT * FROM pg_temp.shown ORDER BY kpi, level, area_code;
-- ineligible is never published; the exact figures are unchanged (superuser).
SELECT count(*) AS rows, count(ineligible) AS ineligible_shown FROM npda.kpi_results_published WHERE audit_year = 2022;
SELECT level, area_code, kpi, eligible, ineligible, passed, failed, pct_passed, value
  FROM npda.kpi_results WHERE audit_year = 2022 ORDER BY kpi, level, area_code;
SELECT area_name FROM npda.kpi_results_published WHERE audit_year = 2022 AND kpi = '1' ORDER BY level, area_code;

-- The annual report's table of ICBs, the national figure beside each.
SELECT * FROM npda.kpi_report(2022, 'integrated_care_board') WHERE kpi IN ('1', '25');

-- Settings: no threshold and no rounding publish the exact figures; a
-- threshold of 10 and rounding to 10 withhold more; each change republishes
-- every period at once.
UPDATE npda.publication_setting SET suppression_threshold = 0, rounding_base = 1;
SELECT * FROM pg_temp.shown WHERE area_code IN ('QOP', 'QE1', 'PZ001') ORDER BY kpi, level, area_code;
UPDATE npda.publication_setting SET suppression_threshold = 10, rounding_base = 10;
SELECT * FROM pg_temp.shown WHERE kpi = '25' ORDER BY kpi, level, area_code;
UPDATE npda.publication_setting SET suppression_threshold = DEFAULT, rounding_base = DEFAULT;
SELECT suppression_threshold, rounding_base FROM npda.publication_setting;
SELECT count(*) AS differences FROM (SELECT * FROM pg_temp.shown WHERE kpi = '1' AND suppressed <> 'none') x
 WHERE area_code NOT IN ('QOP', 'QE1');
UPDATE npda.publication_setting SET rounding_base = 0;

-- An analyst reads npda.kpi_results above PDU level, with the published
-- figures, and cannot read the raw roll-ups (rolled back).
BEGIN;
CREATE ROLE npda_regress_analyst LOGIN;
SELECT npda.add_user('analyst@regress.example', 'analyst', '{}', 'npda_regress_analyst') > 0 AS analyst_added;
SET ROLE npda_regress_analyst;
SELECT level, area_code, kpi, eligible, ineligible, passed, failed, pct_passed, value
  FROM npda.kpi_results WHERE audit_year = 2022 ORDER BY kpi, level, area_code;
SELECT outcome FROM (SELECT 'kpi_aggregation' AS outcome FROM npda.kpi_aggregation LIMIT 1) x;
ROLLBACK;

-- The refresh stores the results again (here: nobody submitted in 2022, so
-- every area has its rows of zeros, and the hand-written rows are gone).
SELECT npda.refresh_kpi_aggregations(2022) > 0 AS refreshed;
SELECT count(*) FILTER (WHERE eligible <> 0) AS non_zero, count(*) FILTER (WHERE suppressed <> 'none') AS withheld,
       count(*) = (SELECT count(*) FROM npda.kpi_aggregation WHERE audit_period_id = :p2022) AS one_row_per_aggregate
  FROM npda.kpi_results_published WHERE audit_year = 2022;
-- Leave 2022 as the other tests expect it: no roll-ups.
DELETE FROM npda.kpi_result_store WHERE audit_period_id = :p2022;
DELETE FROM npda.kpi_aggregation WHERE audit_period_id = :p2022;
DELETE FROM npda.kpi_aggregation_refresh WHERE audit_period_id = :p2022;
