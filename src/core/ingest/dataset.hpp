// The two CSV templates (2021: 52 columns, 2026: 59 columns) and the heading
// aliases, as data (docs/data-model.md §5, §6.2). Nothing here knows how a
// value is checked; the rules read these tables.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>
#include "ingest/record.hpp"
#include "ingest/value_sets.hpp"
#include "no_postgres.hpp"

namespace npda {

// Every field a template column can fill. The identifier column fills
// nhs_number or, in files from PZ248, unique_reference_number.
enum class FieldId : std::uint8_t {
    nhs_number,
    unique_reference_number,
    date_of_birth,
    postcode,
    sex,
    ethnicity,
    adhd_asd_status,
    learning_disability_status,
    diabetes_type,
    diagnosis_date,
    date_leaving_service,
    reason_leaving_service,
    death_date,
    gp_practice_ods_code,
    pdu_number,
    visit_date,
    height,
    weight,
    height_weight_observation_date,
    hba1c,
    hba1c_format,
    hba1c_date,
    treatment,
    closed_loop_system,
    glucose_monitoring,
    insulin_regimen,
    non_insulin_medication,
    dietary_lifestyle_modification,
    cgm_use,
    ketone_meter_training,
    immunotherapy_received,
    immunotherapy_date,
    systolic_blood_pressure,
    diastolic_blood_pressure,
    blood_pressure_observation_date,
    foot_examination_observation_date,
    retinal_screening_observation_date,
    retinal_screening_result,
    albumin_creatinine_ratio,
    albumin_creatinine_ratio_date,
    albuminuria_stage,
    total_cholesterol,
    total_cholesterol_date,
    thyroid_function_date,
    thyroid_treatment_status,
    coeliac_screen_date,
    gluten_free_diet,
    psychological_screening_assessment_date,
    psychological_additional_support_status,
    psychological_support_outcome,
    smoking_status,
    smoking_vaping_status,
    smoking_cessation_referral_date,
    carbohydrate_counting_level_three_education_date,
    dietician_additional_appointment_offered,
    dietician_additional_appointment_date,
    flu_immunisation_recommended_date,
    sick_day_rules_training_date,
    hospital_admission_date,
    hospital_discharge_date,
    hospital_admission_reason,
    hospital_admission_reason_2026,
    dka_additional_therapies,
    hospital_admission_other,
    blood_gas_ph,
    blood_gas_bicarbonate,
    count_
};
inline constexpr std::size_t kFieldCount = static_cast<std::size_t>(FieldId::count_);

// P = patient-level (repeated on each of a child's rows), T = transfer
// (leaving data), V = visit, PDU = the PDU Number check column.
enum class RecordLevel : std::uint8_t { patient, transfer, visit, pdu };
enum class ValueType : std::uint8_t { text, date, decimal, integer, code };

struct ColumnDef {
    std::string_view heading;  // as published, trimmed, without footnote daggers
    FieldId field;
    RecordLevel level;
    ValueType type;
    ValueSetId value_set = ValueSetId::none;
    std::uint8_t precision = 0;  // Decimal(p,s) of the stored column
    std::uint8_t scale = 0;
    bool has_range = false;      // plausibility range (docs/data-model.md §4.8)
    double min_value = 0;
    double max_value = 0;
    std::uint16_t max_length = 0;  // text columns stored as varchar(n); 0 = unlimited
};

// Template columns in published order. Index 0 is the identifier column
// ("NHS Number"; "Unique Reference Number" for PZ248).
const std::vector<ColumnDef> &dataset_columns(DatasetYear year);
// Index of the template column holding field, or -1 when the dataset has none.
int column_index(DatasetYear year, FieldId field);

inline constexpr std::string_view kNhsNumberHeading = "NHS Number";
inline constexpr std::string_view kUrnHeading = "Unique Reference Number";

// An alternative heading seen in real exports and the official heading it
// stands for. An alias applies to every dataset whose template has the
// official heading.
struct HeadingAlias {
    std::string_view alias;
    std::string_view official;
};
const std::vector<HeadingAlias> &heading_aliases();

// Heading cleaning (docs/data-model.md §6.2 steps 1-2): trim spaces, strip surrounding quotes.
std::string_view clean_heading(std::string_view heading);
// The "loose" comparison form (docs/data-model.md §6.2 step 5, applied to every heading): accents
// removed, every character that is not a letter or digit (daggers,
// punctuation) becomes a space, runs of spaces collapse, lower case, trimmed.
// Case-insensitive comparison and quote stripping are implied.
std::string loose_heading(std::string_view heading);

// What a file heading refers to.
struct HeadingMatch {
    enum class Kind { template_column, unique_reference_number, unknown };
    Kind kind = Kind::unknown;
    int column = -1;  // template column index for Kind::template_column
};

// Heading lookup for one dataset: official headings, aliases, and the URN
// identifier heading, all compared in loose form.
class HeadingIndex {
public:
    explicit HeadingIndex(DatasetYear year);
    HeadingMatch match(std::string_view file_heading) const;

private:
    std::unordered_map<std::string, HeadingMatch> by_loose_;
};
const HeadingIndex &heading_index(DatasetYear year);

}  // namespace npda
