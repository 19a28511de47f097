"""Client-credentials tokens for fabric, kept in Django's cache and renewed before expiry."""

import hashlib
import uuid

from django.conf import settings
from django.core.cache import cache

from contracts_ui.fabric.context import current_request_id
from contracts_ui.fabric.errors import FabricAuthError, FabricBadResponse, parse_error_body
from contracts_ui.fabric.responses import decode, error_for, reply_request_id
from contracts_ui.fabric.transport import new_deadline, send
from contracts_ui.fabric.types import FabricTenant

# A token with a short life is cached for half of it, but never for less than this.
_MIN_TOKEN_CACHE_SECONDS = 5


def _token_cache_key(tenant: FabricTenant) -> str:
    # The secret is part of the digest so a wrong or rotated secret never reuses a cached token.
    digest = hashlib.sha256(
        f"{tenant.account_id}\0{tenant.client_id}\0{tenant.client_secret}".encode()
    ).hexdigest()
    return f"fabric:token:v1:{tenant.account_id}:{digest[:32]}"


def forget_token(tenant: FabricTenant) -> None:
    """Drop the cached token, so the next call obtains a new one."""
    cache.delete(_token_cache_key(tenant))


def obtain_token(tenant: FabricTenant, *, deadline: float | None = None) -> str:
    """Ask fabric's token endpoint for a new client-credentials token and cache it.

    The call carries the console request's id when there is one, so it is traced with it.
    """
    request_id = current_request_id.get() or uuid.uuid4().hex
    response = send(
        tenant,
        "POST",
        f"{settings.FABRIC_AUTH_URL}/v1/token",
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
        _, message, _, _ = parse_error_body(response.text)
        raise FabricAuthError(
            message,
            status=response.status_code,
            request_id=reply_request_id(response, request_id),
        )
    if not 200 <= response.status_code < 300:
        raise error_for(response, request_id=reply_request_id(response, request_id), is_write=False)
    body = decode(response, request_id=request_id, is_write=False)
    try:
        token = str(body["access_token"])
        expires_in = int(body.get("expires_in") or 0)
    except (KeyError, TypeError, ValueError) as exc:
        raise FabricBadResponse(
            "fabric's token answer has no access_token", status=response.status_code
        ) from exc
    margin = settings.FABRIC_TOKEN_RENEW_MARGIN
    timeout = max(expires_in - margin, min(_MIN_TOKEN_CACHE_SECONDS, expires_in // 2))
    if timeout > 0:
        cache.set(_token_cache_key(tenant), token, timeout)
    return token


def bearer_token(tenant: FabricTenant, *, deadline: float) -> str:
    """The cached token, or a new one."""
    return cache.get(_token_cache_key(tenant)) or obtain_token(tenant, deadline=deadline)
