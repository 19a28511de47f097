"""The console's own middleware: request ids, session timeouts, the request log line, and
answers to htmx requests that htmx can act on.

Their places in settings.MIDDLEWARE matter; each class says where it belongs and why.
"""

import logging
import re
import time
import uuid
from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse

from contracts_ui.fabric.context import current_request_id

# A caller-supplied id is kept only if it is short and plain, so logs cannot be forged with it.
_ACCEPTABLE_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")

LOGIN_TIME_KEY = "contracts_ui.login_at"
REFRESH_TIME_KEY = "contracts_ui.refreshed_at"
SESSION_ENDED_MESSAGE = "Your session has ended. Please log in again."

request_logger = logging.getLogger("contracts_ui.requests")


class RequestIdMiddleware:
    """Gives every console request an id, carried into the fabric calls it makes and the
    response."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        incoming = request.headers.get("X-Request-ID", "")
        request_id = incoming if _ACCEPTABLE_REQUEST_ID.match(incoming) else uuid.uuid4().hex
        request.request_id = request_id
        token = current_request_id.set(request_id)
        try:
            response = self.get_response(request)
        finally:
            current_request_id.reset(token)
        response["X-Request-ID"] = request_id
        return response


class SessionTimeoutsMiddleware:
    """Renews an active session's idle timeout now and then, and logs a session out
    SESSION_MAX_SECONDS after its login, however active it has been.

    Idle timeout is Django's own SESSION_COOKIE_AGE, renewed here at most once every
    SESSION_REFRESH_SECONDS (so it ends between SESSION_COOKIE_AGE minus that and
    SESSION_COOKIE_AGE after the last request). Placed after the authentication and message
    middleware and before the login-required one, so the request goes on as anonymous, is sent to
    the login page and says why.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated:
            now = time.time()
            logged_in_at = request.session.setdefault(LOGIN_TIME_KEY, now)
            if now - logged_in_at > settings.SESSION_MAX_SECONDS:
                logout(request)
                messages.info(request, SESSION_ENDED_MESSAGE)
                request.session_ended_message_sent = True
            elif now - request.session.get(REFRESH_TIME_KEY, 0) > settings.SESSION_REFRESH_SECONDS:
                # A changed session is saved with a fresh expiry, and its cookie sent again.
                request.session[REFRESH_TIME_KEY] = now
        return self.get_response(request)


def _account_id(request: HttpRequest) -> str:
    match = getattr(request, "resolver_match", None)
    return match.kwargs.get("account_id", "") if match else ""


def _username(request: HttpRequest) -> str:
    user = getattr(request, "user", None)
    return user.get_username() if user is not None and user.is_authenticated else ""


class RequestLogMiddleware:
    """Logs each request once it is answered; health probes only at DEBUG, as they are frequent.

    The line carries the request id (added by contracts_ui.request_log.RequestIdFilter), the
    user, the fabric account, the status and the duration.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        started = time.monotonic()
        response = self.get_response(request)
        duration_ms = round((time.monotonic() - started) * 1000)
        level = logging.DEBUG if request.path.startswith("/health/") else logging.INFO
        account_id, username = _account_id(request), _username(request)
        request_logger.log(
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
