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
            con.execute(f"ATTACH '{tmp}' AS rq_snapshot (BLOCK_SIZE {_BLOCK_SIZE})")
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
    running these queries (~10 ms)."""
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
        "tables": sorted(r[0] for r in con.execute(
            "SELECT table_name FROM duckdb_tables() WHERE schema_name = 'rq_base'").fetchall()),
    }


def _facts_path(snap: Path) -> Path:
    return snap.with_suffix(".facts.json")


def _load_facts(snap: Path, con: Any) -> Dict[str, Any]:
    """The snapshot's facts file, else (missing, unreadable) read_facts()."""
    try:
        with open(_facts_path(snap), encoding="utf-8") as f:
            return json.load(f)
    except (OSError, ValueError):
        return read_facts(con)


def open_catalog_db() -> Tuple[Any, Any, Optional[str], Dict[str, Any]]:
    """(DuckDB connection, CatalogSchema, private work file or None, the
    built-in facts: read_facts())."""
    import duckdb

    from . import schema

    snap = build_snapshot()
    if snap is None:
        con = duckdb.connect(":memory:")
        cs = _build_into(con)
        return con, cs, None, read_facts(con)
    fd, work = tempfile.mkstemp(prefix="riffq-catalog-", suffix=".duckdb")
    os.close(fd)
    shutil.copyfile(snap, work)
    atexit.register(remove_workfile, work)
    con = duckdb.connect(work)
    from .pyfuncs import install_python_functions  # (a file holds no Python functions)

    install_python_functions(con)
    facts = _load_facts(snap, con)
    cs = schema.CatalogSchema(dict(schema.load_relations()), frozenset(facts["tables"]))
    return con, cs, work, facts


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
