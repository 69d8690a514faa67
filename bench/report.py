"""Markdown tables (and the issue's targets, met or missed) from a results file.

    python bench/report.py RESULTS.json [--update-doc BENCHMARKS.md]

Prints the tables; with --update-doc, replaces the text between
``<!-- bench:tables:begin -->`` and ``<!-- bench:tables:end -->`` in the doc.
"""
import argparse
import json
import re
from typing import List, Optional

PG, RQ = "postgresql", "riffq"
PEERS = ("datafusion", "buenavista")
ORDER = ("riffq", "riffq-duckdb", "riffq-executor", "postgresql", "datafusion", "buenavista")


def fmt_num(x: Optional[float], digits: int = 0) -> str:
    if x is None:
        return "–"
    if digits == 0:
        return f"{x:,.0f}"
    return f"{x:,.{digits}f}"


def fmt_rate(x: Optional[float]) -> str:
    if x is None:
        return "–"
    if x >= 1e6:
        return f"{x / 1e6:.2f}M"
    if x >= 1e3:
        return f"{x / 1e3:.1f}k"
    return f"{x:.0f}"


def ratio(a: Optional[float], b: Optional[float]) -> str:
    if not a or not b:
        return "–"
    r = a / b
    return f"{r:.2f}×" if r < 10 else f"{r:.0f}×"


def targets(res: dict) -> List[str]:
    t = res["targets"]
    return [n for n in ORDER if n in t] + [n for n in t if n not in ORDER]


def get(res: dict, name: str, *path):
    cur = res["targets"].get(name)
    for p in path:
        if not isinstance(cur, dict) or p not in cur:
            return None
        cur = cur[p]
    return cur


def rows_per_s(d: Optional[dict]) -> Optional[float]:
    if not d or "error" in d or not d.get("seconds"):
        return None
    return d["rows"] / d["seconds"] if "rows" in d else None


def table(headers: List[str], rows: List[List[str]]) -> str:
    out = ["| " + " | ".join(headers) + " |",
           "|" + "|".join("---" if i == 0 else "--:" for i in range(len(headers))) + "|"]
    out += ["| " + " | ".join(r) + " |" for r in rows]
    return "\n".join(out)


def label(res: dict, name: str) -> str:
    return res["targets"][name].get("label", name)


def drain_table(res: dict, key: str, first_row: bool = False) -> str:
    pg = rows_per_s(get(res, PG, key))
    rq = rows_per_s(get(res, RQ, key))
    pg_hash = get(res, PG, key, "hash")
    headers = ["server", "rows", "rows/s", "MB/s", "server CPU s / M rows", "server memory MB (growth)"]
    if first_row:
        headers.append("first row ms")
    headers += ["same bytes as PG", "÷ PostgreSQL", "riffq ÷ this"]
    rows = []
    for n in targets(res):
        d = get(res, n, key)
        if d is None:
            continue
        if "error" in d:
            rows.append([label(res, n), "error: " + d["error"][:80]] + [""] * (len(headers) - 2))
            continue
        r = rows_per_s(d)
        mb = d["bytes"] / d["seconds"] / 1e6
        cpu = d["server_cpu_s"] / d["rows"] * 1e6 if d.get("rows") else None
        growth = max(d["mem_peak_mb"] - d["mem_base_mb"], d.get("hwm_growth_mb", 0))
        mem = f"{max(d['mem_peak_mb'], d['mem_base_mb'] + growth):.0f} (+{growth:.0f})"
        row = [label(res, n), fmt_num(d["rows"]), fmt_rate(r), fmt_num(mb), fmt_num(cpu, 2), mem]
        if first_row:
            row.append(fmt_num(d.get("first_row_ms"), 1))
        same = "–" if n == PG or not pg_hash or not d.get("hash") else (
            "yes" if d["hash"] == pg_hash and d["rows"] == get(res, PG, key, "rows") else "no")
        row += [same, ratio(r, pg), ratio(rq, r)]
        rows.append(row)
    return table(headers, rows)


def client_table(res: dict) -> str:
    headers = ["server"]
    for k in ("psql", "psycopg", "asyncpg"):
        headers += [f"{k} rows/s", "÷ PG"]
    headers.append("riffq ÷ this (psycopg)")
    rows = []
    bulk_rows = {n: (get(res, n, "bulk", "rows") or 0) for n in targets(res)}
    for n in targets(res):
        if get(res, n, "psycopg") is None:
            continue
        row = [label(res, n)]
        for k in ("psql", "psycopg", "asyncpg"):
            d, p = get(res, n, k), get(res, PG, k)
            r = _client_rate(d, bulk_rows.get(n))
            rp = _client_rate(p, bulk_rows.get(PG))
            if d and "error" in d:
                row += ["error", "–"]
            else:
                row += [fmt_rate(r), ratio(r, rp)]
        row.append(ratio(_client_rate(get(res, RQ, "psycopg"), bulk_rows.get(RQ)),
                         _client_rate(get(res, n, "psycopg"), bulk_rows.get(n))))
        rows.append(row)
    return table(headers, rows)


def _client_rate(d: Optional[dict], default_rows: Optional[int]) -> Optional[float]:
    if not d or "error" in d or not d.get("seconds"):
        return None
    rows = d.get("rows")
    if rows is None:  # psql: rows come from the query's LIMIT or the table size
        m = re.search(r"limit (\d+)", d.get("sql", ""))
        rows = int(m.group(1)) if m else default_rows
    return rows / d["seconds"] if rows else None


def pgbench_table(res: dict, mode: str) -> str:
    headers = ["server"]
    for c in (1, 8, 32):
        headers += [f"c={c} QPS", "p50 / p99 ms"]
    headers += ["CPU µs/query (c=8)", "c=8 ÷ PG", "riffq ÷ this (c=8)"]
    rows = []
    rq8 = get(res, RQ, "pgbench", f"{mode}/8", "qps")
    pg8 = get(res, PG, "pgbench", f"{mode}/8", "qps")
    for n in targets(res):
        pb = get(res, n, "pgbench")
        if not pb:
            continue
        row = [label(res, n)]
        for c in (1, 8, 32):
            d = pb.get(f"{mode}/{c}", {})
            if "error" in d or "qps" not in d:
                row += ["error", (d.get("error") or "")[:40]]
            else:
                row += [fmt_num(d["qps"]), f"{d.get('p50_ms', 0):.2f} / {d.get('p99_ms', 0):.2f}"]
        d8 = pb.get(f"{mode}/8", {})
        row += [fmt_num(d8.get("server_cpu_us_per_query"), 1), ratio(d8.get("qps"), pg8),
                ratio(rq8, d8.get("qps"))]
        rows.append(row)
    return table(headers, rows)


def idle_table(res: dict) -> str:
    headers = ["server", "connections", "open time s", "server PSS before → after MB",
               "growth MB", "RSS after MB", "processes"]
    rows = []
    for n in targets(res):
        for key, suffix in (("idle", ""), ("idle_empty", " (no bulk table loaded)")):
            d = get(res, n, key)
            if not d:
                continue
            if "error" in d:
                rows.append([label(res, n) + suffix, "error: " + d["error"][:80]] + [""] * 5)
                continue
            rows.append([label(res, n) + suffix, fmt_num(d["connections"]),
                         fmt_num(d["open_seconds"], 2),
                         f"{d['pss_base_mb']:.0f} → {d['pss_mb']:.0f}",
                         fmt_num(d["pss_growth_mb"], 1),
                         fmt_num(d["rss_mb"]) if d["processes"] == 1 else "– (shared pages)",
                         fmt_num(d["processes"])])
    return table(headers, rows)


def wide_table(res: dict) -> str:
    headers = ["server", "rows", "GB sent", "seconds", "MB/s", "PSS base → peak MB",
               "growth MB", "server CPU s"]
    rows = []
    for n in targets(res):
        d = get(res, n, "wide")
        if not d:
            continue
        if "error" in d:
            rows.append([label(res, n), "error: " + d["error"][:80]] + [""] * 6)
            continue
        rows.append([label(res, n), fmt_num(d["rows"]), fmt_num(d["bytes"] / 1e9, 1),
                     fmt_num(d["seconds"], 1), fmt_num(d["bytes"] / d["seconds"] / 1e6),
                     f"{d['mem_base_mb']:.0f} → {d['mem_peak_mb']:.0f}",
                     fmt_num(d["growth_mb"], 1), fmt_num(d["server_cpu_s"], 1)])
    return table(headers, rows)


def best_peer(res: dict, fn) -> (Optional[str], Optional[float]):
    best = (None, None)
    for n in PEERS:
        v = fn(n)
        if v and (best[1] is None or v > best[1]):
            best = (n, v)
    return best


def check_targets(res: dict) -> str:
    """The issue's targets, evaluated on this run."""
    rows = []

    def add(what, value, bar, ok):
        rows.append([what, value, bar, "met" if ok else ("**missed**" if ok is not None else "n/a")])

    bulk = lambda n: rows_per_s(get(res, n, "bulk"))  # noqa: E731
    rq, pg = bulk(RQ), bulk(PG)
    pn, pv = best_peer(res, bulk)
    add("bulk drain ≥ 1.0× PostgreSQL", ratio(rq, pg), "1.00×", rq and pg and rq >= pg)
    add("bulk drain ≥ 2× fastest peer", f"{ratio(rq, pv)} ({pn})" if pn else "–", "2.00×",
        (rq >= 2 * pv) if rq and pv else None)

    stream = lambda n: rows_per_s(get(res, n, "stream"))  # noqa: E731
    rq = stream(RQ)
    bn, bv = best_peer(res, stream)
    if stream(PG) and (bv is None or stream(PG) > bv):
        bn, bv = PG, stream(PG)
    add(f"{res['config']['stream_rows'] / 1e6:.0f}M-row stream ≥ 1.0× the fastest of "
        "PostgreSQL and peers",
        f"{ratio(rq, bv)} ({bn})" if bn else "–", "1.00×", (rq >= bv) if rq and bv else None)
    d = get(res, RQ, "stream")
    if d and "error" not in d:
        g = max(d["mem_peak_mb"] - d["mem_base_mb"], d.get("hwm_growth_mb", 0))
        add("stream: server memory growth < 64 MB", f"{g:.0f} MB", "64 MB", g < 64)
    w = get(res, RQ, "wide")
    if w and "error" not in w:
        add(f"larger-than-RAM stream ({w['bytes'] / 1e9:.0f} GB): growth < 64 MB",
            f"{max(w['growth_mb'], w.get('hwm_growth_mb', 0)):.0f} MB", "64 MB",
            max(w["growth_mb"], w.get("hwm_growth_mb", 0)) < 64)

    q = lambda n, m="simple": get(res, n, "pgbench", f"{m}/8", "qps")  # noqa: E731
    rq = q(RQ)
    pn, pv = best_peer(res, q)
    add("select 1 QPS (8 clients) ≥ 2× fastest peer", f"{ratio(rq, pv)} ({pn})" if pn else "–",
        "2.00×", (rq >= 2 * pv) if rq and pv else None)
    add("stretch: select 1 QPS ≥ 0.5× PostgreSQL", ratio(rq, q(PG)), "0.50×",
        (rq >= 0.5 * q(PG)) if rq and q(PG) else None)
    for m in ("extended", "prepared"):
        add(f"-M {m} ≥ 0.9× -M simple (8 clients)", ratio(q(RQ, m), rq), "0.90×",
            (q(RQ, m) >= 0.9 * rq) if rq and q(RQ, m) else None)

    bulk_rows = lambda n: get(res, n, "bulk", "rows")  # noqa: E731
    ps = lambda n: _client_rate(get(res, n, "psycopg"), bulk_rows(n))  # noqa: E731
    rq = ps(RQ)
    bn, bv = best_peer(res, ps)
    if ps(PG) and (bv is None or ps(PG) > bv):
        bn, bv = PG, ps(PG)
    add("psycopg binary fetch ≥ 0.9× the fastest of PostgreSQL and peers",
        f"{ratio(rq, bv)} ({bn})" if bn else "–", "0.90×", (rq >= 0.9 * bv) if rq and bv else None)

    idle = get(res, RQ, "idle_empty") or get(res, RQ, "idle")
    if idle and "error" not in idle:
        anon = f", {idle['rss_anon_mb']:.0f} MB anonymous" if "rss_anon_mb" in idle else ""
        add(f"{idle['connections']} idle connections: server RSS < 100 MB",
            f"{idle['rss_mb']:.0f} MB RSS{anon}; the connections: {idle['pss_growth_mb']:+.1f} MB",
            "100 MB", idle["rss_mb"] < 100)
    d = get(res, RQ, "stream")
    if d and "error" not in d:
        add(f"first row of a {d['rows'] / 1e6:.0f}M-row result < 50 ms",
            f"{d['first_row_ms']:.1f} ms", "50 ms", d["first_row_ms"] < 50)
    return table(["target", "measured", "bar", "result"], rows)


def render(res: dict) -> str:
    cfg = res["config"]
    m = res["machine"]
    parts = [
        f"Run: `{res['mode']}` mode, {res.get('started', '')} → {res.get('finished', '')}; "
        f"{m['cpu']}, {m['cores']} cores, {m['ram_gb']} GB RAM, Linux {m['kernel']}, "
        f"Debian {m['os']}, Python {m['python']}.",
        "",
        "Versions: " + "; ".join(f"{v.get('label', n)}: {v.get('version', '?')}"
                                 for n, v in res["targets"].items()) + ".",
        "",
        "### Targets (issue 8)",
        "",
        check_targets(res),
        "",
        f"### Bulk drain: `select * from bulk`, {cfg['bulk_rows']:,} rows of (int8, text, "
        "float8, timestamp, bool), simple Query, text format, C drain client",
        "",
        drain_table(res, "bulk"),
        "",
        "### Bulk drain, binary format (Parse/Bind/Describe/Execute/Sync, result format 1)",
        "",
        drain_table(res, "bulk_binary"),
        "",
        f"### Generated stream: {cfg['stream_rows']:,} int8 rows, never materialised",
        "",
        drain_table(res, "stream", first_row=True),
        "",
        "### Client libraries fetching the bulk table",
        "",
        "psql: `psql -X -A -t -q -o /dev/null -c ...`, wall time including connecting; "
        "psycopg 3: `cursor(binary=True)` + `fetchall()`; asyncpg: `fetch()` "
        "(binary). Rows/s of the client process, which is the bottleneck here.",
        "",
        client_table(res),
        "",
    ]
    errs = [(n, k, get(res, n, k, "error")) for n in targets(res)
            for k in ("psql", "psycopg", "asyncpg") if get(res, n, k, "error")]
    if errs:
        parts += ["Errors: " + "; ".join(f"{label(res, n)} + {k}: `{e[:160]}`"
                                         for n, k, e in errs), ""]
    for mode in ("simple", "extended", "prepared"):
        parts += [f"### pgbench `select 1`, `-M {mode}`, {cfg['pgbench_secs']} s per point", "",
                  pgbench_table(res, mode), ""]
    parts += [f"### {cfg['idle']:,} idle connections", "", idle_table(res), "",
              "### Larger-than-memory generated stream: (int8, 1000-byte text) rows", "",
              wide_table(res), ""]
    return "\n".join(parts)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("results")
    ap.add_argument("--update-doc")
    args = ap.parse_args()
    with open(args.results) as f:
        res = json.load(f)
    text = render(res)
    if args.update_doc:
        with open(args.update_doc) as f:
            doc = f.read()
        begin, end = "<!-- bench:tables:begin -->", "<!-- bench:tables:end -->"
        i, j = doc.index(begin) + len(begin), doc.index(end)
        doc = doc[:i] + "\n" + text + "\n" + doc[j:]
        with open(args.update_doc, "w") as f:
            f.write(doc)
    else:
        print(text)


if __name__ == "__main__":
    main()
