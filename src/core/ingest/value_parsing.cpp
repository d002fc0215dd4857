// Single-value parsers; no allocation except where a string is returned.
#include "ingest/value_parsing.hpp"

#include <algorithm>
#include <array>
#include <cstdio>

namespace npda {

namespace {

bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_alpha(char c) { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'); }
char upper(char c) { return (c >= 'a' && c <= 'z') ? static_cast<char>(c - 'a' + 'A') : c; }

// Read 1..max_digits digits at s[i]; advances i.
bool read_digits(std::string_view s, std::size_t &i, std::size_t min_digits, std::size_t max_digits, int &out) {
    const std::size_t start = i;
    int v = 0;
    while (i < s.size() && is_digit(s[i]) && i - start < max_digits) v = v * 10 + (s[i++] - '0');
    if (i - start < min_digits) return false;
    if (i < s.size() && is_digit(s[i])) return false;  // too many digits
    out = v;
    return true;
}

// ZZ99 pseudo-postcodes (58 distinct codes), from the NHS data dictionary as
// listed by the RCPCH NPDA platform (test/fixtures/npda_special_postcodes_skip_validation.csv).
constexpr std::array<std::string_view, 58> kSpecialPostcodes = {
    // Unknown address.
    "ZZ993VZ", "ZZ993CZ", "ZZ993GZ", "ZZ991WZ", "ZZ992WZ",
    // Reciprocal-healthcare countries.
    "ZZ994MZ", "ZZ992DZ", "ZZ994UZ", "ZZ996AZ", "ZZ994FZ", "ZZ997LZ", "ZZ994BZ", "ZZ994GZ", "ZZ994QZ",
    "ZZ994RZ", "ZZ994CZ", "ZZ993AZ", "ZZ994LZ", "ZZ997RZ", "ZZ992PZ", "ZZ997SZ", "ZZ992EZ", "ZZ994EZ",
    "ZZ992AZ", "ZZ994JZ", "ZZ994ZZ", "ZZ994HZ", "ZZ992CZ", "ZZ994PZ", "ZZ996RZ", "ZZ997JZ", "ZZ996GZ",
    "ZZ997KZ", "ZZ996MZ", "ZZ997MZ", "ZZ995NZ", "ZZ993HZ", "ZZ995VZ", "ZZ995XZ", "ZZ996UZ", "ZZ997NZ",
    "ZZ995AZ", "ZZ994XZ", "ZZ993BZ", "ZZ997PZ", "ZZ997QZ", "ZZ995QZ", "ZZ995BZ", "ZZ999TZ", "ZZ996HZ",
    "ZZ994YZ", "ZZ997UZ", "ZZ995UZ", "ZZ999SZ", "ZZ997VZ", "ZZ997XZ", "ZZ997YZ", "ZZ997ZZ",
};

constexpr std::uint64_t kPow10[] = {1ULL, 10ULL, 100ULL, 1000ULL, 10000ULL, 100000ULL, 1000000ULL};

}  // namespace

std::string_view trim_cell(std::string_view s) {
    auto space = [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; };
    while (!s.empty() && space(s.front())) s.remove_prefix(1);
    while (!s.empty() && space(s.back())) s.remove_suffix(1);
    return s;
}

DateParse parse_date(std::string_view text, Date today) {
    DateParse r;
    std::string_view s = trim_cell(text);
    while (s.size() >= 2 && (s.front() == '"' || s.front() == '\'') && s.back() == s.front())
        s = trim_cell(s.substr(1, s.size() - 2));
    int y = 0, m = 0, d = 0;
    std::size_t i = 0;
    if (s.size() == 10 && s[4] == '-' && s[7] == '-') {
        // ISO YYYY-MM-DD.
        if (!read_digits(s, i, 4, 4, y) || s[i++] != '-' || !read_digits(s, i, 2, 2, m) || s[i++] != '-' ||
            !read_digits(s, i, 2, 2, d))
            return r;
    } else {
        if (!read_digits(s, i, 1, 2, d) || i >= s.size() || s[i++] != '/') return r;
        if (!read_digits(s, i, 1, 2, m) || i >= s.size() || s[i++] != '/') return r;
        const std::size_t ystart = i;
        if (!read_digits(s, i, 2, 4, y)) return r;
        const std::size_t ydigits = i - ystart;
        if (ydigits == 3) return r;
        if (ydigits == 2) {
            int ty, tm, td;
            date_to_ymd(today, ty, tm, td);
            y += (ty / 100) * 100;
            if (y > ty + 49) y -= 100;
            else if (y < ty - 50) y += 100;
        }
    }
    if (i != s.size()) return r;
    if (!is_valid_ymd(y, m, d)) {
        r.status = DateStatus::not_a_date;
        return r;
    }
    r.status = DateStatus::ok;
    r.value = date_from_ymd(y, m, d);
    return r;
}

std::string format_date(Date d) {
    int y, m, dd;
    date_to_ymd(d, y, m, dd);
    char buf[24];
    std::snprintf(buf, sizeof buf, "%02d/%02d/%04d", dd, m, y);
    return buf;
}

double NumberParse::value() const {
    const double v = static_cast<double>(scaled) / static_cast<double>(kPow10[scale]);
    return negative ? -v : v;
}

bool NumberParse::fits(int precision) const {
    if (huge) return false;
    // scaled < 2^64 < 10^20: any precision of 20 digits or more holds it.
    if (precision >= 20) return true;
    std::uint64_t limit = 1;
    for (int k = 0; k < precision; ++k) limit *= 10;
    return scaled < limit;
}

NumberParse parse_number(std::string_view text, int scale, bool allow_unit) {
    NumberParse r;
    if (scale < 0) scale = 0;
    if (scale > 6) scale = 6;
    r.scale = scale;
    std::string_view s = trim_cell(text);
    std::size_t i = 0;
    if (i < s.size() && (s[i] == '+' || s[i] == '-')) r.negative = s[i++] == '-';
    std::uint64_t integer = 0;
    int integer_digits = 0;  // significant digits before the point
    bool any_digit = false;
    while (i < s.size() && is_digit(s[i])) {
        any_digit = true;
        if (integer != 0 || s[i] != '0') {
            if (++integer_digits > 15) r.huge = true;
            else integer = integer * 10 + static_cast<std::uint64_t>(s[i] - '0');
        }
        ++i;
    }
    std::uint64_t fraction = 0;  // the first `scale` decimals
    int frac_seen = 0;
    bool round_up = false;
    if (i < s.size() && s[i] == '.') {
        ++i;
        while (i < s.size() && is_digit(s[i])) {
            any_digit = true;
            const int digit = s[i] - '0';
            if (digit != 0) r.fraction_nonzero = true;
            if (frac_seen < scale) fraction = fraction * 10 + static_cast<std::uint64_t>(digit);
            else if (frac_seen == scale) round_up = digit >= 5;  // half away from zero
            ++frac_seen;
            ++i;
        }
    }
    if (!any_digit) return r;
    // |value| x 10^scale must fit in 64 bits (< 10^19): otherwise it cannot be
    // held exactly and is treated as too large rather than wrapped around.
    if (integer_digits + scale > 19) r.huge = true;
    for (int k = frac_seen; k < scale; ++k) fraction *= 10;
    // A unit after the number: optional spaces, then letters, '%' or '/'.
    if (i < s.size()) {
        if (!allow_unit) return r;
        while (i < s.size() && s[i] == ' ') ++i;
        if (i >= s.size() || !(is_alpha(s[i]) || s[i] == '%')) return r;
        const std::size_t unit_begin = i;
        for (; i < s.size(); ++i)
            if (!(is_alpha(s[i]) || s[i] == '%' || s[i] == '/' || s[i] == ' ')) return r;
        r.unit = s.substr(unit_begin);
    }
    r.ok = true;
    if (!r.huge) r.scaled = integer * kPow10[scale] + fraction + (round_up ? 1 : 0);
    if (r.scaled == 0) r.negative = false;
    return r;
}

std::optional<std::int64_t> parse_whole_number(std::string_view text, bool *too_large) {
    if (too_large) *too_large = false;
    const NumberParse n = parse_number(text, 0, false);
    if (!n.ok || n.fraction_nonzero) return std::nullopt;
    if (n.huge) {
        if (too_large) *too_large = true;
        return std::nullopt;
    }
    const auto v = static_cast<std::int64_t>(n.scaled);
    return n.negative ? -v : v;
}

std::string normalise_postcode(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    for (const char c : text)
        if (c != ' ' && c != '-' && c != '\t') out.push_back(upper(c));
    return out;
}

bool is_postcode_format(std::string_view p) {
    if (p == "GIR0AA") return true;
    if (p.size() < 5 || p.size() > 7) return false;
    const std::string_view in = p.substr(p.size() - 3);
    if (!is_digit(in[0]) || !is_alpha(in[1]) || !is_alpha(in[2])) return false;
    const std::string_view out = p.substr(0, p.size() - 3);
    // Patterns as strings of A (letter) and 9 (digit).
    std::string shape;
    for (const char c : out) shape.push_back(is_alpha(c) ? 'A' : is_digit(c) ? '9' : '?');
    static const std::array<std::string_view, 6> kShapes = {"A9", "A99", "AA9", "AA99", "A9A", "AA9A"};
    return std::find(kShapes.begin(), kShapes.end(), shape) != kShapes.end();
}

bool is_special_postcode(std::string_view p) {
    return std::find(kSpecialPostcodes.begin(), kSpecialPostcodes.end(), p) != kSpecialPostcodes.end();
}

bool is_gp_practice_code_format(std::string_view text) {
    const std::string_view s = trim_cell(text);
    if (s.size() != 6 || !is_alpha(s[0])) return false;
    return std::all_of(s.begin() + 1, s.end(), is_digit);
}

std::optional<std::string> normalise_pz_code(std::string_view text) {
    std::string_view s = trim_cell(text);
    if (s.size() >= 2 && upper(s[0]) == 'P' && upper(s[1]) == 'Z') s = trim_cell(s.substr(2));
    // Excel's numeric export: "41.0" (any run of zeros after the point).
    const auto dot = s.find('.');
    if (dot != std::string_view::npos) {
        const std::string_view tail = s.substr(dot + 1);
        if (tail.empty() || !std::all_of(tail.begin(), tail.end(), [](char c) { return c == '0'; }))
            return std::nullopt;
        s = s.substr(0, dot);
    }
    if (s.empty() || !std::all_of(s.begin(), s.end(), is_digit)) return std::nullopt;
    while (s.size() > 1 && s.front() == '0') s.remove_prefix(1);
    if (s.size() > 3 || s == "0") return std::nullopt;
    std::string out = "PZ";
    out.append(3 - s.size(), '0');
    out.append(s);
    return out;
}

}  // namespace npda
