"""PREPARE / EXECUTE / DEALLOCATE / DISCARD ALL from SQL, and parameter types
inferred from casts, compared with a real PostgreSQL 15 where the answer is
the server's own (not the handler's)."""
from __future__ import annotations

import json
from typing import Any, List

import psycopg
import pytest

from conftest import core_import_error

CORE_ERROR = core_import_error()
pytestmark = pytest.mark.skipif(bool(CORE_ERROR), reason=f"riffq._core not built: {CORE_ERROR}")


def serve_echo() -> None:
    """Handler answering (sql, json of the parameters it received)."""
    import pyarrow as pa
    import riffq

    def handle_query(sql: str, callback: Any, **kwargs: Any) -> None:
        args = kwargs.get("query_args")
        batch = pa.record_batch(
            [pa.array([sql]), pa.array([json.dumps(args, default=str)])], names=["sql", "args"])
        callback(pa.RecordBatchReader.from_batches(batch.schema, [batch]))

    server = riffq.Server("127.0.0.1:0")
    server.on_query(handle_query)
    server.start()


@pytest.fixture(scope="module")
def echo():
    from riffq.testing import ServerProcess

    srv = ServerProcess(serve_echo, timeout=60)
    try:
        yield srv
    finally:
        srv.stop()


def _conn(port: int) -> psycopg.Connection:
    return psycopg.connect(host="127.0.0.1", port=port, user="u", dbname="d", autocommit=True)


def test_prepare_execute_passes_parameters(echo) -> None:
    with _conn(echo.port) as conn:
        assert conn.execute("PREPARE p1(int8, text) AS select $1, $2").statusmessage == "PREPARE"
        cur = conn.execute("EXECUTE p1(42, 'it''s')")
        sql, args = cur.fetchone()
        assert sql == "select $1, $2"
        assert json.loads(args) == [42, "it's"]
        assert cur.statusmessage == "SELECT 1"
        assert conn.execute("DEALLOCATE p1").statusmessage == "DEALLOCATE"


def test_prepared_types_from_casts(echo) -> None:
    with _conn(echo.port) as conn:
        conn.execute("PREPARE p2 AS select $1::int4 + 1")
        sql, args = conn.execute("EXECUTE p2('41')").fetchone()
        assert json.loads(args) == [41]


@pytest.mark.parametrize("sql", [
    "EXECUTE nope",
    "DEALLOCATE nope",
    "PREPARE dup AS select 1; PREPARE dup AS select 2",
    "PREPARE w(int) AS select $1; EXECUTE w(1, 2)",
])
def test_errors_like_postgres(echo, reference_pg, sql: str) -> None:
    def attempt(conn: psycopg.Connection) -> List[str]:
        try:
            conn.execute(sql)
        except psycopg.Error as exc:
            return [exc.sqlstate, exc.diag.message_primary, exc.diag.message_detail]
        return ["no error"]

    with _conn(echo.port) as ours, psycopg.connect(reference_pg.dsn, autocommit=True) as ref:
        assert attempt(ours) == attempt(ref)


def test_discard_all(echo, reference_pg) -> None:
    with _conn(echo.port) as conn:
        conn.execute("PREPARE gone AS select 1")
        assert conn.execute("DISCARD ALL").statusmessage == "DISCARD ALL"
        with pytest.raises(psycopg.errors.InvalidSqlStatementName):
            conn.execute("EXECUTE gone")
    with _conn(echo.port) as conn, psycopg.connect(reference_pg.dsn) as ref:
        conn.autocommit = False
        for c in (conn, ref):
            with pytest.raises(psycopg.errors.ActiveSqlTransaction):
                c.execute("select 1")
                c.execute("DISCARD ALL")
            c.rollback()


def test_protocol_statement_visible_to_sql_execute(echo) -> None:
    """Protocol-level prepared statements share the namespace with SQL ones."""
    with _conn(echo.port) as conn:
        conn.pgconn.prepare(b"proto1", b"select $1::int8")
        sql, args = conn.execute("EXECUTE proto1(7)").fetchone()
        assert json.loads(args) == [7]
