#!/usr/bin/env bash
# Profiles of the small-query path (the missed select-1 targets), as shown in
# BENCHMARKS.md. Needs perf (Debian: linux-perf) and root (uprobes).
#
#   bench/profile.sh [OUT_DIR]      (default bench/out/profile)
#   PUBLISH=1 bench/profile.sh      also copies the flame graph to bench/results/
#
# 1. Per-query counts over 5,000 `select 1` (pgbench -c 1 -t 5000, each -M):
#    worker-pool tasks (rq_pool_submit), events posted to the loop
#    (rq_server_post), PyGILState_Ensure, PyThreadState_New, context
#    switches, mmap and write syscalls. Uprobes are added for the run and
#    removed afterwards.
# 2. perf record (dwarf call graphs) of the server under pgbench -c 8 -M
#    simple: a flame graph PNG, the folded stacks and a share per category.
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=${1:-bench/out/profile}
mkdir -p "$OUT"
PGBENCH=/usr/lib/postgresql/15/bin/pgbench
PY=bench/.peers/bench-venv/bin/python
# The extension the server will load (PYTHONPATH may point at another build).
SO=$(.venv/bin/python -c "import riffq._core as m; print(m.__file__)")
LIBPY=$(ldd .venv/bin/python | grep -o '/[^ ]*libpython3[^ ]*\.so[^ ]*' | head -1 || true)
[ -n "$LIBPY" ] || LIBPY=$(readlink -f .venv/bin/python)
echo "select 1;" > "$OUT/select1.sql"

.venv/bin/python bench/servers/riffq_server.py > "$OUT/server.out" 2> "$OUT/server.err" &
SPID=$!
cleanup() {
  kill "$SPID" 2>/dev/null || true
  perf probe -q -d 'probe_rq:*' 2>/dev/null || true
  perf probe -q -d 'probe_rqpy:*' 2>/dev/null || true
}
trap cleanup EXIT
for _ in $(seq 100); do [ -s "$OUT/server.out" ] && break; sleep 0.1; done
PORT=$("$PY" -c "import json,sys; print(json.load(open(sys.argv[1]))['port'])" "$OUT/server.out")

perf probe -q -x "$SO" --add 'probe_rq:pool_submit=rq_pool_submit'
perf probe -q -x "$SO" --add 'probe_rq:server_post=rq_server_post'
perf probe -q -x "$LIBPY" --add 'probe_rqpy:gil_ensure=PyGILState_Ensure'
perf probe -q -x "$LIBPY" --add 'probe_rqpy:tstate_new=PyThreadState_New'
EVENTS=probe_rq:pool_submit,probe_rq:server_post,probe_rqpy:gil_ensure,probe_rqpy:tstate_new,context-switches,syscalls:sys_enter_mmap,syscalls:sys_enter_write,syscalls:sys_enter_futex

N=5000
{
  echo "| -M | QPS (1 client) | pool tasks | loop events | PyGILState_Ensure | new PyThreadState | context switches | mmap | write | futex |"
  echo "|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|"
  for mode in simple extended prepared; do
    "$PGBENCH" -n -h 127.0.0.1 -p "$PORT" -U postgres -f "$OUT/select1.sql" -c 1 -t 200 -M "$mode" postgres >/dev/null 2>&1
    perf stat -x, -e "$EVENTS" -p "$SPID" -o "$OUT/stat-$mode.csv" &
    STAT=$!
    sleep 0.5
    tps=$("$PGBENCH" -n -h 127.0.0.1 -p "$PORT" -U postgres -f "$OUT/select1.sql" -c 1 -t $N \
          -M "$mode" postgres 2>/dev/null | sed -n 's/^tps = \([0-9.]*\) .*/\1/p')
    sleep 0.3
    kill -INT $STAT; wait $STAT || true
    row=$(awk -F, -v n=$N '/^[0-9]/ {printf " %.2f |", $1 / n}' "$OUT/stat-$mode.csv")
    printf "| %s | %.0f |%s\n" "$mode" "$tps" "$row"
  done
} | tee "$OUT/per_query.md"

"$PGBENCH" -n -h 127.0.0.1 -p "$PORT" -U postgres -f "$OUT/select1.sql" -c 8 -j 2 -T 6 -M simple \
  postgres > "$OUT/pgbench-c8.txt" 2>&1 &
PGB=$!
sleep 2
perf record -q -F 499 --call-graph dwarf,32768 -p "$SPID" -o "$OUT/perf-select1.data" -- sleep 3 \
  2>/dev/null
wait $PGB
perf script -i "$OUT/perf-select1.data" 2>/dev/null \
  | "$PY" bench/flame.py "$OUT/flame-select1.png" \
      "riffq server, pgbench select 1, 8 clients, -M simple" \
      --folded "$OUT/folded-select1.txt" --summary | tee "$OUT/categories.md"
grep '^tps' "$OUT/pgbench-c8.txt" || true
if [ "${PUBLISH:-0}" = 1 ]; then cp "$OUT/flame-select1.png" bench/results/; fi
echo "profile: $OUT"
