# npda — PGXS build of the extension, plus the project's two front doors:
#   make demo   create the extension in a throwaway cluster and show it working
#   make test   every test: C++ unit (plain and sanitized), fuzz, pg_regress, isolation, pgTAP
# Both install what they need (Debian packages, the extension) and start and
# stop their own PostgreSQL cluster; see tools/npda-cluster.sh.

EXTENSION = npda
EXTVERSION = $(shell sed -n "s/^default_version *= *'\(.*\)'/\1/p" npda.control)
PG_CONFIG ?= $(firstword $(wildcard /usr/lib/postgresql/15/bin/pg_config) pg_config)

MODULE_big = npda
CORE_SRCS = $(sort $(wildcard src/core/*.cpp src/core/*/*.cpp))
PG_SRCS = $(sort $(wildcard src/pg/*.cpp))
OBJS = $(CORE_SRCS:.cpp=.o) $(PG_SRCS:.cpp=.o)

# The SQL scripts (the fresh install of the default version and one update
# script from every earlier release) are assembled by tools/build-sql.sh from
# migrations/<version>/ and seeds/ (tables and data, append-only) and sql/ (the
# current definitions); see sql/README.md and migrations/README.md.
SQL_SCRIPTS := $(shell bash tools/build-sql.sh --list)
SQL_SOURCES := $(wildcard sql/*.sql seeds/*.sql migrations/*.sql migrations/*/*.sql) npda.control tools/build-sql.sh
DATA_built = $(SQL_SCRIPTS)

# pg_regress: SQL in test/sql, expected output in the top-level expected/.
REGRESS = $(sort $(notdir $(basename $(wildcard test/sql/*.sql))))
REGRESS_OPTS = --inputdir=test --load-extension=postgis --load-extension=npda
# Isolation: specs in test/specs, expected output in test/expected/.
ISOLATION = $(sort $(notdir $(basename $(wildcard test/specs/*.spec))))
ISOLATION_OPTS = --inputdir=test --load-extension=postgis --load-extension=npda

SERVER_INCLUDE := $(shell $(PG_CONFIG) --includedir-server 2>/dev/null)
# C++17; -isystem keeps PostgreSQL's own headers out of -Werror; -Wno-register
# because PostgreSQL 15 headers still use `register`.
PG_CPPFLAGS = -isystem $(SERVER_INCLUDE) -Isrc/core -Isrc/pg \
	'-DPGDLLEXPORT=__attribute__((visibility("default")))'
PG_CXXFLAGS = -std=c++17 -Wall -Wextra -Werror -Wno-register -Wno-missing-field-initializers \
	-fvisibility=hidden -fvisibility-inlines-hidden -MMD -MP
SHLIB_LINK += -lstdc++
EXTRA_CLEAN = $(OBJS:.o=.d) results regression.diffs regression.out output_iso

# Debian's PostgreSQL is built with LLVM JIT, which would also compile every
# .cpp to bitcode with clang's default (C++14) dialect; our functions gain
# nothing from inlining into JIT code, so skip the bitcode.
override with_llvm = no

PGXS := $(shell $(PG_CONFIG) --pgxs 2>/dev/null)
ifneq ($(PGXS),)
include $(PGXS)
else ifeq ($(filter demo test bench,$(MAKECMDGOALS)),)
$(error PostgreSQL 15 server development files not found: run "make test" or "make demo" (they install them), or apt-get install postgresql-server-dev-15)
endif

-include $(OBJS:.o=.d)

$(SQL_SCRIPTS): sql-scripts.stamp
sql-scripts.stamp: $(SQL_SOURCES)
	bash tools/build-sql.sh . >/dev/null
	touch $@
EXTRA_CLEAN += sql-scripts.stamp

.PHONY: demo test bench unit-tests
demo:
	@bash tools/demo.sh
test:
	@bash tools/run-tests.sh
bench:
	@bash tools/bench.sh
