// Property tests of the KPI engine: thousands of random children (seeded, so
// reproducible) scored on both datasets at several as-of dates, checked
// against invariants of docs/kpis.md §3.2, §3.5, §5 and §6.3.
#include <gtest/gtest.h>

#include <algorithm>
#include <random>

#include "kpi_test_fixtures.hpp"

using namespace kpitest;

namespace {

class RandomChildren {
public:
    explicit RandomChildren(std::uint32_t seed) : rng_(seed) {}

    PatientRecord child(const ScoringPeriod &p) {
        PatientRecord c;
        const int id = pick(0, 9);
        if (id < 7) c.nhs_number = "9434765919";
        else if (id == 7) c.nhs_number = "9434765918";  // invalid check digit
        else if (id == 8) c.unique_reference_number = "12345";
        if (chance(95)) c.date_of_birth = p.start - pick(-200, 27 * 365);
        c.diabetes_type = code({1, 1, 1, 1, 2, 3, 99});
        if (chance(92)) c.diagnosis_date = date(p, -3000, 30);
        if (chance(8)) c.death_date = date(p, -100, 30);
        if (chance(12)) {
            c.date_leaving_service = date(p, -100, 30);
            c.reason_leaving_service = code({1, 2, 3});
        }
        const int n = pick(0, 9);
        for (int i = 0; i < n; ++i) {
            VisitRecord &v = add_visit(c, chance(90) ? OptDate(date(p, -120, 30)) : std::nullopt);
            fill(v, p, c.diagnosis_date);
        }
        return c;
    }

private:
    int pick(int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng_); }
    bool chance(int percent) { return pick(1, 100) <= percent; }
    // A date from S + lo_days to E + hi_days.
    Date date(const ScoringPeriod &p, int lo_days, int hi_days) { return pick(p.start + lo_days, p.end + hi_days); }
    std::int16_t code(std::initializer_list<int> codes) {
        const int i = pick(0, static_cast<int>(codes.size()) - 1);
        return static_cast<std::int16_t>(*(codes.begin() + i));
    }
    OptDate maybe_date(const ScoringPeriod &p, int percent) {
        return chance(percent) ? OptDate(date(p, -120, 30)) : std::nullopt;
    }
    Code maybe_code(int percent, std::initializer_list<int> codes) {
        return chance(percent) ? Code(code(codes)) : std::nullopt;
    }

    void fill(VisitRecord &v, const ScoringPeriod &p, const OptDate &dx) {
        if (chance(40)) v.height = pick(80, 190);
        if (chance(40)) v.weight = pick(15, 90);
        v.height_weight_observation_date = chance(50) && v.visit_date ? v.visit_date : maybe_date(p, 20);
        if (chance(50)) v.hba1c = pick(30, 120) + pick(0, 9) / 10.0;
        v.hba1c_format = maybe_code(90, {1, 1, 1, 2, 99});
        if (v.hba1c_format == 2 && v.hba1c) *v.hba1c = pick(50, 130) / 10.0;
        v.hba1c_date = chance(20) && dx ? OptDate(*dx + pick(85, 95)) : maybe_date(p, 55);
        v.treatment = maybe_code(40, {1, 2, 3, 4, 5, 6, 7, 8, 9, 99, 42});
        v.closed_loop_system = maybe_code(30, {1, 2, 3, 4, 99});
        v.glucose_monitoring = maybe_code(40, {1, 2, 3, 4, 5, 6, 99});
        v.insulin_regimen = maybe_code(40, {1, 2, 3, 4, 5, 99});
        v.cgm_use = maybe_code(40, {1, 2, 99});
        if (chance(30)) v.systolic_blood_pressure = pick(80, 140);
        if (chance(30)) v.diastolic_blood_pressure = pick(40, 90);
        v.blood_pressure_observation_date = maybe_date(p, 30);
        v.foot_examination_observation_date = maybe_date(p, 20);
        v.retinal_screening_observation_date = maybe_date(p, 20);
        v.retinal_screening_result = maybe_code(25, {1, 2, 99});
        if (chance(25)) v.albumin_creatinine_ratio = pick(0, 300) / 10.0;
        v.albumin_creatinine_ratio_date = maybe_date(p, 30);
        v.albuminuria_stage = maybe_code(25, {1, 2, 3, 99});
        v.total_cholesterol_date = maybe_date(p, 10);
        v.thyroid_function_date = chance(15) && dx ? OptDate(*dx + pick(-100, 100)) : maybe_date(p, 25);
        v.thyroid_treatment_status = maybe_code(25, {1, 2, 3, 99});
        v.coeliac_screen_date = chance(15) && dx ? OptDate(*dx + pick(-100, 100)) : maybe_date(p, 15);
        v.gluten_free_diet = maybe_code(25, {1, 2, 99});
        v.psychological_screening_assessment_date = maybe_date(p, 20);
        v.psychological_additional_support_status = maybe_code(25, {1, 2, 99});
        v.smoking_status = maybe_code(25, {1, 2, 99});
        v.smoking_vaping_status = maybe_code(25, {1, 2, 3, 4, 99});
        v.smoking_cessation_referral_date = maybe_date(p, 10);
        v.carbohydrate_counting_level_three_education_date =
            chance(15) && dx ? OptDate(*dx + pick(-10, 20)) : maybe_date(p, 10);
        v.dietician_additional_appointment_offered = maybe_code(25, {1, 2, 99});
        v.dietician_additional_appointment_date = maybe_date(p, 15);
        v.flu_immunisation_recommended_date = maybe_date(p, 20);
        v.ketone_meter_training = maybe_code(25, {1, 2, 99});
        v.sick_day_rules_training_date = maybe_date(p, 20);
        if (chance(15)) {
            v.hospital_admission_date = maybe_date(p, 85);
            v.hospital_discharge_date = maybe_date(p, 60);
            v.hospital_admission_reason = maybe_code(90, {1, 2, 3, 4, 5, 6, 99, 42});
            v.hospital_admission_reason_2026 = maybe_code(90, {1, 2, 3, 4, 5, 6, 99});
        }
    }

    std::mt19937 rng_;
};

bool ineligible(const KpiResults &r, std::size_t s) { return r[s].outcome == Outcome::ineligible; }

// Checks of one child's results; `as_of` relative to `p` decides pending.
void check_child(const KpiResults &r, const ScoringPeriod &p, Date as_of) {
    for (std::size_t s = 0; s < kKpiCount; ++s) {
        const Outcome o = r[s].outcome;
        ASSERT_TRUE(o == Outcome::pass || o == Outcome::fail || o == Outcome::pending || o == Outcome::ineligible);
        if (as_of > p.end) { ASSERT_NE(o, Outcome::pending) << kpi_definitions()[s].code; }
        if (kpi_not_applicable(s, p.dataset)) { ASSERT_EQ(o, Outcome::ineligible); }
    }
    // Cohorts never fail or pend; status KPIs never pend.
    for (int k = 1; k <= 12; ++k) ASSERT_TRUE(r[kpi_slot(k)].outcome == Outcome::pass || ineligible(r, kpi_slot(k)));
    for (int k : {13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 46, 47, 48, 49}) {
        ASSERT_NE(r[kpi_slot(k)].outcome, Outcome::pending) << k;
    }
    // Measure hierarchy.
    const bool m1 = !ineligible(r, kpi_slot(1)), m3 = !ineligible(r, kpi_slot(3));
    const bool m5 = !ineligible(r, kpi_slot(5)), m6 = !ineligible(r, kpi_slot(6));
    for (int k : {2, 3, 8, 9, 10, 11, 12}) ASSERT_TRUE(ineligible(r, kpi_slot(k)) || m1) << k;
    ASSERT_TRUE(ineligible(r, kpi_slot(4)) || m3);
    ASSERT_TRUE(!m5 || m3);
    ASSERT_TRUE(!m6 || m5);
    for (int k : {22, 24, 40, 44, 45, 46, 47, 48, 49}) ASSERT_EQ(ineligible(r, kpi_slot(k)), !m1) << k;
    ASSERT_EQ(ineligible(r, kpi_slot(23)), !m3);
    for (int k : {25, 26, 27, 33, 34, 37, 38, 39}) ASSERT_EQ(ineligible(r, kpi_slot(k)), !m5) << k;
    for (int k : {28, 29, 30, 31, 35, 36}) ASSERT_EQ(ineligible(r, kpi_slot(k)), !m6) << k;
    ASSERT_EQ(ineligible(r, kSlot32_1), !m5);
    ASSERT_EQ(ineligible(r, kSlot32_2) && ineligible(r, kSlot32_3), !m5);
    ASSERT_FALSE(!ineligible(r, kSlot32_2) && !ineligible(r, kSlot32_3));
    for (int k : {41, 42, 43}) ASSERT_TRUE(ineligible(r, kpi_slot(k)) || !ineligible(r, kpi_slot(7))) << k;
    if (p.dataset == DatasetYear::y2021 && m1) {
        int passes = 0;
        for (int k = 13; k <= 20; ++k) passes += r[kpi_slot(k)].outcome == Outcome::pass;
        ASSERT_LE(passes, 1);
    }
    // 32.1 values.
    const KpiResult &hc = r[kSlot32_1];
    if (m5) {
        ASSERT_TRUE(hc.value && hc.value_expected);
        ASSERT_TRUE(*hc.value_expected == 3 || *hc.value_expected == 6);
        ASSERT_GE(*hc.value, 0.0);
        ASSERT_LE(*hc.value, *hc.value_expected);
        ASSERT_EQ(hc.outcome == Outcome::pass, *hc.value == *hc.value_expected);
        const std::size_t by_age = *hc.value_expected == 3 ? kSlot32_2 : kSlot32_3;
        ASSERT_EQ(r[by_age].outcome, hc.outcome);
    } else {
        ASSERT_FALSE(hc.value || hc.value_expected);
    }
    // Values beside outcomes.
    for (int k : {44, 45}) {
        ASSERT_EQ(r[kpi_slot(k)].value.has_value(), r[kpi_slot(k)].outcome == Outcome::pass) << k;
    }
    ASSERT_EQ(r[kpi_slot(44)].outcome, r[kpi_slot(45)].outcome);
    for (int k : {46, 47}) {
        const KpiResult &a = r[kpi_slot(k)];
        ASSERT_EQ(a.value.has_value(), m1);
        if (m1) { ASSERT_EQ(a.outcome == Outcome::pass, *a.value > 0); }
    }
    if (m1) { ASSERT_LE(*r[kpi_slot(47)].value, *r[kpi_slot(46)].value); }
    for (std::size_t s = 0; s < kKpiCount; ++s) {
        if (s == kSlot32_1) continue;
        ASSERT_FALSE(r[s].value_expected.has_value());
    }
}

void check_aggregate(const KpiAggregates &a, std::int64_t children) {
    for (std::size_t s = 0; s < kKpiCount; ++s) {
        const KpiAggregate &g = a[s];
        ASSERT_EQ(g.eligible, g.passed + g.failed + g.pending) << kpi_definitions()[s].code;
        ASSERT_GE(g.failed, 0);
        ASSERT_GE(g.pending, 0);
        if (s != kSlot32_1) { ASSERT_EQ(g.eligible + g.ineligible, children) << kpi_definitions()[s].code; }
        if (s < kpi_slot(13)) { ASSERT_EQ(g.failed + g.pending, 0); }
    }
    ASSERT_LE(a[kSlot32_1].ineligible, children);
}

}  // namespace

TEST(KpiProperty, RandomChildrenKeepInvariants) {
    RandomChildren gen(20240401u);
    for (const ScoringPeriod &p : {p2024(), p2026()}) {
        const Date as_ofs[] = {p.start - 10, p.start + 100, p.end - 30, p.end, p.end + 1, p.end + 400};
        std::vector<PatientRecord> children;
        for (int i = 0; i < 3000; ++i) children.push_back(gen.child(p));
        std::int64_t in_m1 = 0, pending_seen = 0, passes_seen = 0;
        for (Date as_of : as_ofs) {
            KpiAccumulator acc;
            for (const PatientRecord &c : children) {
                const KpiResults r = score_patient(c, p, as_of);
                check_child(r, p, as_of);
                if (HasFatalFailure()) return;
                acc.add(r);
                in_m1 += r[kpi_slot(1)].outcome == Outcome::pass;
                for (const KpiResult &x : r) {
                    pending_seen += x.outcome == Outcome::pending;
                    passes_seen += x.outcome == Outcome::pass;
                }
            }
            check_aggregate(acc.result(), static_cast<std::int64_t>(children.size()));
            if (HasFatalFailure()) return;
        }
        // The generator must reach the interesting states.
        EXPECT_GT(in_m1, 1000);
        EXPECT_GT(pending_seen, 1000);
        EXPECT_GT(passes_seen, 10000);
    }
}

TEST(KpiProperty, PendingResolvesToFailAfterPeriodEnd) {
    RandomChildren gen(7u);
    const ScoringPeriod p = p2024();
    for (int i = 0; i < 2000; ++i) {
        const PatientRecord c = gen.child(p);
        const KpiResults ended = score_patient(c, p, p.end + 1);
        for (Date as_of : {p.start, p.start + 200, p.end}) {
            const KpiResults open = score_patient(c, p, as_of);
            for (std::size_t s = 0; s < kKpiCount; ++s) {
                const Outcome o = open[s].outcome == Outcome::pending ? Outcome::fail : open[s].outcome;
                ASSERT_EQ(o, ended[s].outcome) << kpi_definitions()[s].code << " child " << i;
                ASSERT_EQ(open[s].value, ended[s].value);
            }
        }
    }
}

TEST(KpiProperty, VisitOrderDoesNotMatterGivenRowNumbers) {
    RandomChildren gen(99u);
    std::mt19937 shuffle_rng(5u);
    for (const ScoringPeriod &p : {p2024(), p2026()}) {
        for (int i = 0; i < 2000; ++i) {
            PatientRecord c = gen.child(p);
            const KpiResults before = score_patient(c, p, p.start + 150);
            std::shuffle(c.visits.begin(), c.visits.end(), shuffle_rng);
            const KpiResults after = score_patient(c, p, p.start + 150);
            for (std::size_t s = 0; s < kKpiCount; ++s) {
                ASSERT_EQ(before[s].outcome, after[s].outcome) << kpi_definitions()[s].code;
                ASSERT_EQ(before[s].value.has_value(), after[s].value.has_value());
                if (before[s].value) { ASSERT_NEAR(*before[s].value, *after[s].value, 1e-9); }
            }
        }
    }
}
