// The annotated data quality report, record by record (annotated_csv.hpp).
#include "ingest/annotated_csv.hpp"

namespace npda {

AnnotatedCsv::AnnotatedCsv(std::string_view file_bytes) : parser_(std::string_view()) {
    SourceEncoding encoding;
    text_ = decode_text_into(file_bytes, scratch_, encoding);
    parser_ = CsvParser(text_);
}

void AnnotatedCsv::add_finding(int row_number, std::string_view line) {
    Notes &n = notes_[row_number];
    if (n.count++) n.text += '\n';
    n.text.append(line);
}

bool AnnotatedCsv::next(AnnotatedRecord &out) {
    if (!parser_.next_nonblank(row_)) return false;
    out.row_number = row_.record_number;
    out.fields = row_.fields;
    const auto it = notes_.find(row_.record_number);
    if (it == notes_.end()) {
        out.error_count = 0;
        out.errors = {};
    } else {
        out.error_count = it->second.count;
        out.errors = it->second.text;
    }
    return true;
}

namespace {

void append_quoted(std::string &out, std::string_view s) {
    out += '"';
    for (const char c : s) {
        if (c == '"') out += '"';
        out += c;
    }
    out += '"';
}

}  // namespace

std::string annotated_line(const AnnotatedRecord &record) {
    std::string out;
    if (record.row_number == 1)
        out = "NPDA findings";
    else
        append_quoted(out, record.errors);
    for (const std::string_view f : record.fields) {
        out += ',';
        if (f.find_first_of("\",\r\n") != std::string_view::npos)
            append_quoted(out, f);
        else
            out.append(f);
    }
    return out;
}

}  // namespace npda
