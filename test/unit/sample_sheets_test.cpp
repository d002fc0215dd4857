// The RCPCH sample sheets (docs/data-model.md §14): accepted, with exactly the expected findings.
#include <gtest/gtest.h>

#include <map>

#include "reader_test_util.hpp"

using namespace npda;
using namespace npda::test;
namespace ec = npda::error_code;

namespace {

std::map<std::string, int> code_counts(const ParsedSubmission &p) {
    std::map<std::string, int> counts;
    for (const auto &e : p.errors) ++counts[e.code];
    return counts;
}

const PatientRecord *find_child(const ParsedSubmission &p, const std::string &nhs) {
    for (const auto &c : p.patients)
        if (c.nhs_number == nhs) return &c;
    return nullptr;
}

}  // namespace

TEST(SampleSheets, DummySheet2024) {
    const auto p = read_submission(read_fixture("npda_dummy_sheet_2024-10.csv"), ctx2021());
    EXPECT_EQ(p.data_rows, 11);
    ASSERT_EQ(p.patients.size(), 10u);
    EXPECT_EQ(p.patients[0].nhs_number, "7195730220");  // written "719 573 0220"
    EXPECT_EQ(p.patients[0].visits.size(), 2u);
    EXPECT_EQ(p.patients[0].visits[1].row_number, 3);
    EXPECT_EQ(p.patients[9].nhs_number, "3518961306");
    EXPECT_EQ(p.patients[9].first_row_number, 12);
    EXPECT_EQ(p.patients[9].death_date, date_from_ymd(2023, 12, 20));
    // GP code G7103993 is not a practice code: one finding per row. The rest are
    // admission cross-field findings (DKA therapies without a DKA admission, and
    // admissions with a date or reason missing).
    EXPECT_EQ(code_counts(p), (std::map<std::string, int>{{"gp_practice_code_format", 11},
                                                          {"requires_other_field", 10},
                                                          {"value_not_applicable", 8}}));
    EXPECT_EQ(p.errors[0].row_number, 2);
    EXPECT_EQ(p.errors[0].column_heading, "GP Practice Code");
    EXPECT_EQ(p.errors[0].value, "G7103993");
    // Visits 2016-2023: outside the 2024-25 period but not an error (docs/data-model.md §4.7, our rule).
    const auto *c = find_child(p, "6537651948");
    ASSERT_NE(c, nullptr);
    EXPECT_EQ(c->visits[0].visit_date, date_from_ymd(2016, 7, 6));
    EXPECT_EQ(c->visits[0].treatment, 3);
    EXPECT_EQ(c->visits[0].closed_loop_system, 1);
    const auto *left = find_child(p, "5737765148");
    ASSERT_NE(left, nullptr);
    EXPECT_EQ(left->date_leaving_service, date_from_ymd(2024, 7, 27));
    EXPECT_EQ(left->reason_leaving_service, 1);
}

TEST(SampleSheets, InvalidDummySheet2024) {
    const auto p = read_submission(read_fixture("npda_dummy_sheet_invalid_2024-10.csv"),
                                   context(DatasetYear::y2021, 2024, 2025, 3, 31));
    EXPECT_EQ(p.data_rows, 10);
    EXPECT_EQ(p.patients.size(), 10u);
    // TRUE/FALSE: six coded columns on every row plus closed loop and thyroid
    // treatment on three rows each = 66; two observation dates before birth; the
    // child who died on 20/03/2023 has eleven later dates.
    EXPECT_EQ(code_counts(p), (std::map<std::string, int>{{"date_after_death", 11},
                                                          {"date_before_birth", 2},
                                                          {"gp_practice_code_format", 10},
                                                          {"requires_other_field", 7},
                                                          {"value_not_applicable", 9},
                                                          {"value_not_in_set", 66}}));
    const auto before_birth = with_code(p, ec::kDateBeforeBirth);
    ASSERT_EQ(before_birth.size(), 2u);
    EXPECT_EQ(before_birth[0].row_number, 2);
    EXPECT_EQ(before_birth[0].column_heading, "Observation Date: Coeliac Disease Screening");
    EXPECT_EQ(before_birth[0].value, "02/01/2018");
    EXPECT_EQ(before_birth[1].row_number, 3);
    EXPECT_EQ(before_birth[1].column_heading, "Observation Date - Psychological Screening Assessment");
    // TRUE/FALSE values are dropped.
    EXPECT_FALSE(p.patients[0].visits[0].gluten_free_diet);
    EXPECT_FALSE(p.patients[0].visits[0].glucose_monitoring);
}

TEST(SampleSheets, DummySheet2026WithDaggers) {
    const auto p = read_submission(read_fixture("npda_dummy_sheet_2026_test.csv"), ctx2026());
    EXPECT_EQ(p.dataset, DatasetYear::y2026);
    EXPECT_EQ(p.data_rows, 11);
    ASSERT_EQ(p.patients.size(), 10u);
    std::vector<std::string> expected = {
        // The admission of 1-4 January 2027 is after the upload day (27/11/2026).
        "3|Start date (Hospital Provider Spell)|date_in_future",
        "3|Discharge date (Hospital provider spell)|date_in_future",
        // docs/data-model.md §14: admission reason 2 is "acute but not in DKA" in 2026, so a DKA
        // therapy is not applicable.
        "3|Only complete if DKA selected in previous question: During this DKA admission did the patient receive "
        "any of the following therapies?|value_not_applicable",
        // docs/data-model.md §14: a cessation-advice date for a vaper (status 3).
        "6|Date of offer of smoking cessation advice (if patient is a current smoker)|value_not_applicable",
        // A dietitian appointment date where the offer was "No" (2).
        "8|Date of additional appointment with dietitian|value_not_applicable",
        // docs/data-model.md §14: adhd_asd_status 5 is not in the value set.
        "11|Has the patient had a diagnosis of Attention Deficit Hyperactivity Disorder (ADHD) or Autism Spectrum "
        "Disorder (ASD)?|value_not_in_set",
    };
    // The child of row 11 died on 30/9/2026 (a D/M/YYYY date); the visit of 14/10/2026 is after it.
    for (const char *h :
         {"Visit/Appointment Date", "Observation Date (Height and weight)", "Observation Date: HbA1c Value",
          "Observation Date (Blood Pressure)", "Foot Assessment / Examination Date", "Retinal Screening date",
          "Observation Date: Urinary Albumin Level", "Observation Date: Total Cholesterol Level",
          "Observation Date: Thyroid Function", "Observation Date: Coeliac Disease Screening",
          "Date that influenza immunisation was recommended",
          "Date of provision of advice ('sick-day rules') about managing diabetes during "
          "intercurrent illness or episodes of hyperglycaemia",
          "Date of Annual Psychological Screening Assessment",
          "Date of Level 3 carbohydrate counting education received"})
        expected.push_back(std::string("11|") + h + "|date_after_death");
    EXPECT_EQ(findings(p), expected);
    const auto *c = find_child(p, "9994892266");
    ASSERT_NE(c, nullptr);
    EXPECT_EQ(c->death_date, date_from_ymd(2026, 9, 30));
    EXPECT_EQ(c->adhd_asd_status, 5);
    const auto &admitted = p.patients[0].visits[1];
    EXPECT_EQ(admitted.hospital_admission_reason_2026, 2);
    EXPECT_FALSE(admitted.hospital_admission_reason);
    EXPECT_DOUBLE_EQ(*admitted.blood_gas_ph, 7.01);
    EXPECT_DOUBLE_EQ(*admitted.blood_gas_bicarbonate, 8.4);
    EXPECT_EQ(admitted.insulin_regimen, 1);
    EXPECT_EQ(p.patients[0].learning_disability_status, 2);
}

TEST(SampleSheets, OldHeadingsAreAccepted) {
    const auto p = read_submission(read_fixture("npda_dummy_sheet_old_headers.csv"), ctx2021());
    EXPECT_EQ(p.data_rows, 11);
    ASSERT_EQ(p.patients.size(), 10u);
    EXPECT_EQ(findings(p), std::vector<std::string>{});
    // Same children as the 2024-10 sheet, in the same order.
    const auto q = read_submission(read_fixture("npda_dummy_sheet_2024-10.csv"), ctx2021());
    for (std::size_t i = 0; i < p.patients.size(); ++i) {
        EXPECT_EQ(p.patients[i].nhs_number, q.patients[i].nhs_number);
        EXPECT_EQ(p.patients[i].date_of_birth, q.patients[i].date_of_birth);
    }
    EXPECT_EQ(p.patients[0].gp_practice_ods_code, "G85004");
}

TEST(SampleSheets, OnePatientFourVisits) {
    const auto p = read_submission(read_fixture("npda_one_patient_four_visits.csv"),
                                   context(DatasetYear::y2021, 2025, 2026, 3, 31, "PZ999"));
    EXPECT_EQ(findings(p), std::vector<std::string>{});
    EXPECT_EQ(p.data_rows, 4);
    ASSERT_EQ(p.patients.size(), 1u);
    const auto &c = p.patients[0];
    EXPECT_EQ(c.nhs_number, "7800713695");
    EXPECT_EQ(c.sex, 2);
    EXPECT_EQ(c.ethnicity, "E");
    EXPECT_EQ(c.postcode, "GU215JG");
    ASSERT_EQ(c.visits.size(), 4u);
    EXPECT_EQ(c.visits[0].row_number, 2);
    EXPECT_EQ(c.visits[3].row_number, 5);
    EXPECT_DOUBLE_EQ(*c.visits[0].height, 155.1);  // 155.13 rounded to one decimal
    EXPECT_DOUBLE_EQ(*c.visits[0].weight, 57.0);   // 56.96
    EXPECT_DOUBLE_EQ(*c.visits[0].hba1c, 53.0);    // written 53.0
    EXPECT_EQ(c.visits[0].treatment, 5);
    EXPECT_EQ(c.visits[1].dietician_additional_appointment_offered, 2);
    EXPECT_EQ(c.visits[0].glucose_monitoring, 1);
    EXPECT_EQ(c.visits[3].dietician_additional_appointment_offered, 1);
    EXPECT_EQ(c.visits[3].dietician_additional_appointment_date, date_from_ymd(2026, 1, 30));
}

TEST(SampleSheets, OnePatientFileIsRejectedForAnotherPdu) {
    expect_structural(read_fixture("npda_one_patient_four_visits.csv"), context(DatasetYear::y2021, 2025, 2026, 3, 31),
                      sqlstate::kPduMismatch);
}

TEST(SampleSheets, EveryCodeUsedIsInTheTable) {
    const auto a = read_submission(read_fixture("npda_dummy_sheet_invalid_2024-10.csv"), ctx2021());
    const auto b = read_submission(read_fixture("npda_dummy_sheet_2026_test.csv"), ctx2026());
    for (const auto *p : {&a, &b})
        for (const auto &e : p->errors) EXPECT_NE(find_error_code(e.code), nullptr) << e.code;
}

// A big file's rows are read again to build the children, a batch at a time
// (SubmissionReader); a small file keeps them from the first pass. Both give
// the same children, visits and findings, whatever the batch size.
TEST(SampleSheets, RowsReadAgainInBatchesGiveTheSameResult) {
    for (const auto &[file, ctx] : {std::make_pair(std::string("npda_dummy_sheet_invalid_2024-10.csv"), ctx2021()),
                                    std::make_pair(std::string("npda_dummy_sheet_2026_test.csv"), ctx2026())}) {
        const auto whole = read_submission(read_fixture(file), ctx);
        for (const std::size_t batch_rows : {std::size_t{1}, std::size_t{3}, std::size_t{1000}}) {
            auto again = ctx;
            again.keep_rows = 0;
            const std::string bytes = read_fixture(file);
            SubmissionReader reader(bytes, again);
            EXPECT_EQ(reader.data_rows(), whole.data_rows);
            EXPECT_EQ(reader.patient_count(), whole.patients.size());
            std::vector<PatientRecord> batch, all;
            while (reader.next_batch(batch, batch_rows))
                for (auto &p : batch) all.push_back(std::move(p));
            ASSERT_EQ(all.size(), whole.patients.size()) << file;
            for (std::size_t i = 0; i < all.size(); ++i) {
                EXPECT_EQ(all[i].nhs_number, whole.patients[i].nhs_number);
                EXPECT_EQ(all[i].first_row_number, whole.patients[i].first_row_number);
                EXPECT_EQ(all[i].date_of_birth, whole.patients[i].date_of_birth);
                EXPECT_EQ(all[i].postcode, whole.patients[i].postcode);
                ASSERT_EQ(all[i].visits.size(), whole.patients[i].visits.size());
                for (std::size_t v = 0; v < all[i].visits.size(); ++v) {
                    EXPECT_EQ(all[i].visits[v].row_number, whole.patients[i].visits[v].row_number);
                    EXPECT_EQ(all[i].visits[v].visit_date, whole.patients[i].visits[v].visit_date);
                    EXPECT_EQ(all[i].visits[v].hba1c, whole.patients[i].visits[v].hba1c);
                }
            }
            const auto errors = reader.take_errors();
            ASSERT_EQ(errors.size(), whole.errors.size()) << file;
            for (std::size_t i = 0; i < errors.size(); ++i) {
                EXPECT_EQ(errors[i].row_number, whole.errors[i].row_number);
                EXPECT_EQ(errors[i].code, whole.errors[i].code);
                EXPECT_EQ(errors[i].value, whole.errors[i].value);
                EXPECT_EQ(errors[i].message, whole.errors[i].message);
            }
        }
    }
}
