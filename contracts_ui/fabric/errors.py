"""What can go wrong when talking to fabric, as a few exceptions a view can catch and show."""

import json
import math
from typing import Any

# Error bodies can be long HTML pages from a proxy; a message keeps only the start.
_MAX_MESSAGE_CHARS = 300


class FabricError(Exception):
    """fabric did not do what was asked; `user_message` is safe to show, `message` is for logs."""

    default_user_message = "fabric could not complete the request."
    # Lets a page offer where else to look (soft-deleted records) only when fabric said "no such".
    not_found = False

    def __init__(
        self,
        message: str = "",
        *,
        status: int | None = None,
        code: str | None = None,
        request_id: str | None = None,
        outcome_unknown: bool = False,
    ) -> None:
        super().__init__(message or self.default_user_message)
        self.message = message or self.default_user_message
        self.status = status
        self.code = code
        self.request_id = request_id
        # True when a write may have taken effect although the console saw no confirmation.
        self.outcome_unknown = outcome_unknown

    @property
    def user_message(self) -> str:
        return self.default_user_message

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}({self.message!r}, status={self.status}, code={self.code!r}, "
            f"request_id={self.request_id!r})"
        )


class FabricNotFound(FabricError):
    default_user_message = "fabric has no such record (or it was deleted)."
    not_found = True


class FabricNotSupported(FabricNotFound):
    """This account's fabric does not answer the endpoint at all (one no fabric page documents)."""

    default_user_message = "Not available for this fabric account."

    def __init__(self, message: str = "", *, endpoint: str = "", **kwargs: Any) -> None:
        super().__init__(message, **kwargs)
        self.endpoint = endpoint


class FabricValidationError(FabricError):
    default_user_message = "fabric rejected the values sent."

    def __init__(
        self,
        message: str = "",
        *,
        field_errors: dict[str, list[str]] | None = None,
        non_field_errors: list[str] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(message, **kwargs)
        self.field_errors = field_errors or {}
        self.non_field_errors = non_field_errors or []

    @property
    def user_message(self) -> str:
        details = [*self.non_field_errors]
        details += [f"{field}: {'; '.join(msgs)}" for field, msgs in self.field_errors.items()]
        if not details:
            return self.default_user_message
        return f"fabric rejected the values sent: {' '.join(details)}"[:_MAX_MESSAGE_CHARS]


class FabricAuthError(FabricError):
    default_user_message = (
        "fabric credentials rejected for this account; an administrator must check its API client."
    )

    @property
    def user_message(self) -> str:
        # An OAuth error_description says which part is wrong (client, secret, scope).
        if self.code and self.message and self.message != self.default_user_message:
            return f"{self.default_user_message} fabric said: {self.message}"[:_MAX_MESSAGE_CHARS]
        return self.default_user_message


class FabricBlocked(FabricError):
    """An HTML page, not fabric's JSON, refused the call: a gateway or firewall in front of fabric
    stopped it, so neither the credentials nor fabric are known to be at fault."""

    default_user_message = (
        "A gateway in front of fabric refused the request before fabric saw it; an administrator "
        "must check that the console's address may reach fabric."
    )


class FabricPermissionDenied(FabricError):
    default_user_message = "fabric refused access to this account with the configured credentials."


class FabricConflict(FabricError):
    default_user_message = "fabric reports a conflict with an existing record."

    @property
    def user_message(self) -> str:
        if self.message and self.message != self.default_user_message:
            return f"fabric reports a conflict: {self.message}"[:_MAX_MESSAGE_CHARS]
        return self.default_user_message


class FabricRateLimited(FabricError):
    default_user_message = "fabric is receiving too many requests; try again in a few seconds."

    def __init__(self, message: str = "", *, retry_after: float | None = None, **kwargs: Any):
        super().__init__(message, **kwargs)
        self.retry_after = retry_after

    @property
    def user_message(self) -> str:
        if self.retry_after:
            seconds = max(1, math.ceil(self.retry_after))
            unit = "second" if seconds == 1 else "seconds"
            return (
                "Rate limited: fabric is receiving too many requests. "
                f"Wait {seconds} {unit}, then retry."
            )
        return "Rate limited: " + self.default_user_message


# What a 5xx from fabric (or the proxy in front of it) means to the person waiting.
_STATUS_WORDS = {
    500: "fabric failed with an internal error (500)",
    502: "fabric is unavailable: its gateway answered 502",
    503: "fabric is unavailable (503): it is down or overloaded",
    504: "fabric is unavailable: its gateway timed out waiting for it (504)",
}


class FabricUnavailable(FabricError):
    """fabric answered 5xx, or could not be reached (`status` None: no answer at all)."""

    default_user_message = "fabric is not responding; try again shortly."
    unreachable_message = (
        "fabric could not be reached: the connection was refused or dropped. Try again shortly."
    )

    @property
    def user_message(self) -> str:
        if self.outcome_unknown:
            return (
                "fabric did not confirm the change, so it may or may not have been made; "
                "check the record before trying again."
            )
        if self.status is None:
            return self.unreachable_message
        words = _STATUS_WORDS.get(self.status)
        if words:
            return f"{words}. Try again shortly."
        return self.default_user_message


class FabricTimeout(FabricUnavailable):
    """fabric did not answer within the console's timeout or deadline."""

    unreachable_message = default_user_message = (
        "Timed out: fabric did not answer in time. Try again; it may be slow right now."
    )


class FabricWalkTimeout(FabricTimeout):
    """A read of many pages (an export, the radar, an account-wide list) ran past its deadline,
    FABRIC_WALK_DEADLINE_SECONDS, with each of its calls answered in time or still under way."""

    def __init__(
        self,
        message: str = "",
        *,
        seconds: float,
        rows_read: int | None = None,
        rows_total: int | None = None,
        **kwargs: Any,
    ) -> None:
        self.seconds, self.rows_read, self.rows_total = seconds, rows_read, rows_total
        progress = f" after {rows_read:,} of {rows_total:,} rows" if rows_total is not None else ""
        super().__init__(
            message or f"the {seconds:g}-second deadline of a long read passed{progress}",
            **kwargs,
        )

    @property
    def user_message(self) -> str:
        progress = (
            f" {self.rows_read:,} of {self.rows_total:,} rows had arrived."
            if self.rows_total is not None
            else ""
        )
        return (
            "Stopped: reading this from fabric took longer than the "
            f"{self.seconds:g} seconds the console allows for one long read.{progress} "
            "Narrow the filters, or try again when fabric answers faster."
        )


class FabricBadResponse(FabricError):
    default_user_message = "fabric sent an answer the console could not read."


def looks_like_html(text: str, content_type: str = "") -> bool:
    """True for an HTML page (a gateway's or a proxy's), which fabric's API never sends."""
    return "html" in content_type.lower() or text.lstrip()[:15].lower().startswith(
        ("<!doctype html", "<html")
    )


def _texts(value: Any) -> list[str]:
    """A message as fabric's APIs send it: one string, or a list of strings (or of objects)."""
    if value is None or value == "":
        return []
    if isinstance(value, list):
        return [text for item in value for text in _texts(item)]
    if isinstance(value, dict):
        return _texts(value.get("message") or value.get("msg"))
    return [str(value)]


def parse_error_body(text: str) -> tuple[str | None, str, dict[str, list[str]], list[str]]:
    """(code, message, field errors, other errors) from an error body in any shape seen:
    `{code, message, errors}`, `{type, message}`, `message` as a list, `errors` as a list or an
    object of field → message(s), OAuth's `{error, error_description}`, or plain text/HTML."""
    try:
        body = json.loads(text) if text else None
    except ValueError:
        body = None
    if not isinstance(body, dict):
        return None, " ".join(text.split())[:_MAX_MESSAGE_CHARS], {}, []
    oauth_error = body.get("error") if isinstance(body.get("error"), str) else None
    code = body.get("code") or body.get("type") or oauth_error
    messages = _texts(body.get("message")) or _texts(body.get("error_description"))
    if not messages and oauth_error:
        messages = [oauth_error]
    message = "; ".join(messages)[:_MAX_MESSAGE_CHARS]
    field_errors: dict[str, list[str]] = {}
    non_field_errors: list[str] = []
    errors = body.get("errors")
    if isinstance(errors, dict):
        for field, detail in errors.items():
            field_errors.setdefault(str(field), []).extend(_texts(detail) or ["is invalid"])
    for error in errors if isinstance(errors, list) else []:
        if isinstance(error, dict):
            text_of_error = "; ".join(_texts(error))
            field = error.get("field") or error.get("path")
            if field:
                field_errors.setdefault(str(field), []).append(text_of_error)
            elif text_of_error:
                non_field_errors.append(text_of_error)
        elif isinstance(error, str):
            non_field_errors.append(error)
    if not field_errors and not non_field_errors:
        non_field_errors.extend(messages)
    return (str(code) if code else None), message, field_errors, non_field_errors
