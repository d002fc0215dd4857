// Column descriptors for PatientRecord and VisitRecord: the name of each
// stored column and the member it maps to. The PostgreSQL layer uses them to
// write a whole submission with one set-based INSERT per table and to read
// children back for scoring, so the list of fields lives in one place.
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

    bool is_null(const Record &r) const {
        switch (type) {
        case ColumnType::date:
        case ColumnType::int4: return !(r.*i32).has_value();
        case ColumnType::int2: return !(r.*i16).has_value();
        case ColumnType::float8: return !(r.*f64).has_value();
        case ColumnType::text: return !(r.*txt).has_value();
        }
        return true;
    }
};

// Visit columns in npda.visit order (after id, patient_id, row_number).
const std::vector<RecordColumn<VisitRecord>> &visit_columns();
// Patient columns in npda.patient order (after id, submission_id), the
// leaving-service fields excluded (they go to npda.transfer).
const std::vector<RecordColumn<PatientRecord>> &patient_columns();

}  // namespace npda
