"""riffq: build PostgreSQL wire-compatible servers in Python.

A C core owns the sockets, TLS, the PostgreSQL protocol and the Arrow →
PostgreSQL encoding; Python code answers queries with Arrow data.

Exports:

- ``Server``: the low-level server (``on_query``, ``on_connect``,
  ``on_authentication``, ``on_disconnect``, ``start``...).
- ``BaseConnection``: subclass it to answer one client's queries.
- ``RiffqServer``: runs a ``BaseConnection`` subclass per client.
- ``Interval``: how an ``interval`` query parameter with months arrives
  (one without months arrives as ``datetime.timedelta``).
"""

from typing import NamedTuple

from . import connection, helpers
from .connection import BaseConnection, RiffqServer
from .server import Server

try:
    from importlib.metadata import PackageNotFoundError, version as _version

    __version__ = _version("riffq")
except PackageNotFoundError:  # running from a source tree
    __version__ = "0.2.0"



class Interval(NamedTuple):
    """A PostgreSQL ``interval`` parameter that has a months part, which no
    ``timedelta`` can express: PostgreSQL keeps months, days and
    microseconds apart (a month is not a fixed number of days)."""

    months: int
    days: int
    microseconds: int


__all__ = ["Server", "BaseConnection", "RiffqServer", "Interval", "connection", "helpers",
           "__version__"]
