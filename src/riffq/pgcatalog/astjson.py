"""pglast syntax trees built from libpg_query's JSON output.

Why: ``pglast.parse_sql`` builds its nodes through their validating
``__setattr__`` (every attribute checked, coerced, enums looked up), about
a quarter of a catalog statement's rewrite. ``pglast.parser.parse_sql_json``
runs the same PostgreSQL parser and returns the tree as JSON text, which
``json.loads`` reads at C speed; ``parse`` turns it into the same
``pglast.ast`` nodes, setting their slots directly. Nodes compare equal
(``pglast.ast.Node.__eq__``) to ``parse_sql``'s; positions (``location``,
``stmt_location``...) are byte offsets, where pglast converts them to
character indexes: nothing here reads them.

libpg_query's JSON leaves out fields at their zero value (false, 0, empty
strings, NULL pointers); pglast's nodes have them as ``False``, ``0``,
``None``... ``_spec`` works each slot's default out from the type pglast
declares for it; a function generated per node class sets them
(``_builder``). ``tests/test_pgcatalog_astjson.py`` compares the trees with
``parse_sql``'s over the client corpus and edge cases (DDL included).

Positions aside, nothing here reads pglast's internals beyond what its
``ast`` module declares; a JSON shape it does not know raises, and the
rewriter then parses with pglast (``rewrite._parse_for_rewrite``).
"""

from __future__ import annotations

import enum
import json
from typing import Any, Callable, Dict, List, Tuple

from pglast import ast
from pglast import parser as _pgparser

__all__ = ["parse", "json_stmts", "from_json_stmts"]

_set = object.__setattr__  # the slot itself, past ast.Node.__setattr__'s checks
_AS_IS = object()  # a converter: the JSON value is pglast's

Spec = Tuple[Tuple[Tuple[str, Any], ...], Dict[str, Any]]
#: node class -> (its slots' defaults, {slot: converter}) (_spec)
_SPECS: Dict[type, Spec] = {}
#: node class -> its builder: fields (parsed JSON) -> node (_builder)
_BUILDERS: Dict[type, Callable[[Dict[str, Any]], Any]] = {}
#: node class -> nodes built so far without a builder
_USES: Dict[type, int] = {}
# Generating a builder costs ~0.1 ms, as much as building ~50 nodes the slow
# way: a server's first statement would pay ~1.5 ms more than pglast's parse.
_GENERATE_AFTER = 50
# (The dicts are shared by the worker threads: a race builds a spec or a
# builder twice, the same.)


def parse(sql: str) -> Tuple[ast.RawStmt, ...]:
    """``pglast.parse_sql(sql)``'s statements, built from JSON.

    Raises:
        pglast.parser.ParseError: the SQL does not parse.
    """
    return from_json_stmts(json_stmts(sql))


def json_stmts(sql: str) -> Tuple[Any, ...]:
    """libpg_query's raw statements of ``sql``, as parsed JSON
    (``[{'stmt': {...}, 'stmt_len': ...}]``).

    Raises:
        pglast.parser.ParseError: the SQL does not parse.
    """
    return tuple(json.loads(_pgparser.parse_sql_json(sql)).get("stmts", ()))


def from_json_stmts(stmts: Any) -> Tuple[ast.RawStmt, ...]:
    """RawStmt nodes of libpg_query's ``stmts`` list (parsed JSON)."""
    out = []
    for raw in stmts:
        node = ast.RawStmt.__new__(ast.RawStmt)
        _set(node, "stmt", _value(raw["stmt"]) if "stmt" in raw else None)
        _set(node, "stmt_location", raw.get("stmt_location", 0))
        _set(node, "stmt_len", raw.get("stmt_len", 0))
        out.append(node)
    return tuple(out)


def _value(v: Any) -> Any:
    """A JSON value: a node ({"Name": {fields}}), a list, or a scalar."""
    if type(v) is dict:
        if not v:  # a NULL in a list
            return None
        ((name, fields),) = v.items()
        builder = _SPECIAL.get(name)
        if builder is not None:
            return builder(fields)
        return _node(getattr(ast, name), fields)
    if type(v) is list:
        return tuple([_value(x) for x in v])
    return v


def _node(cls: type, fields: Dict[str, Any]) -> Any:
    build = _BUILDERS.get(cls)
    if build is not None:
        return build(fields)
    spec = _SPECS.get(cls)
    if spec is None:
        spec = _SPECS[cls] = _spec(cls)
    uses = _USES.get(cls, 0) + 1
    _USES[cls] = uses
    if uses >= _GENERATE_AFTER:
        _BUILDERS[cls] = _builder(cls, spec)
    defaults, converters = spec
    node = cls.__new__(cls)
    for name, default in defaults:
        v = fields.get(name)
        if v is None:
            _set(node, name, default)
        else:
            conv = converters[name]
            _set(node, name, v if conv is _AS_IS else conv(v))
    return node


def _builder(cls: type, spec: Spec) -> Callable[[Dict[str, Any]], Any]:
    """A function building a ``cls`` node from its JSON fields, one line
    per slot (generated, as dataclasses generates __init__: _node's loop over
    the slots costs twice as much), for the classes used most."""
    defaults, converters = spec
    env: Dict[str, Any] = {"_new": cls.__new__, "_cls": cls, "_set": _set}
    lines = ["def build(fields):", "    n = _new(_cls)", "    g = fields.get"]
    for i, (name, default) in enumerate(defaults):
        conv = converters[name]
        env[f"d{i}"] = default
        if conv is _AS_IS and default is None:
            lines.append(f"    _set(n, {name!r}, g({name!r}))")
        elif conv is _AS_IS:
            lines.append(f"    v = g({name!r})")
            lines.append(f"    _set(n, {name!r}, d{i} if v is None else v)")
        else:
            env[f"c{i}"] = conv
            lines.append(f"    v = g({name!r})")
            lines.append(f"    _set(n, {name!r}, d{i} if v is None else c{i}(v))")
    lines.append("    return n")
    exec("\n".join(lines), env)  # noqa: S102 (code made here from pglast's slot names)
    return env["build"]


def _spec(cls: type) -> Spec:
    """Each slot of ``cls`` with its default and converter, from pglast's
    declared types (``__slots__``: name -> (C type, Python type(s), adaptor))."""
    slots = cls.__slots__ if isinstance(cls.__slots__, dict) else {}
    defaults: List[Tuple[str, Any]] = []
    converters: Dict[str, Any] = {}
    for name, info in slots.items():
        ctype, ptype = info[0], info[1]
        ptypes = ptype if isinstance(ptype, tuple) else (ptype,)
        enum_cls = next((t for t in ptypes if isinstance(t, type) and issubclass(t, enum.Enum)),
                        None)
        typed = next((t for t in ptypes if isinstance(t, type) and issubclass(t, ast.Node)
                      and t is not ast.Node), None)
        if enum_cls is not None:
            default, conv = _enum_default(enum_cls), _enum_converter(enum_cls)
        elif ctype == "bool":
            default, conv = False, bool
        elif ctype == "char":
            default, conv = "\x00", _AS_IS
        elif ctype == "char*" or ptypes == (str,):
            default, conv = None, _AS_IS
        elif ptypes == (int,):
            default, conv = 0, _AS_IS
        elif ptypes == (float,):
            default, conv = 0.0, float
        elif ctype == "List*" or any(t in (list, tuple, set) for t in ptypes):
            default, conv = None, _value
        elif typed is not None and ctype != "ValUnion":
            default, conv = None, _typed_converter(typed)
        else:  # any node (Node*, Expr*)
            default, conv = None, _value
        defaults.append((name, default))
        converters[name] = conv
    return tuple(defaults), converters


def _enum_default(enum_cls: Any) -> Any:
    try:
        return enum_cls(0)
    except ValueError:  # (an enum without a zero: pglast would not build one either)
        return None


def _enum_converter(enum_cls: Any) -> Callable[[Any], Any]:
    def conv(v: Any) -> Any:
        return enum_cls[v] if isinstance(v, str) else enum_cls(v)
    return conv


def _typed_converter(cls: type) -> Callable[[Any], Any]:
    """A slot of one node type: its JSON is that node's bare fields."""
    special = _SPECIAL.get(cls.__name__)
    if special is not None:
        return special

    def conv(fields: Dict[str, Any]) -> Any:
        return _node(cls, fields)
    return conv


def _a_const(fields: Dict[str, Any]) -> Any:
    node = ast.A_Const.__new__(ast.A_Const)
    isnull = bool(fields.get("isnull"))
    val: Any = None
    if not isnull:
        if "ival" in fields:
            val = _node(ast.Integer, fields["ival"])
        elif "sval" in fields:
            val = _string(fields["sval"])
        elif "fval" in fields:
            val = _node(ast.Float, fields["fval"])
        elif "boolval" in fields:
            val = _node(ast.Boolean, fields["boolval"])
        elif "bsval" in fields:
            val = _node(ast.BitString, fields["bsval"])
    _set(node, "isnull", isnull)
    _set(node, "val", val)
    return node


def _string(fields: Dict[str, Any]) -> Any:
    node = ast.String.__new__(ast.String)
    _set(node, "sval", fields.get("sval", ""))
    return node


_SPECIAL: Dict[str, Callable[[Dict[str, Any]], Any]] = {
    "A_Const": _a_const,
    "String": _string,
    # a bare List node is a tuple in pglast's trees
    "List": lambda fields: tuple([_value(x) for x in fields.get("items", ())]),
}
