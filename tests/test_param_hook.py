"""The optional parameter-types hook (issue 4): ParameterDescription types
come from the client's declared types, else ``$n::type`` casts, else the
hook, else text; Bind values are decoded by those types.

A riffq server (subprocess) answers every statement with one row per bound
parameter: (position, Python type the handler got, repr, type OID). Its
hook, ``fn(sql, nparams, connection_id)``, logs each call to a file and
answers by a marker comment in the SQL:

- ``/*ints*/``: ``"int8"`` for every parameter;
- ``/*mixed*/``: ``[20, "numeric", None, "text[]", "bogus"]`` (OID, name,
  unknown, array name, unknown name);
- ``/*raise*/``: raises; ``/*slow*/``: sleeps past the 0.5 s
  ``parameter_types_timeout``; anything else: ``None``.

Checked with psycopg's low-level describe (exact OIDs), asyncpg (which
encodes its arguments by the described types: ``select $1 + 1`` must take
an int), psycopg (str arguments are sent untyped), SQL PREPARE/EXECUTE, a
two-argument hook through ``riffq._hooks`` and ``BaseConnection.parameter_types``
under RiffqServer.
"""

from __future__ import annotations

import asyncio
import time
from pathlib import Path
from typing import Any, List, Tuple

import psycopg
import pytest

from conftest import core_import_error

CORE_ERROR = core_import_error()
pytestmark = pytest.mark.skipif(bool(CORE_ERROR), reason=f"riffq._core not built: {CORE_ERROR}")


# ---- servers (spawned subprocesses) -----------------------------------------

def _echo_params(kwargs: Any) -> Any:
    import pyarrow as pa

    args = kwargs.get("query_args") or []
    types = kwargs.get("param_types") or []
    return pa.record_batch(
        [pa.array(list(range(len(args))), pa.int32()),
         pa.array([type(a).__name__ for a in args], pa.string()),
         pa.array([repr(a) for a in args], pa.string()),
         pa.array([int(t) for t in types], pa.int64())],
        names=["i", "pytype", "value", "oid"])


def _answer(sql: str, nparams: int) -> Any:
    if "/*ints*/" in sql:
        return ["int8"] * nparams
    if "/*mixed*/" in sql:
        return [20, "numeric", None, "text[]", "bogus"][:nparams]
    if "/*raise*/" in sql:
        raise RuntimeError("parameter types hook exploded")
    if "/*slow*/" in sql:
        time.sleep(3)
        return ["int8"] * nparams
    return None


def serve_hook(log_path: str, two_args: bool) -> None:
    """riffq.Server with the hook (three arguments through the public
    method, or two arguments through riffq._hooks)."""
    import riffq
    from riffq import _hooks

    def log(sql: str, nparams: int, conn_id: Any) -> None:
        with open(log_path, "a", encoding="utf-8") as f:
            f.write(f"{nparams}\t{conn_id}\t{sql}\n")

    def hook3(sql: str, nparams: int, connection_id: int) -> Any:
        log(sql, nparams, connection_id)
        return _answer(sql, nparams)

    def hook2(sql: str, nparams: int) -> Any:
        log(sql, nparams, None)
        return _answer(sql, nparams)

    srv = riffq.Server("127.0.0.1:0")
    srv.on_query(lambda sql, callback, **kw: callback(_echo_params(kw)))
    if two_args:
        _hooks.on_parameter_types(srv, hook2)
    else:
        srv.on_parameter_types(hook3)
    srv.set_option("parameter_types_timeout", 0.5)
    srv.start()


def serve_connection_hook(log_path: str) -> None:
    """RiffqServer whose BaseConnection subclass has parameter_types()."""
    import riffq
    from riffq import _hooks

    class Conn(riffq.BaseConnection):
        def parameter_types(self, sql: str, nparams: int) -> Any:
            with open(log_path, "a", encoding="utf-8") as f:
                f.write(f"{nparams}\t{self.conn_id}\t{sql}\n")
            return _answer(sql, nparams)

        def handle_query(self, sql: str, callback: Any = None, **kwargs: Any) -> None:
            callback(_echo_params(kwargs))

    server = riffq.RiffqServer("127.0.0.1:0", connection_cls=Conn)
    _hooks.install_parameter_types(server)  # what RiffqServer.start() does once wired
    server.start()


@pytest.fixture(scope="module")
def hook_server(tmp_path_factory: pytest.TempPathFactory) -> Any:
    from riffq.testing import ServerProcess

    log = tmp_path_factory.mktemp("hook") / "calls.log"
    srv = ServerProcess(serve_hook, str(log), False, timeout=60)
    srv.calls_log = log  # type: ignore[attr-defined]
    try:
        yield srv
    finally:
        srv.stop()


def calls(srv: Any) -> List[Tuple[int, str]]:
    path = Path(srv.calls_log)
    if not path.exists():
        return []
    out = []
    for line in path.read_text().splitlines():
        n, _conn, sql = line.split("\t", 2)
        out.append((int(n), sql))
    return out


def described(srv: Any, sql: str, types: Any = None) -> List[int]:
    """ParameterDescription OIDs of `sql` prepared with declared `types`."""
    with psycopg.connect(srv.dsn(), autocommit=True) as conn:
        pg = conn.pgconn
        res = pg.prepare(b"s", sql.encode(), types)
        assert res.status == psycopg.pq.ExecStatus.COMMAND_OK, res.error_message
        desc = pg.describe_prepared(b"s")
        return [desc.param_type(i) for i in range(desc.nparams)]


# ---- ParameterDescription ----------------------------------------------------

def test_hook_names_unknown_types(hook_server: Any) -> None:
    assert described(hook_server, "select $1, $2 /*ints*/") == [20, 20]
    assert described(hook_server, "select $1, $2, $3, $4, $5 /*mixed*/") == [20, 1700, 25, 1009, 25]


def test_declared_types_and_casts_win(hook_server: Any) -> None:
    before = len(calls(hook_server))
    assert described(hook_server, "select $1 /*ints*/", [23]) == [23]
    assert len(calls(hook_server)) == before, "hook called although every type was declared"
    assert described(hook_server, "select $1::numeric, $2 /*ints*/") == [1700, 20]
    assert calls(hook_server)[-1] == (2, "select $1::numeric, $2 /*ints*/")
    assert described(hook_server, "select $1::text, $2, $3 /*ints*/", [0, 21]) == [25, 21, 20]


def test_hook_only_when_types_are_unknown(hook_server: Any) -> None:
    before = len(calls(hook_server))
    described(hook_server, "select 1 /*ints*/")
    described(hook_server, "select $1::int4 /*ints*/")
    assert len(calls(hook_server)) == before


def test_no_answer_failure_and_timeout_keep_text(hook_server: Any) -> None:
    assert described(hook_server, "select $1 /*nothing*/") == [25]
    assert described(hook_server, "select $1, $2 /*raise*/") == [25, 25]
    t0 = time.monotonic()
    assert described(hook_server, "select $1 /*slow*/") == [25]
    assert time.monotonic() - t0 < 2.5, "the late hook was waited for"
    # the connection and server are fine afterwards
    assert described(hook_server, "select $1 /*ints*/") == [20]


# ---- Bind values decoded by the hook's types -----------------------------------

def test_asyncpg_passes_an_int(hook_server: Any) -> None:
    asyncpg = pytest.importorskip("asyncpg")

    async def go() -> Any:
        conn = await asyncpg.connect(host="127.0.0.1", port=hook_server.port, user="user",
                                     database="db", ssl=False)
        try:
            stmt = await conn.prepare("select $1 + 1 /*ints*/")
            types = [t.name for t in stmt.get_parameters()]
            rows = await conn.fetch("select $1 + 1 /*ints*/", 41)
            return types, [tuple(r) for r in rows]
        finally:
            await conn.close()

    types, rows = asyncio.run(go())
    assert types == ["int8"]
    assert rows == [(0, "int", "41", 20)]


def test_psycopg_untyped_str_is_decoded(hook_server: Any) -> None:
    with psycopg.connect(hook_server.dsn(), autocommit=True) as conn:
        rows = conn.execute("select %s + 1, %s /*ints*/", ("41", "-7")).fetchall()
    assert rows == [(0, "int", "41", 20), (1, "int", "-7", 20)]


def test_bad_value_for_hook_type_is_22p02(hook_server: Any) -> None:
    with psycopg.connect(hook_server.dsn(), autocommit=True) as conn:
        with pytest.raises(psycopg.errors.InvalidTextRepresentation) as exc:
            conn.execute("select %s /*ints*/", ("forty-one",))
    assert 'invalid input syntax for type bigint: "forty-one"' in str(exc.value)


def test_sql_prepare_uses_the_hook(hook_server: Any) -> None:
    with psycopg.connect(hook_server.dsn(), autocommit=True) as conn:
        conn.execute("prepare p as select $1 + 1 /*ints*/")
        rows = conn.execute("execute p(41)").fetchall()
        conn.execute("prepare q as select $1 /*nothing*/")
        rows_q = conn.execute("execute q(41)").fetchall()
    assert rows == [(0, "int", "41", 20)]
    assert rows_q[0][:3] == (0, "str", "'41'")  # no answer: text


# ---- other shapes of the hook -----------------------------------------------

def test_two_argument_hook(server_factory: Any, tmp_path: Path) -> None:
    srv = server_factory(serve_hook, str(tmp_path / "calls.log"), True, timeout=60)
    srv.calls_log = tmp_path / "calls.log"
    assert described(srv, "select $1, $2 /*ints*/") == [20, 20]
    assert calls(srv) == [(2, "select $1, $2 /*ints*/")]


def test_riffq_server_connection_method(server_factory: Any, tmp_path: Path) -> None:
    log = tmp_path / "calls.log"
    srv = server_factory(serve_connection_hook, str(log), timeout=60)
    with psycopg.connect(srv.dsn(), autocommit=True) as conn:
        rows = conn.execute("select %s + 1 /*ints*/", ("41",)).fetchall()
    assert rows == [(0, "int", "41", 20)]
    lines = log.read_text().splitlines()
    assert len(lines) == 1 and lines[0].startswith("1\t")
