"""Production log lines: one JSON object each, the request id on every line of a request, the
user, account, status and duration on the request's own line, and never a credential."""

import io
import json
import logging

import pytest
from django.conf import settings as django_settings
from django.urls import reverse
from pythonjsonlogger.json import JsonFormatter

from contracts_ui.request_log import REDACTED, RequestIdFilter
from tests.conftest import ACCOUNT_A, CLIENT_A


@pytest.fixture
def json_log():
    """The root logger writing through the production formatter into a buffer, at INFO."""
    options = django_settings.LOGGING["formatters"]["json"]
    handler = logging.StreamHandler(buffer := io.StringIO())
    handler.setFormatter(JsonFormatter(options["format"], rename_fields=options["rename_fields"]))
    handler.addFilter(RequestIdFilter())
    root = logging.getLogger()
    previous_level = root.level
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    yield buffer
    root.removeHandler(handler)
    root.setLevel(previous_level)


def lines(buffer: io.StringIO) -> list[dict]:
    return [json.loads(line) for line in buffer.getvalue().splitlines()]


def test_every_line_of_a_console_request_carries_its_request_id(
    editor_client, cold_cache, json_log
):
    response = editor_client.get(
        reverse("contracts_ui:organization-list", args=[ACCOUNT_A]),
        headers={"x-request-id": "trace-me-123456"},
    )
    assert response.status_code == 200
    written = lines(json_log)
    fabric_calls = [line for line in written if line["logger"] == "contracts_ui.fabric"]
    assert fabric_calls
    assert {line["request_id"] for line in written} == {"trace-me-123456"}


def test_the_request_line_names_user_account_status_and_duration(editor_client, json_log):
    editor_client.get(reverse("contracts_ui:organization-list", args=[ACCOUNT_A]))
    (request_line,) = [
        line for line in lines(json_log) if line["logger"] == "contracts_ui.requests"
    ]
    assert request_line["user"] == "alice"
    assert request_line["account_id"] == ACCOUNT_A
    assert request_line["http_status"] == 200
    assert request_line["http_method"] == "GET"
    assert isinstance(request_line["duration_ms"], int)
    assert request_line["level"] == "INFO"


def test_no_password_secret_or_token_is_written(client, console_world, cold_cache, json_log):
    client.post(reverse("login"), {"username": "alice", "password": "pw-alice-1"})
    client.post(reverse("login"), {"username": "pw-typed-as-user", "password": "nope-1"})
    client.get(reverse("contracts_ui:organization-list", args=[ACCOUNT_A]))
    written = json_log.getvalue()
    for secret in ("pw-alice-1", "nope-1", "pw-typed-as-user", CLIENT_A[1], "Bearer "):
        assert secret not in written


def test_extra_fields_that_look_like_credentials_are_redacted(json_log):
    logging.getLogger("contracts_ui.test").info("x", extra={"access_token": "t0k", "password": "p"})
    (line,) = lines(json_log)
    assert line["access_token"] == line["password"] == REDACTED
