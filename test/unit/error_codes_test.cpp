// The error-code table: unique snake_case codes, in step with docs/error-codes.md.
#include <gtest/gtest.h>

#include <fstream>
#include <regex>
#include <set>
#include <sstream>

#include "ingest/error_codes.hpp"

using namespace npda;

TEST(ErrorCodes, UniqueSnakeCaseWithMeaning) {
    std::set<std::string_view> seen;
    for (const auto &c : error_codes()) {
        EXPECT_TRUE(seen.insert(c.code).second) << c.code;
        EXPECT_FALSE(c.meaning.empty()) << c.code;
        for (const char ch : c.code) EXPECT_TRUE((ch >= 'a' && ch <= 'z') || ch == '_') << c.code;
    }
    EXPECT_NE(find_error_code("nhs_number_check_digit"), nullptr);
    EXPECT_EQ(find_error_code("no_such_code"), nullptr);
}

TEST(ErrorCodes, DocumentationListsExactlyTheTable) {
    std::ifstream in(std::string(NPDA_FIXTURES_DIR) + "/../../docs/error-codes.md");
    ASSERT_TRUE(in.good());
    std::stringstream ss;
    ss << in.rdbuf();
    const std::string doc = ss.str();
    // Rows of the field-error table: | `code` | meaning | kept/dropped |
    const std::regex row(R"(\n\| `([a-z_]+)` \| ([^|]+) \| (kept|dropped) \|)");
    std::vector<std::string> documented;
    for (auto it = std::sregex_iterator(doc.begin(), doc.end(), row); it != std::sregex_iterator(); ++it) {
        const std::string code = (*it)[1];
        documented.push_back(code);
        const auto *info = find_error_code(code);
        ASSERT_NE(info, nullptr) << code << " is documented but not in error_codes()";
        EXPECT_EQ((*it)[2].str(), std::string(info->meaning)) << code;
        EXPECT_EQ((*it)[3].str() == "dropped", info->value_dropped) << code;
    }
    std::vector<std::string> table;
    for (const auto &c : error_codes()) table.emplace_back(c.code);
    EXPECT_EQ(documented, table);
}

// The README lists the same codes, in the same order, with the same
// kept/dropped mark (its meanings are shortened, so they are not compared).
TEST(ErrorCodes, ReadmeListsEveryCode) {
    std::ifstream in(std::string(NPDA_FIXTURES_DIR) + "/../../README.md");
    ASSERT_TRUE(in.good());
    std::stringstream ss;
    ss << in.rdbuf();
    const std::string readme = ss.str();
    const std::regex row(R"(\n\| `([a-z_]+)` \| [^|]+ \| (kept|dropped) \|)");
    std::vector<std::string> listed;
    for (auto it = std::sregex_iterator(readme.begin(), readme.end(), row); it != std::sregex_iterator(); ++it) {
        listed.push_back((*it)[1]);
        const auto *info = find_error_code((*it)[1].str());
        ASSERT_NE(info, nullptr) << (*it)[1] << " is in the README but not in error_codes()";
        EXPECT_EQ((*it)[2].str() == "dropped", info->value_dropped) << (*it)[1];
    }
    std::vector<std::string> table;
    for (const auto &c : error_codes()) table.emplace_back(c.code);
    EXPECT_EQ(listed, table);
}
