// The column lists of npda.patient and npda.visit, mapped to record members.
#include "ingest/record_columns.hpp"

namespace npda {

namespace {

template <typename R>
RecordColumn<R> date_col(const char *n, std::optional<std::int32_t> R::*m) {
    RecordColumn<R> c{n, ColumnType::date};
    c.i32 = m;
    return c;
}
template <typename R>
RecordColumn<R> int4_col(const char *n, std::optional<std::int32_t> R::*m) {
    RecordColumn<R> c{n, ColumnType::int4};
    c.i32 = m;
    return c;
}
template <typename R>
RecordColumn<R> code_col(const char *n, std::optional<std::int16_t> R::*m) {
    RecordColumn<R> c{n, ColumnType::int2};
    c.i16 = m;
    return c;
}
template <typename R>
RecordColumn<R> num_col(const char *n, std::optional<double> R::*m) {
    RecordColumn<R> c{n, ColumnType::float8};
    c.f64 = m;
    return c;
}
template <typename R>
RecordColumn<R> text_col(const char *n, std::optional<std::string> R::*m) {
    RecordColumn<R> c{n, ColumnType::text};
    c.txt = m;
    return c;
}

}  // namespace

const std::vector<RecordColumn<VisitRecord>> &visit_columns() {
    using V = VisitRecord;
    static const std::vector<RecordColumn<V>> cols = {
        date_col<V>("visit_date", &V::visit_date),
        num_col<V>("height", &V::height),
        num_col<V>("weight", &V::weight),
        date_col<V>("height_weight_observation_date", &V::height_weight_observation_date),
        num_col<V>("hba1c", &V::hba1c),
        code_col<V>("hba1c_format", &V::hba1c_format),
        date_col<V>("hba1c_date", &V::hba1c_date),
        code_col<V>("treatment", &V::treatment),
        code_col<V>("closed_loop_system", &V::closed_loop_system),
        code_col<V>("glucose_monitoring", &V::glucose_monitoring),
        code_col<V>("insulin_regimen", &V::insulin_regimen),
        code_col<V>("non_insulin_medication", &V::non_insulin_medication),
        code_col<V>("dietary_lifestyle_modification", &V::dietary_lifestyle_modification),
        code_col<V>("cgm_use", &V::cgm_use),
        int4_col<V>("systolic_blood_pressure", &V::systolic_blood_pressure),
        int4_col<V>("diastolic_blood_pressure", &V::diastolic_blood_pressure),
        date_col<V>("blood_pressure_observation_date", &V::blood_pressure_observation_date),
        date_col<V>("foot_examination_observation_date", &V::foot_examination_observation_date),
        date_col<V>("retinal_screening_observation_date", &V::retinal_screening_observation_date),
        code_col<V>("retinal_screening_result", &V::retinal_screening_result),
        num_col<V>("albumin_creatinine_ratio", &V::albumin_creatinine_ratio),
        date_col<V>("albumin_creatinine_ratio_date", &V::albumin_creatinine_ratio_date),
        code_col<V>("albuminuria_stage", &V::albuminuria_stage),
        num_col<V>("total_cholesterol", &V::total_cholesterol),
        date_col<V>("total_cholesterol_date", &V::total_cholesterol_date),
        date_col<V>("thyroid_function_date", &V::thyroid_function_date),
        code_col<V>("thyroid_treatment_status", &V::thyroid_treatment_status),
        date_col<V>("coeliac_screen_date", &V::coeliac_screen_date),
        code_col<V>("gluten_free_diet", &V::gluten_free_diet),
        date_col<V>("psychological_screening_assessment_date", &V::psychological_screening_assessment_date),
        code_col<V>("psychological_additional_support_status", &V::psychological_additional_support_status),
        code_col<V>("psychological_support_outcome", &V::psychological_support_outcome),
        code_col<V>("smoking_status", &V::smoking_status),
        code_col<V>("smoking_vaping_status", &V::smoking_vaping_status),
        date_col<V>("smoking_cessation_referral_date", &V::smoking_cessation_referral_date),
        date_col<V>("carbohydrate_counting_level_three_education_date",
                    &V::carbohydrate_counting_level_three_education_date),
        code_col<V>("dietician_additional_appointment_offered", &V::dietician_additional_appointment_offered),
        date_col<V>("dietician_additional_appointment_date", &V::dietician_additional_appointment_date),
        date_col<V>("flu_immunisation_recommended_date", &V::flu_immunisation_recommended_date),
        code_col<V>("ketone_meter_training", &V::ketone_meter_training),
        date_col<V>("sick_day_rules_training_date", &V::sick_day_rules_training_date),
        date_col<V>("hospital_admission_date", &V::hospital_admission_date),
        date_col<V>("hospital_discharge_date", &V::hospital_discharge_date),
        code_col<V>("hospital_admission_reason", &V::hospital_admission_reason),
        code_col<V>("hospital_admission_reason_2026", &V::hospital_admission_reason_2026),
        code_col<V>("dka_additional_therapies", &V::dka_additional_therapies),
        text_col<V>("hospital_admission_other", &V::hospital_admission_other),
        num_col<V>("blood_gas_ph", &V::blood_gas_ph),
        num_col<V>("blood_gas_bicarbonate", &V::blood_gas_bicarbonate),
    };
    return cols;
}

const std::vector<RecordColumn<PatientRecord>> &patient_columns() {
    using P = PatientRecord;
    static const std::vector<RecordColumn<P>> cols = {
        text_col<P>("nhs_number", &P::nhs_number),
        text_col<P>("unique_reference_number", &P::unique_reference_number),
        code_col<P>("sex", &P::sex),
        date_col<P>("date_of_birth", &P::date_of_birth),
        text_col<P>("postcode", &P::postcode),
        text_col<P>("ethnicity", &P::ethnicity),
        code_col<P>("diabetes_type", &P::diabetes_type),
        date_col<P>("diagnosis_date", &P::diagnosis_date),
        date_col<P>("death_date", &P::death_date),
        text_col<P>("gp_practice_ods_code", &P::gp_practice_ods_code),
        code_col<P>("adhd_asd_status", &P::adhd_asd_status),
        code_col<P>("learning_disability_status", &P::learning_disability_status),
        code_col<P>("immunotherapy_received", &P::immunotherapy_received),
        date_col<P>("immunotherapy_date", &P::immunotherapy_date),
    };
    return cols;
}

}  // namespace npda
