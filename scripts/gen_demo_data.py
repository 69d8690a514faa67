#!/usr/bin/env python3
"""Generate the demo dataset and TLS certificate, with no download.

    python scripts/gen_demo_data.py [--rows 1000000] [--out data/klines.parquet]
                                    [--certs certs] [--force]

- ``data/klines.parquet``: Binance-style 1-minute klines for a few symbols,
  a seeded random walk (same file content on every run for a given pyarrow
  version): open_time/close_time (int64 ms since the epoch, as Binance
  ships them), open/high/low/close/volume, quote_asset_volume,
  number_of_trades, taker_buy_base_asset_volume,
  taker_buy_quote_asset_volume, symbol.
- ``certs/server.crt`` + ``certs/server.key``: a self-signed pair from
  ``openssl req -newkey rsa:2048 -nodes -keyout server.key -x509 -days 1
  -out server.crt -subj "/CN=localhost"``.

Existing outputs are kept unless ``--force``.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from typing import List, Tuple

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

# symbol, starting price, per-minute volatility, typical base volume per minute
SYMBOLS: List[Tuple[str, float, float, float]] = [
    ("BTCUSDT", 42000.0, 0.0009, 12.0),
    ("ETHUSDT", 2300.0, 0.0012, 180.0),
    ("SOLUSDT", 98.0, 0.0018, 2500.0),
    ("BNBUSDT", 310.0, 0.0011, 700.0),
]
START_MS = 1704067200000  # 2024-01-01T00:00:00Z
MINUTE_MS = 60_000
SEED = 20240101


def _round_tick(x: np.ndarray, price0: float) -> np.ndarray:
    # Binance ticks: 0.01 above 10, finer below. np.round(x, d) divides an
    # integer by 10**d, so each value is the double nearest its decimal.
    return np.round(x, 2 if price0 >= 10 else 4)


def klines_for(rng: np.random.Generator, symbol: str, price0: float, vol: float,
               base_volume: float, n: int) -> pa.Table:
    """One symbol's ``n`` consecutive 1-minute candles."""
    # Random walk of log prices with a little volatility clustering.
    regime = np.exp(np.cumsum(rng.normal(0.0, 0.02, n)) * 0.05)
    sigma = vol * np.clip(regime, 0.3, 3.0)
    log_ret = rng.normal(0.0, 1.0, n) * sigma
    close = price0 * np.exp(np.cumsum(log_ret))
    open_ = np.empty(n)
    open_[0] = price0
    open_[1:] = close[:-1]
    wick_hi = np.abs(rng.normal(0.0, 1.0, n)) * sigma * 0.6
    wick_lo = np.abs(rng.normal(0.0, 1.0, n)) * sigma * 0.6
    high = np.maximum(open_, close) * np.exp(wick_hi)
    low = np.minimum(open_, close) * np.exp(-wick_lo)
    open_, high, low, close = (_round_tick(a, price0) for a in (open_, high, low, close))
    # Volume grows with the size of the move; lognormal noise.
    activity = 1.0 + 0.5 * np.abs(log_ret) / sigma
    volume = np.round(base_volume * rng.lognormal(0.0, 0.6, n) * activity, 3)
    vwap = (open_ + high + low + close) / 4.0
    quote_volume = np.round(volume * vwap, 4)
    trades = rng.poisson(np.maximum(1.0, volume / base_volume * 900.0)).astype(np.int64)
    taker_share = rng.beta(5.0, 5.0, n)
    taker_base = np.round(volume * taker_share, 3)
    taker_quote = np.round(taker_base * vwap, 4)
    open_time = START_MS + np.arange(n, dtype=np.int64) * MINUTE_MS
    return pa.table({
        "open_time": pa.array(open_time, pa.int64()),
        "open": pa.array(open_, pa.float64()),
        "high": pa.array(high, pa.float64()),
        "low": pa.array(low, pa.float64()),
        "close": pa.array(close, pa.float64()),
        "volume": pa.array(volume, pa.float64()),
        "close_time": pa.array(open_time + MINUTE_MS - 1, pa.int64()),
        "quote_asset_volume": pa.array(quote_volume, pa.float64()),
        "number_of_trades": pa.array(trades, pa.int64()),
        "taker_buy_base_asset_volume": pa.array(taker_base, pa.float64()),
        "taker_buy_quote_asset_volume": pa.array(taker_quote, pa.float64()),
        "symbol": pa.array([symbol] * n, pa.string()),
    })


def write_klines(path: str, rows: int) -> None:
    """Write ``rows`` klines (split across SYMBOLS) to ``path``."""
    rng = np.random.default_rng(SEED)
    per = rows // len(SYMBOLS)
    tables = []
    for i, (symbol, price0, vol, base_volume) in enumerate(SYMBOLS):
        n = per + (rows - per * len(SYMBOLS) if i == len(SYMBOLS) - 1 else 0)
        tables.append(klines_for(rng, symbol, price0, vol, base_volume, n))
    table = pa.concat_tables(tables)
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    tmp = path + ".tmp"
    pq.write_table(table, tmp, compression="zstd", row_group_size=128 * 1024)
    os.replace(tmp, path)
    print(f"wrote {path}: {table.num_rows} rows, {os.path.getsize(path) / 1e6:.1f} MB")


def write_certs(directory: str) -> None:
    """Make certs/server.crt and certs/server.key with openssl."""
    os.makedirs(directory, exist_ok=True)
    subprocess.run(
        ["openssl", "req", "-newkey", "rsa:2048", "-nodes", "-keyout", "server.key",
         "-x509", "-days", "1", "-out", "server.crt", "-subj", "/CN=localhost"],
        cwd=directory, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    print(f"wrote {directory}/server.crt and {directory}/server.key")


def main(argv: List[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--out", default="data/klines.parquet")
    parser.add_argument("--certs", default="certs", help="certificate directory ('' to skip)")
    parser.add_argument("--force", action="store_true", help="regenerate existing files")
    args = parser.parse_args(argv)
    if args.force or not os.path.exists(args.out):
        write_klines(args.out, args.rows)
    if args.certs:
        crt = os.path.join(args.certs, "server.crt")
        key = os.path.join(args.certs, "server.key")
        if args.force or not (os.path.exists(crt) and os.path.exists(key)):
            write_certs(args.certs)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
