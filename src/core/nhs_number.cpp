// NHS number normalisation and modulus-11 validation (docs/data-model.md §4.2).
#include "nhs_number.hpp"

namespace npda {

std::optional<std::string> normalise_nhs_number(std::string_view text) {
    std::string digits;
    digits.reserve(10);
    for (std::size_t i = 0; i < text.size(); ++i) {
        const unsigned char c = static_cast<unsigned char>(text[i]);
        if (c >= '0' && c <= '9') {
            digits.push_back(static_cast<char>(c));
        } else if (c == ' ' || c == '-' || c == '\t') {
            continue;
        } else if (c == 0xC2 && i + 1 < text.size() &&
                   static_cast<unsigned char>(text[i + 1]) == 0xA0) {
            ++i;  // UTF-8 non-breaking space, as Excel writes it
        } else {
            return std::nullopt;
        }
    }
    return digits;
}

bool nhs_number_is_valid(std::string_view text) {
    const auto digits = normalise_nhs_number(text);
    if (!digits || digits->size() != 10) return false;
    int sum = 0;
    for (int i = 0; i < 9; ++i) sum += ((*digits)[i] - '0') * (10 - i);
    int check = 11 - sum % 11;
    if (check == 11) check = 0;
    if (check == 10) return false;
    return check == (*digits)[9] - '0';
}

}  // namespace npda
