// The annotated data quality report (src/core/ingest/annotated_csv.hpp):
// records with their findings, and the CSV line written for each.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "errors.hpp"
#include "ingest/annotated_csv.hpp"
#include "ingest/csv_reader.hpp"

namespace npda {
namespace {

struct Seen {
    int row;
    int count;
    std::string errors;
    std::vector<std::string> fields;
    std::string line;
};

std::vector<Seen> all(AnnotatedCsv &a) {
    std::vector<Seen> out;
    AnnotatedRecord r;
    while (a.next(r))
        out.push_back({r.row_number, r.error_count, std::string(r.errors),
                       std::vector<std::string>(r.fields.begin(), r.fields.end()), annotated_line(r)});
    return out;
}

TEST(AnnotatedCsv, RecordsCarryTheirFindingsInOrder) {
    const std::string file = "NHS Number,Postcode\r\n\r\n9999999999,\"A\"\"B\"\r\n,,\r\n123,\"x,\ny\"\r\n";
    AnnotatedCsv a(file);
    a.add_finding(3, "Postcode: bad [postcode_format]");
    a.add_finding(3, "NHS Number: wrong [nhs_number_invalid]");
    a.add_finding(4, "on a blank row: never shown");
    a.add_finding(99, "beyond the file: never shown");
    const auto seen = all(a);
    ASSERT_EQ(seen.size(), 3u);
    EXPECT_EQ(seen[0].row, 1);
    EXPECT_EQ(seen[0].count, 0);
    EXPECT_EQ(seen[0].line, "NPDA findings,NHS Number,Postcode");
    EXPECT_EQ(seen[1].row, 3);
    EXPECT_EQ(seen[1].count, 2);
    EXPECT_EQ(seen[1].errors, "Postcode: bad [postcode_format]\nNHS Number: wrong [nhs_number_invalid]");
    EXPECT_EQ(seen[1].fields, (std::vector<std::string>{"9999999999", "A\"B"}));
    EXPECT_EQ(seen[1].line,
              "\"Postcode: bad [postcode_format]\nNHS Number: wrong [nhs_number_invalid]\",9999999999,\"A\"\"B\"");
    EXPECT_EQ(seen[2].row, 5);  // the quoted line break does not advance the record number
    EXPECT_EQ(seen[2].count, 0);
    EXPECT_EQ(seen[2].line, "\"\",123,\"x,\ny\"");
}

TEST(AnnotatedCsv, DecodesLikeTheReader) {
    // Windows-1252 (0xA3 is the pound sign), a non-breaking space, a BOM.
    AnnotatedCsv cp("a,b\n\xA3"
                    "1,x\xA0y\n");
    auto seen = all(cp);
    ASSERT_EQ(seen.size(), 2u);
    EXPECT_EQ(seen[1].fields, (std::vector<std::string>{"\xC2\xA3"
                                                        "1",
                                                        "x y"}));
    AnnotatedCsv bom("\xEF\xBB\xBF"
                     "a,b\n1,2\n");
    seen = all(bom);
    ASSERT_EQ(seen.size(), 2u);
    EXPECT_EQ(seen[0].fields, (std::vector<std::string>{"a", "b"}));
    EXPECT_THROW(AnnotatedCsv("PK\x03\x04 not a csv"), Error);
}

TEST(AnnotatedCsv, LineReadsBackAsCsv) {
    AnnotatedCsv a("h1,h2,h3\n\" lead\",\"q\"\"\",\"\"\n");
    a.add_finding(2, "say \"no\", twice");
    AnnotatedRecord r;
    ASSERT_TRUE(a.next(r));
    ASSERT_TRUE(a.next(r));
    const std::string line = annotated_line(r);
    CsvParser p(line);
    CsvRow back;
    ASSERT_TRUE(p.next(back));
    ASSERT_EQ(back.fields.size(), 4u);
    EXPECT_EQ(back.fields[0], "say \"no\", twice");
    EXPECT_EQ(back.fields[1], " lead");
    EXPECT_EQ(back.fields[2], "q\"");
    EXPECT_EQ(back.fields[3], "");
}

}  // namespace
}  // namespace npda
