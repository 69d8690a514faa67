"""Helpers for building Arrow results from plain Python values.

``to_arrow`` turns a small schema description plus row data into an Arrow C
stream capsule that a query callback accepts, which is handy for small,
programmatic results (status rows, version strings, ...) without a database
engine.
"""

from __future__ import annotations

from typing import Any, Dict, List, Mapping, Optional, Sequence

import pyarrow as pa

__all__ = ["to_arrow", "arrow_type", "record_batch_from_rows"]

# Type words accepted in a schema description. The first seven are riffq
# 0.1.11's; the rest are PostgreSQL / Arrow spellings people reach for.
_type: Dict[str, pa.DataType] = {
    "int": pa.int64(),
    "float": pa.float64(),
    "bool": pa.bool_(),
    "str": pa.utf8(),
    "string": pa.utf8(),
    "date": pa.date32(),
    "datetime": pa.timestamp("us"),
    # integers
    "smallint": pa.int16(),
    "int2": pa.int16(),
    "int16": pa.int16(),
    "integer": pa.int32(),
    "int4": pa.int32(),
    "int32": pa.int32(),
    "bigint": pa.int64(),
    "int8": pa.int64(),
    "int64": pa.int64(),
    # floating point
    "real": pa.float32(),
    "float4": pa.float32(),
    "float32": pa.float32(),
    "double": pa.float64(),
    "double precision": pa.float64(),
    "float8": pa.float64(),
    "float64": pa.float64(),
    # others
    "boolean": pa.bool_(),
    "text": pa.utf8(),
    "varchar": pa.utf8(),
    "timestamp": pa.timestamp("us"),
    "timestamptz": pa.timestamp("us", tz="UTC"),
    "time": pa.time64("us"),
    "bytes": pa.binary(),
    "bytea": pa.binary(),
    "binary": pa.binary(),
    "interval": pa.month_day_nano_interval(),
}

# Type words whose exact Arrow type is inferred from the values (a decimal's
# precision and scale come from the Python Decimal objects).
_inferred = frozenset({"decimal", "numeric"})


def arrow_type(word: str) -> Optional[pa.DataType]:
    """Return the Arrow type for a schema type word, or None when unknown.

    Matching is case-insensitive and ignores surrounding spaces. ``decimal`` /
    ``numeric`` are known but return None too: their type is inferred from
    the values by ``record_batch_from_rows``.
    """
    return _type.get(word.strip().lower()) if isinstance(word, str) else None


def _known(word: Any) -> bool:
    if not isinstance(word, str):
        return False
    w = word.strip().lower()
    return w in _type or w in _inferred


def _column_values(rows: Sequence[Sequence[Any]], ix: int) -> List[Any]:
    return [r[ix] for r in rows]


def _as_text(values: List[Any]) -> pa.Array:
    return pa.array([None if v is None else str(v) for v in values], type=pa.utf8())


def _build_column(values: List[Any], word: Any, strict: bool) -> pa.Array:
    """One Arrow column from Python values and a type word.

    strict=True (to_arrow) raises on unknown words and unconvertible values;
    strict=False (the (schema, rows) callback form) falls back to text, like
    riffq 0.1.11 which sent every such value as text.
    """
    if not _known(word):
        if strict:
            raise ValueError(
                f"unknown column type {word!r}; known: {', '.join(sorted(set(_type) | _inferred))}")
        return _as_text(values)
    w = word.strip().lower()
    if w in _inferred:
        return pa.array(values)
    ty = _type[w]
    try:
        return pa.array(values, type=ty)
    except (pa.ArrowInvalid, pa.ArrowTypeError, TypeError, ValueError, OverflowError):
        if strict:
            raise
    # Values given as text ("1", "2024-01-01") still get their real type when
    # Arrow can parse them; otherwise the column stays text.
    try:
        return _as_text(values).cast(ty)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError, pa.ArrowTypeError):
        return _as_text(values)


def record_batch_from_rows(schema_desc: Sequence[Mapping[str, Any]],
                           rows: Sequence[Sequence[Any]],
                           strict: bool = True) -> pa.RecordBatch:
    """Build a RecordBatch from ``[{"name": .., "type": ..}, ...]`` and rows.

    Args:
        schema_desc: Column descriptors in display order.
        rows: Row sequences whose items follow ``schema_desc``'s order.
        strict: Raise on unknown type words / unconvertible values (True), or
            fall back to a text column (False).

    Raises:
        ValueError: a descriptor lacks "name", a row has the wrong length, or
            (strict) an unknown type word.
    """
    rows = list(rows)
    names: List[str] = []
    for i, col in enumerate(schema_desc):
        if not isinstance(col, Mapping) or "name" not in col:
            raise ValueError(f"column descriptor #{i} must be a dict with a 'name' key")
        names.append(str(col["name"]))
    ncols = len(names)
    for n, r in enumerate(rows):
        if len(r) != ncols:
            raise ValueError(f"row {n} has {len(r)} values, schema has {ncols} columns")
    arrays = [_build_column(_column_values(rows, i), col.get("type", "string"), strict)
              for i, col in enumerate(schema_desc)]
    return pa.RecordBatch.from_arrays(arrays, names=names)


def to_arrow(schema_desc: List[Dict[str, Any]], rows: List[Sequence[Any]]) -> Any:
    """Build an Arrow C stream capsule from a schema and plain Python rows.

    The schema is a list of dicts like ``{"name": str, "type": str}`` where
    ``type`` is one of ``int``, ``float``, ``bool``, ``str``/``string``,
    ``date``, ``datetime`` (riffq 0.1.11's words), or one of the extra words
    ``smallint``/``int2``, ``integer``/``int4``, ``bigint``/``int8``,
    ``real``/``float4``, ``double``/``float8``, ``boolean``, ``text``,
    ``varchar``, ``timestamp``, ``timestamptz``, ``time``, ``bytea``/``bytes``,
    ``interval``, ``numeric``/``decimal`` (type inferred from Decimal values).
    Rows are sequences whose items follow the schema order.

    Example:
        >>> callback(to_arrow([{"name": "val", "type": "int"}], [[1], [2]]))

    Args:
        schema_desc: Column descriptors in display order.
        rows: Row sequences aligned to ``schema_desc``.

    Returns:
        A PyCapsule holding an Arrow C stream (``"arrow_array_stream"``),
        suitable for a query callback.

    Raises:
        ValueError: unknown type word or malformed schema/rows.
        pyarrow.ArrowInvalid / TypeError: a value does not fit its column type.
    """
    batch = record_batch_from_rows(schema_desc, rows, strict=True)
    reader = pa.RecordBatchReader.from_batches(batch.schema, [batch])
    return reader.__arrow_c_stream__()
