"""What the server answers when a page outlives its session or its CSRF token.

htmx requests get answers htmx acts on (HX-Redirect to the login page, a message in place),
never a login page or Django's CSRF page to swap into a fragment; plain requests keep Django's
redirect with `next`. The browser side is tests/browser/test_htmx_lifecycle.py.
"""

import logging
import re

import pytest
from django.contrib.messages import get_messages
from django.test import Client
from django.urls import reverse

from contracts_ui.middleware import (
    CONSOLE_ANSWER_HEADER,
    SESSION_ENDED_HEADER,
    SESSION_ENDED_MESSAGE,
    SESSION_ENDED_WHILE_SAVING_MESSAGE,
)
from tests.conftest import create_contract

SERVER = "http://testserver"
LOGIN = reverse("login")


def htmx_from(page: str) -> dict:
    """The headers htmx sends for a request made from `page` (a path of this server)."""
    return {"HX-Request": "true", "HX-Current-URL": SERVER + page}


@pytest.fixture
def contract(sandbox, console_world) -> dict:
    return create_contract(sandbox, console_world.fabric.organization_a["_id"], status="DRAFT")


@pytest.fixture
def urls(console_world, contract) -> dict:
    ids = {
        "account_id": console_world.account_a.account_id,
        "organization_id": console_world.fabric.organization_a["_id"],
    }
    detail = {**ids, "contract_id": contract["_id"]}
    return {
        "list": reverse("contracts_ui:contract-list", kwargs=ids),
        "detail": reverse("contracts_ui:contract-detail", kwargs=detail),
        "history": reverse("contracts_ui:contract-history", kwargs=detail),
        "edit": reverse("contracts_ui:contract-edit", kwargs={**detail, "section": "dates"}),
    }


def login_url(next_page: str) -> str:
    return f"{LOGIN}?next={next_page.replace('?', '%3F').replace('=', '%3D').replace('&', '%26')}"


class TestAnEndedSession:
    def test_an_htmx_save_sends_the_window_to_login_and_back_to_the_page(self, client, urls):
        response = client.post(
            urls["edit"], {"start_date": "2026-02-01"}, headers=htmx_from(urls["detail"])
        )
        assert response.status_code == 200
        assert response["HX-Redirect"] == login_url(urls["detail"])
        assert response[SESSION_ENDED_HEADER] == "ended"
        assert b"<form" not in response.content
        assert [str(m) for m in get_messages(response.wsgi_request)] == [
            SESSION_ENDED_WHILE_SAVING_MESSAGE
        ]

    def test_a_filter_change_goes_to_login_and_back_to_the_filtered_page(self, client, urls):
        asked = urls["list"] + "?status=ACTIVE&q=ab"
        response = client.get(asked, headers=htmx_from(urls["list"]))
        assert response["HX-Redirect"] == login_url(asked)
        assert [str(m) for m in get_messages(response.wsgi_request)] == [SESSION_ENDED_MESSAGE]

    def test_the_history_panel_goes_to_login_and_back_to_the_contract(self, client, urls):
        response = client.get(urls["history"], headers=htmx_from(urls["detail"]))
        assert response["HX-Redirect"] == login_url(urls["detail"])

    def test_a_page_on_another_site_is_never_the_way_back(self, client, urls):
        headers = {"HX-Request": "true", "HX-Current-URL": "https://evil.example" + urls["list"]}
        response = client.get(urls["history"], headers=headers)
        assert response["HX-Redirect"] == LOGIN

    def test_a_plain_post_keeps_the_standard_redirect_with_next(self, client, urls):
        response = client.post(urls["edit"], {"start_date": "2026-02-01"})
        assert response.status_code == 302
        assert response.url == login_url(urls["edit"])
        assert "HX-Redirect" not in response

    def test_an_absolute_timeout_says_so_once(self, client, console_world, urls, settings):
        settings.SESSION_MAX_SECONDS = -1
        client.force_login(console_world.editor_a)
        response = client.get(urls["history"], headers=htmx_from(urls["detail"]))
        assert response["HX-Redirect"] == login_url(urls["detail"])
        assert [str(m) for m in get_messages(response.wsgi_request)] == [SESSION_ENDED_MESSAGE]


class TestAStalePage:
    @pytest.fixture
    def stale_client(self, console_world) -> Client:
        """Logged in, with a token from before a login elsewhere (which rotates it)."""
        client = Client(enforce_csrf_checks=True)
        client.force_login(console_world.editor_a)
        client.get(reverse("contracts_ui:account-list"), follow=True)
        return client

    def test_htmx_gets_the_message_in_place_above_the_form(self, stale_client, urls, caplog):
        with caplog.at_level(logging.WARNING, logger="django.security.csrf"):
            response = stale_client.post(
                urls["edit"],
                {"start_date": "2026-02-01", "csrfmiddlewaretoken": "x" * 64},
                headers=htmx_from(urls["detail"]),
            )
        body = response.content.decode()
        assert response.status_code == 403
        assert response["HX-Retarget"] == "closest form"
        assert response["HX-Reswap"] == "afterbegin"
        assert "This page is out of date" in body
        assert "your typed values are shown below" in body
        assert f'href="{urls["detail"]}" data-reload' in body
        assert "<html" not in body
        assert "CSRF" not in body
        # The technical reason is in the log, not on screen.
        assert any("CSRF token" in record.getMessage() for record in caplog.records)

    def test_a_plain_post_gets_a_page_in_the_consoles_look_with_reload(self, stale_client, urls):
        response = stale_client.post(
            urls["edit"],
            {"start_date": "2026-02-01", "csrfmiddlewaretoken": "x" * 64},
            headers={"Referer": SERVER + urls["detail"]},
        )
        body = response.content.decode()
        assert response.status_code == 403
        assert '<header class="topbar">' in body
        assert re.search(rf'href="{re.escape(urls["detail"])}" data-reload>Reload</a>', body)
        assert "CSRF" not in body

    def test_a_referer_from_another_site_is_never_the_reload(self, stale_client, urls):
        response = stale_client.post(urls["edit"], headers={"Referer": "https://evil.example/x"})
        assert f'href="{reverse("contracts_ui:account-list")}" data-reload' in (
            response.content.decode()
        )


def test_every_answer_to_htmx_is_marked_as_the_consoles_own(client, console_world, urls):
    assert client.get(urls["list"], headers=htmx_from(urls["list"]))[CONSOLE_ANSWER_HEADER] == "1"
    client.force_login(console_world.editor_a)
    assert client.get(urls["list"], headers=htmx_from(urls["list"]))[CONSOLE_ANSWER_HEADER] == "1"
    assert client.get("/nowhere/", headers=htmx_from(urls["list"]))[CONSOLE_ANSWER_HEADER] == "1"
    assert CONSOLE_ANSWER_HEADER not in client.get(urls["list"])
