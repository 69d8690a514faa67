"""Catalog emulation benchmark (part of `make bench`; runs in the project's .venv).

Measures, against the same objects:
- cold start: from `start(catalog_emulation=True)` to the first answered
  catalog query, without and with registrations made before `start()`
  (they start building the catalog in the background): in this process
  first (nothing but riffq imported), then in fresh processes that imported
  duckdb first, as a DuckDB-backed server's code does (three each);
- a GUI tool's connect burst: every parameterless query of the client
  corpus (tests/catalog/corpus, 13 clients), replayed once cold (first time
  each query is rewritten) and once warm, on riffq and on PostgreSQL 15;
  and each client's own queries alone, cold, on a server of their own.

Prints one JSON object and writes it to bench/out/catalog.json.
"""

from __future__ import annotations

import glob
import json
import re
import sys
import threading
import time
from pathlib import Path
from typing import Any, Dict, List

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

import psycopg  # noqa: E402

import riffq  # noqa: E402
from riffq.testing import free_port  # noqa: E402


def _corpus(client: str = "*") -> List[str]:
    out = []
    for f in sorted(glob.glob(str(ROOT / f"tests/catalog/corpus/{client}/*.sql"))):
        text = Path(f).read_text(encoding="utf-8")
        m = re.search(r"^-- params: (.*)$", text, re.M)
        if m and json.loads(m.group(1)):
            continue
        out.append("\n".join(l for l in text.splitlines() if not l.startswith("-- ")))
    return out


def _serve(register: bool) -> tuple:
    port = free_port()
    srv = riffq.Server(f"127.0.0.1:{port}")
    srv.on_query(lambda sql, cb, **kw: cb(("ERROR", "0A000", "data queries not served"),
                                          is_error=True))
    if register:
        from catalog.fixture import register_catalog  # the client tests' objects

        register_catalog(srv)
    listening = threading.Event()
    srv.on_ready(lambda host, port: listening.set())
    t0 = time.perf_counter()
    threading.Thread(target=srv.start, kwargs={"catalog_emulation": True}, daemon=True).start()
    return srv, port, t0, listening


def cold_start(register: bool) -> float:
    """Seconds from start() to the first answered catalog query. The client
    connects as soon as the server listens (on_ready): polling meanwhile, in
    this process, would take the GIL from the server's start."""
    srv, port, t0, listening = _serve(register)
    db = "appdb" if register else "db"
    listening.wait(30)
    while True:
        try:
            with psycopg.connect(f"host=127.0.0.1 port={port} user=postgres dbname={db}",
                                 autocommit=True) as c:
                c.execute("select relname from pg_catalog.pg_class where relname = 'pg_type'")
            break
        except psycopg.OperationalError:
            time.sleep(0.001)
    elapsed = time.perf_counter() - t0
    srv.stop()
    return elapsed


_FRESH = """
import sys, time
import duckdb, riffq  # as the canonical example does: the user's code imports duckdb
sys.path.insert(0, sys.argv[1] + "/bench")
import catalog_bench
print(round(1e3 * catalog_bench.cold_start(sys.argv[2] == "registered"), 1))
"""


def cold_start_fresh(register: bool, runs: int = 3) -> List[float]:
    """cold_start() in new processes whose code imported duckdb and riffq
    first (riffq imports pglast and pyarrow.compute itself), one per run."""
    import subprocess

    out = []
    for _ in range(runs):
        r = subprocess.run([sys.executable, "-c", _FRESH, str(ROOT),
                            "registered" if register else "plain"],
                           capture_output=True, text=True, timeout=120, cwd=str(ROOT))
        out.append(float(r.stdout.split()[-1]))
    return out


def replay(dsn: str, queries: List[str]) -> Dict[str, Any]:
    """Run the corpus twice on one connection; the corpus' OID placeholders
    ({oid:schema.table} ...) are resolved first, on a second connection, as
    the client tests do."""
    from test_catalog_clients import Placeholders

    with psycopg.connect(dsn, autocommit=True) as side:
        names = Placeholders(side)
        queries = [names.resolve(q) for q in queries]
    with psycopg.connect(dsn, autocommit=True) as conn:
        out: Dict[str, Any] = {"queries": len(queries)}
        for rnd in ("cold", "warm"):
            times = []
            errors = 0
            for q in queries:
                t = time.perf_counter()
                try:
                    cur = conn.execute(q, prepare=False)
                    if cur.description is not None:  # (a batch may end with a SET)
                        cur.fetchall()
                except psycopg.Error:
                    errors += 1
                times.append(time.perf_counter() - t)
            times.sort()
            out[rnd] = {"total_ms": round(1e3 * sum(times), 1), "errors": errors,
                        "median_ms": round(1e3 * times[len(times) // 2], 2),
                        "p90_ms": round(1e3 * times[int(len(times) * 0.9)], 2)}
        return out


def per_client_cold() -> Dict[str, float]:
    """Each client's parameterless corpus queries, replayed cold on a server
    of their own (the rewriter's cache emptied first): one tool's connect
    burst. Milliseconds per client."""
    from riffq.pgcatalog import rewrite

    out = {}
    for d in sorted(p.name for p in (ROOT / "tests/catalog/corpus").iterdir() if p.is_dir()):
        queries = _corpus(d)
        if not queries:
            continue
        rewrite._rewrite_cached.cache_clear()
        srv, port, _, _ = _serve(True)
        time.sleep(0.5)
        try:
            r = replay(f"host=127.0.0.1 port={port} user=postgres dbname=appdb", queries)
            out[f"{d} ({len(queries)})"] = r["cold"]["total_ms"]
        finally:
            srv.stop()
    return out


def main() -> None:
    from catalog.fixture import create_pg_database
    from pgref import start_reference_pg

    result: Dict[str, Any] = {
        "cold_start_ms": round(1e3 * cold_start(False), 1),
        "cold_start_registered_ms": round(1e3 * cold_start(True), 1),
        "cold_start_fresh_ms": cold_start_fresh(False),
        "cold_start_fresh_registered_ms": cold_start_fresh(True),
    }
    queries = _corpus()
    srv, port, _, _ = _serve(True)
    time.sleep(0.5)
    result["riffq_burst"] = replay(f"host=127.0.0.1 port={port} user=postgres dbname=appdb",
                                   queries)
    srv.stop()
    result["per_client_cold_ms"] = per_client_cold()
    ref = start_reference_pg()
    try:
        result["postgresql_burst"] = replay(create_pg_database(ref.dsn), queries)
    finally:
        ref.stop()
    out = ROOT / "bench" / "out"
    out.mkdir(parents=True, exist_ok=True)
    (out / "catalog.json").write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
