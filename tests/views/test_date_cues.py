"""The cues beside contract dates: one rule (presentation.cue) for the template filters and the
table's row renderer, and tolerant of whatever a template hands the filters."""

from datetime import UTC, date, datetime, timedelta

import pytest
from django.utils import timezone

from contracts_ui.presentation import cue
from contracts_ui.templatetags.contracts_ui import end_cue, start_cue
from tests.conftest import create_contract
from tests.views.test_edits import HTMX, edit_url


@pytest.mark.parametrize(
    ("days", "end", "start"),
    [
        (-3, ("expired", "expired"), None),
        (0, ("soon", "ends today"), None),
        (1, ("soon", "expires in 1 day"), ("future", "starts in 1 day")),
        (90, ("soon", "expires in 90 days"), ("future", "starts in 90 days")),
        (91, None, ("future", "starts in 91 days")),
    ],
)
def test_a_date_and_a_moment_on_that_day_get_the_same_cue(days, end, start):
    today = date(2026, 3, 1)
    day = today + timedelta(days=days)
    noon = datetime.combine(day, datetime.min.time(), UTC) + timedelta(hours=12)
    with timezone.override(UTC):
        for moment in (day, noon):
            assert cue(moment, today, edge="end") == end
            assert cue(moment, today, edge="start") == start


@pytest.mark.parametrize("value", [None, "", "2026-01-01", "not a date", 0, object()])
def test_the_filters_give_no_cue_for_what_is_not_a_date(value):
    assert (end_cue(value), start_cue(value)) == ("", "")


def test_a_naive_moment_is_read_as_it_stands():
    assert end_cue(datetime(2000, 1, 1)) == '<span class="cue cue--expired">expired</span>'


def test_a_fabric_error_on_the_dates_edit_row_is_shown_not_a_500(
    editor_client, console_world, sandbox
):
    contract = create_contract(sandbox, console_world.fabric.organization_a["_id"])
    sandbox.admin.add_fault(method="GET", path=contract["_id"], status=404)
    response = editor_client.get(edit_url(console_world, contract, "dates"), headers=HTMX)
    # The row had no contract, so the template gave start_cue "" and it raised: a 500.
    assert response.status_code == 404
    body = response.content.decode()
    assert 'id="row-dates"' in body
    assert 'role="alert"' in body
