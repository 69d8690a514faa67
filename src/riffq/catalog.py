"""In-memory catalog of the databases, schemas and tables a server exposes.

``riffq.Server.register_database/register_schema/register_table`` and
``set_lazy_catalog`` store their data here. Catalog emulation (answering
``pg_catalog`` / ``information_schema`` queries from it) builds on this
structure.

Registrations are order-independent, as in riffq 0.1.11 where everything was
collected and applied at ``start()``: registering a schema or table of a
database (or schema) not registered yet creates it.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, field
from typing import Any, Dict, Iterator, List, Optional, Tuple

import pyarrow as pa

from .helpers import arrow_type

__all__ = ["Catalog", "Database", "Schema", "Table", "Column", "parse_columns",
           "LAZY_SOURCE_METHODS"]

logger = logging.getLogger("riffq.catalog")

#: Methods a lazy catalog source must provide (``set_lazy_catalog``).
LAZY_SOURCE_METHODS: Tuple[str, ...] = ("databases", "schemas", "relations", "columns")


@dataclass(frozen=True)
class Column:
    """One table column: name, type word (``int``, ``string``...), nullability."""

    name: str
    type: str
    nullable: bool

    @property
    def arrow_type(self) -> Optional[pa.DataType]:
        """The Arrow type of ``type`` (None when the word is unknown)."""
        return arrow_type(self.type)


@dataclass
class Table:
    """A registered table and its columns, in order."""

    name: str
    columns: List[Column] = field(default_factory=list)


@dataclass
class Schema:
    """A registered schema and its tables (by name, in registration order)."""

    name: str
    tables: Dict[str, Table] = field(default_factory=dict)


@dataclass
class Database:
    """A registered database and its schemas (by name, in registration order)."""

    name: str
    schemas: Dict[str, Schema] = field(default_factory=dict)


def _is_bool(value: Any) -> bool:
    # numpy.bool_ is not a bool subclass but is what DataFrame code produces.
    return isinstance(value, bool) or type(value).__name__ in ("bool_", "bool")


def parse_columns(columns: Any) -> List[Column]:
    """Validate riffq 0.1.11's column format and return Column objects.

    ``columns`` is a list of single-key dicts ``{name: {"type": str,
    "nullable": bool}}``.

    Raises:
        TypeError: ``columns`` is not a list, an item or descriptor is not a
            dict, or a name/type/nullable has the wrong type.
        ValueError: an item has more or fewer than one key, a descriptor lacks
            "type" or "nullable", or a column name repeats.
    """
    if not isinstance(columns, list):
        raise TypeError(f"columns must be a list of single-key dicts, not {type(columns).__name__}")
    out: List[Column] = []
    seen = set()
    for i, item in enumerate(columns):
        if not isinstance(item, dict):
            raise TypeError(f"column #{i} must be a dict, not {type(item).__name__}")
        if len(item) != 1:
            raise ValueError("each column must be a single-key dict")
        ((name, desc),) = item.items()
        if not isinstance(name, str):
            raise TypeError(f"column #{i} name must be a str, not {type(name).__name__}")
        if not isinstance(desc, dict):
            raise TypeError(f"column {name!r} descriptor must be a dict, not {type(desc).__name__}")
        if "type" not in desc:
            raise ValueError("missing type")
        if "nullable" not in desc:
            raise ValueError("missing nullable")
        col_type, nullable = desc["type"], desc["nullable"]
        if not isinstance(col_type, str):
            raise TypeError(f"column {name!r} type must be a str, not {type(col_type).__name__}")
        if not _is_bool(nullable):
            raise TypeError(f"column {name!r} nullable must be a bool, not {type(nullable).__name__}")
        if name in seen:
            raise ValueError(f"duplicate column {name!r}")
        seen.add(name)
        if arrow_type(col_type) is None and col_type.strip().lower() not in ("decimal", "numeric"):
            logger.warning("column %r: unknown type %r, clients will see it as text", name, col_type)
        out.append(Column(name, col_type, bool(nullable)))
    return out


def _check_name(kind: str, name: Any) -> str:
    if not isinstance(name, str):
        raise TypeError(f"{kind} name must be a str, not {type(name).__name__}")
    if not name:
        raise ValueError(f"{kind} name must not be empty")
    return name


class Catalog:
    """Databases → schemas → tables → columns, plus an optional lazy source.

    Thread-safe: registration may happen from any thread.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.databases: Dict[str, Database] = {}
        self.lazy_source: Optional[Any] = None

    def _database(self, name: str) -> Database:
        db = self.databases.get(name)
        if db is None:
            db = self.databases[name] = Database(name)
        return db

    def _schema(self, database: str, schema: str) -> Schema:
        db = self._database(database)
        sc = db.schemas.get(schema)
        if sc is None:
            sc = db.schemas[schema] = Schema(schema)
        return sc

    def add_database(self, name: str) -> Database:
        """Register a database (idempotent)."""
        _check_name("database", name)
        with self._lock:
            return self._database(name)

    def add_schema(self, database: str, schema: str) -> Schema:
        """Register ``schema`` in ``database`` (idempotent; creates the database)."""
        _check_name("database", database)
        _check_name("schema", schema)
        with self._lock:
            return self._schema(database, schema)

    def add_table(self, database: str, schema: str, table: str, columns: Any) -> Table:
        """Register a table; ``columns`` in riffq 0.1.11's format (see
        ``parse_columns``). Re-registering a table replaces its columns."""
        _check_name("database", database)
        _check_name("schema", schema)
        _check_name("table", table)
        cols = parse_columns(columns)
        with self._lock:
            sc = self._schema(database, schema)
            if table in sc.tables:
                logger.info("table %s.%s.%s registered again: columns replaced",
                            database, schema, table)
            t = sc.tables[table] = Table(table, cols)
            return t

    def set_lazy_source(self, source: Any) -> None:
        """Install a lazy catalog source (see ``riffq.Server.set_lazy_catalog``).

        Raises:
            TypeError: a required method is missing or not callable.
        """
        missing = [m for m in LAZY_SOURCE_METHODS if not callable(getattr(source, m, None))]
        if missing:
            raise TypeError(f"lazy catalog source {type(source).__name__} lacks method(s): "
                            + ", ".join(missing))
        with self._lock:
            self.lazy_source = source

    def tables(self) -> Iterator[Tuple[str, str, Table]]:
        """Yield ``(database, schema, table)`` for every registered table."""
        with self._lock:
            items = [(db.name, sc.name, t) for db in self.databases.values()
                     for sc in db.schemas.values() for t in sc.tables.values()]
        return iter(items)

    def is_empty(self) -> bool:
        """True when nothing was registered and no lazy source is set."""
        return not self.databases and self.lazy_source is None

    def to_dict(self) -> Dict[str, Dict[str, Dict[str, List[Dict[str, Any]]]]]:
        """Plain-data copy: ``{db: {schema: {table: [{"name","type","nullable"}]}}}``."""
        with self._lock:
            return {db.name: {sc.name: {t.name: [{"name": c.name, "type": c.type,
                                                   "nullable": c.nullable} for c in t.columns]
                                        for t in sc.tables.values()}
                              for sc in db.schemas.values()}
                    for db in self.databases.values()}

    def __repr__(self) -> str:
        n_tables = sum(1 for _ in self.tables())
        return (f"<Catalog {len(self.databases)} database(s), {n_tables} table(s)"
                f"{', lazy source' if self.lazy_source is not None else ''}>")
