// Cell-level reading and checks (docs/data-model.md §4.2-§4.5, §4.8, §4.10,
// §7): every template cell of a row is parsed into its typed field; a value
// that cannot be stored is left absent with an error, a value of the right
// type that breaks a rule is kept and reported.
#include <array>
#include <cinttypes>
#include <cstdio>
#include <limits>

#include "ingest/error_codes.hpp"
#include "nhs_number.hpp"
#include "ingest/submission_internal.hpp"

namespace npda::detail {

namespace {

// True when `unit` (NumberParse::unit) is one the field's measurement is
// written in: "cm" for height, "kg" for weight, "mmol/mol" or "%" for HbA1c,
// "mmHg" for blood pressure, "mg/mmol" for ACR, "mmol/l" for cholesterol and
// bicarbonate (case and spaces ignored). No unit is always fine; any other
// unit ("154lb", "5O") makes the value unreadable rather than silently wrong.
bool unit_accepted(FieldId field, std::string_view unit) {
    if (unit.empty()) return true;
    std::string u;
    for (char c : unit)
        if (c != ' ') u.push_back(static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c));
    switch (field) {
    case FieldId::height: return u == "cm";
    case FieldId::weight: return u == "kg";
    case FieldId::hba1c: return u == "mmol/mol" || u == "%";
    case FieldId::systolic_blood_pressure:
    case FieldId::diastolic_blood_pressure: return u == "mmhg";
    case FieldId::albumin_creatinine_ratio: return u == "mg/mmol";
    case FieldId::total_cholesterol:
    case FieldId::blood_gas_bicarbonate: return u == "mmol/l";
    default: return false;
    }
}


namespace ec = error_code;

// The unit a measurement is written in, for messages ("" for pH).
const char *unit_name(FieldId field, bool hba1c_percent) {
    switch (field) {
    case FieldId::height: return "cm";
    case FieldId::weight: return "kg";
    case FieldId::hba1c: return hba1c_percent ? "%" : "mmol/mol";
    case FieldId::systolic_blood_pressure:
    case FieldId::diastolic_blood_pressure: return "mmHg";
    case FieldId::albumin_creatinine_ratio: return "mg/mmol";
    case FieldId::total_cholesterol:
    case FieldId::blood_gas_bicarbonate: return "mmol/l";
    default: return "";
    }
}

// Where each field lives in the record model. One of the pointers is set.
struct FieldBinding {
    OptDate PatientRecord::*patient_date = nullptr;
    Code PatientRecord::*patient_code = nullptr;
    Text PatientRecord::*patient_text = nullptr;
    OptDate VisitRecord::*visit_date = nullptr;
    Code VisitRecord::*visit_code = nullptr;
    Number VisitRecord::*visit_number = nullptr;
    std::optional<std::int32_t> VisitRecord::*visit_int = nullptr;
    Text VisitRecord::*visit_text = nullptr;
};

using Bindings = std::array<FieldBinding, kFieldCount>;

const Bindings &bindings() {
    static const Bindings table = [] {
        Bindings b{};
        auto at = [&b](FieldId f) -> FieldBinding & { return b[static_cast<std::size_t>(f)]; };
        using P = PatientRecord;
        using V = VisitRecord;
        at(FieldId::nhs_number).patient_text = &P::nhs_number;
        at(FieldId::unique_reference_number).patient_text = &P::unique_reference_number;
        at(FieldId::date_of_birth).patient_date = &P::date_of_birth;
        at(FieldId::postcode).patient_text = &P::postcode;
        at(FieldId::sex).patient_code = &P::sex;
        at(FieldId::ethnicity).patient_text = &P::ethnicity;
        at(FieldId::adhd_asd_status).patient_code = &P::adhd_asd_status;
        at(FieldId::learning_disability_status).patient_code = &P::learning_disability_status;
        at(FieldId::diabetes_type).patient_code = &P::diabetes_type;
        at(FieldId::diagnosis_date).patient_date = &P::diagnosis_date;
        at(FieldId::date_leaving_service).patient_date = &P::date_leaving_service;
        at(FieldId::reason_leaving_service).patient_code = &P::reason_leaving_service;
        at(FieldId::death_date).patient_date = &P::death_date;
        at(FieldId::gp_practice_ods_code).patient_text = &P::gp_practice_ods_code;
        at(FieldId::immunotherapy_received).patient_code = &P::immunotherapy_received;
        at(FieldId::immunotherapy_date).patient_date = &P::immunotherapy_date;
        at(FieldId::visit_date).visit_date = &V::visit_date;
        at(FieldId::height).visit_number = &V::height;
        at(FieldId::weight).visit_number = &V::weight;
        at(FieldId::height_weight_observation_date).visit_date = &V::height_weight_observation_date;
        at(FieldId::hba1c).visit_number = &V::hba1c;
        at(FieldId::hba1c_format).visit_code = &V::hba1c_format;
        at(FieldId::hba1c_date).visit_date = &V::hba1c_date;
        at(FieldId::treatment).visit_code = &V::treatment;
        at(FieldId::closed_loop_system).visit_code = &V::closed_loop_system;
        at(FieldId::glucose_monitoring).visit_code = &V::glucose_monitoring;
        at(FieldId::insulin_regimen).visit_code = &V::insulin_regimen;
        at(FieldId::non_insulin_medication).visit_code = &V::non_insulin_medication;
        at(FieldId::dietary_lifestyle_modification).visit_code = &V::dietary_lifestyle_modification;
        at(FieldId::cgm_use).visit_code = &V::cgm_use;
        at(FieldId::ketone_meter_training).visit_code = &V::ketone_meter_training;
        at(FieldId::systolic_blood_pressure).visit_int = &V::systolic_blood_pressure;
        at(FieldId::diastolic_blood_pressure).visit_int = &V::diastolic_blood_pressure;
        at(FieldId::blood_pressure_observation_date).visit_date = &V::blood_pressure_observation_date;
        at(FieldId::foot_examination_observation_date).visit_date = &V::foot_examination_observation_date;
        at(FieldId::retinal_screening_observation_date).visit_date = &V::retinal_screening_observation_date;
        at(FieldId::retinal_screening_result).visit_code = &V::retinal_screening_result;
        at(FieldId::albumin_creatinine_ratio).visit_number = &V::albumin_creatinine_ratio;
        at(FieldId::albumin_creatinine_ratio_date).visit_date = &V::albumin_creatinine_ratio_date;
        at(FieldId::albuminuria_stage).visit_code = &V::albuminuria_stage;
        at(FieldId::total_cholesterol).visit_number = &V::total_cholesterol;
        at(FieldId::total_cholesterol_date).visit_date = &V::total_cholesterol_date;
        at(FieldId::thyroid_function_date).visit_date = &V::thyroid_function_date;
        at(FieldId::thyroid_treatment_status).visit_code = &V::thyroid_treatment_status;
        at(FieldId::coeliac_screen_date).visit_date = &V::coeliac_screen_date;
        at(FieldId::gluten_free_diet).visit_code = &V::gluten_free_diet;
        at(FieldId::psychological_screening_assessment_date).visit_date =
            &V::psychological_screening_assessment_date;
        at(FieldId::psychological_additional_support_status).visit_code =
            &V::psychological_additional_support_status;
        at(FieldId::psychological_support_outcome).visit_code = &V::psychological_support_outcome;
        at(FieldId::smoking_status).visit_code = &V::smoking_status;
        at(FieldId::smoking_vaping_status).visit_code = &V::smoking_vaping_status;
        at(FieldId::smoking_cessation_referral_date).visit_date = &V::smoking_cessation_referral_date;
        at(FieldId::carbohydrate_counting_level_three_education_date).visit_date =
            &V::carbohydrate_counting_level_three_education_date;
        at(FieldId::dietician_additional_appointment_offered).visit_code =
            &V::dietician_additional_appointment_offered;
        at(FieldId::dietician_additional_appointment_date).visit_date = &V::dietician_additional_appointment_date;
        at(FieldId::flu_immunisation_recommended_date).visit_date = &V::flu_immunisation_recommended_date;
        at(FieldId::sick_day_rules_training_date).visit_date = &V::sick_day_rules_training_date;
        at(FieldId::hospital_admission_date).visit_date = &V::hospital_admission_date;
        at(FieldId::hospital_discharge_date).visit_date = &V::hospital_discharge_date;
        at(FieldId::hospital_admission_reason).visit_code = &V::hospital_admission_reason;
        at(FieldId::hospital_admission_reason_2026).visit_code = &V::hospital_admission_reason_2026;
        at(FieldId::dka_additional_therapies).visit_code = &V::dka_additional_therapies;
        at(FieldId::hospital_admission_other).visit_text = &V::hospital_admission_other;
        at(FieldId::blood_gas_ph).visit_number = &V::blood_gas_ph;
        at(FieldId::blood_gas_bicarbonate).visit_number = &V::blood_gas_bicarbonate;
        return b;
    }();
    return table;
}

// Number of code points in UTF-8 text (for varchar(n) limits).
std::size_t utf8_length(std::string_view s) {
    std::size_t n = 0;
    for (const char c : s)
        if ((static_cast<unsigned char>(c) & 0xC0) != 0x80) ++n;
    return n;
}

std::string upper_copy(std::string_view s) {
    std::string out(s);
    for (auto &c : out)
        if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
    return out;
}

bool all_digits(std::string_view s) {
    if (s.empty()) return false;
    for (const char c : s)
        if (c < '0' || c > '9') return false;
    return true;
}

class CellReader {
public:
    CellReader(ReaderState &st, RowData &r) : st_(st), r_(r), b_(bindings()) {}

    void read(int column, std::string_view cell) {
        const ColumnDef &def = st_.columns[static_cast<std::size_t>(column)];
        column_ = column;
        cell_ = cell;
        const FieldBinding &b = b_[static_cast<std::size_t>(def.field)];
        switch (def.field) {
            case FieldId::nhs_number: return read_identifier();
            case FieldId::pdu_number: return;  // checked by the reader (docs/data-model.md §6.3)
            case FieldId::postcode: return read_postcode();
            case FieldId::ethnicity: return read_ethnicity();
            case FieldId::gp_practice_ods_code: return read_gp_code();
            default: break;
        }
        switch (def.type) {
            case ValueType::date: {
                const OptDate d = read_date();
                if (b.patient_date) r_.patient.*b.patient_date = d;
                else if (b.visit_date) r_.visit.*b.visit_date = d;
                return;
            }
            case ValueType::code: {
                const Code c = read_code(def);
                if (b.patient_code) r_.patient.*b.patient_code = c;
                else if (b.visit_code) r_.visit.*b.visit_code = c;
                return;
            }
            case ValueType::decimal:
                if (b.visit_number) r_.visit.*b.visit_number = read_decimal(def);
                return;
            case ValueType::integer:
                if (b.visit_int) r_.visit.*b.visit_int = read_integer(def);
                return;
            case ValueType::text:
                if (b.visit_text) r_.visit.*b.visit_text = read_text(def);
                return;
        }
    }

private:
    void error(std::string_view code, std::string message) {
        st_.errors.add(r_.row_number, column_, st_.heading(column_), cell_, code, std::move(message));
    }
    std::string heading() const { return quoted(st_.heading(column_)); }

    void read_identifier() {
        if (st_.uses_urn) {
            // docs/data-model.md §4.3: digits only; stored in varchar(50).
            r_.identifier.assign(cell_);
            r_.patient.unique_reference_number = r_.identifier;
            if (!all_digits(cell_) || cell_.size() > 50)
                error(ec::kUrnFormat, "Invalid Unique Reference Number " + quoted(cell_) +
                                          ": it must be digits only (at most 50).");
            return;
        }
        // docs/data-model.md §4.2: normalise first (spaces, hyphens), then the modulus-11 check.
        const auto digits = normalise_nhs_number(cell_);
        r_.identifier = digits ? *digits : std::string(cell_);
        r_.patient.nhs_number = r_.identifier;
        if (!digits || digits->size() != 10)
            error(ec::kNhsNumberFormat, quoted(cell_) + " is not a valid NHS number: it must have ten digits.");
        else if (!nhs_number_is_valid(*digits))
            error(ec::kNhsNumberCheckDigit, quoted(cell_) + " is not a valid NHS number (check digit).");
    }

    void read_postcode() {
        std::string p = normalise_postcode(cell_);
        if (!is_special_postcode(p) && !is_postcode_format(p))
            error(ec::kPostcodeFormat, "Invalid postcode " + quoted(cell_) +
                                           ": expected a UK postcode such as 'S43 1BN' (outward code, then digit and "
                                           "two letters), or a ZZ99 code for an unknown or overseas address.");
        r_.patient.postcode = std::move(p);
    }

    void read_ethnicity() {
        std::string e = upper_copy(cell_);
        if (e == "99.0") e = "99";  // Excel's numeric export of the "not known" code
        if (!is_ethnicity_code(e)) {
            error(ec::kValueNotInSet, quoted(cell_) + " is not a value for " + heading() +
                                          ". Please select one of " + ethnicity_code_list() + ".");
            if (utf8_length(e) > 4) return;  // cannot be stored in varchar(4)
        }
        r_.patient.ethnicity = std::move(e);
    }

    void read_gp_code() {
        if (!is_gp_practice_code_format(cell_))
            error(ec::kGpPracticeCodeFormat, "GP Practice Code " + quoted(cell_) +
                                                 " is not an ODS practice code (one letter and five digits).");
        r_.patient.gp_practice_ods_code = upper_copy(cell_);
    }

    OptDate read_date() {
        const DateParse d = parse_date(cell_, st_.ctx.today);
        if (d.status == DateStatus::bad_format) {
            error(ec::kDateFormat, "Date format is incorrect (expected DD/MM/YYYY).");
            return std::nullopt;
        }
        if (d.status == DateStatus::not_a_date) {
            error(ec::kDateFormat, quoted(cell_) + " is not a real date.");
            return std::nullopt;
        }
        if (d.value > st_.ctx.today) error(ec::kDateInFuture, heading() + " cannot be in the future.");
        return d.value;
    }

    Code read_code(const ColumnDef &def) {
        const ValueSet &set = value_set(def.value_set);
        const auto not_in_set = [&] {
            error(ec::kValueNotInSet, quoted(cell_) + " is not a value for " + heading() +
                                          ". Please select one of " + value_set_code_list(set) + ".");
        };
        const auto too_large_code = [&] {
            error(ec::kValueTooLarge, quoted(cell_) + " is too large for " + heading() +
                                          ". Please select one of " + value_set_code_list(set) + ".");
        };
        const bool synonyms = !set.synonyms.empty();
        if (synonyms)
            if (const auto syn = value_set_synonym(set, cell_)) return syn;
        bool too_large = false;
        const auto n = parse_whole_number(cell_, &too_large);
        if (!n) {
            if (too_large) too_large_code();
            else not_in_set();  // TRUE, FALSE, 1.5, text: cannot be stored
            return std::nullopt;
        }
        if (*n < std::numeric_limits<std::int16_t>::min() || *n > std::numeric_limits<std::int16_t>::max()) {
            too_large_code();
            return std::nullopt;
        }
        const auto code = static_cast<std::int16_t>(*n);
        if (synonyms)
            if (const auto syn = value_set_synonym(set, std::to_string(code))) return syn;  // "9.0" -> 99
        if (!value_set_contains(set, code)) not_in_set();  // kept (docs/data-model.md §4.1)
        return code;
    }

    // 2021 format 2 is a DCCT percentage; otherwise HbA1c is in mmol/mol (docs/data-model.md §4.8).
    bool hba1c_percent() const { return st_.year == DatasetYear::y2021 && r_.visit.hba1c_format == 2; }

    // The plausible range of a measurement (docs/data-model.md §4.8); HbA1c's follows the format.
    void range_of(const ColumnDef &def, double &lo, double &hi) const {
        lo = def.min_value, hi = def.max_value;
        if (def.field == FieldId::hba1c && hba1c_percent()) lo = 3, hi = 20;
    }

    // "; expected a number from 40 to 240 (cm)." -- what the cell should hold.
    std::string expected(const ColumnDef &def, bool whole) const {
        if (!def.has_range) return ".";
        double lo, hi;
        range_of(def, lo, hi);
        const std::string unit = unit_name(def.field, def.field == FieldId::hba1c && hba1c_percent());
        return std::string("; expected a ") + (whole ? "whole number" : "number") + " from " + format_number(lo) +
               " to " + format_number(hi) + (unit.empty() ? "" : " (" + unit + ")") + ".";
    }

    // The largest value Decimal(precision, scale) holds, e.g. 999.9.
    static std::string largest_stored(const ColumnDef &def) {
        std::string nines(def.precision, '9');
        if (def.scale > 0 && def.scale < def.precision) nines.insert(nines.size() - def.scale, ".");
        return nines;
    }

    void check_range(const ColumnDef &def, double v) {
        double lo, hi;
        range_of(def, lo, hi);
        std::string hint;
        if (def.field == FieldId::hba1c) {
            if (hba1c_percent()) {
                if (v > hi) hint = " Did you mean to enter an IFCC (mmol/mol) value?";
            } else if (v < lo) {
                // The 2026 dataset has no format column: mmol/mol only.
                hint = st_.year == DatasetYear::y2021
                           ? " Did you mean to enter a DCCT (%) value?"
                           : " The 2026 dataset records HbA1c in mmol/mol only; this looks like a percentage (DCCT).";
            }
        }
        if (v < lo || v > hi)
            error(ec::kNumberOutOfRange, quoted(cell_) + " is outside the range " + format_number(lo) + "-" +
                                             format_number(hi) + " for " + heading() + "." + hint);
    }

    Number read_decimal(const ColumnDef &def) {
        const NumberParse n = parse_number(cell_, def.scale, true);
        if (!n.ok || !unit_accepted(def.field, n.unit)) {
            error(ec::kNumberFormat, quoted(cell_) + " is not a number" +
                                         (n.ok ? " in the unit of " + std::string(heading()) : std::string()) +
                                         expected(def, false));
            return std::nullopt;
        }
        if (!n.fits(def.precision)) {
            error(ec::kValueTooLarge, quoted(cell_) + " is too large to be stored in " + heading() + " (at most " +
                                          largest_stored(def) + ")" + expected(def, false));
            return std::nullopt;
        }
        const double v = n.value();
        if (def.has_range) check_range(def, v);
        return v;
    }

    std::optional<std::int32_t> read_integer(const ColumnDef &def) {
        const NumberParse n = parse_number(cell_, 0, true);
        if (!n.ok || !unit_accepted(def.field, n.unit)) {
            error(ec::kNumberFormat, quoted(cell_) + " is not a number" +
                                         (n.ok ? " in the unit of " + std::string(heading()) : std::string()) +
                                         expected(def, true));
            return std::nullopt;
        }
        if (n.fraction_nonzero) {
            error(ec::kNumberFormat, quoted(cell_) + " is not a whole number" + expected(def, true));
            return std::nullopt;
        }
        if (n.huge || n.scaled > static_cast<std::uint64_t>(std::numeric_limits<std::int32_t>::max())) {
            error(ec::kValueTooLarge, quoted(cell_) + " is too large to be stored in " + heading() +
                                          expected(def, true));
            return std::nullopt;
        }
        const auto v = static_cast<std::int32_t>(n.negative ? -static_cast<std::int64_t>(n.scaled)
                                                            : static_cast<std::int64_t>(n.scaled));
        if (def.has_range) check_range(def, v);
        return v;
    }

    Text read_text(const ColumnDef &def) {
        if (def.max_length != 0 && utf8_length(cell_) > def.max_length) {
            error(ec::kValueTooLarge, heading() + " is longer than " + std::to_string(def.max_length) +
                                          " characters and cannot be stored.");
            return std::nullopt;
        }
        return std::string(cell_);
    }

    ReaderState &st_;
    RowData &r_;
    const Bindings &b_;
    int column_ = 0;
    std::string_view cell_;
};

}  // namespace

void read_row_cells(ReaderState &st, RowData &r, const CsvRow &row) {
    CellReader reader(st, r);
    const int n = static_cast<int>(st.columns.size());
    // HbA1c's range depends on the format column (2021), which comes later in
    // the template: read the format first.
    const int format_col = st.col(FieldId::hba1c_format);
    const auto read_one = [&](int c) {
        const std::string_view cell = st.cell(row, c);
        if (cell.empty()) return;
        r.present |= std::uint64_t{1} << c;
        reader.read(c, cell);
    };
    if (format_col >= 0) read_one(format_col);
    for (int c = 0; c < n; ++c)
        if (c != format_col) read_one(c);
}

}  // namespace npda::detail
