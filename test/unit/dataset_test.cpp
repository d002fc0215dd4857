// Template tables, heading normalisation and aliases, value sets (docs/data-model.md §5, §6.2, §3).
#include <gtest/gtest.h>

#include <set>

#include "ingest/csv_reader.hpp"
#include "ingest/dataset.hpp"
#include "reader_test_util.hpp"
#include "ingest/value_sets.hpp"

using namespace npda;
using npda::test::read_fixture;

namespace {

void expect_template_matches(const char *fixture, DatasetYear year) {
    const auto recs = read_csv(read_fixture(fixture));
    ASSERT_EQ(recs.size(), 1u) << fixture;
    const auto &cols = dataset_columns(year);
    ASSERT_EQ(recs[0].fields.size(), cols.size()) << fixture;
    for (std::size_t i = 0; i < cols.size(); ++i) {
        EXPECT_EQ(clean_heading(recs[0].fields[i]), cols[i].heading) << fixture << " column " << i + 1;
        const auto m = heading_index(year).match(recs[0].fields[i]);
        EXPECT_EQ(m.kind, HeadingMatch::Kind::template_column);
        EXPECT_EQ(m.column, static_cast<int>(i));
    }
}

}  // namespace

TEST(Dataset, ColumnCounts) {
    EXPECT_EQ(dataset_columns(DatasetYear::y2021).size(), 52u);
    EXPECT_EQ(dataset_columns(DatasetYear::y2026).size(), 59u);
}

TEST(Dataset, HeadingsAreThoseOfThePublishedTemplates) {
    expect_template_matches("npda_csv_template_2021.csv", DatasetYear::y2021);
    expect_template_matches("npda_base_template_2021.csv", DatasetYear::y2021);
    expect_template_matches("npda_csv_template_2026.csv", DatasetYear::y2026);
}

TEST(Dataset, DaggerHeadingsOfThe2026SampleMatch) {
    const auto recs = read_csv(read_fixture("npda_dummy_sheet_2026_test.csv"));
    ASSERT_FALSE(recs.empty());
    const auto &hdr = recs[0].fields;
    ASSERT_EQ(hdr.size(), 59u);
    for (std::size_t i = 0; i < hdr.size(); ++i) {
        const auto m = heading_index(DatasetYear::y2026).match(hdr[i]);
        EXPECT_EQ(m.column, static_cast<int>(i)) << hdr[i];
    }
}

TEST(Dataset, FirstColumnIsTheIdentifier) {
    for (const auto y : {DatasetYear::y2021, DatasetYear::y2026}) {
        EXPECT_EQ(dataset_columns(y)[0].heading, "NHS Number");
        EXPECT_EQ(dataset_columns(y)[0].field, FieldId::nhs_number);
    }
}

TEST(Dataset, ColumnKindsFollowTheSpec) {
    const auto &c21 = dataset_columns(DatasetYear::y2021);
    EXPECT_EQ(c21[3].field, FieldId::sex);
    EXPECT_EQ(c21[3].level, RecordLevel::patient);
    EXPECT_EQ(c21[7].level, RecordLevel::transfer);
    EXPECT_EQ(c21[11].level, RecordLevel::pdu);
    EXPECT_EQ(c21[50].field, FieldId::dka_additional_therapies);  // DKA before OTHER in 2021
    EXPECT_EQ(c21[51].field, FieldId::hospital_admission_other);
    EXPECT_EQ(c21[49].value_set, ValueSetId::admission_reason_2021);
    const auto &c26 = dataset_columns(DatasetYear::y2026);
    EXPECT_EQ(c26[54].value_set, ValueSetId::admission_reason_2026);
    EXPECT_EQ(c26[55].field, FieldId::hospital_admission_other);  // OTHER before DKA in 2026
    EXPECT_EQ(c26[56].field, FieldId::dka_additional_therapies);
    EXPECT_EQ(c26[25].level, RecordLevel::patient);  // immunotherapy among visit columns
    EXPECT_EQ(c26[26].level, RecordLevel::patient);
    EXPECT_EQ(c26[57].precision, 3);
    EXPECT_EQ(c26[57].scale, 2);
}

TEST(Dataset, ColumnIndex) {
    EXPECT_EQ(column_index(DatasetYear::y2021, FieldId::hba1c_format), 17);
    EXPECT_EQ(column_index(DatasetYear::y2026, FieldId::hba1c_format), -1);
    EXPECT_EQ(column_index(DatasetYear::y2026, FieldId::blood_gas_bicarbonate), 58);
    EXPECT_EQ(column_index(DatasetYear::y2021, FieldId::unique_reference_number), -1);
}

TEST(Dataset, LooseFormsAreDistinctWithinADataset) {
    for (const auto y : {DatasetYear::y2021, DatasetYear::y2026}) {
        std::set<std::string> seen;
        for (const auto &c : dataset_columns(y)) EXPECT_TRUE(seen.insert(loose_heading(c.heading)).second) << c.heading;
    }
}

TEST(Dataset, LooseHeadingForm) {
    EXPECT_EQ(loose_heading("  Sex assigned at birth\xE2\x80\xA0\xE2\x80\xA0\xE2\x80\xA0 "), "sex assigned at birth");
    EXPECT_EQ(loose_heading("Observation Date: Hba1c Value"), "observation date hba1c value");
    EXPECT_EQ(loose_heading("Caf\xC3\xA9 \xC3\x86on"), "cafe aeon");
    EXPECT_EQ(loose_heading("Foot Assessment/Examination Date"), loose_heading("Foot Assessment / Examination Date"));
    EXPECT_EQ(clean_heading("  \"Visit Date\"  "), "Visit Date");
    EXPECT_EQ(clean_heading("'DOB'"), "DOB");
}

TEST(Dataset, HeadingMatchingIsTolerant) {
    const auto &i21 = heading_index(DatasetYear::y2021);
    const auto col = [&](std::string_view h) { return i21.match(h).column; };
    EXPECT_EQ(col("nhs number"), 0);
    EXPECT_EQ(col("NHS NUMBER  "), 0);
    EXPECT_EQ(col("\"NHS Number\""), 0);
    EXPECT_EQ(col("Observation Date: Thyroid Function "), 33);
    EXPECT_EQ(col("Has the patient been recommended a Gluten-free diet?"), 36);
    EXPECT_EQ(col("Has the patient been\xC2\xA0recommended a Gluten-free\xC2\xA0" "diet?"), 36);
    EXPECT_EQ(col("Date of provision of advice('sick-day rules') about managing diabetes during intercurrent "
                  "illness or episodes of hyperglycaemia"),
              46);
    EXPECT_EQ(i21.match("Unique Reference Number").kind, HeadingMatch::Kind::unique_reference_number);
    EXPECT_EQ(i21.match("Favourite colour").kind, HeadingMatch::Kind::unknown);
    EXPECT_EQ(i21.match("Sex assigned at birth").kind, HeadingMatch::Kind::unknown);  // 2026 heading
}

TEST(Dataset, EveryAliasResolvesToItsOfficialHeading) {
    for (const auto y : {DatasetYear::y2021, DatasetYear::y2026}) {
        const auto &index = heading_index(y);
        for (const auto &a : heading_aliases()) {
            const auto official = index.match(a.official);
            if (official.kind == HeadingMatch::Kind::unknown) continue;  // not in this dataset
            EXPECT_EQ(index.match(a.alias).column, official.column) << a.alias;
        }
    }
    // Aliases that only the alias table can resolve.
    const auto &i21 = heading_index(DatasetYear::y2021);
    EXPECT_EQ(i21.match("DOB").column, 1);
    EXPECT_EQ(i21.match("NHSNumber").column, 0);
    EXPECT_EQ(i21.match("Effective Death Date").column, 9);
    EXPECT_EQ(i21.match("Visit Date").column, 12);
    EXPECT_EQ(i21.match("HB1AC Result Format").column, 17);
    EXPECT_EQ(i21.match("Ethnic cateogry").column, 4);
    EXPECT_EQ(i21.match("Date of Diagnosis").column, 6);
    EXPECT_EQ(i21.match("Observation Date -Psychological Assessment Screening").column, 37);
    EXPECT_EQ(i21.match("Date Level 3 carbohydrate counting education received").column, 41);
    EXPECT_EQ(i21.match("During this DKA admission did the patient receive any of the following therapies?").column,
              50);
    EXPECT_EQ(heading_index(DatasetYear::y2026).match("During this DKA admission did the patient receive any of the "
                                                      "following therapies?").column,
              56);
    EXPECT_EQ(heading_index(DatasetYear::y2026).match("HB1AC Result Format").kind, HeadingMatch::Kind::unknown);
}

TEST(ValueSets, CodesAndSynonyms) {
    const auto &treatment = value_set(ValueSetId::treatment);
    EXPECT_TRUE(value_set_contains(treatment, 99));
    EXPECT_FALSE(value_set_contains(treatment, 9));
    EXPECT_EQ(value_set_synonym(treatment, "9"), std::optional<std::int16_t>(99));
    const auto &sex = value_set(ValueSetId::sex);
    EXPECT_EQ(value_set_code_list(sex), "1, 2, 3, 99");
    EXPECT_EQ(value_set_synonym(sex, "M"), std::optional<std::int16_t>(1));
    EXPECT_EQ(value_set_synonym(sex, " f "), std::optional<std::int16_t>(2));
    EXPECT_EQ(value_set_synonym(sex, "Not Specified"), std::optional<std::int16_t>(3));
    EXPECT_EQ(value_set_synonym(sex, "UNKNOWN"), std::optional<std::int16_t>(99));
    EXPECT_FALSE(value_set_synonym(sex, "x"));
    EXPECT_EQ(value_set(ValueSetId::admission_reason_2021).codes[1].label, "DKA");
    EXPECT_EQ(value_set(ValueSetId::admission_reason_2026).codes[0].label, "Acute DKA");
    EXPECT_EQ(value_set(ValueSetId::smoking_vaping_status).codes.size(), 5u);
    EXPECT_EQ(value_set(ValueSetId::adhd_asd_status).codes.size(), 5u);
    EXPECT_EQ(value_set(ValueSetId::psychological_support_outcome).codes.size(), 6u);
}

TEST(ValueSets, Ethnicity) {
    EXPECT_EQ(ethnicity_codes().size(), 18u);
    EXPECT_TRUE(is_ethnicity_code("A"));
    EXPECT_TRUE(is_ethnicity_code("99"));
    EXPECT_FALSE(is_ethnicity_code("I"));
    EXPECT_FALSE(is_ethnicity_code("a"));  // the reader upper-cases first
}
