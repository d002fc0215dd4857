// Internal to the KPI engine: the facts about one child that the 51 KPIs need,
// gathered in one pass over the child's visits, and the measures M1-M7
// (docs/kpis.md §3.2). Exposed in a header so that the unit tests can check the
// measures directly.
#pragma once
#include <initializer_list>
#include "kpi/kpi.hpp"
#include "kpi/stats.hpp"
#include "ingest/record.hpp"
#include "no_postgres.hpp"

namespace npda {
namespace kpi_detail {

// The "most recent entry" of one coded item (D1, docs/kpis.md §3.3): the value on
// the row with the greatest ordering date (visit date, or the ACR date for
// KPI 49) on or before the period end; ties go to the later file row.
struct LatestCode {
    Code value;  // std::nullopt: no entry
    Date date = 0;
    int row_number = 0;

    // Offer one row's entry, in file order. Later rows win ties, so a row
    // with the same date and an equal or later row number replaces the best.
    void offer(Date d, int row, Code v) {
        if (!v) return;
        if (!value || d > date || (d == date && row >= row_number)) {
            value = v;
            date = d;
            row_number = row;
        }
    }
    bool is(int code) const { return value && *value == code; }
    bool is_one_of(std::initializer_list<int> codes) const {
        if (!value) return false;
        for (int c : codes) {
            if (*value == c) return true;
        }
        return false;
    }
};

struct ChildFacts {
    // Patient level.
    bool valid_identifier = false;  // R3
    bool valid_dob = false;         // present and not after E (R3)
    int age = 0;                    // whole years on S (D14); 0 without a valid DOB
    bool type1 = false;
    OptDate diagnosis;
    bool diagnosis_in_period = false;
    bool leaving_in_period = false;
    bool death_in_period = false;

    // Any row.
    bool visit_in_period = false;        // M1 (D5)
    bool admission_in_period = false;    // M1 (D5): admission date, item 48
    bool observation_in_period = false;  // M6, M7 (R4)

    // Most recent entries (D1).
    LatestCode gluten_free_diet, thyroid_treatment_status, ketone_meter_training;
    LatestCode treatment, closed_loop_system, glucose_monitoring;  // 2021
    LatestCode insulin_regimen, cgm_use;                           // 2026
    LatestCode albuminuria_stage;                                  // ordered by ACR date

    // Care processes in the period.
    int hba1c_entries = 0;  // 25, 33: rows with a value and a date in P
    bool bmi = false;       // 26 (R6)
    bool thyroid_screen = false, blood_pressure = false, urinary_albumin = false;
    bool retinal_screening = false, foot_examination = false, psychological_assessment = false;
    bool smoking_screened = false, smoking_referral = false;
    bool dietetic_offered = false, dietetic_attended = false, flu_recommended = false;
    bool sick_day_rules = false, psychological_support = false;

    // Care at diagnosis (D7).
    bool coeliac_at_diagnosis = false, thyroid_at_diagnosis = false, carbs_at_diagnosis = false;

    // Outcomes.
    ValueBuffer hba1c_values;  // 44, 45: qualifying values in mmol/mol (D8)
    int admissions = 0;        // 46 (D9)
    int dka_admissions = 0;    // 47 (D9)
};

struct Measures {
    bool m1 = false, m2 = false, m3 = false, m4 = false, m5 = false, m6 = false, m7 = false;
};

// Fill `facts` (default-constructed) from one record.
void gather_facts(const PatientRecord &child, const ScoringPeriod &period, ChildFacts &facts);
Measures measures_of(const ChildFacts &facts);

}  // namespace kpi_detail
}  // namespace npda
