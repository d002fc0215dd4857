// Unit tests for NHS number normalisation and the modulus-11 check (docs/data-model.md §4.2).
#include <gtest/gtest.h>

#include "nhs_number.hpp"

using namespace npda;

TEST(NhsNumber, ValidNumbers) {
    EXPECT_TRUE(nhs_number_is_valid("9434765919"));      // weighted sum 299, check 9
    EXPECT_TRUE(nhs_number_is_valid("943 476 5919"));
    EXPECT_TRUE(nhs_number_is_valid("943-476-5919"));
    EXPECT_TRUE(nhs_number_is_valid("943-476 5919"));    // mixed separators (the reference failed these)
    EXPECT_TRUE(nhs_number_is_valid("943\xC2\xA0" "476\xC2\xA0" "5919"));  // non-breaking spaces
    EXPECT_TRUE(nhs_number_is_valid("999 489 2266"));    // from the RCPCH sample sheet
    EXPECT_TRUE(nhs_number_is_valid("7800713695"));
}

TEST(NhsNumber, InvalidCheckDigit) {
    EXPECT_FALSE(nhs_number_is_valid("9434765918"));
    EXPECT_FALSE(nhs_number_is_valid("9434765910"));
}

TEST(NhsNumber, CheckDigitTenIsNeverValid) {
    // 1000000060: weighted sum = 1*10 + 6*2 = 22, remainder 0 -> check 11 -> 0; use a sum with remainder 1:
    // 1000000010: sum = 10 + 2 = 12, remainder 1, check 10 -> invalid whatever the last digit.
    for (char last = '0'; last <= '9'; ++last) {
        std::string n = "100000001";
        n.push_back(last);
        EXPECT_FALSE(nhs_number_is_valid(n)) << n;
    }
}

TEST(NhsNumber, CheckValueElevenBecomesZero) {
    // 1000000060: sum 22, remainder 0, check 11 -> 0.
    EXPECT_TRUE(nhs_number_is_valid("1000000060"));
    EXPECT_FALSE(nhs_number_is_valid("1000000061"));
}

TEST(NhsNumber, WrongLengthAndGarbage) {
    EXPECT_FALSE(nhs_number_is_valid(""));
    EXPECT_FALSE(nhs_number_is_valid("943476591"));
    EXPECT_FALSE(nhs_number_is_valid("94347659190"));
    EXPECT_FALSE(nhs_number_is_valid("943476591X"));
    EXPECT_FALSE(nhs_number_is_valid("abc"));
    EXPECT_FALSE(nhs_number_is_valid("   "));
    EXPECT_FALSE(nhs_number_is_valid(std::string("943476\0" "5919", 11)));
}

TEST(NhsNumber, Normalises) {
    EXPECT_EQ(normalise_nhs_number("719 573 0220"), std::optional<std::string>("7195730220"));
    EXPECT_EQ(normalise_nhs_number("719-573-0220"), std::optional<std::string>("7195730220"));
    EXPECT_EQ(normalise_nhs_number("71957x0220"), std::nullopt);
}
