"""Optional handler hooks of the C core that ``riffq.Server`` and
``riffq.RiffqServer`` expose (see docs/core_api.md).

Parameter types (issue 4): a ParameterDescription's types come from the
types the client declared in Parse, else from ``$n::type`` casts in the
SQL, else from this hook, else text. The hook runs on a worker thread, only
for a Parse (or SQL ``PREPARE``) that leaves some parameter type unknown,
and at most ``parameter_types_timeout`` seconds (``set_option``; default
10) are waited for it. The types it names are also the types Bind values
are decoded by, so the query handler receives ``int``, ``Decimal``... for
them instead of ``str``.

- ``riffq.Server.on_parameter_types(fn)``: ``fn(sql, nparams)`` or
  ``fn(sql, nparams, connection_id)`` returns a list of ``nparams`` entries,
  each a type OID (``20``), a type name as a cast would spell it
  (``"int8"``, ``"bigint"``, ``"numeric"``, ``"text[]"``,
  ``"timestamp with time zone"``) or ``None`` (unknown: stays text); or
  ``None`` for no answer. An exception is logged and the types stay text.
- ``RiffqServer``: a ``BaseConnection`` subclass may define
  ``parameter_types(self, sql, nparams)`` with the same answer; RiffqServer
  registers the hook only when the connection class has that method.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable, List, Optional, Sequence, Union

from .server import adapt_handler

if TYPE_CHECKING:  # pragma: no cover
    from .connection import RiffqServer

__all__ = ["PARAMETER_TYPES_ARGS", "TypeAnswer", "on_parameter_types",
           "install_parameter_types"]

#: How the core calls the hook: ``(sql, nparams)`` plus ``connection_id=``.
PARAMETER_TYPES_ARGS = (2, ("connection_id",))

#: One entry of the hook's answer.
TypeAnswer = Optional[Union[int, str]]


def on_parameter_types(server: Any, fn: Callable[..., Optional[Sequence[TypeAnswer]]]) -> None:
    """Set ``server``'s parameter-types hook (``riffq.Server.on_parameter_types``).

    Args:
        server: a ``riffq.Server`` (or ``riffq._core.Server``).
        fn: ``fn(sql, nparams[, connection_id])`` -> list of type OIDs /
            type names / None; ``None`` (the callable) removes the hook.

    Raises:
        TypeError: ``fn`` is not callable.
    """
    from ._core import Server as _CoreServer

    hook = None if fn is None else adapt_handler(fn, *PARAMETER_TYPES_ARGS)
    _CoreServer.on_parameter_types(server, hook)


def _connection_hook(rserver: "RiffqServer") -> Callable[..., Optional[Sequence[TypeAnswer]]]:
    def parameter_types(sql: str, nparams: int,
                        connection_id: Optional[int] = None) -> Optional[Sequence[TypeAnswer]]:
        conn = rserver.get_connection(connection_id)  # type: ignore[arg-type]
        answer: Optional[List[TypeAnswer]] = conn.parameter_types(sql, nparams)  # type: ignore[attr-defined]
        return answer

    return parameter_types


def install_parameter_types(rserver: "RiffqServer") -> bool:
    """Register ``connection_cls.parameter_types`` as ``rserver``'s hook,
    when the connection class defines it. Returns whether it did."""
    if not callable(getattr(rserver.connection_cls, "parameter_types", None)):
        return False
    on_parameter_types(rserver._server, _connection_hook(rserver))
    return True
