// The field table (ingest/fields.hpp) is the one description of each template
// field: the templates, the record columns, the DDL of npda.patient,
// npda.transfer and npda.visit, and the ranges and sizes of
// docs/error-codes.md must all agree with it. A field or column added in one
// place and not the others fails here.
#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "ingest/dataset.hpp"
#include "ingest/fields.hpp"
#include "ingest/record_columns.hpp"

using namespace npda;

namespace {

std::string repo_path(const std::string &relative) { return std::string(NPDA_FIXTURES_DIR) + "/../../" + relative; }

std::string read_text(const std::string &path) {
    std::ifstream in(path, std::ios::binary);
    EXPECT_TRUE(in.good()) << "cannot read " << path;
    std::ostringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

// ---- A small reader of the tables' DDL in migrations/<version>/NN_*.sql ----

// Column name -> SQL type as written (lower case, one space between words).
using TableColumns = std::map<std::string, std::string>;

// The SQL of every migration, in the order a fresh install runs it: release
// folders by version number, files by name.
std::string all_migrations() {
    namespace fs = std::filesystem;
    const auto version_key = [](const std::string &v) {
        std::vector<int> parts;
        std::stringstream ss(v);
        for (std::string p; std::getline(ss, p, '.');) parts.push_back(std::atoi(p.c_str()));
        return parts;
    };
    std::vector<fs::path> folders;
    for (const auto &e : fs::directory_iterator(repo_path("migrations")))
        if (e.is_directory()) folders.push_back(e.path());
    std::sort(folders.begin(), folders.end(), [&](const fs::path &a, const fs::path &b) {
        return version_key(a.filename().string()) < version_key(b.filename().string());
    });
    std::string sql;
    for (const auto &folder : folders) {
        std::vector<fs::path> files;
        for (const auto &e : fs::directory_iterator(folder))
            if (e.path().extension() == ".sql") files.push_back(e.path());
        std::sort(files.begin(), files.end());
        for (const auto &f : files) sql += read_text(f.string()) + "\n";
    }
    return sql;
}

// SQL without comments and with empty string literals, in lower case,
// whitespace runs made one space.
std::string normalised_sql(const std::string &sql) {
    std::string out;
    for (std::size_t i = 0; i < sql.size(); ++i) {
        const char c = sql[i];
        if (c == '\'') {
            const std::size_t close = sql.find('\'', i + 1);
            out += "''";
            i = close == std::string::npos ? sql.size() : close;
            continue;
        }
        if (c == '-' && i + 1 < sql.size() && sql[i + 1] == '-') {
            while (i < sql.size() && sql[i] != '\n') ++i;
            out += ' ';
            continue;
        }
        const bool space = std::isspace(static_cast<unsigned char>(c)) != 0;
        if (space) {
            if (!out.empty() && out.back() != ' ') out += ' ';
        } else {
            out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        }
    }
    return out;
}

// Split on commas outside parentheses.
std::vector<std::string> top_level_items(const std::string &body) {
    std::vector<std::string> items;
    std::string cur;
    int depth = 0;
    for (const char c : body) {
        if (c == '(') ++depth;
        if (c == ')') --depth;
        if (c == ',' && depth == 0) {
            items.push_back(cur);
            cur.clear();
        } else {
            cur += c;
        }
    }
    items.push_back(cur);
    return items;
}

std::string trim(std::string s) {
    while (!s.empty() && s.front() == ' ') s.erase(s.begin());
    while (!s.empty() && s.back() == ' ') s.pop_back();
    return s;
}

// "visit_date date" -> {visit_date, date}; "height numeric(4,1) not null" ->
// {height, numeric(4,1)}. The type runs until the first constraint keyword.
std::pair<std::string, std::string> column_definition(const std::string &item) {
    std::stringstream ss(trim(item));
    std::string name, word, type;
    ss >> name;
    static const std::set<std::string> stops = {"not", "null", "default", "references", "generated", "primary",
                                                "unique", "check", "collate", "compression", "constraint"};
    while (ss >> word && !stops.count(word)) type += (type.empty() ? "" : " ") + word;
    return {name, type};
}

// The columns of `table` after every CREATE TABLE and ALTER TABLE of the
// migrations (ADD COLUMN, DROP COLUMN, RENAME COLUMN, ALTER COLUMN ... TYPE).
TableColumns ddl_columns(const std::string &sql, const std::string &table) {
    TableColumns cols;
    const std::string create = "create table " + table + " (";
    const std::string alter = "alter table " + table + " ";
    std::size_t pos = 0;
    while (pos < sql.size()) {
        const std::size_t end = sql.find(';', pos);
        const std::string stmt = trim(sql.substr(pos, end == std::string::npos ? std::string::npos : end - pos));
        pos = end == std::string::npos ? sql.size() : end + 1;
        if (stmt.rfind(create, 0) == 0) {
            const std::size_t open = create.size() - 1;
            const std::size_t close = stmt.rfind(')');
            for (const auto &item : top_level_items(stmt.substr(open + 1, close - open - 1))) {
                const auto first = trim(item).substr(0, trim(item).find(' '));
                if (first == "constraint" || first == "primary" || first == "unique" || first == "check" ||
                    first == "foreign" || first == "exclude")
                    continue;
                const auto [name, type] = column_definition(item);
                cols[name] = type;
            }
        } else if (stmt.rfind(alter, 0) == 0) {
            for (auto action : top_level_items(stmt.substr(alter.size()))) {
                action = trim(action);
                std::smatch m;
                if (std::regex_match(action, m, std::regex(R"(add column (?:if not exists )?(.*))"))) {
                    const auto [name, type] = column_definition(m[1]);
                    cols[name] = type;
                } else if (std::regex_match(action, m, std::regex(R"(drop column (?:if exists )?(\w+).*)"))) {
                    cols.erase(m[1]);
                } else if (std::regex_match(action, m, std::regex(R"(rename column (\w+) to (\w+))"))) {
                    cols[m[2]] = cols[m[1]];
                    cols.erase(m[1]);
                } else if (std::regex_match(action,
                                            m, std::regex(R"(alter column (\w+) (?:set data )?type ([^ ]+(?: precision)?).*)"))) {
                    cols[m[1]] = m[2];
                }
            }
        }
    }
    return cols;
}

// The stored fields of a level as column -> SQL type.
TableColumns field_columns(RecordLevel level) {
    TableColumns cols;
    for (const FieldDef &f : field_table())
        if (f.level == level) cols[std::string(f.column)] = sql_type_name(stored_type(f.type));
    return cols;
}

// Columns of each table that no template field fills: ids, row numbers, flags.
const std::map<std::string, TableColumns> kOwnColumns = {
    {"npda.patient",
     {{"id", "bigint"}, {"submission_id", "bigint"}, {"first_row_number", "integer"}, {"is_valid", "boolean"}}},
    {"npda.transfer",
     {{"id", "bigint"}, {"patient_id", "bigint"}, {"paediatric_diabetes_unit_id", "bigint"},
      {"previous_pz_code", "text"}}},
    {"npda.visit", {{"id", "bigint"}, {"patient_id", "bigint"}, {"row_number", "integer"}, {"is_valid", "boolean"}}},
};

}  // namespace

TEST(FieldTable, OneRowPerFieldInFieldOrder) {
    const auto &fields = field_table();
    std::set<std::string_view> columns;
    for (std::size_t i = 0; i < fields.size(); ++i) {
        const FieldDef &f = fields[i];
        EXPECT_EQ(static_cast<std::size_t>(f.field), i) << "row " << i << " (" << f.column << ")";
        if (f.field == FieldId::pdu_number) {
            EXPECT_EQ(f.level, RecordLevel::pdu);
            EXPECT_TRUE(f.column.empty());
            continue;
        }
        EXPECT_NE(f.level, RecordLevel::pdu) << f.column;
        EXPECT_FALSE(f.column.empty()) << "row " << i;
        EXPECT_TRUE(columns.insert(f.column).second) << f.column;
    }
}

TEST(FieldTable, EachFieldHasOneRecordMemberOfItsType) {
    for (const FieldDef &f : field_table()) {
        if (f.level == RecordLevel::pdu) {
            EXPECT_EQ(f.patient.name, nullptr);
            EXPECT_EQ(f.visit.name, nullptr);
            continue;
        }
        const bool on_patient = f.level == RecordLevel::patient || f.level == RecordLevel::transfer;
        const auto check = [&](const auto &c) {
            ASSERT_NE(c.name, nullptr) << f.column;
            EXPECT_EQ(std::string_view(c.name), f.column);
            EXPECT_EQ(c.type, stored_type(f.type)) << f.column;
            const int set = (c.i32 != nullptr) + (c.i16 != nullptr) + (c.f64 != nullptr) + (c.txt != nullptr);
            EXPECT_EQ(set, 1) << f.column;
            switch (c.type) {
            case ColumnType::date:
            case ColumnType::int4: EXPECT_NE(c.i32, nullptr) << f.column; break;
            case ColumnType::int2: EXPECT_NE(c.i16, nullptr) << f.column; break;
            case ColumnType::float8: EXPECT_NE(c.f64, nullptr) << f.column; break;
            case ColumnType::text: EXPECT_NE(c.txt, nullptr) << f.column; break;
            }
        };
        if (on_patient) {
            check(f.patient);
            EXPECT_EQ(f.visit.name, nullptr) << f.column;
        } else {
            check(f.visit);
            EXPECT_EQ(f.patient.name, nullptr) << f.column;
        }
    }
}

TEST(FieldTable, RulesFitTheValueType) {
    for (const FieldDef &f : field_table()) {
        EXPECT_EQ(f.type == ValueType::code, f.value_set != ValueSetId::none) << f.column;
        if (f.type == ValueType::decimal) {
            EXPECT_GT(f.precision, f.scale) << f.column;
            EXPECT_TRUE(f.has_range) << f.column;
        } else {
            EXPECT_EQ(f.precision, 0) << f.column;
            EXPECT_EQ(f.scale, 0) << f.column;
        }
        if (f.type == ValueType::integer) {
            EXPECT_TRUE(f.has_range) << f.column;
        }
        if (f.type != ValueType::decimal && f.type != ValueType::integer) {
            EXPECT_FALSE(f.has_range) << f.column;
            EXPECT_TRUE(f.unit.empty()) << f.column;
        }
        if (f.type != ValueType::text) {
            EXPECT_EQ(f.max_length, 0) << f.column;
        }
        if (f.has_range) {
            EXPECT_LE(f.min_value, f.max_value) << f.column;
        }
    }
}

// Every field is filled by a column of at least one template (the URN by the
// identifier column, under its own heading), and a template column carries
// its field's row unchanged.
TEST(FieldTable, TemplatesFillEveryField) {
    std::set<FieldId> filled = {FieldId::unique_reference_number};
    for (const auto y : {DatasetYear::y2021, DatasetYear::y2026}) {
        for (const ColumnDef &c : dataset_columns(y)) {
            filled.insert(c.field);
            const FieldDef &f = field_def(c.field);
            EXPECT_EQ(c.column, f.column) << c.heading;
            EXPECT_EQ(c.level, f.level) << c.heading;
            EXPECT_EQ(c.type, f.type) << c.heading;
            EXPECT_EQ(c.value_set, f.value_set) << c.heading;
            EXPECT_EQ(c.max_length, f.max_length) << c.heading;
        }
    }
    for (const FieldDef &f : field_table()) EXPECT_TRUE(filled.count(f.field)) << f.column << " is in no template";
}

TEST(FieldTable, RecordColumnsAreTheStoredFields) {
    std::vector<std::string> visit, patient, expected_visit, expected_patient;
    for (const auto &c : visit_columns()) visit.emplace_back(c.name);
    for (const auto &c : patient_columns()) patient.emplace_back(c.name);
    for (const FieldDef &f : field_table()) {
        if (f.level == RecordLevel::visit) expected_visit.emplace_back(f.column);
        if (f.level == RecordLevel::patient) expected_patient.emplace_back(f.column);
    }
    EXPECT_EQ(visit, expected_visit);
    EXPECT_EQ(patient, expected_patient);
    EXPECT_EQ(visit.size(), 49u);
    EXPECT_EQ(patient.size(), 14u);
}

// The tables as the migrations build them hold exactly the stored fields of
// their level, with the type the record column writes, and their own columns.
TEST(FieldTable, AgreesWithTheTablesDdl) {
    const std::string sql = normalised_sql(all_migrations());
    const std::map<std::string, RecordLevel> levels = {
        {"npda.patient", RecordLevel::patient},
        {"npda.transfer", RecordLevel::transfer},
        {"npda.visit", RecordLevel::visit},
    };
    for (const auto &[table, level] : levels) {
        const TableColumns ddl = ddl_columns(sql, table);
        ASSERT_FALSE(ddl.empty()) << "no CREATE TABLE " << table << " in migrations/";
        TableColumns expected = field_columns(level);
        for (const auto &[name, type] : kOwnColumns.at(table)) expected[name] = type;
        for (const auto &[name, type] : ddl) {
            const auto it = expected.find(name);
            if (it == expected.end()) {
                ADD_FAILURE() << table << "." << name << " (" << type
                              << ") is in the DDL but is neither a field of the field table nor one of the "
                                 "table's own columns";
                continue;
            }
            EXPECT_EQ(type, it->second) << table << "." << name;
        }
        for (const auto &[name, type] : expected)
            EXPECT_TRUE(ddl.count(name)) << table << "." << name << " (" << type << ") is missing from the DDL";
    }
}

TEST(FieldTable, DdlReaderFollowsAlterTable) {
    const std::string sql = normalised_sql(
        "CREATE TABLE npda.visit (\n  id bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,\n"
        "  height numeric, -- cm\n  CONSTRAINT c CHECK (height > 0)\n);\n"
        "ALTER TABLE npda.visit ADD COLUMN note text NOT NULL DEFAULT 'a; b', ADD COLUMN w numeric;\n"
        "ALTER TABLE npda.visit DROP COLUMN w;\nALTER TABLE npda.visit RENAME COLUMN note TO remark;\n");
    const TableColumns cols = ddl_columns(sql, "npda.visit");
    EXPECT_EQ(cols, (TableColumns{{"id", "bigint"}, {"height", "numeric"}, {"remark", "text"}}));
}

// docs/error-codes.md lists the range and the storage limit of every field
// that has one; each row must say what the field table says.
TEST(FieldTable, ErrorCodesDocListsRangesAndSizes) {
    const std::string doc = read_text(repo_path("docs/error-codes.md"));
    // | `height` | 40 to 240 cm | Decimal(4,1) |
    const std::regex row(R"(\n\| `([a-z0-9_]+)` \|([^|\n]*)\|([^|\n]*)\|)");
    std::set<std::string> listed;
    for (auto it = std::sregex_iterator(doc.begin(), doc.end(), row); it != std::sregex_iterator(); ++it) {
        const std::string column = (*it)[1];
        const auto f = std::find_if(field_table().begin(), field_table().end(),
                                    [&](const FieldDef &d) { return d.column == column; });
        if (f == field_table().end()) continue;  // a row of another table (the error codes)
        listed.insert(column);
        std::string range, limit;
        if (f->has_range) {
            std::ostringstream r;
            r << f->min_value << " to " << f->max_value;
            if (!f->unit.empty()) r << " " << f->unit;
            range = r.str();
        }
        if (f->type == ValueType::decimal)
            limit = "Decimal(" + std::to_string(f->precision) + "," + std::to_string(f->scale) + ")";
        else if (f->type == ValueType::integer)
            limit = "integer";
        else if (f->max_length != 0)
            limit = std::to_string(f->max_length) + " characters";
        // The range cell may add a note after a semicolon (HbA1c's % range).
        std::string doc_range = trim((*it)[2]);
        doc_range = trim(doc_range.substr(0, doc_range.find(';')));
        EXPECT_EQ(doc_range, range) << column;
        EXPECT_EQ(trim((*it)[3]), limit) << column;
    }
    for (const FieldDef &f : field_table()) {
        const bool has_rule = f.has_range || f.type == ValueType::decimal || f.type == ValueType::integer ||
                              f.max_length != 0;
        EXPECT_EQ(listed.count(std::string(f.column)) == 1, has_rule)
            << f.column << (has_rule ? " is not listed" : " is listed but has no range or size");
    }
}
