// The annotated data quality report (npda.submission_annotated_csv and
// npda.submission_annotated_csv_lines): the stored file given back record by
// record, each with the findings made on it. Pure C++, so that it can be
// unit-tested and fuzzed without a server; src/pg/annotated_csv.cpp only
// fetches the file and the findings and hands the records to PostgreSQL.
//
// Records are produced one at a time from the decoded file (no copy of it when
// it is UTF-8 already): memory follows the file and its findings, never a
// per-field copy of the whole file.
#pragma once
#include <cstddef>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "ingest/csv_reader.hpp"
#include "ingest/text_decode.hpp"
#include "no_postgres.hpp"

namespace npda {

// One record of the annotated report. The views stay valid until the next
// call of AnnotatedCsv::next.
struct AnnotatedRecord {
    int row_number = 0;                    // CSV record number (header = 1)
    int error_count = 0;                   // findings on the record
    std::string_view errors;               // one line per finding, joined by '\n'; empty when none
    std::vector<std::string_view> fields;  // the record's fields as read (UTF-8)
};

class AnnotatedCsv {
public:
    // file_bytes must outlive this object. Throws npda::Error as decode_text
    // does (never for a file that was accepted).
    explicit AnnotatedCsv(std::string_view file_bytes);

    // A finding's line ("heading: message [code]"), for its record; lines of
    // one record are listed in the order they are added.
    void add_finding(int row_number, std::string_view line);

    // The next non-blank record of the file; false at the end. Findings on
    // rows that are not records of the file (blank rows) are not shown.
    bool next(AnnotatedRecord &out);

private:
    struct Notes {
        int count = 0;
        std::string text;
    };
    std::string scratch_;  // the decoded text when it differs from the bytes
    std::string_view text_;
    std::map<int, Notes> notes_;
    CsvParser parser_;
    CsvRow row_;
};

// One line of the annotated CSV text (without its line end): a first column
// holding the findings ("NPDA findings" on the header record, otherwise the
// findings always in quotes), then the record's fields, each quoted when it
// holds a quote, a comma or a line break. Read back as CSV it gives the
// findings and the fields again.
std::string annotated_line(const AnnotatedRecord &record);

}  // namespace npda
