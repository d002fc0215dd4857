// The KPI definition table, the aggregation helper (docs/kpis.md §6.3, R10, R11)
// and the D11 attribution of children who appear in several PDUs (§6.2).
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <set>
#include <string>

#include "errors.hpp"
#include "kpi_test_fixtures.hpp"

using namespace kpitest;

// ---- Definitions ---------------------------------------------------------------

TEST(KpiDefinitions, NamesAndIndexes) {
    EXPECT_STREQ(outcome_name(Outcome::pass), "pass");
    EXPECT_STREQ(outcome_name(Outcome::fail), "fail");
    EXPECT_STREQ(outcome_name(Outcome::pending), "pending");
    EXPECT_STREQ(outcome_name(Outcome::ineligible), "ineligible");
    EXPECT_STREQ(kpi_kind_name(KpiKind::cohort_count), "cohort count");
    EXPECT_STREQ(kpi_kind_name(KpiKind::proportion), "pass/fail proportion");
    EXPECT_STREQ(kpi_kind_name(KpiKind::care_process_rate), "care-process rate");
    EXPECT_STREQ(kpi_kind_name(KpiKind::value), "value");
    EXPECT_EQ(kpi_index("1"), 0u);
    EXPECT_EQ(kpi_index("31"), 30u);
    EXPECT_EQ(kpi_index("32.1"), 31u);
    EXPECT_EQ(kpi_index("32.3"), 33u);
    EXPECT_EQ(kpi_index("33"), 34u);
    EXPECT_EQ(kpi_index("49"), 50u);
    for (const char *bad : {"", "0", "32", "321", "50", "32.4", " 1", "1 "}) {
        EXPECT_FALSE(kpi_index(bad).has_value()) << bad;
    }
    for (int n = 1; n <= 49; ++n) {
        if (n == 32) continue;
        EXPECT_EQ(kpi_index(std::to_string(n)), kpi_slot(n)) << n;
    }
}

TEST(KpiDefinitions, KindsKeysAndTexts) {
    const auto &defs = kpi_definitions();
    std::set<std::string> keys;
    for (std::size_t i = 0; i < kKpiCount; ++i) {
        const KpiDefinition &d = defs[i];
        KpiKind expected = KpiKind::proportion;
        if (i < kpi_slot(13)) expected = KpiKind::cohort_count;
        if (i == kSlot32_1) expected = KpiKind::care_process_rate;
        if (i >= kpi_slot(44) && i <= kpi_slot(47)) expected = KpiKind::value;
        EXPECT_EQ(d.kind, expected) << d.code;
        EXPECT_EQ(std::strncmp(d.key, "kpi_", 4), 0) << d.code;
        EXPECT_TRUE(keys.insert(d.key).second) << d.key;
        EXPECT_GT(std::strlen(d.label), 5u) << d.code;
        EXPECT_GT(std::strlen(d.denominator), 5u) << d.code;
        EXPECT_GT(std::strlen(d.description), 40u) << d.code;
    }
    EXPECT_STREQ(defs[slot("25")].key, "kpi_25_hba1c");
    EXPECT_STREQ(defs[slot("32.2")].key, "kpi_32_2_health_check_lt_12yo");
    EXPECT_STREQ(defs[slot("49")].key, "kpi_49_albuminuria_present");
    EXPECT_STREQ(defs[slot("23")].label,
                 "Number of patients with Type 1 diabetes using a real time continuous glucose monitor (CGM) with alarms");
    EXPECT_EQ(std::strncmp(defs[slot("25")].denominator, "M5", 2), 0);
    EXPECT_EQ(std::strncmp(defs[slot("28")].denominator, "M6", 2), 0);
    EXPECT_EQ(std::strncmp(defs[slot("23")].denominator, "M3", 2), 0);
}

// ---- Aggregation ----------------------------------------------------------------

namespace {
KpiResults one(std::size_t s, Outcome o, std::optional<double> value = std::nullopt,
               std::optional<std::int32_t> expected = std::nullopt) {
    KpiResults r{};
    r[s].outcome = o;
    r[s].value = value;
    r[s].value_expected = expected;
    return r;
}
}  // namespace

TEST(KpiAggregate, ProportionCounts) {
    const std::size_t s = slot("27");
    const KpiAggregates a = aggregate_kpis({one(s, Outcome::pass), one(s, Outcome::pass), one(s, Outcome::fail),
                                            one(s, Outcome::pending), one(s, Outcome::ineligible)});
    EXPECT_TRUE(Counts(a[s], 4, 2, 1, 1, 1));
    EXPECT_FALSE(a[s].value.has_value());
    EXPECT_DOUBLE_EQ(*kpi_percentage(s, a[s]), 50.0);
    // Every other KPI saw five ineligible children.
    EXPECT_TRUE(Counts(a[slot("26")], 0, 0, 0, 5));
    EXPECT_FALSE(kpi_percentage(slot("26"), a[slot("26")]).has_value());
}

TEST(KpiAggregate, CohortsPassEqualsEligible) {
    const KpiAggregates a = aggregate_kpis({score(Std()), score(Std()), score(Old())});
    EXPECT_TRUE(Counts(a[slot("1")], 2, 2, 0, 1));
    EXPECT_TRUE(Counts(a[slot("8")], 0, 0, 0, 3));
    EXPECT_FALSE(kpi_percentage(slot("1"), a[slot("1")]).has_value());  // R10: no percentage for 1-12
}

TEST(KpiAggregate, CareProcessRateCountsChecks) {
    const std::size_t s = kSlot32_1;
    const KpiAggregates a = aggregate_kpis({one(s, Outcome::pass, 3, 3), one(s, Outcome::fail, 4, 6),
                                            one(s, Outcome::pending, 1, 3), one(s, Outcome::pending, 6, 6),
                                            one(s, Outcome::ineligible)});
    // A pending child that already has every check cannot exist; if it did,
    // it would add no pending checks.
    EXPECT_TRUE(Counts(a[s], 18, 14, 2, 1, 2));
    EXPECT_EQ(a[s].eligible, a[s].passed + a[s].failed + a[s].pending);
    EXPECT_NEAR(*kpi_percentage(s, a[s]), 100.0 * 14 / 18, 1e-12);
}

TEST(KpiAggregate, ValueKpis) {
    const std::size_t s44 = slot("44"), s45 = slot("45"), s46 = slot("46"), s47 = slot("47");
    KpiAccumulator acc;
    KpiResults a{}, b{}, c{};
    a[s44] = {Outcome::pass, 50.0, std::nullopt};
    a[s45] = {Outcome::pass, 49.0, std::nullopt};
    a[s46] = {Outcome::pass, 3.0, std::nullopt};
    a[s47] = {Outcome::pass, 1.0, std::nullopt};
    b[s44] = {Outcome::pass, 61.0, std::nullopt};
    b[s45] = {Outcome::pass, 60.0, std::nullopt};
    b[s46] = {Outcome::fail, 0.0, std::nullopt};
    b[s47] = {Outcome::fail, 0.0, std::nullopt};
    c[s44] = {Outcome::pending, std::nullopt, std::nullopt};
    c[s45] = {Outcome::pending, std::nullopt, std::nullopt};
    c[s46] = {Outcome::pass, 2.0, std::nullopt};
    c[s47] = {Outcome::fail, 0.0, std::nullopt};
    acc.add(a);
    acc.add(b);
    acc.add(c);
    EXPECT_EQ(acc.children(), 3);
    const KpiAggregates r = acc.result();
    EXPECT_DOUBLE_EQ(*r[s44].value, 55.5);
    EXPECT_DOUBLE_EQ(*r[s45].value, 54.5);
    EXPECT_EQ(r[s44].children_with_value, 2);
    EXPECT_TRUE(Counts(r[s44], 3, 2, 0, 0, 1));
    EXPECT_DOUBLE_EQ(*r[s46].value, 5.0);
    EXPECT_EQ(r[s46].children_with_value, 2);
    EXPECT_DOUBLE_EQ(*r[s47].value, 1.0);
    EXPECT_EQ(r[s47].children_with_value, 1);
    // result() does not disturb the accumulator.
    acc.add(a);
    EXPECT_DOUBLE_EQ(*acc.result()[s46].value, 8.0);
    EXPECT_DOUBLE_EQ(*acc.result()[s45].value, 49.0);
}

// R10: value KPIs have no percentage either, whatever their counts.
TEST(KpiAggregate, NoPercentageForValues) {
    KpiAggregate a;
    a.eligible = 4;
    a.passed = 2;
    a.failed = 2;
    for (const int n : {44, 45, 46, 47}) EXPECT_FALSE(kpi_percentage(kpi_slot(n), a).has_value()) << n;
    for (const int n : {13, 31, 33, 43, 48, 49}) EXPECT_DOUBLE_EQ(*kpi_percentage(kpi_slot(n), a), 50.0) << n;
    EXPECT_DOUBLE_EQ(*kpi_percentage(kSlot32_1, a), 50.0);
    EXPECT_FALSE(kpi_percentage(kKpiCount, a).has_value());
}

// R10 as npda.kpi_results reports it: tenths of a percent, halves away from zero.
TEST(KpiAggregate, ReportedPercentageInTenths) {
    const std::size_t s = slot("25");
    EXPECT_EQ(kpi_percentage_tenths(s, 14, 18), 778);   // 77.777...
    EXPECT_EQ(kpi_percentage_tenths(s, 1, 8), 125);     // 12.5 exactly
    EXPECT_EQ(kpi_percentage_tenths(s, 1, 16), 63);     // 6.25 -> 6.3
    EXPECT_EQ(kpi_percentage_tenths(s, 3, 16), 188);    // 18.75 -> 18.8
    EXPECT_EQ(kpi_percentage_tenths(s, 1, 3), 333);
    EXPECT_EQ(kpi_percentage_tenths(s, 2, 3), 667);
    EXPECT_EQ(kpi_percentage_tenths(s, 0, 5), 0);
    EXPECT_EQ(kpi_percentage_tenths(s, 5, 5), 1000);
    EXPECT_EQ(kpi_percentage_tenths(s, 1, 2000), 1);    // 0.05 -> 0.1
    EXPECT_EQ(kpi_percentage_tenths(s, 1, 2001), 0);    // 0.04997...
    EXPECT_EQ(kpi_percentage_tenths(s, 39999, 40000), 1000);
    EXPECT_FALSE(kpi_percentage_tenths(s, 0, 0).has_value());
    EXPECT_FALSE(kpi_percentage_tenths(slot("1"), 3, 3).has_value());
    EXPECT_FALSE(kpi_percentage_tenths(slot("44"), 1, 2).has_value());
    EXPECT_EQ(kpi_percentage_tenths(kSlot32_1, 14, 18), 778);
    // The same rule as kpi_percentage, rounded: never more than half a tenth away.
    for (std::int64_t d = 1; d <= 60; ++d) {
        for (std::int64_t n = 0; n <= d; ++n) {
            KpiAggregate a;
            a.eligible = d;
            a.passed = n;
            const double exact = *kpi_percentage(s, a) * 10;
            const std::int64_t tenths = *kpi_percentage_tenths(s, n, d);
            EXPECT_LE(std::abs(static_cast<double>(tenths) - exact), 0.5 + 1e-9) << n << "/" << d;
        }
    }
}

TEST(KpiAggregate, TestUnits) {
    EXPECT_TRUE(is_test_unit("PZ999"));
    EXPECT_TRUE(is_test_unit("PZ998"));
    for (const char *pz : {"PZ001", "PZ041", "PZ248", "PZ997", "pz999", ""}) EXPECT_FALSE(is_test_unit(pz)) << pz;
}

// ---- D11 attribution ---------------------------------------------------------------

namespace {
PatientRecord visited(std::vector<Date> visits) {
    PatientRecord p = Std();
    p.visits.clear();
    for (Date d : visits) add_visit(p, d);
    return p;
}
}  // namespace

TEST(KpiAttribution, LatestVisitInPeriod) {
    const PatientRecord a = visited({D(2024, 5, 1), D(2025, 4, 10)});  // the later visit is after E
    const PatientRecord b = visited({D(2024, 7, 1)});
    const Attribution at = attribute_child({{&a, "PZ041", 9}, {&b, "PZ215", 1}}, p2024());
    EXPECT_EQ(at.general, 1u);
    EXPECT_EQ(at.for_kpi(slot("1")), 1u);
    EXPECT_EQ(at.for_kpi(slot("49")), 1u);
}

TEST(KpiAttribution, TiesGoToLaterSubmissionThenLowerPz) {
    const PatientRecord a = visited({D(2024, 7, 1)});
    const PatientRecord b = visited({D(2024, 7, 1)});
    EXPECT_EQ(attribute_child({{&a, "PZ041", 5}, {&b, "PZ215", 6}}, p2024()).general, 1u);
    EXPECT_EQ(attribute_child({{&a, "PZ041", 7}, {&b, "PZ215", 6}}, p2024()).general, 0u);
    EXPECT_EQ(attribute_child({{&a, "PZ215", 6}, {&b, "PZ041", 6}}, p2024()).general, 1u);
    EXPECT_EQ(attribute_child({{&a, "PZ041", 6}, {&b, "PZ215", 6}}, p2024()).general, 0u);
}

TEST(KpiAttribution, AdmissionWhenNoVisitInPeriod) {
    PatientRecord a = visited({D(2024, 3, 1)});
    a.visits[0].hospital_admission_date = D(2024, 9, 1);
    PatientRecord b = visited({D(2024, 3, 20)});
    b.visits[0].hospital_admission_date = D(2024, 6, 1);
    EXPECT_EQ(attribute_child({{&a, "PZ041", 1}, {&b, "PZ215", 2}}, p2024()).general, 0u);
    // A visit in P anywhere beats any admission.
    PatientRecord c = visited({D(2024, 4, 2)});
    EXPECT_EQ(attribute_child({{&a, "PZ041", 1}, {&c, "PZ100", 0}}, p2024()).general, 1u);
}

TEST(KpiAttribution, NothingInPeriodFallsBackToLatestSubmission) {
    const PatientRecord a = visited({D(2024, 3, 1)});
    const PatientRecord b = visited({});
    EXPECT_EQ(attribute_child({{&a, "PZ041", 1}, {&b, "PZ215", 2}}, p2024()).general, 1u);
    EXPECT_EQ(attribute_child({{&a, "PZ041", 2}, {&b, "PZ215", 2}}, p2024()).general, 0u);
}

TEST(KpiAttribution, SingleRecord) {
    const PatientRecord a = visited({D(2024, 5, 1)});
    const Attribution at = attribute_child({{&a, "PZ041", 1}}, p2024());
    EXPECT_EQ(at.general, 0u);
    EXPECT_EQ(at.day90, 0u);
    EXPECT_EQ(at.day14, 0u);
}

TEST(KpiAttribution, CaringPduOnDay90AndDay14) {
    // Diagnosed 2024-06-01 at PDU A, moved to B on day 30, B has the latest visit.
    const Date dx = D(2024, 6, 1);
    PatientRecord a = visited({dx, dx + 10});
    a.diagnosis_date = dx;
    a.date_leaving_service = dx + 30;
    PatientRecord b = visited({dx + 40, D(2025, 2, 1)});
    b.diagnosis_date = dx;
    const std::vector<PduRecordRef> records = {{&a, "PZ041", 1}, {&b, "PZ215", 2}};
    const Attribution at = attribute_child(records, p2024());
    EXPECT_EQ(at.general, 1u);
    EXPECT_EQ(at.day14, 0u);  // A cares on day 14
    EXPECT_EQ(at.day90, 1u);  // A left before day 90; B visited on day 40
    EXPECT_EQ(at.for_kpi(slot("41")), 1u);
    EXPECT_EQ(at.for_kpi(slot("42")), 1u);
    EXPECT_EQ(at.for_kpi(slot("43")), 0u);
    EXPECT_EQ(at.for_kpi(slot("44")), 1u);
}

TEST(KpiAttribution, LeavingOnDayTStillCaring) {
    const Date dx = D(2024, 6, 1);
    PatientRecord a = visited({dx});
    a.diagnosis_date = dx;
    a.date_leaving_service = dx + 14;  // not before T = dx + 14
    PatientRecord b = visited({dx + 20});
    b.diagnosis_date = dx;
    Attribution at = attribute_child({{&a, "PZ041", 1}, {&b, "PZ215", 2}}, p2024());
    EXPECT_EQ(at.day14, 0u);
    a.date_leaving_service = dx + 13;
    at = attribute_child({{&a, "PZ041", 1}, {&b, "PZ215", 2}}, p2024());
    EXPECT_EQ(at.day14, 1u);  // nobody qualifies: falls back to the attributed PDU
}

TEST(KpiAttribution, EarliestDiagnosisDecidesDayT) {
    // A says diagnosed 2024-06-01, B says 2024-07-01; T14 = 2024-06-15.
    PatientRecord a = visited({D(2024, 6, 10)});
    a.diagnosis_date = D(2024, 6, 1);
    PatientRecord b = visited({D(2024, 6, 12), D(2024, 12, 1)});
    b.diagnosis_date = D(2024, 7, 1);
    const Attribution at = attribute_child({{&a, "PZ041", 1}, {&b, "PZ215", 2}}, p2024());
    EXPECT_EQ(at.general, 1u);
    EXPECT_EQ(at.day14, 1u);  // B's visit of 2024-06-12 is the latest on or before T
    PatientRecord none = visited({D(2024, 6, 10)});
    none.diagnosis_date.reset();
    EXPECT_EQ(attribute_child({{&none, "PZ041", 1}}, p2024()).day90, 0u);
}

TEST(KpiAttribution, RejectsEmptyInput) {
    EXPECT_THROW(attribute_child({}, p2024()), npda::Error);
    EXPECT_THROW(attribute_child({{nullptr, "PZ041", 1}}, p2024()), npda::Error);
    try {
        attribute_child({}, p2024());
    } catch (const npda::Error &e) {
        EXPECT_STREQ(e.sqlstate(), "NP105");
    }
}

// A child attributed to different PDUs for different KPIs (D11) is added to
// each area only for the KPIs it counts for there.
TEST(KpiAggregation, MaskedAddCountsOnlyTheMaskedKpis) {
    KpiResults child{};
    for (auto &r : child) r.outcome = Outcome::pass;
    child[kpi_slot(41)].outcome = Outcome::fail;

    KpiSlotMask general{};
    general.fill(true);
    general[kpi_slot(41)] = general[kpi_slot(42)] = general[kpi_slot(43)] = false;
    KpiSlotMask day90{};
    day90[kpi_slot(41)] = day90[kpi_slot(42)] = true;

    KpiAccumulator area_a, area_b;
    area_a.add(child, general);
    area_b.add(child, day90);
    const KpiAggregates a = area_a.result();
    const KpiAggregates b = area_b.result();
    EXPECT_EQ(a[kpi_slot(1)].eligible, 1);
    EXPECT_EQ(a[kpi_slot(41)].eligible + a[kpi_slot(41)].ineligible, 0);  // not in A's scope for 41
    EXPECT_EQ(b[kpi_slot(41)].failed, 1);
    EXPECT_EQ(b[kpi_slot(42)].passed, 1);
    EXPECT_EQ(b[kpi_slot(1)].eligible + b[kpi_slot(1)].ineligible, 0);    // not in B's scope for 1
    EXPECT_EQ(b[kpi_slot(43)].eligible + b[kpi_slot(43)].ineligible, 0);
}
