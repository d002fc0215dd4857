// libFuzzer harness for the field and row rules on random records
// (src/core/ingest/field_rules.cpp, cross_field_rules.cpp, patient_grouping.cpp):
// a well-formed file of the template's headings whose cells come from the
// fuzzer -- mostly plausible values (dates, codes, numbers, valid NHS numbers
// shared between rows so children group) bent at random, sometimes arbitrary
// bytes. The structure is always accepted, so every input reaches the rules.
// Invariants: no exception but npda::Error (a structural rejection, e.g. a
// second PDU code), every row is one visit of one child, findings are sorted,
// carry known codes and keep at most the allowed characters of their value,
// and reading the children one row-batch at a time, their rows read again,
// gives exactly what read_submission gives (which keeps a small file's rows).
//
//   make fuzz   (docs/fuzzing.md), or build-fuzz/fuzz_field_rules -max_total_time=60 test/fuzz/corpus/fuzz_field_rules
#include <fuzzer/FuzzedDataProvider.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <vector>

#include "errors.hpp"
#include "ingest/dataset.hpp"
#include "ingest/error_codes.hpp"
#include "ingest/submission_reader.hpp"

namespace {

const char *const kNhs[] = {"9434765919", "943 476 5870", "9999999999", "4010232137", "401-023-2145"};
const char *const kPlausible[] = {"",           "1",          "2",          "3",          "4",      "9",
                                  "99",         "0",          "12/05/2025", "2025-05-12", "1/1/24", "31/02/2025",
                                  "01/04/2012", "15/09/2019", "01/01/2030", "48",         "6.5",    "150.2",
                                  "45.0",       "-1",         "1e400",      "nan",        "TRUE",   "PZ041",
                                  "41",         "SW1A 1AA",   "A81001",     "NOT KNOWN",  "  ",     "see notes"};

std::string cell(FuzzedDataProvider &in, const npda::ColumnDef &col, std::size_t index) {
    if (index == 0) return kNhs[in.ConsumeIntegralInRange<std::size_t>(0, std::size(kNhs) - 1)];
    if (col.field == npda::FieldId::pdu_number) return in.ConsumeBool() ? "PZ041" : "";
    switch (in.ConsumeIntegralInRange<int>(0, 5)) {
        case 0: return in.ConsumeRandomLengthString(24);
        case 1: return std::to_string(in.ConsumeIntegral<std::int16_t>());
        case 2: {
            char buf[32];
            std::snprintf(buf, sizeof buf, "%02d/%02d/%04d", in.ConsumeIntegralInRange<int>(0, 32),
                          in.ConsumeIntegralInRange<int>(0, 13), in.ConsumeIntegralInRange<int>(1899, 2031));
            return buf;
        }
        case 3: return std::to_string(in.ConsumeFloatingPointInRange<double>(-10, 500));
        default: return kPlausible[in.ConsumeIntegralInRange<std::size_t>(0, std::size(kPlausible) - 1)];
    }
}

void append_csv(std::string &out, const std::string &v) {
    if (v.find_first_of("\",\r\n") == std::string::npos) {
        out += v;
        return;
    }
    out += '"';
    for (const char c : v) out += c == '"' ? std::string("\"\"") : std::string(1, c);
    out += '"';
}

bool same(const npda::FieldError &a, const npda::FieldError &b) {
    return a.row_number == b.row_number && a.column_heading == b.column_heading && a.value == b.value &&
           a.code == b.code && a.message == b.message;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size) {
    FuzzedDataProvider in(data, size);
    const npda::DatasetYear year = in.ConsumeBool() ? npda::DatasetYear::y2026 : npda::DatasetYear::y2021;
    const auto &cols = npda::dataset_columns(year);
    std::string file;
    for (std::size_t c = 0; c < cols.size(); ++c) {
        if (c) file += ',';
        append_csv(file, std::string(cols[c].heading));
    }
    file += "\r\n";
    const int rows = in.ConsumeIntegralInRange<int>(1, 6);
    for (int r = 0; r < rows; ++r) {
        for (std::size_t c = 0; c < cols.size(); ++c) {
            if (c) file += ',';
            append_csv(file, cell(in, cols[c], c));
        }
        file += "\r\n";
    }

    npda::SubmissionContext ctx;
    ctx.pz_code = "PZ041";
    ctx.audit_year = year == npda::DatasetYear::y2026 ? 2026 : 2024;
    ctx.dataset = year;
    ctx.today = npda::date_from_ymd(ctx.audit_year, 11, 27);
    ctx.limits.per_code = in.ConsumeIntegralInRange<int>(1, 4);  // small caps: the summary findings too
    try {
        const npda::ParsedSubmission whole = npda::read_submission(file, ctx);
        std::size_t visits = 0;
        for (const auto &p : whole.patients) visits += p.visits.size();
        if (visits != static_cast<std::size_t>(whole.data_rows) || whole.data_rows != rows) std::abort();
        for (std::size_t i = 0; i < whole.errors.size(); ++i) {
            const auto &e = whole.errors[i];
            if (i && e.row_number < whole.errors[i - 1].row_number) std::abort();
            if (!npda::find_error_code(e.code)) std::abort();
            if (npda::utf8_length(e.value) > ctx.limits.value_chars + 1) std::abort();
        }
        // Rows read again (as in a big file), one row per batch: the same
        // children, visits and findings.
        ctx.keep_rows = 0;
        npda::SubmissionReader reader(file, ctx);
        std::vector<npda::PatientRecord> batch;
        std::size_t child = 0;
        while (reader.next_batch(batch, 1)) {
            for (const auto &p : batch) {
                if (child >= whole.patients.size()) std::abort();
                const auto &w = whole.patients[child++];
                if (p.nhs_number != w.nhs_number || p.first_row_number != w.first_row_number ||
                    p.visits.size() != w.visits.size() || p.date_of_birth != w.date_of_birth ||
                    p.postcode != w.postcode)
                    std::abort();
                for (std::size_t v = 0; v < p.visits.size(); ++v)
                    if (p.visits[v].row_number != w.visits[v].row_number ||
                        p.visits[v].visit_date != w.visits[v].visit_date || p.visits[v].hba1c != w.visits[v].hba1c)
                        std::abort();
            }
        }
        if (child != whole.patients.size()) std::abort();
        const auto errors = reader.take_errors();
        if (errors.size() != whole.errors.size()) std::abort();
        for (std::size_t i = 0; i < errors.size(); ++i)
            if (!same(errors[i], whole.errors[i])) std::abort();
    } catch (const npda::Error &) {
        // A structural rejection (e.g. the identifier cell holds only separators).
    }
    return 0;
}
