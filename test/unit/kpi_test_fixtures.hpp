// Builders shared by the KPI unit tests: the fixtures of docs/kpis.md §8 (Std,
// Early, Old, NewDx, Leaver, Died, C5, C6), scoring and aggregation shortcuts,
// and an assertion on aggregate counts.
#pragma once
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "calendar.hpp"
#include "kpi/kpi.hpp"
#include "kpi/aggregate.hpp"
#include "ingest/record.hpp"

namespace kpitest {

using namespace npda;

inline Date D(int y, int m, int d) { return date_from_ymd(y, m, d); }

// The conventions of docs/kpis.md §8: period 2024-04-01 - 2025-03-31 (2021 dataset), as of
// E + 30 days.
inline ScoringPeriod p2024() { return scoring_period_for(2024); }
inline ScoringPeriod p2026() { return scoring_period_for(2026); }
inline Date as_of_2024() { return D(2025, 4, 30); }
inline Date as_of_2026() { return D(2027, 4, 30); }

// Append a visit (file order = row order; the header is row 1) and return it.
inline VisitRecord &add_visit(PatientRecord &p, OptDate visit_date) {
    VisitRecord v;
    v.row_number = static_cast<int>(p.visits.size()) + 2;
    v.visit_date = visit_date;
    v.hba1c_format = 1;
    p.visits.push_back(v);
    return p.visits.back();
}

// Std: DOB 2014-04-04 (9 at S), type 1, diagnosed 2022-01-01, one visit 2024-04-03.
inline PatientRecord Std() {
    PatientRecord p;
    p.nhs_number = "9434765919";
    p.date_of_birth = D(2014, 4, 4);
    p.diabetes_type = 1;
    p.diagnosis_date = D(2022, 1, 1);
    p.first_row_number = 2;
    add_visit(p, D(2024, 4, 3));
    return p;
}
inline PatientRecord Early() {
    PatientRecord p = Std();
    p.visits[0].visit_date = D(2024, 3, 22);
    return p;
}
inline PatientRecord Old() {
    PatientRecord p = Std();
    p.date_of_birth = D(1998, 4, 8);
    return p;
}
inline PatientRecord NewDx() {
    PatientRecord p = Std();
    p.diagnosis_date = D(2024, 4, 3);
    return p;
}
inline PatientRecord Leaver() {
    PatientRecord p = Std();
    p.date_leaving_service = D(2024, 4, 3);
    p.reason_leaving_service = 1;
    return p;
}
inline PatientRecord Died() {
    PatientRecord p = Std();
    p.death_date = D(2024, 4, 3);
    return p;
}
inline PatientRecord C5() {
    PatientRecord p = Std();
    p.diagnosis_date = D(2024, 3, 30);
    return p;
}
inline PatientRecord C6() {
    PatientRecord p = C5();
    p.date_of_birth = D(2012, 4, 1);
    p.visits[0].height_weight_observation_date = D(2024, 4, 3);
    return p;
}

// A copy of p with f applied to its first visit.
template <typename F>
PatientRecord edit(PatientRecord p, F f) {
    f(p.visits.at(0));
    return p;
}
// A copy of p with one more visit, dated visit_date and shaped by f.
template <typename F>
PatientRecord plus_visit(PatientRecord p, OptDate visit_date, F f) {
    f(add_visit(p, visit_date));
    return p;
}

using DateField = OptDate VisitRecord::*;
// A copy of p whose first visit has `field` set to `date`.
inline PatientRecord with_date(PatientRecord p, DateField field, Date date) {
    p.visits.at(0).*field = date;
    return p;
}

inline std::vector<PatientRecord> early_old() { return {Early(), Old()}; }
// Early, Old, NewDx, Leaver, Died: the five children outside M5.
inline std::vector<PatientRecord> outside_m5() { return {Early(), Old(), NewDx(), Leaver(), Died()}; }
// NewDx, Leaver, Died: outside M6 but inside M1.
inline std::vector<PatientRecord> new_leaver_died() { return {NewDx(), Leaver(), Died()}; }

inline std::vector<PatientRecord> operator+(std::vector<PatientRecord> a, const std::vector<PatientRecord> &b) {
    a.insert(a.end(), b.begin(), b.end());
    return a;
}

inline std::size_t slot(const char *code) {
    const std::optional<std::size_t> i = kpi_index(code);
    if (!i) throw std::invalid_argument(std::string("no KPI ") + code);
    return *i;
}

inline KpiResults score(const PatientRecord &p, Date as_of = as_of_2024(), const ScoringPeriod &period = p2024()) {
    return score_patient(p, period, as_of);
}
inline Outcome outcome(const PatientRecord &p, const char *code, Date as_of = as_of_2024(),
                       const ScoringPeriod &period = p2024()) {
    return score(p, as_of, period)[slot(code)].outcome;
}

inline KpiAggregates aggregate(const std::vector<PatientRecord> &children, Date as_of = as_of_2024(),
                               const ScoringPeriod &period = p2024()) {
    std::vector<KpiResults> results;
    for (const PatientRecord &c : children) results.push_back(score_patient(c, period, as_of));
    return aggregate_kpis(results);
}

// EXPECT_TRUE(Counts(agg[slot("25")], E, P, F, I[, pending])).
inline ::testing::AssertionResult Counts(const KpiAggregate &a, std::int64_t e, std::int64_t p,
                                         std::int64_t f, std::int64_t i, std::int64_t pending = 0) {
    if (a.eligible == e && a.passed == p && a.failed == f && a.ineligible == i && a.pending == pending) {
        return ::testing::AssertionSuccess();
    }
    return ::testing::AssertionFailure()
           << "got E " << a.eligible << " P " << a.passed << " F " << a.failed << " I " << a.ineligible
           << " pending " << a.pending << "; expected E " << e << " P " << p << " F " << f << " I " << i
           << " pending " << pending;
}

}  // namespace kpitest
