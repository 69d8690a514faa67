"""Python functions the C core calls (see docs/core_api.md).

- ``to_stream_capsule(obj)`` turns any supported query result into an Arrow
  C stream PyCapsule (``"arrow_array_stream"``).
- ``handler_failed(where, exc)`` logs a handler's exception and returns the
  text for the ErrorResponse.
- ``log(level, message)`` forwards a core event to the ``riffq.core`` logger.

Everything here may run on any C worker thread (holding the GIL).
"""

from __future__ import annotations

import ctypes
import logging
from typing import Any, Mapping, Sequence

import pyarrow as pa

from .helpers import record_batch_from_rows

__all__ = ["to_stream_capsule", "handler_failed", "log", "is_stream_capsule"]

_logger = logging.getLogger("riffq")
_core_logger = logging.getLogger("riffq.core")

_STREAM_CAPSULE_NAME = b"arrow_array_stream"
_PyCapsule_IsValid = ctypes.pythonapi.PyCapsule_IsValid
_PyCapsule_IsValid.restype = ctypes.c_int
_PyCapsule_IsValid.argtypes = [ctypes.py_object, ctypes.c_char_p]
# sizeof(struct ArrowArrayStream): five pointers.
_STREAM_STRUCT_SIZE = 5 * ctypes.sizeof(ctypes.c_void_p)


def is_stream_capsule(obj: Any) -> bool:
    """True when ``obj`` is a PyCapsule named ``"arrow_array_stream"``."""
    return type(obj).__name__ == "PyCapsule" and bool(
        _PyCapsule_IsValid(obj, _STREAM_CAPSULE_NAME))


def _reader_capsule(reader: pa.RecordBatchReader) -> Any:
    return reader.__arrow_c_stream__()


def _one_batch_capsule(batch: pa.RecordBatch) -> Any:
    return _reader_capsule(pa.RecordBatchReader.from_batches(batch.schema, [batch]))


def _from_c_array(obj: Any) -> Any:
    """An object exporting one array (``__arrow_c_array__``): a record batch
    (struct array) becomes a one-batch stream; any other array becomes a
    single-column result named after its field."""
    schema_capsule, array_capsule = obj.__arrow_c_array__()
    arr = pa.Array._import_from_c_capsule(schema_capsule, array_capsule)
    if pa.types.is_struct(arr.type):
        batch = pa.RecordBatch.from_struct_array(arr)
    else:
        name = getattr(getattr(obj, "field", None), "name", None) or "?column?"
        batch = pa.RecordBatch.from_arrays([arr], names=[name])
    return _one_batch_capsule(batch)


def _from_ipc(data: Any) -> Any:
    """Arrow IPC *stream* format bytes (what ``pa.ipc.new_stream`` writes)."""
    buf = pa.py_buffer(data)
    try:
        reader = pa.ipc.open_stream(buf)
    except pa.ArrowInvalid as exc:
        raise TypeError(f"bytes result is not an Arrow IPC stream: {exc}") from exc
    return _reader_capsule(reader)


def _is_schema_rows(obj: Any) -> bool:
    """riffq 0.1.11's ``(schema_desc, rows)`` form: a 2-tuple (or list) whose
    first item is a list of ``{"name": .., "type": ..}`` dicts."""
    if not isinstance(obj, (tuple, list)) or len(obj) != 2:
        return False
    schema_desc, rows = obj
    return (isinstance(schema_desc, (list, tuple))
            and all(isinstance(c, Mapping) and "name" in c for c in schema_desc)
            and isinstance(rows, (list, tuple)))


def _from_schema_rows(schema_desc: Sequence[Mapping[str, Any]], rows: Sequence[Any]) -> Any:
    return _one_batch_capsule(record_batch_from_rows(schema_desc, rows, strict=False))


def _is_pandas(obj: Any) -> bool:
    return type(obj).__module__.split(".", 1)[0] == "pandas" and hasattr(obj, "columns")


def _from_c_export(obj: Any) -> Any:
    """An old-style reader exposing only ``_export_to_c(address)`` (pyarrow
    before the PyCapsule interface, or other Arrow libraries): export into a
    temporary struct and import it into this pyarrow, which moves the stream
    out of the struct, so the buffer may be freed afterwards."""
    buf = ctypes.create_string_buffer(_STREAM_STRUCT_SIZE)
    addr = ctypes.addressof(buf)
    obj._export_to_c(addr)
    return _reader_capsule(pa.RecordBatchReader._import_from_c(addr))


def to_stream_capsule(obj: Any) -> Any:
    """Normalise a query result into an Arrow C stream PyCapsule.

    Accepted, in the order tried:

    - a PyCapsule named ``"arrow_array_stream"`` (returned as is);
    - any object with ``__arrow_c_stream__`` (pyarrow reader/table/batch,
      DuckDB relation, Polars/pandas DataFrame, nanoarrow, ...);
    - any object with only ``__arrow_c_array__`` (a record batch becomes a
      one-batch stream; a plain array a one-column result);
    - ``bytes``/``bytearray``/``memoryview`` holding an Arrow IPC stream;
    - riffq 0.1.11's ``(schema_desc, rows)`` tuple, ``schema_desc`` being a
      list of ``{"name": .., "type": ..}`` dicts (columns get their real type
      when the type word is known, see ``riffq.helpers``; else text);
    - a pandas DataFrame without the PyCapsule interface;
    - an old-style reader with only ``_export_to_c``;
    - a DuckDB connection holding a pending result (``to_arrow_reader`` /
      ``fetch_record_batch``) or an object with ``to_arrow()``.

    Raises:
        TypeError: the object is none of these.
    """
    if is_stream_capsule(obj):
        return obj
    stream = getattr(obj, "__arrow_c_stream__", None)
    if stream is not None:
        return stream()
    if hasattr(obj, "__arrow_c_array__"):
        return _from_c_array(obj)
    if isinstance(obj, (bytes, bytearray, memoryview)):
        return _from_ipc(obj)
    if _is_schema_rows(obj):
        return _from_schema_rows(obj[0], obj[1])
    if _is_pandas(obj):
        return _reader_capsule(pa.Table.from_pandas(obj).to_reader())
    if hasattr(obj, "_export_to_c") and hasattr(obj, "schema"):
        return _from_c_export(obj)
    for method in ("to_arrow_reader", "fetch_record_batch", "to_arrow"):
        fn = getattr(obj, method, None)
        if callable(fn):
            result = fn()
            if hasattr(result, "__arrow_c_stream__"):
                return result.__arrow_c_stream__()
    raise TypeError(
        f"cannot send a {type(obj).__module__}.{type(obj).__qualname__} as a query result: "
        "expected an Arrow C stream capsule, an object with __arrow_c_stream__ or "
        "__arrow_c_array__, Arrow IPC stream bytes, or a (schema_desc, rows) tuple")


def handler_failed(where: str, exc: BaseException) -> str:
    """Log a handler exception with its traceback; return the error text.

    Args:
        where: Which handler failed ("query", "connect", "authentication"...).
        exc: The exception it raised.

    Returns:
        The message for the client's ErrorResponse: ``str(exc)``, or the
        exception's class name when that is empty.
    """
    try:
        _logger.error("%s handler raised %s", where, type(exc).__name__,
                      exc_info=(type(exc), exc, exc.__traceback__))
    except Exception:  # a broken logging config must not break the core
        pass
    try:
        text = str(exc)
    except Exception:
        text = ""
    return text or type(exc).__name__


def log(level: int, message: str) -> None:
    """Log a core event on the ``riffq.core`` logger at a ``logging`` level."""
    if _core_logger.isEnabledFor(level):
        _core_logger.log(level, "%s", message)
