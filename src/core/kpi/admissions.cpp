// Decision D9: the qualifying admissions of a child (admissions.hpp).
#include "kpi/admissions.hpp"

#include <algorithm>
#include <tuple>

namespace npda {

std::vector<QualifyingAdmission> qualifying_admissions(const std::vector<VisitRecord> &visits,
                                                       const ScoringPeriod &period) {
    const bool y2026 = period.dataset == DatasetYear::y2026;
    const std::int16_t dka_reason = y2026 ? 1 : 2;
    const auto in_period = [&](const OptDate &d) { return d && *d >= period.start && *d <= period.end; };
    std::vector<QualifyingAdmission> out;
    for (const VisitRecord &v : visits) {
        const Code &reason = y2026 ? v.hospital_admission_reason_2026 : v.hospital_admission_reason;
        if (!reason || *reason < 1 || *reason > 6) continue;
        const bool admitted_in = in_period(v.hospital_admission_date);
        if (!admitted_in && !in_period(v.hospital_discharge_date)) continue;
        out.push_back({v.hospital_admission_date, v.hospital_discharge_date, *reason,
                       admitted_in ? *v.hospital_admission_date : *v.hospital_discharge_date,
                       *reason == dka_reason});
    }
    if (out.size() > 1) {
        const auto key = [](const QualifyingAdmission &a) { return std::tie(a.admitted, a.discharged, a.reason); };
        std::sort(out.begin(), out.end(), [&](const auto &a, const auto &b) { return key(a) < key(b); });
        out.erase(std::unique(out.begin(), out.end(), [&](const auto &a, const auto &b) { return key(a) == key(b); }),
                  out.end());
    }
    return out;
}

}  // namespace npda
