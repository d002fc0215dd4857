// The extension's settings (GUCs), defined when the library loads. Each bounds
// what one call may cost; docs/operations.md "Settings" describes them.
#pragma once
#include <cstdint>

#include "ingest/submission_reader.hpp"

namespace npda::pg {

// Define the npda.* settings (from _PG_init).
void define_settings();

// The largest file npda.submit_csv accepts, in bytes.
std::int64_t max_file_bytes();

// The caps on the findings one file may record.
FindingLimits finding_limits();

}  // namespace npda::pg
