// The column lists of npda.patient and npda.visit, taken from the field table.
#include "ingest/record_columns.hpp"

#include "ingest/fields.hpp"

namespace npda {

namespace {

// The record columns of the fields stored at `level`, in field table order.
template <typename R>
std::vector<RecordColumn<R>> stored_at(RecordLevel level, RecordColumn<R> FieldDef::*member) {
    std::vector<RecordColumn<R>> cols;
    for (const FieldDef &f : field_table())
        if (f.level == level) cols.push_back(f.*member);
    return cols;
}

}  // namespace

const std::vector<RecordColumn<VisitRecord>> &visit_columns() {
    static const std::vector<RecordColumn<VisitRecord>> cols = stored_at(RecordLevel::visit, &FieldDef::visit);
    return cols;
}

const std::vector<RecordColumn<PatientRecord>> &patient_columns() {
    static const std::vector<RecordColumn<PatientRecord>> cols = stored_at(RecordLevel::patient, &FieldDef::patient);
    return cols;
}

const char *sql_type_name(ColumnType t) {
    switch (t) {
    case ColumnType::date: return "date";
    case ColumnType::int2: return "smallint";
    case ColumnType::int4: return "integer";
    case ColumnType::float8: return "numeric";
    case ColumnType::text: return "text";
    }
    return "text";
}

}  // namespace npda
