"""Liveness and readiness in the test process: open to anyone, JSON, never cached."""

import time

import pytest
from django.urls import reverse


@pytest.fixture
def ready_url(db, sandbox):
    return reverse("health-ready")


def test_liveness_answers_ok_without_a_login(client):
    response = client.get(reverse("health-live"))
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert "no-cache" in response["Cache-Control"]


def test_readiness_lists_each_dependency_as_healthy(client, ready_url):
    response = client.get(ready_url)
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert {name: check["ok"] for name, check in body["checks"].items()} == {
        "database": True,
        "cache": True,
        "fabric": True,
    }


def test_readiness_answers_unhealthy_within_three_seconds_while_fabric_hangs(
    client, ready_url, sandbox, settings
):
    settings.HEALTH_CHECK_TIMEOUT = 1.0
    sandbox.admin.add_fault(path="^/$", hang_s=5)
    started = time.monotonic()
    response = client.get(ready_url)
    assert time.monotonic() - started < 3
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unavailable"
    assert body["checks"]["fabric"]["ok"] is False
    assert body["checks"]["database"]["ok"] is True


def test_readiness_is_healthy_again_once_fabric_answers(client, ready_url, sandbox, settings):
    settings.HEALTH_CHECK_TIMEOUT = 1.0
    sandbox.admin.add_fault(path="^/$", status=503, times=1)
    assert client.get(ready_url).status_code == 503
    assert client.get(ready_url).status_code == 200


def test_readiness_reports_fabric_unreachable_when_nothing_listens(client, db, settings):
    settings.FABRIC_BASE_URL = "http://127.0.0.1:9"  # the discard port: nothing answers there
    response = client.get(reverse("health-ready"))
    assert response.status_code == 503
    assert response.json()["checks"]["fabric"] == {
        "ok": False,
        "duration_ms": response.json()["checks"]["fabric"]["duration_ms"],
        "error": "ConnectionError",
    }


def test_health_probes_refuse_writes(client):
    assert client.post(reverse("health-live")).status_code == 405
