// SQL helpers that expose the core calendar and NHS-number rules:
// npda.audit_year(date), npda.audit_quarter(date), npda.nhs_number_is_valid(text).
#include "calendar.hpp"
#include "nhs_number.hpp"
#include "guard.hpp"

namespace {

// PostgreSQL's infinite dates have no audit year; refuse them clearly.
npda::Date finite_date(DateADT d) {
    if (DATE_NOT_FINITE(d))
        throw npda::Error(npda::sqlstate::kInvalidArgument, "infinite dates have no audit year", "",
                          "Pass a finite date.");
    return static_cast<npda::Date>(d);
}

}  // namespace

NPDA_FUNCTION(audit_year) { return Int32GetDatum(npda::audit_year(finite_date(PG_GETARG_DATEADT(0)))); }

NPDA_FUNCTION(audit_quarter) { return Int32GetDatum(npda::audit_quarter(finite_date(PG_GETARG_DATEADT(0)))); }

NPDA_FUNCTION(nhs_number_is_valid) {
    // Detoasting can error (and allocate); do it under PG_TRY before any C++
    // object exists in this frame.
    text *value = npda::pg::call([fcinfo]() { return PG_GETARG_TEXT_PP(0); });
    const std::string_view digits(VARDATA_ANY(value), VARSIZE_ANY_EXHDR(value));
    return BoolGetDatum(npda::nhs_number_is_valid(digits));
}
