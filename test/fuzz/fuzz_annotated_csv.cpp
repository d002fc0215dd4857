// libFuzzer harness for the annotated data quality report
// (src/core/ingest/annotated_csv.hpp): arbitrary file bytes and arbitrary
// findings. A file that is not text (npda::Error) is a normal outcome. Any
// other exception, a crash, a sanitizer report or a broken invariant is a bug:
// record numbers increase; each record shows exactly the findings added for
// its row, in order; and every written line, read back as CSV, gives the
// findings and the record's fields again.
//
//   make fuzz   (docs/fuzzing.md), or build-fuzz/fuzz_annotated_csv -max_total_time=60 test/fuzz/corpus/fuzz_annotated_csv
#include <fuzzer/FuzzedDataProvider.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <map>
#include <string>
#include <vector>

#include "errors.hpp"
#include "ingest/annotated_csv.hpp"
#include "ingest/csv_reader.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size) {
    FuzzedDataProvider in(data, size);
    // Findings first (a few, on low row numbers), then the file.
    std::map<int, std::vector<std::string>> added;
    const int findings = in.ConsumeIntegralInRange<int>(0, 12);
    std::vector<std::pair<int, std::string>> notes;
    for (int i = 0; i < findings; ++i) {
        const int row = in.ConsumeIntegralInRange<int>(0, 40);
        notes.emplace_back(row, in.ConsumeRandomLengthString(48));
    }
    const std::string file = in.ConsumeRemainingBytesAsString();
    try {
        npda::AnnotatedCsv report(file);
        for (const auto &[row, line] : notes) {
            report.add_finding(row, line);
            added[row].push_back(line);
        }
        npda::AnnotatedRecord rec;
        int last = 0;
        while (report.next(rec)) {
            if (rec.row_number <= last) std::abort();
            last = rec.row_number;
            const auto it = added.find(rec.row_number);
            std::string expected;
            int count = 0;
            if (it != added.end())
                for (const auto &l : it->second) expected += (count++ ? "\n" : "") + l;
            if (rec.error_count != count || rec.errors != expected) std::abort();
            if (rec.fields.empty()) std::abort();
            // The line reads back as the findings column and the fields.
            const std::string line = npda::annotated_line(rec);
            npda::CsvParser parser(line);
            npda::CsvRow back;
            if (!parser.next(back)) std::abort();
            if (back.fields.size() != rec.fields.size() + 1) std::abort();
            if (back.fields[0] != (rec.row_number == 1 ? std::string_view("NPDA findings") : rec.errors)) std::abort();
            for (std::size_t f = 0; f < rec.fields.size(); ++f)
                if (back.fields[f + 1] != rec.fields[f]) std::abort();
            if (parser.next(back)) std::abort();  // one record, nothing after it
        }
    } catch (const npda::Error &) {
        // Not a text file.
    }
    return 0;
}
