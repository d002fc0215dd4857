// Reading single cell values: dates, numbers, codes, postcodes, GP practice
// codes and PDU numbers (docs/data-model.md §4.2-§4.5, §6.3, §7). Pure
// functions on one value; the rules that relate values live elsewhere.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include "calendar.hpp"
#include "no_postgres.hpp"

namespace npda {

// Trim spaces, tabs, CR/LF at both ends.
std::string_view trim_cell(std::string_view s);

// ---- Dates (docs/data-model.md §7) ----
enum class DateStatus { ok, bad_format, not_a_date };
struct DateParse {
    DateStatus status = DateStatus::bad_format;
    Date value = 0;
};
// Accepts DD/MM/YYYY (one-digit day or month allowed), DD/MM/YY and ISO
// YYYY-MM-DD; nothing else. Two-digit years take the century that puts the
// year within [today's year - 50, today's year + 49]. Surrounding quotes and
// spaces are ignored. The text must not be empty.
DateParse parse_date(std::string_view text, Date today);
// DD/MM/YYYY, for messages.
std::string format_date(Date d);

// ---- Numbers (docs/data-model.md §4.8, §7) ----
struct NumberParse {
    bool ok = false;               // the text is a number (optionally with a unit)
    bool negative = false;
    bool huge = false;             // more than 15 digits before the point, or too many to scale in 64 bits
    bool fraction_nonzero = false; // a non-zero digit after the point
    std::uint64_t scaled = 0;      // |value| x 10^scale, rounded half away from zero
    int scale = 0;
    std::string_view unit;         // the trailing unit as written ("kg", "mmol/mol"), empty if none
    double value() const;
    // True when the rounded value fits Decimal(precision, scale).
    bool fits(int precision) const;
};
// Read a decimal number written with a point ("70", "-1.5", ".5", "1."), rounded
// to `scale` decimals. With allow_unit, a trailing unit made of letters, '%'
// and '/' is ignored ("70kg", "5.9 cm", "7.5%", "48 mmol/mol").
NumberParse parse_number(std::string_view text, int scale, bool allow_unit);

// ---- Codes (docs/data-model.md §4.10) ----
// A whole number written as "1", "01", "1.0" or "2.00"; nullopt for anything
// else (TRUE, 1.5, text). Values beyond int64 come back as nullopt too, with
// *too_large set.
std::optional<std::int64_t> parse_whole_number(std::string_view text, bool *too_large = nullptr);

// ---- Postcodes (docs/data-model.md §4.4) ----
// Upper case, spaces and hyphens removed.
std::string normalise_postcode(std::string_view text);
// UK format: outward code (A9, A99, AA9, AA99, A9A, AA9A) + inward code (9AA),
// on a normalised postcode; also GIR0AA.
bool is_postcode_format(std::string_view normalised);
// The NHS data dictionary's ZZ99 pseudo-postcodes (unknown address,
// reciprocal-healthcare countries), normalised form. They are valid and skip
// every lookup and the deprivation step.
bool is_special_postcode(std::string_view normalised);

// ---- GP practice (docs/data-model.md §4.5, our rule) ----
// One letter followed by five digits, case-insensitive.
bool is_gp_practice_code_format(std::string_view text);

// ---- PDU number (docs/data-model.md §6.3) ----
// "PZ041", "pz41", "041", "41", "41.0" -> "PZ041"; nullopt when the text is not
// a PDU number (no digits, more than three significant digits, zero).
std::optional<std::string> normalise_pz_code(std::string_view text);

}  // namespace npda
