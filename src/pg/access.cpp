// The access model's C pieces (sql/70_access.sql, docs/access.md):
//
// - who the caller is: the outer role (the role set by login, SET ROLE or SET
//   SESSION AUTHORIZATION; unlike current_user it does not change inside a
//   SECURITY DEFINER function, so the definer-rights helpers behind the row
//   policies can still ask who called them);
// - the person an application acts for: set only by npda.act_as (through
//   npda._set_acting_user, which nobody but the extension's owner may execute)
//   and kept in this backend's memory, never in a setting a client can SET. It
//   is cleared when the transaction ends, commit or abort, and when the
//   subtransaction that set it is rolled back, so through a transaction-pooling
//   connection pooler the next transaction on the same server connection never
//   inherits it;
// - HMAC-SHA-256 (src/core/access) for the pseudonymised child key, and strong
//   random bytes for a new pseudonym secret.
// Who the caller is as an npda user, and the row policies' scope: scope.cpp.
#include <cstdint>
#include <string_view>

#include "access/hmac_sha256.hpp"
#include "access.hpp"
#include "guard.hpp"

namespace {

// The person (npda.npda_user.id) this transaction acts for; 0 = nobody.
std::int64_t acting_user = 0;
// Transaction nesting level at which it was set (1 = the top level).
int acting_level = 0;

void clear_acting(XactEvent event, void *) {
    switch (event) {
        case XACT_EVENT_COMMIT:
        case XACT_EVENT_ABORT:
        case XACT_EVENT_PARALLEL_COMMIT:
        case XACT_EVENT_PARALLEL_ABORT:
        case XACT_EVENT_PREPARE:
            acting_user = 0;
            acting_level = 0;
            break;
        default: break;
    }
}

void clear_acting_on_rollback(SubXactEvent event, SubTransactionId, SubTransactionId, void *) {
    if (acting_user == 0) return;
    const int level = GetCurrentTransactionNestLevel();
    if (event == SUBXACT_EVENT_ABORT_SUB && acting_level >= level) {
        // ROLLBACK TO a savepoint taken before npda.act_as: acting never happened.
        acting_user = 0;
        acting_level = 0;
    } else if (event == SUBXACT_EVENT_COMMIT_SUB && acting_level >= level) {
        // RELEASE: the parent transaction now owns it.
        acting_level = level - 1;
    }
}

}  // namespace

namespace npda::pg {

void register_access_callbacks() {
    RegisterXactCallback(clear_acting, nullptr);
    RegisterSubXactCallback(clear_acting_on_rollback, nullptr);
    register_scope_hooks();
}

std::int64_t acting_user_id() { return acting_user; }

}  // namespace npda::pg

// npda._acting_user_id(): the npda.npda_user id this transaction acts for, or NULL.
NPDA_FUNCTION(_acting_user_id) {
    if (acting_user == 0) PG_RETURN_NULL();
    return Int64GetDatum(acting_user);
}

// npda._set_acting_user(user_id): record the person this transaction acts
// for. Called only by npda.act_as after its checks (EXECUTE is the owner's
// alone); refuses to switch to another person within one transaction.
NPDA_FUNCTION(_set_acting_user) {
    if (PG_ARGISNULL(0) || PG_GETARG_INT64(0) <= 0)
        throw npda::Error(npda::sqlstate::kInvalidArgument, "a user id is required");
    const std::int64_t id = PG_GETARG_INT64(0);
    if (!IsTransactionState()) throw npda::Error(npda::sqlstate::kInvalidArgument, "npda.act_as needs a transaction");
    if (acting_user != 0 && acting_user != id)
        throw npda::Error(npda::sqlstate::kAlreadyActing, "this transaction already acts for another user",
                          "npda.act_as names one person per transaction.",
                          "End the transaction (COMMIT or ROLLBACK) and call npda.act_as in the next one.");
    if (acting_user == 0) acting_level = GetCurrentTransactionNestLevel();
    acting_user = id;
    return (Datum)0;
}

// npda._outer_role(): the role whose privileges the session has outside any
// SECURITY DEFINER function (session_user, or the role of SET ROLE).
NPDA_FUNCTION(_outer_role) {
    const Oid role = GetOuterUserId();
    return npda::pg::call([role]() {
        Name result = static_cast<Name>(palloc0(NAMEDATALEN));
        namestrcpy(result, GetUserNameFromId(role, false));
        return NameGetDatum(result);
    });
}

// npda._hmac_sha256(key bytea, message text): HMAC-SHA-256, hexadecimal.
NPDA_FUNCTION(_hmac_sha256) {
    bytea *key = npda::pg::call([fcinfo]() { return PG_GETARG_BYTEA_PP(0); });
    text *message = npda::pg::call([fcinfo]() { return PG_GETARG_TEXT_PP(1); });
    const npda::Sha256Digest digest =
        npda::hmac_sha256(std::string_view(VARDATA_ANY(key), VARSIZE_ANY_EXHDR(key)),
                          std::string_view(VARDATA_ANY(message), VARSIZE_ANY_EXHDR(message)));
    const std::string hex = npda::to_hex(digest);
    return npda::pg::call([&]() {
        return PointerGetDatum(cstring_to_text_with_len(hex.data(), static_cast<int>(hex.size())));
    });
}

// npda._strong_random_bytes(n): n bytes from the operating system's strong
// random source (pg_strong_random), for a new pseudonym secret.
NPDA_FUNCTION(_strong_random_bytes) {
    const int32 n = PG_GETARG_INT32(0);
    if (n < 1 || n > 1024)
        throw npda::Error(npda::sqlstate::kInvalidArgument, "between 1 and 1024 random bytes can be asked for");
    bytea *result = npda::pg::call([n]() {
        bytea *b = static_cast<bytea *>(palloc(VARHDRSZ + n));
        SET_VARSIZE(b, VARHDRSZ + n);
        if (!pg_strong_random(VARDATA(b), static_cast<size_t>(n)))
            ereport(ERROR, (errcode(ERRCODE_INTERNAL_ERROR), errmsg("could not generate random bytes")));
        return b;
    });
    return PointerGetDatum(result);
}
