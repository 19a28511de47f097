"""The log of a production console process tree (gunicorn.conf.py, JSON logs): each line once.

gunicorn's logconfig_dict used to switch its access log on although `accesslog = None`, and to
hand its lines to the root logger as well, which the console's LOGGING writes out again: every
request was logged three times (the console's line and two access lines, with its query string),
every gunicorn line twice, and LOG_LEVEL did not quieten gunicorn.
"""

import json
from collections import Counter

import pytest
from django.urls import reverse

from tests.production.browser import Browser
from tests.production.services import sqlite_console_env, started_console

pytestmark = pytest.mark.slow

_SEED = """
from django.contrib.auth import get_user_model
get_user_model().objects.create_user("logger", password="pw-logger-long-enough-1")
"""


def _run(tmp_path, sandbox, level: str) -> list[dict]:
    """Start a console at LOG_LEVEL `level`, log in, open the account list, stop; its log."""
    env = sqlite_console_env(tmp_path, sandbox, LOG_LEVEL=level)
    with started_console(env, tmp_path / "gunicorn.log", _SEED) as console:
        browser = Browser()
        assert browser.log_in(console.url, "logger", "pw-logger-long-enough-1").status == 302
        page = f"{console.url}{reverse('contracts_ui:account-list')}?all=1&secret-looking=query"
        assert browser.get(page).status == 200
    written = console.log_path.read_text().splitlines()
    return [json.loads(line) for line in written]  # every line is one JSON object


def test_each_request_and_each_gunicorn_line_is_logged_once(tmp_path, sandbox):
    lines = _run(tmp_path, sandbox, "INFO")
    assert not [line for line in lines if line["logger"] == "gunicorn.access"]
    assert not [line for line in lines if "secret-looking" in json.dumps(line)]
    requests = [line["message"] for line in lines if line["logger"] == "contracts_ui.requests"]
    assert [message.split(" -> ")[0] for message in requests] == [
        "GET /login/",
        "POST /login/",
        f"GET {reverse('contracts_ui:account-list')}",
    ]
    server = Counter(
        (line["logger"], line["message"]) for line in lines if line["logger"].startswith("gunicorn")
    )
    assert ("gunicorn.error", "Handling signal: term") in server
    assert max(server.values()) == 1, server.most_common(3)


def test_log_level_quietens_gunicorn_too(tmp_path, sandbox):
    lines = _run(tmp_path, sandbox, "WARNING")
    assert not [line for line in lines if line["level"] in ("DEBUG", "INFO")]
