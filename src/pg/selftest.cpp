// npda._guard_selftest(kind): proves both directions of the error boundary
// from SQL (test/sql/error_boundary.sql): each kind raises one sort of failure
// inside guarded C++ code, and the test checks the SQLSTATE that arrives.
#include <cstring>
#include <new>
#include <stdexcept>
#include <string>

#include "guard.hpp"

namespace {

struct NotAStdException {
    int code;
};

}  // namespace

NPDA_FUNCTION(_guard_selftest) {
    text *arg = npda::pg::call([fcinfo]() { return PG_GETARG_TEXT_PP(0); });
    const std::string kind(VARDATA_ANY(arg), VARSIZE_ANY_EXHDR(arg));
    // A C++ object with a destructor is alive in this frame for every kind, so
    // the test also shows that each path unwinds it before PostgreSQL longjmps.
    if (kind == "ok") {
        return npda::pg::call([]() { return PointerGetDatum(cstring_to_text("ok")); });
    } else if (kind == "npda_error") {
        throw npda::Error(npda::sqlstate::kInvalidArgument, "self-test project error",
                          "Raised on purpose by npda._guard_selftest.", "Nothing is wrong.");
    } else if (kind == "std_exception") {
        throw std::runtime_error("self-test std::runtime_error");
    } else if (kind == "bad_alloc") {
        throw std::bad_alloc();
    } else if (kind == "unknown") {
        throw NotAStdException{42};
    } else if (kind == "pg_error") {
        // A PostgreSQL input error raised inside C++: must arrive as 22P02.
        npda::pg::call([]() { return DirectFunctionCall1(int4in, CStringGetDatum("abc")); });
        return (Datum)0;
    } else if (kind == "interrupt") {
        // A query cancel arriving while a core loop runs: set the flags a
        // SIGINT would set, let the core's interrupt hook notice them, and
        // leave the guard to have PostgreSQL report the cancel (57014).
        QueryCancelPending = true;
        InterruptPending = true;
        npda::pg::interrupt_hook()();
        return npda::pg::call([]() { return PointerGetDatum(cstring_to_text("not interrupted")); });
    }
    throw npda::Error(npda::sqlstate::kInvalidArgument, "unknown self-test kind \"" + kind + "\"", "",
                      "Use ok, npda_error, std_exception, bad_alloc, unknown, pg_error or interrupt.");
}
