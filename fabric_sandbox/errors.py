"""The errors the sandbox answers, as `{"code", "message", "errors"?}` JSON bodies."""

from dataclasses import dataclass, field
from http import HTTPStatus

# Codes for statuses a fault rule may inject; anything else is named after its HTTP phrase.
STATUS_CODES = {
    400: "VALIDATION_ERROR",
    401: "UNAUTHORIZED",
    403: "FORBIDDEN",
    404: "NOT_FOUND",
    409: "CONFLICT",
    429: "RATE_LIMITED",
    500: "INTERNAL",
    502: "BAD_GATEWAY",
    503: "SERVICE_UNAVAILABLE",
    504: "GATEWAY_TIMEOUT",
}


def code_for_status(status: int) -> str:
    """The machine code used when only a status is known (fault injection, protocol errors)."""
    if status in STATUS_CODES:
        return STATUS_CODES[status]
    try:
        return HTTPStatus(status).name
    except ValueError:
        return f"HTTP_{status}"


@dataclass
class ApiError(Exception):
    """An error answer; raised anywhere below the dispatcher and rendered as JSON."""

    status: int
    code: str
    message: str
    errors: list[dict[str, str]] | None = None
    headers: dict[str, str] = field(default_factory=dict)

    def body(self) -> dict[str, object]:
        """The JSON body of the answer."""
        payload: dict[str, object] = {"code": self.code, "message": self.message}
        if self.errors:
            payload["errors"] = self.errors
        return payload


class FieldErrors:
    """Collects per-field validation problems so one 400 answer can name all of them."""

    def __init__(self) -> None:
        self.items: list[dict[str, str]] = []

    def add(self, name: str, message: str) -> None:
        """Record a problem with one field."""
        self.items.append({"field": name, "message": message})

    def raise_if_any(self) -> None:
        """Raise a 400 VALIDATION_ERROR naming every recorded field."""
        if self.items:
            raise validation_error(self.items)


def validation_error(items: list[dict[str, str]]) -> ApiError:
    """A 400 whose message repeats the first problem, for clients that show only the message."""
    first = items[0]
    message = f"{first['field']}: {first['message']}"
    if len(items) > 1:
        message += f" (and {len(items) - 1} more)"
    return ApiError(400, "VALIDATION_ERROR", message, errors=items)


def field_error(name: str, message: str) -> ApiError:
    """A 400 VALIDATION_ERROR about one field or query parameter."""
    return validation_error([{"field": name, "message": message}])


def not_found(what: str, code: str = "NOT_FOUND") -> ApiError:
    """A 404 answer; `what` names the missing thing for the message."""
    return ApiError(404, code, f"{what} not found.")
