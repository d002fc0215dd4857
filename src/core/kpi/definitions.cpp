// The 51 KPI definitions (docs/kpis.md §4, §5), their names and the scoring period.

#include "kpi/kpi.hpp"

namespace npda {

namespace {

constexpr KpiKind kCohort = KpiKind::cohort_count;
constexpr KpiKind kProp = KpiKind::proportion;
constexpr KpiKind kRate = KpiKind::care_process_rate;
constexpr KpiKind kValue = KpiKind::value;

constexpr const char *kM1 =
    "M1: children with a valid identifier and date of birth, a visit or admission date in the "
    "period, under 25 at the period start";
constexpr const char *kM3 = "M3: M1 children with type 1 diabetes";
constexpr const char *kM5 =
    "M5: M3 children with a complete year of care (no diagnosis, leaving-service or death date "
    "in the period)";
constexpr const char *kM6 =
    "M6: M5 children aged 12 or over at the period start with an observation date in the period";
constexpr const char *kScope = "children in scope (cohort count: counted = pass, others ineligible)";

// Treatment regimen KPIs 13-20 share one description pattern (D2, D13).
#define NPDA_TREATMENT_DESC(code)                                                            \
    "Eligible: M1. Pass: the most recent treatment regimen entry (latest visit date on or "   \
    "before the period end, later file row on ties) is code " code                           \
    "; a most recent code 99, any other code or no entry fails (D2). Not applicable in the " \
    "2026 dataset (every child ineligible)."

const std::array<KpiDefinition, kKpiCount> kDefinitions = {{
    {"1", "kpi_1_total_eligible", "Total number of eligible patients", kCohort, kScope,
     "Counted when the child has a valid NHS number (or Jersey URN) and date of birth, a visit "
     "date or admission date inside the period and is under 25 on 1 April (measure 1)."},
    {"2", "kpi_2_total_new_diagnoses", "Total number of new diagnoses within the audit period",
     kCohort, kScope, "Counted when the child is in measure 1 and was diagnosed inside the period (measure 2)."},
    {"3", "kpi_3_total_t1dm", "Total number of eligible patients with Type 1 diabetes", kCohort,
     kScope, "Counted when the child is in measure 1 and has type 1 diabetes (measure 3)."},
    {"4", "kpi_4_total_t1dm_gte_12yo", "Number of patients aged 12+ with Type 1 diabetes", kCohort,
     kScope, "Counted when the child is in measure 3 and aged 12 or over on 1 April (measure 4)."},
    {"5", "kpi_5_total_t1dm_complete_year",
     "Number of patients with Type 1 diabetes with a complete year of care in the audit period",
     kCohort, kScope,
     "Counted when the child is in measure 3 with no diagnosis, leaving-service or death date "
     "inside the period (measure 5)."},
    {"6", "kpi_6_total_t1dm_complete_year_gte_12yo",
     "Number of patients with Type 1 diabetes aged 12+ with a complete year of care in audit period",
     kCohort, kScope,
     "Counted when the child is in measure 5, aged 12 or over on 1 April and has at least one of "
     "the ten observation dates inside the period (measure 6)."},
    {"7", "kpi_7_total_new_diagnoses_t1dm",
     "Number of patients with Type 1 diabetes who were diagnosed within the audit period", kCohort,
     kScope,
     "Counted when the child has a valid identifier and date of birth, is under 25, has type 1 "
     "diabetes diagnosed inside the period and an observation date inside the period (measure 7; "
     "no visit date needed)."},
    {"8", "kpi_8_total_deaths", "Number of patients who died within audit period", kCohort, kScope,
     "Counted when the child is in measure 1 and has a death date inside the period."},
    {"9", "kpi_9_total_service_transitions",
     "Number of patients who transitioned/left service within audit period", kCohort, kScope,
     "Counted when the child is in measure 1 and has a leaving-service date inside the period "
     "(any reason)."},
    {"10", "kpi_10_total_coeliacs", "Number of patients with coeliac disease", kCohort, kScope,
     "Counted when the child is in measure 1 and the most recent gluten-free diet entry is 1 (yes)."},
    {"11", "kpi_11_total_thyroids", "Number of patients with thyroid disease", kCohort, kScope,
     "Counted when the child is in measure 1 and the most recent thyroid treatment status is 2 "
     "(thyroxine) or 3 (antithyroid medication)."},
    {"12", "kpi_12_total_ketone_test_equipment",
     "Number of patients using (or trained to use) blood ketone testing equipment", kCohort, kScope,
     "Counted when the child is in measure 1 and the most recent ketone meter training entry is 1 (yes)."},
    {"13", "kpi_13_one_to_three_injections_per_day", "One - three injections/day", kProp, kM1,
     NPDA_TREATMENT_DESC("1")},
    {"14", "kpi_14_four_or_more_injections_per_day", "Four or more injections/day", kProp, kM1,
     NPDA_TREATMENT_DESC("2")},
    {"15", "kpi_15_insulin_pump",
     "Insulin pump (including those using a pump as part of a hybrid closed loop)", kProp, kM1,
     "Eligible: M1. Pass: the most recent treatment regimen entry is code 3 (code 6 belongs to KPI "
     "18, D2). 2026 dataset: the most recent insulin regimen is 4 (pump) or 5 (hybrid closed loop)."},
    {"16", "kpi_16_one_to_three_injections_plus_other_medication",
     "One - three injections/day plus other blood glucose lowering medication", kProp, kM1,
     NPDA_TREATMENT_DESC("4")},
    {"17", "kpi_17_four_or_more_injections_plus_other_medication",
     "Four or more injections/day plus other blood glucose lowering medication", kProp, kM1,
     NPDA_TREATMENT_DESC("5")},
    {"18", "kpi_18_insulin_pump_plus_other_medication",
     "Insulin pump therapy plus other blood glucose lowering medication", kProp, kM1,
     NPDA_TREATMENT_DESC("6")},
    {"19", "kpi_19_dietary_management_alone",
     "Dietary management alone (no insulin or other diabetes related medication)", kProp, kM1,
     NPDA_TREATMENT_DESC("7")},
    {"20", "kpi_20_dietary_management_plus_other_medication",
     "Dietary management plus other blood glucose lowering medication (non Type-1 diabetes)", kProp,
     kM1, NPDA_TREATMENT_DESC("8")},
    {"21", "kpi_21_flash_glucose_monitor", "Number of patients using a flash glucose monitor", kProp,
     kM1,
     "Eligible: M1. Pass: the most recent glucose monitoring entry is 2 (flash) or 3 (modified "
     "flash). Not applicable in the 2026 dataset."},
    {"22", "kpi_22_real_time_cgm_with_alarms",
     "Number of patients using a real time continuous glucose monitor (CGM) with alarms", kProp, kM1,
     "Eligible: M1. Pass: the most recent glucose monitoring entry is 4 (real-time CGM with "
     "alarms). 2026 dataset: the most recent CGM use entry is 1 (yes)."},
    {"23", "kpi_23_type1_real_time_cgm_with_alarms",
     "Number of patients with Type 1 diabetes using a real time continuous glucose monitor (CGM) "
     "with alarms",
     kProp, kM3,
     "Eligible: M3 (type 1, D3). Pass: the most recent glucose monitoring entry is 4. 2026 "
     "dataset: the most recent CGM use entry is 1."},
    {"24", "kpi_24_hybrid_closed_loop_system", "Hybrid closed loop system (HCL)", kProp, kM1,
     "Eligible: M1 (D4). Pass: the most recent treatment entry is 3 or 6 and the most recent "
     "closed-loop entry is 2, 3 or 4; the two may come from different visits. 2026 dataset: the "
     "most recent insulin regimen is 5."},
    {"25", "kpi_25_hba1c", "HbA1c (%)", kProp, kM5,
     "Eligible: M5. Pass: a row with an HbA1c value dated inside the period. Pending while the "
     "period is open."},
    {"26", "kpi_26_bmi", "BMI (%)", kProp, kM5,
     "Eligible: M5. Pass: a height and a weight with the same observation date inside the period, "
     "on one row or two (R6). Pending while the period is open."},
    {"27", "kpi_27_thyroid_screen", "Thyroid Screen (%)", kProp, kM5,
     "Eligible: M5. Pass: a thyroid function date inside the period. Pending while the period is open."},
    {"28", "kpi_28_blood_pressure", "Blood Pressure (%)", kProp, kM6,
     "Eligible: M6. Pass: a systolic blood pressure with its observation date inside the period "
     "(diastolic not needed). Pending while the period is open."},
    {"29", "kpi_29_urinary_albumin", "Urinary Albumin (%)", kProp, kM6,
     "Eligible: M6. Pass: an albumin:creatinine ratio with its date inside the period. Pending "
     "while the period is open."},
    {"30", "kpi_30_retinal_screening", "Retinal Screening (%)", kProp, kM6,
     "Eligible: M6. Pass: a retinal screening result 1 or 2 with its observation date inside the "
     "period. Pending while the period is open."},
    {"31", "kpi_31_foot_examination", "Foot Examination (%)", kProp, kM6,
     "Eligible: M6. Pass: a foot examination date inside the period. Pending while the period is open."},
    {"32.1", "kpi_32_1_health_check_completion_rate", "Health check completion rate (%)", kRate, kM5,
     "Eligible: M5 (R5). Counts checks: 3 expected under 12 on 1 April (KPIs 25, 26, 27), 6 at 12 "
     "or over (25, 26, 27, 28, 29, 31), each by that KPI's pass rule; retinal screening excluded. "
     "Per child value = checks achieved; pass when all are achieved, pending while open otherwise."},
    {"32.2", "kpi_32_2_health_check_lt_12yo", "Health Checks (Less than 12 years)", kProp,
     "M5 children under 12 at the period start",
     "Eligible: M5 and under 12 on 1 April. Pass: HbA1c, BMI and thyroid checks (25, 26, 27) all "
     "achieved. Pending while the period is open."},
    {"32.3", "kpi_32_3_health_check_gte_12yo", "Health Checks (12 years and over)", kProp,
     "M5 children aged 12 or over at the period start",
     "Eligible: M5 and 12 or over on 1 April. Pass: the six checks 25, 26, 27, 28, 29 and 31 all "
     "achieved. Pending while the period is open."},
    {"33", "kpi_33_hba1c_4plus", "HbA1c 4+ (%)", kProp, kM5,
     "Eligible: M5. Pass: at least four rows with an HbA1c value dated inside the period (rows "
     "count separately even on one date). Pending while the period is open."},
    {"34", "kpi_34_psychological_assessment", "Psychological assessment (%)", kProp, kM5,
     "Eligible: M5. Pass: a psychological screening assessment date inside the period. Pending "
     "while the period is open."},
    {"35", "kpi_35_smoking_status_screened", "Smoking status screened (%)", kProp, kM6,
     "Eligible: M6. Pass: a visit dated inside the period with smoking status 1 or 2 (2026: "
     "smoking/vaping status 1-4). Pending while the period is open."},
    {"36", "kpi_36_referral_to_smoking_cessation_service",
     "Referral to smoking cessation service (%)", kProp, kM6,
     "Eligible: M6, smokers or not (R8). Pass: a smoking cessation referral date inside the "
     "period. Pending while the period is open."},
    {"37", "kpi_37_additional_dietetic_appointment_offered",
     "Additional dietetic appointment offered (%)", kProp, kM5,
     "Eligible: M5. Pass: a visit dated inside the period with additional dietetic appointment "
     "offered = 1. Pending while the period is open."},
    {"38", "kpi_38_patients_attending_additional_dietetic_appointment",
     "Patients attending additional dietetic appointment (%)", kProp, kM5,
     "Eligible: M5. Pass: an additional dietetic appointment date inside the period. Pending "
     "while the period is open."},
    {"39", "kpi_39_influenza_immunisation_recommended", "Influenza immunisation recommended (%)",
     kProp, kM5,
     "Eligible: M5. Pass: an influenza immunisation recommended date inside the period (item 46, "
     "R13). Pending while the period is open."},
    {"40", "kpi_40_sick_day_rules_advice", "Sick day rules advice (%)", kProp, kM1,
     "Eligible: M1. Pass: a sick day rules training date inside the period. Pending while the "
     "period is open."},
    {"41", "kpi_41_coeliac_disease_screening", "Coeliac disease screening (%)", kProp,
     "M7 children diagnosed more than 90 days before the period end",
     "Eligible: M7 and diagnosed before period end - 90 days (D7). Pass: a coeliac screen dated "
     "from 90 days before to 90 days after the diagnosis, both included. Pending while the period "
     "is open and the as-of date is on or before diagnosis + 90 days."},
    {"42", "kpi_42_thyroid_disease_screening", "Thyroid disease screening (%)", kProp,
     "M7 children diagnosed more than 90 days before the period end",
     "Eligible: M7 and diagnosed before period end - 90 days (D7). Pass: a thyroid function date "
     "from 90 days before to 90 days after the diagnosis, both included. Pending while the period "
     "is open and the as-of date is on or before diagnosis + 90 days."},
    {"43", "kpi_43_carbohydrate_counting_education", "Carbohydrate counting education (%)", kProp,
     "M7 children diagnosed more than 14 days before the period end",
     "Eligible: M7 and diagnosed before period end - 14 days (D7). Pass: a level 3 carbohydrate "
     "counting education date from 7 days before to 14 days after the diagnosis, both included. "
     "Pending while the period is open and the as-of date is on or before diagnosis + 14 days."},
    {"44", "kpi_44_mean_hba1c", "Mean HbA1c", kValue, kM1,
     "Eligible: M1. Qualifying values: HbA1c dated inside the period and more than 90 days after "
     "the diagnosis; 2021 values in % converted to mmol/mol, unknown format dropped (D8, R9). Pass "
     "= at least one; value = the child's mean. Area value = mean of the per-child means."},
    {"45", "kpi_45_median_hba1c", "Median HbA1c", kValue, kM1,
     "As KPI 44 with the child's median as value. Area value = median of the per-child medians."},
    {"46", "kpi_46_number_of_admissions", "Number of admissions", kValue, kM1,
     "Eligible: M1. Value = distinct admissions (same admission date, discharge date and reason "
     "count once) with a valid reason and an admission or discharge date inside the period (D9); "
     "pass = at least one. 2026 dataset: reason from the 2026 field. Area value = total admissions."},
    {"47", "kpi_47_number_of_dka_admissions", "Number of DKA admissions", kValue, kM1,
     "As KPI 46 for admissions for DKA (reason 2 in the 2021 dataset, 1 in the 2026 dataset)."},
    {"48", "kpi_48_required_additional_psychological_support",
     "Required additional psychological support", kProp, kM1,
     "Eligible: M1. Pass: a visit dated inside the period with additional psychological support "
     "status 1 (yes)."},
    {"49", "kpi_49_albuminuria_present", "Albuminuria present", kProp, kM1,
     "Eligible: M1. Pass: the most recent albuminuria stage, ordered by the albumin:creatinine "
     "ratio date (on or before the period end), is 2 (micro) or 3 (macro)."},
}};

#undef NPDA_TREATMENT_DESC

}  // namespace

const char *outcome_name(Outcome o) {
    switch (o) {
        case Outcome::pass: return "pass";
        case Outcome::fail: return "fail";
        case Outcome::pending: return "pending";
        case Outcome::ineligible: return "ineligible";
    }
    return "ineligible";
}

const char *kpi_kind_name(KpiKind k) {
    switch (k) {
        case KpiKind::cohort_count: return "cohort count";
        case KpiKind::proportion: return "pass/fail proportion";
        case KpiKind::care_process_rate: return "care-process rate";
        case KpiKind::value: return "value";
    }
    return "value";
}

const std::array<KpiDefinition, kKpiCount> &kpi_definitions() { return kDefinitions; }

std::optional<std::size_t> kpi_index(std::string_view code) {
    for (std::size_t i = 0; i < kKpiCount; ++i) {
        if (code == kDefinitions[i].code) return i;
    }
    return std::nullopt;
}

ScoringPeriod scoring_period_for(int audit_year) {
    ScoringPeriod p;
    p.start = audit_period_start(audit_year);
    p.end = audit_period_end(audit_year);
    p.dataset = dataset_year_for(audit_year) == 2026 ? DatasetYear::y2026 : DatasetYear::y2021;
    return p;
}

bool kpi_not_applicable(std::size_t slot, DatasetYear dataset) {
    if (dataset != DatasetYear::y2026) return false;
    return (slot >= kpi_slot(13) && slot <= kpi_slot(21)) && slot != kpi_slot(15);
}

}  // namespace npda
