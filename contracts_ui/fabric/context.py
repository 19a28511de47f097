"""The console request's id, set by RequestIdMiddleware and sent to fabric as x-request-id;
while a page of a walk (walks.py) is fetched, the walk's end; while a read started ahead
(ahead.py) runs, the signal that its request is written."""

import threading
from contextvars import ContextVar

current_request_id: ContextVar[str | None] = ContextVar("current_request_id", default=None)
# Set once the walk a page belongs to is over (failed or closed): its call is not retried then.
walk_stopped: ContextVar[threading.Event | None] = ContextVar("walk_stopped", default=None)
# While a read started ahead (ahead.py) runs: set once its request is written (transport.py).
request_written: ContextVar[threading.Event | None] = ContextVar("request_written", default=None)
