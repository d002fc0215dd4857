// Shared state of one read_submission call, split across the reader's files:
// submission_reader.cpp (structure, PDU and identifier checks),
// field_rules.cpp (one cell at a time), cross_field_rules.cpp (one row at a
// time) and patient_grouping.cpp (one child at a time). Not a public header.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>
#include "ingest/csv_reader.hpp"
#include "ingest/dataset.hpp"
#include "ingest/submission_reader.hpp"
#include "no_postgres.hpp"

namespace npda::detail {

// Collects field errors with their sort key (row, then template column),
// within the file's FindingLimits: past a cap a finding is only counted, and
// take_sorted() adds one summary finding per code that was capped.
class ErrorSink {
public:
    explicit ErrorSink(const FindingLimits &limits) : limits_(limits) {}
    // order: template column index; -1 for row-level findings, 1000 + file
    // column for cells without a heading.
    void add(int row, int order, std::string_view heading, std::string_view value, std::string_view code,
             std::string message);
    std::vector<FieldError> take_sorted();
    std::size_t size() const { return entries_.size(); }
    // True when a finding was recorded on the row (summary findings aside).
    bool has_row(int row) const { return rows_.count(row) != 0; }
    // While muted, add() does nothing: the second reading of a row (to build
    // its child) must not report what the first reading already did.
    void set_muted(bool muted) { muted_ = muted; }

private:
    struct Entry {
        int order;
        FieldError error;
    };
    struct CodeCount {
        int recorded = 0;      // findings of the code in the file
        int row = 0;           // the row of row_recorded
        int row_recorded = 0;  // findings of the code on that row
        long long capped = 0;  // findings counted but not recorded
        int first_capped_row = 0;
    };
    FindingLimits limits_;
    bool muted_ = false;
    std::vector<Entry> entries_;
    std::unordered_set<int> rows_;  // rows with a recorded finding
    std::unordered_map<std::string, CodeCount> counts_;
};

// One data row after the cell pass.
struct RowData {
    int row_number = 0;         // CSV record number
    std::size_t offset = 0;     // where the record starts in the decoded text
    std::uint64_t present = 0;  // bit c set: template column c has a non-empty cell
    std::string identifier;     // normalised identifier (grouping key)
    PatientRecord patient;      // this row's patient-level values (no visits)
    VisitRecord visit;
};

struct ReaderState {
    ReaderState(const SubmissionContext &c, std::string_view decoded)
        : ctx(c), year(c.dataset), columns(dataset_columns(c.dataset)), text(decoded), errors(c.limits) {}

    const SubmissionContext &ctx;
    DatasetYear year;
    const std::vector<ColumnDef> &columns;
    std::string_view text;         // the decoded file
    std::vector<int> file_column;  // template column -> file column (-1: absent)
    bool uses_urn = false;         // identifier column is Unique Reference Number
    ErrorSink errors;
    std::vector<RowData> rows;

    // Template column of a field in this dataset, -1 if the dataset has none.
    int col(FieldId f) const { return column_index(year, f); }
    // Heading for messages; the identifier column says which identifier it is.
    std::string_view heading(int column) const;
    std::string_view heading(FieldId f) const { return heading(col(f)); }
    // True when the row's cell for f is non-empty.
    bool has(const RowData &r, FieldId f) const {
        const int c = col(f);
        return c >= 0 && (r.present >> c & 1U) != 0;
    }
    // The trimmed original text of a row's cell, re-read from the file (used
    // for findings made after the row pass).
    std::string raw_cell(const RowData &r, int column) const;
    // Cell text of the current CsvRow during the row pass.
    std::string_view cell(const CsvRow &row, int column) const;
};

// field_rules.cpp: read every template cell of a row into r (patient and
// visit values), reporting cell-level errors (format, value set, range,
// storage size, future dates, NHS number, postcode, GP code).
void read_row_cells(ReaderState &st, RowData &r, const CsvRow &row);

// cross_field_rules.cpp: the rules of docs/data-model.md §4.9 on one row.
void check_visit_rules(ReaderState &st, const RowData &r, const CsvRow &row);

// patient_grouping.cpp: one child from its rows (indices into st.rows, in
// file order; docs/data-model.md §8): resolve patient-level values, report
// conflicts, apply the patient rules (§4.6) and the visit date rules that need
// the child's birth, diagnosis and death dates (§4.7). Moves the rows' visits
// into the child.
PatientRecord resolve_child(ReaderState &st, const std::vector<int> &rows);

// submission_reader.cpp: one data row through the cell and row rules.
RowData read_row(ReaderState &st, const CsvRow &row);

// Shared message helpers.
std::string quoted(std::string_view s);  // 'text', shortened when very long
std::string format_number(double v);     // 12, 6.5, 0.25

}  // namespace npda::detail
