// One representative test per field rule (docs/data-model.md §4.2-§4.8, §4.10, §7) and
// per cross-field rule (§4.6, §4.9), through read_submission on small files
// built from a valid row. Each test asserts the exact list of findings.
#include <gtest/gtest.h>

#include "reader_test_util.hpp"

using namespace npda;
using namespace npda::test;
namespace ec = npda::error_code;

namespace {

constexpr auto Y21 = DatasetYear::y2021;
constexpr auto Y26 = DatasetYear::y2026;

std::string H(FieldId f) { return heading(Y21, f); }
std::string H26(FieldId f) { return heading(Y26, f); }
std::string F(int row, const std::string &heading, std::string_view code) {
    return std::to_string(row) + "|" + heading + "|" + std::string(code);
}
using Findings = std::vector<std::string>;

// Parse one 2021 row with some cells changed.
ParsedSubmission one(Row changes, DatasetYear y = Y21) {
    Row r = valid_row(y);
    for (auto &[f, v] : changes) r[f] = v;
    return parse_rows(y, {r});
}

const VisitRecord &visit(const ParsedSubmission &p) { return p.patients.at(0).visits.at(0); }
const PatientRecord &patient(const ParsedSubmission &p) { return p.patients.at(0); }

}  // namespace

TEST(ValidRow, HasNoFindings) {
    for (const auto y : {Y21, Y26}) {
        const auto p = parse_rows(y, {valid_row(y)});
        EXPECT_EQ(findings(p), Findings{}) << static_cast<int>(y);
        ASSERT_EQ(p.patients.size(), 1u);
        EXPECT_EQ(patient(p).nhs_number, "7195730220");
        EXPECT_EQ(patient(p).postcode, "S431BN");
        EXPECT_EQ(patient(p).gp_practice_ods_code, "G85004");
        EXPECT_EQ(visit(p).row_number, 2);
    }
}

// ---- Identifier ----

TEST(FieldRules, NhsNumberFormat) {
    const auto p = one({{FieldId::nhs_number, "12345"}});
    EXPECT_EQ(findings(p), (Findings{F(2, "NHS Number", ec::kNhsNumberFormat)}));
    EXPECT_EQ(patient(p).nhs_number, "12345");  // kept: right type, invalid
    EXPECT_EQ(p.errors[0].value, "12345");
    const auto letters = one({{FieldId::nhs_number, "719573022X"}});
    EXPECT_EQ(findings(letters), (Findings{F(2, "NHS Number", ec::kNhsNumberFormat)}));
}

TEST(FieldRules, NhsNumberCheckDigit) {
    const auto p = one({{FieldId::nhs_number, "943 476 5918"}});
    EXPECT_EQ(findings(p), (Findings{F(2, "NHS Number", ec::kNhsNumberCheckDigit)}));
    EXPECT_EQ(patient(p).nhs_number, "9434765918");
    EXPECT_EQ(p.errors[0].value, "943 476 5918");
}

TEST(FieldRules, NhsNumberIsNormalisedBeforeUse) {
    const auto p = one({{FieldId::nhs_number, "719-573 0220"}});
    EXPECT_EQ(findings(p), Findings{});
    EXPECT_EQ(patient(p).nhs_number, "7195730220");
}

TEST(FieldRules, UniqueReferenceNumberForJersey) {
    auto file = [](const std::string &urn) {
        std::string hdr = header_line(Y21);
        hdr.replace(0, 10, "Unique Reference Number");
        Row r = valid_row(Y21);
        r[FieldId::nhs_number] = urn;
        r[FieldId::pdu_number] = "PZ248";
        return hdr + "\n" + row_line(Y21, r) + "\n";
    };
    const auto ctx = context(Y21, 2024, 2024, 10, 23, "PZ248");
    const auto ok = read_submission(file("004512"), ctx);
    EXPECT_EQ(findings(ok), Findings{});
    EXPECT_EQ(patient(ok).unique_reference_number, "004512");
    EXPECT_FALSE(patient(ok).nhs_number);
    const auto bad = read_submission(file("45-12A"), ctx);
    EXPECT_EQ(findings(bad), (Findings{F(2, "Unique Reference Number", ec::kUrnFormat)}));
}

// ---- Postcode, GP practice ----

TEST(FieldRules, Postcode) {
    const auto bad = one({{FieldId::postcode, "S43 1BX9"}});
    EXPECT_EQ(findings(bad), (Findings{F(2, H(FieldId::postcode), ec::kPostcodeFormat)}));
    EXPECT_EQ(patient(bad).postcode, "S431BX9");  // kept
    const auto lower = one({{FieldId::postcode, "s43-1bn"}});
    EXPECT_EQ(findings(lower), Findings{});
    EXPECT_EQ(patient(lower).postcode, "S431BN");
    const auto special = one({{FieldId::postcode, "ZZ99 3VZ"}});
    EXPECT_EQ(findings(special), Findings{});
    EXPECT_EQ(patient(special).postcode, "ZZ993VZ");
}

TEST(FieldRules, GpPracticeCode) {
    const auto p = one({{FieldId::gp_practice_ods_code, "g7103993"}});
    EXPECT_EQ(findings(p), (Findings{F(2, H(FieldId::gp_practice_ods_code), ec::kGpPracticeCodeFormat)}));
    EXPECT_EQ(patient(p).gp_practice_ods_code, "G7103993");
}

// ---- Dates ----

TEST(FieldRules, DateFormat) {
    const auto p = one({{FieldId::foot_examination_observation_date, "1st May 2024"}});
    EXPECT_EQ(findings(p), (Findings{F(2, H(FieldId::foot_examination_observation_date), ec::kDateFormat)}));
    EXPECT_EQ(p.errors[0].value, "1st May 2024");
    EXPECT_EQ(p.errors[0].message, "Date format is incorrect (expected DD/MM/YYYY).");
    EXPECT_FALSE(visit(p).foot_examination_observation_date);
    const auto impossible = one({{FieldId::foot_examination_observation_date, "31/02/2024"}});
    EXPECT_EQ(findings(impossible), (Findings{F(2, H(FieldId::foot_examination_observation_date), ec::kDateFormat)}));
    const auto iso = one({{FieldId::foot_examination_observation_date, "2024-06-22"}});
    EXPECT_EQ(findings(iso), Findings{});
    EXPECT_EQ(visit(iso).foot_examination_observation_date, date_from_ymd(2024, 6, 22));
}

TEST(FieldRules, UnreadableDateOfBirthIsNotAlsoMissing) {
    const auto p = one({{FieldId::date_of_birth, "26.10.2015"}});
    EXPECT_EQ(findings(p), (Findings{F(2, "Date of Birth", ec::kDateFormat)}));
    EXPECT_FALSE(patient(p).date_of_birth);
}

TEST(FieldRules, DateInFutureIsKept) {
    const auto p = one({{FieldId::foot_examination_observation_date, "24/10/2024"}});
    EXPECT_EQ(findings(p), (Findings{F(2, H(FieldId::foot_examination_observation_date), ec::kDateInFuture)}));
    EXPECT_EQ(visit(p).foot_examination_observation_date, date_from_ymd(2024, 10, 24));
    const auto today = one({{FieldId::foot_examination_observation_date, "23/10/2024"}});
    EXPECT_EQ(findings(today), Findings{});
}

TEST(FieldRules, DateBeforeBirth) {
    const auto p = one({{FieldId::foot_examination_observation_date, "25/10/2015"}});
    EXPECT_EQ(findings(p), (Findings{F(2, H(FieldId::foot_examination_observation_date), ec::kDateBeforeBirth)}));
    EXPECT_EQ(p.errors[0].value, "25/10/2015");
    EXPECT_EQ(p.errors[0].message, "'Foot Assessment / Examination Date' cannot be before date of birth.");
}

TEST(FieldRules, DateBeforeDiagnosis) {
    const auto p = one({{FieldId::foot_examination_observation_date, "30/04/2021"}});
    EXPECT_EQ(findings(p), (Findings{F(2, H(FieldId::foot_examination_observation_date), ec::kDateBeforeDiagnosis)}));
}

TEST(FieldRules, ThyroidAndCoeliacMayBe90DaysBeforeDiagnosis) {
    // Diagnosis 01/05/2021: 90 days before is 31/01/2021.
    const auto ok = one({{FieldId::thyroid_function_date, "31/01/2021"},
                         {FieldId::thyroid_treatment_status, "1"},
                         {FieldId::coeliac_screen_date, "31/01/2021"}});
    EXPECT_EQ(findings(ok), Findings{});
    const auto late = one({{FieldId::thyroid_function_date, "30/01/2021"},
                           {FieldId::thyroid_treatment_status, "1"},
                           {FieldId::coeliac_screen_date, "30/01/2021"}});
    EXPECT_EQ(findings(late), (Findings{F(2, H(FieldId::thyroid_function_date), ec::kDateBeforeDiagnosis),
                                        F(2, H(FieldId::coeliac_screen_date), ec::kDateBeforeDiagnosis)}));
    EXPECT_EQ(late.errors[0].message, "Expected 'Observation Date: Thyroid Function' within 90 days before diagnosis.");
}

TEST(FieldRules, AdmissionMayBe11DaysBeforeDiagnosis) {
    Row adm = {{FieldId::hospital_admission_date, "20/04/2021"},
               {FieldId::hospital_discharge_date, "25/04/2021"},
               {FieldId::hospital_admission_reason, "1"}};
    EXPECT_EQ(findings(one(adm)), Findings{});  // discharge is exempt from the diagnosis rule
    adm[FieldId::hospital_admission_date] = "19/04/2021";
    EXPECT_EQ(findings(one(adm)), (Findings{F(2, H(FieldId::hospital_admission_date), ec::kDateBeforeDiagnosis)}));
}

TEST(FieldRules, CarbohydrateCountingIsExemptFromDiagnosisRule) {
    EXPECT_EQ(findings(one({{FieldId::carbohydrate_counting_level_three_education_date, "01/01/2020"}})), Findings{});
    // but not from the birth rule
    EXPECT_EQ(findings(one({{FieldId::carbohydrate_counting_level_three_education_date, "01/01/2015"}})),
              (Findings{F(2, H(FieldId::carbohydrate_counting_level_three_education_date), ec::kDateBeforeBirth)}));
}

TEST(FieldRules, DateAfterDeath) {
    const auto p = one({{FieldId::death_date, "21/06/2024"}});
    EXPECT_EQ(findings(p), (Findings{F(2, H(FieldId::visit_date), ec::kDateAfterDeath),
                                     F(2, H(FieldId::height_weight_observation_date), ec::kDateAfterDeath),
                                     F(2, H(FieldId::hba1c_date), ec::kDateAfterDeath),
                                     F(2, H(FieldId::blood_pressure_observation_date), ec::kDateAfterDeath)}));
    EXPECT_EQ(patient(p).death_date, date_from_ymd(2024, 6, 21));
}

TEST(FieldRules, AgeMustBeUnder25) {
    const auto old = one({{FieldId::date_of_birth, "23/10/1999"}, {FieldId::diagnosis_date, "01/05/2010"}});
    EXPECT_EQ(findings(old), (Findings{F(2, "Date of Birth", ec::kAgeOverLimit)}));
    EXPECT_EQ(old.errors[0].message, "NPDA patients cannot be 25+ years old. This patient is 25.");
    EXPECT_EQ(old.errors[0].value, "23/10/1999");
    const auto young = one({{FieldId::date_of_birth, "24/10/1999"}, {FieldId::diagnosis_date, "01/05/2010"}});
    EXPECT_EQ(findings(young), Findings{});
}

TEST(FieldRules, PatientDateOrder) {
    const auto diag = one({{FieldId::diagnosis_date, "25/10/2015"}});
    EXPECT_EQ(findings(diag), (Findings{F(2, H(FieldId::diagnosis_date), ec::kDateBeforeBirth)}));
    const auto death = one({{FieldId::death_date, "30/04/2021"}, {FieldId::visit_date, "01/03/2021"},
                            {FieldId::height_weight_observation_date, ""}, {FieldId::height, ""},
                            {FieldId::weight, ""}, {FieldId::hba1c, ""}, {FieldId::hba1c_format, ""},
                            {FieldId::hba1c_date, ""}, {FieldId::systolic_blood_pressure, ""},
                            {FieldId::diastolic_blood_pressure, ""}, {FieldId::blood_pressure_observation_date, ""}});
    EXPECT_EQ(findings(death), (Findings{F(2, H(FieldId::death_date), ec::kDateBeforeDiagnosis),
                                         F(2, H(FieldId::visit_date), ec::kDateBeforeDiagnosis)}));
}

// ---- Numbers ----

TEST(FieldRules, NumberFormat) {
    const auto p = one({{FieldId::height, "tall"}});
    EXPECT_EQ(findings(p), (Findings{F(2, H(FieldId::height), ec::kNumberFormat)}));
    EXPECT_FALSE(visit(p).height);
    EXPECT_EQ(p.errors[0].value, "tall");
}

TEST(FieldRules, UnitsAndRounding) {
    const auto p = one({{FieldId::height, "155.16cm"}, {FieldId::weight, "70kg"},
                        {FieldId::total_cholesterol, "4.96"}, {FieldId::total_cholesterol_date, "22/06/2024"}});
    EXPECT_EQ(findings(p), Findings{});
    EXPECT_DOUBLE_EQ(*visit(p).height, 155.2);
    EXPECT_DOUBLE_EQ(*visit(p).weight, 70.0);
    EXPECT_DOUBLE_EQ(*visit(p).total_cholesterol, 5.0);
}

// Only the column's own unit is read past: a weight in pounds, or a letter O
// typed for a zero, must not become a plausible number of kilograms.
TEST(FieldRules, ForeignUnitsAreNotNumbers) {
    const auto p = one({{FieldId::weight, "154lb"}, {FieldId::height, "15O"}});
    EXPECT_EQ(findings(p), (Findings{F(2, H(FieldId::height), ec::kNumberFormat),
                                     F(2, H(FieldId::weight), ec::kNumberFormat)}));
    EXPECT_FALSE(visit(p).weight);
    EXPECT_FALSE(visit(p).height);
    const auto ok = one({{FieldId::systolic_blood_pressure, "111 mmHg"}, {FieldId::hba1c, "50 mmol/mol"},
                         {FieldId::height, "158 CM"}});
    EXPECT_EQ(findings(ok), Findings{});
    EXPECT_EQ(visit(ok).systolic_blood_pressure, 111);
    EXPECT_DOUBLE_EQ(*visit(ok).hba1c, 50.0);
}

TEST(FieldRules, NumberOutOfRangeIsKept) {
    const auto p = one({{FieldId::height, "250"}, {FieldId::weight, "0.5"}});
    EXPECT_EQ(findings(p), (Findings{F(2, H(FieldId::height), ec::kNumberOutOfRange),
                                     F(2, H(FieldId::weight), ec::kNumberOutOfRange)}));
    EXPECT_DOUBLE_EQ(*visit(p).height, 250.0);
    EXPECT_DOUBLE_EQ(*visit(p).weight, 0.5);
}

TEST(FieldRules, BloodPressureRanges) {
    const auto p = one({{FieldId::systolic_blood_pressure, "201"}, {FieldId::diastolic_blood_pressure, "19"}});
    EXPECT_EQ(findings(p), (Findings{F(2, H(FieldId::systolic_blood_pressure), ec::kNumberOutOfRange),
                                     F(2, H(FieldId::diastolic_blood_pressure), ec::kNumberOutOfRange)}));
    EXPECT_EQ(visit(p).systolic_blood_pressure, 201);
    const auto frac = one({{FieldId::systolic_blood_pressure, "110.5"}, {FieldId::diastolic_blood_pressure, "80.0"}});
    EXPECT_EQ(findings(frac), (Findings{F(2, H(FieldId::systolic_blood_pressure), ec::kNumberFormat)}));
    EXPECT_FALSE(visit(frac).systolic_blood_pressure);
    EXPECT_EQ(visit(frac).diastolic_blood_pressure, 80);
}

TEST(FieldRules, ValueTooLargeForItsColumnIsDropped) {
    const auto p = one({{FieldId::height, "1000"}, {FieldId::total_cholesterol, "100"},
                        {FieldId::total_cholesterol_date, "22/06/2024"}});
    EXPECT_EQ(findings(p), (Findings{F(2, H(FieldId::height), ec::kValueTooLarge),
                                     F(2, H(FieldId::total_cholesterol), ec::kValueTooLarge)}));
    EXPECT_FALSE(visit(p).height);
    EXPECT_FALSE(visit(p).total_cholesterol);
    const auto bp = one({{FieldId::systolic_blood_pressure, "99999999999"}});
    EXPECT_EQ(findings(bp), (Findings{F(2, H(FieldId::systolic_blood_pressure), ec::kValueTooLarge)}));
}

TEST(FieldRules, HbA1cRangeDependsOnFormat) {
    const auto low = one({{FieldId::hba1c, "7.5"}});
    EXPECT_EQ(findings(low), (Findings{F(2, H(FieldId::hba1c), ec::kNumberOutOfRange)}));
    EXPECT_NE(low.errors[0].message.find("DCCT (%)"), std::string::npos);
    const auto percent = one({{FieldId::hba1c, "7.5"}, {FieldId::hba1c_format, "2"}});
    EXPECT_EQ(findings(percent), Findings{});
    const auto high = one({{FieldId::hba1c, "53"}, {FieldId::hba1c_format, "2"}});
    EXPECT_EQ(findings(high), (Findings{F(2, H(FieldId::hba1c), ec::kNumberOutOfRange)}));
    EXPECT_NE(high.errors[0].message.find("IFCC (mmol/mol)"), std::string::npos);
    const auto y26 = one({{FieldId::hba1c, "196"}}, Y26);
    EXPECT_EQ(findings(y26), (Findings{F(2, H26(FieldId::hba1c), ec::kNumberOutOfRange)}));
}

TEST(FieldRules, AcrAndCholesterolRanges) {
    const auto p = one({{FieldId::albumin_creatinine_ratio, "1000"}, {FieldId::albumin_creatinine_ratio_date, "22/06/2024"},
                        {FieldId::albuminuria_stage, "3"}, {FieldId::total_cholesterol, "1.9"},
                        {FieldId::total_cholesterol_date, "22/06/2024"}});
    EXPECT_EQ(findings(p), (Findings{F(2, H(FieldId::albumin_creatinine_ratio), ec::kNumberOutOfRange),
                                     F(2, H(FieldId::total_cholesterol), ec::kNumberOutOfRange)}));
}

TEST(FieldRules, BloodGasRanges2026) {
    Row adm = {{FieldId::hospital_admission_date, "01/10/2026"}, {FieldId::hospital_admission_reason_2026, "1"},
               {FieldId::dka_additional_therapies, "4"}, {FieldId::blood_gas_ph, "6.4"},
               {FieldId::blood_gas_bicarbonate, "41"}};
    const auto p = one(adm, Y26);
    EXPECT_EQ(findings(p), (Findings{F(2, H26(FieldId::blood_gas_ph), ec::kNumberOutOfRange),
                                     F(2, H26(FieldId::blood_gas_bicarbonate), ec::kNumberOutOfRange)}));
    adm[FieldId::blood_gas_ph] = "10";  // Decimal(3,2) holds at most 9.99
    adm[FieldId::blood_gas_bicarbonate] = "8.45";
    const auto big = one(adm, Y26);
    EXPECT_EQ(findings(big), (Findings{F(2, H26(FieldId::blood_gas_ph), ec::kValueTooLarge)}));
    EXPECT_DOUBLE_EQ(*visit(big).blood_gas_bicarbonate, 8.5);
}

// ---- Codes ----

TEST(FieldRules, CodesFromExcel) {
    const auto p = one({{FieldId::diabetes_type, "1.0"}, {FieldId::treatment, "2.00"}});
    EXPECT_EQ(findings(p), Findings{});
    EXPECT_EQ(patient(p).diabetes_type, 1);
    EXPECT_EQ(visit(p).treatment, 2);
}

TEST(FieldRules, BooleanInCodedColumnIsDropped) {
    const auto p = one({{FieldId::gluten_free_diet, "TRUE"}});
    EXPECT_EQ(findings(p), (Findings{F(2, H(FieldId::gluten_free_diet), ec::kValueNotInSet)}));
    EXPECT_FALSE(visit(p).gluten_free_diet);
    EXPECT_EQ(p.errors[0].message,
              "'TRUE' is not a value for 'Has the patient been recommended a Gluten-free diet?'. Please select one of "
              "1, 2, 99.");
}

TEST(FieldRules, CodeOutsideItsSetIsKept) {
    const auto p = one({{FieldId::treatment, "45"}});
    EXPECT_EQ(findings(p), (Findings{F(2, H(FieldId::treatment), ec::kValueNotInSet)}));
    EXPECT_EQ(visit(p).treatment, 45);
    const auto huge = one({{FieldId::treatment, "70000"}});
    EXPECT_EQ(findings(huge), (Findings{F(2, H(FieldId::treatment), ec::kValueTooLarge)}));
    EXPECT_FALSE(visit(huge).treatment);
}

TEST(FieldRules, LegacyTreatmentNineMeansUnknown) {
    const auto p = one({{FieldId::treatment, "9"}});
    EXPECT_EQ(findings(p), Findings{});
    EXPECT_EQ(visit(p).treatment, 99);
}

TEST(FieldRules, SexTextMapping) {
    for (const auto &[text, code] : std::vector<std::pair<std::string, int>>{
             {"m", 1}, {"F", 2}, {"Not specified", 3}, {"unknown", 99}, {"2.0", 2}}) {
        const auto p = one({{FieldId::sex, text}});
        EXPECT_EQ(findings(p), Findings{}) << text;
        EXPECT_EQ(patient(p).sex, code) << text;
    }
    const auto bad = one({{FieldId::sex, "x"}});
    EXPECT_EQ(findings(bad), (Findings{F(2, "Stated gender", ec::kValueNotInSet)}));
    EXPECT_FALSE(patient(bad).sex);
    const auto zero = one({{FieldId::sex, "0"}});  // 2024-10 "not known"
    EXPECT_EQ(findings(zero), (Findings{F(2, "Stated gender", ec::kValueNotInSet)}));
}

TEST(FieldRules, Ethnicity) {
    const auto lower = one({{FieldId::ethnicity, " n "}});
    EXPECT_EQ(findings(lower), Findings{});
    EXPECT_EQ(patient(lower).ethnicity, "N");
    const auto q = one({{FieldId::ethnicity, "Q"}});
    EXPECT_EQ(findings(q), (Findings{F(2, "Ethnic Category", ec::kValueNotInSet)}));
    EXPECT_EQ(patient(q).ethnicity, "Q");
    const auto words = one({{FieldId::ethnicity, "White British"}});
    EXPECT_EQ(findings(words), (Findings{F(2, "Ethnic Category", ec::kValueNotInSet)}));
    EXPECT_FALSE(patient(words).ethnicity);  // does not fit varchar(4)
}

TEST(FieldRules, AdhdAsdStatus2026) {
    const auto p = one({{FieldId::adhd_asd_status, "5"}}, Y26);
    EXPECT_EQ(findings(p), (Findings{F(2, H26(FieldId::adhd_asd_status), ec::kValueNotInSet)}));
    EXPECT_EQ(patient(p).adhd_asd_status, 5);
}

TEST(FieldRules, FreeTextTooLong) {
    const auto p = one({{FieldId::hospital_admission_date, "01/06/2024"}, {FieldId::hospital_admission_reason, "6"},
                        {FieldId::hospital_admission_other, std::string(501, 'x')}});
    EXPECT_EQ(findings(p), (Findings{F(2, H(FieldId::hospital_admission_other), ec::kValueTooLarge)}));
    EXPECT_FALSE(visit(p).hospital_admission_other);
    const auto fits = one({{FieldId::hospital_admission_date, "01/06/2024"}, {FieldId::hospital_admission_reason, "6"},
                           {FieldId::hospital_admission_other, std::string(500, 'x')}});
    EXPECT_EQ(findings(fits), Findings{});
}

// ---- Cross-field rules on a visit (docs/data-model.md §4.9) ----

TEST(CrossFieldRules, VisitDateRequired) {
    const auto p = one({{FieldId::visit_date, ""}});
    EXPECT_EQ(findings(p), (Findings{F(2, H(FieldId::visit_date), ec::kMissingRequired)}));
    EXPECT_EQ(patient(p).visits.size(), 1u);  // stored with the error
}

TEST(CrossFieldRules, HeightWeightAndObservationDate) {
    const auto no_date = one({{FieldId::height_weight_observation_date, ""}});
    EXPECT_EQ(findings(no_date), (Findings{F(2, H(FieldId::height_weight_observation_date), ec::kRequiresOtherField)}));
    const auto no_values = one({{FieldId::height, ""}, {FieldId::weight, ""}});
    EXPECT_EQ(findings(no_values), (Findings{F(2, H(FieldId::height), ec::kRequiresOtherField)}));
    EXPECT_EQ(findings(one({{FieldId::height, ""}})), Findings{});  // weight alone is enough
}

TEST(CrossFieldRules, HbA1cValueFormatAndDate) {
    const auto p = one({{FieldId::hba1c_format, ""}, {FieldId::hba1c_date, ""}});
    EXPECT_EQ(findings(p), (Findings{F(2, H(FieldId::hba1c_format), ec::kRequiresOtherField),
                                     F(2, H(FieldId::hba1c_date), ec::kRequiresOtherField)}));
    const auto date_only = one({{FieldId::hba1c, ""}, {FieldId::hba1c_format, ""}});
    EXPECT_EQ(findings(date_only), (Findings{F(2, H(FieldId::hba1c), ec::kRequiresOtherField),
                                             F(2, H(FieldId::hba1c_format), ec::kRequiresOtherField)}));
    const auto y26 = one({{FieldId::hba1c_date, ""}}, Y26);
    EXPECT_EQ(findings(y26), (Findings{F(2, H26(FieldId::hba1c_date), ec::kRequiresOtherField)}));
}

TEST(CrossFieldRules, ClosedLoopOnlyWithPump) {
    EXPECT_EQ(findings(one({{FieldId::treatment, "3"}})),
              (Findings{F(2, H(FieldId::closed_loop_system), ec::kRequiresOtherField)}));
    EXPECT_EQ(findings(one({{FieldId::treatment, "6"}, {FieldId::closed_loop_system, "2"}})), Findings{});
    EXPECT_EQ(findings(one({{FieldId::treatment, "2"}, {FieldId::closed_loop_system, "1"}})),
              (Findings{F(2, H(FieldId::closed_loop_system), ec::kValueNotApplicable)}));
    EXPECT_EQ(findings(one({{FieldId::treatment, ""}, {FieldId::closed_loop_system, "2"}})),
              (Findings{F(2, H(FieldId::treatment), ec::kRequiresOtherField)}));
}

TEST(CrossFieldRules, BloodPressureGoesTogether) {
    const auto p = one({{FieldId::diastolic_blood_pressure, ""}, {FieldId::blood_pressure_observation_date, ""}});
    EXPECT_EQ(findings(p), (Findings{F(2, H(FieldId::diastolic_blood_pressure), ec::kRequiresOtherField),
                                     F(2, H(FieldId::blood_pressure_observation_date), ec::kRequiresOtherField)}));
}

TEST(CrossFieldRules, RetinalResultNeedsDate) {
    // Project note: also result 1 (normal), which the reference let through.
    EXPECT_EQ(findings(one({{FieldId::retinal_screening_result, "1"}})),
              (Findings{F(2, H(FieldId::retinal_screening_observation_date), ec::kRequiresOtherField)}));
    EXPECT_EQ(findings(one({{FieldId::retinal_screening_observation_date, "22/06/2024"}})), Findings{});
}

TEST(CrossFieldRules, AcrValueDateAndStage) {
    EXPECT_EQ(findings(one({{FieldId::albumin_creatinine_ratio, "2.5"}})),
              (Findings{F(2, H(FieldId::albumin_creatinine_ratio_date), ec::kRequiresOtherField),
                        F(2, H(FieldId::albuminuria_stage), ec::kRequiresOtherField)}));
}

TEST(CrossFieldRules, CholesterolValueAndDate) {
    EXPECT_EQ(findings(one({{FieldId::total_cholesterol_date, "22/06/2024"}})),
              (Findings{F(2, H(FieldId::total_cholesterol), ec::kRequiresOtherField)}));
}

TEST(CrossFieldRules, ThyroidDateNeedsStatus) {
    EXPECT_EQ(findings(one({{FieldId::thyroid_function_date, "22/06/2024"}})),
              (Findings{F(2, H(FieldId::thyroid_treatment_status), ec::kRequiresOtherField)}));
}

TEST(CrossFieldRules, PsychologyDateAndStatusUnless99) {
    EXPECT_EQ(findings(one({{FieldId::psychological_screening_assessment_date, "22/06/2024"}})),
              (Findings{F(2, H(FieldId::psychological_additional_support_status), ec::kRequiresOtherField)}));
    EXPECT_EQ(findings(one({{FieldId::psychological_additional_support_status, "1"}})),
              (Findings{F(2, H(FieldId::psychological_screening_assessment_date), ec::kRequiresOtherField)}));
    EXPECT_EQ(findings(one({{FieldId::psychological_additional_support_status, "99"}})), Findings{});
}

TEST(CrossFieldRules, SmokingCessationOnlyForSmokers) {
    const FieldId date = FieldId::smoking_cessation_referral_date;
    EXPECT_EQ(findings(one({{FieldId::smoking_status, "2"}, {date, "22/06/2024"}})), Findings{});
    EXPECT_EQ(findings(one({{FieldId::smoking_status, "1"}, {date, "22/06/2024"}})),
              (Findings{F(2, H(date), ec::kValueNotApplicable)}));
    EXPECT_EQ(findings(one({{date, "22/06/2024"}})), (Findings{F(2, H(FieldId::smoking_status), ec::kRequiresOtherField)}));
    // 2026: smokers are 2 and 4; a vaper (3) is not.
    EXPECT_EQ(findings(one({{FieldId::smoking_vaping_status, "4"}, {date, "05/10/2026"}}, Y26)), Findings{});
    EXPECT_EQ(findings(one({{FieldId::smoking_vaping_status, "3"}, {date, "05/10/2026"}}, Y26)),
              (Findings{F(2, H26(date), ec::kValueNotApplicable)}));
}

TEST(CrossFieldRules, DietitianDateNotWithOfferedNo) {
    const FieldId date = FieldId::dietician_additional_appointment_date;
    EXPECT_EQ(findings(one({{FieldId::dietician_additional_appointment_offered, "2"}, {date, "22/06/2024"}})),
              (Findings{F(2, H(date), ec::kValueNotApplicable)}));
    EXPECT_EQ(findings(one({{FieldId::dietician_additional_appointment_offered, "1"}, {date, "22/06/2024"}})), Findings{});
}

TEST(CrossFieldRules, AdmissionNeedsDateAndReason) {
    EXPECT_EQ(findings(one({{FieldId::hospital_discharge_date, "22/06/2024"}})),
              (Findings{F(2, H(FieldId::hospital_admission_date), ec::kRequiresOtherField),
                        F(2, H(FieldId::hospital_admission_reason), ec::kRequiresOtherField)}));
}

TEST(CrossFieldRules, DkaTherapiesOnlyWithDka2021) {
    const Row base = {{FieldId::hospital_admission_date, "01/06/2024"}, {FieldId::hospital_discharge_date, "03/06/2024"}};
    Row dka = base;
    dka[FieldId::hospital_admission_reason] = "2";
    EXPECT_EQ(findings(one(dka)), (Findings{F(2, H(FieldId::dka_additional_therapies), ec::kRequiresOtherField)}));
    dka[FieldId::dka_additional_therapies] = "1";
    EXPECT_EQ(findings(one(dka)), Findings{});
    Row hypo = base;
    hypo[FieldId::hospital_admission_reason] = "4";
    hypo[FieldId::dka_additional_therapies] = "1";
    EXPECT_EQ(findings(one(hypo)), (Findings{F(2, H(FieldId::dka_additional_therapies), ec::kValueNotApplicable)}));
}

TEST(CrossFieldRules, DkaIsCodeOneIn2026) {
    const Row base = {{FieldId::hospital_admission_date, "01/10/2026"}};
    Row dka = base;
    dka[FieldId::hospital_admission_reason_2026] = "1";
    EXPECT_EQ(findings(one(dka, Y26)), (Findings{F(2, H26(FieldId::dka_additional_therapies), ec::kRequiresOtherField)}));
    Row acute = base;
    acute[FieldId::hospital_admission_reason_2026] = "2";
    acute[FieldId::dka_additional_therapies] = "1";
    EXPECT_EQ(findings(one(acute, Y26)), (Findings{F(2, H26(FieldId::dka_additional_therapies), ec::kValueNotApplicable)}));
}

TEST(CrossFieldRules, OtherReasonAndFreeText) {
    const Row base = {{FieldId::hospital_admission_date, "01/06/2024"}};
    Row other = base;
    other[FieldId::hospital_admission_reason] = "6";
    EXPECT_EQ(findings(one(other)), (Findings{F(2, H(FieldId::hospital_admission_other), ec::kRequiresOtherField)}));
    Row text = base;
    text[FieldId::hospital_admission_reason] = "1";
    text[FieldId::hospital_admission_other] = "broken arm";
    EXPECT_EQ(findings(one(text)), (Findings{F(2, H(FieldId::hospital_admission_other), ec::kValueNotApplicable)}));
}

TEST(CrossFieldRules, AdmissionNotAfterDischarge) {
    const auto p = one({{FieldId::hospital_admission_date, "05/06/2024"}, {FieldId::hospital_discharge_date, "04/06/2024"},
                        {FieldId::hospital_admission_reason, "1"}});
    EXPECT_EQ(findings(p), (Findings{F(2, H(FieldId::hospital_admission_date), ec::kAdmissionAfterDischarge)}));
    EXPECT_EQ(p.errors[0].value, "05/06/2024");
}

TEST(CrossFieldRules, BloodGasesOnlyOnAdmissionRows2026) {
    EXPECT_EQ(findings(one({{FieldId::blood_gas_ph, "7.1"}, {FieldId::blood_gas_bicarbonate, "12"}}, Y26)),
              (Findings{F(2, H26(FieldId::blood_gas_ph), ec::kValueNotApplicable),
                        F(2, H26(FieldId::blood_gas_bicarbonate), ec::kValueNotApplicable)}));
}

// ---- Patient rules (docs/data-model.md §4.6) ----

TEST(PatientRules, RequiredPatientFields) {
    const auto p = one({{FieldId::date_of_birth, ""}, {FieldId::diagnosis_date, ""}, {FieldId::diabetes_type, ""},
                        {FieldId::gp_practice_ods_code, ""}});
    EXPECT_EQ(findings(p), (Findings{F(2, "Date of Birth", ec::kMissingRequired),
                                     F(2, H(FieldId::diabetes_type), ec::kMissingRequired),
                                     F(2, H(FieldId::diagnosis_date), ec::kMissingRequired),
                                     F(2, H(FieldId::gp_practice_ods_code), ec::kMissingRequired)}));
    EXPECT_EQ(p.patients.size(), 1u);  // stored anyway (docs/data-model.md §9, our rule)
}

TEST(PatientRules, LeavingDateAndReasonGoTogether) {
    EXPECT_EQ(findings(one({{FieldId::date_leaving_service, "01/07/2024"}})),
              (Findings{F(2, H(FieldId::reason_leaving_service), ec::kRequiresOtherField)}));
    EXPECT_EQ(findings(one({{FieldId::reason_leaving_service, "2"}})),
              (Findings{F(2, H(FieldId::date_leaving_service), ec::kRequiresOtherField)}));
    const auto ok = one({{FieldId::date_leaving_service, "01/07/2024"}, {FieldId::reason_leaving_service, "2"}});
    EXPECT_EQ(findings(ok), Findings{});
    EXPECT_EQ(patient(ok).date_leaving_service, date_from_ymd(2024, 7, 1));
    EXPECT_EQ(patient(ok).reason_leaving_service, 2);
}

TEST(PatientRules, InvalidLeavingDataIsNulled) {
    const auto future = one({{FieldId::date_leaving_service, "01/11/2024"}, {FieldId::reason_leaving_service, "7"}});
    EXPECT_EQ(findings(future), (Findings{F(2, H(FieldId::date_leaving_service), ec::kDateInFuture),
                                          F(2, H(FieldId::reason_leaving_service), ec::kValueNotInSet)}));
    EXPECT_FALSE(patient(future).date_leaving_service);
    EXPECT_FALSE(patient(future).reason_leaving_service);
    const auto early = one({{FieldId::date_leaving_service, "01/01/2021"}, {FieldId::reason_leaving_service, "1"}});
    EXPECT_EQ(findings(early), (Findings{F(2, H(FieldId::date_leaving_service), ec::kDateBeforeDiagnosis)}));
    EXPECT_FALSE(patient(early).date_leaving_service);
}

TEST(PatientRules, Immunotherapy2026) {
    const FieldId rec = FieldId::immunotherapy_received, date = FieldId::immunotherapy_date;
    EXPECT_EQ(findings(one({{rec, "1"}, {date, "01/06/2021"}}, Y26)), Findings{});
    EXPECT_EQ(findings(one({{rec, "1"}}, Y26)), (Findings{F(2, H26(date), ec::kRequiresOtherField)}));
    EXPECT_EQ(findings(one({{date, "01/06/2021"}}, Y26)), (Findings{F(2, H26(rec), ec::kRequiresOtherField)}));
    EXPECT_EQ(findings(one({{rec, "2"}, {date, "01/06/2021"}}, Y26)), (Findings{F(2, H26(date), ec::kValueNotApplicable)}));
    EXPECT_EQ(findings(one({{rec, "1"}, {date, "01/04/2021"}}, Y26)), (Findings{F(2, H26(date), ec::kDateBeforeDiagnosis)}));
    const auto p = one({{rec, "1"}, {date, "01/06/2021"}}, Y26);
    EXPECT_EQ(patient(p).immunotherapy_received, 1);
    EXPECT_EQ(patient(p).immunotherapy_date, date_from_ymd(2021, 6, 1));
}
