// Streaming RFC 4180 parser with the tolerances listed in csv_reader.hpp.
#include "ingest/csv_reader.hpp"

#include <cstring>

namespace npda {

bool CsvRow::is_blank() const {
    for (const auto f : fields)
        for (const char c : f)
            if (c != ' ' && c != '\t') return false;
    return true;
}

// A quoted field starting at pos_ (on its opening quote). Most have no doubled
// quote and stay a view into the input; otherwise the pieces are joined in the
// row's scratch buffer. Leaves pos_ on the delimiter or at the end.
void CsvParser::read_quoted_field(CsvRow &row) {
    const std::size_t n = text_.size();
    const char *const base = text_.data();
    ++pos_;
    std::size_t piece = pos_;
    bool scratch = false;
    std::size_t scratch_start = row.scratch_.size();
    for (;;) {
        const void *q = pos_ < n ? std::memchr(base + pos_, '"', n - pos_) : nullptr;
        if (!q) {
            // Unterminated: the field runs to the end of the input.
            if (scratch) row.scratch_.append(base + piece, n - piece);
            else row.spans_.push_back({piece, n - piece, false});
            pos_ = n;
            break;
        }
        const std::size_t qi = static_cast<std::size_t>(static_cast<const char *>(q) - base);
        if (qi + 1 < n && base[qi + 1] == '"') {
            // Doubled quote: keep one.
            if (!scratch) {
                scratch = true;
                scratch_start = row.scratch_.size();
            }
            row.scratch_.append(base + piece, qi + 1 - piece);
            pos_ = qi + 2;
            piece = pos_;
            continue;
        }
        // Closing quote; anything up to the delimiter is kept literally.
        std::size_t after = qi + 1;
        std::size_t stray_end = after;
        while (stray_end < n && base[stray_end] != ',' && base[stray_end] != '\n' &&
               base[stray_end] != '\r')
            ++stray_end;
        if (stray_end > after && !scratch) {
            scratch = true;
            scratch_start = row.scratch_.size();
        }
        if (scratch) {
            row.scratch_.append(base + piece, qi - piece);
            row.scratch_.append(base + after, stray_end - after);
        } else {
            row.spans_.push_back({piece, qi - piece, false});
        }
        pos_ = stray_end;
        break;
    }
    if (scratch)
        row.spans_.push_back({scratch_start, row.scratch_.size() - scratch_start, true});
}

bool CsvParser::next(CsvRow &row) {
    const std::size_t n = text_.size();
    if (pos_ >= n) return false;
    const char *const base = text_.data();
    row.record_number = next_number_++;
    row.begin_offset = pos_;
    row.scratch_.clear();
    row.spans_.clear();

    bool end_of_record = false;
    while (!end_of_record) {
        if (pos_ < n && base[pos_] == '"') {
            read_quoted_field(row);
        } else {
            const std::size_t start = pos_;
            while (pos_ < n) {
                const char c = base[pos_];
                if (c == ',' || c == '\n' || c == '\r') break;
                ++pos_;
            }
            row.spans_.push_back({start, pos_ - start, false});
        }
        // Delimiter or record end.
        if (pos_ >= n) {
            end_of_record = true;
        } else if (base[pos_] == ',') {
            ++pos_;
            if (pos_ >= n) {
                row.spans_.push_back({pos_, 0, false});  // "a," ends with an empty field
                end_of_record = true;
            }
        } else {
            if (base[pos_] == '\r' && pos_ + 1 < n && base[pos_ + 1] == '\n') ++pos_;
            ++pos_;
            end_of_record = true;
        }
    }

    row.fields.clear();
    row.fields.reserve(row.spans_.size());
    for (const auto &s : row.spans_) {
        const char *p = s.in_scratch ? row.scratch_.data() + s.offset : base + s.offset;
        row.fields.emplace_back(p, s.length);
    }
    return true;
}

bool CsvParser::next_nonblank(CsvRow &row) {
    while (next(row))
        if (!row.is_blank()) return true;
    return false;
}

std::vector<CsvRecord> read_csv(std::string_view utf8) {
    std::vector<CsvRecord> out;
    // A rough guess (one record per ~200 bytes) avoids most regrowth.
    out.reserve(utf8.size() / 200 + 1);
    CsvParser parser(utf8);
    CsvRow row;
    while (parser.next_nonblank(row)) {
        CsvRecord rec;
        rec.record_number = row.record_number;
        rec.fields.reserve(row.fields.size());
        for (const auto f : row.fields) rec.fields.emplace_back(f);
        out.push_back(std::move(rec));
    }
    return out;
}

}  // namespace npda
