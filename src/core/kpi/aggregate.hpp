// Aggregating per-child KPI results over a scope (docs/kpis.md §6.3) and choosing
// the PDU a moved child is counted at above PDU level (D11, docs/kpis.md §6.2).
#pragma once
#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>
#include "kpi/kpi.hpp"
#include "ingest/record.hpp"
#include "no_postgres.hpp"

namespace npda {

// One aggregate row's counts (docs/kpis.md §6.3). For 32.1 eligible, passed,
// failed and pending count checks, ineligible counts children.
struct KpiAggregate {
    std::int64_t eligible = 0;
    std::int64_t ineligible = 0;
    std::int64_t passed = 0;
    std::int64_t failed = 0;
    std::int64_t pending = 0;
    // 44: mean of per-child means; 45: median of per-child medians (NULL when
    // no child has a value); 46/47: total admissions (0 when none); else NULL.
    std::optional<double> value;
    // Children with a value (44, 45) or with at least one admission (46, 47).
    std::int64_t children_with_value = 0;
};
using KpiAggregates = std::array<KpiAggregate, kKpiCount>;

// Accumulates children one at a time; result() may be called at any point.
// Which KPIs a child contributes to in one area: above PDU level a moved
// child can count for KPIs 41-43 at another PDU than for the rest (D11).
using KpiSlotMask = std::array<bool, kKpiCount>;

class KpiAccumulator {
public:
    void add(const KpiResults &child);
    // Add only the KPIs whose mask entry is true.
    void add(const KpiResults &child, const KpiSlotMask &slots);
    KpiAggregates result() const;
    std::int64_t children() const { return children_; }

private:
    void add_slot(std::size_t slot, const KpiResult &r);
    KpiAggregates counts_{};
    double sum_of_means_ = 0.0;
    std::vector<double> medians_;
    double admissions_[2] = {0.0, 0.0};  // 46, 47
    std::int64_t children_ = 0;
};

// Aggregate a whole scope at once.
KpiAggregates aggregate_kpis(const std::vector<KpiResults> &children);

// R10: 100 * passed / eligible, unrounded; std::nullopt for cohort counts
// (1-12), values (44-47) and when eligible = 0.
std::optional<double> kpi_percentage(std::size_t slot, const KpiAggregate &a);
// R10 as reported (npda.kpi_results.pct_passed): the same percentage rounded
// half away from zero to one decimal place, as a whole number of tenths
// (14 of 18 -> 778, i.e. 77.8 %), computed exactly in integers.
std::optional<std::int64_t> kpi_percentage_tenths(std::size_t slot, std::int64_t passed, std::int64_t eligible);

// R15: the RCPCH's test units (PZ999, PZ998) hold staff and sample files, not
// children in care: they count at PDU level only, never in a trust, board,
// region, country or the national figures.
bool is_test_unit(std::string_view pz_code);

// One record of a child in one PDU's active submission (D11).
struct PduRecordRef {
    const PatientRecord *record = nullptr;  // not owned; must not be null
    std::string_view pz_code;               // e.g. "PZ041"
    std::int64_t submitted_at = 0;          // submission time; larger = later
};

// Indexes into the list of a child's records (docs/kpis.md §6.2 steps 3-4).
struct Attribution {
    std::size_t general = 0;  // the attributed PDU: KPIs 1-40 and 44-49
    std::size_t day90 = 0;    // caring on diagnosis + 90 days: KPIs 41, 42
    std::size_t day14 = 0;    // caring on diagnosis + 14 days: KPI 43
    // The record whose outcome counts for the KPI at `slot` above PDU level.
    std::size_t for_kpi(std::size_t slot) const;
};

// Choose the attributed PDU and the day-90 / day-14 caring PDUs for one child
// whose records (same identifier, different PDUs, one period) are `records`.
// Throws npda::Error (NP105) when `records` is empty or holds a null record.
Attribution attribute_child(const std::vector<PduRecordRef> &records, const ScoringPeriod &period);

}  // namespace npda
