// Review findings in the KPI engine: date arithmetic at the ends of the date
// range (PostgreSQL's 'infinity' dates arrive as INT32_MAX / INT32_MIN).
#include <gtest/gtest.h>

#include <climits>

#include "kpi_aggregate.hpp"
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

TEST(ReviewKpiDates, InfiniteDiagnosisDateHasNoQualifyingHba1c) {
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

TEST(ReviewKpiDates, MinusInfiniteDiagnosisDateKeepsEveryHba1c) {
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

TEST(ReviewKpiDates, InfiniteDatesInAttribution) {
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
