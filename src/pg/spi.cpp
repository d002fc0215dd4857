// Guarded SPI helpers.
#include "spi.hpp"

#include <vector>

namespace npda::pg {

SpiConnection::SpiConnection() {
    call([]() {
        if (SPI_connect() != SPI_OK_CONNECT) elog(ERROR, "SPI_connect failed");
    });
    connected_ = true;
}

void SpiConnection::finish() {
    if (!connected_) return;
    connected_ = false;
    call([]() { SPI_finish(); });
}

std::uint64_t spi_execute(const char *sql, std::initializer_list<SpiArg> args, bool read_only) {
    // Plain arrays sized for our statements: nothing with a destructor may be
    // created inside the PG_TRY below.
    constexpr int kMaxArgs = 80;
    Oid types[kMaxArgs];
    Datum values[kMaxArgs];
    char nulls[kMaxArgs];
    int n = 0;
    for (const SpiArg &a : args) {
        if (n == kMaxArgs) throw std::length_error("too many SPI arguments");
        types[n] = a.type;
        values[n] = a.value;
        nulls[n] = a.is_null ? 'n' : ' ';
        ++n;
    }
    const int rc = call([&]() {
        int r = SPI_execute_with_args(sql, n, types, values, nulls, read_only, 0);
        if (r < 0) elog(ERROR, "SPI_execute_with_args failed (%d) for: %s", r, sql);
        return r;
    });
    (void)rc;
    return SPI_processed;
}

Datum spi_value(std::uint64_t row, int col, bool &is_null) {
    bool isnull = false;
    Datum d = call([&]() { return SPI_getbinval(SPI_tuptable->vals[row], SPI_tuptable->tupdesc, col, &isnull); });
    is_null = isnull;
    return d;
}

std::int64_t spi_int64(std::uint64_t row, int col) {
    bool isnull = false;
    Datum d = spi_value(row, col, isnull);
    if (isnull) throw std::logic_error("unexpected NULL in SPI result");
    return DatumGetInt64(d);
}

}  // namespace npda::pg
