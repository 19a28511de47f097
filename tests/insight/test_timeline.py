"""An organization's contract timeline: bars, overlaps and gaps read back from the rendered SVG."""

import re
import xml.etree.ElementTree as ET
from datetime import date, timedelta

import pytest
from django.urls import reverse

from contracts_ui import timeline
from contracts_ui.fabric.types import Contract
from tests.conftest import ACCOUNT_A, create_contract
from tests.insight.conftest import busy_organization_specs, utc_today

SVG = "{http://www.w3.org/2000/svg}"
LIST_PATH = r"/organizations/[0-9a-f]{24}/contracts$"


def _url(world, organization) -> str:
    return reverse(
        "contracts_ui:contract-timeline",
        kwargs={"account_id": world.account_a.account_id, "organization_id": organization["_id"]},
    )


def _svg(html: str) -> ET.Element:
    # Our own rendered page, not untrusted input.
    return ET.fromstring(re.search(r"<svg.*?</svg>", html, re.DOTALL).group(0))  # noqa: S314


def test_it_draws_one_linked_bar_per_contract_coloured_by_status(
    viewer_client, console_world, timeline_organization
):
    organization, contracts = timeline_organization
    response = viewer_client.get(_url(console_world, organization))
    assert response.status_code == 200
    svg = _svg(response.content.decode())
    links = svg.findall(f".//{SVG}g[@class='timeline-bars']/{SVG}a")
    bars = {link.find(f"{SVG}rect").get("data-contract"): link for link in links}
    assert set(bars) == {contract["_id"] for contract in contracts.values()}
    for contract_id, contract in contracts.items():
        link = bars[contract["_id"]]
        rect = link.find(f"{SVG}rect")
        assert contract["status"].lower() in rect.get("class")
        assert rect.get("data-start") == contract["startDate"][:10]
        assert rect.get("data-end") == contract["endDate"][:10]
        assert link.get("href").endswith(f"/contracts/{contract['_id']}/")
        assert link.find(f"{SVG}title").text.startswith(f"{contract_id}: ")
    # Rows in start order, and a later start is further right on the shared axis.
    starts = [
        (float(link.find(f"{SVG}rect").get("y")), float(link.find(f"{SVG}rect").get("x")))
        for link in links
    ]
    assert starts == sorted(starts)
    assert [x for _, x in starts] == sorted(x for _, x in starts)
    assert svg.find(f".//{SVG}line[@class='timeline-today']") is not None


def test_it_flags_overlapping_active_contracts_and_the_gaps_between_them(
    viewer_client, console_world, timeline_organization
):
    organization, contracts = timeline_organization
    html = viewer_client.get(_url(console_world, organization)).content.decode()
    svg = _svg(html)
    strip = [
        (rect.get("data-from"), rect.get("data-to"), rect.get("class").split()[-1])
        for rect in svg.iter(f"{SVG}rect")
        if "timeline-coverage-stretch" in (rect.get("class") or "")
    ]
    assert strip == [
        ("2025-01-01", "2025-06-01", "timeline-covered"),
        ("2025-06-01", "2025-07-01", "timeline-overlap"),
        ("2025-07-01", "2025-12-31", "timeline-covered"),
        ("2025-12-31", "2026-03-01", "timeline-gap"),
        ("2026-03-01", "2026-09-01", "timeline-covered"),
        ("2026-09-01", "2026-09-02", "timeline-gap"),
        ("2026-09-02", "2027-01-01", "timeline-covered"),
    ]
    flagged = {
        rect.get("data-contract")
        for rect in svg.iter(f"{SVG}rect")
        if "timeline-bar--overlap" in (rect.get("class") or "")
    }
    assert flagged == {contracts["TL-A"]["_id"], contracts["TL-B"]["_id"]}
    # The same findings as text below the chart.
    assert (
        f'data-first="{contracts["TL-A"]["_id"]}" data-second="{contracts["TL-B"]["_id"]}"' in html
    )
    assert (
        f'data-after="{contracts["TL-B"]["_id"]}" data-before="{contracts["TL-C"]["_id"]}"' in html
    )
    assert "2025-12-31 to 2026-03-01 (60 days)" in html
    assert "Overlapping active contracts (1)" in html
    assert "Coverage gaps between active contracts (1)" in html


def test_no_overlap_or_gap_is_drawn_over_a_bar_and_every_bar_is_a_link(
    viewer_client, console_world, timeline_organization
):
    organization, _ = timeline_organization
    svg = _svg(viewer_client.get(_url(console_world, organization)).content.decode())
    order = list(svg.iter())
    bars = [rect for rect in svg.iter(f"{SVG}rect") if "timeline-bar" in rect.get("class")]
    stretches = [
        rect for rect in svg.iter(f"{SVG}rect") if "timeline-coverage" in rect.get("class")
    ]
    assert bars
    assert stretches
    first_bar_top = min(float(bar.get("y")) for bar in bars)
    for stretch in stretches:
        # Above the lanes, and earlier in the document: painted under anything after it.
        assert float(stretch.get("y")) + float(stretch.get("height")) <= first_bar_top
        assert order.index(stretch) < min(order.index(bar) for bar in bars)
    links = svg.findall(f".//{SVG}g[@class='timeline-bars']/{SVG}a")
    assert len(links) == len(bars)
    for link in links:
        # An SVG <a> with an href is in the tab order and announced by its label.
        assert link.get("href")
        assert link.get("tabindex") in (None, "0")
        assert link.get("aria-label")


def test_a_table_lists_the_same_contracts_for_screen_readers(
    viewer_client, console_world, timeline_organization
):
    organization, contracts = timeline_organization
    html = viewer_client.get(_url(console_world, organization)).content.decode()
    table = re.search(r'<table id="timeline-table">.*?</table>', html, re.DOTALL).group(0)
    rows = re.findall(r'<tr data-contract="([^"]+)">', table)
    assert set(rows) == {contract["_id"] for contract in contracts.values()}


def test_an_open_ended_contract_runs_off_the_edge(viewer_client, console_world, sandbox):
    organization = sandbox.admin.create_organization(ACCOUNT_A, name="Evergreen Supplies")
    forever = create_contract(
        sandbox,
        organization["_id"],
        contractId="EVERGREEN",
        status="ACTIVE",
        startDate="2025-01-01T00:00:00.000Z",
        endDate="9999-12-31T23:59:59.999Z",
    )
    create_contract(
        sandbox,
        organization["_id"],
        contractId="ONE-YEAR",
        status="ACTIVE",
        startDate="2025-06-01T00:00:00.000Z",
        endDate="2026-06-01T00:00:00.000Z",
    )
    response = viewer_client.get(_url(console_world, organization))
    assert response.status_code == 200
    svg = _svg(response.content.decode())
    bar = svg.find(f".//{SVG}rect[@data-contract='{forever['_id']}']")
    assert bar.get("data-end") == "9999-12-31"
    assert "timeline-bar--open" in bar.get("class")
    right_edge = timeline.WIDTH - timeline.RIGHT_MARGIN
    assert float(bar.get("x")) + float(bar.get("width")) == pytest.approx(right_edge, abs=0.2)
    assert svg.find(f".//{SVG}path[@class]") is not None
    # The axis is not stretched to the year 9999: it ends within the reach from today.
    ticks = [t.text for t in svg.iter(f"{SVG}text") if t.get("class") == "timeline-tick-label"]
    assert all(not label.isdigit() or int(label) < utc_today().year + 12 for label in ticks)


@pytest.mark.slow
def test_it_caps_the_bars_and_says_so(
    viewer_client, console_world, export_organization, sandbox, monkeypatch
):
    # One bar past fabric's first page of 100: few bars keep the overlap list (pairs) short.
    monkeypatch.setattr(timeline, "MAX_BARS", 101)
    sandbox.admin.clear_requests()
    html = viewer_client.get(_url(console_world, export_organization)).content.decode()
    assert len(_svg(html).findall(f".//{SVG}g[@class='timeline-bars']/{SVG}a")) == 101
    assert "Showing the 101 most recent contracts (by start date) of 250." in html
    assert sandbox.admin.request_count(method="GET", path=LIST_PATH) == 2


def test_the_htmx_request_gets_only_the_chart(viewer_client, console_world, timeline_organization):
    organization, _ = timeline_organization
    response = viewer_client.get(_url(console_world, organization), headers={"HX-Request": "true"})
    html = response.content.decode()
    assert "<html" not in html
    assert html.lstrip().startswith('<section id="timeline"')


def test_a_stranger_gets_404(client, console_world, timeline_organization):
    organization, _ = timeline_organization
    client.force_login(console_world.stranger)
    assert client.get(_url(console_world, organization)).status_code == 404


def _contract(contract_id: str, start: str, end: str, status: str = "ACTIVE") -> Contract:
    return Contract.from_api(
        {
            "_id": contract_id,
            "contractId": contract_id,
            "status": status,
            "startDate": f"{start}T00:00:00.000Z",
            "endDate": f"{end}T00:00:00.000Z",
        }
    )


def test_a_gap_is_at_least_one_whole_uncovered_day():
    chart = timeline.build_timeline(
        contracts=[
            _contract("a", "2025-01-01", "2025-06-30"),
            _contract("b", "2025-07-01", "2025-09-30"),  # the next day: continuous
            _contract("c", "2025-10-02", "2025-12-31"),  # 2025-10-01 uncovered: a gap
            _contract("d", "2025-11-01", "2026-03-01", status="DRAFT"),  # not active: ignored
        ],
        total=4,
        today=date(2025, 6, 15),
    )
    assert [(gap.first.id, gap.second.id, gap.days) for gap in chart.gaps] == [("b", "c", 2)]
    assert chart.overlaps == ()
    assert [tick.label for tick in chart.ticks][:3] == ["2025", "Feb", "Mar"]


def test_an_empty_organization_has_an_axis_around_today():
    today = utc_today()
    chart = timeline.build_timeline(contracts=[], total=0, today=today)
    assert chart.bars == ()
    assert chart.axis_start == today.replace(day=1)
    assert chart.axis_start <= today < chart.axis_end


def test_an_active_contract_ending_9999_12_31_beside_another_is_drawn(
    viewer_client, console_world, sandbox
):
    # Regression: the gap check added a day to 9999-12-31, an OverflowError answered as a 500.
    organization = sandbox.admin.create_organization(ACCOUNT_A, name="Forever Contracts")
    for contract_id, start, end in (
        ("FOREVER-1", "2020-01-01T00:00:00.000Z", "9999-12-31T23:59:59.999Z"),
        ("FOREVER-2", "2024-01-01T00:00:00.000Z", "2025-01-01T00:00:00.000Z"),
        ("FOREVER-3", "0001-01-01T00:00:00.000Z", "2021-01-01T00:00:00.000Z"),
    ):
        create_contract(
            sandbox,
            organization["_id"],
            contractId=contract_id,
            status="ACTIVE",
            startDate=start,
            endDate=end,
        )

    response = viewer_client.get(_url(console_world, organization))

    assert response.status_code == 200
    html = response.content.decode()
    assert len(_svg(html).findall(f".//{SVG}g[@class='timeline-bars']/{SVG}a")) == 3
    assert "FOREVER-2" in html


def test_36_contracts_with_189_overlapping_pairs_are_found_and_summarised():
    contracts = [
        _contract(f"busy-{n:02d}", start, end, status)
        for n, (status, start, end) in enumerate(busy_organization_specs())
    ]
    chart = timeline.build_timeline(contracts=contracts, total=36, today=date(2025, 6, 1))
    assert len(chart.bars) == 36
    assert len(chart.overlaps) == 189
    for span in chart.overlaps:
        assert span.first.start_date < span.second.end_date
        assert span.second.start_date < span.first.end_date
    assert chart.overlaps_shown == chart.overlaps[: timeline.OVERLAPS_SHOWN]
    assert len(chart.overlaps_more) == 189 - timeline.OVERLAPS_SHOWN
    assert max(stretch.depth for stretch in chart.coverage) == 18


def test_back_to_back_contracts_neither_overlap_nor_leave_a_gap():
    # An end day is the next contract's start day: [start, end) meet without overlapping.
    contracts = [
        _contract(
            f"seq-{n:03d}",
            str(date(2000, 1, 1) + timedelta(days=10 * n)),
            str(date(2000, 1, 1) + timedelta(days=10 * n + 10)),
        )
        for n in range(500)
    ]
    chart = timeline.build_timeline(contracts=contracts, total=500, today=date(2010, 1, 1))
    assert chart.overlaps == ()
    assert chart.gaps == ()
    assert [stretch.kind for stretch in chart.coverage] == ["covered"]
