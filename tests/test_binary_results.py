"""Binary result format end to end: real drivers fetch every mapped type
from a riffq server and from PostgreSQL 15, and must decode the same values.

asyncpg always asks for binary results (Bind with format 1 for every
column); psycopg 3 does with ``binary=True``. The riffq server (a low-level
``riffq.Server`` in a subprocess) answers ``all`` with one Arrow table that
has a column for each Arrow type the encoder maps (``make_table``); the
reference is ``SELECT <expr>, ...`` on PostgreSQL 15 where every expression
builds the same value from a literal (tests/test_encode_types.py ``ref``).
Values stay within what both drivers can decode (years 1..9999, no
infinities).

asyncpg looks up array types it has no built-in codec for with a catalog
query; this low-level server has no catalog, so the riffq connection asks
the reference PostgreSQL for that type metadata (``_RefIntrospection``).
Only the type lookup goes there: every value comes from riffq, and a
wrong OID from riffq would still show up as a different type or value.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import decimal
import math
import uuid
from typing import Any, Dict, List, Tuple

import pytest

from conftest import core_import_error

pa = pytest.importorskip("pyarrow")
psycopg = pytest.importorskip("psycopg")
asyncpg = pytest.importorskip("asyncpg")

CORE_ERROR = core_import_error()
pytestmark = pytest.mark.skipif(bool(CORE_ERROR), reason=f"riffq._core not built: {CORE_ERROR}")

D = decimal.Decimal
UTC = dt.timezone.utc
NROWS = 6
MANY = 20000


# ---- the table (built in the server process and in the test) ------------------

def _dec(t: Any, values: List[Any]) -> Any:
    """Decimal array from the unscaled integers (pyarrow's conversion refuses
    some negative-scale and scale > precision values)."""
    width = t.bit_width // 8
    valid = [v is not None for v in values]
    ctx = decimal.Context(prec=200)  # exact for 76 digits, whatever the thread's context
    data = b"".join((0 if v is None else int(ctx.scaleb(v, t.scale))).to_bytes(width, "little", signed=True)
                    for v in values)
    mask = pa.array(valid, pa.bool_()).buffers()[1] if not all(valid) else None
    return pa.Array.from_buffers(t, len(values), [mask, pa.py_buffer(data)],
                                 null_count=valid.count(False))


def columns() -> List[Tuple[str, Any, List[Any]]]:
    """(name, Arrow type, NROWS Python values) of every column."""
    inf, nan = float("inf"), float("nan")
    us = [uuid.UUID(int=(k * 0x9E3779B97F4A7C15F39CC0605CEDC835) % 2**128) for k in range(1, 8)]
    inner = pa.struct([("x", pa.float64()), ("when", pa.timestamp("us"))])
    MDN = pa.MonthDayNano
    cols: List[Tuple[str, Any, List[Any]]] = [
        ("b", pa.bool_(), [True, False, None, True, False, True]),
        ("i8", pa.int8(), [-128, 127, None, 0, 1, -1]),
        ("i16", pa.int16(), [-32768, 32767, None, 0, 10000, -1]),
        ("i32", pa.int32(), [-2**31, 2**31 - 1, None, 0, 10**9, -7]),
        ("i64", pa.int64(), [-2**63, 2**63 - 1, None, 0, 10**18, -7]),
        ("u8", pa.uint8(), [0, 255, None, 1, 128, 7]),
        ("u16", pa.uint16(), [0, 65535, None, 1, 32768, 7]),
        ("u32", pa.uint32(), [0, 2**32 - 1, None, 1, 2**31, 7]),
        ("u64", pa.uint64(), [0, 2**64 - 1, None, 10000, 2**63, 9999]),
        ("f16", pa.float16(), [0.5, -2.0, None, 65504.0, inf, nan]),
        ("f32", pa.float32(), [1.5, -0.0, None, inf, nan, 0.10000000149011612]),
        ("f64", pa.float64(), [0.1, -0.0, None, 1e308, -inf, nan]),
        ("d10_2", pa.decimal128(10, 2), [D("1.50"), D("-0.01"), None, D("0.00"),
                                         D("12345678.90"), D("-99999999.99")]),
        ("d38_10", pa.decimal128(38, 10), [D("1234567890123456789012345678.0123456789"), D("-1E-10"),
                                           None, D("0E-10"), D("-9999999999999999999999999999.9999999999"),
                                           D("10000.0001000000")]),
        ("d76_20", pa.decimal256(76, 20), [D("-" + "9" * 56 + "." + "9" * 20), D("1E-20"), None,
                                           D(0), D("314159265358979323846264338327950288.41971693993751058209"),
                                           D("-1")]),
        ("d12_m3", pa.decimal128(12, -3), [D("123456789012000"), D("-1000"), None, D(0),
                                           D("999999999999000"), D("5000")]),
        ("d5_8", pa.decimal128(5, 8), [D("0.00012345"), D("-0.00000001"), None, D(0),
                                       D("0.00099999"), D("0.0001")]),
        ("s", pa.string(), ["", "héllo", None, "quote\"'", "tab\there\n", "日本語 😀"]),
        ("ls", pa.large_string(), ["x", "", None, "NULL", "{a,b}", "long " * 20]),
        ("sv", pa.string_view(), ["short", "a string longer than twelve", None, "", "é", "z"]),
        ("bin", pa.binary(), [b"", b"\x00\xff", None, b"abc", bytes(range(32)), b"\\"]),
        ("fbin", pa.binary(3), [b"abc", b"\x00\x00\x00", None, b"\xff\xfe\xfd", b"xyz", b"123"]),
        ("dt32", pa.date32(), [dt.date(2024, 1, 31), dt.date(1, 1, 1), None, dt.date(9999, 12, 31),
                               dt.date(1970, 1, 1), dt.date(2000, 2, 29)]),
        ("dt64", pa.date64(), [dt.date(2000, 1, 1), dt.date(1969, 12, 31), None, dt.date(1, 1, 1),
                               dt.date(2024, 6, 30), dt.date(9999, 1, 1)]),
        ("t_s", pa.time32("s"), [dt.time(0, 0), dt.time(23, 59, 59), None, dt.time(12, 0),
                                 dt.time(1, 2, 3), dt.time(0, 0, 1)]),
        ("t_ms", pa.time32("ms"), [dt.time(0, 0, 0, 1000), dt.time(23, 59, 59, 999000), None,
                                   dt.time(12), dt.time(1, 2, 3, 500000), dt.time(0)]),
        ("t_us", pa.time64("us"), [dt.time(12, 0, 0, 1), dt.time(23, 59, 59, 999999), None,
                                   dt.time(0), dt.time(6, 30), dt.time(13, 45, 6, 123456)]),
        ("t_ns", pa.time64("ns"), [dt.time(12, 0, 0, 1), dt.time(0), None, dt.time(23, 59, 59),
                                   dt.time(1, 1, 1, 10), dt.time(2)]),
        ("ts_s", pa.timestamp("s"), [dt.datetime(2000, 1, 1), dt.datetime(1, 1, 1), None,
                                     dt.datetime(9999, 12, 31, 23, 59, 59), dt.datetime(1969, 12, 31, 23, 59, 59),
                                     dt.datetime(2024, 2, 29, 12)]),
        ("ts_ms", pa.timestamp("ms"), [dt.datetime(2024, 1, 31, 13, 45, 6, 123000), dt.datetime(1900, 1, 1),
                                       None, dt.datetime(1970, 1, 1), dt.datetime(1, 1, 1, 0, 0, 0, 1000),
                                       dt.datetime(2038, 1, 19, 3, 14, 8)]),
        ("ts_us", pa.timestamp("us"), [dt.datetime(2024, 1, 31, 13, 45, 6, 123456),
                                       dt.datetime(1969, 12, 31, 23, 59, 59, 999999), None,
                                       dt.datetime(9999, 12, 31, 23, 59, 59, 999999), dt.datetime(1, 1, 1),
                                       dt.datetime(2000, 1, 1, 0, 0, 0, 1)]),
        ("ts_ns", pa.timestamp("ns"), [dt.datetime(2024, 1, 31, 13, 45, 6, 123456), dt.datetime(1700, 1, 1),
                                       None, dt.datetime(1970, 1, 1), dt.datetime(2262, 4, 11),
                                       dt.datetime(1677, 9, 22)]),
        ("tstz_utc", pa.timestamp("us", tz="UTC"),
         [dt.datetime(2024, 1, 31, 13, 45, 6, 123456, tzinfo=UTC), dt.datetime(1, 1, 2, tzinfo=UTC), None,
          dt.datetime(1970, 1, 1, tzinfo=UTC), dt.datetime(9999, 12, 30, tzinfo=UTC),
          dt.datetime(2000, 1, 1, tzinfo=UTC)]),
        ("tstz_ny", pa.timestamp("ms", tz="America/New_York"),
         [dt.datetime(2024, 3, 10, 7, 0, tzinfo=UTC), dt.datetime(1883, 11, 18, 17, tzinfo=UTC), None,
          dt.datetime(2024, 11, 3, 6, 0, 0, 1000, tzinfo=UTC), dt.datetime(1970, 1, 1, tzinfo=UTC),
          dt.datetime(2100, 6, 1, tzinfo=UTC)]),
        ("dur_s", pa.duration("s"), [dt.timedelta(seconds=176400), dt.timedelta(days=-3, seconds=5), None,
                                     dt.timedelta(0), dt.timedelta(days=36500), dt.timedelta(seconds=-1)]),
        ("dur_us", pa.duration("us"), [dt.timedelta(days=3, microseconds=-1), dt.timedelta(0), None,
                                       dt.timedelta(microseconds=1), dt.timedelta(days=-10000, hours=5),
                                       dt.timedelta(hours=25)]),
        ("mdn", pa.month_day_nano_interval(), [MDN([14, -3, 3_000_000_000]), MDN([0, 0, 0]), None,
                                               MDN([-1, 2, -5_000]), MDN([0, 40, 86_400_000_000_000]),
                                               MDN([1200, 0, 0])]),
        ("js", pa.json_(), ['{"a": [1, 2]}', "null", None, '"s"', "1.5", "[]"]),
        ("uu", pa.uuid(), [us[0], us[1], None, uuid.UUID(int=0), uuid.UUID(int=2**128 - 1), us[2]]),
        ("st", pa.struct([("a", pa.int64()), ("b", pa.string()), ("c", pa.list_(pa.int32())), ("d", inner)]),
         [{"a": 1, "b": "x y", "c": [1, None], "d": {"x": 1.5, "when": dt.datetime(2024, 1, 31, 13, 45, 6)}},
          {"a": None, "b": 'q"uote', "c": [], "d": None}, None,
          {"a": -5, "b": None, "c": None, "d": {"x": float("nan"), "when": None}},
          {"a": 0, "b": "", "c": [7], "d": {"x": None, "when": dt.datetime(1, 1, 1)}},
          {"a": 2**62, "b": "é", "c": [None], "d": {"x": -0.0, "when": None}}]),
        ("mp", pa.map_(pa.string(), pa.float64()), [[("k", 1.5)], [], None, [("a b", None), ('"', -2.0)],
                                                     [("x", 1e300)], [("é", 0.1)]]),
        ("dict", pa.dictionary(pa.int8(), pa.string()), ["one", "two", None, "one", "three", ""]),
        ("nul", pa.null(), [None] * NROWS),
        # arrays
        ("a_i64", pa.list_(pa.int64()), [[1, None, 3], [], None, [None], [2**63 - 1, -2**63], [0]]),
        ("a_i16", pa.large_list(pa.int16()), [[1, 2], [None], None, [], [-32768], [32767, 0, 5]]),
        ("a_f64", pa.list_(pa.float64()), [[0.1, nan], [-inf, -0.0], None, [], [None, 1e-300], [5e-324]]),
        ("a_f32", pa.list_(pa.float32(), 2), [[1.5, None], [inf, -0.0], None, [0.25, 2.0],
                                              [3.0, 4.0], [nan, 1.0]]),
        ("a_b", pa.list_view(pa.bool_()), [[True, False, None], [], None, [True], [False], [None, None]]),
        ("a_s", pa.list_(pa.string()), [["a", "b c", None], ["", "NULL"], None, [], ['"q"', "\\"], ["é"]]),
        ("a_ls", pa.large_list_view(pa.large_string()), [["x"], [], None, [None, "y"], ["{}"], ["z" * 40]]),
        ("a_bin", pa.list_(pa.binary()), [[b"", b"\x00"], [None], None, [], [b"\xff" * 5], [b"a", b"b"]]),
        ("a_dec", pa.list_(pa.decimal128(5, 2)), [[D("1.50"), None], [D("-0.01")], None, [],
                                                  [D("999.99"), D("0.00")], [D("100.00")]]),
        ("a_u64", pa.list_(pa.uint64()), [[2**64 - 1, 0], [None], None, [], [10**19], [1]]),
        ("a_date", pa.list_(pa.date32()), [[dt.date(2024, 1, 31), None], [dt.date(1, 1, 1)], None, [],
                                           [dt.date(9999, 12, 31)], [dt.date(2000, 1, 1)]]),
        ("a_time", pa.list_(pa.time64("us")), [[dt.time(1, 2, 3, 4)], [None], None, [], [dt.time(0)],
                                               [dt.time(23, 59, 59, 999999)]]),
        ("a_ts", pa.list_(pa.timestamp("us")), [[dt.datetime(2024, 1, 31, 1, 2, 3, 4)], [None], None, [],
                                                [dt.datetime(1, 1, 1)], [dt.datetime(1999, 12, 31, 23, 59, 59)]]),
        ("a_tstz", pa.list_(pa.timestamp("ms", tz="Asia/Tokyo")),
         [[dt.datetime(2024, 1, 31, 13, 45, 6, 123000, tzinfo=UTC), None], [], None,
          [dt.datetime(1970, 1, 1, tzinfo=UTC)], [dt.datetime(1900, 6, 1, tzinfo=UTC)],
          [dt.datetime(2100, 1, 1, tzinfo=UTC)]]),
        ("a_iv", pa.list_(pa.duration("us")), [[dt.timedelta(days=1), None], [], None,
                                               [dt.timedelta(microseconds=-1)], [dt.timedelta(hours=49)],
                                               [dt.timedelta(0)]]),
        ("a_uu", pa.list_(pa.uuid()), [[us[3], None], [], None, [us[4], us[5]], [us[6]], [uuid.UUID(int=1)]]),
        ("a_js", pa.list_(pa.struct([("k", pa.string())])), [[{"k": "v"}, None], [], None, [{"k": None}],
                                                              [{"k": "x"}, {"k": "y"}], [{"k": '"'}]]),
        ("a_dict", pa.list_(pa.dictionary(pa.int16(), pa.string())), [["x", "y z", None], [], None, ["x"],
                                                                       ["w"], [None]]),
        ("a_2d", pa.list_(pa.list_(pa.int32())), [[[1, 2], [3, None]], [[]], None, [], [[5]],
                                                   [[1], [2], [3]]]),
        ("a_3d", pa.list_(pa.list_(pa.list_(pa.string()))), [[[["a", "b"]], [["c", None]]], [], None,
                                                              [[[]]], [[["x"]]], [[["p"], ["q"]]]]),
        ("a_2d_dec", pa.list_(pa.list_(pa.decimal128(12, 4))),
         [[[D("1.5000"), None], [D("-2.0001"), D("0.0000")]], [], None, [[D("12345678.1234")]], [[None]],
          [[D("0.0001")], [D("1.0000")]]]),
    ]
    return cols


def _array(t: Any, vals: List[Any]) -> Any:
    if pa.types.is_decimal(t):
        return _dec(t, vals)
    ext = getattr(t, "extension_name", None)
    if ext == "arrow.uuid":
        return pa.ExtensionArray.from_storage(t, pa.array([v.bytes if v else None for v in vals],
                                                         pa.binary(16)))
    if ext == "arrow.json":
        return pa.ExtensionArray.from_storage(t, pa.array(vals, pa.string()))
    if pa.types.is_list(t) and getattr(t.value_type, "extension_name", None) == "arrow.uuid":
        flat = [u for v in vals if v for u in v]
        offsets, pos, mask = [0], 0, []
        for v in vals:
            pos += len(v) if v else 0
            offsets.append(pos)
            mask.append(v is None)
        return pa.ListArray.from_arrays(pa.array(offsets, pa.int32()), _array(t.value_type, flat),
                                        mask=pa.array(mask))
    if pa.types.is_list(t) and pa.types.is_list(t.value_type) and pa.types.is_decimal(t.value_type.value_type):
        inner_vals = [x for v in vals if v for x in v]
        inner = _list_of(t.value_type, inner_vals)
        return _list_of(t, vals, inner)
    if pa.types.is_list(t) and pa.types.is_decimal(t.value_type):
        return _list_of(t, vals)
    return pa.array(vals, t)


def _list_of(t: Any, vals: List[Any], values: Any = None) -> Any:
    """list<...> array built from its flattened child (decimal children)."""
    flat = [x for v in vals if v for x in v]
    offsets, pos, mask = [0], 0, []
    for v in vals:
        pos += len(v) if v else 0
        offsets.append(pos)
        mask.append(v is None)
    child = values if values is not None else _array(t.value_type, flat)
    return pa.ListArray.from_arrays(pa.array(offsets, pa.int32()), child, mask=pa.array(mask))


def make_table() -> Any:
    cols = columns()
    return pa.table({name: _array(t, vals) for name, t, vals in cols})


def make_many() -> Any:
    """MANY rows of numeric and arrays, in several batches."""
    n = MANY
    dec = _dec(pa.decimal128(18, 4), [D(i * 7919 - 10**7).scaleb(-4) if i % 11 else None for i in range(n)])
    lists = pa.array([[i, None, -i] if i % 7 else ([] if i % 2 else None) for i in range(n)],
                     pa.list_(pa.int64()))
    tbl = pa.table({"d": dec, "a": lists})
    return pa.Table.from_batches(tbl.to_batches(max_chunksize=1500))


def serve_types() -> None:
    """Low-level riffq.Server: `all` → make_table(), `many` → make_many(),
    BEGIN/COMMIT/ROLLBACK → their tags."""
    import riffq

    tables = {"all": make_table(), "many": make_many()}

    def handle(sql: str, callback: Any, **kwargs: Any) -> None:
        word = sql.strip().split()[0].lower() if sql.strip() else ""
        if word in tables:
            callback(tables[word])
        elif word in ("begin", "commit", "rollback"):
            callback(word.upper(), is_tag=True)
        else:
            callback(("ERROR", "42601", f"unexpected statement: {sql[:200]}"), is_error=True)

    srv = riffq.Server("127.0.0.1:0")
    srv.on_query(handle)
    srv.start()


# ---- fixtures -----------------------------------------------------------------

@pytest.fixture(scope="module")
def server():
    from riffq.testing import ServerProcess

    srv = ServerProcess(serve_types, timeout=60)
    try:
        yield srv
    finally:
        srv.stop()


def _inline(e: Any) -> str:
    """An `E` expression with its %s parameters inlined as literals."""
    parts = e.sql.split("%s")
    assert len(parts) == len(e.params) + 1
    out = parts[0]
    for p, rest in zip(e.params, parts[1:]):
        out += "'" + str(p).replace("'", "''") + "'" + rest
    return out


@pytest.fixture(scope="module")
def ref_rows() -> List[str]:
    """For each row, the PostgreSQL query giving the same row as `all`."""
    from test_encode_types import ref

    cols = columns()
    out = []
    for r in range(NROWS):
        exprs = []
        for name, t, vals in cols:
            if pa.types.is_null(t):
                exprs.append(f'NULL::text AS "{name}"')
            else:
                exprs.append(f'({_inline(ref(t, vals[r]))}) AS "{name}"')
        out.append("SELECT " + ", ".join(exprs))
    return out


# ---- value comparison ---------------------------------------------------------

def canon(v: Any) -> Any:
    """Comparable form: float/Decimal by repr (-0.0, NaN, dscale count),
    aware datetimes by instant, containers element-wise."""
    if isinstance(v, float):
        return ("float", "nan" if math.isnan(v) else repr(v))
    if isinstance(v, D):
        return ("dec", str(v))
    if isinstance(v, dt.datetime) and v.tzinfo is not None:
        return ("tstz", v.astimezone(UTC).isoformat())
    if isinstance(v, (list, tuple)):
        return [canon(x) for x in v]
    if isinstance(v, dict):
        return {k: canon(x) for k, x in v.items()}
    return (type(v).__name__, v)


def diff_rows(names: List[str], got: List[Any], want: List[Any]) -> List[Tuple[int, str, Any, Any]]:
    out = []
    for r, (g, w) in enumerate(zip(got, want)):
        for k, name in enumerate(names):
            if canon(g[k]) != canon(w[k]):
                out.append((r, name, g[k], w[k]))
    return out


# ---- asyncpg ------------------------------------------------------------------

class _RefIntrospection(asyncpg.Connection):  # type: ignore[misc,name-defined]
    """asyncpg connection whose type lookups (catalog queries) go to the
    reference PostgreSQL: riffq's low-level server has no pg_type."""

    _ref_conn: Any = None

    async def _introspect_types(self, typeoids: Any, timeout: Any) -> Any:
        return await type(self)._ref_conn._introspect_types(typeoids, timeout)


def _run(coro: Any) -> Any:
    return asyncio.run(coro)


async def _connect_pair(server: Any, reference_pg: Any) -> Tuple[Any, Any]:
    ref = await asyncpg.connect(host=reference_pg.host, port=reference_pg.port, user="postgres",
                                database="postgres", ssl=False, timeout=10)
    cls = type("RefIntro", (_RefIntrospection,), {"_ref_conn": ref})
    rq = await asyncpg.connect(host="127.0.0.1", port=server.port, user="user", database="db",
                               ssl=False, timeout=10, connection_class=cls)
    return rq, ref


def test_asyncpg_all_types(server, reference_pg, ref_rows) -> None:
    names = [c[0] for c in columns()]

    async def body() -> Any:
        rq, ref = await _connect_pair(server, reference_pg)
        try:
            stmt = await rq.prepare("all")
            got = [tuple(r) for r in await stmt.fetch()]
            attrs = [(a.name, a.type.oid, a.type.name, a.type.kind) for a in stmt.get_attributes()]
            want, want_attrs = [], None
            for sql in ref_rows:
                pst = await ref.prepare(sql)
                want.append(tuple(await pst.fetchrow()))
                want_attrs = [(a.name, a.type.oid, a.type.name, a.type.kind) for a in pst.get_attributes()]
            return got, attrs, want, want_attrs
        finally:
            await rq.close()
            await ref.close()

    got, attrs, want, want_attrs = _run(body())
    assert attrs == want_attrs
    assert len(got) == NROWS
    diffs = diff_rows(names, got, want)
    assert not diffs, f"(row, column, riffq, postgres): {diffs[:10]}"
    # spot checks of what asyncpg decodes to
    row = dict(zip(names, got[0]))
    assert row["d10_2"] == D("1.50") and str(row["d10_2"]) == "1.50"
    assert row["u64"] == 0 and isinstance(row["u64"], D)
    assert row["a_2d"] == [[1, 2], [3, None]]
    assert row["js"] == '{"a": [1, 2]}'
    assert isinstance(row["uu"], uuid.UUID)
    assert isinstance(row["mdn"], dt.timedelta) and isinstance(row["dur_us"], dt.timedelta)
    assert row["tstz_utc"].tzinfo is not None


def test_asyncpg_cursor_and_many_rows(server, reference_pg) -> None:
    """Binary rows across batches and PortalSuspended (cursor prefetch)."""
    expect = make_many().to_pylist()

    async def body() -> Any:
        rq, ref = await _connect_pair(server, reference_pg)
        try:
            rows = await rq.fetch("many")
            cur_rows = []
            async with rq.transaction():
                async for rec in rq.cursor("many", prefetch=777):
                    cur_rows.append(tuple(rec))
                    if len(cur_rows) == 5000:
                        break
            return [tuple(r) for r in rows], cur_rows
        finally:
            await rq.close()
            await ref.close()

    rows, cur_rows = _run(body())
    assert len(rows) == MANY
    want = [(r["d"], r["a"]) for r in expect]
    assert [canon(list(r)) for r in rows] == [canon(list(r)) for r in want]
    assert [canon(list(r)) for r in cur_rows] == [canon(list(r)) for r in want[:5000]]


# ---- psycopg binary cursors ------------------------------------------------------

def _desc(cur: Any) -> List[Tuple[Any, ...]]:
    res = cur.pgresult
    return [(c.name, c.type_code, res.fsize(k), res.fmod(k), res.fformat(k))
            for k, c in enumerate(cur.description)]


def test_psycopg_binary_all_types(server, reference_pg, ref_rows) -> None:
    names = [c[0] for c in columns()]
    with psycopg.connect(server.dsn(user="user", connect_timeout=10), autocommit=True) as rq, \
            psycopg.connect(reference_pg.dsn, autocommit=True) as ref:
        cur = rq.cursor(binary=True)
        cur.execute("all")
        got = cur.fetchall()
        rq_desc = _desc(cur)
        want, ref_desc = [], None
        rcur = ref.cursor(binary=True)
        for sql in ref_rows:
            rcur.execute(sql)
            want.append(rcur.fetchone())
            ref_desc = _desc(rcur)
        # server-side prepared statement too (psycopg's prepare=True)
        cur.execute("all", prepare=True)
        again = cur.fetchall()
    assert rq_desc == ref_desc  # OID, typlen, typmod, format 1 for every column
    assert all(d[4] == 1 for d in rq_desc)
    diffs = diff_rows(names, got, want)
    assert not diffs, f"(row, column, riffq, postgres): {diffs[:10]}"
    assert [canon(list(r)) for r in again] == [canon(list(r)) for r in got]


def test_psycopg_text_and_binary_agree(server) -> None:
    """The same riffq rows through text and binary loaders decode alike."""
    names = [c[0] for c in columns()]
    with psycopg.connect(server.dsn(user="user", connect_timeout=10), autocommit=True) as rq:
        text = rq.cursor().execute("all").fetchall()
        binary = rq.cursor(binary=True).execute("all").fetchall()
    # json text loads as a parsed value in both; float4 text goes through
    # float() of the shortest text, the binary value is the exact float4
    skip = {"f16", "f32", "a_f32"}
    keep = [k for k, n in enumerate(names) if n not in skip]
    pick = lambda rows: [[r[k] for k in keep] for r in rows]  # noqa: E731
    assert not diff_rows([names[k] for k in keep], pick(binary), pick(text))
