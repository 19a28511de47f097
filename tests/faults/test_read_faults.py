"""A contract's page while fabric misbehaves: reads are retried within the budget (1 + 2 retries,
3 s deadline here), then the page says what went wrong with an honest status; nothing is audited.
"""

import pytest

from contracts_ui.models import AuditEvent

# Each failure has its own words (issue 18): what happened, and what to do next.
TIMED_OUT = "Timed out: fabric did not answer in time."
INTERNAL_ERROR = "fabric failed with an internal error (500)."
GATEWAY_502 = "fabric is unavailable: its gateway answered 502."
UNAVAILABLE_503 = "fabric is unavailable (503): it is down or overloaded."
GATEWAY_504 = "fabric is unavailable: its gateway timed out waiting for it (504)."
UNREACHABLE = "fabric could not be reached: the connection was refused or dropped."
TOO_MANY = "Rate limited: fabric is receiving too many requests. Wait 1 second, then retry."
UNREADABLE = "fabric sent an answer the console could not read."


@pytest.mark.parametrize(
    ("fault", "status", "message", "fabric_gets"),
    [
        pytest.param({"latency_ms": 200}, 200, "TYPE-F", 1, id="latency-within-timeout"),
        pytest.param({"latency_ms": 1000}, 503, TIMED_OUT, 3, id="latency-beyond-timeout"),
        pytest.param({"status": 500}, 503, INTERNAL_ERROR, 1, id="500-not-retried"),
        pytest.param({"status": 502, "times": 1}, 200, "TYPE-F", 2, id="502-once"),
        pytest.param({"status": 502}, 503, GATEWAY_502, 3, id="502-always"),
        pytest.param({"status": 503, "times": 1}, 200, "TYPE-F", 2, id="503-once"),
        pytest.param({"status": 503}, 503, UNAVAILABLE_503, 3, id="503-always"),
        pytest.param(
            {"status": 503, "retry_after": 1, "times": 1}, 200, "TYPE-F", 2, id="503-retry-after"
        ),
        pytest.param(
            {"status": 503, "retry_after": 1}, 503, UNAVAILABLE_503, 3, id="503-retry-after-always"
        ),
        pytest.param({"status": 504, "times": 1}, 200, "TYPE-F", 2, id="504-once"),
        pytest.param({"status": 504}, 503, GATEWAY_504, 3, id="504-always"),
        pytest.param(
            {"status": 429, "retry_after": 1, "times": 1}, 200, "TYPE-F", 2, id="429-retry-after"
        ),
        pytest.param({"status": 429, "retry_after": 1}, 503, TOO_MANY, 3, id="429-always"),
        pytest.param({"hang_s": 1, "times": 1}, 200, "TYPE-F", 2, id="hang-once"),
        pytest.param({"hang_s": 1}, 503, TIMED_OUT, 3, id="hang-always"),
        pytest.param({"drop": True, "times": 1}, 200, "TYPE-F", 2, id="dropped-once"),
        pytest.param({"drop": True}, 503, UNREACHABLE, 3, id="dropped-always"),
        pytest.param({"malformed": True}, 502, UNREADABLE, 1, id="malformed-not-retried"),
    ],
)
def test_the_contract_page_under_a_fault(console, quick, fault, status, message, fabric_gets):
    console.sandbox.admin.add_fault(method="GET", path=console.contract_id, **fault)
    page = console.contract_page()
    assert page.status == status
    assert message in page.text
    if status != 200:
        assert 'role="alert"' in page.text
    assert console.count("GET", expect=fabric_gets) == fabric_gets
    assert page.seconds < quick.FABRIC_DEADLINE + 0.5
    assert AuditEvent.objects.count() == 0


def test_retry_after_is_honoured_up_to_its_cap(console, quick):
    console.sandbox.admin.add_fault(
        method="GET", path=console.contract_id, status=503, retry_after=30, times=1
    )
    page = console.contract_page()
    # Retry-After 30 s, capped by FABRIC_RETRY_AFTER_CAP 0.3 s: the retry is made well inside
    # the 3 s deadline (waiting the 30 s would end in a 503), however loaded the machine is.
    assert page.status == 200
    assert quick.FABRIC_RETRY_AFTER_CAP <= page.seconds < quick.FABRIC_DEADLINE
