"""Arrow → PostgreSQL text encoder (csrc/rq_encode.c) against a real
PostgreSQL 15.

Every value is encoded by the C encoder (through the ctypes harness
tests/c/build/libriffq_harness.so, fed by pyarrow) and compared byte for
byte with what PostgreSQL sends for the same value in a text-format result
of `SELECT <expr>`, where <expr> builds the value from a literal (or with ARRAY[...] /
row_to_json(...) for nested values). Column OID and typmod are compared
with PostgreSQL's RowDescription for the same expression.

The binary result format (test_binary_*) is compared the same way with
PostgreSQL's binary-format result (its typsend functions: numeric_send,
array_send, ...), byte for byte, together with the RowDescription
(OID, typlen, typmod) PostgreSQL sends for a binary-format column.
"""

from __future__ import annotations

import ctypes
import datetime as dt
import decimal
import json
import math
import os
import random
import struct
import subprocess
import sys
import uuid

import pytest

pa = pytest.importorskip("pyarrow")
psycopg = pytest.importorskip("psycopg")

sys.path.insert(0, os.path.dirname(__file__))
from pgref import start_reference_pg  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
LIB = os.path.join(ROOT, "tests", "c", "build", "libriffq_harness.so")

I64_MIN, I64_MAX = -(2**63), 2**63 - 1
I32_MIN, I32_MAX = -(2**31), 2**31 - 1
decimal.getcontext().prec = 200  # decimal256 values have up to 76 digits


# ---------------------------------------------------------------------------
# harness / reference server fixtures
# ---------------------------------------------------------------------------


class Harness:
    def __init__(self, path: str):
        self.lib = ctypes.CDLL(path)
        L = self.lib
        L.rq_harness_encode_ex.argtypes = [
            ctypes.c_void_p, ctypes.c_char_p, ctypes.c_int, ctypes.c_size_t,
            ctypes.c_void_p, ctypes.c_int, ctypes.POINTER(ctypes.c_void_p)]
        L.rq_harness_encode_ex.restype = ctypes.c_int
        L.rq_harness_free.argtypes = [ctypes.c_void_p]
        L.rq_harness_bench.argtypes = [
            ctypes.c_void_p, ctypes.c_size_t, ctypes.POINTER(ctypes.c_double),
            ctypes.POINTER(ctypes.c_int64), ctypes.POINTER(ctypes.c_int64),
            ctypes.c_char_p, ctypes.c_size_t]
        L.rq_harness_bench.restype = ctypes.c_int

    @staticmethod
    def _export(tbl, max_chunksize=None):
        batches = tbl.to_batches(max_chunksize=max_chunksize) if max_chunksize else tbl.to_batches()
        reader = pa.RecordBatchReader.from_batches(tbl.schema, batches)
        buf = (ctypes.c_char * 64)()  # struct ArrowArrayStream (5 pointers)
        reader._export_to_c(ctypes.addressof(buf))
        return buf

    def encode(self, tbl, tz=None, efd=1, soft_limit=4096, formats=None):
        buf = self._export(tbl)
        fmts = None
        n = 0
        if formats is not None:
            n = len(formats)
            fmts = (ctypes.c_int16 * max(n, 1))(*formats)
        out = ctypes.c_void_p()
        rc = self.lib.rq_harness_encode_ex(
            ctypes.addressof(buf), tz.encode() if tz else None, efd, soft_limit,
            ctypes.cast(fmts, ctypes.c_void_p) if fmts is not None else None, n,
            ctypes.byref(out))
        text = ctypes.string_at(out.value).decode("utf-8")
        self.lib.rq_harness_free(out)
        assert rc == 0, f"harness failure (malformed wire output): {text[:500]}"
        res = json.loads(text)
        assert res["limit_violations"] == 0
        return res

    def bench(self, tbl, soft_limit=256 * 1024, max_chunksize=65536):
        buf = self._export(tbl, max_chunksize)
        secs, rows, nbytes = ctypes.c_double(), ctypes.c_int64(), ctypes.c_int64()
        err = ctypes.create_string_buffer(512)
        rc = self.lib.rq_harness_bench(ctypes.addressof(buf), soft_limit, ctypes.byref(secs),
                                       ctypes.byref(rows), ctypes.byref(nbytes), err, 512)
        assert rc == 0, err.value
        return secs.value, rows.value, nbytes.value


@pytest.fixture(scope="session")
def harness():
    # RQ_HARNESS_LIB: use a prebuilt harness (e.g. a sanitizer build)
    if os.environ.get("RQ_HARNESS_LIB"):
        return Harness(os.environ["RQ_HARNESS_LIB"])
    subprocess.run(["make", "-s", "tests/c/build/libriffq_harness.so"], cwd=ROOT, check=True)
    return Harness(LIB)


@pytest.fixture(scope="session")
def pg():
    try:
        ref = start_reference_pg()
    except RuntimeError as e:  # pragma: no cover - environment problem
        pytest.skip(f"no reference PostgreSQL: {e}")
    yield ref
    ref.stop()


@pytest.fixture(scope="session")
def conn(pg):
    c = psycopg.connect(pg.dsn, autocommit=True)
    yield c
    c.close()


# ---------------------------------------------------------------------------
# SQL reference expressions
# ---------------------------------------------------------------------------


class E:
    """An SQL expression with its %s parameters; `null` when SQL NULL."""

    def __init__(self, sql, params=(), null=False):
        self.sql, self.params, self.null = sql, list(params), null


def lit(pgtype, text):
    return E(f"%s::text::{pgtype}", [text])


def null(pgtype):
    return E(f"NULL::{pgtype}", null=True)


def q_ident(name):
    return '"' + name.replace('"', '""') + '"'


def civil(days):
    """Proleptic Gregorian (y, m, d) of days since 1970-01-01 (year 0 = 1 BC)."""
    z = days + 719468
    era = z // 146097
    doe = z - era * 146097
    yoe = (doe - doe // 1460 + doe // 36524 - doe // 146096) // 365
    y = yoe + era * 400
    doy = doe - (365 * yoe + yoe // 4 - yoe // 100)
    mp = (5 * doy + 2) // 153
    d = doy - (153 * mp + 2) // 5 + 1
    m = mp + 3 if mp < 10 else mp - 9
    return y + (m <= 2), m, d


def date_text(days):
    y, m, d = civil(days)
    if y <= 0:
        return f"{1 - y:04d}-{m:02d}-{d:02d}", " BC"
    return f"{y:04d}-{m:02d}-{d:02d}", ""


UNIT_DIV = {"s": 1, "ms": 10**3, "us": 10**6, "ns": 10**9}
UNIT_DIGITS = {"s": 0, "ms": 3, "us": 6, "ns": 9}


def ts_literal(v, unit, tz=False):
    div = UNIT_DIV[unit]
    sec, frac = divmod(v, div)
    days, sod = divmod(sec, 86400)
    d, bc = date_text(days)
    s = f"{d} {sod // 3600:02d}:{sod // 60 % 60:02d}:{sod % 60:02d}"
    if div > 1:
        s += "." + str(frac).zfill(UNIT_DIGITS[unit])
    return s + ("+00" if tz else "") + bc


def time_literal(v, unit):
    div = UNIT_DIV[unit]
    sec, frac = divmod(v, div)
    s = f"{sec // 3600:02d}:{sec // 60 % 60:02d}:{sec % 60:02d}"
    if div > 1:
        s += "." + str(frac).zfill(UNIT_DIGITS[unit])
    return s


def hms(total, unit):
    """Signed [-]H:MM:SS.f literal of `total` units (a duration)."""
    div = UNIT_DIV[unit]
    sign = "-" if total < 0 else ""
    sec, frac = divmod(abs(total), div)
    s = f"{sign}{sec // 3600}:{sec // 60 % 60:02d}:{sec % 60:02d}"
    if div > 1:
        s += "." + str(frac).zfill(UNIT_DIGITS[unit])
    return s


def duration_expr(v, unit):
    # PostgreSQL's interval input keeps hours in an int: split huge values
    div = UNIT_DIV[unit]
    hours = abs(v) // div // 3600
    if hours < 2_000_000_000:
        return lit("interval", hms(v, unit))
    big = 2_000_000_000 * 3600 * div * (1 if v > 0 else -1)
    return E(f"(make_interval(hours => {2_000_000_000 * (1 if v > 0 else -1)}) + %s::text::interval)",
             [hms(v - big, unit)])


def float_text(v):
    if math.isnan(v):
        return "NaN"
    if math.isinf(v):
        return "Infinity" if v > 0 else "-Infinity"
    return repr(float(v))


def time_pgtype(unit):
    return {"s": "time(0)", "ms": "time(3)"}.get(unit, "time")


def pgtype(t):
    """PostgreSQL type name the encoder is expected to use for Arrow type t."""
    T = pa.types
    if isinstance(t, pa.ExtensionType) or getattr(t, "extension_name", None):
        name = t.extension_name
        if name == "arrow.uuid":
            return "uuid"
        if name == "arrow.json":
            return "json"
        return pgtype(t.storage_type)
    if T.is_dictionary(t):
        return pgtype(t.value_type)
    if T.is_null(t):
        return "text"
    if T.is_boolean(t):
        return "bool"
    for pred, name in ((T.is_int8, "int2"), (T.is_int16, "int2"), (T.is_int32, "int4"),
                       (T.is_int64, "int8"), (T.is_uint8, "int2"), (T.is_uint16, "int4"),
                       (T.is_uint32, "int8"), (T.is_uint64, "numeric"),
                       (T.is_float16, "float4"), (T.is_float32, "float4"),
                       (T.is_float64, "float8")):
        if pred(t):
            return name
    if T.is_decimal(t):
        return f"numeric({t.precision},{t.scale})"
    if T.is_string(t) or T.is_large_string(t) or T.is_string_view(t):
        return "text"
    if (T.is_binary(t) or T.is_large_binary(t) or T.is_binary_view(t)
            or T.is_fixed_size_binary(t)):
        return "bytea"
    if T.is_date(t):
        return "date"
    if T.is_time(t):
        return time_pgtype(t.unit)
    if T.is_timestamp(t):
        base = "timestamptz" if t.tz else "timestamp"
        return base + {"s": "(0)", "ms": "(3)"}.get(t.unit, "")
    if T.is_duration(t) or T.is_interval(t):
        return "interval"
    if (T.is_list(t) or T.is_large_list(t) or T.is_fixed_size_list(t)
            or T.is_list_view(t) or T.is_large_list_view(t)):
        return pgtype(leaf_type(t)) + "[]"
    if T.is_struct(t) or T.is_map(t):
        return "json"
    raise AssertionError(f"no mapping for {t}")


def is_list_type(t):
    T = pa.types
    return (T.is_list(t) or T.is_large_list(t) or T.is_fixed_size_list(t)
            or T.is_list_view(t) or T.is_large_list_view(t))


def leaf_type(t):
    while True:
        if pa.types.is_dictionary(t):
            t = t.value_type
        elif is_list_type(t):
            t = t.value_type
        else:
            return t


def ref(t, v):
    """SQL expression producing Python value v of Arrow type t."""
    T = pa.types
    pt = pgtype(t)
    if v is None:
        return null(pt)
    ext = getattr(t, "extension_name", None)
    if ext == "arrow.uuid":
        u = v if isinstance(v, uuid.UUID) else uuid.UUID(bytes=v)
        return lit("uuid", str(u))
    if ext == "arrow.json":
        return lit("json", v)
    if ext:
        return ref(t.storage_type, v)
    if T.is_dictionary(t):
        return ref(t.value_type, v)
    if T.is_boolean(t):
        return lit("bool", "true" if v else "false")
    if T.is_integer(t):
        return lit(pt, str(v))
    if T.is_floating(t):
        return lit(pt, float_text(v))
    if T.is_decimal(t):
        return lit(pt, format(v, "f"))
    if T.is_string(t) or T.is_large_string(t) or T.is_string_view(t):
        return lit("text", v)
    if pt == "bytea":
        return lit("bytea", "\\x" + bytes(v).hex())
    if T.is_date(t):
        return lit("date", v.isoformat())
    if T.is_time(t):
        return lit(pt, v.isoformat())
    if T.is_timestamp(t):
        return lit(pt, v.isoformat(sep=" "))
    if T.is_duration(t):
        us = (v.days * 86400 + v.seconds) * 10**6 + v.microseconds
        return duration_expr(us, "us")
    if T.is_interval(t):
        return lit("interval", f"{v.months} mons {v.days} days " + hms(v.nanoseconds, "ns"))
    if is_list_type(t):
        return array_ref(t, v)
    if T.is_struct(t):
        return struct_ref([(t.field(k).name, ref(t.field(k).type, v[t.field(k).name]))
                           for k in range(t.num_fields)])
    if T.is_map(t):
        return map_ref([(ref(t.key_type, k), ref(t.item_type, x)) for k, x in v])
    raise AssertionError(f"no reference for {t}")


def array_ref(t, v):
    """ARRAY[...] for list value v (nested lists → nested ARRAY[])."""
    pt = pgtype(t)
    if v is None:
        return null(pt)
    inner = t.value_type
    while pa.types.is_dictionary(inner):
        inner = inner.value_type
    parts = [array_ref(inner, x) if is_list_type(inner) else ref(inner, x) for x in v]
    sql = "ARRAY[" + ",".join(p.sql for p in parts) + "]::" + pt
    return E(sql, [x for p in parts for x in p.params])


def struct_ref(fields):
    if not fields:
        return E("(SELECT row_to_json(_t) FROM (SELECT) _t)")
    sel = ", ".join(f"{e.sql} AS {q_ident(n)}" for n, e in fields)
    return E(f"(SELECT row_to_json(_t) FROM (SELECT {sel}) _t)",
             [x for _, e in fields for x in e.params])


def map_ref(pairs):
    """Compact {"k":v} built from PostgreSQL's own to_json() pieces."""
    if not pairs:
        return E("'{}'::json")
    rows = ", ".join(f"({i}, ({k.sql})::text, to_json({x.sql})::text)"
                     for i, (k, x) in enumerate(pairs))
    sql = ("(SELECT ('{' || string_agg(to_json(_k)::text || ':' || coalesce(_v, 'null'), ','"
           f" ORDER BY _o) || '}}')::json FROM (VALUES {rows}) _m(_o, _k, _v))")
    return E(sql, [p for k, x in pairs for p in k.params + x.params])


def pg_settings(conn, tz, efd):
    conn.execute(f"SET TimeZone = '{tz or 'UTC'}'")
    conn.execute(f"SET extra_float_digits = {efd}")


def pg_texts(conn, exprs, tz=None, efd=1):
    pg_settings(conn, tz, efd)
    out = []
    for k in range(0, len(exprs), 200):
        chunk = exprs[k:k + 200]
        # the raw text-format result: PostgreSQL's type output function
        # (a ::text cast is not always the same, e.g. booltext)
        sql = "SELECT " + ", ".join(f"({e.sql})" for e in chunk)
        cur = conn.execute(sql, [p for e in chunk for p in e.params])
        res = cur.pgresult
        for k in range(len(chunk)):
            v = res.get_value(0, k)
            out.append(None if v is None else bytes(v).decode("utf-8"))
    return out


def pg_error(conn, expr, tz=None, efd=1):
    pg_settings(conn, tz, efd)
    try:
        conn.execute(f"SELECT ({expr.sql})", expr.params).fetchone()
    except psycopg.Error as e:
        return e.sqlstate, e.diag.message_primary
    return None


def pg_coltype(conn, expr):
    cur = conn.execute(f"SELECT {expr.sql}", expr.params)
    return cur.description[0].type_code, cur.pgresult.fmod(0)


def check(harness, conn, arr, refs, tz=None, efd=1, slices=True, name="c"):
    """Encode column `arr`, compare texts with PostgreSQL's, and the type."""
    tbl = pa.table({name: arr})
    res = harness.encode(tbl, tz=tz, efd=efd)
    assert res["error"] is None, res["error"]
    got = [r[0] for r in res["rows"]]
    want = pg_texts(conn, refs, tz, efd)
    diffs = [(i, g, w) for i, (g, w) in enumerate(zip(got, want)) if g != w]
    assert len(got) == len(want)
    assert not diffs, f"{arr.type}: first differences (index, riffq, postgres): {diffs[:8]}"
    col = res["columns"][0]
    first = next((e for e in refs if not e.null), None)
    if first is not None:
        oid, typmod = pg_coltype(conn, first)
        assert (col["oid"], col["typmod"]) == (oid, typmod), f"type of {arr.type}"
    if slices and len(arr) > 2:
        sub = tbl.slice(1, len(arr) - 2)
        res2 = harness.encode(sub, tz=tz, efd=efd)
        assert res2["error"] is None, res2["error"]
        assert [r[0] for r in res2["rows"]] == want[1:-1], f"sliced {arr.type}"
    return got


def check_values(harness, conn, t, values, **kw):
    arr = pa.array(values, type=t)
    return check(harness, conn, arr, [ref(t, v) for v in values], **kw)


def expect_error(harness, arr, sqlstate, message=None, **kw):
    res = harness.encode(pa.table({"c": arr}), **kw)
    assert res["error"] is not None, f"expected {sqlstate}, got rows {res['rows'][:3]}"
    assert res["error"]["sqlstate"] == sqlstate, res["error"]
    if message is not None:
        assert res["error"]["message"] == message
    return res


RNG = random.Random(20240131)


# ---------------------------------------------------------------------------
# scalar types
# ---------------------------------------------------------------------------


INT_CASES = [
    (pa.int8(), -128, 127), (pa.int16(), -32768, 32767), (pa.int32(), I32_MIN, I32_MAX),
    (pa.int64(), I64_MIN, I64_MAX), (pa.uint8(), 0, 255), (pa.uint16(), 0, 65535),
    (pa.uint32(), 0, 2**32 - 1), (pa.uint64(), 0, 2**64 - 1),
]


@pytest.mark.parametrize("t,lo,hi", INT_CASES, ids=[str(c[0]) for c in INT_CASES])
def test_integers(harness, conn, t, lo, hi):
    vals = [lo, hi, None, 0, 1, max(lo, -1), 9, 10, 99, 100, 101]
    vals += [RNG.randint(lo, hi) for _ in range(200)]
    vals += [RNG.randint(lo, hi) >> RNG.randint(0, 60) for _ in range(200)]
    check_values(harness, conn, t, vals)


def test_bool(harness, conn):
    vals = [True, False, None] + [RNG.random() < 0.5 for _ in range(40)] + [None, True]
    check_values(harness, conn, pa.bool_(), vals)


def random_double():
    return struct.unpack("<d", RNG.getrandbits(64).to_bytes(8, "little"))[0]


FLOATS = [0.0, -0.0, 1.5, 0.1, 1 / 3, 2 / 3, 1e15, 1e16, 123456789012345.6, 1e-4, 1e-5,
          1.2345678901234567e-5, 5e-324, 2.2250738585072014e-308, 1.7976931348623157e308,
          100.0, 1e22, 1e23, 9007199254740993.0, -1.0, float("nan"), float("inf"),
          float("-inf"), 0.3, 4.35, 1e100, 3.141592653589793, None]


@pytest.mark.parametrize("efd", [1, 0, 3, -4, -15])
def test_float8(harness, conn, efd):
    vals = FLOATS + [random_double() for _ in range(300)]
    vals += [RNG.uniform(-1e6, 1e6) for _ in range(100)]
    check_values(harness, conn, pa.float64(), vals, efd=efd)


@pytest.mark.parametrize("efd", [1, 0, 2, -6])
def test_float4(harness, conn, efd):
    import numpy as np
    vals = [x for x in FLOATS if x is None or abs(x) < 3e38 or not math.isfinite(x)]
    bits = [RNG.getrandbits(32) for _ in range(300)]
    vals += [float(np.frombuffer(struct.pack("<I", b), dtype=np.float32)[0]) for b in bits]
    vals = [None if v is None else float(np.float32(v)) for v in vals]
    check_values(harness, conn, pa.float32(), vals, efd=efd)


def test_float16(harness, conn):
    import numpy as np
    halves = np.array(list(range(0, 65536, 7)) + [0x0001, 0x03ff, 0x0400, 0x3c00, 0x7bff,
                                                  0x7c00, 0xfc00, 0x7e00, 0x8000, 0x8001],
                      dtype=np.uint16).view(np.float16)
    arr = pa.array(halves, type=pa.float16())
    refs = [lit("float4", float_text(float(h))) for h in halves]
    check(harness, conn, arr, refs)


DEC_TYPES = [(38, 0), (10, 2), (38, 10), (38, 38), (5, -2), (20, 19), (1, 0), (9, 3)]


@pytest.mark.parametrize("p,s", DEC_TYPES, ids=[f"{p},{s}" for p, s in DEC_TYPES])
def test_decimal128(harness, conn, p, s):
    D = decimal.Decimal
    vals = [D(0), D(1).scaleb(-s), D(-1).scaleb(-s), D(10**p - 1).scaleb(-s),
            D(-(10**p - 1)).scaleb(-s), None]
    for _ in range(150):
        digits = RNG.randint(1, p)
        n = RNG.randint(-(10**digits - 1), 10**digits - 1)
        vals.append(D(n).scaleb(-s))
    check_values(harness, conn, pa.decimal128(p, s), vals)


@pytest.mark.parametrize("p,s", [(76, 0), (76, 20), (50, -5), (40, 40)])
def test_decimal256(harness, conn, p, s):
    D = decimal.Decimal
    vals = [D(0), D(10**p - 1).scaleb(-s), D(-(10**p - 1)).scaleb(-s), None]
    for _ in range(150):
        digits = RNG.randint(1, p)
        vals.append(D(RNG.randint(-(10**digits - 1), 10**digits - 1)).scaleb(-s))
    check_values(harness, conn, pa.decimal256(p, s), vals)


def test_decimal32_64(harness, conn):
    D = decimal.Decimal
    for maker, p, s in ((getattr(pa, "decimal32", None), 9, 3), (getattr(pa, "decimal64", None), 18, 4)):
        if maker is None:
            pytest.skip("pyarrow without decimal32/64")
        vals = [D(0), D(10**p - 1).scaleb(-s), D(-(10**p - 1)).scaleb(-s), None, D("1.5")]
        vals += [D(RNG.randint(-(10**p - 1), 10**p - 1)).scaleb(-s) for _ in range(50)]
        arr = pa.array(vals, pa.decimal128(p, s)).cast(maker(p, s))
        check(harness, conn, arr, [ref(pa.decimal128(p, s), v) for v in vals])


STRINGS = ["", "a", "hello world", "héllo", "日本語テキスト", "emoji 😀 here", 'quote"d',
           "back\\slash", "tab\there", "new\nline", "NULL", "null", "{braces}", "x,y",
           "a" * 12, "b" * 13, "long string that does not fit in a view prefix" * 3,
           "\u00a0nbsp", "\U0010ffff max", "\x7f del", None, "trailing ", " "]


@pytest.mark.parametrize("t", [pa.string(), pa.large_string(), pa.string_view()],
                         ids=["utf8", "large_utf8", "utf8_view"])
def test_strings(harness, conn, t):
    vals = STRINGS + ["".join(chr(RNG.choice([RNG.randint(32, 126), RNG.randint(0xa0, 0x2fff),
                                               RNG.randint(0x10000, 0x1ffff)]))
                              for _ in range(RNG.randint(0, 40))) for _ in range(100)]
    check_values(harness, conn, t, vals)


INVALID_UTF8 = [b"\xc3\x28", b"ab\xe2\x82", b"A\xf8", b"A\x00B", b"\xed\xa0\x80", b"\xc0\x80",
                b"\xf4\x90\x80\x80", b"\x80", b"ok\xf0\x9f\x98", b"\xe0\x80\xaf"]


@pytest.mark.parametrize("bad", INVALID_UTF8, ids=[b.hex() for b in INVALID_UTF8])
def test_invalid_utf8(harness, conn, bad):
    want = pg_error(conn, E("convert_from(%s::bytea, 'UTF8')", ["\\x" + bad.hex()]))
    assert want is not None
    data = b"fine" + bad
    offsets = pa.py_buffer(struct.pack("<3i", 0, 4, len(data)))
    arr = pa.Array.from_buffers(pa.string(), 2, [None, offsets, pa.py_buffer(data)])
    res = expect_error(harness, arr, want[0], want[1])
    assert res["rows"] == [["fine"]]  # rows before the bad one were sent
    # inside JSON and as array elements too
    expect_error(harness, pa.StructArray.from_arrays([arr], ["s"]), want[0], want[1])


@pytest.mark.parametrize("t", [pa.binary(), pa.large_binary(), pa.binary_view(), pa.binary(3)],
                         ids=["binary", "large_binary", "binary_view", "fixed3"])
def test_binary(harness, conn, t):
    if t.equals(pa.binary(3)):
        vals = [b"\x00\x01\x02", b"abc", None, b"\xff\xfe\xfd"]
        vals += [bytes(RNG.getrandbits(8) for _ in range(3)) for _ in range(50)]
    else:
        vals = [b"", b"\x00", b"\x0a\x1b", None, b"x" * 13, bytes(range(256))]
        vals += [bytes(RNG.getrandbits(8) for _ in range(RNG.randint(0, 30))) for _ in range(50)]
    check_values(harness, conn, t, vals)


def test_uuid(harness, conn):
    vals = [uuid.UUID(int=0), uuid.UUID(int=2**128 - 1), None] + [uuid.UUID(int=RNG.getrandbits(128)) for _ in range(50)]
    storage = pa.array([v.bytes if v else None for v in vals], pa.binary(16))
    if hasattr(pa, "uuid"):
        arr = pa.ExtensionArray.from_storage(pa.uuid(), storage)
        check(harness, conn, arr, [ref(pa.uuid(), v) for v in vals])
    # extension declared only through field metadata (any producer)
    field = pa.field("c", pa.binary(16), metadata={b"ARROW:extension:name": b"arrow.uuid",
                                                     b"ARROW:extension:metadata": b""})
    tbl = pa.Table.from_arrays([storage], schema=pa.schema([field]))
    res = harness.encode(tbl)
    assert res["columns"][0]["oid"] == 2950 and res["columns"][0]["typlen"] == 16
    assert [r[0] for r in res["rows"]] == [str(v) if v else None for v in vals]


def test_json_extension(harness, conn):
    vals = ['{"a": 1}', "[1, 2,   3]", '"s"', "null", None, '{"nested": {"x": [true, false]}}', "1.5e10"]
    storage = pa.array(vals, pa.string())
    refs = [lit("json", v) if v is not None else null("json") for v in vals]
    if hasattr(pa, "json_"):
        check(harness, conn, pa.ExtensionArray.from_storage(pa.json_(), storage), refs)
    field = pa.field("c", pa.large_string(), metadata={b"ARROW:extension:name": b"arrow.json"})
    tbl = pa.Table.from_arrays([storage.cast(pa.large_string())], schema=pa.schema([field]))
    res = harness.encode(tbl)
    assert res["columns"][0]["oid"] == 114
    assert [r[0] for r in res["rows"]] == pg_texts(conn, refs)


def test_unknown_extension_uses_storage(harness, conn):
    field = pa.field("c", pa.int64(), metadata={b"ARROW:extension:name": b"my.thing",
                                                b"ARROW:extension:metadata": b"{}"})
    tbl = pa.Table.from_arrays([pa.array([1, None, -3], pa.int64())], schema=pa.schema([field]))
    res = harness.encode(tbl)
    assert res["columns"][0]["oid"] == 20
    assert [r[0] for r in res["rows"]] == ["1", None, "-3"]


def test_null_type(harness, conn):
    res = harness.encode(pa.table({"n": pa.nulls(3)}))
    assert res["columns"][0]["oid"] == 25 and res["columns"][0]["typlen"] == -1
    assert res["rows"] == [[None], [None], [None]]


# ---------------------------------------------------------------------------
# date / time / timestamp / interval
# ---------------------------------------------------------------------------

DATE_MIN, DATE_MAX = -2440588, 2147483494 - 2440588 - 1  # 4714-11-24 BC .. 5874897-12-31


def date_refs(days_list):
    out = []
    for d in days_list:
        if d is None:
            out.append(null("date"))
        elif d == I32_MAX:
            out.append(lit("date", "infinity"))
        elif d in (I32_MIN, -I32_MAX):
            out.append(lit("date", "-infinity"))
        else:
            t, bc = date_text(d)
            out.append(lit("date", t + bc))
    return out


def test_date32(harness, conn):
    days = [0, -1, 1, 19753, DATE_MIN, DATE_MAX, -719528, -719162, -719163, None, I32_MAX,
            I32_MIN, -I32_MAX, 2932896, -2440000]
    days += [RNG.randint(DATE_MIN, DATE_MAX) for _ in range(150)]
    days += [RNG.randint(-800000, 100000) for _ in range(150)]
    arr = pa.array(days, pa.int32()).view(pa.date32())
    check(harness, conn, arr, date_refs(days))
    for bad in (DATE_MIN - 1, DATE_MAX + 1):
        expect_error(harness, pa.array([bad], pa.int32()).view(pa.date32()), "22008")


def test_date64(harness, conn):
    days = [0, -1, 19753, DATE_MIN, -719528, None] + [RNG.randint(DATE_MIN, 3000000) for _ in range(100)]
    ms = [None if d is None else d * 86400000 + RNG.choice([0, 0, 1, 86399999]) for d in days]
    arr = pa.array(ms, pa.int64()).view(pa.date64())
    check(harness, conn, arr, date_refs(days))


@pytest.mark.parametrize("unit", ["s", "ms", "us", "ns"])
def test_time(harness, conn, unit):
    div = UNIT_DIV[unit]
    vals = [0, 1, 86399 * div, 86400 * div, None, 43200 * div + div // 2 if div > 1 else 43200]
    vals += [RNG.randint(0, 86400 * div) for _ in range(200)]
    if unit == "ns":
        vals += [3500, 4500, 2500, 999999500, 86399999999500, 86399999999499, 1500, 500, 499]
        vals += [RNG.randint(0, 10**6) * 1000 + 500 for _ in range(50)]
    storage = pa.int32() if unit in ("s", "ms") else pa.int64()
    arr = pa.array(vals, storage).view(pa.time32(unit) if unit in ("s", "ms") else pa.time64(unit))
    pt = time_pgtype(unit)
    check(harness, conn, arr, [null(pt) if v is None else lit(pt, time_literal(v, unit)) for v in vals])
    # (in ns, 24:00:00.000000001 rounds to 24:00:00 as in PostgreSQL)
    past = 86400 * div + max(1, div // 10**6)
    assert pg_error(conn, lit("time", time_literal(past, unit)))[0] == "22008"
    expect_error(harness, pa.array([past], storage).view(arr.type), "22008")
    expect_error(harness, pa.array([-1], storage).view(arr.type), "22008")


TS_MIN_US = -210866803200 * 10**6            # 4714-11-24 00:00:00 BC
TS_MAX_US = 9224318016000 * 10**6 - 1        # 294276-12-31 23:59:59.999999


def ts_values(unit):
    div = UNIT_DIV[unit]
    lo = -(-TS_MIN_US * div // 10**6)
    hi = (TS_MAX_US + 1) * div // 10**6 - 1
    lo = max(lo, I64_MIN + 2)
    hi = min(hi, I64_MAX - 1)
    vals = [0, -1, 1, lo, hi, None, 1706708706 * div, -62135596800 * div, -62135596801 * div,
            951782400 * div, -2208988800 * div]
    vals += [RNG.randint(lo, hi) for _ in range(150)]
    vals += [RNG.randint(-(4 * 10**9) * div, 4 * 10**9 * div) for _ in range(150)]
    if unit == "ns":
        vals += [3500, 4500, -3500, 1_000_000_500, -500, -1500, 999_999_500]
        vals += [RNG.randint(-10**18, 10**18) // 1000 * 1000 + 500 for _ in range(40)]
    return [v for v in vals if v is None or I64_MIN < v < I64_MAX]


def ts_refs(vals, unit, tz):
    out = []
    pt = pgtype(pa.timestamp(unit, tz="UTC" if tz else None))
    for v in vals:
        if v is None:
            out.append(null(pt))
        elif v == I64_MAX:
            out.append(lit(pt, "infinity"))
        elif v in (I64_MIN, -I64_MAX):
            out.append(lit(pt, "-infinity"))
        else:
            out.append(lit(pt, ts_literal(v, unit, tz)))
    return out


@pytest.mark.parametrize("unit", ["s", "ms", "us", "ns"])
def test_timestamp(harness, conn, unit):
    vals = ts_values(unit) + [I64_MAX, I64_MIN, -I64_MAX]
    arr = pa.array(vals, pa.int64()).view(pa.timestamp(unit))
    check(harness, conn, arr, ts_refs(vals, unit, False))
    div = UNIT_DIV[unit]
    hi = (TS_MAX_US + 1) * div // 10**6
    if hi < I64_MAX - 1:
        expect_error(harness, pa.array([hi], pa.int64()).view(arr.type), "22008",
                     "timestamp out of range")


ZONES = ["UTC", "Europe/Istanbul", "Asia/Kolkata", "America/St_Johns", "Australia/Lord_Howe",
         "Pacific/Chatham", "America/Sao_Paulo", "Europe/Amsterdam", "America/New_York",
         "Asia/Kathmandu", "Africa/Casablanca", "Pacific/Kiritimati"]


@pytest.mark.parametrize("zone", ZONES)
def test_timestamptz(harness, conn, zone):
    unit = RNG.choice(["s", "ms", "us", "ns"])
    vals = ts_values("us")
    vals = [v if v is None else min(v // 10**6 * 10**6 + RNG.randint(0, 999999), I64_MAX - 1) for v in vals]
    # dense around DST changes of recent years and far past / future
    vals += [RNG.randint(1_600_000_000, 1_800_000_000) * 10**6 for _ in range(200)]
    vals += [RNG.randint(-3_000_000_000, -2_000_000_000) * 10**6 for _ in range(50)]
    vals += [RNG.randint(4_000_000_000, 8_000_000_000) * 10**6 for _ in range(50)]
    arr = pa.array(vals, pa.int64()).view(pa.timestamp("us", tz="America/Los_Angeles"))
    check(harness, conn, arr, ts_refs(vals, "us", True), tz=zone)
    vals2 = ts_values(unit)
    arr2 = pa.array(vals2, pa.int64()).view(pa.timestamp(unit, tz="UTC"))
    check(harness, conn, arr2, ts_refs(vals2, unit, True), tz=zone)


@pytest.mark.parametrize("unit", ["s", "ms", "us", "ns"])
def test_duration(harness, conn, unit):
    div = UNIT_DIV[unit]
    lim = I64_MAX if unit in ("us", "ns") else I64_MAX // (10**6 // div)
    vals = [0, 1, -1, 176400 * div, -176400 * div, None, 86400 * div, lim, -lim, 3600 * div - 1]
    vals += [RNG.randint(-lim, lim) for _ in range(100)]
    vals += [RNG.randint(-10**7, 10**7) * div + RNG.randint(0, div - 1) for _ in range(100)]
    if unit == "ns":
        vals += [3500, -3500, 4500, -4500, 500, -500, 1500]
    arr = pa.array(vals, pa.int64()).view(pa.duration(unit))
    check(harness, conn, arr, [null("interval") if v is None else duration_expr(v, unit) for v in vals])
    if unit in ("s", "ms"):
        expect_error(harness, pa.array([lim + 1], pa.int64()).view(arr.type), "22008",
                     "interval out of range")


def test_month_day_nano(harness, conn):
    MDN = pa.MonthDayNano
    vals = [MDN([0, 0, 0]), MDN([1, 2, 3_000_000_000]), MDN([-1, -2, -3_000_000_000]),
            MDN([14, 0, 0]), MDN([-14, 3, 4500]), None, MDN([0, 0, 3500]), MDN([0, 0, -3500]),
            MDN([I32_MAX, I32_MAX, 86_400_000_000_000]), MDN([I32_MIN + 1, I32_MIN + 1, -10**18])]
    vals += [MDN([RNG.randint(-10**4, 10**4), RNG.randint(-10**5, 10**5),
                  RNG.randint(-10**15, 10**15)]) for _ in range(100)]
    check_values(harness, conn, pa.month_day_nano_interval(), vals)


# ---------------------------------------------------------------------------
# lists → arrays
# ---------------------------------------------------------------------------


def rand_list(gen, maxlen=5, pnull=0.1):
    if RNG.random() < pnull:
        return None
    return [gen() for _ in range(RNG.randint(0, maxlen))]


def maybe(gen, p=0.15):
    return lambda: None if RNG.random() < p else gen()


ELEM_GENS = [
    (pa.int64(), lambda: RNG.randint(I64_MIN, I64_MAX)),
    (pa.int16(), lambda: RNG.randint(-32768, 32767)),
    (pa.bool_(), lambda: RNG.random() < 0.5),
    (pa.float64(), lambda: RNG.choice([random_double(), float("nan"), float("-inf"), 0.1, -0.0])),
    (pa.float32(), lambda: RNG.choice([0.5, 1e-3, float("inf"), 3.25])),
    (pa.string(), lambda: RNG.choice(STRINGS[:-3]) + RNG.choice(["", "x"])),
    (pa.large_string(), lambda: RNG.choice(['a b', 'NULL', '"', "\\", "{}", "", "ok"])),
    (pa.binary(), lambda: bytes(RNG.getrandbits(8) for _ in range(RNG.randint(0, 4)))),
    (pa.decimal128(12, 3), lambda: decimal.Decimal(RNG.randint(-10**12 + 1, 10**12 - 1)).scaleb(-3)),
    (pa.date32(), lambda: dt.date(1, 1, 1) + dt.timedelta(days=RNG.randint(0, 3000000))),
    (pa.timestamp("ms"), lambda: dt.datetime(1900, 1, 1) + dt.timedelta(microseconds=RNG.randint(0, 4 * 10**15) // 1000 * 1000)),
    (pa.timestamp("us", tz="UTC"), lambda: dt.datetime(1900, 1, 1, tzinfo=dt.timezone.utc) + dt.timedelta(microseconds=RNG.randint(0, 4 * 10**15))),
    (pa.time64("us"), lambda: dt.time(RNG.randint(0, 23), RNG.randint(0, 59), RNG.randint(0, 59), RNG.randint(0, 999999))),
    (pa.duration("us"), lambda: dt.timedelta(microseconds=RNG.randint(-10**14, 10**14))),
    (pa.month_day_nano_interval(), lambda: pa.MonthDayNano([RNG.randint(-30, 30), RNG.randint(-40, 40), RNG.randint(-10**14, 10**14)])),
]


@pytest.mark.parametrize("et,gen", ELEM_GENS, ids=[str(e[0]) for e in ELEM_GENS])
def test_list_1d(harness, conn, et, gen):
    vals = [[], None, [None], [None, None]] + [rand_list(maybe(gen)) for _ in range(80)]
    t = pa.list_(et)
    got = check_values(harness, conn, t, vals, tz="Asia/Kolkata")
    # the other list layouts give the same text
    for t2 in (pa.large_list(et), pa.list_view(et), pa.large_list_view(et)):
        res = harness.encode(pa.table({"c": pa.array(vals, t2)}), tz="Asia/Kolkata")
        assert res["error"] is None and [r[0] for r in res["rows"]] == got, str(t2)


def test_fixed_size_list(harness, conn):
    vals = [[1.5, None], None, [float("nan"), -0.0], [1e300, 2]] + [[random_double(), random_double()] for _ in range(40)]
    check_values(harness, conn, pa.list_(pa.float64(), 2), vals)
    vals0 = [[], None, []]
    res = harness.encode(pa.table({"c": pa.array(vals0, pa.list_(pa.int32(), 0))}))
    assert [r[0] for r in res["rows"]] == ["{}", None, "{}"]


def test_list_of_uuid_and_json(harness, conn):
    if not hasattr(pa, "uuid"):
        pytest.skip("pyarrow without uuid()")
    us = [uuid.UUID(int=RNG.getrandbits(128)) for _ in range(6)]
    storage = pa.array([u.bytes for u in us], pa.binary(16))
    values = pa.ExtensionArray.from_storage(pa.uuid(), storage)
    arr = pa.ListArray.from_arrays(pa.array([0, 2, 2, 6], pa.int32()), values)
    refs = [array_ref(arr.type, [us[0], us[1]]), array_ref(arr.type, []), array_ref(arr.type, us[2:])]
    check(harness, conn, arr, refs)
    js = pa.ExtensionArray.from_storage(pa.json_(), pa.array(['{"a": 1}', None, "[1,2]", '"x y"']))
    arr = pa.ListArray.from_arrays(pa.array([0, 4], pa.int32()), js)
    check(harness, conn, arr, [E("ARRAY['{\"a\": 1}'::json, NULL, '[1,2]', '\"x y\"']::json[]")])


def nested_vals(depth, gen, ragged=False):
    """Rectangular depth-d nested lists (PostgreSQL multi-dim arrays)."""
    def build(dims):
        if len(dims) == 1:
            return [gen() for _ in range(dims[0])]
        return [build(dims[1:]) for _ in range(dims[0])]
    out = []
    for _ in range(40):
        dims = [RNG.randint(1, 3) for _ in range(depth)]
        out.append(build(dims))
    return out


@pytest.mark.parametrize("depth", [2, 3, 4, 6])
def test_multidim(harness, conn, depth):
    t = pa.int32()
    for _ in range(depth):
        t = pa.list_(t)
    gen = maybe(lambda: RNG.randint(-1000, 1000), 0.1)
    vals = nested_vals(depth, gen) + [None, []]
    # zero-length inner dimension → empty array
    empty = []
    for _ in range(depth - 1):
        empty = [empty, empty]
    vals.append(empty)
    check_values(harness, conn, t, vals)


def test_multidim_text_quoting(harness, conn):
    t = pa.list_(pa.large_list(pa.string()))
    vals = [[["a b", None], ["NULL", '"q"']], [["", "{x}"]], [[]], None]
    check_values(harness, conn, t, vals)


@pytest.mark.parametrize("vals", [
    [[[1, 2], [3]]],                 # ragged
    [[[1, 2], None]],                # NULL sub-array
    [[[1], []]],                     # empty next to non-empty
    [[[[1]], [[1, 2]]]],             # ragged at depth 3
], ids=["ragged", "null-sub", "empty-sub", "ragged-deep"])
def test_multidim_errors(harness, conn, vals):
    t = pa.int64()
    depth = 0
    v = vals[0]
    while isinstance(v, list):
        depth += 1
        v = next((x for x in v if x is not None), None)
    for _ in range(depth):
        t = pa.list_(t)
    want = pg_error(conn, array_ref(t, vals[0]))
    assert want is not None
    expect_error(harness, pa.array(vals, t), want[0], want[1])


def test_too_many_dims(harness, conn):
    t = pa.int32()
    v = 1
    for _ in range(7):
        t = pa.list_(t)
        v = [v]
    want = pg_error(conn, array_ref(t, v))
    expect_error(harness, pa.array([v], t), want[0], want[1])
    # an empty top-level list of that type is fine
    res = harness.encode(pa.table({"c": pa.array([[]], t)}))
    assert res["rows"] == [["{}"]]


def test_list_of_null_type(harness, conn):
    res = harness.encode(pa.table({"c": pa.array([[None, None], [], None], pa.list_(pa.null()))}))
    assert res["columns"][0]["oid"] == 1009
    assert [r[0] for r in res["rows"]] == ["{NULL,NULL}", "{}", None]


# ---------------------------------------------------------------------------
# struct / map → json, dictionaries
# ---------------------------------------------------------------------------


def struct_type():
    inner = pa.struct([("x", pa.float64()), ("when", pa.timestamp("us"))])
    return pa.struct([
        ("a", pa.int64()), ("b", pa.string()), ("c", pa.list_(pa.int32())), ("d", inner),
        ("e", pa.binary()), ("f", pa.date32()), ("g", pa.bool_()), ("h", pa.decimal128(8, 3)),
        ("i", pa.timestamp("ms", tz="UTC")), ("j", pa.float32()), ("we\"ird ü", pa.int8()),
        ("k", pa.list_(pa.list_(pa.int64()))), ("l", pa.duration("s")), ("m", pa.time32("ms")),
        ("n", pa.map_(pa.string(), pa.int64())), ("o", pa.list_(inner)),
        ("p", pa.large_string()), ("q", pa.uint64()),
    ])


def rand_struct_value():
    def inner():
        return None if RNG.random() < 0.2 else {
            "x": RNG.choice([1.5, float("nan"), float("inf"), -0.0, None, random_double()]),
            "when": RNG.choice([None, dt.datetime(2024, 1, 31, 13, 45, 6, RNG.randint(0, 999999)),
                                dt.datetime(1, 1, 1)])}
    return {
        "a": RNG.choice([None, RNG.randint(I64_MIN, I64_MAX)]),
        "b": RNG.choice([None, "x", 'q"uote', "back\\slash", "ctl\x01\x1f\b\f\n\r\t/", "é😀", ""]),
        "c": rand_list(maybe(lambda: RNG.randint(-9, 9))),
        "d": inner(),
        "e": RNG.choice([None, b"", b"\x00\xff", b"\x0a"]),
        "f": RNG.choice([None, dt.date(2024, 1, 31), dt.date(1, 1, 1)]),
        "g": RNG.choice([None, True, False]),
        "h": RNG.choice([None, decimal.Decimal("-1.500"), decimal.Decimal("0.000"), decimal.Decimal("12345.678")]),
        "i": RNG.choice([None, dt.datetime(2024, 6, 30, 23, 59, 59, 123000, tzinfo=dt.timezone.utc),
                         dt.datetime(1850, 1, 1, tzinfo=dt.timezone.utc)]),
        "j": RNG.choice([None, 0.1, float("-inf"), 1e30]),
        "we\"ird ü": RNG.choice([None, -128, 127]),
        "k": RNG.choice([None, [], [[1, 2], [3, 4]], [[None]]]),
        "l": RNG.choice([None, dt.timedelta(seconds=176400), dt.timedelta(days=-3, seconds=5)]),
        "m": RNG.choice([None, dt.time(12, 0, 0, 500000), dt.time(0, 0)]),
        "n": RNG.choice([None, [], [("k", 1), ("a b", None), ('"', -5)]]),
        "o": RNG.choice([None, [], [inner(), inner()]]),
        "p": RNG.choice([None, "large", "{\"x\"}"]),
        "q": RNG.choice([None, 2**64 - 1, 0]),
    }


@pytest.mark.parametrize("zone,efd", [("UTC", 1), ("Asia/Kolkata", 0), ("America/St_Johns", 3)])
def test_struct_json(harness, conn, zone, efd):
    t = struct_type()
    vals = [rand_struct_value() for _ in range(120)] + [None]
    check_values(harness, conn, t, vals, tz=zone, efd=efd)


def test_struct_edge(harness, conn):
    check_values(harness, conn, pa.struct([]), [{}, None, {}])
    check_values(harness, conn, pa.list_(pa.struct([("a", pa.string())])),
                 [[{"a": "x"}, None, {"a": None}], [], None, [{"a": 'q"'}]])


def test_ragged_list_inside_json(harness, conn):
    t = pa.struct([("k", pa.list_(pa.list_(pa.int64())))])
    res = harness.encode(pa.table({"c": pa.array([{"k": [[1, 2], [3], None, []]}], t)}))
    assert res["rows"] == [['{"k":[[1,2],[3],null,[]]}']]


MAP_CASES = [
    (pa.map_(pa.string(), pa.int64()), lambda: (RNG.choice(["a", "b c", '"', "é", "\n", ""]), maybe(lambda: RNG.randint(-99, 99))())),
    (pa.map_(pa.int32(), pa.list_(pa.string())), lambda: (RNG.randint(-5, 5), rand_list(lambda: RNG.choice(["x", "y z", None])))),
    (pa.map_(pa.date32(), pa.float64()), lambda: (dt.date(2000, 1, 1) + dt.timedelta(days=RNG.randint(0, 9999)), RNG.choice([0.5, float("nan"), None]))),
    (pa.map_(pa.float64(), pa.bool_()), lambda: (RNG.choice([0.1, -0.0, float("inf"), 1e20]), RNG.choice([True, False, None]))),
]


@pytest.mark.parametrize("t,gen", MAP_CASES, ids=[str(m[0]) for m in MAP_CASES])
def test_map_json(harness, conn, t, gen):
    vals = [[], None] + [rand_list(gen, 4) for _ in range(60)]
    check_values(harness, conn, t, vals, efd=0 if pa.types.is_floating(t.key_type) else 1)


# (null map keys: pyarrow refuses to build them; covered in tests/c/test_encode.c)


def test_dictionary(harness, conn):
    values = pa.array(["zero", "one", None, "a b", "três"])
    idx = pa.array([0, 1, 2, 3, 4, None, 1, 0, 4], pa.int8())
    arr = pa.DictionaryArray.from_arrays(idx, values)
    py = arr.to_pylist()
    check(harness, conn, arr, [ref(pa.string(), v) for v in py])
    for it in (pa.uint8(), pa.int16(), pa.uint16(), pa.int32(), pa.uint32(), pa.int64(), pa.uint64()):
        a2 = pa.DictionaryArray.from_arrays(idx.cast(it), values)
        res = harness.encode(pa.table({"c": a2}))
        assert [r[0] for r in res["rows"]] == py, str(it)
    # dictionary of timestamps, of decimals, list of dictionaries, chunks with different dictionaries
    tsd = pa.DictionaryArray.from_arrays(pa.array([1, 0, None, 1], pa.int32()),
                                         pa.array([0, 1706708706123456], pa.int64()).view(pa.timestamp("us", tz="UTC")))
    check(harness, conn, tsd, ts_refs([1706708706123456, 0, None, 1706708706123456], "us", True), tz="Europe/Istanbul")
    lst = pa.array([["x", "y z", None], [], None, ["x"]], pa.list_(pa.dictionary(pa.int16(), pa.string())))
    check(harness, conn, lst, [array_ref(pa.list_(pa.string()), v) for v in lst.to_pylist()])
    ch = pa.chunked_array([pa.DictionaryArray.from_arrays(pa.array([0, 1], pa.int8()), pa.array(["a", "b"])),
                           pa.DictionaryArray.from_arrays(pa.array([1, 0], pa.int8()), pa.array(["c", "d"]))])
    res = harness.encode(pa.table({"c": ch}))
    assert [r[0] for r in res["rows"]] == ["a", "b", "d", "c"]


def test_dictionary_bad_index(harness, conn):
    arr = pa.DictionaryArray.from_arrays(pa.array([0, 5], pa.int8()), pa.array(["a"]), safe=False)
    res = expect_error(harness, arr, "XX000")
    assert res["rows"] == [["a"]]


# ---------------------------------------------------------------------------
# plan / protocol level
# ---------------------------------------------------------------------------


def test_unsupported_types(harness, conn):
    u = pa.UnionArray.from_sparse(pa.array([0, 1], pa.int8()), [pa.array([1, 2]), pa.array(["a", "b"])])
    res = expect_error(harness, u, "0A000")
    assert res["error"]["message"] == 'unsupported Arrow type "+us:0,1" for column "c"'
    ree = pa.RunEndEncodedArray.from_arrays(pa.array([2], pa.int32()), pa.array([1]))
    expect_error(harness, ree, "0A000")


def test_rowdescription_and_many_batches(harness, conn):
    n = 1000
    tbl = pa.table({
        "id": pa.array(range(n), pa.int64()),
        "ü name": pa.array([f"s{i}" for i in range(n)]),
        "": pa.array([i * 0.5 for i in range(n)]),
        "ts": pa.array(range(n), pa.int64()).view(pa.timestamp("ms")),
        "d": pa.array([decimal.Decimal(i).scaleb(-2) for i in range(n)], pa.decimal128(7, 2)),
    })
    batches = tbl.to_batches(max_chunksize=97)
    tbl = pa.Table.from_batches(batches)
    for soft in (1, 100, 1 << 20):
        res = harness.encode(tbl, soft_limit=soft)
        assert res["error"] is None
        assert len(res["rows"]) == n
        assert res["rows"][n - 1] == [str(n - 1), f"s{n - 1}", "499.5", "1970-01-01 00:00:00.999", "9.99"]
    cols = res["columns"]
    assert [c["name"] for c in cols] == ["id", "ü name", "", "ts", "d"]
    assert [(c["oid"], c["typlen"], c["typmod"]) for c in cols] == [
        (20, 8, -1), (25, -1, -1), (701, 8, -1), (1114, 8, 3), (1700, -1, 458758)]
    assert all(c["table"] == 0 and c["attnum"] == 0 and c["format"] == 0 for c in cols)
    # PostgreSQL itself agrees on the typlen of each type
    pg_lens = dict(conn.execute("SELECT oid::int, typlen FROM pg_type WHERE oid IN (20,25,701,1114,1700)").fetchall())
    assert all(pg_lens[c["oid"]] == c["typlen"] for c in cols)


def test_array_oids_match_pg_type(harness, conn):
    rows = dict(conn.execute("SELECT oid::int, typarray::int FROM pg_type WHERE oid IN "
                             "(16,17,20,21,23,25,114,700,701,1082,1083,1114,1184,1186,1700,2950)").fetchall())
    types = [pa.bool_(), pa.binary(), pa.int64(), pa.int16(), pa.int32(), pa.string(), pa.float32(),
             pa.float64(), pa.date32(), pa.time64("us"), pa.timestamp("us"), pa.timestamp("us", tz="UTC"),
             pa.duration("us"), pa.decimal128(5, 1), pa.struct([("a", pa.int8())])]
    for t in types:
        s_arr = pa.array([None], t)
        l_arr = pa.ListArray.from_arrays(pa.array([0, 1], pa.int32()), s_arr)
        res = harness.encode(pa.table({"s": s_arr, "l": l_arr}))
        s, l = res["columns"]
        assert l["oid"] == rows[s["oid"]], str(t)


def test_binary_format_count(harness, conn):
    res = harness.encode(pa.table({"a": [1], "b": [2]}), formats=[0, 0, 0])
    assert res["error"]["sqlstate"] == "08P01"
    assert res["error"]["message"] == "bind message has 3 result formats but query has 2 columns"
    res = harness.encode(pa.table({"a": [1], "b": [2]}), formats=[2])
    assert res["error"]["sqlstate"] == "08P01"


def pg_binary(conn, exprs):
    """PostgreSQL's binary-format result (typsend) of each expression, as hex."""
    pg_settings(conn, None, 1)
    out = []
    for k in range(0, len(exprs), 200):
        chunk = exprs[k:k + 200]
        sql = "SELECT " + ", ".join(f"({e.sql})" for e in chunk)
        res = conn.execute(sql, [p for e in chunk for p in e.params], binary=True).pgresult
        for j in range(len(chunk)):
            v = res.get_value(0, j)
            out.append(None if v is None else bytes(v).hex())
    return out


def binary_cases():
    us = [uuid.UUID(int=RNG.getrandbits(128)) for _ in range(5)]
    cases = [(t, [lo, hi, None, 0, 7]) for t, lo, hi in INT_CASES]
    cases += [
        (pa.bool_(), [True, False, None]),
        (pa.float64(), FLOATS), (pa.float32(), [0.5, None, float("nan"), float("-inf"), -0.0, 1e-40]),
        (pa.float16(), [0.5, None, 65504.0, float("inf")]),
        (pa.string(), STRINGS), (pa.large_string(), STRINGS), (pa.string_view(), STRINGS),
        (pa.binary(), [b"", b"\x00\xff", None, b"x" * 20]), (pa.binary(2), [b"ab", None]),
        (pa.date32(), [dt.date(2024, 1, 31), dt.date(1, 1, 1), None, dt.date(9999, 12, 31)]),
        (pa.date64(), [dt.date(2000, 1, 1), None, dt.date(1969, 12, 31)]),
        (pa.time32("s"), [dt.time(0, 0), dt.time(23, 59, 59), None]),
        (pa.time64("us"), [dt.time(12, 0, 0, 1), None]),
        (pa.timestamp("s"), [dt.datetime(2000, 1, 1), dt.datetime(1, 1, 1), None, dt.datetime(9999, 1, 1)]),
        (pa.timestamp("us"), [dt.datetime(2024, 1, 31, 13, 45, 6, 123456), dt.datetime(1969, 12, 31, 23, 59, 59, 999999)]),
        (pa.timestamp("ms", tz="Asia/Tokyo"), [dt.datetime(2024, 1, 31, 13, 45, 6, 123000, tzinfo=dt.timezone.utc), None]),
        (pa.duration("us"), [dt.timedelta(days=3, microseconds=-1), dt.timedelta(0), None]),
        (pa.month_day_nano_interval(), [pa.MonthDayNano([14, -3, 3_000_000_500]), None]),
        (pa.struct([("a", pa.int64()), ("b", pa.string())]), [{"a": 1, "b": "x y"}, None]),
        (pa.map_(pa.string(), pa.float64()), [[("k", 1.5)], [], None]),
        (pa.decimal128(10, 2), [decimal.Decimal("1.50"), decimal.Decimal("-0.01"), None,
                                decimal.Decimal("0.00"), decimal.Decimal("12345678.90")]),
        (pa.list_(pa.int32()), [[1, None], [], None, [2]]),
        (pa.list_(pa.list_(pa.string())), [[["a", None], ["b c", ""]], [], None]),
    ]
    if hasattr(pa, "uuid"):
        cases.append((pa.uuid(), us + [None]))
    if hasattr(pa, "json_"):
        cases.append((pa.json_(), ['{"a": [1, 2]}', None, "3"]))
    return cases


@pytest.mark.parametrize("t,vals", binary_cases(), ids=[str(c[0]) for c in binary_cases()])
def test_binary_format(harness, conn, t, vals):
    if getattr(t, "extension_name", None):
        storage = pa.array([v.bytes if isinstance(v, uuid.UUID) else v for v in vals], t.storage_type)
        arr = pa.ExtensionArray.from_storage(t, storage)
    else:
        arr = pa.array(vals, t)
    refs = [ref(t, v) for v in vals]
    want = pg_binary(conn, refs)
    res = harness.encode(pa.table({"c": arr}), formats=[1])
    assert res["error"] is None, res["error"]
    assert res["columns"][0]["format"] == 1
    assert [r[0] for r in res["rows"]] == want
    # dictionary-encoded values give the same bytes
    if not (pa.types.is_struct(t) or pa.types.is_map(t) or getattr(t, "extension_name", None)
            or pa.types.is_string_view(t) or is_list_type(t)):
        res = harness.encode(pa.table({"c": arr.dictionary_encode()}), formats=[1])
        assert [r[0] for r in res["rows"]] == want


def pg_binary_desc(conn, expr):
    """(type OID, typlen, typmod) of PostgreSQL's binary-format RowDescription."""
    res = conn.execute(f"SELECT {expr.sql}", expr.params, binary=True).pgresult
    assert res.fformat(0) == 1
    return res.ftype(0), res.fsize(0), res.fmod(0)


def check_binary(harness, conn, arr, refs, slices=True, dict_too=False):
    """Binary-format bytes of column `arr` against PostgreSQL's typsend output
    of `refs`, and the RowDescription (OID, typlen, typmod) against
    PostgreSQL's for the same expression."""
    tbl = pa.table({"c": arr})
    res = harness.encode(tbl, formats=[1])
    assert res["error"] is None, res["error"]
    got = [r[0] for r in res["rows"]]
    want = pg_binary(conn, refs)
    assert len(got) == len(want)
    diffs = [(i, g, w) for i, (g, w) in enumerate(zip(got, want)) if g != w]
    assert not diffs, f"{arr.type}: first differences (index, riffq, postgres): {diffs[:6]}"
    col = res["columns"][0]
    assert col["format"] == 1
    # the same RowDescription as in text format, but for the format code
    text_cols = harness.encode(tbl.slice(0, 0))["columns"]
    assert {**text_cols[0], "format": 1} == col
    first = next((e for e in refs if not e.null), None)
    if first is not None:
        assert (col["oid"], col["typlen"], col["typmod"]) == pg_binary_desc(conn, first), \
            f"type of {arr.type}"
    if slices and len(arr) > 2:
        res2 = harness.encode(tbl.slice(1, len(arr) - 2), formats=[1])
        assert res2["error"] is None, res2["error"]
        assert [r[0] for r in res2["rows"]] == want[1:-1], f"sliced {arr.type}"
    if dict_too:
        res3 = harness.encode(pa.table({"c": arr.dictionary_encode()}), formats=[1])
        assert res3["error"] is None, res3["error"]
        assert [r[0] for r in res3["rows"]] == want, f"dictionary of {arr.type}"
    return got


def dec_array(t, values):
    """Decimal array built from the unscaled integers (pyarrow's own
    conversion trips over some scale > precision and negative-scale values)."""
    width = t.bit_width // 8
    valid = [v is not None for v in values]
    data = b"".join((0 if v is None else int(v.scaleb(t.scale))).to_bytes(width, "little", signed=True)
                    for v in values)
    mask = pa.array(valid, pa.bool_()).buffers()[1] if not all(valid) else None
    return pa.Array.from_buffers(t, len(values), [mask, pa.py_buffer(data)],
                                 null_count=valid.count(False))


def check_binary_values(harness, conn, t, values, **kw):
    arr = dec_array(t, values) if pa.types.is_decimal(t) else pa.array(values, type=t)
    return check_binary(harness, conn, arr, [ref(t, v) for v in values], **kw)


def dec_edge_values(p, s):
    """Values around base-10000 digit boundaries for decimal(p, s)."""
    D = decimal.Decimal
    out = [D(0), None]
    for m in (1, 9, 10, 99, 999, 1000, 9999, 10000, 10001, 99990000, 100000000, 123456789,
              10**12, 10**16 - 1, 10**17, 10**18 + 1, 2**63 - 1, 2**63, 2**64 - 1, 2**64,
              10**20, 10**32 + 7, 10**37, 10**38 - 1, 10**64 + 10**4, 10**76 - 1):
        if m < 10**p:
            out += [D(m).scaleb(-s), D(-m).scaleb(-s)]
    return out


BIN_DEC_TYPES = DEC_TYPES + [(38, 1), (38, 3), (38, 5), (12, 6), (10, -1), (10, -3), (10, -4),
                             (18, -7), (5, 10), (4, 7), (3, -9)]


@pytest.mark.parametrize("p,s", BIN_DEC_TYPES, ids=[f"{p},{s}" for p, s in BIN_DEC_TYPES])
def test_binary_decimal128(harness, conn, p, s):
    D = decimal.Decimal
    vals = dec_edge_values(p, s)
    for _ in range(150):
        digits = RNG.randint(1, p)
        vals.append(D(RNG.randint(-(10**digits - 1), 10**digits - 1)).scaleb(-s))
    check_binary_values(harness, conn, pa.decimal128(p, s), vals, dict_too=True)


@pytest.mark.parametrize("p,s", [(76, 0), (76, 20), (50, -5), (40, 40), (76, 1), (76, 75),
                                 (60, -17), (39, 2)])
def test_binary_decimal256(harness, conn, p, s):
    D = decimal.Decimal
    vals = dec_edge_values(p, s)
    for _ in range(150):
        digits = RNG.randint(1, p)
        vals.append(D(RNG.randint(-(10**digits - 1), 10**digits - 1)).scaleb(-s))
    check_binary_values(harness, conn, pa.decimal256(p, s), vals)


def test_binary_decimal_two_complement_extremes(harness, conn):
    """The most negative 128/256-bit integers (not valid decimal(38)/(76)
    values, but what a producer may put in the buffer) still encode."""
    D = decimal.Decimal
    for bits, t, s in ((128, pa.decimal128(38, 2), 2), (256, pa.decimal256(76, 3), 3)):
        raw = [-(2**(bits - 1)), 2**(bits - 1) - 1, -1, 1]
        buf = b"".join(v.to_bytes(bits // 8, "little", signed=True) for v in raw)
        arr = pa.Array.from_buffers(t, len(raw), [None, pa.py_buffer(buf)])
        refs = [lit("numeric", format(D(v).scaleb(-s), "f")) for v in raw]
        res = harness.encode(pa.table({"c": arr}), formats=[1])
        assert [r[0] for r in res["rows"]] == pg_binary(conn, refs)


def test_binary_decimal32_64(harness, conn):
    D = decimal.Decimal
    for maker, p, s in ((getattr(pa, "decimal32", None), 9, 3), (getattr(pa, "decimal64", None), 18, 4),
                        (getattr(pa, "decimal64", None), 18, -3), (getattr(pa, "decimal32", None), 9, 9)):
        if maker is None:
            pytest.skip("pyarrow without decimal32/64")
        vals = dec_edge_values(p, s)
        vals += [D(RNG.randint(-(10**p - 1), 10**p - 1)).scaleb(-s) for _ in range(80)]
        arr = pa.array(vals, pa.decimal128(p, s)).cast(maker(p, s))
        check_binary(harness, conn, arr, [ref(pa.decimal128(p, s), v) for v in vals])


def test_binary_uint64(harness, conn):
    vals = [0, 1, 9999, 10000, 10**8, 10**16, 2**63, 2**64 - 1, None, 123456789012]
    vals += [RNG.randint(0, 2**64 - 1) >> RNG.randint(0, 63) for _ in range(200)]
    check_binary_values(harness, conn, pa.uint64(), vals, dict_too=True)


BIN_ELEM_GENS = ELEM_GENS + [
    (pa.int8(), lambda: RNG.randint(-128, 127)),
    (pa.int32(), lambda: RNG.randint(I32_MIN, I32_MAX)),
    (pa.uint8(), lambda: RNG.randint(0, 255)),
    (pa.uint16(), lambda: RNG.randint(0, 65535)),
    (pa.uint32(), lambda: RNG.randint(0, 2**32 - 1)),
    (pa.uint64(), lambda: RNG.randint(0, 2**64 - 1)),
    (pa.float16(), lambda: RNG.choice([0.5, -2.0, 65504.0, float("inf")])),
    (pa.string_view(), lambda: RNG.choice(STRINGS[:-3])),
    (pa.binary(3), lambda: bytes(RNG.getrandbits(8) for _ in range(3))),
    (pa.decimal256(60, 20), lambda: decimal.Decimal(RNG.randint(-10**60 + 1, 10**60 - 1)).scaleb(-20)),
    (pa.decimal128(7, -2), lambda: decimal.Decimal(RNG.randint(-10**7 + 1, 10**7 - 1)).scaleb(2)),
    (pa.date64(), lambda: dt.date(1, 1, 1) + dt.timedelta(days=RNG.randint(0, 3000000))),
    (pa.time32("s"), lambda: dt.time(RNG.randint(0, 23), RNG.randint(0, 59), RNG.randint(0, 59))),
    (pa.timestamp("s"), lambda: dt.datetime(1, 1, 1) + dt.timedelta(seconds=RNG.randint(0, 3 * 10**11))),
    (pa.timestamp("ns", tz="Asia/Tokyo"), lambda: dt.datetime(1970, 1, 1, tzinfo=dt.timezone.utc) + dt.timedelta(microseconds=RNG.randint(-10**15, 10**15))),
    (pa.duration("s"), lambda: dt.timedelta(seconds=RNG.randint(-10**9, 10**9))),
    (pa.struct([("a", pa.int64()), ("b", pa.string())]), lambda: {"a": RNG.randint(-9, 9), "b": RNG.choice(["x", None, 'q"'])}),
    (pa.map_(pa.string(), pa.int32()), lambda: [("k", RNG.randint(0, 9))]),
]


@pytest.mark.parametrize("et,gen", BIN_ELEM_GENS, ids=[str(e[0]) for e in BIN_ELEM_GENS])
def test_binary_list_1d(harness, conn, et, gen):
    vals = [[], None, [None], [None, None]] + [rand_list(maybe(gen)) for _ in range(60)]
    t = pa.list_(et)
    got = check_binary_values(harness, conn, t, vals)
    # the other list layouts give the same bytes
    for t2 in (pa.large_list(et), pa.list_view(et), pa.large_list_view(et)):
        res = harness.encode(pa.table({"c": pa.array(vals, t2)}), formats=[1])
        assert res["error"] is None and [r[0] for r in res["rows"]] == got, str(t2)


def test_binary_fixed_size_list(harness, conn):
    vals = [[1.5, None], None, [float("nan"), -0.0], [1e300, 2]] + [[random_double(), random_double()] for _ in range(40)]
    check_binary_values(harness, conn, pa.list_(pa.float64(), 2), vals)
    res = harness.encode(pa.table({"c": pa.array([[], None, []], pa.list_(pa.int32(), 0))}), formats=[1])
    want = pg_binary(conn, [E("ARRAY[]::int4[]")])[0]
    assert [r[0] for r in res["rows"]] == [want, None, want]


def test_binary_list_of_uuid_json_dict(harness, conn):
    if not hasattr(pa, "uuid"):
        pytest.skip("pyarrow without uuid()")
    us = [uuid.UUID(int=RNG.getrandbits(128)) for _ in range(6)]
    values = pa.ExtensionArray.from_storage(pa.uuid(), pa.array([u.bytes for u in us], pa.binary(16)))
    arr = pa.ListArray.from_arrays(pa.array([0, 2, 2, 6], pa.int32()), values)
    refs = [array_ref(arr.type, [us[0], us[1]]), array_ref(arr.type, []), array_ref(arr.type, us[2:])]
    check_binary(harness, conn, arr, refs)
    js = pa.ExtensionArray.from_storage(pa.json_(), pa.array(['{"a": 1}', None, "[1,2]", '"x y"']))
    arr = pa.ListArray.from_arrays(pa.array([0, 4], pa.int32()), js)
    check_binary(harness, conn, arr, [E("ARRAY['{\"a\": 1}'::json, NULL, '[1,2]', '\"x y\"']::json[]")])
    # list of dictionary-encoded strings, decimals
    lst = pa.array([["x", "y z", None], [], None, ["x"]], pa.list_(pa.dictionary(pa.int16(), pa.string())))
    check_binary(harness, conn, lst, [array_ref(pa.list_(pa.string()), v) for v in lst.to_pylist()])
    dv = [[decimal.Decimal("1.25"), None], [decimal.Decimal("-0.50")], None]
    dec = pa.array(dv, pa.list_(pa.decimal128(6, 2)))
    dl = pa.ListArray.from_arrays(dec.offsets, dec.values.dictionary_encode(), mask=dec.is_null())
    check_binary(harness, conn, dl, [array_ref(dec.type, v) for v in dv])
    # dictionary whose values are lists
    ld = pa.DictionaryArray.from_arrays(pa.array([1, 0, None, 1], pa.int8()),
                                        pa.array([[1, 2], [None, 3, 4]], pa.list_(pa.int64())))
    check_binary(harness, conn, ld, [array_ref(pa.list_(pa.int64()), v) for v in ld.to_pylist()])


@pytest.mark.parametrize("depth", [2, 3, 4, 6])
def test_binary_multidim(harness, conn, depth):
    t = pa.int32()
    for _ in range(depth):
        t = pa.list_(t)
    gen = maybe(lambda: RNG.randint(-1000, 1000), 0.1)
    vals = nested_vals(depth, gen) + [None, []]
    empty = []
    for _ in range(depth - 1):
        empty = [empty, empty]
    vals.append(empty)
    vals.append(nested_vals(depth, lambda: 5)[0])  # no NULL: has-null flag 0
    check_binary_values(harness, conn, t, vals)


def test_binary_multidim_other_types(harness, conn):
    vals = [[["a b", None], ["NULL", '"q"']], [["", "{x}"]], [[]], None]
    check_binary_values(harness, conn, pa.list_(pa.large_list(pa.string())), vals)
    D = decimal.Decimal
    vals = [[[D("1.5"), None, D("-100000.25")], [D("0.0"), D("9999.9"), D("1E+4")]], []]
    check_binary_values(harness, conn, pa.list_(pa.list_(pa.decimal128(12, 2))), vals)
    # fixed size list of lists, list of fixed size lists
    vals = [[[1, 2], [3, 4]], [[None, 5], [6, 7]], None]
    check_binary_values(harness, conn, pa.list_(pa.list_(pa.int64(), 2), 2), vals)


@pytest.mark.parametrize("vals", [
    [[[1, 2], [3]]], [[[1, 2], None]], [[[1], []]], [[[[1]], [[1, 2]]]],
], ids=["ragged", "null-sub", "empty-sub", "ragged-deep"])
def test_binary_multidim_errors(harness, conn, vals):
    t = pa.int64()
    depth = 0
    v = vals[0]
    while isinstance(v, list):
        depth += 1
        v = next((x for x in v if x is not None), None)
    for _ in range(depth):
        t = pa.list_(t)
    want = pg_error(conn, array_ref(t, vals[0]))
    assert want is not None
    res = expect_error(harness, pa.array(vals, t), want[0], want[1], formats=[1])
    assert res["rows"] == []


def test_binary_too_many_dims(harness, conn):
    t = pa.int32()
    v = 1
    for _ in range(7):
        t = pa.list_(t)
        v = [v]
    want = pg_error(conn, array_ref(t, v))
    expect_error(harness, pa.array([v], t), want[0], want[1], formats=[1])
    res = harness.encode(pa.table({"c": pa.array([[]], t)}), formats=[1])
    assert res["rows"] == [pg_binary(conn, [E("ARRAY[]::int4[]")])]


def test_binary_null_type(harness, conn):
    res = harness.encode(pa.table({"n": pa.nulls(3)}), formats=[1])
    assert res["error"] is None
    assert res["rows"] == [[None]] * 3
    assert (res["columns"][0]["oid"], res["columns"][0]["typlen"]) == (25, -1)
    lst = pa.array([[None, None], [], None], pa.list_(pa.null()))
    check_binary(harness, conn, lst, [E("ARRAY[NULL, NULL]::text[]"), E("ARRAY[]::text[]"),
                                      null("text[]")])


def test_binary_extension_metadata(harness, conn):
    """Extensions declared only in field metadata: uuid, json, and an unknown
    one (encoded as its storage type)."""
    us = [uuid.UUID(int=RNG.getrandbits(128)) for _ in range(3)] + [None]
    fields = [
        (pa.field("u", pa.binary(16), metadata={b"ARROW:extension:name": b"arrow.uuid"}),
         pa.array([u.bytes if u else None for u in us], pa.binary(16)),
         [lit("uuid", str(u)) if u else null("uuid") for u in us]),
        (pa.field("j", pa.large_string(), metadata={b"ARROW:extension:name": b"arrow.json"}),
         pa.array(['{"a": 1}', "[1,  2]", None, '"x"'], pa.large_string()),
         [lit("json", '{"a": 1}'), lit("json", "[1,  2]"), null("json"), lit("json", '"x"')]),
        (pa.field("x", pa.int64(), metadata={b"ARROW:extension:name": b"my.thing"}),
         pa.array([1, None, -3, 2**40], pa.int64()),
         [lit("int8", "1"), null("int8"), lit("int8", "-3"), lit("int8", str(2**40))]),
    ]
    for field, arr, refs in fields:
        tbl = pa.Table.from_arrays([arr], schema=pa.schema([field]))
        res = harness.encode(tbl, formats=[1])
        assert res["error"] is None, res["error"]
        assert [r[0] for r in res["rows"]] == pg_binary(conn, refs), field.name
        col = res["columns"][0]
        assert (col["oid"], col["typlen"], col["typmod"]) == pg_binary_desc(conn, refs[0])


def test_binary_mixed_formats(harness, conn):
    """Per-column format codes, as Bind gives them."""
    tbl = pa.table({"a": pa.array([1, None], pa.int64()),
                    "b": pa.array([decimal.Decimal("2.5"), None], pa.decimal128(4, 1)),
                    "c": pa.array([[1, None], None], pa.list_(pa.int16()))})
    res = harness.encode(tbl, formats=[0, 1, 0])
    assert [c["format"] for c in res["columns"]] == [0, 1, 0]
    want_b = pg_binary(conn, [lit("numeric(4,1)", "2.5")])[0]
    assert res["rows"] == [["1", want_b, "{1,NULL}"], [None, None, None]]
    res = harness.encode(tbl, formats=[1, 0, 1])
    want = pg_binary(conn, [lit("int8", "1"), E("ARRAY[1, NULL]::int2[]")])
    assert res["rows"] == [[want[0], "2.5", want[1]], [None, None, None]]


@pytest.mark.parametrize("unit", ["s", "ms", "us", "ns"])
def test_binary_timestamps_all_units(harness, conn, unit):
    vals = ts_values(unit) + [I64_MAX, I64_MIN, -I64_MAX]
    for tz in (False, True):
        t = pa.timestamp(unit, tz="America/New_York" if tz else None)
        check_binary(harness, conn, pa.array(vals, pa.int64()).view(t), ts_refs(vals, unit, tz))


@pytest.mark.parametrize("unit", ["s", "ms", "us", "ns"])
def test_binary_time_and_duration_units(harness, conn, unit):
    div = UNIT_DIV[unit]
    tv = [0, 1, 86399 * div, 86400 * div, None] + [RNG.randint(0, 86400 * div) for _ in range(100)]
    if unit == "ns":
        tv += [3500, 4500, 2500, 999999500, 86399999999500]
    storage = pa.int32() if unit in ("s", "ms") else pa.int64()
    tt = pa.time32(unit) if unit in ("s", "ms") else pa.time64(unit)
    pt = time_pgtype(unit)
    check_binary(harness, conn, pa.array(tv, storage).view(tt),
                 [null(pt) if v is None else lit(pt, time_literal(v, unit)) for v in tv])
    lim = I64_MAX if unit in ("us", "ns") else I64_MAX // (10**6 // div)
    dv = [0, 1, -1, 176400 * div, None, lim, -lim] + [RNG.randint(-lim, lim) for _ in range(60)]
    if unit == "ns":
        dv += [3500, -3500, 4500, -4500, 500, -500]
    check_binary(harness, conn, pa.array(dv, pa.int64()).view(pa.duration(unit)),
                 [null("interval") if v is None else duration_expr(v, unit) for v in dv])


def test_binary_dates_intervals(harness, conn):
    days = [0, -1, 19753, DATE_MIN, DATE_MAX, None, I32_MAX, I32_MIN, -I32_MAX]
    days += [RNG.randint(DATE_MIN, DATE_MAX) for _ in range(100)]
    check_binary(harness, conn, pa.array(days, pa.int32()).view(pa.date32()), date_refs(days))
    ms = [None if d is None or abs(d) >= I32_MAX else d * 86400000 + 86399999 for d in days]
    check_binary(harness, conn, pa.array(ms, pa.int64()).view(pa.date64()),
                 date_refs([None if m is None else m // 86400000 for m in ms]))
    MDN = pa.MonthDayNano
    vals = [MDN([0, 0, 0]), MDN([-14, 3, 4500]), None, MDN([0, 0, -3500]),
            MDN([I32_MAX, I32_MAX, 86_400_000_000_000]), MDN([I32_MIN + 1, I32_MIN + 1, -10**18])]
    vals += [MDN([RNG.randint(-10**4, 10**4), RNG.randint(-10**5, 10**5),
                  RNG.randint(-10**15, 10**15)]) for _ in range(60)]
    check_binary_values(harness, conn, pa.month_day_nano_interval(), vals)


def test_binary_timestamp_range(harness, conn):
    far = [9224318015999, -210866803200]
    arr = pa.array(far, pa.int64()).view(pa.timestamp("s"))
    res = harness.encode(pa.table({"c": arr}), formats=[1])
    assert [r[0] for r in res["rows"]] == pg_binary(conn, ts_refs(far, "s", False))
    expect_error(harness, pa.array([9224318016000], pa.int64()).view(pa.timestamp("s")), "22008",
                 formats=[1])
    inf = pa.array([I64_MAX, I64_MIN], pa.int64()).view(pa.timestamp("us"))
    res = harness.encode(pa.table({"c": inf}), formats=[1])
    assert [r[0] for r in res["rows"]] == pg_binary(conn, [lit("timestamp", "infinity"), lit("timestamp", "-infinity")])


def test_duckdb_results(harness, conn):
    """DuckDB's Arrow output, infinities included, prints as PostgreSQL would."""
    duckdb = pytest.importorskip("duckdb")
    rel = duckdb.sql(
        "SELECT 'infinity'::timestamp a, '-infinity'::timestamp b, 'infinity'::date c, "
        "'-infinity'::date d, '-infinity'::timestamptz e, 1.50::decimal(5,2) f, "
        "[1, NULL]::int[] g, {'k': 'v'} h, '2024-01-31 13:45:06.5'::timestamp i, "
        "interval '1 month 2 days 3 seconds' j, 'x'::varchar k")
    tbl = rel.arrow()
    tbl = tbl.read_all() if hasattr(tbl, "read_all") else tbl
    res = harness.encode(tbl)
    assert res["error"] is None, res["error"]
    want = pg_texts(conn, [
        lit("timestamp", "infinity"), lit("timestamp", "-infinity"), lit("date", "infinity"),
        lit("date", "-infinity"), lit("timestamptz", "-infinity"), lit("numeric(5,2)", "1.50"),
        E("ARRAY[1, NULL]::int4[]"), E("'{\"k\":\"v\"}'::json"),
        lit("timestamp", "2024-01-31 13:45:06.5"), lit("interval", "1 mon 2 days 3 seconds"),
        lit("text", "x")])
    assert res["rows"] == [want]


def test_throughput(harness):
    """Informative: 2M rows of (int64, utf8, float64, timestamp[us], bool)."""
    import numpy as np
    n = 2_000_000
    rng = np.random.default_rng(7)
    tbl = pa.table({
        "i": pa.array(rng.integers(-10**12, 10**12, n), pa.int64()),
        "s": pa.array([f"name-{i}" for i in range(n)]),
        "f": pa.array(rng.standard_normal(n)),
        "t": pa.array(rng.integers(0, 17 * 10**14, n), pa.int64()).view(pa.timestamp("us")),
        "b": pa.array(rng.integers(0, 2, n).astype(bool)),
    })
    secs, rows, nbytes = harness.bench(tbl)
    assert rows == n
    print(f"\n[encode throughput] {rows / secs / 1e6:.2f}M rows/s "
          f"({rows * 5 / secs / 1e6:.1f}M values/s, {nbytes / secs / 1e6:.0f} MB/s, "
          f"{secs:.3f}s for {n} rows, soft limit 256 KB)")
