"""End-to-end tests of examples/seed_server.py, run unchanged (issue 3).

The example hard-codes ``127.0.0.1:5433`` and the relative paths
``data/klines.parquet`` and ``certs/``. It runs here in a temporary working
directory holding a small generated dataset (scripts/gen_demo_data.py) and
a certificate (openssl), through a wrapper that executes the user's file
with ``runpy`` after patching ``riffq.RiffqServer.__init__`` to listen on
``127.0.0.1:0`` and to report the bound port through the low-level
server's ``on_ready`` hook. The file itself is not modified.

Every answer is compared with what DuckDB itself returns for the same SQL
over the same parquet file; typed values through psycopg, text through psql.
"""

from __future__ import annotations

import datetime as dt
import decimal
import math
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any, List, Optional

import psycopg
import pytest

from conftest import PgWire, PgWireError, core_import_error

CORE_ERROR = core_import_error()
pytestmark = pytest.mark.skipif(bool(CORE_ERROR), reason=f"riffq._core not built: {CORE_ERROR}")

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "seed_server.py"
PSQL = shutil.which("psql") or "/usr/bin/psql"
ROWS = 20_000

WRAPPER = '''\
"""Run a riffq example unchanged, on an ephemeral port.

    python run_example.py <example.py> <port file>
"""
import os
import runpy
import sys

import riffq

example, port_file = sys.argv[1], sys.argv[2]
_original_init = riffq.RiffqServer.__init__


def _init_on_port_0(self, listen_addr, *args, **kwargs):
    _original_init(self, "127.0.0.1:0", *args, **kwargs)

    def ready(host, port):
        tmp = port_file + ".tmp"
        with open(tmp, "w") as f:
            f.write(f"{port}\\n")
        os.replace(tmp, port_file)

    self._server.on_ready(ready)


riffq.RiffqServer.__init__ = _init_on_port_0
sys.argv = [example]
runpy.run_path(example, run_name="__main__")
'''


# ---- running the example --------------------------------------------------------

@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A working directory with data/klines.parquet and certs/."""
    d = tmp_path_factory.mktemp("seed")
    subprocess.run([sys.executable, str(ROOT / "scripts" / "gen_demo_data.py"),
                    "--rows", str(ROWS), "--out", "data/klines.parquet", "--certs", "certs"],
                   cwd=d, check=True, capture_output=True, timeout=120)
    assert (d / "data" / "klines.parquet").exists() and (d / "certs" / "server.key").exists()
    (d / "run_example.py").write_text(WRAPPER)
    return d


class Example:
    """The example running in a subprocess."""

    def __init__(self, workdir: Path) -> None:
        self.workdir = workdir
        port_file = workdir / f"port-{os.getpid()}-{time.monotonic_ns()}"
        self.log_path = workdir / (port_file.name + ".log")
        env = {k: v for k, v in os.environ.items() if not k.startswith("RIFFQ_TEST_")}
        env["PYTHONUNBUFFERED"] = "1"
        with open(self.log_path, "wb") as log:
            self.proc = subprocess.Popen(
                [sys.executable, "run_example.py", str(EXAMPLE), str(port_file)],
                cwd=workdir, env=env, stdin=subprocess.DEVNULL, stdout=log,
                stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 60
        while not port_file.exists():
            if self.proc.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"example did not start:\n{self.log}")
            time.sleep(0.05)
        self.port = int(port_file.read_text())
        assert self.port not in (0, 5433)

    @property
    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def dsn(self, user: str = "user", password: str = "secret", sslmode: str = "require",
            **params: Any) -> str:
        extra = " ".join(f"{k}={v}" for k, v in params.items())
        return (f"host=127.0.0.1 port={self.port} user={user} password={password} "
                f"dbname=db sslmode={sslmode} connect_timeout=10 {extra}").strip()

    def stop(self) -> Optional[int]:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        return self.proc.returncode


@pytest.fixture(scope="module")
def example(workdir: Path):
    ex = Example(workdir)
    try:
        yield ex
    finally:
        ex.stop()


@pytest.fixture(scope="module")
def duck(workdir: Path):
    """DuckDB's own answers, over the same file."""
    import duckdb

    con = duckdb.connect()
    con.execute(f"CREATE VIEW klines AS SELECT * FROM '{workdir / 'data' / 'klines.parquet'}'")
    yield con
    con.close()


def rows_via_psycopg(ex: Example, sql: str, sslmode: str = "require") -> List[tuple]:
    with psycopg.connect(ex.dsn(sslmode=sslmode), autocommit=True) as conn:
        return conn.execute(sql).fetchall()


def assert_same_rows(got: List[tuple], expected: List[tuple]) -> None:
    """Equal values *and* compatible Python types, row by row."""
    assert len(got) == len(expected)
    for g_row, e_row in zip(got, expected):
        assert len(g_row) == len(e_row)
        for g, e in zip(g_row, e_row):
            if e is None:
                assert g is None
            elif isinstance(e, bool):
                assert g is e
            elif isinstance(e, int):
                # DuckDB HUGEINT sums travel as numeric(38,0)
                assert isinstance(g, (int, decimal.Decimal)) and g == e, (g, e)
            elif isinstance(e, float):
                assert isinstance(g, float), (g, e)
                assert g == e or (math.isnan(g) and math.isnan(e)), (g, e)
            elif isinstance(e, (dt.datetime, dt.date, str, decimal.Decimal)):
                assert type(g) is type(e) and g == e, (g, e)
            else:
                assert g == e, (g, e)


AGGREGATES = [
    "SELECT count(*) AS n FROM klines",
    "SELECT symbol, count(*) AS n, min(low) AS lo, max(high) AS hi, avg(close) AS avg_close, "
    "sum(volume) AS vol, sum(number_of_trades) AS trades FROM klines GROUP BY symbol "
    "ORDER BY symbol",
    "SELECT symbol, epoch_ms(min(open_time)) AS first_ts, epoch_ms(max(close_time)) AS last_ts "
    "FROM klines GROUP BY symbol ORDER BY symbol",
    "SELECT date_trunc('hour', epoch_ms(open_time)) AS hour, symbol, first(open ORDER BY open_time) "
    "AS o, last(close ORDER BY open_time) AS c, stddev_samp(close) AS sd FROM klines "
    "GROUP BY ALL ORDER BY hour, symbol LIMIT 200",
    "SELECT quantile_cont(volume, 0.9) AS p90, median(number_of_trades) AS med, "
    "sum(quote_asset_volume) / sum(volume) AS vwap FROM klines",
    "SELECT symbol, open_time, close FROM klines WHERE close > 0 AND symbol = 'SOLUSDT' "
    "ORDER BY close DESC, open_time LIMIT 25",
]


# ---- results equal DuckDB's ------------------------------------------------------

@pytest.mark.parametrize("sql", AGGREGATES)
def test_aggregates_equal_duckdb(example, duck, sql: str) -> None:
    assert_same_rows(rows_via_psycopg(example, sql), duck.execute(sql).fetchall())


def test_full_scan_equals_duckdb(example, duck) -> None:
    sql = "SELECT * FROM klines ORDER BY symbol, open_time"
    got = rows_via_psycopg(example, sql)
    assert len(got) == ROWS
    assert_same_rows(got, duck.execute(sql).fetchall())


def test_column_types(example) -> None:
    with psycopg.connect(example.dsn(), autocommit=True) as conn:
        cur = conn.execute("SELECT * FROM klines LIMIT 1")
        types = {d.name: d.type_code for d in cur.description}
    assert types["open_time"] == 20 and types["number_of_trades"] == 20  # int8
    assert types["open"] == 701 and types["volume"] == 701  # float8
    assert types["symbol"] in (25, 1043)  # text / varchar


def test_psql_text_equals_duckdb(example, duck) -> None:
    sql = ("SELECT symbol, count(*), sum(volume), avg(close), epoch_ms(min(open_time)) "
           "FROM klines GROUP BY symbol ORDER BY symbol")
    r = subprocess.run([PSQL, "-X", "-A", "-t", "-F", "|", "-d", example.dsn(), "-c", sql],
                       capture_output=True, text=True, timeout=30,
                       env={k: v for k, v in os.environ.items() if not k.startswith("PG")})
    assert r.returncode == 0, r.stderr
    got = [line.split("|") for line in r.stdout.splitlines() if line]
    expected = duck.execute(sql).fetchall()
    assert len(got) == len(expected)
    for g, e in zip(got, expected):
        assert g[0] == e[0]
        assert int(g[1]) == e[1]
        assert float(g[2]) == e[2] and float(g[3]) == e[3]  # shortest round-trip text
        assert dt.datetime.fromisoformat(g[4]) == e[4]


# ---- errors and authentication ---------------------------------------------------

def test_select_err_psql(example) -> None:
    r = subprocess.run([PSQL, "-X", "-d", example.dsn(), "-c", "select err"],
                       capture_output=True, text=True, timeout=30)
    assert r.returncode == 1
    assert "ERROR:  bad type" in r.stderr, r.stderr


def test_select_err_psql_stdin_with_semicolon(example) -> None:
    r = subprocess.run([PSQL, "-X", "-d", example.dsn()], input="select err;\n",
                       capture_output=True, text=True, timeout=30)
    assert "ERROR:  bad type" in r.stderr, r.stderr


def test_select_err_psycopg(example) -> None:
    with psycopg.connect(example.dsn(), autocommit=True) as conn:
        with pytest.raises(psycopg.errors.CannotCoerce) as ei:
            conn.execute("select err")
        assert ei.value.sqlstate == "42846"
        assert ei.value.diag.message_primary == "bad type"
        assert conn.execute("SELECT count(*) FROM klines").fetchone() == (ROWS,)


def test_duckdb_error_becomes_result_rows(example) -> None:
    """The example answers DuckDB failures with an (error, message) row."""
    rows = rows_via_psycopg(example, "SELECT * FROM no_such_table")
    assert len(rows) == 1 and rows[0][0] == "ERROR" and "no_such_table" in rows[0][1]


def test_wrong_password(example) -> None:
    with pytest.raises(psycopg.OperationalError, match="password authentication failed"):
        psycopg.connect(example.dsn(password="nope"))
    with PgWire(example.port) as c:
        with pytest.raises(PgWireError) as ei:
            c.login(user="user", password="nope")
    assert (ei.value.severity, ei.value.sqlstate) == ("FATAL", "28P01")
    with PgWire(example.port) as c:
        with pytest.raises(PgWireError) as ei:
            c.login(user="admin", password="secret")
    assert ei.value.sqlstate == "28P01"


def test_plaintext_and_tls(example) -> None:
    with psycopg.connect(example.dsn(sslmode="disable")) as conn:
        assert not conn.pgconn.ssl_in_use
        assert conn.execute("SELECT count(*) FROM klines").fetchone() == (ROWS,)
    with psycopg.connect(example.dsn(sslmode="require")) as conn:
        assert conn.pgconn.ssl_in_use
        assert conn.execute("SELECT count(*) FROM klines").fetchone() == (ROWS,)


def test_twenty_concurrent_clients(example, duck) -> None:
    sql = ("SELECT symbol, count(*) AS n, sum(volume) AS v FROM klines "
           "WHERE open_time % {k} = 0 GROUP BY symbol ORDER BY symbol")
    expected = {k: duck.execute(sql.format(k=k)).fetchall() for k in range(1, 21)}
    results: dict = {}
    errors: list = []
    barrier = threading.Barrier(20)

    def client(k: int) -> None:
        try:
            with psycopg.connect(example.dsn(sslmode="require" if k % 2 else "disable"),
                                 autocommit=True) as conn:
                barrier.wait(10)
                for _ in range(3):
                    results[k] = conn.execute(sql.format(k=k)).fetchall()
        except Exception as exc:  # reported below
            errors.append((k, repr(exc)))

    threads = [threading.Thread(target=client, args=(k,)) for k in range(1, 21)]
    t0 = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not errors, errors
    assert sorted(results) == list(range(1, 21))
    for k in range(1, 21):
        assert_same_rows(results[k], expected[k])
    assert time.monotonic() - t0 < 30


# ---- shutdown --------------------------------------------------------------------

@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
def test_signal_stops_with_clients_connected(workdir, sig: int) -> None:
    ex = Example(workdir)
    try:
        idle = psycopg.connect(ex.dsn(), autocommit=True)
        idle.execute("SELECT 1").fetchall()
        raw = PgWire(ex.port)
        raw.login(user="user", password="secret")
        t0 = time.monotonic()
        ex.proc.send_signal(sig)
        try:
            code = ex.proc.wait(5)
        except subprocess.TimeoutExpired:
            code = None
        elapsed = time.monotonic() - t0
        assert code == 0, f"exit code {code} after {elapsed:.1f} s\n{ex.log[-3000:]}"
        # The raw client got FATAL 57P01 (or at least a close).
        try:
            fields = raw.read_error()
        except (EOFError, ConnectionResetError):
            fields = None
        raw.close()
        assert fields is not None, "no ErrorResponse before the close"
        assert (fields["S"], fields["C"]) == ("FATAL", "57P01"), fields
        assert fields["M"] == "terminating connection due to administrator command"
        with pytest.raises(psycopg.OperationalError):
            idle.execute("SELECT 1")
        idle.close()
    finally:
        ex.stop()
