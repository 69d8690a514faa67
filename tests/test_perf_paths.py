"""The small-query fast paths (issue 8) keep the protocol exact.

The core runs a query's handler and streams its result in one worker task
when the handler answers before returning, runs a portal's Describe and the
Execute that follows it in the same input as one job, releases a finished
stream before the loop writes CommandComplete, and holds a small result back
so that it leaves in one write with its CommandComplete and ReadyForQuery.
These tests pin what a client sees on those paths (message order, row
limits, NoData, errors, answers from other threads, slow producers) and the
ordering of connect/disconnect handlers that the parallel worker pool made
observable.
"""

from __future__ import annotations

import os
import struct
import time
from pathlib import Path
from typing import Any, List, Tuple

import pytest

from conftest import PgWire, core_import_error, wait_until

CORE_ERROR = core_import_error()
pytestmark = pytest.mark.skipif(bool(CORE_ERROR), reason=f"riffq._core not built: {CORE_ERROR}")


# ---- the server (spawned subprocess) -----------------------------------------

def serve_paths(state_dir: str) -> None:
    """Statements (first word):

    - ``rows N``: N int8 rows in one batch;
    - ``tag``: the command tag ``INSERT 0 3``;
    - ``fail``: an error 22012 from the handler;
    - ``thread N``: N rows, answered 20 ms later from another thread;
    - ``release N``: N rows from an iterator that logs ``released`` when
      the stream lets go of it;
    - ``slow N D``: N one-row batches, each produced after D seconds.

    Every call is logged to ``calls.log`` (one line per handler call).
    """
    import threading

    import pyarrow as pa

    import riffq

    schema = pa.schema([("i", pa.int64())])

    def log(name: str, text: str) -> None:
        with open(os.path.join(state_dir, name), "a", encoding="utf-8") as f:
            f.write(text + "\n")

    def rows(n: int) -> Any:
        return pa.record_batch([pa.array(range(n), pa.int64())], schema=schema)

    class Tracked:
        """Iterator of one batch; its finalizer logs the stream's release."""

        def __init__(self, n: int) -> None:
            self.batches = [rows(n)]

        def __iter__(self) -> "Tracked":
            return self

        def __next__(self) -> Any:
            if not self.batches:
                raise StopIteration
            return self.batches.pop()

        def __del__(self) -> None:
            log("events.log", "released")

    def slow(n: int, delay: float) -> Any:
        for i in range(n):
            time.sleep(delay)
            yield rows(1)

    def handle(sql: str, callback: Any, **kwargs: Any) -> None:
        log("calls.log", sql)
        words = sql.split()
        if words[0] == "rows":
            callback(rows(int(words[1])))
        elif words[0] == "tag":
            callback("INSERT 0 3", is_tag=True)
        elif words[0] == "fail":
            callback(("ERROR", "22012", "division by zero"), is_error=True)
        elif words[0] == "thread":
            n = int(words[1])
            threading.Timer(0.02, lambda: callback(rows(n))).start()
        elif words[0] == "release":
            callback(pa.RecordBatchReader.from_batches(schema, Tracked(int(words[1]))))
        elif words[0] == "slow":
            callback(pa.RecordBatchReader.from_batches(
                schema, slow(int(words[1]), float(words[2]))))
        else:
            callback(("ERROR", "42601", f"unknown test statement {sql}"), is_error=True)

    def connect(conn_id: int, ip: str, port: int, callback: Any, server_name: Any = None) -> None:
        log("events.log", f"connect-start {conn_id}")
        time.sleep(0.3)
        callback(True)
        log("events.log", f"connect-end {conn_id}")

    def disconnect(conn_id: int, ip: str, port: int) -> None:
        log("events.log", f"disconnect {conn_id}")

    srv = riffq.Server("127.0.0.1:0")
    srv.on_query(handle)
    srv.on_connect(connect)
    srv.on_disconnect(disconnect)
    srv.start()


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Any:
    from riffq.testing import ServerProcess

    state = tmp_path_factory.mktemp("paths")
    srv = ServerProcess(serve_paths, str(state), timeout=60)
    srv.state_dir = state  # type: ignore[attr-defined]
    try:
        yield srv
    finally:
        srv.stop()


def lines(srv: Any, name: str) -> List[str]:
    path = Path(srv.state_dir) / name
    return path.read_text().splitlines() if path.exists() else []


# ---- raw extended-protocol messages -------------------------------------------

def msg(mtype: bytes, payload: bytes = b"") -> bytes:
    return mtype + struct.pack("!I", len(payload) + 4) + payload


def parse(sql: str, name: str = "") -> bytes:
    return msg(b"P", name.encode() + b"\0" + sql.encode() + b"\0" + struct.pack("!h", 0))


def bind(portal: str = "", stmt: str = "", result_format: int = 0) -> bytes:
    return msg(b"B", portal.encode() + b"\0" + stmt.encode() + b"\0"
               + struct.pack("!hhhh", 0, 0, 1, result_format))


def describe_portal(portal: str = "") -> bytes:
    return msg(b"D", b"P" + portal.encode() + b"\0")


def execute(portal: str = "", max_rows: int = 0) -> bytes:
    return msg(b"E", portal.encode() + b"\0" + struct.pack("!i", max_rows))


SYNC = msg(b"S")


def roundtrip(c: PgWire, *messages: bytes) -> List[Tuple[bytes, bytes]]:
    """Send every message in one write (so the server reads them together)
    and return the answer up to ReadyForQuery."""
    c.send_raw(b"".join(messages))
    out = []
    while True:
        m = c.read_message()
        out.append(m)
        if m[0] == b"Z":
            return out


def kinds(msgs: List[Tuple[bytes, bytes]]) -> str:
    return "".join(m[0].decode() for m in msgs)


def session(srv: Any) -> PgWire:
    c = PgWire(srv.port)
    c.login()
    return c


def handler_calls(srv: Any, sql: str) -> int:
    return sum(1 for line in lines(srv, "calls.log") if line == sql)


# ---- Describe + Execute in one job ------------------------------------------------

def test_describe_execute_pipeline(server: Any) -> None:
    with session(server) as c:
        got = roundtrip(c, parse("rows 3 a"), bind(), describe_portal(), execute(), SYNC)
        assert kinds(got) == "12TDDDCZ"
        assert got[-2][1] == b"SELECT 3\0"
        assert [struct.unpack("!hi", p[:6]) for t, p in got if t == b"D"] == [(1, 1)] * 3
        # binary results through the same path
        got = roundtrip(c, parse("rows 2 b"), bind(result_format=1), describe_portal(),
                        execute(), SYNC)
        assert kinds(got) == "12TDDCZ"
        assert got[3][1] == struct.pack("!hiq", 1, 8, 0)
    assert handler_calls(server, "rows 3 a") == 1
    assert handler_calls(server, "rows 2 b") == 1


def test_describe_execute_with_row_limit(server: Any) -> None:
    with session(server) as c:
        got = roundtrip(c, parse("rows 5 c"), bind("p"), describe_portal("p"), execute("p", 2),
                        execute("p", 2), execute("p", 0), SYNC)
        assert kinds(got) == "12TDDsDDsDCZ"
        assert got[-2][1] == b"SELECT 1\0"  # rows of the last Execute, as PostgreSQL counts
    assert handler_calls(server, "rows 5 c") == 1


def test_describe_then_execute_of_another_portal(server: Any) -> None:
    with session(server) as c:
        got = roundtrip(c, parse("rows 1 d", "s"), bind("p1", "s"), bind("p2", "s"),
                        describe_portal("p1"), execute("p2"), execute("p1"), SYNC)
        assert kinds(got) == "122TDCDCZ"
    assert handler_calls(server, "rows 1 d") == 2


def test_describe_execute_tag_and_error(server: Any) -> None:
    with session(server) as c:
        got = roundtrip(c, parse("tag e"), bind(), describe_portal(), execute(), SYNC)
        assert kinds(got) == "12nCZ"
        assert got[3][1] == b"INSERT 0 3\0"
        got = roundtrip(c, parse("fail f"), bind(), describe_portal(), execute(), SYNC)
        assert kinds(got) == "12EZ"
        assert PgWire.error_fields(got[2][1])["C"] == "22012"
        # the session goes on normally
        got = roundtrip(c, parse("rows 1 g"), bind(), describe_portal(), execute(), SYNC)
        assert kinds(got) == "12TDCZ"


def test_answer_from_another_thread(server: Any) -> None:
    with session(server) as c:
        got = c.simple_query("thread 4")
        assert kinds(got) == "TDDDDCZ"
        got = roundtrip(c, parse("thread 2"), bind(), describe_portal(), execute(), SYNC)
        assert kinds(got) == "12TDDCZ"


def test_simple_multi_statement(server: Any) -> None:
    with session(server) as c:
        got = c.simple_query("rows 2 h; tag h; rows 1 h")
        assert kinds(got) == "TDDCCTDCZ"


# ---- streams ----------------------------------------------------------------------

def test_stream_released_before_ready_for_query(server: Any) -> None:
    with session(server) as c:
        for protocol in ("simple", "extended"):
            before = lines(server, "events.log").count("released")
            if protocol == "simple":
                got = c.simple_query("release 3")
            else:
                got = roundtrip(c, parse("release 3"), bind(), describe_portal(), execute(), SYNC)
            assert got[-1][0] == b"Z"
            assert lines(server, "events.log").count("released") == before + 1, protocol


def test_slow_producer_rows_are_not_held_back(server: Any) -> None:
    """Rows of a producer that takes long per batch go out as they come,
    not with the end of the result."""
    with session(server) as c:
        c.query("slow 4 0.4")
        t0 = time.monotonic()
        seen = []
        while True:
            mtype, _ = c.read_message()
            if mtype == b"D":
                seen.append(time.monotonic() - t0)
            if mtype == b"Z":
                break
        assert len(seen) == 4
        # the second row leaves after ~0.8 s, long before the last (~1.6 s)
        assert seen[1] < seen[3] - 0.5, seen


# ---- connect / disconnect handlers ----------------------------------------------------

def test_vanishing_client_gets_connect_then_disconnect(server: Any) -> None:
    """A client that closes at once still gets both handler calls, and the
    disconnect handler runs after the connect handler returned (they run
    on different workers)."""
    before = len(lines(server, "events.log"))
    for _ in range(5):
        c = PgWire(server.port)
        c.close()

    def done() -> bool:
        new = lines(server, "events.log")[before:]
        return sum(e.startswith("disconnect") for e in new) >= 5

    assert wait_until(done, timeout=10), lines(server, "events.log")[before:]
    new = [e for e in lines(server, "events.log")[before:] if e != "released"]
    by_conn: dict = {}
    for e in new:
        kind, conn = e.split()
        by_conn.setdefault(conn, []).append(kind)
    assert len(by_conn) == 5
    for conn, seq in by_conn.items():
        assert seq == ["connect-start", "connect-end", "disconnect"], (conn, seq)
