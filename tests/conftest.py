"""Shared pytest setup.

- Makes ``riffq`` importable from the source tree when it is not installed
  (also for subprocesses, through PYTHONPATH).
- ``reference_pg``: a real PostgreSQL 15 started once per session
  (tests/pgref.py), for comparing riffq's output with the real server.
- ``server_factory``: starts riffq servers (scripts or functions) in
  subprocesses on ephemeral ports (``riffq.testing.ServerProcess``) and stops
  them after the test.
"""

from __future__ import annotations

import importlib.util
import os
import sys
from pathlib import Path
from typing import Any, Callable, Iterator, List

import pytest

ROOT = Path(__file__).resolve().parent.parent
SRC = ROOT / "src"

if importlib.util.find_spec("riffq") is None:
    sys.path.insert(0, str(SRC))
    os.environ["PYTHONPATH"] = os.pathsep.join(
        p for p in (str(SRC), os.environ.get("PYTHONPATH", "")) if p)

from riffq.testing import ServerProcess  # noqa: E402

# `make test-asan` preloads libasan into Python so that the sanitized
# extension can load. Python children (riffq servers) need it too, but
# other programs (psql, java, node, initdb) hang or crash with it, and
# ASan's quarantine makes memory-growth bounds meaningless.
UNDER_SANITIZER = "libasan" in os.environ.get("LD_PRELOAD", "")

if UNDER_SANITIZER:
    import subprocess as _subprocess

    _popen_init = _subprocess.Popen.__init__

    def _popen_without_preload(self: Any, args: Any, *a: Any, **kw: Any) -> None:
        prog = args if isinstance(args, (str, bytes, os.PathLike)) else (args[0] if args else "")
        if os.path.realpath(str(prog)) != os.path.realpath(sys.executable):
            env = dict(kw.get("env") or os.environ)
            env.pop("LD_PRELOAD", None)
            kw["env"] = env
        _popen_init(self, args, *a, **kw)

    _subprocess.Popen.__init__ = _popen_without_preload  # type: ignore[method-assign]


def core_import_error() -> str:
    """'' when riffq._core imports, else the reason it does not."""
    try:
        import riffq._core  # noqa: F401
    except ImportError as exc:
        return str(exc) or type(exc).__name__
    return ""


@pytest.fixture(scope="session")
def reference_pg() -> Iterator[Any]:
    """A throw-away PostgreSQL 15 for the whole session (``.dsn``, ``.port``)."""
    try:
        from pgref import start_reference_pg
    except ImportError as exc:  # tests/pgref.py not there yet
        pytest.fail(f"tests/pgref.py is missing: {exc}")
    ref = start_reference_pg()
    try:
        yield ref
    finally:
        ref.stop()


@pytest.fixture
def server_factory() -> Iterator[Callable[..., ServerProcess]]:
    """``start(target, *args, **kwargs) -> ServerProcess``; every server
    started through it is stopped when the test ends."""
    started: List[ServerProcess] = []

    def start(target: Any, *args: Any, **kwargs: Any) -> ServerProcess:
        kwargs.setdefault("cwd", str(ROOT))
        proc = ServerProcess(target, *args, start=False, **kwargs)
        started.append(proc)
        return proc.start()

    yield start
    for proc in started:
        proc.stop()


# ---- appended by the end-to-end test helper (test_protocol / test_streaming /
# ---- test_tls_auth / test_seed_example): a raw PostgreSQL v3 client ---------

import socket as _socket
import ssl as _ssl
import struct as _struct
import time as _time
from typing import Dict as _Dict, Optional as _Optional, Tuple as _Tuple

PROTOCOL_3_0 = 196608


class PgWireError(Exception):
    """An ErrorResponse received by ``PgWire`` (``fields``: code → text,
    e.g. ``fields["C"]`` is the SQLSTATE)."""

    def __init__(self, fields: _Dict[str, str]) -> None:
        super().__init__(f"{fields.get('S')} {fields.get('C')}: {fields.get('M')}")
        self.fields = fields

    @property
    def sqlstate(self) -> _Optional[str]:
        return self.fields.get("C")

    @property
    def severity(self) -> _Optional[str]:
        return self.fields.get("V") or self.fields.get("S")


class PgWire:
    """A minimal PostgreSQL v3 frontend on a plain socket, for tests that
    need byte-level control (bad packets, silent or slow readers, counting
    DataRows without a driver's per-row overhead).

        c = PgWire(port); c.login(user="u"); msgs = c.simple_query("select 1")
    """

    def __init__(self, port: int, host: str = "127.0.0.1", timeout: float = 10.0,
                 rcvbuf: _Optional[int] = None) -> None:
        self.sock = _socket.socket(_socket.AF_INET, _socket.SOCK_STREAM)
        if rcvbuf is not None:
            self.sock.setsockopt(_socket.SOL_SOCKET, _socket.SO_RCVBUF, rcvbuf)
        self.sock.settimeout(timeout)
        self.sock.connect((host, port))
        self.buf = bytearray()
        self.params: _Dict[str, str] = {}
        self.backend_key: _Optional[_Tuple[int, int]] = None

    # -- low level --
    def send_raw(self, data: bytes) -> None:
        self.sock.sendall(data)

    def send(self, mtype: bytes, payload: bytes = b"") -> None:
        self.sock.sendall(mtype + _struct.pack("!I", len(payload) + 4) + payload)

    def send_startup(self, user: str = "user", database: str = "db",
                     version: int = PROTOCOL_3_0, **params: str) -> None:
        body = _struct.pack("!I", version)
        for k, v in dict(user=user, database=database, **params).items():
            body += k.encode() + b"\0" + v.encode() + b"\0"
        body += b"\0"
        self.send_raw(_struct.pack("!I", len(body) + 4) + body)

    def start_tls(self) -> None:
        """SSLRequest, then wrap the socket (no certificate verification)."""
        self.send_raw(_struct.pack("!II", 8, 80877103))
        answer = self.sock.recv(1)
        if answer != b"S":
            raise RuntimeError(f"server refused SSL: {answer!r}")
        ctx = _ssl.create_default_context()
        ctx.check_hostname = False
        ctx.verify_mode = _ssl.CERT_NONE
        self.sock = ctx.wrap_socket(self.sock, server_hostname="localhost")

    def _fill(self, n: int) -> None:
        while len(self.buf) < n:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise EOFError("server closed the connection")
            self.buf += chunk

    def read_message(self) -> _Tuple[bytes, bytes]:
        """Next backend message as ``(type, payload)``; EOFError at EOF."""
        self._fill(5)
        mtype = bytes(self.buf[:1])
        (length,) = _struct.unpack("!I", self.buf[1:5])
        self._fill(1 + length)
        payload = bytes(self.buf[5:1 + length])
        del self.buf[:1 + length]
        return mtype, payload

    @staticmethod
    def error_fields(payload: bytes) -> _Dict[str, str]:
        fields: _Dict[str, str] = {}
        for part in payload.split(b"\0"):
            if part:
                fields[chr(part[0])] = part[1:].decode("utf-8", "replace")
        return fields

    def read_error(self) -> _Dict[str, str]:
        """Read until an ErrorResponse and return its fields (skipping
        notices, parameter statuses...); EOFError if the server closes."""
        while True:
            mtype, payload = self.read_message()
            if mtype == b"E":
                return self.error_fields(payload)

    def closed_by_server(self, timeout: float = 5.0) -> bool:
        """True when the server closes the connection within ``timeout``
        (pending messages are discarded)."""
        self.sock.settimeout(timeout)
        try:
            while True:
                self.read_message()
        except EOFError:
            return True
        except (_socket.timeout, TimeoutError):
            return False
        except (ConnectionResetError, BrokenPipeError):
            return True

    # -- protocol steps --
    def login(self, user: str = "user", password: _Optional[str] = None,
              database: str = "db", **params: str) -> None:
        """Startup (+ cleartext password) up to ReadyForQuery; raises
        PgWireError on an ErrorResponse."""
        self.send_startup(user=user, database=database, **params)
        while True:
            mtype, payload = self.read_message()
            if mtype == b"R":
                (code,) = _struct.unpack("!I", payload[:4])
                if code == 3:
                    if password is None:
                        raise RuntimeError("server asked for a password")
                    self.send(b"p", password.encode() + b"\0")
                elif code != 0:
                    raise RuntimeError(f"unsupported authentication request {code}")
            elif mtype == b"S":
                k, v = payload.split(b"\0")[:2]
                self.params[k.decode()] = v.decode()
            elif mtype == b"K":
                self.backend_key = _struct.unpack("!II", payload)
            elif mtype == b"E":
                raise PgWireError(self.error_fields(payload))
            elif mtype == b"Z":
                return

    def query(self, sql: str) -> None:
        self.send(b"Q", sql.encode() + b"\0")

    def simple_query(self, sql: str) -> list:
        """Send a Query and return every message up to ReadyForQuery."""
        self.query(sql)
        msgs = []
        while True:
            m = self.read_message()
            msgs.append(m)
            if m[0] == b"Z":
                return msgs

    def terminate(self) -> None:
        try:
            self.send(b"X")
        except OSError:
            pass
        self.close()

    def close(self) -> None:
        try:
            self.sock.close()
        except OSError:
            pass

    def abort(self) -> None:
        """Close with a TCP RST (SO_LINGER 0), as a killed client would."""
        try:
            self.sock.setsockopt(_socket.SOL_SOCKET, _socket.SO_LINGER, _struct.pack("ii", 1, 0))
        except OSError:
            pass
        self.close()

    def __enter__(self) -> "PgWire":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def wait_until(predicate, timeout: float = 5.0, interval: float = 0.05) -> bool:
    """Poll ``predicate()`` until it is truthy (True) or ``timeout`` (False)."""
    deadline = _time.monotonic() + timeout
    while True:
        if predicate():
            return True
        if _time.monotonic() >= deadline:
            return False
        _time.sleep(interval)


def rss_kb(pid: int) -> int:
    """VmRSS of process ``pid`` in kB (0 when it is gone)."""
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0
