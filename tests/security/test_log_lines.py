"""The plain log format writes one line per record, whatever a user puts in a path or a name."""

import io
import logging
from urllib.parse import quote

import pytest
from django.conf import settings
from django.utils.module_loading import import_string

from contracts_ui.request_log import RequestIdFilter, escape_controls

FORGED = "\n2026-12-02 00:00:00,000 INFO contracts_ui.logins [-] login succeeded for admin"


@pytest.fixture
def plain_log():
    """What the console's plain formatter writes for the request logger, as settings set it."""
    options = dict(settings.LOGGING["formatters"]["plain"])
    formatter = import_string(options.pop("()"))(**options)
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(formatter)
    handler.addFilter(RequestIdFilter())
    logger = logging.getLogger("contracts_ui.requests")
    logger.addHandler(handler)
    try:
        yield stream
    finally:
        logger.removeHandler(handler)


def test_a_forged_newline_in_the_path_is_one_escaped_line(client, django_user_model, plain_log):
    client.force_login(django_user_model.objects.create_user("eve\rINFO", password="pw-eve-1"))
    client.get("/" + quote(FORGED + "\x1b[2K"))
    lines = plain_log.getvalue().splitlines()
    assert len(lines) == 1, lines
    assert "GET /\\n2026-12-02 00:00:00,000 INFO contracts_ui.logins" in lines[0]
    assert "for admin\\x1b[2K -> 404" in lines[0]
    assert "(user eve\\rINFO, account -)" in lines[0]


@pytest.mark.parametrize(
    ("text", "escaped"),
    [
        (FORGED, "\\n" + FORGED[1:]),
        ("tab\there", "tab\\there"),
        ("nul\x00 del\x7f csi\x9b", "nul\\x00 del\\x7f csi\\x9b"),
        ("line\u2028separator", "line\\u2028separator"),
        ("Müller · 東京", "Müller · 東京"),
    ],
)
def test_control_characters_are_escaped_and_nothing_else(text, escaped):
    assert escape_controls(text) == escaped
