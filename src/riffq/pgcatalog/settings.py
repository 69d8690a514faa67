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

import re
from dataclasses import dataclass
from typing import Dict, Iterable, List, Mapping, Optional, Sequence, Tuple

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
    unit: str = ""            # pg_settings.unit: the base unit of a number ("kB", "ms"...)
    min_val: Optional[float] = None
    max_val: Optional[float] = None


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
            d = defs.get(k.lower())
            if d is not None and d.unit:  # ALTER DATABASE ... SET work_mem = '64MB'
                try:
                    v = _normalize(d, v)
                except SettingError:
                    pass
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
        return self._shown(key)

    def _shown(self, key: str) -> str:
        """A value as SHOW prints it: numbers with a unit in the largest unit
        that holds them exactly (work_mem 4096 kB is "4MB")."""
        d = self._defs.get(key)
        value = self._values[key]
        return _show_number(d, value) if d is not None and d.unit else value

    def millis(self, name: str) -> int:
        """A time parameter's value in milliseconds (statement_timeout); 0
        when unset or not a time."""
        d = self._defs.get(name.lower())
        value = self._values.get(name.lower(), "")
        try:
            n = float(value)
        except ValueError:
            return 0
        scale = {"ms": 1, "s": 1000, "min": 60000}.get(d.unit if d else "ms", 0)
        return int(n * scale)

    def display_name(self, name: str) -> str:
        """The column name PostgreSQL gives ``SHOW name``."""
        d = self._defs.get(name.lower())
        return d.name if d else name.lower()

    def items(self) -> List[Tuple[str, str, str]]:
        """(name, setting, description) of every parameter, for SHOW ALL."""
        out = []
        for key in sorted(self._values, key=lambda k: self.display_name(k).lower()):
            d = self._defs.get(key)
            out.append((d.name if d else key, self._shown(key), d.description if d else ""))
        return out

    def as_map(self) -> Dict[str, str]:
        """Lower-case name -> value as SHOW prints it (what catalog SQL sees
        via current_setting)."""
        return {key: self._shown(key) for key in self._values}

    def base_map(self) -> Dict[str, str]:
        """Lower-case name -> value in its base unit, for the parameters
        with a unit (pg_settings.setting: work_mem "4096", unit "kB")."""
        return {key: v for key, v in self._values.items()
                if (d := self._defs.get(key)) is not None and d.unit}

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

    def preview(self, changes: Sequence[Tuple[str, Optional[str]]]) -> List[str]:
        """What SHOW would print after each ``set(name, value)`` of
        ``changes`` in turn (set_config()'s results), leaving the session
        as it was.

        Raises:
            SettingError: as set() does, for the first change it refuses.
        """
        saved = dict(self._values)
        try:
            return [self._shown(self.set(name, value)[0]) for name, value in changes]
        finally:
            self._values = saved

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


# Units PostgreSQL accepts and shows for numbers (guc.c's conversion tables),
# as sizes in bytes / durations in microseconds, largest first.
_MEMORY_UNITS = (("TB", 1024.0 ** 4), ("GB", 1024.0 ** 3), ("MB", 1024.0 ** 2),
                 ("kB", 1024.0), ("B", 1.0))
_TIME_UNITS = (("d", 86400e6), ("h", 3600e6), ("min", 60e6), ("s", 1e6), ("ms", 1e3),
               ("us", 1.0))
# pg_settings.unit -> (its table, its size); "8kB" is a block (BLCKSZ 8192)
_BASE_UNITS = {"B": (_MEMORY_UNITS, 1.0), "kB": (_MEMORY_UNITS, 1024.0),
               "MB": (_MEMORY_UNITS, 1024.0 ** 2), "8kB": (_MEMORY_UNITS, 8192.0),
               "ms": (_TIME_UNITS, 1e3), "s": (_TIME_UNITS, 1e6), "min": (_TIME_UNITS, 60e6)}


def _conversions(base: str) -> List[Tuple[str, float]]:
    """(unit, how many base units it is), largest first, for a base unit."""
    table, size = _BASE_UNITS[base]
    return [(u, n / size) for u, n in table]


_NUMBER = re.compile(r"\s*([+-]?(?:0[xX][0-9a-fA-F]+|(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?))"
                     r"\s*(\S*)\s*$")


def _parse_number(d: GucDef, v: str) -> Optional[float]:
    """``v`` (a number, optionally followed by a unit) in ``d``'s base unit,
    as PostgreSQL's parse_int / parse_real read it (integers also in hex or
    octal; rounded after the unit's conversion); None when it is not one."""
    m = _NUMBER.match(v)
    if m is None:
        return None
    number, unit = m.groups()
    digits = number.lstrip("+-")
    try:
        if digits[:2] in ("0x", "0X"):
            value = float(int(number, 16))
        elif d.vartype == "integer" and digits.isdigit() and len(digits) > 1 and digits[0] == "0":
            value = float(int(number, 8))  # strtol's base 0
        else:
            value = float(number)
    except ValueError:
        return None
    if unit:
        if d.unit not in _BASE_UNITS:
            return None
        table = _conversions(d.unit)
        for i, (name, mult) in enumerate(table):
            if name == unit:
                value *= mult
                if i + 1 < len(table):  # "30.1GB": to a whole next-smaller unit
                    smaller = table[i + 1][1]
                    value = round(value / smaller) * smaller
                break
        else:
            return None
    return float(round(value)) if d.vartype == "integer" else value


def _normalize_number(d: GucDef, v: str) -> str:
    value = _parse_number(d, v)
    if value is None:
        raise SettingError("22023", f'invalid value for parameter "{d.name}": "{v}"')
    shown = str(int(value)) if d.vartype == "integer" else f"{value:g}"
    if (d.min_val is not None and value < d.min_val) or \
            (d.max_val is not None and value > d.max_val):
        unit = f" {d.unit}" if d.unit else ""
        lo, hi = (_number_text(d, x) for x in (d.min_val, d.max_val))
        raise SettingError("22023", f"{shown}{unit} is outside the valid range for parameter"
                                    f' "{d.name}" ({lo} .. {hi})')
    return shown


def _number_text(d: GucDef, x: Optional[float]) -> str:
    if x is None:
        return ""
    return str(int(x)) if d.vartype == "integer" else f"{x:g}"


def _show_number(d: GucDef, value: str) -> str:
    """SHOW's text of a number in its base unit: in the largest unit that
    holds it exactly (guc.c's convert_int/real_from_base_unit); zero and
    negative values without a unit."""
    try:
        base = float(value)
    except ValueError:
        return value
    if base <= 0 or d.unit not in _BASE_UNITS:
        return value
    table = _conversions(d.unit)
    if d.vartype == "integer":
        n = int(base)
        for name, mult in table:
            if mult <= 1.0 or n % int(mult) == 0:
                return f"{round(n / mult)}{name}"
        return value
    shown, unit = base, d.unit
    for name, mult in table:
        shown, unit = base / mult, name
        if abs(round(shown) / shown - 1.0) <= 1e-8:
            break
    return f"{shown:g}{unit}"


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
                                   str(r.get("short_desc") or ""), str(r.get("unit") or ""),
                                   _float_or_none(r.get("min_val")),
                                   _float_or_none(r.get("max_val")))
    return out


def _float_or_none(v: object) -> Optional[float]:
    try:
        return None if v is None else float(str(v))
    except ValueError:
        return None
