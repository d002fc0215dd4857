// Build PostgreSQL arrays from C++ data, for set-based INSERT ... SELECT FROM
// unnest($1, $2, ...) statements.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "guard.hpp"

namespace npda::pg {

// Build a one-dimensional array of `n` elements of type `elemtype`. getter(i,
// value, is_null) fills element i; it runs inside PG_TRY, so it must not
// throw (reading std::optional and std::string members is fine) and any
// PostgreSQL allocation it makes is safe.
template <typename Getter>
Datum build_array(Oid elemtype, std::size_t n, Getter &&getter) {
    return call([&]() {
        int16 typlen;
        bool typbyval;
        char typalign;
        get_typlenbyvalalign(elemtype, &typlen, &typbyval, &typalign);
        Datum *values = static_cast<Datum *>(palloc(sizeof(Datum) * (n ? n : 1)));
        bool *nulls = static_cast<bool *>(palloc(sizeof(bool) * (n ? n : 1)));
        for (std::size_t i = 0; i < n; ++i) {
            nulls[i] = false;
            getter(i, values[i], nulls[i]);
        }
        int dims[1] = {static_cast<int>(n)};
        int lbs[1] = {1};
        ArrayType *array = construct_md_array(values, nulls, 1, dims, lbs, elemtype, typlen, typbyval, typalign);
        pfree(values);
        pfree(nulls);
        return PointerGetDatum(array);
    });
}

// A bigint[] of ids, the common case.
inline Datum int8_array(const std::vector<std::int64_t> &ids) {
    return build_array(INT8OID, ids.size(), [&](std::size_t i, Datum &v, bool &) { v = Int64GetDatum(ids[i]); });
}

}  // namespace npda::pg
