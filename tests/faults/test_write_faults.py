"""Saving an edit while fabric misbehaves: the write is sent exactly once, whatever the fault, the
ledger holds one attempt with the matching outcome, and the user reads what became of it."""

import pytest

from contracts_ui.models import AuditEvent, AuditOutcomeKind

SAVED = "Saved"
INTERNAL_ERROR = "fabric failed with an internal error (500)."
UNAVAILABLE_503 = "fabric is unavailable (503): it is down or overloaded."
MAYBE_APPLIED = "it may or may not have been applied"
TOO_MANY = "Rate limited: fabric is receiving too many requests. Wait 1 second, then retry."

FAILED, UNKNOWN, REJECTED, SUCCEEDED = (
    AuditOutcomeKind.FAILED,
    AuditOutcomeKind.UNKNOWN,
    AuditOutcomeKind.REJECTED,
    AuditOutcomeKind.SUCCEEDED,
)


@pytest.mark.parametrize(
    ("fault", "status", "message", "outcome"),
    [
        pytest.param({"latency_ms": 200}, 200, SAVED, SUCCEEDED, id="latency-within-timeout"),
        pytest.param({"latency_ms": 1000}, 503, MAYBE_APPLIED, UNKNOWN, id="latency-beyond"),
        pytest.param({"status": 500}, 503, INTERNAL_ERROR, FAILED, id="500"),
        pytest.param({"status": 502}, 503, MAYBE_APPLIED, UNKNOWN, id="502"),
        pytest.param({"status": 503}, 503, UNAVAILABLE_503, FAILED, id="503"),
        pytest.param(
            {"status": 503, "retry_after": 1}, 503, UNAVAILABLE_503, FAILED, id="503-retry-after"
        ),
        pytest.param({"status": 504}, 503, MAYBE_APPLIED, UNKNOWN, id="504"),
        pytest.param({"status": 429, "retry_after": 1}, 503, TOO_MANY, REJECTED, id="429"),
        pytest.param({"hang_s": 1}, 503, MAYBE_APPLIED, UNKNOWN, id="hang"),
        pytest.param({"drop": True}, 503, MAYBE_APPLIED, UNKNOWN, id="dropped-connection"),
        pytest.param({"malformed": True}, 502, MAYBE_APPLIED, UNKNOWN, id="malformed-body"),
    ],
)
def test_saving_an_edit_under_a_fault(console, fault, status, message, outcome):
    form = console.open_status_form()
    console.sandbox.admin.clear_requests()
    console.sandbox.admin.add_fault(method="PUT", path=console.contract_id, **fault)
    page = console.save_status(form)
    assert page.status == status
    assert message in page.text
    assert console.count("PUT", expect=1) == 1
    assert console.count("GET") == 1  # the re-read that guards against a concurrent change
    event = AuditEvent.objects.get()
    assert event.outcome.outcome == outcome
    assert event.request_id == console.requests("PUT")[0]["request_id"]


@pytest.mark.parametrize("status", [500, 503])
def test_a_write_fabric_refused_can_be_sent_again_and_then_succeeds(console, status):
    form = console.open_status_form()
    console.sandbox.admin.add_fault(method="PUT", path=console.contract_id, status=status, times=1)
    assert console.save_status(form).status == 503
    assert console.stored_status() == "DRAFT"
    page = console.save_status(form)
    assert page.status == 200
    assert SAVED in page.text
    assert console.count("PUT") == 2
    outcomes = list(AuditEvent.objects.order_by("id").values_list("outcome__outcome", flat=True))
    assert outcomes == [FAILED, SUCCEEDED]


def test_a_write_whose_outcome_is_unknown_is_not_sent_again_from_the_same_form(console):
    form = console.open_status_form()
    console.sandbox.admin.add_fault(method="PUT", path=console.contract_id, drop=True, times=1)
    assert console.save_status(form).status == 503
    page = console.save_status(form)
    assert page.status == 409
    assert "already sent" in page.text
    assert console.count("PUT") == 1
    assert AuditEvent.objects.count() == 1
