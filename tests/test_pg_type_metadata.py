"""Field metadata ``riffq.pg_type``: the PostgreSQL type a column is reported
as (docs/core_api.md), checked in RowDescription through ``pg_types`` and
end to end with psycopg: catalog emulation relies on every word here."""

from __future__ import annotations

import threading
from typing import Any, Iterator, Tuple

import pytest

from conftest import core_import_error

pa = pytest.importorskip("pyarrow")
psycopg = pytest.importorskip("psycopg")

CORE_ERROR = core_import_error()
pytestmark = pytest.mark.skipif(bool(CORE_ERROR), reason=f"riffq._core not built: {CORE_ERROR}")


def _f(name: str, typ: Any, word: str) -> Any:
    return pa.field(name, typ, metadata={b"riffq.pg_type": word.encode()})


def _list(name: str, typ: Any, word: str) -> Any:
    return pa.field(name, pa.list_(_f("item", typ, word)))


# (field, PostgreSQL type OID, typlen) as RowDescription reports them
CASES = [
    (_f("oid", pa.uint32(), "oid"), 26, 4),
    (_f("xid", pa.uint32(), "xid"), 28, 4),
    (_f("cid", pa.uint32(), "cid"), 29, 4),
    (_f("name", pa.string(), "name"), 19, 64),
    (_f("char", pa.string(), "char"), 18, 1),
    (_f("varchar", pa.string(), "varchar"), 1043, -1),
    (_f("json", pa.string(), "json"), 114, -1),
    (_f("node", pa.string(), "pg_node_tree"), 194, -1),
    (_f("acl", pa.string(), "aclitem"), 1033, 12),
    (_f("missing", pa.string(), "anyarray"), 2277, -1),
    (_f("regclass", pa.string(), "regclass"), 2205, 4),
    (pa.field("indkey", pa.list_(pa.uint16()), metadata={b"riffq.pg_type": b"int2vector"}), 22, -1),
    (_list("names", pa.string(), "name"), 1003, -1),
    (_list("varchars", pa.string(), "varchar"), 1015, -1),
    (_list("acls", pa.string(), "aclitem"), 1034, -1),
    (_list("regtypes", pa.string(), "regtype"), 2211, -1),
    (_list("xids", pa.uint32(), "xid"), 1011, -1),
]


@pytest.mark.parametrize("field, oid, typlen", CASES, ids=[c[0].name for c in CASES])
def test_reported_type(field: Any, oid: int, typlen: int) -> None:
    from riffq import _core

    (name, got_oid, got_len, _typmod), = _core.pg_types(pa.schema([field]))
    assert (name, got_oid, got_len) == (field.name, oid, typlen)


def test_unknown_word_keeps_the_arrow_type() -> None:
    from riffq import _core

    (_, oid, _, _), = _core.pg_types(pa.schema([_f("x", pa.string(), "no_such_type")]))
    assert oid == 25


def _table() -> Any:
    return pa.table({
        "xid": pa.array([716], pa.uint32()),
        "acl": pa.array(["=c/postgres"], pa.string()),
        "acls": pa.array([["=c/postgres", "postgres=CTc/postgres"]], pa.list_(pa.string())),
        "node": pa.array(["{CONST :consttype 23}"], pa.string()),
    }).cast(pa.schema([_f("xid", pa.uint32(), "xid"), _f("acl", pa.string(), "aclitem"),
                       _list("acls", pa.string(), "aclitem"),
                       _f("node", pa.string(), "pg_node_tree")]))


@pytest.fixture(scope="module")
def server() -> Iterator[int]:
    import riffq
    from riffq.testing import free_port, wait_for_port

    port = free_port()
    srv = riffq.Server(f"127.0.0.1:{port}")

    def handle(sql: str, cb: Any, **_: Any) -> None:
        if "node" in sql:
            cb(_table().select(["xid", "node"]))
        else:
            cb(_table())

    srv.on_query(handle)
    threading.Thread(target=srv.start, daemon=True).start()
    assert wait_for_port(port)
    try:
        yield port
    finally:
        srv.stop()


def _fetch(port: int, sql: str, binary: bool = False) -> Tuple[list, list]:
    with psycopg.connect(f"host=127.0.0.1 port={port} user=u dbname=d", autocommit=True) as c:
        cur = c.cursor(binary=binary)
        cur.execute(sql)
        return [d.type_code for d in cur.description], cur.fetchall()


def test_text_values(server: int) -> None:
    types, rows = _fetch(server, "all")
    assert types == [28, 1033, 1034, 194]
    assert rows == [("716", "=c/postgres", ["=c/postgres", "postgres=CTc/postgres"],
                     "{CONST :consttype 23}")]


def test_binary_xid_and_node_tree(server: int) -> None:
    """xid's binary form is 4 bytes, pg_node_tree's its text (xidsend,
    pg_node_tree_send)."""
    types, rows = _fetch(server, "node", binary=True)
    assert types == [28, 194]
    xid, node = rows[0]
    assert xid in (716, b"\x00\x00\x02\xcc")  # psycopg may have no binary xid loader
    assert node in ("{CONST :consttype 23}", b"{CONST :consttype 23}")


def test_binary_aclitem_is_refused(server: int) -> None:
    """PostgreSQL has no binary aclitem: a binary request is an error, and
    the connection stays usable."""
    with psycopg.connect(f"host=127.0.0.1 port={server} user=u dbname=d",
                         autocommit=True) as c:
        with pytest.raises(psycopg.Error) as info:
            c.cursor(binary=True).execute("all")
        assert info.value.sqlstate is not None
        assert c.execute("all").fetchone()[1] == "=c/postgres"
