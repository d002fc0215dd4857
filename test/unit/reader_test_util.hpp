// Helpers for the submission-reader tests: fixtures, a context, and a small
// builder that writes a CSV in a template's official column order with a
// valid default row whose cells a test overrides by field.
#pragma once
#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "ingest/dataset.hpp"
#include "ingest/error_codes.hpp"
#include "ingest/submission_reader.hpp"

namespace npda::test {

inline std::string read_fixture(const std::string &name) {
    std::ifstream in(std::string(NPDA_FIXTURES_DIR) + "/" + name, std::ios::binary);
    EXPECT_TRUE(in.good()) << "missing fixture " << name;
    std::ostringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

inline SubmissionContext context(DatasetYear dataset, int audit_year, int y, int m, int d, std::string pz = "PZ041") {
    SubmissionContext ctx;
    ctx.pz_code = std::move(pz);
    ctx.audit_year = audit_year;
    ctx.dataset = dataset;
    ctx.today = date_from_ymd(y, m, d);
    return ctx;
}
// 2024-25 with the 2021 dataset, uploaded on 23 October 2024.
inline SubmissionContext ctx2021() { return context(DatasetYear::y2021, 2024, 2024, 10, 23); }
// 2026-27 with the 2026 dataset, uploaded on 27 November 2026.
inline SubmissionContext ctx2026() { return context(DatasetYear::y2026, 2026, 2026, 11, 27); }

inline std::string csv_escape(const std::string &s) {
    if (s.find_first_of(",\"\r\n") == std::string::npos) return s;
    std::string out = "\"";
    for (const char c : s) {
        if (c == '"') out += '"';
        out += c;
    }
    return out + "\"";
}

// One data row: field -> cell text. Fields not set are empty.
using Row = std::map<FieldId, std::string>;

// A valid row for a child with no findings under ctx2021()/ctx2026().
inline Row valid_row(DatasetYear year) {
    const bool y26 = year == DatasetYear::y2026;
    const std::string d = y26 ? "05/10/2026" : "22/06/2024";
    Row r = {
        {FieldId::nhs_number, "719 573 0220"},
        {FieldId::date_of_birth, "26/10/2015"},
        {FieldId::postcode, "S43 1BN"},
        {FieldId::sex, "1"},
        {FieldId::ethnicity, "N"},
        {FieldId::diabetes_type, "1"},
        {FieldId::diagnosis_date, "01/05/2021"},
        {FieldId::gp_practice_ods_code, "G85004"},
        {FieldId::pdu_number, "PZ041"},
        {FieldId::visit_date, d},
        {FieldId::height, "158"},
        {FieldId::weight, "58"},
        {FieldId::height_weight_observation_date, d},
        {FieldId::hba1c, "50"},
        {FieldId::hba1c_date, d},
        {FieldId::systolic_blood_pressure, "111"},
        {FieldId::diastolic_blood_pressure, "83"},
        {FieldId::blood_pressure_observation_date, d},
    };
    if (y26) {
        r[FieldId::insulin_regimen] = "3";
        r[FieldId::cgm_use] = "1";
        r[FieldId::adhd_asd_status] = "4";
        r[FieldId::learning_disability_status] = "2";
    } else {
        r[FieldId::hba1c_format] = "1";
        r[FieldId::treatment] = "2";
        r[FieldId::glucose_monitoring] = "4";
    }
    return r;
}

inline std::string header_line(DatasetYear year) {
    std::string line;
    for (const auto &c : dataset_columns(year)) {
        if (!line.empty()) line += ',';
        line += csv_escape(std::string(c.heading));
    }
    return line;
}

inline std::string row_line(DatasetYear year, const Row &row) {
    std::string line;
    bool first = true;
    for (const auto &c : dataset_columns(year)) {
        if (!first) line += ',';
        first = false;
        const auto it = row.find(c.field);
        if (it != row.end()) line += csv_escape(it->second);
    }
    return line;
}

inline std::string make_file(DatasetYear year, const std::vector<Row> &rows) {
    std::string out = header_line(year) + "\n";
    for (const auto &r : rows) out += row_line(year, r) + "\n";
    return out;
}

// Parse a file made of rows with the default context of its dataset.
inline ParsedSubmission parse_rows(DatasetYear year, const std::vector<Row> &rows) {
    return read_submission(make_file(year, rows), year == DatasetYear::y2026 ? ctx2026() : ctx2021());
}

// Findings as "row|heading|code" strings, easy to compare exactly.
inline std::vector<std::string> findings(const ParsedSubmission &p) {
    std::vector<std::string> out;
    for (const auto &e : p.errors) out.push_back(std::to_string(e.row_number) + "|" + e.column_heading + "|" + e.code);
    return out;
}

// The findings with a given code.
inline std::vector<FieldError> with_code(const ParsedSubmission &p, std::string_view code) {
    std::vector<FieldError> out;
    for (const auto &e : p.errors)
        if (e.code == code) out.push_back(e);
    return out;
}

// Heading of a field in a dataset (as the reader reports it).
inline std::string heading(DatasetYear year, FieldId f) {
    return std::string(dataset_columns(year)[static_cast<std::size_t>(column_index(year, f))].heading);
}

// Run read_submission expecting a structural error; returns it.
inline Error expect_structural(const std::string &bytes, const SubmissionContext &ctx, const char *sqlstate) {
    try {
        (void)read_submission(bytes, ctx);
    } catch (const Error &e) {
        EXPECT_STREQ(e.sqlstate(), sqlstate) << e.message() << " / " << e.detail();
        return e;
    }
    ADD_FAILURE() << "expected npda::Error " << sqlstate;
    return Error("00000", "");
}

}  // namespace npda::test
