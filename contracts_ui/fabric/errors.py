"""What can go wrong when talking to fabric, as a few exceptions a view can catch and show."""

import json
from typing import Any

# Error bodies can be long HTML pages from a proxy; a message keeps only the start.
_MAX_MESSAGE_CHARS = 300


class FabricError(Exception):
    """fabric did not do what was asked; `user_message` is safe to show, `message` is for logs."""

    default_user_message = "fabric could not complete the request."

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


class FabricUnavailable(FabricError):
    default_user_message = "fabric is not responding; try again shortly."

    @property
    def user_message(self) -> str:
        if self.outcome_unknown:
            return (
                "fabric did not confirm the change, so it may or may not have been made; "
                "check the record before trying again."
            )
        return self.default_user_message


class FabricBadResponse(FabricError):
    default_user_message = "fabric sent an answer the console could not read."


def parse_error_body(text: str) -> tuple[str | None, str, dict[str, list[str]], list[str]]:
    """(code, message, field errors, other errors) from a `{code, message, errors}`,
    `{type, message}` or plain-text error body."""
    try:
        body = json.loads(text) if text else None
    except ValueError:
        body = None
    if not isinstance(body, dict):
        return None, " ".join(text.split())[:_MAX_MESSAGE_CHARS], {}, []
    code = body.get("code") or body.get("type")
    message = str(body.get("message") or body.get("error") or "")[:_MAX_MESSAGE_CHARS]
    field_errors: dict[str, list[str]] = {}
    non_field_errors: list[str] = []
    errors = body.get("errors")
    for error in errors if isinstance(errors, list) else []:
        if isinstance(error, dict):
            text_of_error = str(error.get("message") or error.get("msg") or "")
            field = error.get("field") or error.get("path")
            if field:
                field_errors.setdefault(str(field), []).append(text_of_error)
            elif text_of_error:
                non_field_errors.append(text_of_error)
        elif isinstance(error, str):
            non_field_errors.append(error)
    if not field_errors and not non_field_errors and message:
        non_field_errors.append(message)
    return (str(code) if code else None), message, field_errors, non_field_errors
