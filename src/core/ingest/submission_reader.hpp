// The submission reader: one uploaded CSV file -> children, visits and field
// errors (docs/data-model.md §4-§9). Pure C++; the PostgreSQL layer stores the
// result in one transaction.
//
// Structural problems (docs/data-model.md §6.4) throw npda::Error with an NP0xx/NP1xx SQLSTATE and
// nothing is returned; every other problem is a FieldError and never blocks.
#pragma once
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>
#include "calendar.hpp"
#include "errors.hpp"
#include "ingest/record.hpp"
#include "ingest/text_decode.hpp"
#include "ingest/value_parsing.hpp"
#include "no_postgres.hpp"

namespace npda {

// How many findings one file may record (docs/error-codes.md "Limits"). A file
// with a million bad cells must not cost a million rows and gigabytes: past a
// cap, findings are only counted, and one summary finding per code says how
// many more there were and on which row they start.
struct FindingLimits {
    int per_code = 1000;             // findings of one code in the whole file
    int per_row_and_code = 100;      // findings of one code on one row (above the 59 template columns:
                                     // only values without a heading can reach it)
    std::size_t value_chars = 1000;  // characters of the offending value kept in a finding (above every
                                     // field's own limit, so a value too long to store is shown whole)
};

struct SubmissionContext {
    std::string pz_code;  // submitting PDU, canonical "PZ041" (docs/data-model.md §6.3 accepts other forms)
    int audit_year = 0;   // start year of the audit period, 2024 = 2024-25 (used in messages)
    DatasetYear dataset = DatasetYear::y2021;  // chosen by the caller from the audit period
    Date today = 0;                            // "not in the future", two-digit years and age checks use this
    InterruptHook interrupt;                   // called every 4096 rows; it may throw npda::Interrupted
    FindingLimits limits;                      // caps on the findings recorded
    // A file of at most this many data rows keeps every row's values from the
    // first pass (about 0.8 kB a row) instead of reading the rows again to
    // build the children (SubmissionReader); the usual unit's file does.
    std::size_t keep_rows = 16384;
};

struct ParsedSubmission {
    DatasetYear dataset = DatasetYear::y2021;
    int data_rows = 0;                               // data rows read (each is one visit)
    std::vector<PatientRecord> patients;             // grouped by normalised identifier, in order of first appearance
    std::vector<FieldError> errors;                  // ordered by row_number, then template column order
    SourceEncoding encoding = SourceEncoding::utf8;  // how the bytes were decoded
};

// The reader in two passes, so that a big file never has every row's values
// in memory at once. The constructor decodes the file (without a copy when it
// is UTF-8 already), checks its structure and reads every row once, making
// every cell and row finding in file order but keeping only where each row
// starts and whose child it is. next_batch then builds the children a batch
// at a time, in order of first appearance, reading their rows again (findings
// muted) and making the child-level findings; a small file (ctx.keep_rows)
// keeps its rows' values from the first pass instead. The findings, the
// children and their order are exactly read_submission's.
class SubmissionReader {
public:
    // Throws as read_submission does for a structural problem.
    SubmissionReader(std::string_view file_bytes, const SubmissionContext &ctx);
    ~SubmissionReader();
    SubmissionReader(const SubmissionReader &) = delete;
    SubmissionReader &operator=(const SubmissionReader &) = delete;

    DatasetYear dataset() const;
    SourceEncoding encoding() const;
    int data_rows() const;              // data rows read (each is one visit)
    std::size_t patient_count() const;  // children in the file

    // The next children: at least one, and no more than fit in max_rows rows
    // between them. False (out empty) after the last child.
    bool next_batch(std::vector<PatientRecord> &out, std::size_t max_rows);
    // True when a finding is recorded on the row; final for the rows of every
    // child already returned (a summary finding, take_errors(), aside).
    bool row_has_finding(int row) const;
    // After the last batch: every finding, ordered as ParsedSubmission::errors.
    std::vector<FieldError> take_errors();

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

// Read, validate and group a submission. Throws npda::Error for a structural
// problem (SQLSTATEs in errors.hpp: kEmptyFile, kNotText, kNoHeader,
// kMissingColumns, kExtraColumns, kDuplicateColumns, kIdentifierColumn,
// kMissingIdentifier, kTooManyValues, kPduMismatch; kInvalidArgument when
// ctx.pz_code is not a PDU code), and npda::Interrupted from ctx.interrupt.
ParsedSubmission read_submission(std::string_view file_bytes, const SubmissionContext &ctx);

}  // namespace npda
