# riffq — build, test, demo. Every target installs what it needs, so a fresh
# clone on a fresh Debian 12 machine only needs `make demo` or `make test`.
SHELL := /bin/bash
PY ?= python3
VENV := .venv
VPY := $(VENV)/bin/python
# build-essential/python3-dev/python3-venv: a fresh Debian has neither a C
# compiler, Python.h nor ensurepip.
APT_PKGS := build-essential python3-dev python3-venv libuv1-dev libpg-query-dev libssl-dev \
            postgresql postgresql-client openssl pkg-config
# duckdb stays below 2: DuckDB 2 renamed fetch_record_batch, which users' code
# (the seed example) calls. pglast: catalog emulation's SQL parser.
# sqlparse/pygments: upstream's query-proxy tests. sqlalchemy: catalog tests.
PY_DEPS := 'pyarrow>=14' 'duckdb>=1.1,<2' 'pglast>=7,<9' numpy pytest 'psycopg[binary]>=3.1' \
           asyncpg polars nanoarrow pandas sqlparse pygments 'sqlalchemy>=2'
CC ?= gcc
CFLAGS_C := -std=c11 -Wall -Wextra -Werror -D_GNU_SOURCE -O1 -g -Icsrc
CORE_SRCS := $(filter-out csrc/rq_py_%.c,$(wildcard csrc/*.c))
CTEST_SRCS := $(wildcard tests/c/test_*.c)
CTEST_BINS := $(patsubst tests/c/%.c,tests/c/build/%,$(CTEST_SRCS))
CORE_LIBS := -luv -lssl -lcrypto -lpthread -l:libpg_query.a -lm
# AddressSanitizer + UBSan (make test-asan)
SAN_FLAGS := -fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer
ASAN_CTEST_BINS := $(patsubst tests/c/%.c,tests/c/build/asan/%,$(CTEST_SRCS))
ASAN_BUILD := build/asan
# libstdc++ is preloaded too: ASan resolves __cxa_throw at startup, and C++
# extensions (duckdb, pyarrow) loaded later would otherwise abort on a throw.
ASAN_ENV = LD_PRELOAD="$$($(CC) -print-file-name=libasan.so) $$($(CC) -print-file-name=libstdc++.so)" \
           ASAN_OPTIONS=detect_leaks=0:alloc_dealloc_mismatch=0 \
           UBSAN_OPTIONS=print_stacktrace=1

.PHONY: all sysdeps venv install demo test ctest pytest test-asan bench fuzz clean drivers

all: install

# System packages (Debian). Skipped when everything is already there.
sysdeps:
	@missing=""; for p in $(APT_PKGS); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "apt-get install:$$missing"; \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing) >/dev/null; \
	fi

$(VENV)/.deps: pyproject.toml Makefile | sysdeps
	$(PY) -m venv $(VENV)
	$(VPY) -m pip install -q --upgrade pip setuptools wheel
	$(VPY) -m pip install -q $(PY_DEPS)
	touch $@

venv: $(VENV)/.deps

# Editable install: the package is importable from src/ (the extension is
# built in place), with its metadata and the `riffq` console script.
$(VENV)/.installed: $(VENV)/.deps setup.py
	$(VPY) -m pip install -q --no-build-isolation --no-deps -e .
	touch $@

# build_ext --inplace only recompiles when a csrc/ file is newer than the .so.
# The last step prebuilds catalog emulation's DuckDB catalog into the user
# cache (riffq/pgcatalog/snapshot.py), so servers start with it ready.
install: $(VENV)/.installed
	PYTHONWARNINGS=ignore $(VPY) setup.py -q build_ext --inplace >/dev/null
	$(VPY) -m compileall -q src/riffq >/dev/null
	$(VPY) -m riffq.pgcatalog.snapshot >/dev/null

data/klines.parquet certs/server.crt: | venv
	$(VPY) scripts/gen_demo_data.py

demo: install data/klines.parquet certs/server.crt
	@echo 'connect with: psql "host=127.0.0.1 port=5433 user=user password=secret sslmode=require"'
	cd $(CURDIR) && $(VPY) examples/seed_server.py

tests/c/build/%: tests/c/%.c $(CORE_SRCS) $(wildcard csrc/*.h) | sysdeps
	@mkdir -p tests/c/build
	$(CC) $(CFLAGS_C) -o $@ $< $(CORE_SRCS) $(CORE_LIBS)

tests/c/build/asan/%: tests/c/%.c $(CORE_SRCS) $(wildcard csrc/*.h) | sysdeps
	@mkdir -p tests/c/build/asan
	$(CC) $(CFLAGS_C) $(SAN_FLAGS) -o $@ $< $(CORE_SRCS) $(CORE_LIBS)

# Each C test gets at most CTEST_TIMEOUT seconds, so a hang cannot eat CI.
CTEST_TIMEOUT ?= 600
ctest: $(CTEST_BINS)
	@rc=0; for t in $(CTEST_BINS); do echo "== $$t"; \
	  timeout $(CTEST_TIMEOUT) $$t || { echo "FAILED: $$t (exit $$?)"; rc=1; }; done; exit $$rc

pytest: install drivers
	$(VPY) -m pytest -q tests

# Tools of the driver tests (tests/test_drivers.py): Maven and a JDK for
# pgjdbc, Node.js and npm for node-postgres, pg8000 in .venv; psqlODBC,
# unixODBC and pyodbc for the catalog tests. Looked up as
# commands: NodeSource's nodejs bundles npm and conflicts with Debian's npm
# package. The drivers themselves are fetched by the tests, once (Maven into
# .cache/m2, npm ci into tests/drivers/node/node_modules).
DRIVER_PY := pg8000==1.31.6 pyodbc==5.5.0
# psqlODBC (the PostgreSQL ODBC driver) under unixODBC, for tests/test_catalog_clients.py
DRIVER_APT := odbc-postgresql unixodbc
drivers: | venv
	@missing=""; \
	command -v mvn >/dev/null || missing="$$missing maven"; \
	command -v javac >/dev/null || missing="$$missing default-jdk-headless"; \
	command -v node >/dev/null || missing="$$missing nodejs"; \
	command -v npm >/dev/null || missing="$$missing npm"; \
	for p in $(DRIVER_APT); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "apt-get install:$$missing"; \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing) >/dev/null; \
	fi
	@$(VPY) -c "import pg8000, pyodbc" 2>/dev/null || $(VPY) -m pip install -q $(DRIVER_PY)

# Both suites run even when the first fails; the exit status reports either.
test:
	@rc=0; $(MAKE) --no-print-directory ctest || rc=1; \
	$(MAKE) --no-print-directory pytest || rc=1; exit $$rc

# The extension built with ASan+UBSan into build/asan (next to a copy of the
# Python sources), imported first through PYTHONPATH; libasan is preloaded
# because python itself is not instrumented. Plus the C tests, sanitized.
test-asan: venv $(ASAN_CTEST_BINS)
	@rc=0; for t in $(ASAN_CTEST_BINS); do echo "== $$t"; \
	  ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 timeout $(CTEST_TIMEOUT) $$t \
	  || { echo "FAILED: $$t"; rc=1; }; done; \
	RIFFQ_SANITIZE=address,undefined PYTHONWARNINGS=ignore $(VPY) setup.py -q build_ext \
	  --build-lib $(ASAN_BUILD)/lib --build-temp $(ASAN_BUILD)/tmp >/dev/null || exit 1; \
	cp src/riffq/*.py src/riffq/*.pyi src/riffq/py.typed $(ASAN_BUILD)/lib/riffq/; \
	rm -rf $(ASAN_BUILD)/lib/riffq/pgcatalog; cp -r src/riffq/pgcatalog $(ASAN_BUILD)/lib/riffq/; \
	PYTHONPATH=$(CURDIR)/$(ASAN_BUILD)/lib $(ASAN_ENV) $(VPY) -m pytest -q tests || rc=1; \
	exit $$rc

# Benchmarks (issue 8, BENCHMARKS.md): riffq vs PostgreSQL 15 and its peers.
# BENCH=quick (default: a few minutes) or BENCH=full (the published numbers:
# rewrites bench/results/ and BENCHMARKS.md's tables). Peers are installed
# into bench/.peers/, never into .venv.
BENCH ?= quick
bench: install
	bench/run.sh $(BENCH)

# libFuzzer harness of the protocol parser (clang). FUZZ_SECONDS=0 runs forever.
FUZZ_SECONDS ?= 60
fuzz: | sysdeps
	@command -v clang >/dev/null || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq clang >/dev/null)
	@mkdir -p fuzz/corpus tests/c/build
	clang -g -O1 -fsanitize=fuzzer,address,undefined -Icsrc fuzz/fuzz_proto.c csrc/rq_proto.c csrc/rq_buf.c -o tests/c/build/fuzz_proto
	tests/c/build/fuzz_proto -max_total_time=$(FUZZ_SECONDS) fuzz/corpus

clean:
	rm -rf build tests/c/build src/riffq/*.so *.egg-info src/*.egg-info $(VENV)/.installed

# ctypes harness for tests/test_encode_types.py (encoder driven by pyarrow).
tests/c/build/libriffq_harness.so: tests/c/harness_encode.c $(wildcard csrc/rq_enc*.c csrc/rq_enc*.h) csrc/rq_encode.h csrc/rq_buf.c csrc/rq_buf.h csrc/rq_float.c csrc/rq_float.h csrc/rq_datetime.c csrc/rq_datetime.h
	@mkdir -p tests/c/build
	$(CC) $(CFLAGS_C) -O2 -fPIC -shared -o $@ tests/c/harness_encode.c csrc/rq_buf.c $(wildcard csrc/rq_enc*.c) csrc/rq_float.c csrc/rq_datetime.c -lm
