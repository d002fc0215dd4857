// The KPI engine at the extremes of its input: date arithmetic at the ends of the date
// range (PostgreSQL's 'infinity' dates arrive as INT32_MAX / INT32_MIN) and the
// cost of scoring one child with very many rows.
#include <gtest/gtest.h>

#include <climits>

#include "kpi/aggregate.hpp"
#include "kpi_test_fixtures.hpp"

using namespace kpitest;

namespace {

// A date column edited to 'infinity' / '-infinity' in SQL reaches the core as
// the extreme int32 values; the engine must not overflow on dx +/- N days.
constexpr Date kInfinity = INT32_MAX;
constexpr Date kMinusInfinity = INT32_MIN;

PatientRecord with_hba1c(PatientRecord p, Date hba1c_date, double value) {
    VisitRecord &v = p.visits.at(0);
    v.hba1c = value;
    v.hba1c_format = 1;
    v.hba1c_date = hba1c_date;
    return p;
}

}  // namespace

TEST(KpiInfiniteDates, InfiniteDiagnosisDateHasNoQualifyingHba1c) {
    // dx = +infinity: no HbA1c can be "strictly more than 90 days after" it (D8).
    PatientRecord p = with_hba1c(Std(), D(2024, 5, 1), 50);
    p.diagnosis_date = kInfinity;
    const KpiResults r = score(p);
    EXPECT_EQ(r[slot("1")].outcome, Outcome::pass);
    EXPECT_EQ(r[slot("44")].outcome, Outcome::fail);
    EXPECT_FALSE(r[slot("44")].value.has_value());
    EXPECT_EQ(r[slot("41")].outcome, Outcome::ineligible);  // not diagnosed in P
    // While the period is open there is no date left after dx + 90 either.
    EXPECT_EQ(outcome(p, "44", D(2024, 6, 1)), Outcome::fail);
}

TEST(KpiInfiniteDates, MinusInfiniteDiagnosisDateKeepsEveryHba1c) {
    PatientRecord p = with_hba1c(Std(), D(2024, 5, 1), 50);
    p.diagnosis_date = kMinusInfinity;
    const KpiResults r = score(p);
    EXPECT_EQ(r[slot("44")].outcome, Outcome::pass);
    ASSERT_TRUE(r[slot("44")].value.has_value());
    EXPECT_DOUBLE_EQ(*r[slot("44")].value, 50.0);
    // Care-at-diagnosis windows around -infinity hold no real date.
    p.visits[0].coeliac_screen_date = D(2024, 5, 1);
    p.visits[0].carbohydrate_counting_level_three_education_date = D(2024, 5, 1);
    EXPECT_EQ(outcome(p, "41"), Outcome::ineligible);
}

TEST(KpiInfiniteDates, InfiniteDatesInAttribution) {
    PatientRecord a = Std();
    a.diagnosis_date = kInfinity;
    PatientRecord b = Std();
    b.diagnosis_date = kMinusInfinity;
    b.date_leaving_service = kInfinity;
    const std::vector<PduRecordRef> refs = {{&a, "PZ041", 1}, {&b, "PZ215", 2}};
    const Attribution at = attribute_child(refs, p2024());
    EXPECT_EQ(at.general, 1u);  // same latest visit: the later submission
    EXPECT_EQ(at.day90, 1u);    // dx = -infinity: no visit on or before day 90 -> attributed PDU
    EXPECT_EQ(at.day14, 1u);
}

// ---- Many rows for one child ----------------------------------------------
//
// A file may hold 400,000 rows, and nothing stops them all carrying one NHS
// number. Scoring such a child must stay close to linear: the admission
// de-duplication (D9) and the height/weight pairing across rows (R6) used to
// compare every row with every earlier row (50 s for this child; now well
// under a second). No timing is asserted here -- timed assertions belong to
// the benchmarks -- but these inputs make a quadratic regression obvious.

TEST(KpiManyRowsForOneChild, ManyDistinctAdmissionsForOneChild) {
    constexpr int kRows = 150000;
    PatientRecord p = Std();
    p.visits.clear();
    for (int i = 0; i < kRows; ++i) {
        VisitRecord &v = add_visit(p, D(2024, 5, 1));
        v.hospital_admission_date = D(2024, 4, 1) + i % 300;
        v.hospital_discharge_date = D(2024, 4, 1) + i % 300 + 1 + i / 300;  // every triple distinct
        v.hospital_admission_reason = static_cast<std::int16_t>(i % 2 == 0 ? 2 : 1);
    }
    // Every row repeated once more at the end: still kRows admissions.
    const std::size_t n = p.visits.size();
    for (std::size_t i = 0; i < n; i += 1000) {
        VisitRecord copy = p.visits[i];
        copy.row_number = static_cast<int>(p.visits.size()) + 2;
        p.visits.push_back(copy);
    }
    const KpiResults r = score(p);
    ASSERT_TRUE(r[slot("46")].value.has_value());
    EXPECT_DOUBLE_EQ(*r[slot("46")].value, kRows);
    EXPECT_DOUBLE_EQ(*r[slot("47")].value, kRows / 2);
}

TEST(KpiManyRowsForOneChild, ManyHeightOnlyAndWeightOnlyRows) {
    constexpr int kRows = 120000;
    PatientRecord p = C5();
    p.visits.clear();
    for (int i = 0; i < kRows; ++i) {
        VisitRecord &v = add_visit(p, D(2024, 5, 1));
        if (i % 2 == 0) {
            v.height = 140;
            v.height_weight_observation_date = D(2024, 4, 1) + (i / 2) % 365;
        } else {
            v.weight = 40;
            v.height_weight_observation_date = D(2023, 1, 1) + (i / 2) % 365;  // never a height date
        }
    }
    const KpiResults r = score(p);
    EXPECT_EQ(r[slot("26")].outcome, Outcome::fail);

    // One weight on a height date in P makes the pair (R6).
    VisitRecord &w = add_visit(p, D(2024, 5, 1));
    w.weight = 41;
    w.height_weight_observation_date = D(2024, 4, 1) + 100;
    EXPECT_EQ(outcome(p, "26"), Outcome::pass);
}

TEST(KpiManyRowsForOneChild, AdmissionTriplesWithEmptyParts) {
    // D9: empty equals empty inside a triple; a different empty part is a different admission.
    PatientRecord p = Std();
    auto admit = [&](OptDate adm, OptDate dis, std::int16_t reason) {
        VisitRecord &v = add_visit(p, D(2024, 5, 1));
        v.hospital_admission_date = adm;
        v.hospital_discharge_date = dis;
        v.hospital_admission_reason = reason;
    };
    admit(D(2024, 6, 1), std::nullopt, 2);
    admit(D(2024, 6, 1), std::nullopt, 2);    // same admission
    admit(D(2024, 6, 1), D(2024, 6, 3), 2);   // another (discharge differs)
    admit(std::nullopt, D(2024, 6, 3), 2);    // another (no admission date)
    admit(std::nullopt, D(2024, 6, 3), 2);    // same as the previous one
    admit(D(2024, 6, 1), D(2024, 6, 3), 4);   // another (reason differs)
    admit(D(2024, 6, 1), D(2024, 6, 3), 42);  // reason outside the set: not counted
    const KpiResults r = score(p);
    EXPECT_DOUBLE_EQ(*r[slot("46")].value, 4);
    EXPECT_DOUBLE_EQ(*r[slot("47")].value, 3);
}
