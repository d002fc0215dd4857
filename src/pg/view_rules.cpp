// The rules the SQL views apply, taken from the C++ core so that each is
// written once and unit-tested where it is written:
//   npda._kpi_pct_passed(kpi, passed, eligible)  reading R10, npda.kpi_results
//   npda._qualifying_admissions(...)              decision D9, npda.kpi_quarterly
//   npda._is_test_unit(pz_code)                   reading R15, npda.kpi_quarterly
#include <cstdint>
#include <cstdio>
#include <optional>
#include <string>
#include <vector>

#include "kpi/admissions.hpp"
#include "kpi/aggregate.hpp"
#include "kpi/kpi.hpp"
#include "guard.hpp"

namespace {

std::string text_arg(FunctionCallInfo fcinfo, int argno) {
    text *t = npda::pg::call([&]() { return PG_GETARG_TEXT_PP(argno); });
    return std::string(VARDATA_ANY(t), VARSIZE_ANY_EXHDR(t));
}

// The elements of a one-dimensional date or smallint array; NULL elements
// are std::nullopt.
template <typename T>
std::vector<std::optional<T>> array_arg(FunctionCallInfo fcinfo, int argno, Oid element_type) {
    Datum *elems = nullptr;
    bool *nulls = nullptr;
    int n = 0;
    bool bad_shape = false;
    npda::pg::call([&]() {
        ArrayType *a = PG_GETARG_ARRAYTYPE_P(argno);
        bad_shape = ARR_NDIM(a) > 1;
        if (element_type == DATEOID)
            deconstruct_array(a, DATEOID, sizeof(DateADT), true, TYPALIGN_INT, &elems, &nulls, &n);
        else
            deconstruct_array(a, INT2OID, sizeof(int16), true, TYPALIGN_SHORT, &elems, &nulls, &n);
    });
    if (bad_shape)
        throw npda::Error(npda::sqlstate::kInvalidArgument, "expected one-dimensional arrays of the child's rows");
    std::vector<std::optional<T>> out(static_cast<std::size_t>(n));
    for (int i = 0; i < n; ++i)
        if (!nulls[i])
            out[static_cast<std::size_t>(i)] =
                element_type == DATEOID ? static_cast<T>(DatumGetDateADT(elems[i])) : static_cast<T>(DatumGetInt16(elems[i]));
    return out;
}

}  // namespace

// npda._kpi_pct_passed(kpi text, passed bigint, eligible bigint) -> numeric:
// the reported percentage of a KPI's aggregate (kpi_percentage_tenths), one
// decimal place; NULL where R10 gives none.
NPDA_FUNCTION(_kpi_pct_passed) {
    const std::optional<std::size_t> slot = npda::kpi_index(text_arg(fcinfo, 0));
    const std::optional<std::int64_t> tenths =
        slot ? npda::kpi_percentage_tenths(*slot, PG_GETARG_INT64(1), PG_GETARG_INT64(2)) : std::nullopt;
    if (!tenths) PG_RETURN_NULL();
    const unsigned long long magnitude =
        *tenths < 0 ? 0ULL - static_cast<unsigned long long>(*tenths) : static_cast<unsigned long long>(*tenths);
    char digits[32];
    snprintf(digits, sizeof digits, "%s%llu.%llu", *tenths < 0 ? "-" : "", magnitude / 10, magnitude % 10);
    return npda::pg::call([&]() {
        return DirectFunctionCall3(numeric_in, CStringGetDatum(digits), ObjectIdGetDatum(InvalidOid), Int32GetDatum(-1));
    });
}

// npda._qualifying_admissions(period_start date, period_end date,
// dataset_year smallint, admitted date[], discharged date[],
// reasons_2021 smallint[], reasons_2026 smallint[]): one child's rows
// (element i of each array is row i) -> the child's qualifying admissions
// (admitted, discharged, reason, dated, dka), as the KPI engine counts them.
NPDA_FUNCTION(_qualifying_admissions) {
    npda::ScoringPeriod period;
    period.start = static_cast<npda::Date>(PG_GETARG_DATEADT(0));
    period.end = static_cast<npda::Date>(PG_GETARG_DATEADT(1));
    period.dataset = PG_GETARG_INT16(2) == 2026 ? npda::DatasetYear::y2026 : npda::DatasetYear::y2021;
    const auto admitted = array_arg<npda::Date>(fcinfo, 3, DATEOID);
    const auto discharged = array_arg<npda::Date>(fcinfo, 4, DATEOID);
    const auto reasons_2021 = array_arg<std::int16_t>(fcinfo, 5, INT2OID);
    const auto reasons_2026 = array_arg<std::int16_t>(fcinfo, 6, INT2OID);
    const std::size_t n = admitted.size();
    if (discharged.size() != n || reasons_2021.size() != n || reasons_2026.size() != n)
        throw npda::Error(npda::sqlstate::kInvalidArgument, "the arrays of a child's rows differ in length");
    std::vector<npda::VisitRecord> rows(n);
    for (std::size_t i = 0; i < n; ++i) {
        rows[i].hospital_admission_date = admitted[i];
        rows[i].hospital_discharge_date = discharged[i];
        rows[i].hospital_admission_reason = reasons_2021[i];
        rows[i].hospital_admission_reason_2026 = reasons_2026[i];
    }
    const std::vector<npda::QualifyingAdmission> admissions = npda::qualifying_admissions(rows, period);
    npda::pg::call([&]() {
        InitMaterializedSRF(fcinfo, 0);
        ReturnSetInfo *rsinfo = reinterpret_cast<ReturnSetInfo *>(fcinfo->resultinfo);
        for (const npda::QualifyingAdmission &a : admissions) {
            Datum values[5];
            bool nulls[5] = {!a.admitted, !a.discharged, false, false, false};
            values[0] = a.admitted ? DateADTGetDatum(*a.admitted) : (Datum)0;
            values[1] = a.discharged ? DateADTGetDatum(*a.discharged) : (Datum)0;
            values[2] = Int16GetDatum(a.reason);
            values[3] = DateADTGetDatum(a.dated);
            values[4] = BoolGetDatum(a.dka);
            tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
        }
    });
    return (Datum)0;
}

// npda._is_test_unit(pz_code text) -> boolean: PZ999 and PZ998 count at PDU
// level only.
NPDA_FUNCTION(_is_test_unit) { return BoolGetDatum(npda::is_test_unit(text_arg(fcinfo, 0))); }
