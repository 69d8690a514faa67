"""Test helpers for riffq servers.

riffq 0.1.11's helpers, with the same semantics:

- ``stop_server(proc, grace=2.0)``: stop a server child process without
  leaking a zombie (SIGTERM, then SIGKILL after ``grace`` seconds).
- ``wait_for_catalog(port, database, probe_sql, expected_value, ...)``: poll a
  server until a catalog probe answers.

And for tests that must not depend on a fixed port:

- ``free_port()``: a currently free TCP port on the loopback interface.
- ``serve_catalog_in_thread(database)``: an in-process catalog server with
  one registered table, for tests of the catalog emulation.
- ``ServerProcess``: run a server script or function in a subprocess on an
  ephemeral port and learn the real port (the server reports it through
  ``RIFFQ_TEST_READY_FILE``, see ``riffq.server``).
"""

from __future__ import annotations

import multiprocessing
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from typing import Any, Callable, Dict, Mapping, Optional, Tuple, Union

__all__ = ["stop_server", "wait_for_catalog", "free_port", "free_port_block",
           "wait_for_port", "serve_catalog_in_thread", "ServerProcess"]


# ---- riffq 0.1.11 helpers ------------------------------------------------

def stop_server(proc: Any, grace: float = 2.0) -> None:
    """Stop a server child process without leaking a zombie.

    Sends SIGTERM (riffq shuts down gracefully on it), then SIGKILL if the
    process has not exited within ``grace`` seconds, so a hung server still
    frees its port for the next test. ``proc`` is a
    ``multiprocessing.Process``, a ``subprocess.Popen`` or a ``ServerProcess``.
    """
    if isinstance(proc, ServerProcess):
        proc.stop(grace=grace)
        return
    if isinstance(proc, subprocess.Popen):
        if proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(timeout=grace)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        return
    proc.terminate()
    proc.join(timeout=grace)
    if proc.is_alive():
        proc.kill()
        proc.join()


def _dsn(port: int, database: str, user: str, password: Optional[str]) -> str:
    """A postgres URL for 127.0.0.1, without a password part when unset."""
    if password is None:
        return f"postgresql://{user}@127.0.0.1:{port}/{database}"
    return f"postgresql://{user}:{password}@127.0.0.1:{port}/{database}"


def _connect(port: int, database: str, user: str, password: Optional[str]) -> Any:
    """A connection to the test server, or None while it is still starting."""
    import psycopg

    try:
        return psycopg.connect(_dsn(port, database, user, password), connect_timeout=2)
    except psycopg.OperationalError:
        return None


def _probe_value(connection: Any, probe_sql: str) -> Any:
    """First column of the first row of ``probe_sql``, or None when the
    catalog has no answer yet (no rows, or a query error)."""
    import psycopg

    with connection.cursor() as cur:
        try:
            cur.execute(probe_sql)
        except psycopg.errors.Error:
            return None
        row = cur.fetchone()
    if row is None:
        return None
    return row[0]


def wait_for_catalog(port: int, database: str, probe_sql: str, expected_value: Any,
                     user: str = "user", password: Optional[str] = None,
                     attempts: int = 300) -> float:
    """Poll the server until ``probe_sql`` returns ``expected_value``.

    Returns the seconds waited. Each attempt opens a fresh connection, runs
    the probe, and sleeps 0.1 s on a miss.

    Raises:
        RuntimeError: the value never appeared within ``attempts`` tries.
    """
    start = time.time()
    for _ in range(attempts):
        connection = _connect(port, database, user, password)
        if connection is not None:
            try:
                value = _probe_value(connection, probe_sql)
            finally:
                connection.close()
            if value == expected_value:
                return time.time() - start
        time.sleep(0.1)
    raise RuntimeError(
        f"catalog not ready after {attempts * 0.1:.0f}s. "
        f"port={port}, database='{database}', "
        f"probe='{probe_sql}', expected='{expected_value}'."
    )


# ---- ports ---------------------------------------------------------------

def _ephemeral_range() -> Tuple[int, int]:
    try:
        with open("/proc/sys/net/ipv4/ip_local_port_range") as f:
            lo, hi = (int(x) for x in f.read().split())
        return lo, hi
    except (OSError, ValueError):
        return 32768, 60999


def _bindable(host: str, port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind((host, port))
        except OSError:
            return False
    return True


def free_port_block(n: int = 1, host: str = "127.0.0.1") -> int:
    """First port of ``n`` consecutive ports that are free now.

    Ports are drawn below the kernel's ephemeral range, so client sockets
    opened meanwhile (which take ephemeral ports) cannot grab them before
    the server binds.
    """
    lo_eph, _ = _ephemeral_range()
    hi = min(lo_eph, 65536) - n
    lo = 20000 if hi > 21000 else 1024
    for _ in range(200):
        base = random.randint(lo, hi)
        if all(_bindable(host, base + i) for i in range(n)):
            return base
    if n == 1:
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
            s.bind((host, 0))
            return s.getsockname()[1]
    raise RuntimeError(f"no block of {n} free ports found")


def free_port(host: str = "127.0.0.1") -> int:
    """A TCP port free on ``host`` right now (for code that needs a fixed
    number; prefer port 0 + ``on_ready`` where possible)."""
    return free_port_block(1, host)


def wait_for_port(port: int, host: str = "127.0.0.1", timeout: float = 10.0) -> bool:
    """True once ``host:port`` accepts a TCP connection, False after ``timeout``."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection((host, port), timeout=1):
                return True
        except OSError:
            time.sleep(0.05)
    return False


def serve_catalog_in_thread(database: str, user: str = "u",
                            tls: Optional[Tuple[str, str]] = None) -> Tuple[Any, str]:
    """A ``riffq.Server`` with catalog emulation on a free loopback port,
    serving database ``database`` with one registered table ``public.t(id
    int not null)``; other queries are refused (0A000). It serves on a
    daemon thread, listening when this returns; with ``tls`` (certificate
    and key files) it offers TLS too.

    Returns:
        (the server: ``stop()`` it when done, a libpq DSN for ``user``).
    """
    import threading

    from .server import Server

    port = free_port()
    srv = Server(f"127.0.0.1:{port}")
    srv.on_query(lambda sql, cb, **kw: cb(("ERROR", "0A000", "no data"), is_error=True))
    srv.register_database(database)
    srv.register_table(database, "public", "t", [{"id": {"type": "int", "nullable": False}}])
    if tls is not None:
        srv.set_tls(*tls)
    threading.Thread(target=srv.start, kwargs={"catalog_emulation": True, "tls": tls is not None},
                     daemon=True).start()
    if not wait_for_port(port):
        srv.stop()
        raise RuntimeError(f"riffq server on port {port} did not start listening")
    return srv, _dsn(port, database, user, None)


# ---- ServerProcess -------------------------------------------------------

def _libpq_value(v: Any) -> str:
    s = str(v)
    if s and not any(c in s for c in " '\\\t\n"):
        return s
    return "'" + s.replace("\\", "\\\\").replace("'", "\\'") + "'"


def _child_main(func: Callable[..., Any], args: Tuple[Any, ...], kwargs: Dict[str, Any],
                env: Dict[str, str], log_path: str) -> None:
    """Entry point of a function target (spawned process)."""
    fd = os.open(log_path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    sys.stdout.flush()
    sys.stderr.flush()
    os.dup2(fd, 1)
    os.dup2(fd, 2)
    os.close(fd)
    os.environ.update(env)
    func(*args, **kwargs)


class ServerProcess:
    """A riffq server running in a subprocess, on an ephemeral port.

    ``target`` is a script path (run with ``python``) or a picklable
    module-level function (run in a spawned process). Its ``riffq.Server`` /
    ``RiffqServer`` listens on ``host:port`` whatever address the code asks
    for (``RIFFQ_TEST_LISTEN``; port 0 by default) and reports the bound port
    through ``RIFFQ_TEST_READY_FILE``.

    Example:
        with ServerProcess("examples/seed_server.py", cwd=repo) as srv:
            psycopg.connect(srv.dsn(user="user", password="secret"))

    Args:
        target: Script path, or a function.
        *args: Command-line arguments (script) or positional arguments
            (function).
        kwargs: Keyword arguments for a function target.
        host: Listen host.
        port: Listen port (0: ephemeral).
        env: Extra environment variables.
        cwd: Working directory of a script target.
        timeout: Seconds to wait for the server to accept connections.
        python: Interpreter for script targets.
        start: Start immediately (else call ``start()`` or use ``with``).
    """

    def __init__(self, target: Union[str, "os.PathLike[str]", Callable[..., Any]], *args: Any,
                 kwargs: Optional[Dict[str, Any]] = None, host: str = "127.0.0.1",
                 port: int = 0, env: Optional[Mapping[str, str]] = None,
                 cwd: Optional[Union[str, "os.PathLike[str]"]] = None, timeout: float = 30.0,
                 python: str = sys.executable, start: bool = True) -> None:
        self.target = target
        self.args = args
        self.kwargs = dict(kwargs or {})
        self.host = host
        self.port = port
        self.env = dict(env or {})
        self.cwd = os.fspath(cwd) if cwd is not None else None
        self.timeout = timeout
        self.python = python
        self._tmpdir: Optional[str] = None
        self._popen: Optional["subprocess.Popen[bytes]"] = None
        self._mp: Optional[Any] = None
        self._log_text: Optional[str] = None
        self.returncode: Optional[int] = None
        if start:
            self.start()

    # -- lifecycle --

    @property
    def pid(self) -> Optional[int]:
        """Process id of the server (None before start)."""
        if self._popen is not None:
            return self._popen.pid
        if self._mp is not None:
            return self._mp.pid
        return None

    @property
    def _log_path(self) -> str:
        assert self._tmpdir is not None
        return os.path.join(self._tmpdir, "server.log")

    def start(self) -> "ServerProcess":
        """Start the process and wait until it accepts connections.

        Raises:
            RuntimeError: it exited or did not become ready within ``timeout``
                (the message carries its output).
        """
        if self.pid is not None:
            return self
        self._tmpdir = tempfile.mkdtemp(prefix="riffq-server-")
        ready = os.path.join(self._tmpdir, "ready")
        listen_host = f"[{self.host}]" if ":" in self.host else self.host
        env = dict(self.env)
        env["RIFFQ_TEST_LISTEN"] = f"{listen_host}:{self.port}"
        env["RIFFQ_TEST_READY_FILE"] = ready
        env.setdefault("PYTHONUNBUFFERED", "1")
        if callable(self.target):
            ctx = multiprocessing.get_context("spawn")
            self._mp = ctx.Process(target=_child_main, daemon=True,
                                   args=(self.target, self.args, self.kwargs, env, self._log_path))
            self._mp.start()
        else:
            full_env = dict(os.environ)
            full_env.update(env)
            with open(self._log_path, "wb") as log:
                self._popen = subprocess.Popen(
                    [self.python, os.fspath(self.target), *map(str, self.args)],
                    stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
                    env=full_env, cwd=self.cwd)
        try:
            self._wait_ready(ready)
        except BaseException:
            self.stop()
            raise
        return self

    def _alive(self) -> bool:
        if self._popen is not None:
            return self._popen.poll() is None
        if self._mp is not None:
            return self._mp.is_alive()
        return False

    def _wait_ready(self, ready: str) -> None:
        deadline = time.monotonic() + self.timeout
        while time.monotonic() < deadline:
            if not self._alive():
                raise RuntimeError(f"server exited early (code {self._exitcode()}):\n{self.log}")
            port = self._read_ready(ready)
            if port is None and self.port:
                port = self.port
            if port and wait_for_port(port, self.host, timeout=0.2):
                self.port = port
                return
            time.sleep(0.05)
        raise RuntimeError(f"server not ready after {self.timeout:.0f}s:\n{self.log}")

    @staticmethod
    def _read_ready(path: str) -> Optional[int]:
        try:
            with open(path, encoding="utf-8") as f:
                parts = f.read().split()
        except OSError:
            return None
        if len(parts) != 2:
            return None
        return int(parts[1])

    def _exitcode(self) -> Optional[int]:
        if self._popen is not None:
            return self._popen.poll()
        if self._mp is not None:
            return self._mp.exitcode
        return None

    def signal(self, sig: int) -> None:
        """Send ``sig`` to the server process."""
        if self.pid is not None and self._alive():
            os.kill(self.pid, sig)

    def wait(self, timeout: Optional[float] = None) -> Optional[int]:
        """Wait for the process to exit; its exit code, or None on timeout.

        A process killed by a signal reports ``-signum``.
        """
        if self._popen is not None:
            try:
                return self._popen.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                return None
        if self._mp is not None:
            self._mp.join(timeout)
            return self._mp.exitcode
        return None

    def stop(self, grace: float = 5.0) -> Optional[int]:
        """SIGTERM, then SIGKILL after ``grace`` seconds; returns the exit
        code. Idempotent; the output stays readable through ``log``."""
        if self.pid is None:
            return self.returncode
        if self._alive():
            self.signal(signal.SIGTERM)
            if self.wait(grace) is None:
                if self.pid is not None and self._alive():
                    os.kill(self.pid, signal.SIGKILL)
                self.wait()
        code = self._exitcode()
        if self.returncode is None:
            self.returncode = code
        if self._tmpdir is not None:
            self._log_text = self._read_log()
            shutil.rmtree(self._tmpdir, ignore_errors=True)
            self._tmpdir = None
        return self.returncode

    def _read_log(self) -> str:
        try:
            with open(self._log_path, "rb") as f:
                return f.read().decode("utf-8", "replace")
        except OSError:
            return ""

    @property
    def log(self) -> str:
        """Everything the server printed so far (stdout and stderr)."""
        if self._tmpdir is not None:
            return self._read_log()
        return self._log_text or ""

    # -- clients --

    def dsn(self, user: str = "user", password: Optional[str] = None, dbname: str = "db",
            **params: Any) -> str:
        """A libpq key/value connection string for this server; extra
        ``params`` (``sslmode="require"``, ``connect_timeout=5``...) are added."""
        items: Dict[str, Any] = {"host": self.host, "port": self.port, "user": user,
                                 "dbname": dbname}
        if password is not None:
            items["password"] = password
        items.update(params)
        return " ".join(f"{k}={_libpq_value(v)}" for k, v in items.items())

    def __enter__(self) -> "ServerProcess":
        return self.start()

    def __exit__(self, *exc: Any) -> None:
        self.stop()

    def __repr__(self) -> str:
        state = "running" if self._alive() else f"exited({self.returncode})"
        return f"<ServerProcess {self.target!r} {self.host}:{self.port} {state}>"
