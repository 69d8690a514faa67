"""``riffq.Server``: the low-level server API of riffq 0.1.11 on the C core.

``riffq.Server`` subclasses ``riffq._core.Server`` and keeps riffq 0.1.11's
methods and signatures. It adds two things:

- Handler adaptation. The core always calls handlers with the full argument
  set (docs/core_api.md). A handler whose signature cannot take some of
  those arguments (``def handle_connect(conn_id, ip, port, callback)``
  without ``server_name``, ``def handle_query(sql, callback)`` without
  ``**kwargs``) is wrapped, once at registration, in an adapter that passes
  only what it accepts. Handlers that accept everything are registered as
  they are, so the hot path has no extra Python frame.
- Catalog registrations (``register_database/schema/table``,
  ``set_lazy_catalog``) are validated and stored in ``self.catalog``.

Testing hooks (environment variables, used by ``riffq.testing``):
``RIFFQ_TEST_LISTEN`` replaces the listen address given to the constructor
(so a script with a hard-coded port can run on port 0), and
``RIFFQ_TEST_READY_FILE`` names a file that receives ``"host port"`` once
the listener is bound.
"""

from __future__ import annotations

import atexit
import functools
import inspect
import logging
import os
import threading
from typing import Any, Callable, Dict, FrozenSet, List, Optional, Sequence, Tuple

from .catalog import Catalog

__all__ = ["Server", "adapt_handler", "call_plan", "CallPlan",
           "QUERY_ARGS", "CONNECT_ARGS", "AUTH_ARGS", "DISCONNECT_ARGS", "READY_ARGS"]

logger = logging.getLogger("riffq.server")

try:
    from ._core import Server as _CoreServer
    _CORE_IMPORT_ERROR: Optional[BaseException] = None
except ImportError as _exc:  # extension not built: keep the pure-Python parts usable
    _CORE_IMPORT_ERROR = _exc

    class _CoreServer:  # type: ignore[no-redef]
        """Stand-in used when riffq._core is missing; instantiating fails."""

        def __new__(cls, *args: Any, **kwargs: Any) -> Any:
            raise ImportError(
                "riffq._core (the C extension) is not built or failed to load: "
                f"{_CORE_IMPORT_ERROR}. Build it with `make install` or `pip install .`"
            ) from _CORE_IMPORT_ERROR


# How the core calls each handler: (positional argument count, keyword names).
QUERY_ARGS: Tuple[int, Tuple[str, ...]] = (
    2, ("connection_id", "do_describe", "query_args", "param_types"))
CONNECT_ARGS: Tuple[int, Tuple[str, ...]] = (3, ("callback", "server_name"))
AUTH_ARGS: Tuple[int, Tuple[str, ...]] = (4, ("callback", "database"))
DISCONNECT_ARGS: Tuple[int, Tuple[str, ...]] = (3, ())
READY_ARGS: Tuple[int, Tuple[str, ...]] = (2, ())

_P = inspect.Parameter
_POSITIONAL = (_P.POSITIONAL_ONLY, _P.POSITIONAL_OR_KEYWORD)


class CallPlan:
    """How to call one handler given the arguments the caller has.

    ``npos``: how many leading positional arguments to pass; ``allowed``:
    keyword names passed by name (None: every keyword); ``extra_pos``:
    keyword values passed positionally after the first ``npos`` (for a
    handler that names its callback differently, e.g. ``cb``).
    """

    __slots__ = ("npos", "allowed", "extra_pos")

    def __init__(self, npos: int, allowed: Optional[FrozenSet[str]],
                 extra_pos: Tuple[str, ...]) -> None:
        self.npos = npos
        self.allowed = allowed
        self.extra_pos = extra_pos

    def call(self, func: Callable[..., Any], args: Sequence[Any], kwargs: Dict[str, Any]) -> Any:
        """Call ``func`` with the subset of ``args``/``kwargs`` it accepts."""
        allowed = self.allowed
        kw = kwargs if allowed is None else {k: v for k, v in kwargs.items() if k in allowed}
        if self.extra_pos:
            return func(*args[:self.npos], *[kwargs.get(k) for k in self.extra_pos], **kw)
        return func(*args[:self.npos], **kw)

    def __repr__(self) -> str:
        return f"CallPlan(npos={self.npos}, allowed={self.allowed}, extra_pos={self.extra_pos})"


def call_plan(func: Callable[..., Any], n_pos: int,
              keywords: Sequence[str]) -> Optional[CallPlan]:
    """Work out how to call ``func`` with ``n_pos`` positional arguments and
    the keyword arguments ``keywords``.

    Returns None when ``func`` accepts all of them (call it directly) or when
    its signature cannot be inspected (builtins; called directly too).
    Otherwise a CallPlan that drops what ``func`` cannot take: surplus
    positional arguments, and keywords it neither names nor collects with
    ``**kwargs``. A required positional parameter left unfilled receives the
    dropped keywords' values in order (``def h(conn_id, ip, port, cb)`` gets
    the callback as ``cb``).
    """
    try:
        sig = inspect.signature(func)
    except (TypeError, ValueError):
        return None
    params = list(sig.parameters.values())
    pos_params = [p for p in params if p.kind in _POSITIONAL]
    var_pos = any(p.kind is _P.VAR_POSITIONAL for p in params)
    var_kw = any(p.kind is _P.VAR_KEYWORD for p in params)
    npos = n_pos if var_pos else min(n_pos, len(pos_params))
    filled = {p.name for p in pos_params[:npos]}
    named = {p.name for p in params if p.kind in (_P.POSITIONAL_OR_KEYWORD, _P.KEYWORD_ONLY)}
    pos_only = {p.name for p in params if p.kind is _P.POSITIONAL_ONLY}
    passed, dropped = [], []
    for k in keywords:
        if k not in filled and (k in named or (var_kw and k not in pos_only)):
            passed.append(k)
        else:
            dropped.append(k)
    extra: List[str] = []
    for p in pos_params[npos:]:
        if not dropped or p.name in passed or p.default is not _P.empty:
            break
        extra.append(dropped.pop(0))
    if npos == n_pos and not extra and len(passed) == len(keywords):
        return None
    allowed = None if (var_kw and len(passed) == len(keywords)) else frozenset(passed)
    return CallPlan(npos, allowed, tuple(extra))


def adapt_handler(func: Callable[..., Any], n_pos: int,
                  keywords: Sequence[str]) -> Callable[..., Any]:
    """Return ``func`` itself when it accepts the call shape
    ``(n_pos positionals, **keywords)``, else a wrapper that drops the
    arguments it cannot take (see ``call_plan``)."""
    if not callable(func):
        raise TypeError(f"handler must be callable, not {type(func).__name__}")
    plan = call_plan(func, n_pos, keywords)
    if plan is None:
        return func

    @functools.wraps(func)
    def adapted(*args: Any, **kwargs: Any) -> Any:
        return plan.call(func, args, kwargs)

    adapted.__riffq_plan__ = plan  # type: ignore[attr-defined]
    return adapted


def _listen_override(listen_addr: str) -> str:
    return os.environ.get("RIFFQ_TEST_LISTEN") or listen_addr


def _write_ready_file(path: str, host: str, port: int) -> None:
    tmp = f"{path}.tmp{os.getpid()}"
    with open(tmp, "w", encoding="utf-8") as f:
        f.write(f"{host} {port}\n")
    os.replace(tmp, path)


class Server(_CoreServer):
    """Low-level PostgreSQL wire-protocol server (riffq 0.1.11's ``Server``).

    Args:
        listen_addr: ``"host:port"``, ``"[v6addr]:port"`` or
            ``"hostname:port"``; port 0 picks a free port (see ``on_ready``).

    Register a query handler with ``on_query`` and call ``start()``. Handlers
    run on the core's worker threads; each receives a callback to answer
    with, exactly once, from any thread.
    """

    def __new__(cls, listen_addr: str, *args: Any, **kwargs: Any) -> "Server":
        return super().__new__(cls, _listen_override(listen_addr), *args, **kwargs)  # type: ignore[call-arg]

    def __init__(self, listen_addr: str) -> None:
        listen_addr = _listen_override(listen_addr)
        super().__init__(listen_addr)
        self.listen_addr: str = listen_addr
        #: Databases, schemas and tables registered for catalog emulation.
        self.catalog: Catalog = Catalog()
        self._ready_cb: Optional[Callable[..., Any]] = None
        self._query_handler: Optional[Callable[..., Any]] = None
        self._disconnect_handler: Optional[Callable[..., Any]] = None
        self._param_types_handler: Optional[Callable[..., Any]] = None
        #: The catalog engine while ``start(catalog_emulation=True)`` runs.
        self.catalog_engine: Optional[Any] = None

    # ---- handlers -------------------------------------------------------

    def on_query(self, callback: Callable[..., Any]) -> None:
        """Set the query handler (required before ``start``).

        Called as ``callback(sql, cb, connection_id=int, do_describe=bool,
        query_args=list|None, param_types=list|None)``; answer with ``cb(...)``:
        an Arrow stream (capsule, object with ``__arrow_c_stream__``, IPC
        bytes, ``(schema_desc, rows)``), ``cb("TAG", is_tag=True)`` or
        ``cb((severity, sqlstate, message), is_error=True)``.
        """
        self._query_handler = adapt_handler(callback, *QUERY_ARGS)
        super().on_query(self._query_handler)

    def on_connect(self, callback: Callable[..., Any]) -> None:
        """Set the connect handler, called when a socket is accepted.

        Called as ``callback(conn_id, ip, port, callback=cb, server_name=None)``;
        ``cb(True)`` accepts, ``cb(False[, message, severity, sqlstate])`` rejects.
        """
        super().on_connect(adapt_handler(callback, *CONNECT_ARGS))

    def on_authentication(self, callback: Callable[..., Any]) -> None:
        """Set the password check; without one, connections are trusted.

        Called as ``callback(conn_id, user, password, host, callback=cb,
        database=str|None)`` (``host`` is the client's IP); ``cb(True)``
        accepts, ``cb(False[, message, severity, sqlstate])`` refuses.
        """
        super().on_authentication(adapt_handler(callback, *AUTH_ARGS))

    def on_disconnect(self, callback: Callable[..., Any]) -> None:
        """Set the disconnect handler: ``callback(conn_id, ip, port)``, once
        per connection the connect handler saw."""
        self._disconnect_handler = adapt_handler(callback, *DISCONNECT_ARGS)
        super().on_disconnect(self._disconnect_handler)

    def on_parameter_types(self, callback: Optional[Callable[..., Any]]) -> None:
        """Set the optional parameter-types hook (see ``riffq._hooks``):
        ``callback(sql, nparams[, connection_id])`` returns, for a Parse that
        leaves parameter types unknown, a list of type OIDs / type names /
        None. The types drive ParameterDescription and Bind decoding."""
        from ._hooks import on_parameter_types

        self._param_types_handler = callback
        on_parameter_types(self, callback)  # type: ignore[arg-type]

    def on_ready(self, callback: Callable[..., Any]) -> None:
        """Set ``callback(host, port)``, called once the listener is bound."""
        self._ready_cb = adapt_handler(callback, *READY_ARGS)
        super().on_ready(self._ready_cb)

    def handle_shutdown(self, callback: Callable[[], Any]) -> None:
        """Run ``callback()`` once after the listener closes (SIGINT, SIGTERM
        or ``stop()``), before ``start()`` returns; e.g. to checkpoint state."""
        if not callable(callback):
            raise TypeError(f"handler must be callable, not {type(callback).__name__}")
        super().handle_shutdown(callback)

    def set_tls(self, crt: str, key: str) -> None:
        """Load a PEM certificate and private key (PKCS#1, PKCS#8 or SEC1).

        Raises:
            OSError: a file cannot be read.
            ValueError: the certificate or key is invalid or they do not match.
        """
        super().set_tls(os.fspath(crt), os.fspath(key))

    # ---- catalog --------------------------------------------------------

    def register_database(self, database_name: str, comment: Optional[str] = None) -> None:
        """Register a database for catalog emulation (clients connecting to
        a database that is not registered then get FATAL 3D000)."""
        self.catalog.add_database(database_name, comment)
        self._prewarm_catalog()

    def register_schema(self, database_name: str, schema_name: str,
                        comment: Optional[str] = None) -> None:
        """Register a schema under a database for catalog emulation."""
        self.catalog.add_schema(database_name, schema_name, comment)
        self._prewarm_catalog()

    def register_table(self, database_name: str, schema_name: str, table_name: str,
                       columns: Any, *, primary_key: Optional[Sequence[str]] = None,
                       unique: Optional[Sequence[Sequence[str]]] = None,
                       foreign_keys: Optional[Sequence[Dict[str, Any]]] = None,
                       comment: Optional[str] = None,
                       column_comments: Optional[Dict[str, str]] = None) -> None:
        """Register (or replace) a table for catalog emulation; may be called
        while the server runs, clients see the change on their next query.

        Args:
            columns: riffq 0.1.11's list of single-key dicts
                ``{name: {"type": <type>, "nullable": <bool>}}`` (optional
                ``"default"`` and ``"comment"`` keys too), or any Arrow
                schema / table-like object (``pyarrow.Schema``/``Table``,
                Polars or pandas DataFrame, anything with
                ``__arrow_c_schema__``/``__arrow_c_stream__``). A type is one of
                riffq 0.1.11's words (``int``, ``float``, ``bool``,
                ``string``/``str``, ``date``, ``datetime``: what ``to_arrow``
                builds), any PostgreSQL type name (``bigint``,
                ``numeric(12,2)``, ``timestamptz``, ``text[]``, ``uuid``...) or
                an Arrow type.
            primary_key: column name(s) of the primary key.
            unique: unique keys, each a list of column names.
            foreign_keys: ``{"columns": [...], "references": "schema.table",
                "ref_columns": [...], "name"?, "on_delete"?, "on_update"?}``.
            comment, column_comments: ``COMMENT ON`` texts.

        Raises:
            TypeError / ValueError: malformed columns or keys.
        """
        self.catalog.add_table(database_name, schema_name, table_name, columns,
                               primary_key=primary_key, unique=unique, foreign_keys=foreign_keys,
                               comment=comment, column_comments=column_comments)
        self._prewarm_catalog()

    def register_view(self, database_name: str, schema_name: str, view_name: str,
                      columns: Any, definition: Optional[str] = None,
                      comment: Optional[str] = None) -> None:
        """Register a view: like ``register_table``; ``definition`` is the
        ``SELECT`` that ``pg_get_viewdef`` and ``\\d+`` show."""
        self.catalog.add_table(database_name, schema_name, view_name, columns, kind="view",
                               definition=definition, comment=comment)

    def unregister_table(self, database_name: str, schema_name: str, table_name: str) -> bool:
        """Drop a registered table or view; False when it was not registered."""
        return self.catalog.drop_table(database_name, schema_name, table_name)

    def unregister_schema(self, database_name: str, schema_name: str) -> bool:
        """Drop a registered schema and its tables; False when unknown."""
        return self.catalog.drop_schema(database_name, schema_name)

    def unregister_database(self, database_name: str) -> bool:
        """Drop a registered database and everything in it; False when unknown."""
        return self.catalog.drop_database(database_name)

    def register_duckdb(self, con: Any, database: Optional[str] = None,
                        schemas: Optional[Sequence[str]] = None) -> str:
        """Register every schema, table, view, column, primary/foreign/unique
        key and comment of a DuckDB database (``duckdb.connect(...)``).

        Args:
            con: the DuckDB connection (only read, through its own cursor).
            database: the database name clients connect to (default: the
                DuckDB catalog's name, e.g. the file's stem).
            schemas: only these schemas (default: all but DuckDB's own).

        Returns: the database name registered. Call again to pick up DDL
        done since (objects gone from DuckDB are dropped).
        """
        from .pgcatalog.duckdb_import import register_duckdb

        name = register_duckdb(self.catalog, con, database, schemas)
        self._prewarm_catalog()
        return name

    def set_lazy_catalog(self, source: Any) -> None:
        """Install a lazy catalog source: an object with ``databases(cb)``,
        ``schemas(db, cb)``, ``relations(db, schema, cb)`` and
        ``columns(db, schema, rel, cb)`` (see ``riffq.RiffqServer.set_lazy_catalog``).

        Raises:
            TypeError: a required method is missing.
        """
        self.catalog.set_lazy_source(source)
        self._prewarm_catalog()

    # ---- running --------------------------------------------------------

    def _prewarm_catalog(self) -> None:
        """Registering means catalog emulation is coming: build its DuckDB
        catalog in the background now, so that the first catalog query after
        ``start()`` does not wait for it."""
        if self.catalog_engine is None:
            # DuckDB opens the catalog (on a thread of its own) while the
            # catalog's modules import here
            from .pgcatalog.snapshot import CatalogOpening

            opening = CatalogOpening()
            from .pgcatalog.engine import CatalogEngine

            self.catalog_engine = CatalogEngine(self.catalog)
            self.catalog_engine.start(opening)

    def _start_catalog(self, server_version: Optional[str]) -> None:
        """Put the catalog router in front of the handlers (see riffq.pgcatalog)."""
        if self._query_handler is None:
            raise RuntimeError("No query handler set. Use on_query() before starting the server.")
        # The build first: importing the router (pglast, ~60 ms) overlaps
        # DuckDB opening the catalog on the build thread.
        self._prewarm_catalog()
        from .pgcatalog.router import CatalogRouter

        engine = self.catalog_engine
        assert engine is not None
        engine.server_version = server_version or "15.13"
        router = CatalogRouter(engine, self._query_handler, self._disconnect_handler,
                               self._param_types_handler)
        from ._hooks import on_parameter_types

        on_parameter_types(self, router.on_parameter_types)
        super().on_query(router.on_query)
        super().on_disconnect(router.on_disconnect)
        super()._on_login(router.on_login)  # type: ignore[misc]


    def start(self, tls: bool = False, catalog_emulation: bool = False,
              server_version: Optional[str] = None) -> None:
        """Bind and serve; blocks until SIGINT/SIGTERM (main thread) or ``stop()``.

        Serving on a thread of its own, the server is also stopped, and that
        thread waited for (up to 30 s), when the interpreter exits.

        Args:
            tls: Offer TLS (requires ``set_tls`` first).
            catalog_emulation: Answer ``pg_catalog`` / ``information_schema``
                queries from the registered catalog.
            server_version: The ``server_version`` reported to clients.

        Raises:
            OSError: the address cannot be bound.
        """
        if catalog_emulation:
            self._start_catalog(server_version)
        ready_file = os.environ.get("RIFFQ_TEST_READY_FILE")
        if ready_file:
            user_cb = self._ready_cb

            def report_ready(host: str, port: int) -> None:
                _write_ready_file(ready_file, host, port)
                if user_cb is not None:
                    user_cb(host, port)

            super().on_ready(report_ready)
        # Serving on a thread of its own: an interpreter exiting meanwhile
        # (the program stopped the server, or just ended) first stops it and
        # waits for this thread to finish: workers still running handlers,
        # or the catalog's DuckDB objects dropped on them, during the
        # interpreter's finalization abort the process.
        stopped = threading.Event()

        def stop_at_exit() -> None:
            self.stop()
            stopped.wait(30)

        if threading.current_thread() is not threading.main_thread():
            atexit.register(stop_at_exit)
        try:
            super().start(tls=tls, catalog_emulation=catalog_emulation,
                          server_version=server_version)
        finally:
            try:
                if catalog_emulation:
                    self._close_catalog()
            finally:
                stopped.set()
                atexit.unregister(stop_at_exit)

    def _close_catalog(self) -> None:
        """After serving: release the catalog engine (its DuckDB database and
        private file). Registrations stay; a later start() builds anew."""
        engine, self.catalog_engine = self.catalog_engine, None
        if engine is not None:
            engine.close()
