// Taking the advisory locks of locks.hpp, and their SQL entry points.
#include "locks.hpp"

#include "guard.hpp"

namespace npda::pg {

namespace {

void take(std::int32_t key, std::int64_t id, bool exclusive) {
    const Datum k = Int32GetDatum(key);
    const Datum i = Int32GetDatum(static_cast<int32>(id));
    call([&]() {
        if (exclusive) DirectFunctionCall2(pg_advisory_xact_lock_int4, k, i);
        else DirectFunctionCall2(pg_advisory_xact_lock_shared_int4, k, i);
    });
}

}  // namespace

void lock_pdu_period(std::int64_t pdu_id, std::int64_t period_id) {
    take(lock_key::kPduPeriod, (pdu_id << 12) ^ period_id, true);
}

void lock_period(std::int64_t period_id, bool exclusive) { take(lock_key::kPeriod, period_id, exclusive); }

void lock_refresh(std::int64_t period_id) { take(lock_key::kRefresh, period_id, true); }

}  // namespace npda::pg

// npda._lock_period_exclusive(audit_period_id bigint): the period lock,
// exclusive (npda.rescore).
NPDA_FUNCTION(_lock_period_exclusive) {
    npda::pg::lock_period(PG_GETARG_INT64(0), true);
    PG_RETURN_VOID();
}

// npda._lock_refresh(audit_period_id bigint): the refresh lock of a period
// (npda.refresh_kpi_aggregations).
NPDA_FUNCTION(_lock_refresh) {
    npda::pg::lock_refresh(PG_GETARG_INT64(0));
    PG_RETURN_VOID();
}
