// Template tables and heading matching (docs/data-model.md §5.1, §5.2, §6.2).
#include "ingest/dataset.hpp"

namespace npda {

namespace {

using F = FieldId;

// A template column as published: its heading and the field it fills.
struct TemplateColumn {
    std::string_view heading;
    FieldId field;
};

const std::vector<TemplateColumn> k2021 = {
    {"NHS Number", F::nhs_number},
    {"Date of Birth", F::date_of_birth},
    {"Postcode of usual address", F::postcode},
    {"Stated gender", F::sex},
    {"Ethnic Category", F::ethnicity},
    {"Diabetes Type", F::diabetes_type},
    {"Date of Diabetes Diagnosis", F::diagnosis_date},
    {"Date of leaving service", F::date_leaving_service},
    {"Reason for leaving service", F::reason_leaving_service},
    {"Death Date", F::death_date},
    {"GP Practice Code", F::gp_practice_ods_code},
    {"PDU Number", F::pdu_number},
    {"Visit/Appointment Date", F::visit_date},
    {"Patient Height (cm)", F::height},
    {"Patient Weight (kg)", F::weight},
    {"Observation Date (Height and weight)", F::height_weight_observation_date},
    {"Hba1c Value", F::hba1c},
    {"HbA1c result format", F::hba1c_format},
    {"Observation Date: Hba1c Value", F::hba1c_date},
    {"Diabetes Treatment at time of Hba1c measurement", F::treatment},
    {"If treatment included insulin pump therapy (i.e. option 3 or 6 selected), was this part of "
     "a closed loop system?", F::closed_loop_system},
    {"At the time of HbA1c measurement, in addition to standard blood glucose monitoring (SBGM), "
     "was the patient using any other method of glucose monitoring?", F::glucose_monitoring},
    {"Systolic Blood Pressure", F::systolic_blood_pressure},
    {"Diastolic Blood pressure", F::diastolic_blood_pressure},
    {"Observation Date (Blood Pressure)", F::blood_pressure_observation_date},
    {"Foot Assessment / Examination Date", F::foot_examination_observation_date},
    {"Retinal Screening date", F::retinal_screening_observation_date},
    {"Retinal Screening Result", F::retinal_screening_result},
    {"Urinary Albumin Level (ACR)", F::albumin_creatinine_ratio},
    {"Observation Date: Urinary Albumin Level", F::albumin_creatinine_ratio_date},
    {"Albuminuria Stage", F::albuminuria_stage},
    {"Total Cholesterol Level (mmol/l)", F::total_cholesterol},
    {"Observation Date: Total Cholesterol Level", F::total_cholesterol_date},
    {"Observation Date: Thyroid Function", F::thyroid_function_date},
    {"At time of, or following measurement of thyroid function, was the patient prescribed any "
     "thyroid treatment?", F::thyroid_treatment_status},
    {"Observation Date: Coeliac Disease Screening", F::coeliac_screen_date},
    {"Has the patient been recommended a Gluten-free diet?", F::gluten_free_diet},
    {"Observation Date - Psychological Screening Assessment", F::psychological_screening_assessment_date},
    {"Was the patient assessed as requiring additional psychological/CAMHS support outside of MDT "
     "clinics?", F::psychological_additional_support_status},
    {"Does the patient smoke?", F::smoking_status},
    {"Date of offer of referral to smoking cessation service (if patient is a current smoker)",
     F::smoking_cessation_referral_date},
    {"Date of Level 3 carbohydrate counting education received", F::carbohydrate_counting_level_three_education_date},
    {"Was the patient offered an additional appointment with a paediatric dietitian?",
     F::dietician_additional_appointment_offered},
    {"Date of additional appointment with dietitian", F::dietician_additional_appointment_date},
    {"Was the patient using (or trained to use) blood ketone testing equipment at time of visit?",
     F::ketone_meter_training},
    {"Date that influenza immunisation was recommended", F::flu_immunisation_recommended_date},
    {"Date of provision of advice ('sick-day rules') about managing diabetes during intercurrent "
     "illness or episodes of hyperglycaemia", F::sick_day_rules_training_date},
    {"Start date (Hospital Provider Spell)", F::hospital_admission_date},
    {"Discharge date (Hospital provider spell)", F::hospital_discharge_date},
    {"Reason for admission", F::hospital_admission_reason},
    {"Only complete if DKA selected in previous question: During this DKA admission did the patient "
     "receive any of the following therapies?", F::dka_additional_therapies},
    {"Only complete if OTHER selected: Reason for admission (free text)", F::hospital_admission_other},
};

const std::vector<TemplateColumn> k2026 = {
    {"NHS Number", F::nhs_number},
    {"Date of Birth", F::date_of_birth},
    {"Postcode of usual address", F::postcode},
    {"Sex assigned at birth", F::sex},
    {"Ethnic Category", F::ethnicity},
    {"Has the patient had a diagnosis of Attention Deficit Hyperactivity Disorder (ADHD) or Autism "
     "Spectrum Disorder (ASD)?", F::adhd_asd_status},
    {"Does the patient have a diagnosis of a learning disability?", F::learning_disability_status},
    {"Diabetes Type", F::diabetes_type},
    {"Date of Diabetes Diagnosis", F::diagnosis_date},
    {"Date of leaving service", F::date_leaving_service},
    {"Reason for leaving service", F::reason_leaving_service},
    {"Death Date", F::death_date},
    {"GP Practice Code", F::gp_practice_ods_code},
    {"PDU Number", F::pdu_number},
    {"Visit/Appointment Date", F::visit_date},
    {"Patient Height (cm)", F::height},
    {"Patient Weight (kg)", F::weight},
    {"Observation Date (Height and weight)", F::height_weight_observation_date},
    {"Hba1c Value", F::hba1c},
    {"Observation Date: HbA1c Value", F::hba1c_date},
    {"Insulin regime at time of visit", F::insulin_regimen},
    {"Other (non-insulin) blood glucose lowering medication at time of visit", F::non_insulin_medication},
    {"Has lifestyle and dietary modification been recommended to reduce blood glucose levels?",
     F::dietary_lifestyle_modification},
    {"Was the patient using a continuous glucose monitor (CGM) at time of visit?", F::cgm_use},
    {"Was the patient using (or trained to use) blood ketone testing equipment at time of visit?",
     F::ketone_meter_training},
    // Immunotherapy sits among the visit columns but belongs to the patient (docs/data-model.md §5.2).
    {"Did the patient receive immunotherapy prior to or after the diagnosis of stage 3 Type 1 "
     "diabetes?", F::immunotherapy_received},
    {"Date immunotherapy started", F::immunotherapy_date},
    {"Systolic Blood Pressure", F::systolic_blood_pressure},
    {"Diastolic Blood pressure", F::diastolic_blood_pressure},
    {"Observation Date (Blood Pressure)", F::blood_pressure_observation_date},
    {"Foot Assessment / Examination Date", F::foot_examination_observation_date},
    {"Retinal Screening date", F::retinal_screening_observation_date},
    {"Retinal Screening Result", F::retinal_screening_result},
    {"Urinary Albumin Level (ACR)", F::albumin_creatinine_ratio},
    {"Observation Date: Urinary Albumin Level", F::albumin_creatinine_ratio_date},
    {"Albuminuria Stage", F::albuminuria_stage},
    {"Total Cholesterol Level (mmol/l)", F::total_cholesterol},
    {"Observation Date: Total Cholesterol Level", F::total_cholesterol_date},
    {"Observation Date: Thyroid Function", F::thyroid_function_date},
    {"At time of, or following measurement of thyroid function, was the patient prescribed any "
     "thyroid treatment?", F::thyroid_treatment_status},
    {"Observation Date: Coeliac Disease Screening", F::coeliac_screen_date},
    {"Has the patient been recommended a Gluten-free diet?", F::gluten_free_diet},
    {"Does the patient smoke and/or vape", F::smoking_vaping_status},
    {"Date of offer of smoking cessation advice (if patient is a current smoker)",
     F::smoking_cessation_referral_date},
    {"Date that influenza immunisation was recommended", F::flu_immunisation_recommended_date},
    {"Date of provision of advice ('sick-day rules') about managing diabetes during intercurrent "
     "illness or episodes of hyperglycaemia", F::sick_day_rules_training_date},
    {"Date of Annual Psychological Screening Assessment", F::psychological_screening_assessment_date},
    {"Following annual psychological screening, was the patient assessed as requiring additional "
     "psychological support outside of routine care?", F::psychological_additional_support_status},
    {"Was the patient offered an additional appointment with a mental health professional as part of "
     "the diabetes MDT?", F::psychological_support_outcome},
    {"Date of Level 3 carbohydrate counting education received", F::carbohydrate_counting_level_three_education_date},
    {"Was the patient offered an additional appointment with a paediatric dietitian during the audit "
     "year?", F::dietician_additional_appointment_offered},
    {"Date of additional appointment with dietitian", F::dietician_additional_appointment_date},
    {"Start date (Hospital Provider Spell)", F::hospital_admission_date},
    {"Discharge date (Hospital provider spell)", F::hospital_discharge_date},
    {"Reason for admission", F::hospital_admission_reason_2026},
    {"Only complete if OTHER selected: Reason for admission (free text)", F::hospital_admission_other},
    {"Only complete if DKA selected in previous question: During this DKA admission did the patient "
     "receive any of the following therapies?", F::dka_additional_therapies},
    {"Initial pH at admission", F::blood_gas_ph},
    {"Initial Standard bicarbonate at admission (mmol/l)", F::blood_gas_bicarbonate},
};

// docs/data-model.md §6.2 "Known alternative headings". Variants that differ only in case,
// spacing, punctuation or daggers need no entry: the loose form covers them
// (e.g. "Foot Assessment/Examination Date", "Diastolic Blood Pressure", the
// Gluten-free heading with non-breaking spaces, "advice('sick-day rules')").
// They are listed anyway where docs/data-model.md names them, so the table documents
// what real exports look like.
const std::vector<HeadingAlias> kAliases = {
    {"NHSNumber", "NHS Number"},
    {"DOB", "Date of Birth"},
    {"Ethnic cateogry", "Ethnic Category"},  // sic, one hospital's export
    {"Date of Diagnosis", "Date of Diabetes Diagnosis"},
    {"Effective Death Date", "Death Date"},
    {"Visit Date", "Visit/Appointment Date"},
    {"HB1AC Result Format", "HbA1c result format"},
    {"Observation Date: HbA1c Value", "Observation Date: Hba1c Value"},
    {"Diabetes Treatment at the time of HbA1c measurement", "Diabetes Treatment at time of Hba1c measurement"},
    {"If treatment included insulin pump therapy (i.e. option 3 or 6 selected), was this as part of a closed "
     "loop system?)",
     "If treatment included insulin pump therapy (i.e. option 3 or 6 selected), was this part of a closed loop "
     "system?"},
    // Shorter wording of the glucose-monitoring question, from the reference's alias list.
    {"At the time of HbA1c measurement, was the patient using any other method of glucose monitoring?",
     "At the time of HbA1c measurement, in addition to standard blood glucose monitoring (SBGM), was the "
     "patient using any other method of glucose monitoring?"},
    {"Diastolic Blood Pressure", "Diastolic Blood pressure"},
    {"Foot Assessment/Examination Date", "Foot Assessment / Examination Date"},
    {"At the time of, or following measurement of thyroid function, was the patient prescribed any thyroid "
     "treatment?",
     "At time of, or following measurement of thyroid function, was the patient prescribed any thyroid "
     "treatment?"},
    {"Has the patient been\xC2\xA0recommended a Gluten-free\xC2\xA0" "diet?",
     "Has the patient been recommended a Gluten-free diet?"},
    {"Observation Date -Psychological Assessment Screening",
     "Observation Date - Psychological Screening Assessment"},
    {"Date Level 3 carbohydrate counting education received",
     "Date of Level 3 carbohydrate counting education received"},
    {"Date of provision of advice('sick-day rules') about managing diabetes during intercurrent illness or "
     "episodes of hyperglycaemia",
     "Date of provision of advice ('sick-day rules') about managing diabetes during intercurrent illness or "
     "episodes of hyperglycaemia"},
    {"During this DKA admission did the patient receive any of the following therapies?",
     "Only complete if DKA selected in previous question: During this DKA admission did the patient receive "
     "any of the following therapies?"},
};

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

// Base letters of U+00C0..U+00FF (Latin-1 letters with accents); "" for the
// two symbols in that block (multiplication and division signs).
constexpr const char *kLatin1Base[64] = {
    "a", "a", "a", "a", "a", "a", "ae", "c", "e", "e", "e", "e", "i", "i", "i", "i",   // C0-CF
    "d", "n", "o", "o", "o", "o", "o",  "",  "o", "u", "u", "u", "u", "y", "th", "ss",  // D0-DF
    "a", "a", "a", "a", "a", "a", "ae", "c", "e", "e", "e", "e", "i", "i", "i", "i",   // E0-EF
    "d", "n", "o", "o", "o", "o", "o",  "",  "o", "u", "u", "u", "u", "y", "th", "y",  // F0-FF
};

}  // namespace

namespace {

// A template's columns with their fields' rows of the field table.
std::vector<ColumnDef> join_fields(const std::vector<TemplateColumn> &columns) {
    std::vector<ColumnDef> out;
    out.reserve(columns.size());
    for (const TemplateColumn &c : columns) out.push_back(ColumnDef{field_def(c.field), c.heading});
    return out;
}

}  // namespace

const std::vector<ColumnDef> &dataset_columns(DatasetYear year) {
    static const std::vector<ColumnDef> c2021 = join_fields(k2021);
    static const std::vector<ColumnDef> c2026 = join_fields(k2026);
    return year == DatasetYear::y2026 ? c2026 : c2021;
}

int column_index(DatasetYear year, FieldId field) {
    // A per-dataset lookup table, built once.
    static const auto build = [](const std::vector<TemplateColumn> &cols) {
        std::vector<int> idx(kFieldCount, -1);
        for (std::size_t i = 0; i < cols.size(); ++i) idx[static_cast<std::size_t>(cols[i].field)] = static_cast<int>(i);
        return idx;
    };
    static const std::vector<int> i2021 = build(k2021);
    static const std::vector<int> i2026 = build(k2026);
    const auto f = static_cast<std::size_t>(field);
    if (f >= kFieldCount) return -1;
    return (year == DatasetYear::y2026 ? i2026 : i2021)[f];
}

const std::vector<HeadingAlias> &heading_aliases() { return kAliases; }

std::string_view clean_heading(std::string_view h) {
    for (;;) {
        while (!h.empty() && is_space(h.front())) h.remove_prefix(1);
        while (!h.empty() && is_space(h.back())) h.remove_suffix(1);
        if (h.size() >= 2 && ((h.front() == '"' && h.back() == '"') || (h.front() == '\'' && h.back() == '\''))) {
            h = h.substr(1, h.size() - 2);
            continue;
        }
        return h;
    }
}

std::string loose_heading(std::string_view h) {
    std::string out;
    out.reserve(h.size());
    bool pending_space = false;
    auto emit = [&](std::string_view piece) {
        if (pending_space && !out.empty()) out.push_back(' ');
        pending_space = false;
        out.append(piece);
    };
    std::size_t i = 0;
    while (i < h.size()) {
        const unsigned char c = static_cast<unsigned char>(h[i]);
        if (c < 0x80) {
            ++i;
            if (c >= 'A' && c <= 'Z') {
                const char l = static_cast<char>(c - 'A' + 'a');
                emit(std::string_view(&l, 1));
            } else if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) {
                const char l = static_cast<char>(c);
                emit(std::string_view(&l, 1));
            } else {
                pending_space = true;
            }
            continue;
        }
        // A multi-byte UTF-8 sequence: C3 80..C3 BF are U+00C0..U+00FF.
        std::size_t len = (c & 0xE0) == 0xC0 ? 2 : (c & 0xF0) == 0xE0 ? 3 : (c & 0xF8) == 0xF0 ? 4 : 1;
        if (i + len > h.size()) len = h.size() - i;
        if (c == 0xC3 && len == 2) {
            const unsigned char c2 = static_cast<unsigned char>(h[i + 1]);
            const char *base = (c2 >= 0x80 && c2 <= 0xBF) ? kLatin1Base[c2 - 0x80] : "";
            if (*base) emit(base);
            else pending_space = true;
        } else {
            pending_space = true;  // daggers, quotes, dashes and anything else
        }
        i += len;
    }
    return out;
}

HeadingIndex::HeadingIndex(DatasetYear year) {
    const auto &cols = dataset_columns(year);
    for (std::size_t i = 0; i < cols.size(); ++i) {
        HeadingMatch m{HeadingMatch::Kind::template_column, static_cast<int>(i)};
        by_loose_.emplace(loose_heading(cols[i].heading), m);
    }
    for (const auto &a : kAliases) {
        const auto it = by_loose_.find(loose_heading(a.official));
        if (it == by_loose_.end()) continue;  // official heading not in this dataset
        const HeadingMatch m = it->second;
        by_loose_.emplace(loose_heading(a.alias), m);
    }
    by_loose_.emplace(loose_heading(kUrnHeading), HeadingMatch{HeadingMatch::Kind::unique_reference_number, -1});
}

HeadingMatch HeadingIndex::match(std::string_view file_heading) const {
    const auto it = by_loose_.find(loose_heading(clean_heading(file_heading)));
    return it == by_loose_.end() ? HeadingMatch{} : it->second;
}

const HeadingIndex &heading_index(DatasetYear year) {
    static const HeadingIndex i2021(DatasetYear::y2021);
    static const HeadingIndex i2026(DatasetYear::y2026);
    return year == DatasetYear::y2026 ? i2026 : i2021;
}

}  // namespace npda
