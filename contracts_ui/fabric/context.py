"""The console request's id, set by RequestIdMiddleware and sent to fabric as x-request-id; and,
while a page of a walk (walks.py) is fetched, the walk's end."""

import threading
from contextvars import ContextVar

current_request_id: ContextVar[str | None] = ContextVar("current_request_id", default=None)
# Set once the walk a page belongs to is over (failed or closed): its call is not retried then.
walk_stopped: ContextVar[threading.Event | None] = ContextVar("walk_stopped", default=None)
