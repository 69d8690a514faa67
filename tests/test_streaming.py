"""End-to-end streaming tests of the C core (issue 3).

The server (``serve_streams``, a low-level ``riffq.Server`` in a subprocess)
answers queries with pyarrow RecordBatchReaders backed by Python generators,
so a result is produced batch by batch and never materialised:

- ``stream <rows> <token>``: ``rows`` int64 rows (one column ``d``, values
  ``i % 10`` so that every DataRow is exactly 12 bytes), 65,536 per batch
- ``slow <batches> <delay> <token>``: 100-row batches, ``delay`` seconds apart
- ``select <n>``: a small ordinary answer

Every generator appends ``<token> <event> <rows produced>`` to
``events.log`` when it finishes (``done``), is closed early
(``GeneratorExit``) or fails, which is how tests see that a stream was
released.

The DataRows are counted by a raw-socket client (``PgWire`` from conftest)
that checks 12-byte rows with numpy, so the client keeps up with the server.

The big stream has 100M rows (about 3 s on the 2-core test machine);
``RIFFQ_FULL=1`` streams a billion, ``RIFFQ_STREAM_ROWS=n`` any count.
"""

from __future__ import annotations

import os
import signal
import struct
import threading
import time
import uuid
from pathlib import Path
from typing import Any, Dict, List, Optional, Tuple

import numpy as np
import psycopg
import pytest

from conftest import UNDER_SANITIZER, PgWire, core_import_error, rss_kb, wait_until

CORE_ERROR = core_import_error()
pytestmark = pytest.mark.skipif(bool(CORE_ERROR), reason=f"riffq._core not built: {CORE_ERROR}")

# 100M rows take ~3 s here (~40M rows/s); RIFFQ_FULL=1 streams a billion.
FULL = os.environ.get("RIFFQ_FULL") == "1"
BIG_ROWS = int(os.environ.get("RIFFQ_STREAM_ROWS", 1_000_000_000 if FULL else 100_000_000))
BATCH = 65_536
ROW_BYTES = 12  # 'D' + int32 len (11) + int16 ncols (1) + int32 len (1) + 1 digit


# ---- the server (spawned subprocess) --------------------------------------------

def serve_streams(state_dir: str) -> None:
    import logging
    import sys as _sys

    import pyarrow as pa

    import riffq

    logging.basicConfig(level=logging.INFO, stream=_sys.stderr,
                        format="%(levelname)s %(name)s: %(message)s")
    events = os.path.join(state_dir, "events.log")
    schema = pa.schema([("d", pa.int64())])
    digits = np.arange(BATCH, dtype=np.int64) % 10  # BATCH is a multiple of 10

    def note(tok: str, event: str, rows: int) -> None:
        with open(events, "a", encoding="utf-8") as f:
            f.write(f"{tok} {event} {rows}\n")

    def big(rows: int, tok: str):
        produced = 0
        try:
            while produced < rows:
                n = min(BATCH, rows - produced)
                yield pa.record_batch([pa.array(digits[:n])], schema=schema)
                produced += n
            note(tok, "done", produced)
        except GeneratorExit:
            note(tok, "GeneratorExit", produced)
            raise
        except BaseException as exc:
            note(tok, type(exc).__name__, produced)
            raise

    def slow(batches: int, delay: float, tok: str):
        produced = 0
        try:
            for _ in range(batches):
                time.sleep(delay)
                yield pa.record_batch([pa.array(np.arange(100, dtype=np.int64) % 10)],
                                      schema=schema)
                produced += 100
            note(tok, "done", produced)
        except GeneratorExit:
            note(tok, "GeneratorExit", produced)
            raise

    def handle(sql: str, callback: Any, **kwargs: Any) -> None:
        words = sql.split()
        if words[0] == "stream":
            gen = big(int(words[1]), words[2])
        elif words[0] == "slow":
            gen = slow(int(words[1]), float(words[2]), words[3])
        else:
            n = int(words[1])
            callback(pa.record_batch([pa.array(range(n), pa.int64())], names=["i"]))
            return
        callback(pa.RecordBatchReader.from_batches(schema, gen))

    srv = riffq.Server("127.0.0.1:0")
    srv.on_query(handle)
    srv.start()


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory):
    from riffq.testing import ServerProcess

    state = tmp_path_factory.mktemp("streams")
    srv = ServerProcess(serve_streams, str(state), timeout=60)
    srv.state_dir = state  # type: ignore[attr-defined]
    try:
        yield srv
    finally:
        srv.stop()


def events(srv: Any) -> Dict[str, Tuple[str, int]]:
    path = Path(srv.state_dir) / "events.log"
    out: Dict[str, Tuple[str, int]] = {}
    if path.exists():
        for line in path.read_text().splitlines():
            tok, ev, rows = line.split()
            out[tok] = (ev, int(rows))
    return out


def token() -> str:
    return "s" + uuid.uuid4().hex[:10]


# ---- a fast DataRow counter -------------------------------------------------------

_ROW_PREFIX = np.frombuffer(b"D" + struct.pack("!IhI", 11, 1, 1), dtype=np.uint8)


class StreamResult:
    def __init__(self) -> None:
        self.rows = 0
        self.digit_sum = 0
        self.tag = b""
        self.error: Optional[Dict[str, str]] = None
        self.rowdesc = b""


def drain_digit_stream(c: PgWire, bufsize: int = 1 << 20) -> StreamResult:
    """Read one result of ``stream``: RowDescription, 12-byte DataRows
    (checked and counted with numpy, chunk by chunk), CommandComplete,
    ReadyForQuery."""
    res = StreamResult()
    mtype, payload = c.read_message()
    if mtype == b"E":
        res.error = PgWire.error_fields(payload)
        return res
    assert mtype == b"T", (mtype, payload[:100])
    res.rowdesc = payload
    pending = bytes(c.buf)  # bytes already read past the RowDescription
    c.buf.clear()
    chunk = bytearray(bufsize)
    view = memoryview(chunk)
    while True:
        usable = len(pending) - len(pending) % ROW_BYTES
        if usable:
            arr = np.frombuffer(pending, dtype=np.uint8, count=usable).reshape(-1, ROW_BYTES)
            nonrow = np.flatnonzero(arr[:, 0] != ord("D"))
            stop = int(nonrow[0]) if len(nonrow) else len(arr)
            rows = arr[:stop]
            if not (rows[:, :11] == _ROW_PREFIX).all():
                raise AssertionError("malformed DataRow in the stream")
            res.rows += stop
            res.digit_sum += int(rows[:, 11].sum(dtype=np.int64)) - 48 * stop
            if stop < len(arr):  # the end of the rows: hand the rest to PgWire
                c.buf += pending[stop * ROW_BYTES:]
                break
            pending = pending[usable:]
        n = c.sock.recv_into(view)
        if n == 0:
            raise EOFError("server closed the connection mid-stream")
        pending = pending + bytes(view[:n]) if pending else bytes(view[:n])
    while True:
        mtype, payload = c.read_message()
        if mtype == b"C":
            res.tag = payload.rstrip(b"\0")
        elif mtype == b"E":
            res.error = PgWire.error_fields(payload)
        elif mtype == b"Z":
            return res
        else:
            raise AssertionError(f"unexpected message {mtype!r}")


def expected_digit_sum(rows: int) -> int:
    full, rest = divmod(rows, BATCH)
    per_batch = int((np.arange(BATCH) % 10).sum())
    return full * per_batch + int((np.arange(rest) % 10).sum())


class RssSampler(threading.Thread):
    """Samples a process's VmRSS (kB) every ``interval`` seconds."""

    def __init__(self, pid: int, interval: float = 0.1) -> None:
        super().__init__(daemon=True)
        self.pid = pid
        self.interval = interval
        self.samples: List[int] = []
        self._halt = threading.Event()

    def run(self) -> None:
        while not self._halt.is_set():
            self.samples.append(rss_kb(self.pid))
            self._halt.wait(self.interval)

    def stop(self) -> List[int]:
        self._halt.set()
        self.join()
        return self.samples


def warm_up(srv: Any) -> None:
    """One small stream, so that lazily initialised memory (pyarrow pools,
    the first worker threads) counts in the baseline."""
    with PgWire(srv.port) as c:
        c.login()
        c.query(f"stream {BATCH * 4} {token()}")
        res = drain_digit_stream(c)
        assert res.rows == BATCH * 4


# ---- tests ------------------------------------------------------------------------

def test_big_stream_counts_and_bounded_memory(server) -> None:
    warm_up(server)
    time.sleep(0.3)
    base = rss_kb(server.pid)
    tok = token()
    sampler = RssSampler(server.pid)
    sampler.start()
    t0 = time.monotonic()
    with PgWire(server.port, timeout=60) as c:
        c.login()
        c.query(f"stream {BIG_ROWS} {tok}")
        res = drain_digit_stream(c)
    elapsed = time.monotonic() - t0
    samples = sampler.stop()
    assert res.error is None, res.error
    assert res.rows == BIG_ROWS
    assert res.tag == f"SELECT {BIG_ROWS}".encode()
    assert res.digit_sum == expected_digit_sum(BIG_ROWS)
    growth_mb = (max(samples) - base) / 1024
    print(f"\n{BIG_ROWS} rows in {elapsed:.1f} s = {BIG_ROWS / elapsed / 1e6:.2f} M rows/s, "
          f"{BIG_ROWS * ROW_BYTES / elapsed / 1e6:.0f} MB/s; server RSS {base // 1024} MB "
          f"-> max {max(samples) // 1024} MB ({len(samples)} samples)")
    assert len(samples) >= 5
    if not UNDER_SANITIZER:  # ASan's quarantine holds freed memory on purpose
        assert growth_mb < 64, f"server RSS grew by {growth_mb:.0f} MB while streaming"
    assert wait_until(lambda: events(server).get(tok) == ("done", BIG_ROWS), timeout=5)


def test_short_queries_not_delayed_by_a_long_one(server) -> None:
    tok = token()
    started = threading.Event()
    long_done = threading.Event()
    kinds: List[bytes] = []

    def long_query() -> None:
        with PgWire(server.port, timeout=60) as c:
            c.login()
            c.query(f"slow 30 0.1 {tok}")  # ~3 s, 100 rows every 0.1 s
            while True:
                mtype, _ = c.read_message()
                kinds.append(mtype)
                if mtype == b"D":
                    started.set()
                if mtype == b"Z":
                    break
        long_done.set()

    t = threading.Thread(target=long_query, daemon=True)
    t.start()
    assert started.wait(5), "the long query did not start streaming"
    conns = [psycopg.connect(server.dsn(), autocommit=True) for _ in range(5)]
    durations = []
    try:
        for i in range(50):
            t0 = time.monotonic()
            rows = conns[i % 5].execute("select 3").fetchall()
            durations.append(time.monotonic() - t0)
            assert rows == [(0,), (1,), (2,)]
    finally:
        for conn in conns:
            conn.close()
    assert not long_done.is_set(), "the long query finished before the short ones"
    assert max(durations) < 1.0, max(durations)
    t.join(15)
    assert kinds.count(b"D") == 3000 and kinds[-2:] == [b"C", b"Z"]
    assert events(server)[tok] == ("done", 3000)


def test_vanishing_client_releases_the_stream(server) -> None:
    warm_up(server)
    base = rss_kb(server.pid)
    tok = token()
    c = PgWire(server.port)
    c.login()
    c.query(f"stream 10000000 {tok}")
    got = 0
    while got < (1 << 20):
        chunk = c.sock.recv(65536)
        assert chunk
        got += len(chunk)
    c.abort()
    assert wait_until(lambda: tok in events(server), timeout=5), events(server)
    event, produced = events(server)[tok]
    assert event == "GeneratorExit", event
    assert produced < 10_000_000
    # Healthy: a new client gets a full answer.
    with psycopg.connect(server.dsn(), autocommit=True) as conn:
        assert conn.execute("select 4").fetchall() == [(0,), (1,), (2,), (3,)]
    time.sleep(0.3)
    if not UNDER_SANITIZER:
        assert (rss_kb(server.pid) - base) / 1024 < 32


def test_vanishing_client_with_fin_mid_stream(server) -> None:
    """Same with an orderly close (FIN) instead of a reset."""
    tok = token()
    c = PgWire(server.port)
    c.login()
    c.query(f"stream 10000000 {tok}")
    assert len(c.sock.recv(65536)) > 0
    c.close()
    assert wait_until(lambda: tok in events(server), timeout=5), events(server)
    assert events(server)[tok][0] == "GeneratorExit"


def test_slow_reader_does_not_stall_others(server) -> None:
    tok = token()
    slow = PgWire(server.port, rcvbuf=4096)
    slow.login()
    slow.query(f"stream 5000000 {tok}")
    stop = threading.Event()

    def read_slowly() -> None:
        try:
            while not stop.is_set():
                slow.sock.recv(1024)
                stop.wait(1.0)
        except OSError:
            pass

    reader = threading.Thread(target=read_slowly, daemon=True)
    reader.start()
    try:
        time.sleep(0.5)  # the server's output buffer for `slow` is full by now
        for _ in range(3):
            with PgWire(server.port) as other:
                other.login()
                t0 = time.monotonic()
                other.query(f"stream 500000 {token()}")
                res = drain_digit_stream(other)
                assert res.rows == 500000
                assert time.monotonic() - t0 < 5.0  # the slow reader needs hours
        assert tok not in events(server), "the slow reader's stream ended early"
    finally:
        stop.set()
        reader.join()
        slow.abort()
    assert wait_until(lambda: tok in events(server), timeout=5)


def test_many_parallel_streams(server) -> None:
    results: Dict[int, Any] = {}

    def run(i: int) -> None:
        with PgWire(server.port, timeout=30) as c:
            c.login()
            c.query(f"stream {300_000 + i} {token()}")
            results[i] = drain_digit_stream(c)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert sorted(results) == list(range(8))
    for i, res in results.items():
        assert (res.rows, res.digit_sum) == (300_000 + i, expected_digit_sum(300_000 + i))


def test_cancel_request_mid_stream(server) -> None:
    """A CancelRequest while rows are streaming ends the result with
    57014, releases the stream, and the connection stays usable."""
    tok = token()
    with PgWire(server.port, timeout=20) as c:
        c.login()
        assert c.backend_key is not None
        c.query(f"stream 100000000 {tok}")
        got = 0
        while got < (2 << 20):
            got += len(c.sock.recv(1 << 16))
        with PgWire(server.port) as cancel:
            cancel.send_raw(struct.pack("!IIII", 16, 80877102, *c.backend_key))
            assert cancel.closed_by_server(3)
        # Drain what was in flight: DataRows, then the error and ReadyForQuery.
        c.buf.clear()
        tail = b""
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            chunk = c.sock.recv(1 << 20)
            assert chunk, "server closed the connection"
            tail = (tail + chunk)[-4096:]
            if tail.endswith(b"Z\x00\x00\x00\x05I"):
                break
        else:
            raise AssertionError("no ReadyForQuery after the cancel")
        assert b"C57014\x00" in tail, tail[-300:]
        assert wait_until(lambda: tok in events(server), timeout=5)
        assert events(server)[tok][0] == "GeneratorExit"
        assert [m[0] for m in c.simple_query("select 2")] == [b"T", b"D", b"D", b"C", b"Z"]


def test_terminate_then_close_mid_stream(server) -> None:
    """Terminate ('X') and close while rows are still coming, as libpq's
    PQfinish does when a client exits mid-result."""
    tok = token()
    c = PgWire(server.port)
    c.login()
    c.query(f"stream 100000000 {tok}")
    c.sock.recv(1 << 16)
    c.send(b"X")
    c.close()
    assert wait_until(lambda: tok in events(server), timeout=5)
    assert events(server)[tok][0] == "GeneratorExit"


def test_sigterm_during_a_large_stream(tmp_path, server_factory) -> None:
    srv = server_factory(serve_streams, str(tmp_path), timeout=60)
    srv.state_dir = tmp_path  # type: ignore[attr-defined]
    tok = token()
    c = PgWire(srv.port, timeout=10)
    c.login()
    c.query(f"stream 100000000 {tok}")
    got = 0
    while got < (4 << 20):
        got += len(c.sock.recv(1 << 20))
    srv.signal(signal.SIGTERM)
    t0 = time.monotonic()
    # Keep reading so the server is never blocked on us; it must end the
    # stream with FATAL 57P01 or just close.
    fatal = None
    try:
        while time.monotonic() - t0 < 10:
            chunk = c.sock.recv(1 << 20)
            if not chunk:
                break
            i = chunk.rfind(b"E\x00\x00\x00")
            if i >= 0 and b"57P01" in chunk[i:]:
                fatal = chunk[i:]
    except OSError:
        pass
    finally:
        c.close()
    code = srv.wait(5)
    assert code == 0, f"exit code {code} ({time.monotonic() - t0:.1f} s after SIGTERM)"
    assert time.monotonic() - t0 < 5.0
    if fatal is not None:
        assert b"SFATAL" in fatal
