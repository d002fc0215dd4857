// KPI scoring in the database: run the core KPI engine (src/core/kpi/kpi.hpp) on
// children held in memory (the submission path) or read back from the tables
// (triggers, npda.rescore; see load_children.hpp), and store one
// npda.patient_kpi_score row per child. The bulk-load flag that keeps the
// triggers out of a submission's way is in bulk_load.hpp.
#pragma once

#include <cstdint>
#include <vector>

#include "calendar.hpp"
#include "ingest/record.hpp"

namespace npda::pg {

// Score children whose records are in memory; ids[i] is patients[i]'s npda.patient.id.
void score_records(const std::vector<PatientRecord> &patients, const std::vector<std::int64_t> &ids,
                   std::int64_t audit_period_id, int audit_year, Date as_of);

// Read the given children from the tables and score them; children that no
// longer exist are skipped. Returns the number scored.
std::size_t score_patient_ids(const std::vector<std::int64_t> &ids, Date as_of);

// Re-score every child of an audit period (all PDUs' active submissions).
std::size_t rescore_period(std::int64_t audit_period_id, Date as_of);

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
