// KPI scoring: run the core engine on children (from memory or loaded from
// the tables) and store one npda.patient_kpi_score row per child.
#include <algorithm>
#include <limits>
#include <stdexcept>
#include <vector>

#include "kpi/kpi.hpp"
#include "load_children.hpp"
#include "scoring.hpp"
#include "locks.hpp"
#include "spi.hpp"
#include "arrays.hpp"

namespace npda::pg {

namespace {

// Children per INSERT of scores: bounds the memory of the parameter arrays on
// a national rescore. Slicing a child's
// 51 values out of the flat array is O(1) only because the array holds no
// NULLs (a missing value travels as NaN, see store_scores); with NULLs every
// slice walks from the array's start and big batches turn quadratic.
constexpr std::size_t kScoreBatch = 10000;

}  // namespace

// From the catalogue caches, not a query: every stored score needs it.
OutcomeType outcome_type() {
    OutcomeType t;
    constexpr int kMax = 8;
    float4 order[kMax];
    Oid label[kMax];
    int n = 0;
    call([&]() {
        const Oid ns = get_namespace_oid("npda", false);
        t.type = GetSysCacheOid2(TYPENAMENSP, Anum_pg_type_oid, CStringGetDatum("kpi_outcome"), ObjectIdGetDatum(ns));
        if (!OidIsValid(t.type)) elog(ERROR, "type npda.kpi_outcome does not exist");
        t.array_type = get_array_type(t.type);
        CatCList *labels = SearchSysCacheList1(ENUMTYPOIDNAME, ObjectIdGetDatum(t.type));
        for (int i = 0; i < labels->n_members && n < kMax; ++i, ++n) {
            const Form_pg_enum e = reinterpret_cast<Form_pg_enum>(GETSTRUCT(&labels->members[i]->tuple));
            order[n] = e->enumsortorder;
            label[n] = e->oid;
        }
        ReleaseSysCacheList(labels);
        return 0;
    });
    if (n != 4 || !OidIsValid(t.array_type)) throw std::logic_error("npda.kpi_outcome does not have four labels");
    int by_order[4] = {0, 1, 2, 3};
    std::sort(by_order, by_order + 4, [&](int a, int b) { return order[a] < order[b]; });
    for (int i = 0; i < 4; ++i) t.labels[i] = label[by_order[i]];
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
        const Datum ids =
            build_array(INT8OID, n, [&](std::size_t i, Datum &v, bool &) { v = Int64GetDatum(batch[i].patient_id); });
        const Datum periods = build_array(INT8OID, n, [&](std::size_t i, Datum &v, bool &) {
            v = Int64GetDatum(batch[i].audit_period_id);
        });
        const Datum outcomes = build_array(ot.type, n * kKpiCount, [&](std::size_t i, Datum &v, bool &) {
            v = ObjectIdGetDatum(ot.labels[static_cast<int>(batch[i / kKpiCount].results[i % kKpiCount].outcome)]);
        });
        const Datum values = build_array(FLOAT8OID, n * kKpiCount, [&](std::size_t i, Datum &v, bool &) {
            const auto &value = batch[i / kKpiCount].results[i % kKpiCount].value;
            v = Float8GetDatum(value ? *value : std::numeric_limits<double>::quiet_NaN());
        });
        const Datum expected = build_array(INT2OID, n, [&](std::size_t i, Datum &v, bool &is_null) {
            const auto &e = batch[i].results[kSlot32_1].value_expected;
            if (e)
                v = Int16GetDatum(static_cast<int16>(*e));
            else
                is_null = true;
        });
        static KeptPlan plan(kSql);
        spi_execute_plan(plan, {{INT8ARRAYOID, ids},
                                {INT8ARRAYOID, periods},
                                {DATEOID, DateADTGetDatum(as_of)},
                                {ot.array_type, outcomes},
                                {FLOAT8ARRAYOID, values},
                                {INT2ARRAYOID, expected}});
        // The batch's arrays are in SPI's procedure context: free them now
        // rather than at SPI_finish.
        call([&]() {
            for (Datum d : {ids, periods, outcomes, values, expected}) pfree(DatumGetPointer(d));
        });
    }
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

std::size_t score_patient_ids(const std::vector<std::int64_t> &ids, Date as_of) {
    if (ids.empty()) return 0;
    // Share the lock of the children's audit periods, which npda.rescore takes
    // exclusively, before scoring them, and hold it to commit: a whole-period
    // re-score already running commits before this edit writes its scores
    // (which then replace the re-score's), and one that starts later waits
    // for this edit to commit and reads it. Either way the last score written
    // for a child is built from data that includes the edit. (A re-score
    // writes scores only, never the children's data read below.)
    static KeptPlan lock_periods(
        "SELECT pg_catalog.pg_advisory_xact_lock_shared($2, x.audit_period_id::int4) "
        "FROM (SELECT DISTINCT s.audit_period_id FROM npda.patient p JOIN npda.submission s ON s.id = p.submission_id "
        "WHERE p.id = ANY($1) ORDER BY 1) x");
    // One child (an edit): plans made for one row, which follow the indexes.
    static KeptPlan lock_period_of_child(
        "SELECT pg_catalog.pg_advisory_xact_lock_shared($2, s.audit_period_id::int4) "
        "FROM npda.patient p JOIN npda.submission s ON s.id = p.submission_id WHERE p.id = $1");
    const Datum key = Int32GetDatum(lock_key::kPeriod);
    std::vector<LoadedChild> children;
    if (ids.size() == 1) {
        spi_execute_plan(lock_period_of_child, {{INT8OID, Int64GetDatum(ids[0])}, {INT4OID, key}});
        children = load_child(ids[0]);
    } else {
        const Datum array = int8_array(ids);
        spi_execute_plan(lock_periods, {{INT8ARRAYOID, array}, {INT4OID, key}});
        children = load_children_in(array);
    }
    return score_loaded(children, as_of);
}

std::size_t rescore_period(std::int64_t audit_period_id, Date as_of) {
    std::vector<LoadedChild> children = load_period_children(audit_period_id);
    return score_loaded(children, as_of);
}

}  // namespace npda::pg
