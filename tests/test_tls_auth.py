"""End-to-end TLS, authentication and connection-lifecycle tests (issue 3).

Servers run in subprocesses on ephemeral ports; clients are the psql
binary, psycopg 3 and the raw-socket ``PgWire`` (for exact SQLSTATEs of
startup failures, which libpq only reports as text).

``serve_tls_auth`` is a ``RiffqServer`` whose connection class declares
reduced handler signatures (``handle_connect(self, ip, port,
callback=callable)``) and records every connect / auth / disconnect call
in ``events.log``:

- auth: password ``secret`` accepted; user ``custom`` refused with
  ``callback(False, "nope", "FATAL", "28000")``; user ``raiser`` makes the
  handler raise; anything else refused with the default (28P01).
- connect: rejected with the text of the file ``reject`` when it exists
  (the file is consumed), or of ``reject_all`` (kept), else accepted.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import ssl
import subprocess
import threading
import time
from pathlib import Path
from typing import Any, Dict, List, Optional, Tuple

import psycopg
import pytest

from conftest import PgWire, PgWireError, core_import_error, wait_until

CORE_ERROR = core_import_error()
pytestmark = pytest.mark.skipif(bool(CORE_ERROR), reason=f"riffq._core not built: {CORE_ERROR}")

PSQL = shutil.which("psql") or "/usr/bin/psql"
OPENSSL = shutil.which("openssl") or "/usr/bin/openssl"


# ---- the server (spawned subprocess) --------------------------------------------

def serve_tls_auth(state_dir: str, crt: Optional[str] = None, key: Optional[str] = None,
                   tls: bool = False, require_tls: bool = False,
                   options: Optional[Dict[str, Any]] = None) -> None:
    import logging
    import sys as _sys
    import threading as _threading

    import pyarrow as pa

    import riffq

    logging.basicConfig(level=logging.INFO, stream=_sys.stderr,
                        format="%(levelname)s %(name)s: %(message)s")
    lock = _threading.Lock()
    events = os.path.join(state_dir, "events.log")
    reject = os.path.join(state_dir, "reject")
    reject_all = os.path.join(state_dir, "reject_all")

    def record(*fields: Any) -> None:
        with lock, open(events, "a", encoding="utf-8") as f:
            f.write("\t".join(str(x) for x in fields) + "\n")

    class Connection(riffq.BaseConnection):
        def handle_connect(self, ip, port, callback=callable):
            record("connect", self.conn_id, ip, port)
            with lock:
                try:
                    with open(reject, encoding="utf-8") as f:
                        message = f.read()
                    os.unlink(reject)
                except FileNotFoundError:
                    message = None
                if message is None and os.path.exists(reject_all):
                    with open(reject_all, encoding="utf-8") as f:
                        message = f.read()
            if message is None:
                callback(True)
            else:
                callback(False, message)

        def handle_auth(self, user, password, host, database=None, callback=callable):
            record("auth", self.conn_id, user, password, host, database)
            if user == "custom":
                callback(False, "nope", "FATAL", "28000")
            elif user == "raiser":
                raise RuntimeError("auth handler exploded")
            else:
                callback(password == "secret")

        def handle_disconnect(self, ip, port, callback=callable):
            record("disconnect", self.conn_id, ip, port)

        def handle_query(self, sql, callback=callable, **kwargs):
            words = sql.split()
            if words[0] == "rows":  # rows <n>: int64 0..n-1, in 10,000-row batches
                n = int(words[1])
                batches = (pa.record_batch([pa.array(range(i, min(n, i + 10000)), pa.int64())],
                                           names=["i"]) for i in range(0, n, 10000))
                callback(pa.RecordBatchReader.from_batches(
                    pa.schema([("i", pa.int64())]), batches))
            elif words[0] == "big":  # big <n>: one text value of n bytes
                callback(pa.record_batch([pa.array(["x" * int(words[1])])], names=["big"]))
            else:
                callback(pa.record_batch([pa.array([sql])], names=["sql"]))

    server = riffq.RiffqServer("127.0.0.1:0", connection_cls=Connection)
    if crt:
        server.set_tls(crt, key)
    if require_tls:
        server._server.set_option("require_tls", True)
    for name, value in (options or {}).items():
        server._server.set_option(name, value)
    server.start(tls=tls)


def _all_events(state: Path) -> List[List[str]]:
    path = state / "events.log"
    if not path.exists():
        return []
    return [line.split("\t") for line in path.read_text().splitlines()]


def read_events(srv: Any) -> List[List[str]]:
    """Events recorded since ``start()`` returned (so without the port
    probe that ServerProcess makes while waiting for the server)."""
    return _all_events(srv.state)[srv.baseline:]


# ---- certificates ------------------------------------------------------------------

def _openssl(*args: str, cwd: Path) -> None:
    subprocess.run([OPENSSL, *args], cwd=cwd, check=True, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL, timeout=60)


@pytest.fixture(scope="module")
def certs(tmp_path_factory: pytest.TempPathFactory) -> Dict[str, Tuple[Path, Path]]:
    """``{kind: (crt, key)}`` for RSA PKCS#8, RSA PKCS#1 and EC (SEC1) keys,
    self-signed for CN=localhost."""
    d = tmp_path_factory.mktemp("certs")
    subj = ["-subj", "/CN=localhost", "-days", "2"]
    _openssl("req", "-newkey", "rsa:2048", "-nodes", "-keyout", "pkcs8.key", "-x509",
             "-out", "pkcs8.crt", *subj, cwd=d)
    _openssl("genrsa", "-traditional", "-out", "pkcs1.key", "2048", cwd=d)
    _openssl("req", "-new", "-x509", "-key", "pkcs1.key", "-out", "pkcs1.crt", *subj, cwd=d)
    _openssl("ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", "ec.key", cwd=d)
    _openssl("req", "-new", "-x509", "-key", "ec.key", "-out", "ec.crt", *subj, cwd=d)
    out = {"rsa-pkcs8": (d / "pkcs8.crt", d / "pkcs8.key"),
           "rsa-pkcs1": (d / "pkcs1.crt", d / "pkcs1.key"),
           "ec-sec1": (d / "ec.crt", d / "ec.key")}
    headers = {"rsa-pkcs8": "-----BEGIN PRIVATE KEY-----",
               "rsa-pkcs1": "-----BEGIN RSA PRIVATE KEY-----",
               "ec-sec1": "-----BEGIN EC PRIVATE KEY-----"}
    for kind, (_crt, key) in out.items():
        assert key.read_text().startswith(headers[kind]), (kind, key.read_text()[:40])
    return out


def start(server_factory: Any, tmp_path: Path, **kwargs: Any) -> Any:
    state = tmp_path / "state"
    state.mkdir(parents=True, exist_ok=True)
    kwargs = {k: (str(v) if isinstance(v, Path) else v) for k, v in kwargs.items()}
    srv = server_factory(serve_tls_auth, str(state), kwargs=kwargs, timeout=60)
    srv.state = state

    def probe_done() -> bool:  # ServerProcess's readiness probe: connect + close
        ev = _all_events(state)
        n = sum(e[0] == "connect" for e in ev)
        return n >= 1 and n == sum(e[0] == "disconnect" for e in ev)

    assert wait_until(probe_done, timeout=10), _all_events(state)
    srv.baseline = len(_all_events(state))
    return srv


def psql(srv: Any, *commands: str, user: str = "user", password: Optional[str] = "secret",
         **params: str) -> subprocess.CompletedProcess:
    conninfo = f"host={srv.host} port={srv.port} user={user} dbname=db connect_timeout=10"
    if password is not None:
        conninfo += f" password={password}"
    for k, v in params.items():
        conninfo += f" {k}={v}"
    argv = [PSQL, "-X", "-w", "-d", conninfo]
    for c in commands:
        argv += ["-c", c]
    env = {k: v for k, v in os.environ.items() if not k.startswith("PG")}
    return subprocess.run(argv, capture_output=True, text=True, timeout=30, env=env)


# ---- TLS ------------------------------------------------------------------------------

def test_pg_stat_ssl_shows_each_connection(certs) -> None:
    """pg_stat_ssl (catalog emulation): a row per connection; for a TLS one
    the protocol, cipher and bits that psql's \\conninfo reports (libpq's
    view of the session), for a plain one ssl = false and NULLs, as
    PostgreSQL shows them."""
    import re

    from riffq.testing import serve_catalog_in_thread

    crt, key = certs["rsa-pkcs8"]
    srv, dsn = serve_catalog_in_thread("ssldb", tls=(str(crt), str(key)))
    q = ("select pid, ssl, version, cipher, bits, client_dn, client_serial, issuer_dn"
         " from pg_stat_ssl order by pid")
    try:
        env = {k: v for k, v in os.environ.items() if not k.startswith("PG")}
        out = subprocess.run([PSQL, "-X", "-A", "-t", "-d", dsn + "?sslmode=require",
                              "-c", "\\conninfo", "-c", "select ssl, version, cipher, bits"
                              " from pg_stat_ssl where pid = pg_backend_pid()"],
                             capture_output=True, text=True, timeout=30, env=env)
        m = re.search(r"protocol: ([^,]+), cipher: ([^,)]+)", out.stdout)
        assert m, out.stdout + out.stderr
        # the cipher's secret bits, as OpenSSL tells them (psql 15 does not print them)
        bits = {c["name"]: c["strength_bits"] for c in ssl.create_default_context().get_ciphers()}
        assert out.stdout.strip().splitlines()[-1] == f"t|{m[1]}|{m[2]}|{bits[m[2]]}"
        with psycopg.connect(dsn + "?sslmode=require", autocommit=True) as enc, \
                psycopg.connect(dsn + "?sslmode=disable", autocommit=True) as plain:
            pids = {enc.info.backend_pid: "tls", plain.info.backend_pid: "plain"}
            rows = {pids[r[0]]: r[1:] for r in enc.execute(q).fetchall()}
            assert rows["tls"] == (True, m[1], m[2], bits[m[2]], None, None, None)
            assert rows["plain"] == (False, None, None, None, None, None, None)
            assert plain.execute(q).fetchall() == enc.execute(q).fetchall()
    finally:
        srv.stop()


@pytest.mark.parametrize("kind", ["rsa-pkcs8", "rsa-pkcs1", "ec-sec1"])
def test_tls_key_formats(server_factory, tmp_path, certs, kind: str) -> None:
    crt, key = certs[kind]
    srv = start(server_factory, tmp_path, crt=crt, key=key, tls=True)
    # psycopg, sslmode=require
    with psycopg.connect(srv.dsn(password="secret", sslmode="require"), autocommit=True) as conn:
        assert conn.pgconn.ssl_in_use
        assert conn.execute("select 'over tls'").fetchone() == ("select 'over tls'",)
    # psql, sslmode=require
    r = psql(srv, "\\conninfo", "select 'psql tls'", sslmode="require")
    assert r.returncode == 0, r.stderr
    assert "SSL connection (protocol: TLSv1." in r.stdout, r.stdout
    assert " select 'psql tls'" in r.stdout
    # psql, verify-full against the certificate: the server presents *this* one.
    r = psql(srv, "select 1", sslmode="verify-full", sslrootcert=str(crt), hostaddr="127.0.0.1",
             host="localhost")
    assert r.returncode == 0, r.stderr
    # The raw client sees exactly this certificate.
    with PgWire(srv.port) as c:
        c.start_tls()
        assert c.sock.getpeercert(binary_form=True) == ssl.PEM_cert_to_DER_cert(crt.read_text())
        c.login(password="secret")
        assert [m[0] for m in c.simple_query("select 1")] == [b"T", b"D", b"C", b"Z"]


def test_tls_large_results(server_factory, tmp_path, certs) -> None:
    """Results much larger than the output buffer and than a TLS record,
    through TLS: many rows, and single values of several MB."""
    crt, key = certs["ec-sec1"]
    srv = start(server_factory, tmp_path, crt=crt, key=key, tls=True)
    with psycopg.connect(srv.dsn(password="secret", sslmode="require"), autocommit=True) as conn:
        assert conn.pgconn.ssl_in_use
        rows = conn.execute("rows 300000").fetchall()
        assert len(rows) == 300000 and rows[0] == (0,) and rows[-1] == (299999,)
        assert sum(r[0] for r in rows) == 299999 * 300000 // 2
        for n in (16383, 16384, 5_000_000):
            (value,), = conn.execute(f"big {n}").fetchall()
            assert len(value) == n and value == "x" * n
    # Several TLS clients at once, each streaming.
    results: Dict[int, int] = {}

    def client(i: int) -> None:
        with psycopg.connect(srv.dsn(password="secret", sslmode="require")) as conn:
            results[i] = len(conn.execute(f"rows {50000 + i}").fetchall())

    threads = [threading.Thread(target=client, args=(i,)) for i in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert results == {i: 50000 + i for i in range(6)}


def test_tls_client_vanishes_mid_result(server_factory, tmp_path, certs) -> None:
    crt, key = certs["rsa-pkcs1"]
    srv = start(server_factory, tmp_path, crt=crt, key=key, tls=True)
    c = PgWire(srv.port)
    c.start_tls()
    c.login(password="secret")
    c.query("rows 5000000")
    c.sock.recv(65536)
    c.abort()
    ev_ok = wait_until(lambda: sum(e[0] == "disconnect" for e in read_events(srv)) == 1,
                       timeout=5)
    assert ev_ok, read_events(srv)
    with psycopg.connect(srv.dsn(password="secret", sslmode="require")) as conn:
        assert conn.execute("rows 3").fetchall() == [(0,), (1,), (2,)]


def test_tls_server_accepts_plaintext(server_factory, tmp_path, certs) -> None:
    crt, key = certs["rsa-pkcs8"]
    srv = start(server_factory, tmp_path, crt=crt, key=key, tls=True)
    with psycopg.connect(srv.dsn(password="secret", sslmode="disable"), autocommit=True) as conn:
        assert not conn.pgconn.ssl_in_use
        assert conn.execute("select 'plain'").fetchone() == ("select 'plain'",)
    r = psql(srv, "\\conninfo", sslmode="disable")
    assert r.returncode == 0 and "SSL connection" not in r.stdout, r.stdout + r.stderr


def test_server_without_tls_refuses_ssl_request(server_factory, tmp_path) -> None:
    srv = start(server_factory, tmp_path)
    with PgWire(srv.port) as c:
        c.send_raw(b"\x00\x00\x00\x08\x04\xd2\x16\x2f")
        assert c.sock.recv(1) == b"N"
        c.login(password="secret")  # the same connection continues in plaintext
    with pytest.raises(psycopg.OperationalError):
        psycopg.connect(srv.dsn(password="secret", sslmode="require"), connect_timeout=5)
    with psycopg.connect(srv.dsn(password="secret", sslmode="prefer")) as conn:
        assert not conn.pgconn.ssl_in_use


def test_require_tls_refuses_plaintext(server_factory, tmp_path, certs) -> None:
    crt, key = certs["ec-sec1"]
    srv = start(server_factory, tmp_path, crt=crt, key=key, tls=True, require_tls=True)
    with PgWire(srv.port) as c:
        with pytest.raises(PgWireError) as ei:
            c.login(password="secret")
    assert (ei.value.severity, ei.value.sqlstate) == ("FATAL", "28000")
    with pytest.raises(psycopg.OperationalError) as oe:
        psycopg.connect(srv.dsn(password="secret", sslmode="disable"), connect_timeout=5)
    assert "SSL" in str(oe.value)
    r = psql(srv, "select 1", sslmode="disable")
    assert r.returncode != 0 and "FATAL" in r.stderr, r.stderr
    # TLS clients still get in.
    with psycopg.connect(srv.dsn(password="secret", sslmode="require")) as conn:
        assert conn.pgconn.ssl_in_use
    with PgWire(srv.port) as c:
        c.start_tls()
        c.login(password="secret")
        assert [m[0] for m in c.simple_query("select 1")] == [b"T", b"D", b"C", b"Z"]


def test_set_tls_errors(tmp_path, certs) -> None:
    import riffq

    crt, key = certs["rsa-pkcs8"]
    _crt1, key1 = certs["rsa-pkcs1"]
    garbage = tmp_path / "garbage.key"
    garbage.write_text("-----BEGIN PRIVATE KEY-----\nnot base64 at all\n-----END PRIVATE KEY-----\n")
    srv = riffq.Server("127.0.0.1:0")
    with pytest.raises(OSError):
        srv.set_tls(str(crt), str(tmp_path / "missing.key"))
    with pytest.raises(OSError):
        srv.set_tls(str(tmp_path / "missing.crt"), str(key))
    with pytest.raises((OSError, ValueError)):
        srv.set_tls(str(crt), str(garbage))
    with pytest.raises((OSError, ValueError), match="does not match"):
        srv.set_tls(str(crt), str(key1))  # a valid key of another certificate
    with pytest.raises((OSError, ValueError)):
        srv.set_tls(str(key), str(key))  # a key where the certificate belongs
    srv.set_tls(str(crt), str(key))  # and the right pair loads
    high = riffq.RiffqServer("127.0.0.1:0")
    with pytest.raises(OSError, match="keyfile not found"):
        high.set_tls(str(crt), str(tmp_path / "missing.key"))


def test_start_tls_without_certificate_fails(server_factory, tmp_path) -> None:
    from riffq.testing import ServerProcess

    state = tmp_path / "s"
    state.mkdir()
    with pytest.raises(RuntimeError, match="set_tls"):
        ServerProcess(serve_tls_auth, str(state), kwargs={"tls": True}, timeout=20)


# ---- authentication -----------------------------------------------------------------

def test_auth_accept(server_factory, tmp_path) -> None:
    srv = start(server_factory, tmp_path)
    with psycopg.connect(srv.dsn(user="alice", password="secret", dbname="sales")) as conn:
        assert conn.execute("select 'in'").fetchone() == ("select 'in'",)
    auth = [e for e in read_events(srv) if e[0] == "auth"]
    assert [e[2:] for e in auth] == [["alice", "secret", "127.0.0.1", "sales"]]
    r = psql(srv, "select 'psql in'", user="bob")
    assert r.returncode == 0 and "psql in" in r.stdout, r.stderr


def test_auth_refused(server_factory, tmp_path) -> None:
    srv = start(server_factory, tmp_path)
    with PgWire(srv.port) as c:
        with pytest.raises(PgWireError) as ei:
            c.login(user="mallory", password="wrong")
        assert c.closed_by_server(5)
    f = ei.value.fields
    assert (f["S"], f["C"], f["M"]) == ("FATAL", "28P01",
                                        'password authentication failed for user "mallory"')
    with pytest.raises(psycopg.OperationalError, match="password authentication failed"):
        psycopg.connect(srv.dsn(user="mallory", password="wrong"), connect_timeout=5)
    r = psql(srv, "select 1", user="mallory", password="wrong")
    assert r.returncode == 2
    assert 'FATAL:  password authentication failed for user "mallory"' in r.stderr, r.stderr


def test_auth_custom_error(server_factory, tmp_path) -> None:
    srv = start(server_factory, tmp_path)
    with PgWire(srv.port) as c:
        with pytest.raises(PgWireError) as ei:
            c.login(user="custom", password="secret")
    f = ei.value.fields
    assert (f["S"], f["C"], f["M"]) == ("FATAL", "28000", "nope")
    with pytest.raises(psycopg.OperationalError, match="nope"):
        psycopg.connect(srv.dsn(user="custom", password="secret"), connect_timeout=5)


def test_auth_handler_exception(server_factory, tmp_path) -> None:
    srv = start(server_factory, tmp_path)
    with PgWire(srv.port) as c:
        with pytest.raises(PgWireError) as ei:
            c.login(user="raiser", password="secret")
    assert ei.value.severity == "FATAL"
    assert ei.value.sqlstate in ("28000", "XX000")
    assert "auth handler exploded" in srv.log
    with psycopg.connect(srv.dsn(password="secret")) as conn:  # still serving
        conn.execute("select 1")


def test_auth_password_is_asked_in_cleartext(server_factory, tmp_path) -> None:
    srv = start(server_factory, tmp_path)
    with PgWire(srv.port) as c:
        c.send_startup(user="user")
        mtype, payload = c.read_message()
        assert (mtype, payload) == (b"R", b"\x00\x00\x00\x03")


def test_startup_and_auth_timeouts(server_factory, tmp_path) -> None:
    srv = start(server_factory, tmp_path, options={"connect_timeout": 1.0, "auth_timeout": 1.0})
    # Silent after connecting: closed after ~connect_timeout.
    with PgWire(srv.port) as silent:
        t0 = time.monotonic()
        assert silent.closed_by_server(5)
        assert 0.8 < time.monotonic() - t0 < 3.0
    # Asked for a password, never answers: closed after ~auth_timeout.
    with PgWire(srv.port) as mute:
        mute.send_startup()
        assert mute.read_message() == (b"R", b"\x00\x00\x00\x03")
        t0 = time.monotonic()
        try:
            fields = mute.read_error()
        except EOFError:
            fields = None
        assert 0.8 < time.monotonic() - t0 < 3.0
        assert fields is None or fields["S"] == "FATAL", fields
    # Prompt clients are unaffected.
    with psycopg.connect(srv.dsn(password="secret")) as conn:
        time.sleep(1.5)  # idle sessions are not subject to either timeout
        assert conn.execute("select 'late'").fetchone() == ("select 'late'",)
    assert wait_until(lambda: sum(e[0] == "disconnect" for e in read_events(srv)) == 3,
                      timeout=5), read_events(srv)


# ---- connect handler ----------------------------------------------------------------

def test_connect_reject_with_custom_message(server_factory, tmp_path) -> None:
    srv = start(server_factory, tmp_path)
    (srv.state / "reject").write_text("go away, 127.0.0.1")
    with PgWire(srv.port) as c:
        with pytest.raises(PgWireError) as ei:
            c.login(password="secret")
    f = ei.value.fields
    assert (f["S"], f["C"], f["M"]) == ("FATAL", "28000", "go away, 127.0.0.1")
    (srv.state / "reject").write_text("closed for maintenance")
    with pytest.raises(psycopg.OperationalError, match="closed for maintenance"):
        psycopg.connect(srv.dsn(password="secret", sslmode="disable"), connect_timeout=5)
    (srv.state / "reject").write_text("no psql today")
    r = psql(srv, "select 1", sslmode="disable")
    assert "FATAL:  no psql today" in r.stderr, r.stderr
    # The next client is accepted again.
    with psycopg.connect(srv.dsn(password="secret")) as conn:
        conn.execute("select 1")
    auths = [e for e in read_events(srv) if e[0] == "auth"]
    assert len(auths) == 1, "a rejected connection must not reach authentication"


@pytest.mark.parametrize("tls", [False, True], ids=["plain-server", "tls-server"])
def test_connect_reject_answers_ssl_request_first(server_factory, tmp_path, certs,
                                                  tls: bool) -> None:
    """A client starting with an SSLRequest gets the SSL answer ('N', or
    'S' and a handshake) before the refusal, as from PostgreSQL (which
    reports pg_hba refusals after the startup packet). The client here
    waits until the connect handler has answered before sending anything."""
    crt, key = certs["rsa-pkcs8"]
    srv = start(server_factory, tmp_path, crt=crt if tls else None, key=key if tls else None,
                tls=tls)
    (srv.state / "reject").write_text("not you")
    with PgWire(srv.port) as c:
        assert wait_until(lambda: not (srv.state / "reject").exists(), timeout=5)
        time.sleep(0.2)
        c.send_raw(b"\x00\x00\x00\x08\x04\xd2\x16\x2f")
        answer = c.sock.recv(1)
        assert answer == (b"S" if tls else b"N"), answer
        if tls:
            ctx = ssl.create_default_context()
            ctx.check_hostname = False
            ctx.verify_mode = ssl.CERT_NONE
            c.sock = ctx.wrap_socket(c.sock, server_hostname="localhost")
        with pytest.raises(PgWireError) as ei:
            c.login(password="secret")
    assert (ei.value.sqlstate, ei.value.fields["M"]) == ("28000", "not you")


@pytest.mark.parametrize("tls", [False, True], ids=["plain-server", "tls-server"])
def test_connect_reject_message_reaches_psql_default_sslmode(server_factory, tmp_path, certs,
                                                             tls: bool) -> None:
    """psql's default sslmode=prefer starts with an SSLRequest; the
    refusal must reach the user. (Refused over TLS, libpq retries in
    plaintext: both attempts are refused here, as pg_hba would.)"""
    crt, key = certs["rsa-pkcs8"]
    srv = start(server_factory, tmp_path, crt=crt if tls else None, key=key if tls else None,
                tls=tls)
    (srv.state / "reject_all").write_text("no psql today")
    r = psql(srv, "select 1")
    assert r.returncode == 2 and "FATAL:  no psql today" in r.stderr, (r.returncode, r.stderr)


def test_connect_handler_gets_only_its_arguments(server_factory, tmp_path) -> None:
    srv = start(server_factory, tmp_path)
    with PgWire(srv.port) as c:
        local_port = c.sock.getsockname()[1]
        c.login(password="secret")
    connects = [e for e in read_events(srv) if e[0] == "connect"]
    assert [e[2:] for e in connects] == [["127.0.0.1", str(local_port)]]
    assert "TypeError" not in srv.log and "unexpected keyword" not in srv.log


# ---- disconnect exactly once --------------------------------------------------------

def test_disconnect_exactly_once_per_connection(server_factory, tmp_path, certs) -> None:
    crt, key = certs["rsa-pkcs8"]
    srv = start(server_factory, tmp_path, crt=crt, key=key, tls=True)
    clients = 0

    # 1. normal psycopg sessions, plaintext and TLS
    for mode in ("disable", "require"):
        with psycopg.connect(srv.dsn(password="secret", sslmode=mode)) as conn:
            conn.execute("select 1")
        clients += 1
    # 2. refused at authentication (wrong password, custom error)
    for user, pw in (("user", "wrong"), ("custom", "secret")):
        with pytest.raises(psycopg.OperationalError):
            psycopg.connect(srv.dsn(user=user, password=pw, sslmode="disable"))
        clients += 1
    # 3. rejected by the connect handler
    (srv.state / "reject").write_text("rejected")
    with pytest.raises(psycopg.OperationalError):
        psycopg.connect(srv.dsn(password="secret", sslmode="disable"))
    clients += 1
    # 4. abrupt: RST mid-session, RST during a query, close before startup,
    #    close while the password is asked, TLS handshake then RST
    c = PgWire(srv.port)
    c.login(password="secret")
    c.abort()
    c = PgWire(srv.port)
    c.login(password="secret")
    c.query("select 1")
    c.abort()
    socket.create_connection(("127.0.0.1", srv.port)).close()
    c = PgWire(srv.port)
    c.send_startup()
    assert c.read_message()[0] == b"R"
    c.close()
    c = PgWire(srv.port)
    c.start_tls()
    c.login(password="secret")
    c.abort()
    clients += 5
    # 5. a psql process killed with SIGKILL while connected
    env = {k: v for k, v in os.environ.items() if not k.startswith("PG")}
    auths_before = sum(e[0] == "auth" for e in read_events(srv))
    p = subprocess.Popen([PSQL, "-X", "-d", f"host=127.0.0.1 port={srv.port} user=user "
                          "password=secret dbname=db sslmode=require"],
                         stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                         env=env)
    assert wait_until(lambda: sum(e[0] == "auth" for e in read_events(srv)) > auths_before,
                      timeout=10)
    time.sleep(0.2)
    p.kill()
    p.wait()
    clients += 1

    def settled() -> bool:
        ev = read_events(srv)
        return (sum(e[0] == "connect" for e in ev) == clients
                and sum(e[0] == "disconnect" for e in ev) == clients)

    wait_until(settled, timeout=10)
    time.sleep(0.3)  # a duplicate disconnect would arrive by now
    ev = read_events(srv)
    connects = {e[1]: e[2:] for e in ev if e[0] == "connect"}
    disconnects = [(e[1], e[2:]) for e in ev if e[0] == "disconnect"]
    assert len(connects) == clients, ev
    assert sorted(cid for cid, _ in disconnects) == sorted(connects), ev
    for cid, addr in disconnects:
        assert addr == connects[cid], (cid, addr, connects[cid])


def test_disconnect_called_at_shutdown(server_factory, tmp_path) -> None:
    srv = start(server_factory, tmp_path)
    conns = [psycopg.connect(srv.dsn(password="secret")) for _ in range(3)]
    try:
        srv.signal(signal.SIGTERM)
        assert srv.wait(5) == 0
    finally:
        for conn in conns:
            conn.close()
    ev = read_events(srv)
    assert sum(e[0] == "connect" for e in ev) == 3
    assert sorted(e[1] for e in ev if e[0] == "disconnect") == \
        sorted(e[1] for e in ev if e[0] == "connect"), ev
