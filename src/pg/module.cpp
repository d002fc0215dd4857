// Module entry: the magic block and _PG_init.
#include "postgres_headers.hpp"

extern "C" {
PG_MODULE_MAGIC;

void _PG_init(void);
PGDLLEXPORT void _PG_init(void) {
    // Nothing to set up at load time: npda keeps no shared memory and no
    // background worker (scheduling is delegated to pg_cron), so it loads
    // lazily in any backend that calls one of its functions.
}
}
