"""The ``riffq`` command line.

    riffq serve [--listen 127.0.0.1:5433] [--duckdb FILE | --parquet [NAME=]GLOB ...]
                [--tls-cert CRT --tls-key KEY] [--user U --password P]

serves a DuckDB database (a file, parquet files exposed as views, or an empty
in-memory database) to every PostgreSQL client, with the same pattern as the
seed example: a ``riffq.BaseConnection`` subclass that runs each statement on
the executor and streams DuckDB's Arrow result.
"""

from __future__ import annotations

import argparse
import hmac
import logging
import os
import re
import sys
from typing import Any, Callable, Dict, List, Optional, Sequence, Tuple, Type

from .connection import BaseConnection, RiffqServer

__all__ = ["main", "build_parser", "make_connection_class", "open_duckdb"]

logger = logging.getLogger("riffq.cli")

# DuckDB exception class → SQLSTATE, so clients see meaningful error codes.
_SQLSTATES: Dict[str, str] = {
    "ParserException": "42601",
    "SyntaxException": "42601",
    "CatalogException": "42P01",
    "BinderException": "42703",
    "ConversionException": "22P02",
    "InvalidInputException": "22P02",
    "OutOfRangeException": "22003",
    "ConstraintException": "23000",
    "PermissionException": "42501",
    "TransactionException": "25000",
    "NotImplementedException": "0A000",
    "InterruptException": "57014",
    "OutOfMemoryException": "53200",
    "IOException": "58030",
}

# Statements that return rows (safe to run for a Describe).
_ROW_KEYWORDS = frozenset({"select", "with", "values", "table", "from", "show", "describe",
                           "pragma", "explain", "summarize", "call"})
_DML_TAGS = {"insert": "INSERT 0 {}", "update": "UPDATE {}", "delete": "DELETE {}"}
_WORD = re.compile(r"\s*(?:--[^\n]*\n\s*|/\*.*?\*/\s*)*([A-Za-z]+)", re.S)


def _first_word(sql: str) -> str:
    m = _WORD.match(sql)
    return m.group(1).lower() if m else ""


def sqlstate_for(exc: BaseException) -> str:
    """The SQLSTATE for a DuckDB exception (XX000 when unknown)."""
    for cls in type(exc).__mro__:
        code = _SQLSTATES.get(cls.__name__)
        if code:
            return code
    return "XX000"


def _command_tag(sql: str) -> str:
    words = sql.strip().split()
    if not words:
        return "OK"
    head = words[0].upper()
    if head in ("CREATE", "DROP", "ALTER") and len(words) > 1:
        second = words[1].upper()
        if second in ("OR", "TEMP", "TEMPORARY", "UNIQUE") and len(words) > 2:
            # CREATE OR REPLACE VIEW → CREATE VIEW; CREATE TEMP TABLE → CREATE TABLE
            rest = [w.upper() for w in words[1:] if w.upper() not in
                    ("OR", "REPLACE", "TEMP", "TEMPORARY", "UNIQUE")]
            second = rest[0] if rest else second
        return f"{head} {second}"
    if head in ("BEGIN", "START"):
        return "BEGIN"
    if head in ("COMMIT", "END"):
        return "COMMIT"
    if head == "ABORT":
        return "ROLLBACK"
    return head


def _quote_ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _quote_literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _parquet_spec(spec: str) -> Tuple[str, str]:
    """``NAME=GLOB`` or ``GLOB`` → (view name, glob). Without a name, the
    file's stem (or, for a wildcard file name, its directory's name)."""
    if "=" in spec and not os.path.exists(spec):
        name, glob = spec.split("=", 1)
        return name, glob
    base = os.path.basename(spec)
    stem = base.split(".", 1)[0]
    if not stem or any(c in stem for c in "*?["):
        stem = os.path.basename(os.path.dirname(os.path.abspath(spec))) or "data"
    return re.sub(r"\W", "_", stem), spec


def open_duckdb(database: Optional[str], parquet: Sequence[str], read_only: bool = False) -> Any:
    """Open the DuckDB database to serve; each parquet spec becomes a view."""
    import duckdb

    if database:
        con = duckdb.connect(database, read_only=read_only)
    else:
        con = duckdb.connect()
    for spec in parquet:
        name, glob = _parquet_spec(spec)
        con.execute(f"CREATE VIEW {_quote_ident(name)} AS "
                    f"SELECT * FROM read_parquet({_quote_literal(glob)})")
        logger.info("view %s → %s", name, glob)
    return con


def make_connection_class(database: Any, user: Optional[str] = None,
                          password: Optional[str] = None) -> Type[BaseConnection]:
    """A BaseConnection subclass serving ``database`` (a DuckDB connection).

    Each client gets its own DuckDB cursor (its own transaction); statements
    run on the server's executor. With ``user``/``password`` set, clients
    must send them (either may be left None to accept any value).
    """

    class DuckDBConnection(BaseConnection):
        def __init__(self, conn_id: int, executor: Any) -> None:
            super().__init__(conn_id, executor)
            self._cursor: Any = None

        def _cur(self) -> Any:
            if self._cursor is None:
                self._cursor = database.cursor()
            return self._cursor

        def handle_query(self, sql: str, callback: Callable[..., Any] = lambda *a, **k: None,
                         **kwargs: Any) -> None:
            self.executor.submit(self._run, sql, callback, kwargs.get("query_args"),
                                 bool(kwargs.get("do_describe")))

        def _run(self, sql: str, callback: Callable[..., Any], params: Optional[List[Any]],
                 describe: bool) -> None:
            word = _first_word(sql)
            if describe and word not in _ROW_KEYWORDS:
                # Only the result's shape is wanted: never run a write twice.
                callback(_command_tag(sql), is_tag=True)
                return
            cur = self._cur()
            try:
                if params:
                    cur.execute(sql, params)
                else:
                    cur.execute(sql)
            except Exception as exc:  # duckdb.Error and friends
                if word == "set":
                    # PostgreSQL session settings DuckDB lacks (extra_float_digits...).
                    logger.debug("ignored unsupported setting: %s (%s)", sql, exc)
                    callback("SET", is_tag=True)
                    return
                callback(("ERROR", sqlstate_for(exc), str(exc)), is_error=True)
                return
            names = [d[0] for d in cur.description] if cur.description else []
            if word in _DML_TAGS and names == ["Count"]:
                row = cur.fetchone()
                callback(_DML_TAGS[word].format(row[0] if row else 0), is_tag=True)
                return
            if not names or (word not in _ROW_KEYWORDS and names in (["Count"], ["Success"])):
                # DuckDB answers DDL/SET/BEGIN with a status row; PostgreSQL with a tag.
                callback(_command_tag(sql), is_tag=True)
                return
            reader = (cur.to_arrow_reader() if hasattr(cur, "to_arrow_reader")
                      else cur.fetch_record_batch())
            self.send_reader(reader, callback)

        def handle_disconnect(self, ip: str, port: int,
                              callback: Callable[..., Any] = lambda *a, **k: None) -> None:
            if self._cursor is not None:
                try:
                    self._cursor.close()
                except Exception:
                    logger.debug("closing cursor failed", exc_info=True)
                self._cursor = None
            callback(True)

    if user is not None or password is not None:
        def handle_auth(self: BaseConnection, user_: str, password_: str, host: str,
                        database: Optional[str] = None,
                        callback: Callable[..., Any] = lambda *a, **k: None) -> None:
            ok = True
            if user is not None:
                ok = hmac.compare_digest(user_.encode(), user.encode()) and ok
            if password is not None:
                ok = hmac.compare_digest(password_.encode(), password.encode()) and ok
            callback(ok)

        DuckDBConnection.handle_auth = handle_auth  # type: ignore[method-assign,assignment]
    return DuckDBConnection


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of the ``riffq`` command."""
    from . import __version__

    parser = argparse.ArgumentParser(prog="riffq", description="riffq command line")
    parser.add_argument("--version", action="version", version=f"riffq {__version__}")
    sub = parser.add_subparsers(dest="command")
    serve = sub.add_parser("serve", help="serve a DuckDB database over the PostgreSQL protocol")
    serve.add_argument("--listen", default="127.0.0.1:5433", metavar="HOST:PORT",
                       help="address to listen on (default 127.0.0.1:5433)")
    src = serve.add_mutually_exclusive_group()
    src.add_argument("--duckdb", metavar="FILE", help="DuckDB database file to serve")
    src.add_argument("--parquet", metavar="[NAME=]GLOB", action="append", default=[],
                     help="parquet file(s) to expose as view NAME (repeatable)")
    serve.add_argument("--read-only", action="store_true", help="open --duckdb read-only")
    serve.add_argument("--tls-cert", metavar="CRT", help="PEM certificate (enables TLS)")
    serve.add_argument("--tls-key", metavar="KEY", help="PEM private key")
    serve.add_argument("--user", help="required user name")
    serve.add_argument("--password", help="required password")
    serve.add_argument("--workers", type=int, default=4, help="query threads (default 4)")
    serve.add_argument("--server-version", help="server_version reported to clients")
    serve.add_argument("--log-level", default="INFO",
                       choices=["DEBUG", "INFO", "WARNING", "ERROR"])
    return parser


def _serve(args: argparse.Namespace) -> int:
    logging.basicConfig(level=getattr(logging, args.log_level),
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    if bool(args.tls_cert) != bool(args.tls_key):
        print("riffq: --tls-cert and --tls-key go together", file=sys.stderr)
        return 2
    try:
        database = open_duckdb(args.duckdb, args.parquet, read_only=args.read_only)
    except ImportError:
        print("riffq: serving needs duckdb (pip install 'duckdb>=1.1,<2')", file=sys.stderr)
        return 2
    except Exception as exc:
        print(f"riffq: cannot open the database: {exc}", file=sys.stderr)
        return 1
    from concurrent.futures import ThreadPoolExecutor

    from .connection import QueryExecutor

    server = RiffqServer(args.listen, connection_cls=make_connection_class(
        database, args.user, args.password))
    if args.workers != 4:
        server.executor = QueryExecutor(max_workers=max(1, args.workers))
    tls = bool(args.tls_cert)
    if tls:
        server.set_tls(args.tls_cert, args.tls_key)
    logger.info("serving on %s%s", args.listen, " (TLS)" if tls else "")
    try:
        server.start(tls=tls, server_version=args.server_version)
    finally:
        if isinstance(server.executor, ThreadPoolExecutor):
            server.executor.shutdown(wait=False, cancel_futures=True)
        database.close()  # checkpoints a database file
    return 0


def main(argv: Optional[Sequence[str]] = None) -> int:
    """Run the ``riffq`` command; returns the exit status."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command == "serve":
        try:
            return _serve(args)
        except OSError as exc:
            print(f"riffq: {exc}", file=sys.stderr)
            return 1
    parser.print_help()
    return 2


if __name__ == "__main__":
    sys.exit(main())
