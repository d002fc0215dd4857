// KPI scoring against the tables: load children, run the engine, store scores.
#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "kpi/kpi.hpp"
#include "ingest/record_columns.hpp"
#include "scoring.hpp"
#include "locks.hpp"
#include "spi.hpp"
#include "arrays.hpp"

namespace npda::pg {

namespace {

int bulk_load_depth = 0;

void reset_bulk_load(XactEvent event, void *) {
    if (event == XACT_EVENT_ABORT || event == XACT_EVENT_COMMIT || event == XACT_EVENT_PARALLEL_ABORT ||
        event == XACT_EVENT_PARALLEL_COMMIT || event == XACT_EVENT_PREPARE)
        bulk_load_depth = 0;
}

// Children per INSERT of scores and per fetch of rows: bounds the memory of
// parameter arrays and SPI results on a national rescore. Slicing a child's
// 51 values out of the flat array is O(1) only because the array holds no
// NULLs (a missing value travels as NaN, see store_scores); with NULLs every
// slice walks from the array's start and big batches turn quadratic.
constexpr std::size_t kScoreBatch = 10000;
constexpr long kFetchRows = 20000;

}  // namespace

OutcomeType outcome_type() {
    static KeptPlan plan(
        "SELECT e.enumtypid, t.typarray, e.oid FROM pg_catalog.pg_enum e JOIN pg_catalog.pg_type t ON t.oid = e.enumtypid "
        "WHERE e.enumtypid = 'npda.kpi_outcome'::regtype ORDER BY e.enumsortorder");
    OutcomeType t;
    const std::uint64_t n = spi_execute_plan(plan, {}, true);
    if (n != 4) throw std::logic_error("npda.kpi_outcome does not have four labels");
    bool isnull = false;
    t.type = DatumGetObjectId(spi_value(0, 1, isnull));
    t.array_type = DatumGetObjectId(spi_value(0, 2, isnull));
    for (std::uint64_t i = 0; i < 4; ++i) t.labels[i] = DatumGetObjectId(spi_value(i, 3, isnull));
    return t;
}

namespace {

struct ScoredChild {
    std::int64_t patient_id;
    std::int64_t audit_period_id;
    KpiResults results;
};

// Upsert one row per child into npda.patient_kpi_score. The 51 outcomes and
// values of every child travel as one flat array each and are sliced per row.
void store_scores(const std::vector<ScoredChild> &scored, Date as_of) {
    if (scored.empty()) return;
    const OutcomeType ot = outcome_type();
    // No KPI value is ever NaN, so NaN can stand for "no value" in the flat
    // array and be turned back into NULL per row (array_replace compares NaN
    // equal to NaN, as PostgreSQL's float8 equality does).
    static const char *kSql =
        "INSERT INTO npda.patient_kpi_score AS s (patient_id, audit_period_id, as_of, outcomes, kpi_values, checks_expected) "
        "SELECT $1[i], $2[i], $3, $4[(i - 1) * 51 + 1 : i * 51], "
        "pg_catalog.array_replace($5[(i - 1) * 51 + 1 : i * 51], 'NaN'::float8, NULL), $6[i] "
        "FROM pg_catalog.generate_subscripts($1, 1) AS i "
        "ON CONFLICT (patient_id) DO UPDATE SET audit_period_id = EXCLUDED.audit_period_id, as_of = EXCLUDED.as_of, "
        "outcomes = EXCLUDED.outcomes, kpi_values = EXCLUDED.kpi_values, checks_expected = EXCLUDED.checks_expected, "
        "scored_at = pg_catalog.clock_timestamp()";
    for (std::size_t start = 0; start < scored.size(); start += kScoreBatch) {
        const std::size_t n = std::min(kScoreBatch, scored.size() - start);
        const ScoredChild *batch = scored.data() + start;
        const Datum ids = build_array(INT8OID, n, [&](std::size_t i, Datum &v, bool &) { v = Int64GetDatum(batch[i].patient_id); });
        const Datum periods = build_array(INT8OID, n, [&](std::size_t i, Datum &v, bool &) { v = Int64GetDatum(batch[i].audit_period_id); });
        const Datum outcomes = build_array(ot.type, n * kKpiCount, [&](std::size_t i, Datum &v, bool &) {
            v = ObjectIdGetDatum(ot.labels[static_cast<int>(batch[i / kKpiCount].results[i % kKpiCount].outcome)]);
        });
        const Datum values = build_array(FLOAT8OID, n * kKpiCount, [&](std::size_t i, Datum &v, bool &) {
            const auto &value = batch[i / kKpiCount].results[i % kKpiCount].value;
            v = Float8GetDatum(value ? *value : std::numeric_limits<double>::quiet_NaN());
        });
        const Datum expected = build_array(INT2OID, n, [&](std::size_t i, Datum &v, bool &is_null) {
            const auto &e = batch[i].results[kSlot32_1].value_expected;
            if (e) v = Int16GetDatum(static_cast<int16>(*e)); else is_null = true;
        });
        static KeptPlan plan(kSql);
        spi_execute_plan(plan, {{INT8ARRAYOID, ids}, {INT8ARRAYOID, periods}, {DATEOID, DateADTGetDatum(as_of)},
                           {ot.array_type, outcomes}, {FLOAT8ARRAYOID, values}, {INT2ARRAYOID, expected}});
        // The batch's arrays are in SPI's procedure context: free them now
        // rather than at SPI_finish.
        call([&]() {
            for (Datum d : {ids, periods, outcomes, values, expected}) pfree(DatumGetPointer(d));
        });
    }
}

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
// SPI_tuptable) to fn.
template <typename Fn>
void for_each_batch(KeptPlan &plan, Oid arg_type, Datum arg, Fn &&fn) {
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
                   "t.date_leaving_service, t.reason_leaving_service" + select_list(patient_columns(), "p") +
                   " FROM npda.patient p JOIN npda.submission s ON s.id = p.submission_id "
                   "JOIN npda.audit_period ap ON ap.id = s.audit_period_id "
                   "LEFT JOIN npda.transfer t ON t.patient_id = p.id WHERE " + std::string(where)),
          visits("SELECT v.patient_id, v.row_number" + select_list(visit_columns(), "v") +
                 " FROM npda.visit v JOIN npda.patient p ON p.id = v.patient_id "
                 "JOIN npda.submission s ON s.id = p.submission_id WHERE " + std::string(where)) {}
};

// Load the children chosen by `queries` for the argument `arg`.
std::vector<LoadedChild> load_children(ChildQueries &queries, Oid arg_type, Datum arg) {
    std::vector<LoadedChild> children;
    const auto &pcols = patient_columns();
    const auto &vcols = visit_columns();
    for_each_batch(queries.patients, arg_type, arg, [&](std::uint64_t n) {
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
                if (!isnull && !DATE_NOT_FINITE(DatumGetDateADT(d))) records[r].date_leaving_service = DatumGetDateADT(d);
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
    for_each_batch(queries.visits, arg_type, arg, [&](std::uint64_t n) {
        visits.assign(n, VisitRecord{});
        owners.assign(n, 0);
        read_record_columns(vcols, 3, visits, 0, n);
        call([&]() {
            for (std::uint64_t r = 0; r < n; ++r) {
                bool isnull = false;
                owners[r] = DatumGetInt64(SPI_getbinval(SPI_tuptable->vals[r], SPI_tuptable->tupdesc, 1, &isnull));
                visits[r].row_number = DatumGetInt32(SPI_getbinval(SPI_tuptable->vals[r], SPI_tuptable->tupdesc, 2, &isnull));
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

std::size_t score_loaded(std::vector<LoadedChild> &children, Date as_of) {
    std::vector<ScoredChild> scored;
    scored.reserve(children.size());
    InterruptHook interrupt = interrupt_hook();
    for (std::size_t i = 0; i < children.size(); ++i) {
        if ((i & 1023) == 0) interrupt();
        const LoadedChild &c = children[i];
        scored.push_back({c.patient_id, c.audit_period_id,
                          score_patient(c.record, scoring_period_for(c.audit_year), as_of)});
    }
    store_scores(scored, as_of);
    return scored.size();
}

}  // namespace

BulkLoadScope::BulkLoadScope() { ++bulk_load_depth; }
BulkLoadScope::~BulkLoadScope() {
    if (bulk_load_depth > 0) --bulk_load_depth;
}
bool bulk_load_active() { return bulk_load_depth > 0; }

void register_bulk_load_reset() { RegisterXactCallback(reset_bulk_load, nullptr); }

void score_records(const std::vector<PatientRecord> &patients, const std::vector<std::int64_t> &ids,
                   std::int64_t audit_period_id, int audit_year, Date as_of) {
    const ScoringPeriod period = scoring_period_for(audit_year);
    std::vector<ScoredChild> scored;
    scored.reserve(patients.size());
    InterruptHook interrupt = interrupt_hook();
    for (std::size_t i = 0; i < patients.size(); ++i) {
        if ((i & 1023) == 0) interrupt();
        scored.push_back({ids[i], audit_period_id, score_patient(patients[i], period, as_of)});
    }
    store_scores(scored, as_of);
}

namespace {

// The children whose ids are in `ids_array` (a bigint[]).
std::vector<LoadedChild> load_children_in(Datum ids_array) {
    static ChildQueries by_id("p.id = ANY($1)");
    return load_children(by_id, INT8ARRAYOID, ids_array);
}

}  // namespace

std::vector<LoadedChild> load_children_by_id(const std::vector<std::int64_t> &ids) {
    if (ids.empty()) return {};
    return load_children_in(int8_array(ids));
}

std::size_t score_patient_ids(const std::vector<std::int64_t> &ids, Date as_of) {
    if (ids.empty()) return 0;
    // Share the lock of the children's audit periods, which npda.rescore takes
    // exclusively, before reading them: a whole-period re-score that started
    // earlier must not overwrite this fresher score with one built from data
    // it read before this edit, nor this edit a re-score's. The lock is held
    // to commit; the read below (a new statement, so a new snapshot under READ
    // COMMITTED) then sees whatever the re-score committed.
    static KeptPlan lock_periods(
        "SELECT pg_catalog.pg_advisory_xact_lock_shared($2, x.audit_period_id::int4) "
        "FROM (SELECT DISTINCT s.audit_period_id FROM npda.patient p JOIN npda.submission s ON s.id = p.submission_id "
        "WHERE p.id = ANY($1) ORDER BY 1) x");
    const Datum array = int8_array(ids);
    spi_execute_plan(lock_periods, {{INT8ARRAYOID, array}, {INT4OID, Int32GetDatum(lock_key::kPeriod)}});
    std::vector<LoadedChild> children = load_children_in(array);
    return score_loaded(children, as_of);
}

std::size_t rescore_period(std::int64_t audit_period_id, Date as_of) {
    std::vector<LoadedChild> children =
        [&] {
            static ChildQueries by_period("s.audit_period_id = $1 AND s.is_active");
            return load_children(by_period, INT8OID, Int64GetDatum(audit_period_id));
        }();
    return score_loaded(children, as_of);
}

}  // namespace npda::pg
