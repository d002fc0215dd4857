// The row policies' scope and who the caller is (sql/70_access.sql,
// docs/access.md section 3): npda._caller(), npda._scope_all, _scope_unit,
// _scope_submission, _scope_patient, _scope_user, and the statement trigger
// npda._scope_changed. The person an application acts for is kept in
// access.cpp.
#include <algorithm>
#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "access.hpp"
#include "guard.hpp"
#include "spi.hpp"

// ---- the row policies' scope ---------------------------------------------------
//
// The row policies (sql/70_access.sql) ask, row by row, whether the caller may
// read or write the row's unit, submission, child or user:
// npda._scope_unit(purpose, unit id), _scope_submission, _scope_patient,
// _scope_user. What they need is worked out here and kept:
//   - who the caller is (npda._caller(): their npda user, role and units),
//     once per top-level statement: the policies of an UPDATE and the
//     triggers it fires share one answer. It is worked out again when a
//     statement changes npda.npda_user or npda.organisation_employer (their
//     statement triggers call npda._scope_changed()) or a role or role
//     membership changes (a catalogue invalidation), and when the outer role
//     or the acting person changes;
//   - per command (transaction and command counter), since rows may change
//     from one command to the next: the submissions of the caller's units
//     (few), and children, looked up one at a time while a statement touches
//     few -- one visit edit needs one lookup -- and, from the 17th child on,
//     the whole set of the caller's children (npda._caller_patient_ids) so
//     that a scan costs a hash probe per row.
// Nothing is kept across statements: a new submission, a changed role or a
// removed employment counts from the next statement on (and, when this
// session makes the change, from the next command).
//
// The caller and a child's unit are read here with SPI, as the owner of
// npda's tables (which row security does not restrict, as for a SECURITY
// DEFINER function) and with search_path pinned to pg_catalog: every name in
// these queries is schema-qualified, operators included, and nothing of the
// caller's search_path is looked at.
namespace {

enum class Purpose { read, write, manage, self };
enum class NpdaRole { none, reader, editor, coordinator, analyst, audit_team };

// Top-level statements: counted when the executor starts outside any other
// executor run (a statement's functions and triggers run inside its own).
std::uint64_t statement_serial = 0;
int executor_depth = 0;
// Changes that can change who someone is: users, employments, roles.
std::uint64_t identity_generation = 0;

ExecutorStart_hook_type prev_executor_start = nullptr;
ExecutorRun_hook_type prev_executor_run = nullptr;
ExecutorFinish_hook_type prev_executor_finish = nullptr;

// Executor hooks: called by PostgreSQL's C code, never throw.
void count_statement(QueryDesc *query, int eflags) {
    if (executor_depth == 0) ++statement_serial;
    if (prev_executor_start)
        prev_executor_start(query, eflags);
    else
        standard_ExecutorStart(query, eflags);
}

void run_nested(QueryDesc *query, ScanDirection direction, uint64 count, bool execute_once) {
    ++executor_depth;
    // clang-format off
    PG_TRY();
    {
        if (prev_executor_run)
            prev_executor_run(query, direction, count, execute_once);
        else
            standard_ExecutorRun(query, direction, count, execute_once);
    }
    PG_FINALLY();
    {
        --executor_depth;
    }
    PG_END_TRY();
    // clang-format on
}

void finish_nested(QueryDesc *query) {
    ++executor_depth;
    // clang-format off
    PG_TRY();
    {
        if (prev_executor_finish)
            prev_executor_finish(query);
        else
            standard_ExecutorFinish(query);
    }
    PG_FINALLY();
    {
        --executor_depth;
    }
    PG_END_TRY();
    // clang-format on
}

// A role's attributes (superuser) or memberships (npda_audit_team, the
// groups) changed, here or in another session.
void roles_changed(Datum, int, uint32) { ++identity_generation; }

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
    std::uint64_t statement = 0;
    std::uint64_t generation = 0;
    Oid outer = InvalidOid;
    std::int64_t acting = 0;
    Oid owner = InvalidOid;  // of npda's tables, looked up once per transaction

    MemoryContext memory = nullptr;  // FmgrInfos of the helpers, reset with the scope
    Helper submission_ids{"npda._caller_submission_ids(pg_catalog.text)"};
    Helper patient_ids{"npda._caller_patient_ids(pg_catalog.text)"};
    Helper user_ids{"npda._caller_user_ids(pg_catalog.text)"};

    // Who is calling (per statement).
    std::int64_t user_id = 0;
    NpdaRole role = NpdaRole::none;
    std::string role_name;
    bool unlogged = false;
    std::vector<std::int64_t> units;  // sorted

    // What the caller may see (per command).
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

// The roles confined to the units they are employed at.
bool has_units(NpdaRole r) { return r == NpdaRole::reader || r == NpdaRole::editor || r == NpdaRole::coordinator; }

// Whether the caller's role allows the purpose at all (on their own units).
bool role_allows(Purpose purpose) {
    switch (purpose) {
        case Purpose::read: return has_units(scope.role);
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

// The owner of npda's tables (the extension's owner).
Oid table_owner() {
    return npda::pg::call([]() {
        const Oid table = get_relname_relid("npda_user", get_namespace_oid("npda", false));
        HeapTuple tuple = OidIsValid(table) ? SearchSysCache1(RELOID, ObjectIdGetDatum(table)) : nullptr;
        if (!HeapTupleIsValid(tuple)) elog(ERROR, "npda.npda_user is missing");
        const Oid owner = reinterpret_cast<Form_pg_class>(GETSTRUCT(tuple))->relowner;
        ReleaseSysCache(tuple);
        return owner;
    });
}

// For its lifetime: SPI connected, the current user the owner of npda's
// tables, search_path = pg_catalog, pg_temp (what a SECURITY DEFINER function
// of npda does with its SET clause). If an exception unwinds past it the
// transaction aborts, and PostgreSQL's abort restores the user, the setting
// and the SPI stack; the destructor restores the first two at once anyway.
class AsTableOwner {
public:
    explicit AsTableOwner(Oid owner) : spi_() {
        GetUserIdAndSecContext(&user_, &context_);
        SetUserIdAndSecContext(owner, context_ | SECURITY_LOCAL_USERID_CHANGE);
        switched_ = true;
        nest_ = npda::pg::call([]() {
            const int nest = NewGUCNestLevel();
            (void)set_config_option("search_path", "pg_catalog, pg_temp", PGC_USERSET, PGC_S_SESSION, GUC_ACTION_SAVE,
                                    true, 0, false);
            return nest;
        });
    }
    void finish() {
        restore();
        spi_.finish();
    }
    ~AsTableOwner() { restore(); }
    AsTableOwner(const AsTableOwner &) = delete;
    AsTableOwner &operator=(const AsTableOwner &) = delete;

private:
    void restore() {
        if (nest_ > 0) AtEOXact_GUC(true, nest_);
        nest_ = 0;
        if (switched_) SetUserIdAndSecContext(user_, context_);
        switched_ = false;
    }
    npda::pg::SpiConnection spi_;
    Oid user_ = InvalidOid;
    int context_ = 0;
    int nest_ = 0;
    bool switched_ = false;
};

// Who is calling (the rule in docs/access.md, section 3): fills the caller's
// part of the scope.
void load_identity(Oid outer) {
    static npda::pg::KeptPlan by_id(
        "SELECT u.id, u.role, (SELECT pg_catalog.array_agg(e.paediatric_diabetes_unit_id) "
        "FROM npda.organisation_employer e WHERE e.npda_user_id OPERATOR(pg_catalog.=) u.id) "
        "FROM npda.npda_user u WHERE u.id OPERATOR(pg_catalog.=) $1 AND u.is_active");
    static npda::pg::KeptPlan by_login(
        "SELECT u.id, u.role, (SELECT pg_catalog.array_agg(e.paediatric_diabetes_unit_id) "
        "FROM npda.organisation_employer e WHERE e.npda_user_id OPERATOR(pg_catalog.=) u.id) "
        "FROM npda.npda_user u WHERE u.db_role OPERATOR(pg_catalog.=) $1 AND u.is_active");
    static npda::pg::KeptPlan any_by_login(
        "SELECT FROM npda.npda_user u WHERE u.db_role OPERATOR(pg_catalog.=) $1");

    scope.user_id = 0;
    scope.role = NpdaRole::none;
    scope.role_name.clear();
    scope.unlogged = false;
    scope.units.clear();
    if (scope.owner == InvalidOid) scope.owner = table_owner();

    const std::int64_t acting = npda::pg::acting_user_id();
    Datum login = 0;
    bool superuser = false;
    if (acting == 0)
        npda::pg::call([&]() {
            login = DirectFunctionCall1(namein, CStringGetDatum(GetUserNameFromId(outer, false)));
            superuser = superuser_arg(outer);
            return 0;
        });
    AsTableOwner as_owner(scope.owner);
    const std::uint64_t found = acting != 0
                                    ? npda::pg::spi_execute_plan(by_id, {{INT8OID, Int64GetDatum(acting)}}, true)
                                    : npda::pg::spi_execute_plan(by_login, {{NAMEOID, login}}, true);
    if (found > 0) {
        scope.user_id = npda::pg::spi_int64(0, 1);
        scope.role_name = npda::pg::spi_text(0, 2);
        scope.role = role_of(scope.role_name);
        bool no_units = false;
        const Datum units = npda::pg::spi_value(0, 3, no_units);
        if (!no_units && has_units(scope.role)) scope.units = int8_elements(units);
    }
    if (acting == 0) {
        if (superuser) {
            // A superuser may do everything; unmapped, it is maintenance
            // (pg_restore, DBA work), which the activity log leaves to
            // PostgreSQL's own logging.
            scope.role_name = "audit_team";
            scope.units.clear();
            scope.unlogged = scope.user_id == 0;
        } else if (found == 0 && npda::pg::spi_execute_plan(any_by_login, {{NAMEOID, login}}, true) == 0 &&
                   npda::pg::call([outer]() {
                       const Oid team = get_role_oid("npda_audit_team", true);
                       return OidIsValid(team) && is_member_of_role(outer, team);
                   })) {
            // A login of the audit team that is no npda user.
            scope.role_name = "audit_team";
        }
        scope.role = role_of(scope.role_name);
    }
    as_owner.finish();
    std::sort(scope.units.begin(), scope.units.end());
}

// The unit whose submission holds a child, or 0 when there is no such child.
std::int64_t unit_of_child(std::int64_t patient) {
    static npda::pg::KeptPlan plan(
        "SELECT s.paediatric_diabetes_unit_id FROM npda.patient p "
        "JOIN npda.submission s ON s.id OPERATOR(pg_catalog.=) p.submission_id "
        "WHERE p.id OPERATOR(pg_catalog.=) $1");
    if (scope.owner == InvalidOid) scope.owner = table_owner();
    AsTableOwner as_owner(scope.owner);
    const std::int64_t unit =
        npda::pg::spi_execute_plan(plan, {{INT8OID, Int64GetDatum(patient)}}, true) > 0 ? npda::pg::spi_int64(0, 1) : 0;
    as_owner.finish();
    return unit;
}

// Bring the scope up to date for this statement, command and caller.
void refresh_scope() {
    const LocalTransactionId lxid = MyProc->lxid;
    const CommandId cid = GetCurrentCommandId(false);
    const Oid outer = GetOuterUserId();
    const bool same_caller = scope.valid && scope.lxid == lxid && scope.statement == statement_serial &&
                             scope.generation == identity_generation && scope.outer == outer &&
                             scope.acting == npda::pg::acting_user_id();
    if (same_caller && scope.cid == cid) return;
    const bool same_transaction = scope.valid && scope.lxid == lxid;
    scope.valid = false;
    if (!same_transaction || !scope.memory) {
        // The helpers' FmgrInfos (and the SQL functions' plans hanging from
        // them) and the owner last one transaction: the extension may be
        // re-created.
        if (!scope.memory)
            scope.memory = npda::pg::call([]() {
                return AllocSetContextCreate(TopMemoryContext, "npda access scope", ALLOCSET_SMALL_SIZES);
            });
        else
            npda::pg::call([]() { MemoryContextReset(scope.memory); });
        for (Helper *h : {&scope.submission_ids, &scope.patient_ids, &scope.user_ids}) h->finfo = nullptr;
        scope.owner = InvalidOid;
    }
    scope.submissions_loaded = false;
    scope.submissions.clear();
    scope.patients_loaded = false;
    scope.patients.clear();
    scope.patient_units.clear();
    scope.users_loaded[0] = scope.users_loaded[1] = false;
    scope.users[0].clear();
    scope.users[1].clear();
    // Read before the lookup: a change it causes counts for the next one.
    const std::uint64_t statement = statement_serial, generation = identity_generation;
    if (!same_caller) load_identity(outer);
    scope.lxid = lxid;
    scope.cid = cid;
    scope.statement = statement;
    scope.generation = generation;
    scope.outer = outer;
    scope.acting = npda::pg::acting_user_id();
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
    const std::int64_t u = unit_of_child(patient);
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

namespace npda::pg {

void register_scope_hooks() {
    prev_executor_start = ExecutorStart_hook;
    ExecutorStart_hook = count_statement;
    prev_executor_run = ExecutorRun_hook;
    ExecutorRun_hook = run_nested;
    prev_executor_finish = ExecutorFinish_hook;
    ExecutorFinish_hook = finish_nested;
    CacheRegisterSyscacheCallback(AUTHOID, roles_changed, (Datum)0);
    CacheRegisterSyscacheCallback(AUTHMEMROLEMEM, roles_changed, (Datum)0);
}

}  // namespace npda::pg

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

// npda._caller(): who is calling (user id, role, unlogged, units), as worked
// out for this statement. SQL functions ask it; the policies read the same
// answer from memory.
NPDA_FUNCTION(_caller) {
    refresh_scope();
    const std::int64_t user_id = scope.user_id;
    const std::string role = scope.role_name;
    const bool unlogged = scope.unlogged;
    const std::vector<std::int64_t> units = scope.units;
    return npda::pg::call([&]() {
        TupleDesc desc;
        if (get_call_result_type(fcinfo, nullptr, &desc) != TYPEFUNC_COMPOSITE)
            elog(ERROR, "return type must be a row type");
        desc = BlessTupleDesc(desc);
        Datum *elems = static_cast<Datum *>(palloc(sizeof(Datum) * (units.size() + 1)));
        for (std::size_t i = 0; i < units.size(); ++i) elems[i] = Int64GetDatum(units[i]);
        Datum values[4];
        bool nulls[4] = {user_id == 0, role.empty(), false, false};
        values[0] = Int64GetDatum(user_id);
        values[1] = role.empty()
                        ? (Datum)0
                        : PointerGetDatum(cstring_to_text_with_len(role.data(), static_cast<int>(role.size())));
        values[2] = BoolGetDatum(unlogged);
        values[3] = PointerGetDatum(construct_array(elems, static_cast<int>(units.size()), INT8OID, 8,
                                                    FLOAT8PASSBYVAL, TYPALIGN_DOUBLE));
        return HeapTupleGetDatum(heap_form_tuple(desc, values, nulls));
    });
}

// npda._scope_changed(): statement trigger on npda.npda_user and
// npda.organisation_employer: who someone is may have changed, so the next
// check works the caller out again.
NPDA_FUNCTION(_scope_changed) {
    if (!CALLED_AS_TRIGGER(fcinfo))
        throw npda::Error(npda::sqlstate::kInvalidArgument, "npda._scope_changed() is a trigger function");
    ++identity_generation;
    return PointerGetDatum(nullptr);
}
