"""One HTTP attempt to fabric: this thread's pooled session, the deadline, and a log line.
Its connections tell a read started ahead (ahead.py) when the request is written.

Transport failures come back as FabricUnavailable, marked `outcome_unknown` when a write may
have reached fabric before the failure.
"""

import functools
import logging
import os
import threading
import time
import urllib.parse
from typing import Any

import requests
from django.conf import settings
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool
from urllib3.exceptions import NewConnectionError

from contracts_ui.fabric.context import request_written
from contracts_ui.fabric.errors import FabricTimeout, FabricUnavailable
from contracts_ui.fabric.types import FabricTenant

logger = logging.getLogger("contracts_ui.fabric")

_local = threading.local()


class BearerAuth(requests.auth.AuthBase):
    """Sets the bearer token; as an auth object it also stops requests reading ~/.netrc."""

    def __init__(self, token: str) -> None:
        self.token = token

    def __call__(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
        request.headers["Authorization"] = f"Bearer {self.token}"
        return request


def _say_written() -> None:
    """Let the thread that started this read ahead (ahead.py) go on: the request is written."""
    written = request_written.get()
    if written is not None:
        written.set()


# The request is written when its connection starts waiting for the answer. Told any earlier (as
# the call is prepared), the starting thread woke while this one still had requests' and
# urllib3's Python to run, and each held the other back for the GIL: the request left 0.7 ms
# later and the read ahead bought nothing.
class _SaysWritten:
    def getresponse(self, *args: Any, **kwargs: Any) -> Any:
        _say_written()
        return super().getresponse(*args, **kwargs)


class _SignallingHTTPConnection(_SaysWritten, HTTPConnection):
    pass


class _SignallingHTTPSConnection(_SaysWritten, HTTPSConnection):
    pass


class _SignallingHTTPPool(HTTPConnectionPool):
    ConnectionCls = _SignallingHTTPConnection


class _SignallingHTTPSPool(HTTPSConnectionPool):
    ConnectionCls = _SignallingHTTPSConnection


_SIGNALLING_POOLS = {"http": _SignallingHTTPPool, "https": _SignallingHTTPSPool}


class _SignallingAdapter(HTTPAdapter):
    """requests' adapter, its connections (direct or through an HTTP proxy) telling a read
    started ahead when its request is written. Through a SOCKS proxy, whose pools are its own,
    the starting thread goes on when the read ends or after ahead.py's wait, whichever is first."""

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = _SIGNALLING_POOLS

    def proxy_manager_for(self, proxy: str, **proxy_kwargs: Any) -> Any:
        manager = super().proxy_manager_for(proxy, **proxy_kwargs)
        if not proxy.lower().startswith("socks"):
            manager.pool_classes_by_scheme = _SIGNALLING_POOLS
        return manager


def new_deadline() -> float:
    """The monotonic time by which a whole call, retries included, must be over."""
    return time.monotonic() + settings.FABRIC_DEADLINE


def session() -> requests.Session:
    """This thread's session, with a connection pool of FABRIC_POOL_SIZE and no hidden retries."""
    pool_size = settings.FABRIC_POOL_SIZE
    current = getattr(_local, "session", None)
    if current is None or _local.pool_size != pool_size:
        if current is not None:
            current.close()
        current = requests.Session()
        # requests would read the environment's proxies (and stat ~/.netrc) on every call, a
        # tenth of a millisecond each time: the environment is read once instead (_proxies).
        current.trust_env = False
        current.verify = (
            os.environ.get("REQUESTS_CA_BUNDLE") or os.environ.get("CURL_CA_BUNDLE") or True
        )
        adapter = _SignallingAdapter(
            pool_connections=pool_size, pool_maxsize=pool_size, max_retries=0
        )
        current.mount("https://", adapter)
        current.mount("http://", adapter)
        _local.session, _local.pool_size = current, pool_size
    return current


def send(
    tenant: FabricTenant,
    method: str,
    url: str,
    path: str,
    *,
    request_id: str,
    attempt: int,
    deadline: float,
    is_write: bool,
    **kwargs: Any,
) -> requests.Response:
    """Send one request, its timeouts cut to what is left before `deadline`, and log it."""
    remaining = deadline - time.monotonic()
    if remaining <= 0:
        raise FabricTimeout("fabric deadline exceeded", request_id=request_id)
    timeout = (
        min(settings.FABRIC_CONNECT_TIMEOUT, remaining),
        min(settings.FABRIC_READ_TIMEOUT, remaining),
    )
    started = time.monotonic()
    outcome: str | int = "?"
    try:
        response = session().request(
            method, url, timeout=timeout, proxies=_proxies(_origin(url)), **kwargs
        )
        outcome = response.status_code
        return response
    except requests.RequestException as exc:
        outcome = type(exc).__name__
        unavailable = FabricTimeout if isinstance(exc, requests.Timeout) else FabricUnavailable
        raise unavailable(
            f"{outcome} calling fabric {method} {path}",
            request_id=request_id,
            outcome_unknown=is_write and _may_have_been_sent(exc),
        ) from exc
    finally:
        duration_ms = round((time.monotonic() - started) * 1000)
        logger.info(
            "fabric %s %s -> %s in %d ms (request %s, account %s, attempt %d)",
            method,
            path,
            outcome,
            duration_ms,
            request_id,
            tenant.account_id,
            attempt,
            extra={
                "fabric_method": method,
                "fabric_path": path,
                "fabric_status": outcome,
                "duration_ms": duration_ms,
                "request_id": request_id,
                "account_id": tenant.account_id,
                "attempt": attempt,
            },
        )


def _origin(url: str) -> str:
    parts = urllib.parse.urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


@functools.cache
def _proxies(origin: str) -> dict[str, str]:
    """The environment's proxies (HTTPS_PROXY, NO_PROXY...) for fabric's origin, read once."""
    return requests.utils.get_environ_proxies(origin)


def _may_have_been_sent(exc: requests.RequestException) -> bool:
    """False only when the connection itself could not be made, so nothing reached fabric."""
    if isinstance(exc, requests.ConnectTimeout):
        return False
    if isinstance(exc, requests.ConnectionError):
        reason = exc.args[0] if exc.args else None
        # Connection refused or name not resolved: urllib3 wraps it in MaxRetryError.reason.
        reason = getattr(reason, "reason", reason)
        return not isinstance(reason, NewConnectionError)
    return True
