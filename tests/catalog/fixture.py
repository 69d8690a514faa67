"""The schema every catalog-emulation test uses (issue 5), in one place.

One description (``TABLES``, ``VIEWS``, ``ROWS``) is turned into:

- PostgreSQL 15 DDL + rows for the reference server (``create_pg_database``);
- DuckDB DDL + rows (``load_duckdb``): the data riffq's test handler answers
  data queries from, and the source of the ``register_duckdb`` path;
- riffq registrations (``register_catalog``: ``register_database`` /
  ``register_schema`` / ``register_table`` / ``register_view`` with the
  constraint and comment keywords of issue 5), or ``register_duckdb_catalog``
  (``register_duckdb(con, database=...)``).

Layout (database ``appdb``):

- ``public.products``: PK, a UNIQUE constraint, table + column comment;
- ``sales.customers``: PK, UNIQUE ``email``, comment;
- ``sales.orders``: PK, FK ``customer_id`` -> ``sales.customers(id)``, every
  type of the list below, comments;
- ``sales.order_summary``: a view over ``sales.orders``.

The FK stays inside schema ``sales`` because DuckDB refuses foreign keys
across schemas. No column has a default (registration has no way to
declare one).

Known differences of the DuckDB path (DuckDB forgets them; tests map the
PostgreSQL side with ``DUCKDB_TYPE_LOSS`` before comparing): varchar(40)
becomes text, jsonb becomes json (DuckDB only has JSON), the view's column
types and its definition text come from DuckDB.
"""

from __future__ import annotations

import datetime as dt
import decimal
import json
import logging
import uuid
from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional, Sequence, Tuple

logger = logging.getLogger("riffq.tests.catalog.fixture")

DATABASE = "appdb"
SCHEMAS: Tuple[str, ...] = ("public", "sales")
# The role both servers are connected as, so owner columns can match.
USER = "postgres"


@dataclass(frozen=True)
class Col:
    """A column: name, PostgreSQL type as written in DDL, nullability."""

    name: str
    type: str
    nullable: bool = True


@dataclass(frozen=True)
class ForeignKey:
    """``columns`` of the owning table reference ``references(ref_columns)``."""

    columns: Tuple[str, ...]
    references: str  # "schema.table"
    ref_columns: Tuple[str, ...]


@dataclass(frozen=True)
class TableSpec:
    """A table with its constraints and comments."""

    schema: str
    name: str
    columns: Tuple[Col, ...]
    primary_key: Tuple[str, ...] = ()
    foreign_keys: Tuple[ForeignKey, ...] = ()
    unique: Tuple[Tuple[str, ...], ...] = ()
    comment: Optional[str] = None
    column_comments: Dict[str, str] = field(default_factory=dict)

    @property
    def qualified(self) -> str:
        return f"{self.schema}.{self.name}"


@dataclass(frozen=True)
class ViewSpec:
    """A view; ``definition`` is the SELECT exactly as PostgreSQL 15's
    ``pg_get_viewdef`` prints it (psql \\d+ shows it verbatim)."""

    schema: str
    name: str
    columns: Tuple[Col, ...]
    definition: str
    create_sql: str

    @property
    def qualified(self) -> str:
        return f"{self.schema}.{self.name}"


TABLES: Tuple[TableSpec, ...] = (
    TableSpec(
        "public", "products",
        (Col("product_id", "int8", False), Col("sku", "varchar(40)", False),
         Col("title", "text"), Col("price", "numeric(12,2)", False), Col("weight", "float8"),
         Col("in_stock", "bool", False), Col("attrs", "jsonb"), Col("labels", "text[]"),
         Col("image", "bytea")),
        primary_key=("product_id",), unique=(("sku",),),
        comment="Products on sale", column_comments={"sku": "Stock keeping unit"}),
    TableSpec(
        "sales", "customers",
        (Col("id", "int4", False), Col("email", "varchar(40)", False), Col("name", "text"),
         Col("active", "bool", False), Col("created_at", "timestamptz"), Col("tags", "text[]")),
        primary_key=("id",), unique=(("email",),), comment="Customers"),
    TableSpec(
        "sales", "orders",
        (Col("order_id", "int8", False), Col("customer_id", "int4", False),
         Col("amount", "numeric(12,2)", False), Col("discount", "float8"),
         Col("order_date", "date", False), Col("shipped_at", "timestamp"), Col("ref", "uuid"),
         Col("details", "jsonb"), Col("note", "text"), Col("payload", "bytea"),
         Col("lead_time", "interval")),
        primary_key=("order_id",),
        foreign_keys=(ForeignKey(("customer_id",), "sales.customers", ("id",)),),
        comment="One row per order",
        column_comments={"amount": "Total in EUR, VAT included", "ref": "External reference"}),
)

VIEWS: Tuple[ViewSpec, ...] = (
    ViewSpec(
        "sales", "order_summary",
        (Col("customer_id", "int4"), Col("n", "int8"), Col("total", "numeric")),
        definition=(" SELECT orders.customer_id,\n"
                    "    count(*) AS n,\n"
                    "    sum(orders.amount) AS total\n"
                    "   FROM sales.orders\n"
                    "  GROUP BY orders.customer_id;"),
        create_sql=("SELECT customer_id, count(*) AS n, sum(amount) AS total "
                    "FROM sales.orders GROUP BY customer_id")),
)

_UTC = dt.timezone.utc

#: Rows per table (values in column order), Python values both databases accept.
ROWS: Dict[str, List[Tuple[Any, ...]]] = {
    "public.products": [
        (1, "SKU-001", "Kettle", decimal.Decimal("29.90"), 1.25, True, {"color": "red"},
         ["kitchen", "sale"], b"\x00\x01\xff"),
        (2, "SKU-002", None, decimal.Decimal("1000000.00"), None, False, None, [], None),
    ],
    "sales.customers": [
        (1, "ada@example.com", "Ada", True, dt.datetime(2024, 1, 2, 3, 4, 5, tzinfo=_UTC),
         ["vip", "eu"]),
        (2, "bob@example.com", None, False, None, None),
        (3, "cy@example.com", "Cy", True, dt.datetime(2023, 12, 31, 23, 59, 59, tzinfo=_UTC), []),
    ],
    "sales.orders": [
        (10, 1, decimal.Decimal("120.50"), 0.1, dt.date(2024, 2, 29),
         dt.datetime(2024, 3, 1, 8, 30), uuid.UUID("a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11"),
         {"lines": [1, 2], "gift": False}, "first", b"\xde\xad", dt.timedelta(days=2, hours=3)),
        (11, 1, decimal.Decimal("-3.00"), None, dt.date(2024, 3, 1), None, None, None, None,
         None, None),
        (12, 3, decimal.Decimal("9999999999.99"), 0.0, dt.date(2024, 3, 2),
         dt.datetime(2024, 3, 3, 0, 0), uuid.UUID("00000000-0000-0000-0000-000000000001"),
         {}, "", b"", dt.timedelta(minutes=90)),
    ],
}

#: PostgreSQL 15 type text (format_type / psql) -> what the DuckDB path can
#: know of it. Applied to the PostgreSQL side when comparing the DuckDB path.
DUCKDB_TYPE_LOSS: Dict[str, str] = {
    "character varying(40)": "text",  # DuckDB's VARCHAR has no length: PostgreSQL text
    "jsonb": "json",
}

_DUCKDB_TYPES = {"jsonb": "JSON", "text[]": "VARCHAR[]"}


def table(qualified: str) -> TableSpec:
    """The TableSpec of ``schema.name``."""
    for t in TABLES:
        if t.qualified == qualified:
            return t
    raise KeyError(qualified)


def _quote_lit(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _table_ddl(t: TableSpec, type_map: Dict[str, str]) -> str:
    parts = [f"{c.name} {type_map.get(c.type, c.type)}{'' if c.nullable else ' NOT NULL'}"
             for c in t.columns]
    if t.primary_key:
        parts.append(f"PRIMARY KEY ({', '.join(t.primary_key)})")
    for u in t.unique:
        parts.append(f"UNIQUE ({', '.join(u)})")
    for fk in t.foreign_keys:
        parts.append(f"FOREIGN KEY ({', '.join(fk.columns)}) REFERENCES "
                     f"{fk.references} ({', '.join(fk.ref_columns)})")
    return f"CREATE TABLE {t.qualified} (\n  " + ",\n  ".join(parts) + "\n)"


def _comment_ddl(t: TableSpec) -> List[str]:
    out = []
    if t.comment is not None:
        out.append(f"COMMENT ON TABLE {t.qualified} IS {_quote_lit(t.comment)}")
    for col, text in t.column_comments.items():
        out.append(f"COMMENT ON COLUMN {t.qualified}.{col} IS {_quote_lit(text)}")
    return out


def ddl(dialect: str = "postgres") -> List[str]:
    """The statements creating the schema (``postgres`` or ``duckdb``); the
    DuckDB variant creates schema ``public`` too (DuckDB's default is ``main``)."""
    type_map = _DUCKDB_TYPES if dialect == "duckdb" else {}
    stmts = [f"CREATE SCHEMA {s}" for s in SCHEMAS if s != "public" or dialect == "duckdb"]
    for t in TABLES:
        stmts.append(_table_ddl(t, type_map))
        stmts.extend(_comment_ddl(t))
    for v in VIEWS:
        stmts.append(f"CREATE VIEW {v.qualified} AS {v.create_sql}")
    return stmts


def _insert_sql(t: TableSpec, placeholder: str) -> str:
    marks = ", ".join(placeholder for _ in t.columns)
    return f"INSERT INTO {t.qualified} VALUES ({marks})"


def create_pg_database(admin_dsn: str, database: str = DATABASE) -> str:
    """(Re)create ``database`` on a PostgreSQL server with the fixture
    schema and rows; returns a libpq DSN for it (as ``USER``)."""
    import psycopg
    from psycopg.types.json import Jsonb

    with psycopg.connect(admin_dsn, autocommit=True) as admin:
        admin.execute(f"DROP DATABASE IF EXISTS {database}")
        admin.execute(f"CREATE DATABASE {database}")
    dsn = _with_dbname(admin_dsn, database)
    with psycopg.connect(dsn) as con:
        for stmt in ddl("postgres"):
            con.execute(stmt)
        for t in TABLES:
            rows = [tuple(Jsonb(v) if isinstance(v, dict) else v for v in r)
                    for r in ROWS[t.qualified]]
            with con.cursor() as cur:
                cur.executemany(_insert_sql(t, "%s"), rows)
    logger.info("fixture database %s created", database)
    return dsn


def _with_dbname(dsn: str, database: str) -> str:
    parts = [p for p in dsn.split() if not p.startswith("dbname=")]
    return " ".join(parts + [f"dbname={database}"])


def load_duckdb(con: Any) -> Any:
    """Create the fixture schema and rows in DuckDB connection ``con``."""
    for stmt in ddl("duckdb"):
        con.execute(stmt)
    for t in TABLES:
        rows = [tuple(json.dumps(v) if isinstance(v, dict) else v for v in r)
                for r in ROWS[t.qualified]]
        con.executemany(_insert_sql(t, "?"), rows)
    return con


def riffq_columns(cols: Sequence[Col]) -> List[Dict[str, Dict[str, Any]]]:
    """Columns in riffq's registration format, types as PostgreSQL names."""
    return [{c.name: {"type": c.type, "nullable": c.nullable}} for c in cols]


def register_catalog(server: Any, database: str = DATABASE) -> None:
    """Register the fixture with riffq's registration API (issue 5 keywords:
    ``primary_key``, ``foreign_keys``, ``unique``, ``comment``,
    ``column_comments``; ``register_view(db, schema, name, columns, definition=)``)."""
    server.register_database(database)
    for s in SCHEMAS:
        server.register_schema(database, s)
    for t in TABLES:
        server.register_table(
            database, t.schema, t.name, riffq_columns(t.columns),
            primary_key=list(t.primary_key),
            foreign_keys=[{"columns": list(fk.columns), "references": fk.references,
                           "ref_columns": list(fk.ref_columns)} for fk in t.foreign_keys],
            unique=[list(u) for u in t.unique],
            comment=t.comment, column_comments=dict(t.column_comments))
    for v in VIEWS:
        server.register_view(database, v.schema, v.name, riffq_columns(v.columns),
                             definition=v.definition)


def register_duckdb_catalog(server: Any, con: Any, database: str = DATABASE) -> None:
    """Register the fixture from a DuckDB connection holding it
    (``load_duckdb``) with ``register_duckdb(con, database=..., schemas=...)``
    (naming the schemas leaves out DuckDB's empty default schema ``main``)."""
    server.register_duckdb(con, database=database, schemas=list(SCHEMAS))
