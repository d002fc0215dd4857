// Field-error codes: stable snake_case names, one per rule (docs/data-model.md
// §9). The PostgreSQL layer stores them in npda.submission_error.code and the
// README links to docs/error-codes.md, which lists the same table (a unit test
// keeps the two in step). Never rename a code; add new ones.
#pragma once
#include <string_view>
#include <vector>
#include "no_postgres.hpp"

namespace npda {

namespace error_code {
inline constexpr std::string_view kNhsNumberFormat = "nhs_number_format";
inline constexpr std::string_view kNhsNumberCheckDigit = "nhs_number_check_digit";
inline constexpr std::string_view kUrnFormat = "urn_format";
inline constexpr std::string_view kPostcodeFormat = "postcode_format";
inline constexpr std::string_view kGpPracticeCodeFormat = "gp_practice_code_format";
inline constexpr std::string_view kPduNumberMissing = "pdu_number_missing";
inline constexpr std::string_view kDateFormat = "date_format";
inline constexpr std::string_view kDateInFuture = "date_in_future";
inline constexpr std::string_view kDateBeforeBirth = "date_before_birth";
inline constexpr std::string_view kDateBeforeDiagnosis = "date_before_diagnosis";
inline constexpr std::string_view kDateAfterDeath = "date_after_death";
inline constexpr std::string_view kAgeOverLimit = "age_over_limit";
inline constexpr std::string_view kAdmissionAfterDischarge = "admission_after_discharge";
inline constexpr std::string_view kNumberFormat = "number_format";
inline constexpr std::string_view kNumberOutOfRange = "number_out_of_range";
inline constexpr std::string_view kValueTooLarge = "value_too_large";
inline constexpr std::string_view kValueNotInSet = "value_not_in_set";
inline constexpr std::string_view kMissingRequired = "missing_required";
inline constexpr std::string_view kRequiresOtherField = "requires_other_field";
inline constexpr std::string_view kValueNotApplicable = "value_not_applicable";
inline constexpr std::string_view kConflictingValues = "conflicting_values";
inline constexpr std::string_view kValueWithoutHeading = "value_without_heading";
}  // namespace error_code

struct ErrorCodeInfo {
    std::string_view code;
    std::string_view meaning;  // one line
    bool value_dropped;        // true: the value could not be stored and is NULL
};

// Every field-error code, in a stable order.
const std::vector<ErrorCodeInfo> &error_codes();
// Look a code up; nullptr when unknown.
const ErrorCodeInfo *find_error_code(std::string_view code);

}  // namespace npda
