"""End-to-end protocol tests of the low-level ``riffq.Server`` (issue 3).

Real clients (the psql binary, psycopg 3, asyncpg, and a raw-socket client
for byte-level cases) talk to a server running in a subprocess on an
ephemeral port. Where PostgreSQL's own behaviour is the reference (framing
errors, empty queries, multi-statement queries), the same client code also
runs against a throw-away PostgreSQL 15 (``reference_pg``).

The server (``serve_protocol``) answers by the statement's text:

- ``raise <text>``: the handler raises RuntimeError(text)
- ``fail <text>``: ``ERROR 22012 <text>``
- ``detail``: an error with a detail and a hint
- ``never``: the callback is never called
- ``twice``: the callback is called twice
- ``sleep <s>``: sleeps in the handler, then echoes
- ``tag <TAG>``: the command tag TAG
- ``begin``/``commit``/``rollback``: the tags BEGIN/COMMIT/ROLLBACK
- ``insert``/``update``/``delete``/``create``/``drop`` ...: run by DuckDB
- ``rows <n>``: n rows of int64 ``i``
- ``args``: describes ``query_args``/``param_types`` as text columns
- anything else: one row, one text column ``sql`` holding the statement
  the handler received (so clients see exactly what the handler got)

Every statement the handler receives is also appended to ``received.log``
(one JSON object per line) in the directory passed to the server.
"""

from __future__ import annotations

import datetime as dt
import decimal
import json
import os
import shutil
import socket
import struct
import subprocess
import threading
import time
import uuid
from pathlib import Path
from typing import Any, Dict, List

import psycopg
import pytest
from psycopg import pq

from conftest import PgWire, core_import_error, wait_until

CORE_ERROR = core_import_error()
pytestmark = pytest.mark.skipif(bool(CORE_ERROR), reason=f"riffq._core not built: {CORE_ERROR}")

PSQL = shutil.which("psql") or "/usr/bin/psql"


# ---- the server (runs in a spawned subprocess) ------------------------------

def serve_protocol(state_dir: str, query_timeout: float = 0.0) -> None:
    """Low-level riffq.Server with the behaviours listed in the module doc."""
    import logging
    import sys as _sys
    import threading as _threading

    import duckdb
    import pyarrow as pa

    import riffq

    logging.basicConfig(level=logging.INFO, stream=_sys.stderr,
                        format="%(levelname)s %(name)s: %(message)s")
    duck = duckdb.connect()
    duck_lock = _threading.Lock()
    log_lock = _threading.Lock()
    received = os.path.join(state_dir, "received.log")

    def record(sql: str, kwargs: Dict[str, Any]) -> None:
        entry = {"sql": sql, "conn": kwargs.get("connection_id"),
                 "describe": kwargs.get("do_describe"),
                 "args": repr(kwargs.get("query_args")),
                 "types": kwargs.get("param_types")}
        with log_lock, open(received, "a", encoding="utf-8") as f:
            f.write(json.dumps(entry) + "\n")

    def text_row(**cols: str) -> Any:
        return pa.record_batch([pa.array([v], pa.string()) for v in cols.values()],
                               names=list(cols))

    def handle(sql: str, callback: Any, **kwargs: Any) -> None:
        record(sql, kwargs)
        words = sql.strip().split(None, 1)
        verb = words[0].lower() if words else ""
        rest = words[1] if len(words) > 1 else ""
        if verb == "raise":
            raise RuntimeError(rest)
        if verb == "fail":
            callback(("ERROR", "22012", rest), is_error=True)
        elif verb == "detail":
            callback(("ERROR", "22023", "bad value", "the detail text", "the hint text"),
                     is_error=True)
        elif verb == "never":
            return
        elif verb == "twice":
            callback(text_row(n=f"first {kwargs.get('connection_id')}"))
            callback(text_row(n="second"))
        elif verb == "sleep":
            time.sleep(float(rest.split()[0]))
            callback(text_row(sql=sql))
        elif verb == "tag":
            callback(rest, is_tag=True)
        elif verb in ("begin", "commit", "rollback"):
            callback(verb.upper(), is_tag=True)
        elif verb in ("insert", "update", "delete", "create", "drop"):
            with duck_lock:
                reader = duck.cursor().execute(sql).fetch_record_batch()
                table = reader.read_all()
            callback(table)
        elif verb == "rows":
            n = int(rest)
            callback(pa.record_batch([pa.array(range(n), pa.int64())], names=["i"]))
        elif verb == "args":
            args = kwargs.get("query_args")
            desc = [] if args is None else [[type(a).__name__, repr(a)] for a in args]
            callback(text_row(args=json.dumps(desc), types=json.dumps(kwargs.get("param_types")),
                              describe=str(kwargs.get("do_describe"))))
        else:
            callback(text_row(sql=sql))

    srv = riffq.Server("127.0.0.1:0")
    srv.on_query(handle)
    if query_timeout:
        srv.set_option("query_timeout", query_timeout)
    srv.start()


# ---- fixtures ----------------------------------------------------------------

@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory):
    """One shared protocol server for the module (stopped at the end)."""
    from riffq.testing import ServerProcess

    state = tmp_path_factory.mktemp("protocol")
    srv = ServerProcess(serve_protocol, str(state), timeout=60)
    srv.state_dir = state  # type: ignore[attr-defined]
    try:
        yield srv
    finally:
        srv.stop()


def connect(srv: Any, **kw: Any) -> psycopg.Connection:
    kw.setdefault("autocommit", True)
    return psycopg.connect(srv.dsn(user="user", connect_timeout=10), **kw)


def received(srv: Any) -> List[Dict[str, Any]]:
    path = Path(srv.state_dir) / "received.log"
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def received_sql(srv: Any, token: str) -> List[str]:
    """Statements the handler received that contain ``token``."""
    return [e["sql"] for e in received(srv) if token in e["sql"]]


def token() -> str:
    return "t" + uuid.uuid4().hex[:12]


def psql(port: int, *commands: str, host: str = "127.0.0.1", user: str = "user",
         dbname: str = "db", extra: str = "", timeout: float = 20) -> subprocess.CompletedProcess:
    """Run psql with one ``-c`` per command (no psqlrc, ON_ERROR_STOP off)."""
    conninfo = f"host={host} port={port} user={user} dbname={dbname} {extra}".strip()
    argv = [PSQL, "-X", "-d", conninfo]
    for c in commands:
        argv += ["-c", c]
    env = dict(os.environ, PGCONNECT_TIMEOUT="10")
    env.pop("PGPASSWORD", None)
    return subprocess.run(argv, capture_output=True, text=True, timeout=timeout, env=env)


def all_results(cur: psycopg.Cursor) -> List[Any]:
    """Rows of every result set of the last execute (nextset)."""
    out = [cur.fetchall()]
    while cur.nextset():
        out.append(cur.fetchall())
    return out


# ---- multi-statement simple queries ---------------------------------------------

def test_two_statements_give_two_result_sets_psycopg(server) -> None:
    with connect(server) as conn, conn.cursor() as cur:
        cur.execute("select 1; select 2")
        assert all_results(cur) == [[("select 1",)], [("select 2",)]]


def test_two_statements_give_two_result_sets_psql(server) -> None:
    r = psql(server.port, "select 1; select 2")
    assert r.returncode == 0, r.stderr
    # Two separate tables, in order, each with its own footer.
    assert r.stdout.count("(1 row)") == 2, r.stdout
    assert r.stdout.index(" select 1") < r.stdout.index(" select 2"), r.stdout


def test_error_in_second_statement_aborts_third(server) -> None:
    t = token()
    with connect(server) as conn, conn.cursor() as cur:
        with pytest.raises(psycopg.errors.DivisionByZero) as ei:
            cur.execute(f"select '{t}-1'; fail {t}-2; select '{t}-3'")
        assert ei.value.sqlstate == "22012"
        assert f"{t}-2" in str(ei.value)
        # The connection is usable and idle afterwards.
        assert conn.pgconn.transaction_status == pq.TransactionStatus.IDLE
        cur.execute("select 'after'")
        assert cur.fetchall() == [("select 'after'",)]
    got = received_sql(server, t)
    assert got == [f"select '{t}-1'", f"fail {t}-2"], got


def test_error_in_second_statement_psql_output(server) -> None:
    t = token()
    r = psql(server.port, f"select '{t}-1'; fail {t}-2; select '{t}-3'")
    assert f"ERROR:  {t}-2" in r.stderr, r.stderr
    assert f"{t}-1" in r.stdout and f"{t}-3" not in r.stdout


@pytest.mark.parametrize("text, expected", [
    ("select 'a;b'; select 'c'", ["select 'a;b'", "select 'c'"]),
    ("select $$x;y$$; select $tag$ ; $$ ; $tag$", ["select $$x;y$$", "select $tag$ ; $$ ; $tag$"]),
    ("select 1 -- c;omment\n; select /* ; */ 2", ["select 1 -- c;omment", "select /* ; */ 2"]),
    ("select \"a;b\" from t;;; select E'\\';'", ["select \"a;b\" from t", "select E'\\';'"]),
    ("select 1;", ["select 1"]),
])
def test_statement_splitting(server, text: str, expected: List[str]) -> None:
    with connect(server) as conn, conn.cursor() as cur:
        cur.execute(text)
        results = all_results(cur)
    assert [rows[0][0] for rows in results] == expected


# ---- empty queries -------------------------------------------------------------

@pytest.mark.parametrize("text", [";", "-- c", "  ", "/* x */ ;"])
def test_empty_query_psycopg(server, reference_pg, text: str) -> None:
    statuses = []
    for dsn in (server.dsn(user="user"), reference_pg.dsn):
        with psycopg.connect(dsn, autocommit=True) as conn, conn.cursor() as cur:
            cur.execute(text)
            statuses.append(cur.pgresult.status)
            assert cur.description is None
    assert statuses == [pq.ExecStatus.EMPTY_QUERY, pq.ExecStatus.EMPTY_QUERY]


def test_empty_query_raw_message(server) -> None:
    """`;` answers EmptyQueryResponse ('I') then ReadyForQuery, nothing else."""
    with PgWire(server.port) as c:
        c.login()
        assert [m[0] for m in c.simple_query(";")] == [b"I", b"Z"]
        assert [m[0] for m in c.simple_query("-- c")] == [b"I", b"Z"]
        assert [m[0] for m in c.simple_query("")] == [b"I", b"Z"]


def test_empty_query_psql_prints_nothing(server) -> None:
    r = psql(server.port, ";", "-- c")
    assert r.returncode == 0, r.stderr
    assert r.stdout == "" and r.stderr == ""


# ---- command tags -------------------------------------------------------------

def test_handler_tag(server) -> None:
    with connect(server) as conn, conn.cursor() as cur:
        cur.execute("tag VACUUM")
        assert cur.statusmessage == "VACUUM"
        assert cur.description is None
        cur.execute("tag UPDATE 7")
        assert cur.statusmessage == "UPDATE 7"
        assert cur.rowcount == 7


def test_select_tag_counts_rows(server) -> None:
    with connect(server) as conn, conn.cursor() as cur:
        cur.execute("rows 5")
        assert cur.statusmessage == "SELECT 5"
        assert cur.fetchall() == [(0,), (1,), (2,), (3,), (4,)]
        cur.execute("rows 0")
        assert cur.statusmessage == "SELECT 0"
        assert cur.fetchall() == []


def test_duckdb_dml_tags(server) -> None:
    t = token()
    with connect(server) as conn, conn.cursor() as cur:
        cur.execute(f"create table {t} (a int)")
        cur.execute(f"insert into {t} values (1), (2), (3)")
        assert cur.statusmessage == "INSERT 0 3"
        assert cur.description is None and cur.rowcount == 3
        cur.execute(f"update {t} set a = a + 1 where a > 1")
        assert cur.statusmessage == "UPDATE 2"
        cur.execute(f"delete from {t} where a = 4")
        assert cur.statusmessage == "DELETE 1"
        cur.execute(f"drop table {t}")


def test_duckdb_insert_tag_psql(server) -> None:
    t = token()
    r = psql(server.port, f"create table {t} (a int)", f"insert into {t} values (1), (2)",
             f"drop table {t}")
    assert "INSERT 0 2" in r.stdout.splitlines(), r.stdout + r.stderr


def test_create_table_tag_matches_postgres(server, reference_pg) -> None:
    """DuckDB answers CREATE TABLE with an empty one-column ``Count``
    result; the client should see PostgreSQL's ``CREATE TABLE`` and no
    result set."""
    t = token()
    seen = []
    for dsn in (server.dsn(user="user"), reference_pg.dsn):
        with psycopg.connect(dsn, autocommit=True) as conn, conn.cursor() as cur:
            cur.execute(f"create table {t} (a int)")
            seen.append((cur.statusmessage, cur.description))
            cur.execute(f"drop table {t}")
    assert seen[0] == seen[1] == ("CREATE TABLE", None)


# ---- errors ---------------------------------------------------------------------

def test_handler_exception_becomes_xx000(server) -> None:
    with connect(server) as conn, conn.cursor() as cur:
        with pytest.raises(psycopg.errors.InternalError_) as ei:
            cur.execute("raise something broke 42")
        assert ei.value.sqlstate == "XX000"
        assert "something broke 42" in ei.value.diag.message_primary
        cur.execute("select 'still alive'")
        assert cur.fetchone() == ("select 'still alive'",)
    assert "something broke 42" in server.log


def test_error_detail_and_hint(server) -> None:
    with connect(server) as conn, conn.cursor() as cur:
        with pytest.raises(psycopg.errors.InvalidParameterValue) as ei:
            cur.execute("detail")
        d = ei.value.diag
        assert (d.severity, d.sqlstate, d.message_primary) == ("ERROR", "22023", "bad value")
        assert d.message_detail == "the detail text"
        assert d.message_hint == "the hint text"


def test_error_detail_psql(server) -> None:
    r = psql(server.port, "detail")
    assert "ERROR:  bad value" in r.stderr
    assert "DETAIL:  the detail text" in r.stderr
    assert "HINT:  the hint text" in r.stderr


def test_callback_called_twice_second_ignored(server) -> None:
    with connect(server) as conn, conn.cursor() as cur:
        cur.execute("twice")
        (first,), = cur.fetchall()
        assert first.startswith("first ")
        conn_id = first.split()[1]
        cur.execute("select 'next'")
        assert cur.fetchall() == [("select 'next'",)]

    def warned() -> bool:
        return any(line.startswith("WARNING riffq") and "already given" in line
                   and f"connection {conn_id} " in line for line in server.log.splitlines())

    assert wait_until(warned, timeout=3), server.log[-3000:]


def test_query_timeout_for_never_answered_callback(tmp_path, server_factory) -> None:
    srv = server_factory(serve_protocol, str(tmp_path), 1.0, timeout=60)
    with connect(srv) as conn, conn.cursor() as cur:
        # Warm the handler's first-use costs (pyarrow string kernels), which
        # under sanitizers alone can exceed the 1 s timeout this test sets.
        try:
            cur.execute("select 'warm'")
        except psycopg.errors.QueryCanceled:
            pass
        t0 = time.monotonic()
        with pytest.raises(psycopg.errors.QueryCanceled) as ei:
            cur.execute("never")
        elapsed = time.monotonic() - t0
        assert ei.value.sqlstate == "57014"
        assert 0.8 <= elapsed < 2.5, elapsed
        cur.execute("select 'works'")
        assert cur.fetchall() == [("select 'works'",)]


# ---- transaction status --------------------------------------------------------

def test_transaction_status(server) -> None:
    with connect(server, autocommit=False) as conn:
        assert conn.pgconn.transaction_status == pq.TransactionStatus.IDLE
        with conn.cursor() as cur:
            cur.execute("select 'in tx'")  # psycopg sends BEGIN first
            assert conn.pgconn.transaction_status == pq.TransactionStatus.INTRANS
            with pytest.raises(psycopg.errors.DivisionByZero):
                cur.execute("fail inside")
            assert conn.pgconn.transaction_status == pq.TransactionStatus.INERROR
        conn.rollback()
        assert conn.pgconn.transaction_status == pq.TransactionStatus.IDLE
        with conn.cursor() as cur:
            cur.execute("select 'again'")
            assert conn.pgconn.transaction_status == pq.TransactionStatus.INTRANS
        conn.commit()
        assert conn.pgconn.transaction_status == pq.TransactionStatus.IDLE


def test_ready_for_query_status_bytes(server) -> None:
    with PgWire(server.port) as c:
        c.login()
        assert c.simple_query("begin")[-1] == (b"Z", b"T")
        assert c.simple_query("fail x")[-1] == (b"Z", b"E")
        assert c.simple_query("rollback")[-1] == (b"Z", b"I")


# ---- startup / framing errors (raw socket) ----------------------------------------

def _fatal_after(c: PgWire) -> Dict[str, str]:
    fields = c.read_error()
    assert c.closed_by_server(5), "server did not close after a FATAL error"
    return fields


def test_unsupported_protocol_version(server, reference_pg) -> None:
    # 2.0: PostgreSQL answers in the old v2 format; riffq in v3 format.
    for version in ((2 << 16), (4 << 16)):
        with PgWire(server.port) as c:
            c.send_startup(version=version)
            fields = _fatal_after(c)
        assert (fields["S"], fields["V"], fields["C"]) == ("FATAL", "FATAL", "0A000"), fields
        major = version >> 16
        assert fields["M"] == (f"unsupported frontend protocol {major}.0: "
                               "server supports 3.0 to 3.0")
    with PgWire(reference_pg.port) as c:
        c.send_startup(user="postgres", version=(4 << 16))
        ref = _fatal_after(c)
    assert {k: ref[k] for k in "SVCM"} == {k: fields[k] for k in "SVCM"}


@pytest.mark.parametrize("minor, options", [(5, {}), (0, {"_pq_.frob": "1"}),
                                            (1, {"_pq_.a": "x", "_pq_.b": "y"})])
def test_newer_minor_version_negotiated_like_postgres(server, reference_pg, minor: int,
                                                      options: Dict[str, str]) -> None:
    """Startup 3.x with x > 0 or ``_pq_.`` options: NegotiateProtocolVersion,
    byte-identical to PostgreSQL 15's (newest supported version 3.0 =
    196608, then the unrecognised options), then the login proceeds."""
    answers = []
    for port, user in ((server.port, "user"), (reference_pg.port, "postgres")):
        with PgWire(port) as c:
            c.send_startup(user=user, database="postgres", version=(3 << 16) | minor, **options)
            first = c.read_message()
            rest = []
            while not rest or rest[-1] != b"Z":
                rest.append(c.read_message()[0])
        answers.append(first)
        assert rest[0] == b"R" and rest[-1] == b"Z", rest
    expected = struct.pack("!II", 196608, len(options)) + b"".join(
        k.encode() + b"\0" for k in options)
    assert answers[1] == (b"v", expected)
    assert answers[0] == answers[1]


def test_invalid_message_type_after_login(server, reference_pg) -> None:
    for port, user in ((server.port, "user"), (reference_pg.port, "postgres")):
        with PgWire(port) as c:
            c.login(user=user, database="postgres")
            c.send(b"\x01", b"garbage")
            fields = _fatal_after(c)
        assert (fields["S"], fields["C"]) == ("FATAL", "08P01"), (port, fields)
    _assert_server_healthy(server)


def test_huge_message_length(server) -> None:
    with PgWire(server.port) as c:
        c.login()
        c.send_raw(b"Q" + struct.pack("!I", 0x7FFFFFF0) + b"select 1")
        fields = _fatal_after(c)
    assert (fields["S"], fields["C"]) == ("FATAL", "08P01"), fields
    _assert_server_healthy(server)


def test_huge_startup_length(server) -> None:
    with PgWire(server.port) as c:
        c.send_raw(struct.pack("!I", 0x7FFFFFF0) + struct.pack("!I", 196608))
        try:
            fields = c.read_error()
        except (EOFError, ConnectionResetError):
            fields = {}
        closed = c.closed_by_server(5)
    assert closed
    # PostgreSQL just closes here (COMMERROR); riffq says why first.
    assert (fields.get("S"), fields.get("C")) == ("FATAL", "08P01"), fields
    _assert_server_healthy(server)


def test_garbage_bytes_at_startup(server) -> None:
    with PgWire(server.port) as c:
        c.send_raw(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
        try:
            fields = c.read_error()
        except (EOFError, ConnectionResetError):
            fields = {}
        assert c.closed_by_server(5)
    # 'GET ' read as a startup length of 1195725856 bytes: refused.
    assert (fields.get("S"), fields.get("C")) == ("FATAL", "08P01"), fields
    _assert_server_healthy(server)


def test_garbage_bytes_after_login(server, reference_pg) -> None:
    """Text where a message type is expected: PostgreSQL's FATAL 08P01
    'invalid frontend message type 104' ('h'), then a close."""
    seen = []
    for port, user in ((server.port, "user"), (reference_pg.port, "postgres")):
        with PgWire(port) as c:
            c.login(user=user, database="postgres")
            c.send_raw(b"hello garbage\r\n")
            fields = _fatal_after(c)
        seen.append({k: fields.get(k) for k in "SVCM"})
    riffq, postgres = seen
    assert postgres == {"S": "FATAL", "V": "FATAL", "C": "08P01",
                        "M": "invalid frontend message type 104"}
    assert riffq == postgres
    _assert_server_healthy(server)


def test_message_length_below_four(server) -> None:
    with PgWire(server.port) as c:
        c.login()
        c.send_raw(b"Q\x00\x00\x00\x02")
        try:
            fields = c.read_error()
        except (EOFError, ConnectionResetError):
            fields = {"S": "FATAL", "C": "08P01"}  # a plain close is what PostgreSQL does
        assert (fields["S"], fields["C"]) == ("FATAL", "08P01"), fields
        assert c.closed_by_server(5)
    _assert_server_healthy(server)


def _assert_server_healthy(srv: Any) -> None:
    assert srv._alive(), "server process died:\n" + srv.log[-3000:]
    with connect(srv) as conn, conn.cursor() as cur:
        cur.execute("select 'healthy'")
        assert cur.fetchone() == ("select 'healthy'",)


def test_invalid_utf8_query_text(server, reference_pg) -> None:
    """Query text that is not UTF-8: PostgreSQL answers ERROR 22021 and the
    session goes on; the handler must not get a mangled statement."""
    t = token()
    seen = []
    for port, user in ((server.port, "user"), (reference_pg.port, "postgres")):
        with PgWire(port) as c:
            c.login(user=user, database="postgres")
            c.send(b"Q", f"select '{t}' || '".encode() + b"\xff\xfe'\0")
            msgs = []
            while not msgs or msgs[-1][0] != b"Z":
                msgs.append(c.read_message())
            seen.append([(m[0], PgWire.error_fields(m[1]).get("C") if m[0] == b"E" else None)
                         for m in msgs])
            assert [m[0] for m in c.simple_query("select 1")][-1] == b"Z"
    riffq, postgres = seen
    assert postgres == [(b"E", "22021"), (b"Z", None)]
    assert riffq == postgres
    assert received_sql(server, t) == []


def test_silent_client_does_not_block_others(server) -> None:
    silent = [socket.create_connection(("127.0.0.1", server.port)) for _ in range(3)]
    half = PgWire(server.port)
    half.send_raw(struct.pack("!I", 40))  # a startup length, then nothing
    try:
        t0 = time.monotonic()
        _assert_server_healthy(server)
        assert time.monotonic() - t0 < 1.0
    finally:
        for s in silent:
            s.close()
        half.close()


# ---- cancel ------------------------------------------------------------------------

def test_cancel_request(server) -> None:
    with connect(server) as conn, conn.cursor() as cur:
        timer = threading.Timer(0.5, conn.cancel)
        timer.start()
        t0 = time.monotonic()
        try:
            with pytest.raises(psycopg.errors.QueryCanceled) as ei:
                cur.execute("sleep 4")
        finally:
            timer.cancel()
        assert ei.value.sqlstate == "57014"
        assert time.monotonic() - t0 < 2.0
        cur.execute("select 'after cancel'")
        assert cur.fetchone() == ("select 'after cancel'",)


def test_cancel_with_wrong_key_is_ignored(server) -> None:
    with PgWire(server.port) as c:
        c.login()
        assert c.backend_key is not None
        pid, key = c.backend_key
        c.query("sleep 1")
        with PgWire(server.port) as cancel:
            cancel.send_raw(struct.pack("!IIII", 16, 80877102, pid, key ^ 1))
            assert cancel.closed_by_server(3)
        msgs = []
        while True:
            m = c.read_message()
            msgs.append(m[0])
            if m[0] == b"Z":
                break
        assert b"E" not in msgs and b"D" in msgs, msgs


# ---- extended protocol -----------------------------------------------------------

def _args_seen(cur: psycopg.Cursor, values: tuple, placeholder: str) -> List[Any]:
    cur.execute("args " + ", ".join([placeholder] * len(values)), values)
    (args, types, describe), = cur.fetchall()
    assert describe == "False"
    assert len(json.loads(types)) == len(values)
    return [(g[0], eval(g[1], {"datetime": dt, "Decimal": decimal.Decimal}))
            for g in json.loads(args)]


def test_extended_protocol_parameters(server) -> None:
    """Text-format parameters of the scalar types arrive decoded (psycopg
    sends 42 as int2, 2**40 as int8, 1.5 as float8...)."""
    values = (42, 70000, 2 ** 40, -1, 1.5, -0.0, "text ü", "", True, False, None)
    with connect(server) as conn, conn.cursor() as cur:
        got = _args_seen(cur, values, "%s")
    assert got == [(type(v).__name__, v) for v in values]
    assert str(got[5][1]) == "-0.0"


def test_extended_protocol_binary_parameters(server) -> None:
    values = (7, -70000, 2 ** 40, -3.25, "bin ü", False, True, None)
    with connect(server) as conn, conn.cursor() as cur:
        got = _args_seen(cur, values, "%b")
    assert got == [(type(v).__name__, v) for v in values]


def test_extended_protocol_rich_parameters(server) -> None:
    values = (dt.date(2024, 2, 29), dt.datetime(2024, 1, 2, 3, 4, 5, 678000),
              decimal.Decimal("12.340"), b"\x00\xffab")
    with connect(server) as conn, conn.cursor() as cur:
        got = _args_seen(cur, values, "%s")
    assert got == [(type(v).__name__, v) for v in values]


def test_prepared_statement_reuse(server) -> None:
    t = token()
    with connect(server) as conn, conn.cursor() as cur:
        for i in range(4):
            cur.execute(f"args /*{t}*/ %s", (i,), prepare=True)
            (args, _types, _d), = cur.fetchall()
            assert json.loads(args) == [["int", repr(i)]]
    executions = [e for e in received(server) if t in e["sql"] and not e["describe"]]
    assert len(executions) == 4, executions
    assert all("$1" in e["sql"] for e in executions)


def _asyncpg_run(coro_fn: Any, port: int) -> Any:
    asyncpg = pytest.importorskip("asyncpg")
    import asyncio

    async def run() -> Any:
        conn = await asyncpg.connect(host="127.0.0.1", port=port, user="user",
                                     database="db", ssl=False, timeout=10)
        try:
            return await coro_fn(conn, asyncpg)
        finally:
            await conn.close()

    return asyncio.run(run())


def test_asyncpg_simple_protocol(server) -> None:
    """asyncpg's execute() without arguments (simple Query): tags and errors."""
    async def body(conn: Any, asyncpg: Any) -> Any:
        status = await conn.execute("tag VACUUM")
        multi = await conn.execute("tag A; tag B")
        try:
            await conn.execute("fail from asyncpg")
        except asyncpg.PostgresError as exc:
            err = (exc.sqlstate, str(exc))
        else:
            err = None
        return status, multi, err, await conn.execute("tag AFTER")

    status, multi, err, after = _asyncpg_run(body, server.port)
    assert status == "VACUUM"
    assert multi == "B"
    assert err == ("22012", "from asyncpg")
    assert after == "AFTER"


def test_asyncpg_fetch(server) -> None:
    """asyncpg: Parse/Describe statement, then Bind with binary result
    columns for everything (int8 and text here)."""
    async def body(conn: Any, asyncpg: Any) -> Any:
        nums = await conn.fetch("rows 3")
        echo = await conn.fetchval("select 'binary text'")
        stmt = await conn.prepare("rows 2")
        return nums, echo, await stmt.fetch(), [a.name for a in stmt.get_attributes()]

    nums, echo, prepared, names = _asyncpg_run(body, server.port)
    assert [r["i"] for r in nums] == [0, 1, 2]
    assert echo == "select 'binary text'"
    assert [tuple(r) for r in prepared] == [(0,), (1,)] and names == ["i"]


def test_asyncpg_parameters(server) -> None:
    """asyncpg describes the statement first: types come from the casts."""
    async def body(conn: Any, asyncpg: Any) -> Any:
        return await conn.fetchrow("args $1::int8, $2::text", 5, "x")

    args = _asyncpg_run(body, server.port)
    assert json.loads(args["args"]) == [["int", "5"], ["str", "'x'"]]


# ---- psql basics --------------------------------------------------------------------

def test_select_version_goes_to_handler(server) -> None:
    t = token()
    r = psql(server.port, f"select version() /* {t} */")
    assert r.returncode == 0, r.stderr
    assert f"select version() /* {t} */" in r.stdout
    assert received_sql(server, t) == [f"select version() /* {t} */"]


def test_psql_sends_trailing_semicolon_stripped(server) -> None:
    t = token()
    r = subprocess.run([PSQL, "-X", "-d", f"host=127.0.0.1 port={server.port} user=u dbname=d"],
                       input=f"select '{t}';\n", capture_output=True, text=True, timeout=20)
    assert r.returncode == 0, r.stderr
    assert received_sql(server, t) == [f"select '{t}'"]


def test_startup_parameters_reported(server) -> None:
    with connect(server) as conn:
        status = {k: conn.pgconn.parameter_status(k.encode()) for k in
                  ("server_version", "client_encoding", "DateStyle", "integer_datetimes",
                   "standard_conforming_strings", "TimeZone")}
    assert status["client_encoding"] == b"UTF8"
    assert status["integer_datetimes"] == b"on"
    assert status["standard_conforming_strings"] == b"on"
    assert status["DateStyle"] == b"ISO, MDY"
    assert status["server_version"]
    assert status["TimeZone"] == b"UTC"


# ---- shutdown ----------------------------------------------------------------------

def test_sigterm_while_a_client_disconnects(tmp_path, server_factory) -> None:
    """A connection that closes while SIGTERM is being handled must not
    stop the shutdown (the core once closed its wake-up handle from the
    connection-close path before running begin_shutdown, and hung)."""
    import signal

    srv = server_factory(serve_protocol, str(tmp_path), timeout=60)
    socket.create_connection(("127.0.0.1", srv.port)).close()
    srv.signal(signal.SIGTERM)
    assert srv.wait(5) == 0, "server still running 5 s after SIGTERM"


# ---- pipelines and portals -------------------------------------------------------------

def test_psycopg_pipeline_with_error(server) -> None:
    t = token()
    with connect(server) as conn:
        with pytest.raises(psycopg.errors.DivisionByZero):
            with conn.pipeline():
                c1 = conn.execute(f"args /*{t}-1*/ %s", (1,))
                conn.execute(f"fail {t}-2 %s", (2,))
                conn.execute(f"args /*{t}-3*/ %s", (3,))
        assert json.loads(c1.fetchone()[0]) == [["int", "1"]]
        # Everything after the error up to the Sync was skipped.
        assert not [s for s in received_sql(server, f"{t}-3")]
        with conn.pipeline():
            cursors = [conn.execute(f"args /*{t}-p*/ %s", (i,)) for i in range(5)]
        assert [json.loads(c.fetchone()[0]) for c in cursors] == [[["int", str(i)]]
                                                                   for i in range(5)]


def test_psycopg_executemany(server) -> None:
    t = token()
    with connect(server) as conn, conn.cursor() as cur:
        cur.executemany(f"args /*{t}*/ %s, %s", [(i, f"v{i}") for i in range(6)])
    got = [e["args"] for e in received(server) if t in e["sql"] and not e["describe"]]
    assert got == [repr([i, f"v{i}"]) for i in range(6)]


def _parse(sql: str, name: str = "") -> bytes:
    return name.encode() + b"\0" + sql.encode() + b"\0" + struct.pack("!h", 0)


def _bind(portal: str = "", stmt: str = "") -> bytes:
    return portal.encode() + b"\0" + stmt.encode() + b"\0" + struct.pack("!hhh", 0, 0, 0)


def _execute(portal: str = "", max_rows: int = 0) -> bytes:
    return portal.encode() + b"\0" + struct.pack("!i", max_rows)


def _until_ready(c: PgWire) -> List[tuple]:
    out = []
    while True:
        m = c.read_message()
        out.append(m)
        if m[0] == b"Z":
            return out


def _portal_session(port: int, user: str, sql: str) -> List[tuple]:
    with PgWire(port) as c:
        c.login(user=user, database="postgres")
        c.send(b"P", _parse(sql))
        c.send(b"B", _bind())
        c.send(b"E", _execute(max_rows=3))
        c.send(b"E", _execute(max_rows=3))
        c.send(b"E", _execute(max_rows=0))
        c.send(b"S")
        msgs = _until_ready(c)
        # An exhausted unnamed portal cannot run again within a new Sync.
        c.send(b"E", _execute())
        c.send(b"S")
        msgs += _until_ready(c)
    return msgs


def test_portal_suspension_like_postgres(server, reference_pg) -> None:
    ours = _portal_session(server.port, "user", "rows 10")
    ref = _portal_session(reference_pg.port, "postgres",
                          "select i::int8 as i from generate_series(0, 9) i")

    def shape(msgs: List[tuple]) -> List[Any]:
        out: List[Any] = []
        for mtype, payload in msgs:
            if mtype == b"D":
                out.append(("D", payload))
            elif mtype == b"C":
                out.append(("C", payload))
            elif mtype == b"E":
                out.append(("E", PgWire.error_fields(payload).get("C")))
            else:
                out.append(mtype.decode())
        return out

    assert shape(ours) == shape(ref)


def _describe_session(port: int, user: str, sql: str) -> List[Any]:
    with PgWire(port) as c:
        c.login(user=user, database="postgres")
        c.send(b"P", _parse(sql, "s1"))
        c.send(b"D", b"S" + b"s1\0")
        c.send(b"B", _bind("p1", "s1"))
        c.send(b"D", b"P" + b"p1\0")
        c.send(b"E", _execute("p1"))
        c.send(b"C", b"P" + b"p1\0")
        c.send(b"C", b"S" + b"s1\0")
        c.send(b"S")
        return [m[0] for m in _until_ready(c)]


def test_describe_statement_and_portal_like_postgres(server, reference_pg) -> None:
    ours = _describe_session(server.port, "user", "rows 2")
    ref = _describe_session(reference_pg.port, "postgres",
                            "select i::int8 as i from generate_series(0, 1) i")
    # ParseComplete, ParameterDescription, RowDescription, BindComplete,
    # RowDescription, 2 DataRows, CommandComplete, 2 CloseComplete, ReadyForQuery
    assert ours == ref == [b"1", b"t", b"T", b"2", b"T", b"D", b"D", b"C", b"3", b"3", b"Z"]


def test_cancel_aborts_the_rest_of_a_multi_statement_query(server) -> None:
    t = token()
    with connect(server) as conn, conn.cursor() as cur:
        timer = threading.Timer(0.4, conn.cancel)
        timer.start()
        try:
            with pytest.raises(psycopg.errors.QueryCanceled):
                cur.execute(f"select '{t}-1'; sleep 2 /*{t}-2*/; select '{t}-3'")
        finally:
            timer.cancel()
        cur.execute("select 'next'")
        assert cur.fetchall() == [("select 'next'",)]
    time.sleep(0.2)
    assert received_sql(server, t) == [f"select '{t}-1'", f"sleep 2 /*{t}-2*/"]


def test_cancel_when_idle_is_harmless(server) -> None:
    with connect(server) as conn:
        conn.cancel()
        time.sleep(0.2)
        assert conn.execute("select 'idle ok'").fetchall() == [("select 'idle ok'",)]
