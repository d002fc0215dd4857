// Bytes -> UTF-8 (docs/data-model.md §6.1): BOM, Windows-1252 fallback, NBSP, binary rejection.
#include <gtest/gtest.h>

#include "errors.hpp"
#include "ingest/text_decode.hpp"

using namespace npda;

namespace {

const char *not_text_state(const std::string &bytes) {
    try {
        (void)decode_text(bytes);
    } catch (const Error &e) {
        return e.sqlstate();
    }
    return "none";
}

}  // namespace

TEST(TextDecode, PlainUtf8IsCopied) {
    const auto d = decode_text("NHS Number,Date\n1,2\n");
    EXPECT_EQ(d.text, "NHS Number,Date\n1,2\n");
    EXPECT_EQ(d.encoding, SourceEncoding::utf8);
}

TEST(TextDecode, Utf8ByteOrderMarkIsRemoved) {
    const auto d = decode_text("\xEF\xBB\xBFNHS Number,x\n");
    EXPECT_EQ(d.text, "NHS Number,x\n");
    EXPECT_EQ(d.encoding, SourceEncoding::utf8_bom);
}

TEST(TextDecode, Utf8MultibyteIsKept) {
    // Daggers (U+2020) and e-acute stay as they are.
    const auto d = decode_text("Sex assigned at birth\xE2\x80\xA0\xE2\x80\xA0,caf\xC3\xA9");
    EXPECT_EQ(d.text, "Sex assigned at birth\xE2\x80\xA0\xE2\x80\xA0,caf\xC3\xA9");
}

TEST(TextDecode, NonBreakingSpaceBecomesSpace) {
    EXPECT_EQ(decode_text("719\xC2\xA0" "573\xC2\xA0" "0220").text, "719 573 0220");
}

TEST(TextDecode, Windows1252IsConverted) {
    // 0xE9 e-acute, 0x80 euro sign, 0x96 en dash, 0xA0 NBSP -> space, 0x81 undefined -> U+0081.
    const auto d = decode_text("caf\xE9 \x80 a\x96" "b x\xA0y \x81");
    EXPECT_EQ(d.encoding, SourceEncoding::windows1252);
    EXPECT_EQ(d.text, "caf\xC3\xA9 \xE2\x82\xAC a\xE2\x80\x93" "b x y \xC2\x81");
}

TEST(TextDecode, Latin1PoundSign) {
    EXPECT_EQ(decode_text("\xA3" "5").text, "\xC2\xA3" "5");
}

TEST(TextDecode, EmptyInputGivesEmptyText) {
    EXPECT_EQ(decode_text("").text, "");
    EXPECT_EQ(decode_text("\xEF\xBB\xBF").text, "");
}

TEST(TextDecode, BinaryInputIsRejected) {
    EXPECT_STREQ(not_text_state(std::string("a,b\n\0c", 6)), sqlstate::kNotText);
    EXPECT_STREQ(not_text_state("PK\x03\x04xl/workbook.xml"), sqlstate::kNotText);
    EXPECT_STREQ(not_text_state(std::string("\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1", 8)), sqlstate::kNotText);
    EXPECT_STREQ(not_text_state("%PDF-1.7\n"), sqlstate::kNotText);
    EXPECT_STREQ(not_text_state("\xFF\xFEN\0H\0"), sqlstate::kNotText);  // UTF-16 LE BOM
    std::string controls(200, 'a');
    for (int i = 0; i < 40; ++i) controls[static_cast<std::size_t>(i * 5)] = '\x01';
    EXPECT_STREQ(not_text_state(controls), sqlstate::kNotText);
}

TEST(TextDecode, NotTextErrorHasDetailAndHint) {
    try {
        (void)decode_text("PK\x03\x04");
        FAIL();
    } catch (const Error &e) {
        EXPECT_EQ(e.message(), "file is not a CSV text file");
        EXPECT_NE(e.detail().find("Excel workbook"), std::string::npos);
        EXPECT_NE(e.hint().find("CSV"), std::string::npos);
    }
}

TEST(TextDecode, AFewControlCharactersAreTolerated) {
    // A DOS end-of-file mark and one stray control character are not binary.
    EXPECT_NO_THROW(decode_text("a,b\n1,2\n\x1A"));
    EXPECT_NO_THROW(decode_text("a,b\n1,\x02" "2\n"));
}

TEST(TextDecode, Utf8Validation) {
    EXPECT_TRUE(is_valid_utf8("plain"));
    EXPECT_TRUE(is_valid_utf8("\xE2\x80\xA0"));
    EXPECT_TRUE(is_valid_utf8("\xF0\x9F\x98\x80"));
    EXPECT_FALSE(is_valid_utf8("\xC0\xAF"));          // overlong '/'
    EXPECT_FALSE(is_valid_utf8("\xED\xA0\x80"));      // surrogate
    EXPECT_FALSE(is_valid_utf8("\xF4\x90\x80\x80"));  // above U+10FFFF
    EXPECT_FALSE(is_valid_utf8("\xE2\x80"));          // truncated
    EXPECT_FALSE(is_valid_utf8("caf\xE9"));           // Latin-1
}
