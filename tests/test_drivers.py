"""Real drivers over the extended query protocol (issue 4): pgjdbc, node-postgres
and pg8000 against riffq and against PostgreSQL 15, compared.

The same scripted cases run against a riffq test server (``serve_drivers``,
which answers with DuckDB) and against the session's throw-away PostgreSQL
15 (``reference_pg``); what the driver hands back (column labels and types,
values as the driver parsed them, update counts, SQLSTATEs) must be equal.

- JDBC: ``tests/drivers/jdbc`` (Maven, pgjdbc from Maven Central, a plain
  ``main``), built once per session into ``tests/drivers/jdbc/target`` with
  Maven's local repository in ``.cache/m2`` (offline when it is already
  there). One JVM per server runs every case and prints JSON lines.
- Node: ``tests/drivers/node`` (``pg`` pinned in package.json/lock),
  ``npm ci`` once into ``tests/drivers/node/node_modules``.
- pg8000: in this file.
- Raw ``PgWire`` sessions for protocol errors a driver never sends
  (wrong parameter count, unknown statement/portal, malformed binary).

Documented differences, not compared:
- error *messages* (riffq's come from DuckDB, the handler); SQLSTATEs are
  compared;

Cases that depend on work in progress are ``xfail(strict=False)`` with the
reason.
The tools come from ``make drivers`` (maven, a JDK, nodejs, npm, pg8000);
without them the tests that need them are skipped.
"""

from __future__ import annotations

import datetime as dt
import decimal
import json
import math
import os
import shutil
import struct
import subprocess
import uuid
from pathlib import Path
from typing import Any, Dict, List, Optional, Tuple

import pytest

from conftest import PgWire, core_import_error

CORE_ERROR = core_import_error()
pytestmark = pytest.mark.skipif(bool(CORE_ERROR), reason=f"riffq._core not built: {CORE_ERROR}")

ROOT = Path(__file__).resolve().parent.parent
JDBC_DIR = ROOT / "tests" / "drivers" / "jdbc"
NODE_DIR = ROOT / "tests" / "drivers" / "node"
M2_REPO = ROOT / ".cache" / "m2"

# Unique per run: table and statement names never collide in the shared
# reference PostgreSQL (or with a rerun against the same riffq server).
TAG = uuid.uuid4().hex[:10]

HARNESS_TIMEOUT = 120

# Reasons of expected failures; None once the feature landed (the cases then
# must match PostgreSQL).
XF_TYPED: Optional[str] = None  # typed Bind parameter decoding (csrc/rq_params.c)
XF_BIN_NUMERIC_PARAM: Optional[str] = None  # binary numeric parameters


# ---- the riffq test server (runs in a spawned subprocess) -------------------------

# DuckDB exception class → the SQLSTATE PostgreSQL gives the same mistake.
_DUCK_SQLSTATE = {
    "CatalogException": "42P01",
    "BinderException": "42703",
    "ParserException": "42601",
    "ConversionException": "22P02",
    "InvalidInputException": "22P02",
    "OutOfRangeException": "22003",
    "ConstraintException": "23505",
}

# Statement Describe runs the handler with NULL parameters. DuckDB types
# some expressions differently with NULLs (``$1::text || $2::text`` becomes
# INTEGER), so the test handler describes with a harmless value of each
# parameter's declared type instead.
_DESCRIBE_VALUES = {16: False, 20: 0, 21: 0, 23: 0, 26: 0, 700: 0.0, 701: 0.0,
                    19: "", 25: "", 1042: "", 1043: ""}

_TX_TAGS = {"begin": "BEGIN", "start": "START TRANSACTION", "commit": "COMMIT", "end": "COMMIT",
            "rollback": "ROLLBACK", "abort": "ROLLBACK"}


def serve_drivers(state_dir: str) -> None:
    """A riffq.Server that answers every statement with DuckDB, binding
    ``query_args`` to its ``$n`` placeholders, except:

    - transaction control and SET/RESET: acknowledged with their tags;
    - statements containing ``/*echo*/``: one row, columns ``args`` (JSON
      list of ``[Python type name, repr]`` of ``query_args``) and ``types``
      (JSON of ``param_types``), so tests see what the handler received.

    DuckDB errors become ErrorResponses with PostgreSQL's SQLSTATE for the
    same mistake. Every handler call is appended to ``received.log`` in
    ``state_dir`` (JSON lines) so tests can count executions."""
    import logging
    import sys as _sys
    import threading as _threading

    import duckdb
    import pyarrow as pa

    import riffq

    logging.basicConfig(level=logging.INFO, stream=_sys.stderr,
                        format="%(levelname)s %(name)s: %(message)s")
    duck = duckdb.connect()
    # UUID and JSON columns leave DuckDB as the arrow.uuid / arrow.json
    # extension types (riffq maps them to uuid / json) instead of strings.
    duck.execute("SET GLOBAL arrow_lossless_conversion = true")
    log_lock = _threading.Lock()
    received = os.path.join(state_dir, "received.log")

    def record(sql: str, kwargs: Dict[str, Any]) -> None:
        entry = {"sql": sql, "conn": kwargs.get("connection_id"),
                 "describe": bool(kwargs.get("do_describe")),
                 "args": repr(kwargs.get("query_args")),
                 "types": kwargs.get("param_types")}
        with log_lock, open(received, "a", encoding="utf-8") as f:
            f.write(json.dumps(entry) + "\n")

    def plain_bools(table: Any) -> Any:
        # Lossless conversion also turns BOOLEAN into the arrow.bool8
        # extension (int8 storage); give riffq plain booleans.
        for i, field in enumerate(table.schema):
            if getattr(field.type, "extension_name", None) == "arrow.bool8":
                storage = pa.chunked_array([c.storage for c in table.column(i).chunks],
                                           type=pa.int8())
                table = table.set_column(i, pa.field(field.name, pa.bool_()),
                                         storage.cast(pa.bool_()))
        return table

    def handle(sql: str, callback: Any, **kwargs: Any) -> None:
        record(sql, kwargs)
        words = sql.strip().split(None, 1)
        verb = words[0].lower().rstrip(";") if words else ""
        if verb in _TX_TAGS:
            callback(_TX_TAGS[verb], is_tag=True)
            return
        if verb in ("set", "reset"):
            callback(verb.upper(), is_tag=True)
            return
        args = kwargs.get("query_args")
        if "/*echo*/" in sql:
            desc = [] if args is None else [[type(a).__name__, repr(a)] for a in args]
            callback(pa.table({"args": [json.dumps(desc)],
                               "types": [json.dumps(kwargs.get("param_types"))]}))
            return
        if args is None:  # a simple query: no parameters
            args = []
        if kwargs.get("do_describe"):
            args = [_DESCRIBE_VALUES.get(t) for t in kwargs.get("param_types") or []]
        try:
            cur = duck.cursor()
            if args:
                cur.execute(sql, list(args))
            else:
                cur.execute(sql)
            table = plain_bools(cur.fetch_arrow_table())
        except duckdb.Error as exc:
            state = _DUCK_SQLSTATE.get(type(exc).__name__, "XX000")
            callback(("ERROR", state, str(exc)), is_error=True)
            return
        callback(table)

    srv = riffq.Server("127.0.0.1:0")
    srv.on_query(handle)
    srv.start()


@pytest.fixture(scope="module")
def drivers_server(tmp_path_factory: pytest.TempPathFactory):
    """One riffq driver-test server for the module."""
    from riffq.testing import ServerProcess

    state = tmp_path_factory.mktemp("drivers")
    srv = ServerProcess(serve_drivers, str(state), timeout=60)
    srv.state_dir = state  # type: ignore[attr-defined]
    try:
        yield srv
    finally:
        srv.stop()


def received(srv: Any) -> List[Dict[str, Any]]:
    path = Path(srv.state_dir) / "received.log"
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def executions(srv: Any, prefix: str) -> List[Dict[str, Any]]:
    """Handler calls (describe or not) for statements starting with ``prefix``."""
    return [e for e in received(srv) if e["sql"].lstrip().startswith(prefix)]


# ---- comparing harness output ------------------------------------------------------

Lines = Dict[str, List[Dict[str, Any]]]


def parse_lines(stdout: str) -> Lines:
    """Harness output (JSON lines) grouped by case, in order."""
    out: Lines = {}
    for line in stdout.splitlines():
        if line.strip():
            entry = json.loads(line)
            out.setdefault(entry["case"], []).append(entry)
    return out


def normalized(entries: List[Dict[str, Any]], skip_steps: Tuple[int, ...] = ()) -> List[Any]:
    """Lines without error messages (riffq's come from DuckDB) or the steps
    listed in ``skip_steps``."""
    out = []
    for e in entries:
        if e.get("step") in skip_steps:
            continue
        e = dict(e)
        if isinstance(e.get("error"), dict):
            e["error"] = {k: v for k, v in e["error"].items() if k != "message"}
        out.append(e)
    return out


def assert_same(ours: List[Any], ref: List[Any]) -> None:
    assert ref, "the harness produced nothing against PostgreSQL"
    assert not [e for e in ref if "fatal" in e], ref
    assert ours == ref


def tool_env() -> Dict[str, str]:
    """The environment for java/mvn/node/npm: TZ=UTC, and without the
    sanitizer preload of ``make test-asan`` (meant for the riffq server;
    the JVM and node do not run under it)."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("LD_PRELOAD", "ASAN_", "UBSAN_", "LSAN_"))}
    env["TZ"] = "UTC"
    return env


def run_both(argvs: Dict[str, List[str]], cwd: Path) -> Dict[str, Lines]:
    """Run a harness command per target, all at once; parsed output per
    target."""
    env = tool_env()
    procs = {target: subprocess.Popen(argv, cwd=cwd, env=env, stdout=subprocess.PIPE,
                                      stderr=subprocess.PIPE, text=True)
             for target, argv in argvs.items()}
    results, failures = {}, []
    try:
        for target, proc in procs.items():
            try:
                stdout, stderr = proc.communicate(timeout=HARNESS_TIMEOUT)
            except subprocess.TimeoutExpired:
                proc.kill()
                stdout, stderr = proc.communicate()
                failures.append(f"{target}: harness timed out:\n{stderr[-3000:]}")
                continue
            if proc.returncode != 0:
                failures.append(f"{target}: harness exit {proc.returncode}:\n{stderr[-3000:]}")
            results[target] = parse_lines(stdout)
    finally:
        for proc in procs.values():
            if proc.poll() is None:
                proc.kill()
                proc.wait()
    if failures:
        pytest.fail("\n".join(failures))
    return results


def echo_value(entry: Dict[str, Any]) -> Tuple[str, Any]:
    """``(type name, value)`` of the single parameter an echo step reports."""
    assert "error" not in entry, entry
    (type_name, text), = json.loads(entry["args"])
    env = {"datetime": dt, "Decimal": decimal.Decimal, "UUID": uuid.UUID,
           "nan": math.nan, "inf": math.inf}
    try:
        return type_name, eval(text, env)  # reprs written by our own server
    except Exception:  # a type this namespace does not know: compare the text
        return type_name, text


def same_value(got: Tuple[str, Any], expected: Any) -> bool:
    type_name, value = got
    if type_name != type(expected).__name__ or value != expected:
        return False
    if isinstance(expected, (decimal.Decimal, float)):  # keep the scale / sign of zero
        return str(value) == str(expected)
    return True


# ---- build the harnesses once per session ------------------------------------------

def _newest_mtime(paths: List[Path]) -> float:
    return max(p.stat().st_mtime for p in paths)


@pytest.fixture(scope="session")
def jdbc_classpath() -> str:
    """Build tests/drivers/jdbc (once; offline when .cache/m2 has it) and
    return the java classpath."""
    mvn, java = shutil.which("mvn"), shutil.which("java")
    if not mvn or not java:
        pytest.skip("maven/java not installed (make drivers)")
    classes = JDBC_DIR / "target" / "classes"
    cpfile = JDBC_DIR / "target" / "classpath.txt"
    sources = [JDBC_DIR / "pom.xml", *sorted((JDBC_DIR / "src").rglob("*.java"))]

    def ready() -> bool:
        main = classes / "riffq" / "JdbcHarness.class"
        if not (main.exists() and cpfile.exists()):
            return False
        jars = cpfile.read_text().strip().split(os.pathsep)
        return (main.stat().st_mtime >= _newest_mtime(sources)
                and all(jar and Path(jar).exists() for jar in jars))

    if not ready():
        base = [mvn, "-q", "-B", f"-Dmaven.repo.local={M2_REPO}", "process-classes"]
        pom = (JDBC_DIR / "pom.xml").read_text()
        version = pom.split("<pgjdbc.version>", 1)[1].split("<", 1)[0]
        have_jar = (M2_REPO / "org" / "postgresql" / "postgresql" / version).is_dir()
        r = None
        if have_jar:
            r = subprocess.run([base[0], "-o", *base[1:]], cwd=JDBC_DIR, capture_output=True,
                               text=True, timeout=600, env=tool_env())
        if r is None or r.returncode != 0:  # first run: download into .cache/m2
            r = subprocess.run(base, cwd=JDBC_DIR, capture_output=True, text=True,
                               timeout=1200, env=tool_env())
        assert r.returncode == 0, f"maven build failed:\n{r.stdout[-4000:]}\n{r.stderr[-4000:]}"
        assert ready(), "maven build produced no harness"
    return os.pathsep.join([str(classes), cpfile.read_text().strip()])


@pytest.fixture(scope="session")
def node_harness() -> Path:
    """``npm ci`` once into tests/drivers/node/node_modules; the script path."""
    node, npm = shutil.which("node"), shutil.which("npm")
    if not node or not npm:
        pytest.skip("node/npm not installed (make drivers)")
    pinned = json.loads((NODE_DIR / "package.json").read_text())["dependencies"]["pg"]
    installed = NODE_DIR / "node_modules" / "pg" / "package.json"
    if not (installed.exists() and json.loads(installed.read_text())["version"] == pinned):
        cmd = "ci" if (NODE_DIR / "package-lock.json").exists() else "install"
        r = subprocess.run([npm, cmd, "--no-audit", "--no-fund", "--loglevel=error"],
                           cwd=NODE_DIR, capture_output=True, text=True, timeout=600,
                           env=tool_env())
        assert r.returncode == 0, f"npm {cmd} failed:\n{r.stdout[-3000:]}\n{r.stderr[-3000:]}"
    return NODE_DIR / "harness.js"


# ---- JDBC ----------------------------------------------------------------------------

JDBC_CASES = {
    # case: xfail reason (None: must match PostgreSQL now)
    "select_plain": None,
    "select_multirow": None,
    "param_long_int": None,
    "param_string": None,
    "param_double": None,
    "param_boolean": None,
    "param_null": None,
    "param_timestamp": None,
    "param_date": None,
    "param_bigdecimal": XF_BIN_NUMERIC_PARAM,
    "param_uuid": None,
    "insert_once": None,
    "repeat_scalars": None,
    "repeat_temporal_uuid": None,
    "repeat_numeric": None,
    "repeat_array": None,
    "fetch_size": None,
    "errors": None,
    "error_in_transaction": None,
}

# echo step (one pgjdbc setter each, see JdbcHarness.echo_params) →
# (the value the handler should receive, xfail reason)
JDBC_ECHO = {
    "long": (2 ** 40, None),
    "int": (-7, None),
    "short": (12, None),
    "string": ("héllo € 😀", None),
    "double": (-0.25, None),
    "float": (1.25, None),
    "boolean": (True, None),
    "null": (None, None),
    "bytes": (b"\x00\xffa", None),
    # setTimestamp/setDate/setTime send text with an unspecified type; the
    # cast in the SQL gives the type (PostgreSQL ignores the "+00" suffix
    # for timestamp and date).
    "timestamp": (dt.datetime(2024, 1, 2, 3, 4, 5, 678000), XF_TYPED),
    "timestamptz": (dt.datetime(2024, 1, 2, 3, 4, 5, 678000, tzinfo=dt.timezone.utc), XF_TYPED),
    "date": (dt.date(2024, 2, 29), XF_TYPED),
    "time": (dt.time(3, 4, 5), XF_TYPED),
    "bigdecimal": (decimal.Decimal("12.340"), XF_TYPED),
    "uuid": (uuid.UUID("a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11"), XF_TYPED),
}


def _jdbc_argv(cp: str, url: str, *cases: str) -> List[str]:
    java = shutil.which("java") or "java"
    return [java, "-Duser.timezone=UTC", "-XX:TieredStopAtLevel=1",
            "-cp", cp, "riffq.JdbcHarness", url, TAG, *cases]


@pytest.fixture(scope="module")
def jdbc_runs(jdbc_classpath: str, drivers_server: Any, reference_pg: Any) -> Dict[str, Lines]:
    urls = {"riffq": f"jdbc:postgresql://127.0.0.1:{drivers_server.port}/db?user=user",
            "pg": f"jdbc:postgresql://127.0.0.1:{reference_pg.port}/postgres?user=postgres"}
    cases = list(JDBC_CASES)
    return run_both({"riffq": _jdbc_argv(jdbc_classpath, urls["riffq"], *cases, "echo_params"),
                     "pg": _jdbc_argv(jdbc_classpath, urls["pg"], *cases)}, JDBC_DIR)


def _xfail_params(table: Dict[str, Optional[str]]) -> List[Any]:
    return [pytest.param(k, marks=pytest.mark.xfail(reason=v, strict=False)) if v else k
            for k, v in table.items()]


def test_jdbc_ran_every_case(jdbc_runs: Dict[str, Lines]) -> None:
    for target in ("riffq", "pg"):
        assert set(JDBC_CASES) <= set(jdbc_runs[target]), target
    assert "echo_params" in jdbc_runs["riffq"]


@pytest.mark.parametrize("case", _xfail_params(JDBC_CASES))
def test_jdbc_matches_postgres(jdbc_runs: Dict[str, Lines], case: str) -> None:
    assert_same(normalized(jdbc_runs["riffq"][case], ()), normalized(jdbc_runs["pg"][case], ()))


def test_jdbc_insert_executed_once(jdbc_runs: Dict[str, Lines], drivers_server: Any) -> None:
    """pgjdbc sends Parse/Bind/Describe/Execute for executeUpdate: the
    handler must run the INSERT (and the UPDATE) exactly once."""
    lines = jdbc_runs["riffq"]["insert_once"]
    assert [e.get("update") for e in lines if "update" in e] == [0, 1, 1, 0], lines
    for verb in ("insert into", "update"):
        calls = executions(drivers_server, f"{verb} drv_ins_{TAG}")
        assert len(calls) == 1 and not calls[0]["describe"], calls


def test_jdbc_named_statement_runs_once_per_execute(jdbc_runs: Dict[str, Lines],
                                                    drivers_server: Any) -> None:
    """7 executions of one PreparedStatement (a named server statement
    from the 5th, binary results from the 6th): 7 handler executions, each
    with its own parameters; statement describes get placeholders only."""
    calls = executions(drivers_server, "select $1::int8 * 2 as n, $2::text as t")
    runs = [c for c in calls if not c["describe"]]
    assert [eval(c["args"])[0] for c in runs] == [1000 * k for k in range(1, 8)], calls
    assert all(c["args"] == repr([None] * 5) for c in calls if c["describe"]), calls
    # pgjdbc did switch to binary int8/float8/int4 results (the values are
    # compared with PostgreSQL's by test_jdbc_matches_postgres)
    formats = [[col["format"] for col in e["columns"]]
               for e in jdbc_runs["riffq"]["repeat_scalars"] if "columns" in e]
    assert formats == [[0] * 5] * 5 + [[1, 0, 1, 1, 0]] * 2, formats


def test_jdbc_fetch_size_streams_one_query(jdbc_runs: Dict[str, Lines],
                                           drivers_server: Any) -> None:
    """setFetchSize(100) with autocommit off: a named portal drained by 10+
    Executes (PortalSuspended between them) is one handler execution, and
    another statement can run while it is suspended."""
    fetched = [e["fetched"] for e in jdbc_runs["riffq"]["fetch_size"] if "fetched" in e]
    assert fetched == [{"rows": 1000, "sum": 500500, "first": 1, "last": 1000}]
    calls = executions(drivers_server, "select i::int8 as i from generate_series(1, 1000)")
    assert len([c for c in calls if not c["describe"]]) == 1, calls


@pytest.mark.parametrize("label", _xfail_params({k: v[1] for k, v in JDBC_ECHO.items()}))
def test_jdbc_parameter_reaches_handler_typed(jdbc_runs: Dict[str, Lines], label: str) -> None:
    entries = [e for e in jdbc_runs["riffq"]["echo_params"] if e.get("label") == label]
    assert len(entries) == 1, entries
    expected = JDBC_ECHO[label][0]
    got = echo_value(entries[0])
    assert same_value(got, expected), (got, expected, entries[0].get("types"))


# ---- node-postgres ---------------------------------------------------------------------

NODE_CASES = {
    "simple_query": None,
    "params_scalars": None,
    "params_untyped": None,
    "params_temporal": None,
    "params_numeric_uuid_json": None,
    "params_bytea": None,
    "params_array": XF_TYPED,
    "result_types": None,
    "named_statement": None,
    "insert_once": None,
    "errors": None,
}

# echo step (pg's text parameter of unspecified type, cast in the SQL; see
# harness.js echo_params) → (the value the handler should receive, xfail reason)
NODE_ECHO = {
    "int4": (42, None),
    "int8": (9007199254740993, None),
    "float8": (1.5, None),
    "text": ("héllo € 😀", None),
    "bool": (True, None),
    "null": (None, None),
    "untyped": ("untyped", None),
    "json": ('{"a": 1}', None),  # json stays the client's text (csrc/rq_params.h)
    "date": (dt.date(2024, 2, 29), XF_TYPED),
    "timestamp": (dt.datetime(2024, 1, 2, 3, 4, 5, 678000), XF_TYPED),
    "timestamptz": (dt.datetime(2024, 1, 2, 3, 4, 5, 678000, tzinfo=dt.timezone.utc), XF_TYPED),
    "numeric": (decimal.Decimal("12.340"), XF_TYPED),
    "uuid": (uuid.UUID("a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11"), XF_TYPED),
    "int4_array": ([1, 2, 3], XF_TYPED),
    "bytea": (b"\x00\xffa", None),  # binary format, unspecified type, ::bytea cast
}


@pytest.fixture(scope="module")
def node_runs(node_harness: Path, drivers_server: Any, reference_pg: Any) -> Dict[str, Lines]:
    node = shutil.which("node") or "node"
    urls = {"riffq": f"postgresql://user@127.0.0.1:{drivers_server.port}/db",
            "pg": f"postgresql://postgres@127.0.0.1:{reference_pg.port}/postgres"}
    script, cases = str(node_harness), list(NODE_CASES)
    return run_both({"riffq": [node, script, urls["riffq"], TAG, *cases, "echo_params"],
                     "pg": [node, script, urls["pg"], TAG, *cases]}, NODE_DIR)


def test_node_ran_every_case(node_runs: Dict[str, Lines]) -> None:
    for target in ("riffq", "pg"):
        assert set(NODE_CASES) <= set(node_runs[target]), target
    assert "echo_params" in node_runs["riffq"]


@pytest.mark.parametrize("case", _xfail_params(NODE_CASES))
def test_node_matches_postgres(node_runs: Dict[str, Lines], case: str) -> None:
    assert_same(normalized(node_runs["riffq"][case]), normalized(node_runs["pg"][case]))


def test_node_insert_executed_once(node_runs: Dict[str, Lines], drivers_server: Any) -> None:
    lines = node_runs["riffq"]["insert_once"]
    assert [(e.get("command"), e.get("rowCount")) for e in lines if "command" in e][:3] == \
        [("CREATE", None), ("INSERT", 1), ("UPDATE", 1)], lines
    for verb in ("insert into", "update"):
        calls = executions(drivers_server, f"{verb} drv_node_{TAG}")
        assert len(calls) == 1 and not calls[0]["describe"], calls


def test_node_named_statement_parsed_once(node_runs: Dict[str, Lines], drivers_server: Any) -> None:
    """A named query: Parse once, then Bind/Execute: one handler execution
    per query with its own parameters."""
    calls = executions(drivers_server, "select $1::int4 * 2 as v, $2::text as t")
    assert [eval(c["args"]) for c in calls if not c["describe"]] == \
        [[k, f"k{k}"] for k in range(1, 6)], calls


@pytest.mark.parametrize("label", _xfail_params({k: v[1] for k, v in NODE_ECHO.items()}))
def test_node_parameter_reaches_handler_typed(node_runs: Dict[str, Lines], label: str) -> None:
    entries = [e for e in node_runs["riffq"]["echo_params"] if e.get("label") == label]
    assert len(entries) == 1, entries
    expected = NODE_ECHO[label][0]
    got = echo_value(entries[0])
    assert same_value(got, expected), (got, expected, entries[0].get("types"))


# ---- pg8000 --------------------------------------------------------------------------------

def _pg8000_connect(port: int, user: str, database: str) -> Any:
    native = pytest.importorskip("pg8000.native", reason="pg8000 not installed (make drivers)")
    return native.Connection(user, host="127.0.0.1", port=port, database=database, timeout=10)


def _pg8000_result(con: Any, sql: str, **params: Any) -> Any:
    """What pg8000 returns: columns (name, type OID, size, typmod) and
    values as (type name, repr), or the SQLSTATE of the error."""
    import pg8000

    try:
        rows = con.run(sql, **params)
    except pg8000.DatabaseError as exc:
        return {"error": exc.args[0].get("C")}
    cols = [(c["name"], c["type_oid"], c["type_size"], c["type_modifier"])
            for c in (con.columns or [])]
    return {"columns": cols, "rows": [[(type(v).__name__, repr(v)) for v in r] for r in rows or []],
            "count": con.row_count}


PG8000_CASES: Dict[str, Tuple[Optional[str], List[Tuple[str, Dict[str, Any]]]]] = {
    "scalars": (None, [
        ("select :i::int4 as i, :l::int8 as l, :f::float8 as f, :t::text as t, :b::bool as b, "
         ":n::int4 as n", dict(i=42, l=2 ** 40, f=1.5, t="héllo € 😀", b=True, n=None)),
        ("select :i::int4 as i, :l::int8 as l, :f::float8 as f, :t::text as t, :b::bool as b, "
         ":n::int4 as n", dict(i=-7, l=-1, f=-0.0, t="", b=False, n=None)),
    ]),
    "temporal_numeric_uuid": (None, [
        ("select :d::date as d, :ts::timestamp as ts, :n::numeric(10,3) as n, :u::uuid as u",
         dict(d=dt.date(2024, 2, 29), ts=dt.datetime(2024, 1, 2, 3, 4, 5, 678000),
              n=decimal.Decimal("12.340"), u=uuid.UUID("a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11"))),
    ]),
    "result_types": (None, [
        ("select 12.340::numeric(10,3) as n, 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'::uuid as u, "
         "date '2024-02-29' as d, timestamp '2024-01-02 03:04:05.678' as ts, "
         "'ab'::bytea as by, array[1, 2, 3]::int4[] as a, '{\"a\": [1]}'::json as j", {}),
    ]),
    "untyped_param": (None, [("select :a::text || :b::text as s", dict(a="x", b="y"))]),
    "errors": (None, [
        (f"select * from drv_missing_{TAG}", {}),
        ("selec 1", {}),
        ("select :v::int4 as v", dict(v="not a number")),
        ("select 1::int4 as still_ok", {}),
    ]),
}


@pytest.fixture(scope="module")
def pg8000_targets(drivers_server: Any, reference_pg: Any) -> Dict[str, Tuple[int, str, str]]:
    pytest.importorskip("pg8000", reason="pg8000 not installed (make drivers)")
    return {"riffq": (drivers_server.port, "user", "db"),
            "pg": (reference_pg.port, "postgres", "postgres")}


@pytest.mark.parametrize("case", _xfail_params({k: v[0] for k, v in PG8000_CASES.items()}))
def test_pg8000_matches_postgres(pg8000_targets: Dict[str, Any], case: str) -> None:
    seen = {}
    for target, (port, user, db) in pg8000_targets.items():
        con = _pg8000_connect(port, user, db)
        try:
            seen[target] = [_pg8000_result(con, sql, **params)
                            for sql, params in PG8000_CASES[case][1]]
        finally:
            con.close()
    assert seen["riffq"] == seen["pg"]


def test_pg8000_insert_and_prepared(pg8000_targets: Dict[str, Any], drivers_server: Any) -> None:
    """pg8000 runs an unnamed statement as Parse+Sync, Describe statement+
    Sync, Bind+Flush, Execute+Sync; a prepared one as a named statement.
    The INSERT runs exactly once; the prepared SELECT once per run."""
    table = f"drv_p8_{TAG}"
    seen = {}
    for target, (port, user, db) in pg8000_targets.items():
        con = _pg8000_connect(port, user, db)
        try:
            out = [_pg8000_result(con, f"create table {table} (id int8, name text)")]
            out.append(_pg8000_result(con, f"insert into {table} (id, name) values (:i, :n)",
                                      i=1, n="pg8000 once"))
            out.append(_pg8000_result(con, f"update {table} set name = name || :s where id >= :i",
                                      s="!", i=1))
            out.append(_pg8000_result(con, f"select id, name from {table} order by id"))
            ps = con.prepare(f"select :k::int4 * 3 as v /*{table}*/")
            out.append([[(type(v).__name__, v) for v in row]
                        for k in range(1, 5) for row in ps.run(k=k)])
            ps.close()
            out.append(_pg8000_result(con, f"drop table {table}"))
        finally:
            con.close()
        seen[target] = out
    assert seen["riffq"] == seen["pg"]
    assert seen["riffq"][1]["count"] == 1
    for verb in ("insert into", "update"):
        calls = executions(drivers_server, f"{verb} {table}")
        assert len(calls) == 1 and not calls[0]["describe"], calls
    calls = executions(drivers_server, "select $1::int4 * 3 as v")
    assert [eval(c["args"]) for c in calls if not c["describe"]] == [[k] for k in range(1, 5)]


PG8000_ECHO = {
    "int": (":p::int4", 42, None),
    "bigint": (":p::int8", 2 ** 40, None),
    "float": (":p::float8", -0.5, None),
    "text": (":p::text", "héllo", None),
    "bool": (":p::bool", True, None),
    "null": (":p::int4", None, None),
    "date": (":p::date", dt.date(2024, 2, 29), XF_TYPED),
    "datetime": (":p::timestamp", dt.datetime(2024, 1, 2, 3, 4, 5, 678000), XF_TYPED),
    "numeric": (":p::numeric", decimal.Decimal("12.340"), XF_TYPED),
    "uuid": (":p::uuid", uuid.UUID("a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11"), XF_TYPED),
    "bytea": (":p::bytea", b"\x00\xffa", XF_TYPED),
}


@pytest.mark.parametrize("label", _xfail_params({k: v[2] for k, v in PG8000_ECHO.items()}))
def test_pg8000_parameter_reaches_handler_typed(drivers_server: Any, label: str) -> None:
    expr, value, _ = PG8000_ECHO[label]
    con = _pg8000_connect(drivers_server.port, "user", "db")
    try:
        (args, _types), = con.run(f"select /*echo*/ {expr}", p=value)
    finally:
        con.close()
    got = echo_value({"args": args})
    assert same_value(got, value), got


# ---- protocol errors a driver never sends (raw PgWire) ------------------------------------

def _parse(sql: str, name: str = "", oids: Tuple[int, ...] = ()) -> bytes:
    return (name.encode() + b"\0" + sql.encode() + b"\0" + struct.pack("!h", len(oids))
            + b"".join(struct.pack("!I", o) for o in oids))


def _bind(values: Tuple[Optional[bytes], ...] = (), portal: str = "", stmt: str = "",
          formats: Tuple[int, ...] = ()) -> bytes:
    body = portal.encode() + b"\0" + stmt.encode() + b"\0"
    body += struct.pack("!h", len(formats)) + b"".join(struct.pack("!h", f) for f in formats)
    body += struct.pack("!h", len(values))
    for v in values:
        body += struct.pack("!i", -1) if v is None else struct.pack("!i", len(v)) + v
    return body + struct.pack("!h", 0)


def _execute(portal: str = "", max_rows: int = 0) -> bytes:
    return portal.encode() + b"\0" + struct.pack("!i", max_rows)


def _wire_session(port: int, user: str, messages: List[Tuple[bytes, bytes]]) -> List[Any]:
    """Send ``messages`` and a Sync; return what came back up to
    ReadyForQuery (message types; (severity, SQLSTATE, message) for errors;
    payloads for DataRows), plus the DataRow of a ``select 1`` run after it
    (the session must be usable again)."""
    with PgWire(port) as c:
        c.login(user=user, database="postgres")
        for mtype, body in messages:
            c.send(mtype, body)
        c.send(b"S")
        out: List[Any] = []
        while True:
            mtype, payload = c.read_message()
            if mtype == b"E":
                f = PgWire.error_fields(payload)
                out.append(("E", f.get("S"), f.get("C"), f.get("M")))
            elif mtype == b"D":
                out.append(("D", payload))
            else:
                out.append(mtype.decode())
            if mtype == b"Z":
                break
        # after the Sync the session works again
        c.send(b"P", _parse("select 1::int4 as v"))
        c.send(b"B", _bind())
        c.send(b"E", _execute())
        c.send(b"S")
        while True:
            mtype, payload = c.read_message()
            if mtype == b"D":
                out.append(("after", payload))
            if mtype == b"Z":
                return out


WIRE_CASES = {
    "wrong_parameter_count_08P01": ([
        (b"P", _parse("select $1::int4 as a, $2::int4 as b")),
        (b"B", _bind((b"1",))),
        (b"E", _execute()),
    ], None),
    "too_many_parameters_08P01": ([
        (b"P", _parse("select $1::int4 as a")),
        (b"B", _bind((b"1", b"2"))),
        (b"E", _execute()),
    ], None),
    "bind_unknown_statement_26000": ([
        (b"B", _bind(stmt="drv_nosuch")),
        (b"P", _parse("select 2::int4 as skipped")),  # discarded up to Sync
        (b"B", _bind()),
        (b"E", _execute()),
    ], None),
    "describe_unknown_statement_26000": ([(b"D", b"Sdrv_nosuch\0")], None),
    "execute_unknown_portal_34000": ([(b"E", _execute("drv_nosuch"))], None),
    "describe_unknown_portal_34000": ([(b"D", b"Pdrv_nosuch\0")], None),
    "close_unknown_is_not_an_error": ([(b"C", b"Sdrv_nosuch\0"), (b"C", b"Pdrv_nosuch\0")], None),
    "duplicate_statement_42P05": ([
        (b"P", _parse("select 1::int4 as a", "drv_dup")),
        (b"P", _parse("select 1::int4 as a", "drv_dup")),
    ], None),
    "binary_int4_and_text_params": ([
        (b"P", _parse("select $1::int4 as a, $2::text as b, $3::float8 as c, $4::bool as d",
                      oids=(23, 25, 701, 16))),
        (b"B", _bind((struct.pack("!i", -42), "ü".encode(), struct.pack("!d", 2.5), b"\x01"),
                     formats=(1,))),
        (b"E", _execute()),
    ], None),
    "binary_int4_too_short_08P01": ([
        (b"P", _parse("select $1::int4 as a", oids=(23,))),
        (b"B", _bind((b"\x00\x01",), formats=(1,))),
        (b"E", _execute()),
    ], XF_TYPED),
    "binary_int4_too_long_22P03": ([
        (b"P", _parse("select $1::int4 as a", oids=(23,))),
        (b"B", _bind((b"\x00\x00\x00\x01\x00",), formats=(1,))),
        (b"E", _execute()),
    ], XF_TYPED),
    "text_int4_invalid_22P02": ([
        (b"P", _parse("select $1::int4 as a", oids=(23,))),
        (b"B", _bind((b"12x",))),
        (b"E", _execute()),
    ], XF_TYPED),
}


@pytest.mark.parametrize("case", _xfail_params({k: v[1] for k, v in WIRE_CASES.items()}))
def test_wire_errors_like_postgres(drivers_server: Any, reference_pg: Any, case: str) -> None:
    messages = WIRE_CASES[case][0]
    ours = _wire_session(drivers_server.port, "user", messages)
    ref = _wire_session(reference_pg.port, "postgres", messages)
    # Message types, SQLSTATEs and texts: these errors are riffq's own
    # (PostgreSQL's wording), not the handler's.
    assert ours == ref
