"""The Content-Security-Policy is enforced on every page, and the pages keep to it."""

import json
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from tests.access.test_access_matrix import MATRIX
from tests.security.conftest import HTMX

POLICY = {
    "default-src": ["'self'"],
    "style-src": ["'self'"],
    "img-src": ["'self'", "data:"],
    "object-src": ["'none'"],
    "base-uri": ["'none'"],
    "frame-ancestors": ["'none'"],
    "form-action": ["'self'"],
}
SCRIPT_TAG = re.compile(r"<script\b([^>]*)>(.*?)</script>", re.DOTALL)
NONCE_SOURCE = re.compile(r"^'nonce-([A-Za-z0-9_-]{16,})'$")
TEMPLATES = Path(settings.BASE_DIR) / "templates"


def directives(header: str) -> dict[str, list[str]]:
    parsed = {}
    for part in header.split(";"):
        name, *values = part.split()
        parsed[name] = values
    return parsed


def header_nonce(response) -> str | None:
    sources = directives(response["Content-Security-Policy"])["script-src"]
    nonces = [match[1] for source in sources if (match := NONCE_SOURCE.match(source))]
    return nonces[0] if nonces else None


def check_policy(response) -> None:
    assert "Content-Security-Policy-Report-Only" not in response, "enforced, not report-only"
    header = response["Content-Security-Policy"]
    assert "unsafe-" not in header
    policy = directives(header)
    assert {name: policy[name] for name in POLICY} == POLICY
    assert policy["script-src"][0] == "'self'"
    assert all(NONCE_SOURCE.match(source) for source in policy["script-src"][1:])


def check_page_keeps_to_policy(response) -> None:
    """Scripts are files from this origin, carrying the header's nonce; no inline code or style."""
    body = response.content.decode()
    nonce = header_nonce(response)
    for attributes, inline_code in SCRIPT_TAG.findall(body):
        assert not inline_code.strip(), f"inline script: {inline_code[:80]}"
        assert re.search(r'\bsrc="/[^/]', attributes), f"not a file from this origin: {attributes}"
        found = re.search(r'\bnonce="([^"]*)"', attributes)
        if found:
            assert found[1] == nonce, "a script's nonce differs from the header's"
    assert "<style" not in body
    assert not re.search(r"\sstyle=", body)
    assert not re.search(r"\son[a-z]+=", body), "inline event handler"


def _all_urls(world, contract) -> list[str]:
    return [
        reverse(name, kwargs=kwargs(world, contract)) for name, (_, kwargs, _) in MATRIX.items()
    ]


@pytest.mark.slow
def test_every_url_answers_with_the_enforced_policy(client, console_world, contract_a):
    """Every URL, for a signed-in editor and for a stranger to the account, whatever the status."""
    for user in (console_world.editor_a, console_world.stranger, None):
        client.logout()
        if user:
            client.force_login(user)
        for url in _all_urls(console_world, contract_a):
            for headers in ({}, HTMX):
                check_policy(client.get(url, headers=headers))


def test_error_pages_and_login_carry_the_policy(client, console_world):
    check_policy(client.get(reverse("login")))
    client.force_login(console_world.editor_a)
    check_policy(client.get("/no/such/page/"))
    check_policy(client.post(reverse("contracts_ui:account-list")))


def test_pages_keep_to_the_policy(client, console_world, contract_a):
    client.force_login(console_world.editor_a)
    checked = 0
    for url in _all_urls(console_world, contract_a):
        response = client.get(url, follow=True)
        if response["Content-Type"].startswith("text/html"):
            check_page_keeps_to_policy(response)
            checked += 1
    assert checked > 10


def test_htmx_scripts_carry_the_nonce(client, console_world):
    client.force_login(console_world.superuser)
    response = client.get(reverse("contracts_ui:account-list"))
    nonce = header_nonce(response)
    assert nonce
    assert f'htmx-2.min.js" defer nonce="{nonce}"' in response.content.decode()


def test_django_htmx_debug_script_carries_the_nonce_in_debug(client, console_world, settings):
    settings.DEBUG = True
    client.force_login(console_world.superuser)
    response = client.get(reverse("contracts_ui:account-list"))
    check_page_keeps_to_policy(response)
    assert re.search(
        rf'django-htmx\.js" data-debug="True" defer nonce="{header_nonce(response)}"',
        response.content.decode(),
    )


def test_htmx_is_configured_to_need_no_eval_inline_style_or_history_cache(client):
    page = client.get(reverse("login")).content.decode()
    config = json.loads(re.search(r"<meta name=\"htmx-config\" content='([^']*)'>", page)[1])
    assert config["allowEval"] is False  # hx-on, js: values and trigger filters need eval
    assert config["allowScriptTags"] is False  # swapped content never runs scripts
    assert config["includeIndicatorStyles"] is False  # htmx would inject an inline <style>
    assert config["historyCacheSize"] == 0  # customer data is not kept in localStorage


@pytest.mark.parametrize(
    "pattern",
    [r"\bhx-on", r"\bjs:", r"javascript:", r"hx-trigger=\"[^\"]*\[", r"\sstyle=", r"<style"],
)
def test_templates_use_nothing_the_policy_or_htmx_config_forbids(pattern):
    """hx-on, js: values and trigger filters need eval; style attributes need unsafe-inline."""
    offenders = [
        str(path.relative_to(TEMPLATES))
        for path in TEMPLATES.rglob("*.html")
        if re.search(pattern, path.read_text())
    ]
    assert not offenders, offenders


@pytest.mark.parametrize(
    "admin_url",
    [
        "admin:index",
        "admin:contracts_ui_accountgrant_changelist",
        "admin:contracts_ui_accountgrant_add",
        "admin:contracts_ui_fabricaccount_add",
        "admin:auth_user_changelist",
        "admin:auth_user_add",
    ],
)
def test_admin_works_under_the_policy(client, console_world, admin_url):
    """Django's admin ships no inline script or style, so it needs no exception in the policy."""
    client.force_login(console_world.superuser)
    response = client.get(reverse(admin_url))
    assert response.status_code == 200
    check_policy(response)
    check_page_keeps_to_policy(response)
