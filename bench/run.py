"""riffq benchmark suite: riffq, PostgreSQL 15 and the peers, one run, one machine.

    python bench/run.py [--mode quick|full] [--targets riffq,postgresql,...]

Run through ``make bench`` (``bench/run.sh``), which prepares the peers and
the drain client first, and afterwards runs bench/report.py and
bench/charts.py on the raw results this writes: bench/out/results-<mode>.json
(every run of every benchmark).

Each target is a server started here on a free loopback port: PostgreSQL 15
(real tables, started in a temporary directory), riffq (bench/servers/
riffq_server.py, the project's venv), datafusion-postgres-cli 0.19.0 and
buenavista 0.5.0 (their own folders under bench/.peers/). Every target
serves the same rows; see BENCHMARKS.md for what is measured and how.
"""
import argparse
import json
import os
import platform
import pwd
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from typing import List, Optional

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import procstat  # noqa: E402

BENCH = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(BENCH)
PEERS = os.path.join(BENCH, ".peers")
OUT = os.path.join(BENCH, "out")
DRAIN = os.path.join(OUT, "drain")
PGBIN = "/usr/lib/postgresql/15/bin"
BENCH_PY = os.path.join(PEERS, "bench-venv", "bin", "python")
RIFFQ_PY = os.path.join(ROOT, ".venv", "bin", "python")
BV_PY = os.path.join(PEERS, "buenavista-venv", "bin", "python")
DF_BIN = os.path.join(PEERS, "datafusion", "bin", "datafusion-postgres-cli")

MODES = {
    "quick": dict(bulk_rows=500_000, stream_rows=2_000_000, wide_rows=2_000_000,
                  pgbench_secs=2, repeats=1, idle=1000,
                  slow_bulk_rows=50_000, slow_stream_rows=100_000, slow_client_rows=50_000,
                  variants=False),
    "full": dict(bulk_rows=2_000_000, stream_rows=10_000_000, wide_rows=26_000_000,
                 pgbench_secs=10, repeats=3, idle=1000,
                 slow_bulk_rows=2_000_000, slow_stream_rows=1_000_000, slow_client_rows=500_000,
                 variants=True),
}
USER, DB = "postgres", "postgres"


def log(msg: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {msg}", flush=True)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def drain(port: int, sql: str, *flags: str, timeout: float = 3600) -> dict:
    """One drain run; returns its JSON (or {"error": ...})."""
    cmd = [DRAIN, "-h", "127.0.0.1", "-p", str(port), "-U", USER, "-d", DB, *flags, "-c", sql]
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
    lines = [ln for ln in p.stdout.splitlines() if ln.startswith("{")]
    if not lines:
        return {"error": (p.stderr.strip() or f"exit {p.returncode}")[:300]}
    return json.loads(lines[-1])


# --------------------------------------------------------------------- targets

class Target:
    """A server under test. Subclasses set name/label, start() sets port/pid."""
    name = label = ""
    slow = False          # answers far below 1M rows/s: fewer rows, one run
    benches = ("bulk", "stream", "clients", "pgbench", "idle", "wide")
    proc: Optional[subprocess.Popen] = None
    pid = port = 0

    def sql_bulk(self, limit: Optional[int] = None) -> str:
        return "select * from bulk" + (f" limit {limit}" if limit else "")

    def sql_stream(self, n: int) -> str:
        raise NotImplementedError

    def sql_wide(self, n: int) -> Optional[str]:
        return None

    def wait_ready(self, timeout: float = 120) -> None:
        deadline = time.monotonic() + timeout
        last = {}
        while time.monotonic() < deadline:
            if self.proc is not None and self.proc.poll() is not None:
                raise RuntimeError(f"{self.name} exited with {self.proc.returncode}")
            try:
                last = drain(self.port, "select 1", timeout=10)
            except subprocess.TimeoutExpired:
                last = {"error": "timeout"}
            if last.get("rows") == 1:
                return
            time.sleep(0.3)
        raise RuntimeError(f"{self.name} not ready: {last}")

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()

    def version(self) -> str:
        return ""


def _read_ready_line(proc: subprocess.Popen, timeout: float = 120) -> dict:
    """The first stdout line of a bench server script: {"host", "port"}."""
    import selectors
    sel = selectors.DefaultSelector()
    sel.register(proc.stdout, selectors.EVENT_READ)
    if not sel.select(timeout):
        raise RuntimeError("server did not report its port")
    line = proc.stdout.readline()
    if not line:
        raise RuntimeError(f"server exited ({proc.wait()})")
    return json.loads(line)


class Riffq(Target):
    def __init__(self, data: str, name: str = "riffq", label: str = "riffq",
                 extra: Optional[List[str]] = None, benches=None) -> None:
        self.data, self.name, self.label, self.extra = data, name, label, extra or []
        if benches:
            self.benches = benches
        self.duckdb = "duckdb" in self.extra

    def start(self) -> None:
        errlog = open(os.path.join(OUT, f"{self.name}.log"), "w")
        data = ["--parquet", os.path.join(self.data, "bulk.parquet")] if self.data else []
        self.proc = subprocess.Popen(
            [RIFFQ_PY, os.path.join(BENCH, "servers", "riffq_server.py"), *data, *self.extra],
            stdout=subprocess.PIPE, stderr=errlog, text=True, cwd=ROOT)
        self.port = _read_ready_line(self.proc)["port"]
        self.pid = self.proc.pid
        self.wait_ready()

    def sql_stream(self, n: int) -> str:
        if self.duckdb:
            return f"select range as i from range(1, {n + 1})"
        return f"select * from stream({n})"

    def sql_wide(self, n: int) -> Optional[str]:
        return None if self.duckdb else f"select * from wide({n})"

    def version(self) -> str:
        rev = subprocess.run(["git", "-C", ROOT, "rev-parse", "--short", "HEAD"],
                             capture_output=True, text=True).stdout.strip()
        dirty = subprocess.run(["git", "-C", ROOT, "status", "--porcelain", "csrc", "src"],
                               capture_output=True, text=True).stdout.strip()
        return f"git {rev}{' + uncommitted csrc/src changes' if dirty else ''}"


class Postgres(Target):
    name, label = "postgresql", "PostgreSQL 15"

    def __init__(self, data: str) -> None:
        self.data = data

    def _as_pg(self, *cmd: str, **kw) -> subprocess.CompletedProcess:
        return subprocess.run(["runuser", "-u", "postgres", "--", *cmd], check=True,
                              capture_output=True, text=True, **kw)

    def start(self) -> None:
        pw = pwd.getpwnam("postgres")
        self.tmp = tempfile.mkdtemp(prefix="riffq-bench-pg-")
        os.chown(self.tmp, pw.pw_uid, pw.pw_gid)
        pgdata = os.path.join(self.tmp, "data")
        self._as_pg(f"{PGBIN}/initdb", "-D", pgdata, "-A", "trust", "-U", USER, "-E", "UTF8",
                    "--locale=C", "--no-sync")
        self.port = free_port()
        settings = {
            "port": self.port, "listen_addresses": "127.0.0.1",
            "unix_socket_directories": self.tmp, "shared_buffers": "512MB",
            "max_connections": 1100, "fsync": "off", "synchronous_commit": "off",
            "full_page_writes": "off", "autovacuum": "off", "jit": "off",
        }
        args = [x for k, v in settings.items() for x in ("-c", f"{k}={v}")]
        errlog = open(os.path.join(OUT, "postgresql.log"), "w")
        self.proc = subprocess.Popen(["runuser", "-u", "postgres", "--", f"{PGBIN}/postgres",
                                      "-D", pgdata, *args], stdout=errlog, stderr=errlog)
        self.wait_ready()
        with open(os.path.join(pgdata, "postmaster.pid")) as f:
            self.pid = int(f.readline())
        self._load()

    def psql(self, *args: str) -> str:
        return subprocess.run([f"{PGBIN}/psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-h",
                               "127.0.0.1", "-p", str(self.port), "-U", USER, "-d", DB, *args],
                              check=True, capture_output=True, text=True).stdout

    def _load(self) -> None:
        csv = os.path.join(self.data, "bulk.csv")
        self.psql("-c", "create table bulk (id int8, name text, value float8, "
                        "ts timestamp, flag bool)")
        self.psql("-c", f"\\copy bulk from '{csv}' with (format csv)")
        self.psql("-c", "vacuum (freeze, analyze) bulk")

    def sql_stream(self, n: int) -> str:
        # A set-returning function in the select list streams (ProjectSet);
        # in FROM it would be materialised in a tuplestore first.
        return f"select generate_series(1::int8, {n}::int8) as i"

    def sql_wide(self, n: int) -> Optional[str]:
        return f"select generate_series(1::int8, {n}::int8) as i, repeat('x', 1000) as pad"

    def stop(self) -> None:
        if self.pid:
            try:
                os.kill(self.pid, signal.SIGINT)  # fast shutdown
            except ProcessLookupError:
                pass
        if self.proc:
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
        shutil.rmtree(self.tmp, ignore_errors=True)

    def version(self) -> str:
        return subprocess.run([f"{PGBIN}/postgres", "--version"], capture_output=True,
                              text=True).stdout.strip()


class DataFusion(Target):
    name, label = "datafusion", "datafusion-postgres 0.19.0"

    def __init__(self, data: str) -> None:
        self.data = data

    def start(self) -> None:
        self.port = free_port()
        errlog = open(os.path.join(OUT, "datafusion.log"), "w")
        self.proc = subprocess.Popen(
            [DF_BIN, "--parquet", f"bulk:{os.path.join(self.data, 'bulk.parquet')}",
             "--host", "127.0.0.1", "-p", str(self.port)],
            stdout=errlog, stderr=errlog, env={**os.environ, "RUST_LOG": "warn"})
        self.pid = self.proc.pid
        self.wait_ready()

    def sql_stream(self, n: int) -> str:
        return f"select value as i from generate_series(1, {n})"

    def version(self) -> str:
        return "datafusion-postgres-cli 0.19.0 (cargo install --locked)"


class Buenavista(Target):
    name, label = "buenavista", "buenavista 0.5.0"
    slow = True

    def __init__(self, data: str) -> None:
        self.data = data

    def start(self) -> None:
        errlog = open(os.path.join(OUT, "buenavista.log"), "w")
        self.proc = subprocess.Popen(
            [BV_PY, os.path.join(BENCH, "servers", "buenavista_server.py"),
             "--parquet", os.path.join(self.data, "bulk.parquet")],
            stdout=subprocess.PIPE, stderr=errlog, text=True)
        self.port = _read_ready_line(self.proc)["port"]
        self.pid = self.proc.pid
        self.wait_ready()

    def sql_stream(self, n: int) -> str:
        return f"select range as i from range(1, {n + 1})"

    def version(self) -> str:
        v = subprocess.run([BV_PY, "-c", "import duckdb; print(duckdb.__version__)"],
                           capture_output=True, text=True).stdout.strip()
        return f"buenavista 0.5.0 (DuckDB {v})"


# ------------------------------------------------------------------ benchmarks

def monitored(target: Target, fn, sample: float = 0.1):
    with procstat.Monitor(target.pid, sample) as m:
        out = fn()
    out = dict(out)
    out.update(server_cpu_s=round(m.cpu_s, 3), mem_base_mb=round(m.base_mb, 1),
               mem_peak_mb=round(m.peak_mb, 1))
    if m.single_process:  # exact peak RSS over the run (VmHWM, reset at its start)
        out["hwm_mb"] = round(m.hwm_mb, 1)
        out["hwm_growth_mb"] = round(max(0.0, m.hwm_mb - m.base_rss_mb), 1)
    return out, m


def best_of(runs: List[dict]) -> dict:
    """The median run by time (the runs themselves are kept too)."""
    ok = [r for r in runs if "error" not in r]
    if not ok:
        return dict(runs[-1])
    ok.sort(key=lambda r: r["seconds"])
    med = dict(ok[(len(ok) - 1) // 2])
    med["runs"] = [r["seconds"] for r in ok]
    return med


def bench_drain(target: Target, sql: str, cfg: dict, flags=()) -> dict:
    """Hash/warm-up run, then timed runs (one run for slow targets)."""
    first, _ = monitored(target, lambda: drain(target.port, sql, "-H", *flags))
    if "error" in first or target.slow or cfg["repeats"] < 1:
        first["sql"] = sql
        return first
    runs = [monitored(target, lambda: drain(target.port, sql, *flags))[0]
            for _ in range(cfg["repeats"])]
    out = best_of(runs)
    out["hash"] = first.get("hash")
    out["sql"] = sql
    return out


def bench_client(target: Target, kind: str, sql: str) -> dict:
    def run():
        if kind == "psql":
            t0 = time.perf_counter()
            p = subprocess.run([f"{PGBIN}/psql", "-X", "-A", "-t", "-q", "-o", "/dev/null",
                                "-h", "127.0.0.1", "-p", str(target.port), "-U", USER, "-d", DB,
                                "-c", sql], capture_output=True, text=True, timeout=3600)
            secs = time.perf_counter() - t0
            if p.returncode != 0:
                return {"error": p.stderr.strip()[:300]}
            return {"seconds": secs, "note": "wall time incl. connect"}
        p = subprocess.run([BENCH_PY, os.path.join(BENCH, "clients.py"), kind, "127.0.0.1",
                            str(target.port), USER, DB, sql],
                           capture_output=True, text=True, timeout=3600)
        lines = [ln for ln in p.stdout.splitlines() if ln.startswith("{")]
        return json.loads(lines[-1]) if lines else {"error": p.stderr.strip()[-300:]}
    out, _ = monitored(target, run)
    out["sql"] = sql
    return out


def bench_pgbench(target: Target, clients: int, mode: str, secs: int) -> dict:
    """pgbench QPS (and the server's CPU per query), then the drain client's
    latency load at the same concurrency for p50/p99 (pgbench's own log
    reads 0 µs for many sub-millisecond transactions)."""
    script = os.path.join(OUT, "select1.sql")
    with open(script, "w") as f:
        f.write("select 1;\n")
    cmd = [f"{PGBIN}/pgbench", "-n", "-h", "127.0.0.1", "-p", str(target.port), "-U", USER,
           "-f", script, "-c", str(clients), "-j", str(min(clients, 2)), "-T", str(secs),
           "-M", mode, DB]

    def run():
        p = subprocess.run(cmd, capture_output=True, text=True, timeout=secs * 10 + 120)
        m = re.search(r"tps = ([\d.]+) \(without initial connection time\)", p.stdout)
        if p.returncode != 0 or not m:
            return {"error": (p.stderr.strip() or p.stdout.strip())[-300:]}
        failed = re.search(r"number of failed transactions: (\d+)", p.stdout)
        lat = re.search(r"latency average = ([\d.]+) ms", p.stdout)
        return {"qps": float(m.group(1)), "failed": int(failed.group(1)) if failed else 0,
                "avg_ms": float(lat.group(1)) if lat else None}
    out, _ = monitored(target, run, sample=0)
    if "error" in out:
        return out
    out["server_cpu_us_per_query"] = round(out["server_cpu_s"] / (out["qps"] * secs) * 1e6, 1)
    flag = {"simple": [], "extended": ["-x"], "prepared": ["-S"]}[mode]
    lat = drain(target.port, "select 1", "-L", str(max(1, secs // 2)), "-P", str(clients), *flag,
                timeout=secs * 10 + 120)
    if "error" in lat:
        out["latency_error"] = lat["error"]
    else:
        out.update(p50_ms=lat["p50_ms"], p99_ms=lat["p99_ms"], drain_qps=lat["qps"],
                   drain_errors=lat["errors"])
    return out


def bench_idle(target: Target, n: int) -> dict:
    t = procstat.tree(target.pid)
    base_pss, base_rss = procstat.pss_mb(t), procstat.rss_mb(t)
    p = subprocess.Popen([DRAIN, "-h", "127.0.0.1", "-p", str(target.port), "-U", USER,
                          "-d", DB, "-I", str(n)],
                         stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                         text=True)
    line = p.stdout.readline()
    if not line:
        p.wait()
        return {"error": p.stderr.read().strip()[:300]}
    opened = json.loads(line)
    time.sleep(1.0)  # let per-connection work settle
    t = procstat.tree(target.pid)
    out = {"connections": n, "open_seconds": opened["open_seconds"],
           "pss_base_mb": round(base_pss, 1), "pss_mb": round(procstat.pss_mb(t), 1),
           "rss_base_mb": round(base_rss, 1), "rss_mb": round(procstat.rss_mb(t), 1),
           "processes": len(t)}
    if len(t) == 1:
        out["rss_anon_mb"] = round(procstat.kb(target.pid, b"RssAnon:") / 1024, 1)
        out["rss_file_mb"] = round(procstat.kb(target.pid, b"RssFile:") / 1024, 1)
    p.stdin.close()
    p.wait(60)
    out["pss_growth_mb"] = round(out["pss_mb"] - out["pss_base_mb"], 1)
    return out


def bench_wide(target: Target, n: int) -> dict:
    sql = target.sql_wide(n)
    out, m = monitored(target, lambda: drain(target.port, sql), sample=0.25)
    out["sql"] = sql
    out["samples"] = [(round(t, 2), round(mb, 1)) for t, mb in m.samples]
    out["growth_mb"] = round(out["mem_peak_mb"] - out["mem_base_mb"], 1)
    return out


# ----------------------------------------------------------------------- main

def machine() -> dict:
    cpu = ""
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    with open("/proc/meminfo") as f:
        mem_kb = int(f.readline().split()[1])
    return {"cpu": cpu, "cores": os.cpu_count(), "ram_gb": round(mem_kb / 1024 / 1024, 1),
            "kernel": platform.release(), "python": platform.python_version(),
            "os": open("/etc/debian_version").read().strip() if os.path.exists(
                "/etc/debian_version") else ""}


def make_targets(names: List[str], data: str, cfg: dict) -> List[Target]:
    out: List[Target] = []
    for name in names:
        if name == "postgresql":
            out.append(Postgres(data))
        elif name == "riffq":
            out.append(Riffq(data))
            if cfg["variants"]:
                out.append(Riffq(data, "riffq-executor", "riffq (executor.submit)",
                                 ["--executor"], benches=("pgbench",)))
                out.append(Riffq(data, "riffq-duckdb", "riffq + DuckDB", ["--engine", "duckdb"],
                                 benches=("bulk", "stream", "clients", "pgbench")))
        elif name == "datafusion":
            if os.path.exists(DF_BIN):
                out.append(DataFusion(data))
            else:
                log("datafusion-postgres-cli is not built (bench/.peers/datafusion): skipped")
        elif name == "buenavista":
            out.append(Buenavista(data))
        else:
            raise SystemExit(f"unknown target {name}")
    return out


def run_target(t: Target, cfg: dict, res: dict) -> None:
    slow = t.slow
    bulk_sql = t.sql_bulk(cfg["slow_bulk_rows"] if slow and cfg["slow_bulk_rows"] < cfg["bulk_rows"]
                          else None)
    stream_n = cfg["slow_stream_rows"] if slow else cfg["stream_rows"]
    client_sql = t.sql_bulk(cfg["slow_client_rows"] if slow else None)
    r = res.setdefault(t.name, {"label": t.label, "version": t.version()})

    want = t.benches
    # First, on the fresh server: memory freed by earlier benchmarks would
    # otherwise absorb the connections' allocations.
    if "idle" in want:
        log(f"{t.name}: {cfg['idle']} idle connections")
        r["idle"] = bench_idle(t, cfg["idle"])
        if isinstance(t, Riffq):
            # The same script without the bulk table in memory: what a
            # server needs for the connections themselves.
            log(f"{t.name}: {cfg['idle']} idle connections, server without the bulk table")
            empty = Riffq(None, name="riffq-empty")
            try:
                empty.start()
                r["idle_empty"] = bench_idle(empty, cfg["idle"])
            finally:
                empty.stop()
    if "bulk" in want:
        log(f"{t.name}: bulk drain (text)")
        r["bulk"] = bench_drain(t, bulk_sql, cfg)
        if not slow:
            log(f"{t.name}: bulk drain (binary, extended protocol)")
            r["bulk_binary"] = bench_drain(t, bulk_sql, cfg, flags=("-x", "-b"))
    if "stream" in want:
        log(f"{t.name}: stream drain ({stream_n} rows)")
        r["stream"] = bench_drain(t, t.sql_stream(stream_n), cfg)
    if "clients" in want:
        for kind in ("psql", "psycopg", "asyncpg"):
            log(f"{t.name}: {kind} fetch")
            r[kind] = bench_client(t, kind, client_sql)
    if "pgbench" in want:
        r["pgbench"] = {}
        for mode in ("simple", "extended", "prepared"):
            for c in (1, 8, 32):
                log(f"{t.name}: pgbench select 1, -M {mode} -c {c}")
                r["pgbench"][f"{mode}/{c}"] = bench_pgbench(t, c, mode, cfg["pgbench_secs"])
    if "wide" in want and t.sql_wide(1):
        log(f"{t.name}: larger-than-memory stream ({cfg['wide_rows']} rows x ~1 kB)")
        r["wide"] = bench_wide(t, cfg["wide_rows"])


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--mode", choices=MODES, default="quick")
    ap.add_argument("--targets", default="postgresql,riffq,datafusion,buenavista")
    args = ap.parse_args()
    cfg = MODES[args.mode]
    os.makedirs(OUT, exist_ok=True)
    data = os.path.join(OUT, f"data-{cfg['bulk_rows']}")
    log(f"mode {args.mode}: generating {cfg['bulk_rows']} bulk rows in {data}")
    subprocess.run([BENCH_PY, os.path.join(BENCH, "gen_data.py"), data, str(cfg["bulk_rows"])],
                   check=True)
    results = {"mode": args.mode, "config": cfg, "machine": machine(),
               "started": time.strftime("%Y-%m-%d %H:%M:%S %Z"), "targets": {}}
    for t in make_targets(args.targets.split(","), data, cfg):
        log(f"starting {t.label}")
        try:
            t.start()
            run_target(t, cfg, results["targets"])
        except Exception as exc:  # keep the other targets' numbers
            log(f"{t.name} failed: {exc}")
            results["targets"].setdefault(t.name, {"label": t.label})["error"] = str(exc)[:500]
        finally:
            t.stop()
        path = os.path.join(OUT, f"results-{args.mode}.json")
        with open(path, "w") as f:
            json.dump(results, f, indent=1)
    results["finished"] = time.strftime("%Y-%m-%d %H:%M:%S %Z")
    path = os.path.join(OUT, f"results-{args.mode}.json")
    with open(path, "w") as f:
        json.dump(results, f, indent=1)
    log(f"raw results: {path}")


if __name__ == "__main__":
    main()
