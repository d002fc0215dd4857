// npda.max_file_size, npda.max_findings_per_code, npda.max_findings_per_row.
// Superuser settings (postgresql.conf, ALTER SYSTEM, ALTER DATABASE / ROLE ...
// SET): they bound the memory and the rows one submission may cost, so a
// submitter must not raise them for themselves.
#include "settings.hpp"

#include <climits>

#include "postgres_headers.hpp"

namespace {

int max_file_size_kb = 256 * 1024;  // 256 MB
int max_findings_per_code = 1000;
int max_findings_per_row = 100;

}  // namespace

namespace npda::pg {

void define_settings() {
    DefineCustomIntVariable("npda.max_file_size",
                            "Largest CSV file npda.submit_csv accepts; a larger one is refused (SQLSTATE NP010).",
                            nullptr, &max_file_size_kb, 256 * 1024, 1, INT_MAX, PGC_SUSET, GUC_UNIT_KB, nullptr,
                            nullptr, nullptr);
    DefineCustomIntVariable("npda.max_findings_per_code",
                            "Findings of one code recorded for one file; the rest are counted in one summary finding.",
                            nullptr, &max_findings_per_code, 1000, 1, INT_MAX, PGC_SUSET, 0, nullptr, nullptr, nullptr);
    DefineCustomIntVariable("npda.max_findings_per_row",
                            "Findings of one code recorded on one row; the rest are counted in the summary finding.",
                            nullptr, &max_findings_per_row, 100, 1, INT_MAX, PGC_SUSET, 0, nullptr, nullptr, nullptr);
    MarkGUCPrefixReserved("npda");
}

std::int64_t max_file_bytes() { return static_cast<std::int64_t>(max_file_size_kb) * 1024; }

FindingLimits finding_limits() {
    FindingLimits l;
    l.per_code = max_findings_per_code;
    l.per_row_and_code = max_findings_per_row;
    return l;
}

}  // namespace npda::pg
