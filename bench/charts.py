"""PNG charts (matplotlib) from a results file, into a directory.

    python bench/charts.py RESULTS.json OUT_DIR

Writes throughput.png, clients.png, pgbench.png, memory.png: small files
(80 dpi) meant to be committed next to BENCHMARKS.md.
"""
import json
import os
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from report import _client_rate, get, rows_per_s, targets  # noqa: E402

COLORS = {"riffq": "#d62728", "riffq-duckdb": "#ff9896", "riffq-executor": "#e377c2",
          "postgresql": "#1f77b4", "datafusion": "#2ca02c", "buenavista": "#9467bd"}
DPI = 80


def grouped_bars(ax, groups, series, values, ylabel, log=True):
    """values[s][g] -> bar; one colour per series (server)."""
    width = 0.8 / max(1, len(series))
    for i, s in enumerate(series):
        xs = [g + (i - (len(series) - 1) / 2) * width for g in range(len(groups))]
        ys = [values[s][g] or 0 for g in range(len(groups))]
        ax.bar(xs, ys, width, label=s, color=COLORS.get(s))
    ax.set_xticks(range(len(groups)))
    ax.set_xticklabels(groups)
    ax.set_ylabel(ylabel)
    if log:
        ax.set_yscale("log")
    ax.grid(axis="y", alpha=0.3)


def throughput(res, out):
    names = [n for n in targets(res) if get(res, n, "bulk") or get(res, n, "stream")]
    groups = ["bulk (text)", "bulk (binary)", "stream int8"]
    keys = ["bulk", "bulk_binary", "stream"]
    vals = {n: [rows_per_s(get(res, n, k)) for k in keys] for n in names}
    fig, ax = plt.subplots(figsize=(8, 4))
    grouped_bars(ax, groups, names, vals, "rows/s (log)")
    ax.set_title("C drain client: rows per second")
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(os.path.join(out, "throughput.png"), dpi=DPI)
    plt.close(fig)


def clients(res, out):
    names = [n for n in targets(res) if get(res, n, "psycopg")]
    keys = ["psql", "psycopg", "asyncpg"]
    vals = {n: [_client_rate(get(res, n, k), get(res, n, "bulk", "rows")) for k in keys]
            for n in names}
    fig, ax = plt.subplots(figsize=(8, 4))
    grouped_bars(ax, ["psql", "psycopg 3 binary", "asyncpg"], names, vals, "rows/s (log)")
    ax.set_title("Client libraries fetching the bulk table")
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(os.path.join(out, "clients.png"), dpi=DPI)
    plt.close(fig)


def pgbench(res, out):
    names = [n for n in targets(res) if get(res, n, "pgbench")]
    fig, axes = plt.subplots(1, 3, figsize=(11, 3.8), sharey=True)
    for ax, mode in zip(axes, ("simple", "extended", "prepared")):
        vals = {n: [get(res, n, "pgbench", f"{mode}/{c}", "qps") for c in (1, 8, 32)]
                for n in names}
        grouped_bars(ax, ["1", "8", "32"], names, vals, "QPS (log)" if mode == "simple" else "")
        ax.set_title(f"select 1, -M {mode}")
        ax.set_xlabel("clients")
    axes[0].legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(os.path.join(out, "pgbench.png"), dpi=DPI)
    plt.close(fig)


def memory(res, out):
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(11, 3.8))
    for n in targets(res):
        w = get(res, n, "wide")
        if not w or "error" in w or not w.get("samples"):
            continue
        ts = [t for t, _ in w["samples"]]
        mb = [m for _, m in w["samples"]]
        gb_per_s = w["bytes"] / w["seconds"] / 1e9
        ax1.plot([t * gb_per_s for t in ts], mb, label=res["targets"][n]["label"],
                 color=COLORS.get(n))
    ax1.set_xlabel("GB sent (approx.)")
    ax1.set_ylabel("server PSS MB")
    ax1.set_ylim(bottom=0)
    ax1.set_title("Larger-than-memory stream: server memory")
    ax1.grid(alpha=0.3)
    ax1.legend(fontsize=8)
    names, growth = [], []
    for n in targets(res):
        for key, suffix in (("idle", ""), ("idle_empty", "\n(no data)")):
            d = get(res, n, key)
            if d and "error" not in d:
                names.append(n + suffix)
                growth.append(max(d["pss_growth_mb"], 0))
    bars = ax2.bar(range(len(names)), growth,
                   color=[COLORS.get(n.split("\n")[0]) for n in names])
    for b, g in zip(bars, growth):
        ax2.annotate(f"{g:.0f} MB", (b.get_x() + b.get_width() / 2, b.get_height()),
                     ha="center", va="bottom", fontsize=7)
    ax2.set_xticks(range(len(names)))
    ax2.set_xticklabels(names, fontsize=7)
    ax2.set_ylabel("server memory growth MB (PSS)")
    ax2.set_title(f"{res['config']['idle']} idle connections")
    ax2.grid(axis="y", alpha=0.3)
    fig.tight_layout()
    fig.savefig(os.path.join(out, "memory.png"), dpi=DPI)
    plt.close(fig)


def main():
    with open(sys.argv[1]) as f:
        res = json.load(f)
    out = sys.argv[2]
    os.makedirs(out, exist_ok=True)
    for fn in (throughput, clients, pgbench, memory):
        fn(res, out)


if __name__ == "__main__":
    main()
