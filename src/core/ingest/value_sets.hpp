// The coded value sets of both datasets, as data (docs/data-model.md §3).
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>
#include "no_postgres.hpp"

namespace npda {

enum class ValueSetId : std::uint8_t {
    none,
    sex,
    diabetes_type,
    reason_leaving_service,
    hba1c_format,
    treatment,
    closed_loop_system,
    glucose_monitoring,
    yes_no_unknown,
    retinal_screening_result,
    albuminuria_stage,
    thyroid_treatment_status,
    smoking_status,
    smoking_vaping_status,
    admission_reason_2021,
    admission_reason_2026,
    dka_additional_therapies,
    adhd_asd_status,
    insulin_regimen,
    non_insulin_medication,
    psychological_support_outcome,
};

struct CodeLabel {
    std::int16_t code;
    std::string_view label;
};

// Another spelling that stands for a code: legacy numbers (treatment 9 = 99)
// or text (sex "m" = 1). Text synonyms compare case-insensitively.
struct CodeSynonym {
    std::string_view text;
    std::int16_t code;
};

struct ValueSet {
    ValueSetId id;
    std::string_view name;
    std::vector<CodeLabel> codes;
    std::vector<CodeSynonym> synonyms;
};

const ValueSet &value_set(ValueSetId id);
bool value_set_contains(const ValueSet &set, std::int16_t code);
// "1, 2, 99" for messages.
std::string value_set_code_list(const ValueSet &set);
// The code a synonym stands for (case-insensitive, after trimming), if any.
std::optional<std::int16_t> value_set_synonym(const ValueSet &set, std::string_view text);

// Ethnicity is a text code (docs/data-model.md §3.1): A-H, J-N, P, R, S, Z and 99.
struct TextCodeLabel {
    std::string_view code;
    std::string_view label;
};
const std::vector<TextCodeLabel> &ethnicity_codes();
bool is_ethnicity_code(std::string_view upper_code);
std::string ethnicity_code_list();

}  // namespace npda
