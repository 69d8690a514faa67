"""Column type words -> PostgreSQL types, for catalog registration.

A registered column's type may be given as

- one of riffq 0.1.11's words (``int``, ``float``, ``bool``, ``str``/
  ``string``, ``date``, ``datetime``) or another word of
  ``riffq.helpers.to_arrow``: it means the Arrow type ``to_arrow`` builds
  (``int`` is int64, so the catalog says ``bigint``), because that is what
  the query results of such a table carry;
- any PostgreSQL type name (``bigint``, ``numeric(12,2)``, ``timestamptz``,
  ``text[]``, ``character varying(40)``...), read with PostgreSQL's own
  parser (pglast);
- an Arrow type (``pyarrow.DataType``, or anything with
  ``__arrow_c_schema__``): the catalog then reports exactly the type that
  riffq's encoder puts in RowDescription for it (``riffq._core.pg_types``),
  so the catalog and the results always agree.

``resolve(...)`` returns a ``PgType`` (type OID + typmod); the caller looks
the OID up in ``pg_type`` for typlen, typbyval and friends.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any, Callable, Dict, List, Optional, Sequence, Tuple

import pyarrow as pa

from ..helpers import arrow_type

__all__ = ["PgType", "TypeResolver", "UnknownType", "arrow_pg_types"]


class UnknownType(ValueError):
    """The type word names no PostgreSQL or Arrow type."""


@dataclass(frozen=True)
class PgType:
    """A PostgreSQL column type: ``pg_type.oid`` and ``atttypmod``."""

    oid: int
    typmod: int = -1


def arrow_pg_types(schema: pa.Schema) -> List[PgType]:
    """The PostgreSQL types riffq reports for each field of ``schema``."""
    from .. import _core  # the C extension: the encoder's own mapping

    return [PgType(oid, typmod) for _name, oid, _len, typmod in _core.pg_types(schema)]


def _arrow_of(obj: Any) -> Optional[pa.DataType]:
    if isinstance(obj, pa.DataType):
        return obj
    if isinstance(obj, pa.Field):
        return obj.type
    if hasattr(obj, "__arrow_c_schema__") and not isinstance(obj, pa.Schema):
        try:
            return pa.field(obj).type
        except (TypeError, ValueError):
            return None
    return None


# typmod of a PostgreSQL type given its modifiers (PostgreSQL's *typmodin).
def _typmod(typname: str, mods: Sequence[int]) -> int:
    if not mods:
        return -1
    if typname in ("varchar", "bpchar"):
        return mods[0] + 4
    if typname == "numeric":
        scale = mods[1] if len(mods) > 1 else 0
        return ((mods[0] << 16) | (scale & 0xFFFF)) + 4
    if typname in ("timestamp", "timestamptz", "time", "timetz", "bit", "varbit"):
        return mods[0]
    return -1


class TypeResolver:
    """Resolves type words with a ``pg_type`` lookup.

    Args:
        lookup: ``lookup(typname) -> (oid, typarray)`` for a pg_catalog type
            name, or None when there is none.
    """

    def __init__(self, lookup: Callable[[str], Optional[Tuple[int, int]]]) -> None:
        self._lookup = lookup
        self._cache: Dict[str, PgType] = {}

    def resolve(self, word: Any) -> PgType:
        """The PostgreSQL type of a registered column type (see module doc).

        Raises:
            UnknownType: nothing matches ``word``.
        """
        at = _arrow_of(word)
        if at is not None:
            return arrow_pg_types(pa.schema([("c", at)]))[0]
        if not isinstance(word, str):
            raise UnknownType(f"type must be a str or an Arrow type, not {type(word).__name__}")
        hit = self._cache.get(word)
        if hit is None:
            hit = self._cache[word] = self._resolve_word(word)
        return hit

    def _resolve_word(self, word: str) -> PgType:
        at = arrow_type(word)
        if at is not None:  # riffq / to_arrow words first: they say what results carry
            return arrow_pg_types(pa.schema([("c", at)]))[0]
        if word.strip().lower() in ("decimal", "numeric"):
            return PgType(1700)
        return self._resolve_pg_name(word)

    def _resolve_pg_name(self, word: str) -> PgType:
        typname, mods, is_array = _parse_type_name(word)
        found = self._lookup(typname)
        if found is None:
            raise UnknownType(f'type "{word}" does not exist')
        oid, typarray = found
        if is_array:
            if not typarray:
                raise UnknownType(f'type "{word}" has no array type')
            oid = typarray
        return PgType(oid, _typmod(typname, mods))


@functools.lru_cache(maxsize=512)
def _parse_type_name(word: str) -> Tuple[str, Tuple[int, ...], bool]:
    """(pg_catalog type name, integer modifiers, is array) for a type name,
    read by PostgreSQL's grammar (``integer`` -> int4, ``varchar(40)``...)."""
    import pglast

    try:
        stmt = pglast.parse_sql(f"SELECT NULL::{word}")
    except pglast.parser.ParseError as exc:
        raise UnknownType(f'type "{word}" does not exist') from exc
    if len(stmt) != 1 or len(stmt[0].stmt.targetList) != 1:
        raise UnknownType(f'type "{word}" does not exist')
    cast = stmt[0].stmt.targetList[0].val
    tn = getattr(cast, "typeName", None)
    if tn is None:
        raise UnknownType(f'type "{word}" does not exist')
    names = [n.sval for n in tn.names]
    if len(names) == 2 and names[0] != "pg_catalog":
        raise UnknownType(f'type "{word}" does not exist')
    mods: List[int] = []
    for m in tn.typmods or ():
        ival = getattr(getattr(m, "val", None), "ival", None)
        if ival is None:
            raise UnknownType(f'type "{word}": only integer modifiers are supported')
        mods.append(ival)
    return names[-1], tuple(mods), bool(tn.arrayBounds)
