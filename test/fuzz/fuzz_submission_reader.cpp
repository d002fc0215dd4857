// libFuzzer harness for the submission reader: arbitrary bytes through
// read_csv and read_submission (both datasets, a fixed upload day). A
// structural rejection (npda::Error) is a normal outcome; any other exception,
// a crash or a sanitizer report is a bug.
//
//   CXX=clang++-14 cmake -S . -B build-fuzz -DNPDA_FUZZ=ON && cmake --build build-fuzz
//   build-fuzz/fuzz_submission_reader -max_total_time=60 test/fuzz/corpus
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "ingest/csv_reader.hpp"
#include "errors.hpp"
#include "ingest/submission_reader.hpp"

namespace {

void read_one(std::string_view bytes, npda::DatasetYear dataset, int audit_year, const char *pz) {
    npda::SubmissionContext ctx;
    ctx.pz_code = pz;
    ctx.audit_year = audit_year;
    ctx.dataset = dataset;
    ctx.today = npda::date_from_ymd(audit_year, 11, 27);
    try {
        const auto parsed = npda::read_submission(bytes, ctx);
        // Invariants: every visit is in exactly one child; errors are sorted.
        std::size_t visits = 0;
        for (const auto &p : parsed.patients) visits += p.visits.size();
        if (visits != static_cast<std::size_t>(parsed.data_rows)) std::abort();
        for (std::size_t i = 1; i < parsed.errors.size(); ++i)
            if (parsed.errors[i].row_number < parsed.errors[i - 1].row_number) std::abort();
    } catch (const npda::Error &) {
        // A rejected file.
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size) {
    const std::string_view bytes(reinterpret_cast<const char *>(data), size);
    const auto records = npda::read_csv(bytes);
    for (std::size_t i = 1; i < records.size(); ++i)
        if (records[i].record_number <= records[i - 1].record_number) std::abort();
    read_one(bytes, npda::DatasetYear::y2021, 2024, "PZ041");
    read_one(bytes, npda::DatasetYear::y2026, 2026, "PZ041");
    read_one(bytes, npda::DatasetYear::y2021, 2024, "PZ248");
    return 0;
}
