"""Throw-away reference PostgreSQL 15 for tests that compare riffq's output
with the real server.

    ref = start_reference_pg()
    try:
        with psycopg.connect(ref.dsn) as conn: ...
    finally:
        ref.stop()

The cluster lives in a fresh temporary directory owned by the `postgres`
user (initdb refuses to run as root), listens on a free loopback TCP port
only (no Unix socket), trusts every local connection, and is deleted by
stop() (registered with atexit too, for runs that end without fixture
teardown). When the tests already run as a non-root user, that user runs
the server directly. The server gets a cleaned environment: no LD_*,
sanitizer or PG* variables from the test process.
"""

from __future__ import annotations

import atexit
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time

PG_BIN = os.environ.get("RQ_PG_BIN", "/usr/lib/postgresql/15/bin")


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class ReferencePG:
    """A running throw-away server. `dsn` works with psycopg / libpq."""

    def __init__(self, datadir: str, port: int, runas: list[str], tmpdir: str,
                 env: dict | None = None):
        self.host = "127.0.0.1"
        self.port = port
        self.user = "postgres"
        self.dbname = "postgres"
        self.datadir = datadir
        self._runas = runas
        self._tmpdir = tmpdir
        self._env = env
        self.dsn = f"host={self.host} port={port} user=postgres dbname=postgres"

    def stop(self) -> None:
        """Stop the server (fast shutdown) and delete its directory."""
        if self._tmpdir is None:
            return
        subprocess.run(
            self._runas + [os.path.join(PG_BIN, "pg_ctl"), "-D", self.datadir,
                           "-m", "immediate", "-w", "stop"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=self._env, check=False)
        shutil.rmtree(self._tmpdir, ignore_errors=True)
        self._tmpdir = None

    def __enter__(self) -> "ReferencePG":
        return self

    def __exit__(self, *exc) -> None:
        self.stop()


def _runas_prefix() -> tuple[list[str], int | None, int | None]:
    if os.geteuid() != 0:
        return [], None, None
    pw = pwd.getpwnam("postgres")
    return ["runuser", "-u", "postgres", "--"], pw.pw_uid, pw.pw_gid


def start_reference_pg(timeout: float = 30.0) -> ReferencePG:
    """Create, start and return a fresh PostgreSQL 15 cluster.

    Raises RuntimeError when the server cannot be started (binary missing,
    initdb failure, timeout)."""
    if not os.path.exists(os.path.join(PG_BIN, "initdb")):
        raise RuntimeError(f"PostgreSQL binaries not found in {PG_BIN}")
    runas, uid, gid = _runas_prefix()
    tmpdir = tempfile.mkdtemp(prefix="riffq-pgref-")
    os.chmod(tmpdir, 0o755)
    datadir = os.path.join(tmpdir, "data")
    if uid is not None:
        os.chown(tmpdir, uid, gid)
    # The server must not inherit a test's preloads (e.g. a sanitizer
    # runtime in LD_PRELOAD makes postgres hang or abort).
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("LD_", "ASAN_", "UBSAN_", "LSAN_", "PG"))}
    env.update(LC_ALL="C.UTF-8", LANG="C.UTF-8")
    r = subprocess.run(
        runas + [os.path.join(PG_BIN, "initdb"), "-D", datadir, "-U", "postgres",
                 "-A", "trust", "-E", "UTF8", "--locale=C.UTF-8", "--no-sync"],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=env, cwd=tmpdir)
    if r.returncode != 0:
        shutil.rmtree(tmpdir, ignore_errors=True)
        raise RuntimeError("initdb failed:\n" + r.stdout.decode(errors="replace"))
    for attempt in range(5):
        port = _free_port()
        opts = (f"-c listen_addresses=127.0.0.1 -c port={port} "
                "-c unix_socket_directories='' -c fsync=off "
                "-c shared_buffers=16MB -c max_connections=20")
        log = os.path.join(tmpdir, "server.log")
        r = subprocess.run(
            runas + [os.path.join(PG_BIN, "pg_ctl"), "-D", datadir, "-o", opts,
                     "-l", log, "-w", "-t", str(int(timeout)), "start"],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=env, cwd=tmpdir)
        if r.returncode == 0:
            ref = ReferencePG(datadir, port, runas, tmpdir, env)
            # also stop it when the interpreter exits without teardown
            atexit.register(ref.stop)
            if _wait_ready(port, timeout):
                return ref
            ref.stop()
            raise RuntimeError("reference PostgreSQL did not accept connections")
        # Port stolen between probe and bind: try another one.
        time.sleep(0.2)
    try:
        with open(os.path.join(tmpdir, "server.log")) as f:
            tail = f.read()[-2000:]
    except OSError:
        tail = r.stdout.decode(errors="replace")
    shutil.rmtree(tmpdir, ignore_errors=True)
    raise RuntimeError("could not start reference PostgreSQL:\n" + tail)


def _wait_ready(port: int, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return True
        except OSError:
            time.sleep(0.05)
    return False
