"""The benchmark server, written against riffq's public API only.

    python riffq_server.py [--parquet bulk.parquet] [--engine arrow|duckdb] [--executor]

Listens on 127.0.0.1 port 0 and prints one JSON line ``{"host":..,"port":..}``
to stdout once bound (``_server.on_ready``), then serves until SIGTERM.

Queries (the harness sends exactly these):

- ``select 1``: one row, one int4 column.
- ``select * from bulk``: the prebuilt Arrow table read from ``--parquet``
  (engine ``arrow``) or the same rows in an in-memory DuckDB table (engine
  ``duckdb``, the README's pattern: ``fetch_record_batch`` in the executor).
- ``select * from stream(N)``: N int8 rows generated batch by batch (64Ki rows
  per batch), never materialised.
- ``select * from wide(N)``: N rows of (int8, 1000-byte text), generated
  batch by batch, for the larger-than-memory test.

With engine ``duckdb`` every other statement goes to DuckDB as is.
"""
import argparse
import json
import re
import sys

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

import riffq

BATCH = 65536
WIDE_BATCH = 4096
GEN_RE = re.compile(r"^\s*select \* from (stream|wide)\((\d+)\)\s*;?\s*$", re.I)
SELECT1_RE = re.compile(r"^\s*select 1\s*;?\s*$", re.I)
BULK_RE = re.compile(r"^\s*select \* from bulk\s*;?\s*$", re.I)

def int_array(values: np.ndarray) -> pa.Array:
    """A pyarrow array over a numpy buffer. pa.array() would import pandas
    (pyarrow checks every input for pandas objects): +55 MB of RSS that the
    idle-connections figure would wrongly charge to riffq."""
    typ = pa.from_numpy_dtype(values.dtype)
    return pa.Array.from_buffers(typ, len(values), [None, pa.py_buffer(values)])


SELECT1 = pa.record_batch([int_array(np.array([1], dtype=np.int32))], names=["?column?"])
STREAM_SCHEMA = pa.schema([("i", pa.int64())])
WIDE_SCHEMA = pa.schema([("i", pa.int64()), ("pad", pa.string())])
_wide_pad = None


def wide_pad() -> pa.Array:
    """WIDE_BATCH strings of 1000 'x', built from buffers on first use (a
    Python-list conversion would leave ~45 MB in pyarrow's allocator, which
    the idle-connection figure would wrongly include)."""
    global _wide_pad
    if _wide_pad is None:
        offsets = np.arange(0, (WIDE_BATCH + 1) * 1000, 1000, dtype=np.int32)
        data = np.full(WIDE_BATCH * 1000, ord("x"), dtype=np.uint8)
        _wide_pad = pa.StringArray.from_buffers(WIDE_BATCH, pa.py_buffer(offsets),
                                                pa.py_buffer(data))
    return _wide_pad


def stream_reader(n: int) -> pa.RecordBatchReader:
    """N int8 rows, one batch at a time: memory stays one batch deep."""
    def batches():
        for start in range(1, n + 1, BATCH):
            stop = min(start + BATCH, n + 1)
            yield pa.record_batch([int_array(np.arange(start, stop, dtype=np.int64))],
                                  schema=STREAM_SCHEMA)
    return pa.RecordBatchReader.from_batches(STREAM_SCHEMA, batches())


def wide_reader(n: int) -> pa.RecordBatchReader:
    """N rows of (int8, 1000-byte text): the text array is shared by every batch."""
    pad = wide_pad()

    def batches():
        for start in range(1, n + 1, WIDE_BATCH):
            stop = min(start + WIDE_BATCH, n + 1)
            ids = int_array(np.arange(start, stop, dtype=np.int64))
            yield pa.record_batch([ids, pad.slice(0, stop - start)], schema=WIDE_SCHEMA)
    return pa.RecordBatchReader.from_batches(WIDE_SCHEMA, batches())


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--parquet", help="the bulk table (without it: no bulk table, for "
                    "the idle-connections test)")
    ap.add_argument("--engine", choices=("arrow", "duckdb"), default="arrow")
    ap.add_argument("--executor", action="store_true",
                    help="answer from the connection's executor (README pattern) "
                         "instead of inline in handle_query")
    args = ap.parse_args()

    bulk = pq.read_table(args.parquet) if args.parquet else None  # prebuilt, in memory
    duck = None
    if args.engine == "duckdb":
        import duckdb
        duck = duckdb.connect()
        duck.register("bulk_arrow", bulk)
        duck.execute("CREATE TABLE bulk AS SELECT * FROM bulk_arrow")
        duck.unregister("bulk_arrow")
        bulk = None

    class Connection(riffq.BaseConnection):
        def answer(self, sql, callback):
            if SELECT1_RE.match(sql):
                # A pyarrow RecordBatch handed to the callback as is: the
                # core streams it from __arrow_c_array__ (send_reader would
                # first build a Table and a reader around it in Python).
                callback(SELECT1)
                return
            m = GEN_RE.match(sql)
            if m:
                n = int(m.group(2))
                reader = stream_reader(n) if m.group(1).lower() == "stream" else wide_reader(n)
                self.send_reader(reader, callback)
                return
            if duck is not None:
                try:
                    reader = duck.cursor().execute(sql).fetch_record_batch()
                except Exception as exc:  # DuckDB's message, as a PostgreSQL error
                    callback(("ERROR", "42000", str(exc)), is_error=True)
                    return
                self.send_reader(reader, callback)
                return
            if bulk is not None and BULK_RE.match(sql):
                self.send_reader(bulk, callback)
                return
            callback(("ERROR", "42P01", f"unknown benchmark query: {sql}"), is_error=True)

        def handle_query(self, sql, callback=callable, **kwargs):
            if args.executor or duck is not None:
                self.executor.submit(self.answer, sql, callback)
            else:
                self.answer(sql, callback)

    server = riffq.RiffqServer("127.0.0.1:0", connection_cls=Connection)

    def ready(host, port):
        print(json.dumps({"host": host, "port": port}), flush=True)

    server._server.on_ready(ready)
    server.start()


if __name__ == "__main__":
    sys.exit(main())
