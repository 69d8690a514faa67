"""riffq.pgcatalog.snapshot: the prebuilt catalog file and its facts file.

One snapshot is built into a private cache directory for the module
(~2 s); each test then opens private copies of it, as servers do.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any, Iterator

import pytest

duckdb = pytest.importorskip("duckdb")
pytest.importorskip("pglast")

from riffq.pgcatalog import snapshot  # noqa: E402


@pytest.fixture(scope="module")
def cache_dir(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    d = tmp_path_factory.mktemp("riffq-cache")
    old = os.environ.get("RIFFQ_CACHE_DIR")
    os.environ["RIFFQ_CACHE_DIR"] = str(d)
    # a stale snapshot of another riffq/DuckDB version, and its facts
    (d / "catalog-000000000000000000000000.duckdb").write_bytes(b"old")
    (d / "catalog-000000000000000000000000.facts.json").write_text("{}")
    try:
        assert snapshot.build_snapshot() == snapshot.snapshot_path()
        yield d
    finally:
        if old is None:
            os.environ.pop("RIFFQ_CACHE_DIR", None)
        else:
            os.environ["RIFFQ_CACHE_DIR"] = old


def _open(cache_dir: Path) -> Any:
    con, cs, work, facts = snapshot.open_catalog_db()
    assert work is not None and Path(work).parent != cache_dir
    return con, cs, work, facts


def _close(con: Any, work: str) -> None:
    con.close()
    snapshot.remove_workfile(work)
    assert not os.path.exists(work)


def test_build_publishes_snapshot_and_facts_and_removes_stale(cache_dir: Path) -> None:
    snap = snapshot.snapshot_path()
    names = sorted(p.name for p in cache_dir.iterdir())
    assert names == sorted([snap.name, snap.with_suffix(".facts.json").name])
    con = duckdb.connect(str(snap), read_only=True)
    try:
        # small blocks: a first registration's append allocates a block per column
        assert con.execute("SELECT block_size FROM pragma_database_size()").fetchone()[0] == 16384
    finally:
        con.close()


def test_snapshot_is_in_duckdbs_own_storage_format(cache_dir: Path) -> None:
    """Not v1.0's default: its 12 kB HyperLogLog per column was converted at
    every open (a third of a server's open of the catalog)."""
    con = duckdb.connect(str(snapshot.snapshot_path()), read_only=True)
    try:
        tags = con.execute("SELECT tags FROM duckdb_databases() WHERE NOT internal").fetchone()[0]
        assert tags.get("storage_version") not in (None, "v1.0.0+")
    finally:
        con.close()


def test_damaged_snapshot_is_built_again(cache_dir: Path, caplog: Any) -> None:
    """A cached file DuckDB cannot open is replaced by a new build rather
    than failing every server's start."""
    snap = snapshot.snapshot_path()
    good = snap.read_bytes()
    try:
        snap.write_bytes(good[:4096] + b"\0" * 8192)
        with caplog.at_level("WARNING", logger="riffq.catalog"):
            con, cs, work, facts = _open(cache_dir)
        assert "building it again" in caplog.text
        try:
            assert con.execute("SELECT count(*) FROM rq_pg.pg_type").fetchone()[0] == len(facts["types"])
        finally:
            _close(con, work)
        assert snap.exists() and snap.stat().st_size > 100_000
    finally:
        if not snap.exists() or snap.stat().st_size < 100_000:
            snap.write_bytes(good)


def test_facts_file_holds_what_the_database_says(cache_dir: Path) -> None:
    con, cs, work, facts = _open(cache_dir)
    try:
        assert facts == json.loads(json.dumps(snapshot.read_facts(con)))
        assert {"types", "settings", "tables", "namespaces"} <= set(facts)
        assert "pg_class" in facts["tables"] and "pg_class" in cs.created
        assert any(s["name"] == "work_mem" and s["unit"] == "kB" for s in facts["settings"])
    finally:
        _close(con, work)


@pytest.mark.parametrize("damage", ["missing", "corrupt"])
def test_facts_are_read_from_the_database_without_a_good_file(cache_dir: Path,
                                                              damage: str) -> None:
    path = snapshot.snapshot_path().with_suffix(".facts.json")
    saved = path.read_bytes()
    try:
        if damage == "missing":
            path.unlink()
        else:
            path.write_text('{"types": [', encoding="utf-8")
        con, cs, work, facts = _open(cache_dir)
        try:
            assert facts == json.loads(saved)
            assert "pg_type" in cs.created
        finally:
            _close(con, work)
    finally:
        path.write_bytes(saved)


def test_unwritable_cache_builds_in_memory(tmp_path: Path,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("x")
    monkeypatch.setenv("RIFFQ_CACHE_DIR", str(blocker / "cache"))
    con, cs, work, facts = snapshot.open_catalog_db()
    try:
        assert work is None
        assert facts["types"] and "pg_class" in cs.created
        assert con.execute("SELECT count(*) FROM rq_pg.pg_type").fetchone()[0] == len(facts["types"])
    finally:
        con.close()
