// One pass over a child's rows collecting what the KPIs need, and the
// measures M1-M7 (docs/kpis.md §3.2, §3.3, §4; decisions D1-D9, readings R3-R9).
#include "kpi/measures.hpp"

#include <algorithm>
#include <cctype>
#include <vector>

#include "kpi/admissions.hpp"
#include "nhs_number.hpp"

namespace npda {
namespace kpi_detail {

namespace {

// Inclusive date window; an absent date is never inside.
struct Window {
    Date first, last;
    bool contains(const OptDate &d) const { return d && *d >= first && *d <= last; }
};

bool is_digits(const std::string &s) {
    if (s.empty()) return false;
    for (char c : s) {
        if (!std::isdigit(static_cast<unsigned char>(c))) return false;
    }
    return true;
}

// R3: a normalised NHS number passing modulus 11, or (Jersey) a URN of digits.
bool identifier_is_valid(const PatientRecord &child) {
    if (child.nhs_number && nhs_number_is_valid(*child.nhs_number)) return true;
    return child.unique_reference_number && is_digits(*child.unique_reference_number);
}

// R4: the ten observation dates.
bool has_observation_in(const VisitRecord &v, const Window &p) {
    return p.contains(v.height_weight_observation_date) || p.contains(v.hba1c_date) ||
           p.contains(v.blood_pressure_observation_date) ||
           p.contains(v.foot_examination_observation_date) ||
           p.contains(v.retinal_screening_observation_date) ||
           p.contains(v.albumin_creatinine_ratio_date) || p.contains(v.total_cholesterol_date) ||
           p.contains(v.thyroid_function_date) || p.contains(v.coeliac_screen_date) ||
           p.contains(v.psychological_screening_assessment_date);
}

// D8, R9: a qualifying HbA1c value in mmol/mol, or nothing when the row's value
// is absent, its unit unknown (2021) or its date outside P or not after dx + 90.
std::optional<double> qualifying_hba1c(const VisitRecord &v, const Window &p, const OptDate &dx,
                                       DatasetYear dataset) {
    if (!v.hba1c || !dx || !p.contains(v.hba1c_date) || *v.hba1c_date <= add_days(*dx, 90)) {
        return std::nullopt;
    }
    if (dataset == DatasetYear::y2026) return *v.hba1c;
    if (v.hba1c_format && *v.hba1c_format == 1) return *v.hba1c;
    if (v.hba1c_format && *v.hba1c_format == 2) return hba1c_percent_to_mmol_mol(*v.hba1c);
    return std::nullopt;
}

// R6: some date d in P with a height on a row observed on d and a weight on a
// row observed on d (only reached when no single row carries both). Sorting
// the two lists of dates keeps a child with very many rows O(n log n).
bool bmi_across_rows(const std::vector<VisitRecord> &visits, const Window &p) {
    std::vector<Date> heights, weights;
    for (const VisitRecord &v : visits) {
        if (!p.contains(v.height_weight_observation_date)) continue;
        if (v.height) heights.push_back(*v.height_weight_observation_date);
        if (v.weight) weights.push_back(*v.height_weight_observation_date);
    }
    if (heights.empty() || weights.empty()) return false;
    std::sort(heights.begin(), heights.end());
    std::sort(weights.begin(), weights.end());
    auto h = heights.begin();
    auto w = weights.begin();
    while (h != heights.end() && w != weights.end()) {
        if (*h == *w) return true;
        if (*h < *w) ++h;
        else ++w;
    }
    return false;
}

// The patient-level facts.
void gather_patient_facts(const PatientRecord &child, const ScoringPeriod &period, const Window &p,
                          ChildFacts &f) {
    f.valid_identifier = identifier_is_valid(child);
    f.valid_dob = child.date_of_birth && *child.date_of_birth <= period.end;
    f.age = f.valid_dob ? age_in_years(*child.date_of_birth, period.start) : 0;
    f.type1 = child.diabetes_type && *child.diabetes_type == 1;
    f.diagnosis = child.diagnosis_date;
    f.diagnosis_in_period = p.contains(child.diagnosis_date);
    f.leaving_in_period = p.contains(child.date_leaving_service);
    f.death_in_period = p.contains(child.death_date);
}

// Offer one row's coded items to the most recent entries (D1).
void offer_latest_entries(const VisitRecord &v, Date period_end, ChildFacts &f) {
    // D1: most recent entries among rows with a visit date on or before E.
    if (v.visit_date && *v.visit_date <= period_end) {
        const Date d = *v.visit_date;
        f.gluten_free_diet.offer(d, v.row_number, v.gluten_free_diet);
        f.thyroid_treatment_status.offer(d, v.row_number, v.thyroid_treatment_status);
        f.ketone_meter_training.offer(d, v.row_number, v.ketone_meter_training);
        f.treatment.offer(d, v.row_number, v.treatment);
        f.closed_loop_system.offer(d, v.row_number, v.closed_loop_system);
        f.glucose_monitoring.offer(d, v.row_number, v.glucose_monitoring);
        f.insulin_regimen.offer(d, v.row_number, v.insulin_regimen);
        f.cgm_use.offer(d, v.row_number, v.cgm_use);
    }
    // KPI 49 orders by the ACR date instead.
    if (v.albumin_creatinine_ratio_date && *v.albumin_creatinine_ratio_date <= period_end) {
        f.albuminuria_stage.offer(*v.albumin_creatinine_ratio_date, v.row_number,
                                  v.albuminuria_stage);
    }
}

// The care processes one row shows in P: any row, whatever its visit date,
// unless "based on visit date" (visit_in_p).
void note_care_processes(const VisitRecord &v, const Window &p, bool visit_in_p, bool y2026, ChildFacts &f) {
    if (v.hba1c && p.contains(v.hba1c_date)) ++f.hba1c_entries;
    if (v.height && v.weight && p.contains(v.height_weight_observation_date)) f.bmi = true;
    f.thyroid_screen |= p.contains(v.thyroid_function_date);
    f.blood_pressure |= v.systolic_blood_pressure && p.contains(v.blood_pressure_observation_date);
    f.urinary_albumin |= v.albumin_creatinine_ratio && p.contains(v.albumin_creatinine_ratio_date);
    f.retinal_screening |= v.retinal_screening_result &&
                           (*v.retinal_screening_result == 1 || *v.retinal_screening_result == 2) &&
                           p.contains(v.retinal_screening_observation_date);
    f.foot_examination |= p.contains(v.foot_examination_observation_date);
    f.psychological_assessment |= p.contains(v.psychological_screening_assessment_date);
    if (visit_in_p) {
        const Code &smoking = y2026 ? v.smoking_vaping_status : v.smoking_status;
        const int max_screened = y2026 ? 4 : 2;
        f.smoking_screened |= smoking && *smoking >= 1 && *smoking <= max_screened;
        f.dietetic_offered |=
            v.dietician_additional_appointment_offered && *v.dietician_additional_appointment_offered == 1;
        f.psychological_support |= v.psychological_additional_support_status &&
                                   *v.psychological_additional_support_status == 1;
    }
    f.smoking_referral |= p.contains(v.smoking_cessation_referral_date);
    f.dietetic_attended |= p.contains(v.dietician_additional_appointment_date);
    f.flu_recommended |= p.contains(v.flu_immunisation_recommended_date);
    f.sick_day_rules |= p.contains(v.sick_day_rules_training_date);
}

}  // namespace

void gather_facts(const PatientRecord &child, const ScoringPeriod &period, ChildFacts &f) {
    const Window p{period.start, period.end};
    const bool y2026 = period.dataset == DatasetYear::y2026;

    gather_patient_facts(child, period, p, f);

    const OptDate &dx = child.diagnosis_date;
    const Window screen = dx ? Window{add_days(*dx, -90), add_days(*dx, 90)} : Window{1, 0};
    const Window carbs = dx ? Window{add_days(*dx, -7), add_days(*dx, 14)} : Window{1, 0};

    const std::vector<VisitRecord> &visits = child.visits;
    AdmissionCollector admissions(period);
    for (const VisitRecord &v : visits) {
        const bool visit_in_p = p.contains(v.visit_date);
        f.visit_in_period |= visit_in_p;
        f.admission_in_period |= p.contains(v.hospital_admission_date);
        if (!f.observation_in_period) f.observation_in_period = has_observation_in(v, p);
        offer_latest_entries(v, period.end, f);
        note_care_processes(v, p, visit_in_p, y2026, f);

        // Care at diagnosis (D7): the screen may lie outside P.
        f.coeliac_at_diagnosis |= screen.contains(v.coeliac_screen_date);
        f.thyroid_at_diagnosis |= screen.contains(v.thyroid_function_date);
        f.carbs_at_diagnosis |= carbs.contains(v.carbohydrate_counting_level_three_education_date);

        // Outcomes.
        if (const std::optional<double> value = qualifying_hba1c(v, p, dx, period.dataset)) {
            f.hba1c_values.push(*value);
        }
        admissions.offer(v);  // D9
    }
    // D9: the distinct qualifying admissions.
    for (const QualifyingAdmission &a : admissions.take()) {
        ++f.admissions;
        if (a.dka) ++f.dka_admissions;
    }
    if (!f.bmi) f.bmi = bmi_across_rows(visits, p);
}

Measures measures_of(const ChildFacts &f) {
    Measures m;
    const bool identified = f.valid_identifier && f.valid_dob && f.age < 25;
    m.m1 = identified && (f.visit_in_period || f.admission_in_period);
    m.m2 = m.m1 && f.diagnosis_in_period;
    m.m3 = m.m1 && f.type1;
    m.m4 = m.m3 && f.age >= 12;
    m.m5 = m.m3 && !f.diagnosis_in_period && !f.leaving_in_period && !f.death_in_period;
    m.m6 = m.m5 && f.age >= 12 && f.observation_in_period;
    m.m7 = identified && f.type1 && f.diagnosis_in_period && f.observation_in_period;
    return m;
}

}  // namespace kpi_detail
}  // namespace npda
