// KPI scoring in the database: run the core KPI engine (src/core/kpi/kpi.hpp) on
// children held in memory (the submission path) or read back from the tables
// (triggers, npda.rescore), and store one npda.patient_kpi_score row per child.
#pragma once

#include <cstdint>
#include <vector>

#include "calendar.hpp"
#include "ingest/record.hpp"

namespace npda::pg {

// While a BulkLoadScope is alive the statement-level KPI triggers do nothing:
// the submission path writes a whole file and then scores it once from memory.
// A transaction-end callback also clears the flag, so an error can never leave
// the triggers switched off.
class BulkLoadScope {
public:
    BulkLoadScope();
    ~BulkLoadScope();
    BulkLoadScope(const BulkLoadScope &) = delete;
    BulkLoadScope &operator=(const BulkLoadScope &) = delete;
};
bool bulk_load_active();
void register_bulk_load_reset();  // from _PG_init

// Score children whose records are in memory; ids[i] is patients[i]'s npda.patient.id.
void score_records(const std::vector<PatientRecord> &patients, const std::vector<std::int64_t> &ids,
                   std::int64_t audit_period_id, int audit_year, Date as_of);

// Read the given children from the tables and score them; children that no
// longer exist are skipped. Returns the number scored.
std::size_t score_patient_ids(const std::vector<std::int64_t> &ids, Date as_of);

// Re-score every child of an audit period (all PDUs' active submissions).
std::size_t rescore_period(std::int64_t audit_period_id, Date as_of);

// A child's record as stored, with the ids that place it.
struct LoadedChild {
    std::int64_t patient_id = 0;
    std::int64_t audit_period_id = 0;
    int audit_year = 0;
    PatientRecord record;
};
// Read these children (npda.patient ids) with their leaving data and visits.
std::vector<LoadedChild> load_children_by_id(const std::vector<std::int64_t> &ids);

// The OIDs of npda.kpi_outcome and of its four labels (pass, fail, pending,
// ineligible), looked up per call: a cached value would go stale if the
// extension were dropped and re-created.
struct OutcomeType {
    unsigned int type = 0;
    unsigned int array_type = 0;
    unsigned int labels[4] = {0, 0, 0, 0};
};
OutcomeType outcome_type();

}  // namespace npda::pg
