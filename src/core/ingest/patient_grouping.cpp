// Grouping rows into children and resolving patient-level values
// (docs/data-model.md §8), then the rules that need a child's resolved dates:
// patient rules (§4.6) and the visit date rules of §4.7.
#include <algorithm>
#include <array>
#include <map>
#include <unordered_map>

#include "ingest/error_codes.hpp"
#include "ingest/submission_internal.hpp"

namespace npda::detail {

namespace {

namespace ec = error_code;
using P = PatientRecord;

// Visit dates and how they relate to the diagnosis date (docs/data-model.md §4.7):
// days_allowed_before_diagnosis = how far before diagnosis the date may fall;
// exempt = not bound by the diagnosis rule at all (carbohydrate counting and
// discharge: our wider reading of the exception, docs/validation.md "Dates").
struct VisitDateRule {
    FieldId field;
    OptDate VisitRecord::*member;
    int days_allowed_before_diagnosis;
    bool diagnosis_exempt;
};

const std::array<VisitDateRule, 18> kVisitDates = {{
    {FieldId::visit_date, &VisitRecord::visit_date, 0, false},
    {FieldId::height_weight_observation_date, &VisitRecord::height_weight_observation_date, 0, false},
    {FieldId::hba1c_date, &VisitRecord::hba1c_date, 0, false},
    {FieldId::blood_pressure_observation_date, &VisitRecord::blood_pressure_observation_date, 0, false},
    {FieldId::foot_examination_observation_date, &VisitRecord::foot_examination_observation_date, 0, false},
    {FieldId::retinal_screening_observation_date, &VisitRecord::retinal_screening_observation_date, 0, false},
    {FieldId::albumin_creatinine_ratio_date, &VisitRecord::albumin_creatinine_ratio_date, 0, false},
    {FieldId::total_cholesterol_date, &VisitRecord::total_cholesterol_date, 0, false},
    {FieldId::thyroid_function_date, &VisitRecord::thyroid_function_date, 90, false},
    {FieldId::coeliac_screen_date, &VisitRecord::coeliac_screen_date, 90, false},
    {FieldId::psychological_screening_assessment_date, &VisitRecord::psychological_screening_assessment_date, 0, false},
    {FieldId::smoking_cessation_referral_date, &VisitRecord::smoking_cessation_referral_date, 0, false},
    {FieldId::carbohydrate_counting_level_three_education_date,
     &VisitRecord::carbohydrate_counting_level_three_education_date, 0, true},
    {FieldId::dietician_additional_appointment_date, &VisitRecord::dietician_additional_appointment_date, 0, false},
    {FieldId::flu_immunisation_recommended_date, &VisitRecord::flu_immunisation_recommended_date, 0, false},
    {FieldId::sick_day_rules_training_date, &VisitRecord::sick_day_rules_training_date, 0, false},
    {FieldId::hospital_admission_date, &VisitRecord::hospital_admission_date, 11, false},
    {FieldId::hospital_discharge_date, &VisitRecord::hospital_discharge_date, 0, true},
}};

// Distinct values in order of first sight, with their first-seen position.
// Linear search while small (the usual case: one or two values per child),
// an ordered index beyond that so a pathological file stays O(n log n).
template <class T>
class DistinctList {
public:
    // Index of v, adding it when new.
    std::size_t add(const T &v) {
        if (index_.empty()) {
            for (std::size_t i = 0; i < values_.size(); ++i)
                if (values_[i] == v) return i;
            values_.push_back(v);
            if (values_.size() > 16)
                for (std::size_t i = 0; i < values_.size(); ++i) index_.emplace(values_[i], i);
            return values_.size() - 1;
        }
        const auto [it, inserted] = index_.emplace(v, values_.size());
        if (inserted) values_.push_back(v);
        return it->second;
    }
    const std::vector<T> &values() const { return values_; }

private:
    std::vector<T> values_;
    std::map<T, std::size_t> index_;
};

std::string to_text(Date d) { return format_date(d); }
std::string to_text(std::int16_t c) { return std::to_string(c); }
std::string to_text(const std::string &s) { return s; }

// Resolves one child's patient-level values from its rows.
class ChildResolver {
public:
    ChildResolver(ReaderState &st, const std::vector<int> &rows) : st_(st), rows_(rows) {
        source_.fill(-1);
        // Chronological order: rows without a visit date first (least recent),
        // then by visit date, ties by file order (D1).
        by_time_ = rows;
        std::stable_sort(by_time_.begin(), by_time_.end(), [&](int a, int b) {
            const OptDate &da = row(a).visit.visit_date, &db = row(b).visit.visit_date;
            if (da.has_value() != db.has_value()) return !da.has_value();
            return da && *da < *db;
        });
        first_row_ = row(rows.front()).row_number;
    }

    PatientRecord resolve() {
        PatientRecord out;
        const RowData &first = row(rows_.front());
        if (st_.uses_urn)
            out.unique_reference_number = first.identifier;
        else
            out.nhs_number = first.identifier;
        out.first_row_number = first_row_;

        out.date_of_birth = modal(FieldId::date_of_birth, &P::date_of_birth, std::optional<Date>{});
        out.sex = modal(FieldId::sex, &P::sex, Code{99});
        out.ethnicity = modal(FieldId::ethnicity, &P::ethnicity, Text{"99"});
        out.diabetes_type = most_recent(FieldId::diabetes_type, &P::diabetes_type);
        out.postcode = most_recent(FieldId::postcode, &P::postcode);
        out.gp_practice_ods_code = most_recent(FieldId::gp_practice_ods_code, &P::gp_practice_ods_code);
        out.diagnosis_date = earliest(FieldId::diagnosis_date, &P::diagnosis_date);
        out.death_date = most_recent(FieldId::death_date, &P::death_date);
        out.date_leaving_service = most_recent(FieldId::date_leaving_service, &P::date_leaving_service);
        out.reason_leaving_service = leaving_reason();
        if (st_.year == DatasetYear::y2026) {
            out.adhd_asd_status = most_recent(FieldId::adhd_asd_status, &P::adhd_asd_status);
            out.learning_disability_status =
                most_recent(FieldId::learning_disability_status, &P::learning_disability_status);
            out.immunotherapy_received = most_recent(FieldId::immunotherapy_received, &P::immunotherapy_received);
            out.immunotherapy_date = most_recent(FieldId::immunotherapy_date, &P::immunotherapy_date);
        }
        patient_rules(out);
        for (const int ri : rows_) visit_date_rules(out, row(ri));
        out.visits.reserve(rows_.size());
        for (const int ri : rows_) out.visits.push_back(std::move(st_.rows[static_cast<std::size_t>(ri)].visit));
        return out;
    }

private:
    RowData &row(int i) { return st_.rows[static_cast<std::size_t>(i)]; }
    int &source(FieldId f) { return source_[static_cast<std::size_t>(f)]; }

    // True when any of the child's rows has text in the field's cell.
    bool any_text(FieldId f) {
        return std::any_of(rows_.begin(), rows_.end(), [&](int ri) { return st_.has(row(ri), f); });
    }

    void add(FieldId f, std::string_view code, std::string message, int source_row = -1) {
        const int c = st_.col(f);
        const std::string value = source_row >= 0 ? st_.raw_cell(row(source_row), c) : std::string();
        st_.errors.add(first_row_, c, st_.heading(c), value, code, std::move(message));
    }

    template <class T>
    void report_conflict(FieldId f, const std::vector<T> &distinct) {
        if (distinct.size() < 2) return;
        constexpr std::size_t kShown = 10;
        std::string list;
        for (std::size_t i = 0; i < distinct.size() && i < kShown; ++i) {
            if (!list.empty()) list += ", ";
            list += to_text(distinct[i]);
        }
        if (distinct.size() > kShown) list += " and " + std::to_string(distinct.size() - kShown) + " more";
        const int c = st_.col(f);
        st_.errors.add(first_row_, c, st_.heading(c), list, ec::kConflictingValues,
                       "Conflicting values for " + std::string(st_.heading(c)) + ": " + list + ".");
    }

    // Most recent row (by visit date) that has a value.
    template <class T>
    std::optional<T> most_recent(FieldId f, std::optional<T> P::*m) {
        DistinctList<T> distinct;
        int chosen = -1;
        for (const int ri : by_time_) {
            const auto &v = row(ri).patient.*m;
            if (!v) continue;
            distinct.add(*v);
            chosen = ri;
        }
        report_conflict(f, distinct.values());
        source(f) = chosen;
        return chosen >= 0 ? row(chosen).patient.*m : std::optional<T>{};
    }

    // Earliest value (diagnosis date).
    template <class T>
    std::optional<T> earliest(FieldId f, std::optional<T> P::*m) {
        DistinctList<T> distinct;
        int chosen = -1;
        for (const int ri : by_time_) {
            const auto &v = row(ri).patient.*m;
            if (!v) continue;
            distinct.add(*v);
            if (chosen < 0 || *v < *(row(chosen).patient.*m)) chosen = ri;
        }
        report_conflict(f, distinct.values());
        source(f) = chosen;
        return chosen >= 0 ? row(chosen).patient.*m : std::optional<T>{};
    }

    // Most frequent value; a tie goes to the value seen on the most recent
    // visit. With `unknown` set, unknown values seen before the first known
    // one are neither counted nor a conflict.
    template <class T>
    std::optional<T> modal(FieldId f, std::optional<T> P::*m, const std::optional<T> &unknown) {
        std::size_t first_known = by_time_.size();
        if (unknown) {
            for (std::size_t k = 0; k < by_time_.size(); ++k) {
                const auto &v = row(by_time_[k]).patient.*m;
                if (v && *v != *unknown) {
                    first_known = k;
                    break;
                }
            }
            if (first_known == by_time_.size()) first_known = 0;  // nothing known: keep the unknowns
        } else {
            first_known = 0;
        }
        // Per distinct value: how often it occurs and the chronological
        // position of its most recent occurrence.
        DistinctList<T> distinct;
        std::vector<int> count, last_pos, last_row;
        for (std::size_t k = 0; k < by_time_.size(); ++k) {
            const int ri = by_time_[k];
            const auto &v = row(ri).patient.*m;
            if (!v) continue;
            if (unknown && *v == *unknown && k < first_known) continue;
            const std::size_t i = distinct.add(*v);
            if (i == count.size()) count.push_back(0), last_pos.push_back(0), last_row.push_back(0);
            ++count[i];
            last_pos[i] = static_cast<int>(k);
            last_row[i] = ri;
        }
        report_conflict(f, distinct.values());
        if (count.empty()) return std::nullopt;
        std::size_t best = 0;
        for (std::size_t i = 1; i < count.size(); ++i)
            if (count[i] > count[best] || (count[i] == count[best] && last_pos[i] > last_pos[best])) best = i;
        source(f) = last_row[best];
        return distinct.values()[best];
    }

    // Smallest code among rows that also carry a leaving date (docs/data-model.md §8).
    Code leaving_reason() {
        DistinctList<std::int16_t> distinct;
        int chosen = -1;
        for (const int ri : by_time_) {
            const RowData &r = row(ri);
            const auto &v = r.patient.reason_leaving_service;
            if (!v) continue;
            distinct.add(*v);
            if (!r.patient.date_leaving_service) continue;
            if (chosen < 0 || *v < *row(chosen).patient.reason_leaving_service) chosen = ri;
        }
        report_conflict(FieldId::reason_leaving_service, distinct.values());
        if (chosen < 0) {
            // No row carries both: keep the reason of the most recent row that
            // has one (the pairing rule reports what is missing).
            for (const int ri : by_time_)
                if (row(ri).patient.reason_leaving_service) chosen = ri;
        }
        source(FieldId::reason_leaving_service) = chosen;
        return chosen >= 0 ? row(chosen).patient.reason_leaving_service : Code{};
    }

    // `date` of field f must not be before birth / diagnosis; returns false when it is.
    bool not_before(FieldId f, const OptDate &date, const OptDate &bound, std::string_view code,
                    std::string_view what) {
        if (!date || !bound || *date >= *bound) return true;
        add(f, code, quoted(st_.heading(f)) + " cannot be before " + std::string(what) + ".", source(f));
        return false;
    }

    void patient_rules(PatientRecord &p) {
        const Date today = st_.ctx.today;
        if (!p.date_of_birth && !any_text(FieldId::date_of_birth))
            add(FieldId::date_of_birth, ec::kMissingRequired, "Date of Birth must be provided.");
        if (p.date_of_birth) {
            const int age = age_in_years(*p.date_of_birth, today);
            if (age >= 25)
                add(FieldId::date_of_birth, ec::kAgeOverLimit,
                    "NPDA patients cannot be 25+ years old. This patient is " + std::to_string(age) + ".",
                    source(FieldId::date_of_birth));
        }
        if (!p.diagnosis_date && !any_text(FieldId::diagnosis_date))
            add(FieldId::diagnosis_date, ec::kMissingRequired, "Date of Diabetes Diagnosis must be provided.");
        if (!p.diabetes_type && !any_text(FieldId::diabetes_type))
            add(FieldId::diabetes_type, ec::kMissingRequired, "Diabetes Type must be provided.");
        if (!p.gp_practice_ods_code && !any_text(FieldId::gp_practice_ods_code))
            add(FieldId::gp_practice_ods_code, ec::kMissingRequired, "GP Practice Code must be provided.");

        not_before(FieldId::diagnosis_date, p.diagnosis_date, p.date_of_birth, ec::kDateBeforeBirth, "date of birth");
        if (not_before(FieldId::death_date, p.death_date, p.date_of_birth, ec::kDateBeforeBirth, "date of birth"))
            not_before(FieldId::death_date, p.death_date, p.diagnosis_date, ec::kDateBeforeDiagnosis,
                       "date of diagnosis");

        // Leaving data: values that fail their own checks are nulled (docs/data-model.md §8).
        if (p.date_leaving_service) {
            bool ok = *p.date_leaving_service <= today;  // the future date was reported with the cell
            if (!not_before(FieldId::date_leaving_service, p.date_leaving_service, p.date_of_birth,
                            ec::kDateBeforeBirth, "date of birth"))
                ok = false;
            else if (!not_before(FieldId::date_leaving_service, p.date_leaving_service, p.diagnosis_date,
                                 ec::kDateBeforeDiagnosis, "date of diagnosis"))
                ok = false;
            if (!ok) p.date_leaving_service.reset();
        }
        const bool date_given = any_text(FieldId::date_leaving_service);
        const bool reason_given = any_text(FieldId::reason_leaving_service);
        if (date_given && !reason_given)
            add(FieldId::reason_leaving_service, ec::kRequiresOtherField,
                "You must provide a reason for leaving the service when a date of leaving is given.");
        if (reason_given && !date_given)
            add(FieldId::date_leaving_service, ec::kRequiresOtherField,
                "You must provide a date for leaving the service when a reason for leaving is given.");
        if (p.reason_leaving_service &&
            !value_set_contains(value_set(ValueSetId::reason_leaving_service), *p.reason_leaving_service))
            p.reason_leaving_service.reset();

        if (st_.year == DatasetYear::y2026) immunotherapy_rules(p);
    }

    // 2026: the immunotherapy date and "received" go together (docs/data-model.md §4.6).
    void immunotherapy_rules(const PatientRecord &p) {
        const bool date_given = any_text(FieldId::immunotherapy_date);
        if (date_given && !any_text(FieldId::immunotherapy_received))
            add(FieldId::immunotherapy_received, ec::kRequiresOtherField,
                "Immunotherapy received is required when a date immunotherapy started is given.");
        else if (date_given && p.immunotherapy_received && *p.immunotherapy_received != 1)
            add(FieldId::immunotherapy_date, ec::kValueNotApplicable,
                "A date immunotherapy started is only given when immunotherapy was received (answer 1, Yes).",
                source(FieldId::immunotherapy_date));
        if (p.immunotherapy_received == 1 && !date_given)
            add(FieldId::immunotherapy_date, ec::kRequiresOtherField,
                "Date immunotherapy started is required when immunotherapy was received.");
        if (not_before(FieldId::immunotherapy_date, p.immunotherapy_date, p.date_of_birth, ec::kDateBeforeBirth,
                       "date of birth"))
            not_before(FieldId::immunotherapy_date, p.immunotherapy_date, p.diagnosis_date, ec::kDateBeforeDiagnosis,
                       "date of diagnosis");
        if (p.immunotherapy_date && p.death_date && *p.immunotherapy_date > *p.death_date)
            add(FieldId::immunotherapy_date, ec::kDateAfterDeath,
                quoted(st_.heading(FieldId::immunotherapy_date)) + " cannot be after date of death.",
                source(FieldId::immunotherapy_date));
    }

    // docs/data-model.md §4.7 on one visit row, against the child's resolved dates.
    void visit_date_rules(const PatientRecord &p, const RowData &r) {
        if (!p.date_of_birth && !p.diagnosis_date && !p.death_date) return;
        for (const auto &rule : kVisitDates) {
            const OptDate &d = r.visit.*(rule.member);
            if (!d) continue;
            const int c = st_.col(rule.field);
            if (c < 0) continue;
            const auto report = [&](std::string_view code, std::string message) {
                st_.errors.add(r.row_number, c, st_.heading(c), st_.raw_cell(r, c), code, std::move(message));
            };
            const std::string label = quoted(st_.heading(c));
            if (p.date_of_birth && *d < *p.date_of_birth) {
                report(ec::kDateBeforeBirth, label + " cannot be before date of birth.");
            } else if (p.diagnosis_date && !rule.diagnosis_exempt &&
                       *d < *p.diagnosis_date - rule.days_allowed_before_diagnosis) {
                if (rule.days_allowed_before_diagnosis > 0)
                    report(ec::kDateBeforeDiagnosis, "Expected " + label + " within " +
                                                         std::to_string(rule.days_allowed_before_diagnosis) +
                                                         " days before diagnosis.");
                else
                    report(ec::kDateBeforeDiagnosis, label + " cannot be before date of diagnosis.");
            }
            if (p.death_date && *d > *p.death_date)
                report(ec::kDateAfterDeath, label + " cannot be after date of death.");
        }
    }

    ReaderState &st_;
    const std::vector<int> &rows_;  // file order
    std::vector<int> by_time_;      // chronological order
    std::array<int, kFieldCount> source_{};
    int first_row_ = 0;
};

}  // namespace

PatientRecord resolve_child(ReaderState &st, const std::vector<int> &rows) { return ChildResolver(st, rows).resolve(); }

}  // namespace npda::detail
