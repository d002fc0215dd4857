// Column descriptors for PatientRecord and VisitRecord: the name of each
// stored column and the member it maps to. The PostgreSQL layer uses them to
// write a whole submission with one set-based INSERT per table and to read
// children back for scoring. They are the stored fields of the field table
// (fields.hpp), so a field is described in one place.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <vector>
#include "ingest/record.hpp"
#include "no_postgres.hpp"

namespace npda {

enum class ColumnType { date, int2, int4, float8, text };

template <typename Record>
struct RecordColumn {
    const char *name;  // column name in npda.patient / npda.visit
    ColumnType type;
    std::optional<std::int32_t> Record::*i32 = nullptr;  // date or int4
    std::optional<std::int16_t> Record::*i16 = nullptr;  // int2 (codes)
    std::optional<double> Record::*f64 = nullptr;        // float8 (stored as numeric)
    std::optional<std::string> Record::*txt = nullptr;   // text
};

// The columns of npda.visit that template fields fill (every column but id,
// patient_id, row_number and is_valid), in field table order.
const std::vector<RecordColumn<VisitRecord>> &visit_columns();
// The columns of npda.patient that template fields fill (every column but id,
// submission_id, first_row_number and is_valid), in field table order. The
// leaving-service fields are not among them: they go to npda.transfer.
const std::vector<RecordColumn<PatientRecord>> &patient_columns();
// The SQL type a column of this type is stored as: date, smallint, integer,
// numeric (float8 in the record), text.
const char *sql_type_name(ColumnType t);

}  // namespace npda
