// RFC 4180 CSV reading over UTF-8 text (docs/data-model.md §6.1, §9).
//
// Record numbers are what a spreadsheet shows as row numbers: the first record
// (the header) is 1, every record terminator outside quotes advances the
// number, and a quoted field holding line breaks does not. Blank records (no
// characters, or only empty / whitespace fields such as ",,,,") still take a
// number, so row numbers stay aligned with the spreadsheet, but they carry no
// data and are skipped by read_csv; trailing empty rows therefore vanish.
//
// Tolerances (a real export is never perfect, and failing is worse than reading
// literally): LF, CRLF and bare CR line ends; a quote inside an unquoted field
// is kept as a literal character; text after a closing quote is appended
// literally; an unterminated quoted field runs to the end of the input.
#pragma once
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>
#include "no_postgres.hpp"

namespace npda {

struct CsvRecord {
    int record_number = 0;            // 1 for the first record
    std::vector<std::string> fields;  // unquoted, doubled quotes undone
};

// Split text into its non-blank records (copies every field; the streaming
// CsvParser below avoids the copies).
std::vector<CsvRecord> read_csv(std::string_view utf8);

// One record as views. The views point into the parser's input or into the
// row's own scratch buffer (fields that needed unescaping); they stay valid
// until the row is passed to CsvParser::next again.
class CsvRow {
public:
    int record_number = 0;
    std::size_t begin_offset = 0;  // byte offset of the record in the input
    std::vector<std::string_view> fields;

    // True when every field is empty or only spaces and tabs.
    bool is_blank() const;

private:
    friend class CsvParser;
    struct Span {
        std::size_t offset;
        std::size_t length;
        bool in_scratch;
    };
    std::string scratch_;
    std::vector<Span> spans_;
};

// Single-pass streaming parser: no regex, no per-field allocation in the
// common case.
class CsvParser {
public:
    explicit CsvParser(std::string_view text, int first_record_number = 1)
        : text_(text), next_number_(first_record_number) {}
    // Start at byte `start` of text (where a record begins, e.g. a
    // CsvRow::begin_offset seen before), that record numbered
    // first_record_number; offsets stay relative to the whole text.
    CsvParser(std::string_view text, int first_record_number, std::size_t start)
        : text_(text), pos_(start), next_number_(first_record_number) {}

    // Read the next record, blank or not; false at the end of the input.
    bool next(CsvRow &row);
    // Read the next non-blank record; false at the end of the input.
    bool next_nonblank(CsvRow &row);

private:
    void read_quoted_field(CsvRow &row);

    std::string_view text_;
    std::size_t pos_ = 0;
    int next_number_;
};

}  // namespace npda
