// score_patient: the 51 outcomes of one child (docs/kpis.md §3.5, §4, §5; D12).
#include <algorithm>

#include "kpi/measures.hpp"
#include "kpi/stats.hpp"

namespace npda {

namespace {

using kpi_detail::ChildFacts;
using kpi_detail::Measures;

// Writes outcomes into a KpiResults array following the D12 state rules.
class Scorer {
public:
    Scorer(KpiResults &r, bool open) : r_(r), open_(open) {}

    // KPIs 1-12: pass when in the cohort, otherwise ineligible; never fail or pending (R11).
    void cohort(int number, bool counted) {
        r_[kpi_slot(number)].outcome = counted ? Outcome::pass : Outcome::ineligible;
    }
    // Status KPIs (13-24, 46-49): pass or fail on the data as it stands.
    void status(std::size_t slot, bool eligible, bool passed) {
        if (eligible) r_[slot].outcome = passed ? Outcome::pass : Outcome::fail;
    }
    // Care KPIs (25-45): a failing eligible child is pending while the period
    // is open and the pass condition can still come true (can_still_pass).
    void care(std::size_t slot, bool eligible, bool passed, bool can_still_pass = true) {
        if (!eligible) return;
        if (passed) {
            r_[slot].outcome = Outcome::pass;
        } else {
            r_[slot].outcome = open_ && can_still_pass ? Outcome::pending : Outcome::fail;
        }
    }

private:
    KpiResults &r_;
    bool open_;
};

// 1-12: cohort counts.
void score_cohort(Scorer &s, const ChildFacts &f, const Measures &m) {
    s.cohort(1, m.m1);
    s.cohort(2, m.m2);
    s.cohort(3, m.m3);
    s.cohort(4, m.m4);
    s.cohort(5, m.m5);
    s.cohort(6, m.m6);
    s.cohort(7, m.m7);
    s.cohort(8, m.m1 && f.death_in_period);
    s.cohort(9, m.m1 && f.leaving_in_period);
    s.cohort(10, m.m1 && f.gluten_free_diet.is(1));
    s.cohort(11, m.m1 && f.thyroid_treatment_status.is_one_of({2, 3}));
    s.cohort(12, m.m1 && f.ketone_meter_training.is(1));
}

// 13-24: treatment, monitoring, closed loop (D2, D3, D4, D13).
void score_treatment(Scorer &s, const ChildFacts &f, const Measures &m, bool y2026) {
    if (y2026) {
        s.status(kpi_slot(15), m.m1, f.insulin_regimen.is_one_of({4, 5}));
        s.status(kpi_slot(22), m.m1, f.cgm_use.is(1));
        s.status(kpi_slot(23), m.m3, f.cgm_use.is(1));
        s.status(kpi_slot(24), m.m1, f.insulin_regimen.is(5));
    } else {
        for (int code = 1; code <= 8; ++code) {
            s.status(kpi_slot(12 + code), m.m1, f.treatment.is(code));
        }
        s.status(kpi_slot(21), m.m1, f.glucose_monitoring.is_one_of({2, 3}));
        s.status(kpi_slot(22), m.m1, f.glucose_monitoring.is(4));
        s.status(kpi_slot(23), m.m3, f.glucose_monitoring.is(4));
        s.status(kpi_slot(24), m.m1,
                 f.treatment.is_one_of({3, 6}) && f.closed_loop_system.is_one_of({2, 3, 4}));
    }
}

// 25-40: the key care processes, the health checks and the additional processes.
void score_care_processes(Scorer &s, KpiResults &r, const ChildFacts &f, const Measures &m) {
    // 25-31: key care processes.
    const bool hba1c = f.hba1c_entries >= 1;
    s.care(kpi_slot(25), m.m5, hba1c);
    s.care(kpi_slot(26), m.m5, f.bmi);
    s.care(kpi_slot(27), m.m5, f.thyroid_screen);
    s.care(kpi_slot(28), m.m6, f.blood_pressure);
    s.care(kpi_slot(29), m.m6, f.urinary_albumin);
    s.care(kpi_slot(30), m.m6, f.retinal_screening);
    s.care(kpi_slot(31), m.m6, f.foot_examination);

    // 32.1-32.3: health checks over M5 split by age (R5).
    if (m.m5) {
        const bool under_12 = f.age < 12;
        int achieved = int{hba1c} + int{f.bmi} + int{f.thyroid_screen};
        int expected = 3;
        if (!under_12) {
            achieved += int{f.blood_pressure} + int{f.urinary_albumin} + int{f.foot_examination};
            expected = 6;
        }
        const bool all = achieved == expected;
        s.care(kSlot32_1, true, all);
        r[kSlot32_1].value = achieved;
        r[kSlot32_1].value_expected = expected;
        s.care(kSlot32_2, under_12, all);
        s.care(kSlot32_3, !under_12, all);
    }

    // 33-40: additional processes.
    s.care(kpi_slot(33), m.m5, f.hba1c_entries >= 4);
    s.care(kpi_slot(34), m.m5, f.psychological_assessment);
    s.care(kpi_slot(35), m.m6, f.smoking_screened);
    s.care(kpi_slot(36), m.m6, f.smoking_referral);
    s.care(kpi_slot(37), m.m5, f.dietetic_offered);
    s.care(kpi_slot(38), m.m5, f.dietetic_attended);
    s.care(kpi_slot(39), m.m5, f.flu_recommended);
    s.care(kpi_slot(40), m.m1, f.sick_day_rules);
}

// 44-49 (only for M1): HbA1c outcome values (D8); admissions, support,
// albuminuria (D9, D1). Sorts f's HbA1c values in place for the median.
void score_outcomes(Scorer &s, KpiResults &r, ChildFacts &f, const ScoringPeriod &period, Date as_of) {
    // 44-45: pending only if a qualifying date can still come.
    const bool has_values = !f.hba1c_values.empty();
    const bool can_still =
        f.diagnosis && std::max(as_of, add_days(*f.diagnosis, 91)) <= period.end;
    s.care(kpi_slot(44), true, has_values, can_still);
    s.care(kpi_slot(45), true, has_values, can_still);
    if (has_values) {
        r[kpi_slot(44)].value = mean_of(f.hba1c_values.data(), f.hba1c_values.size());
        r[kpi_slot(45)].value = median_in_place(f.hba1c_values.data(), f.hba1c_values.size());
    }

    // 46-49.
    s.status(kpi_slot(46), true, f.admissions > 0);
    r[kpi_slot(46)].value = f.admissions;
    s.status(kpi_slot(47), true, f.dka_admissions > 0);
    r[kpi_slot(47)].value = f.dka_admissions;
    s.status(kpi_slot(48), true, f.psychological_support);
    s.status(kpi_slot(49), true, f.albuminuria_stage.is_one_of({2, 3}));
}

}  // namespace

KpiResults score_patient(const PatientRecord &child, const ScoringPeriod &period, Date as_of) {
    ChildFacts f;
    kpi_detail::gather_facts(child, period, f);
    const Measures m = kpi_detail::measures_of(f);
    const bool y2026 = period.dataset == DatasetYear::y2026;
    const bool open = as_of <= period.end;

    KpiResults r{};
    Scorer s(r, open);
    score_cohort(s, f, m);
    score_treatment(s, f, m, y2026);
    score_care_processes(s, r, f, m);

    // 41-43: care at diagnosis (D7); m7 implies a diagnosis date.
    if (m.m7) {
        const Date dx = *f.diagnosis;
        const bool eligible_90 = dx < add_days(period.end, -90);
        const bool eligible_14 = dx < add_days(period.end, -14);
        s.care(kpi_slot(41), eligible_90, f.coeliac_at_diagnosis, as_of <= add_days(dx, 90));
        s.care(kpi_slot(42), eligible_90, f.thyroid_at_diagnosis, as_of <= add_days(dx, 90));
        s.care(kpi_slot(43), eligible_14, f.carbs_at_diagnosis, as_of <= add_days(dx, 14));
    }

    if (m.m1) score_outcomes(s, r, f, period, as_of);
    return r;
}

}  // namespace npda
