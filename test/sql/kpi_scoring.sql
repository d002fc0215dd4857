-- KPI scoring through npda.submit_csv: a representative subset of the
-- conformance cases of docs/kpis.md §8, submitted as CSV files, re-scored as of the
-- conformance date and read back through npda.patient_kpi_results. Everything
-- happens in one transaction that is rolled back.
BEGIN;
-- Helpers (session-local): valid NHS numbers per child label, CSV files built
-- from a few fields per row over the conformance fixtures, per-case tallies.
\set ECHO none
\i test/sql/include/kpi_fixtures.psql
\set ECHO all

-- Per-child results of some cases (the case is the label before the '/').
CREATE FUNCTION pg_temp.results(cases text[], kpis text[], year integer DEFAULT 2024)
RETURNS TABLE (child text, kpi text, outcome npda.kpi_outcome, value numeric, value_expected integer)
LANGUAGE sql AS $$
  SELECT k.label, r.kpi, r.outcome, r.value, r.value_expected
    FROM kid k JOIN npda.patient_kpi_results r ON r.nhs_number = k.nhs
   WHERE split_part(k.label, '/', 1) = ANY (cases) AND r.kpi = ANY (kpis) AND r.audit_year = year
   ORDER BY k.n, r.kpi_position
$$;

-- The expected tallies of one case (docs/kpis.md §8; NULL: every child): E, P, F, pending, I and the area value
-- (32.1 counts checks: E expected, P achieved, F not achieved by failing
-- children, pending not yet achieved by pending children; I counts children).
CREATE FUNCTION pg_temp.tally(case_id text, kpis text[], year integer DEFAULT 2024)
RETURNS TABLE (kpi text, e bigint, p bigint, f bigint, pending bigint, i bigint, v numeric)
LANGUAGE sql AS $$
  SELECT r.kpi,
         CASE WHEN r.kpi = '32.1' THEN sum(r.value_expected) FILTER (WHERE r.outcome <> 'ineligible')
              ELSE count(*) FILTER (WHERE r.outcome <> 'ineligible') END,
         CASE WHEN r.kpi = '32.1' THEN sum(r.value) FILTER (WHERE r.outcome <> 'ineligible')
              ELSE count(*) FILTER (WHERE r.outcome = 'pass') END,
         CASE WHEN r.kpi = '32.1' THEN coalesce(sum(r.value_expected - r.value) FILTER (WHERE r.outcome = 'fail'), 0)
              ELSE count(*) FILTER (WHERE r.outcome = 'fail') END,
         CASE WHEN r.kpi = '32.1' THEN coalesce(sum(r.value_expected - r.value) FILTER (WHERE r.outcome = 'pending'), 0)
              ELSE count(*) FILTER (WHERE r.outcome = 'pending') END,
         count(*) FILTER (WHERE r.outcome = 'ineligible'),
         CASE r.kpi
           WHEN '44' THEN round(avg(r.value) FILTER (WHERE r.outcome = 'pass'), 1)
           WHEN '45' THEN round((percentile_cont(0.5) WITHIN GROUP (ORDER BY r.value) FILTER (WHERE r.outcome = 'pass'))::numeric, 1)
           WHEN '46' THEN sum(r.value) FILTER (WHERE r.outcome <> 'ineligible')
           WHEN '47' THEN sum(r.value) FILTER (WHERE r.outcome <> 'ineligible')
         END
    FROM kid k JOIN npda.patient_kpi_results r ON r.nhs_number = k.nhs
   WHERE (case_id IS NULL OR split_part(k.label, '/', 1) = case_id) AND r.kpi = ANY (kpis) AND r.audit_year = year
   GROUP BY r.kpi, r.kpi_position
   ORDER BY r.kpi_position
$$;
RESET client_min_messages;

-- ---------------------------------------------------------------------------
-- The cases (docs/kpis.md §8). Fixtures: Std = DOB 2014-04-04, type 1, diagnosed
-- 2022-01-01, one visit 2024-04-03; Early, Old, NewDx, Leaver, Died, C5, C6
-- as in docs/kpis.md §8. Every child has its own NHS number; all go into one file.

-- KPI 1, ages and D5 (C06-C09, C11, C13).
SELECT pg_temp.stage(2021, $$[
  {"kid": "C06/std", "visit": "2024-04-02"},
  {"kid": "C07/early", "fx": "Early"},
  {"kid": "C08/old", "fx": "Old"},
  {"kid": "C09/turns25", "dob": "1999-04-01"},
  {"kid": "C11/lastday", "visit": "2025-03-31"},
  {"kid": "C13/std1", "visit": "2024-04-02"}, {"kid": "C13/std2", "visit": "2024-04-02"},
  {"kid": "C13/std3", "visit": "2024-04-02"},
  {"kid": "C13/early1", "fx": "Early"}, {"kid": "C13/early2", "fx": "Early"},
  {"kid": "C13/early3", "fx": "Early"}, {"kid": "C13/early4", "fx": "Early"},
  {"kid": "C13/old1", "fx": "Old"}, {"kid": "C13/old2", "fx": "Old"},
  {"kid": "C13/old3", "fx": "Old"}, {"kid": "C13/old4", "fx": "Old"}
]$$);
-- KPI 5 (C19-C21).
SELECT pg_temp.stage(2021, $$[
  {"kid": "C19/c5", "fx": "C5"}, {"kid": "C20/newdx", "fx": "NewDx"}, {"kid": "C21/leaver", "fx": "Leaver"}
]$$);
-- D1: the most recent entry (C35); same visit date, the later file row wins (N01).
SELECT pg_temp.stage(2021, $$[
  {"kid": "C35/gfd-yes-then-no", "visit": "2024-05-01", "gfd": 1},
  {"kid": "C35/gfd-yes-then-no", "visit": "2024-09-01", "gfd": 2},
  {"kid": "N01/yes-then-no", "visit": "2024-06-01", "gfd": 1},
  {"kid": "N01/yes-then-no", "visit": "2024-06-01", "gfd": 2},
  {"kid": "N01/no-then-yes", "visit": "2024-06-01", "gfd": 2},
  {"kid": "N01/no-then-yes", "visit": "2024-06-01", "gfd": 1}
]$$);
-- KPIs 13-20 partition by treatment code (C38; C39 is its KPI 15 row).
SELECT pg_temp.stage(2021, jsonb_agg(jsonb_build_object('kid', 'C38/t' || t, 'treatment', t)
                                     || CASE WHEN t IN (3, 6) THEN '{"closed_loop": 1}'::jsonb ELSE '{}' END ORDER BY t)
                           || $$[{"kid": "C38/early", "fx": "Early", "treatment": 1},
                                 {"kid": "C38/old", "fx": "Old", "treatment": 1}]$$)
  FROM generate_series(1, 8) AS t;
-- KPI 24 (C44, C45b).
SELECT pg_temp.stage(2021, jsonb_agg(jsonb_build_object('kid', 'C44/t' || t || '-cl' || cl, 'treatment', t, 'closed_loop', cl)
                                     ORDER BY t, cl))
  FROM unnest(ARRAY[3, 6]) AS t, unnest(ARRAY[2, 3, 4, 1]) AS cl;
SELECT pg_temp.stage(2021, jsonb_agg(jsonb_build_object('kid', 'C44/t' || t, 'treatment', t) ORDER BY t)
                           || $$[{"kid": "C44/early", "fx": "Early"}, {"kid": "C44/old", "fx": "Old"}]$$)
  FROM unnest(ARRAY[1, 2, 4, 5, 7, 8]) AS t;
SELECT pg_temp.stage(2021, $$[
  {"kid": "C45b/two-visits", "visit": "2024-05-01", "treatment": 3, "closed_loop": 2},
  {"kid": "C45b/two-visits", "visit": "2024-08-01", "treatment": 3}
]$$);
-- KPI 25 (C47), 26 (C48, N14).
SELECT pg_temp.stage(2021, $$[
  {"kid": "C47/hba1c-60", "fx": "C5", "hba1c": 60, "hba1c_date": "2024-04-03"},
  {"kid": "C47/hba1c-62", "fx": "C5", "hba1c": 62, "hba1c_date": "2024-04-11"},
  {"kid": "C47/none", "fx": "C5"}
]$$);
SELECT pg_temp.stage_fixtures('C47', ARRAY['Early', 'Old', 'NewDx', 'Leaver', 'Died']);
SELECT pg_temp.stage(2021, $$[
  {"kid": "C48/140-40", "fx": "C5", "height": 140, "weight": 40, "hw_date": "2024-04-03"},
  {"kid": "C48/160-50", "fx": "C5", "height": 160, "weight": 50, "hw_date": "2024-04-03"},
  {"kid": "C48/none", "fx": "C5"},
  {"kid": "C48/before-period", "fx": "C5", "height": 160, "weight": 50, "hw_date": "2024-03-30"}
]$$);
SELECT pg_temp.stage_fixtures('C48', ARRAY['Early', 'Old', 'NewDx', 'Leaver', 'Died']);
SELECT pg_temp.stage(2021, $$[
  {"kid": "N14/split-rows", "fx": "C5", "height": 150, "hw_date": "2024-06-01"},
  {"kid": "N14/split-rows", "fx": "C5", "visit": "2024-06-01", "weight": 40, "hw_date": "2024-06-01"}
]$$);
-- KPIs 32.1 (C54: counts checks) and 32.2 (C55).
SELECT pg_temp.stage(2021, $$[
  {"kid": "C54/a-11y", "fx": "C5", "dob": "2013-04-01", "hba1c": 50, "hba1c_date": "2024-04-03"},
  {"kid": "C54/a-11y", "fx": "C5", "dob": "2013-04-01", "visit": "2024-07-01", "height": 150, "weight": 40, "hw_date": "2024-07-01"},
  {"kid": "C54/b-11y", "fx": "C5", "dob": "2013-04-01", "hba1c": 50, "hba1c_date": "2024-04-03"},
  {"kid": "C54/b-11y", "fx": "C5", "dob": "2013-04-01", "visit": "2024-07-01", "height": 150, "weight": 40, "hw_date": "2024-07-01"},
  {"kid": "C54/b-11y", "fx": "C5", "dob": "2013-04-01", "visit": "2024-10-01", "thyroid_date": "2024-10-01", "thyroid_treatment": 1},
  {"kid": "C54/c-12y", "fx": "C5", "dob": "2012-04-01", "hba1c": 50, "hba1c_date": "2024-04-03"},
  {"kid": "C54/c-12y", "fx": "C5", "dob": "2012-04-01", "visit": "2024-07-01", "height": 150, "weight": 40, "hw_date": "2024-07-01",
   "sbp": 110, "dbp": 70, "bp_date": "2024-07-01"},
  {"kid": "C54/d-12y", "fx": "C5", "dob": "2012-04-01", "hba1c": 50, "hba1c_date": "2024-04-03"},
  {"kid": "C54/d-12y", "fx": "C5", "dob": "2012-04-01", "visit": "2024-07-01", "height": 150, "weight": 40, "hw_date": "2024-07-01",
   "sbp": 110, "dbp": 70, "bp_date": "2024-07-01"},
  {"kid": "C54/d-12y", "fx": "C5", "dob": "2012-04-01", "visit": "2024-10-01", "thyroid_date": "2024-10-01", "thyroid_treatment": 1,
   "acr": 5, "acr_date": "2024-10-01", "albuminuria": 2, "foot_date": "2024-10-01"}
]$$);
SELECT pg_temp.stage_fixtures('C54', ARRAY['Early', 'Old', 'NewDx', 'Leaver', 'Died']);
SELECT pg_temp.stage(2021, $$[
  {"kid": "C55/one-visit", "fx": "C5", "hba1c": 55, "hba1c_date": "2024-04-03", "height": 140, "weight": 35,
   "hw_date": "2024-04-03", "thyroid_date": "2024-04-03", "thyroid_treatment": 1},
  {"kid": "C55/three-visits", "fx": "C5", "hba1c": 55, "hba1c_date": "2024-04-03"},
  {"kid": "C55/three-visits", "fx": "C5", "visit": "2024-06-01", "height": 140, "weight": 35, "hw_date": "2024-06-01"},
  {"kid": "C55/three-visits", "fx": "C5", "visit": "2024-09-01", "thyroid_date": "2024-09-01", "thyroid_treatment": 1},
  {"kid": "C55/date-no-height-weight", "fx": "C5", "hba1c": 55, "hba1c_date": "2024-04-03", "hw_date": "2024-04-03",
   "thyroid_date": "2024-04-03", "thyroid_treatment": 1},
  {"kid": "C55/no-hba1c", "fx": "C5", "height": 140, "weight": 35, "hw_date": "2024-04-03",
   "thyroid_date": "2024-04-03", "thyroid_treatment": 1}
]$$);
SELECT pg_temp.stage_fixtures('C55', ARRAY['Early', 'Old', 'NewDx', 'Leaver', 'Died']);
-- KPI 33 (C57): entries are rows, four rows on one date count four.
SELECT pg_temp.stage(2021, jsonb_agg(r ORDER BY name, i))
  FROM (SELECT name, 0 AS i, jsonb_build_object('kid', 'C57/' || name, 'fx', 'C5') AS r
          FROM unnest(ARRAY['a-four', 'b-five', 'c-four-dates', 'd-three', 'e-four-without']) AS name
        UNION ALL
        SELECT name, i, jsonb_build_object('kid', 'C57/' || name, 'fx', 'C5', 'visit', '2024-04-01')
                        || CASE name
                             WHEN 'e-four-without' THEN '{}'
                             WHEN 'c-four-dates' THEN jsonb_build_object('hba1c', 46, 'hba1c_date', make_date(2024, 4, i))
                             ELSE '{"hba1c": 46, "hba1c_date": "2024-04-03"}' END
          FROM unnest(ARRAY['a-four', 'b-five', 'c-four-dates', 'd-three', 'e-four-without']) AS name,
               generate_series(1, 5) AS i
         WHERE i <= CASE name WHEN 'b-five' THEN 5 WHEN 'd-three' THEN 3 ELSE 4 END) AS rows;
SELECT pg_temp.stage_fixtures('C57', ARRAY['Early', 'Old', 'NewDx', 'Leaver', 'Died']);
-- KPI 41 windows (C65), type 2 (C67), diagnosed before the period (C68).
SELECT pg_temp.stage(2021, $$[
  {"kid": "C65/screen-dx-minus-90", "dob": "2014-04-01", "dx": "2024-12-30", "visit": "2024-10-30",
   "foot_date": "2024-12-30", "coeliac_date": "2024-10-01"},
  {"kid": "C65/screen-dx-plus-90", "dob": "2014-04-01", "dx": "2024-12-30", "visit": "2024-10-30", "foot_date": "2024-12-30"},
  {"kid": "C65/screen-dx-plus-90", "dob": "2014-04-01", "dx": "2024-12-30", "visit": null, "coeliac_date": "2025-03-30"},
  {"kid": "C65/no-screen", "dob": "2014-04-01", "dx": "2024-12-30", "visit": "2024-10-30", "foot_date": "2024-12-30"},
  {"kid": "C65/screen-dx-plus-91", "dob": "2014-04-01", "dx": "2024-12-29", "visit": "2024-10-30",
   "foot_date": "2024-12-30", "coeliac_date": "2025-03-30"},
  {"kid": "C67/type2", "type": 2, "dx": "2024-04-03", "foot_date": "2024-04-03"},
  {"kid": "C68/dx-before-period", "dx": "2024-03-30", "foot_date": "2024-04-03"}
]$$);
-- KPIs 44/45 (C71: mean of means, median of medians; N05: empty values dropped).
SELECT pg_temp.stage(2021, $$[
  {"kid": "C71/child1", "dx": "2024-01-03", "hba1c": 45, "hba1c_date": "2024-04-03"},
  {"kid": "C71/child1", "dx": "2024-01-03", "visit": "2024-07-01", "hba1c": 46, "hba1c_date": "2024-07-01"},
  {"kid": "C71/child1", "dx": "2024-01-03", "visit": "2024-10-01", "hba1c": 47, "hba1c_date": "2024-10-01"},
  {"kid": "C71/child2", "dx": "2024-01-03", "hba1c": 47, "hba1c_date": "2024-04-03"},
  {"kid": "C71/child2", "dx": "2024-01-03", "visit": "2024-07-01", "hba1c": 48, "hba1c_date": "2024-07-01"},
  {"kid": "C71/child2", "dx": "2024-01-03", "visit": "2024-10-01", "hba1c": 49, "hba1c_date": "2024-10-01"},
  {"kid": "C71/child2", "dx": "2024-01-03", "visit": "2024-04-02", "hba1c": 1, "hba1c_date": "2024-04-02"},
  {"kid": "C71/early", "fx": "Early"},
  {"kid": "C71/old", "fx": "Old"},
  {"kid": "N05/a", "visit": "2024-05-01", "hba1c": 50, "hba1c_date": "2024-05-01"},
  {"kid": "N05/a", "visit": "2024-06-01", "hba1c_date": "2024-06-01"},
  {"kid": "N05/a", "visit": "2024-07-01", "hba1c": 54, "hba1c_date": "2024-07-01"},
  {"kid": "N05/b", "hba1c_date": "2024-04-03"}
]$$);
-- KPIs 46/47: admissions (C74), duplicate rows are one admission (C76), an
-- admission alone puts a child in measure 1 (N03).
SELECT pg_temp.stage(2021, $$[
  {"kid": "C74/admitted-reason-1", "adm_date": "2024-04-03", "adm_reason": 1},
  {"kid": "C74/discharged-reason-6", "adm_date": "2024-03-28", "dis_date": "2024-04-03", "adm_reason": 6, "adm_other": "fracture"},
  {"kid": "C74/reason-42", "adm_date": "2024-06-01", "adm_reason": 42},
  {"kid": "C74/admitted-before", "adm_date": "2024-03-30", "adm_reason": 6, "adm_other": "fracture"},
  {"kid": "C74/early", "fx": "Early"},
  {"kid": "C74/old", "fx": "Old"},
  {"kid": "C76/two-admissions", "adm_date": "2024-05-01", "adm_reason": 1},
  {"kid": "C76/two-admissions", "visit": "2024-08-10", "adm_date": "2024-08-10", "adm_reason": 4},
  {"kid": "C76/same-admission-twice", "adm_date": "2024-05-01", "dis_date": "2024-05-03", "adm_reason": 2, "dka_therapies": 4},
  {"kid": "C76/same-admission-twice", "visit": "2024-05-03", "adm_date": "2024-05-01", "dis_date": "2024-05-03", "adm_reason": 2,
   "dka_therapies": 4},
  {"kid": "N03/admission-only", "visit": "2024-03-22", "adm_date": "2024-04-05", "dis_date": "2024-04-07", "adm_reason": 1}
]$$);
-- Pending (N10): C5 with no HbA1c.
SELECT pg_temp.stage(2021, $$[{"kid": "N10/c5-no-hba1c", "fx": "C5"}]$$);

-- 2026 dataset (period 2026-04-01 - 2027-03-31): N13, C87.
SELECT pg_temp.stage(2026, $$[
  {"kid": "N13/regimen-2-cgm", "insulin_regimen": 2, "cgm": 1},
  {"kid": "C87/regimen-5", "insulin_regimen": 5},
  {"kid": "C87/regimen-4", "insulin_regimen": 4}
]$$);

-- ---------------------------------------------------------------------------
-- Submit (PZ041; 2024 is closed, the regression user is a superuser) and
-- re-score as of the conformance date.
SELECT * FROM pg_temp.submit(2021, 'PZ041', 2024);
SELECT * FROM pg_temp.submit(2026, 'PZ041', 2026);
-- Every staged child is one patient with 51 results.
SELECT count(DISTINCT k.label) AS children, count(r.*) AS results, count(r.*) = 51 * count(DISTINCT k.label) AS all_51
  FROM kid k LEFT JOIN npda.patient_kpi_results r ON r.nhs_number = k.nhs AND r.pz_code = 'PZ041';
SELECT npda.rescore(2024, '2025-04-30') = (SELECT count(*) FROM npda.patient p JOIN npda.submission s ON s.id = p.submission_id
                                            JOIN npda.audit_period ap ON ap.id = s.audit_period_id
                                           WHERE s.is_active AND ap.start_date = '2024-04-01') AS rescored_all_2024;
SELECT npda.rescore(2026, '2027-04-30') > 0 AS rescored_2026;
SELECT r.audit_year, to_char(r.as_of, 'YYYY-MM-DD') AS as_of, count(DISTINCT r.patient_id) AS children
  FROM kid k JOIN npda.patient_kpi_results r ON r.nhs_number = k.nhs GROUP BY 1, 2 ORDER BY 1, 2;

-- ---------------------------------------------------------------------------
-- KPI 1: visit in P (C06), Early (C07), Old (C08), turns 25 on S (C09), visit on E (C11).
SELECT child, outcome FROM pg_temp.results('{C06,C07,C08,C09,C11}', '{1}');
-- C13: E 3, I 8 (cohort counts: passed = E).
SELECT * FROM pg_temp.tally('C13', '{1}');
-- KPI 5: C5 counted (C19); NewDx (C20) and Leaver (C21) not counted.
SELECT child, outcome FROM pg_temp.results('{C19,C20,C21}', '{5}');
-- KPI 10 by the most recent entry (C35: not counted) and the later file row on
-- the same date (N01: not counted; counted).
SELECT child, outcome FROM pg_temp.results('{C35,N01}', '{10}');
-- C38: each of 13-20 E 8, P 1, F 7, I 2; C39: KPI 15 passes t = 3 only, t = 6 is KPI 18.
SELECT * FROM pg_temp.tally('C38', '{13,14,15,16,17,18,19,20}');
SELECT child, kpi, outcome FROM pg_temp.results('{C38}', '{15,18}') WHERE child IN ('C38/t3', 'C38/t6');
-- C44: KPI 24 E 14, P 6, F 8, I 2; C45b: pass (items 20 and 21 from different visits).
SELECT * FROM pg_temp.tally('C44', '{24}');
SELECT child, outcome FROM pg_temp.results('{C44}', '{24}') WHERE outcome = 'pass';
SELECT child, outcome FROM pg_temp.results('{C45b}', '{24}');
-- C47: KPI 25 E 3, P 2, F 1, I 5. C48: KPI 26 E 4, P 2, F 2, I 5. N14: pass (R6).
SELECT * FROM pg_temp.tally('C47', '{25}');
SELECT * FROM pg_temp.tally('C48', '{26}');
SELECT child, outcome FROM pg_temp.results('{C48}', '{26}') WHERE outcome <> 'ineligible';
SELECT child, outcome FROM pg_temp.results('{N14}', '{26}');
-- C54: 32.1 counts checks: A 2/3, B 3/3, C 3/6, D 6/6 -> E 18, P 14, F 4, I 5.
SELECT child, outcome, value AS achieved, value_expected AS expected FROM pg_temp.results('{C54}', '{32.1}');
SELECT * FROM pg_temp.tally('C54', '{32.1,32.2,32.3}');
-- C55: 32.2 E 4, P 2, F 2, I 5.
SELECT * FROM pg_temp.tally('C55', '{32.2}');
SELECT child, kpi, outcome, value FROM pg_temp.results('{C55}', '{32.1,32.2}') WHERE outcome <> 'ineligible';
-- C57: KPI 33 E 5, P 3, F 2, I 5.
SELECT * FROM pg_temp.tally('C57', '{33}');
SELECT child, outcome FROM pg_temp.results('{C57}', '{33}') WHERE outcome <> 'ineligible';
-- C65: KPI 41 both window ends inclusive, E 4, P 2, F 2; C67 (type 2) and C68
-- (diagnosed before P) ineligible.
SELECT * FROM pg_temp.tally('C65', '{41}');
SELECT child, outcome FROM pg_temp.results('{C65,C67,C68}', '{41}');
-- C71: per-child means 46 and 48, KPI 44 V 47.0 (and medians 46, 48, KPI 45 V 47.0);
-- the value on exactly diagnosis + 90 is excluded.
SELECT child, kpi, outcome, value FROM pg_temp.results('{C71}', '{44,45}');
SELECT * FROM pg_temp.tally('C71', '{44,45}');
-- N05: A mean 52, median 52, pass; B fail; KPI 44 E 2, P 1, F 1, V 52.0.
SELECT child, kpi, outcome, value FROM pg_temp.results('{N05}', '{44,45}');
SELECT * FROM pg_temp.tally('N05', '{44,45}');
-- C74: KPI 46 E 4, P 2, F 2, I 2, V 2 admissions.
SELECT child, outcome, value FROM pg_temp.results('{C74}', '{46}');
SELECT * FROM pg_temp.tally('C74', '{46}');
-- C76: two admissions on separate rows -> V 2; the same admission on two rows -> V 1
-- (a DKA admission: KPI 47 V 1). N03: an admission in P alone makes KPI 1 count.
SELECT child, kpi, outcome, value FROM pg_temp.results('{C76,N03}', '{1,46,47}');

-- N10: as of 2024-10-01 KPI 25 is pending and KPI 8 ineligible (cohorts are
-- never pending); as of 2025-04-30 KPI 25 fails.
SELECT npda.rescore(2024, '2024-10-01') > 0 AS rescored;
SELECT child, kpi, outcome FROM pg_temp.results('{N10}', '{8,25}');
-- Only KPIs 25-45 can be pending (docs/kpis.md §3.5); cohorts 1-12 and status KPIs never are.
SELECT CASE WHEN r.kpi_position <= 12 THEN '1-12' WHEN r.kpi_position <= 24 THEN '13-24'
            WHEN r.kpi IN ('46', '47', '48', '49') THEN '46-49' ELSE '25-45' END AS kpis,
       count(*) FILTER (WHERE r.outcome = 'pending') > 0 AS any_pending
  FROM kid k JOIN npda.patient_kpi_results r ON r.nhs_number = k.nhs
 WHERE r.audit_year = 2024 GROUP BY 1 ORDER BY 1;
-- While open, 32.1 keeps its per-child values; A of C54 has achieved 2 of 3 so far.
SELECT child, outcome, value AS achieved, value_expected AS expected FROM pg_temp.results('{C54}', '{32.1}')
 WHERE outcome <> 'ineligible';
SELECT npda.rescore(2024, '2025-04-30') > 0 AS rescored;
SELECT child, kpi, outcome FROM pg_temp.results('{N10}', '{8,25}');
SELECT count(*) AS pending_left FROM kid k JOIN npda.patient_kpi_results r ON r.nhs_number = k.nhs
 WHERE r.audit_year = 2024 AND r.outcome = 'pending';

-- The stored PDU aggregates (npda.refresh_kpi_aggregations) agree with these
-- per-child tallies for all 51 results of the PDU's 117 children.
SELECT npda.refresh_kpi_aggregations(2024) > 0 AS refreshed;
SELECT count(*) AS pdu_results,
       count(*) FILTER (WHERE (a.eligible, a.passed, a.failed, a.pending, a.ineligible, round(a.value, 1))
                              IS DISTINCT FROM (t.e, t.p, t.f, t.pending, t.i, t.v)) AS mismatches
  FROM npda.kpi_results a
  FULL JOIN pg_temp.tally(NULL, ARRAY(SELECT code FROM npda.kpi)) t ON t.kpi = a.kpi
 WHERE a.level = 'pdu' AND a.area_code = 'PZ041' AND a.audit_year = 2024;

-- 2026 dataset. N13: 13 and 21 not applicable (ineligible), 22 pass (cgm_use 1).
SELECT child, kpi, outcome FROM pg_temp.results('{N13}', '{13,21,22}', 2026);
-- C87: KPI 24 E 2, P 1, F 1 (regimen 5); KPI 15 E 2, P 2 (regimen 4 or 5).
SELECT * FROM pg_temp.tally('C87', '{15,24}', 2026);
-- Not applicable in 2026 for every child: 13, 14, 16-21.
SELECT r.kpi, count(*) FILTER (WHERE r.outcome <> 'ineligible') AS eligible
  FROM kid k JOIN npda.patient_kpi_results r ON r.nhs_number = k.nhs
 WHERE r.audit_year = 2026 AND r.kpi IN ('13', '14', '16', '17', '18', '19', '20', '21')
 GROUP BY r.kpi, r.kpi_position ORDER BY r.kpi_position;

ROLLBACK;
