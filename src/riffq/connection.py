"""Connection objects and the high-level server (riffq 0.1.11's API).

- ``BaseConnection``: one instance per client connection; subclass it and
  implement ``handle_query`` (and optionally ``handle_auth``,
  ``handle_connect``, ``handle_disconnect``).
- ``RiffqServer``: owns a low-level ``riffq.Server`` (``_server``), creates a
  connection object per client and forwards events to it.

Callbacks: every handler receives a ``callback`` to answer with, exactly
once, from any thread. A query callback takes an Arrow C stream capsule (or
any object with ``__arrow_c_stream__``), ``callback("TAG", is_tag=True)`` or
``callback((severity, sqlstate, message), is_error=True)``.
"""

from __future__ import annotations

import logging
import os
import threading
from abc import ABCMeta, abstractmethod
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any, Callable, Dict, Optional, Sequence, Tuple, Type

import pyarrow as pa

from . import _bridge
from .server import CallPlan, Server, call_plan

__all__ = ["BaseConnection", "RiffqServer", "QueryExecutor"]

logger = logging.getLogger("riffq.connection")


def _noop(*args: Any, **kwargs: Any) -> None:
    """Default callback for handlers whose answer nobody waits for."""
    return None


def _query_callback_types() -> Tuple[type, ...]:
    try:
        from ._core import QueryCallback
    except ImportError:
        return ()
    return (QueryCallback,)


class QueryExecutor(ThreadPoolExecutor):
    """A ThreadPoolExecutor that never loses a query handler's exception.

    ``submit(fn, *args, **kwargs)`` looks for a query callback
    (``riffq._core.QueryCallback``) among the arguments. If ``fn`` raises and
    that callback was not called yet, the client gets ``ERROR XX000 <text>``
    instead of waiting for a query timeout, and the traceback is logged on
    the ``riffq`` logger. The exception is still set on the returned Future.

    Args:
        max_workers: Thread count (default 4, as riffq 0.1.11).
        callback_types: Types recognised as query callbacks (default: the
            C core's QueryCallback); for tests.
        **kwargs: Passed to ThreadPoolExecutor.
    """

    def __init__(self, max_workers: Optional[int] = 4, *,
                 callback_types: Optional[Tuple[type, ...]] = None, **kwargs: Any) -> None:
        kwargs.setdefault("thread_name_prefix", "riffq-query")
        super().__init__(max_workers=max_workers, **kwargs)
        self._callback_types = (callback_types if callback_types is not None
                                else _query_callback_types())

    def _find_callback(self, args: Sequence[Any], kwargs: Dict[str, Any]) -> Any:
        types = self._callback_types
        if not types:
            return None
        for a in args:
            if isinstance(a, types):
                return a
        for a in kwargs.values():
            if isinstance(a, types):
                return a
        return None

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> "Future[Any]":
        """Schedule ``fn(*args, **kwargs)``; see the class docstring."""
        cb = self._find_callback(args, kwargs)
        if cb is None:
            return super().submit(fn, *args, **kwargs)
        return super().submit(_run_guarded, fn, cb, args, kwargs)


def _run_guarded(fn: Callable[..., Any], cb: Any, args: Tuple[Any, ...],
                 kwargs: Dict[str, Any]) -> Any:
    try:
        return fn(*args, **kwargs)
    except BaseException as exc:
        name = getattr(fn, "__qualname__", None) or repr(fn)
        message = _bridge.handler_failed(f"query ({name}, in executor)", exc)
        if not cb.done:
            try:
                cb(("ERROR", "XX000", message), is_error=True)
            except Exception:
                logger.exception("could not report the handler's exception to the client")
        raise


class BaseConnection(metaclass=ABCMeta):
    """One client connection; subclass it to answer queries.

    One instance is created per client, when it connects, and dropped after
    it disconnects.

    Optional: define ``parameter_types(self, sql, nparams)`` to type the
    parameters a client's Parse leaves unknown (a list of type OIDs / names /
    None, see ``riffq._hooks``); RiffqServer installs it at ``start()``.

    Args:
        conn_id: Unique identifier assigned by the server.
        executor: Thread pool for offloading blocking work (shared by all
            connections of a RiffqServer).
    """

    conn_id: Optional[int] = None

    def __init__(self, conn_id: int, executor: ThreadPoolExecutor) -> None:
        self.conn_id = conn_id
        self.executor = executor

    def send_reader(self, reader: Any, callback: Callable[..., Any]) -> None:
        """Send Arrow data as the query result.

        ``reader`` is anything with ``__arrow_c_stream__`` (a
        ``pyarrow.RecordBatchReader``, Table or RecordBatch, a DuckDB
        relation, a Polars or pandas DataFrame, a nanoarrow stream...), or
        anything else ``riffq._bridge.to_stream_capsule`` accepts (old
        pyarrow readers, objects with ``__arrow_c_array__``, IPC bytes).
        ``callback`` is called once, with an Arrow C stream capsule.

        Raises:
            TypeError: ``reader`` is not Arrow data (``callback`` is not called).
        """
        callback(_bridge.to_stream_capsule(reader))

    def arrow_batch(self, values: Sequence[pa.Array], names: Sequence[str]) -> pa.RecordBatchReader:
        """Create a one-batch ``RecordBatchReader`` from arrays and names.

        Args:
            values: One ``pyarrow.Array`` per column.
            names: Column names aligned with ``values``.
        """
        batch = pa.record_batch(list(values), names=list(names))
        return pa.RecordBatchReader.from_batches(batch.schema, [batch])

    def handle_auth(self, user: str, password: str, host: str, database: Optional[str] = None,
                    callback: Callable[..., Any] = _noop) -> None:
        """Check a client's password; call ``callback(True)`` to accept, or
        ``callback(False[, message, severity, sqlstate])`` to refuse.

        Args:
            user: User name sent by the client.
            password: Password sent by the client (cleartext).
            host: The client's IP address.
            database: Database name sent by the client, if any.
            callback: The answer.

        When a subclass does not override this method, RiffqServer asks no
        password at all (riffq 0.1.11 made it abstract). This default
        accepts.
        """
        callback(True)

    def handle_connect(self, ip: str, port: int, server_name: Optional[str] = None,
                       callback: Callable[..., Any] = _noop) -> None:
        """Called when the client's socket is accepted, before authentication.

        Call ``callback(True)`` to accept or ``callback(False[, message,
        severity, sqlstate])`` to reject. Overrides may declare only the
        arguments they use (``def handle_connect(self, ip, port, callback)``).

        Args:
            ip: Client IP address.
            port: Client port.
            server_name: TLS SNI server name, if any.
            callback: The answer.
        """
        callback(True)

    @abstractmethod
    def handle_query(self, sql: str, callback: Callable[..., Any] = _noop, **kwargs: Any) -> None:
        """Answer one SQL statement.

        Call ``callback`` once with the result: Arrow data (via
        ``send_reader``), ``callback("TAG", is_tag=True)`` for a command
        tag, or ``callback((severity, sqlstate, message), is_error=True)``.
        An exception raised here becomes ``ERROR XX000`` for the client.

        Args:
            sql: The statement text.
            callback: The answer.
            **kwargs: ``do_describe`` (the client only wants the result's
                columns), ``query_args`` (bound parameters of an extended
                protocol query), ``param_types`` (their type OIDs).
        """

    def handle_disconnect(self, ip: str, port: int,
                          callback: Callable[..., Any] = _noop) -> None:
        """Called once when the client's connection is closed.

        Args:
            ip: Client IP address.
            port: Client port.
            callback: Optional acknowledgement (nobody waits for it).
        """
        callback(True)


# Call shapes RiffqServer uses for BaseConnection methods, riffq 0.1.11's:
# (method, positional count, keyword names).
_CONN_AUTH = ("handle_auth", 3, ("database", "callback"))
_CONN_CONNECT = ("handle_connect", 2, ("callback", "server_name"))
_CONN_DISCONNECT = ("handle_disconnect", 2, ("callback",))
_CONN_QUERY = ("handle_query", 1, ("callback", "do_describe", "query_args", "param_types"))

_MISSING = object()
# (class, method name) -> CallPlan, or None when the method takes everything.
_plans: Dict[Tuple[type, str], Optional[CallPlan]] = {}


def _plan_for(conn: BaseConnection, shape: Tuple[str, int, Tuple[str, ...]]) -> Optional[CallPlan]:
    key = (type(conn), shape[0])
    plan = _plans.get(key, _MISSING)
    if plan is _MISSING:
        plan = call_plan(getattr(conn, shape[0]), shape[1], shape[2])
        _plans[key] = plan
    return plan  # type: ignore[return-value]


def _call(conn: BaseConnection, shape: Tuple[str, int, Tuple[str, ...]],
          args: Tuple[Any, ...], kwargs: Dict[str, Any]) -> Any:
    method = getattr(conn, shape[0])
    plan = _plan_for(conn, shape)
    if plan is None:
        return method(*args, **kwargs)
    return plan.call(method, args, kwargs)


class RiffqServer:
    """High-level server: one ``connection_cls`` instance per client.

    Args:
        listen_addr: Address to bind, e.g. ``"127.0.0.1:5433"``.
        connection_cls: ``BaseConnection`` subclass instantiated per client.

    Attributes:
        _server: The low-level ``riffq.Server`` (usable directly, e.g.
            ``_server.register_database``).
        executor: Thread pool handed to every connection (4 threads).
        connections: Live connections by id.
        connection_cls: The connection class.
    """

    def __init__(self, listen_addr: str,
                 connection_cls: Type[BaseConnection] = BaseConnection) -> None:
        self._server = Server(listen_addr)
        self._own_executor = QueryExecutor(max_workers=4)
        self.executor: ThreadPoolExecutor = self._own_executor
        self.connections: Dict[int, BaseConnection] = {}
        self.connection_cls: Type[BaseConnection] = connection_cls
        self._lock = threading.Lock()
        self._auth_registered = False
        self._server.on_query(self.handle_query)
        self._server.on_connect(self.handle_connect)
        self._server.on_disconnect(self.handle_disconnect)
        self._register_auth()

    def _wants_auth(self) -> bool:
        cls_auth = getattr(self.connection_cls, "handle_auth", None)
        return (cls_auth is not BaseConnection.handle_auth
                or type(self).handle_auth is not RiffqServer.handle_auth)

    def _register_auth(self) -> None:
        # Without an overridden handle_auth, clients are trusted (no password
        # asked) rather than checked against a built-in default.
        if not self._auth_registered and self._wants_auth():
            self._server.on_authentication(self.handle_auth)
            self._auth_registered = True

    def set_tls(self, crt: str, key: str) -> None:
        """Enable TLS with a PEM certificate and private key.

        Raises:
            OSError: ``crt`` or ``key`` does not exist or cannot be read.
            ValueError: they are not a valid certificate/key pair.
        """
        if not os.path.exists(crt):
            raise OSError(f"Certificate not found in {crt}")
        if not os.path.exists(key):
            raise OSError(f"Certificate keyfile not found in {key}")
        self._server.set_tls(crt, key)

    def set_lazy_catalog(self, source: Any) -> None:
        """Install a lazy (callback-driven) catalog source.

        Instead of registering every database/schema/table up front, supply
        one ``source`` object; catalog queries pull metadata from it on every
        scan, so the catalog reflects the source's live state. Its methods
        each receive a ``callback`` to call with a list of row dicts:

        - ``databases(callback)``: ``[{"oid": int, "name": str, "datdba"?: int}]``
        - ``schemas(database, callback)``: ``[{"oid": int, "name": str, "owner_oid"?: int}]``
        - ``relations(database, schema, callback)``: ``[{"oid": int,
          "reltype_oid": int, "name": str, "kind"?: "table"|"view"|"materialized_view",
          "owner_oid"?: int, "has_index"?: bool, "has_rules"?: bool,
          "has_triggers"?: bool, "row_security"?: bool}]``
        - ``columns(database, schema, relation, callback)``:
          ``[{"name": str, "type_oid": int, "nullable": bool}]``

        OIDs come from the source and must be stable across calls and
        unique. When a lazy source is set, ``register_*`` data is ignored.
        Requires ``start(catalog_emulation=True)``.
        """
        self._server.set_lazy_catalog(source)

    def register_database(self, database_name: str, comment: Optional[str] = None) -> None:
        """Register a database for catalog emulation (see ``riffq.Server``)."""
        self._server.register_database(database_name, comment)

    def register_schema(self, database_name: str, schema_name: str,
                        comment: Optional[str] = None) -> None:
        """Register a schema for catalog emulation (see ``riffq.Server``)."""
        self._server.register_schema(database_name, schema_name, comment)

    def register_table(self, database_name: str, schema_name: str, table_name: str,
                       columns: Any, **keys: Any) -> None:
        """Register or replace a table for catalog emulation; ``columns`` and
        the keyword arguments (primary_key, unique, foreign_keys, comment,
        column_comments) as in ``riffq.Server.register_table``."""
        self._server.register_table(database_name, schema_name, table_name, columns, **keys)

    def register_view(self, database_name: str, schema_name: str, view_name: str,
                      columns: Any, definition: Optional[str] = None,
                      comment: Optional[str] = None) -> None:
        """Register a view for catalog emulation (see ``riffq.Server.register_view``)."""
        self._server.register_view(database_name, schema_name, view_name, columns,
                                   definition, comment)

    def unregister_table(self, database_name: str, schema_name: str, table_name: str) -> bool:
        """Drop a registered table or view (see ``riffq.Server``)."""
        return self._server.unregister_table(database_name, schema_name, table_name)

    def register_duckdb(self, con: Any, database: Optional[str] = None,
                        schemas: Optional[Sequence[str]] = None) -> str:
        """Register everything a DuckDB connection holds: schemas, tables,
        views, columns, primary/foreign/unique keys, comments (see
        ``riffq.Server.register_duckdb``). Returns the database name."""
        return self._server.register_duckdb(con, database, schemas)

    def get_connection(self, connection_id: int) -> BaseConnection:
        """Return the connection object for ``connection_id``, creating it
        if needed."""
        conn = self.connections.get(connection_id)
        if conn is None:
            with self._lock:
                conn = self.connections.get(connection_id)
                if conn is None:
                    conn = self.connection_cls(connection_id, self.executor)
                    self.connections[connection_id] = conn
        return conn

    def handle_auth(self, connection_id: int, user: str, password: str, host: str,
                    database: Optional[str] = None,
                    callback: Callable[..., Any] = _noop) -> None:
        """Forward an authentication request to the connection object."""
        conn = self.get_connection(connection_id)
        _call(conn, _CONN_AUTH, (user, password, host),
              {"database": database, "callback": callback})

    def handle_connect(self, connection_id: int, ip: str, port: int,
                       server_name: Optional[str] = None,
                       callback: Callable[..., Any] = _noop) -> None:
        """Create the connection object and forward the connect event to it,
        with only the arguments its ``handle_connect`` accepts."""
        conn = self.get_connection(connection_id)
        _call(conn, _CONN_CONNECT, (ip, port), {"callback": callback, "server_name": server_name})

    def handle_query(self, sql: str, callback: Callable[..., Any],
                     connection_id: Optional[int] = None, **kwargs: Any) -> None:
        """Forward a query to the connection object.

        ``query_args`` / ``param_types`` are forwarded only when set (riffq
        0.1.11 omitted ``query_args`` for simple queries).
        """
        conn = self.connections.get(connection_id)  # type: ignore[arg-type]
        if conn is None:
            conn = self.get_connection(connection_id)  # type: ignore[arg-type]
        if kwargs.get("query_args", _MISSING) is None:
            del kwargs["query_args"]
        if kwargs.get("param_types", _MISSING) is None:
            del kwargs["param_types"]
        kwargs["callback"] = callback
        _call(conn, _CONN_QUERY, (sql,), kwargs)

    def handle_disconnect(self, connection_id: int, ip: str, port: int,
                          callback: Callable[..., Any] = _noop) -> None:
        """Forward the disconnect to the connection object and forget it.

        Called once per connection; a connection never seen is ignored.
        """
        with self._lock:
            conn = self.connections.pop(connection_id, None)
        if conn is None:
            logger.debug("disconnect of unknown connection %s", connection_id)
            return
        _call(conn, _CONN_DISCONNECT, (ip, port), {"callback": callback})

    def handle_shutdown(self, callback: Callable[[], Any]) -> None:
        """Run ``callback()`` once when the server shuts down (SIGINT/SIGTERM),
        after it stops accepting connections and before ``start()`` returns;
        e.g. to checkpoint or close a database."""
        self._server.handle_shutdown(callback)

    def start(self, tls: bool = False, catalog_emulation: bool = False,
              server_version: Optional[str] = None) -> None:
        """Serve until SIGINT/SIGTERM.

        Args:
            tls: Offer TLS; call ``set_tls(cert_path, key_path)`` first.
            catalog_emulation: Answer ``pg_catalog`` / ``information_schema``
                queries from the registered catalog.
            server_version: The version string reported to clients, e.g.
                ``"17.6 (Homebrew)"``; a built-in default otherwise.
        """
        self._register_auth()
        if callable(getattr(self.connection_cls, "parameter_types", None)):
            # BaseConnection subclasses may type Parse parameters (riffq._hooks)
            from ._hooks import _connection_hook

            self._server.on_parameter_types(_connection_hook(self))
        self._server.start(tls=tls, catalog_emulation=catalog_emulation,
                           server_version=server_version)
        # Queued work for a stopped server is pointless: drop it so the
        # process exits promptly; running tasks finish (their answers are
        # ignored by then).
        if self.executor is self._own_executor:
            self._own_executor.shutdown(wait=False, cancel_futures=True)
