// The field table: every field a template column can fill, described once.
//
// One row per field says what the field holds and how it is kept: its value
// type and value set, the unit of a measurement, the plausibility range and
// storage limits the reader checks, the stored column (its name; its table
// follows from the level) and the member of PatientRecord or VisitRecord that
// carries it. The rest of the code derives from this table or is checked
// against it:
// - the two templates (dataset.cpp) give only each column's heading and the
//   field it fills;
// - the reader (field_rules.cpp) reads a cell by its field's type and rules
//   and stores it through the field's member;
// - the record columns (record_columns.cpp), which the PostgreSQL layer
//   writes and reads, are the stored fields of this table;
// - unit tests check it against the DDL of npda.patient, npda.transfer and
//   npda.visit (migrations/) and against the ranges and sizes that
//   docs/error-codes.md lists;
// - the PostgreSQL layer checks the record columns against the real row type
//   of each table before writing, and stops with NP902 on any mismatch.
#pragma once
#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>
#include "ingest/record.hpp"
#include "ingest/record_columns.hpp"
#include "ingest/value_sets.hpp"
#include "no_postgres.hpp"

namespace npda {

// Every field a template column can fill, in the order of the field table.
// The name of each is also the name of its stored column and of its record
// member. The identifier column fills nhs_number or, in files from PZ248,
// unique_reference_number.
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

// Where a field lives. patient: repeated on each of a child's rows, stored in
// npda.patient; transfer: the leaving data, stored in npda.transfer; visit:
// one per row, stored in npda.visit; pdu: the PDU Number check column, read
// and checked but not stored.
enum class RecordLevel : std::uint8_t { patient, transfer, visit, pdu };
enum class ValueType : std::uint8_t { text, date, decimal, integer, code };

struct FieldDef {
    FieldId field;
    std::string_view column;  // stored column name (= the enum's name); empty for pdu_number
    RecordLevel level;
    ValueType type;
    ValueSetId value_set = ValueSetId::none;  // code fields
    std::string_view unit;                    // decimal and integer fields: the unit written, "" for pH
    std::uint8_t precision = 0;               // decimal fields: the value must fit Decimal(p,s)
    std::uint8_t scale = 0;
    bool has_range = false;                   // plausibility range (docs/data-model.md §4.8)
    double min_value = 0;
    double max_value = 0;
    std::uint16_t max_length = 0;             // text fields: longest value kept, in characters; 0 = any
    // The record member holding the value: `patient` for patient and
    // transfer fields, `visit` for visit fields; the other is empty (name
    // nullptr). Its name is `column` and its type follows from `type`.
    RecordColumn<PatientRecord> patient{};
    RecordColumn<VisitRecord> visit{};
};

// The field table, indexed by FieldId.
const std::array<FieldDef, kFieldCount> &field_table();
inline const FieldDef &field_def(FieldId f) { return field_table()[static_cast<std::size_t>(f)]; }

// How a value of this type is held in a record and stored: date -> date,
// code -> int2, integer -> int4, decimal -> float8 (numeric in the table),
// text -> text.
ColumnType stored_type(ValueType t);
// The table a level's fields are stored in ("npda.patient", "npda.transfer",
// "npda.visit"); nullptr for the pdu level.
const char *stored_table(RecordLevel level);

}  // namespace npda
