"""A log line for every login attempt, success or failure, with the user and the client address.

A failed attempt names the user only when such a user exists: what was typed into the user
field may be a password, and that must not reach the logs.
"""

import logging
from typing import Any

from django.contrib.auth import get_user_model
from django.http import HttpRequest

logger = logging.getLogger("contracts_ui.logins")


def _client_ip(request: HttpRequest | None) -> str:
    return (request.META.get("REMOTE_ADDR") or "-") if request is not None else "-"


def log_login_succeeded(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    """Receiver for user_logged_in."""
    username, client_ip = user.get_username(), _client_ip(request)
    logger.info(
        "login succeeded for %s from %s",
        username,
        client_ip,
        extra={"event": "login.succeeded", "user": username, "client_ip": client_ip},
    )


def log_login_failed(
    sender: Any, credentials: dict, request: HttpRequest | None = None, **kwargs: Any
) -> None:
    """Receiver for user_login_failed: wrong password, unknown user, or locked out."""
    typed = str(credentials.get(get_user_model().USERNAME_FIELD) or "")[:150]
    known = (
        typed
        and get_user_model()
        ._default_manager.filter(**{get_user_model().USERNAME_FIELD: typed})
        .exists()
    )
    username, client_ip = (typed if known else "(unknown user)"), _client_ip(request)
    logger.warning(
        "login failed for %s from %s",
        username,
        client_ip,
        extra={"event": "login.failed", "user": username, "client_ip": client_ip},
    )
