"""The console request's id, set by RequestIdMiddleware and sent to fabric as x-request-id."""

from contextvars import ContextVar

current_request_id: ContextVar[str | None] = ContextVar("current_request_id", default=None)
