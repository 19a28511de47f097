"""Turning fabric's HTTP answers into parsed JSON or the matching FabricError."""

import email.utils
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import orjson
import requests

from contracts_ui.fabric.errors import (
    FabricAuthError,
    FabricBadResponse,
    FabricBlocked,
    FabricConflict,
    FabricError,
    FabricNotFound,
    FabricPermissionDenied,
    FabricRateLimited,
    FabricUnavailable,
    FabricValidationError,
    looks_like_html,
    parse_error_body,
)


def retry_after(response: requests.Response) -> float | None:
    """Retry-After as seconds, from either delta-seconds or an HTTP date."""
    value = response.headers.get("Retry-After", "").strip()
    if not value:
        return None
    try:
        return max(float(value), 0.0)
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max((when - datetime.now(UTC)).total_seconds(), 0.0)


def reply_request_id(response: requests.Response, sent: str | None = None) -> str | None:
    """The request id fabric answered with, else the one we sent."""
    return response.headers.get("x-request-id") or sent


def decode(response: requests.Response, *, request_id: str | None, is_write: bool) -> Any:
    """The JSON body of a 2xx response (None when empty)."""
    if not response.content:
        return None
    try:
        # orjson parses a 50-contract page in a fraction of the stdlib's time. What it refuses
        # (a lone surrogate escape, NaN, another encoding) goes on to the stdlib's parser,
        # which decides as before.
        return orjson.loads(response.content)
    except orjson.JSONDecodeError:
        pass
    try:
        return response.json()
    except ValueError as exc:
        raise FabricBadResponse(
            "fabric answered with a body that is not JSON",
            status=response.status_code,
            request_id=reply_request_id(response, request_id),
            outcome_unknown=is_write,
        ) from exc


def result(
    response: requests.Response,
    *,
    request_id: str,
    is_write: bool,
    parse: Callable[[Any], Any] | None,
) -> Any:
    """The parsed body of a 2xx response; any other status raised as its FabricError."""
    status = response.status_code
    reply_id = reply_request_id(response, request_id)
    if not 200 <= status < 300:
        raise error_for(response, request_id=reply_id, is_write=is_write)
    # A write that succeeded but cannot be read back has an unknown outcome for the console.
    body = decode(response, request_id=reply_id, is_write=is_write)
    if parse is None:
        return body
    try:
        return parse(body)
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise FabricBadResponse(
            f"fabric's answer has an unexpected shape: {type(exc).__name__}: {exc}"[:300],
            status=status,
            request_id=reply_id,
            outcome_unknown=is_write,
        ) from exc


def error_for(
    response: requests.Response, *, request_id: str | None, is_write: bool
) -> FabricError:
    """The FabricError for a non-2xx answer, with fabric's code, message and field errors."""
    status = response.status_code
    code, message, field_errors, non_field_errors = parse_error_body(response.text)
    common = {"status": status, "code": code, "request_id": request_id}
    if status in (401, 403) and looks_like_html(
        response.text, response.headers.get("Content-Type", "")
    ):
        return FabricBlocked(message, **common)
    if status in (400, 422):
        return FabricValidationError(
            message, field_errors=field_errors, non_field_errors=non_field_errors, **common
        )
    if status == 401:
        return FabricAuthError(message, **common)
    if status == 403:
        return FabricPermissionDenied(message, **common)
    if status == 404:
        return FabricNotFound(message, **common)
    if status == 409:
        return FabricConflict(message, **common)
    if status == 429:
        return FabricRateLimited(message, retry_after=retry_after(response), **common)
    if status >= 500:
        # A gateway error after a write was sent does not say whether fabric applied it.
        unknown = is_write and status in (502, 504)
        return FabricUnavailable(message, outcome_unknown=unknown, **common)
    return FabricError(message, **common)
