// Disclosure control of the published results (src/core/publish, docs/publishing.md):
// the small-number rule, rounding, secondary suppression and the partitions.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "publish/disclosure.hpp"

using namespace npda::publish;

namespace {

Rule nhs() { return Rule{7, 5}; }

std::vector<Cell> cells_of(const std::vector<std::int64_t> &values, const Rule &rule) {
    std::vector<Cell> cells;
    for (auto v : values) cells.push_back({v, is_small(v, rule) ? Status::primary : Status::shown});
    return cells;
}

std::string statuses(const std::vector<Cell> &cells) {
    std::string s;
    for (const Cell &c : cells) s += c.status == Status::shown ? '.' : c.status == Status::primary ? 'P' : 'S';
    return s;
}

KpiCounts row(const std::string &level, const std::string &code, const std::string &kpi, std::int64_t passed,
              std::int64_t failed, std::int64_t pending = 0) {
    KpiCounts k;
    k.area = {level, code};
    k.kpi = kpi;
    k.passed = passed;
    k.failed = failed;
    k.pending = pending;
    k.eligible = passed + failed + pending;
    k.ineligible = 3;
    return k;
}

}  // namespace

TEST(PublishRule, SmallCountsAndRounding) {
    const Rule r = nhs();
    EXPECT_FALSE(is_small(0, r));
    EXPECT_TRUE(is_small(1, r));
    EXPECT_TRUE(is_small(7, r));
    EXPECT_FALSE(is_small(8, r));
    EXPECT_EQ(round_count(0, r), 0);
    EXPECT_EQ(round_count(8, r), 10);
    EXPECT_EQ(round_count(12, r), 10);
    EXPECT_EQ(round_count(13, r), 15);
    EXPECT_EQ(round_count(1234, r), 1235);
    EXPECT_EQ(round_count(15, Rule{7, 10}), 20);  // halves up
    EXPECT_EQ(round_count(14, Rule{7, 10}), 10);
    EXPECT_EQ(round_count(13, Rule{7, 1}), 13);  // base 1: exact
    EXPECT_FALSE(is_small(1, Rule{0, 5}));       // threshold 0: nothing withheld
    EXPECT_TRUE(is_small(10, Rule{10, 5}));
    EXPECT_STREQ(status_name(Status::shown), "none");
    EXPECT_STREQ(status_name(Status::primary), "primary");
    EXPECT_STREQ(status_name(Status::secondary), "secondary");
}

TEST(PublishSums, TheOnlyWithheldPartTakesTheNextSmallestWithIt) {
    // Region 100 = ICBs 3 + 20 + 30 + 47: 3 is withheld, so is 20.
    auto cells = cells_of({100, 3, 20, 30, 47}, nhs());
    EXPECT_EQ(protect_sums(cells, {{0, {1, 2, 3, 4}}}), 1u);
    EXPECT_EQ(statuses(cells), ".PS..");
}

TEST(PublishSums, ZerosAreNeverWithheldAndTiesGoToTheFirst) {
    auto cells = cells_of({103, 3, 0, 50, 50}, nhs());
    protect_sums(cells, {{0, {1, 2, 3, 4}}});
    EXPECT_EQ(statuses(cells), ".P.S.");
}

TEST(PublishSums, TwoWithheldPartsNeedNothingMore) {
    auto cells = cells_of({100, 3, 5, 92}, nhs());
    EXPECT_EQ(protect_sums(cells, {{0, {1, 2, 3}}}), 0u);
    EXPECT_EQ(statuses(cells), ".PP.");
}

TEST(PublishSums, NoOtherPartLeftWithholdsTheTotal) {
    // 20 = 20 (withheld as a secondary elsewhere) + 0: the total goes too.
    std::vector<Cell> cells = {{20, Status::shown}, {20, Status::secondary}, {0, Status::shown}};
    protect_sums(cells, {{0, {1, 2}}});
    EXPECT_EQ(statuses(cells), "SS.");
}

TEST(PublishSums, AWithheldTotalTakesAPart) {
    std::vector<Cell> cells = {{40, Status::secondary}, {15, Status::shown}, {25, Status::shown}};
    protect_sums(cells, {{0, {1, 2}}});
    EXPECT_EQ(statuses(cells), "SS.");
}

TEST(PublishSums, IteratesUntilStableAcrossLevels) {
    // Country 0 = regions 1 (100) + 2 (200); region 1 = ICBs 3 (4) + 4 (96);
    // region 2 = ICBs 5 (100) + 6 (100). ICB 3 is small: ICB 4 goes with it,
    // and region 1 stays shown (its sum has two withheld parts).
    auto cells = cells_of({300, 100, 200, 4, 96, 100, 100}, nhs());
    protect_sums(cells, {{0, {1, 2}}, {1, {3, 4}}, {2, {5, 6}}});
    EXPECT_EQ(statuses(cells), "...PS..");
    // A withheld region makes its sibling go, which makes one of its ICBs go.
    std::vector<Cell> c2 = cells_of({300, 100, 200, 40, 60, 90, 110}, nhs());
    c2[1].status = Status::secondary;  // (withheld through another partition)
    protect_sums(c2, {{0, {1, 2}}, {1, {3, 4}}, {2, {5, 6}}});
    EXPECT_EQ(statuses(c2), ".SSS.S.");
}

TEST(PublishAreas, TheProtectedPartitions) {
    std::vector<PduPlacement> pdus = {
        {"PZ001", "RAA", "", "QAA", "Y56", "E92000001"}, {"PZ002", "RAA", "", "QAA", "Y56", "E92000001"},
        {"PZ003", "RBB", "", "QBB", "Y56", "E92000001"}, {"PZ004", "RCC", "", "QAA", "Y56", "E92000001"},
        {"PZ005", "RCC", "", "QBB", "Y56", "E92000001"},  // RCC spans two ICBs: not linked to either
        {"PZ101", "", "7A1", "", "", "W92000004"},       {"PZ201", "", "", "", "", "JERSEY"},
        {"PZ999", "RAA", "", "QAA", "Y56", "E92000001"},  // test unit: nowhere
    };
    std::vector<std::string> got;
    for (const AreaLink &l : area_links(pdus))
        got.push_back(l.parent.level + ":" + l.parent.code + ">" + l.child.level + ":" + l.child.code);
    const std::vector<std::string> want = {
        "country:E92000001>nhs_england_region:Y56",
        "country:JERSEY>pdu:PZ201",
        "country:W92000004>local_health_board:7A1",
        "integrated_care_board:QAA>pdu:PZ001",
        "integrated_care_board:QAA>pdu:PZ002",
        "integrated_care_board:QAA>pdu:PZ004",
        "integrated_care_board:QAA>trust:RAA",
        "integrated_care_board:QBB>pdu:PZ003",
        "integrated_care_board:QBB>pdu:PZ005",
        "integrated_care_board:QBB>trust:RBB",
        "local_health_board:7A1>pdu:PZ101",
        "national:national>country:E92000001",
        "national:national>country:JERSEY",
        "national:national>country:W92000004",
        "nhs_england_region:Y56>integrated_care_board:QAA",
        "nhs_england_region:Y56>integrated_care_board:QBB",
        "trust:RAA>pdu:PZ001",
        "trust:RAA>pdu:PZ002",
        "trust:RBB>pdu:PZ003",
        "trust:RCC>pdu:PZ004",
        "trust:RCC>pdu:PZ005",
    };
    EXPECT_EQ(got, want);
}

TEST(PublishResults, RowsRoundedWithheldAndProtected) {
    // Region Y = ICBs A (40 passed / 10 failed), B (6 / 30), C (20 / 22).
    // B's passed (6) is small. Sums in order, until stable:
    //   B's row, 36 = 6 + 30 + 0: failed 30 goes (the only other non-zero part);
    //   Y's passed, 66 = 40 + 6 + 20: C's 20 goes (the next smallest);
    //   Y's failed, 62 = 10 + 30 + 22: A's 10 goes;
    //   A's row, 50 = 40 + 10: passed 40 goes; C's row, 42 = 20 + 22: failed 22 goes.
    // Every eligible stays, rounded; Y is whole.
    std::vector<KpiCounts> rows = {
        row("nhs_england_region", "Y", "13", 66, 62),   row("integrated_care_board", "A", "13", 40, 10),
        row("integrated_care_board", "B", "13", 6, 30), row("integrated_care_board", "C", "13", 20, 22),
        row("integrated_care_board", "D", "1", 0, 0),
    };
    std::vector<AreaLink> links = {{{"nhs_england_region", "Y"}, {"integrated_care_board", "A"}},
                                   {{"nhs_england_region", "Y"}, {"integrated_care_board", "B"}},
                                   {{"nhs_england_region", "Y"}, {"integrated_care_board", "C"}}};
    const auto out = publish(rows, links, nhs());
    ASSERT_EQ(out.size(), 5u);
    EXPECT_EQ(out[0].status, Status::shown);
    EXPECT_EQ(out[0].eligible, 130);
    EXPECT_EQ(out[0].passed, 65);
    EXPECT_EQ(out[0].failed, 60);
    EXPECT_EQ(out[0].pending, 0);
    EXPECT_EQ(out[0].ineligible, std::nullopt);
    EXPECT_TRUE(out[0].percentage_shown);
    EXPECT_TRUE(out[0].withheld.empty());
    for (std::size_t i : {1u, 2u, 3u}) {
        EXPECT_EQ(out[i].status, i == 2 ? Status::primary : Status::secondary) << i;
        EXPECT_EQ(out[i].passed, std::nullopt) << i;
        EXPECT_EQ(out[i].failed, std::nullopt) << i;
        EXPECT_EQ(out[i].pending, 0) << i;
        EXPECT_FALSE(out[i].percentage_shown) << i;
        EXPECT_EQ(out[i].withheld, (std::vector<std::string>{"passed", "failed", "pct_passed"})) << i;
    }
    EXPECT_EQ(out[1].eligible, 50);
    EXPECT_EQ(out[2].eligible, 35);
    EXPECT_EQ(out[3].eligible, 40);
    // A zero stays 0 (and KPI 1, a cohort count, has no percentage to withhold).
    EXPECT_EQ(out[4].eligible, 0);
    EXPECT_EQ(out[4].status, Status::shown);
}

TEST(PublishResults, Values) {
    KpiCounts mean = row("integrated_care_board", "A", "44", 0, 0);
    mean.eligible = 5;
    mean.passed = 5;
    mean.value = 58.25;
    mean.children_with_value = 5;
    KpiCounts mean_ok = mean;
    mean_ok.area.code = "B";
    mean_ok.eligible = mean_ok.passed = 40;
    mean_ok.children_with_value = 40;
    KpiCounts admissions = row("integrated_care_board", "A", "46", 0, 0);
    admissions.value = 23;
    admissions.children_with_value = 12;
    KpiCounts few = admissions;
    few.area.code = "B";
    few.children_with_value = 3;
    const auto out = publish({mean, mean_ok, admissions, few}, {}, nhs());
    EXPECT_EQ(out[0].value, std::nullopt);
    EXPECT_EQ(out[0].status, Status::primary);
    EXPECT_EQ(out[1].value, 58.25);  // a mean is shown exactly
    EXPECT_EQ(out[2].value, 25.0);   // admissions are a count: rounded
    EXPECT_EQ(out[3].value, std::nullopt);
    EXPECT_EQ(out[3].withheld, (std::vector<std::string>{"value"}));
}

TEST(PublishResults, ChangedSettings) {
    std::vector<KpiCounts> rows = {row("integrated_care_board", "A", "13", 6, 30)};
    const auto exact = publish(rows, {}, Rule{0, 1});
    EXPECT_EQ(exact[0].status, Status::shown);
    EXPECT_EQ(exact[0].passed, 6);
    EXPECT_EQ(exact[0].eligible, 36);
    const auto strict = publish(rows, {}, Rule{10, 10});
    EXPECT_EQ(strict[0].passed, std::nullopt);
    EXPECT_EQ(strict[0].eligible, 40);
}
