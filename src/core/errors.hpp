// The project's SQLSTATE class "NP" and the exception that carries it.
//
// Core code throws npda::Error for problems a user must see (a rejected file,
// a closed audit period). The PostgreSQL entry guard turns it into an
// ereport(ERROR) with this SQLSTATE, message, detail and hint. The codes are
// listed in README.md ("Errors"); never renumber one.
#pragma once
#include <exception>
#include <string>
#include "no_postgres.hpp"

namespace npda {

namespace sqlstate {
// NP0xx: the file's structure; the whole file is rejected.
inline constexpr const char *kEmptyFile = "NP001";          // no bytes, no rows, or header only
inline constexpr const char *kNotText = "NP002";            // bytes that are not text
inline constexpr const char *kNoHeader = "NP003";           // no recognisable header row
inline constexpr const char *kMissingColumns = "NP004";     // template columns absent
inline constexpr const char *kExtraColumns = "NP005";       // columns not in the template
inline constexpr const char *kDuplicateColumns = "NP006";   // a heading appears twice
inline constexpr const char *kIdentifierColumn = "NP007";   // both, neither, or wrong for the PDU
inline constexpr const char *kMissingIdentifier = "NP008";  // data rows without an identifier
inline constexpr const char *kTooManyValues = "NP009";      // more values than headings
inline constexpr const char *kFileTooLarge = "NP010";       // a file above npda.max_file_size
// NP1xx: submission rules.
inline constexpr const char *kPduMismatch = "NP101";      // PDU Number is not the submitting PDU
inline constexpr const char *kPeriodClosed = "NP102";     // audit period closed to this user
inline constexpr const char *kUnknownPdu = "NP103";       // no such PZ code
inline constexpr const char *kUnknownPeriod = "NP104";    // no such audit period
inline constexpr const char *kInvalidArgument = "NP105";  // a function argument out of its domain
inline constexpr const char *kActiveSubmission =
    "NP106";  // an active submission cannot be deleted or truncated (SQL trigger)
inline constexpr const char *kSubmissionMoved =
    "NP111";  // a submission's PDU, period or dataset cannot change (SQL trigger)
// NP2xx: access control (users, roles, act_as, lockout; mostly raised by
// the SQL of sql/70_access.sql, listed here so the numbers stay unique).
inline constexpr const char *kNotPermitted = "NP201";      // the caller's npda role may not do this
inline constexpr const char *kNotEmployedAt = "NP202";     // a PDU the caller is not employed at
inline constexpr const char *kNotApplication = "NP203";    // act_as / record_login outside npda_application
inline constexpr const char *kUnknownUser = "NP204";       // no such user, or inactive
inline constexpr const char *kLockedOut = "NP205";         // account locked out (until the time given)
inline constexpr const char *kAlreadyActing = "NP206";     // act_as for a second person in one transaction
inline constexpr const char *kClosedPeriodData = "NP207";  // data of a closed period changed by DML
inline constexpr const char *kTruncateRefused = "NP208";   // TRUNCATE of patient data with active submissions
inline constexpr const char *kUnsuitableDbRole = "NP209";  // add_user: db_role missing or unsuitable
inline constexpr const char *kLoggedUserDelete = "NP210";  // DELETE of a user the activity log names
// NP3xx: organisation releases, NP301-NP306, raised in SQL by
// npda.apply_organisation_release (sql/25_organisation_releases.sql, docs/error-codes.md).
// NP45x: published maps (npda.kpi_map_svg, src/core/map/svg_map.hpp).
inline constexpr const char *kMapLevel = "NP450";    // a level that has no boundaries to draw
inline constexpr const char *kUnknownKpi = "NP451";  // a KPI code that is not in npda.kpi
// NP9xx: internal errors (a bug: please report).
inline constexpr const char *kInternal = "NP900";          // a C++ exception that is not npda::Error
inline constexpr const char *kUnknownException = "NP901";  // catch (...)
inline constexpr const char *kSchemaMismatch = "NP902";    // a table does not match the library's field table
}  // namespace sqlstate

// A user-facing error: SQLSTATE (5 characters), message (lower case, no final
// period), detail and hint (sentences, may be empty).
class Error : public std::exception {
public:
    Error(const char *sqlstate, std::string message, std::string detail = {}, std::string hint = {})
        : sqlstate_(sqlstate), message_(std::move(message)), detail_(std::move(detail)), hint_(std::move(hint)) {}
    const char *what() const noexcept override { return message_.c_str(); }
    const char *sqlstate() const noexcept { return sqlstate_; }
    const std::string &message() const noexcept { return message_; }
    const std::string &detail() const noexcept { return detail_; }
    const std::string &hint() const noexcept { return hint_; }

private:
    const char *sqlstate_;
    std::string message_, detail_, hint_;
};

// Thrown by long-running core loops when the host asked them to stop (a query
// cancel or backend termination noticed by the PostgreSQL layer's interrupt
// hook). The entry guard lets PostgreSQL process the pending interrupt.
class Interrupted : public std::exception {
public:
    const char *what() const noexcept override { return "interrupted"; }
};

// A hook that core loops call every few thousand items; it throws
// Interrupted when the host wants the work to stop. May be empty.
using InterruptCheck = void (*)(void *state);
struct InterruptHook {
    InterruptCheck check = nullptr;
    void *state = nullptr;
    void operator()() const {
        if (check) check(state);
    }
};

}  // namespace npda
