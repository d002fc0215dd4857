// Guarded SPI helpers: every call runs under pg::call, so a PostgreSQL error
// becomes a C++ PgError and unwinds our frames normally.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <string>

#include "guard.hpp"

namespace npda::pg {

// SPI_connect on construction, SPI_finish on finish(). If an exception unwinds
// past it, the transaction is about to abort and PostgreSQL's end-of-transaction
// cleanup releases the SPI stack; finishing here would be wrong, so the
// destructor does nothing.
class SpiConnection {
public:
    SpiConnection();
    void finish();
    SpiConnection(const SpiConnection &) = delete;
    SpiConnection &operator=(const SpiConnection &) = delete;

private:
    bool connected_ = false;
};

struct SpiArg {
    Oid type;
    Datum value;
    bool is_null = false;
};

// Run a statement with parameters; returns SPI_processed. Results stay in
// SPI_tuptable until the next call.
std::uint64_t spi_execute(const char *sql, std::initializer_list<SpiArg> args, bool read_only = false);

// A statement planned once per backend and kept across transactions
// (SPI_keepplan), for paths that run often: the KPI triggers plan nothing per
// edit. PostgreSQL's plan cache re-analyses a kept plan when the objects it
// uses change; the plan is prepared again if the argument types differ (an
// enum type re-created with its extension gets a new OID).
class KeptPlan {
public:
    explicit KeptPlan(std::string sql) : sql_(std::move(sql)) {}
    KeptPlan(const KeptPlan &) = delete;
    KeptPlan &operator=(const KeptPlan &) = delete;
    SPIPlanPtr get(int nargs, const Oid *types);

private:
    std::string sql_;
    SPIPlanPtr plan_ = nullptr;
    int nargs_ = -1;
    Oid types_[16] = {};
};

// Execute a kept plan; returns SPI_processed.
std::uint64_t spi_execute_plan(KeptPlan &plan, std::initializer_list<SpiArg> args, bool read_only = false);
// Open a read-only cursor on a kept plan.
Portal spi_cursor_open(KeptPlan &plan, std::initializer_list<SpiArg> args);

// Value of column `col` (1-based) of result row `row`; is_null is set.
Datum spi_value(std::uint64_t row, int col, bool &is_null);
std::int64_t spi_int64(std::uint64_t row, int col);  // throws on NULL
// A text column as a std::string; NULL reads as the empty string.
std::string spi_text(std::uint64_t row, int col);

}  // namespace npda::pg
