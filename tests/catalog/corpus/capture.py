"""Regenerate the *captured* part of the client query corpus.

Runs real clients (psql 15, psql's tab completion, pgjdbc DatabaseMetaData,
SQLAlchemy 2's Inspector over psycopg, asyncpg, psycopg's TypeInfo and,
when given a Python that has it, pgcli 4) against a throw-away PostgreSQL 15
holding the fixture schema (tests/catalog/fixture.py) with
``log_statement=all``, reads every statement each client sent from the
server log (with its parameters), and writes one ``.sql`` file per distinct
statement under ``tests/catalog/corpus/<client>/``.

Hand-transcribed corpora (dbeaver, datagrip, grafana, metabase, npgsql) are
not touched. Object OIDs of the fixture in the captured text/parameters are
replaced by placeholders (``{oid:sales.orders}``, ``{nspoid:sales}``,
``{typoid:sales.orders}``, ``{dboid}``) that the tests resolve per server.

    .venv/bin/python tests/catalog/corpus/capture.py [--pgcli-python PY]

Needs psql, a built tests/drivers/jdbc (see tests/drivers/README.md).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import re
import shutil
import signal
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Dict, List, Optional, Sequence, Tuple

HERE = Path(__file__).resolve().parent
TESTS = HERE.parent.parent
ROOT = TESTS.parent
sys.path.insert(0, str(TESTS))

from catalog import fixture  # noqa: E402
from pgref import start_reference_pg  # noqa: E402

logger = logging.getLogger("corpus.capture")

CAPTURED_CLIENTS = ("psql", "psql_tab", "pgjdbc", "sqlalchemy", "asyncpg", "psycopg", "pgcli")


@dataclass
class Statement:
    """One statement from the server log."""

    app: str
    protocol: str  # simple | extended
    sql: str
    params: List[Optional[str]] = field(default_factory=list)


# ---- server log ------------------------------------------------------------------

_LINE = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d+ \w+ \[\d+\] (\S+) (LOG|DETAIL|ERROR|"
                   r"STATEMENT|HINT|FATAL|WARNING):  (.*)$")
_PARAM = re.compile(r"\$(\d+) = (NULL|'(?:[^']|'')*')")


def parse_log(text: str) -> List[Statement]:
    """Statements (``statement:`` / ``execute ...:``) with their parameters."""
    records: List[Tuple[str, str, str]] = []
    for line in text.splitlines():
        m = _LINE.match(line)
        if m:
            records.append((m.group(1), m.group(2), m.group(3)))
        elif records and line.startswith("\t"):
            app, level, body = records[-1]
            records[-1] = (app, level, body + "\n" + line[1:])
    out: List[Statement] = []
    for app, level, body in records:
        if level == "LOG" and body.startswith("statement: "):
            out.append(Statement(app, "simple", body[len("statement: "):]))
        elif level == "LOG" and body.startswith("execute ") and ": " in body:
            head, sql = body.split(": ", 1)
            if not head.startswith("execute fetch"):
                out.append(Statement(app, "extended", sql))
        elif level == "DETAIL" and body.lower().startswith("parameters: ") and out:
            out[-1].params = [None if v == "NULL" else v[1:-1].replace("''", "'")
                              for _, v in _PARAM.findall(body)]
    return out


_SKIP = re.compile(r"^\s*(SET|RESET|BEGIN|COMMIT|ROLLBACK|START|DISCARD|DEALLOCATE|CLOSE|"
                   r"UNLISTEN|SAVEPOINT|RELEASE)\b", re.I)
_DATA = re.compile(r"\b(FROM|JOIN)\s+(sales|public)\.", re.I)


def is_catalog_statement(sql: str) -> bool:
    """Keep catalog/introspection statements, drop session and data ones
    (``SELECT 1`` liveness probes reach the user's handler, not the catalog)."""
    return not (_SKIP.match(sql) or _DATA.search(sql) or sql.strip().upper() == "SELECT 1")


# ---- placeholders ----------------------------------------------------------------

def placeholder_map(dsn: str) -> Dict[str, str]:
    """OID text -> placeholder for every fixture object."""
    import psycopg

    out: Dict[str, str] = {}
    with psycopg.connect(dsn) as con:
        for oid, nsp, rel, typ in con.execute(
                "SELECT c.oid, n.nspname, c.relname, c.reltype FROM pg_class c "
                "JOIN pg_namespace n ON n.oid = c.relnamespace "
                "WHERE n.nspname IN ('public', 'sales')"):
            out[str(oid)] = f"{{oid:{nsp}.{rel}}}"
            if typ:
                out[str(typ)] = f"{{typoid:{nsp}.{rel}}}"
        for oid, nsp in con.execute(
                "SELECT oid, nspname FROM pg_namespace WHERE nspname IN ('public', 'sales')"):
            out[str(oid)] = f"{{nspoid:{nsp}}}"
        (dboid,) = con.execute("SELECT oid FROM pg_database WHERE datname = current_database()"
                               ).fetchone()
        out[str(dboid)] = "{dboid}"
    # Built-in objects (public is 2200) keep their fixed OIDs.
    return {k: v for k, v in out.items() if int(k) >= 16384}


def with_placeholders(text: str, pmap: Dict[str, str]) -> str:
    return re.sub(r"\b\d{5,}\b", lambda m: pmap.get(m.group(0), m.group(0)), text)


# ---- clients ---------------------------------------------------------------------

@dataclass
class Action:
    """One client action: what it is (for the corpus), how to run it."""

    client: str
    name: str
    source: str
    run: Callable[[str], None]  # receives the application_name to use


PSQL_ACTIONS: Sequence[Tuple[str, str]] = (
    ("\\l", "listAllDbs"), ("\\dn", "listSchemas"), ("\\dn+", "listSchemas"),
    ("\\dt", "listTables"), ("\\dt sales.*", "listTables"), ("\\dt+ sales.*", "listTables"),
    ("\\d", "listTables"), ("\\dv sales.*", "listTables"), ("\\di sales.*", "listTables"),
    ("\\d sales.orders", "describeTableDetails/describeOneTableDetails"),
    ("\\d+ sales.orders", "describeTableDetails/describeOneTableDetails"),
    ("\\d sales.customers", "describeTableDetails/describeOneTableDetails"),
    ("\\d public.products", "describeTableDetails/describeOneTableDetails"),
    ("\\d+ sales.order_summary", "describeTableDetails/describeOneTableDetails"),
    ("\\d sales.customers_pkey", "describeTableDetails/describeOneTableDetails"),
    ("\\du", "describeRoles"), ("\\dT", "describeTypes"), ("\\dT sales.*", "describeTypes"),
    ("\\df pg_catalog.lower", "describeFunctions"), ("\\dx", "listExtensions"),
    ("\\dp sales.*", "permissionsList"), ("\\dD", "listDomains"),
    ("\\dd sales.*", "objectDescription"), ("\\dC", "listCasts"), ("\\dconfig", "describeConfigurationParameters"),
)

PSQL_TAB_INPUTS: Sequence[Tuple[str, str]] = (
    ("select * from sa\t\t", "table/schema names after FROM"),
    ("select * from sales.\t\t", "tables of a schema"),
    ("\\d sales.o\t\t", "relations for \\d"),
    ("\\c \t\t", "database names for \\c"),
    ("\\dn \t\t", "schema names"),
    ("select * from public.products where \t\t", "column names"),
    ("\\df low\t\t", "function names"),
    ("set search_path to \t\t", "schemas for SET search_path"),
    ("show \t\t", "settings for SHOW"),
    ("select * from pg_cat\t\t", "system schema prefix"),
)


def run_psql(port: int, app: str, command: str) -> None:
    env = dict(os.environ, PGAPPNAME=app)
    subprocess.run(["psql", "-X", "-A", "-h", "127.0.0.1", "-p", str(port), "-U", fixture.USER,
                    "-d", fixture.DATABASE, "-c", command],
                   env=env, capture_output=True, timeout=60, check=False)


def run_psql_tab(port: int, app: str, keys: str) -> None:
    """Type ``keys`` into an interactive psql (readline) so it completes."""
    import pty
    import select
    import time

    pid, fd = pty.fork()
    if pid == 0:  # child
        os.environ.update(PGAPPNAME=app, TERM="dumb")
        os.execvp("psql", ["psql", "-X", "-h", "127.0.0.1", "-p", str(port), "-U", fixture.USER,
                           fixture.DATABASE])

    def drain(seconds: float) -> None:
        end = time.time() + seconds
        while time.time() < end:
            ready, _, _ = select.select([fd], [], [], 0.1)
            if ready:
                try:
                    os.read(fd, 65536)
                except OSError:
                    return

    drain(1.5)
    os.write(fd, keys.encode())
    drain(1.5)
    os.write(fd, b"\x03")  # Ctrl-C: drop the line
    drain(0.3)
    os.write(fd, b"\\q\n")
    drain(0.5)
    # psql may still wait on the terminal: it is our child, end it.
    done, _ = os.waitpid(pid, os.WNOHANG)
    if not done:
        os.kill(pid, signal.SIGTERM)
        os.waitpid(pid, 0)
    os.close(fd)


def jdbc_classpath() -> str:
    jdbc = TESTS / "drivers" / "jdbc"
    cp = (jdbc / "target" / "classpath.txt").read_text().strip()
    return os.pathsep.join([str(jdbc / "target" / "classes"), cp])


JDBC_CASES = ("catalogs", "schemas", "schemas_pattern", "table_types", "tables", "tables_sales",
              "columns", "primary_keys", "imported_keys", "exported_keys", "cross_reference",
              "index_info", "unique_index_info", "type_info", "functions", "database_info",
              "result_metadata")


def run_jdbc(port: int, app: str, case: str) -> None:
    url = (f"jdbc:postgresql://127.0.0.1:{port}/{fixture.DATABASE}?user={fixture.USER}"
           f"&ApplicationName={app}")
    subprocess.run(["java", "-Duser.timezone=UTC", "-cp", jdbc_classpath(), "riffq.CatalogMeta",
                    url, case], capture_output=True, timeout=120, check=False)


SA_METHODS: Sequence[Tuple[str, str]] = (
    ("connect", "dialect initialize (first connect)"),
    ("has_table", "Inspector.has_table('orders', schema='sales')"),
    ("get_schema_names", "Inspector.get_schema_names()"),
    ("get_table_names", "Inspector.get_table_names(schema='sales')"),
    ("get_view_names", "Inspector.get_view_names(schema='sales')"),
    ("get_columns", "Inspector.get_columns('orders', schema='sales')"),
    ("get_pk_constraint", "Inspector.get_pk_constraint('orders', schema='sales')"),
    ("get_foreign_keys", "Inspector.get_foreign_keys('orders', schema='sales')"),
    ("get_indexes", "Inspector.get_indexes('customers', schema='sales')"),
    ("get_unique_constraints", "Inspector.get_unique_constraints('customers', schema='sales')"),
    ("get_table_comment", "Inspector.get_table_comment('orders', schema='sales')"),
    ("get_check_constraints", "Inspector.get_check_constraints('orders', schema='sales')"),
    ("get_view_definition", "Inspector.get_view_definition('order_summary', schema='sales')"),
    ("reflect_table", "Table('orders', MetaData(), schema='sales', autoload_with=engine)"),
)


def run_sqlalchemy(port: int, app: str, method: str) -> None:
    import sqlalchemy as sa

    url = f"postgresql+psycopg://{fixture.USER}@127.0.0.1:{port}/{fixture.DATABASE}"
    engine = sa.create_engine(url, connect_args={"application_name": app}, poolclass=sa.NullPool)
    try:
        if method == "connect":
            with engine.connect():
                return
        insp = sa.inspect(engine)
        calls = {
            "has_table": lambda: insp.has_table("orders", schema="sales"),
            "get_schema_names": insp.get_schema_names,
            "get_table_names": lambda: insp.get_table_names(schema="sales"),
            "get_view_names": lambda: insp.get_view_names(schema="sales"),
            "get_columns": lambda: insp.get_columns("orders", schema="sales"),
            "get_pk_constraint": lambda: insp.get_pk_constraint("orders", schema="sales"),
            "get_foreign_keys": lambda: insp.get_foreign_keys("orders", schema="sales"),
            "get_indexes": lambda: insp.get_indexes("customers", schema="sales"),
            "get_unique_constraints": lambda: insp.get_unique_constraints("customers",
                                                                          schema="sales"),
            "get_table_comment": lambda: insp.get_table_comment("orders", schema="sales"),
            "get_check_constraints": lambda: insp.get_check_constraints("orders", schema="sales"),
            "get_view_definition": lambda: insp.get_view_definition("order_summary",
                                                                    schema="sales"),
            "reflect_table": lambda: sa.Table("orders", sa.MetaData(), schema="sales",
                                              autoload_with=engine),
        }
        calls[method]()
    finally:
        engine.dispose()


def run_asyncpg(port: int, app: str, step: str) -> None:
    import asyncpg

    async def main() -> None:
        con = await asyncpg.connect(host="127.0.0.1", port=port, user=fixture.USER,
                                    database=fixture.DATABASE,
                                    server_settings={"application_name": app})
        try:
            if step == "set_type_codec":
                # A built-in type is resolved without a query: name a table's row type.
                try:
                    await con.set_type_codec("customers", schema="sales", encoder=str,
                                             decoder=str, format="text")
                except (asyncpg.PostgresError, ValueError, asyncpg.InterfaceError):
                    pass
            elif step == "composite":
                await con.prepare("SELECT c FROM sales.customers c WHERE c.id = $1::int4")
            elif step == "prepare":
                await con.prepare("SELECT tags, ARRAY[id]::int4[] AS ids, $1::int8 AS p "
                                  "FROM sales.customers")
        finally:
            await con.close()

    asyncio.run(main())


def run_psycopg(port: int, app: str, step: str) -> None:
    import psycopg
    from psycopg.types import TypeInfo
    from psycopg.types.composite import CompositeInfo

    dsn = (f"host=127.0.0.1 port={port} user={fixture.USER} dbname={fixture.DATABASE} "
           f"application_name={app}")
    with psycopg.connect(dsn) as con:
        if step == "typeinfo":
            for name in ("int4", "text[]", "numeric", "uuid", "jsonb", "hstore"):
                TypeInfo.fetch(con, name)
        elif step == "composite":
            CompositeInfo.fetch(con, "sales.customers")


PGCLI_SCRIPT = r"""
import sys
from pgcli.pgexecute import PGExecute
from pgspecial.main import PGSpecial
ex = PGExecute(database=sys.argv[2], user=sys.argv[3], host="127.0.0.1", port=int(sys.argv[1]),
               password=None, dsn=None, application_name=sys.argv[4])
step = sys.argv[5]
if step == "refresh":
    ex.search_path(); ex.schemata(); list(ex.tables()); list(ex.views())
    list(ex.table_columns()); list(ex.view_columns()); ex.databases(); list(ex.foreignkeys())
    list(ex.functions()); list(ex.datatypes()); list(ex.casing())
elif step == "view_definition":
    ex.view_definition("sales.order_summary")
elif step == "function_definition":
    ex.function_definition("pg_catalog.format_type")
else:
    special = PGSpecial()
    for res in ex.run(step, pgspecial=special):
        pass
"""


def run_pgcli(python: str, port: int, app: str, step: str) -> None:
    r = subprocess.run([python, "-c", PGCLI_SCRIPT, str(port), fixture.DATABASE, fixture.USER,
                        app, step], capture_output=True, text=True, timeout=120, check=False)
    if r.returncode != 0:
        logger.warning("pgcli step %s failed: %s", step, r.stderr[-2000:])


PGCLI_STEPS: Sequence[Tuple[str, str]] = (
    ("refresh", "pgcli/pgexecute.py completion refresh (CompletionRefresher)"),
    ("view_definition", "pgcli/pgexecute.py PGExecute.view_definition (\\ev)"),
    ("function_definition", "pgcli/pgexecute.py PGExecute.function_definition (\\ef)"),
    ("\\dt", "pgspecial/dbcommands.py list_objects"),
    ("\\d sales.orders", "pgspecial/dbcommands.py describe_table_details"),
    ("\\dn", "pgspecial/dbcommands.py list_schemas"),
    ("\\l", "pgspecial/dbcommands.py list_databases"),
    ("\\du", "pgspecial/dbcommands.py list_roles"),
    ("\\df lower", "pgspecial/dbcommands.py list_functions"),
    ("\\dT", "pgspecial/dbcommands.py list_datatypes"),
    ("\\di", "pgspecial/dbcommands.py list_objects (indexes)"),
)


def actions(port: int, pgcli_python: Optional[str]) -> List[Action]:
    """Every capture action, in order."""
    src_psql = "postgres/postgres REL_15_STABLE src/bin/psql/describe.c"
    out = [Action("psql", cmd, f"{src_psql} ({fn})",
                  lambda app, c=cmd: run_psql(port, app, c)) for cmd, fn in PSQL_ACTIONS]
    out += [Action("psql_tab", desc, "postgres/postgres REL_15_STABLE src/bin/psql/tab-complete.c",
                   lambda app, k=keys: run_psql_tab(port, app, k)) for keys, desc in PSQL_TAB_INPUTS]
    out += [Action("pgjdbc", f"CatalogMeta {case}", "", lambda app, c=case: run_jdbc(port, app, c))
            for case in JDBC_CASES]
    out += [Action("sqlalchemy", desc, "sqlalchemy/sqlalchemy lib/sqlalchemy/dialects/postgresql/base.py",
                   lambda app, m=m: run_sqlalchemy(port, app, m)) for m, desc in SA_METHODS]
    src_apg = "MagicStack/asyncpg asyncpg/introspection.py"
    out += [Action("asyncpg", "Connection.set_type_codec('customers', schema='sales')",
                   src_apg + " (TYPE_BY_NAME)",
                   lambda app: run_asyncpg(port, app, "set_type_codec")),
            Action("asyncpg", "prepare a query returning a composite (table row) type",
                   src_apg + " (INTRO_LOOKUP_TYPES_13)", lambda app: run_asyncpg(port, app, "composite")),
            Action("asyncpg", "prepare text[] / int4[] / $1::int8", src_apg,
                   lambda app: run_asyncpg(port, app, "prepare"))]
    src_pg3 = "psycopg/psycopg psycopg/psycopg/_typeinfo.py"
    out += [Action("psycopg", "TypeInfo.fetch(int4, text[], numeric, uuid, jsonb, hstore)",
                   src_pg3 + " (TypeInfo._get_info_query)", lambda app: run_psycopg(port, app, "typeinfo")),
            Action("psycopg", "CompositeInfo.fetch('sales.customers')",
                   "psycopg/psycopg psycopg/psycopg/types/composite.py (CompositeInfo._get_info_query)",
                   lambda app: run_psycopg(port, app, "composite"))]
    if pgcli_python:
        out += [Action("pgcli", step, f"dbcli/pgcli + dbcli/pgspecial: {desc}",
                       lambda app, s=step: run_pgcli(pgcli_python, port, app, s))
                for step, desc in PGCLI_STEPS]
    return out


# (client, text in the statement, source) for statements a client sends from
# another file than its action's.
SOURCE_RULES: Sequence[Tuple[str, str, str]] = (
    ("asyncpg", "set_config('jit'", "MagicStack/asyncpg asyncpg/connection.py "
     "(_introspect_types: JIT off around the introspection query)"),
    ("asyncpg", "current_setting('jit')", "MagicStack/asyncpg asyncpg/connection.py "
     "(_introspect_types: JIT off around the introspection query)"),
    ("sqlalchemy", "typarray AS array_oid", "psycopg/psycopg psycopg/psycopg/_typeinfo.py "
     "(TypeInfo.fetch('hstore') from sqlalchemy lib/sqlalchemy/dialects/postgresql/psycopg.py)"),
    ("sqlalchemy", "pg_catalog.version()", "sqlalchemy/sqlalchemy lib/sqlalchemy/dialects/"
     "postgresql/base.py (PGDialect._get_server_version_info)"),
    ("sqlalchemy", "current_schema()", "sqlalchemy/sqlalchemy lib/sqlalchemy/dialects/"
     "postgresql/base.py (PGDialect._get_default_schema_name)"),
    ("sqlalchemy", "standard_conforming_strings", "sqlalchemy/sqlalchemy lib/sqlalchemy/dialects/"
     "postgresql/base.py (PGDialect.initialize)"),
    ("pgcli", "unnest(current_schemas(true))", "dbcli/pgcli pgcli/pgexecute.py (search_path_query)"),
)


def source_for(client: str, action_source: str, sql: str) -> str:
    """Where a captured statement comes from."""
    for rule_client, text, source in SOURCE_RULES:
        if client == rule_client and text in sql:
            return source
    return action_source or jdbc_source(sql)


def jdbc_source(sql: str) -> str:
    base = "pgjdbc/pgjdbc pgjdbc/src/main/java/org/postgresql/"
    if "array_in'::regproc" in sql or "ANY(current_schemas(true)), n.nspname, t.typname" in sql \
            or sql.startswith("SELECT t.typname,t.oid"):
        return base + "jdbc/TypeInfoCache.java"
    if "a.attnotnull OR (t.typtype = 'd' AND t.typnotnull)" in sql and "a.attnum, a.attname" in sql:
        return base + "jdbc/PgResultSetMetaData.java (fetchFieldMetaData)"
    return base + "jdbc/PgDatabaseMetaData.java"


# ---- writing ---------------------------------------------------------------------

def slug(text: str) -> str:
    s = re.sub(r"[^a-z0-9]+", "_", text.lower().replace("+", "_plus")).strip("_")
    return s[:48] or "q"


def header(entry: Dict[str, object]) -> str:
    lines = []
    for key in ("client", "action", "source", "captured", "protocol", "params", "expect"):
        value = entry.get(key)
        if value is None:
            continue
        if key == "params":
            value = json.dumps(value)
        lines.append(f"-- {key}: {value}")
    return "\n".join(lines) + "\n"


def write_client(client: str, entries: List[Dict[str, object]]) -> None:
    target = HERE / client
    if target.exists():
        shutil.rmtree(target)
    target.mkdir(parents=True)
    for i, e in enumerate(entries, 1):
        name = f"{i:03d}_{slug(str(e['action']))}.sql"
        (target / name).write_text(header(e) + str(e["sql"]).rstrip() + "\n", encoding="utf-8")
    logger.info("%s: %d queries", client, len(entries))


def main(argv: Optional[Sequence[str]] = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--pgcli-python", help="a Python with pgcli 4 installed")
    ap.add_argument("--only", nargs="*", help="clients to capture (default: all)")
    args = ap.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    ref = start_reference_pg()
    try:
        import psycopg

        with psycopg.connect(ref.dsn, autocommit=True) as con:
            con.execute("ALTER SYSTEM SET log_statement = 'all'")
            con.execute("ALTER SYSTEM SET log_line_prefix = '%m [%p] %a '")
            con.execute("SELECT pg_reload_conf()")
            (version,) = con.execute("SHOW server_version").fetchone()
        dsn = fixture.create_pg_database(ref.dsn)
        pmap = placeholder_map(dsn)
        log_path = Path(ref.datadir).parent / "server.log"
        todo = [a for a in actions(ref.port, args.pgcli_python)
                if not args.only or a.client in args.only]
        apps: Dict[str, Action] = {}
        for n, action in enumerate(todo):
            app = f"cap{n:03d}"
            apps[app] = action
            action.run(app)
        by_client: Dict[str, List[Dict[str, object]]] = {}
        seen: Dict[str, set] = {}
        for st in parse_log(log_path.read_text(errors="replace")):
            action = apps.get(st.app)
            if action is None or not is_catalog_statement(st.sql):
                continue
            sql = with_placeholders(st.sql, pmap)
            params = [None if p is None else with_placeholders(p, pmap) for p in st.params]
            key = json.dumps([sql, params])
            if key in seen.setdefault(action.client, set()):
                continue
            seen[action.client].add(key)
            by_client.setdefault(action.client, []).append({
                "client": action.client, "action": action.name,
                "source": source_for(action.client, action.source, st.sql),
                "captured": f"PostgreSQL {version} server log (log_statement=all)",
                "protocol": st.protocol, "params": params if st.protocol == "extended" else None,
                "expect": "equal", "sql": sql})
        for client, entries in by_client.items():
            write_client(client, entries)
    finally:
        ref.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
