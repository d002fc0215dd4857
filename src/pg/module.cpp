// Module entry: the magic block and _PG_init.
#include "bulk_load.hpp"
#include "settings.hpp"
#include "postgres_headers.hpp"

extern "C" {
PG_MODULE_MAGIC;

void _PG_init(void);
PGDLLEXPORT void _PG_init(void) {
    // npda keeps no shared memory and no background worker (scheduling is
    // delegated to pg_cron), so it loads lazily in any backend that calls one
    // of its functions. The set-up: its settings, and clearing the bulk-load
    // flag at the end of every transaction (see BulkLoadScope).
    npda::pg::define_settings();
    npda::pg::register_bulk_load_reset();
}
}
