"""Typed decoding of extended-protocol Bind parameters (issue 4, "Parameters").

A riffq server (``serve_params``, in a subprocess) answers every query with
one row per bound parameter: its position, the Python type the handler
received, ``repr()`` of the value and the type OID. The same values go
through real drivers to riffq and to a PostgreSQL 15 reference, and the
test compares what the handler got with what PostgreSQL holds for the
same bytes:

- psycopg 3, text (``%t``) and binary (``%b``) placeholders;
- raw Bind messages (psycopg's ``pgconn.exec_params``) with hand-written
  text or binary representations and explicit type OIDs — the reference
  value is read back from PostgreSQL's binary output of ``$1::type``;
- asyncpg (binary always; needs ParameterDescription types from
  ``$n::type`` casts);
- pg8000 (text parameters), when installed;
- malformed parameters: the ErrorResponse (SQLSTATE, message, detail,
  hint) must equal PostgreSQL's.

Python mapping (see csrc/rq_py_params.c): numeric → Decimal, json/jsonb →
str as sent, timestamptz → aware datetime in UTC, interval → timedelta, or
riffq.Interval(months, days, microseconds) when it has months, ±infinity
dates/timestamps → max/min, arrays → (nested) lists.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import decimal
import json
import math
import struct
import uuid
from typing import Any, Dict, List, Optional, Tuple

import psycopg
import pytest
from psycopg import pq

from conftest import core_import_error

CORE_ERROR = core_import_error()
pytestmark = pytest.mark.skipif(bool(CORE_ERROR), reason=f"riffq._core not built: {CORE_ERROR}")

UTC = dt.timezone.utc


# ---- the server (runs in a spawned subprocess) ------------------------------

def serve_params() -> None:
    """Answer every statement with one row per parameter:
    (i, pytype, value=repr(v), oid)."""
    import pyarrow as pa

    import riffq

    def handle(sql: str, callback: Any, **kwargs: Any) -> None:
        args = kwargs.get("query_args") or []
        types = kwargs.get("param_types") or []
        pytypes = [type(a).__module__ + "." + type(a).__qualname__ for a in args]
        callback(pa.record_batch(
            [pa.array(list(range(len(args))), pa.int32()),
             pa.array(pytypes, pa.string()),
             pa.array([repr(a) for a in args], pa.string()),
             pa.array([int(t) for t in types], pa.int64())],
            names=["i", "pytype", "value", "oid"]))

    srv = riffq.Server("127.0.0.1:0")
    srv.on_query(handle)
    srv.start()


@pytest.fixture(scope="module")
def server():
    from riffq.testing import ServerProcess

    srv = ServerProcess(serve_params, timeout=60)
    try:
        yield srv
    finally:
        srv.stop()


@pytest.fixture(scope="module")
def rq_conn(server):
    with psycopg.connect(server.dsn(user="user", connect_timeout=10), autocommit=True) as conn:
        yield conn


@pytest.fixture(scope="module")
def pg_conn(reference_pg):
    with psycopg.connect(reference_pg.dsn, autocommit=True) as conn:
        conn.execute("SET TimeZone = 'UTC'")
        yield conn


# ---- helpers -------------------------------------------------------------------

class Interval(tuple):
    """Stand-in for riffq.Interval when evaluating reprs (compares as a tuple)."""

    def __new__(cls, months: int, days: int, microseconds: int) -> "Interval":
        return super().__new__(cls, (months, days, microseconds))


EVAL_NS = {"datetime": dt, "Decimal": decimal.Decimal, "UUID": uuid.UUID, "Interval": Interval,
           "inf": float("inf"), "nan": float("nan")}


def from_repr(text: str) -> Any:
    return eval(text, dict(EVAL_NS))  # noqa: S307 - reprs made by our own server


def riffq_values(cur_or_rows: Any) -> List[Tuple[str, Any, int]]:
    rows = cur_or_rows.fetchall() if hasattr(cur_or_rows, "fetchall") else cur_or_rows
    return [(r[1], from_repr(r[2]), int(r[3])) for r in rows]


def raw_riffq(conn: psycopg.Connection, value: Optional[bytes], oid: int, fmt: int) -> Any:
    """Send one parameter through a raw Bind; the handler's (pytype, value)
    or ("ERR", (sqlstate, message, detail, hint))."""
    res = conn.pgconn.exec_params(b"select $1", [value], [oid], [fmt], 0)
    if res.status != pq.ExecStatus.TUPLES_OK:
        return "ERR", error_of(res)
    pytype = res.get_value(0, 1).decode()
    return pytype, from_repr(res.get_value(0, 2).decode())


def error_of(res: Any) -> Tuple[str, str, str, str]:
    def f(code: Any) -> str:
        return (res.error_field(code) or b"").decode("utf-8", "replace")

    D = pq.DiagnosticField
    return (f(D.SQLSTATE), f(D.MESSAGE_PRIMARY), f(D.MESSAGE_DETAIL), f(D.MESSAGE_HINT))


# Binary output of PostgreSQL → Python value, with riffq's conventions.
def _pg_date(days: int) -> dt.date:
    if days == 0x7FFFFFFF:
        return dt.date.max
    if days == -0x80000000:
        return dt.date.min
    return dt.date(2000, 1, 1) + dt.timedelta(days=days)


def _pg_ts(usec: int, tz: Optional[dt.tzinfo]) -> dt.datetime:
    if usec == 0x7FFFFFFFFFFFFFFF:
        return dt.datetime.max.replace(tzinfo=tz)
    if usec == -0x8000000000000000:
        return dt.datetime.min.replace(tzinfo=tz)
    return dt.datetime(2000, 1, 1, tzinfo=tz) + dt.timedelta(microseconds=usec)


def _pg_time(usec: int, tz: Optional[dt.tzinfo] = None) -> dt.time:
    s, us = divmod(usec, 1_000_000)
    return dt.time(s // 3600, s // 60 % 60, s % 60, us, tzinfo=tz)


def _pg_interval(b: bytes) -> Any:
    usec, days, months = struct.unpack("!qii", b)
    if months == 0:
        return dt.timedelta(days=days, microseconds=usec)
    return Interval(months, days, usec)


def _pg_numeric(b: bytes) -> decimal.Decimal:
    ndigits, weight, sign, dscale = struct.unpack("!HhHH", b[:8])
    if sign == 0xC000:
        return decimal.Decimal("NaN")
    if sign in (0xD000, 0xF000):
        return decimal.Decimal("Infinity" if sign == 0xD000 else "-Infinity")
    digits = "".join("%04d" % d for d in struct.unpack("!%dH" % ndigits, b[8:8 + 2 * ndigits]))
    point = (weight + 1) * 4
    if point > len(digits):
        digits += "0" * (point - len(digits))
    if point < 0:
        digits, point = "0" * -point + digits, 0
    frac = digits[point:].ljust(dscale, "0")[:dscale]
    text = (digits[:point].lstrip("0") or "0") + ("." + frac if dscale else "")
    return decimal.Decimal(("-" if sign == 0x4000 else "") + text)


def _float4(b: bytes) -> float:
    """float4 as the float of its shortest decimal text (riffq's rule)."""
    import numpy as np

    return float(str(np.frombuffer(b, dtype=">f4")[0]))


SCALAR_RECV = {
    16: lambda b: b[0] != 0,
    17: bytes,
    19: lambda b: b.decode(), 25: lambda b: b.decode(), 1042: lambda b: b.decode(),
    1043: lambda b: b.decode(), 114: lambda b: b.decode(), 3802: lambda b: b[1:].decode(),
    20: lambda b: struct.unpack("!q", b)[0], 21: lambda b: struct.unpack("!h", b)[0],
    23: lambda b: struct.unpack("!i", b)[0], 26: lambda b: struct.unpack("!I", b)[0],
    700: _float4,
    701: lambda b: struct.unpack("!d", b)[0],
    1700: _pg_numeric,
    1082: lambda b: _pg_date(struct.unpack("!i", b)[0]),
    1083: lambda b: _pg_time(struct.unpack("!q", b)[0]),
    1266: lambda b: _pg_time(struct.unpack("!q", b[:8])[0],
                             dt.timezone(dt.timedelta(seconds=-struct.unpack("!i", b[8:])[0]))),
    1114: lambda b: _pg_ts(struct.unpack("!q", b)[0], None),
    1184: lambda b: _pg_ts(struct.unpack("!q", b)[0], UTC),
    1186: _pg_interval,
    2950: lambda b: uuid.UUID(bytes=b),
}

ARRAY_ELEM = {1000: 16, 1001: 17, 1003: 19, 1016: 20, 1005: 21, 1007: 23, 1009: 25, 1028: 26,
              199: 114, 1021: 700, 1022: 701, 1014: 1042, 1015: 1043, 1182: 1082, 1183: 1083,
              1115: 1114, 1185: 1184, 1187: 1186, 1270: 1266, 1231: 1700, 2951: 2950, 3807: 3802}


def pg_recv(oid: int, b: Optional[bytes]) -> Any:
    if b is None:
        return None
    if oid in ARRAY_ELEM:
        elem = ARRAY_ELEM[oid]
        ndim, _flags, _elem = struct.unpack("!iiI", b[:12])
        dims = [struct.unpack("!ii", b[12 + 8 * i:20 + 8 * i])[0] for i in range(ndim)]
        pos = 12 + 8 * ndim
        items = []
        for _ in range(math.prod(dims) if ndim else 0):
            (n,) = struct.unpack("!i", b[pos:pos + 4])
            pos += 4
            items.append(None if n < 0 else pg_recv(elem, b[pos:pos + n]))
            pos += max(n, 0)

        def nest(level: int, it: Any) -> List[Any]:
            if level == len(dims) - 1:
                return [next(it) for _ in range(dims[level])]
            return [nest(level + 1, it) for _ in range(dims[level])]

        return nest(0, iter(items)) if ndim else []
    return SCALAR_RECV[oid](b)


TYPENAME = {16: "bool", 17: "bytea", 19: "name", 20: "int8", 21: "int2", 23: "int4", 25: "text",
            26: "oid", 114: "json", 700: "float4", 701: "float8", 1042: "bpchar", 1043: "varchar",
            1082: "date", 1083: "time", 1114: "timestamp", 1184: "timestamptz", 1186: "interval",
            1266: "timetz", 1700: "numeric", 2950: "uuid", 3802: "jsonb"}
TYPENAME.update({arr: TYPENAME[el] + "[]" for arr, el in ARRAY_ELEM.items()})


def raw_pg(conn: psycopg.Connection, value: Optional[bytes], oid: int, fmt: int) -> Any:
    """What PostgreSQL makes of the same parameter: its value (from the
    binary output of $1::type) or ("ERR", fields)."""
    res = conn.pgconn.exec_params(f"select $1::{TYPENAME[oid]}".encode(), [value], [oid], [fmt], 1)
    if res.status != pq.ExecStatus.TUPLES_OK:
        return "ERR", error_of(res)
    return pg_recv(oid, res.get_value(0, 0))


def same(a: Any, b: Any) -> bool:
    """Equality that also checks types, tzinfo presence and NaN."""
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    if isinstance(a, uuid.UUID) and isinstance(b, uuid.UUID):
        return str(a) == str(b)  # asyncpg has its own UUID subclass
    if type(a) is not type(b) and not (isinstance(a, tuple) and isinstance(b, tuple)):
        return False
    if isinstance(a, float) and a != a:
        return b != b
    if isinstance(a, decimal.Decimal):
        return (a.is_nan() and b.is_nan()) or (str(a) == str(b))
    if isinstance(a, (dt.datetime, dt.time)):
        return a == b and (a.tzinfo is None) == (b.tzinfo is None) and a.utcoffset() == b.utcoffset()
    return a == b


# ---- raw Bind: text and binary representations vs PostgreSQL -------------------

TEXT_VECTORS: List[Tuple[int, str]] = [
    (16, "t"), (16, " yes "), (16, "off"), (16, "0"),
    (21, "-32768"), (23, " 42 "), (20, "-9223372036854775808"), (26, "-1"), (26, "4294967295"),
    (700, "1.1"), (700, "-Infinity"), (700, "NaN"), (700, "1e-45"), (701, "0.1"), (701, "-0"), (701, "4.9e-324"),
    (1700, "1.50"), (1700, "1.50e1"), (1700, " -0.000 "), (1700, "NaN"), (1700, "-inf"),
    (1700, "123456789012345678901234567890.123456789"), (1700, "1e-20"), (1700, "5."),
    (25, "héllo wörld"), (25, ""), (1043, "x y"), (1042, "ab  "), (19, "n" * 70), (0, "untyped"), (705, "unknown"),
    (17, "\\x00ff10"), (17, "a\\\\b\\001"),
    (114, '{"a": [1, 2.5e3, true, null]}'), (3802, ' {"b": 1, "a": "\\u00e9"} '),
    (2950, "A0EEBC99-9c0b4ef8-bb6d6bb9bd380a11"), (2950, "{a0eebc999c0b4ef8bb6d6bb9bd380a11}"),
    (1082, "2024-01-31"), (1082, "Jan 31, 2024"), (1082, "1/2/3"), (1082, "0044-03-15 AD"),
    (1082, "infinity"), (1082, "-infinity"), (1082, "epoch"), (1082, "20240229"),
    (1083, "13:45:06.123456789"), (1083, "1:30 PM"), (1083, "allballs"), (1083, "134506"),
    (1266, "13:45:06+03"), (1266, "13:45:06-05:30:15"), (1266, "13:45 EST"), (1266, "13:45Z"),
    (1114, "2024-01-31 13:45:06.5"), (1114, "2024-01-31T13:45:06"), (1114, "Wed Jan 31 13:45:06 2024"),
    (1114, "2024-01-31 24:00"), (1114, "infinity"), (1114, "9999-12-31 23:59:59.999999"),
    (1184, "2024-01-31 13:45:06.5+03"), (1184, "2024-01-31 13:45:06 Europe/Istanbul"),
    (1184, "2024-01-31T13:45:06Z"), (1184, "2024-01-31 13:45:06 EST"), (1184, "2024-01-31 13:45"),
    (1184, "2024-03-10 02:30 America/New_York"), (1184, "-infinity"),
    (1186, "1 day 02:03:04.5"), (1186, "-1 days +02:00:00"), (1186, "1 year 2 mons"), (1186, "@ 3 hours ago"),
    (1186, "P1Y2M3DT4H5M6.5S"), (1186, "PT1.5H"), (1186, "1-2 3 4:05:06"), (1186, "1.5 weeks"), (1186, "5"),
    (1007, "{1,2,NULL}"), (1007, "{{1,2},{3,4}}"), (1007, "[0:1]={7,8}"), (1007, "{}"),
    (1009, '{a,"b c","d\\"e",NULL,"NULL"}'), (1231, "{1.50,NaN}"), (1182, "{2024-01-31,infinity}"),
    (1185, '{"2024-01-31 13:45:06+03"}'), (1187, '{"1 day","1 mon"}'), (2951, "{a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11}"),
    (1001, '{"\\\\x00ff"}'), (1000, "{t,f,NULL}"), (1021, "{1.1}"), (199, '{"{\\"a\\": 1}"}'),
    (1115, '{{"2024-01-31 13:45",NULL}}'), (1183, "{13:45}"), (1270, "{13:45+01}"), (1003, "{abc}"),
    (1015, "{a}"), (1014, "{b}"), (1016, "{9223372036854775807}"), (1005, "{1}"), (1028, "{1}"),
    (1022, "{1e300}"), (3807, '{"[1, 2]"}'),
]


@pytest.mark.parametrize("oid,text", TEXT_VECTORS, ids=[f"{TYPENAME.get(o, o)}:{t[:30]}" for o, t in TEXT_VECTORS])
def test_text_parameter_matches_postgres(rq_conn, pg_conn, oid: int, text: str) -> None:
    data = text.encode()
    got = raw_riffq(rq_conn, data, oid, 0)
    assert got[0] != "ERR", got
    if oid in (0, 705):  # untyped: PostgreSQL resolves it as text
        assert got == ("builtins.str", text)
        return
    want = raw_pg(pg_conn, data, oid, 0)
    if oid == 3802:
        want = text  # jsonb is passed on as the client sent it
    if oid == 3807:
        want = ["[1, 2]"]
    assert same(got[1], want), (got, want)


def _i4(x: int) -> bytes:
    return struct.pack("!i", x)


def _arr(elem: int, dims: List[Tuple[int, int]], items: List[Optional[bytes]], flags: int = 0) -> bytes:
    b = struct.pack("!iiI", len(dims), flags, elem)
    for d, lb in dims:
        b += struct.pack("!ii", d, lb)
    for it in items:
        b += _i4(-1) if it is None else _i4(len(it)) + it
    return b


BINARY_VECTORS: List[Tuple[int, bytes]] = [
    (16, b"\x01"), (16, b"\x02"), (21, struct.pack("!h", -5)), (23, _i4(-2147483648)),
    (20, struct.pack("!q", 2 ** 62)), (26, b"\xff\xff\xff\xff"),
    (700, struct.pack("!f", 1.1)), (700, struct.pack("!f", float("inf"))), (701, struct.pack("!d", 0.1)),
    (1700, b"\x00\x02\x00\x00\x40\x00\x00\x02\x00\x01\x13\x88"), (1700, b"\x00\x00\x00\x00\x00\x00\x00\x03"),
    (1700, b"\x00\x00\x00\x00\xd0\x00\x00\x00"), (1700, b"\x00\x01\xff\xfe\x00\x00\x00\x00\x00\x05"),
    (1700, b"\x00\x03\x00\x01\x00\x00\x00\x03\x00\x0c\x0d\x80\x04\xd2"),
    (25, "é".encode()), (1043, b""), (17, b"\x00\xff"), (0, b"untyped"),
    (114, b'{"a":1}'), (3802, b'\x01{"a": 1}'),
    (2950, bytes(range(16))),
    (1082, _i4(8796)), (1082, _i4(0x7FFFFFFF)), (1082, _i4(-730119)),
    (1083, struct.pack("!q", 49506123456)), (1266, struct.pack("!qi", 49506000000, -10800)),
    (1114, struct.pack("!q", 760023906500000)), (1184, struct.pack("!q", 760023906500000)),
    (1184, struct.pack("!q", -0x8000000000000000)),
    (1186, struct.pack("!qii", 3723000000, 2, 0)), (1186, struct.pack("!qii", -1, -2, 14)),
    (1007, _arr(23, [(2, 1)], [_i4(5), None])), (1007, _arr(23, [(2, 0), (2, -3)], [_i4(1), _i4(2), None, _i4(4)], 1)),
    (1007, _arr(23, [], [])), (1009, _arr(25, [(2, 1)], [b"a", b"b c"])),
    (1231, _arr(1700, [(1, 1)], [b"\x00\x00\x00\x00\xc0\x00\x00\x00"])),
    (2951, _arr(2950, [(1, 1)], [bytes(16)])), (1185, _arr(1184, [(1, 1)], [struct.pack("!q", 0)])),
]


@pytest.mark.parametrize("oid,data", BINARY_VECTORS,
                         ids=[f"{TYPENAME.get(o, o)}:{d[:12].hex()}" for o, d in BINARY_VECTORS])
def test_binary_parameter_matches_postgres(rq_conn, pg_conn, oid: int, data: bytes) -> None:
    got = raw_riffq(rq_conn, data, oid, 1)
    assert got[0] != "ERR", got
    if oid == 0:
        assert got == ("builtins.str", "untyped")
        return
    want = raw_pg(pg_conn, data, oid, 1)
    if oid == 3802:
        want = data[1:].decode()
    assert same(got[1], want), (got, want)


def test_python_types(rq_conn) -> None:
    """The documented mapping, one value of each kind."""
    cases = [
        (16, b"t", 0, "builtins.bool"), (23, b"1", 0, "builtins.int"), (701, b"1", 0, "builtins.float"),
        (1700, b"1", 0, "decimal.Decimal"), (25, b"x", 0, "builtins.str"), (17, b"\\x00", 0, "builtins.bytes"),
        (1082, b"2024-01-01", 0, "datetime.date"), (1083, b"01:00", 0, "datetime.time"),
        (1114, b"2024-01-01", 0, "datetime.datetime"), (1186, b"1 day", 0, "datetime.timedelta"),
        (1186, b"1 mon", 0, "riffq.Interval"), (2950, bytes(16), 1, "uuid.UUID"),
        (1007, b"{1}", 0, "builtins.list"), (114, b"{}", 0, "builtins.str"), (3802, b"{}", 0, "builtins.str"),
        (869, b"127.0.0.1", 0, "builtins.str"), (869, b"\x02\x20\x00\x04\x7f\x00\x00\x01", 1, "builtins.bytes"),
    ]
    for oid, data, fmt, pytype in cases:
        assert raw_riffq(rq_conn, data, oid, fmt)[0] == pytype, (oid, data)
    # timestamptz is UTC-aware, a NULL parameter is None
    _, v = raw_riffq(rq_conn, b"2024-01-31 13:45:06+03", 1184, 0)
    assert v == dt.datetime(2024, 1, 31, 10, 45, 6, tzinfo=UTC) and v.utcoffset() == dt.timedelta(0)
    assert raw_riffq(rq_conn, None, 23, 0) == ("builtins.NoneType", None)
    assert raw_riffq(rq_conn, b"1 mon 2 days 00:00:03", 1186, 0)[1] == (1, 2, 3000000)


def test_riffq_interval_namedtuple(rq_conn) -> None:
    res = rq_conn.pgconn.exec_params(b"select $1", [b"1 year -2 days"], [1186], [0], 0)
    assert res.get_value(0, 2).decode() == "Interval(months=12, days=-2, microseconds=0)"


# ---- malformed parameters: same ErrorResponse as PostgreSQL ----------------------

MALFORMED: List[Tuple[int, int, bytes]] = [
    (23, 1, b"\x00\x00\x00"),                 # 08P01 insufficient data left in message
    (23, 1, b"\x00\x00\x00\x01\x02"),         # 22P03 incorrect binary data format in bind parameter 1
    (23, 0, b"x"), (23, 0, b""), (23, 0, b"99999999999"), (21, 0, b"99999"), (20, 0, b"1e3"),
    (25, 0, b"\xff"), (25, 0, b"ab\xc3\x28"), (25, 1, b"a\x00b"), (25, 1, b"\xed\xa0\x80"), (23, 0, b"\xe2\x82"),
    (16, 1, b""), (16, 1, b"\x01\x00"), (16, 0, b"o"), (26, 0, b"0x10"), (26, 0, b"4294967296"),
    (700, 0, b"1e40"), (701, 0, b"x"), (701, 0, b"1e-400"),
    (1700, 0, b"1e"), (1700, 0, b"1e131072"), (1700, 0, b"0.0e-16383"),
    (1700, 1, b"\x00\x00\x00\x00\x12\x00\x00\x00"), (1700, 1, b"\x00\x01\x00\x00\x00\x00\x00\x00\x27\x10"),
    (1700, 1, b"\x00\x01\x00\x00\x00\x00\x40\x00\x00\x01"), (1700, 1, b"\x00\x01\x00\x00\x00\x00\x00\x00"),
    (2950, 0, b"a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a1"), (2950, 1, b"\x00" * 15), (2950, 1, b"\x00" * 17),
    (17, 0, b"\\x0aF"), (17, 0, b"\\x0g"), (17, 0, b"ab\\c"),
    (114, 0, b'{"a" 1}'), (114, 0, b"[1,2"), (114, 0, b'"\\x"'), (3802, 0, b'"\\u0000"'), (3802, 1, b"\x02{}"),
    (1082, 0, b"x"), (1082, 0, b"2024-13-01"), (1082, 0, b"2024-02-30"), (1082, 0, b"5874898-01-01"),
    (1082, 0, b"2024-01-31 Foo/Bar"), (1082, 1, b"\x7f\xff\xff\xfe"),
    (1083, 0, b"25:00"), (1083, 0, b"1pm"), (1083, 1, b"\x00\x00\x00\x14\x1d\xd7\x60\x01"),
    (1266, 0, b"13:45:06+16"), (1266, 1, struct.pack("!qi", 0, 57600)),
    (1114, 0, b"294277-01-01"), (1114, 0, b"2024-01-31 13:45:06 x"), (1114, 1, struct.pack("!q", 2 ** 63 - 2)),
    (1184, 0, b"2024-01-31 13:45:06 Foo/Bar"),
    (1186, 0, b"1 fortnight"), (1186, 0, b"2147483648 days"), (1186, 0, b"179000000 years"),
    (1186, 1, b"\x00" * 15),
    (1007, 0, b"{1,2"), (1007, 0, b"{{1,2},{3}}"), (1007, 0, b"{x}"), (1007, 0, b"{{{{{{{1}}}}}}}"),
    (1007, 0, b"[3:2]={}"), (1007, 0, b"[0:2]={1,2}"), (1009, 0, b'{a"b}'),
    (1007, 1, _arr(20, [(1, 1)], [_i4(5)])), (1007, 1, _arr(23, [(1, 1)], [_i4(5)], flags=2)),
    (1007, 1, _arr(23, [(1, 1)], [_i4(5) + b"\x00"])), (1007, 1, _arr(23, [(2, 1)], [_i4(5)])),
    (1007, 1, struct.pack("!iiI", 7, 0, 23)), (1007, 1, _arr(23, [(1, 2 ** 31 - 1)], [_i4(5)])),
    (1009, 1, _arr(25, [(1, 1)], [b"\xff"])),
]


@pytest.mark.parametrize("oid,fmt,data", MALFORMED,
                         ids=[f"{TYPENAME.get(o, o)}:{'bin' if f else 'txt'}:{d[:16]!r}" for o, f, d in MALFORMED])
def test_malformed_parameter_error_matches_postgres(rq_conn, pg_conn, oid: int, fmt: int, data: bytes) -> None:
    got = raw_riffq(rq_conn, data, oid, fmt)
    want = raw_pg(pg_conn, data, oid, fmt)
    assert want[0] == "ERR", want
    assert got == want


def test_connection_usable_after_bad_parameter(rq_conn) -> None:
    assert raw_riffq(rq_conn, b"\x00\x00\x00", 23, 1)[0] == "ERR"
    assert raw_riffq(rq_conn, b"7", 23, 0) == ("builtins.int", 7)


def test_python_range_errors(rq_conn) -> None:
    """PostgreSQL values that Python's datetime cannot hold: 22008."""
    for oid, data in [(1082, b"10000-01-01"), (1114, b"0044-03-15 BC"), (1083, b"24:00:00")]:
        got = raw_riffq(rq_conn, data, oid, 0)
        assert got[0] == "ERR" and got[1][0] == "22008", got


# ---- psycopg 3: text and binary dumpers -----------------------------------------

PSYCOPG_VALUES: List[Any] = [
    True, 0, -5, 2 ** 40, -(2 ** 63), 1.5, -0.25, float("inf"), decimal.Decimal("1.50"),
    decimal.Decimal("-123456789.000000001"), decimal.Decimal("NaN"), "héllo", "", b"\x00\xffab",
    dt.date(2024, 1, 31), dt.date(1, 1, 1), dt.time(13, 45, 6, 123456),
    dt.time(13, 45, tzinfo=dt.timezone(dt.timedelta(hours=3))),
    dt.datetime(2024, 1, 31, 13, 45, 6, 500000),
    dt.datetime(2024, 1, 31, 13, 45, 6, tzinfo=dt.timezone(dt.timedelta(hours=-5))),
    dt.timedelta(days=2, hours=3, microseconds=5), dt.timedelta(days=-1, seconds=5),
    uuid.UUID("a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11"), [1, 2, None], [[1, 2], [3, 4]], ["a", "b c", None],
    [decimal.Decimal("1.5")], [dt.date(2024, 1, 1)], None,
]


def _normalise(v: Any) -> Any:
    """riffq passes timestamptz in UTC: compare aware datetimes as instants."""
    if isinstance(v, dt.datetime) and v.tzinfo is not None:
        return v.astimezone(UTC)
    if isinstance(v, list):
        return [_normalise(x) for x in v]
    return v


@pytest.mark.parametrize("fmt", ["t", "b"])
@pytest.mark.parametrize("value", PSYCOPG_VALUES, ids=[repr(v)[:40] for v in PSYCOPG_VALUES])
def test_psycopg_values(rq_conn, pg_conn, value: Any, fmt: str) -> None:
    rows = riffq_values(rq_conn.execute(f"select %{fmt}", [value]))
    assert len(rows) == 1
    pytype, got, oid = rows[0]
    # What PostgreSQL received: psycopg reads it back (binary result).
    want = pg_conn.execute(f"select %{fmt}", [value], binary=True).fetchone()[0]
    if oid in (0, 705, 25) and isinstance(value, str):
        want = value
    assert same(_normalise(got), _normalise(want)), (pytype, got, want, oid)


def test_psycopg_json_stays_text(rq_conn) -> None:
    from psycopg.types.json import Json, Jsonb

    for wrapper, oid in ((Json, 114), (Jsonb, 3802)):
        for fmt in ("t", "b"):
            (pytype, got, got_oid), = riffq_values(rq_conn.execute(f"select %{fmt}", [wrapper({"a": [1, None]})]))
            assert (pytype, got_oid) == ("builtins.str", oid)
            assert json.loads(got) == {"a": [1, None]}


def test_psycopg_many_parameters(rq_conn) -> None:
    values = list(range(50)) + ["x"] * 10
    rows = riffq_values(rq_conn.execute("select " + ", ".join(["%b"] * len(values)), values))
    assert [r[1] for r in rows] == values


# ---- asyncpg (binary parameters) --------------------------------------------------

ASYNCPG_CASES: List[Tuple[str, Any]] = [
    ("int4", 7), ("int8", -(2 ** 40)), ("int2", 3), ("bool", True), ("float8", 2.5), ("float4", 1.5),
    ("numeric", decimal.Decimal("12.340")), ("text", "héllo"), ("varchar", "v"), ("bytea", b"\x00\x01"),
    ("date", dt.date(2024, 1, 31)), ("time", dt.time(1, 2, 3, 4)),
    ("timestamp", dt.datetime(2024, 1, 31, 13, 45, 6, 7)),
    ("timestamptz", dt.datetime(2024, 1, 31, 13, 45, 6, tzinfo=UTC)),
    ("interval", dt.timedelta(days=3, seconds=7)), ("uuid", uuid.UUID(int=12345)),
    ("jsonb", '{"a": 1}'), ("json", "[1, 2]"),
]
# (arrays are left out: asyncpg introspects array types with catalog queries,
# which this echo server does not answer)


def test_asyncpg_binary_parameters(server, reference_pg) -> None:
    import asyncpg

    async def fetch(dsn: Dict[str, Any], sql: str, value: Any) -> Any:
        conn = await asyncpg.connect(**dsn)
        try:
            return await conn.fetch(sql, value)
        finally:
            await conn.close()

    rq_dsn = dict(host="127.0.0.1", port=server.port, user="user", database="db")
    pg_dsn = dict(host="127.0.0.1", port=reference_pg.port, user="postgres", database="postgres")
    for typ, value in ASYNCPG_CASES:
        rows = asyncio.run(fetch(rq_dsn, f"select $1::{typ}", value))
        pytype, got, _oid = riffq_values([tuple(r) for r in rows])[0]
        want = asyncio.run(fetch(pg_dsn, f"select $1::{typ}", value))[0][0]
        assert same(_normalise(got), _normalise(want)), (typ, pytype, got, want)


# ---- pg8000 (text parameters) -------------------------------------------------------

def test_pg8000_parameters(server, reference_pg) -> None:
    pg8000 = pytest.importorskip("pg8000.native", reason="pg8000 not installed (make drivers)")
    values = [1, -(2 ** 40), 1.5, decimal.Decimal("1.25"), "héllo", b"\x00\xff", True, None,
              dt.date(2024, 1, 31), dt.datetime(2024, 1, 31, 13, 45, 6, 500000),
              dt.datetime(2024, 1, 31, 13, 45, 6, tzinfo=UTC), dt.time(13, 45, 6),
              dt.timedelta(days=1, seconds=3), uuid.UUID(int=7), [1, 2], ["a", "b"]]
    rq = pg8000.Connection("user", host="127.0.0.1", port=server.port, database="db")
    pg = pg8000.Connection("postgres", host="127.0.0.1", port=reference_pg.port, database="postgres")
    try:
        for value in values:
            rows = rq.run("select :v", v=value)
            pytype, got, oid = riffq_values(rows)[0]
            want = pg.run("select :v", v=value)[0][0]
            if oid in (0, 705, 25) and isinstance(value, str):
                want = value
            assert same(_normalise(got), _normalise(want)), (value, pytype, got, want, oid)
    finally:
        rq.close()
        pg.close()
