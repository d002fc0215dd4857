// read_submission: decoding, header matching, the structural checks that
// reject a whole file (docs/data-model.md §6), the row pass and the hand-over
// to grouping. Cell rules: field_rules.cpp; row rules: cross_field_rules.cpp;
// children: patient_grouping.cpp.
#include "ingest/submission_reader.hpp"

#include <limits>
#include <algorithm>
#include <cstdio>
#include <map>
#include <memory>
#include <unordered_map>

#include "ingest/error_codes.hpp"
#include "ingest/submission_internal.hpp"

namespace npda {

namespace detail {

void ErrorSink::add(int row, int order, std::string_view heading, std::string_view value, std::string_view code,
                    std::string message) {
    if (muted_) return;
    CodeCount &c = counts_[std::string(code)];
    if (c.row != row) c.row = row, c.row_recorded = 0;
    if (c.recorded >= limits_.per_code || c.row_recorded >= limits_.per_row_and_code) {
        if (c.capped++ == 0 || row < c.first_capped_row) c.first_capped_row = row;
        return;
    }
    ++c.recorded;
    ++c.row_recorded;
    rows_.insert(row);
    // The offending value as submitted, cut at a character boundary.
    std::string kept(value);
    if (utf8_length(kept) > limits_.value_chars) kept = utf8_prefix(kept, limits_.value_chars) + "\u2026";
    entries_.push_back({order,
                        FieldError{row, std::string(heading), std::move(kept), std::string(code), std::move(message)}});
}

std::vector<FieldError> ErrorSink::take_sorted() {
    for (const auto &[code, c] : counts_) {
        if (c.capped == 0) continue;
        entries_.push_back({std::numeric_limits<int>::max(),
                            FieldError{c.first_capped_row, "", "", code,
                                       std::to_string(c.capped) + " more findings " + code +
                                           " are not listed, from row " + std::to_string(c.first_capped_row) +
                                           " on (at most " + std::to_string(limits_.per_code) + " per file and " +
                                           std::to_string(limits_.per_row_and_code) + " per row are recorded)."}});
    }
    counts_.clear();
    std::stable_sort(entries_.begin(), entries_.end(), [](const Entry &a, const Entry &b) {
        if (a.error.row_number != b.error.row_number) return a.error.row_number < b.error.row_number;
        return a.order < b.order;
    });
    std::vector<FieldError> out;
    out.reserve(entries_.size());
    for (auto &e : entries_) out.push_back(std::move(e.error));
    entries_.clear();
    return out;
}

std::string_view ReaderState::heading(int column) const {
    if (column < 0 || column >= static_cast<int>(columns.size())) return {};
    if (column == 0 && uses_urn) return kUrnHeading;
    return columns[static_cast<std::size_t>(column)].heading;
}

std::string_view ReaderState::cell(const CsvRow &row, int column) const {
    if (column < 0 || static_cast<std::size_t>(column) >= file_column.size()) return {};
    const int fc = file_column[static_cast<std::size_t>(column)];
    if (fc < 0 || static_cast<std::size_t>(fc) >= row.fields.size()) return {};
    return trim_cell(row.fields[static_cast<std::size_t>(fc)]);
}

std::string ReaderState::raw_cell(const RowData &r, int column) const {
    CsvParser parser(text, r.row_number, r.offset);
    CsvRow row;
    if (!parser.next(row)) return {};
    return std::string(cell(row, column));
}

std::string quoted(std::string_view s) {
    constexpr std::size_t kMax = 80;
    std::string out = "'";
    if (s.size() <= kMax) {
        out.append(s);
    } else {
        std::size_t cut = kMax;
        while (cut > 0 && (static_cast<unsigned char>(s[cut]) & 0xC0) == 0x80) --cut;  // keep UTF-8 whole
        out.append(s.substr(0, cut));
        out += "...";
    }
    out += "'";
    return out;
}

std::string format_number(double v) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%g", v);
    return buf;
}

}  // namespace detail

namespace {

using detail::ReaderState;
using detail::RowData;

// "Rows 5, 9" / "Row 5" style lists, capped so a message stays readable.
std::string list_numbers(const std::vector<int> &numbers, std::size_t cap = 20) {
    std::string out;
    for (std::size_t i = 0; i < numbers.size() && i < cap; ++i) {
        if (i) out += ", ";
        out += std::to_string(numbers[i]);
    }
    if (numbers.size() > cap) out += " and " + std::to_string(numbers.size() - cap) + " more";
    return out;
}

std::string list_texts(const std::vector<std::string> &items, std::size_t cap = 20) {
    std::string out;
    for (std::size_t i = 0; i < items.size() && i < cap; ++i) {
        if (i) out += ", ";
        out += items[i];
    }
    if (items.size() > cap) out += " and " + std::to_string(items.size() - cap) + " more";
    return out;
}

// Spreadsheet column letters: 1 -> A, 27 -> AA.
std::string column_letters(int number) {
    std::string s;
    while (number > 0) {
        const int r = (number - 1) % 26;
        s.insert(s.begin(), static_cast<char>('A' + r));
        number = (number - 1) / 26;
    }
    return s;
}

std::string file_column_name(int file_column) {
    return "column " + std::to_string(file_column + 1) + " (" + column_letters(file_column + 1) + ")";
}

std::string dataset_name(DatasetYear y) { return y == DatasetYear::y2026 ? "2026" : "2021"; }

std::string period_name(int audit_year) {
    if (audit_year <= 0) return "this audit period";
    char buf[48];
    std::snprintf(buf, sizeof buf, "the %d-%02d audit period", audit_year, (audit_year + 1) % 100);
    return buf;
}

std::string template_hint(const SubmissionContext &ctx) {
    const auto &cols = dataset_columns(ctx.dataset);
    return "Download the " + dataset_name(ctx.dataset) + " template (" + std::to_string(cols.size()) +
           " columns), which " + period_name(ctx.audit_year) +
           " uses, and put your data under its headings; column order does not matter.";
}

// How well a header fits a dataset: number of headings matched.
int matched_headings(const std::vector<std::string_view> &headings, DatasetYear y) {
    const auto &index = heading_index(y);
    int n = 0;
    for (const auto h : headings)
        if (!h.empty() && index.match(h).kind != HeadingMatch::Kind::unknown) ++n;
    return n;
}

// What the header row holds, heading by heading. The headings are views into
// the header row: valid while it is.
struct HeaderScan {
    std::vector<std::string_view> headings;  // cleaned, one per file column
    std::vector<std::vector<int>> seen;      // template column -> the file columns with its heading
    std::vector<int> urn_columns;            // file columns headed Unique Reference Number
    std::vector<std::string> extra;          // headings that match nothing, quoted
    int known = 0;                           // headings that match a template column or the URN
};

// Match every heading of the header row against the dataset's template.
HeaderScan scan_headings(const ReaderState &st, const CsvRow &header, int &heading_count, std::vector<bool> &headed) {
    const auto &index = heading_index(st.year);
    HeaderScan scan;
    scan.seen.resize(st.columns.size());
    heading_count = 0;
    headed.assign(header.fields.size(), false);
    for (std::size_t j = 0; j < header.fields.size(); ++j) {
        const std::string_view h = clean_heading(header.fields[j]);
        scan.headings.push_back(h);
        if (h.empty()) continue;
        headed[j] = true;  // no heading: see value_without_heading in the row pass
        ++heading_count;
        const HeadingMatch m = index.match(h);
        const int fj = static_cast<int>(j);
        switch (m.kind) {
            case HeadingMatch::Kind::template_column:
                ++scan.known;
                scan.seen[static_cast<std::size_t>(m.column)].push_back(fj);
                break;
            case HeadingMatch::Kind::unique_reference_number:
                ++scan.known;
                scan.urn_columns.push_back(fj);
                break;
            case HeadingMatch::Kind::unknown: scan.extra.push_back(detail::quoted(h)); break;
        }
    }
    return scan;
}

// NP003: not one heading of the template.
void check_any_heading_known(const ReaderState &st, const HeaderScan &scan) {
    if (scan.known > 0) return;
    std::vector<std::string> first;
    for (std::size_t j = 0; j < scan.headings.size() && j < 5; ++j) first.push_back(detail::quoted(scan.headings[j]));
    throw Error(sqlstate::kNoHeader, "no recognisable header row",
                "None of the cells of the first row is a heading of the " + dataset_name(st.year) +
                    " template; it starts " + list_texts(first) + ".",
                "The first row of the file must hold the column headings. " + template_hint(st.ctx));
}

// NP006: duplicated headings (also two spellings of one heading, e.g. DOB and
// Date of Birth). Otherwise each template column takes its file column.
void map_template_columns(ReaderState &st, const HeaderScan &scan) {
    const auto &cols = st.columns;
    st.file_column.assign(cols.size(), -1);
    std::vector<std::string> duplicates;
    for (std::size_t c = 0; c < cols.size(); ++c) {
        if (scan.seen[c].size() > 1) {
            std::vector<std::string> where;
            for (const int fj : scan.seen[c]) where.push_back(file_column_name(fj));
            duplicates.push_back(detail::quoted(cols[c].heading) + " (" + list_texts(where) + ")");
        }
        if (!scan.seen[c].empty()) st.file_column[c] = scan.seen[c].front();
    }
    if (scan.urn_columns.size() > 1) {
        std::vector<std::string> where;
        for (const int fj : scan.urn_columns) where.push_back(file_column_name(fj));
        duplicates.push_back(detail::quoted(kUrnHeading) + " (" + list_texts(where) + ")");
    }
    if (!duplicates.empty())
        throw Error(sqlstate::kDuplicateColumns, "file has duplicate columns",
                    "These headings appear more than once: " + list_texts(duplicates) + ".",
                    "Keep one column for each heading of the " + dataset_name(st.year) + " template.");
}

// NP007, the identifier column (docs/data-model.md §4.3): URN only for PZ248 (Jersey), NHS Number
// for every other PDU.
void map_identifier_column(ReaderState &st, const HeaderScan &scan, const std::string &pz) {
    const bool has_nhs = !scan.seen[0].empty();
    const bool has_urn = !scan.urn_columns.empty();
    const bool jersey = pz == "PZ248";
    if (has_nhs && has_urn)
        throw Error(sqlstate::kIdentifierColumn, "file has both NHS Number and Unique Reference Number columns",
                    "A file identifies children by one column only.",
                    jersey ? "Files from PZ248 use the Unique Reference Number column: remove the NHS Number column."
                           : "Files from " + pz +
                                 " use the NHS Number column: remove the Unique Reference Number column.");
    if (!has_nhs && !has_urn)
        throw Error(sqlstate::kIdentifierColumn, "file has no identifier column",
                    jersey ? "Files from PZ248 identify children in a \"Unique Reference Number\" column."
                           : "Files from " + pz + " identify children in an \"NHS Number\" column.",
                    template_hint(st.ctx));
    if (jersey && has_nhs)
        throw Error(sqlstate::kIdentifierColumn, "files from PZ248 must use the Unique Reference Number column",
                    "The file has an NHS Number column; Jersey General Hospital identifies children by Unique "
                    "Reference Number.",
                    "Rename the column to \"Unique Reference Number\" and fill it with each child's URN.");
    if (!jersey && has_urn)
        throw Error(sqlstate::kIdentifierColumn, "files from " + pz + " must use the NHS Number column",
                    "The file has a Unique Reference Number column, which only PZ248 (Jersey) uses.",
                    "Rename the column to \"NHS Number\" and fill it with each child's NHS number, or submit the "
                    "file under PZ248 if it is Jersey's.");
    st.uses_urn = has_urn;
    if (has_urn) st.file_column[0] = scan.urn_columns.front();
}

// NP004 / NP005: template columns missing, or columns not in the template.
// A file made from the other dataset's template gets a precise hint.
void check_missing_and_extra(const ReaderState &st, const HeaderScan &scan, int heading_count) {
    const SubmissionContext &ctx = st.ctx;
    const auto &cols = st.columns;
    std::vector<std::string> missing;
    for (std::size_t c = 1; c < cols.size(); ++c)
        if (scan.seen[c].empty()) missing.push_back(detail::quoted(cols[c].heading));
    if (missing.empty() && scan.extra.empty()) return;
    std::string detail;
    if (!missing.empty()) detail = "Missing columns: " + list_texts(missing);
    if (!scan.extra.empty())
        detail += (detail.empty() ? "Extra columns: " : "; extra columns: ") + list_texts(scan.extra);
    detail += ".";
    std::string hint = template_hint(ctx);
    const DatasetYear other = st.year == DatasetYear::y2021 ? DatasetYear::y2026 : DatasetYear::y2021;
    const int other_matches = matched_headings(scan.headings, other);
    if (other_matches > scan.known && other_matches >= heading_count - 1)
        hint = "The file looks like the " + dataset_name(other) + " template, but " + period_name(ctx.audit_year) +
               " uses the " + dataset_name(st.year) + " dataset: download the " + dataset_name(st.year) +
               " template (" + std::to_string(cols.size()) + " columns) and put your data under its headings.";
    if (!missing.empty())
        throw Error(sqlstate::kMissingColumns,
                    "file is missing " + std::to_string(missing.size()) + " template column" +
                        (missing.size() == 1 ? "" : "s"),
                    detail, hint);
    throw Error(sqlstate::kExtraColumns,
                "file has " + std::to_string(scan.extra.size()) +
                    (scan.extra.size() == 1 ? " column that is not" : " columns that are not") + " in the template",
                detail, hint);
}

// Maps the header row onto the template, throwing the structural errors of
// docs/data-model.md §6.4 that concern headings. heading_count: the non-empty
// headings; headed: which file columns have one.
void map_header(ReaderState &st, const CsvRow &header, const std::string &pz, int &heading_count,
                std::vector<bool> &headed) {
    const HeaderScan scan = scan_headings(st, header, heading_count, headed);
    check_any_heading_known(st, scan);
    map_template_columns(st, scan);
    map_identifier_column(st, scan, pz);
    check_missing_and_extra(st, scan, heading_count);
}

struct PduTally {
    std::string value;  // normalised PZ code, or the text as written when it is not one
    std::vector<int> rows;
};

// Note the PDU Number of one row (a blank cell says nothing).
void tally_pdu(std::vector<PduTally> &pdus, std::string_view pdu, int row_number) {
    if (pdu.empty()) return;
    const auto norm = normalise_pz_code(pdu);
    const std::string key = norm ? *norm : detail::quoted(pdu);
    auto it = std::find_if(pdus.begin(), pdus.end(), [&](const PduTally &p) { return p.value == key; });
    if (it == pdus.end())
        pdus.push_back({key, {row_number}});
    else
        it->rows.push_back(row_number);
    if (pdus.size() > 50) pdus.resize(50);  // the file is rejected anyway; keep the message bounded
}

void check_pdu(ReaderState &st, const std::vector<PduTally> &pdus, const std::string &pz, int first_data_row) {
    if (pdus.empty()) {
        // Our rule (docs/data-model.md §6.3): blank on every row -> the submitting PDU, with a finding.
        const int c = st.col(FieldId::pdu_number);
        st.errors.add(first_data_row, c, st.heading(c), "", error_code::kPduNumberMissing,
                      "PDU Number is blank on every row; the file was taken to be " + pz + "'s.");
        return;
    }
    if (pdus.size() == 1 && pdus.front().value == pz) return;
    std::vector<std::string> parts;
    for (const auto &p : pdus) {
        const bool one = p.rows.size() == 1;
        parts.push_back(p.value + (one ? " in row " : " in rows ") + list_numbers(p.rows, 10));
    }
    const std::string detail = "PDU Numbers in the file: " + list_texts(parts) + ".";
    if (pdus.size() == 1)
        throw Error(sqlstate::kPduMismatch, "file is for " + pdus.front().value + ", not " + pz, detail,
                    "Submit the file under " + pdus.front().value + ", or correct its PDU Number column.");
    throw Error(sqlstate::kPduMismatch, "file carries more than one PDU Number", detail,
                "A file holds the children of one PDU: submit the rows of each PDU under its own PZ code "
                "(every row of this file must say " +
                    pz + " or be blank).");
}

// Values in columns without a heading (beyond the header, or under an empty
// heading cell): structural on the first data row (docs/data-model.md §6.4,
// NP009), otherwise a
// finding and the value is ignored.
void check_unheaded_values(ReaderState &st, const CsvRow &row, bool first_row, int heading_count,
                           const std::vector<bool> &headed) {
    int values = 0;
    for (const auto f : row.fields)
        if (!trim_cell(f).empty()) ++values;
    if (first_row && values > heading_count)
        throw Error(sqlstate::kTooManyValues,
                    "row " + std::to_string(row.record_number) + " has more values than the header has headings",
                    "Row " + std::to_string(row.record_number) + " holds " + std::to_string(values) +
                        " values but the header row has " + std::to_string(heading_count) + " headings.",
                    "Check that the first row of the file is the header row and that no heading is "
                    "missing. " +
                        template_hint(st.ctx));
    for (std::size_t j = 0; j < row.fields.size(); ++j) {
        if (j < headed.size() && headed[j]) continue;
        const std::string_view v = trim_cell(row.fields[j]);
        if (v.empty()) continue;
        const int fj = static_cast<int>(j);
        st.errors.add(row.record_number, 1000 + fj, "", v, error_code::kValueWithoutHeading,
                      "The value in " + file_column_name(fj) + " has no heading and was ignored.");
    }
}

// An identifier cell holding only separators ("-", " - ") names no child
// either: treat it as missing rather than as one shared child.
bool names_no_child(std::string_view id) {
    return std::none_of(id.begin(), id.end(), [](char c) { return c != ' ' && c != '-' && c != '\t'; });
}

// NP008: rows without an identifier.
[[noreturn]] void reject_missing_identifiers(const ReaderState &st, const std::vector<int> &rows) {
    const std::string id_name(st.heading(0));
    const bool one = rows.size() == 1;
    throw Error(sqlstate::kMissingIdentifier,
                std::to_string(rows.size()) + (one ? " row has no " : " rows have no ") + id_name,
                (one ? "Row " : "Rows ") + list_numbers(rows) + (one ? " has no " : " have no ") + id_name + ".",
                "Every row needs the child's " + id_name + ": fill it in or delete the row.");
}

}  // namespace

namespace detail {

RowData read_row(ReaderState &st, const CsvRow &row) {
    RowData rd;
    rd.row_number = row.record_number;
    rd.offset = row.begin_offset;
    read_row_cells(st, rd, row);
    rd.visit.row_number = rd.row_number;
    check_visit_rules(st, rd, row);
    return rd;
}

}  // namespace detail

struct SubmissionReader::Impl {
    explicit Impl(const SubmissionContext &c) : ctx(c) {}
    SubmissionContext ctx;
    std::string scratch;  // the decoded text when it is not the file's bytes as they are
    std::string_view text;
    SourceEncoding encoding = SourceEncoding::utf8;
    std::unique_ptr<ReaderState> st;
    int data_rows = 0;
    // Pass 1 keeps, per data row, where it starts and its record number; and
    // per child (in order of first appearance) its rows, as indices into
    // those, in file order (child c: child_rows[child_start[c] .. child_start[c + 1])).
    std::vector<std::size_t> row_offset;
    std::vector<int> row_number;
    std::vector<std::size_t> child_start;
    std::vector<int> child_rows;
    std::size_t next_child = 0;
    // The rows' values from the first pass, while the file has at most
    // ctx.keep_rows data rows (empty otherwise); indexed like row_offset.
    std::vector<RowData> kept;
    bool keeping = true;
};

SubmissionReader::SubmissionReader(std::string_view file_bytes, const SubmissionContext &ctx)
    : impl_(std::make_unique<Impl>(ctx)) {
    Impl &m = *impl_;
    const auto pz_opt = normalise_pz_code(ctx.pz_code);
    if (!pz_opt)
        throw Error(sqlstate::kInvalidArgument, "invalid PDU code \"" + ctx.pz_code + "\"",
                    "A PDU code is PZ followed by three digits.", "Pass the submitting PDU's code, e.g. PZ041.");
    const std::string &pz = *pz_opt;

    m.text = decode_text_into(file_bytes, m.scratch, m.encoding);
    m.st = std::make_unique<ReaderState>(m.ctx, m.text);
    ReaderState &st = *m.st;
    CsvParser parser(st.text);
    CsvRow row;
    if (!parser.next_nonblank(row))
        throw Error(sqlstate::kEmptyFile, "file is empty", "The file has no rows.",
                    "Choose the exported CSV file. " + template_hint(ctx));
    int heading_count = 0;
    std::vector<bool> headed;  // file column has a heading
    map_header(st, row, pz, heading_count, headed);

    const int pdu_col = st.col(FieldId::pdu_number);
    std::vector<int> missing_identifier;
    std::vector<PduTally> pdus;
    int first_data_row = 0;
    // Children by normalised identifier, and each row's child.
    std::unordered_map<std::string, int> index;
    std::vector<int> row_child;
    std::vector<std::size_t> child_size;

    while (parser.next_nonblank(row)) {
        if ((m.data_rows & 4095) == 0) ctx.interrupt();
        ++m.data_rows;
        if (first_data_row == 0) first_data_row = row.record_number;
        check_unheaded_values(st, row, m.data_rows == 1, heading_count, headed);
        if (names_no_child(st.cell(row, 0))) missing_identifier.push_back(row.record_number);
        tally_pdu(pdus, st.cell(row, pdu_col), row.record_number);
        if (!missing_identifier.empty()) continue;  // the file will be rejected: skip the field work
        // The row's findings are made now, in file order; its values are
        // read again when its child is built (next_batch).
        RowData rd = detail::read_row(st, row);
        const auto [it, inserted] = index.emplace(rd.identifier, static_cast<int>(child_size.size()));
        if (inserted) child_size.push_back(0);
        ++child_size[static_cast<std::size_t>(it->second)];
        row_child.push_back(it->second);
        m.row_offset.push_back(row.begin_offset);
        m.row_number.push_back(row.record_number);
        if (m.keeping && m.kept.size() < m.ctx.keep_rows) {
            m.kept.push_back(std::move(rd));
        } else if (m.keeping) {
            m.keeping = false;
            m.kept = {};
        }
    }
    if (m.data_rows == 0)
        throw Error(sqlstate::kEmptyFile, "file has no data rows",
                    "The file has a header row but no rows of data under it.",
                    "Add one row per visit under the header, or check that the right file was chosen.");
    if (!missing_identifier.empty()) reject_missing_identifiers(st, missing_identifier);
    check_pdu(st, pdus, pz, first_data_row);

    index = {};
    m.child_start.assign(child_size.size() + 1, 0);
    for (std::size_t c = 0; c < child_size.size(); ++c) m.child_start[c + 1] = m.child_start[c] + child_size[c];
    std::vector<std::size_t> fill(m.child_start.begin(), m.child_start.end() - 1);
    m.child_rows.assign(row_child.size(), 0);
    for (std::size_t r = 0; r < row_child.size(); ++r)
        m.child_rows[fill[static_cast<std::size_t>(row_child[r])]++] = static_cast<int>(r);
}

SubmissionReader::~SubmissionReader() = default;

DatasetYear SubmissionReader::dataset() const { return impl_->ctx.dataset; }
SourceEncoding SubmissionReader::encoding() const { return impl_->encoding; }
int SubmissionReader::data_rows() const { return impl_->data_rows; }
std::size_t SubmissionReader::patient_count() const { return impl_->child_start.size() - 1; }

bool SubmissionReader::next_batch(std::vector<PatientRecord> &out, std::size_t max_rows) {
    Impl &m = *impl_;
    ReaderState &st = *m.st;
    out.clear();
    const std::size_t children = patient_count();
    if (m.next_child >= children) return false;
    // The children of this batch: at least one, and as many more as fit.
    std::size_t end = m.next_child + 1;
    while (end < children && m.child_start[end + 1] - m.child_start[m.next_child] <= max_rows) ++end;
    // Their rows' values: kept from the first pass, or read again without
    // reporting (the first pass did).
    st.rows.clear();
    st.rows.reserve(m.child_start[end] - m.child_start[m.next_child]);
    st.errors.set_muted(true);
    CsvRow row;
    for (std::size_t k = m.child_start[m.next_child]; k < m.child_start[end]; ++k) {
        const std::size_t r = static_cast<std::size_t>(m.child_rows[k]);
        if (m.keeping) {
            st.rows.push_back(std::move(m.kept[r]));
            continue;
        }
        if ((k & 4095) == 0) st.ctx.interrupt();
        CsvParser parser(st.text, m.row_number[r], m.row_offset[r]);
        parser.next(row);
        st.rows.push_back(detail::read_row(st, row));
    }
    st.errors.set_muted(false);
    out.reserve(end - m.next_child);
    std::vector<int> members;
    int local = 0;
    for (std::size_t c = m.next_child; c < end; ++c) {
        members.clear();
        for (std::size_t k = m.child_start[c]; k < m.child_start[c + 1]; ++k) members.push_back(local++);
        out.push_back(detail::resolve_child(st, members));
    }
    st.rows.clear();
    m.next_child = end;
    return true;
}

bool SubmissionReader::row_has_finding(int row) const { return impl_->st->errors.has_row(row); }

std::vector<FieldError> SubmissionReader::take_errors() { return impl_->st->errors.take_sorted(); }

ParsedSubmission read_submission(std::string_view file_bytes, const SubmissionContext &ctx) {
    SubmissionReader reader(file_bytes, ctx);
    ParsedSubmission out;
    out.dataset = reader.dataset();
    out.encoding = reader.encoding();
    out.data_rows = reader.data_rows();
    out.patients.reserve(reader.patient_count());
    std::vector<PatientRecord> batch;
    while (reader.next_batch(batch, 65536))
        for (auto &p : batch) out.patients.push_back(std::move(p));
    out.errors = reader.take_errors();
    return out;
}

}  // namespace npda
