"""riffq 0.1.11's own test suite, run against this package.

The upstream tests are not committed here: the riffq 0.1.11 sdist is
downloaded from PyPI at test time (sha256-checked, cached under .cache/),
its tests/ and query-proxy/ are extracted into a temporary directory, each
hard-coded port is replaced by a free one, and every upstream module runs
in its own pytest subprocess (one parameter per module).

One intentional difference from riffq 0.1.11 is adapted in the copied
tests: with catalog emulation on and databases registered, connecting to a
database that is not registered fails with FATAL 3D000 "database ... does
not exist", as in PostgreSQL (0.1.11 let any name in). Three upstream
modules register "mydb" / "appdb" / "db1" but connect to ".../db"; their
connection URLs are pointed at the registered database (DB_RENAMES).
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
import re
import subprocess
import sys
import tarfile
import urllib.error
import urllib.request
from pathlib import Path
from typing import Dict, List, Set

import pytest

import riffq
from riffq.testing import free_port_block

ROOT = Path(__file__).resolve().parent.parent
SDIST_URL = ("https://files.pythonhosted.org/packages/d1/09/"
             "95d8166a7e7efb749ede46ec2e81ac7b34addfaaa8f13a8b007350912426/riffq-0.1.11.tar.gz")
SDIST_SHA256 = "f3660da2fb4bd051f949fda24a2cd3cda060a13edd0a1f7d036c5f1b6e894989"
CACHE = ROOT / ".cache" / "riffq-0.1.11.tar.gz"
PREFIX = "riffq-0.1.11/"

UPSTREAM_MODULES: List[str] = [
    "test_connection_id",
    "test_handle_shutdown",
    "test_lazy_catalog",
    "test_multiple_databases",
    "test_on_authentication",
    "test_on_authentication_custom_error",
    "test_on_connect",
    "test_on_connect_custom_error",
    "test_on_disconnect",
    "test_pg_catalog_query",
    "test_query_error",
    "test_query_proxy",
    "test_query_proxy_abort",
    "test_register_catalog",
    "test_server",
    "test_server_tls",
    "test_silent_client",
]
CATALOG_MODULES: Set[str] = {"test_lazy_catalog", "test_pg_catalog_query",
                             "test_register_catalog", "test_multiple_databases"}
# Modules importing query-proxy/proxy.py, which needs these packages.
PROXY_MODULES: Set[str] = {"test_query_proxy", "test_query_proxy_abort"}

# module -> (old URL tail, new URL tail): see the module docstring.
DB_RENAMES: Dict[str, List[tuple]] = {
    "test_register_catalog": [("/db\"", "/mydb\"")],
    "test_lazy_catalog": [("/db\"", "/appdb\"")],
}

PORT_LITERAL = re.compile(r"\b55[0-9]{3}\b")
PORT_BASE = re.compile(r"\b\w*BASE\w*\s*=\s*(55[0-9]{3})\b")
BASE_BLOCK = 8  # ports reserved after a PORT_BASE (upstream adds small offsets)


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _fetch_sdist() -> Path:
    """The verified sdist, from the cache or downloaded into it.

    Raises OSError / urllib.error.URLError when it cannot be downloaded."""
    if CACHE.exists() and _sha256(CACHE) == SDIST_SHA256:
        return CACHE
    CACHE.parent.mkdir(parents=True, exist_ok=True)
    tmp = CACHE.with_suffix(".part")
    with urllib.request.urlopen(SDIST_URL, timeout=60) as resp, open(tmp, "wb") as out:
        while True:
            chunk = resp.read(1 << 16)
            if not chunk:
                break
            out.write(chunk)
    digest = _sha256(tmp)
    if digest != SDIST_SHA256:
        tmp.unlink()
        pytest.fail(f"riffq 0.1.11 sdist checksum mismatch: {digest} != {SDIST_SHA256}")
    os.replace(tmp, CACHE)
    return CACHE


def _extract(sdist: Path, dest: Path) -> None:
    """Extract tests/ and query-proxy/ (regular files only, no path tricks)."""
    with tarfile.open(sdist, "r:gz") as tar:
        for member in tar.getmembers():
            name = member.name
            if not name.startswith(PREFIX) or not member.isfile():
                continue
            rel = name[len(PREFIX):]
            if not (rel.startswith("tests/") or rel.startswith("query-proxy/")):
                continue
            parts = Path(rel).parts
            if ".." in parts or Path(rel).is_absolute():
                continue
            target = dest.joinpath(*parts)
            target.parent.mkdir(parents=True, exist_ok=True)
            src = tar.extractfile(member)
            assert src is not None
            target.write_bytes(src.read())


@pytest.fixture(scope="module")
def upstream_tree(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A directory holding upstream's tests/ and query-proxy/."""
    try:
        sdist = _fetch_sdist()
    except (urllib.error.URLError, OSError) as exc:
        pytest.skip(f"riffq 0.1.11 sdist could not be downloaded ({exc}); "
                    "upstream tests not run")
    root = tmp_path_factory.mktemp("riffq-0.1.11")
    _extract(sdist, root)
    return root


def rewrite_ports(text: str) -> str:
    """Replace every hard-coded 55xxx port with a free one (a block of free
    ports after a ``*BASE* = 55xxx`` constant); distinct literals get
    distinct ports."""
    bases = set(PORT_BASE.findall(text))
    mapping: Dict[str, int] = {}
    used: Set[int] = set()
    for literal in dict.fromkeys(PORT_LITERAL.findall(text)):
        n = BASE_BLOCK if literal in bases else 1
        while True:
            port = free_port_block(n)
            block = set(range(port, port + n))
            if not block & used:
                break
        used |= block
        mapping[literal] = port
    return PORT_LITERAL.sub(lambda m: str(mapping[m.group(0)]), text)


def _subprocess_env(tests_dir: Path) -> Dict[str, str]:
    env = dict(os.environ)
    paths = [str(tests_dir)]
    pkg_parent = str(Path(riffq.__file__).resolve().parent.parent)
    if "site-packages" not in pkg_parent and "dist-packages" not in pkg_parent:
        paths.append(pkg_parent)  # riffq from a source tree / sanitizer build
    if env.get("PYTHONPATH"):
        paths.append(env["PYTHONPATH"])
    env["PYTHONPATH"] = os.pathsep.join(paths)
    env.pop("PYTEST_ADDOPTS", None)
    return env


def _params() -> List[object]:
    out = []
    for name in UPSTREAM_MODULES:
        out.append(pytest.param(name, id=name))
    return out


@pytest.mark.parametrize("module", _params())
def test_upstream_module(upstream_tree: Path, module: str) -> None:
    if module in PROXY_MODULES:
        for dep in ("sqlparse", "pygments", "psycopg"):
            if importlib.util.find_spec(dep) is None:
                pytest.skip(f"query-proxy needs {dep} (make venv installs it)")
    path = upstream_tree / "tests" / f"{module}.py"
    assert path.exists(), f"{module}.py is not in the riffq 0.1.11 sdist"
    text = rewrite_ports(path.read_text(encoding="utf-8"))
    for old, new in DB_RENAMES.get(module, []):
        assert old in text, f"{module}: expected {old!r} to rename"
        text = text.replace(old, new)
    path.write_text(text, encoding="utf-8")
    cmd = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
           "--rootdir", str(upstream_tree), "-o", "addopts=", f"tests/{module}.py"]
    try:
        proc = subprocess.run(cmd, cwd=upstream_tree, env=_subprocess_env(upstream_tree / "tests"),
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                              stdin=subprocess.DEVNULL, timeout=300)
    except subprocess.TimeoutExpired as exc:
        out = (exc.stdout or b"").decode("utf-8", "replace")
        pytest.fail(f"upstream {module} timed out after 300 s:\n{out[-6000:]}")
    out = proc.stdout.decode("utf-8", "replace")
    assert proc.returncode == 0, f"upstream {module} failed (exit {proc.returncode}):\n{out[-6000:]}"
