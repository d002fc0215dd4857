// The NPDA key performance indicators: the 51 definitions and the per-child
// scoring engine (docs/kpis.md). Pure C++: no PostgreSQL, no I/O, no clock.
//
// score_patient() turns one child's record from one PDU's submission into 51
// outcomes (pass, fail, pending, ineligible) plus the per-child values of
// 32.1, 44, 45, 46 and 47. The result depends only on the record, the audit
// period (with its dataset) and the as-of date, which matters only for
// "pending" (D12). Aggregation and the D11 attribution of moved children are
// in kpi/aggregate.hpp.
#pragma once
#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>
#include "calendar.hpp"
#include "ingest/record.hpp"
#include "no_postgres.hpp"

namespace npda {

// The four per-child states of D12 (and of the SQL enum npda.kpi_outcome).
enum class Outcome : std::uint8_t { pass, fail, pending, ineligible };
const char *outcome_name(Outcome o);  // "pass", "fail", "pending", "ineligible"

// How a KPI is counted in aggregates (docs/kpis.md §4.8).
enum class KpiKind : std::uint8_t { cohort_count, proportion, care_process_rate, value };
// "cohort count", "pass/fail proportion", "care-process rate", "value"
const char *kpi_kind_name(KpiKind k);

struct KpiDefinition {
    const char *code;         // "1".."31", "32.1", "32.2", "32.3", "33".."49"
    const char *key;          // the reference's result name, e.g. "kpi_25_hba1c"
    const char *label;        // docs/kpis.md §4 label
    KpiKind kind;
    const char *denominator;  // human readable, e.g. "M5: ..."
    const char *description;  // who is eligible, what passes, dataset notes
};

constexpr std::size_t kKpiCount = 51;

// Position of a KPI in kpi_definitions() and KpiResults. KPIs 1..31 sit at
// 0..30, 32.1..32.3 at 31..33 and 33..49 at 34..50. kpi_slot(n) takes a whole
// KPI number other than 32.
constexpr std::size_t kpi_slot(int number) {
    return number <= 31 ? static_cast<std::size_t>(number - 1) : static_cast<std::size_t>(number + 1);
}
constexpr std::size_t kSlot32_1 = 31;
constexpr std::size_t kSlot32_2 = 32;
constexpr std::size_t kSlot32_3 = 33;

// The 51 definitions in the order 1..31, 32.1, 32.2, 32.3, 33..49.
const std::array<KpiDefinition, kKpiCount> &kpi_definitions();
// Slot of a KPI code ("25", "32.1"); std::nullopt for anything else.
std::optional<std::size_t> kpi_index(std::string_view code);

struct KpiResult {
    Outcome outcome = Outcome::ineligible;
    // 44/45: the child's mean/median qualifying HbA1c in mmol/mol (pass only);
    // 46/47: the child's number of distinct qualifying admissions (every
    // eligible child, 0 included); 32.1: checks achieved (every eligible child).
    std::optional<double> value;
    std::optional<std::int32_t> value_expected;  // 32.1 only: checks expected (3 or 6)
};

struct ScoringPeriod {
    Date start = 0, end = 0;  // 1 April .. 31 March, both included
    DatasetYear dataset = DatasetYear::y2021;  // D13, docs/kpis.md §5
};
// The audit period starting 1 April of audit_year with its dataset.
ScoringPeriod scoring_period_for(int audit_year);

using KpiResults = std::array<KpiResult, kKpiCount>;

// Score one child's record (its own PDU's submission) as of `as_of` (D12).
KpiResults score_patient(const PatientRecord &child, const ScoringPeriod &period, Date as_of);

// True for the KPIs the 2026 dataset does not map (13, 14, 16-21; docs/kpis.md §5).
bool kpi_not_applicable(std::size_t slot, DatasetYear dataset);

// HbA1c DCCT/NGSP percent to IFCC mmol/mol: (x - 2.152) / 0.09148 (D8).
double hba1c_percent_to_mmol_mol(double percent);

}  // namespace npda
