// Cell-level reading and checks (docs/data-model.md §4.2-§4.5, §4.8, §4.10,
// §7): every template cell of a row is parsed into its typed field; a value
// that cannot be stored is left absent with an error, a value of the right
// type that breaks a rule is kept and reported.
#include <cinttypes>
#include <cstdio>
#include <limits>

#include "ingest/error_codes.hpp"
#include "nhs_number.hpp"
#include "ingest/submission_internal.hpp"

namespace npda::detail {

namespace {

// True when `unit` (NumberParse::unit) is one the field's measurement is
// written in: the field's unit (fields.hpp), or "%" for HbA1c (case and spaces
// ignored). No unit is always fine; any other unit ("154lb", "5O") makes the
// value unreadable rather than silently wrong.
bool unit_accepted(const FieldDef &def, std::string_view unit) {
    if (unit.empty()) return true;
    const auto folded = [](std::string_view text) {
        std::string u;
        for (char c : text)
            if (c != ' ') u.push_back(static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c));
        return u;
    };
    const std::string u = folded(unit);
    if (def.field == FieldId::hba1c && u == "%") return true;
    return !def.unit.empty() && u == folded(def.unit);
}

namespace ec = error_code;

// The unit a measurement is written in, for messages ("" for pH).
std::string_view unit_name(const FieldDef &def, bool hba1c_percent) {
    return def.field == FieldId::hba1c && hba1c_percent ? "%" : def.unit;
}

std::string upper_copy(std::string_view s) {
    std::string out(s);
    for (auto &c : out)
        if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
    return out;
}

bool all_digits(std::string_view s) {
    if (s.empty()) return false;
    for (const char c : s)
        if (c < '0' || c > '9') return false;
    return true;
}

class CellReader {
public:
    CellReader(ReaderState &st, RowData &r) : st_(st), r_(r) {}

    void read(int column, std::string_view cell) {
        const ColumnDef &def = st_.columns[static_cast<std::size_t>(column)];
        column_ = column;
        cell_ = cell;
        switch (def.field) {
            case FieldId::nhs_number: return read_identifier();
            case FieldId::pdu_number: return;  // checked by the reader (docs/data-model.md §6.3)
            case FieldId::postcode: return read_postcode();
            case FieldId::ethnicity: return read_ethnicity();
            case FieldId::gp_practice_ods_code: return read_gp_code();
            default: break;
        }
        // The value goes to the field's record member (fields.hpp).
        switch (def.type) {
            case ValueType::date: return store(def.patient.i32, def.visit.i32, read_date());
            case ValueType::code: return store(def.patient.i16, def.visit.i16, read_code(def));
            case ValueType::decimal: return store(def.patient.f64, def.visit.f64, read_decimal(def));
            case ValueType::integer: return store(def.patient.i32, def.visit.i32, read_integer(def));
            case ValueType::text: return store(def.patient.txt, def.visit.txt, read_text(def));
        }
    }

private:
    template <typename T>
    void store(std::optional<T> PatientRecord::*patient, std::optional<T> VisitRecord::*visit,
               std::optional<T> value) {
        if (patient) r_.patient.*patient = std::move(value);
        else if (visit) r_.visit.*visit = std::move(value);
    }

    void error(std::string_view code, std::string message) {
        st_.errors.add(r_.row_number, column_, st_.heading(column_), cell_, code, std::move(message));
    }
    std::string heading() const { return quoted(st_.heading(column_)); }

    // A value longer than its field's limit (fields.cpp): one value_too_large
    // finding; true when the value must not be stored whole.
    bool too_long(FieldId f) {
        const std::uint16_t limit = field_def(f).max_length;
        if (limit == 0 || utf8_length(cell_) <= limit) return false;
        error(ec::kValueTooLarge, heading() + " is longer than " + std::to_string(limit) +
                                      " characters; no valid value is that long.");
        return true;
    }

    void read_identifier() {
        // An identifier is the key the child's rows are grouped by, so one too
        // long to be real is kept cut to its limit (its rows still group, and
        // the index on it stays within bounds) with a value_too_large finding.
        const FieldId f = st_.uses_urn ? FieldId::unique_reference_number : FieldId::nhs_number;
        if (too_long(f)) {
            r_.identifier = utf8_prefix(cell_, field_def(f).max_length);
            (st_.uses_urn ? r_.patient.unique_reference_number : r_.patient.nhs_number) = r_.identifier;
            return;
        }
        if (st_.uses_urn) {
            // docs/data-model.md §4.3: digits only; stored in varchar(50).
            r_.identifier.assign(cell_);
            r_.patient.unique_reference_number = r_.identifier;
            if (!all_digits(cell_))
                error(ec::kUrnFormat, "Invalid Unique Reference Number " + quoted(cell_) +
                                          ": it must be digits only (at most 50).");
            return;
        }
        // docs/data-model.md §4.2: normalise first (spaces, hyphens), then the modulus-11 check.
        const auto digits = normalise_nhs_number(cell_);
        r_.identifier = digits ? *digits : std::string(cell_);
        r_.patient.nhs_number = r_.identifier;
        if (!digits || digits->size() != 10)
            error(ec::kNhsNumberFormat, quoted(cell_) + " is not a valid NHS number: it must have ten digits.");
        else if (!nhs_number_is_valid(*digits))
            error(ec::kNhsNumberCheckDigit, quoted(cell_) + " is not a valid NHS number (check digit).");
    }

    void read_postcode() {
        if (too_long(FieldId::postcode)) return;  // dropped
        std::string p = normalise_postcode(cell_);
        if (!is_special_postcode(p) && !is_postcode_format(p))
            error(ec::kPostcodeFormat, "Invalid postcode " + quoted(cell_) +
                                           ": expected a UK postcode such as 'S43 1BN' (outward code, then digit and "
                                           "two letters), or a ZZ99 code for an unknown or overseas address.");
        r_.patient.postcode = std::move(p);
    }

    void read_ethnicity() {
        std::string e = upper_copy(cell_);
        if (e == "99.0") e = "99";  // Excel's numeric export of the "not known" code
        if (!is_ethnicity_code(e)) {
            error(ec::kValueNotInSet, quoted(cell_) + " is not a value for " + heading() +
                                          ". Please select one of " + ethnicity_code_list() + ".");
            const std::uint16_t longest = field_def(FieldId::ethnicity).max_length;
            if (longest != 0 && utf8_length(e) > longest) return;  // longer than any code: dropped
        }
        r_.patient.ethnicity = std::move(e);
    }

    void read_gp_code() {
        if (too_long(FieldId::gp_practice_ods_code)) return;  // dropped
        if (!is_gp_practice_code_format(cell_))
            error(ec::kGpPracticeCodeFormat, "GP Practice Code " + quoted(cell_) +
                                                 " is not an ODS practice code (one letter and five digits).");
        r_.patient.gp_practice_ods_code = upper_copy(cell_);
    }

    OptDate read_date() {
        const DateParse d = parse_date(cell_, st_.ctx.today);
        if (d.status == DateStatus::bad_format) {
            error(ec::kDateFormat, "Date format is incorrect (expected DD/MM/YYYY).");
            return std::nullopt;
        }
        if (d.status == DateStatus::not_a_date) {
            error(ec::kDateFormat, quoted(cell_) + " is not a real date.");
            return std::nullopt;
        }
        if (d.value > st_.ctx.today) error(ec::kDateInFuture, heading() + " cannot be in the future.");
        return d.value;
    }

    Code read_code(const ColumnDef &def) {
        const ValueSet &set = value_set(def.value_set);
        const auto not_in_set = [&] {
            error(ec::kValueNotInSet, quoted(cell_) + " is not a value for " + heading() +
                                          ". Please select one of " + value_set_code_list(set) + ".");
        };
        const auto too_large_code = [&] {
            error(ec::kValueTooLarge, quoted(cell_) + " is too large for " + heading() +
                                          ". Please select one of " + value_set_code_list(set) + ".");
        };
        const bool synonyms = !set.synonyms.empty();
        if (synonyms)
            if (const auto syn = value_set_synonym(set, cell_)) return syn;
        bool too_large = false;
        const auto n = parse_whole_number(cell_, &too_large);
        if (!n) {
            if (too_large) too_large_code();
            else not_in_set();  // TRUE, FALSE, 1.5, text: cannot be stored
            return std::nullopt;
        }
        if (*n < std::numeric_limits<std::int16_t>::min() || *n > std::numeric_limits<std::int16_t>::max()) {
            too_large_code();
            return std::nullopt;
        }
        const auto code = static_cast<std::int16_t>(*n);
        if (synonyms)
            if (const auto syn = value_set_synonym(set, std::to_string(code))) return syn;  // "9.0" -> 99
        if (!value_set_contains(set, code)) not_in_set();  // kept (docs/data-model.md §4.1)
        return code;
    }

    // 2021 format 2 is a DCCT percentage; otherwise HbA1c is in mmol/mol (docs/data-model.md §4.8).
    bool hba1c_percent() const { return st_.year == DatasetYear::y2021 && r_.visit.hba1c_format == 2; }

    // The plausible range of a measurement (docs/data-model.md §4.8); HbA1c's follows the format.
    void range_of(const ColumnDef &def, double &lo, double &hi) const {
        lo = def.min_value, hi = def.max_value;
        if (def.field == FieldId::hba1c && hba1c_percent()) lo = 3, hi = 20;
    }

    // "; expected a number from 40 to 240 (cm)." -- what the cell should hold.
    std::string expected(const ColumnDef &def, bool whole) const {
        if (!def.has_range) return ".";
        double lo, hi;
        range_of(def, lo, hi);
        const std::string unit(unit_name(def, hba1c_percent()));
        return std::string("; expected a ") + (whole ? "whole number" : "number") + " from " + format_number(lo) +
               " to " + format_number(hi) + (unit.empty() ? "" : " (" + unit + ")") + ".";
    }

    // The largest value Decimal(precision, scale) holds, e.g. 999.9.
    static std::string largest_stored(const ColumnDef &def) {
        std::string nines(def.precision, '9');
        if (def.scale > 0 && def.scale < def.precision) nines.insert(nines.size() - def.scale, ".");
        return nines;
    }

    void check_range(const ColumnDef &def, double v) {
        double lo, hi;
        range_of(def, lo, hi);
        std::string hint;
        if (def.field == FieldId::hba1c) {
            if (hba1c_percent()) {
                if (v > hi) hint = " Did you mean to enter an IFCC (mmol/mol) value?";
            } else if (v < lo) {
                // The 2026 dataset has no format column: mmol/mol only.
                hint = st_.year == DatasetYear::y2021
                           ? " Did you mean to enter a DCCT (%) value?"
                           : " The 2026 dataset records HbA1c in mmol/mol only; this looks like a percentage (DCCT).";
            }
        }
        if (v < lo || v > hi)
            error(ec::kNumberOutOfRange, quoted(cell_) + " is outside the range " + format_number(lo) + "-" +
                                             format_number(hi) + " for " + heading() + "." + hint);
    }

    Number read_decimal(const ColumnDef &def) {
        const NumberParse n = parse_number(cell_, def.scale, true);
        if (!n.ok || !unit_accepted(def, n.unit)) {
            error(ec::kNumberFormat, quoted(cell_) + " is not a number" +
                                         (n.ok ? " in the unit of " + std::string(heading()) : std::string()) +
                                         expected(def, false));
            return std::nullopt;
        }
        if (!n.fits(def.precision)) {
            error(ec::kValueTooLarge, quoted(cell_) + " is too large to be stored in " + heading() + " (at most " +
                                          largest_stored(def) + ")" + expected(def, false));
            return std::nullopt;
        }
        const double v = n.value();
        if (def.has_range) check_range(def, v);
        return v;
    }

    std::optional<std::int32_t> read_integer(const ColumnDef &def) {
        const NumberParse n = parse_number(cell_, 0, true);
        if (!n.ok || !unit_accepted(def, n.unit)) {
            error(ec::kNumberFormat, quoted(cell_) + " is not a number" +
                                         (n.ok ? " in the unit of " + std::string(heading()) : std::string()) +
                                         expected(def, true));
            return std::nullopt;
        }
        if (n.fraction_nonzero) {
            error(ec::kNumberFormat, quoted(cell_) + " is not a whole number" + expected(def, true));
            return std::nullopt;
        }
        if (n.huge || n.scaled > static_cast<std::uint64_t>(std::numeric_limits<std::int32_t>::max())) {
            error(ec::kValueTooLarge, quoted(cell_) + " is too large to be stored in " + heading() +
                                          expected(def, true));
            return std::nullopt;
        }
        const auto v = static_cast<std::int32_t>(n.negative ? -static_cast<std::int64_t>(n.scaled)
                                                            : static_cast<std::int64_t>(n.scaled));
        if (def.has_range) check_range(def, v);
        return v;
    }

    Text read_text(const ColumnDef &def) {
        if (def.max_length != 0 && utf8_length(cell_) > def.max_length) {
            error(ec::kValueTooLarge, heading() + " is longer than " + std::to_string(def.max_length) +
                                          " characters and cannot be stored.");
            return std::nullopt;
        }
        return std::string(cell_);
    }

    ReaderState &st_;
    RowData &r_;
    int column_ = 0;
    std::string_view cell_;
};

}  // namespace

void read_row_cells(ReaderState &st, RowData &r, const CsvRow &row) {
    CellReader reader(st, r);
    const int n = static_cast<int>(st.columns.size());
    // HbA1c's range depends on the format column (2021), which comes later in
    // the template: read the format first.
    const int format_col = st.col(FieldId::hba1c_format);
    const auto read_one = [&](int c) {
        const std::string_view cell = st.cell(row, c);
        if (cell.empty()) return;
        r.present |= std::uint64_t{1} << c;
        reader.read(c, cell);
    };
    if (format_col >= 0) read_one(format_col);
    for (int c = 0; c < n; ++c)
        if (c != format_col) read_one(c);
}

}  // namespace npda::detail
