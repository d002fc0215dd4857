// The C++ / PostgreSQL error boundary (docs/architecture.md §3).
//
// PG -> C++: every SQL-callable function is a C-linkage shim that runs its C++
// body through npda::pg::guarded(). The guard catches every exception, copies
// what it needs into storage without destructors, leaves the catch scope and
// only then calls ereport(), so no C++ frame or exception object is alive when
// PostgreSQL longjmps.
//
// C++ -> PG: npda::pg::call() runs a PostgreSQL function under PG_TRY; an
// ereport(ERROR) inside becomes a C++ PgError carrying the ErrorData, which the
// guard re-throws with its own SQLSTATE and fields intact. Never throw a C++
// exception from inside call()'s lambda.
#pragma once

#include <cstddef>
#include <new>
#include <stdexcept>
#include <type_traits>
#include <utility>

#include "errors.hpp"
#include "postgres_headers.hpp"

namespace npda::pg {

// A PostgreSQL error caught by call(); edata lives in the memory context that
// was current when call() was entered.
class PgError : public std::exception {
public:
    explicit PgError(ErrorData *edata) noexcept : edata_(edata) {}
    const char *what() const noexcept override { return edata_ && edata_->message ? edata_->message : "postgres error"; }
    ErrorData *edata() const noexcept { return edata_; }

private:
    ErrorData *edata_;
};

// What an exception left behind, in plain arrays: copying into it cannot fail
// and it needs no destructor, so it may outlive the catch scope safely.
struct CaughtError {
    enum Kind { kNone, kProject, kPostgres, kInterrupted, kOutOfMemory, kInternal, kUnknown };
    Kind kind = kNone;
    char sqlstate[6] = {0};
    char message[1024] = {0};
    char detail[2048] = {0};
    char hint[1024] = {0};
    ErrorData *edata = nullptr;
};

// Fill `caught` from the exception currently being handled. Called only inside
// a catch block; uses nothing but strlcpy-style copies.
void capture_current_exception(CaughtError &caught) noexcept;

// Raise the captured error as a PostgreSQL error. Called after the catch scope
// has ended; does not return. Trims texts cut inside a multibyte character.
[[noreturn]] void raise_caught(CaughtError &caught);

// Run body() under the entry guard. body returns a Datum.
template <typename Body>
Datum guarded(Body &&body) {
    CaughtError caught;
    Datum result = (Datum)0;
    try {
        result = body();
    } catch (...) {
        capture_current_exception(caught);
    }
    if (caught.kind != CaughtError::kNone) raise_caught(caught);
    return result;
}

// Run fn() -- PostgreSQL code that may ereport(ERROR) -- and turn such an error
// into a C++ PgError. fn must not throw.
template <typename Fn>
auto call(Fn &&fn) -> decltype(fn()) {
    using Result = decltype(fn());
    MemoryContext caller_context = CurrentMemoryContext;
    ErrorData *volatile edata = nullptr;
    if constexpr (std::is_void_v<Result>) {
        // PG_TRY is a macro: keep its block as written.
        // clang-format off
        PG_TRY();
        {
            fn();
        }
        PG_CATCH();
        {
            MemoryContextSwitchTo(caller_context);
            edata = CopyErrorData();
            FlushErrorState();
        }
        PG_END_TRY();
        // clang-format on
        if (edata) throw PgError(edata);
    } else {
        // Scalars only (Datum, pointers, numbers): nothing with a destructor
        // crosses PG_TRY, and a volatile scalar survives the longjmp.
        static_assert(std::is_scalar_v<Result>, "pg::call returns scalar values only");
        volatile Result result{};
        // PG_TRY is a macro: keep its block as written.
        // clang-format off
        PG_TRY();
        {
            result = fn();
        }
        PG_CATCH();
        {
            MemoryContextSwitchTo(caller_context);
            edata = CopyErrorData();
            FlushErrorState();
        }
        PG_END_TRY();
        // clang-format on
        if (edata) throw PgError(edata);
        return result;
    }
}

// Interrupt hook for core loops: throws npda::Interrupted when PostgreSQL has
// an interrupt pending (query cancel, statement_timeout, termination). Reading
// the flag is a plain volatile load and cannot error.
void throw_if_interrupt_pending(void *unused);
inline InterruptHook interrupt_hook() { return InterruptHook{&throw_if_interrupt_pending, nullptr}; }

}  // namespace npda::pg

// Declare a SQL-callable function NAME whose C++ body is NAME_impl(fcinfo).
#define NPDA_FUNCTION(name)                                                  \
    static Datum name##_impl([[maybe_unused]] FunctionCallInfo fcinfo);      \
    extern "C" {                                                             \
    PGDLLEXPORT Datum name(PG_FUNCTION_ARGS);                                \
    PG_FUNCTION_INFO_V1(name);                                               \
    Datum name(PG_FUNCTION_ARGS) {                                           \
        return npda::pg::guarded([fcinfo]() { return name##_impl(fcinfo); }); \
    }                                                                        \
    }                                                                        \
    static Datum name##_impl([[maybe_unused]] FunctionCallInfo fcinfo)
