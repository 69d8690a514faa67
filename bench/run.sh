#!/usr/bin/env bash
# The benchmark suite's entry point (make bench [BENCH=quick|full]).
#
#   bench/run.sh [quick|full]
#
# Prepares what the suite needs, each peer in its own ignored folder under
# bench/.peers/ (never the project's .venv), builds the C drain client, runs
# bench/run.py, then writes the report and charts to bench/out/. A full run
# also publishes: bench/results/{results.json,*.png} and the tables of
# BENCHMARKS.md (between its bench:tables markers).
#
# BENCH_TARGETS=postgresql,riffq,datafusion,buenavista chooses the servers.
# datafusion-postgres-cli is compiled once (about 23 minutes on 2 cores).
set -euo pipefail
cd "$(dirname "$0")/.."

MODE=${1:-quick}
TARGETS=${BENCH_TARGETS:-postgresql,riffq,datafusion,buenavista}
PEERS=bench/.peers
OUT=bench/out
mkdir -p "$PEERS" "$OUT"

say() { echo "[bench] $*"; }
wants() { [[ ",$TARGETS," == *",$1,"* ]]; }

# Clients, data generation and charts: their own venv.
if [ ! -f "$PEERS/bench-venv/.ok" ]; then
  say "creating $PEERS/bench-venv (pyarrow, numpy, psycopg, asyncpg, matplotlib)"
  python3 -m venv "$PEERS/bench-venv"
  "$PEERS/bench-venv/bin/pip" install -q pyarrow==26.0.1 numpy==2.4.6 'psycopg[binary]==3.3.9' \
    asyncpg==0.32.0 matplotlib==3.11.2
  touch "$PEERS/bench-venv/.ok"
fi

if wants buenavista && [ ! -f "$PEERS/buenavista-venv/.ok" ]; then
  say "creating $PEERS/buenavista-venv (buenavista 0.5.0, DuckDB < 2)"
  python3 -m venv "$PEERS/buenavista-venv"
  "$PEERS/buenavista-venv/bin/pip" install -q buenavista==0.5.0 python-dateutil 'duckdb<2' pyarrow
  touch "$PEERS/buenavista-venv/.ok"
fi

DF_BIN="$PEERS/datafusion/bin/datafusion-postgres-cli"
if wants datafusion && [ ! -x "$DF_BIN" ]; then
  if command -v cargo >/dev/null; then
    say "building datafusion-postgres-cli 0.19.0 once into $PEERS/datafusion (~23 min on 2 cores)"
    nice -n 19 cargo install --locked datafusion-postgres-cli --version 0.19.0 \
      --root "$PEERS/datafusion" >"$PEERS/datafusion-build.log" 2>&1 \
      || say "datafusion build failed (see $PEERS/datafusion-build.log): skipping that peer"
  else
    say "cargo not found: datafusion-postgres is skipped (install Rust, then rerun)"
  fi
fi

if [ ! -x "$OUT/drain" ] || [ bench/drain.c -nt "$OUT/drain" ]; then
  gcc -O2 -std=c11 -Wall -Wextra -Werror -D_GNU_SOURCE -o "$OUT/drain" bench/drain.c
fi

PY="$PEERS/bench-venv/bin/python"
ARGS=(--mode "$MODE" --targets "$TARGETS")
"$PY" bench/run.py "${ARGS[@]}"

if wants riffq; then
  say "catalog emulation: cold start and a client corpus burst (bench/catalog_bench.py)"
  .venv/bin/python bench/catalog_bench.py > "$OUT/catalog.log" 2>&1 || say "catalog bench failed (see $OUT/catalog.log)"
fi

RES="$OUT/results-$MODE.json"
"$PY" bench/report.py "$RES" > "$OUT/report-$MODE.md"
"$PY" bench/charts.py "$RES" "$OUT/charts-$MODE"
say "report: $OUT/report-$MODE.md, charts: $OUT/charts-$MODE/"

if [ "$MODE" = full ]; then
  mkdir -p bench/results
  cp "$RES" bench/results/results.json
  cp "$OUT/charts-$MODE"/*.png bench/results/
  "$PY" bench/report.py bench/results/results.json --update-doc BENCHMARKS.md
  say "published: bench/results/ and BENCHMARKS.md tables"
fi
sed -n '/### Targets/,/^### Bulk/p' "$OUT/report-$MODE.md" | head -n -1
