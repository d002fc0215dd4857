// Audit calendar arithmetic on day numbers (days since 2000-01-01).
#include "calendar.hpp"

#include <cstdint>
#include <cstdio>

namespace npda {

namespace {

// Days from 1970-01-01 for a proleptic Gregorian date (Howard Hinnant's
// well-known civil-days algorithm, restated here).
long days_from_civil(long y, unsigned m, unsigned d) {
    y -= m <= 2;
    const long era = (y >= 0 ? y : y - 399) / 400;
    const unsigned yoe = static_cast<unsigned>(y - era * 400);
    const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + static_cast<long>(doe) - 719468;
}

constexpr long kEpoch2000 = 10957;  // days_from_civil(2000, 1, 1)

bool is_leap(int y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

}  // namespace

bool is_valid_ymd(int year, int month, int day) {
    static const int kDays[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (year < 1 || year > 9999 || month < 1 || month > 12 || day < 1) return false;
    const int max = kDays[month - 1] + (month == 2 && is_leap(year) ? 1 : 0);
    return day <= max;
}

Date date_from_ymd(int year, int month, int day) {
    return static_cast<Date>(days_from_civil(year, static_cast<unsigned>(month), static_cast<unsigned>(day)) -
                             kEpoch2000);
}

void date_to_ymd(Date d, int &year, int &month, int &day) {
    long z = static_cast<long>(d) + kEpoch2000 + 719468;
    const long era = (z >= 0 ? z : z - 146096) / 146097;
    const unsigned doe = static_cast<unsigned>(z - era * 146097);
    const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    const long y = static_cast<long>(yoe) + era * 400;
    const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    const unsigned mp = (5 * doy + 2) / 153;
    day = static_cast<int>(doy - (153 * mp + 2) / 5 + 1);
    month = static_cast<int>(mp < 10 ? mp + 3 : mp - 9);
    year = static_cast<int>(y + (month <= 2));
}

std::string date_to_iso(Date d) {
    int y, m, dd;
    date_to_ymd(d, y, m, dd);
    char buf[16];
    std::snprintf(buf, sizeof buf, "%04d-%02d-%02d", y, m, dd);
    return buf;
}

int audit_year(Date d) {
    int y, m, dd;
    date_to_ymd(d, y, m, dd);
    return m >= 4 ? y : y - 1;
}

int audit_quarter(Date d) {
    int y, m, dd;
    date_to_ymd(d, y, m, dd);
    // April-June -> 1, July-September -> 2, October-December -> 3, January-March -> 4.
    return m >= 4 ? (m - 4) / 3 + 1 : 4;
}

Date audit_period_start(int year) { return date_from_ymd(year, 4, 1); }
Date audit_period_end(int year) { return date_from_ymd(year + 1, 3, 31); }

int dataset_year_for(int year) { return year >= 2026 ? 2026 : 2021; }

Date add_days(Date d, int days) {
    const std::int64_t r = static_cast<std::int64_t>(d) + days;
    if (r > INT32_MAX) return INT32_MAX;
    if (r < INT32_MIN) return INT32_MIN;
    return static_cast<Date>(r);
}

int age_in_years(Date dob, Date on) {
    if (on < dob) return 0;
    int by, bm, bd, oy, om, od;
    date_to_ymd(dob, by, bm, bd);
    date_to_ymd(on, oy, om, od);
    int age = oy - by;
    // A 29 February birthday is reached on 28 February in common years.
    if (bm == 2 && bd == 29 && !is_leap(oy)) bd = 28;
    if (om < bm || (om == bm && od < bd)) --age;
    return age < 0 ? 0 : age;
}

}  // namespace npda
