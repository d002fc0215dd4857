// Aggregates over a scope (docs/kpis.md §6.3) and D11 attribution (docs/kpis.md §6.2).
#include "kpi/aggregate.hpp"

#include <algorithm>

#include "errors.hpp"
#include "kpi/stats.hpp"

namespace npda {

void KpiAccumulator::add(const KpiResults &child) {
    ++children_;
    for (std::size_t slot = 0; slot < kKpiCount; ++slot) add_slot(slot, child[slot]);
}

void KpiAccumulator::add(const KpiResults &child, const KpiSlotMask &slots) {
    ++children_;
    for (std::size_t slot = 0; slot < kKpiCount; ++slot)
        if (slots[slot]) add_slot(slot, child[slot]);
}

void KpiAccumulator::add_slot(std::size_t slot, const KpiResult &r) {
    {
        KpiAggregate &a = counts_[slot];
        if (r.outcome == Outcome::ineligible) {
            ++a.ineligible;
            return;
        }
        if (slot == kSlot32_1) {
            // Checks, not children: expected checks are eligible; achieved
            // ones passed; the rest failed or pending with the child.
            const std::int64_t expected = r.value_expected.value_or(0);
            const std::int64_t achieved = static_cast<std::int64_t>(r.value.value_or(0.0));
            a.eligible += expected;
            a.passed += achieved;
            if (r.outcome == Outcome::fail) a.failed += expected - achieved;
            if (r.outcome == Outcome::pending) a.pending += expected - achieved;
            return;
        }
        ++a.eligible;
        switch (r.outcome) {
            case Outcome::pass: ++a.passed; break;
            case Outcome::fail: ++a.failed; break;
            case Outcome::pending: ++a.pending; break;
            case Outcome::ineligible: break;
        }
        if (slot == kpi_slot(44) && r.value) {
            sum_of_means_ += *r.value;
            ++a.children_with_value;
        } else if (slot == kpi_slot(45) && r.value) {
            medians_.push_back(*r.value);
            ++a.children_with_value;
        } else if ((slot == kpi_slot(46) || slot == kpi_slot(47)) && r.value) {
            admissions_[slot == kpi_slot(46) ? 0 : 1] += *r.value;
            if (*r.value > 0) ++a.children_with_value;
        }
    }
}

KpiAggregates KpiAccumulator::result() const {
    KpiAggregates out = counts_;
    // R11: cohorts have passed = eligible and nothing failed or pending.
    for (int n = 1; n <= 12; ++n) out[kpi_slot(n)].passed = out[kpi_slot(n)].eligible;

    KpiAggregate &mean = out[kpi_slot(44)];
    if (mean.children_with_value > 0) {
        mean.value = sum_of_means_ / static_cast<double>(mean.children_with_value);
    }
    std::vector<double> medians = medians_;
    out[kpi_slot(45)].value = median_in_place(medians.data(), medians.size());
    out[kpi_slot(46)].value = admissions_[0];
    out[kpi_slot(47)].value = admissions_[1];
    return out;
}

KpiAggregates aggregate_kpis(const std::vector<KpiResults> &children) {
    KpiAccumulator acc;
    for (const KpiResults &c : children) acc.add(c);
    return acc.result();
}

namespace {

// R10: a percentage is reported for the pass/fail proportions and the
// care-process rate (KPIs 13-43, 48, 49) when someone is eligible.
bool has_percentage(std::size_t slot, std::int64_t eligible) {
    return slot >= kpi_slot(13) && slot < kKpiCount && kpi_definitions()[slot].kind != KpiKind::value &&
           eligible > 0;
}

}  // namespace

std::optional<double> kpi_percentage(std::size_t slot, const KpiAggregate &a) {
    if (!has_percentage(slot, a.eligible)) return std::nullopt;
    return 100.0 * static_cast<double>(a.passed) / static_cast<double>(a.eligible);
}

std::optional<std::int64_t> kpi_percentage_tenths(std::size_t slot, std::int64_t passed, std::int64_t eligible) {
    if (!has_percentage(slot, eligible)) return std::nullopt;
    // round(1000 * passed / eligible), halves away from zero: floor((2n + d) / 2d) for n >= 0.
    const __int128 n = static_cast<__int128>(passed) * 1000;
    const __int128 d = eligible;
    const __int128 magnitude = ((n < 0 ? -n : n) * 2 + d) / (2 * d);
    return static_cast<std::int64_t>(n < 0 ? -magnitude : magnitude);
}

bool is_test_unit(std::string_view pz_code) { return pz_code == "PZ999" || pz_code == "PZ998"; }

std::size_t Attribution::for_kpi(std::size_t slot) const {
    if (slot == kpi_slot(41) || slot == kpi_slot(42)) return day90;
    if (slot == kpi_slot(43)) return day14;
    return general;
}

namespace {

// Pick the record with the greatest key date; ties go to the later
// submission, then to the lower PZ code. Records without a key are skipped.
// Returns records.size() when no record has a key.
template <typename KeyOf>
std::size_t latest_by(const std::vector<PduRecordRef> &records, KeyOf key_of) {
    std::size_t best = records.size();
    Date best_date = 0;
    for (std::size_t i = 0; i < records.size(); ++i) {
        const OptDate d = key_of(*records[i].record);
        if (!d) continue;
        bool better = best == records.size() || *d > best_date;
        if (!better && *d == best_date) {
            const PduRecordRef &a = records[i], &b = records[best];
            better = a.submitted_at > b.submitted_at ||
                     (a.submitted_at == b.submitted_at && a.pz_code < b.pz_code);
        }
        if (better) {
            best = i;
            best_date = *d;
        }
    }
    return best;
}

// Latest date of a visit field among the record's visits inside [first, last].
template <typename Field>
OptDate latest_visit_field(const PatientRecord &r, Date first, Date last, Field field) {
    OptDate best;
    for (const VisitRecord &v : r.visits) {
        const OptDate &d = v.*field;
        if (d && *d >= first && *d <= last && (!best || *d > *best)) best = d;
    }
    return best;
}

}  // namespace

Attribution attribute_child(const std::vector<PduRecordRef> &records, const ScoringPeriod &period) {
    if (records.empty()) {
        throw Error(sqlstate::kInvalidArgument, "a child to attribute needs at least one record");
    }
    for (const PduRecordRef &r : records) {
        if (!r.record) throw Error(sqlstate::kInvalidArgument, "a child's record is missing");
    }
    const Date s = period.start, e = period.end;
    constexpr Date kMinDate = INT32_MIN;

    // Step 3: latest visit in P, else latest admission in P, else (reading)
    // the later submission / lower PZ code alone.
    Attribution out;
    std::size_t general = latest_by(records, [&](const PatientRecord &r) {
        return latest_visit_field(r, s, e, &VisitRecord::visit_date);
    });
    if (general == records.size()) {
        general = latest_by(records, [&](const PatientRecord &r) {
            return latest_visit_field(r, s, e, &VisitRecord::hospital_admission_date);
        });
    }
    if (general == records.size()) {
        general = latest_by(records, [](const PatientRecord &) { return OptDate{0}; });
    }
    out.general = out.day90 = out.day14 = general;

    // Step 4: the PDU caring on day T. The diagnosis date is the earliest
    // among the records (cleaning rule 3 applied across PDUs).
    OptDate dx;
    for (const PduRecordRef &r : records) {
        const OptDate &d = r.record->diagnosis_date;
        if (d && (!dx || *d < *dx)) dx = d;
    }
    if (!dx) return out;
    auto caring_on = [&](Date t) {
        const std::size_t i = latest_by(records, [&](const PatientRecord &r) -> OptDate {
            if (r.date_leaving_service && *r.date_leaving_service < t) return std::nullopt;
            return latest_visit_field(r, kMinDate, t, &VisitRecord::visit_date);
        });
        return i == records.size() ? general : i;
    };
    out.day90 = caring_on(add_days(*dx, 90));
    out.day14 = caring_on(add_days(*dx, 14));
    return out;
}

}  // namespace npda
