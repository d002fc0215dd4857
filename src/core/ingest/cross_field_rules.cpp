// Cross-field rules on one visit row (docs/data-model.md §4.9 and its project
// notes). "Present" means the cell is non-empty in the file, so a value that
// failed its own check (and was dropped) does not also trigger "missing"
// findings; rules that depend on a code use the parsed code and are skipped
// when the code could not be read.
#include <initializer_list>

#include "ingest/error_codes.hpp"
#include "ingest/submission_internal.hpp"

namespace npda::detail {

namespace {

namespace ec = error_code;

class RowRules {
public:
    RowRules(ReaderState &st, const RowData &r, const CsvRow &row) : st_(st), r_(r), row_(row) {}

    void run() {
        const bool y2021 = st_.year == DatasetYear::y2021;
        const VisitRecord &v = r_.visit;

        if (!has(FieldId::visit_date))
            missing(FieldId::visit_date, "Visit/Appointment Date must be provided.");

        // Height and weight need their observation date, and the date needs one of them.
        if ((has(FieldId::height) || has(FieldId::weight)) && !has(FieldId::height_weight_observation_date))
            requires_field(FieldId::height_weight_observation_date,
                           has(FieldId::height) ? FieldId::height : FieldId::weight);
        if (has(FieldId::height_weight_observation_date) && !has(FieldId::height) && !has(FieldId::weight))
            error(FieldId::height, ec::kRequiresOtherField,
                  "Height and Weight cannot both be empty if Observation Date is filled in.");

        // HbA1c: value, format (2021) and date go together.
        if (y2021) go_together({FieldId::hba1c, FieldId::hba1c_format, FieldId::hba1c_date});
        else go_together({FieldId::hba1c, FieldId::hba1c_date});

        if (y2021) treatment_rules(v);

        go_together({FieldId::systolic_blood_pressure, FieldId::diastolic_blood_pressure,
                     FieldId::blood_pressure_observation_date});

        // Project note: every retinal result needs a date (the reference let result 1 pass).
        if (has(FieldId::retinal_screening_result) && !has(FieldId::retinal_screening_observation_date))
            requires_field(FieldId::retinal_screening_observation_date, FieldId::retinal_screening_result);

        go_together({FieldId::albumin_creatinine_ratio, FieldId::albumin_creatinine_ratio_date,
                     FieldId::albuminuria_stage});
        go_together({FieldId::total_cholesterol, FieldId::total_cholesterol_date});

        if (has(FieldId::thyroid_function_date) && !has(FieldId::thyroid_treatment_status))
            requires_field(FieldId::thyroid_treatment_status, FieldId::thyroid_function_date);

        // Psychology: date and support status go together unless the status is 99 (unknown).
        if (has(FieldId::psychological_screening_assessment_date) &&
            !has(FieldId::psychological_additional_support_status))
            requires_field(FieldId::psychological_additional_support_status,
                           FieldId::psychological_screening_assessment_date);
        if (v.psychological_additional_support_status && *v.psychological_additional_support_status != 99 &&
            !has(FieldId::psychological_screening_assessment_date))
            requires_field(FieldId::psychological_screening_assessment_date,
                           FieldId::psychological_additional_support_status);

        smoking_rules(v, y2021);

        // Dietitian: an appointment date with "offered = No".
        if (has(FieldId::dietician_additional_appointment_date) && v.dietician_additional_appointment_offered == 2)
            not_applicable(FieldId::dietician_additional_appointment_date,
                           "An appointment date is given but the patient was not offered an additional "
                           "appointment with a dietitian (answer 2, No).");

        admission_rules(v, y2021);
    }

private:
    bool has(FieldId f) const { return st_.has(r_, f); }

    void error(FieldId f, std::string_view code, std::string message, bool with_value = false) {
        const int c = st_.col(f);
        st_.errors.add(r_.row_number, c, st_.heading(c), with_value ? st_.cell(row_, c) : std::string_view{}, code,
                       std::move(message));
    }
    void missing(FieldId f, std::string message) { error(f, ec::kMissingRequired, std::move(message)); }
    // `needed` is empty although `because` is filled in.
    void requires_field(FieldId needed, FieldId because) {
        error(needed, ec::kRequiresOtherField,
              quoted(st_.heading(needed)) + " is required when " + quoted(st_.heading(because)) +
                  " is filled in.");
    }
    void not_applicable(FieldId f, std::string message) {
        error(f, ec::kValueNotApplicable, std::move(message), true);
    }

    void go_together(std::initializer_list<FieldId> fields) {
        const FieldId *first_present = nullptr;
        for (const FieldId &f : fields)
            if (has(f)) {
                first_present = &f;
                break;
            }
        if (!first_present) return;
        for (const FieldId f : fields)
            if (!has(f)) requires_field(f, *first_present);
    }

    // 2021: closed loop only with an insulin pump (treatment 3 or 6).
    void treatment_rules(const VisitRecord &v) {
        const bool pump = v.treatment == 3 || v.treatment == 6;
        if (pump && !has(FieldId::closed_loop_system))
            requires_field(FieldId::closed_loop_system, FieldId::treatment);
        if (v.treatment && !pump && has(FieldId::closed_loop_system))
            not_applicable(FieldId::closed_loop_system,
                           "The closed loop question is only answered when the treatment is an insulin pump "
                           "(3 or 6).");
        if (!has(FieldId::treatment) && has(FieldId::closed_loop_system))
            requires_field(FieldId::treatment, FieldId::closed_loop_system);
    }

    // A cessation referral (2026: advice) date only for a current smoker.
    void smoking_rules(const VisitRecord &v, bool y2021) {
        if (!has(FieldId::smoking_cessation_referral_date)) return;
        const FieldId status_field = y2021 ? FieldId::smoking_status : FieldId::smoking_vaping_status;
        const Code status = y2021 ? v.smoking_status : v.smoking_vaping_status;
        if (!has(status_field)) {
            requires_field(status_field, FieldId::smoking_cessation_referral_date);
            return;
        }
        if (!status) return;  // unreadable status: already reported
        const bool smoker = y2021 ? *status == 2 : (*status == 2 || *status == 4);
        if (!smoker)
            not_applicable(FieldId::smoking_cessation_referral_date,
                           std::string("A smoking cessation date is only given for a current smoker (") +
                               (y2021 ? "answer 2" : "answer 2 or 4") + ").");
    }

    void admission_rules(const VisitRecord &v, bool y2021) {
        const FieldId reason_field = y2021 ? FieldId::hospital_admission_reason : FieldId::hospital_admission_reason_2026;
        const Code reason = y2021 ? v.hospital_admission_reason : v.hospital_admission_reason_2026;
        // DKA is code 2 in 2021 and code 1 in 2026 (docs/data-model.md §3.14).
        const std::int16_t dka = y2021 ? 2 : 1;
        const bool any = has(FieldId::hospital_admission_date) || has(FieldId::hospital_discharge_date) ||
                         has(reason_field) || has(FieldId::dka_additional_therapies) ||
                         has(FieldId::hospital_admission_other);
        if (any) {
            const FieldId because = has(FieldId::hospital_admission_date) ? FieldId::hospital_admission_date
                                    : has(reason_field)                   ? reason_field
                                    : has(FieldId::hospital_discharge_date) ? FieldId::hospital_discharge_date
                                    : has(FieldId::dka_additional_therapies) ? FieldId::dka_additional_therapies
                                                                             : FieldId::hospital_admission_other;
            if (!has(FieldId::hospital_admission_date)) requires_field(FieldId::hospital_admission_date, because);
            if (!has(reason_field)) requires_field(reason_field, because);
        }
        if (reason == dka && !has(FieldId::dka_additional_therapies))
            requires_field(FieldId::dka_additional_therapies, reason_field);
        if (reason && *reason != dka && has(FieldId::dka_additional_therapies))
            not_applicable(FieldId::dka_additional_therapies,
                           "DKA therapies are only given when the reason for admission is DKA (code " +
                               std::to_string(dka) + " in the " + (y2021 ? "2021" : "2026") + " dataset).");
        if (reason == 6 && !has(FieldId::hospital_admission_other))
            requires_field(FieldId::hospital_admission_other, reason_field);
        if (reason && *reason != 6 && has(FieldId::hospital_admission_other))
            not_applicable(FieldId::hospital_admission_other,
                           "The free-text reason is only given when the reason for admission is 6 (Other causes).");
        if (v.hospital_admission_date && v.hospital_discharge_date &&
            *v.hospital_admission_date > *v.hospital_discharge_date)
            error(FieldId::hospital_admission_date, ec::kAdmissionAfterDischarge,
                  "The admission date cannot be after the discharge date.", true);

        // 2026 project note: blood gases belong to an admission row.
        if (!y2021 && !has(FieldId::hospital_admission_date) && !has(reason_field)) {
            for (const FieldId f : {FieldId::blood_gas_ph, FieldId::blood_gas_bicarbonate})
                if (has(f))
                    not_applicable(f, quoted(st_.heading(f)) + " is only given on a row with a hospital admission.");
        }
    }

    ReaderState &st_;
    const RowData &r_;
    const CsvRow &row_;
};

}  // namespace

void check_visit_rules(ReaderState &st, const RowData &r, const CsvRow &row) { RowRules(st, r, row).run(); }

}  // namespace npda::detail
