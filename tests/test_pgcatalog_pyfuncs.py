"""riffq.pgcatalog.pyfuncs: the Python counterparts of the rq_fn macros
that only reshape text give what those macros' SQL gave, on every
expression text of the built-in catalog and on edge cases. (Their output
against a real PostgreSQL is checked through pg_get_expr, quote_ident,
pg_get_indexdef and pg_get_constraintdef in test_pgcatalog_functions.py and
the client tests.)"""

from __future__ import annotations

from typing import Any, List, Optional

import pytest

duckdb = pytest.importorskip("duckdb")

from riffq.pgcatalog import functions, pyfuncs, snapshot  # noqa: E402

# The macros' SQL as it was (functions.sql before pyfuncs.py), with the
# argument as ``x``.
_OLD_QUOTE_IDENT = """CASE WHEN x IS NULL THEN NULL
    WHEN regexp_full_match(x, '[a-z_][a-z0-9_]*') AND NOT contains('@RESERVED@', ' ' || x || ' ')
    THEN x ELSE '"' || replace(x, '"', '""') || '"' END"""
_OLD_JSON_LIST = """CASE WHEN starts_with(x, '[') AND json_valid(x)
    THEN from_json(x, '["VARCHAR"]') END"""
_OLD_EXPR_TEXT = f"""CASE WHEN starts_with(x, '[')
    THEN coalesce(array_to_string({_OLD_JSON_LIST}, ', '), x) ELSE x END"""
_OLD_UNPAREN = "CASE WHEN regexp_full_match(x, '@PAREN_GROUP@') THEN x[2:-2] ELSE x END"
_TERMS = r"'(^|AND |OR )\(([^()]*)\)( AND| OR|$)', '\1\2\3', 'g'"
_OLD_PRETTY = (f"regexp_replace(regexp_replace(regexp_replace(regexp_replace({_OLD_UNPAREN},"
               r" '\(([A-Za-z_][A-Za-z0-9_]*|[0-9.]+|''[^'']*'')\)::', '\1::', 'g'),"
               r" '\((ARRAY\[[^\]]*\])\)::', '\1::', 'g'), " + _TERMS + "), " + _TERMS + ")")

EDGE_CASES = [
    "", "a", "A", "_x1", "1a", "select", "user", "name", "abs", "a b", 'q"q', "é", "ab\u00e9",
    "[]", "[null]", "[null, \"a\"]", '["x", "y"]', "[1, 2.5, true]", '[{"a": 1}]', "[not json",
    "[1,", "[NaN]", "[Infinity, 1]", "(a)", "((a))", "(a) AND (b)", "(a) OR (b) AND (c)", "((x > 0))", "(x)::text",
    "('a'::text)::varchar", "(ARRAY[1, 2])::integer[]", "(1.5)::numeric", "(a)(b)",
    "((a) AND (b)) OR ((c))", "(a\n)", "(a)\n", "x AND (y)\n", "(é) AND (ü)",
    "((((((((deep))))))))",
]


def _expression_texts() -> List[str]:
    con, _cs, work, _facts = snapshot.open_catalog_db()
    try:
        rows = con.execute("""
            SELECT adbin FROM rq_base.pg_attrdef UNION SELECT proargdefaults FROM rq_base.pg_proc
            UNION SELECT indexprs FROM rq_base.pg_index UNION SELECT indpred FROM rq_base.pg_index
            UNION SELECT conbin FROM rq_base.pg_constraint UNION SELECT relname FROM rq_base.pg_class
            UNION SELECT attname FROM rq_base.pg_attribute UNION SELECT word FROM rq_fn._keywords
        """).fetchall()
    finally:
        con.close()
        if work is not None:
            snapshot.remove_workfile(work)
    return [r[0] for r in rows if r[0] is not None]


@pytest.fixture(scope="module")
def duck() -> Any:
    con = duckdb.connect()
    pyfuncs.install_python_functions(con)
    return con


@pytest.fixture(scope="module")
def texts() -> List[Optional[str]]:
    return [None] + EDGE_CASES + _expression_texts()


def _old(duck: Any, expr: str, value: Optional[str]) -> Optional[str]:
    sql = expr.replace("@RESERVED@", " " + " ".join(functions._reserved_words()) + " ")
    sql = sql.replace("@PAREN_GROUP@", functions._paren_group_regex())
    return duck.execute(f"SELECT {sql} FROM (SELECT ?::VARCHAR AS x)", [value]).fetchone()[0]


@pytest.mark.parametrize("name, old", [
    ("rq_py_quote_ident", _OLD_QUOTE_IDENT),
    ("rq_py_expr_text", _OLD_EXPR_TEXT),
    ("rq_py_pretty_expr", _OLD_PRETTY),
])
def test_python_function_as_the_macro_was(duck: Any, texts: List[Optional[str]], name: str,
                                          old: str) -> None:
    assert len(texts) > 1000
    differ = []
    for value in texts:
        got = duck.execute(f"SELECT {name}(?::VARCHAR)", [value]).fetchone()[0]
        if got != _old(duck, old, value):
            differ.append((value, got, _old(duck, old, value)))
    assert differ == []


def test_install_is_idempotent(duck: Any) -> None:
    pyfuncs.install_python_functions(duck)
    assert duck.execute("SELECT rq_py_quote_ident('Ab')").fetchone()[0] == '"Ab"'
