"""Tests of riffq's Python layer.

Most tests need no server: handler adaptation, ``to_arrow``, the
``_bridge`` conversions, Catalog validation, the executor's exception
handling, RiffqServer's forwarding (with a stand-in for the low-level server)
and ``riffq.testing``. The last section runs real servers and needs the C
extension.
"""

from __future__ import annotations

import datetime as dt
import decimal
import functools
import importlib
import logging
import os
import shutil
import socket
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any, Dict, List, Optional, Tuple

import pyarrow as pa
import pytest

import riffq
from riffq import _bridge, connection as rconn
from riffq.catalog import Catalog, Column, parse_columns
from riffq.connection import BaseConnection, QueryExecutor, RiffqServer
from riffq.helpers import to_arrow
from riffq.server import (AUTH_ARGS, CONNECT_ARGS, DISCONNECT_ARGS, QUERY_ARGS,
                          adapt_handler, call_plan)
from riffq.testing import ServerProcess, free_port, free_port_block, stop_server

from conftest import core_import_error

ROOT = Path(__file__).resolve().parent.parent
CORE_ERROR = core_import_error()
needs_core = pytest.mark.skipif(bool(CORE_ERROR), reason=f"riffq._core not built: {CORE_ERROR}")


def read_capsule(capsule: Any) -> pa.Table:
    """Import a stream capsule back into pyarrow."""
    assert _bridge.is_stream_capsule(capsule)
    return pa.RecordBatchReader._import_from_c_capsule(capsule).read_all()


# ---- handler adaptation ----------------------------------------------------

class Recorder:
    def __init__(self) -> None:
        self.calls: List[Tuple[tuple, dict]] = []


def test_full_signature_handlers_are_not_wrapped() -> None:
    def query(sql, callback, **kwargs): ...
    def connect(conn_id, ip, port, *, callback, server_name=None): ...
    def auth(conn_id, user, password, host, *, callback, database=None): ...
    def disconnect(conn_id, ip, port): ...
    def anything(*args, **kwargs): ...

    assert adapt_handler(query, *QUERY_ARGS) is query
    assert adapt_handler(connect, *CONNECT_ARGS) is connect
    assert adapt_handler(auth, *AUTH_ARGS) is auth
    assert adapt_handler(disconnect, *DISCONNECT_ARGS) is disconnect
    for shape in (QUERY_ARGS, CONNECT_ARGS, AUTH_ARGS, DISCONNECT_ARGS):
        assert adapt_handler(anything, *shape) is anything


def test_connect_handler_without_server_name() -> None:
    seen = {}

    def connect(conn_id, ip, port, callback=callable):
        seen.update(conn_id=conn_id, ip=ip, port=port, callback=callback)

    wrapped = adapt_handler(connect, *CONNECT_ARGS)
    assert wrapped is not connect
    assert wrapped.__name__ == "connect"
    cb = object()
    wrapped(7, "127.0.0.1", 5000, callback=cb, server_name="sni")
    assert seen == {"conn_id": 7, "ip": "127.0.0.1", "port": 5000, "callback": cb}


def test_callback_under_another_name_is_passed_positionally() -> None:
    got = []

    def connect(conn_id, ip, port, cb):
        got.append(cb)

    cb = object()
    adapt_handler(connect, *CONNECT_ARGS)(1, "ip", 2, callback=cb, server_name=None)
    assert got == [cb]

    def auth(conn_id, user, password, host, respond, database=None):
        got.append((respond, database))

    adapt_handler(auth, *AUTH_ARGS)(1, "u", "p", "h", callback=cb, database="db")
    assert got[-1] == (cb, "db")


def test_query_handler_shapes() -> None:
    calls: List[Any] = []

    def minimal(sql, callback):
        calls.append((sql, callback))

    def some(sql, callback, connection_id=None):
        calls.append(connection_id)

    def extra_default(sql, callback, do_describe=False, other=1):
        calls.append((do_describe, other))

    kw = dict(connection_id=3, do_describe=True, query_args=None, param_types=None)
    adapt_handler(minimal, *QUERY_ARGS)("select 1", "cb", **kw)
    adapt_handler(some, *QUERY_ARGS)("select 1", "cb", **kw)
    adapt_handler(extra_default, *QUERY_ARGS)("select 1", "cb", **kw)
    assert calls == [("select 1", "cb"), 3, (True, 1)]


def test_fewer_positionals_and_positional_only() -> None:
    got = []

    def disconnect(conn_id):
        got.append(conn_id)

    adapt_handler(disconnect, *DISCONNECT_ARGS)(5, "ip", 1)

    def connect(conn_id, ip, port, callback, /):
        got.append(callback)

    adapt_handler(connect, *CONNECT_ARGS)(1, "ip", 2, callback="cb", server_name=None)
    assert got == [5, "cb"]


def test_bound_methods_partials_and_builtins() -> None:
    class H:
        def connect(self, conn_id, ip, port, callback):
            return (self, callback)

    h = H()
    assert adapt_handler(h.connect, *CONNECT_ARGS)(1, "ip", 2, callback="cb",
                                                   server_name=None) == (h, "cb")

    def base(prefix, sql, callback):
        return prefix + sql

    part = functools.partial(base, "> ")
    assert adapt_handler(part, *QUERY_ARGS)("q", "cb", connection_id=1, do_describe=False,
                                            query_args=None, param_types=None) == "> q"
    assert adapt_handler(print, *DISCONNECT_ARGS) is print  # no signature: as is
    with pytest.raises(TypeError):
        adapt_handler(42, *QUERY_ARGS)  # type: ignore[arg-type]


def test_plan_ignores_unknown_future_keywords() -> None:
    def connect(conn_id, ip, port, callback=None):
        return callback

    plan = call_plan(connect, *CONNECT_ARGS)
    assert plan is not None
    assert plan.call(connect, (1, "ip", 2), {"callback": "cb", "server_name": None,
                                             "new_thing": 1}) == "cb"


# ---- helpers.to_arrow --------------------------------------------------------

def test_to_arrow_upstream_types() -> None:
    schema = [{"name": n, "type": t} for n, t in [
        ("i", "int"), ("f", "float"), ("b", "bool"), ("s", "str"), ("s2", "string"),
        ("d", "date"), ("ts", "datetime")]]
    rows = [[1, 1.5, True, "a", "b", dt.date(2024, 1, 2), dt.datetime(2024, 1, 2, 3, 4, 5, 6)],
            [None, None, None, None, None, None, None]]
    t = read_capsule(to_arrow(schema, rows))
    assert t.schema.types == [pa.int64(), pa.float64(), pa.bool_(), pa.utf8(), pa.utf8(),
                              pa.date32(), pa.timestamp("us")]
    assert t.column_names == ["i", "f", "b", "s", "s2", "d", "ts"]
    assert t.to_pylist()[0]["ts"] == dt.datetime(2024, 1, 2, 3, 4, 5, 6)
    assert all(v is None for v in t.to_pylist()[1].values())


def test_to_arrow_extra_types_and_case() -> None:
    schema = [{"name": "a", "type": "INTEGER"}, {"name": "b", "type": "numeric"},
              {"name": "c", "type": "bytea"}, {"name": "d", "type": "timestamptz"},
              {"name": "e", "type": "smallint"}, {"name": "f", "type": "time"}]
    rows = [[1, decimal.Decimal("1.25"), b"\x00\xff",
             dt.datetime(2024, 1, 1, tzinfo=dt.timezone.utc), 3, dt.time(1, 2, 3)]]
    t = read_capsule(to_arrow(schema, rows))
    assert t.schema.field("a").type == pa.int32()
    assert pa.types.is_decimal(t.schema.field("b").type)
    assert t.schema.field("c").type == pa.binary()
    assert t.schema.field("d").type == pa.timestamp("us", tz="UTC")
    assert t.schema.field("e").type == pa.int16()
    assert t.schema.field("f").type == pa.time64("us")
    assert t.to_pylist()[0]["b"] == decimal.Decimal("1.25")


def test_to_arrow_errors_and_empty() -> None:
    with pytest.raises(ValueError, match="unknown column type"):
        to_arrow([{"name": "x", "type": "nope"}], [[1]])
    with pytest.raises(ValueError, match="row 0"):
        to_arrow([{"name": "x", "type": "int"}], [[1, 2]])
    with pytest.raises((pa.ArrowInvalid, pa.ArrowTypeError, TypeError)):
        to_arrow([{"name": "x", "type": "int"}], [["abc"]])
    t = read_capsule(to_arrow([{"name": "x", "type": "int"}], []))
    assert t.num_rows == 0 and t.schema.field("x").type == pa.int64()


# ---- _bridge.to_stream_capsule ----------------------------------------------------

def sample_batch() -> pa.RecordBatch:
    return pa.record_batch([pa.array([1, 2], pa.int64()), pa.array(["a", None])],
                           names=["n", "s"])


class OnlyCArray:
    """Exposes a record batch through __arrow_c_array__ only."""

    def __init__(self, obj: Any) -> None:
        self._obj = obj

    def __arrow_c_array__(self, requested_schema: Any = None) -> Any:
        return self._obj.__arrow_c_array__(requested_schema)


class OldReader:
    """A reader from before the PyCapsule interface: only _export_to_c."""

    def __init__(self, reader: pa.RecordBatchReader) -> None:
        self._reader = reader
        self.schema = reader.schema

    def _export_to_c(self, address: int) -> None:
        self._reader._export_to_c(address)


def test_bridge_pyarrow_objects() -> None:
    b = sample_batch()
    expected = pa.Table.from_batches([b])
    reader = pa.RecordBatchReader.from_batches(b.schema, [b])
    cap = reader.__arrow_c_stream__()
    assert _bridge.to_stream_capsule(cap) is cap
    assert read_capsule(cap).equals(expected)
    for obj in (pa.RecordBatchReader.from_batches(b.schema, [b]), expected, b):
        assert read_capsule(_bridge.to_stream_capsule(obj)).equals(expected)


def test_bridge_c_array_only_and_plain_array() -> None:
    b = sample_batch()
    assert read_capsule(_bridge.to_stream_capsule(OnlyCArray(b))).equals(pa.Table.from_batches([b]))
    t = read_capsule(_bridge.to_stream_capsule(OnlyCArray(pa.array([1.5, None]))))
    assert t.column_names == ["?column?"] and t.column(0).to_pylist() == [1.5, None]


def test_bridge_ipc_bytes() -> None:
    b = sample_batch()
    sink = pa.BufferOutputStream()
    with pa.ipc.new_stream(sink, b.schema) as w:
        w.write_batch(b)
        w.write_batch(b)
    data = sink.getvalue().to_pybytes()
    for obj in (data, bytearray(data), memoryview(data)):
        t = read_capsule(_bridge.to_stream_capsule(obj))
        assert t.num_rows == 4 and t.schema == b.schema
    with pytest.raises(TypeError, match="IPC"):
        _bridge.to_stream_capsule(b"not arrow")


def test_bridge_schema_rows_tuple_is_typed() -> None:
    result = ([{"name": "val", "type": "int"}, {"name": "name", "type": "str"},
               {"name": "when", "type": "date"}, {"name": "x", "type": "mystery"},
               {"name": "y", "type": "int"}],
              [[1, "a", dt.date(2024, 5, 6), 3.5, "7"], [None, None, None, None, None]])
    t = read_capsule(_bridge.to_stream_capsule(result))
    assert t.schema.types == [pa.int64(), pa.utf8(), pa.date32(), pa.utf8(), pa.int64()]
    assert t.to_pylist()[0] == {"val": 1, "name": "a", "when": dt.date(2024, 5, 6),
                                "x": "3.5", "y": 7}
    # lists work too, and unparseable text stays text
    t = read_capsule(_bridge.to_stream_capsule([[{"name": "v", "type": "int"}], [["x"]]]))
    assert t.schema.types == [pa.utf8()] and t.column(0).to_pylist() == ["x"]


@pytest.mark.filterwarnings("ignore::DeprecationWarning")
def test_bridge_dataframes_and_engines() -> None:
    pd = pytest.importorskip("pandas")
    df = pd.DataFrame({"a": [1, 2], "b": ["x", "y"]})
    assert read_capsule(_bridge.to_stream_capsule(df)).to_pydict() == {"a": [1, 2], "b": ["x", "y"]}
    polars = pytest.importorskip("polars")
    t = read_capsule(_bridge.to_stream_capsule(polars.DataFrame({"a": [1, 2]})))
    assert t.column("a").to_pylist() == [1, 2]
    duckdb = pytest.importorskip("duckdb")
    con = duckdb.connect()
    rel = con.sql("select 42 as answer")
    assert read_capsule(_bridge.to_stream_capsule(rel)).to_pydict() == {"answer": [42]}
    con.execute("select 'x' as s")  # a connection holding a pending result
    assert read_capsule(_bridge.to_stream_capsule(con)).to_pydict() == {"s": ["x"]}
    reader = con.execute("select 1 as one").fetch_record_batch()
    assert read_capsule(_bridge.to_stream_capsule(reader)).to_pydict() == {"one": [1]}


def test_bridge_nanoarrow() -> None:
    na = pytest.importorskip("nanoarrow")
    t = read_capsule(_bridge.to_stream_capsule(na.c_array_stream(sample_batch())))
    assert t.num_rows == 2


def test_bridge_old_style_reader() -> None:
    b = sample_batch()
    old = OldReader(pa.RecordBatchReader.from_batches(b.schema, [b]))
    assert read_capsule(_bridge.to_stream_capsule(old)).equals(pa.Table.from_batches([b]))


def test_bridge_rejects_garbage() -> None:
    for bad in (object(), 42, "text", ("ERROR", "42846", "bad"), None, [1, 2]):
        with pytest.raises(TypeError):
            _bridge.to_stream_capsule(bad)


def test_handler_failed_and_log(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG, logger="riffq")
    try:
        raise ValueError("boom")
    except ValueError as exc:
        assert _bridge.handler_failed("query", exc) == "boom"
    rec = [r for r in caplog.records if r.name == "riffq"][-1]
    assert rec.levelno == logging.ERROR and rec.exc_info and "query" in rec.getMessage()
    assert _bridge.handler_failed("connect", KeyError()) == "KeyError"
    _bridge.log(logging.INFO, "core says hi")
    assert any(r.name == "riffq.core" and r.getMessage() == "core says hi" for r in caplog.records)


# ---- catalog --------------------------------------------------------------------

def test_parse_columns_validation() -> None:
    cols = parse_columns([{"id": {"type": "int", "nullable": False}},
                          {"name": {"type": "string", "nullable": True}}])
    assert cols == [Column("id", "int", False), Column("name", "string", True)]
    assert cols[0].arrow_type == pa.int64()
    with pytest.raises(ValueError, match="single-key"):
        parse_columns([{"a": {"type": "int", "nullable": True}, "b": {}}])
    with pytest.raises(ValueError, match="missing type"):
        parse_columns([{"a": {"nullable": True}}])
    with pytest.raises(ValueError, match="missing nullable"):
        parse_columns([{"a": {"type": "int"}}])
    with pytest.raises(ValueError, match="duplicate"):
        parse_columns([{"a": {"type": "int", "nullable": True}},
                       {"a": {"type": "int", "nullable": True}}])
    for bad in ({"a": 1}, [("a", "int")], [{"a": "int"}], [{1: {"type": "int", "nullable": True}}],
                [{"a": {"type": 1, "nullable": True}}], [{"a": {"type": "int", "nullable": "no"}}]):
        with pytest.raises(TypeError):
            parse_columns(bad)


def test_catalog_registration_is_order_independent() -> None:
    cat = Catalog()
    assert cat.is_empty()
    cat.add_table("db", "s", "t", [{"id": {"type": "int", "nullable": False}}])
    cat.add_schema("db", "other")
    cat.add_database("db")
    cat.add_database("db2")
    assert cat.to_dict() == {"db": {"s": {"t": [{"name": "id", "type": "int", "nullable": False}]},
                                    "other": {}},
                             "db2": {}}
    assert [(d, s, t.name) for d, s, t in cat.tables()] == [("db", "s", "t")]
    with pytest.raises(TypeError):
        cat.add_database(None)  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        cat.add_schema("db", "")


def test_catalog_snapshot_is_a_copy() -> None:
    """What a snapshot holds does not change with later registrations (the
    engine builds rows from it while the program registers on)."""
    cat = Catalog()
    cat.add_database("db", comment="one")
    cat.add_table("db", "s", "t", [{"id": {"type": "int", "nullable": False}}])
    version, dbs = cat.snapshot()
    before = [(d.name, d.comment, {n: {t: [c.name for c in tb.columns] for t, tb in sch.tables.items()}
                                   for n, sch in d.schemas.items()}) for d in dbs]
    cat.add_table("db", "s", "t2", [{"x": {"type": "int", "nullable": True}}])
    cat.add_table("db", "s2", "u", [{"y": {"type": "int", "nullable": True}}])
    cat.databases["db"].schemas["s"].tables["t"].columns.append(
        cat.databases["db"].schemas["s"].tables["t2"].columns[0])
    cat.databases["db"].settings["work_mem"] = "64MB"
    cat.drop_table("db", "s", "t")
    after = [(d.name, d.comment, {n: {t: [c.name for c in tb.columns] for t, tb in sch.tables.items()}
                                  for n, sch in d.schemas.items()}) for d in dbs]
    assert after == before == [("db", "one", {"s": {"t": ["id"]}})]
    assert dbs[0].settings == {} and cat.snapshot()[0] > version


def test_lazy_source_needs_its_methods() -> None:
    class Source:
        def databases(self, cb): ...
        def schemas(self, db, cb): ...
        def relations(self, db, s, cb): ...
        def columns(self, db, s, r, cb): ...

    cat = Catalog()
    src = Source()
    cat.set_lazy_source(src)
    assert cat.lazy_source is src
    with pytest.raises(TypeError, match="relations, columns"):
        cat.set_lazy_source(type("Half", (), {"databases": lambda s, c: None,
                                              "schemas": lambda s, d, c: None})())


# ---- executor ----------------------------------------------------------------------

class FakeQueryCallback:
    """Stands in for riffq._core.QueryCallback (same call signature, .done)."""

    def __init__(self) -> None:
        self.calls: List[Tuple[Any, Dict[str, Any]]] = []
        self.event = threading.Event()

    @property
    def done(self) -> bool:
        return bool(self.calls)

    def __call__(self, result: Any, *, is_tag: bool = False, is_error: bool = False) -> None:
        self.calls.append((result, {"is_tag": is_tag, "is_error": is_error}))
        self.event.set()


def test_executor_reports_exceptions(caplog: pytest.LogCaptureFixture) -> None:
    ex = QueryExecutor(max_workers=2, callback_types=(FakeQueryCallback,))
    try:
        def failing(sql, callback, **kw):
            raise RuntimeError(f"bad {sql}")

        cb = FakeQueryCallback()
        fut = ex.submit(failing, "q1", cb, do_describe=False)
        with pytest.raises(RuntimeError):
            fut.result(timeout=5)
        assert cb.calls == [(("ERROR", "XX000", "bad q1"), {"is_tag": False, "is_error": True})]
        assert any(r.exc_info and "failing" in r.getMessage() for r in caplog.records)

        # callback passed by keyword, answered before the exception: not called twice
        def answered_then_failed(sql, callback):
            callback("OK", is_tag=True)
            raise RuntimeError("late")

        cb2 = FakeQueryCallback()
        with pytest.raises(RuntimeError):
            ex.submit(answered_then_failed, "q2", callback=cb2).result(timeout=5)
        assert cb2.calls == [("OK", {"is_tag": True, "is_error": False})]

        # no callback among the arguments: plain ThreadPoolExecutor behaviour
        assert ex.submit(lambda a, b: a + b, 1, 2).result(timeout=5) == 3
        with pytest.raises(ZeroDivisionError):
            ex.submit(lambda: 1 / 0).result(timeout=5)
    finally:
        ex.shutdown()


def test_executor_default_callback_type_is_core() -> None:
    ex = QueryExecutor()
    try:
        if CORE_ERROR:
            assert ex._callback_types == ()
        else:
            from riffq._core import QueryCallback
            assert ex._callback_types == (QueryCallback,)
        assert ex._max_workers == 4
    finally:
        ex.shutdown()


# ---- BaseConnection / RiffqServer (stand-in low-level server) ---------------------

class FakeServer:
    """Records what RiffqServer registers on its low-level server."""

    instances: List["FakeServer"] = []

    def __init__(self, listen_addr: str) -> None:
        self.listen_addr = listen_addr
        self.handlers: Dict[str, Any] = {}
        self.tls: Optional[Tuple[str, str]] = None
        self.started: Optional[Dict[str, Any]] = None
        FakeServer.instances.append(self)

    def __getattr__(self, name: str) -> Any:
        if name.startswith(("on_", "handle_")):
            return lambda cb: self.handlers.__setitem__(name, cb)
        raise AttributeError(name)

    def set_tls(self, crt: str, key: str) -> None:
        self.tls = (crt, key)

    def start(self, **kw: Any) -> None:
        self.started = kw


@pytest.fixture
def fake_server(monkeypatch: pytest.MonkeyPatch) -> Any:
    monkeypatch.setattr(rconn, "Server", FakeServer)
    FakeServer.instances.clear()
    return FakeServer


class SeedConnection(BaseConnection):
    """The seed example's signatures (no server_name, callback=callable)."""

    events: List[Any] = []

    def handle_auth(self, user, password, host, database=None, callback=callable):
        callback(user == "user" and password == "secret")

    def handle_connect(self, ip, port, callback=callable):
        self.events.append(("connect", self.conn_id, ip, port))
        callback(True)

    def handle_disconnect(self, ip, port, callback=callable):
        self.events.append(("disconnect", self.conn_id))
        callback(True)

    def handle_query(self, sql, callback=callable, **kwargs):
        self.events.append(("query", self.conn_id, sql, sorted(kwargs)))
        callback("SELECT 0", is_tag=True)


def test_riffq_server_forwards_with_seed_signatures(fake_server: Any) -> None:
    SeedConnection.events = []
    srv = RiffqServer("127.0.0.1:5433", connection_cls=SeedConnection)
    low = fake_server.instances[0]
    assert srv._server is low and low.listen_addr == "127.0.0.1:5433"
    assert set(low.handlers) == {"on_query", "on_connect", "on_disconnect", "on_authentication"}
    answers: List[Any] = []

    def bool_cb(result, message=None, severity=None, sqlstate=None):
        answers.append(result)

    low.handlers["on_connect"](1, "10.0.0.1", 4000, callback=bool_cb, server_name=None)
    low.handlers["on_authentication"](1, "user", "secret", "10.0.0.1", callback=bool_cb,
                                      database="db")
    low.handlers["on_authentication"](1, "user", "wrong", "10.0.0.1", callback=bool_cb,
                                      database=None)
    qcb = FakeQueryCallback()
    low.handlers["on_query"]("select 1", qcb, connection_id=1, do_describe=False,
                             query_args=None, param_types=None)
    low.handlers["on_query"]("select $1", qcb, connection_id=1, do_describe=True,
                             query_args=[5], param_types=[23])
    assert answers == [True, True, False]
    assert list(srv.connections) == [1]
    conn = srv.connections[1]
    assert conn.conn_id == 1 and conn.executor is srv.executor
    low.handlers["on_disconnect"](1, "10.0.0.1", 4000)
    low.handlers["on_disconnect"](1, "10.0.0.1", 4000)  # a duplicate is ignored
    assert srv.connections == {}
    assert SeedConnection.events == [
        ("connect", 1, "10.0.0.1", 4000),
        ("query", 1, "select 1", ["do_describe"]),
        ("query", 1, "select $1", ["do_describe", "param_types", "query_args"]),
        ("disconnect", 1),
    ]
    srv.executor.shutdown()


def test_riffq_server_without_handle_auth_trusts(fake_server: Any) -> None:
    class QueryOnly(BaseConnection):
        def handle_query(self, sql, callback=callable, **kwargs):
            callback("OK", is_tag=True)

    srv = RiffqServer("127.0.0.1:0", connection_cls=QueryOnly)
    assert "on_authentication" not in fake_server.instances[0].handlers
    srv.start(tls=False, catalog_emulation=False, server_version="15.0")
    assert fake_server.instances[0].started == {"tls": False, "catalog_emulation": False,
                                                "server_version": "15.0"}
    with pytest.raises(RuntimeError):  # the default executor is shut down after start()
        srv.executor.submit(print)


def test_riffq_server_upstream_style_connection(fake_server: Any) -> None:
    """riffq 0.1.11's documented signatures keep working (server_name kw)."""
    got = []

    class Upstream(BaseConnection):
        def handle_auth(self, user, password, host, database=None, callback=None):
            callback(True)

        def handle_connect(self, ip, port, server_name=None, callback=None):
            got.append(server_name)
            callback(True)

        def handle_query(self, sql, callback=None, **kwargs):
            pass

    srv = RiffqServer("127.0.0.1:0", connection_cls=Upstream)
    low = fake_server.instances[0]
    low.handlers["on_connect"](9, "ip", 1, callback=lambda *a, **k: None, server_name="x.test")
    assert got == ["x.test"]
    # get_connection creates on demand (riffq 0.1.11 behaviour)
    assert srv.get_connection(10) is srv.get_connection(10)
    srv.executor.shutdown()


def test_riffq_server_set_tls_checks_files(fake_server: Any, tmp_path: Path) -> None:
    srv = RiffqServer("127.0.0.1:0", connection_cls=SeedConnection)
    with pytest.raises(OSError, match="Certificate not found"):
        srv.set_tls(str(tmp_path / "nope.crt"), str(tmp_path / "nope.key"))
    crt = tmp_path / "a.crt"
    crt.write_text("x")
    with pytest.raises(OSError, match="keyfile not found"):
        srv.set_tls(str(crt), str(tmp_path / "nope.key"))
    key = tmp_path / "a.key"
    key.write_text("x")
    srv.set_tls(str(crt), str(key))
    assert fake_server.instances[0].tls == (str(crt), str(key))
    srv.executor.shutdown()


def test_send_reader_and_arrow_batch() -> None:
    class C(BaseConnection):
        def handle_query(self, sql, callback=callable, **kwargs):
            pass

    conn = C(1, None)  # type: ignore[arg-type]
    got: List[Any] = []
    reader = conn.arrow_batch([pa.array(["ERROR"]), pa.array(["msg"])], ["error", "message"])
    assert isinstance(reader, pa.RecordBatchReader)
    conn.send_reader(reader, got.append)
    assert len(got) == 1
    assert read_capsule(got[0]).to_pydict() == {"error": ["ERROR"], "message": ["msg"]}
    for obj in (pa.table({"a": [1]}), pa.record_batch([pa.array([1])], names=["a"])):
        got.clear()
        conn.send_reader(obj, got.append)
        assert read_capsule(got[0]).to_pydict() == {"a": [1]}
    with pytest.raises(TypeError):
        conn.send_reader(object(), got.append)


def test_base_connection_is_abstract_in_handle_query_only() -> None:
    with pytest.raises(TypeError):
        BaseConnection(1, None)  # type: ignore[abstract,arg-type]

    class C(BaseConnection):
        def handle_query(self, sql, callback=callable, **kwargs):
            pass

    answers: List[Any] = []
    c = C(1, None)  # type: ignore[arg-type]
    c.handle_auth("u", "p", "h", callback=answers.append)
    c.handle_connect("ip", 1, callback=answers.append)
    c.handle_disconnect("ip", 1, callback=answers.append)
    assert answers == [True, True, True]


def test_public_names() -> None:
    if not CORE_ERROR:
        core = importlib.import_module("riffq._core")
        assert issubclass(riffq.Server, core.Server)
    for name in ("Server", "BaseConnection", "RiffqServer", "connection", "helpers"):
        assert hasattr(riffq, name)
    for name in ("conn_id", "send_reader", "arrow_batch", "handle_auth", "handle_connect",
                 "handle_query", "handle_disconnect"):
        assert hasattr(BaseConnection, name)
    for name in ("set_tls", "set_lazy_catalog", "register_database", "register_schema",
                 "register_table", "get_connection", "handle_auth", "handle_connect",
                 "handle_query", "handle_disconnect", "handle_shutdown", "start"):
        assert hasattr(RiffqServer, name)
    for name in ("on_query", "on_connect", "on_disconnect", "on_authentication",
                 "handle_shutdown", "set_tls", "start", "register_database",
                 "register_schema", "register_table", "set_lazy_catalog"):
        assert hasattr(riffq.Server, name)


# ---- riffq.testing / cli (no server) --------------------------------------------------

def test_free_ports_are_bindable() -> None:
    p = free_port()
    with socket.socket() as s:
        s.bind(("127.0.0.1", p))
    base = free_port_block(3)
    socks = [socket.socket() for _ in range(3)]
    try:
        for i, s in enumerate(socks):
            s.bind(("127.0.0.1", base + i))
    finally:
        for s in socks:
            s.close()


def test_server_process_reports_early_exit(tmp_path: Path) -> None:
    script = tmp_path / "bad.py"
    script.write_text("import sys\nprint('nope')\nsys.exit(3)\n")
    with pytest.raises(RuntimeError, match="exited early"):
        ServerProcess(script, timeout=10)


def _plain_tcp_server() -> None:
    """A stand-in server honouring RIFFQ_TEST_LISTEN / RIFFQ_TEST_READY_FILE."""
    import signal as _signal
    host, port = os.environ["RIFFQ_TEST_LISTEN"].rsplit(":", 1)
    s = socket.socket()
    s.bind((host, int(port)))
    s.listen()
    with open(os.environ["RIFFQ_TEST_READY_FILE"], "w") as f:
        f.write(f"{host} {s.getsockname()[1]}\n")
    _signal.signal(_signal.SIGTERM, lambda *a: sys.exit(0))
    while True:
        c, _ = s.accept()
        c.close()


def test_server_process_with_function_target() -> None:
    with ServerProcess(_plain_tcp_server, timeout=30) as sp:
        assert sp.port > 0
        socket.create_connection(("127.0.0.1", sp.port), timeout=2).close()
        assert sp.dsn(password="it's") == (f"host=127.0.0.1 port={sp.port} user=user dbname=db "
                                           "password='it\\'s'")
    assert sp.returncode == 0
    stop_server(sp)  # idempotent


def test_cli_parser_and_helpers() -> None:
    from riffq import cli

    args = cli.build_parser().parse_args(["serve", "--parquet", "k=data/*.parquet",
                                          "--user", "u", "--password", "p"])
    assert args.listen == "127.0.0.1:5433" and args.parquet == ["k=data/*.parquet"]
    assert cli._parquet_spec("data/klines.parquet") == ("klines", "data/klines.parquet")
    assert cli._parquet_spec("x/trades/*.parquet")[0] == "trades"
    assert cli._command_tag("create or replace view v as select 1") == "CREATE VIEW"
    assert cli._command_tag("  begin") == "BEGIN"
    assert cli._first_word("-- hi\n /* c */ SELECT 1") == "select"
    with pytest.raises(SystemExit):
        cli.build_parser().parse_args(["serve", "--duckdb", "f", "--parquet", "g"])


def test_cli_connection_class_with_duckdb() -> None:
    duckdb = pytest.importorskip("duckdb")
    from riffq import cli

    con = duckdb.connect()
    cls = cli.make_connection_class(con, "u", "p")
    ex = QueryExecutor(max_workers=1, callback_types=(FakeQueryCallback,))
    try:
        c = cls(1, ex)
        answers: List[Any] = []
        c.handle_auth("u", "p", "h", callback=answers.append)
        c.handle_auth("u", "x", "h", callback=answers.append)
        assert answers == [True, False]

        def run(sql: str, **kw: Any) -> Tuple[Any, Dict[str, Any]]:
            cb = FakeQueryCallback()
            c.handle_query(sql, cb, **kw)
            assert cb.event.wait(10)
            return cb.calls[0]

        assert run("create table t(a int)") == ("CREATE TABLE", {"is_tag": True, "is_error": False})
        assert run("insert into t values (1), (2)")[0] == "INSERT 0 2"
        assert run("insert into t values (3)", do_describe=True)[0] == "INSERT"  # not executed
        result, flags = run("select a from t where a > $1 order by a", query_args=[1])
        assert read_capsule(result).to_pydict() == {"a": [2]}
        result, flags = run("select * from missing_table")
        assert flags["is_error"] and result[1] == "42P01"
        assert run("set extra_float_digits = 3")[0] == "SET"
        c.handle_disconnect("ip", 1)
    finally:
        ex.shutdown()


# ---- end to end (needs riffq._core) ------------------------------------------------

def _query_server_executor_raises() -> None:
    class Conn(BaseConnection):
        def _boom(self, sql, callback, **kwargs):
            raise ValueError(f"exploded on {sql}")

        def handle_query(self, sql, callback=callable, **kwargs):
            if sql.strip().lower() == "select 1":
                return callback(([{"name": "v", "type": "int"}], [[1]]))
            self.executor.submit(self._boom, sql, callback, **kwargs)

    RiffqServer("127.0.0.1:5433", connection_cls=Conn).start()


@needs_core
def test_e2e_executor_exception_reaches_client(server_factory: Any) -> None:
    psycopg = pytest.importorskip("psycopg")
    srv = server_factory(_query_server_executor_raises)
    with psycopg.connect(srv.dsn(), autocommit=True) as conn:
        with pytest.raises(psycopg.errors.InternalError_) as ei:
            conn.execute("select boom")
        assert ei.value.sqlstate == "XX000"
        assert "exploded on select boom" in str(ei.value)
        assert conn.execute("select 1").fetchone() == (1,)  # connection still usable
    assert "exploded on select boom" in srv.log  # traceback logged, not lost


@pytest.fixture
def seed_dir(tmp_path: Path) -> Path:
    """A working directory for the seed example: small klines + certs."""
    if not shutil.which("openssl"):
        pytest.skip("openssl not installed")
    gen = ROOT / "scripts" / "gen_demo_data.py"
    subprocess.run([sys.executable, str(gen), "--rows", "20000", "--out",
                    str(tmp_path / "data" / "klines.parquet"), "--certs",
                    str(tmp_path / "certs")], check=True, stdout=subprocess.DEVNULL)
    return tmp_path


@needs_core
def test_e2e_seed_example_unchanged(server_factory: Any, seed_dir: Path) -> None:
    psycopg = pytest.importorskip("psycopg")
    srv = server_factory(ROOT / "examples" / "seed_server.py", cwd=str(seed_dir))
    dsn = srv.dsn(user="user", password="secret", sslmode="require")
    with psycopg.connect(dsn, autocommit=True) as conn:
        assert conn.info.pgconn.ssl_in_use
        n, symbols = conn.execute(
            "select count(*), count(distinct symbol) from klines").fetchone()
        assert (n, symbols) == (20000, 4)
        row = conn.execute("select symbol, max(high) from klines group by symbol "
                           "order by symbol limit 1").fetchone()
        assert row[0] == "BNBUSDT" and isinstance(row[1], float)
        with pytest.raises(psycopg.Error) as ei:
            conn.execute("select err")
        assert ei.value.sqlstate == "42846" and "bad type" in str(ei.value)
    with pytest.raises(psycopg.OperationalError) as ei:
        psycopg.connect(srv.dsn(user="user", password="wrong", sslmode="require"))
    assert "28P01" in str(ei.value) or "password authentication failed" in str(ei.value)


def _run_cli(argv: List[str]) -> None:
    from riffq import cli

    sys.exit(cli.main(argv))


@needs_core
def test_e2e_cli_serves_parquet(server_factory: Any, tmp_path: Path) -> None:
    psycopg = pytest.importorskip("psycopg")
    pytest.importorskip("duckdb")
    pq = pytest.importorskip("pyarrow.parquet")
    path = tmp_path / "trades.parquet"
    pq.write_table(pa.table({"id": pa.array(range(1000), pa.int64()),
                             "px": pa.array([i / 4 for i in range(1000)], pa.float64()),
                             "sym": pa.array(["A", "B"] * 500)}), str(path))
    srv = server_factory(_run_cli, ["serve", "--parquet", str(path), "--user", "u",
                                    "--password", "p", "--log-level", "WARNING"])
    with psycopg.connect(srv.dsn(user="u", password="p"), autocommit=True) as conn:
        assert conn.execute("select count(*), sum(px) from trades").fetchone() == (1000, 124875.0)
        assert conn.execute("select id from trades where id > %s order by id limit 2",
                            (997,)).fetchall() == [(998,), (999,)]
        cur = conn.execute("create table t as select * from trades where sym = 'A'")
        assert cur.statusmessage == "CREATE TABLE"
        assert conn.execute("insert into t select * from trades limit 3").statusmessage == "INSERT 0 3"
        with pytest.raises(psycopg.errors.UndefinedTable):
            conn.execute("select * from nope")
    with pytest.raises(psycopg.OperationalError):
        psycopg.connect(srv.dsn(user="u", password="wrong"))
    assert srv.stop() == 0, srv.log  # SIGTERM: clean exit, not SIGKILL


_STOP_STOP_SCRIPT = """
import threading, riffq
from riffq.testing import free_port, wait_for_port
for i in range(20):
    port = free_port()
    srv = riffq.Server(f"127.0.0.1:{port}")
    srv.on_query(lambda sql, cb, **kw: cb(("ERROR", "0A000", "x"), is_error=True))
    t = threading.Thread(target=srv.start, daemon=True)
    t.start()
    assert wait_for_port(port)
    stopper = threading.Thread(target=lambda: [srv.stop() for _ in range(3000)])
    stopper.start()
    srv.stop()
    t.join(10)
    stopper.join()
    srv.stop()
print("ok")
"""


def test_stop_is_idempotent_and_thread_safe() -> None:
    """stop() may be called again and again, from any thread, while the
    server shuts down and after it stopped (the exit hook does): libuv
    aborted the process when the wake handle was already closed."""
    procs = [subprocess.Popen([sys.executable, "-c", _STOP_STOP_SCRIPT], stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True) for _ in range(3)]
    for p in procs:
        out, err = p.communicate(timeout=120)
        assert p.returncode == 0 and out.strip() == "ok", err[-2000:]
