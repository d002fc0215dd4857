// Decision D9: which hospital admissions of a child count in an audit period,
// told once. The KPI engine counts them for KPIs 46 and 47 (measures.cpp) and
// the quarter breakdown npda.kpi_quarterly dates them by quarter (through
// npda._qualifying_admissions).
#pragma once
#include <cstdint>
#include <vector>
#include "kpi/kpi.hpp"
#include "ingest/record.hpp"
#include "no_postgres.hpp"

namespace npda {

struct QualifyingAdmission {
    OptDate admitted;     // admission (start of the hospital provider spell)
    OptDate discharged;
    std::int16_t reason;  // admission reason, in the codes of the period's dataset
    Date dated = 0;       // the day it counts on: the admission date when it is in
                          // the period, the discharge date otherwise
    bool dka = false;     // the reason is DKA (2021 code 2, 2026 code 1)
};

// A child's qualifying admissions in a period: rows whose admission reason
// (of the period's dataset) is a valid code 1-6 and whose admission or
// discharge date falls in the period. Rows repeating one admission count
// once: one admission is one distinct (admission date, discharge date,
// reason), empty dates comparing equal. Ordered by that triple.
std::vector<QualifyingAdmission> qualifying_admissions(const std::vector<VisitRecord> &visits,
                                                       const ScoringPeriod &period);

// The same rule row by row, for a caller that walks the child's rows anyway
// (the KPI engine, in its one pass): offer() every row, then take() the
// qualifying admissions, as qualifying_admissions() returns them.
class AdmissionCollector {
public:
    explicit AdmissionCollector(const ScoringPeriod &period)
        : period_(period), y2026_(period.dataset == DatasetYear::y2026) {}

    void offer(const VisitRecord &v) {
        const Code &reason = y2026_ ? v.hospital_admission_reason_2026 : v.hospital_admission_reason;
        if (!reason || *reason < 1 || *reason > 6) return;
        const bool admitted_in = in_period(v.hospital_admission_date);
        if (!admitted_in && !in_period(v.hospital_discharge_date)) return;
        found_.push_back({v.hospital_admission_date, v.hospital_discharge_date, *reason,
                          admitted_in ? *v.hospital_admission_date : *v.hospital_discharge_date,
                          *reason == (y2026_ ? 1 : 2)});
    }
    std::vector<QualifyingAdmission> take();

private:
    bool in_period(const OptDate &d) const { return d && *d >= period_.start && *d <= period_.end; }
    ScoringPeriod period_;
    bool y2026_;
    std::vector<QualifyingAdmission> found_;
};

}  // namespace npda
