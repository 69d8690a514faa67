"""Type stub for the C extension ``riffq._core`` (see docs/core_api.md)."""

from typing import Any, Callable, Optional, Union

class BoolCallback:
    """Answer to a connect or authentication request; call exactly once."""

    def __call__(
        self,
        result: object,
        message: Optional[str] = None,
        severity: Optional[str] = None,
        sqlstate: Optional[str] = None,
    ) -> None: ...

class QueryCallback:
    """Answer to a query; call exactly once, from any thread.

    ``result`` is an Arrow C stream PyCapsule, an object with
    ``__arrow_c_stream__``, anything ``riffq._bridge.to_stream_capsule``
    accepts, a command tag (``is_tag=True``) or an error (``is_error=True``:
    ``(severity, sqlstate, message[, detail[, hint]])``, an exception or a
    message string).
    """

    def __call__(self, result: object, *, is_tag: bool = False, is_error: bool = False) -> None: ...
    @property
    def done(self) -> bool: ...
    @property
    def conn_id(self) -> int: ...

ConnectHandler = Callable[..., Any]
AuthHandler = Callable[..., Any]
QueryHandler = Callable[..., Any]
DisconnectHandler = Callable[[int, str, int], Any]

class Server:
    """Low-level PostgreSQL wire server; ``riffq.Server`` subclasses it."""

    def __init__(self, listen_addr: str) -> None: ...
    def on_query(self, cb: QueryHandler) -> None: ...
    def on_connect(self, cb: ConnectHandler) -> None: ...
    def on_authentication(self, cb: AuthHandler) -> None: ...
    def on_disconnect(self, cb: DisconnectHandler) -> None: ...
    def handle_shutdown(self, cb: Callable[[], Any]) -> None: ...
    def on_ready(self, cb: Callable[[str, int], Any]) -> None: ...
    def on_parameter_types(self, cb: Optional[Callable[..., Any]]) -> None: ...
    def set_tls(self, crt_path: str, key_path: str) -> None: ...
    def set_option(self, name: str, value: Union[str, int, float]) -> None: ...
    def start(
        self,
        tls: bool = False,
        catalog_emulation: bool = False,
        server_version: Optional[str] = None,
    ) -> None: ...
    def stop(self) -> None: ...
    @property
    def port(self) -> int: ...
    @property
    def running(self) -> bool: ...
    @property
    def catalog_emulation(self) -> bool: ...

__version__: str
