# npda — PGXS build of the extension, plus the project's front doors:
#   make demo   create the extension in a throwaway cluster and show it working
#   make test   every test: C++ unit (plain and sanitized), fuzz, repository checks,
#               pg_regress, isolation, upgrade and dump/restore, pgTAP
#   make bench  the performance benchmarks (docs/benchmarks.md); make bench-memory
#               runs only its memory step
#   make fuzz   every libFuzzer harness for a while, keeping new corpus entries
#               (docs/fuzzing.md)
# They install what they need (Debian packages, the extension) and start and
# stop their own PostgreSQL cluster; see tools/npda-env.sh.
#
# Plain `make` / `make install` build against PostgreSQL 15 (the only major npda
# supports), found through PG_CONFIG. Warnings are errors; `make NPDA_WERROR=0`
# keeps them warnings (tools/cxx-warnings.txt).

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
# The warning set is shared with CMakeLists.txt: tools/cxx-warnings.txt.
# -Werror unless NPDA_WERROR=0 (for packagers on a newer compiler).
NPDA_WERROR ?= 1
NPDA_WARNINGS := $(shell grep '^-' tools/cxx-warnings.txt)
ifeq ($(filter 0 OFF off no false,$(NPDA_WERROR)),)
NPDA_WARNINGS += -Werror
endif
# C++17; -isystem keeps PostgreSQL's own headers out of our warnings.
PG_CPPFLAGS = -isystem $(SERVER_INCLUDE) -Isrc/core -Isrc/pg \
	'-DPGDLLEXPORT=__attribute__((visibility("default")))'
PG_CXXFLAGS = -std=c++17 $(NPDA_WARNINGS) \
	-fvisibility=hidden -fvisibility-inlines-hidden -MMD -MP
SHLIB_LINK += -lstdc++
EXTRA_CLEAN = $(OBJS:.o=.d) results regression.diffs regression.out output_iso

# Debian's PostgreSQL is built with LLVM JIT, which would also compile every
# .cpp to bitcode with clang's default (C++14) dialect; our functions gain
# nothing from inlining into JIT code, so skip the bitcode.
override with_llvm = no

# Stop at once on a PostgreSQL that npda does not support, or without the server
# development files. make demo, test and bench need neither: they install
# PostgreSQL 15 and build against it themselves.
NPDA_PG_MAJORS = 15
NPDA_PG_VERSION := $(shell $(PG_CONFIG) --version 2>/dev/null)
NPDA_PG_MAJOR := $(shell echo '$(NPDA_PG_VERSION)' | sed -n 's/^PostgreSQL \([0-9][0-9]*\).*/\1/p')
PGXS := $(wildcard $(shell $(PG_CONFIG) --pgxs 2>/dev/null))
NPDA_OTHER_GOALS := $(filter-out demo test bench bench-memory fuzz,$(or $(MAKECMDGOALS),all))
ifneq ($(and $(PGXS),$(filter $(NPDA_PG_MAJORS),$(NPDA_PG_MAJOR))),)
include $(PGXS)
else ifeq ($(NPDA_OTHER_GOALS),)
# only front doors: nothing to check here
else ifeq ($(NPDA_PG_MAJOR),)
$(error PG_CONFIG=$(PG_CONFIG) does not run: install PostgreSQL 15 and its server development files (apt-get install postgresql-server-dev-15), or run "make test" or "make demo", which install them)
else ifeq ($(filter $(NPDA_PG_MAJORS),$(NPDA_PG_MAJOR)),)
$(error PG_CONFIG=$(PG_CONFIG) is $(NPDA_PG_VERSION); npda supports PostgreSQL $(NPDA_PG_MAJORS) only: point PG_CONFIG at PostgreSQL 15's pg_config, e.g. make PG_CONFIG=/usr/lib/postgresql/15/bin/pg_config)
else
$(error PostgreSQL $(NPDA_PG_MAJOR) server development files not found (PG_CONFIG=$(PG_CONFIG) gives no PGXS makefile): apt-get install postgresql-server-dev-15, or run "make test" or "make demo", which install them)
endif

-include $(OBJS:.o=.d)
# A changed warning set rebuilds everything.
$(OBJS): tools/cxx-warnings.txt

$(SQL_SCRIPTS): sql-scripts.stamp
sql-scripts.stamp: $(SQL_SOURCES)
	bash tools/build-sql.sh . >/dev/null
	touch $@
EXTRA_CLEAN += sql-scripts.stamp

.PHONY: demo test bench bench-memory fuzz unit-tests
demo:
	@bash tools/demo.sh
test:
	@bash tools/run-tests.sh
bench:
	@bash tools/bench.sh
bench-memory:
	@NPDA_BENCH_ONLY=memory bash tools/bench.sh
fuzz:
	@bash tools/fuzz.sh
