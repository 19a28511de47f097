"""Client-credentials tokens for fabric, kept in Django's cache and renewed before expiry.

Each account may have its own token endpoint (fabric gives every merchant one), so tokens are
cached per token URL and credentials.
"""

import hashlib
import uuid

from django.conf import settings
from django.core.cache import cache

from contracts_ui.cache import near
from contracts_ui.fabric.context import current_request_id
from contracts_ui.fabric.errors import (
    FabricAuthError,
    FabricBadResponse,
    FabricBlocked,
    looks_like_html,
    parse_error_body,
)
from contracts_ui.fabric.responses import decode, error_for, reply_request_id
from contracts_ui.fabric.transport import new_deadline, send
from contracts_ui.fabric.types import FabricTenant

# A token with a short life is cached for half of it, but never for less than this.
_MIN_TOKEN_CACHE_SECONDS = 5
# fabric's documented default lifetime (REFERENCE.md §7), assumed when an answer omits it.
DEFAULT_TOKEN_SECONDS = 600
# A process may reuse the token it last read for a few seconds: it is renewed well before expiry
# (FABRIC_TOKEN_RENEW_MARGIN), and a revoked one meets a 401, which forgets it here too.
near("fabric:token:", 5)


def token_url(tenant: FabricTenant) -> str:
    """The tenant's token endpoint, else the one under the environment's FABRIC_AUTH_URL."""
    return tenant.token_url or f"{settings.FABRIC_AUTH_URL}/v1/token"


def _token_cache_key(tenant: FabricTenant) -> str:
    # The secret is part of the digest so a wrong or rotated secret never reuses a cached token.
    scope = f"{token_url(tenant)}\0{tenant.account_id}\0{tenant.client_id}\0{tenant.client_secret}"
    digest = hashlib.sha256(scope.encode()).hexdigest()
    return f"fabric:token:v2:{tenant.account_id}:{digest[:32]}"


def forget_token(tenant: FabricTenant) -> None:
    """Drop the cached token, so the next call obtains a new one."""
    cache.delete(_token_cache_key(tenant))


def _lifetime(body: dict) -> int:
    """`expires_in` in seconds; absent or unreadable means fabric's default lifetime."""
    try:
        seconds = int(body.get("expires_in"))
    except (TypeError, ValueError):
        return DEFAULT_TOKEN_SECONDS
    return seconds if seconds > 0 else DEFAULT_TOKEN_SECONDS


def obtain_token(tenant: FabricTenant, *, deadline: float | None = None) -> str:
    """Ask the tenant's token endpoint for a new client-credentials token and cache it.

    The call carries the console request's id when there is one, so it is traced with it.
    """
    request_id = current_request_id.get() or uuid.uuid4().hex
    response = send(
        tenant,
        "POST",
        token_url(tenant),
        "/v1/token",
        request_id=request_id,
        attempt=1,
        deadline=new_deadline() if deadline is None else deadline,
        is_write=False,
        auth=(tenant.client_id, tenant.client_secret),
        data={"grant_type": "client_credentials", "scope": "s2s"},
        headers={"Accept": "application/json", "x-request-id": request_id},
    )
    if response.status_code in (400, 401, 403):
        code, message, _, _ = parse_error_body(response.text)
        reply_id = reply_request_id(response, request_id)
        if looks_like_html(response.text, response.headers.get("Content-Type", "")):
            raise FabricBlocked(message, status=response.status_code, request_id=reply_id)
        raise FabricAuthError(message, status=response.status_code, code=code, request_id=reply_id)
    if not 200 <= response.status_code < 300:
        raise error_for(response, request_id=reply_request_id(response, request_id), is_write=False)
    body = decode(response, request_id=request_id, is_write=False)
    try:
        token = str(body["access_token"])
    except (KeyError, TypeError) as exc:
        raise FabricBadResponse(
            "fabric's token answer has no access_token", status=response.status_code
        ) from exc
    expires_in = _lifetime(body)
    margin = settings.FABRIC_TOKEN_RENEW_MARGIN
    timeout = max(expires_in - margin, min(_MIN_TOKEN_CACHE_SECONDS, expires_in // 2))
    if timeout > 0:
        cache.set(_token_cache_key(tenant), token, timeout)
    return token


def bearer_token(tenant: FabricTenant, *, deadline: float) -> str:
    """The cached token, or a new one."""
    return cache.get(_token_cache_key(tenant)) or obtain_token(tenant, deadline=deadline)
