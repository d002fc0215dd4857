// The advisory locks npda takes, in one place: their keys, and the functions
// that take them, from C++ here and from SQL through npda._lock_period_exclusive
// and npda._lock_refresh. Each is a transaction-level lock in the two-key form
// (key, id), released at commit or abort; in pg_locks it is a row of locktype
// 'advisory' with classid = key, objid = id and objsubid = 2.
// docs/operations.md lists them for DBAs; test/repo/lock_keys.sh checks that
// list against this file, and that no other file spells a key.
// Plain C++: no PostgreSQL header, so the keys can be read without a server.
#pragma once
#include <cstdint>

namespace npda::pg {

namespace lock_key {
// One PDU's submissions to one audit period (npda.submit_csv, exclusive).
// id = (PDU id << 12) XOR period id.
inline constexpr std::int32_t kPduPeriod = 1313883201;
// The roll-up refresh of one audit period (npda.refresh_kpi_aggregations,
// exclusive). id = period id.
inline constexpr std::int32_t kRefresh = 1313883202;
// One audit period: shared by submissions and by the edits that re-score
// children, exclusive for npda.rescore. id = period id.
inline constexpr std::int32_t kPeriod = 1313883203;
}  // namespace lock_key

// The PDU-and-period lock, exclusive.
void lock_pdu_period(std::int64_t pdu_id, std::int64_t period_id);
// The period lock: shared, or exclusive.
void lock_period(std::int64_t period_id, bool exclusive);
// The refresh lock of a period, exclusive.
void lock_refresh(std::int64_t period_id);

}  // namespace npda::pg
