// The table of field-error codes; docs/error-codes.md mirrors it.
#include "ingest/error_codes.hpp"

namespace npda {

const std::vector<ErrorCodeInfo> &error_codes() {
    namespace c = error_code;
    static const std::vector<ErrorCodeInfo> codes = {
        {c::kNhsNumberFormat, "NHS Number is not ten digits once spaces and hyphens are removed", false},
        {c::kNhsNumberCheckDigit, "NHS Number fails the modulus-11 check digit", false},
        {c::kUrnFormat, "Unique Reference Number (PZ248) is not 1-50 digits", false},
        {c::kPostcodeFormat,
         "postcode is not in UK postcode format (outward code + inward code 9AA) "
         "and is not a ZZ99 special code",
         false},
        {c::kGpPracticeCodeFormat, "GP Practice Code is not one letter followed by five digits", false},
        {c::kPduNumberMissing, "PDU Number is blank on every row; the file was taken as the submitting PDU's", false},
        {c::kDateFormat,
         "not a date in DD/MM/YYYY, D/M/YYYY, DD/MM/YY or YYYY-MM-DD form, or not a real "
         "calendar date",
         true},
        {c::kDateInFuture, "date is after the day of the upload", false},
        {c::kDateBeforeBirth, "date is before the date of birth", false},
        {c::kDateBeforeDiagnosis,
         "date is before the date of diagnosis (thyroid and coeliac screening: more "
         "than 90 days before; admission: more than 11 days before)",
         false},
        {c::kDateAfterDeath, "date is after the date of death", false},
        {c::kAgeOverLimit, "the child is 25 or older on the day of the upload", false},
        {c::kAdmissionAfterDischarge, "hospital admission date is after the discharge date", false},
        {c::kNumberFormat, "not a number (or not a whole number in a whole-number column)", true},
        {c::kNumberOutOfRange, "number outside the plausible range for the measurement", false},
        {c::kValueTooLarge, "value too large for the column that stores it (number or text length)", true},
        {c::kValueNotInSet,
         "not one of the codes of the column's value set (values that are not whole "
         "numbers, such as TRUE, are dropped)",
         false},
        {c::kMissingRequired, "a required value is empty", false},
        {c::kRequiresOtherField, "this value is needed because a related field is filled in", false},
        {c::kValueNotApplicable, "a value is filled in where the related answers say it must be empty", false},
        {c::kConflictingValues, "a child's rows disagree on a patient-level value; the resolution rule chose one",
         false},
        {c::kValueWithoutHeading, "a row has a value in a column that has no heading; the value is ignored", true},
    };
    return codes;
}

const ErrorCodeInfo *find_error_code(std::string_view code) {
    for (const auto &c : error_codes())
        if (c.code == code) return &c;
    return nullptr;
}

}  // namespace npda
