"""The HTTP layer: request ids, keep-alive, JSON for every error, loopback-only control."""

import http.client
import json
import socket
from email.message import Message
from urllib.parse import urlsplit

import pytest

from fabric_sandbox.app import Sandbox
from fabric_sandbox.store import Store
from fabric_sandbox.web import Request, Response, Route, Router
from tests.sandbox.helpers import assert_error


def test_a_request_id_is_echoed(sandbox, tenant):
    response = tenant.call(
        "GET", "/organizations", headers=tenant.headers(**{"x-request-id": "req-123"})
    )

    assert response.headers.get("x-request-id") == "req-123"
    assert sandbox.admin.requests()[-1]["request_id"] == "req-123"


def test_a_request_id_is_generated(tenant):
    first = tenant.call("GET", "/organizations").headers.get("x-request-id")
    second = tenant.call("GET", "/nope").headers.get("x-request-id")

    assert first
    assert second
    assert first != second


def test_connections_are_kept_alive(sandbox, tenant):
    address = urlsplit(sandbox.url)
    connection = http.client.HTTPConnection(address.hostname, address.port, timeout=5)
    try:
        statuses = []
        for _ in range(3):
            connection.request("GET", "/data-customer/v1/organizations", headers=tenant.headers())
            response = connection.getresponse()
            json.loads(response.read())
            statuses.append(response.status)
            socket_in_use = connection.sock
        assert statuses == [200, 200, 200]
        assert socket_in_use is connection.sock
    finally:
        connection.close()


def test_an_unknown_path_is_a_json_404(tenant):
    response = tenant.call("GET", "/nowhere")

    assert_error(response, 404, "NOT_FOUND")


def test_a_wrong_method_is_a_json_405(tenant):
    response = tenant.call("DELETE", "/organizations")

    assert_error(response, 405, "METHOD_NOT_ALLOWED")
    assert response.headers.get("Allow") == "GET"


def test_an_unsupported_method_is_answered_in_json(sandbox):
    response = sandbox.call("OPTIONS", "/data-customer/v1/organizations")

    assert response.status == 501
    assert response.json["code"]


def test_a_broken_request_line_is_answered_in_json(sandbox):
    address = urlsplit(sandbox.url)
    with socket.create_connection((address.hostname, address.port), timeout=5) as raw:
        raw.sendall(b"NONSENSE\r\n\r\n")
        answer = raw.makefile("rb").read().decode()

    # A one-word request line reads as HTTP/0.9, which gets a body without a status line.
    assert "<html" not in answer.lower()
    assert json.loads(answer.split("\r\n\r\n")[-1])["code"] == "VALIDATION_ERROR"


def request(path: str, client_host: str = "127.0.0.1") -> Request:
    return Request("GET", path, "", Message(), b"", client_host, "test-request")


def test_the_control_api_refuses_other_hosts(tmp_path):
    app = Sandbox(store=Store(tmp_path / "sandbox.sqlite3"))

    refused = app.handle(request("/_sandbox/health", client_host="192.0.2.10"))
    allowed = app.handle(request("/_sandbox/health"))

    assert (refused.status, refused.body["code"]) == (403, "FORBIDDEN")
    assert allowed.status == 200


def test_an_unexpected_error_is_a_json_500_without_details(tmp_path, capsys):
    def broken(app: Sandbox, request: Request) -> Response:
        raise KeyError("secret internals")

    app = Sandbox(
        store=Store(tmp_path / "sandbox.sqlite3"),
        router=Router([Route("GET", "/broken", broken, kind="control")]),
    )

    response = app.handle(request("/broken"))

    assert response.status == 500
    assert response.body == {
        "code": "INTERNAL",
        "message": "Unexpected error in the fabric sandbox.",
    }
    assert "secret internals" in capsys.readouterr().err


@pytest.mark.parametrize("path", ["/_sandbox/faults", "/_sandbox/requests"])
def test_control_answers_are_json(sandbox, path):
    response = sandbox.call("GET", path)

    assert response.status == 200
    assert isinstance(response.json, dict)


def test_a_chunked_body_is_read(tenant):
    # The harness sends the body chunk-encoded when the header says so.
    response = tenant.server.call(
        "POST",
        "/data-customer/v1/internalParties-party/create",
        headers=tenant.headers(**{"Transfer-Encoding": "chunked"}),
        data=b'{"partyId": "61a77df3941da90009fd35db"}',
    )

    assert_error(response, 400, "VALIDATION_ERROR", field="internalPartyId")
    assert "partyId" not in [error["field"] for error in response.json["errors"]]
