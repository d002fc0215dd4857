// The bulk-load flag (see bulk_load.hpp) and its SQL entry point.
#include "bulk_load.hpp"
#include "guard.hpp"

namespace npda::pg {

namespace {

int bulk_load_depth = 0;

void reset_bulk_load(XactEvent event, void *) {
    if (event == XACT_EVENT_ABORT || event == XACT_EVENT_COMMIT || event == XACT_EVENT_PARALLEL_ABORT ||
        event == XACT_EVENT_PARALLEL_COMMIT || event == XACT_EVENT_PREPARE)
        bulk_load_depth = 0;
}

}  // namespace

BulkLoadScope::BulkLoadScope() { ++bulk_load_depth; }
BulkLoadScope::~BulkLoadScope() {
    if (bulk_load_depth > 0) --bulk_load_depth;
}
bool bulk_load_active() { return bulk_load_depth > 0; }

void register_bulk_load_reset() { RegisterXactCallback(reset_bulk_load, nullptr); }

}  // namespace npda::pg

// npda._bulk_load_active(): true while the submission path is writing a file;
// the KPI triggers then leave the scoring to it.
NPDA_FUNCTION(_bulk_load_active) { return BoolGetDatum(npda::pg::bulk_load_active()); }
