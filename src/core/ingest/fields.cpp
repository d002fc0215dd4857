// The field table (fields.hpp): one row per field, in FieldId order.
#include "ingest/fields.hpp"

#include <type_traits>

namespace npda {

namespace {

using F = FieldId;
using L = RecordLevel;
using S = ValueSetId;
using P = PatientRecord;
using V = VisitRecord;

// The value rules of a row; the storage part is added by stored() below.
FieldDef rules(ValueType type) {
    FieldDef d{};
    d.field = F::count_;
    d.type = type;
    return d;
}
FieldDef date() { return rules(ValueType::date); }
FieldDef text(std::uint16_t max_length = 0) {
    FieldDef d = rules(ValueType::text);
    d.max_length = max_length;
    return d;
}
FieldDef code(S set) {
    FieldDef d = rules(ValueType::code);
    d.value_set = set;
    return d;
}
FieldDef decimal(std::string_view unit, std::uint8_t precision, std::uint8_t scale, double lo, double hi) {
    FieldDef d = rules(ValueType::decimal);
    d.unit = unit;
    d.precision = precision;
    d.scale = scale;
    d.has_range = true;
    d.min_value = lo;
    d.max_value = hi;
    return d;
}
FieldDef integer(std::string_view unit, double lo, double hi) {
    FieldDef d = rules(ValueType::integer);
    d.unit = unit;
    d.has_range = true;
    d.min_value = lo;
    d.max_value = hi;
    return d;
}

// The record member of a field, as a record column of its stored type.
template <typename R, typename M>
RecordColumn<R> member_column(const char *column, ValueType type, M R::*member) {
    RecordColumn<R> c{column, stored_type(type)};
    if constexpr (std::is_same_v<M, std::optional<std::int32_t>>) c.i32 = member;  // date or int4
    else if constexpr (std::is_same_v<M, Code>) c.i16 = member;
    else if constexpr (std::is_same_v<M, Number>) c.f64 = member;
    else {
        static_assert(std::is_same_v<M, Text>, "a record member is a date, code, number or text");
        c.txt = member;
    }
    return c;
}

template <typename M>
FieldDef stored(FieldDef def, F field, const char *column, M P::*member, L level) {
    def.field = field;
    def.column = column;
    def.level = level;
    def.patient = member_column(column, def.type, member);
    return def;
}
template <typename M>
FieldDef stored(FieldDef def, F field, const char *column, M V::*member, L level) {
    def.field = field;
    def.column = column;
    def.level = level;
    def.visit = member_column(column, def.type, member);
    return def;
}

// A field, its stored column and its record member share one name.
#define NPDA_PATIENT(name, def) stored(def, F::name, #name, &P::name, L::patient)
#define NPDA_TRANSFER(name, def) stored(def, F::name, #name, &P::name, L::transfer)
#define NPDA_VISIT(name, def) stored(def, F::name, #name, &V::name, L::visit)

FieldDef pdu_check() {
    FieldDef d = text();
    d.field = F::pdu_number;
    d.level = L::pdu;
    return d;
}

}  // namespace

// Ranges (docs/data-model.md §4.8): height and weight are the 2024-10
// plausibility ranges; HbA1c's is in mmol/mol (the field rules apply 3-20 to
// the % values of 2021 format 2).
// Storage limits: Decimal(p,s) of the published data model for decimals, the
// 500-character free text of the admission reason and the 4-character
// ethnicity code (a longer one is out of the value set and dropped); codes
// are smallint.
// Built on first use, so that other tables built from it at start-up (the
// templates) never see it unbuilt.
const std::array<FieldDef, kFieldCount> &field_table() {
    static const std::array<FieldDef, kFieldCount> fields = {
        NPDA_PATIENT(nhs_number, text(20)),
        NPDA_PATIENT(unique_reference_number, text(50)),
        NPDA_PATIENT(date_of_birth, date()),
        NPDA_PATIENT(postcode, text(10)),
        NPDA_PATIENT(sex, code(S::sex)),
        NPDA_PATIENT(ethnicity, text(4)),
        NPDA_PATIENT(adhd_asd_status, code(S::adhd_asd_status)),
        NPDA_PATIENT(learning_disability_status, code(S::yes_no_unknown)),
        NPDA_PATIENT(diabetes_type, code(S::diabetes_type)),
        NPDA_PATIENT(diagnosis_date, date()),
        NPDA_TRANSFER(date_leaving_service, date()),
        NPDA_TRANSFER(reason_leaving_service, code(S::reason_leaving_service)),
        NPDA_PATIENT(death_date, date()),
        NPDA_PATIENT(gp_practice_ods_code, text(10)),
        pdu_check(),
        NPDA_VISIT(visit_date, date()),
        NPDA_VISIT(height, decimal("cm", 4, 1, 40, 240)),
        NPDA_VISIT(weight, decimal("kg", 4, 1, 1, 200)),
        NPDA_VISIT(height_weight_observation_date, date()),
        NPDA_VISIT(hba1c, decimal("mmol/mol", 5, 2, 20, 195)),
        NPDA_VISIT(hba1c_format, code(S::hba1c_format)),
        NPDA_VISIT(hba1c_date, date()),
        NPDA_VISIT(treatment, code(S::treatment)),
        NPDA_VISIT(closed_loop_system, code(S::closed_loop_system)),
        NPDA_VISIT(glucose_monitoring, code(S::glucose_monitoring)),
        NPDA_VISIT(insulin_regimen, code(S::insulin_regimen)),
        NPDA_VISIT(non_insulin_medication, code(S::non_insulin_medication)),
        NPDA_VISIT(dietary_lifestyle_modification, code(S::yes_no_unknown)),
        NPDA_VISIT(cgm_use, code(S::yes_no_unknown)),
        NPDA_VISIT(ketone_meter_training, code(S::yes_no_unknown)),
        // Immunotherapy sits among the visit columns of 2026 but belongs to the child.
        NPDA_PATIENT(immunotherapy_received, code(S::yes_no_unknown)),
        NPDA_PATIENT(immunotherapy_date, date()),
        NPDA_VISIT(systolic_blood_pressure, integer("mmHg", 50, 200)),
        NPDA_VISIT(diastolic_blood_pressure, integer("mmHg", 20, 120)),
        NPDA_VISIT(blood_pressure_observation_date, date()),
        NPDA_VISIT(foot_examination_observation_date, date()),
        NPDA_VISIT(retinal_screening_observation_date, date()),
        NPDA_VISIT(retinal_screening_result, code(S::retinal_screening_result)),
        NPDA_VISIT(albumin_creatinine_ratio, decimal("mg/mmol", 5, 1, 0, 999)),
        NPDA_VISIT(albumin_creatinine_ratio_date, date()),
        NPDA_VISIT(albuminuria_stage, code(S::albuminuria_stage)),
        NPDA_VISIT(total_cholesterol, decimal("mmol/l", 3, 1, 2, 12)),
        NPDA_VISIT(total_cholesterol_date, date()),
        NPDA_VISIT(thyroid_function_date, date()),
        NPDA_VISIT(thyroid_treatment_status, code(S::thyroid_treatment_status)),
        NPDA_VISIT(coeliac_screen_date, date()),
        NPDA_VISIT(gluten_free_diet, code(S::yes_no_unknown)),
        NPDA_VISIT(psychological_screening_assessment_date, date()),
        NPDA_VISIT(psychological_additional_support_status, code(S::yes_no_unknown)),
        NPDA_VISIT(psychological_support_outcome, code(S::psychological_support_outcome)),
        NPDA_VISIT(smoking_status, code(S::smoking_status)),
        NPDA_VISIT(smoking_vaping_status, code(S::smoking_vaping_status)),
        NPDA_VISIT(smoking_cessation_referral_date, date()),
        NPDA_VISIT(carbohydrate_counting_level_three_education_date, date()),
        NPDA_VISIT(dietician_additional_appointment_offered, code(S::yes_no_unknown)),
        NPDA_VISIT(dietician_additional_appointment_date, date()),
        NPDA_VISIT(flu_immunisation_recommended_date, date()),
        NPDA_VISIT(sick_day_rules_training_date, date()),
        NPDA_VISIT(hospital_admission_date, date()),
        NPDA_VISIT(hospital_discharge_date, date()),
        NPDA_VISIT(hospital_admission_reason, code(S::admission_reason_2021)),
        NPDA_VISIT(hospital_admission_reason_2026, code(S::admission_reason_2026)),
        NPDA_VISIT(dka_additional_therapies, code(S::dka_additional_therapies)),
        NPDA_VISIT(hospital_admission_other, text(500)),
        NPDA_VISIT(blood_gas_ph, decimal("", 3, 2, 6.5, 7.8)),
        NPDA_VISIT(blood_gas_bicarbonate, decimal("mmol/l", 3, 1, 0, 40)),
    };
    return fields;
}

#undef NPDA_PATIENT
#undef NPDA_TRANSFER
#undef NPDA_VISIT

ColumnType stored_type(ValueType t) {
    switch (t) {
    case ValueType::date: return ColumnType::date;
    case ValueType::code: return ColumnType::int2;
    case ValueType::integer: return ColumnType::int4;
    case ValueType::decimal: return ColumnType::float8;
    case ValueType::text: return ColumnType::text;
    }
    return ColumnType::text;
}

const char *stored_table(RecordLevel level) {
    switch (level) {
    case RecordLevel::patient: return "npda.patient";
    case RecordLevel::transfer: return "npda.transfer";
    case RecordLevel::visit: return "npda.visit";
    case RecordLevel::pdu: return nullptr;
    }
    return nullptr;
}

}  // namespace npda
