"""A contract's page while fabric misbehaves: reads are retried within the budget (1 + 2 retries,
3 s deadline here), then the page says what went wrong with an honest status; nothing is audited.
"""

import pytest

from contracts_ui.models import AuditEvent

NOT_RESPONDING = "fabric is not responding; try again shortly."
TOO_MANY = "fabric is receiving too many requests"
UNREADABLE = "fabric sent an answer the console could not read."


@pytest.mark.parametrize(
    ("fault", "status", "message", "fabric_gets"),
    [
        pytest.param({"latency_ms": 200}, 200, "TYPE-F", 1, id="latency-within-timeout"),
        pytest.param({"latency_ms": 1000}, 503, NOT_RESPONDING, 3, id="latency-beyond-timeout"),
        pytest.param({"status": 500}, 503, NOT_RESPONDING, 1, id="500-not-retried"),
        pytest.param({"status": 502, "times": 1}, 200, "TYPE-F", 2, id="502-once"),
        pytest.param({"status": 502}, 503, NOT_RESPONDING, 3, id="502-always"),
        pytest.param({"status": 503, "times": 1}, 200, "TYPE-F", 2, id="503-once"),
        pytest.param({"status": 503}, 503, NOT_RESPONDING, 3, id="503-always"),
        pytest.param(
            {"status": 503, "retry_after": 1, "times": 1}, 200, "TYPE-F", 2, id="503-retry-after"
        ),
        pytest.param(
            {"status": 503, "retry_after": 1}, 503, NOT_RESPONDING, 3, id="503-retry-after-always"
        ),
        pytest.param({"status": 504, "times": 1}, 200, "TYPE-F", 2, id="504-once"),
        pytest.param({"status": 504}, 503, NOT_RESPONDING, 3, id="504-always"),
        pytest.param(
            {"status": 429, "retry_after": 1, "times": 1}, 200, "TYPE-F", 2, id="429-retry-after"
        ),
        pytest.param({"status": 429, "retry_after": 1}, 503, TOO_MANY, 3, id="429-always"),
        pytest.param({"hang_s": 1, "times": 1}, 200, "TYPE-F", 2, id="hang-once"),
        pytest.param({"hang_s": 1}, 503, NOT_RESPONDING, 3, id="hang-always"),
        pytest.param({"drop": True, "times": 1}, 200, "TYPE-F", 2, id="dropped-once"),
        pytest.param({"drop": True}, 503, NOT_RESPONDING, 3, id="dropped-always"),
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
