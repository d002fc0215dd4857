// Grouping rows into children and resolving patient-level values (docs/data-model.md §8).
#include <gtest/gtest.h>

#include "reader_test_util.hpp"

using namespace npda;
using namespace npda::test;

namespace {

constexpr auto Y21 = DatasetYear::y2021;

// A row of child `nhs` with visit date `visit` (dates elsewhere left as in the valid row).
Row visit_row(const std::string &nhs, const std::string &visit) {
    Row r = valid_row(Y21);
    r[FieldId::nhs_number] = nhs;
    r[FieldId::visit_date] = visit;
    return r;
}

const std::string A = "719 573 0220";
const std::string B = "653 765 1948";

}  // namespace

TEST(Grouping, ByNormalisedIdentifierInOrderOfFirstAppearance) {
    const auto p = parse_rows(Y21, {visit_row(A, "01/06/2024"), visit_row(B, "02/06/2024"),
                                    visit_row("7195730220", "03/06/2024"), visit_row("719-573-0220", "04/06/2024")});
    EXPECT_EQ(findings(p), std::vector<std::string>{});
    ASSERT_EQ(p.patients.size(), 2u);
    EXPECT_EQ(p.patients[0].nhs_number, "7195730220");
    EXPECT_EQ(p.patients[0].first_row_number, 2);
    ASSERT_EQ(p.patients[0].visits.size(), 3u);
    EXPECT_EQ(p.patients[0].visits[0].row_number, 2);
    EXPECT_EQ(p.patients[0].visits[1].row_number, 4);
    EXPECT_EQ(p.patients[0].visits[2].row_number, 5);
    EXPECT_EQ(p.patients[1].nhs_number, "6537651948");
    EXPECT_EQ(p.patients[1].first_row_number, 3);
}

TEST(Grouping, DateOfBirthIsModal) {
    Row odd = visit_row(A, "02/06/2024");
    odd[FieldId::date_of_birth] = "27/10/2015";
    const auto p = parse_rows(Y21, {visit_row(A, "01/06/2024"), odd, visit_row(A, "03/06/2024")});
    ASSERT_EQ(p.patients.size(), 1u);
    EXPECT_EQ(p.patients[0].date_of_birth, date_from_ymd(2015, 10, 26));
    ASSERT_EQ(findings(p), (std::vector<std::string>{"2|Date of Birth|conflicting_values"}));
    EXPECT_EQ(p.errors[0].message, "Conflicting values for Date of Birth: 26/10/2015, 27/10/2015.");
    EXPECT_EQ(p.errors[0].value, "26/10/2015, 27/10/2015");
}

TEST(Grouping, DateOfBirthTieGoesToTheMostRecentVisitByDate) {
    // File order: later visit first. The most recent visit (by date) carries 27/10/2015.
    Row recent = visit_row(A, "20/06/2024");
    recent[FieldId::date_of_birth] = "27/10/2015";
    const auto p = parse_rows(Y21, {recent, visit_row(A, "01/06/2024")});
    EXPECT_EQ(p.patients[0].date_of_birth, date_from_ymd(2015, 10, 27));
    EXPECT_EQ(findings(p), (std::vector<std::string>{"2|Date of Birth|conflicting_values"}));
    // The conflict lists values oldest visit first.
    EXPECT_EQ(p.errors[0].value, "26/10/2015, 27/10/2015");
}

TEST(Grouping, UnknownSexBeforeKnownIsNotAConflict) {
    Row unknown = visit_row(A, "01/06/2024");
    unknown[FieldId::sex] = "99";
    const auto p = parse_rows(Y21, {unknown, visit_row(A, "02/06/2024")});
    EXPECT_EQ(p.patients[0].sex, 1);
    EXPECT_EQ(findings(p), std::vector<std::string>{});
    // Known before unknown is a conflict; the tie goes to the most recent visit.
    Row later_unknown = visit_row(A, "03/06/2024");
    later_unknown[FieldId::sex] = "99";
    const auto q = parse_rows(Y21, {visit_row(A, "02/06/2024"), later_unknown});
    EXPECT_EQ(q.patients[0].sex, 99);
    EXPECT_EQ(findings(q), (std::vector<std::string>{"2|Stated gender|conflicting_values"}));
}

TEST(Grouping, UnknownEthnicityBeforeKnownIsNotAConflict) {
    Row unknown = visit_row(A, "01/06/2024");
    unknown[FieldId::ethnicity] = "99";
    const auto p = parse_rows(Y21, {visit_row(A, "02/06/2024"), unknown});  // file order differs from time order
    EXPECT_EQ(p.patients[0].ethnicity, "N");
    EXPECT_EQ(findings(p), std::vector<std::string>{});
    Row other = visit_row(A, "03/06/2024");
    other[FieldId::ethnicity] = "A";
    const auto q = parse_rows(Y21, {visit_row(A, "01/06/2024"), visit_row(A, "02/06/2024"), other});
    EXPECT_EQ(q.patients[0].ethnicity, "N");  // modal
    EXPECT_EQ(findings(q), (std::vector<std::string>{"2|Ethnic Category|conflicting_values"}));
}

TEST(Grouping, MostRecentVisitWins) {
    Row recent = visit_row(A, "20/06/2024");
    recent[FieldId::diabetes_type] = "2";
    recent[FieldId::postcode] = "BS10 5AH";
    recent[FieldId::gp_practice_ods_code] = "A81001";
    Row no_gp = visit_row(A, "21/06/2024");
    no_gp[FieldId::gp_practice_ods_code] = "";
    no_gp[FieldId::diabetes_type] = "2";
    no_gp[FieldId::postcode] = "BS10 5AH";
    const auto p = parse_rows(Y21, {recent, visit_row(A, "01/06/2024"), no_gp});
    const auto &c = p.patients[0];
    EXPECT_EQ(c.diabetes_type, 2);
    EXPECT_EQ(c.postcode, "BS105AH");
    EXPECT_EQ(c.gp_practice_ods_code, "A81001");  // most recent visit that has one
    EXPECT_EQ(findings(p), (std::vector<std::string>{"2|Postcode of usual address|conflicting_values",
                                                     "2|Diabetes Type|conflicting_values",
                                                     "2|GP Practice Code|conflicting_values"}));
}

TEST(Grouping, DiagnosisIsEarliest) {
    Row later = visit_row(A, "01/06/2024");
    later[FieldId::diagnosis_date] = "01/06/2021";
    const auto p = parse_rows(Y21, {later, visit_row(A, "02/06/2024")});
    EXPECT_EQ(p.patients[0].diagnosis_date, date_from_ymd(2021, 5, 1));
    EXPECT_EQ(findings(p), (std::vector<std::string>{"2|Date of Diabetes Diagnosis|conflicting_values"}));
}

TEST(Grouping, LeavingReasonIsSmallestAmongRowsWithADate) {
    Row a = visit_row(A, "01/06/2024");
    a[FieldId::date_leaving_service] = "01/07/2024";
    a[FieldId::reason_leaving_service] = "3";
    Row b = visit_row(A, "02/06/2024");
    b[FieldId::date_leaving_service] = "01/07/2024";
    b[FieldId::reason_leaving_service] = "2";
    Row c = visit_row(A, "03/06/2024");
    c[FieldId::reason_leaving_service] = "1";  // no date on this row: not a candidate
    const auto p = parse_rows(Y21, {a, b, c});
    EXPECT_EQ(p.patients[0].reason_leaving_service, 2);
    EXPECT_EQ(p.patients[0].date_leaving_service, date_from_ymd(2024, 7, 1));
    EXPECT_EQ(findings(p), (std::vector<std::string>{"2|Reason for leaving service|conflicting_values"}));
    EXPECT_EQ(p.errors[0].value, "3, 2, 1");
}

TEST(Grouping, LeavingReasonOnAnotherRowThanTheDate) {
    Row a = visit_row(A, "01/06/2024");
    a[FieldId::date_leaving_service] = "01/07/2024";
    Row b = visit_row(A, "02/06/2024");
    b[FieldId::reason_leaving_service] = "2";
    const auto p = parse_rows(Y21, {a, b});
    EXPECT_EQ(findings(p), std::vector<std::string>{});
    EXPECT_EQ(p.patients[0].date_leaving_service, date_from_ymd(2024, 7, 1));
    EXPECT_EQ(p.patients[0].reason_leaving_service, 2);
}

TEST(Grouping, DeathAndLeavingDatesFromTheMostRecentVisit) {
    Row a = visit_row(A, "01/06/2024");
    a[FieldId::death_date] = "10/10/2024";
    Row b = visit_row(A, "02/06/2024");
    b[FieldId::death_date] = "11/10/2024";
    const auto p = parse_rows(Y21, {b, a});
    EXPECT_EQ(p.patients[0].death_date, date_from_ymd(2024, 10, 11));
    EXPECT_EQ(findings(p), (std::vector<std::string>{"2|Death Date|conflicting_values"}));
}

TEST(Grouping, VisitsWithoutDateAreLeastRecent) {
    Row undated = visit_row(A, "");
    undated[FieldId::diabetes_type] = "2";
    const auto p = parse_rows(Y21, {visit_row(A, "01/06/2024"), undated});
    EXPECT_EQ(p.patients[0].diabetes_type, 1);
    EXPECT_EQ(findings(p), (std::vector<std::string>{"2|Diabetes Type|conflicting_values",
                                                     "3|Visit/Appointment Date|missing_required"}));
}

TEST(Grouping, VisitDateRulesUseTheResolvedDates) {
    // The second row has a later (wrong) diagnosis date; the earliest one is used, so
    // neither row's dates are before diagnosis.
    Row b = visit_row(A, "02/06/2024");
    b[FieldId::diagnosis_date] = "01/06/2024";
    const auto p = parse_rows(Y21, {visit_row(A, "01/06/2024"), b});
    EXPECT_EQ(findings(p), (std::vector<std::string>{"2|Date of Diabetes Diagnosis|conflicting_values"}));
}

TEST(Grouping, DistinctChildrenNeverConflict) {
    Row b = visit_row(B, "01/06/2024");
    b[FieldId::date_of_birth] = "03/10/2015";
    b[FieldId::sex] = "2";
    const auto p = parse_rows(Y21, {visit_row(A, "01/06/2024"), b});
    EXPECT_EQ(findings(p), std::vector<std::string>{});
    EXPECT_EQ(p.patients[1].sex, 2);
}

TEST(Grouping, ManyDistinctValuesStayBounded) {
    // One identifier with 40 different dates of birth: the conflict message lists ten.
    std::vector<Row> rows;
    for (int i = 1; i <= 40; ++i) {
        Row r = visit_row(A, "01/06/2024");
        r[FieldId::date_of_birth] = std::to_string(i % 28 + 1) + "/" + std::to_string(i / 28 + 1) + "/2015";
        rows.push_back(r);
    }
    const auto p = parse_rows(Y21, rows);
    const auto conflicts = with_code(p, error_code::kConflictingValues);
    ASSERT_EQ(conflicts.size(), 1u);
    EXPECT_NE(conflicts[0].message.find("and 30 more"), std::string::npos) << conflicts[0].message;
}
