// read_submission: structural errors with their SQLSTATEs (docs/data-model.md §6.4),
// encodings and messy exports (§6.1, §6.2), PDU numbers (§6.3), record
// numbering, ordering of findings and the interrupt hook.
#include <gtest/gtest.h>

#include "ingest/csv_reader.hpp"
#include "reader_test_util.hpp"

using namespace npda;
using namespace npda::test;
namespace ec = npda::error_code;

namespace {

constexpr auto Y21 = DatasetYear::y2021;

std::string valid_line() { return row_line(Y21, valid_row(Y21)); }

// A file whose header is the 2021 template with heading `from` replaced.
std::string header_with(const std::string &from, const std::string &to) {
    std::string h = header_line(Y21);
    const auto at = h.find(from);
    EXPECT_NE(at, std::string::npos) << from;
    h.replace(at, from.size(), to);
    return h;
}

bool contains(const std::string &haystack, const std::string &needle) {
    return haystack.find(needle) != std::string::npos;
}

}  // namespace

// ---- Structural errors ----

TEST(Structure, EmptyFile) {
    const auto e = expect_structural("", ctx2021(), sqlstate::kEmptyFile);
    EXPECT_EQ(e.message(), "file is empty");
    expect_structural("\n\r\n,,,\n", ctx2021(), sqlstate::kEmptyFile);
    expect_structural("\xEF\xBB\xBF", ctx2021(), sqlstate::kEmptyFile);
}

TEST(Structure, HeaderOnlyFiles) {
    for (const char *f : {"npda_csv_template_2021.csv", "npda_base_template_2021.csv"}) {
        const auto e = expect_structural(read_fixture(f), ctx2021(), sqlstate::kEmptyFile);
        EXPECT_EQ(e.message(), "file has no data rows");
    }
    expect_structural(read_fixture("npda_csv_template_2026.csv"), ctx2026(), sqlstate::kEmptyFile);
    expect_structural(header_line(Y21) + "\n,,,,\n\n", ctx2021(), sqlstate::kEmptyFile);
}

TEST(Structure, NotText) {
    expect_structural(std::string("PK\x03\x04\x14\0\x06\0", 8), ctx2021(), sqlstate::kNotText);
    expect_structural(header_line(Y21) + std::string("\n\0\0\0", 4), ctx2021(), sqlstate::kNotText);
}

TEST(Structure, NoRecognisableHeader) {
    const auto e = expect_structural(valid_line() + "\n" + valid_line() + "\n", ctx2021(), sqlstate::kNoHeader);
    EXPECT_EQ(e.message(), "no recognisable header row");
    EXPECT_TRUE(contains(e.detail(), "'719 573 0220'")) << e.detail();
    EXPECT_TRUE(contains(e.hint(), "2021 template (52 columns)")) << e.hint();
}

TEST(Structure, MissingColumns) {
    const std::string h = header_with(",Death Date,", ",");
    Row r = valid_row(Y21);
    std::string line = row_line(Y21, r);
    line.replace(line.find(",,,,G85004"), 10, ",,,G85004");  // drop the death-date cell
    const auto e = expect_structural(h + "\n" + line + "\n", ctx2021(), sqlstate::kMissingColumns);
    EXPECT_EQ(e.message(), "file is missing 1 template column");
    EXPECT_EQ(e.detail(), "Missing columns: 'Death Date'.");
    EXPECT_TRUE(contains(e.hint(), "Download the 2021 template")) << e.hint();
}

TEST(Structure, ExtraColumns) {
    const auto e = expect_structural(header_line(Y21) + ",Favourite colour\n" + valid_line() + ",blue\n", ctx2021(),
                                     sqlstate::kExtraColumns);
    EXPECT_EQ(e.message(), "file has 1 column that is not in the template");
    EXPECT_EQ(e.detail(), "Extra columns: 'Favourite colour'.");
}

TEST(Structure, MissingAndExtraColumnsAreBothNamed) {
    const auto e = expect_structural(header_with("Death Date", "Date of Death") + "\n" + valid_line() + "\n", ctx2021(),
                                     sqlstate::kMissingColumns);
    EXPECT_EQ(e.detail(), "Missing columns: 'Death Date'; extra columns: 'Date of Death'.");
}

TEST(Structure, DuplicateColumns) {
    const auto e = expect_structural(header_line(Y21) + ",DOB\n" + valid_line() + ",26/10/2015\n", ctx2021(),
                                     sqlstate::kDuplicateColumns);
    EXPECT_EQ(e.message(), "file has duplicate columns");
    EXPECT_EQ(e.detail(), "These headings appear more than once: 'Date of Birth' (column 2 (B), column 53 (BA)).");
}

TEST(Structure, TheOtherDatasetsTemplateGetsAPreciseHint) {
    const std::string file = make_file(DatasetYear::y2026, {valid_row(DatasetYear::y2026)});
    const auto e = expect_structural(file, ctx2021(), sqlstate::kMissingColumns);
    EXPECT_TRUE(contains(e.hint(), "looks like the 2026 template")) << e.hint();
    EXPECT_TRUE(contains(e.hint(), "2024-25 audit period uses the 2021 dataset")) << e.hint();
}

TEST(Structure, IdentifierColumn) {
    // Both identifier columns.
    const auto both = expect_structural(header_line(Y21) + ",Unique Reference Number\n" + valid_line() + ",12\n",
                                        ctx2021(), sqlstate::kIdentifierColumn);
    EXPECT_EQ(both.message(), "file has both NHS Number and Unique Reference Number columns");
    // Neither.
    const auto neither = expect_structural(header_with("NHS Number", "Patient ID") + "\n" + valid_line() + "\n",
                                           ctx2021(), sqlstate::kIdentifierColumn);
    EXPECT_EQ(neither.message(), "file has no identifier column");
    // URN from a PDU other than PZ248.
    const std::string urn_file = header_with("NHS Number", "Unique Reference Number") + "\n" + valid_line() + "\n";
    const auto not_jersey = expect_structural(urn_file, ctx2021(), sqlstate::kIdentifierColumn);
    EXPECT_EQ(not_jersey.message(), "files from PZ041 must use the NHS Number column");
    // NHS Number from PZ248.
    const auto jersey = expect_structural(make_file(Y21, {valid_row(Y21)}), context(Y21, 2024, 2024, 10, 23, "PZ248"),
                                          sqlstate::kIdentifierColumn);
    EXPECT_EQ(jersey.message(), "files from PZ248 must use the Unique Reference Number column");
}

TEST(Structure, RowsWithoutIdentifier) {
    Row blank = valid_row(Y21);
    blank[FieldId::nhs_number] = "  ";
    const auto one_row =
        expect_structural(make_file(Y21, {valid_row(Y21), blank}), ctx2021(), sqlstate::kMissingIdentifier);
    EXPECT_EQ(one_row.message(), "1 row has no NHS Number");
    EXPECT_EQ(one_row.detail(), "Row 3 has no NHS Number.");
    std::vector<Row> rows(30, blank);
    rows[0] = valid_row(Y21);
    const auto many = expect_structural(make_file(Y21, rows), ctx2021(), sqlstate::kMissingIdentifier);
    EXPECT_EQ(many.message(), "29 rows have no NHS Number");
    EXPECT_EQ(many.detail(), "Rows 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22 and 9 more "
                             "have no NHS Number.");
}

// A cell of separators only is no identifier: not one child shared by every
// such row.
TEST(Structure, SeparatorsAreNoIdentifier) {
    Row dash = valid_row(Y21);
    dash[FieldId::nhs_number] = " - ";
    const auto e = expect_structural(make_file(Y21, {valid_row(Y21), dash}), ctx2021(), sqlstate::kMissingIdentifier);
    EXPECT_EQ(e.detail(), "Row 3 has no NHS Number.");
}

TEST(Structure, TooManyValuesOnTheFirstDataRow) {
    // Two extra non-empty values beyond the 52 headings, and the row has 52 other values filled in.
    std::string line;
    for (int i = 0; i < 54; ++i) line += (i ? ",x" : "x");
    const auto e = expect_structural(header_line(Y21) + "\n" + line + "\n", ctx2021(), sqlstate::kTooManyValues);
    EXPECT_EQ(e.message(), "row 2 has more values than the header has headings");
    EXPECT_EQ(e.detail(), "Row 2 holds 54 values but the header row has 52 headings.");
}

TEST(Structure, ValueWithoutHeadingOnALaterRowIsAFinding) {
    const std::string file = header_line(Y21) + "\n" + valid_line() + "\n" + valid_line() + ",stray\n";
    const auto p = read_submission(file, ctx2021());
    ASSERT_EQ(findings(p), (std::vector<std::string>{"3||value_without_heading"}));
    EXPECT_EQ(p.errors[0].value, "stray");
    EXPECT_EQ(p.errors[0].message, "The value in column 53 (BA) has no heading and was ignored.");
}

TEST(Structure, InvalidContextPdu) {
    auto ctx = ctx2021();
    ctx.pz_code = "nonsense";
    expect_structural(make_file(Y21, {valid_row(Y21)}), ctx, sqlstate::kInvalidArgument);
}

// ---- PDU Number (docs/data-model.md §6.3) ----

TEST(PduNumber, AllFormsOfTheSubmittingPdu) {
    std::vector<Row> rows;
    for (const char *form : {"PZ041", "pz41", "041", "41", "41.0", ""}) {
        Row r = valid_row(Y21);
        r[FieldId::pdu_number] = form;
        rows.push_back(r);
    }
    const auto p = parse_rows(Y21, rows);
    EXPECT_EQ(findings(p), std::vector<std::string>{});
    EXPECT_EQ(p.data_rows, 6);
}

TEST(PduNumber, SubmittingPduMayBeWrittenDifferently) {
    auto ctx = ctx2021();
    ctx.pz_code = "41";
    EXPECT_NO_THROW(read_submission(make_file(Y21, {valid_row(Y21)}), ctx));
}

TEST(PduNumber, AnotherPdu) {
    Row other = valid_row(Y21);
    other[FieldId::pdu_number] = "PZ042";
    const auto e = expect_structural(make_file(Y21, {other, other}), ctx2021(), sqlstate::kPduMismatch);
    EXPECT_EQ(e.message(), "file is for PZ042, not PZ041");
    EXPECT_EQ(e.detail(), "PDU Numbers in the file: PZ042 in rows 2, 3.");
    EXPECT_EQ(e.hint(), "Submit the file under PZ042, or correct its PDU Number column.");
}

TEST(PduNumber, MoreThanOnePdu) {
    Row other = valid_row(Y21);
    other[FieldId::pdu_number] = "42";
    Row junk = valid_row(Y21);
    junk[FieldId::pdu_number] = "Sheffield";
    const auto e = expect_structural(make_file(Y21, {valid_row(Y21), other, junk}), ctx2021(), sqlstate::kPduMismatch);
    EXPECT_EQ(e.message(), "file carries more than one PDU Number");
    EXPECT_EQ(e.detail(), "PDU Numbers in the file: PZ041 in row 2, PZ042 in row 3, 'Sheffield' in row 4.");
}

TEST(PduNumber, BlankOnEveryRowIsAcceptedWithAFinding) {
    Row r = valid_row(Y21);
    r[FieldId::pdu_number] = "";
    const auto p = parse_rows(Y21, {r, r});
    EXPECT_EQ(findings(p), (std::vector<std::string>{"2|PDU Number|pdu_number_missing"}));
}

// ---- Encodings and messy exports (docs/data-model.md §6.1, §6.2) ----

TEST(MessyExports, BomCrlfAndQuotedLowerCaseHeadings) {
    std::string hdr;
    for (const auto &c : dataset_columns(Y21)) {
        if (!hdr.empty()) hdr += ',';
        std::string h(c.heading);
        for (auto &ch : h) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
        hdr += "\"" + h + " \"";  // quoted, lower case, trailing space (Twinkle style)
    }
    const std::string file = "\xEF\xBB\xBF" + hdr + "\r\n" + valid_line() + "\r\n";
    const auto p = read_submission(file, ctx2021());
    EXPECT_EQ(findings(p), std::vector<std::string>{});
    EXPECT_EQ(p.encoding, SourceEncoding::utf8_bom);
    ASSERT_EQ(p.patients.size(), 1u);
    EXPECT_EQ(p.patients[0].visits[0].row_number, 2);
}

TEST(MessyExports, Windows1252WithNonBreakingSpaces) {
    Row r = valid_row(Y21);
    r[FieldId::nhs_number] = "719\xA0"
                             "573\xA0"
                             "0220";  // cp1252 NBSP
    r[FieldId::hospital_admission_date] = "01/06/2024";
    r[FieldId::hospital_admission_reason] = "6";
    r[FieldId::hospital_admission_other] = "Caf\xE9 fall";  // cp1252 e-acute
    const auto p = parse_rows(Y21, {r});
    EXPECT_EQ(findings(p), std::vector<std::string>{});
    EXPECT_EQ(p.encoding, SourceEncoding::windows1252);
    EXPECT_EQ(p.patients[0].nhs_number, "7195730220");
    EXPECT_EQ(p.patients[0].visits[0].hospital_admission_other, "Caf\xC3\xA9 fall");
}

TEST(MessyExports, Utf8NonBreakingSpaceInHeadingsAndValues) {
    std::string hdr = header_line(Y21);
    hdr.replace(hdr.find("Date of Birth"), 13,
                "Date\xC2\xA0of\xC2\xA0"
                "Birth\xC2\xA0");
    Row r = valid_row(Y21);
    r[FieldId::postcode] = "S43\xC2\xA0"
                           "1BN";
    const auto p = read_submission(hdr + "\n" + row_line(Y21, r) + "\n", ctx2021());
    EXPECT_EQ(findings(p), std::vector<std::string>{});
    EXPECT_EQ(p.patients[0].postcode, "S431BN");
}

TEST(MessyExports, ColumnOrderDoesNotMatter) {
    // Reverse the columns of header and row.
    const auto hdr = read_csv(header_line(Y21))[0].fields;
    const auto row = read_csv(valid_line())[0].fields;
    std::string h, l;
    for (std::size_t i = hdr.size(); i-- > 0;) {
        h += csv_escape(hdr[i]) + (i ? "," : "");
        l += csv_escape(row[i]) + (i ? "," : "");
    }
    const auto p = read_submission(h + "\n" + l + "\n", ctx2021());
    EXPECT_EQ(findings(p), std::vector<std::string>{});
    EXPECT_EQ(p.patients[0].date_of_birth, date_from_ymd(2015, 10, 26));
}

TEST(MessyExports, TrailingEmptyColumnsAndRowsAreIgnored) {
    const std::string file = header_line(Y21) + ",,,\n" + valid_line() + ",,,\n,,,,,,\n\n";
    const auto p = read_submission(file, ctx2021());
    EXPECT_EQ(findings(p), std::vector<std::string>{});
    EXPECT_EQ(p.data_rows, 1);
}

TEST(MessyExports, RecordNumbersFollowTheSpreadsheet) {
    // Row 3 holds a quoted line break (does not advance the numbering); record 4 is
    // blank (advances it, carries no data); the last visit is record 5.
    Row multi = valid_row(Y21);
    multi[FieldId::hospital_admission_date] = "01/06/2024";
    multi[FieldId::hospital_admission_reason] = "6";
    multi[FieldId::hospital_admission_other] = "fell off a bike,\nbroken arm";
    Row late = valid_row(Y21);
    late[FieldId::height] = "tall";
    const std::string file =
        header_line(Y21) + "\n" + valid_line() + "\n" + row_line(Y21, multi) + "\n\n" + row_line(Y21, late) + "\n";
    const auto p = read_submission(file, ctx2021());
    EXPECT_EQ(p.data_rows, 3);
    ASSERT_EQ(p.patients.size(), 1u);
    const auto &v = p.patients[0].visits;
    ASSERT_EQ(v.size(), 3u);
    EXPECT_EQ(v[0].row_number, 2);
    EXPECT_EQ(v[1].row_number, 3);
    EXPECT_EQ(v[1].hospital_admission_other, "fell off a bike,\nbroken arm");
    EXPECT_EQ(v[2].row_number, 5);
    EXPECT_EQ(findings(p), (std::vector<std::string>{"5|Patient Height (cm)|number_format"}));
}

TEST(Findings, OrderedByRowThenTemplateColumn) {
    Row a = valid_row(Y21);
    a[FieldId::hba1c] = "x";           // column 17
    a[FieldId::postcode] = "nowhere";  // column 3
    Row b = valid_row(Y21);
    b[FieldId::date_of_birth] = "26/10/2016";  // conflict: reported on the child's first row
    b[FieldId::weight] = "heavy";
    const auto p = parse_rows(Y21, {a, b});
    EXPECT_EQ(findings(p),
              (std::vector<std::string>{"2|Date of Birth|conflicting_values",
                                        "2|Postcode of usual address|postcode_format",
                                        "2|Postcode of usual address|conflicting_values", "2|Hba1c Value|number_format",
                                        "3|Patient Weight (kg)|number_format"}));
}

TEST(Interrupts, HookIsCalledEvery4096Rows) {
    struct Counter {
        int calls = 0;
    } counter;
    auto ctx = ctx2021();
    ctx.keep_rows = 0;  // read every row twice (a big file)
    ctx.interrupt.state = &counter;
    ctx.interrupt.check = [](void *s) { ++static_cast<Counter *>(s)->calls; };
    std::string file = header_line(Y21) + "\n";
    const std::string line = valid_line() + "\n";
    for (int i = 0; i < 10000; ++i) file += line;
    const auto p = read_submission(file, ctx);
    EXPECT_EQ(p.data_rows, 10000);
    EXPECT_EQ(p.patients.size(), 1u);
    EXPECT_EQ(p.patients[0].visits.size(), 10000u);
    // Before rows 1, 4097 and 8193 of the first reading, and again of the
    // second (SubmissionReader::next_batch reads a child's rows again).
    EXPECT_EQ(counter.calls, 6);
}

TEST(Interrupts, InterruptedPropagates) {
    auto ctx = ctx2021();
    ctx.interrupt.check = [](void *) { throw Interrupted(); };
    EXPECT_THROW(read_submission(make_file(Y21, {valid_row(Y21)}), ctx), Interrupted);
}
