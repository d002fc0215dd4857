// RFC 4180 reading and record numbering (docs/data-model.md §6.1, §9).
#include <gtest/gtest.h>

#include "ingest/csv_reader.hpp"

using namespace npda;

namespace {

std::vector<std::string> fields(const CsvRecord &r) { return r.fields; }

}  // namespace

TEST(CsvReader, SimpleRecords) {
    const auto recs = read_csv("a,b,c\n1,2,3\n");
    ASSERT_EQ(recs.size(), 2u);
    EXPECT_EQ(recs[0].record_number, 1);
    EXPECT_EQ(fields(recs[0]), (std::vector<std::string>{"a", "b", "c"}));
    EXPECT_EQ(recs[1].record_number, 2);
    EXPECT_EQ(fields(recs[1]), (std::vector<std::string>{"1", "2", "3"}));
}

TEST(CsvReader, NoFinalLineEnd) {
    const auto recs = read_csv("a,b\n1,2");
    ASSERT_EQ(recs.size(), 2u);
    EXPECT_EQ(fields(recs[1]), (std::vector<std::string>{"1", "2"}));
}

TEST(CsvReader, EmptyFieldsAndTrailingComma) {
    const auto recs = read_csv("a,,c,\n");
    ASSERT_EQ(recs.size(), 1u);
    EXPECT_EQ(fields(recs[0]), (std::vector<std::string>{"a", "", "c", ""}));
    const auto end = read_csv("x,");
    ASSERT_EQ(end.size(), 1u);
    EXPECT_EQ(fields(end[0]), (std::vector<std::string>{"x", ""}));
}

TEST(CsvReader, QuotedFieldsWithCommasAndQuotes) {
    const auto recs = read_csv("\"a,b\",\"say \"\"hi\"\"\",\"\"\n");
    ASSERT_EQ(recs.size(), 1u);
    EXPECT_EQ(fields(recs[0]), (std::vector<std::string>{"a,b", "say \"hi\"", ""}));
}

TEST(CsvReader, EmbeddedNewlinesDoNotAdvanceRecordNumber) {
    const auto recs = read_csv("h1,h2\n\"line1\nline2\r\nline3\",x\nnext,y\n");
    ASSERT_EQ(recs.size(), 3u);
    EXPECT_EQ(recs[1].record_number, 2);
    EXPECT_EQ(recs[1].fields[0], "line1\nline2\r\nline3");
    EXPECT_EQ(recs[2].record_number, 3);
    EXPECT_EQ(recs[2].fields[0], "next");
}

TEST(CsvReader, CrLfAndBareCrLineEnds) {
    const auto crlf = read_csv("a,b\r\n1,2\r\n");
    ASSERT_EQ(crlf.size(), 2u);
    EXPECT_EQ(crlf[1].fields[1], "2");  // no stray \r
    const auto cr = read_csv("a,b\r1,2\r3,4");
    ASSERT_EQ(cr.size(), 3u);
    EXPECT_EQ(cr[2].record_number, 3);
    EXPECT_EQ(cr[2].fields[0], "3");
}

TEST(CsvReader, BlankLinesKeepTheirNumbersButCarryNoData) {
    // Record 3 is empty and record 4 only commas: both skipped, numbering continues.
    const auto recs = read_csv("h\n1\n\n,,,\n5\n");
    ASSERT_EQ(recs.size(), 3u);
    EXPECT_EQ(recs[0].record_number, 1);
    EXPECT_EQ(recs[1].record_number, 2);
    EXPECT_EQ(recs[2].record_number, 5);
    EXPECT_EQ(recs[2].fields[0], "5");
}

TEST(CsvReader, TrailingEmptyRowsAreIgnored) {
    const auto recs = read_csv("h,i\n1,2\n,\n\r\n  ,\t\n\n");
    ASSERT_EQ(recs.size(), 2u);
    EXPECT_EQ(recs[1].record_number, 2);
}

TEST(CsvReader, StrayQuotesAreKeptLiterally) {
    const auto recs = read_csv("5'2\",ab\"c\n\"quoted\"tail,x\n");
    ASSERT_EQ(recs.size(), 2u);
    EXPECT_EQ(recs[0].fields[0], "5'2\"");
    EXPECT_EQ(recs[0].fields[1], "ab\"c");
    EXPECT_EQ(recs[1].fields[0], "quotedtail");
    EXPECT_EQ(recs[1].fields[1], "x");
}

TEST(CsvReader, UnterminatedQuoteRunsToEnd) {
    const auto recs = read_csv("a,\"open\nstill open");
    ASSERT_EQ(recs.size(), 1u);
    EXPECT_EQ(recs[0].fields[1], "open\nstill open");
}

TEST(CsvReader, EmptyInput) {
    EXPECT_TRUE(read_csv("").empty());
    EXPECT_TRUE(read_csv("\n\n\r\n").empty());
}

TEST(CsvReader, ParserGivesOffsetsAndBlankRecords) {
    const std::string text = "h,i\n\n\"a\"\"b\",c\n";
    CsvParser p(text);
    CsvRow row;
    ASSERT_TRUE(p.next(row));
    EXPECT_EQ(row.record_number, 1);
    EXPECT_EQ(row.begin_offset, 0u);
    ASSERT_TRUE(p.next(row));
    EXPECT_EQ(row.record_number, 2);
    EXPECT_TRUE(row.is_blank());
    ASSERT_TRUE(p.next(row));
    EXPECT_EQ(row.record_number, 3);
    EXPECT_EQ(row.begin_offset, 5u);
    ASSERT_EQ(row.fields.size(), 2u);
    EXPECT_EQ(row.fields[0], "a\"b");  // unescaped into the row's scratch buffer
    EXPECT_EQ(row.fields[1], "c");
    EXPECT_FALSE(p.next(row));
}

TEST(CsvReader, ManyEscapedFieldsInOneRowStayValid) {
    // Scratch-buffer growth must not invalidate earlier fields' views.
    std::string line;
    for (int i = 0; i < 200; ++i) line += (i ? "," : "") + std::string("\"v\"\"") + std::to_string(i) + "\"";
    CsvParser p(line);
    CsvRow row;
    ASSERT_TRUE(p.next(row));
    ASSERT_EQ(row.fields.size(), 200u);
    EXPECT_EQ(row.fields[0], "v\"0");
    EXPECT_EQ(row.fields[199], "v\"199");
}

TEST(CsvReader, Utf8PassesThrough) {
    const auto recs = read_csv("Sex assigned at birth\xE2\x80\xA0,x\n");
    ASSERT_EQ(recs.size(), 1u);
    EXPECT_EQ(recs[0].fields[0], "Sex assigned at birth\xE2\x80\xA0");
}
