"""Generate the bulk table once: out/data/bulk.parquet (+ bulk.csv for PostgreSQL).

    python gen_data.py OUT_DIR ROWS

Columns (int8, text, float8, timestamp, bool), deterministic (seed 8):
  id     0..ROWS-1
  name   8-24 random lowercase letters
  value  normal(1000, 250) doubles at full precision: the worst case for
         shortest round-trip float text (17 significant digits)
  ts     2024-01-01 + a random microsecond within one year
  flag   about one in three true

The files are rewritten only when ROWS changes (a stamp file records it).
"""
import os
import sys

import numpy as np
import pyarrow as pa
import pyarrow.csv as pcsv
import pyarrow.parquet as pq


def build(rows: int) -> pa.Table:
    rng = np.random.default_rng(8)
    lengths = rng.integers(8, 25, rows)
    letters = rng.integers(ord("a"), ord("z") + 1, int(lengths.sum()), dtype=np.uint8)
    offsets = np.zeros(rows + 1, dtype=np.int32)
    np.cumsum(lengths, out=offsets[1:])
    names = pa.StringArray.from_buffers(rows, pa.py_buffer(offsets), pa.py_buffer(letters))
    base = np.datetime64("2024-01-01T00:00:00", "us").astype(np.int64)
    ts = base + rng.integers(0, 366 * 86400 * 1_000_000, rows)
    return pa.table({
        "id": pa.array(np.arange(rows, dtype=np.int64)),
        "name": names,
        "value": pa.array(rng.normal(1000.0, 250.0, rows)),
        "ts": pa.array(ts.astype("datetime64[us]"), pa.timestamp("us")),
        "flag": pa.array(rng.random(rows) < 1 / 3),
    })


def main() -> None:
    out, rows = sys.argv[1], int(sys.argv[2])
    os.makedirs(out, exist_ok=True)
    stamp = os.path.join(out, "bulk.rows")
    if os.path.exists(stamp) and open(stamp).read().strip() == str(rows):
        return
    table = build(rows)
    pq.write_table(table, os.path.join(out, "bulk.parquet"), row_group_size=65536,
                   compression="snappy")
    pcsv.write_csv(table, os.path.join(out, "bulk.csv"),
                   pcsv.WriteOptions(include_header=False))
    with open(stamp, "w") as f:
        f.write(f"{rows}\n")


if __name__ == "__main__":
    main()
