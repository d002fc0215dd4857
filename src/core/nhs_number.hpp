// NHS number: normalisation and the modulus-11 check digit.
#pragma once
#include <optional>
#include <string>
#include <string_view>
#include "no_postgres.hpp"

namespace npda {

// Remove the separators people write inside NHS numbers (spaces, non-breaking
// spaces, hyphens) and return the digits; std::nullopt when anything other than
// digits and separators remains. Length is not checked here.
std::optional<std::string> normalise_nhs_number(std::string_view text);

// True when text is ten digits (separators allowed) whose tenth digit is the
// modulus-11 check digit of the first nine. A check value of 10 can never be valid.
bool nhs_number_is_valid(std::string_view text);

}  // namespace npda
