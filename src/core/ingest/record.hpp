// The in-memory form of one child's data in one submission: the patient-level
// fields, the leaving-service (transfer) fields and every visit row, with the
// fields of both datasets (2021 and 2026). Produced by the submission reader,
// consumed by the KPI engine and by the PostgreSQL layer that stores it.
//
// Every field is optional: validation never blocks (docs/data-model.md §4.1),
// so a value that could not be read is simply absent. Codes are stored as read
// even when they are outside their value set (the error is reported apart).
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <vector>
#include "calendar.hpp"
#include "no_postgres.hpp"

namespace npda {

using Code = std::optional<std::int16_t>;   // a coded value (smallint)
using Number = std::optional<double>;       // a decimal measurement
using OptDate = std::optional<Date>;
using Text = std::optional<std::string>;

enum class DatasetYear : int { y2021 = 2021, y2026 = 2026 };

struct VisitRecord {
    // CSV record number of the row (header = 1, first data row = 2); also the
    // file order used to break ties between visits on one date (D1).
    int row_number = 0;

    OptDate visit_date;
    Number height;                       // cm
    Number weight;                       // kg
    OptDate height_weight_observation_date;
    Number hba1c;                        // in the unit of hba1c_format (2021) or mmol/mol (2026)
    Code hba1c_format;                   // 2021 only: 1 mmol/mol, 2 %
    OptDate hba1c_date;
    Code treatment;                      // 2021 only
    Code closed_loop_system;             // 2021 only
    Code glucose_monitoring;             // 2021 only
    Code insulin_regimen;                // 2026 only
    Code non_insulin_medication;         // 2026 only
    Code dietary_lifestyle_modification; // 2026 only
    Code cgm_use;                        // 2026 only
    std::optional<std::int32_t> systolic_blood_pressure;
    std::optional<std::int32_t> diastolic_blood_pressure;
    OptDate blood_pressure_observation_date;
    OptDate foot_examination_observation_date;
    OptDate retinal_screening_observation_date;
    Code retinal_screening_result;
    Number albumin_creatinine_ratio;     // mg/mmol
    OptDate albumin_creatinine_ratio_date;
    Code albuminuria_stage;
    Number total_cholesterol;            // mmol/l
    OptDate total_cholesterol_date;
    OptDate thyroid_function_date;
    Code thyroid_treatment_status;
    OptDate coeliac_screen_date;
    Code gluten_free_diet;
    OptDate psychological_screening_assessment_date;
    Code psychological_additional_support_status;
    Code psychological_support_outcome;  // 2026 only
    Code smoking_status;                 // 2021 only
    Code smoking_vaping_status;          // 2026 only
    OptDate smoking_cessation_referral_date;
    OptDate carbohydrate_counting_level_three_education_date;
    Code dietician_additional_appointment_offered;
    OptDate dietician_additional_appointment_date;
    OptDate flu_immunisation_recommended_date;
    Code ketone_meter_training;
    OptDate sick_day_rules_training_date;
    OptDate hospital_admission_date;
    OptDate hospital_discharge_date;
    Code hospital_admission_reason;      // 2021 codes
    Code hospital_admission_reason_2026; // 2026 codes
    Code dka_additional_therapies;
    Text hospital_admission_other;
    Number blood_gas_ph;                 // 2026 only
    Number blood_gas_bicarbonate;        // 2026 only, mmol/l
};

struct PatientRecord {
    // Identifier, normalised: ten digits for an NHS number, digits for a URN.
    // Exactly one is set for a stored child.
    Text nhs_number;
    Text unique_reference_number;
    Code sex;
    OptDate date_of_birth;
    Text postcode;                       // upper case, no spaces
    Text ethnicity;                      // upper case code
    Code diabetes_type;
    OptDate diagnosis_date;
    OptDate death_date;
    Text gp_practice_ods_code;
    Code adhd_asd_status;                // 2026 only
    Code learning_disability_status;     // 2026 only
    Code immunotherapy_received;         // 2026 only
    OptDate immunotherapy_date;          // 2026 only

    // The child's transfer row (the submitting PDU's leaving-service data).
    OptDate date_leaving_service;
    Code reason_leaving_service;

    // Record number of the child's first row in the file (for patient-level errors).
    int first_row_number = 0;
    // Visits in file order.
    std::vector<VisitRecord> visits;
};

// One finding about one cell (or one row, when column_heading is empty).
struct FieldError {
    int row_number = 0;          // CSV record number (header = 1)
    std::string column_heading;  // the heading as the template spells it
    std::string value;           // the offending text as it was in the file
    std::string code;            // stable snake_case rule name (README "Error codes")
    std::string message;         // a sentence for the PDU's data lead
};

}  // namespace npda
