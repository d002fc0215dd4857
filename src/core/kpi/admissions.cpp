// Decision D9: the qualifying admissions of a child (admissions.hpp).
#include "kpi/admissions.hpp"

#include <algorithm>
#include <tuple>
#include <utility>

namespace npda {

std::vector<QualifyingAdmission> AdmissionCollector::take() {
    std::vector<QualifyingAdmission> out = std::move(found_);
    found_.clear();
    if (out.size() > 1) {
        const auto key = [](const QualifyingAdmission &a) { return std::tie(a.admitted, a.discharged, a.reason); };
        std::sort(out.begin(), out.end(), [&](const auto &a, const auto &b) { return key(a) < key(b); });
        out.erase(std::unique(out.begin(), out.end(), [&](const auto &a, const auto &b) { return key(a) == key(b); }),
                  out.end());
    }
    return out;
}

std::vector<QualifyingAdmission> qualifying_admissions(const std::vector<VisitRecord> &visits,
                                                       const ScoringPeriod &period) {
    AdmissionCollector collector(period);
    for (const VisitRecord &v : visits) collector.offer(v);
    return collector.take();
}

}  // namespace npda
