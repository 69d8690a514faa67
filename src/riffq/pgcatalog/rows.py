"""Registered objects -> pg_catalog rows.

``build_rows`` turns a snapshot of ``riffq.catalog.Catalog`` into the rows
of pg_database, pg_namespace, pg_class, pg_attribute, pg_attrdef, pg_index,
pg_constraint and pg_description that PostgreSQL 15 would hold for the same
objects. Column values not given stay NULL/default, as the engine's insert
fills every other column of the relation with NULL.

OIDs come from an ``OidAllocator`` keyed by object identity (database,
schema, name...), so an object keeps its OID for the life of the server even
when the catalog is rebuilt after a change.
"""

from __future__ import annotations

import itertools
import threading
from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional, Sequence, Tuple

from ..catalog import Database, ForeignKey, Table
from .types import PgType, TypeResolver, UnknownType

__all__ = ["OidAllocator", "TypeInfo", "RowSet", "build_rows", "FIRST_USER_OID",
           "SHARED_REGISTERED", "SHARED_LAZY", "SHARED_ACTIVITY"]

FIRST_USER_OID = 16384
#: ``_db`` of shared-catalog rows that registrations / the lazy source / the
#: engine's connections (pg_stat_activity) made.
SHARED_REGISTERED = -1
SHARED_LAZY = -2
SHARED_ACTIVITY = -3

PG_CLASS_OID = 1259      # pg_class's own OID: classoid of relations
PG_NAMESPACE_OID = 2615
PG_DATABASE_OID = 1262
PG_CONSTRAINT_OID = 2606
HEAP_AM, BTREE_AM = 2, 403
DEFAULT_COLLATION = 100
OWNER = 10               # the bootstrap superuser owns every object


class OidAllocator:
    """Stable OIDs >= 16384 for runtime objects, by key."""

    def __init__(self, first: int = FIRST_USER_OID) -> None:
        self._next = itertools.count(first)
        self._by_key: Dict[Tuple[Any, ...], int] = {}
        self._lock = threading.Lock()

    def oid(self, *key: Any) -> int:
        """The OID of ``key``, allocated on first use."""
        with self._lock:
            got = self._by_key.get(key)
            if got is None:
                got = self._by_key[key] = next(self._next)
            return got

    def reserve(self, oid: int) -> None:
        """Never hand out ``oid`` (used by a lazy source)."""
        with self._lock:
            nxt = next(self._next)
            self._next = itertools.count(max(nxt, oid + 1))


@dataclass(frozen=True)
class TypeInfo:
    """What pg_attribute copies from pg_type."""

    typlen: int
    typbyval: bool
    typalign: str
    typstorage: str
    typcollation: int
    is_array: bool


@dataclass
class RowSet:
    """Rows per pg_catalog relation, plus the ``_db`` each set belongs to."""

    rows: Dict[str, List[Dict[str, Any]]] = field(default_factory=dict)

    def add(self, rel: str, row: Dict[str, Any]) -> None:
        self.rows.setdefault(rel, []).append(row)


def _quote_ident(name: str) -> str:
    if name.isidentifier() and name == name.lower() and name.isascii():
        return name
    return '"' + name.replace('"', '""') + '"'


@dataclass(frozen=True)
class EqOps:
    """Equality operators, as a foreign key's conpfeqop / conppeqop /
    conffeqop need them: each type's default btree opclass (``opclass``,
    type -> opclass), that opclass's input type (``intype``), and the
    boolean ``=`` operators by (left type, right type) (``ops``)."""

    opclass: Dict[int, int]
    intype: Dict[int, int]
    ops: Dict[Tuple[int, int], int]

    def for_key(self, pk_type: int, fk_type: int) -> Optional[Tuple[int, int, int]]:
        """(PK = FK, PK = PK, FK = FK) operators for one column pair, as
        PostgreSQL's ADD FOREIGN KEY picks them (a type that is binary
        coercible to the opclass's, like varchar to text, uses its
        operator); None when the key type has no btree opclass."""
        intype = self.intype.get(self.opclass.get(pk_type, 0))
        pp = self.ops.get((intype, intype)) if intype is not None else None
        if pp is None:
            return None
        return (self.ops.get((intype, fk_type), pp), pp, self.ops.get((fk_type, fk_type), pp))


class _Builder:
    def __init__(self, oids: OidAllocator, resolver: TypeResolver,
                 types: Dict[int, TypeInfo], opclass: Dict[int, int],
                 builtin_ns: Dict[str, int], eqops: Optional["EqOps"] = None) -> None:
        self.oids, self.resolver, self.types = oids, resolver, types
        self.opclass, self.builtin_ns = opclass, builtin_ns
        self.eqops = eqops
        self.out: Dict[int, RowSet] = {}
        self.warnings: List[str] = []
        self.referenced: set = set()  # (schema, table) some foreign key points at

    def rowset(self, db_oid: int) -> RowSet:
        return self.out.setdefault(db_oid, RowSet())

    # ---- databases / schemas ----
    def database(self, db: Database) -> int:
        oid = self.oids.oid("db", db.name)
        shared = self.rowset(SHARED_REGISTERED)
        shared.add("pg_database", database_row(oid, db.name))
        if db.comment:
            shared.add("pg_shdescription", {"objoid": oid, "classoid": PG_DATABASE_OID,
                                            "description": db.comment})
        return oid

    def schema_oid(self, db: str, schema: str) -> int:
        return self.builtin_ns.get(schema) or self.oids.oid("ns", db, schema)

    def schema(self, db_oid: int, db: Database, name: str, comment: Optional[str]) -> int:
        oid = self.schema_oid(db.name, name)
        rs = self.rowset(db_oid)
        if name not in self.builtin_ns:
            rs.add("pg_namespace", {"oid": oid, "nspname": name, "nspowner": OWNER})
        if comment:
            rs.add("pg_description", {"objoid": oid, "classoid": PG_NAMESPACE_OID,
                                      "objsubid": 0, "description": comment})
        return oid

    # ---- tables ----
    def table(self, db_oid: int, db: Database, ns_oid: int, schema: str, t: Table) -> None:
        rs = self.rowset(db_oid)
        oid = self.oids.oid("rel", db.name, schema, t.name)
        cols = self.columns(t)
        is_view = t.kind == "view"
        has_index = bool(t.primary_key or t.unique or t.indexes) and not is_view
        reltype = self.oids.oid("reltype", db.name, schema, t.name)
        row = class_row(oid, t.name, ns_oid, "v" if is_view else "r", len(cols), has_index,
                        reltype)
        self.row_type(rs, db, schema, t.name, oid, ns_oid, reltype)
        # PostgreSQL enforces foreign keys with triggers on both tables, and
        # psql lists FK constraints only for tables that have triggers.
        row["relhastriggers"] = bool(t.foreign_keys) or (schema, t.name) in self.referenced
        rs.add("pg_class", row)
        if not is_view:
            for sysrow in system_attribute_rows(self.types, oid):
                rs.add("pg_attribute", sysrow)
        for num, (c, ty) in enumerate(cols, start=1):
            rs.add("pg_attribute", self.attribute_row(oid, num, c.name, ty, not c.nullable,
                                                      c.default is not None))
            if c.default is not None:
                rs.add("pg_attrdef", {"oid": self.oids.oid("def", oid, num), "adrelid": oid,
                                      "adnum": num, "adbin": c.default})
            if c.comment:
                rs.add("pg_description", {"objoid": oid, "classoid": PG_CLASS_OID,
                                          "objsubid": num, "description": c.comment})
        if t.comment:
            rs.add("pg_description", {"objoid": oid, "classoid": PG_CLASS_OID, "objsubid": 0,
                                      "description": t.comment})
        if is_view:
            if t.definition:
                rs.add("pg_rewrite", {"oid": self.oids.oid("rule", oid), "rulename": "_RETURN",
                                      "ev_class": oid, "ev_type": "1", "ev_enabled": "O",
                                      "is_instead": True, "ev_qual": "<>",
                                      "ev_action": t.definition})
            return
        attnum = {c.name: i for i, (c, _) in enumerate(cols, start=1)}
        types = {c.name: ty for c, ty in cols}
        if t.primary_key:
            self.key(rs, db, schema, t, oid, ns_oid, "p", t.primary_key, attnum, types)
        for u in t.unique:
            self.key(rs, db, schema, t, oid, ns_oid, "u", u, attnum, types)
        for fk in t.foreign_keys:
            self.foreign_key(rs, db, schema, t, oid, ns_oid, fk, attnum, types)
        for iname, cols, unique in t.indexes:
            self.index(rs, db, schema, t, oid, ns_oid, iname, cols, unique, attnum, types)

    def row_type(self, rs: RowSet, db: Database, schema: str, name: str, rel: int, ns: int,
                 reltype: int) -> None:
        """The composite type every table and view has, and its array type
        (psycopg's CompositeInfo and asyncpg's introspection read them)."""
        arr = self.oids.oid("reltype[]", db.name, schema, name)
        common = {"typnamespace": ns, "typowner": OWNER, "typlen": -1, "typbyval": False,
                  "typispreferred": False, "typisdefined": True, "typdelim": ",",
                  "typmodin": 0, "typmodout": 0, "typalign": "d", "typstorage": "x",
                  "typnotnull": False, "typbasetype": 0, "typtypmod": -1, "typndims": 0,
                  "typcollation": 0}
        rs.add("pg_type", {**common, "oid": reltype, "typname": name, "typtype": "c",
                           "typcategory": "C", "typrelid": rel, "typsubscript": 0,
                           "typelem": 0, "typarray": arr, "typinput": 2290, "typoutput": 2291,
                           "typreceive": 2402, "typsend": 2403, "typanalyze": 0})
        rs.add("pg_type", {**common, "oid": arr, "typname": "_" + name, "typtype": "b",
                           "typcategory": "A", "typrelid": 0, "typsubscript": 6179,
                           "typelem": reltype, "typarray": 0, "typinput": 750,
                           "typoutput": 751, "typreceive": 2400, "typsend": 2401,
                           "typanalyze": 3816})

    def columns(self, t: Table) -> List[Tuple[Any, PgType]]:
        out = []
        for c in t.columns:
            try:
                ty = self.resolver.resolve(c.type)
            except UnknownType as exc:
                self.warnings.append(f"{t.name}.{c.name}: {exc}; reported as text")
                ty = PgType(25)
            out.append((c, ty))
        return out

    def attribute_row(self, rel: int, num: int, name: str, ty: PgType, notnull: bool,
                      hasdef: bool) -> Dict[str, Any]:
        return attribute_row(self.types, rel, num, name, ty, notnull, hasdef)

    def index(self, rs: RowSet, db: Database, schema: str, t: Table, rel: int, ns: int,
              iname: str, cols: Sequence[str], unique: bool, attnum: Dict[str, int],
              types: Dict[str, PgType], primary: bool = False) -> int:
        """pg_class + pg_index rows of an index; returns its OID."""
        ioid = self.oids.oid("index", db.name, schema, iname)
        rs.add("pg_class", class_row(ioid, iname, ns, "i", len(cols), False, 0, am=BTREE_AM))
        for i, c in enumerate(cols, start=1):
            rs.add("pg_attribute", self.attribute_row(ioid, i, c, types[c], False, False))
        rs.add("pg_index", {
            "indexrelid": ioid, "indrelid": rel, "indnatts": len(cols), "indnkeyatts": len(cols),
            "indisunique": unique, "indnullsnotdistinct": False, "indisprimary": primary,
            "indisexclusion": False, "indimmediate": True, "indisclustered": False,
            "indisvalid": True, "indcheckxmin": False, "indisready": True, "indislive": True,
            "indisreplident": False, "indkey": [attnum[c] for c in cols],
            "indcollation": [self.types.get(types[c].oid, TypeInfo(0, 0, "", "", 0, 0)).typcollation
                             for c in cols],
            "indclass": [self.opclass.get(types[c].oid, 0) for c in cols],
            "indoption": [0] * len(cols)})
        cols_sql = ", ".join(_quote_ident(c) for c in cols)
        rs.add("rq_defs", {"oid": ioid, "kind": "index",
                           "definition": f"CREATE {'UNIQUE ' if unique else ''}INDEX "
                                         f"{_quote_ident(iname)} ON {_quote_ident(schema)}."
                                         f"{_quote_ident(t.name)} USING btree ({cols_sql})"})
        return ioid

    def key(self, rs: RowSet, db: Database, schema: str, t: Table, rel: int, ns: int,
            contype: str, cols: Sequence[str], attnum: Dict[str, int],
            types: Dict[str, PgType]) -> None:
        suffix = "pkey" if contype == "p" else "_".join(cols) + "_key"
        iname = f"{t.name}_{suffix}"
        ioid = self.index(rs, db, schema, t, rel, ns, iname, cols, True, attnum, types,
                          primary=contype == "p")
        keys = [attnum[c] for c in cols]
        cols_sql = ", ".join(_quote_ident(c) for c in cols)
        kind = "PRIMARY KEY" if contype == "p" else "UNIQUE"
        rs.add("pg_constraint", constraint_row(self.oids.oid("con", rel, iname), iname, ns,
                                               contype, rel, ioid, keys))
        rs.add("rq_defs", {"oid": self.oids.oid("con", rel, iname), "kind": "constraint",
                           "definition": f"{kind} ({cols_sql})"})

    def foreign_key(self, rs: RowSet, db: Database, schema: str, t: Table, rel: int, ns: int,
                    fk: ForeignKey, attnum: Dict[str, int], types: Dict[str, PgType]) -> None:
        ref_schema = fk.ref_schema or schema
        ref_rel = self.oids.oid("rel", db.name, ref_schema, fk.ref_table)
        ref_t = db.schemas.get(ref_schema, None)
        ref_table = ref_t.tables.get(fk.ref_table) if ref_t else None
        if ref_table is None:
            self.warnings.append(f"{t.name}: foreign key references unknown table "
                                 f"{ref_schema}.{fk.ref_table}")
            return
        ref_nums = {c.name: i for i, c in enumerate(ref_table.columns, start=1)}
        name = fk.name or f"{t.name}_{'_'.join(fk.columns)}_fkey"
        con_oid = self.oids.oid("con", rel, name)
        ref_key = tuple(fk.ref_columns)
        ref_index = 0
        for kind, cols in [("pkey", ref_table.primary_key)] + [("key", u) for u in ref_table.unique]:
            if tuple(cols) == ref_key:
                iname = f"{ref_table.name}_pkey" if kind == "pkey" else \
                    f"{ref_table.name}_{'_'.join(cols)}_key"
                ref_index = self.oids.oid("index", db.name, ref_schema, iname)
        row = constraint_row(con_oid, name, ns, "f", rel, ref_index,
                             [attnum[c] for c in fk.columns])
        row.update({"confrelid": ref_rel, "confkey": [ref_nums.get(c, 0) for c in fk.ref_columns],
                    "confupdtype": _fk_action(fk.on_update), "confdeltype": _fk_action(fk.on_delete),
                    "confmatchtype": "s"})
        for trigger in _fk_triggers(self.oids, row, con_oid, rel, ref_rel, ref_index):
            rs.add("pg_trigger", trigger)
        if self.eqops is not None:
            ref_types = {c.name: ty for c, ty in self.columns(ref_table)}
            ops = [self.eqops.for_key(ref_types[r].oid, types[c].oid)
                   if r in ref_types and c in types else None
                   for c, r in zip(fk.columns, fk.ref_columns)]
            if ops and all(o is not None for o in ops):
                row.update({"conpfeqop": [o[0] for o in ops], "conppeqop": [o[1] for o in ops],
                            "conffeqop": [o[2] for o in ops]})
        # (pg_get_constraintdef computes its text from the row: the
        # referenced table is qualified unless visible on the session's path)
        rs.add("pg_constraint", row)


# A foreign key's action functions by confdeltype/confupdtype: (on delete, on update).
_RI_ACTIONS = {"a": (1654, 1655), "r": (1648, 1649), "c": (1646, 1647), "n": (1650, 1651),
               "d": (1652, 1653)}
_RI_CHECK_INS, _RI_CHECK_UPD = 1644, 1645
# tgtype bits: ROW 1, INSERT 4, DELETE 8, UPDATE 16 (AFTER is no bit)
_TG_INS, _TG_DEL, _TG_UPD = 1 | 4, 1 | 8, 1 | 16


def _fk_triggers(oids: OidAllocator, con: Dict[str, Any], con_oid: int, rel: int, ref_rel: int,
                 ref_index: int) -> List[Dict[str, Any]]:
    """The four internal triggers PostgreSQL makes for a foreign key: on the
    referenced table, the delete and update actions; on the referencing
    table, the insert and update checks (pgAdmin counts them)."""
    out = []
    for kind, on, other, fn, tgtype in (
            ("a", ref_rel, rel, _RI_ACTIONS[con["confdeltype"]][0], _TG_DEL),
            ("a", ref_rel, rel, _RI_ACTIONS[con["confupdtype"]][1], _TG_UPD),
            ("c", rel, ref_rel, _RI_CHECK_INS, _TG_INS),
            ("c", rel, ref_rel, _RI_CHECK_UPD, _TG_UPD)):
        toid = oids.oid("trigger", con_oid, fn)
        out.append({"oid": toid, "tgrelid": on, "tgparentid": 0,
                    "tgname": f"RI_ConstraintTrigger_{kind}_{toid}", "tgfoid": fn,
                    "tgtype": tgtype, "tgenabled": "O", "tgisinternal": True,
                    "tgconstrrelid": other, "tgconstrindid": ref_index, "tgconstraint": con_oid,
                    "tgdeferrable": bool(con.get("condeferrable")),
                    "tginitdeferred": bool(con.get("condeferred")), "tgnargs": 0,
                    "tgattr": [], "tgargs": b""})
    return out


def attribute_row(types: Dict[int, TypeInfo], rel: int, num: int, name: str, ty: PgType,
                  notnull: bool, hasdef: bool) -> Dict[str, Any]:
    """A pg_attribute row; typlen, alignment... come from ``types`` (pg_type by OID)."""
    ti = types.get(ty.oid) or TypeInfo(-1, False, "i", "x", 0, False)
    return {"attrelid": rel, "attname": name, "atttypid": ty.oid, "attstattarget": -1,
            "attlen": ti.typlen, "attnum": num, "attndims": 1 if ti.is_array else 0,
            "attcacheoff": -1, "atttypmod": ty.typmod, "attbyval": ti.typbyval,
            "attalign": ti.typalign, "attstorage": ti.typstorage, "attcompression": "",
            "attnotnull": notnull, "atthasdef": hasdef, "atthasmissing": False,
            "attidentity": "", "attgenerated": "", "attisdropped": False,
            "attislocal": True, "attinhcount": 0, "attcollation": ti.typcollation}


# System columns every table has (PostgreSQL 15: name, attnum, type).
_SYSTEM_COLUMNS = (("tableoid", -6, 26), ("cmax", -5, 29), ("xmax", -4, 28), ("cmin", -3, 29),
                   ("xmin", -2, 28), ("ctid", -1, 27))


def system_attribute_rows(types: Dict[int, TypeInfo], rel: int) -> List[Dict[str, Any]]:
    """pg_attribute rows of a table's system columns (ctid, xmin, ...), which
    PostgreSQL lists with negative attnum (DBeaver reads them)."""
    out = []
    for name, num, typ in _SYSTEM_COLUMNS:
        row = attribute_row(types, rel, num, name, PgType(typ), True, False)
        row["attstattarget"] = 0
        out.append(row)
    return out


def _fk_action(action: str) -> str:
    return {"NO ACTION": "a", "RESTRICT": "r", "CASCADE": "c", "SET NULL": "n",
            "SET DEFAULT": "d"}.get(action.upper(), "a")


def database_row(oid: int, name: str) -> Dict[str, Any]:
    """A pg_database row as CREATE DATABASE (template1, UTF8) makes it."""
    return {"oid": oid, "datname": name, "datdba": OWNER, "encoding": 6,
            "datlocprovider": "c", "datistemplate": False, "datallowconn": True,
            "datconnlimit": -1, "datfrozenxid": "716", "datminmxid": "1",
            "dattablespace": 1663, "datcollate": "C.UTF-8", "datctype": "C.UTF-8"}


def class_row(oid: int, name: str, ns: int, kind: str, natts: int, has_index: bool,
              reltype: int, am: Optional[int] = None) -> Dict[str, Any]:
    """A pg_class row for a table ('r'), view ('v') or index ('i')."""
    return {"oid": oid, "relname": name, "relnamespace": ns, "reltype": reltype,
            "reloftype": 0, "relowner": OWNER,
            "relam": am if am is not None else (HEAP_AM if kind == "r" else 0),
            "relfilenode": 0 if kind == "v" else oid, "reltablespace": 0, "relpages": 0,
            "reltuples": -1.0 if kind == "r" else 0.0, "relallvisible": 0, "reltoastrelid": 0,
            "relhasindex": has_index, "relisshared": False, "relpersistence": "p",
            "relkind": kind, "relnatts": natts, "relchecks": 0, "relhasrules": kind == "v",
            "relhastriggers": False, "relhassubclass": False, "relrowsecurity": False,
            "relforcerowsecurity": False, "relispopulated": True,
            "relreplident": "d" if kind in ("r", "p", "m") else "n",
            "relispartition": False, "relrewrite": 0, "relfrozenxid": "0", "relminmxid": "0"}


def constraint_row(oid: int, name: str, ns: int, contype: str, rel: int, index: int,
                   keys: List[int]) -> Dict[str, Any]:
    """A pg_constraint row for a primary key, unique or foreign key constraint."""
    return {"oid": oid, "conname": name, "connamespace": ns, "contype": contype,
            "condeferrable": False, "condeferred": False, "convalidated": True,
            "conrelid": rel, "contypid": 0, "conindid": index, "conparentid": 0,
            "confrelid": 0, "confupdtype": " ", "confdeltype": " ", "confmatchtype": " ",
            "conislocal": True, "coninhcount": 0, "connoinherit": True, "conkey": keys}


def build_rows(dbs: Sequence[Database], oids: OidAllocator, resolver: TypeResolver,
               types: Dict[int, TypeInfo], opclass: Dict[int, int],
               builtin_ns: Dict[str, int], eqops: Optional["EqOps"] = None
               ) -> Tuple[Dict[int, RowSet], List[str]]:
    """Rows for every registered database, keyed by ``_db`` (the database's
    OID, or SHARED_REGISTERED for shared catalogs), and warnings."""
    b = _Builder(oids, resolver, types, opclass, builtin_ns, eqops)
    for db in dbs:
        b.referenced = {(fk.ref_schema or sc.name, fk.ref_table) for sc in db.schemas.values()
                        for t in sc.tables.values() for fk in t.foreign_keys}
        db_oid = b.database(db)
        b.rowset(db_oid)
        for sc in db.schemas.values():
            ns = b.schema(db_oid, db, sc.name, sc.comment)
            for t in sc.tables.values():
                b.table(db_oid, db, ns, sc.name, t)
    return b.out, b.warnings
