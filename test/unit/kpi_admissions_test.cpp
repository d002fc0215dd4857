// Decision D9: the qualifying admissions of a child, as KPIs 46 and 47 count
// them and npda.kpi_quarterly dates them (kpi/admissions.hpp).
#include <gtest/gtest.h>

#include "kpi/admissions.hpp"
#include "kpi_test_fixtures.hpp"

using namespace kpitest;

namespace {

VisitRecord row(OptDate admitted, OptDate discharged, std::optional<int> reason_2021,
                std::optional<int> reason_2026 = std::nullopt) {
    VisitRecord v;
    v.hospital_admission_date = admitted;
    v.hospital_discharge_date = discharged;
    if (reason_2021) v.hospital_admission_reason = static_cast<std::int16_t>(*reason_2021);
    if (reason_2026) v.hospital_admission_reason_2026 = static_cast<std::int16_t>(*reason_2026);
    return v;
}

}  // namespace

TEST(QualifyingAdmissions, ValidReasonAndADateInThePeriod) {
    const std::vector<VisitRecord> rows = {
        row(D(2024, 3, 25), D(2024, 4, 1), 1),   // discharged on S: counts, dated by the discharge
        row(D(2025, 3, 31), std::nullopt, 3),    // admitted on E: counts
        row(D(2024, 3, 1), D(2024, 3, 31), 1),   // both before S
        row(D(2025, 4, 1), D(2025, 4, 2), 1),    // both after E
        row(D(2024, 6, 1), D(2024, 6, 2), 7),    // reason out of the value set
        row(D(2024, 6, 1), D(2024, 6, 2), 0),
        row(D(2024, 6, 1), D(2024, 6, 2), std::nullopt),
        row(std::nullopt, std::nullopt, 2),      // no date at all
        row(D(2024, 6, 1), D(2024, 6, 2), std::nullopt, 1),  // a 2026 reason on a 2021 period
    };
    const auto a = qualifying_admissions(rows, p2024());
    ASSERT_EQ(a.size(), 2u);
    EXPECT_EQ(a[0].admitted, D(2024, 3, 25));
    EXPECT_EQ(a[0].dated, D(2024, 4, 1));
    EXPECT_EQ(a[0].reason, 1);
    EXPECT_FALSE(a[0].dka);
    EXPECT_EQ(a[1].admitted, D(2025, 3, 31));
    EXPECT_EQ(a[1].discharged, std::nullopt);
    EXPECT_EQ(a[1].dated, D(2025, 3, 31));
}

TEST(QualifyingAdmissions, DatedByTheAdmissionWhenItIsInThePeriod) {
    const auto a = qualifying_admissions({row(D(2024, 6, 30), D(2024, 7, 2), 4)}, p2024());
    ASSERT_EQ(a.size(), 1u);
    EXPECT_EQ(a[0].dated, D(2024, 6, 30));
    // Admitted in the period, discharged after it: still the admission date.
    const auto b = qualifying_admissions({row(D(2025, 3, 30), D(2025, 4, 3), 4)}, p2024());
    ASSERT_EQ(b.size(), 1u);
    EXPECT_EQ(b[0].dated, D(2025, 3, 30));
}

TEST(QualifyingAdmissions, OneAdmissionPerDistinctTriple) {
    const std::vector<VisitRecord> rows = {
        row(D(2024, 6, 1), D(2024, 6, 4), 2), row(D(2024, 6, 1), D(2024, 6, 4), 2),
        row(D(2024, 6, 1), D(2024, 6, 4), 2),
        row(D(2024, 6, 1), D(2024, 6, 4), 4),    // another reason: another admission
        row(D(2024, 6, 1), std::nullopt, 2),     // no discharge differs from a discharge
        row(D(2024, 6, 1), std::nullopt, 2),     // empty equals empty
    };
    const auto a = qualifying_admissions(rows, p2024());
    ASSERT_EQ(a.size(), 3u);
    // Ordered by (admission, discharge, reason); an empty date sorts first.
    EXPECT_EQ(a[0].discharged, std::nullopt);
    EXPECT_TRUE(a[0].dka);
    EXPECT_EQ(a[1].reason, 2);
    EXPECT_TRUE(a[1].dka);
    EXPECT_EQ(a[2].reason, 4);
    EXPECT_FALSE(a[2].dka);
}

TEST(QualifyingAdmissions, TheReasonOfThePeriodsDataset) {
    const std::vector<VisitRecord> rows = {
        row(D(2026, 6, 1), D(2026, 6, 4), 2, 1),  // 2026: the 2026 reason, 1 = DKA
        row(D(2026, 7, 1), D(2026, 7, 4), 1, std::nullopt),  // a 2021 reason only: not in 2026
    };
    const auto a = qualifying_admissions(rows, p2026());
    ASSERT_EQ(a.size(), 1u);
    EXPECT_EQ(a[0].reason, 1);
    EXPECT_TRUE(a[0].dka);
    EXPECT_TRUE(qualifying_admissions({}, p2026()).empty());
}
