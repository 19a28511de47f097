"""Every unsafe request needs the CSRF token, htmx's included; a GET never writes anything."""

import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from contracts_ui.models import AuditAction, AuditEvent
from tests.access.test_access_matrix import MATRIX
from tests.conftest import create_contract
from tests.security.conftest import HTMX

CSRF_FAILURE = "This page is out of date"
WRITE_METHODS = ("POST", "PUT", "PATCH", "DELETE")
FABRIC_DATA = r"^/(data-customer|api-offers)/"  # fabric's API; the token endpoint is not a write


def _patterns(resolver: URLResolver):
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            yield from _patterns(pattern)
        elif isinstance(pattern, URLPattern):
            yield pattern


def test_no_view_is_exempt_from_csrf():
    """Admin included: no URL of the site opts out of the check."""
    exempt = [
        str(p.pattern)
        for p in _patterns(get_resolver())
        if getattr(p.callback, "csrf_exempt", False)
    ]
    assert not exempt, exempt


@pytest.fixture
def own_contract(sandbox, console_world) -> dict:
    """A contract of this test alone: POSTs that pass CSRF may delete or restore it."""
    return create_contract(
        sandbox, console_world.fabric.organization_a["_id"], contractType="CSRF", status="DRAFT"
    )


def _url(url_name: str, world, contract) -> str:
    _, kwargs, _ = MATRIX[url_name]
    return reverse(url_name, kwargs=kwargs(world, contract))


def _login_for(url_name: str, world):
    return world.superuser if url_name.startswith("admin:") else world.editor_a


@pytest.mark.parametrize("htmx", [False, True], ids=["form", "htmx"])
@pytest.mark.parametrize("url_name", sorted(MATRIX))
def test_post_without_the_token_is_refused(
    csrf_client, console_world, own_contract, sandbox, url_name, htmx
):
    csrf_client.force_login(_login_for(url_name, console_world))
    url = _url(url_name, console_world, own_contract)
    sandbox.admin.clear_requests()
    response = csrf_client.post(url, {"status": "ACTIVE"}, headers=HTMX if htmx else {})
    assert response.status_code == 403
    assert CSRF_FAILURE in response.content.decode()
    assert sandbox.admin.request_count(path=FABRIC_DATA) == 0
    assert not AuditEvent.objects.exists()


def test_a_wrong_token_is_refused(csrf_client, console_world, own_contract):
    csrf_client.force_login(console_world.editor_a)
    csrf_client.get(reverse("contracts_ui:account-list"), follow=True)
    url = _url("contracts_ui:contract-delete", console_world, own_contract)
    response = csrf_client.post(url, headers={**HTMX, "X-CSRFToken": "x" * 32})
    assert response.status_code == 403


@pytest.mark.parametrize("url_name", sorted(MATRIX))
def test_post_with_the_token_htmx_sends_passes_csrf(
    csrf_client, console_world, own_contract, url_name
):
    """The token from <body hx-headers> in an X-CSRFToken header, as htmx sends it."""
    csrf_client.force_login(_login_for(url_name, console_world))
    page = csrf_client.get(reverse("contracts_ui:account-list"), follow=True).content.decode()
    token = re.search(r"""hx-headers='\{"x-csrftoken": "([^"]+)"\}'""", page)[1]
    url = _url(url_name, console_world, own_contract)
    response = csrf_client.post(url, headers={**HTMX, "X-CSRFToken": token})
    body = b"".join(response.streaming_content) if response.streaming else response.content
    assert CSRF_FAILURE not in body.decode(errors="replace"), url
    assert response.status_code < 500


@pytest.mark.slow
@pytest.mark.parametrize("htmx", [False, True], ids=["page", "htmx"])
def test_get_on_every_url_writes_nothing(client, console_world, own_contract, sandbox, htmx):
    sandbox.admin.clear_requests()
    for url_name in sorted(MATRIX):
        client.force_login(_login_for(url_name, console_world))
        client.get(_url(url_name, console_world, own_contract), headers=HTMX if htmx else {})
    writes = [
        (request["method"], request["path"])
        for request in sandbox.admin.requests(path=FABRIC_DATA)
        if request["method"] in WRITE_METHODS
    ]
    assert not writes
    # Exports are recorded in the ledger as reads; nothing else may be.
    exports = [AuditAction.EXPORT, AuditAction.EXPORT_AUDIT]
    assert not AuditEvent.objects.exclude(action__in=exports).exists()
