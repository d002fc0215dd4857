// Turn one column of many records into a PostgreSQL array (for unnest()).
#pragma once

#include <vector>

#include "arrays.hpp"
#include "record_columns.hpp"

namespace npda::pg {

inline Oid column_oid(ColumnType t) {
    switch (t) {
    case ColumnType::date: return DATEOID;
    case ColumnType::int2: return INT2OID;
    case ColumnType::int4: return INT4OID;
    case ColumnType::float8: return FLOAT8OID;
    case ColumnType::text: return TEXTOID;
    }
    return InvalidOid;
}

inline const char *column_array_type(ColumnType t) {
    switch (t) {
    case ColumnType::date: return "date[]";
    case ColumnType::int2: return "int2[]";
    case ColumnType::int4: return "int4[]";
    case ColumnType::float8: return "float8[]";
    case ColumnType::text: return "text[]";
    }
    return "";
}

template <typename R>
Datum column_array(const RecordColumn<R> &col, const std::vector<const R *> &rows) {
    return build_array(column_oid(col.type), rows.size(), [&](std::size_t i, Datum &v, bool &is_null) {
        const R &r = *rows[i];
        switch (col.type) {
        case ColumnType::date:
        case ColumnType::int4:
            if ((r.*col.i32).has_value()) v = Int32GetDatum(*(r.*col.i32)); else is_null = true;
            break;
        case ColumnType::int2:
            if ((r.*col.i16).has_value()) v = Int16GetDatum(*(r.*col.i16)); else is_null = true;
            break;
        case ColumnType::float8:
            if ((r.*col.f64).has_value()) v = Float8GetDatum(*(r.*col.f64)); else is_null = true;
            break;
        case ColumnType::text:
            if ((r.*col.txt).has_value()) {
                const std::string &s = *(r.*col.txt);
                v = PointerGetDatum(cstring_to_text_with_len(s.data(), static_cast<int>(s.size())));
            } else {
                is_null = true;
            }
            break;
        }
    });
}

}  // namespace npda::pg
