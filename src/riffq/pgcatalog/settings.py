"""Per-connection configuration parameters (GUCs): SET, SHOW, RESET.

PostgreSQL keeps one value per parameter and session; ``Settings`` does the
same for catalog emulation, seeded from PostgreSQL 15's ``pg_settings`` (the
generated data) with the session's own startup values on top (user, database,
application_name, TimeZone, server_version).

Rules followed from PostgreSQL:

- names are case-insensitive; SHOW's column is named like the parameter;
- unknown names are an error (42704 unrecognized configuration parameter)
  unless they contain a dot (custom placeholder variables);
- read-only and server-level parameters refuse SET (55P02);
- booleans are stored as ``on``/``off``, enums in lower case, lists joined
  with ``", "``;
- the reported parameters (GUC_REPORT) send ParameterStatus when they
  change (``REPORTED``).

What riffq cannot honour is refused rather than silently ignored:
``DateStyle`` other than ISO, ``IntervalStyle`` other than postgres and
``client_encoding`` other than UTF8/SQL_ASCII (0A000), because the encoder
writes ISO dates, postgres intervals and UTF-8 text.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Dict, Iterable, List, Mapping, Optional, Tuple

__all__ = ["Settings", "GucDef", "SettingError", "REPORTED"]

#: Parameters whose changes reach the client as ParameterStatus (PostgreSQL 15).
REPORTED = frozenset({
    "application_name", "client_encoding", "datestyle", "default_transaction_read_only",
    "in_hot_standby", "integer_datetimes", "intervalstyle", "is_superuser",
    "server_encoding", "server_version", "session_authorization",
    "standard_conforming_strings", "timezone",
})

_TRUE = {"on", "true", "yes", "1", "t", "y"}
_FALSE = {"off", "false", "no", "0", "f", "n"}


class SettingError(Exception):
    """A SET/SHOW/RESET PostgreSQL refuses; carries the SQLSTATE."""

    def __init__(self, sqlstate: str, message: str) -> None:
        super().__init__(message)
        self.sqlstate = sqlstate
        self.message = message


@dataclass(frozen=True)
class GucDef:
    """One parameter as pg_settings describes it."""

    name: str                 # canonical spelling, e.g. "TimeZone"
    default: str
    vartype: str = "string"   # bool, integer, real, string, enum
    context: str = "user"     # internal, postmaster, sighup, superuser, user...
    enumvals: Tuple[str, ...] = ()
    description: str = ""


# Who may change what during a session (PostgreSQL refuses the rest).
_SETTABLE_CONTEXTS = frozenset({"user", "superuser", "backend", "superuser-backend"})


class Settings:
    """The parameters of one session.

    Args:
        defs: every known parameter (from pg_settings).
        overrides: session start values, by case-insensitive name.
    """

    def __init__(self, defs: Mapping[str, GucDef], overrides: Mapping[str, str]) -> None:
        self._defs = defs
        self._values: Dict[str, str] = {k: d.default for k, d in defs.items()}
        for k, v in overrides.items():
            self._values[k.lower()] = v
        self._session_defaults = dict(self._values)

    # ---- reading ----
    def get(self, name: str) -> str:
        """Current value (``SHOW name``).

        Raises:
            SettingError: 42704 for an unknown parameter.
        """
        key = name.lower()
        if key not in self._values:
            raise SettingError("42704", f'unrecognized configuration parameter "{name}"')
        return self._values[key]

    def display_name(self, name: str) -> str:
        """The column name PostgreSQL gives ``SHOW name``."""
        d = self._defs.get(name.lower())
        return d.name if d else name.lower()

    def items(self) -> List[Tuple[str, str, str]]:
        """(name, setting, description) of every parameter, for SHOW ALL."""
        out = []
        for key in sorted(self._values, key=lambda k: self.display_name(k).lower()):
            d = self._defs.get(key)
            out.append((d.name if d else key, self._values[key], d.description if d else ""))
        return out

    def as_map(self) -> Dict[str, str]:
        """Lower-case name -> value (what catalog SQL sees via current_setting)."""
        return dict(self._values)

    # ---- changing ----
    def set(self, name: str, value: Optional[str]) -> Tuple[str, str]:
        """``SET name = value`` (None: ``SET name TO DEFAULT``).

        Returns: (lower-case name, new value).
        Raises:
            SettingError: unknown / read-only parameter, invalid value.
        """
        key = name.lower()
        d = self._defs.get(key)
        if d is None and "." not in key:
            raise SettingError("42704", f'unrecognized configuration parameter "{name}"')
        if d is not None and d.context not in _SETTABLE_CONTEXTS:
            raise SettingError("55P02", _readonly_message(d))
        if value is None:
            new = self._session_defaults.get(key, d.default if d else "")
        else:
            new = _normalize(d, value) if d is not None else value
        self._values[key] = new
        return key, new

    def adopt(self, key: str, value: str) -> None:
        """Keep ``value`` for lower-case ``key`` as the server spelled it
        (TimeZone 'utc' is reported as "UTC")."""
        self._values[key] = value

    def reset(self, name: str) -> Tuple[str, str]:
        """``RESET name``: back to the session's start value."""
        return self.set(name, None)

    def reset_all(self) -> List[Tuple[str, str]]:
        """``RESET ALL``: every settable parameter back to its start value;
        returns the (name, value) pairs that changed."""
        changed = []
        for key, start in self._session_defaults.items():
            d = self._defs.get(key)
            if d is not None and d.context not in _SETTABLE_CONTEXTS:
                continue
            if self._values.get(key) != start:
                self._values[key] = start
                changed.append((key, start))
        return changed


def _readonly_message(d: GucDef) -> str:
    if d.context == "postmaster":
        return f'parameter "{d.name}" cannot be changed without restarting the server'
    if d.context == "internal":
        return f'parameter "{d.name}" cannot be changed'
    return f'parameter "{d.name}" cannot be changed now'


def _normalize(d: GucDef, value: str) -> str:
    """The text PostgreSQL stores for ``value`` (refusing what riffq can't do)."""
    v = value.strip() if d.vartype != "string" else value
    low = v.lower()
    if d.vartype == "bool":
        if low in _TRUE:
            return "on"
        if low in _FALSE:
            return "off"
        raise SettingError("22023", f'parameter "{d.name}" requires a Boolean value')
    if d.vartype == "enum" and d.enumvals:
        if low not in {e.lower() for e in d.enumvals}:
            raise SettingError("22023", f'invalid value for parameter "{d.name}": "{value}"')
        return low
    if d.vartype in ("integer", "real"):
        return _normalize_number(d, v)
    return _normalize_special(d, value)


def _normalize_number(d: GucDef, v: str) -> str:
    body = v
    for unit in ("ms", "s", "min", "h", "d", "kB", "MB", "GB", "TB", "B", "us"):
        if body.endswith(unit):
            body = body[: -len(unit)].strip()
            break
    try:
        float(body)
    except ValueError:
        kind = "an integer" if d.vartype == "integer" else "a numeric"
        raise SettingError("22023", f'invalid value for parameter "{d.name}": "{v}"'
                           if body else f'parameter "{d.name}" requires {kind} value') from None
    return v


def _normalize_special(d: GucDef, value: str) -> str:
    key = d.name.lower()
    low = value.strip().lower()
    if key == "datestyle":
        parts = [p.strip() for p in low.replace(" ", ",").split(",") if p.strip()]
        order = next((p.upper() for p in parts if p in ("mdy", "dmy", "ymd", "us", "euro",
                                                        "european", "noneuropean")), "MDY")
        order = {"US": "MDY", "NONEUROPEAN": "MDY", "EURO": "DMY", "EUROPEAN": "DMY"}.get(order, order)
        styles = [p for p in parts if p in ("iso", "sql", "postgres", "german")]
        if styles and styles[-1] != "iso":
            raise SettingError("0A000", f'riffq supports only DateStyle ISO, not "{value}"')
        return f"ISO, {order}"
    if key == "intervalstyle" and low != "postgres":
        raise SettingError("0A000", f'riffq supports only IntervalStyle postgres, not "{value}"')
    if key == "client_encoding":
        if low.replace("-", "").replace("_", "") in ("utf8", "unicode"):
            return "UTF8"
        if low == "sql_ascii":
            return "SQL_ASCII"
        raise SettingError("0A000", f'riffq supports only client_encoding UTF8, not "{value}"')
    return value


def defs_from_rows(rows: Iterable[Mapping[str, object]]) -> Dict[str, GucDef]:
    """GucDefs from pg_settings rows (name, setting, vartype, context, enumvals, short_desc)."""
    out: Dict[str, GucDef] = {}
    for r in rows:
        name = str(r["name"])
        ev = r.get("enumvals") or ()
        out[name.lower()] = GucDef(name, "" if r.get("setting") is None else str(r["setting"]),
                                   str(r.get("vartype") or "string"),
                                   str(r.get("context") or "user"),
                                   tuple(str(e) for e in ev) if isinstance(ev, (list, tuple)) else (),
                                   str(r.get("short_desc") or ""))
    return out
