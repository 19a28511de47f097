"""'Select this bucket' on the expiry radar: an editor takes a bucket's contracts to the bulk
form (one organization's; an account-wide bucket organization by organization); viewers never."""

import re
from datetime import timedelta
from html import unescape
from urllib.parse import urlencode

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from contracts_ui.models import AccountGrant, AccountRole, BulkJob, FabricAccount
from tests.conftest import ACCOUNT_A, DOCUMENTED_ONLY_CAPABILITIES, create_contract
from tests.insight.conftest import RADAR_ACCOUNT, RADAR_CLIENT, RADAR_SECRET_ENV, utc_today


def _radar_user(client, role: AccountRole):
    """A user of the radar's own account with `role`; read organization by organization, which
    both stand-in modes answer."""
    account = FabricAccount.objects.create(
        account_id=RADAR_ACCOUNT,
        name="Radar Holdings",
        client_id=RADAR_CLIENT[0],
        client_secret_ref=f"env:{RADAR_SECRET_ENV}",
        capabilities=DOCUMENTED_ONLY_CAPABILITIES,
    )
    user = get_user_model().objects.create_user(f"radar-{role}", password="pw-radar-1")
    AccountGrant.objects.create(account=account, user=user, role=role)
    client.force_login(user)
    return client


@pytest.fixture
def radar_editor(client, db, radar_world):
    return _radar_user(client, AccountRole.EDITOR)


@pytest.fixture
def radar_viewer(client, db, radar_world):
    return _radar_user(client, AccountRole.VIEWER)


def _radar(account: str = RADAR_ACCOUNT, **query) -> str:
    url = reverse("contracts_ui:expiry-radar", args=[account])
    return f"{url}?{urlencode(query)}" if query else url


def _select_link(html: str, bucket: str) -> str | None:
    card = re.search(
        rf'<li class="radar-bucket[^"]*" data-bucket="{bucket}">.*?</li>', html, re.DOTALL
    ).group(0)
    link = re.search(r'class="radar-bucket__bulk" href="([^"]+)"[^>]*>([^<]+)</a>', card)
    return (unescape(link.group(1)), link.group(2)) if link else None


def _bulk_form(html: str) -> tuple[str, list[tuple[str, str]]]:
    """The bulk form's action and its hidden fields, as a browser would post them."""
    form = re.search(r'<form method="post" id="bulk-form".*?</form>', html, re.DOTALL).group(0)
    action = unescape(re.search(r'action="([^"]+)"', form).group(1))
    hidden = re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', form)
    return action, [(name, unescape(value)) for name, value in hidden]


def _post_form(client, html: str, **change) -> BulkJob:
    action, hidden = _bulk_form(html)
    data: dict[str, list[str]] = {}
    for name, value in hidden:
        data.setdefault(name, []).append(value)
    response = client.post(action, {**data, **change})
    assert response.status_code == 302, response.content.decode()[:2000]
    return BulkJob.objects.get(pk=int(response.url.rstrip("/").rsplit("/", 1)[1]))


def test_an_organization_bucket_goes_to_the_bulk_form_with_exactly_its_contracts(
    radar_editor, radar_world
):
    north = radar_world["organizations"][0]
    html = radar_editor.get(_radar(organization=north["_id"])).content.decode()
    # Radar North's ACTIVE contracts: day 30 in the first bucket, day -1 past its end date.
    href, words = _select_link(html, "0-30")
    assert words == "Select this contract for a bulk change"
    assert 'id="radar-bulk"' in html
    page = radar_editor.get(href)
    assert page.status_code == 200
    form_html = page.content.decode()
    assert "This contract is selected." in form_html
    assert "data-price-list-picker" in form_html
    job = _post_form(radar_editor, form_html, action="extend-end", months="12")
    assert job.organization_id == north["_id"]
    assert job.selection == "the expiry radar's bucket: 0–30 days"
    assert list(job.items.values_list("contract_ref", flat=True)) == [
        radar_world["by_days"][30]["_id"]
    ]
    assert job.items.get().problem == ""

    expired_href, _ = _select_link(html, "expired")
    expired = _post_form(
        radar_editor,
        radar_editor.get(expired_href).content.decode(),
        action="set-status",
        new_status="INACTIVE",
    )
    assert list(expired.items.values_list("contract_ref", flat=True)) == [
        radar_world["by_days"][-1]["_id"]
    ]


def test_an_account_wide_bucket_is_selected_organization_by_organization(radar_editor, radar_world):
    html = radar_editor.get(_radar()).content.decode()
    href, words = _select_link(html, "0-30")
    assert words == "Select these 2 contracts for a bulk change, organization by organization"
    page = radar_editor.get(href).content.decode()
    assert "belong to 2 organizations: select them organization by organization" in page
    assert 'id="radar-bulk-partial"' not in page
    links = dict(
        (name, unescape(url))
        for url, name in re.findall(
            r'<a href="([^"]+)" hx-get="[^"]+" hx-push-url="true">'
            r"Select the 1 contract of ([^<]+) for",
            page,
        )
    )
    assert set(links) == {"Radar North", "Radar South"}
    south = radar_editor.get(links["Radar South"]).content.decode()
    job = _post_form(radar_editor, south, action="extend-end", months="1")
    assert job.organization_id == radar_world["organizations"][1]["_id"]
    assert list(job.items.values_list("contract_ref", flat=True)) == [
        radar_world["by_days"][0]["_id"]
    ]
    # The bucket's own page offers the same selection.
    bucket_page = radar_editor.get(
        reverse("contracts_ui:radar-bucket", args=[RADAR_ACCOUNT, "0-30"])
    )
    assert f'class="radar-bucket__bulk" href="{href}"' in bucket_page.content.decode()


def test_with_htmx_the_selection_is_swapped_below_the_buckets(radar_editor, radar_world):
    north = radar_world["organizations"][0]
    url = reverse("contracts_ui:radar-bucket-bulk", args=[RADAR_ACCOUNT, "31-60"])
    response = radar_editor.get(
        f"{url}?organization={north['_id']}", headers={"HX-Request": "true"}
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in html
    assert html.lstrip().startswith('<section id="radar-bulk"')
    assert 'id="bulk-form"' in html


def test_a_viewer_is_offered_no_selection_and_refused_it(radar_viewer, radar_world):
    north = radar_world["organizations"][0]
    for query in ({}, {"organization": north["_id"]}):
        html = radar_viewer.get(_radar(**query)).content.decode()
        assert _select_link(html, "0-30") is None
        assert 'id="radar-bulk"' not in html
        url = reverse("contracts_ui:radar-bucket-bulk", args=[RADAR_ACCOUNT, "0-30"])
        assert radar_viewer.get(f"{url}?{urlencode(query)}").status_code == 403
    bucket_page = radar_viewer.get(
        reverse("contracts_ui:radar-bucket", args=[RADAR_ACCOUNT, "0-30"])
    )
    assert "radar-bucket__bulk" not in bucket_page.content.decode()
    assert BulkJob.objects.count() == 0


def test_an_unknown_bucket_or_organization_value_is_a_404(radar_editor, radar_world):
    url = reverse("contracts_ui:radar-bucket-bulk", args=[RADAR_ACCOUNT, "0-30"])
    assert radar_editor.get(f"{url}?organization=no%20such").status_code == 404
    other = reverse("contracts_ui:radar-bucket-bulk", args=[RADAR_ACCOUNT, "91-120"])
    assert radar_editor.get(other).status_code == 404


def test_a_bucket_over_the_cap_says_so_and_selects_the_first_by_end_date(
    editor_client, console_world, sandbox, settings
):
    settings.BULK_MAX_CONTRACTS = 2
    organization = sandbox.admin.create_organization(ACCOUNT_A, name="Radar Cap GmbH")["_id"]
    today = utc_today()
    made = [
        create_contract(
            sandbox,
            organization,
            contractId=f"CAP-{days}",
            status="ACTIVE",
            startDate=(today - timedelta(days=100)).isoformat(),
            endDate=(today + timedelta(days=days)).isoformat(),
        )
        for days in (20, 5, 10)
    ]
    html = editor_client.get(_radar(ACCOUNT_A, organization=organization)).content.decode()
    href, words = _select_link(html, "0-30")
    assert words == "Select these 3 contracts for a bulk change"
    page = editor_client.get(href).content.decode()
    assert (
        "This bucket holds 3 contracts; a bulk change takes at most 2. The first 2 by end date "
        "are selected" in page
    )
    assert "The first 2 of these 3 contracts are selected." in page
    job = _post_form(editor_client, page, action="extend-end", months="3")
    assert list(job.items.values_list("contract_id", flat=True)) == ["CAP-5", "CAP-10"]
    assert {made[1]["_id"], made[2]["_id"]} == set(job.items.values_list("contract_ref", flat=True))


def test_a_capped_account_wide_list_says_its_counts_are_partial(
    radar_editor, radar_world, monkeypatch
):
    monkeypatch.setattr("contracts_ui.radar.RADAR_MAX_ROWS", 1)
    url = reverse("contracts_ui:radar-bucket-bulk", args=[RADAR_ACCOUNT, "0-30"])
    page = radar_editor.get(url).content.decode()
    assert "The bucket holds 2 contracts; the organizations below are those of the first 1" in page
    # Day 0 (Radar South) comes first by end date; Radar North is past the list.
    assert "Select the contracts of Radar South for a bulk change (at least 1)" in page
    assert "Radar North" not in page
