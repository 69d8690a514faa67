"""Routing: which statements the catalog emulation answers.

``CatalogRouter`` sits in front of the user's query handler when a server
runs with ``catalog_emulation=True``:

- statements that read only catalog objects (``rewrite.classify``) run in
  the catalog engine's DuckDB, rewritten from PostgreSQL SQL;
- ``SET`` / ``RESET`` / ``SHOW`` of PostgreSQL's own parameters change or
  read the session's settings (ParameterStatus goes to the client for the
  reported ones; TimeZone also retimes timestamptz results);
- everything else, including SQL no parser accepts and SET of parameters
  PostgreSQL does not know (``SET threads = 4`` for the user's DuckDB),
  reaches the user's handler untouched.

It also installs the login hook (database must exist: FATAL 3D000) and
forgets sessions on disconnect.
"""

from __future__ import annotations

import logging
import re
import time
from array import array
from typing import Any, Callable, Dict, List, Optional, Sequence, Tuple

import pyarrow as pa

from . import derived
from . import lazy as lazy_mod
from . import rewrite
from .engine import CatalogEngine, CatalogError, Session
from .schema import sql_literal
from .settings import REPORTED, SettingError

__all__ = ["CatalogRouter"]

logger = logging.getLogger("riffq.catalog")

# SET TRANSACTION / SESSION CHARACTERISTICS items -> the parameter they set.
_TXN_ITEMS = {"transaction_isolation": "transaction_isolation",
              "transaction_read_only": "transaction_read_only",
              "transaction_deferrable": "transaction_deferrable"}


def _error(cb: Any, sqlstate: str, message: str) -> None:
    cb(("ERROR", sqlstate, message), is_error=True)


class CatalogRouter:
    """Wraps the user's handlers (see module docstring)."""

    def __init__(self, engine: CatalogEngine, user_query: Callable[..., Any],
                 user_disconnect: Optional[Callable[..., Any]],
                 user_param_types: Optional[Callable[..., Any]] = None) -> None:
        self.engine = engine
        self.user_query = user_query
        self.user_disconnect = user_disconnect
        from ..server import adapt_handler

        self.user_param_types = (adapt_handler(user_param_types, 2, ("connection_id",))
                                 if user_param_types is not None else None)

    # ---- hooks the core calls ----
    def on_login(self, conn_id: int, user: str, database: Optional[str], app: Optional[str],
                 ip: str, port: int, pid: int, timezone: Optional[str],
                 tls: Optional[Tuple[str, str, int]], cb: Any) -> None:
        """Accept the session, or refuse it with FATAL 3D000 & co. ``tls``:
        the connection's (protocol, cipher, bits), None when unencrypted."""
        try:
            self.engine.login(conn_id, user, database or user, app, ip, port, pid, timezone,
                              tls)
        except CatalogError as exc:
            cb(False, exc.message, "FATAL", exc.sqlstate)
            return
        except lazy_mod.LazySourceError as exc:
            cb(False, str(exc), "FATAL", exc.sqlstate)
            return
        cb(True)

    def on_disconnect(self, conn_id: int, ip: str, port: int) -> None:
        """Forget the session, then tell the user's handler."""
        self.engine.logout(conn_id)
        if self.user_disconnect is not None:
            self.user_disconnect(conn_id, ip, port)

    def on_query(self, sql: str, callback: Any, connection_id: int = 0,
                 do_describe: bool = False, query_args: Optional[List[Any]] = None,
                 param_types: Optional[List[int]] = None) -> Any:
        """Answer catalog statements here, pass the rest on."""
        sess = self.engine.session(connection_id)
        if sess is not None:
            self.engine.note_statement(sess, sql)
            cls = rewrite.classify(sql)
            kind = getattr(cls, "kind", "other")
            if logger.isEnabledFor(logging.DEBUG):
                logger.debug("conn %s: %s statement: %.200r params=%r", connection_id, kind, sql,
                             query_args)
            try:
                if kind == "catalog_query" or (kind == "other" and getattr(cls, "is_catalog", False)):
                    return self._catalog_query(sess, sql, callback, query_args)
                if kind in ("set", "reset", "show") and self._settings_stmt(sess, sql, callback):
                    return None
            except (CatalogError, SettingError, lazy_mod.LazySourceError) as exc:
                return _error(callback, exc.sqlstate, getattr(exc, "message", str(exc)))
        kwargs = {"connection_id": connection_id, "do_describe": do_describe}
        if query_args is not None or param_types is not None:
            kwargs.update(query_args=query_args, param_types=param_types)
        return self.user_query(sql, callback, **kwargs)

    def on_parameter_types(self, sql: str, nparams: int,
                           connection_id: Optional[int] = None) -> Optional[List[Any]]:
        """Parameter types of a catalog statement, as PostgreSQL infers them
        (``oid = $1`` -> oid); other statements ask the user's hook."""
        sess = self.engine.session(connection_id or 0)
        if sess is not None and rewrite.classify(sql).kind == "catalog_query":
            try:
                named = rewrite.rewrite(sql).param_types
            except Exception:  # the Execute will report it
                return None
            return [self._type_oid(named.get(i + 1)) for i in range(nparams)]
        if self.user_param_types is None:
            return None
        return self.user_param_types(sql, nparams, connection_id=connection_id)

    def _type_oid(self, name: Optional[str]) -> Optional[int]:
        if not name:
            return None
        try:
            return self.engine.resolver.resolve(name).oid
        except Exception:
            return None

    # ---- catalog queries ----
    def _catalog_query(self, sess: Session, sql: str, cb: Any,
                       params: Optional[Sequence[Any]]) -> None:
        with self.engine.busy():
            self._answer(sess, sql, cb, params)

    def _answer(self, sess: Session, sql: str, cb: Any,
                params: Optional[Sequence[Any]]) -> None:
        # statement_timeout counts from here: the rewrite and the waits too
        timeout_ms = sess.settings.millis("statement_timeout")
        deadline = time.monotonic() + timeout_ms / 1000 if timeout_ms > 0 else None
        try:
            res = rewrite.rewrite(sql)
        except Exception as exc:
            code = getattr(exc, "sqlstate", None)
            if code is None:
                raise
            return _error(cb, code, getattr(exc, "message", str(exc)))
        duck_sql = res.sql
        configs = res.bound_set_configs(params)
        self.engine.refresh(sess)
        with sess.lock:
            cur = self.engine.cursor(sess)
            # set_config()'s results: the new values as SHOW prints them (or their errors)
            shown = sess.settings.preview([(c.name, "" if c.value is None else c.value)
                                           for c in configs]) if configs else []
            kinds = self.engine.statement_kinds(duck_sql)
            key = self.engine.cache_key(sess, duck_sql, params, kinds)
            table = self.engine.results.get(key) if key is not None else None
            watched = None
            try:
                if shown:
                    cur.execute(";".join(f"SET VARIABLE {rewrite.SET_CONFIG_VAR.format(i)} ="
                                         f" {sql_literal(v)}" for i, v in enumerate(shown)))
                if table is None:
                    self.engine.ensure_derived(sess, cur, derived.families_of(duck_sql))
                    if kinds is None or "activity" in kinds:
                        self.engine.ensure_activity()
                    if deadline is not None and time.monotonic() >= deadline:
                        return _error(cb, "57014", "canceling statement due to statement timeout")
                    with self.engine.watch(cb, cur, deadline) as watched:
                        table = _run(cur, session_constants(sess, duck_sql), params)
                    table = _mark_types(table, res.output_types)
                    if key is not None:
                        self.engine.results.put(key, table)
            except Exception as exc:
                if getattr(cb, "done", False):  # cancelled, timed out: answered already
                    logger.info("catalog query interrupted: %s", sql)
                    return None
                if watched is not None and watched.timed_out:
                    return _error(cb, "57014", "canceling statement due to statement timeout")
                code, msg = _duckdb_error(exc)
                logger.info("catalog query failed (%s: %s): %s -> %s", code, msg, sql, duck_sql,
                            exc_info=logger.isEnabledFor(logging.DEBUG))
                return _error(cb, code, msg)
        # set_config(): the query saw the old value (PostgreSQL evaluates the
        # select list before the change takes effect for later statements).
        for item in configs:
            self._apply(sess, item.name, item.value, cb, explicit=True)
        if not getattr(cb, "done", False):  # (cancelled meanwhile: answered already)
            cb(table)

    # ---- SET / RESET / SHOW ----
    def _settings_stmt(self, sess: Session, sql: str, cb: Any) -> bool:
        """Handle a SET/RESET/SHOW of a PostgreSQL parameter; False to pass
        it on (a parameter PostgreSQL does not know: the user's engine may)."""
        import pglast

        try:
            stmts = pglast.parse_sql(sql)
        except pglast.parser.ParseError:
            return False
        if len(stmts) != 1:
            return False
        node = stmts[0].stmt
        kind = type(node).__name__
        if kind == "VariableShowStmt":
            return self._show(sess, node.name, cb)
        if kind == "VariableSetStmt":
            return self._set(sess, node, cb)
        return False

    def _known(self, sess: Session, name: str) -> bool:
        try:
            sess.settings.get(name)
            return True
        except SettingError:
            return "." in name

    def _show(self, sess: Session, name: str, cb: Any) -> bool:
        if name.lower() == "all":
            rows = sess.settings.items()
            cb(_text_table({"name": [r[0] for r in rows], "setting": [r[1] for r in rows],
                            "description": [r[2] for r in rows]}))
            return True
        if not self._known(sess, name):
            return False
        cb(_text_table({sess.settings.display_name(name): [sess.settings.get(name)]}))
        return True

    def _set(self, sess: Session, node: Any, cb: Any) -> bool:
        kind = node.kind.name if hasattr(node.kind, "name") else str(node.kind)
        if kind == "VAR_RESET_ALL":
            for name, value in sess.settings.reset_all():
                self._report(sess, name, value, cb)
            sess.vars_dirty = True
            cb("RESET", is_tag=True)
            return True
        name = node.name or ""
        if kind == "VAR_SET_MULTI":
            return self._set_multi(sess, node, cb)
        if not self._known(sess, name):
            return False
        if kind in ("VAR_RESET", "VAR_SET_DEFAULT"):
            self._apply(sess, name, None, cb)
        elif kind == "VAR_SET_CURRENT":
            pass  # SET x FROM CURRENT: the value stays
        else:
            self._apply(sess, name, _set_value(name, node.args or ()), cb)
        cb("RESET" if kind == "VAR_RESET" else "SET", is_tag=True)
        return True

    def _set_multi(self, sess: Session, node: Any, cb: Any) -> bool:
        prefix = "" if node.name == "TRANSACTION" else "default_"
        if node.name not in ("TRANSACTION", "SESSION CHARACTERISTICS"):
            return False
        for item in node.args or ():
            param = _TXN_ITEMS.get(item.defname)
            if param is not None:
                self._apply(sess, prefix + param, str(_const(item.arg)), cb)
        cb("SET", is_tag=True)
        return True

    def _apply(self, sess: Session, name: str, value: Optional[str], cb: Any,
               explicit: bool = False) -> None:
        """SET name = value (None: DEFAULT, unless ``explicit``: set_config
        with a NULL value sets the empty string, as PostgreSQL does)."""
        if explicit and value is None:
            value = ""
        key, new = sess.settings.set(name, value)
        self._report(sess, key, new, cb)
        sess.vars_dirty = True

    def _report(self, sess: Session, key: str, value: str, cb: Any) -> None:
        if key not in REPORTED:
            return
        display = sess.settings.display_name(key)
        try:
            reported = cb.set_parameter(display, value)
        except ValueError as exc:
            raise SettingError("22023", str(exc)) from None
        if reported != value:  # TimeZone: PostgreSQL's canonical spelling
            sess.settings.adopt(key, reported)


_OID_META = {b"riffq.pg_type": b"oid"}
# The catalog's DuckDB stores int2vector as USMALLINT[] and oidvector as
# UBIGINT[] (schema.TYPE_MAP), nothing else uses those element types.
_VECTOR_OF = {pa.uint16(): b"int2vector", pa.uint64(): b"oidvector"}


#: Largest catalog answer (Arrow bytes) a query may have: answers are
#: materialised (small in practice: all of pg_proc is ~2 MB); a runaway
#: query (a cross join of catalogs) gets 54000 instead of the server's memory.
RESULT_LIMIT = 64 << 20


# In a rewritten statement: a string literal or quoted name (skipped), or a
# call of a session function with constant arguments (session_constants).
_SESSION_CALL = re.compile(
    r"""'(?:[^']|'')*'|"(?:[^"]|"")*"|rq_fn\.current_setting\('((?:[^']|'')*)'(, (?:TRUE|FALSE))?\)"""
    r"""|rq_fn\."current_schema"\(\)|rq_fn\.current_schemas\((TRUE|FALSE)\)""")


def session_constants(sess: Session, duck_sql: str) -> str:
    """``duck_sql`` with the session functions called with constants
    (current_setting('name'[, missing_ok]), current_schema(),
    current_schemas(bool)) replaced by the session's values as literals,
    the values the rq_fn macros would read from its DuckDB variables.

    Why: those macros look the value up in the session's 350-entry setting
    lists, ~0.5-2.3 ms of DuckDB planning a call site; a literal costs
    nothing. An unknown parameter keeps its call (the macro reports it)."""
    if "rq_fn.current_s" not in duck_sql:
        return duck_sql

    def sub(m: "re.Match[str]") -> str:
        text = m.group(0)
        if text.startswith(("'", '"')):
            return text
        if text.startswith("rq_fn.current_setting"):
            try:
                value = sess.settings.get(m.group(1).replace("''", "'"))
            except SettingError:
                return text
            return f"CAST({sql_literal(value)} AS VARCHAR)"
        explicit = sess.explicit_path
        if text.endswith('"current_schema"()'):
            return f"CAST({sql_literal(explicit[0] if explicit else None)} AS VARCHAR)"
        schemas = sess.path if m.group(3) == "TRUE" else explicit
        return f"CAST({sql_literal(list(schemas))} AS VARCHAR[])"

    return _SESSION_CALL.sub(sub, duck_sql)


def _run(cur: Any, duck_sql: str, params: Optional[Sequence[Any]]) -> pa.Table:
    """Run a rewritten statement on a session's DuckDB cursor; parameters
    are written in as literals when they can be (rewrite.bind_literals).

    Raises:
        CatalogError: 54000 when the answer exceeds RESULT_LIMIT."""
    if params:
        bound = rewrite.bind_literals(duck_sql, params)
        rel = cur.execute(duck_sql, list(params)) if bound is None else cur.execute(bound)
    else:
        rel = cur.execute(duck_sql)
    # DuckDB 1.4+ names it to_arrow_reader (fetch_record_batch is deprecated)
    reader = (getattr(rel, "to_arrow_reader", None) or rel.fetch_record_batch)(8192)
    batches, size = [], 0
    for batch in reader:
        size += batch.nbytes
        if size > RESULT_LIMIT:
            reader.close()
            raise CatalogError("54000", "catalog query result exceeds"
                                        f" {RESULT_LIMIT >> 20} MB")
        batches.append(batch)
    return pa.Table.from_batches(batches, reader.schema)


def _text_table(columns: Dict[str, List[Optional[str]]]) -> pa.Table:
    """A table of text columns, built from Arrow buffers: pyarrow's
    array() and table() on Python values import pandas when it is
    installed (~400 ms: DataGrip's first SHOW waited for it)."""
    arrays = []
    for values in columns.values():
        data, offsets = bytearray(), array("i", [0])
        valid, nulls = bytearray((len(values) + 7) // 8), 0
        for i, v in enumerate(values):
            if v is None:
                nulls += 1
            else:
                valid[i >> 3] |= 1 << (i & 7)
                data += v.encode()
            offsets.append(len(data))
        arrays.append(pa.StringArray.from_buffers(
            len(values), pa.py_buffer(offsets.tobytes()), pa.py_buffer(bytes(data)),
            pa.py_buffer(bytes(valid)) if nulls else None, nulls))
    return pa.Table.from_arrays(arrays, names=list(columns))


def _oid_field(f: pa.Field) -> pa.Field:
    t = f.type
    if pa.types.is_uint32(t):
        return f.with_metadata(_OID_META)
    if pa.types.is_list(t) and t.value_type in _VECTOR_OF:
        return f.with_metadata({b"riffq.pg_type": _VECTOR_OF[t.value_type]})
    if pa.types.is_list(t) or pa.types.is_large_list(t):
        item = _oid_field(t.value_field)
        if item is not t.value_field:
            maker = pa.list_ if pa.types.is_list(t) else pa.large_list
            return f.with_type(maker(item))
    return f


# Text-typed catalog columns reported with their PostgreSQL type (the
# encoder's "riffq.pg_type" field metadata); information_schema domains as
# their base types, as PostgreSQL's RowDescription does.
_TEXT_KINDS = {
    "name": b"name", '"char"': b"char", "information_schema.sql_identifier": b"name",
    "character varying": b"varchar", "information_schema.character_data": b"varchar",
    "information_schema.yes_or_no": b"varchar", "json": b"json",
    "aclitem": b"aclitem", "pg_node_tree": b"pg_node_tree", "anyarray": b"anyarray",
    **{t: t.encode() for t in ("regproc", "regprocedure", "regoper", "regoperator",
                               "regclass", "regtype", "regnamespace", "regrole")},
}
# Integer catalog columns whose DuckDB type is wider than PostgreSQL's.
_INT_TYPES = {"smallint": pa.int16(), "integer": pa.int32(),
              "information_schema.cardinal_number": pa.int32()}


def _typed_field(f: pa.Field, pg_type: Optional[str]) -> pa.Field:
    t = pg_type or ""
    kind = _TEXT_KINDS.get(t)
    if kind is not None and (pa.types.is_string(f.type) or pa.types.is_large_string(f.type)):
        return f.with_metadata({b"riffq.pg_type": kind})
    if t in _INT_TYPES and pa.types.is_integer(f.type) and f.type != _INT_TYPES[t]:
        return f.with_type(_INT_TYPES[t])  # values come from columns of that type
    if t in ("oid", "xid", "cid") and pa.types.is_integer(f.type):
        return f.with_type(pa.uint32()).with_metadata({b"riffq.pg_type": t.encode()})
    if pa.types.is_null(f.type):  # an untyped NULL: PostgreSQL resolves it as text
        return f.with_type(pa.string())
    if t.endswith("[]") and pa.types.is_list(f.type):  # name[] & co: type the items
        item = _typed_field(f.type.value_field, t[:-2])
        if item is not f.type.value_field:
            return f.with_type(pa.list_(item))
    return _oid_field(f)


def _mark_types(table: pa.Table, pg_types: Optional[Sequence[Optional[str]]]) -> pa.Table:
    """Report catalog columns with PostgreSQL's types (encoder field metadata
    "riffq.pg_type"): OID columns (UINTEGER in DuckDB) as oid / oid[],
    int2vector/oidvector, and name / "char" columns the rewriter recognised."""
    if pg_types is None or len(pg_types) != table.num_columns:
        pg_types = [None] * table.num_columns
    fields = [_typed_field(f, t) for f, t in zip(table.schema, pg_types)]
    if all(a is b for a, b in zip(fields, table.schema)):
        return table
    schema = pa.schema(fields, table.schema.metadata)
    try:
        if all(a.type == b.type for a, b in zip(fields, table.schema)):
            # field metadata only: no cast (pyarrow.compute's import is
            # ~30 ms of a fresh server's first answer)
            return pa.Table.from_arrays(table.columns, schema=schema)
        return table.cast(schema)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        # a value outside the narrower type (an emulated function wider than
        # PostgreSQL's): keep DuckDB's types rather than fail the query
        logger.debug("catalog result kept DuckDB's column types", exc_info=True)
        return table


def _const(node: Any) -> Any:
    """The Python value of an A_Const (or a TypeCast of one)."""
    if type(node).__name__ == "TypeCast":
        return _const(node.arg)
    val = getattr(node, "val", None)
    if val is None:
        return None
    for attr in ("sval", "ival", "fval", "boolval", "bsval"):
        if hasattr(val, attr):
            v = getattr(val, attr)
            return ("on" if v else "off") if attr == "boolval" else v
    return None


def _set_value(name: str, args: Sequence[Any]) -> str:
    values = [str(_const(a)) for a in args]
    if name.lower() == "search_path":
        return ", ".join(_quote_path_item(v) for v in values)
    return ", ".join(values)


def _quote_path_item(v: str) -> str:
    if v == "$user" or (v.isidentifier() and v == v.lower()):
        return '"$user"' if v == "$user" else v
    return '"' + v.replace('"', '""') + '"'


def _duckdb_error(exc: BaseException) -> Tuple[str, str]:
    """A DuckDB exception as (SQLSTATE, message) in PostgreSQL's terms."""
    name = type(exc).__name__
    msg = str(exc)
    for ours, pg in (("rq_pg.", "pg_catalog."), ("rq_is.", "information_schema."),
                     ("rq_fn.", ""), ("rq_base.", "pg_catalog.")):
        msg = msg.replace(ours, pg)
    from .functions import split_error

    raised = split_error(msg)  # error() in an rq_fn macro: PostgreSQL's SQLSTATE and text
    if raised is not None:
        return raised
    msg = msg.split("\n", 1)[0]
    code = getattr(exc, "sqlstate", None)
    if isinstance(code, str) and len(code) == 5:
        return code, msg
    if name == "CatalogException":
        code = "42883" if "unction" in msg else "42P01" if "able" in msg else "42704"
    elif name == "BinderException":
        code = "42703" if "olumn" in msg else "42883" if "unction" in msg else "42804"
    elif name == "ParserException":
        code = "42601"
    elif "maximum total string size" in msg:  # an Arrow batch over 2 GB
        code = "54000"
    elif name in ("ConversionException", "InvalidInputException"):
        code = "22P02"
    elif name == "NotImplementedException":
        code = "0A000"
    elif name == "OutOfRangeException":
        code = "22003"
    else:
        code = "XX000"
    return code, msg
