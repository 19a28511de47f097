"""The circuit breaker per fabric account: after repeated failures pages answer at once with
"fabric unavailable" and fabric receives nothing, until a probe after the cool-down succeeds."""

import re
import time

import pytest
from django.urls import reverse

from contracts_ui.models import AuditAction, AuditEvent, AuditOutcomeKind

UNAVAILABLE = "fabric unavailable"
UNAVAILABLE_503 = "fabric is unavailable (503): it is down or overloaded."
TIMED_OUT = "Timed out: fabric did not answer in time."


@pytest.fixture
def breaker(quick):
    """Three failures open it for one second; reads are not retried, so one page = one failure."""
    quick.FABRIC_BREAKER_FAILURES = 3
    quick.FABRIC_BREAKER_COOLDOWN = 1.0
    quick.FABRIC_MAX_RETRIES = 0
    return quick


def everything_fabric_received(console) -> int:
    return len(console.sandbox.admin.requests())


def trip(console, times: int = 3, **fault) -> None:
    """Fail `times` page loads of the contract (a 503 unless told otherwise)."""
    console.sandbox.admin.add_fault(
        method="GET", path=console.contract_id, **(fault or {"status": 503})
    )
    for _ in range(times):
        page = console.contract_page()
        assert page.status == 503
        assert (TIMED_OUT if "hang_s" in fault else UNAVAILABLE_503) in page.text


def test_it_opens_after_repeated_failures_and_pages_answer_at_once(console, breaker):
    trip(console, hang_s=1)
    assert console.count("GET", expect=3) == 3
    before = everything_fabric_received(console)
    page = console.contract_page()
    assert page.status == 503
    assert UNAVAILABLE in page.text
    assert page.seconds < 0.4  # a hang costs FABRIC_READ_TIMEOUT (0.5 s) when fabric is called
    time.sleep(0.6)  # the stand-in logs a hung request when it ends: give any stray one time
    assert everything_fabric_received(console) == before


def test_it_closes_after_the_cool_down_when_fabric_recovers(console, breaker):
    trip(console)
    console.sandbox.admin.clear_faults()
    assert UNAVAILABLE in console.contract_page().text
    time.sleep(breaker.FABRIC_BREAKER_COOLDOWN)
    console.sandbox.admin.clear_requests()
    assert console.contract_page().status == 200  # the probe
    assert console.contract_page().status == 200
    assert console.count("GET") == 2


def test_a_failed_probe_opens_it_for_another_cool_down(console, breaker):
    trip(console)
    time.sleep(breaker.FABRIC_BREAKER_COOLDOWN)
    console.sandbox.admin.clear_requests()
    probe = console.contract_page()
    assert probe.status == 503
    assert UNAVAILABLE_503 in probe.text
    assert UNAVAILABLE in console.contract_page().text
    assert console.count("GET") == 1


def test_client_errors_do_not_open_it(console, breaker):
    console.sandbox.admin.add_fault(method="GET", path=console.contract_id, status=404)
    for _ in range(5):
        assert console.contract_page().status == 404
    assert console.count("GET") == 5


def test_a_success_starts_the_count_again(console, breaker):
    trip(console, times=2)
    console.sandbox.admin.clear_faults()
    assert console.contract_page().status == 200
    trip(console, times=2)
    console.sandbox.admin.clear_faults()
    assert console.contract_page().status == 200


def test_zero_failures_turns_it_off(console, breaker):
    breaker.FABRIC_BREAKER_FAILURES = 0
    trip(console, times=6)
    assert console.count("GET") == 6


def test_other_accounts_are_not_affected(console, breaker, client, console_world):
    trip(console)
    assert UNAVAILABLE in console.contract_page().text
    client.force_login(console_world.stranger)  # an editor on account B
    console.sandbox.admin.clear_requests()
    url = reverse(
        "contracts_ui:organization-list", kwargs={"account_id": console_world.account_b.account_id}
    )
    response = client.get(url)
    assert response.status_code == 200
    assert console.sandbox.admin.request_count(method="GET") >= 1


class TestWritesWhileOpen:
    def test_an_edit_is_refused_at_its_re_read_nothing_sent_nothing_recorded(
        self, console, breaker
    ):
        form = console.open_status_form()
        trip(console)
        console.sandbox.admin.clear_requests()
        page = console.save_status(form)
        assert page.status == 503
        assert UNAVAILABLE in page.text
        assert everything_fabric_received(console) == 0
        assert AuditEvent.objects.count() == 0

    def test_a_create_is_a_recorded_attempt_that_failed_and_never_reached_fabric(
        self, console, breaker
    ):
        # The breaker sits in the fabric client, below the ledger: a write it refuses was still
        # meant for fabric, so it is one attempt in the ledger, failed, and fabric saw nothing.
        url = reverse(
            "contracts_ui:contract-create",
            kwargs={
                "account_id": console.account_id,
                "organization_id": console.contract["partyId"],
            },
        )
        form_page = console.get(url)  # also caches the organization's name the page shows
        submission = re.search(r'name="submission" value="([^"]+)"', form_page.text).group(1)
        trip(console)
        console.sandbox.admin.clear_requests()
        page = console.post(
            url,
            {
                "status": "DRAFT",
                "start_date": "2026-02-01",
                "end_date": "2026-03-01",
                "submission": submission,
            },
        )
        assert page.status == 503
        assert UNAVAILABLE in page.text
        assert everything_fabric_received(console) == 0
        event = AuditEvent.objects.get()
        assert event.action == AuditAction.CREATE
        assert event.outcome.outcome == AuditOutcomeKind.FAILED
        assert "not sent" in event.outcome.message
