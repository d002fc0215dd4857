// Audit calendar: dates as day numbers, audit years, quarters and ages.
//
// A Date is the number of days since 2000-01-01, the same epoch as
// PostgreSQL's DateADT, so the PostgreSQL layer converts without arithmetic.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include "no_postgres.hpp"

namespace npda {

using Date = std::int32_t;

// Day number of a calendar date; the caller guarantees the date is valid.
Date date_from_ymd(int year, int month, int day);
// True when year/month/day name a real date of the Gregorian calendar.
bool is_valid_ymd(int year, int month, int day);
void date_to_ymd(Date d, int &year, int &month, int &day);
// ISO text (YYYY-MM-DD), for messages and tests.
std::string date_to_iso(Date d);

// The audit year (start year of the 1 April - 31 March period) containing d.
int audit_year(Date d);
// Quarter of the audit year: 1 = Apr-Jun, 2 = Jul-Sep, 3 = Oct-Dec, 4 = Jan-Mar (D10).
int audit_quarter(Date d);
Date audit_period_start(int audit_year);  // 1 April of audit_year
Date audit_period_end(int audit_year);    // 31 March of audit_year + 1
// Dataset used by an audit year: 2021 before the period starting 2026-04-01, 2026 from then on.
int dataset_year_for(int audit_year);

// d plus `days` (negative: minus), saturating at the ends of the Date range.
// PostgreSQL's 'infinity' and '-infinity' dates arrive as the largest and
// smallest Date; they stay there instead of overflowing (which would be
// undefined behaviour and would wrap 'infinity + 90' into the distant past).
Date add_days(Date d, int days);

// Whole years completed on `on` by someone born on `dob` (0 if born after `on`).
// A child born on 29 February has its birthday on 28 February in other years.
int age_in_years(Date dob, Date on);

}  // namespace npda
