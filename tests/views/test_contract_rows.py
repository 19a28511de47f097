"""The contracts table's rows, rendered in Python: links as reverse() makes them, every value
escaped, and the date cues as the filters render them."""

import re
from datetime import UTC, datetime, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from contracts_ui.fabric.types import Contract, PriceList
from contracts_ui.selectors import ContractRow
from contracts_ui.templatetags.contracts_ui import contract_rows, end_cue, start_cue

ACCOUNT = "a" * 24
ORGANIZATION = "0123456789abcdef01234567"


def _contract(**fields) -> Contract:
    data = {
        "_id": "64f0c0ffee0000000000aa01",
        "contractId": "C-1",
        "partyId": ORGANIZATION,
        "contractType": "Standard",
        "status": "ACTIVE",
        "startDate": "2020-01-01T00:00:00.000Z",
        "endDate": "2099-01-01T00:00:00.000Z",
        "onContract": True,
        "promotionStacking": False,
        "updatedAt": "2026-03-04T05:06:07.000Z",
    }
    return Contract.from_api(data | fields)


def _iso(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S.000Z")


def _html(*contracts: Contract, price_list: PriceList | None = None, **options) -> str:
    rows = [ContractRow(contract=contract, price_list=price_list) for contract in contracts]
    return str(contract_rows(rows, ACCOUNT, **options))


@pytest.mark.parametrize("record_id", ["64f0c0ffee0000000000aa01", "C 1&2", "éx?y#z", "50%-off"])
def test_each_row_links_to_the_contract_exactly_as_reverse_does(record_id):
    html = _html(_contract(_id=record_id))
    expected = reverse("contracts_ui:contract-detail", args=[ACCOUNT, ORGANIZATION, record_id])
    assert f'href="{expected.replace("&", "&amp;")}"' in html


def test_every_value_from_fabric_is_escaped():
    html = _html(
        _contract(contractId="<script>x</script>", contractType='"><img src=x>'),
        price_list=PriceList.from_api({"priceListId": 7, "name": "<b>EUR</b>", "currency": "E&R"}),
    )
    for raw in ("<script>", "<img", "<b>"):
        assert raw not in html
    assert "&lt;script&gt;x&lt;/script&gt;" in html
    assert "&quot;&gt;&lt;img src=x&gt;" in html
    assert '&lt;b&gt;EUR&lt;/b&gt; <span class="muted">E&amp;R · #7</span>' in html


def test_the_cells_in_order():
    html = _html(_contract())
    url = reverse(
        "contracts_ui:contract-detail", args=[ACCOUNT, ORGANIZATION, "64f0c0ffee0000000000aa01"]
    )
    assert html == (
        '<tr id="contract-row-64f0c0ffee0000000000aa01"><td class="mono">'
        f'<a href="{url}">'
        'C-1</a></td><td class="col-minor">Standard</td>'
        '<td><span class="badge badge--active">Active</span></td>'
        '<td class="col-minor">2020-01-01</td><td>2099-01-01</td>'
        '<td class="col-minor"><span class="muted">none</span></td>'
        '<td class="col-minor">Yes</td><td class="col-minor">No</td>'
        '<td class="col-minor">2026-03-04 05:06</td></tr>'
    )
    # What a phone's width keeps of a row: contract id, status and end date (console.css).
    kept = re.sub(r'<td class="col-minor">.*?</td>', "", html)
    assert re.findall(r"<td[^>]*>(.*?)</td>", kept) == [
        f'<a href="{url}">C-1</a>',
        '<span class="badge badge--active">Active</span>',
        "2099-01-01",
    ]


def test_the_organization_column_only_when_asked():
    organization_url = reverse("contracts_ui:contract-list", args=[ACCOUNT, ORGANIZATION])
    cell = f'<td><a href="{organization_url}">{ORGANIZATION}</a></td>'
    assert cell not in _html(_contract())
    assert cell in _html(_contract(), show_organization=True)


def test_a_price_list_without_a_name_shows_its_id():
    html = _html(_contract(priceLists=[{"priceListId": 42, "startDate": None}]))
    assert '<td class="col-minor">#42</td>' in html


@pytest.mark.parametrize(
    ("days", "end_text", "start_text"),
    [
        (-3, "expired", ""),
        (0, "ends today", ""),
        (1, "expires in 1 day", "starts in 1 day"),
        (45, "expires in 45 days", "starts in 45 days"),
        (90, "expires in 90 days", "starts in 90 days"),
        (91, "", "starts in 91 days"),
    ],
)
def test_the_date_cues_word_what_the_filters_say(days, end_text, start_text):
    moment = datetime.combine(timezone.localdate(), datetime.min.time(), UTC) + timedelta(
        days=days, hours=12
    )
    end_html = _html(_contract(startDate="2020-01-01T00:00:00.000Z", endDate=_iso(moment)))
    start_html = _html(_contract(startDate=_iso(moment), endDate="2199-01-01T00:00:00.000Z"))
    if end_text:
        modifier = "expired" if end_text == "expired" else "soon"
        assert f'<span class="cue cue--{modifier}">{end_text}</span>' in end_html
        assert end_cue(moment) == f'<span class="cue cue--{modifier}">{end_text}</span>'
    else:
        assert "cue--" not in end_html
        assert end_cue(moment) == ""
    if start_text:
        assert f'<span class="cue cue--future">{start_text}</span>' in start_html
        assert start_cue(moment) == f'<span class="cue cue--future">{start_text}</span>'
    else:
        assert "cue--future" not in start_html
        assert start_cue(moment) == ""


def _table(request, args: str = "") -> str:
    from django.template import RequestContext, Template

    from contracts_ui.forms.filters import ContractFilterForm

    form = ContractFilterForm(request.GET)
    form.is_valid()
    rows = [ContractRow(contract=_contract(), price_list=None)]
    tag = Template(f"{{% load contracts_ui %}}{{% contract_table rows account {args} %}}")
    return tag.render(RequestContext(request, {"rows": rows, "account": ACCOUNT, "form": form}))


def _querystring(request, **changes: str) -> str:
    from django.template import RequestContext, Template

    arguments = " ".join(f'{key}="{value}"' for key, value in changes.items())
    tag = Template(f"{{% querystring {arguments} page=None %}}")
    return tag.render(RequestContext(request, {}))


@pytest.mark.parametrize(
    "query",
    [
        {"q": 'C-"1"&<2>', "status": "ACTIVE", "sort": "endDate", "order": "asc", "page": "3"},
        # No sort or order yet: each link adds them at the end; several statuses are kept.
        {"page": "3", "status": ["ACTIVE", "DRAFT"], "q": "é 1+1", "size": "50"},
        # Only the order: it keeps its place, the sort goes last.
        {"order": "asc", "q": "x", "page": "3"},
    ],
    ids=["sorted", "unsorted", "order-only"],
)
def test_the_head_links_each_column_as_querystring_would(rf, query):
    request = rf.get("/t/", query)
    html = _table(request, args="sortable=True")
    # The form's defaults when the query names no sort: last modified, newest first.
    current, order = query.get("sort", "updatedAt"), query.get("order", "desc")
    # Start, price list and last modified give way on a phone (col-minor); the others stay.
    for field, th in (
        ("contractId", '<th scope="col"'),
        ("status", '<th scope="col"'),
        ("startDate", '<th scope="col" class="col-minor"'),
        ("endDate", '<th scope="col"'),
        ("priceListId", '<th scope="col" class="col-minor"'),
        ("updatedAt", '<th scope="col" class="col-minor"'),
    ):
        if field == current:
            href = _querystring(request, sort=field, order="desc" if order == "asc" else "asc")
            running = "ascending" if order == "asc" else "descending"
            assert f'{th} aria-sort="{running}"><a href="{href}" hx-get="{href}"' in html
        else:
            href = _querystring(request, sort=field, order="asc")
            assert f'{th}><a href="{href}" hx-get="{href}" hx-push-url="true">' in html
    assert "page=3" not in html
    assert "<2>" not in html


def test_a_table_that_does_not_sort_has_plain_headers(rf):
    html = _table(rf.get("/t/", {"sort": "endDate"}), args="show_organization=True")
    assert '<a href="?' not in html
    assert '<th scope="col">Organization</th>' in html
    assert '<th scope="col">Contract id</th>' in html
