"""riffq: build PostgreSQL wire-compatible servers in Python.

A C core owns the sockets, TLS, the PostgreSQL protocol and the Arrow →
PostgreSQL encoding; Python code answers queries with Arrow data.

Exports:

- ``Server``: the low-level server (``on_query``, ``on_connect``,
  ``on_authentication``, ``on_disconnect``, ``start``...).
- ``BaseConnection``: subclass it to answer one client's queries.
- ``RiffqServer``: runs a ``BaseConnection`` subclass per client.
"""

from . import connection, helpers
from .connection import BaseConnection, RiffqServer
from .server import Server

try:
    from importlib.metadata import PackageNotFoundError, version as _version

    __version__ = _version("riffq")
except PackageNotFoundError:  # running from a source tree
    __version__ = "0.2.0"

__all__ = ["Server", "BaseConnection", "RiffqServer", "connection", "helpers", "__version__"]
