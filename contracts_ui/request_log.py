"""The request id on every log line written for a console request (the request's own line is
contracts_ui.middleware.RequestLogMiddleware's).

Values under names that look like credentials are replaced before any handler sees them, so a
secret passed by mistake is never written out.
"""

import logging
import re

from contracts_ui.fabric.context import current_request_id

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
