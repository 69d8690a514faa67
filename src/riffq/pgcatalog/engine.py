"""CatalogEngine: answers catalog queries from an in-process DuckDB.

One engine per server. It owns an in-memory DuckDB database holding
PostgreSQL 15's catalogs (``rq_base`` tables, ``rq_pg`` views, ``rq_is``
information_schema views, ``rq_fn`` functions: see docs/catalog.md),
keeps the rows of registered objects in step with ``riffq.catalog.Catalog``
(checked before every catalog query, so live changes show at once), asks a
lazy source for its objects on every catalog query (riffq 0.1.11's
contract), and keeps one ``Session`` per client connection: its database,
user, settings and its own DuckDB cursor (DuckDB variables carry the
session state into the SQL, see ``Session.sync_variables``).

Threads: ``login``/``handle``/``logout`` run on the core's worker threads
(holding the GIL only while in Python; DuckDB releases it while it runs).
Writes to the DuckDB database (registration sync, lazy refresh) are
serialised by ``_write_lock`` and each runs in one DuckDB transaction, so a
concurrent catalog query sees either the old or the new rows, never half.
"""

from __future__ import annotations

import atexit
import contextlib
import datetime as dt
import hashlib
import logging
import re
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any, Dict, FrozenSet, Iterator, List, Optional, Sequence, Tuple

from ..catalog import Catalog
from . import cache as cache_mod
from . import derived
from . import lazy as lazy_mod
from . import schema as schema_mod
from .rows import (SHARED_ACTIVITY, SHARED_LAZY, SHARED_REGISTERED, EqOps, OidAllocator, RowSet, TypeInfo,
                   build_rows, database_row)
from .schema import settings_variables, sql_literal
from .settings import Settings, defs_from_rows
from .types import TypeResolver

__all__ = ["CatalogEngine", "Session", "CatalogError"]

logger = logging.getLogger("riffq.catalog")

#: Databases every PostgreSQL cluster has (PostgreSQL 15's OIDs).
BUILTIN_DATABASES = {"template1": 1, "template0": 4, "postgres": 5}
SUPERUSER_OID = 10
SUPERUSER_NAME = "postgres"


class CatalogError(Exception):
    """A catalog query PostgreSQL would refuse: carries the SQLSTATE."""

    def __init__(self, sqlstate: str, message: str) -> None:
        super().__init__(message)
        self.sqlstate = sqlstate
        self.message = message


@dataclass
class Session:
    """One client connection's view of the catalog."""

    conn_id: int
    user: str
    database: str
    db_oid: int
    user_oid: int
    pid: int
    client_addr: str
    client_port: int
    settings: Settings
    tls: Optional[Tuple[str, str, int]] = None  # (protocol, cipher, bits); None: unencrypted
    cursor: Any = None          # this session's DuckDB cursor (created on first use)
    vars_dirty: bool = True     # DuckDB variables need setting again
    vars_epoch: int = -1        # engine._synced_epoch they were set at (schemas may change)
    # backend_start
    started: dt.datetime = field(default_factory=lambda: dt.datetime.now(dt.timezone.utc))
    dkey: str = derived.STD_KEY  # key of its precomputed texts (derived.py)
    dstd: bool = True           # its search path is standard (built-ins under 'std')
    gucs_digest: bytes = b""    # digest of its settings (result cache keys, cache.py)
    guc_names: Tuple[str, ...] = ()  # rq_guc_names as its cursor holds it
    path: List[str] = field(default_factory=list)  # rq_search_path as its cursor holds it
    # the path as search_path lists it: pg_catalog only when listed (current_schemas(false))
    explicit_path: List[str] = field(default_factory=list)
    # its latest statement (pg_stat_activity.query) and when it began
    last_query: str = ""
    query_start: Optional[dt.datetime] = None
    lock: threading.Lock = field(default_factory=threading.Lock)

    def search_path(self, schemas: Sequence[str]) -> List[str]:
        """Effective search path: ``$user`` expanded, missing schemas left out,
        pg_catalog first unless listed (PostgreSQL's implicit rule)."""
        raw = self.settings.get("search_path")
        out: List[str] = []
        for part in _split_list(raw):
            name = self.user if part == "$user" else part
            if name in schemas and name not in out:
                out.append(name)
        if "pg_catalog" not in out:
            out.insert(0, "pg_catalog")
        return out


def _split_list(value: str) -> List[str]:
    """Split a list-valued setting like PostgreSQL's SplitIdentifierString."""
    out, cur, quoted, i = [], [], False, 0
    while i < len(value):
        ch = value[i]
        if ch == '"':
            if quoted and i + 1 < len(value) and value[i + 1] == '"':
                cur.append('"')
                i += 1
            else:
                quoted = not quoted
        elif ch == "," and not quoted:
            out.append("".join(cur).strip())
            cur = []
        else:
            cur.append(ch if quoted else ch.lower())
        i += 1
    out.append("".join(cur).strip())
    return [p for p in out if p]


class CatalogEngine:
    """The catalog of one server (see module docstring).

    Args:
        catalog: the registrations (``riffq.Server.catalog``).
        server_version: the version reported to clients.
    """

    def __init__(self, catalog: Catalog, server_version: str = "15.13") -> None:
        self.catalog = catalog
        self.server_version = server_version
        self.oids = OidAllocator()
        self._ready = threading.Event()
        self._build_error: Optional[BaseException] = None
        self._write_lock = threading.Lock()
        self._sessions: Dict[int, Session] = {}
        # What the registered rows were built from: Catalog.version and the
        # count of runtime additions (roles of new users, unregistered
        # databases clients named while nothing is registered).
        self._synced = (-1, -1)
        self._synced_epoch = 0   # bumped by every sync (sessions' DuckDB variables follow)
        self._runtime_changes = 0
        self._roles: Dict[str, int] = {SUPERUSER_NAME: SUPERUSER_OID}
        self._implicit_dbs: Dict[str, int] = {}
        self._con: Any = None
        self._started = time.time()
        # marker -> (_db values, relations) its rows occupy in rq_base
        self._owned: Dict[int, Tuple[set, set]] = {}
        self._lazy_overrides: Tuple[Dict[str, str], Dict[str, str]] = ({}, {})
        self._lazy_rows: Optional[Dict[int, Any]] = None
        # derived.py keys filled so far (most recently used last) -> families
        self._derived: "OrderedDict[str, set]" = OrderedDict()
        self._derived_lock = threading.Lock()
        self._workfile: Optional[str] = None
        self._builder: Optional[threading.Thread] = None
        self._opening: Optional[Any] = None  # snapshot.CatalogOpening, until _build takes it
        self._closing = threading.Event()
        self._close_lock = threading.Lock()
        # sessions' work in progress (logins, catalog queries) and when the
        # last began: the build thread's work after ready waits for a pause
        self._busy = 0
        self._busy_lock = threading.Lock()
        self._busy_since = 0.0
        self._orphans: List[Any] = []  # cursors of sessions that ended while closing
        # DuckDB statements running for a query (watch())
        self._watched: Dict[int, "_Watched"] = {}
        self._watch_cond = threading.Condition()
        self._watcher: Optional[threading.Thread] = None
        self._activity: Optional[Tuple[Any, ...]] = None  # what pg_stat_activity holds
        self.results = cache_mod.ResultCache()
        self._volatile: Optional[Tuple[Any, ...]] = None  # what rq_* names read (cache.py)

    # ---- building ----
    def start(self, opening: Optional[Any] = None) -> None:
        """Build the DuckDB catalog on a background thread (``start()`` must
        not wait for it; the first login waits instead), from ``opening``
        (a snapshot.CatalogOpening begun before this module was imported)
        when given; the build owns it from now on."""
        self._opening = opening
        self._builder = threading.Thread(target=self._build, name="riffq-catalog", daemon=True)
        self._builder.start()
        # A daemon thread still inside DuckDB when the interpreter tears the
        # module down aborts the process: stop it first.
        atexit.register(self.close)

    def close(self) -> None:
        """Stop the background work, close every DuckDB cursor and the
        database, remove the private catalog file. For a server that has
        stopped serving (no query may be running or come later);
        idempotent."""
        with self._busy_lock:  # no session work starts from now on (busy())
            self._closing.set()
        with self._watch_cond:
            self._watch_cond.notify_all()
        # Nothing may be inside DuckDB in another thread when close()
        # returns, nor may a DuckDB object be dropped there afterwards: a
        # thread re-taking the GIL from DuckDB's C++ code while the
        # interpreter finalizes aborts the process ("terminate called
        # without an active exception"). So: wait for the sessions' work in
        # progress (a late disconnect's cursor close, a query), and one
        # closer at a time (the serving thread when start() returns, atexit
        # too), _release's frame, holding the last references, gone before
        # the lock is.
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            with self._busy_lock:
                if self._busy == 0:
                    break
            self._interrupt(expired_only=False)  # their answers would go nowhere
            time.sleep(0.005)
        with self._close_lock:
            self._release()
        atexit.unregister(self.close)

    def _release(self) -> None:
        """close()'s work: join the builder, log every session out, close
        the database, remove the private file."""
        for thread in (self._builder, self._watcher):
            if thread is not None and thread is not threading.current_thread():
                thread.join(timeout=30)
        for sess in list(self._sessions.values()):
            with sess.lock:
                self._sessions.pop(sess.conn_id, None)
                _close_cursor(sess)
        con, self._con = self._con, None
        if con is not None:
            try:
                con.close()
            except Exception:  # already gone with the interpreter
                logger.debug("closing the catalog database", exc_info=True)
        with self._busy_lock:
            orphans, self._orphans = self._orphans, []
        del orphans  # here, in the closer's frame
        if self._workfile is not None:
            from .snapshot import remove_workfile

            remove_workfile(self._workfile)
            self._workfile = None

    def _build(self) -> None:
        from . import snapshot

        # The SQL front end (pglast and the rewriter's tables, ~45 ms of
        # imports) loads on a second thread while DuckDB opens the catalog
        # (on the opening's thread).
        opening, self._opening = self._opening, None
        front = threading.Thread(target=_load_front_end, name="riffq-catalog-sql", daemon=True)
        try:
            if opening is None:
                opening = snapshot.CatalogOpening()
        finally:
            front.start()
        try:
            # What needs only files first, while DuckDB opens. Then DuckDB
            # calls wait for the front end's imports: each gives the GIL up,
            # and taking it back from a thread busy importing costs up to the
            # switch interval (5 ms): ~25 ms in all here, and the imports
            # slowed as much, when they overlapped.
            facts = snapshot.saved_facts()
            if facts is not None:
                self._load_builtin_facts(facts)
            schema_mod.load_relations()
            front.join()
            con, self.schema, self._workfile, got = snapshot.open_catalog_db(opening, facts)
            if facts is None:
                self._load_builtin_facts(got)
            self._con = con
            if self.catalog.databases:  # registered before start(): load them now too
                self._sync_if_changed()
            self._load_volatility(got)
            logger.info("catalog emulation ready in %.0f ms", (time.time() - self._started) * 1e3)
        except BaseException as exc:  # reported to every login
            logger.exception("catalog emulation failed to start")
            self._build_error = exc
        finally:
            front.join()
            with self._busy_lock:
                # the quiet the work below waits for counts from now: a
                # client waiting for the server to listen logs in just after
                self._busy_since = time.monotonic()
            self._ready.set()
        if self._build_error is None and self._wait_quiet():
            # After ready, in a pause of the sessions' work (beside the first
            # client's login and queries it slowed them, ~40 ms on two
            # cores): the rewriter's lazily read tables (~30 ms of Python),
            # then the registered databases' precomputed texts.
            from . import rewrite

            rewrite.warm()
            self._prefill_derived()

    @contextlib.contextmanager
    def busy(self) -> Iterator[None]:
        """Mark a session's work (a login, a catalog query, a logout) in
        progress.

        Raises:
            CatalogError: 57P01 once the engine is closing."""
        with self._busy_lock:
            if self._closing.is_set():
                raise CatalogError("57P01", "terminating connection due to administrator command")
            self._busy += 1
            self._busy_since = time.monotonic()
        try:
            yield
        finally:
            with self._busy_lock:
                self._busy -= 1

    WATCH_SECONDS = 0.05

    @contextlib.contextmanager
    def watch(self, cb: Any, cur: Any, deadline: Optional[float] = None) -> Iterator["_Watched"]:
        """While the block runs a query's DuckDB statement on ``cur``,
        interrupt it if the query's callback expires (``cb.done`` before an
        answer: the client cancelled, the query timed out, the client left)
        or ``deadline`` (time.monotonic(): the session's statement_timeout
        from the statement's start; None: none) passes; the yielded object's
        ``timed_out`` then tells the second case. The core answers an
        expired callback at once; without this the abandoned statement ran
        on, and the session's next one waited for it."""
        w = _Watched(cb, cur, deadline)
        with self._watch_cond:
            self._watched[id(w)] = w
            if self._watcher is None:
                self._watcher = threading.Thread(target=self._watch_loop,
                                                 name="riffq-catalog-watch", daemon=True)
                self._watcher.start()
            self._watch_cond.notify()
        try:
            yield w
        finally:
            with self._watch_cond:
                del self._watched[id(w)]

    def _watch_loop(self) -> None:
        while not self._closing.is_set():
            with self._watch_cond:
                while not self._watched and not self._closing.is_set():
                    self._watch_cond.wait(1.0)
                deadlines = [w.deadline for w in self._watched.values() if w.deadline]
            self._interrupt(expired_only=True)
            pause = self.WATCH_SECONDS
            if deadlines:
                pause = min(pause, max(0.001, min(deadlines) - time.monotonic()))
            self._closing.wait(pause)

    def _interrupt(self, expired_only: bool) -> None:
        """Interrupt the watched statements (expired or past their deadline
        only, or all)."""
        now = time.monotonic()
        with self._watch_cond:  # held: a statement still registered is still running
            for w in self._watched.values():
                if expired_only and not getattr(w.cb, "done", False):
                    if w.deadline is None or now < w.deadline:
                        continue
                    w.timed_out = True
                try:
                    w.cur.interrupt()
                except Exception:  # the cursor may be closing
                    logger.debug("interrupting a catalog statement", exc_info=True)

    QUIET_SECONDS = 0.05

    def _wait_quiet(self) -> bool:
        """Wait until no session work is in progress and none began for
        QUIET_SECONDS (a client's next statement follows its last answer
        within a few ms); False when the engine is closing."""
        while not self._closing.is_set():
            with self._busy_lock:
                idle = self._busy == 0 and \
                    time.monotonic() - self._busy_since >= self.QUIET_SECONDS
            if idle:
                return True
            self._closing.wait(0.01)
        return False

    def _prefill_derived(self) -> None:
        """Fill the precomputed texts (derived.py) of the registered
        databases for a default session, so that the first client's connect
        burst finds them ready. Runs on the build thread, after the catalog
        is ready; a failure here only means the query path fills them."""
        for name in list(self.catalog.databases)[:self.MAX_DERIVED_KEYS // 2]:
            if self._closing.is_set():
                return
            db_oid = self._database_oid(name)
            if db_oid is None:
                continue
            sess = Session(-1, SUPERUSER_NAME, name, db_oid, SUPERUSER_OID, 0, "", 0,
                           self._session_settings(SUPERUSER_NAME, name, None, None))
            try:
                cur = self.cursor(sess)
                for fam in derived.FAMILIES:
                    if not self._wait_quiet():
                        return
                    self.ensure_derived(sess, cur, frozenset((fam,)))
            except Exception:
                logger.warning("catalog: precomputing texts of %r failed", name, exc_info=True)
            finally:
                if sess.cursor is not None:
                    sess.cursor.close()

    def _load_builtin_facts(self, facts: Dict[str, Any]) -> None:
        """Type, operator class and settings facts of the built-in catalog
        (snapshot.read_facts) that building registered rows needs."""
        types = facts["types"]  # oid, typname, typlen, typbyval, typalign, typstorage,
        #                         typcollation, typelem, typarray, typnamespace
        self._types = {r[0]: TypeInfo(r[2], r[3], r[4], r[5], r[6], r[7] != 0 and r[2] == -1)
                       for r in types}
        by_name = {r[1]: (r[0], r[8]) for r in types if r[9] == 11}
        self.resolver = TypeResolver(by_name.get)
        self._opclass = {intype: oid for intype, oid in facts["default_opclasses"]}
        # a type without a default btree opclass uses one it is binary
        # coercible to (varchar: text_ops), as PostgreSQL's GetDefaultOpClass
        for src, dst in facts["binary_casts"]:
            if src not in self._opclass and dst in self._opclass:
                self._opclass[src] = self._opclass[dst]
        intype = {oid: t for oid, t in facts["opclass_types"]}
        ops = {(left, right): oid for oid, left, right in facts["eq_operators"]}
        self._eqops = EqOps(self._opclass, intype, ops)
        self._builtin_ns = {name: oid for name, oid in facts["namespaces"]}
        self._guc_defs = defs_from_rows(facts["settings"])
        derived.seed_view_families(facts.get("view_families"))

    def wait_ready(self, timeout: float = 30.0) -> None:
        """Block until the catalog is built.

        Raises:
            CatalogError: it failed to build, or took longer than ``timeout``.
        """
        if not self._ready.wait(timeout):
            raise CatalogError("57P03", "catalog emulation is still starting up")
        if self._build_error is not None:
            raise CatalogError("XX000", f"catalog emulation failed to start: {self._build_error}")

    # ---- sessions ----
    def _database_oid(self, name: str) -> Optional[int]:
        """The OID of database ``name``: built in, registered, the lazy
        source's, or (nothing registered: serve whatever is asked) one given
        to the name now; None when it does not exist."""
        if name in BUILTIN_DATABASES:
            return BUILTIN_DATABASES[name]
        if name in self.catalog.databases:
            return self.oids.oid("db", name)
        if self.catalog.lazy_source is not None:
            return next((int(d["oid"]) for d in lazy_mod.databases(self.catalog.lazy_source)
                         if d["name"] == name), None)
        if self.catalog.databases:
            return None
        with self._write_lock:
            if name not in self._implicit_dbs:
                self._implicit_dbs[name] = self.oids.oid("db", name)
                self._runtime_changes += 1
            return self._implicit_dbs[name]

    def login(self, conn_id: int, user: str, database: str, app: Optional[str], ip: str,
              port: int, pid: int, timezone: Optional[str],
              tls: Optional[Tuple[str, str, int]] = None) -> None:
        """Open the session of a new connection (``tls``: its TLS protocol,
        cipher and bits; None when it is not encrypted).

        Raises:
            CatalogError: 3D000 when the database does not exist, 55000 for
                template0, or the catalog failed to start.
        """
        with self.busy():
            self._login(conn_id, user, database, app, ip, port, pid, timezone, tls)

    def _login(self, conn_id: int, user: str, database: str, app: Optional[str], ip: str,
               port: int, pid: int, timezone: Optional[str],
               tls: Optional[Tuple[str, str, int]]) -> None:
        self.wait_ready()
        if database == "template0":
            raise CatalogError("55000", 'database "template0" is not currently accepting connections')
        db_oid = self._database_oid(database)
        if db_oid is None:
            raise CatalogError("3D000", f'database "{database}" does not exist')
        settings = self._session_settings(user, database, app, timezone)
        with self._write_lock:
            if user not in self._roles:
                self._roles[user] = self.oids.oid("role", user)
                self._runtime_changes += 1
            user_oid = self._roles[user]
        sess = Session(conn_id, user, database, db_oid, user_oid, pid, ip, port, settings,
                       tls=tls)
        self._sessions[conn_id] = sess

    def _session_settings(self, user: str, database: str, app: Optional[str],
                          timezone: Optional[str]) -> Settings:
        """A new session's settings: the defaults, then the database's
        (ALTER DATABASE ... SET), the client's time zone and the lazy
        source's settings()."""
        overrides = {"server_version": self.server_version, "application_name": app or "",
                     "session_authorization": user, "is_superuser": "on",
                     "server_version_num": _version_num(self.server_version)}
        registered = self.catalog.databases.get(database)
        if registered is not None:
            overrides.update({k.lower(): v for k, v in registered.settings.items()})
        if timezone:
            overrides["timezone"] = timezone
        if self.catalog.lazy_source is not None:  # riffq 0.1.11: settings() overrides
            overrides.update({k.lower(): v for k, v in
                              lazy_mod.overrides(self.catalog.lazy_source, "settings").items()})
        return Settings(self._guc_defs, overrides)

    def logout(self, conn_id: int) -> None:
        """Forget a closed connection's session (and close its cursor; once
        the engine is closing, closing the database closes it)."""
        sess = self._sessions.pop(conn_id, None)
        if sess is None or sess.cursor is None:
            return
        try:
            with self.busy():  # the cursor's destructor re-takes the GIL (see close())
                _close_cursor(sess)
        except CatalogError:  # closing: the closer drops it
            with self._busy_lock:
                self._orphans.append(sess.cursor)
                sess.cursor = None

    @staticmethod
    def note_statement(sess: Session, sql: str) -> None:
        """A session's statement begins (pg_stat_activity's query and
        query_start; PostgreSQL keeps up to track_activity_query_size bytes)."""
        if len(sql) > _QUERY_TEXT_LIMIT // 4:  # (4 bytes at most a character)
            sql = sql.encode("utf-8")[:_QUERY_TEXT_LIMIT].decode("utf-8", "ignore")
        sess.last_query = sql
        sess.query_start = dt.datetime.now(dt.timezone.utc)

    def session(self, conn_id: int) -> Optional[Session]:
        """The session of ``conn_id`` (None when it never logged in here)."""
        return self._sessions.get(conn_id)

    # ---- keeping DuckDB in step ----
    def refresh(self, sess: Session) -> None:
        """Bring registered and lazy rows up to date before a catalog query."""
        self._sync_if_changed()
        src = self.catalog.lazy_source
        if src is not None:
            rows = lazy_mod.collect(src, sess.database, self)
            fixed = (lazy_mod.overrides(src, "config"), lazy_mod.overrides(src, "settings"))
            with self._write_lock:
                if rows != self._lazy_rows:  # unchanged: keep rows and derived texts
                    self._replace_rows(SHARED_LAZY, rows)
                    self._lazy_rows = rows
                    self._synced_epoch += 1
                if fixed != self._lazy_overrides:
                    self._apply_overrides(*fixed)
                    self._lazy_overrides = fixed
                    self._synced_epoch += 1  # pg_config changed: cached answers are stale

    def _sync_if_changed(self) -> None:
        """Rebuild the registered rows when registrations (or runtime roles
        and databases) changed since the last time."""
        if (self.catalog.version, self._runtime_changes) != self._synced:
            with self._write_lock:
                state = (self.catalog.version, self._runtime_changes)
                if state != self._synced:
                    self._sync_registered()
                    self._synced = state
                    self._synced_epoch += 1

    def _apply_overrides(self, config: Dict[str, str], settings: Dict[str, str]) -> None:
        """A lazy source's config()/settings() rows replace built-in values."""
        con = self._con.cursor()
        try:
            for rel, values in (("pg_config", config), ("pg_settings", settings)):
                for name, setting in values.items():
                    # literals, not parameters: schema.sql_literal says why
                    con.execute(f"UPDATE rq_base.{rel} SET setting = {sql_literal(setting)}"
                                f" WHERE name = {sql_literal(name)}")
        finally:
            con.close()

    def _sync_registered(self) -> None:
        _, dbs = self.catalog.snapshot()
        per_db, warnings = build_rows(dbs, self.oids, self.resolver, self._types, self._opclass,
                                      self._builtin_ns, self._eqops)
        for w in warnings:
            logger.warning("catalog: %s", w)
        shared = per_db.setdefault(SHARED_REGISTERED, RowSet())
        for name, oid in BUILTIN_DATABASES.items():
            row = database_row(oid, name)
            row.update(datistemplate=name != "postgres", datallowconn=name != "template0")
            if name != "postgres":  # initdb's template ACLs
                row["datacl"] = ["=c/" + SUPERUSER_NAME, SUPERUSER_NAME + "=CTc/" + SUPERUSER_NAME]
            shared.add("pg_database", row)
        for name, oid in self._implicit_dbs.items():
            if name not in self.catalog.databases:
                shared.add("pg_database", database_row(oid, name))
        for name, oid in self._roles.items():
            shared.add("pg_authid", _role_row(oid, name))
        self._replace_rows(SHARED_REGISTERED, per_db)

    def _replace_rows(self, marker: int, per_db: Dict[int, Any]) -> None:
        """In one transaction: drop the rows this source (registrations or the
        lazy source, told apart by ``marker``) made before, insert the new ones."""
        old_dbs, old_rels = self._owned.get(marker, (set(), set()))
        new_dbs = set(per_db) | {marker}
        new_rels = {rel for rs in per_db.values() for rel, rows in rs.rows.items() if rows}
        dbs = ", ".join(str(d) for d in sorted(old_dbs | new_dbs))
        con = self._con.cursor()
        # One script, one DuckDB call: each call gives the GIL up, and taking
        # it back while another thread runs Python costs up to the switch
        # interval (5 ms); a registration's sync was ~25 calls.
        script = ["BEGIN TRANSACTION"]
        try:
            # only where this source wrote rows before (the first sync of a
            # fresh catalog deletes nothing)
            for rel in sorted(old_rels):
                sql = self.schema.delete_sql(con, rel, f"_db IN ({dbs})")
                if sql is not None:
                    script.append(sql)
            for db_oid, rs in per_db.items():
                for rel, rows in rs.rows.items():
                    script += self.schema.insert_sql(con, rel, rows, db_oid)
            script.append("COMMIT")
            con.execute(";\n".join(script))
            self._owned[marker] = (new_dbs, new_rels)
        except BaseException:
            try:
                con.execute("ROLLBACK")
            except Exception:  # the script failed before its BEGIN: no transaction
                logger.debug("catalog sync: nothing to roll back", exc_info=True)
            raise
        finally:
            con.close()

    # ---- per-session DuckDB cursor ----
    def cursor(self, sess: Session) -> Any:
        """The session's DuckDB cursor with its variables up to date."""
        if sess.cursor is None:  # a new cursor holds no variables
            sess.cursor = self._con.cursor()
            sess.vars_dirty, sess.guc_names = True, ()
        if sess.vars_dirty or sess.vars_epoch != self._synced_epoch:
            self._set_variables(sess)
            sess.vars_dirty = False
            sess.vars_epoch = self._synced_epoch
        return sess.cursor

    def _set_variables(self, sess: Session) -> None:
        cur = sess.cursor
        schemas = [r[0] for r in cur.execute(
            f"SELECT nspname FROM rq_base.pg_namespace WHERE _db IN (0, {int(sess.db_oid)})"
        ).fetchall()]
        gucs = sess.settings.as_map()
        path = sess.search_path(schemas)
        values: List[Tuple[str, Any]] = [
            ("rq_db_oid", sess.db_oid), ("rq_db_name", sess.database), ("rq_user", sess.user),
            ("rq_user_oid", sess.user_oid), ("rq_pid", sess.pid),
            ("rq_client_addr", sess.client_addr), ("rq_client_port", sess.client_port),
            ("rq_search_path", path), ("rq_server_start", self._started)]
        sess.path = path
        sess.explicit_path = explicit_path(path, sess.settings.get("search_path"))
        sess.dstd = derived.is_standard_path(tuple(path))
        sess.dkey = f"{sess.db_oid}/{self._synced_epoch}/" + "/".join(path)
        values += [("rq_tkey", sess.dkey),
                   ("rq_bkey", derived.STD_KEY if sess.dstd else sess.dkey)]
        # literals, not parameters: schema.sql_literal says why
        stmts = [f"SET VARIABLE {name} = {sql_literal(value)}" for name, value in values]
        names = tuple(gucs)  # the same on every call but after a new custom setting
        stmts += settings_variables(gucs, sess.settings.base_map(), names != sess.guc_names)
        cur.execute(";\n".join(stmts))
        sess.guc_names = names
        sess.gucs_digest = hashlib.blake2b(repr(sorted(gucs.items())).encode(),
                                           digest_size=16).digest()

    # ---- result cache (cache.py) ----
    def _load_volatility(self, facts: Dict[str, Any]) -> None:
        """What each rq_* name reads (cache.py's kinds, computed into the
        snapshot and saved in its facts); until they are loaded nothing is
        cached."""
        saved = facts.get("volatility")
        if saved is not None:
            self._volatile = cache_mod.freeze({kind: frozenset(names)
                                               for kind, names in saved.items()})
            return
        cur = self._con.cursor()
        try:
            self._volatile = cache_mod.freeze(cache_mod.load_volatility(cur))
        finally:
            cur.close()

    def statement_kinds(self, duck_sql: str) -> Optional[FrozenSet[str]]:
        """What a rewritten statement reads (cache.py's kinds); None until
        the catalog is ready."""
        volatile = self._volatile
        return None if volatile is None else cache_mod.statement_kinds(duck_sql, volatile)

    def cache_key(self, sess: Session, duck_sql: str, params: Optional[Sequence[Any]],
                  kinds: Optional[FrozenSet[str]]) -> Optional[Tuple[Any, ...]]:
        """The result cache's key for this statement (of statement_kinds()
        ``kinds``) in this session (the session's cursor() must have run),
        or None when its answer must not be reused: it reads something
        volatile (see cache.py)."""
        if kinds is None or kinds & cache_mod.NEVER_CACHED:
            return None
        args = tuple(params) if params else ()
        try:
            hash(args)
        except TypeError:
            return None
        return (duck_sql, args, sess.dkey, sess.user, sess.settings.get("search_path"),
                sess.gucs_digest if "settings" in kinds else None,
                (sess.pid, sess.client_addr, sess.client_port) if "conn" in kinds else None)

    # ---- pg_stat_activity ----
    def ensure_activity(self) -> None:
        """Write pg_stat_activity's and pg_stat_ssl's rows (one per
        connection) if sessions came, went or renamed themselves since they
        were last written."""
        sessions = sorted(self._sessions.values(), key=lambda x: x.conn_id)
        state = tuple((x.conn_id, x.settings.get("application_name"), x.query_start)
                      for x in sessions)
        if state == self._activity:
            return
        rows = RowSet()
        for x in sessions:
            rows.add("pg_stat_activity", {
                "datid": x.db_oid, "datname": x.database, "pid": x.pid,
                "usesysid": x.user_oid, "usename": x.user,
                "application_name": x.settings.get("application_name"),
                "client_addr": x.client_addr or None, "client_port": x.client_port,
                "backend_start": x.started, "state": "idle", "query": x.last_query,
                "query_start": x.query_start, "state_change": x.query_start,
                "backend_type": "client backend"})
            version, cipher, bits = x.tls or (None, None, None)
            # (no client certificates: client_dn, client_serial, issuer_dn NULL)
            rows.add("pg_stat_ssl", {"pid": x.pid, "ssl": x.tls is not None,
                                     "version": version, "cipher": cipher, "bits": bits})
        with self._write_lock:
            self._replace_rows(SHARED_ACTIVITY, {SHARED_ACTIVITY: rows})
            self._activity = state

    # ---- precomputed texts (derived.py) ----
    MAX_DERIVED_KEYS = 16

    def _evict_derived(self, cur: Any, keep: str) -> None:
        """Drop the least recently used keys beyond MAX_DERIVED_KEYS, except
        ``keep`` and keys a live session stands on (a query of it may be
        reading them): those may make more keys, one per live session."""
        live = {s.dkey for s in list(self._sessions.values())} | {keep}
        for key in [k for k in self._derived if k not in live]:
            if len(self._derived) <= self.MAX_DERIVED_KEYS:
                break
            del self._derived[key]
            for name in derived.FAMILIES:
                cur.execute(f"DELETE FROM rq_base.rq_k_{name} WHERE key = {sql_literal(key)}")

    def ensure_derived(self, sess: Session, cur: Any, families: frozenset) -> None:
        """Fill the precomputed texts of ``families`` for the session's key
        before a query that reads them (``cursor(sess)`` set the key). Once
        per key and family (see _evict_derived for how many are kept)."""
        if not families:
            return
        done = self._derived.get(sess.dkey)
        if done is not None and families <= done:
            return
        with self._derived_lock:
            done = self._derived.get(sess.dkey)
            if done is None:
                done = self._derived[sess.dkey] = set()
                self._evict_derived(cur, keep=sess.dkey)
            else:
                self._derived.move_to_end(sess.dkey)
            for fam in sorted(families - done):
                # standard path: the built-in rows are in the snapshot; fill
                # only the database's own objects, if it has any
                if not sess.dstd or cur.execute(derived.own_rows_sql(fam)).fetchone()[0]:
                    cur.execute(derived.fill_sql(fam, sess.dstd, sql_literal(sess.dkey)))
                done.add(fam)


class _Watched:
    """A query's DuckDB statement under CatalogEngine.watch."""

    __slots__ = ("cb", "cur", "deadline", "timed_out")

    def __init__(self, cb: Any, cur: Any, deadline: Optional[float]) -> None:
        self.cb, self.cur, self.deadline = cb, cur, deadline
        self.timed_out = False


# search_path lists pg_catalog (rq_fn._explicit_path's test, in Python)
_LISTS_PG_CATALOG = re.compile(r'(^|,)\s*"?pg_catalog"?\s*(,|\Z)')


def explicit_path(path: List[str], search_path: str) -> List[str]:
    """The effective ``path`` less the implicit pg_catalog: what
    current_schemas(false) answers (rq_fn._explicit_path)."""
    if path[:1] == ["pg_catalog"] and not _LISTS_PG_CATALOG.search(search_path):
        return path[1:]
    return list(path)


#: PostgreSQL's track_activity_query_size default, 1024 bytes with the
#: terminating NUL: a longer statement shows as its first 1023 bytes, cut
#: at a character's boundary
_QUERY_TEXT_LIMIT = 1023


def _close_cursor(sess: Session) -> None:
    cur, sess.cursor = sess.cursor, None
    if cur is not None:
        try:
            cur.close()
        except Exception:  # the cursor may already be gone with the database
            logger.debug("closing a session's cursor", exc_info=True)


def _load_front_end() -> None:
    """Import the rewriter (pglast, its module tables). (The map of the
    families information_schema's views read comes with the snapshot's
    facts: _load_builtin_facts.)"""
    from . import rewrite

    rewrite.classify("SELECT 1 FROM pg_catalog.pg_class")


def _role_row(oid: int, name: str) -> Dict[str, Any]:
    return {"oid": oid, "rolname": name, "rolsuper": True, "rolinherit": True,
            "rolcreaterole": True, "rolcreatedb": True, "rolcanlogin": True,
            "rolreplication": oid == SUPERUSER_OID, "rolbypassrls": True, "rolconnlimit": -1}


def _version_num(version: str) -> str:
    parts = (version.split() or ["0"])[0].split(".")
    try:
        major = int(parts[0])
        minor = int(parts[1]) if len(parts) > 1 and parts[1].isdigit() else 0
    except ValueError:
        return "150000"
    return str(major * 10000 + minor)
