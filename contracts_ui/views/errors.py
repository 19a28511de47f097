"""Answers for requests the console refuses before any view runs: a stale CSRF token.

Django logs the technical reason (logger django.security.csrf, with the request id); the person
sees only what happened and what to do.
"""

from urllib.parse import urlsplit, urlunsplit

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django_htmx.http import reswap, retarget

from contracts_ui.middleware import page_to_return_to

STALE_PAGE = "contracts_ui/stale_page.html"


def _page_to_reload(request: HttpRequest) -> str:
    """The page the refused form was on: htmx names it; a plain form post has its Referer."""
    page = ""
    if getattr(request, "htmx", None):
        page = page_to_return_to(request)
    else:
        referer = request.headers.get("Referer", "")
        if url_has_allowed_host_and_scheme(
            referer, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        ):
            page = urlunsplit(urlsplit(referer)._replace(scheme="", netloc="", fragment=""))
    return page or reverse("contracts_ui:account-list")


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """settings.CSRF_FAILURE_VIEW: the page was opened before a login or logout elsewhere (which
    changes the token), or long ago; it has to be reloaded before it can send anything.

    For htmx the message goes in at the top of the form that was sent, which keeps what the user
    typed on screen; a plain post gets the message as a page of its own.
    """
    context = {"reload_url": _page_to_reload(request)}
    if getattr(request, "htmx", None):
        response = render(request, f"{STALE_PAGE}#stale-page-alert", context, status=403)
        return reswap(retarget(response, "closest form"), "afterbegin")
    return render(request, STALE_PAGE, context, status=403)
