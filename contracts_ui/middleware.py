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
from django.contrib.auth.middleware import LoginRequiredMiddleware
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import resolve_url
from django.utils.cache import add_never_cache_headers
from django.utils.http import url_has_allowed_host_and_scheme
from django_htmx.http import HttpResponseClientRedirect

from contracts_ui.fabric.context import current_request_id

# A caller-supplied id is kept only if it is short and plain, so logs cannot be forged with it.
_ACCEPTABLE_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")

LOGIN_TIME_KEY = "contracts_ui.login_at"
REFRESH_TIME_KEY = "contracts_ui.refreshed_at"
SESSION_ENDED_MESSAGE = "Your session has ended. Please log in again."
# An edit was being saved: console.js keeps what was typed and puts it back after the login.
SESSION_ENDED_WHILE_SAVING_MESSAGE = (
    "Your session has ended. Log in again to go back to your page; "
    "what you typed is kept and put back in the form."
)
# Marks an answer to an htmx request as the console's own, so console.js never swaps in a page
# that a proxy or load balancer wrote (a 502 or 504, an empty body) instead of us.
CONSOLE_ANSWER_HEADER = "X-Console-Answer"
# Tells console.js that the session ended, so it keeps the form's values before htmx leaves.
SESSION_ENDED_HEADER = "X-Console-Session"

request_logger = logging.getLogger("contracts_ui.requests")


class HtmxAnswerMiddleware:
    """Marks every answer to an htmx request with CONSOLE_ANSWER_HEADER.

    First in settings.MIDDLEWARE, so whatever the console answers (a view, a CSRF refusal, a
    login redirect, an error page) carries it, and only a foreign answer lacks it.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if request.headers.get("HX-Request") == "true":
            response[CONSOLE_ANSWER_HEADER] = "1"
        return response


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


def page_to_return_to(request: HttpRequest) -> str:
    """The console page an htmx request was made from (its path and query), or "" if unknown.

    A GET on the page's own path (a filter, sort or page change) asks for that page in a new
    state, which is where the user meant to go; anything else (a save, the history panel, an
    edit form) came from the page in the address bar, which htmx sends as HX-Current-URL.
    """
    current = request.htmx.current_url_abs_path or ""
    if not url_has_allowed_host_and_scheme(
        current, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        current = ""
    if request.method == "GET" and current.split("?")[0] == request.path:
        return request.get_full_path()
    return current


class HtmxLoginRequiredMiddleware(LoginRequiredMiddleware):
    """Django's LoginRequiredMiddleware, with an answer htmx acts on for htmx requests.

    A 302 to the login page would be followed by htmx and the login page swapped into the
    fragment; instead htmx gets HX-Redirect, so the whole window goes to the login page, with
    `next` naming the page the user was on. Plain requests keep Django's redirect with `next`.
    """

    def handle_no_permission(self, request: HttpRequest, view_func) -> HttpResponse:
        htmx = getattr(request, "htmx", None)
        if not htmx or htmx.history_restore_request:
            return super().handle_no_permission(request, view_func)
        login_url = resolve_url(self.get_login_url(view_func))
        back_to = page_to_return_to(request)
        if back_to:
            login_url = redirect_to_login(
                back_to, login_url, self.get_redirect_field_name(view_func)
            ).url
        if not getattr(request, "session_ended_message_sent", False):
            saving = request.method not in ("GET", "HEAD")
            messages.info(
                request, SESSION_ENDED_WHILE_SAVING_MESSAGE if saving else SESSION_ENDED_MESSAGE
            )
        response = HttpResponseClientRedirect(login_url)
        response[SESSION_ENDED_HEADER] = "ended"
        return response


class NoStoreForUsersMiddleware:
    """`Cache-Control: no-store` on every answer to a logged-in user (logged in as the request
    came or as it left), so no browser or proxy keeps a page or an export of theirs."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        was_logged_in = user is not None and user.is_authenticated
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if was_logged_in or (user is not None and user.is_authenticated):
            add_never_cache_headers(response)
        return response
