"""contracts_ui/checks.py: settings that combine into a risk are named by `manage.py check`."""

import pytest
from django.core.management import call_command
from django.core.management.base import SystemCheckError

from contracts_ui.checks import bulk_handover_after_writes_in_flight


@pytest.mark.parametrize(
    ("shared", "stale", "deadline", "warned"),
    [
        (False, 60, 20.0, False),  # the defaults: a minute against a 20 s deadline
        (False, 30, 20.0, False),  # handed on 20 s after the last report at the earliest
        (False, 29, 20.0, True),
        (False, 2, 3.0, True),
        (False, 45, 30.0, False),
        (True, 5, 20.0, False),  # Redis: the contract's lock outlives the killed worker
    ],
)
def test_a_stale_window_too_short_for_a_write_in_flight_is_warned_of(
    settings, shared, stale, deadline, warned
):
    settings.SHARED_CACHE = shared
    settings.BULK_STALE_SECONDS = stale
    settings.FABRIC_DEADLINE = deadline
    found = bulk_handover_after_writes_in_flight(None)
    assert [message.id for message in found] == (["contracts_ui.W001"] if warned else [])


@pytest.mark.django_db
def test_manage_py_check_names_the_setting_and_the_fix(settings):
    settings.SHARED_CACHE = False
    settings.BULK_STALE_SECONDS = 10
    settings.FABRIC_DEADLINE = 20.0
    with pytest.raises(SystemCheckError) as refused:
        call_command("check", fail_level="WARNING")
    text = str(refused.value)
    assert "contracts_ui.W001" in text
    assert "BULK_STALE_SECONDS (10) is under 1.5 × FABRIC_DEADLINE (20)" in text
    assert "at least 30" in text
