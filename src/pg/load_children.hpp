// Loading children from the tables: each child's patient row, leaving data and
// visits read back into the core's PatientRecord, for the KPI triggers,
// npda.rescore and the roll-ups.
#pragma once

#include <cstdint>
#include <vector>

#include "ingest/record.hpp"
#include "guard.hpp"

namespace npda::pg {

// A child's record as stored, with the ids that place it.
struct LoadedChild {
    std::int64_t patient_id = 0;
    std::int64_t audit_period_id = 0;
    int audit_year = 0;
    PatientRecord record;
};

// Read these children (npda.patient ids) with their leaving data and visits;
// children that no longer exist are skipped.
std::vector<LoadedChild> load_children_by_id(const std::vector<std::int64_t> &ids);
// One child (an edit): the same, with plans made for one.
std::vector<LoadedChild> load_child(std::int64_t id);
// The same, with the ids already in a bigint[].
std::vector<LoadedChild> load_children_in(Datum ids_array);
// Every child of an audit period's active submissions (all PDUs).
std::vector<LoadedChild> load_period_children(std::int64_t audit_period_id);

}  // namespace npda::pg
