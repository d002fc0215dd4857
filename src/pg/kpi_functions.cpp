// SQL entry points of the KPI engine: the definitions table's source, the
// trigger-side scorer and the period re-scorer (the triggers' bulk-load test,
// npda._bulk_load_active, is in bulk_load.cpp).
#include <cstdint>
#include <vector>

#include "kpi/kpi.hpp"
#include "scoring.hpp"
#include "spi.hpp"

namespace {

std::vector<std::int64_t> int8_array_arg(FunctionCallInfo fcinfo, int argno) {
    Datum *elems = nullptr;
    bool *nulls = nullptr;
    int n = 0;
    npda::pg::call([&]() {
        ArrayType *a = PG_GETARG_ARRAYTYPE_P(argno);
        if (ARR_NDIM(a) > 1) elog(ERROR, "expected a one-dimensional bigint array");
        deconstruct_array(a, INT8OID, 8, FLOAT8PASSBYVAL, TYPALIGN_DOUBLE, &elems, &nulls, &n);
    });
    std::vector<std::int64_t> ids;
    ids.reserve(static_cast<std::size_t>(n));
    for (int i = 0; i < n; ++i)
        if (!nulls[i]) ids.push_back(DatumGetInt64(elems[i]));
    return ids;
}

}  // namespace

// npda._kpi_definitions(): the 51 KPI definitions compiled into the engine,
// so npda.kpi and the engine can never disagree.
NPDA_FUNCTION(_kpi_definitions) {
    npda::pg::call([fcinfo]() {
        InitMaterializedSRF(fcinfo, 0);
        ReturnSetInfo *rsinfo = reinterpret_cast<ReturnSetInfo *>(fcinfo->resultinfo);
        const auto &defs = npda::kpi_definitions();
        for (std::size_t i = 0; i < defs.size(); ++i) {
            const npda::KpiDefinition &d = defs[i];
            Datum values[7];
            bool nulls[7] = {false, false, false, false, false, false, false};
            values[0] = Int16GetDatum(static_cast<int16>(i + 1));
            values[1] = CStringGetTextDatum(d.code);
            values[2] = CStringGetTextDatum(d.key);
            values[3] = CStringGetTextDatum(d.label);
            values[4] = CStringGetTextDatum(npda::kpi_kind_name(d.kind));
            values[5] = CStringGetTextDatum(d.denominator);
            values[6] = CStringGetTextDatum(d.description);
            tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
        }
    });
    return (Datum)0;
}

// npda._score_patients(ids bigint[], as_of date): re-score these children.
NPDA_FUNCTION(_score_patients) {
    const std::vector<std::int64_t> ids = int8_array_arg(fcinfo, 0);
    const npda::Date as_of = static_cast<npda::Date>(PG_GETARG_DATEADT(1));
    npda::pg::SpiConnection spi;
    const std::size_t n = npda::pg::score_patient_ids(ids, as_of);
    spi.finish();
    return Int32GetDatum(static_cast<int32>(n));
}

// npda._rescore_period(audit_period_id bigint, as_of date): re-score a period.
NPDA_FUNCTION(_rescore_period) {
    const std::int64_t period = PG_GETARG_INT64(0);
    const npda::Date as_of = static_cast<npda::Date>(PG_GETARG_DATEADT(1));
    npda::pg::SpiConnection spi;
    const std::size_t n = npda::pg::rescore_period(period, as_of);
    spi.finish();
    return Int32GetDatum(static_cast<int32>(n));
}
