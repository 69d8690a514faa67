"""A prebuilt catalog database, so that a server's catalog is ready at once.

Building the catalog (PostgreSQL 15's rows, ~700 views and macros) takes
DuckDB most of a second, mostly binding views and macros. It is the same
for every server of one riffq version, so it is built once into a DuckDB
file in the cache directory (``$RIFFQ_CACHE_DIR``, else
``$XDG_CACHE_HOME/riffq``, else ``~/.cache/riffq``), named after a hash of
everything that shapes it (data files, the SQL/Python that builds it, the
DuckDB version; by size and modification time). Each server then copies
that file to a private temporary file and opens the copy: writable
(registered objects are inserted into it), gone when the server ends.
Beside the file, ``catalog-<hash>.facts.json`` holds what the engine reads
of the built-in catalog in Python (``read_facts``), so that a start runs no
query for it. When no cache directory is writable the catalog is built in
memory instead, as before.

``python -m riffq.pgcatalog.snapshot`` builds the cache ahead of time
(``make install`` does).
"""

from __future__ import annotations

import atexit
import functools
import hashlib
import json
import logging
import os
import shutil
import tempfile
import threading
from pathlib import Path
from typing import Any, Dict, List, Optional, Tuple

__all__ = ["open_catalog_db", "snapshot_path", "build_snapshot", "remove_workfile"]

logger = logging.getLogger("riffq.catalog")
_HERE = Path(__file__).resolve().parent


def _cache_dir() -> Path:
    env = os.environ.get("RIFFQ_CACHE_DIR")
    if env:
        return Path(env)
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "riffq"


@functools.lru_cache(maxsize=1)
def _fingerprint() -> str:
    """Hash of the DuckDB version and every file that shapes the catalog,
    by name, size and modification time: hashing their 5 MB of contents
    cost ~40 ms of every server's start."""
    import duckdb

    h = hashlib.sha256(duckdb.__version__.encode())
    files = sorted(list((_HERE / "data").iterdir()) + [
        _HERE / n for n in ("schema.py", "functions.py", "pyfuncs.py", "derived.py", "cache.py",
                            "functions.sql",
                            "infoschema.py", "infoschema.sql", "snapshot.py")
        if (_HERE / n).exists()])
    for f in files:
        st = f.stat()
        h.update(f"{f.name}\0{st.st_size}\0{st.st_mtime_ns}\0".encode())
    return h.hexdigest()[:24]


def snapshot_path() -> Path:
    """Where the prebuilt catalog of this riffq + DuckDB lives."""
    return _cache_dir() / f"catalog-{_fingerprint()}.duckdb"


#: The bootstrap superuser (OID 10) that owns every object (engine.SUPERUSER_NAME).
SUPERUSER = "postgres"


def _name_superuser(con: Any, cs: Any) -> None:
    """The generated data writes the bootstrap superuser in ACLs as
    "{superuser}" (it carries no role names); ours is SUPERUSER."""
    for rel in sorted(cs.created):
        for col, pg_type, _duck in cs.columns(rel):
            if pg_type == "aclitem[]":
                con.execute(f'UPDATE rq_base."{rel}" SET "{col}" = list_transform("{col}", '
                            f"a -> replace(a, '{{superuser}}', '{SUPERUSER}')) "
                            f'WHERE "{col}" IS NOT NULL')


def _build_into(con: Any) -> Any:
    from . import cache, derived, functions, infoschema, schema

    cs = schema.build_catalog_db(con)
    _name_superuser(con, cs)
    # Every catalog table exists in the snapshot, even those without
    # built-in rows: a server's first registration sync would otherwise
    # create them (~1 ms each).
    for name, rel in sorted(cs.rels.items()):
        if rel.kind == "table" and name not in cs.created:
            cs.base_table(con, name)
    functions.install_functions(con)
    infoschema.install_information_schema(con)
    derived.fill_builtin(con)
    cache.save_volatility(con)
    return cs


# The snapshot's storage block size. A server's first registration appends to
# tables holding built-in rows; DuckDB then gives every column a new
# in-memory segment of one block: with the default 256 kB that is ~100 MB
# of fresh pages for a first sync (~45 ms); with 16 kB, a sixteenth.
_BLOCK_SIZE = 16384

# The snapshot is written in the running DuckDB's own storage format (it is
# private, and its name carries DuckDB's version). The default format is
# v1.0's: its column statistics keep a 12 kB HyperLogLog each, which every
# open converts to the current 64-register one, register by register: ~15 ms
# (a third) of opening the catalog, and a file more than twice as large.
_STORAGE = "STORAGE_VERSION 'latest'"


def build_snapshot() -> Optional[Path]:
    """Build the cached catalog file if missing; None when the cache
    directory is not writable."""
    import duckdb

    path = snapshot_path()
    if path.exists():
        return path
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".building-", suffix=".duckdb", dir=path.parent)
        os.close(fd)
        os.unlink(tmp)  # DuckDB creates the file itself
        # Built in memory then copied: building in the file directly is ~5x
        # slower (every statement goes through the storage layer).
        con = duckdb.connect(":memory:")
        try:
            _build_into(con)
            con.execute(f"ATTACH '{tmp}' AS rq_snapshot (BLOCK_SIZE {_BLOCK_SIZE}, {_STORAGE})")
            con.execute("COPY FROM DATABASE memory TO rq_snapshot")
            con.execute("DETACH rq_snapshot")
            facts = read_facts(con)
        finally:
            con.close()
        # the facts first: a snapshot is never without them but while this
        # one is being written (a reader then runs the queries instead)
        facts_tmp = tmp + ".facts"
        with open(facts_tmp, "w", encoding="utf-8") as f:
            json.dump(facts, f, separators=(",", ":"))
        os.replace(facts_tmp, _facts_path(path))
        os.replace(tmp, path)  # atomic: concurrent builders each publish a whole file
        for stale in path.parent.glob("catalog-*"):
            if stale not in (path, _facts_path(path)):
                stale.unlink(missing_ok=True)
        return path
    except OSError as exc:
        logger.info("catalog cache not writable (%s): building in memory", exc)
        return None


def read_facts(con: Any) -> Dict[str, Any]:
    """What the engine reads of the built-in catalog besides SQL (types,
    btree opclasses, binary casts, equality operators, schemas, settings,
    the tables that exist), as plain JSON-ready data: saved beside the
    snapshot, so that a server's start reads a small file instead of
    running these queries (~10 ms); and which derived families each
    information_schema view reads (derived.view_families_fact)."""
    from . import cache, derived

    def rows(sql: str) -> List[List[Any]]:
        return [list(r) for r in con.execute(sql).fetchall()]

    result = con.execute("SELECT name, setting, vartype, context, enumvals, short_desc, unit,"
                         " min_val, max_val FROM rq_base.pg_settings")  # (defs_from_rows)
    cols = [c[0] for c in result.description]
    settings = [dict(zip(cols, r)) for r in result.fetchall()]
    return {
        "types": rows("SELECT oid, typname, typlen, typbyval, typalign, typstorage,"
                      " typcollation, typelem, typarray, typnamespace FROM rq_base.pg_type"),
        "default_opclasses": rows("SELECT opcintype, oid FROM rq_base.pg_opclass"
                                  " WHERE opcmethod = 403 AND opcdefault"),
        "binary_casts": rows("SELECT castsource, casttarget FROM rq_base.pg_cast"
                             " WHERE castmethod = 'b'"),
        "opclass_types": rows("SELECT oid, opcintype FROM rq_base.pg_opclass"
                              " WHERE opcmethod = 403"),
        "eq_operators": rows("SELECT oid, oprleft, oprright FROM rq_base.pg_operator"
                             " WHERE oprname = '=' AND oprkind = 'b' AND oprresult = 16"),
        "namespaces": rows("SELECT nspname, oid FROM rq_base.pg_namespace"),
        "settings": settings,
        "view_families": derived.view_families_fact(),
        "volatility": {kind: sorted(names)
                       for kind, names in sorted(cache.load_volatility(con).items())},
        "tables": sorted(r[0] for r in con.execute(
            "SELECT table_name FROM duckdb_tables() WHERE schema_name = 'rq_base'").fetchall()),
    }


def _facts_path(snap: Path) -> Path:
    return snap.with_suffix(".facts.json")


def saved_facts() -> Optional[Dict[str, Any]]:
    """The facts file of this riffq's snapshot (read_facts() saved beside
    it); None when missing or unreadable (the snapshot is not built yet)."""
    try:
        with open(_facts_path(snapshot_path()), encoding="utf-8") as f:
            return json.load(f)
    except (OSError, ValueError):
        return None


class CatalogOpening:
    """A server's private copy of the snapshot, opened by DuckDB on a thread
    of its own from construction on: DuckDB's open (~40 ms, the GIL
    released) then overlaps the imports of the catalog's modules, pure
    Python, on the constructing thread. result() hands the connection over.

    The snapshot's name is worked out first, on the constructing thread:
    that stats ~45 files, and each stat gives the GIL up to a thread busy
    importing, which keeps it for up to the switch interval (5 ms) each time.
    """

    def __init__(self) -> None:
        self._result: Optional[Tuple[Any, Optional[str], Optional[Path]]] = None
        self._error: Optional[BaseException] = None
        # The copy too when the snapshot exists (~2 ms): its ~8 system
        # calls, on the thread, would each wait for the GIL likewise.
        self._copy: Optional[Tuple[str, Path]] = None
        if snapshot_path().exists():
            try:
                self._copy = _private_copy(snapshot_path())
            except OSError:  # the thread tries again, and reports it
                pass
        self._thread = threading.Thread(target=self._run, name="riffq-catalog-open",
                                        daemon=True)
        self._thread.start()

    def _run(self) -> None:
        try:
            self._result = _open_copy(self._copy)
        except BaseException as exc:  # result() raises it
            self._error = exc

    def result(self) -> Tuple[Any, Optional[str], Optional[Path]]:
        """Wait for the open: (DuckDB connection, private work file, snapshot),
        or (None, None, None) when there is no snapshot (the cache directory
        is not writable). The caller owns the connection and the file.

        Raises:
            Exception: whatever building or opening the snapshot raised.
        """
        self._thread.join()
        if self._error is not None:
            raise self._error
        assert self._result is not None
        return self._result


def _private_copy(snap: Path) -> Tuple[str, Path]:
    """A server's own copy of the snapshot: (its path, the snapshot)."""
    fd, work = tempfile.mkstemp(prefix="riffq-catalog-", suffix=".duckdb")
    os.close(fd)
    atexit.register(remove_workfile, work)
    shutil.copyfile(snap, work)
    return work, snap


def _open_copy(copy: Optional[Tuple[str, Path]]) -> Tuple[Any, Optional[str], Optional[Path]]:
    import duckdb

    for attempt in (1, 2):
        if copy is None:
            snap = build_snapshot()
            if snap is None:
                return None, None, None
            copy = _private_copy(snap)
        work, snap = copy
        try:
            return duckdb.connect(work), work, snap
        except duckdb.Error as exc:
            # A damaged cached file (a full disk, a crash of another writer's
            # filesystem...): every server would fail to start until someone
            # deleted it. Built again, once.
            remove_workfile(work)
            if attempt == 2:
                raise
            logger.warning("catalog cache %s unreadable (%s): building it again", snap, exc)
            for stale in (snap, _facts_path(snap)):
                try:
                    stale.unlink()
                except OSError:
                    pass
            copy = None
    raise AssertionError("unreachable")  # pragma: no cover


# Clients' SQL runs in the catalog's database: no files, no network, no
# extensions, whatever a rewritten query asks for. Catalog queries are small:
# one thread each is faster than DuckDB's task coordination (2.5x on
# pg_get_indexdef here). The private copy is deleted after close: writing it
# back first only lengthens the close. Then nothing may change these. (One
# call: each DuckDB call gives the GIL up, and taking it back from a thread
# busy with Python costs up to the switch interval, 5 ms.)
_CLIENT_SETTINGS = ("SET enable_external_access = false; SET threads = 1;"
                    " PRAGMA disable_checkpoint_on_shutdown; SET lock_configuration = true")


def _prepare(con: Any) -> None:
    """Make a freshly opened catalog database ready for clients' SQL: the
    Python functions (a file holds none) and _CLIENT_SETTINGS."""
    from .pyfuncs import install_python_functions

    install_python_functions(con)
    con.execute(_CLIENT_SETTINGS)


def open_catalog_db(opening: Optional[CatalogOpening] = None,
                    facts: Optional[Dict[str, Any]] = None
                    ) -> Tuple[Any, Any, Optional[str], Dict[str, Any]]:
    """(DuckDB connection, CatalogSchema, private work file or None, the
    built-in facts: read_facts()), from ``opening`` (else opened here) and
    ``facts`` (saved_facts(), when the caller read them already)."""
    import duckdb

    from . import schema

    # (Python work first, while DuckDB opens the copy on the opening's thread)
    rels = dict(schema.load_relations())
    con, work, snap = (opening or CatalogOpening()).result()
    if con is None or snap is None:
        con = duckdb.connect(":memory:")
        cs = _build_into(con)
        got = read_facts(con)
        con.execute(_CLIENT_SETTINGS)  # (_build_into installed the Python functions)
        return con, cs, None, got
    try:
        _prepare(con)
    except BaseException:
        con.close()
        raise
    if facts is None:
        facts = saved_facts() or read_facts(con)
    return con, schema.CatalogSchema(rels, frozenset(facts["tables"])), work, facts


def remove_workfile(path: str) -> None:
    """Delete a server's private catalog file (and its WAL)."""
    for p in (path, path + ".wal"):
        try:
            os.unlink(p)
        except OSError:
            pass


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO)
    print(build_snapshot())
