// The conformance cases of docs/kpis.md §8 (C01 ... N14), one test per case ID.
// Fixtures and conventions are those of §8: period 2024-04-01 - 2025-03-31 on
// the 2021 dataset, evaluated as of 2025-04-30 unless the case says otherwise.
#include <gtest/gtest.h>

#include <map>
#include <string>

#include "kpi_test_fixtures.hpp"

using namespace kpitest;

// ---- Audit period, quarters ------------------------------------------------

TEST(KpiConformance, C01_PeriodBounds) {
    const ScoringPeriod p = scoring_period_for(2024);
    EXPECT_EQ(p.start, D(2024, 4, 1));
    EXPECT_EQ(p.end, D(2025, 3, 31));
    EXPECT_EQ(p.dataset, DatasetYear::y2021);
    EXPECT_EQ(audit_year(D(2024, 4, 1)), 2024);
    EXPECT_EQ(audit_year(D(2025, 3, 31)), 2024);
}

TEST(KpiConformance, C02_NextPeriod) {
    const ScoringPeriod p = scoring_period_for(2025);
    EXPECT_EQ(p.start, D(2025, 4, 1));
    EXPECT_EQ(p.end, D(2026, 3, 31));
    EXPECT_EQ(p.dataset, DatasetYear::y2021);
    EXPECT_EQ(audit_year(D(2025, 4, 1)), 2025);
    EXPECT_EQ(audit_year(D(2026, 3, 31)), 2025);
    EXPECT_EQ(scoring_period_for(2026).dataset, DatasetYear::y2026);
}

TEST(KpiConformance, C05_Quarters) {
    EXPECT_EQ(audit_quarter(D(2023, 6, 30)), 1);
    EXPECT_EQ(audit_quarter(D(2023, 7, 1)), 2);
    EXPECT_EQ(audit_quarter(D(2023, 12, 31)), 3);
    EXPECT_EQ(audit_quarter(D(2024, 1, 1)), 4);
    EXPECT_EQ(audit_quarter(D(2023, 3, 31)), 4);
    EXPECT_EQ(audit_year(D(2023, 3, 31)), 2022);
}

// ---- KPIs 1-12 -------------------------------------------------------------

TEST(KpiConformance, C06_VisitInPeriodCounted) {
    EXPECT_EQ(outcome(edit(Std(), [](VisitRecord &v) { v.visit_date = D(2024, 4, 2); }), "1"), Outcome::pass);
}

TEST(KpiConformance, C07_EarlyNotCounted) { EXPECT_EQ(outcome(Early(), "1"), Outcome::ineligible); }

TEST(KpiConformance, C08_OldNotCounted) { EXPECT_EQ(outcome(Old(), "1"), Outcome::ineligible); }

TEST(KpiConformance, C09_Turns25OnStart) {
    PatientRecord p = Std();
    p.date_of_birth = D(1999, 4, 1);
    EXPECT_EQ(outcome(p, "1"), Outcome::ineligible);
}

TEST(KpiConformance, C11_PeriodEndInclusive) {
    EXPECT_EQ(outcome(edit(Std(), [](VisitRecord &v) { v.visit_date = D(2025, 3, 31); }), "1"), Outcome::pass);
}

TEST(KpiConformance, C13_Counts) {
    std::vector<PatientRecord> children;
    for (int i = 0; i < 3; ++i) children.push_back(edit(Std(), [](VisitRecord &v) { v.visit_date = D(2024, 4, 2); }));
    for (int i = 0; i < 4; ++i) children.push_back(Early());
    for (int i = 0; i < 4; ++i) children.push_back(Old());
    EXPECT_TRUE(Counts(aggregate(children)[slot("1")], 3, 3, 0, 8));
}

TEST(KpiConformance, C14_NewDiagnosis) {
    PatientRecord p = Std();
    p.diagnosis_date = D(2024, 4, 11);
    EXPECT_EQ(outcome(p, "2"), Outcome::pass);
}

TEST(KpiConformance, C16_Type1Only) {
    PatientRecord t99 = Std();
    t99.diabetes_type = 99;
    EXPECT_EQ(outcome(t99, "3"), Outcome::ineligible);
    EXPECT_EQ(outcome(Std(), "3"), Outcome::pass);
}

TEST(KpiConformance, C17_Turns12OnStart) {
    PatientRecord p = Std();
    p.date_of_birth = D(2012, 4, 1);
    EXPECT_EQ(outcome(p, "4"), Outcome::pass);
}

TEST(KpiConformance, C19_CompleteYear) { EXPECT_EQ(outcome(C5(), "5"), Outcome::pass); }
TEST(KpiConformance, C20_NewDxNoCompleteYear) { EXPECT_EQ(outcome(NewDx(), "5"), Outcome::ineligible); }
TEST(KpiConformance, C21_LeaverNoCompleteYear) { EXPECT_EQ(outcome(Leaver(), "5"), Outcome::ineligible); }

namespace {
const DateField kObservationFields[10] = {
    &VisitRecord::height_weight_observation_date,    &VisitRecord::hba1c_date,
    &VisitRecord::blood_pressure_observation_date,   &VisitRecord::foot_examination_observation_date,
    &VisitRecord::retinal_screening_observation_date, &VisitRecord::albumin_creatinine_ratio_date,
    &VisitRecord::total_cholesterol_date,            &VisitRecord::thyroid_function_date,
    &VisitRecord::coeliac_screen_date,               &VisitRecord::psychological_screening_assessment_date,
};
PatientRecord twelve_at_start() {
    PatientRecord p = Std();
    p.date_of_birth = D(2012, 4, 1);
    return p;
}
}  // namespace

TEST(KpiConformance, C25_EachObservationFieldCountsForM6) {
    for (DateField field : kObservationFields) {
        PatientRecord p = twelve_at_start();
        p.visits[0].*field = D(2024, 4, 3);
        EXPECT_EQ(outcome(p, "6"), Outcome::pass);
    }
    EXPECT_EQ(outcome(twelve_at_start(), "6"), Outcome::ineligible);  // no observation at all
}

TEST(KpiConformance, C26_ObservationOnSecondVisit) {
    PatientRecord p = plus_visit(twelve_at_start(), D(2024, 6, 1),
                                 [](VisitRecord &v) { v.height_weight_observation_date = D(2024, 6, 1); });
    EXPECT_EQ(outcome(p, "6"), Outcome::pass);
}

TEST(KpiConformance, C29_M7WithoutVisitDate) {
    PatientRecord p;
    p.nhs_number = "9434765919";
    p.date_of_birth = D(2012, 4, 1);
    p.diabetes_type = 1;
    p.diagnosis_date = D(2024, 4, 3);
    add_visit(p, std::nullopt).hba1c_date = D(2024, 4, 3);
    const KpiResults r = score(p);
    EXPECT_EQ(r[slot("7")].outcome, Outcome::pass);
    EXPECT_EQ(r[slot("1")].outcome, Outcome::ineligible);
}

TEST(KpiConformance, C32_Deaths) {
    PatientRecord died_before = Std();
    died_before.death_date = D(2024, 3, 30);
    EXPECT_TRUE(Counts(aggregate({Died(), died_before, Early(), Old()})[slot("8")], 1, 1, 0, 3));
}

TEST(KpiConformance, C34_Coeliacs) {
    auto gfd = [](int code) { return edit(Std(), [code](VisitRecord &v) { v.gluten_free_diet = static_cast<std::int16_t>(code); }); };
    EXPECT_TRUE(Counts(aggregate({gfd(1), gfd(2), Early(), Old()})[slot("10")], 1, 1, 0, 3));
}

TEST(KpiConformance, C35_CoeliacMostRecentEntry) {
    PatientRecord p = edit(Std(), [](VisitRecord &v) {
        v.visit_date = D(2024, 5, 1);
        v.gluten_free_diet = 1;
    });
    p = plus_visit(p, D(2024, 9, 1), [](VisitRecord &v) { v.gluten_free_diet = 2; });
    EXPECT_EQ(outcome(p, "10"), Outcome::ineligible);
}

TEST(KpiConformance, C36_Thyroids) {
    auto tts = [](int code) { return edit(Std(), [code](VisitRecord &v) { v.thyroid_treatment_status = static_cast<std::int16_t>(code); }); };
    EXPECT_TRUE(Counts(aggregate({tts(2), tts(3), tts(1), Early(), Old()})[slot("11")], 2, 2, 0, 3));
}

// ---- KPIs 13-24 ------------------------------------------------------------

namespace {
PatientRecord with_treatment(PatientRecord p, int t) {
    p.visits[0].treatment = static_cast<std::int16_t>(t);
    return p;
}
std::vector<PatientRecord> c38_cohort() {
    std::vector<PatientRecord> c;
    for (int t = 1; t <= 8; ++t) c.push_back(with_treatment(Std(), t));
    c.push_back(with_treatment(Early(), 1));
    c.push_back(with_treatment(Old(), 1));
    return c;
}
}  // namespace

TEST(KpiConformance, C38_TreatmentPartition) {
    const KpiAggregates a = aggregate(c38_cohort());
    for (int t = 1; t <= 8; ++t) {
        EXPECT_TRUE(Counts(a[kpi_slot(12 + t)], 8, 1, 7, 2)) << "KPI " << 12 + t;
    }
    // D2: each child passes exactly one of 13-20.
    for (int t = 1; t <= 8; ++t) {
        const KpiResults r = score(with_treatment(Std(), t));
        for (int k = 13; k <= 20; ++k) {
            EXPECT_EQ(r[kpi_slot(k)].outcome, k == 12 + t ? Outcome::pass : Outcome::fail);
        }
    }
}

TEST(KpiConformance, C39_PumpCountsCode3Only) {
    EXPECT_TRUE(Counts(aggregate(c38_cohort())[slot("15")], 8, 1, 7, 2));
    EXPECT_EQ(outcome(with_treatment(Std(), 6), "15"), Outcome::fail);
    EXPECT_EQ(outcome(with_treatment(Std(), 6), "18"), Outcome::pass);
}

TEST(KpiConformance, C41_FlashMonitor) {
    std::vector<PatientRecord> c;
    for (int g : {2, 3, 1, 4, 5, 6}) {
        c.push_back(edit(Std(), [g](VisitRecord &v) { v.glucose_monitoring = static_cast<std::int16_t>(g); }));
    }
    EXPECT_TRUE(Counts(aggregate(c + early_old())[slot("21")], 6, 2, 4, 2));
}

namespace {
PatientRecord hcl(int treatment, std::optional<int> loop) {
    return edit(Std(), [=](VisitRecord &v) {
        v.treatment = static_cast<std::int16_t>(treatment);
        if (loop) v.closed_loop_system = static_cast<std::int16_t>(*loop);
    });
}
}  // namespace

TEST(KpiConformance, C44_HybridClosedLoop) {
    std::vector<PatientRecord> c;
    for (int t : {3, 6}) {
        for (int loop : {2, 3, 4, 1}) c.push_back(hcl(t, loop));
    }
    for (int t : {1, 2, 4, 5, 7, 8}) c.push_back(hcl(t, std::nullopt));
    EXPECT_TRUE(Counts(aggregate(c + early_old())[slot("24")], 14, 6, 8, 2));
}

TEST(KpiConformance, C45_HclOneVisit) { EXPECT_EQ(outcome(hcl(3, 2), "24"), Outcome::pass); }

TEST(KpiConformance, C45b_HclItemsFromDifferentVisits) {
    PatientRecord p = edit(hcl(3, 2), [](VisitRecord &v) { v.visit_date = D(2024, 5, 1); });
    p = plus_visit(p, D(2024, 8, 1), [](VisitRecord &v) { v.treatment = 3; });
    EXPECT_EQ(outcome(p, "24"), Outcome::pass);
}

// ---- KPIs 25-32.3 ----------------------------------------------------------

namespace {
PatientRecord with_hba1c(PatientRecord p, double value, Date date) {
    p.visits[0].hba1c = value;
    p.visits[0].hba1c_date = date;
    return p;
}
PatientRecord with_hw(PatientRecord p, double h, double w, Date date) {
    p.visits[0].height = h;
    p.visits[0].weight = w;
    p.visits[0].height_weight_observation_date = date;
    return p;
}
}  // namespace

TEST(KpiConformance, C47_Hba1cCareProcess) {
    const std::vector<PatientRecord> c = {with_hba1c(C5(), 60, D(2024, 4, 3)), with_hba1c(C5(), 62, D(2024, 4, 11)), C5()};
    EXPECT_TRUE(Counts(aggregate(c + outside_m5())[slot("25")], 3, 2, 1, 5));
}

TEST(KpiConformance, C48_Bmi) {
    const std::vector<PatientRecord> c = {with_hw(C5(), 140, 40, D(2024, 4, 3)), with_hw(C5(), 160, 50, D(2024, 4, 3)), C5(),
                                          with_hw(C5(), 160, 50, D(2024, 3, 30))};
    EXPECT_TRUE(Counts(aggregate(c + outside_m5())[slot("26")], 4, 2, 2, 5));
}

TEST(KpiConformance, C50_ThyroidScreen) {
    const DateField f = &VisitRecord::thyroid_function_date;
    const std::vector<PatientRecord> c = {with_date(C5(), f, D(2024, 4, 3)), with_date(C5(), f, D(2024, 4, 13)), C5(),
                                          with_date(C5(), f, D(2024, 3, 30))};
    EXPECT_TRUE(Counts(aggregate(c + outside_m5())[slot("27")], 4, 2, 2, 5));
}

TEST(KpiConformance, C52_RetinalScreening) {
    auto retinal = [](int result, Date date) {
        return edit(C6(), [=](VisitRecord &v) {
            v.retinal_screening_result = static_cast<std::int16_t>(result);
            v.retinal_screening_observation_date = date;
        });
    };
    const std::vector<PatientRecord> c = {retinal(1, D(2024, 4, 3)), retinal(2, D(2024, 5, 3)), retinal(99, D(2024, 5, 3)),
                                          C6(), retinal(99, D(2024, 3, 30))};
    EXPECT_TRUE(Counts(aggregate(c + new_leaver_died())[slot("30")], 5, 2, 3, 3));
}

TEST(KpiConformance, C54_HealthCheckCompletionRate) {
    PatientRecord a = with_hw(with_hba1c(C5(), 50, D(2024, 4, 3)), 140, 40, D(2024, 7, 1));
    a.date_of_birth = D(2013, 4, 1);
    PatientRecord b = with_date(a, &VisitRecord::thyroid_function_date, D(2024, 10, 1));
    PatientRecord c = with_hw(with_hba1c(C5(), 50, D(2024, 4, 3)), 150, 45, D(2024, 7, 1));
    c.date_of_birth = D(2012, 4, 1);
    c.visits[0].systolic_blood_pressure = 110;
    c.visits[0].blood_pressure_observation_date = D(2024, 7, 1);
    PatientRecord d = with_date(c, &VisitRecord::thyroid_function_date, D(2024, 10, 1));
    d.visits[0].albumin_creatinine_ratio = 3.5;
    d.visits[0].albuminuria_stage = 2;
    d.visits[0].albumin_creatinine_ratio_date = D(2024, 10, 1);
    d.visits[0].foot_examination_observation_date = D(2024, 10, 1);

    const std::vector<PatientRecord> four = {a, b, c, d};
    const int achieved[4] = {2, 3, 3, 6}, expected[4] = {3, 3, 6, 6};
    const Outcome outcomes[4] = {Outcome::fail, Outcome::pass, Outcome::fail, Outcome::pass};
    for (std::size_t i = 0; i < 4; ++i) {
        const KpiResult r = score(four[i])[kSlot32_1];
        EXPECT_EQ(r.outcome, outcomes[i]) << i;
        EXPECT_EQ(r.value, achieved[i]) << i;
        EXPECT_EQ(r.value_expected, expected[i]) << i;
    }
    EXPECT_TRUE(Counts(aggregate(four + outside_m5())[kSlot32_1], 18, 14, 4, 5));
}

TEST(KpiConformance, C55_HealthChecksUnder12) {
    const PatientRecord one_visit = with_date(with_hw(with_hba1c(C5(), 50, D(2024, 4, 3)), 140, 40, D(2024, 4, 3)),
                                              &VisitRecord::thyroid_function_date, D(2024, 4, 3));
    PatientRecord spread = with_hba1c(C5(), 50, D(2024, 4, 3));
    spread = plus_visit(spread, D(2024, 6, 1), [](VisitRecord &v) {
        v.height = 140;
        v.weight = 40;
        v.height_weight_observation_date = D(2024, 6, 1);
    });
    spread = plus_visit(spread, D(2024, 9, 1), [](VisitRecord &v) { v.thyroid_function_date = D(2024, 9, 1); });
    const PatientRecord no_hw = with_date(with_date(with_hba1c(C5(), 50, D(2024, 4, 3)),
                                                    &VisitRecord::height_weight_observation_date, D(2024, 4, 3)),
                                          &VisitRecord::thyroid_function_date, D(2024, 4, 3));
    const PatientRecord no_hba1c = with_date(with_date(C5(), &VisitRecord::height_weight_observation_date, D(2024, 4, 3)),
                                             &VisitRecord::thyroid_function_date, D(2024, 4, 3));
    const std::vector<PatientRecord> c = {one_visit, spread, no_hw, no_hba1c};
    EXPECT_EQ(outcome(one_visit, "32.2"), Outcome::pass);
    EXPECT_EQ(outcome(spread, "32.2"), Outcome::pass);
    EXPECT_EQ(outcome(no_hw, "32.2"), Outcome::fail);
    EXPECT_EQ(outcome(no_hba1c, "32.2"), Outcome::fail);
    EXPECT_TRUE(Counts(aggregate(c + outside_m5())[slot("32.2")], 4, 2, 2, 5));
}

// ---- KPIs 33-43 ------------------------------------------------------------

TEST(KpiConformance, C57_Hba1cFourPlus) {
    auto with_rows = [](PatientRecord p, int n, bool spread_dates, bool value) {
        for (int i = 0; i < n; ++i) {
            VisitRecord &v = add_visit(p, D(2024, 4, 1));
            if (value) v.hba1c = 46;
            v.hba1c_date = spread_dates ? D(2024, 4, 1 + i) : D(2024, 4, 3);
        }
        return p;
    };
    const std::vector<PatientRecord> c = {with_rows(C5(), 4, false, true), with_rows(C5(), 5, false, true),
                                          with_rows(C5(), 4, true, true), with_rows(C5(), 3, true, true),
                                          with_rows(C5(), 4, false, false)};
    EXPECT_TRUE(Counts(aggregate(c + outside_m5())[slot("33")], 5, 3, 2, 5));
}

TEST(KpiConformance, C58_PsychologicalAssessment) {
    const DateField f = &VisitRecord::psychological_screening_assessment_date;
    const std::vector<PatientRecord> c = {
        with_date(C5(), f, D(2024, 4, 3)),
        plus_visit(C5(), D(2024, 4, 6), [&](VisitRecord &v) { v.*f = D(2024, 4, 6); }),
        with_date(C5(), f, D(2024, 3, 30)), C5()};
    EXPECT_TRUE(Counts(aggregate(c + outside_m5())[slot("34")], 4, 2, 2, 5));
}

TEST(KpiConformance, C60_SmokingCessationReferral) {
    const PatientRecord base = edit(C6(), [](VisitRecord &v) { v.visit_date = D(2024, 4, 6); });
    const DateField f = &VisitRecord::smoking_cessation_referral_date;
    const std::vector<PatientRecord> c = {
        with_date(base, f, D(2024, 4, 3)),
        plus_visit(base, D(2024, 4, 6), [&](VisitRecord &v) { v.*f = D(2024, 5, 3); }), base};
    EXPECT_TRUE(Counts(aggregate(c + new_leaver_died())[slot("36")], 3, 2, 1, 3));
}

TEST(KpiConformance, C62_DieteticAppointmentAttended) {
    const DateField f = &VisitRecord::dietician_additional_appointment_date;
    const std::vector<PatientRecord> c = {
        with_date(C5(), f, D(2024, 5, 1)),
        plus_visit(C5(), D(2024, 4, 6), [&](VisitRecord &v) { v.*f = D(2024, 4, 5); }), C5()};
    EXPECT_TRUE(Counts(aggregate(c + outside_m5())[slot("38")], 3, 2, 1, 5));
}

TEST(KpiConformance, C64_SickDayRules) {
    const DateField f = &VisitRecord::sick_day_rules_training_date;
    const std::vector<PatientRecord> c = {
        with_date(Std(), f, D(2024, 5, 1)),
        plus_visit(Std(), D(2024, 4, 6), [&](VisitRecord &v) { v.*f = D(2024, 4, 5); }), Std()};
    EXPECT_TRUE(Counts(aggregate(c + early_old())[slot("40")], 3, 2, 1, 2));
}

namespace {
// Type 1, DOB 2014-04-01, diagnosed dx, a visit 2024-10-30 with an observation date 2024-12-30.
PatientRecord care_at_dx(Date dx) {
    PatientRecord p = Std();
    p.date_of_birth = D(2014, 4, 1);
    p.diagnosis_date = dx;
    p.visits[0].visit_date = D(2024, 10, 30);
    p.visits[0].height_weight_observation_date = D(2024, 12, 30);
    return p;
}
}  // namespace

TEST(KpiConformance, C65_CoeliacScreenWindow) {
    const PatientRecord at_minus_90 =
        with_date(care_at_dx(D(2024, 12, 30)), &VisitRecord::coeliac_screen_date, D(2024, 10, 1));
    const PatientRecord at_plus_90 = plus_visit(care_at_dx(D(2024, 12, 30)), std::nullopt,
                                                [](VisitRecord &v) { v.coeliac_screen_date = D(2025, 3, 30); });
    const PatientRecord none = care_at_dx(D(2024, 12, 30));
    const PatientRecord at_plus_91 =
        with_date(care_at_dx(D(2024, 12, 29)), &VisitRecord::coeliac_screen_date, D(2025, 3, 30));
    EXPECT_EQ(outcome(at_minus_90, "41"), Outcome::pass);
    EXPECT_EQ(outcome(at_plus_90, "41"), Outcome::pass);
    EXPECT_EQ(outcome(none, "41"), Outcome::fail);
    EXPECT_EQ(outcome(at_plus_91, "41"), Outcome::fail);
    EXPECT_TRUE(Counts(aggregate({at_minus_90, at_plus_90, none, at_plus_91})[slot("41")], 4, 2, 2, 0));
}

TEST(KpiConformance, C67_Type2NotCareAtDiagnosis) {
    PatientRecord p = Std();
    p.diabetes_type = 2;
    p.diagnosis_date = D(2024, 4, 3);
    p.visits[0].hba1c_date = D(2024, 4, 3);
    EXPECT_EQ(outcome(p, "41"), Outcome::ineligible);
}

TEST(KpiConformance, C68_DiagnosedBeforePeriod) {
    PatientRecord p = C5();
    p.visits[0].height_weight_observation_date = D(2024, 4, 3);
    EXPECT_EQ(outcome(p, "41"), Outcome::ineligible);
}

// ---- KPIs 44-49 ------------------------------------------------------------

namespace {
PatientRecord hba1c_series(Date dx, std::vector<std::pair<double, Date>> values) {
    PatientRecord p = Std();
    p.diagnosis_date = dx;
    p.visits.clear();
    for (const auto &[value, date] : values) {
        VisitRecord &v = add_visit(p, date);
        v.hba1c = value;
        v.hba1c_date = date;
    }
    return p;
}
}  // namespace

TEST(KpiConformance, C71_MeanOfMeans) {
    const PatientRecord one = hba1c_series(D(2024, 1, 3), {{45, D(2024, 4, 3)}, {46, D(2024, 7, 1)}, {47, D(2024, 10, 1)}});
    const PatientRecord two = hba1c_series(
        D(2024, 1, 3), {{47, D(2024, 4, 3)}, {48, D(2024, 7, 1)}, {49, D(2024, 10, 1)}, {1, D(2024, 4, 2)}});
    EXPECT_DOUBLE_EQ(*score(one)[slot("44")].value, 46.0);
    EXPECT_DOUBLE_EQ(*score(two)[slot("44")].value, 48.0);
    const KpiAggregates a = aggregate({one, two, Early(), Old()});
    EXPECT_TRUE(Counts(a[slot("44")], 2, 2, 0, 2));
    ASSERT_TRUE(a[slot("44")].value.has_value());
    EXPECT_DOUBLE_EQ(*a[slot("44")].value, 47.0);
}

TEST(KpiConformance, C73_NoQualifyingHba1c) {
    const KpiAggregates a = aggregate({Std(), Std(), with_hba1c(Std(), 50, D(2024, 3, 1))});
    for (const char *k : {"44", "45"}) {
        EXPECT_TRUE(Counts(a[slot(k)], 3, 0, 3, 0)) << k;
        EXPECT_FALSE(a[slot(k)].value.has_value()) << k;
    }
}

namespace {
PatientRecord admitted(PatientRecord p, OptDate admission, OptDate discharge, int reason) {
    VisitRecord &v = p.visits[0];
    v.hospital_admission_date = admission;
    v.hospital_discharge_date = discharge;
    v.hospital_admission_reason = static_cast<std::int16_t>(reason);
    return p;
}
}  // namespace

TEST(KpiConformance, C74_Admissions) {
    const std::vector<PatientRecord> c = {admitted(Std(), D(2024, 4, 3), std::nullopt, 1),
                                          admitted(Std(), std::nullopt, D(2024, 4, 3), 6),
                                          admitted(Std(), D(2024, 6, 1), std::nullopt, 42),
                                          admitted(Std(), D(2024, 3, 30), std::nullopt, 6)};
    const KpiAggregates a = aggregate(c + early_old());
    EXPECT_TRUE(Counts(a[slot("46")], 4, 2, 2, 2));
    EXPECT_EQ(a[slot("46")].value, 2.0);
}

TEST(KpiConformance, C76_DistinctAdmissions) {
    PatientRecord p = admitted(Std(), D(2024, 5, 1), std::nullopt, 1);
    PatientRecord two = plus_visit(p, D(2024, 8, 10), [](VisitRecord &v) {
        v.hospital_admission_date = D(2024, 8, 10);
        v.hospital_admission_reason = 4;
    });
    EXPECT_EQ(score(two)[slot("46")].outcome, Outcome::pass);
    EXPECT_EQ(score(two)[slot("46")].value, 2.0);
    EXPECT_TRUE(Counts(aggregate({two})[slot("46")], 1, 1, 0, 0));
    PatientRecord same = plus_visit(p, D(2024, 8, 10), [](VisitRecord &v) {
        v.hospital_admission_date = D(2024, 5, 1);
        v.hospital_admission_reason = 1;
    });
    EXPECT_EQ(score(same)[slot("46")].value, 1.0);
    EXPECT_EQ(aggregate({same})[slot("46")].value, 1.0);
}

TEST(KpiConformance, C77_AdditionalPsychologicalSupport) {
    auto support = [](std::optional<int> code) {
        return edit(Std(), [=](VisitRecord &v) {
            if (code) v.psychological_additional_support_status = static_cast<std::int16_t>(*code);
        });
    };
    const PatientRecord second =
        plus_visit(Std(), D(2024, 4, 3), [](VisitRecord &v) { v.psychological_additional_support_status = 1; });
    const std::vector<PatientRecord> c = {support(1), second, support(2), support(99), support(std::nullopt)};
    EXPECT_TRUE(Counts(aggregate(c + early_old())[slot("48")], 5, 2, 3, 2));
}

// ---- Whole run, reports, 2026 dataset ---------------------------------------

TEST(KpiConformance, C79_EmptyScope) {
    const KpiAggregates a = aggregate({});
    ASSERT_EQ(a.size(), 51u);
    for (std::size_t i = 0; i < kKpiCount; ++i) {
        EXPECT_TRUE(Counts(a[i], 0, 0, 0, 0)) << kpi_definitions()[i].code;
        if (i == slot("46") || i == slot("47")) {
            EXPECT_EQ(a[i].value, 0.0);
        } else {
            EXPECT_FALSE(a[i].value.has_value()) << kpi_definitions()[i].code;
        }
    }
}

TEST(KpiConformance, C80_ResultList) {
    const auto &defs = kpi_definitions();
    ASSERT_EQ(defs.size(), 51u);
    std::vector<std::string> codes;
    for (const KpiDefinition &d : defs) codes.push_back(d.code);
    std::vector<std::string> expected;
    for (int n = 1; n <= 31; ++n) expected.push_back(std::to_string(n));
    expected.insert(expected.end(), {"32.1", "32.2", "32.3"});
    for (int n = 33; n <= 49; ++n) expected.push_back(std::to_string(n));
    EXPECT_EQ(codes, expected);
    EXPECT_STREQ(defs[0].label, "Total number of eligible patients");
    EXPECT_STREQ(defs[slot("15")].label, "Insulin pump (including those using a pump as part of a hybrid closed loop)");
    EXPECT_STREQ(defs[slot("32.1")].label, "Health check completion rate (%)");
    EXPECT_STREQ(defs[slot("32.3")].label, "Health Checks (12 years and over)");
    EXPECT_STREQ(defs[slot("49")].label, "Albuminuria present");
}

TEST(KpiConformance, C81_TypesBothCounted) {
    PatientRecord t1 = edit(Std(), [](VisitRecord &v) { v.visit_date = D(2024, 4, 11); });
    PatientRecord t2 = t1;
    t2.diabetes_type = 2;
    EXPECT_TRUE(Counts(aggregate({t1, t2})[slot("1")], 2, 2, 0, 0));
}

TEST(KpiConformance, C83_VisitBeforePeriod) {
    PatientRecord t1 = edit(Std(), [](VisitRecord &v) { v.visit_date = D(2024, 4, 11); });
    PatientRecord t2 = edit(Std(), [](VisitRecord &v) { v.visit_date = D(2024, 3, 22); });
    t2.diabetes_type = 2;
    EXPECT_TRUE(Counts(aggregate({t1, t2})[slot("1")], 1, 1, 0, 1));
}

TEST(KpiConformance, C85_HclTwoChildren) {
    EXPECT_TRUE(Counts(aggregate({hcl(3, 2), hcl(3, 1)})[slot("24")], 2, 1, 1, 0));
}

namespace {
PatientRecord child_2026(int insulin_regimen) {
    PatientRecord p = Std();
    p.visits[0].visit_date = D(2026, 6, 1);
    p.visits[0].insulin_regimen = static_cast<std::int16_t>(insulin_regimen);
    return p;
}
}  // namespace

TEST(KpiConformance, C87_Dataset2026PumpAndHcl) {
    const KpiAggregates a = aggregate({child_2026(5), child_2026(4)}, as_of_2026(), p2026());
    EXPECT_TRUE(Counts(a[slot("24")], 2, 1, 1, 0));
    EXPECT_TRUE(Counts(a[slot("15")], 2, 2, 0, 0));
}

TEST(KpiConformance, C89_HealthChecksUnder12Only) {
    const PatientRecord p = with_date(with_hw(with_hba1c(C5(), 50, D(2024, 4, 3)), 140, 40, D(2024, 4, 3)),
                                      &VisitRecord::thyroid_function_date, D(2024, 4, 3));
    const KpiResults r = score(p);
    for (int k = 28; k <= 31; ++k) EXPECT_EQ(r[kpi_slot(k)].outcome, Outcome::ineligible) << k;
    EXPECT_EQ(r[kSlot32_1].outcome, Outcome::pass);
    EXPECT_EQ(r[kSlot32_1].value, 3.0);
    EXPECT_EQ(r[kSlot32_1].value_expected, 3);
    EXPECT_EQ(r[kSlot32_2].outcome, Outcome::pass);
    EXPECT_EQ(r[kSlot32_3].outcome, Outcome::ineligible);
}

TEST(KpiConformance, C90_RetinalScreeningPass) {
    PatientRecord p = Std();
    p.date_of_birth = D(2010, 5, 1);
    p.diagnosis_date = D(2022, 4, 1);
    p.visits[0].visit_date = D(2024, 6, 1);
    p.visits[0].retinal_screening_result = 1;
    p.visits[0].retinal_screening_observation_date = D(2024, 6, 1);
    EXPECT_EQ(outcome(p, "30"), Outcome::pass);
}

TEST(KpiConformance, C92_LeaverNotCompleteYear) {
    PatientRecord p = C5();
    p.date_leaving_service = D(2024, 5, 1);
    p.reason_leaving_service = 1;
    p.visits[0].visit_date = D(2024, 4, 20);
    p.visits[0].hba1c = 50;
    p.visits[0].hba1c_date = D(2024, 4, 20);
    const KpiResults r = score(p);
    EXPECT_EQ(r[slot("5")].outcome, Outcome::ineligible);
    EXPECT_EQ(r[slot("9")].outcome, Outcome::pass);
    EXPECT_EQ(r[slot("25")].outcome, Outcome::ineligible);
}

// ---- Derived from the decisions ---------------------------------------------

TEST(KpiConformance, N01_SameDateTieGoesToLaterRow) {
    PatientRecord p = Std();
    p.visits.clear();
    add_visit(p, D(2024, 6, 1)).gluten_free_diet = 1;
    add_visit(p, D(2024, 6, 1)).gluten_free_diet = 2;
    EXPECT_EQ(outcome(p, "10"), Outcome::ineligible);
    std::swap(p.visits[0].gluten_free_diet, p.visits[1].gluten_free_diet);
    EXPECT_EQ(outcome(p, "10"), Outcome::pass);
}

TEST(KpiConformance, N03_AdmissionDateCountsForM1) {
    const PatientRecord p = admitted(Early(), D(2024, 4, 5), D(2024, 4, 7), 1);
    const KpiResults r = score(p);
    EXPECT_EQ(r[slot("1")].outcome, Outcome::pass);
    EXPECT_EQ(r[slot("46")].outcome, Outcome::pass);
    EXPECT_EQ(r[slot("46")].value, 1.0);
}

TEST(KpiConformance, N05_EmptyHba1cValuesDropped) {
    PatientRecord a = Std();
    a.visits.clear();
    VisitRecord &v1 = add_visit(a, D(2024, 5, 1));
    v1.hba1c = 50;
    v1.hba1c_date = D(2024, 5, 1);
    add_visit(a, D(2024, 6, 1)).hba1c_date = D(2024, 6, 1);
    VisitRecord &v3 = add_visit(a, D(2024, 7, 1));
    v3.hba1c = 54;
    v3.hba1c_date = D(2024, 7, 1);
    const PatientRecord b = with_date(Std(), &VisitRecord::hba1c_date, D(2024, 5, 1));
    const KpiResults ra = score(a), rb = score(b);
    EXPECT_EQ(ra[slot("44")].outcome, Outcome::pass);
    EXPECT_DOUBLE_EQ(*ra[slot("44")].value, 52.0);
    EXPECT_DOUBLE_EQ(*ra[slot("45")].value, 52.0);
    EXPECT_EQ(rb[slot("44")].outcome, Outcome::fail);
    EXPECT_FALSE(rb[slot("44")].value.has_value());
    const KpiAggregates agg = aggregate({a, b});
    EXPECT_TRUE(Counts(agg[slot("44")], 2, 1, 1, 0));
    EXPECT_DOUBLE_EQ(*agg[slot("44")].value, 52.0);
}

TEST(KpiConformance, N07_NewDiagnosesByQuarter) {
    int quarters[5] = {0, 0, 0, 0, 0};
    for (Date dx : {D(2024, 6, 30), D(2024, 7, 1)}) {
        PatientRecord p = Std();
        p.diagnosis_date = dx;
        if (outcome(p, "2") == Outcome::pass) ++quarters[audit_quarter(dx)];
    }
    EXPECT_EQ(quarters[1], 1);
    EXPECT_EQ(quarters[2], 1);
    EXPECT_EQ(quarters[3] + quarters[4], 0);
}

TEST(KpiConformance, N08_MovedChildCountedOnceAbovePdu) {
    PatientRecord at041 = Std();
    at041.visits[0].visit_date = D(2024, 5, 1);
    at041.date_leaving_service = D(2024, 9, 1);
    at041.reason_leaving_service = 2;
    PatientRecord at215 = Std();
    at215.visits[0].visit_date = D(2024, 11, 1);

    // PDU level: each PDU scores its own record.
    const KpiResults r041 = score(at041), r215 = score(at215);
    EXPECT_EQ(r041[slot("1")].outcome, Outcome::pass);
    EXPECT_EQ(r041[slot("9")].outcome, Outcome::pass);
    EXPECT_EQ(r041[slot("5")].outcome, Outcome::ineligible);
    EXPECT_EQ(r215[slot("1")].outcome, Outcome::pass);
    EXPECT_EQ(r215[slot("5")].outcome, Outcome::pass);
    EXPECT_EQ(r215[slot("9")].outcome, Outcome::ineligible);

    // Above PDU level: attributed to the latest-visit PDU, PZ215, with its record.
    const std::vector<PduRecordRef> records = {{&at041, "PZ041", 100}, {&at215, "PZ215", 50}};
    const Attribution at = attribute_child(records, p2024());
    EXPECT_EQ(at.general, 1u);
    const std::map<std::string, std::vector<std::string>> areas = {
        {"PZ041", {"RGT", "QUE", "Y61", "E92000001", "national"}},
        {"PZ215", {"RJZ", "QKK", "Y56", "E92000001", "national"}}};
    std::map<std::string, KpiAccumulator> by_area;
    for (const auto &[pdu, list] : areas) {
        for (const std::string &area : list) by_area[area];  // every area exists, possibly empty
    }
    const KpiResults *scored[2] = {&r041, &r215};
    for (const std::string &area : areas.at(std::string(records[at.general].pz_code))) {
        by_area[area].add(*scored[at.general]);
    }
    for (const char *area : {"RGT", "QUE", "Y61"}) {
        EXPECT_EQ(by_area[area].result()[slot("1")].eligible, 0) << area;
    }
    for (const char *area : {"RJZ", "QKK", "Y56", "E92000001", "national"}) {
        const KpiAggregates a = by_area[area].result();
        EXPECT_EQ(a[slot("1")].eligible, 1) << area;
        EXPECT_EQ(a[slot("5")].eligible, 1) << area;
        EXPECT_EQ(a[slot("9")].eligible, 0) << area;
    }
}

TEST(KpiConformance, N10_PendingWhileOpen) {
    const KpiResults open = score(C5(), D(2024, 10, 1));
    EXPECT_EQ(open[slot("25")].outcome, Outcome::pending);
    EXPECT_EQ(open[slot("8")].outcome, Outcome::ineligible);
    const KpiResults ended = score(C5(), D(2025, 4, 30));
    EXPECT_EQ(ended[slot("25")].outcome, Outcome::fail);
    EXPECT_TRUE(Counts(aggregate({C5()}, D(2024, 10, 1))[slot("25")], 1, 0, 0, 0, 1));
}

TEST(KpiConformance, N13_Dataset2026NotApplicable) {
    PatientRecord p = child_2026(2);
    p.visits[0].cgm_use = 1;
    p.visits[0].treatment = 1;            // 2021 fields are ignored in 2026
    p.visits[0].glucose_monitoring = 2;
    const KpiResults r = score(p, as_of_2026(), p2026());
    EXPECT_EQ(r[slot("13")].outcome, Outcome::ineligible);
    EXPECT_EQ(r[slot("21")].outcome, Outcome::ineligible);
    EXPECT_EQ(r[slot("22")].outcome, Outcome::pass);
    const KpiAggregates a = aggregate({p}, as_of_2026(), p2026());
    EXPECT_TRUE(Counts(a[slot("13")], 0, 0, 0, 1));
    EXPECT_TRUE(Counts(a[slot("21")], 0, 0, 0, 1));
    EXPECT_FALSE(kpi_percentage(slot("13"), a[slot("13")]).has_value());
}

TEST(KpiConformance, N14_HeightAndWeightOnTwoRows) {
    PatientRecord p = C5();
    add_visit(p, D(2024, 6, 1));
    p.visits[1].height = 140;
    p.visits[1].height_weight_observation_date = D(2024, 6, 1);
    add_visit(p, D(2024, 6, 1));
    p.visits[2].weight = 40;
    p.visits[2].height_weight_observation_date = D(2024, 6, 1);
    EXPECT_EQ(outcome(p, "26"), Outcome::pass);
}
