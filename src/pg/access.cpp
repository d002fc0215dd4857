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
#include <algorithm>
#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

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
}

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

// ---- the row policies' scope ---------------------------------------------------
//
// The row policies (sql/70_access.sql) ask, row by row, whether the caller may
// read or write the row's unit, submission, child or user:
// npda._scope_unit(purpose, unit id), _scope_submission, _scope_patient,
// _scope_user. Who the caller is and what they may see is worked out once per
// statement (per transaction, command and identity), by the definer-rights
// SQL helpers of sql/70_access.sql called through fmgr, and kept here:
//   - the caller's npda user and role, and the units they are employed at;
//   - the submissions of those units (few);
//   - children: looked up one at a time (npda._patient_unit) while a statement
//     touches few -- one visit edit needs one lookup -- and, from the 17th
//     child on, the whole set of the caller's children (npda._caller_patient_ids)
//     so that a scan costs a hash probe per row.
// Nothing is kept across statements: a new submission, a changed role or a
// removed employment counts from the next statement on.
namespace {

enum class Purpose { read, write, manage, self };
enum class NpdaRole { none, reader, editor, coordinator, analyst, audit_team };

// A definer-rights helper of sql/70_access.sql, called through fmgr: no
// EXECUTE privilege is needed by the caller, and no name is looked up through
// the caller's search_path (the signature names its types in full).
struct Helper {
    const char *signature;
    FmgrInfo *finfo = nullptr;
};

struct Scope {
    bool valid = false;
    LocalTransactionId lxid = InvalidLocalTransactionId;
    CommandId cid = 0;
    Oid outer = InvalidOid;
    std::int64_t acting = 0;

    MemoryContext memory = nullptr;  // FmgrInfos of the helpers, reset with the scope
    Helper caller{"npda._caller()"};
    Helper submission_ids{"npda._caller_submission_ids(pg_catalog.text)"};
    Helper patient_ids{"npda._caller_patient_ids(pg_catalog.text)"};
    Helper user_ids{"npda._caller_user_ids(pg_catalog.text)"};
    Helper patient_unit{"npda._patient_unit(pg_catalog.int8)"};

    std::int64_t user_id = 0;
    NpdaRole role = NpdaRole::none;
    std::string role_name;
    bool unlogged = false;
    std::vector<std::int64_t> units;  // sorted
    bool submissions_loaded = false;
    std::unordered_set<std::int64_t> submissions;
    bool patients_loaded = false;
    std::unordered_set<std::int64_t> patients;
    std::unordered_map<std::int64_t, std::int64_t> patient_units;  // looked up one by one; 0 = no such child
    bool users_loaded[2] = {false, false};                         // read, manage
    std::unordered_set<std::int64_t> users[2];
};
Scope scope;

constexpr std::size_t kPatientLookups = 16;

Purpose purpose_of(FunctionCallInfo fcinfo) {
    text *t = npda::pg::call([fcinfo]() { return PG_GETARG_TEXT_PP(0); });
    const std::string_view p(VARDATA_ANY(t), VARSIZE_ANY_EXHDR(t));
    if (p == "read") return Purpose::read;
    if (p == "write") return Purpose::write;
    if (p == "manage") return Purpose::manage;
    if (p == "self") return Purpose::self;
    throw npda::Error(npda::sqlstate::kInvalidArgument, "unknown scope purpose \"" + std::string(p) + "\"");
}

NpdaRole role_of(std::string_view r) {
    if (r == "reader") return NpdaRole::reader;
    if (r == "editor") return NpdaRole::editor;
    if (r == "coordinator") return NpdaRole::coordinator;
    if (r == "analyst") return NpdaRole::analyst;
    if (r == "audit_team") return NpdaRole::audit_team;
    return NpdaRole::none;
}

// Whether the caller's role allows the purpose at all (on their own units).
bool role_allows(Purpose purpose) {
    switch (purpose) {
        case Purpose::read:
            return scope.role == NpdaRole::reader || scope.role == NpdaRole::editor ||
                   scope.role == NpdaRole::coordinator;
        case Purpose::write: return scope.role == NpdaRole::editor || scope.role == NpdaRole::coordinator;
        case Purpose::manage: return scope.role == NpdaRole::coordinator;
        case Purpose::self: return scope.user_id != 0;
    }
    return false;
}

// Call a helper with up to one argument; is_null reports a NULL result.
Datum call_helper(Helper &h, bool has_arg, Datum arg, Oid collation, bool &is_null) {
    if (!h.finfo) {
        const char *signature = h.signature;
        const MemoryContext memory = scope.memory;
        h.finfo = npda::pg::call([signature, memory]() {
            const Oid fn = DatumGetObjectId(DirectFunctionCall1(regprocedurein, CStringGetDatum(signature)));
            FmgrInfo *f = static_cast<FmgrInfo *>(MemoryContextAllocZero(memory, sizeof(FmgrInfo)));
            fmgr_info_cxt(fn, f, memory);
            return f;
        });
    }
    FmgrInfo *finfo = h.finfo;
    bool isnull = false;
    const Datum result = npda::pg::call([&]() {
        LOCAL_FCINFO(args, 1);
        InitFunctionCallInfoData(*args, finfo, has_arg ? 1 : 0, collation, nullptr, nullptr);
        if (has_arg) {
            args->args[0].value = arg;
            args->args[0].isnull = false;
        }
        const Datum r = FunctionCallInvoke(args);
        isnull = args->isnull;
        return r;
    });
    is_null = isnull;
    return result;
}

Datum purpose_text(const char *purpose) {
    return npda::pg::call([purpose]() { return PointerGetDatum(cstring_to_text(purpose)); });
}

std::vector<std::int64_t> int8_elements(Datum array) {
    Datum *elems = nullptr;
    bool *nulls = nullptr;
    int n = 0;
    npda::pg::call([&]() {
        deconstruct_array(DatumGetArrayTypeP(array), INT8OID, 8, FLOAT8PASSBYVAL, TYPALIGN_DOUBLE, &elems, &nulls, &n);
    });
    std::vector<std::int64_t> out;
    out.reserve(static_cast<std::size_t>(n));
    for (int i = 0; i < n; ++i)
        if (!nulls[i]) out.push_back(DatumGetInt64(elems[i]));
    return out;
}

std::vector<std::int64_t> id_array(Helper &h, const char *purpose) {
    bool is_null = false;
    const Datum array = call_helper(h, true, purpose_text(purpose), DEFAULT_COLLATION_OID, is_null);
    if (is_null) return {};
    return int8_elements(array);
}

// Bring the scope up to date for this statement and caller.
void refresh_scope() {
    const LocalTransactionId lxid = MyProc->lxid;
    const CommandId cid = GetCurrentCommandId(false);
    const Oid outer = GetOuterUserId();
    if (scope.valid && scope.lxid == lxid && scope.cid == cid && scope.outer == outer && scope.acting == acting_user)
        return;
    const bool same_transaction = scope.valid && scope.lxid == lxid;
    scope.valid = false;
    if (!same_transaction || !scope.memory) {
        // The helpers' FmgrInfos (and the SQL functions' plans hanging from
        // them) last one transaction: the extension may be re-created.
        if (!scope.memory)
            scope.memory = npda::pg::call([]() {
                return AllocSetContextCreate(TopMemoryContext, "npda access scope", ALLOCSET_SMALL_SIZES);
            });
        else
            npda::pg::call([]() { MemoryContextReset(scope.memory); });
        for (Helper *h :
             {&scope.caller, &scope.submission_ids, &scope.patient_ids, &scope.user_ids, &scope.patient_unit})
            h->finfo = nullptr;
    }
    scope.user_id = 0;
    scope.role = NpdaRole::none;
    scope.role_name.clear();
    scope.unlogged = false;
    scope.units.clear();
    scope.submissions_loaded = false;
    scope.submissions.clear();
    scope.patients_loaded = false;
    scope.patients.clear();
    scope.patient_units.clear();
    scope.users_loaded[0] = scope.users_loaded[1] = false;
    scope.users[0].clear();
    scope.users[1].clear();

    bool is_null = false;
    const Datum caller = call_helper(scope.caller, false, (Datum)0, InvalidOid, is_null);
    if (!is_null) {
        bool id_null = false, role_null = false, unlogged_null = false, units_null = false;
        Datum id = 0, unlogged = 0, units = 0;
        const char *role = nullptr;
        npda::pg::call([&]() {
            HeapTupleHeader t = DatumGetHeapTupleHeader(caller);
            id = GetAttributeByNum(t, 1, &id_null);
            const Datum r = GetAttributeByNum(t, 2, &role_null);
            role = role_null ? nullptr : TextDatumGetCString(r);
            unlogged = GetAttributeByNum(t, 3, &unlogged_null);
            units = GetAttributeByNum(t, 4, &units_null);
        });
        // The units of readers, editors and coordinators (the roles confined
        // to them); role_allows() decides what each may do there.
        if (!units_null) scope.units = int8_elements(units);
        std::sort(scope.units.begin(), scope.units.end());
        if (!id_null) scope.user_id = DatumGetInt64(id);
        if (role) {
            scope.role_name = role;
            scope.role = role_of(role);
        }
        scope.unlogged = !unlogged_null && DatumGetBool(unlogged);
    }
    scope.lxid = lxid;
    scope.cid = cid;
    scope.outer = outer;
    scope.acting = acting_user;
    scope.valid = true;
}

bool sees_all() { return scope.role == NpdaRole::audit_team; }

bool has_unit(std::int64_t unit) { return std::binary_search(scope.units.begin(), scope.units.end(), unit); }

bool has_submission(std::int64_t submission) {
    if (!scope.submissions_loaded) {
        for (std::int64_t id : id_array(scope.submission_ids, "read")) scope.submissions.insert(id);
        scope.submissions_loaded = true;
    }
    return scope.submissions.count(submission) > 0;
}

bool has_patient(std::int64_t patient) {
    if (scope.patients_loaded) return scope.patients.count(patient) > 0;
    const auto known = scope.patient_units.find(patient);
    if (known != scope.patient_units.end()) return known->second != 0 && has_unit(known->second);
    if (scope.patient_units.size() >= kPatientLookups) {
        // Many children in one statement: take the caller's whole set once.
        for (std::int64_t id : id_array(scope.patient_ids, "read")) scope.patients.insert(id);
        scope.patients_loaded = true;
        scope.patient_units.clear();
        return scope.patients.count(patient) > 0;
    }
    bool is_null = false;
    const Datum unit = call_helper(scope.patient_unit, true, Int64GetDatum(patient), InvalidOid, is_null);
    const std::int64_t u = is_null ? 0 : DatumGetInt64(unit);
    scope.patient_units.emplace(patient, u);
    return u != 0 && has_unit(u);
}

bool has_user(Purpose purpose, std::int64_t user) {
    if (scope.user_id != 0 && user == scope.user_id && purpose != Purpose::manage) return true;
    if (purpose == Purpose::self) return false;
    const int k = purpose == Purpose::manage ? 1 : 0;
    if (!scope.users_loaded[k]) {
        for (std::int64_t id : id_array(scope.user_ids, k ? "manage" : "read")) scope.users[k].insert(id);
        scope.users_loaded[k] = true;
    }
    return scope.users[k].count(user) > 0;
}

}  // namespace

// npda._scope_all(): the caller is the audit team (or a superuser).
NPDA_FUNCTION(_scope_all) {
    refresh_scope();
    return BoolGetDatum(sees_all());
}

// npda._scope_unit(purpose, unit id): the caller may read / write the data of
// this unit, or manage its users.
NPDA_FUNCTION(_scope_unit) {
    const Purpose purpose = purpose_of(fcinfo);
    const std::int64_t unit = PG_GETARG_INT64(1);
    refresh_scope();
    return BoolGetDatum(sees_all() || (role_allows(purpose) && has_unit(unit)));
}

// npda._scope_submission(purpose, submission id): the submission is of one of
// the caller's units and the role allows the purpose.
NPDA_FUNCTION(_scope_submission) {
    const Purpose purpose = purpose_of(fcinfo);
    const std::int64_t submission = PG_GETARG_INT64(1);
    refresh_scope();
    return BoolGetDatum(sees_all() || (role_allows(purpose) && has_submission(submission)));
}

// npda._scope_patient(purpose, patient id): the child is of one of the
// caller's units and the role allows the purpose.
NPDA_FUNCTION(_scope_patient) {
    const Purpose purpose = purpose_of(fcinfo);
    const std::int64_t patient = PG_GETARG_INT64(1);
    refresh_scope();
    return BoolGetDatum(sees_all() || (role_allows(purpose) && has_patient(patient)));
}

// npda._scope_user(purpose, user id): 'self' the caller; 'read' the caller or a
// user of their units; 'manage' a user of the units they coordinate.
NPDA_FUNCTION(_scope_user) {
    const Purpose purpose = purpose_of(fcinfo);
    const std::int64_t user = PG_GETARG_INT64(1);
    refresh_scope();
    if (sees_all()) return BoolGetDatum(true);
    if (purpose == Purpose::manage && !role_allows(Purpose::manage)) return BoolGetDatum(false);
    return BoolGetDatum(has_user(purpose, user));
}

// npda._scope_caller(): npda._caller() as kept for this statement (user id,
// role, unlogged), for the triggers that run for every edit.
NPDA_FUNCTION(_scope_caller) {
    refresh_scope();
    const std::int64_t user_id = scope.user_id;
    const std::string role = scope.role_name;
    const bool unlogged = scope.unlogged;
    return npda::pg::call([&]() {
        TupleDesc desc;
        if (get_call_result_type(fcinfo, nullptr, &desc) != TYPEFUNC_COMPOSITE)
            elog(ERROR, "return type must be a row type");
        desc = BlessTupleDesc(desc);
        Datum values[3];
        bool nulls[3] = {user_id == 0, role.empty(), false};
        values[0] = Int64GetDatum(user_id);
        values[1] = role.empty()
                        ? (Datum)0
                        : PointerGetDatum(cstring_to_text_with_len(role.data(), static_cast<int>(role.size())));
        values[2] = BoolGetDatum(unlogged);
        return HeapTupleGetDatum(heap_form_tuple(desc, values, nulls));
    });
}
