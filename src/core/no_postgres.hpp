// Header firewall: every file in src/core includes this header last-but-one so
// that the pure C++ core can never be compiled together with PostgreSQL's
// headers (whose macros -- elog, Min, Max, gettext ... -- collide with the
// standard library, and whose longjmp-based errors must never meet C++ frames
// that the core assumes are unwound normally).
#pragma once
#ifdef POSTGRES_H
static_assert(false, "src/core must not include PostgreSQL headers");
#endif
