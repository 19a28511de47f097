"""fabric_request: headers, retries and token renewal around one logical call to fabric.

This is where fabric URLs are built. Reads (GET) are retried on transient failures within the
deadline; writes are sent once, because a repeated write could apply twice. A per-account circuit
breaker (breaker.py) refuses calls at once after repeated failures.
"""

import hashlib
import json as jsonlib
import random
import time
import urllib.parse
import uuid
from collections.abc import Callable, Mapping
from datetime import date, datetime
from typing import Any

import requests
from django.conf import settings

from contracts_ui.fabric import breaker, pacing
from contracts_ui.fabric.context import current_request_id, walk_stopped
from contracts_ui.fabric.errors import FabricUnavailable
from contracts_ui.fabric.responses import result, retry_after
from contracts_ui.fabric.tokens import bearer_token, forget_token, obtain_token
from contracts_ui.fabric.transport import BearerAuth, new_deadline, send
from contracts_ui.fabric.types import FabricTenant
from contracts_ui.fabric.values import format_datetime

__all__ = [
    "api_base_url",
    "fabric_request",
    "forget_token",
    "lookup_cache_key",
    "obtain_token",
    "quote_segment",
]

SERVICES = ("data-customer", "api-offers")
_SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
_RETRYABLE_STATUSES = frozenset({429, 502, 503, 504})
_BACKOFF_BASE = 0.1
_BACKOFF_CAP = 2.0
# A retry is pointless unless some of the budget is left for the attempt itself.
_MIN_ATTEMPT_SECONDS = 0.05


def quote_segment(value: str | int) -> str:
    """One URL path segment, percent-encoded; a segment of dots is encoded so it stays a name."""
    text = str(value)
    if not text:
        raise ValueError("a fabric id in a path must not be empty")
    if set(text) == {"."}:
        return text.replace(".", "%2E")
    return urllib.parse.quote(text, safe="")


def api_base_url(tenant: FabricTenant) -> str:
    """The tenant's API host, else the environment's."""
    return (tenant.base_url or settings.FABRIC_BASE_URL).rstrip("/")


def lookup_cache_key(kind: str, tenant: FabricTenant, record_id: str | int) -> str:
    """A cache key for a looked-up record; ids come from URLs, so they are hashed, not embedded."""
    scope = f"{api_base_url(tenant)}\0{tenant.site_context()}\0{record_id}"
    digest = hashlib.sha256(scope.encode()).hexdigest()
    return f"fabric:{kind}:v1:{tenant.account_id}:{digest[:32]}"


def fabric_request(
    tenant: FabricTenant,
    method: str,
    path: str,
    *,
    params: Mapping[str, Any] | None = None,
    json: Any = None,
    request_id: str | None = None,
    service: str = "data-customer",
    parse: Callable[[Any], Any] | None = None,
) -> Any:
    """Call fabric and return its JSON (passed through `parse` when given), or raise FabricError."""
    if service not in SERVICES:
        raise ValueError(f"unknown fabric service {service!r}")
    method = method.upper()
    url = f"{api_base_url(tenant)}/{service}{path}"
    request_id = request_id or current_request_id.get() or uuid.uuid4().hex
    is_write = method not in _SAFE_METHODS
    retries_left = 0 if is_write else settings.FABRIC_MAX_RETRIES
    deadline = new_deadline()
    headers = {
        "Accept": "application/json",
        "x-site-context": tenant.site_context(),
        "x-request-id": request_id,
    }
    body = None
    if json is not None:
        headers["Content-Type"] = "application/json"
        body = jsonlib.dumps(json, default=_json_default).encode()
    # Refused at once while this account's breaker is open; every outcome is counted there.
    with breaker.guard(tenant.account_id, request_id=request_id):
        renewed = False
        attempt = 0
        while True:
            attempt += 1
            try:
                response = send(
                    tenant,
                    method,
                    url,
                    path,
                    request_id=request_id,
                    attempt=attempt,
                    deadline=deadline,
                    is_write=is_write,
                    auth=BearerAuth(bearer_token(tenant, deadline=deadline)),
                    params=params,
                    data=body,
                    headers=headers,
                )
            except FabricUnavailable:
                delay = _backoff(attempt)
                if retries_left > 0 and _fits(deadline, delay) and not _walk_over():
                    retries_left -= 1
                    time.sleep(delay)
                    continue
                raise
            if response.status_code == 401 and not renewed:
                # fabric refused before acting, so even a write may be sent again with a new token.
                renewed = True
                forget_token(tenant)
                continue
            if response.status_code in _RETRYABLE_STATUSES:
                delay = _retry_delay(response, attempt)
                if response.status_code == 429:
                    # The account's walks of many pages slow down too, not only this call.
                    pacing.rate_limited(tenant.account_id, delay)
                if retries_left > 0 and _fits(deadline, delay) and not _walk_over():
                    retries_left -= 1
                    time.sleep(delay)
                    continue
            return result(response, request_id=request_id, is_write=is_write, parse=parse)


def _json_default(value: Any) -> str:
    if isinstance(value, datetime):
        return format_datetime(value) or ""
    if isinstance(value, date):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} is not JSON serializable")


def _fits(deadline: float, delay: float) -> bool:
    return time.monotonic() + delay + _MIN_ATTEMPT_SECONDS < deadline


def _walk_over() -> bool:
    """True when this call is a page of a walk that has ended: nobody waits for a retry."""
    stopped = walk_stopped.get()
    return stopped is not None and stopped.is_set()


def _backoff(attempt: int) -> float:
    """Exponential backoff with full jitter, so many clients do not retry in step."""
    cap = min(_BACKOFF_CAP, _BACKOFF_BASE * 2 ** (attempt - 1))
    return random.uniform(0, cap)  # noqa: S311 - jitter, not a secret


def _retry_delay(response: requests.Response, attempt: int) -> float:
    """fabric's Retry-After (capped by FABRIC_RETRY_AFTER_CAP) when given, else the backoff."""
    seconds = retry_after(response)
    if seconds is None:
        return _backoff(attempt)
    return min(seconds, settings.FABRIC_RETRY_AFTER_CAP)
