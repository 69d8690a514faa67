"""In-memory catalog of the databases, schemas and tables a server exposes.

``riffq.Server.register_database/register_schema/register_table/
register_view`` and ``set_lazy_catalog`` store their data here; catalog
emulation (``riffq.pgcatalog``) turns it into ``pg_catalog`` rows. Every
change bumps ``Catalog.version``, which the emulation checks before each
catalog query, so registering, dropping or altering objects while the
server runs shows at once.

Registrations are order-independent, as in riffq 0.1.11 where everything was
collected and applied at ``start()``: registering a schema or table of a
database (or schema) not registered yet creates it.
"""

from __future__ import annotations

import dataclasses
import logging
import threading
from dataclasses import dataclass, field
from typing import Any, Dict, Iterator, List, Optional, Tuple

import pyarrow as pa

from .helpers import arrow_type

__all__ = ["Catalog", "Database", "Schema", "Table", "Column", "ForeignKey", "parse_columns",
           "columns_from_arrow", "LAZY_SOURCE_METHODS"]

logger = logging.getLogger("riffq.catalog")

#: Methods a lazy catalog source must provide (``set_lazy_catalog``).
LAZY_SOURCE_METHODS: Tuple[str, ...] = ("databases", "schemas", "relations", "columns")


@dataclass(frozen=True)
class Column:
    """One table column: name, type (a word such as ``int``/``numeric(12,2)``
    or an Arrow type), nullability, optional default expression and comment."""

    name: str
    type: Any
    nullable: bool
    default: Optional[str] = None
    comment: Optional[str] = None

    @property
    def arrow_type(self) -> Optional[pa.DataType]:
        """The Arrow type of ``type`` (None when the word is unknown)."""
        if isinstance(self.type, pa.DataType):
            return self.type
        return arrow_type(self.type) if isinstance(self.type, str) else None


@dataclass(frozen=True)
class ForeignKey:
    """``FOREIGN KEY (columns) REFERENCES ref_schema.ref_table (ref_columns)``."""

    columns: Tuple[str, ...]
    ref_schema: str
    ref_table: str
    ref_columns: Tuple[str, ...]
    name: Optional[str] = None
    on_delete: str = "NO ACTION"
    on_update: str = "NO ACTION"


@dataclass
class Table:
    """A registered table (or view: ``kind == "view"``) and its columns, in order."""

    name: str
    columns: List[Column] = field(default_factory=list)
    kind: str = "table"
    primary_key: Tuple[str, ...] = ()
    unique: List[Tuple[str, ...]] = field(default_factory=list)
    foreign_keys: List[ForeignKey] = field(default_factory=list)
    comment: Optional[str] = None
    definition: Optional[str] = None  # a view's SELECT
    indexes: List[Tuple[str, Tuple[str, ...], bool]] = field(default_factory=list)  # (name, cols, unique)


@dataclass
class Schema:
    """A registered schema and its tables (by name, in registration order)."""

    name: str
    tables: Dict[str, Table] = field(default_factory=dict)
    comment: Optional[str] = None


@dataclass
class Database:
    """A registered database and its schemas (by name, in registration order)."""

    name: str
    schemas: Dict[str, Schema] = field(default_factory=dict)
    comment: Optional[str] = None
    #: per-database session defaults (PostgreSQL's ALTER DATABASE ... SET)
    settings: Dict[str, str] = field(default_factory=dict)


def _copy_database(db: Database) -> Database:
    return dataclasses.replace(db, settings=dict(db.settings), schemas={
        name: dataclasses.replace(sch, tables={t: _copy_table(tb) for t, tb in sch.tables.items()})
        for name, sch in db.schemas.items()})


def _copy_table(t: Table) -> Table:
    return dataclasses.replace(t, columns=list(t.columns), unique=list(t.unique),
                               foreign_keys=list(t.foreign_keys), indexes=list(t.indexes))


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
        if not isinstance(col_type, (str, pa.DataType)):
            raise TypeError(f"column {name!r} type must be a str or an Arrow type, "
                            f"not {type(col_type).__name__}")
        if not _is_bool(nullable):
            raise TypeError(f"column {name!r} nullable must be a bool, not {type(nullable).__name__}")
        if name in seen:
            raise ValueError(f"duplicate column {name!r}")
        seen.add(name)
        default, comment = desc.get("default"), desc.get("comment")
        for what, v in (("default", default), ("comment", comment)):
            if v is not None and not isinstance(v, str):
                raise TypeError(f"column {name!r} {what} must be a str, not {type(v).__name__}")
        out.append(Column(name, col_type, bool(nullable), default, comment))
    return out


def columns_from_arrow(obj: Any) -> List[Column]:
    """Columns of an Arrow schema, or of a table-like object: a
    ``pyarrow.Schema``/``Table``/``RecordBatch``, anything with
    ``__arrow_c_schema__`` or ``__arrow_c_stream__`` (Polars, nanoarrow...),
    a pandas DataFrame. Nullability comes from the Arrow fields.

    Raises:
        TypeError: ``obj`` carries no Arrow schema.
    """
    schema = _arrow_schema_of(obj)
    return [Column(f.name, f.type, f.nullable) for f in schema]


def _arrow_schema_of(obj: Any) -> pa.Schema:
    if isinstance(obj, pa.Schema):
        return obj
    sch = getattr(obj, "schema", None)
    if isinstance(sch, pa.Schema):
        return sch
    if hasattr(obj, "__arrow_c_schema__"):
        return pa.schema(obj)
    if hasattr(obj, "__arrow_c_stream__"):
        return pa.RecordBatchReader.from_stream(obj).schema
    if type(obj).__module__.startswith("pandas"):
        return pa.Schema.from_pandas(obj, preserve_index=False)
    if hasattr(obj, "to_arrow"):
        return _arrow_schema_of(obj.to_arrow())
    raise TypeError(f"no Arrow schema in {type(obj).__name__}")


def is_arrow_like(obj: Any) -> bool:
    """True for the objects ``columns_from_arrow`` reads (not riffq's column list)."""
    if isinstance(obj, list):
        return False
    return (isinstance(obj, pa.Schema) or isinstance(getattr(obj, "schema", None), pa.Schema)
            or hasattr(obj, "__arrow_c_schema__") or hasattr(obj, "__arrow_c_stream__")
            or type(obj).__module__.startswith(("pandas", "polars")))


def _key_tuple(what: str, cols: Any) -> Tuple[str, ...]:
    if isinstance(cols, str):
        cols = [cols]
    if not isinstance(cols, (list, tuple)) or not all(isinstance(c, str) for c in cols):
        raise TypeError(f"{what} must be a column name or a list of column names")
    return tuple(cols)


def _foreign_key(fk: Any) -> ForeignKey:
    if isinstance(fk, ForeignKey):
        return fk
    if not isinstance(fk, dict) or "columns" not in fk or "references" not in fk:
        raise TypeError('foreign key must be a dict with "columns" and "references"')
    ref = fk["references"]
    ref_schema, _, ref_table = ref.rpartition(".") if isinstance(ref, str) else ("", "", "")
    if not ref_table:
        raise ValueError('foreign key "references" must be "table" or "schema.table"')
    cols = _key_tuple("foreign key columns", fk["columns"])
    ref_cols = _key_tuple("foreign key ref_columns", fk.get("ref_columns", cols))
    if len(ref_cols) != len(cols):
        raise ValueError("foreign key columns and ref_columns differ in length")
    return ForeignKey(cols, ref_schema or "", ref_table, ref_cols, fk.get("name"),
                      str(fk.get("on_delete", "NO ACTION")).upper(),
                      str(fk.get("on_update", "NO ACTION")).upper())


def _build_table(name: str, columns: Any, *, primary_key: Any = None, unique: Any = None,
                 foreign_keys: Any = None, comment: Optional[str] = None,
                 column_comments: Optional[Dict[str, str]] = None, kind: str = "table",
                 definition: Optional[str] = None, indexes: Any = None) -> Table:
    cols = columns_from_arrow(columns) if is_arrow_like(columns) else parse_columns(columns)
    names = {c.name for c in cols}
    if column_comments:
        unknown = set(column_comments) - names
        if unknown:
            raise ValueError(f"column_comments names unknown column(s): {sorted(unknown)}")
        cols = [Column(c.name, c.type, c.nullable, c.default,
                       column_comments.get(c.name, c.comment)) for c in cols]
    pk = _key_tuple("primary_key", primary_key) if primary_key else ()
    uniq = [_key_tuple("unique", u) for u in (unique or [])]
    fks = [_foreign_key(fk) for fk in (foreign_keys or [])]
    for key in [pk, *uniq, *[fk.columns for fk in fks]]:
        missing = [c for c in key if c not in names]
        if missing:
            raise ValueError(f"table {name!r} has no column(s) {missing}")
    if pk:  # PostgreSQL: primary key columns are NOT NULL
        cols = [Column(c.name, c.type, False if c.name in pk else c.nullable, c.default,
                       c.comment) for c in cols]
    if kind not in ("table", "view"):
        raise ValueError('kind must be "table" or "view"')
    idx = [(str(n), _key_tuple("index columns", c), bool(u)) for n, c, u in (indexes or [])]
    for _n, key, _u in idx:
        if any(c not in names for c in key):
            raise ValueError(f"table {name!r}: index on unknown column(s) {list(key)}")
    return Table(name, cols, kind, pk, uniq, fks, comment, definition, idx)


def _check_name(kind: str, name: Any) -> str:
    if not isinstance(name, str):
        raise TypeError(f"{kind} name must be a str, not {type(name).__name__}")
    if not name:
        raise ValueError(f"{kind} name must not be empty")
    return name


class Catalog:
    """Databases → schemas → tables → columns, plus an optional lazy source.

    Thread-safe: registration may happen from any thread, also while the
    server runs. ``version`` grows with every change.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.databases: Dict[str, Database] = {}
        self.lazy_source: Optional[Any] = None
        self.version = 0

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

    def _changed(self) -> None:
        self.version += 1

    def add_database(self, name: str, comment: Optional[str] = None) -> Database:
        """Register a database (idempotent)."""
        _check_name("database", name)
        with self._lock:
            db = self._database(name)
            if comment is not None:
                db.comment = comment
            self._changed()
            return db

    def add_schema(self, database: str, schema: str, comment: Optional[str] = None) -> Schema:
        """Register ``schema`` in ``database`` (idempotent; creates the database)."""
        _check_name("database", database)
        _check_name("schema", schema)
        with self._lock:
            sc = self._schema(database, schema)
            if comment is not None:
                sc.comment = comment
            self._changed()
            return sc

    def add_table(self, database: str, schema: str, table: str, columns: Any,
                  **extras: Any) -> Table:
        """Register a table; ``columns`` in riffq 0.1.11's format (see
        ``parse_columns``) or any Arrow schema / table-like object (see
        ``columns_from_arrow``). ``extras``: ``primary_key``, ``unique``,
        ``foreign_keys``, ``comment``, ``column_comments``, ``kind``,
        ``definition`` (see ``riffq.Server.register_table``). Registering
        a table again replaces it (an ALTER, as far as clients can see)."""
        _check_name("database", database)
        _check_name("schema", schema)
        _check_name("table", table)
        t = _build_table(table, columns, **extras)
        with self._lock:
            sc = self._schema(database, schema)
            if table in sc.tables:
                logger.info("table %s.%s.%s registered again: replaced", database, schema, table)
            sc.tables[table] = t
            self._changed()
            return t

    def drop_table(self, database: str, schema: str, table: str) -> bool:
        """Forget a table or view; False when it was not registered."""
        with self._lock:
            sc = self.databases.get(database, Database(database)).schemas.get(schema)
            if sc is None or sc.tables.pop(table, None) is None:
                return False
            self._changed()
            return True

    def drop_schema(self, database: str, schema: str) -> bool:
        """Forget a schema and its tables; False when it was not registered."""
        with self._lock:
            db = self.databases.get(database)
            if db is None or db.schemas.pop(schema, None) is None:
                return False
            self._changed()
            return True

    def drop_database(self, database: str) -> bool:
        """Forget a database and everything in it; False when unknown."""
        with self._lock:
            if self.databases.pop(database, None) is None:
                return False
            self._changed()
            return True

    def replace_database(self, db: Database) -> None:
        """Swap in a whole database at once (``register_duckdb`` resync)."""
        with self._lock:
            self.databases[db.name] = db
            self._changed()

    def snapshot(self) -> Tuple[int, List[Database]]:
        """(version, deep-enough copy of the databases) taken under the lock:
        the containers are copied, the frozen Column and ForeignKey objects
        shared (copy.deepcopy of every column was 0.6 s of a 2,000-table
        catalog's resync)."""
        with self._lock:
            return self.version, [_copy_database(db) for db in self.databases.values()]

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
            self._changed()

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
            return {db.name: {sc.name: {t.name: [{"name": c.name, "type": str(c.type),
                                                   "nullable": c.nullable} for c in t.columns]
                                        for t in sc.tables.values()}
                              for sc in db.schemas.values()}
                    for db in self.databases.values()}

    def __repr__(self) -> str:
        n_tables = sum(1 for _ in self.tables())
        return (f"<Catalog {len(self.databases)} database(s), {n_tables} table(s)"
                f"{', lazy source' if self.lazy_source is not None else ''}>")
