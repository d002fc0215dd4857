// Every field error must name its row and column (FieldError does) and
// say in its message what was expected, so a PDU's data lead can fix the cell
// without reading the specification.
#include <gtest/gtest.h>

#include "reader_test_util.hpp"

using namespace npda;
using namespace npda::test;
namespace ec = npda::error_code;

namespace {

constexpr auto Y21 = DatasetYear::y2021;

// The one finding of `code` for a single 2021 row with some cells changed.
FieldError only(Row changes, std::string_view code, DatasetYear y = Y21) {
    Row r = valid_row(y);
    for (auto &[f, v] : changes) r[f] = v;
    const auto found = with_code(parse_rows(y, {r}), code);
    EXPECT_EQ(found.size(), 1u) << code;
    return found.empty() ? FieldError{} : found.front();
}

}  // namespace

TEST(FieldErrorMessages, TextInANumberColumnSaysWhatNumberIsExpected) {
    const FieldError e = only({{FieldId::height, "tall"}}, ec::kNumberFormat);
    EXPECT_EQ(e.row_number, 2);
    EXPECT_EQ(e.column_heading, "Patient Height (cm)");
    EXPECT_EQ(e.message, "'tall' is not a number; expected a number from 40 to 240 (cm).");
    const FieldError unit = only({{FieldId::weight, "154lb"}}, ec::kNumberFormat);
    EXPECT_EQ(unit.message, "'154lb' is not a number in the unit of 'Patient Weight (kg)'; expected a number from 1 "
                            "to 200 (kg).");
}

TEST(FieldErrorMessages, HbA1cExpectationFollowsTheFormat) {
    const FieldError pct = only({{FieldId::hba1c, "abc"}, {FieldId::hba1c_format, "2"}}, ec::kNumberFormat);
    EXPECT_EQ(pct.message, "'abc' is not a number; expected a number from 3 to 20 (%).");
    const FieldError mmol = only({{FieldId::hba1c, "abc"}}, ec::kNumberFormat);
    EXPECT_EQ(mmol.message, "'abc' is not a number; expected a number from 20 to 195 (mmol/mol).");
}

TEST(FieldErrorMessages, NumberTooLargeForItsColumnSaysTheLimitAndTheRange) {
    const FieldError e = only({{FieldId::height, "1000"}}, ec::kValueTooLarge);
    EXPECT_EQ(e.message, "'1000' is too large to be stored in 'Patient Height (cm)' (at most 999.9); expected a "
                         "number from 40 to 240 (cm).");
    const FieldError bp = only({{FieldId::systolic_blood_pressure, "99999999999"}}, ec::kValueTooLarge);
    EXPECT_EQ(bp.message, "'99999999999' is too large to be stored in 'Systolic Blood Pressure'; expected a whole "
                          "number from 50 to 200 (mmHg).");
}

TEST(FieldErrorMessages, NotAWholeNumberSaysTheRange) {
    const FieldError e = only({{FieldId::systolic_blood_pressure, "110.5"}}, ec::kNumberFormat);
    EXPECT_EQ(e.message, "'110.5' is not a whole number; expected a whole number from 50 to 200 (mmHg).");
}

TEST(FieldErrorMessages, CodeTooLargeListsTheCodes) {
    const FieldError e = only({{FieldId::treatment, "70000"}}, ec::kValueTooLarge);
    EXPECT_EQ(e.column_heading, "Diabetes Treatment at time of Hba1c measurement");
    EXPECT_EQ(e.message,
              "'70000' is too large for 'Diabetes Treatment at time of Hba1c measurement'. Please select one of 1, 2, "
              "3, 4, 5, 6, 7, 8, 99.");
    const FieldError huge = only({{FieldId::diabetes_type, "12345678901234567890"}}, ec::kValueTooLarge);
    EXPECT_EQ(huge.message, "'12345678901234567890' is too large for 'Diabetes Type'. Please select one of 1, 2, 3, "
                            "4, 5, 99.");
}

TEST(FieldErrorMessages, PostcodeSaysWhatAPostcodeLooksLike) {
    const FieldError e = only({{FieldId::postcode, "NOT A CODE"}}, ec::kPostcodeFormat);
    EXPECT_EQ(e.column_heading, "Postcode of usual address");
    EXPECT_EQ(e.message,
              "Invalid postcode 'NOT A CODE': expected a UK postcode such as 'S43 1BN' (outward code, then digit "
              "and two letters), or a ZZ99 code for an unknown or overseas address.");
}
