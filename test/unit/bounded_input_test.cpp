// Findings are bounded (docs/error-codes.md "Limits"): past the caps a file's
// findings are counted, not recorded, and one summary finding per code says how
// many more there were and where they start; the value kept in a finding is cut.
#include <gtest/gtest.h>

#include "ingest/error_codes.hpp"
#include "ingest/text_decode.hpp"
#include "reader_test_util.hpp"

using namespace npda;
using namespace npda::test;
namespace ec = npda::error_code;

namespace {

constexpr auto Y21 = DatasetYear::y2021;

// The 2021 file of `rows` valid rows, each followed by `extra` values beyond
// the headings (the first data row stays within the headings, or the file is
// rejected as NP009).
std::string file_with_extra_values(int rows, int extra) {
    std::string out = header_line(Y21) + "\n" + row_line(Y21, valid_row(Y21)) + "\n";
    for (int r = 1; r < rows; ++r) {
        out += row_line(Y21, valid_row(Y21));
        for (int i = 0; i < extra; ++i) out += ",x";
        out += "\n";
    }
    return out;
}

}  // namespace

TEST(FindingLimits, ValuesWithoutHeadingOnOneRowAreCappedWithASummary) {
    const ParsedSubmission p = read_submission(file_with_extra_values(2, 5000), ctx2021());
    const auto found = with_code(p, ec::kValueWithoutHeading);
    ASSERT_EQ(found.size(), 101u);  // 100 recorded on the row, one summary
    const FieldError &summary = found.back();
    EXPECT_EQ(summary.row_number, 3);
    EXPECT_NE(summary.message.find("4900 more findings value_without_heading"), std::string::npos) << summary.message;
    EXPECT_NE(summary.message.find("from row 3"), std::string::npos) << summary.message;
}

TEST(FindingLimits, FindingsOfOneCodeInAFileAreCapped) {
    std::vector<Row> rows;
    for (int i = 0; i < 1500; ++i) {
        Row r = valid_row(Y21);
        r[FieldId::height] = "tall";
        rows.push_back(r);
    }
    const ParsedSubmission p = parse_rows(Y21, rows);
    const auto found = with_code(p, ec::kNumberFormat);
    ASSERT_EQ(found.size(), 1001u);
    EXPECT_EQ(found[999].row_number, 1001);  // rows 2..1001 recorded
    const FieldError &summary = found.back();
    EXPECT_EQ(summary.row_number, 1002);
    EXPECT_NE(summary.message.find("500 more findings number_format"), std::string::npos) << summary.message;
    EXPECT_EQ(p.data_rows, 1500);  // the file is read whole all the same
}

TEST(FindingLimits, TheLimitsComeFromTheContext) {
    SubmissionContext ctx = ctx2021();
    ctx.limits.per_code = 3;
    ctx.limits.per_row_and_code = 2;
    const ParsedSubmission p = read_submission(file_with_extra_values(4, 5), ctx);
    const auto found = with_code(p, ec::kValueWithoutHeading);
    // Rows 3, 4 and 5 carry 5 values each: 2 recorded on row 3, 1 on row 4
    // (the file's 3), the other 12 counted; the summary stands on row 3, after
    // that row's findings, where the capping began.
    ASSERT_EQ(found.size(), 4u);
    EXPECT_EQ(found[0].row_number, 3);
    EXPECT_EQ(found[1].row_number, 3);
    EXPECT_EQ(found[2].row_number, 3);
    EXPECT_NE(found[2].message.find("12 more findings"), std::string::npos) << found[2].message;
    EXPECT_EQ(found[3].row_number, 4);
}

TEST(FindingLimits, TheOffendingValueIsCutAtACharacterBoundary) {
    Row r = valid_row(Y21);
    r[FieldId::height] = std::string(1100, 'a') + "\xC3\xA9";  // 1,101 characters, the last two bytes long
    const auto found = with_code(parse_rows(Y21, {r}), ec::kNumberFormat);
    ASSERT_EQ(found.size(), 1u);
    EXPECT_EQ(utf8_length(found[0].value), 1001u);  // 1,000 characters and an ellipsis
    EXPECT_TRUE(is_valid_utf8(found[0].value));
    EXPECT_EQ(found[0].value.substr(0, 1000), std::string(1000, 'a'));
}

TEST(FindingLimits, Utf8PrefixKeepsWholeCharacters) {
    EXPECT_EQ(utf8_prefix("\xC3\xA9" "abc", 1), "\xC3\xA9");
    EXPECT_EQ(utf8_prefix("abc", 5), "abc");
    EXPECT_EQ(utf8_prefix("abc", 0), "");
    EXPECT_EQ(utf8_length("\xC3\xA9" "a"), 2u);
}

// Every text field has the length its domain allows (fields.cpp).
TEST(ValueBounds, AnAbsurdNhsNumberIsCutAndTheFileStillGroups) {
    Row a = valid_row(Y21), b = valid_row(Y21);
    a[FieldId::nhs_number] = b[FieldId::nhs_number] = std::string(3000, '9');
    const ParsedSubmission p = parse_rows(Y21, {a, b});
    ASSERT_EQ(p.patients.size(), 1u);  // both rows are one child
    ASSERT_TRUE(p.patients[0].nhs_number);
    EXPECT_EQ(*p.patients[0].nhs_number, std::string(20, '9'));
    const auto found = with_code(p, ec::kValueTooLarge);
    ASSERT_EQ(found.size(), 2u);
    EXPECT_EQ(utf8_length(found[0].value), 1001u);  // the finding keeps 1,000 characters of it
}

TEST(ValueBounds, OverlongPostcodeAndGpCodeAreDropped) {
    Row r = valid_row(Y21);
    r[FieldId::postcode] = std::string(10'000'000, 'A');
    r[FieldId::gp_practice_ods_code] = "A81001A81001";
    const ParsedSubmission p = parse_rows(Y21, {r});
    ASSERT_EQ(p.patients.size(), 1u);
    EXPECT_FALSE(p.patients[0].postcode);
    EXPECT_FALSE(p.patients[0].gp_practice_ods_code);
    EXPECT_EQ(with_code(p, ec::kValueTooLarge).size(), 2u);
}
