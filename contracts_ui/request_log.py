"""One log line per console request, and the request id on every log line written for it.

The line carries the request id (also sent to fabric as x-request-id), the user, the fabric
account, the status and the duration. Values under names that look like credentials are
replaced before any handler sees them, so a secret passed by mistake is never written out.
"""

import logging
import re
import time
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from contracts_ui.fabric.context import current_request_id

logger = logging.getLogger("contracts_ui.requests")

_SECRET_NAME = re.compile(r"pass|secret|token|authorization|cookie|session|credential", re.I)
REDACTED = "[redacted]"


class RequestIdFilter(logging.Filter):
    """Adds `request_id` (or "-") to every record and redacts credential-like extra fields."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not getattr(record, "request_id", None):
            record.request_id = current_request_id.get() or "-"
        for name in list(vars(record)):
            if _SECRET_NAME.search(name):
                setattr(record, name, REDACTED)
        return True


# C0 and C1 control characters and the Unicode line breaks: anything a terminal or a log reader
# could take for the end of a line, or use to move the cursor.
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def escape_controls(text: str) -> str:
    """`text` with each control character written as an escape (\\n, \\x1b, \\u2028)."""

    def escaped(match: re.Match) -> str:
        char = match.group()
        if char in _NAMED:
            return _NAMED[char]
        return f"\\x{ord(char):02x}" if ord(char) < 0x100 else f"\\u{ord(char):04x}"

    return _CONTROL.sub(escaped, text)


class PlainFormatter(logging.Formatter):
    """The plain log format, one line per record: control characters in the message (a path, a
    username, a query typed by anyone) are escaped, so no value can forge a line of its own. A
    traceback after the line keeps its own lines."""

    def formatMessage(self, record: logging.LogRecord) -> str:
        return escape_controls(super().formatMessage(record))


def _account_id(request: HttpRequest) -> str:
    match = getattr(request, "resolver_match", None)
    return match.kwargs.get("account_id", "") if match else ""


def _username(request: HttpRequest) -> str:
    user = getattr(request, "user", None)
    return user.get_username() if user is not None and user.is_authenticated else ""


class RequestLogMiddleware:
    """Logs each request once it is answered; health probes only at DEBUG, as they are frequent."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        started = time.monotonic()
        response = self.get_response(request)
        duration_ms = round((time.monotonic() - started) * 1000)
        level = logging.DEBUG if request.path.startswith("/health/") else logging.INFO
        account_id, username = _account_id(request), _username(request)
        logger.log(
            level,
            "%s %s -> %d in %d ms (user %s, account %s)",
            request.method,
            request.path,
            response.status_code,
            duration_ms,
            username or "-",
            account_id or "-",
            extra={
                "http_method": request.method,
                "http_path": request.path,
                "http_status": response.status_code,
                "duration_ms": duration_ms,
                "user": username,
                "account_id": account_id,
            },
        )
        return response
