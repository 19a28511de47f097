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
