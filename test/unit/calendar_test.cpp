// Unit tests for the audit calendar (docs/kpis.md §1, D10, D14; cases C01, C02, C05).
#include <gtest/gtest.h>

#include <cstdint>

#include "calendar.hpp"

using namespace npda;

TEST(Calendar, RoundTripsDates) {
    EXPECT_EQ(date_from_ymd(2000, 1, 1), 0);  // PostgreSQL's epoch
    EXPECT_EQ(date_from_ymd(1999, 12, 31), -1);
    for (Date d = -40000; d < 40000; d += 17) {
        int y, m, dd;
        date_to_ymd(d, y, m, dd);
        EXPECT_TRUE(is_valid_ymd(y, m, dd));
        EXPECT_EQ(date_from_ymd(y, m, dd), d);
    }
    EXPECT_EQ(date_to_iso(date_from_ymd(2024, 2, 29)), "2024-02-29");
}

TEST(Calendar, ValidatesCalendarDates) {
    EXPECT_TRUE(is_valid_ymd(2024, 2, 29));
    EXPECT_FALSE(is_valid_ymd(2023, 2, 29));
    EXPECT_FALSE(is_valid_ymd(1900, 2, 29));
    EXPECT_TRUE(is_valid_ymd(2000, 2, 29));
    EXPECT_FALSE(is_valid_ymd(2024, 4, 31));
    EXPECT_FALSE(is_valid_ymd(2024, 13, 1));
    EXPECT_FALSE(is_valid_ymd(2024, 0, 1));
}

TEST(Calendar, AuditYearBoundaries) {  // C01, C02
    EXPECT_EQ(audit_year(date_from_ymd(2024, 4, 1)), 2024);
    EXPECT_EQ(audit_year(date_from_ymd(2025, 3, 31)), 2024);
    EXPECT_EQ(audit_year(date_from_ymd(2025, 4, 1)), 2025);
    EXPECT_EQ(audit_year(date_from_ymd(2026, 3, 31)), 2025);
    EXPECT_EQ(audit_period_start(2024), date_from_ymd(2024, 4, 1));
    EXPECT_EQ(audit_period_end(2024), date_from_ymd(2025, 3, 31));
    EXPECT_EQ(dataset_year_for(2024), 2021);
    EXPECT_EQ(dataset_year_for(2025), 2021);
    EXPECT_EQ(dataset_year_for(2026), 2026);
}

TEST(Calendar, QuartersDoNotOverlap) {  // C05, D10
    EXPECT_EQ(audit_quarter(date_from_ymd(2023, 6, 30)), 1);
    EXPECT_EQ(audit_quarter(date_from_ymd(2023, 7, 1)), 2);
    EXPECT_EQ(audit_quarter(date_from_ymd(2023, 9, 30)), 2);
    EXPECT_EQ(audit_quarter(date_from_ymd(2023, 12, 31)), 3);
    EXPECT_EQ(audit_quarter(date_from_ymd(2024, 1, 1)), 4);
    EXPECT_EQ(audit_quarter(date_from_ymd(2023, 3, 31)), 4);
    EXPECT_EQ(audit_year(date_from_ymd(2023, 3, 31)), 2022);
    EXPECT_EQ(audit_quarter(date_from_ymd(2023, 4, 1)), 1);
}

TEST(Calendar, AgeOnTheFirstOfApril) {  // D14
    const Date s = audit_period_start(2024);
    EXPECT_EQ(age_in_years(date_from_ymd(1999, 4, 1), s), 25);  // turns 25 that day
    EXPECT_EQ(age_in_years(date_from_ymd(1999, 4, 2), s), 24);
    EXPECT_EQ(age_in_years(date_from_ymd(2012, 4, 1), s), 12);  // turns 12 that day
    EXPECT_EQ(age_in_years(date_from_ymd(2012, 4, 2), s), 11);
    EXPECT_EQ(age_in_years(date_from_ymd(2024, 5, 1), s), 0);   // born after S
    EXPECT_EQ(age_in_years(date_from_ymd(2012, 2, 29), date_from_ymd(2023, 2, 28)), 11);
    EXPECT_EQ(age_in_years(date_from_ymd(2012, 2, 29), date_from_ymd(2024, 2, 28)), 11);
    EXPECT_EQ(age_in_years(date_from_ymd(2012, 2, 29), date_from_ymd(2024, 2, 29)), 12);
}

TEST(Calendar, AddDaysSaturatesAtTheEndsOfTheRange) {
    EXPECT_EQ(add_days(date_from_ymd(2024, 12, 30), 91), date_from_ymd(2025, 3, 31));
    EXPECT_EQ(add_days(date_from_ymd(2024, 4, 3), -90), date_from_ymd(2024, 1, 4));
    // PostgreSQL's 'infinity' / '-infinity' dates stay infinite.
    EXPECT_EQ(add_days(INT32_MAX, 90), INT32_MAX);
    EXPECT_EQ(add_days(INT32_MIN, -90), INT32_MIN);
    EXPECT_EQ(add_days(INT32_MAX, -1), INT32_MAX - 1);
    EXPECT_EQ(add_days(INT32_MIN, 14), INT32_MIN + 14);
}
