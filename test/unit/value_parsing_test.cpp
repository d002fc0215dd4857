// Single-value parsers: dates, numbers, codes, postcodes, GP codes, PDU numbers
// (docs/data-model.md §4.2-§4.5, §6.3, §7).
#include <gtest/gtest.h>

#include <fstream>
#include <set>

#include "ingest/csv_reader.hpp"
#include "reader_test_util.hpp"
#include "ingest/value_parsing.hpp"

using namespace npda;

namespace {

const Date kToday = date_from_ymd(2024, 10, 23);

std::optional<std::string> iso(std::string_view text) {
    const auto d = parse_date(text, kToday);
    if (d.status != DateStatus::ok) return std::nullopt;
    return date_to_iso(d.value);
}

}  // namespace

TEST(ParseDate, AcceptedForms) {
    EXPECT_EQ(iso("26/10/2020"), "2020-10-26");
    EXPECT_EQ(iso("1/5/2021"), "2021-05-01");
    EXPECT_EQ(iso("30/9/2026"), "2026-09-30");
    EXPECT_EQ(iso("2021-05-01"), "2021-05-01");
    EXPECT_EQ(iso("  26/10/2020 "), "2020-10-26");
    EXPECT_EQ(iso("\"26/10/2020\""), "2020-10-26");
    EXPECT_EQ(iso("29/02/2024"), "2024-02-29");
}

TEST(ParseDate, TwoDigitYearsUseA50YearWindowAroundToday) {
    // Today is 2024: years 1974..2073.
    EXPECT_EQ(iso("01/05/21"), "2021-05-01");
    EXPECT_EQ(iso("01/05/73"), "2073-05-01");
    EXPECT_EQ(iso("01/05/74"), "1974-05-01");
    EXPECT_EQ(iso("01/05/99"), "1999-05-01");
    EXPECT_EQ(iso("01/05/00"), "2000-05-01");
}

TEST(ParseDate, RejectedForms) {
    for (const char *bad : {"2021/05/01", "01-05-2021", "01.05.2021", "1 May 2021", "May 1, 2021", "01/05/202",
                            "001/05/2021", "01/05/20211", "20210501", "26/10/2020 00:00", "2021-5-1", "TRUE",
                            "/05/2021", "01//2021", "45383"}) {
        EXPECT_EQ(parse_date(bad, kToday).status, DateStatus::bad_format) << bad;
    }
}

TEST(ParseDate, ImpossibleDates) {
    EXPECT_EQ(parse_date("31/02/2024", kToday).status, DateStatus::not_a_date);
    EXPECT_EQ(parse_date("29/02/2023", kToday).status, DateStatus::not_a_date);
    EXPECT_EQ(parse_date("00/01/2024", kToday).status, DateStatus::not_a_date);
    EXPECT_EQ(parse_date("01/13/2024", kToday).status, DateStatus::not_a_date);
    EXPECT_EQ(parse_date("2024-02-30", kToday).status, DateStatus::not_a_date);
}

TEST(ParseDate, FormatForMessages) { EXPECT_EQ(format_date(date_from_ymd(2021, 5, 1)), "01/05/2021"); }

TEST(ParseNumber, DecimalsAndRounding) {
    auto v = [](std::string_view t, int scale) {
        const auto n = parse_number(t, scale, true);
        EXPECT_TRUE(n.ok) << t;
        return n.value();
    };
    EXPECT_DOUBLE_EQ(v("155.13", 1), 155.1);
    EXPECT_DOUBLE_EQ(v("155.15", 1), 155.2);   // half away from zero, on the decimal digits
    EXPECT_DOUBLE_EQ(v("0.15", 1), 0.2);
    EXPECT_DOUBLE_EQ(v("-0.15", 1), -0.2);
    EXPECT_DOUBLE_EQ(v("53.0", 2), 53.0);
    EXPECT_DOUBLE_EQ(v(".5", 1), 0.5);
    EXPECT_DOUBLE_EQ(v("7.", 1), 7.0);
    EXPECT_DOUBLE_EQ(v("7.016", 2), 7.02);
    EXPECT_DOUBLE_EQ(v("+12", 0), 12.0);
}

TEST(ParseNumber, UnitsAreDropped) {
    EXPECT_DOUBLE_EQ(parse_number("70kg", 1, true).value(), 70.0);
    EXPECT_DOUBLE_EQ(parse_number("5.9cm", 1, true).value(), 5.9);
    EXPECT_DOUBLE_EQ(parse_number("48 mmol/mol", 2, true).value(), 48.0);
    EXPECT_DOUBLE_EQ(parse_number("7.5%", 2, true).value(), 7.5);
    EXPECT_FALSE(parse_number("70kg", 1, false).ok);
}

TEST(ParseNumber, NotNumbers) {
    for (const char *bad : {"", "abc", "kg70", "1,5", "1.2.3", "-", ".", "<5", "TRUE", "1e5", "12 3"})
        EXPECT_FALSE(parse_number(bad, 1, true).ok) << bad;
}

TEST(ParseNumber, PrecisionLimits) {
    EXPECT_TRUE(parse_number("999.9", 1, true).fits(4));
    EXPECT_FALSE(parse_number("1000", 1, true).fits(4));
    EXPECT_FALSE(parse_number("999.96", 1, true).fits(4));  // rounds to 1000.0
    EXPECT_TRUE(parse_number("9.99", 2, true).fits(3));
    EXPECT_FALSE(parse_number("10.0", 2, true).fits(3));
    EXPECT_FALSE(parse_number("12345678901234567890", 1, true).fits(18));
    EXPECT_TRUE(parse_number("12345678901234567890", 1, true).huge);
}

TEST(ParseWholeNumber, CodesWrittenByExcel) {
    EXPECT_EQ(parse_whole_number("1"), 1);
    EXPECT_EQ(parse_whole_number("1.0"), 1);
    EXPECT_EQ(parse_whole_number("02.00"), 2);
    EXPECT_EQ(parse_whole_number(" 99 "), 99);
    EXPECT_EQ(parse_whole_number("-3"), -3);
    EXPECT_FALSE(parse_whole_number("1.5"));
    EXPECT_FALSE(parse_whole_number("TRUE"));
    EXPECT_FALSE(parse_whole_number("1kg"));
    bool too_large = false;
    EXPECT_FALSE(parse_whole_number("99999999999999999999", &too_large));
    EXPECT_TRUE(too_large);
}

TEST(Postcode, NormaliseAndFormat) {
    EXPECT_EQ(normalise_postcode("s43 1bn"), "S431BN");
    EXPECT_EQ(normalise_postcode("EH55-8PQ"), "EH558PQ");
    for (const char *ok : {"S431BN", "BS105AH", "IV159NZ", "B144EJ", "M11AE", "W1A0AX", "EC1A1BB", "CR26XH",
                           "DN551PT", "JE23QZ", "GIR0AA", "ZZ993VZ"})
        EXPECT_TRUE(is_postcode_format(ok)) << ok;
    for (const char *bad : {"", "S43", "S431B", "1S431BN", "S43 1BN", "SW1A1BBB", "AAA11AA", "S43IBN", "12345"})
        EXPECT_FALSE(is_postcode_format(bad)) << bad;
}

TEST(Postcode, SpecialCodesMatchTheReferenceList) {
    // Every code of the NHS data dictionary list (58 distinct codes) is embedded.
    const auto recs = read_csv(npda::test::read_fixture("npda_special_postcodes_skip_validation.csv"));
    std::set<std::string> distinct;
    for (std::size_t i = 1; i < recs.size(); ++i) {
        distinct.insert(recs[i].fields[0]);
        EXPECT_TRUE(is_special_postcode(recs[i].fields[0])) << recs[i].fields[0];
    }
    EXPECT_EQ(recs.size(), 64u);  // header + 63 rows
    EXPECT_EQ(distinct.size(), 58u);
    EXPECT_FALSE(is_special_postcode("ZZ999ZZ"));
    EXPECT_FALSE(is_special_postcode("S431BN"));
}

TEST(GpPractice, FormatIsOneLetterFiveDigits) {
    EXPECT_TRUE(is_gp_practice_code_format("A81001"));
    EXPECT_TRUE(is_gp_practice_code_format("g85004"));
    EXPECT_TRUE(is_gp_practice_code_format(" G85004 "));
    EXPECT_FALSE(is_gp_practice_code_format("G7103993"));
    EXPECT_FALSE(is_gp_practice_code_format("GA1001"));
    EXPECT_FALSE(is_gp_practice_code_format("810011"));
    EXPECT_FALSE(is_gp_practice_code_format("A8100"));
}

TEST(PzCode, Normalisation) {
    for (const char *form : {"PZ041", "pz41", "041", "41", "41.0", " PZ041 ", "Pz 041", "41.00", "PZ0041"})
        EXPECT_EQ(normalise_pz_code(form), std::optional<std::string>("PZ041")) << form;
    EXPECT_EQ(normalise_pz_code("248"), std::optional<std::string>("PZ248"));
    EXPECT_EQ(normalise_pz_code("PZ999"), std::optional<std::string>("PZ999"));
    for (const char *bad : {"", "PZ", "PZ1000", "0", "PZ000", "41.5", "abc", "PZ04A", "41."})
        EXPECT_FALSE(normalise_pz_code(bad)) << bad;
}

TEST(ParseNumber, LargeScalesDoNotWrapAround) {
    // 15 integer digits at scale 6 would need 10^21 > 2^64: the value cannot be
    // held exactly, so it is "huge" (never stored) rather than wrapped.
    const NumberParse big = parse_number("999999999999999", 6, false);
    EXPECT_TRUE(big.ok);
    EXPECT_TRUE(big.huge);
    EXPECT_FALSE(big.fits(21));
    // 14 digits at scale 5 fit in 64 bits, and Decimal(20, 5) holds them.
    const NumberParse fits = parse_number("12345678901234.5", 5, false);
    EXPECT_FALSE(fits.huge);
    EXPECT_DOUBLE_EQ(fits.value(), 12345678901234.5);
    EXPECT_TRUE(fits.fits(20));
    EXPECT_FALSE(fits.fits(18));
}
