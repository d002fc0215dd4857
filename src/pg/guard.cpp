// Implementation of the entry guard's capture and raise steps.
#include <cstring>
#include <new>
#include <stdexcept>

#include "guard.hpp"

namespace npda::pg {

namespace {

void copy_text(char *dst, std::size_t size, const char *src) noexcept {
    if (!src) src = "";
    std::size_t n = std::strlen(src);
    if (n >= size) n = size - 1;
    std::memcpy(dst, src, n);
    dst[n] = '\0';
}

int sqlstate_code(const char *s) { return MAKE_SQLSTATE(s[0], s[1], s[2], s[3], s[4]); }

// A text that copy_text cut at its buffer's size may end inside a multibyte
// character; that partial character would make the message invalid in the
// database encoding (a client in another encoding then gets a conversion
// error instead of ours). Drop it. Runs outside any catch scope: pg_mbcliplen
// only walks the bytes and does not ereport.
void clip_to_character(char *text, std::size_t size) {
    const int len = static_cast<int>(strnlen(text, size));
    text[pg_mbcliplen(text, len, len)] = '\0';
}

}  // namespace

void capture_current_exception(CaughtError &caught) noexcept {
    try {
        throw;
    } catch (const PgError &e) {
        caught.kind = CaughtError::kPostgres;
        caught.edata = e.edata();
    } catch (const Error &e) {
        caught.kind = CaughtError::kProject;
        copy_text(caught.sqlstate, sizeof caught.sqlstate, e.sqlstate());
        copy_text(caught.message, sizeof caught.message, e.message().c_str());
        copy_text(caught.detail, sizeof caught.detail, e.detail().c_str());
        copy_text(caught.hint, sizeof caught.hint, e.hint().c_str());
    } catch (const Interrupted &) {
        caught.kind = CaughtError::kInterrupted;
    } catch (const std::bad_alloc &) {
        caught.kind = CaughtError::kOutOfMemory;
    } catch (const std::exception &e) {
        caught.kind = CaughtError::kInternal;
        copy_text(caught.sqlstate, sizeof caught.sqlstate, sqlstate::kInternal);
        copy_text(caught.message, sizeof caught.message, e.what());
    } catch (...) {
        caught.kind = CaughtError::kUnknown;
        copy_text(caught.sqlstate, sizeof caught.sqlstate, sqlstate::kUnknownException);
    }
}

void raise_caught(CaughtError &caught) {
    clip_to_character(caught.message, sizeof caught.message);
    clip_to_character(caught.detail, sizeof caught.detail);
    clip_to_character(caught.hint, sizeof caught.hint);
    switch (caught.kind) {
        case CaughtError::kPostgres: ReThrowError(caught.edata);
        case CaughtError::kInterrupted:
            // Let PostgreSQL report the cancel or termination it has pending.
            // The C++ work is already unwound and cannot resume, so if
            // PostgreSQL chose not to act on it after all, the statement still
            // ends as cancelled.
            CHECK_FOR_INTERRUPTS();
            ereport(ERROR, (errcode(ERRCODE_QUERY_CANCELED), errmsg("canceling statement due to user request")));
        case CaughtError::kOutOfMemory:
            ereport(ERROR, (errcode(ERRCODE_OUT_OF_MEMORY), errmsg("out of memory in npda"),
                            errdetail("A C++ allocation failed.")));
        case CaughtError::kProject:
            ereport(ERROR, (errcode(sqlstate_code(caught.sqlstate)), errmsg("%s", caught.message),
                            caught.detail[0] ? errdetail("%s", caught.detail) : 0,
                            caught.hint[0] ? errhint("%s", caught.hint) : 0));
        case CaughtError::kInternal:
            ereport(
                ERROR,
                (errcode(sqlstate_code(caught.sqlstate)), errmsg("internal error in npda: %s", caught.message),
                 errhint("This is a bug in the npda extension; please report it with the statement that caused it.")));
        case CaughtError::kUnknown:
        case CaughtError::kNone: break;
    }
    ereport(ERROR,
            (errcode(sqlstate_code(sqlstate::kUnknownException)),
             errmsg("internal error in npda: unknown C++ exception"),
             errhint("This is a bug in the npda extension; please report it with the statement that caused it.")));
}

void throw_if_interrupt_pending(void *) {
    // Only a cancel or a termination stops the core's work. Other interrupts
    // (barriers, timeouts PostgreSQL handles without an error) wait for the
    // next call into PostgreSQL, which processes them; stopping for them
    // would abandon a submission for nothing. Reading these flags is a plain
    // load of volatile variables and cannot error.
    if (InterruptPending && (QueryCancelPending || ProcDiePending) && INTERRUPTS_CAN_BE_PROCESSED())
        throw Interrupted();
}

}  // namespace npda::pg
