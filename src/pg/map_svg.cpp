// SQL entry point of the KPI map picture: npda._kpi_map_svg_document, called by
// npda.kpi_map_svg (sql/56_maps.sql), which gathers the areas, their outlines
// (PostGIS, as SVG path data) and their published figures. The document itself
// is made by src/core/map/svg_map.cpp.
#include <optional>
#include <string>
#include <vector>

#include "errors.hpp"
#include "guard.hpp"
#include "map/svg_map.hpp"

namespace {

struct ArrayArg {
    Datum *elems = nullptr;
    bool *nulls = nullptr;
    int n = 0;
};

ArrayArg array_arg(FunctionCallInfo fcinfo, int argno, Oid elemtype) {
    ArrayArg out;
    if (PG_ARGISNULL(argno)) return out;  // reading the null flag cannot fail
    npda::pg::call([&]() {
        ArrayType *a = PG_GETARG_ARRAYTYPE_P(argno);
        if (ARR_NDIM(a) > 1) elog(ERROR, "expected a one-dimensional array");
        int16 typlen;
        bool typbyval;
        char typalign;
        get_typlenbyvalalign(elemtype, &typlen, &typbyval, &typalign);
        deconstruct_array(a, elemtype, typlen, typbyval, typalign, &out.elems, &out.nulls, &out.n);
    });
    return out;
}

std::string text_at(const ArrayArg &a, int i) {
    if (i >= a.n || a.nulls[i]) return {};
    const char *data = nullptr;
    int len = 0;
    npda::pg::call([&]() {  // an element may be stored compressed: detoasting can fail
        text *t = pg_detoast_datum_packed(reinterpret_cast<struct varlena *>(DatumGetPointer(a.elems[i])));
        data = VARDATA_ANY(t);
        len = static_cast<int>(VARSIZE_ANY_EXHDR(t));
    });
    return std::string(data, static_cast<std::size_t>(len));
}

std::optional<double> float_at(const ArrayArg &a, int i) {
    if (i >= a.n || a.nulls[i]) return std::nullopt;
    return DatumGetFloat8(a.elems[i]);
}

std::string text_arg(FunctionCallInfo fcinfo, int argno) {
    if (PG_ARGISNULL(argno)) return {};
    const char *data = nullptr;
    int len = 0;
    npda::pg::call([&]() {
        text *t = PG_GETARG_TEXT_PP(argno);
        data = VARDATA_ANY(t);
        len = static_cast<int>(VARSIZE_ANY_EXHDR(t));
    });
    return std::string(data, static_cast<std::size_t>(len));
}

}  // namespace

// npda._kpi_map_svg_document(kpi text, kpi_label text, level text, audit_year integer,
//   period_found boolean, codes text[], names text[], paths text[], pct_passed float8[],
//   value float8[], passed float8[], suppressed boolean[], box float8[]) -> text
// kpi_label NULL: no such KPI (NP451); period_found false: no such audit period
// (NP104); a level without boundaries: NP450 (the core's rule).
NPDA_FUNCTION(_kpi_map_svg_document) {
    npda::map::MapSpec spec;
    spec.level = text_arg(fcinfo, 2);
    npda::map::require_mappable_level(spec.level);
    spec.kpi_code = text_arg(fcinfo, 0);
    if (PG_ARGISNULL(1))
        throw npda::Error(npda::sqlstate::kUnknownKpi, "unknown KPI \"" + spec.kpi_code + "\"",
                          "KPI codes are those of npda.kpi: '1' to '31', '32.1', '32.2', '32.3', '33' to '49'.");
    spec.kpi_label = text_arg(fcinfo, 1);
    if (PG_ARGISNULL(3) || PG_ARGISNULL(4) || !PG_GETARG_BOOL(4))
        throw npda::Error(npda::sqlstate::kUnknownPeriod,
                          "no audit period " +
                              (PG_ARGISNULL(3) ? std::string("NULL") : std::to_string(PG_GETARG_INT32(3))),
                          "The audit year is the calendar year the period starts (2025 = 2025-26).");
    spec.audit_year = PG_GETARG_INT32(3);

    const ArrayArg codes = array_arg(fcinfo, 5, TEXTOID);
    const ArrayArg names = array_arg(fcinfo, 6, TEXTOID);
    const ArrayArg paths = array_arg(fcinfo, 7, TEXTOID);
    const ArrayArg pct = array_arg(fcinfo, 8, FLOAT8OID);
    const ArrayArg value = array_arg(fcinfo, 9, FLOAT8OID);
    const ArrayArg passed = array_arg(fcinfo, 10, FLOAT8OID);
    const ArrayArg suppressed = array_arg(fcinfo, 11, BOOLOID);
    const ArrayArg box = array_arg(fcinfo, 12, FLOAT8OID);
    if (box.n == 4) {
        spec.box.x = float_at(box, 0).value_or(0);
        spec.box.y = float_at(box, 1).value_or(0);
        spec.box.width = float_at(box, 2).value_or(0);
        spec.box.height = float_at(box, 3).value_or(0);
    }
    const npda::map::FigureKind kind = npda::map::figure_kind(spec.kpi_code);
    for (int i = 0; i < codes.n; ++i) {
        npda::map::Area area;
        area.code = text_at(codes, i);
        area.name = text_at(names, i);
        area.path = text_at(paths, i);
        npda::map::AreaFigures figures;
        figures.pct_passed = float_at(pct, i);
        figures.value = float_at(value, i);
        figures.passed = float_at(passed, i);
        figures.suppressed = i < suppressed.n && !suppressed.nulls[i] && DatumGetBool(suppressed.elems[i]);
        npda::map::set_figure(area, kind, figures);
        spec.areas.push_back(std::move(area));
    }
    const std::string svg = npda::map::render_svg(spec);
    return npda::pg::call([&]() {
        return PointerGetDatum(cstring_to_text_with_len(svg.data(), static_cast<int>(svg.size())));
    });
}
