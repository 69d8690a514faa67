"""``register_duckdb``: register what a DuckDB database holds.

Reads DuckDB's own catalog functions (``duckdb_schemas()``,
``duckdb_tables()``, ``duckdb_views()``, ``duckdb_columns()``,
``duckdb_constraints()``, ``duckdb_indexes()``) through a cursor of the
user's connection, and the exact Arrow type of every column from a
zero-row ``SELECT *``: the catalog then reports the very types the query
results (``fetch_record_batch``) will carry.

Calling it again replaces the whole database at once, so tables created,
dropped or altered in DuckDB since show up (or vanish) for clients.
"""

from __future__ import annotations

from typing import Any, List, Optional, Sequence, Tuple

from ..catalog import Catalog, Column, Database, ForeignKey, Schema, Table
from .schema import sql_literal

__all__ = ["register_duckdb"]

_SKIP_SCHEMAS = {"information_schema", "pg_catalog"}


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def register_duckdb(catalog: Catalog, con: Any, database: Optional[str] = None,
                    schemas: Optional[Sequence[str]] = None) -> str:
    """Register DuckDB connection ``con``'s current database in ``catalog``
    (see ``riffq.Server.register_duckdb``); returns the database name."""
    cur = con.cursor()
    try:
        duck_db = cur.execute("SELECT current_database()").fetchone()[0]
        name = database or duck_db
        db = Database(name)
        for sname, comment in _schemas(cur, duck_db, schemas):
            db.schemas[sname] = Schema(sname, {}, comment)
        _tables(cur, duck_db, db)
        _views(cur, duck_db, db)
        _constraints(cur, duck_db, db)
        _indexes(cur, duck_db, db)
        if "main" in db.schemas:
            # DuckDB's default schema: unqualified names resolve there, so
            # sessions of this database search it (ALTER DATABASE SET search_path)
            db.settings["search_path"] = '"$user", main, public'

    finally:
        cur.close()
    catalog.replace_database(db)
    return name


def _schemas(cur: Any, duck_db: str, only: Optional[Sequence[str]]) -> List[Tuple[str, Any]]:
    rows = cur.execute("SELECT schema_name, comment FROM duckdb_schemas() "
                       f"WHERE database_name = {sql_literal(duck_db)} ORDER BY schema_name"
                       ).fetchall()
    return [(s, c) for s, c in rows if s not in _SKIP_SCHEMAS and (only is None or s in only)]


def _columns(cur: Any, duck_db: str, schema: str, table: str) -> List[Column]:
    meta = cur.execute(
        "SELECT column_name, is_nullable, column_default, comment FROM duckdb_columns() "
        f"WHERE database_name = {sql_literal(duck_db)} AND schema_name = {sql_literal(schema)}"
        f" AND table_name = {sql_literal(table)} ORDER BY column_index").fetchall()
    rel = cur.execute(f"SELECT * FROM {_q(duck_db)}.{_q(schema)}.{_q(table)} LIMIT 0")
    arrow = (getattr(rel, "to_arrow_table", None) or rel.fetch_arrow_table)().schema
    return [Column(n, arrow.field(i).type, bool(nullable), default, comment)
            for i, (n, nullable, default, comment) in enumerate(meta)]


def _tables(cur: Any, duck_db: str, db: Database) -> None:
    rows = cur.execute("SELECT schema_name, table_name, comment FROM duckdb_tables() "
                       f"WHERE database_name = {sql_literal(duck_db)} AND NOT internal"
                       " ORDER BY table_oid").fetchall()
    for schema, table, comment in rows:
        if schema in db.schemas:
            db.schemas[schema].tables[table] = Table(
                table, _columns(cur, duck_db, schema, table), comment=comment)


def _views(cur: Any, duck_db: str, db: Database) -> None:
    rows = cur.execute("SELECT schema_name, view_name, sql, comment FROM duckdb_views() "
                       f"WHERE database_name = {sql_literal(duck_db)} AND NOT internal"
                       " ORDER BY view_oid").fetchall()
    for schema, view, sql, comment in rows:
        if schema in db.schemas:
            definition = _view_select(sql)
            db.schemas[schema].tables[view] = Table(
                view, _columns(cur, duck_db, schema, view), kind="view", comment=comment,
                definition=definition)


def _view_select(sql: Optional[str]) -> Optional[str]:
    """The SELECT of a ``CREATE VIEW ... AS SELECT ...;`` text (DuckDB's own
    canonical form, so the first top-level `` AS `` ends the header)."""
    if not sql:
        return None
    head, sep, body = sql.partition(" AS ")
    return " " + body.rstrip().rstrip(";") + ";" if sep else None


def _constraints(cur: Any, duck_db: str, db: Database) -> None:
    rows = cur.execute(
        "SELECT schema_name, table_name, constraint_type, constraint_column_names, "
        "referenced_table, referenced_column_names, constraint_name FROM duckdb_constraints() "
        f"WHERE database_name = {sql_literal(duck_db)}"
        " AND constraint_type IN ('PRIMARY KEY', 'UNIQUE', 'FOREIGN KEY') "
        "ORDER BY table_oid, constraint_index").fetchall()
    for schema, table, ctype, cols, ref_table, ref_cols, cname in rows:
        t = db.schemas.get(schema, Schema(schema)).tables.get(table)
        if t is None:
            continue
        key = tuple(cols)
        if ctype == "PRIMARY KEY":
            t.primary_key = key
            t.columns = [Column(c.name, c.type, False if c.name in key else c.nullable,
                                c.default, c.comment) for c in t.columns]
        elif ctype == "UNIQUE" and key not in t.unique:
            t.unique.append(key)
        elif ctype == "FOREIGN KEY" and ref_table and tuple(ref_cols) and \
                not any(fk.columns == key for fk in t.foreign_keys):
            t.foreign_keys.append(ForeignKey(key, schema, ref_table, tuple(ref_cols)))


def _indexes(cur: Any, duck_db: str, db: Database) -> None:
    rows = cur.execute("SELECT schema_name, table_name, index_name, is_unique, expressions "
                       f"FROM duckdb_indexes() WHERE database_name = {sql_literal(duck_db)}"
                       ).fetchall()
    for schema, table, name, unique, expressions in rows:
        t = db.schemas.get(schema, Schema(schema)).tables.get(table)
        cols = _index_columns(expressions, t)
        if t is not None and cols:
            t.indexes.append((name, cols, bool(unique)))


def _index_columns(expressions: Any, t: Optional[Table]) -> Tuple[str, ...]:
    """Column names of a plain-column index (expression indexes are skipped)."""
    if t is None or not expressions:
        return ()
    text = str(expressions).strip("[]")
    names = {c.name.lower(): c.name for c in t.columns}
    out = []
    for part in text.split(","):
        part = part.strip().strip('"').lower()
        if part not in names:
            return ()
        out.append(names[part])
    return tuple(out)
