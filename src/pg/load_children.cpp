// Loading children from the tables (see load_children.hpp): two cursors, one
// over the patients with their leaving data and one over their visits, read in
// batches straight into the core's records.
#include <algorithm>
#include <cmath>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "ingest/record_columns.hpp"
#include "load_children.hpp"
#include "spi.hpp"
#include "arrays.hpp"

namespace npda::pg {

namespace {

// Rows per fetch: bounds the memory of SPI results on a national rescore.
constexpr long kFetchRows = 20000;

// A text value pointed at inside an SPI result, copied into C++ after PG_TRY.
struct TextRef {
    const char *data = nullptr;
    int len = -1;  // -1 = NULL
};

// Copy columns first_attno.. of every row of SPI_tuptable into out[offset..].
// Scalars are written inside one PG_TRY (assigning to std::optional of a
// scalar cannot throw); text values are gathered as pointers and turned into
// std::string afterwards, because allocating a string might throw.
template <typename R>
void read_record_columns(const std::vector<RecordColumn<R>> &cols, int first_attno, std::vector<R> &out,
                         std::size_t offset, std::uint64_t rows) {
    std::size_t text_cols = 0;
    for (const auto &c : cols) text_cols += c.type == ColumnType::text;
    std::vector<TextRef> texts(rows * text_cols);
    call([&]() {
        // Deform each row once: SPI_getbinval per column re-walks the tuple
        // from its start whenever a NULL precedes the column (most do).
        TupleDesc desc = SPI_tuptable->tupdesc;
        Datum *values = static_cast<Datum *>(palloc(sizeof(Datum) * static_cast<std::size_t>(desc->natts)));
        bool *nulls = static_cast<bool *>(palloc(sizeof(bool) * static_cast<std::size_t>(desc->natts)));
        for (std::uint64_t r = 0; r < rows; ++r) {
            heap_deform_tuple(SPI_tuptable->vals[r], desc, values, nulls);
            R &rec = out[offset + r];
            std::size_t t = 0;
            for (std::size_t j = 0; j < cols.size(); ++j) {
                const auto &c = cols[j];
                const int att = first_attno - 1 + static_cast<int>(j);
                const bool isnull = nulls[att];
                const Datum d = values[att];
                switch (c.type) {
                    case ColumnType::date:
                        // An infinite date (possible through a manual edit) is no
                        // date for the KPI rules.
                        if (!isnull && !DATE_NOT_FINITE(DatumGetDateADT(d))) rec.*c.i32 = DatumGetDateADT(d);
                        break;
                    case ColumnType::int4:
                        if (!isnull) rec.*c.i32 = DatumGetInt32(d);
                        break;
                    case ColumnType::int2:
                        if (!isnull) rec.*c.i16 = DatumGetInt16(d);
                        break;
                    case ColumnType::float8:
                        // Likewise NaN or infinity in a numeric column: no measurement.
                        if (!isnull && std::isfinite(DatumGetFloat8(d))) rec.*c.f64 = DatumGetFloat8(d);
                        break;
                    case ColumnType::text: {
                        TextRef &ref = texts[r * text_cols + t++];
                        if (!isnull) {
                            text *value = DatumGetTextPP(d);
                            ref.data = VARDATA_ANY(value);
                            ref.len = static_cast<int>(VARSIZE_ANY_EXHDR(value));
                        }
                        break;
                    }
                }
            }
        }
        pfree(values);
        pfree(nulls);
    });
    for (std::uint64_t r = 0; r < rows; ++r) {
        std::size_t t = 0;
        for (const auto &c : cols) {
            if (c.type != ColumnType::text) continue;
            const TextRef &ref = texts[r * text_cols + t++];
            if (ref.len >= 0) out[offset + r].*c.txt = std::string(ref.data, static_cast<std::size_t>(ref.len));
        }
    }
}

// SELECT list for the record columns; numerics are read as float8.
template <typename R>
std::string select_list(const std::vector<RecordColumn<R>> &cols, const char *alias) {
    std::string s;
    for (const auto &c : cols) {
        s += ", ";
        s += alias;
        s += ".";
        s += c.name;
        if (c.type == ColumnType::float8) s += "::float8";
    }
    return s;
}

// Run a kept plan through a cursor, handing each fetched batch (in
// SPI_tuptable) to fn; or, for one child, at once as one batch: a cursor's
// portal costs more than the query itself for the few rows of one child. Both
// read with the active snapshot.
template <typename Fn>
void for_each_batch(KeptPlan &plan, Oid arg_type, Datum arg, bool at_once, Fn &&fn) {
    if (at_once) {
        const std::uint64_t n = spi_execute_plan(plan, {{arg_type, arg}}, true);
        if (n > 0) fn(n);
        call([]() { SPI_freetuptable(SPI_tuptable); });
        return;
    }
    Portal portal = spi_cursor_open(plan, {{arg_type, arg}});
    for (;;) {
        call([&]() { SPI_cursor_fetch(portal, true, kFetchRows); });
        const std::uint64_t n = SPI_processed;
        if (n == 0) break;
        fn(n);
        // A fetched batch stays in SPI's procedure context until SPI_finish
        // unless freed: without this a national re-score would hold every
        // patient and visit row it ever fetched at once.
        call([]() { SPI_freetuptable(SPI_tuptable); });
    }
    call([&]() { SPI_cursor_close(portal); });
}

// The two queries that load the children chosen by a condition `where` on
// p = npda.patient and s = npda.submission with parameter $1: the patients
// with their leaving data, and their visits. Planned once per backend.
struct ChildQueries {
    KeptPlan patients, visits;
    explicit ChildQueries(const char *where)
        : patients("SELECT p.id, s.audit_period_id, extract(year FROM ap.start_date)::int4, p.first_row_number, "
                   "t.date_leaving_service, t.reason_leaving_service" +
                   select_list(patient_columns(), "p") +
                   " FROM npda.patient p JOIN npda.submission s ON s.id = p.submission_id "
                   "JOIN npda.audit_period ap ON ap.id = s.audit_period_id "
                   "LEFT JOIN npda.transfer t ON t.patient_id = p.id WHERE " +
                   std::string(where)),
          visits("SELECT v.patient_id, v.row_number" + select_list(visit_columns(), "v") +
                 " FROM npda.visit v JOIN npda.patient p ON p.id = v.patient_id "
                 "JOIN npda.submission s ON s.id = p.submission_id WHERE " +
                 std::string(where)) {}
};

// Load the children chosen by `queries` for the argument `arg`.
std::vector<LoadedChild> load_children(ChildQueries &queries, Oid arg_type, Datum arg, bool at_once = false) {
    std::vector<LoadedChild> children;
    const auto &pcols = patient_columns();
    const auto &vcols = visit_columns();
    for_each_batch(queries.patients, arg_type, arg, at_once, [&](std::uint64_t n) {
        const std::size_t offset = children.size();
        std::vector<PatientRecord> records(n);
        read_record_columns(pcols, 7, records, 0, n);
        children.resize(offset + n);
        call([&]() {
            for (std::uint64_t r = 0; r < n; ++r) {
                bool isnull = false;
                HeapTuple tuple = SPI_tuptable->vals[r];
                TupleDesc desc = SPI_tuptable->tupdesc;
                LoadedChild &c = children[offset + r];
                c.patient_id = DatumGetInt64(SPI_getbinval(tuple, desc, 1, &isnull));
                c.audit_period_id = DatumGetInt64(SPI_getbinval(tuple, desc, 2, &isnull));
                c.audit_year = DatumGetInt32(SPI_getbinval(tuple, desc, 3, &isnull));
                records[r].first_row_number = DatumGetInt32(SPI_getbinval(tuple, desc, 4, &isnull));
                Datum d = SPI_getbinval(tuple, desc, 5, &isnull);
                if (!isnull && !DATE_NOT_FINITE(DatumGetDateADT(d)))
                    records[r].date_leaving_service = DatumGetDateADT(d);
                d = SPI_getbinval(tuple, desc, 6, &isnull);
                if (!isnull) records[r].reason_leaving_service = DatumGetInt16(d);
            }
        });
        for (std::uint64_t r = 0; r < n; ++r) children[offset + r].record = std::move(records[r]);
    });
    if (children.empty()) return children;

    std::unordered_map<std::int64_t, std::size_t> index;
    index.reserve(children.size() * 2);
    for (std::size_t i = 0; i < children.size(); ++i) index.emplace(children[i].patient_id, i);

    std::vector<VisitRecord> visits;
    std::vector<std::int64_t> owners;
    for_each_batch(queries.visits, arg_type, arg, at_once, [&](std::uint64_t n) {
        visits.assign(n, VisitRecord{});
        owners.assign(n, 0);
        read_record_columns(vcols, 3, visits, 0, n);
        call([&]() {
            for (std::uint64_t r = 0; r < n; ++r) {
                bool isnull = false;
                owners[r] = DatumGetInt64(SPI_getbinval(SPI_tuptable->vals[r], SPI_tuptable->tupdesc, 1, &isnull));
                visits[r].row_number =
                    DatumGetInt32(SPI_getbinval(SPI_tuptable->vals[r], SPI_tuptable->tupdesc, 2, &isnull));
            }
        });
        for (std::uint64_t r = 0; r < n; ++r) {
            auto it = index.find(owners[r]);
            if (it != index.end()) children[it->second].record.visits.push_back(std::move(visits[r]));
        }
    });
    // File order decides ties between visits on one date (D1).
    for (auto &c : children)
        std::sort(c.record.visits.begin(), c.record.visits.end(),
                  [](const VisitRecord &a, const VisitRecord &b) { return a.row_number < b.row_number; });
    return children;
}

}  // namespace

std::vector<LoadedChild> load_children_in(Datum ids_array) {
    static ChildQueries by_id("p.id = ANY($1)");
    return load_children(by_id, INT8ARRAYOID, ids_array);
}

std::vector<LoadedChild> load_child(std::int64_t id) {
    // Its own plans: with "= ANY($1)" the planner expects ten children and
    // hashes the submissions; with one it follows the indexes.
    static ChildQueries by_one_id("p.id = $1");
    return load_children(by_one_id, INT8OID, Int64GetDatum(id), true);
}

std::vector<LoadedChild> load_children_by_id(const std::vector<std::int64_t> &ids) {
    if (ids.empty()) return {};
    return load_children_in(int8_array(ids));
}

std::vector<LoadedChild> load_period_children(std::int64_t audit_period_id) {
    static ChildQueries by_period("s.audit_period_id = $1 AND s.is_active");
    return load_children(by_period, INT8OID, Int64GetDatum(audit_period_id));
}

}  // namespace npda::pg
