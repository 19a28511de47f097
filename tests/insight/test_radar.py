"""The expiry radar over a dedicated account: buckets at their edges, lists, and who may see it."""

import codecs
import csv
import io
import re
from datetime import UTC, date, datetime
from html import unescape
from urllib.parse import urlencode

import pytest
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.urls import reverse

from contracts_ui import radar
from contracts_ui.models import AccountGrant, AccountRole, FabricAccount
from tests.conftest import DOCUMENTED_ONLY_CAPABILITIES
from tests.insight.conftest import RADAR_ACCOUNT, RADAR_CLIENT, RADAR_SECRET_ENV


@pytest.fixture
def radar_capabilities() -> dict:
    """What fabric_doctor stored on the radar's account: nothing, unless a test says otherwise."""
    return {}


@pytest.fixture
def radar_client(client, db, radar_world, radar_capabilities):
    account = FabricAccount.objects.create(
        account_id=RADAR_ACCOUNT,
        name="Radar Holdings",
        client_id=RADAR_CLIENT[0],
        client_secret_ref=f"env:{RADAR_SECRET_ENV}",
        capabilities=radar_capabilities,
    )
    user = get_user_model().objects.create_user("rita", password="pw-rita-1")
    AccountGrant.objects.create(account=account, user=user, role=AccountRole.VIEWER)
    client.force_login(user)
    return client


def _url(**query) -> str:
    url = reverse("contracts_ui:expiry-radar", kwargs={"account_id": RADAR_ACCOUNT})
    return f"{url}?{urlencode(query)}" if query else url


def _bucket(html: str, bucket: str) -> tuple[int, str, str]:
    """(count, link, CSV link) of a bucket card."""
    card = re.search(
        rf'<li class="radar-bucket[^"]*" data-bucket="{bucket}">.*?</li>', html, re.DOTALL
    )
    count = re.search(r'<span class="radar-bucket__count">(\d+)</span>', card.group(0))
    link = re.search(r'class="radar-bucket__link" href="([^"]+)"', card.group(0))
    export = re.search(r'class="radar-bucket__export" href="([^"]+)"', card.group(0))
    return int(count.group(1)), unescape(link.group(1)), unescape(export.group(1))


def _bucket_count(html: str, bucket: str) -> int:
    return _bucket(html, bucket)[0]


def _rows(html: str, table_id: str) -> list[tuple[str, int, str]]:
    table = re.search(rf'<table id="{table_id}".*?</table>', html, re.DOTALL).group(0)
    return [
        (contract, int(days), bucket)
        for contract, days, bucket in re.findall(
            r'<tr data-contract="(\w+)" data-days="(-?\d+)" data-bucket="([^"]+)">', table
        )
    ]


@pytest.mark.parametrize(
    "radar_capabilities",
    [
        pytest.param({}, marks=pytest.mark.undocumented("reads GET /v1/contracts")),
        DOCUMENTED_ONLY_CAPABILITIES,
    ],
    ids=["account-wide list", "organization by organization"],
)
def test_buckets_match_the_prepared_contracts_at_their_edges(
    radar_client, radar_world, radar_capabilities, sandbox
):
    cache.clear()
    sandbox.admin.clear_requests()
    response = radar_client.get(_url())
    assert response.status_code == 200
    html = response.content.decode()
    # Day 0 and 30 in the first bucket, 31 and 60 in the second, 61 and 90 in the third; 91 out.
    assert _bucket_count(html, "0-30") == 2
    assert _bucket_count(html, "31-60") == 2
    assert _bucket_count(html, "61-90") == 2
    assert _bucket_count(html, "expired") == 2
    by_days = radar_world["by_days"]
    upcoming = _rows(html, "radar-upcoming")
    assert upcoming == [
        (by_days[0]["_id"], 0, "0–30 days"),
        (by_days[30]["_id"], 30, "0–30 days"),
        (by_days[31]["_id"], 31, "31–60 days"),
        (by_days[60]["_id"], 60, "31–60 days"),
        (by_days[61]["_id"], 61, "61–90 days"),
        (by_days[90]["_id"], 90, "61–90 days"),
    ]
    expired = _rows(html, "radar-expired")
    assert expired == [
        (by_days[-40]["_id"], -40, "expired"),
        (by_days[-1]["_id"], -1, "expired"),
    ]
    assert by_days[91]["_id"] not in html
    # Both organizations appear, by name.
    assert "Radar North" in html
    assert "Radar South" in html
    by_organization = sandbox.admin.request_count("GET", r"/organizations/\w+/contracts$")
    account_wide = sandbox.admin.request_count("GET", r"/v1/contracts$")
    if radar_capabilities:
        assert "each of its 2 organizations" in html
        assert sandbox.admin.undocumented_requests() == []
        # Three bucket counts and two lists, in each of the two organizations.
        assert (account_wide, by_organization) == (0, 10)
    else:
        assert 'id="radar-by-organization"' not in html
        assert (account_wide, by_organization) == (5, 0)


def test_the_bucket_rule_at_every_edge():
    assert [radar.radar_bucket(days) for days in (-1, 0, 30, 31, 60, 61, 90, 91)] == [
        None,
        "0–30 days",
        "0–30 days",
        "31–60 days",
        "31–60 days",
        "61–90 days",
        "61–90 days",
        None,
    ]


def test_days_are_utc_calendar_days_whatever_the_time_of_day():
    today = date(2026, 3, 1)
    assert radar.days_until(datetime(2026, 3, 31, 23, 59, tzinfo=UTC), today=today) == 30
    assert radar.days_until(datetime(2026, 4, 1, 0, 0, tzinfo=UTC), today=today) == 31
    assert radar.days_until(datetime(2026, 2, 28, 23, 59, tzinfo=UTC), today=today) == -1


def test_an_account_without_a_grant_is_404(client, console_world, radar_world):
    client.force_login(console_world.editor_a)
    assert client.get(_url()).status_code == 404


def test_the_organization_list_links_the_radar(client, console_world):
    client.force_login(console_world.viewer_a)
    url = reverse(
        "contracts_ui:organization-list", kwargs={"account_id": console_world.account_a.account_id}
    )
    html = client.get(url).content.decode()
    assert (
        reverse(
            "contracts_ui:expiry-radar", kwargs={"account_id": console_world.account_a.account_id}
        )
        in html
    )


def _contract_table_ids(html: str) -> list[str]:
    return re.findall(r'<tr id="contract-row-([^"]+)"', html)


def _csv_ids(response) -> list[str]:
    raw = b"".join(response.streaming_content)
    assert raw.startswith(codecs.BOM_UTF8)
    reader = csv.DictReader(io.StringIO(raw.decode("utf-8-sig")))
    return [row["fabric id"] for row in reader]


EXPECTED_BUCKETS = {"0-30": (0, 30), "31-60": (31, 60), "61-90": (61, 90), "expired": (-40, -1)}


@pytest.mark.parametrize("bucket", sorted(EXPECTED_BUCKETS))
def test_an_account_wide_bucket_links_to_exactly_its_contracts_and_its_export(
    radar_client, radar_world, bucket
):
    by_days = radar_world["by_days"]
    expected = [by_days[days]["_id"] for days in EXPECTED_BUCKETS[bucket]]
    count, link, export = _bucket(radar_client.get(_url()).content.decode(), bucket)
    assert count == len(expected)
    page = radar_client.get(link)
    assert page.status_code == 200
    assert [row[0] for row in _rows(page.content.decode(), "radar-bucket-table")] == expected
    assert _csv_ids(radar_client.get(export)) == expected


@pytest.mark.parametrize("bucket", sorted(EXPECTED_BUCKETS))
def test_an_organizations_bucket_opens_its_contracts_table_filtered_to_the_bucket(
    radar_client, radar_world, bucket
):
    north, _ = radar_world["organizations"]
    by_days = radar_world["by_days"]
    expected = [
        by_days[days]["_id"]
        for days in EXPECTED_BUCKETS[bucket]
        if by_days[days]["partyId"] == north["_id"]
    ]
    html = radar_client.get(_url(organization=north["_id"])).content.decode()
    assert "Radar South" not in html.split('id="radar-upcoming"')[1]
    count, link, export = _bucket(html, bucket)
    assert count == len(expected)
    assert link.startswith(
        reverse(
            "contracts_ui:contract-list",
            kwargs={"account_id": RADAR_ACCOUNT, "organization_id": north["_id"]},
        )
    )
    assert sorted(_contract_table_ids(radar_client.get(link).content.decode())) == sorted(expected)
    assert _csv_ids(radar_client.get(export)) == expected


def test_a_bucket_export_is_recorded_like_other_exports(radar_client, radar_world):
    from contracts_ui.models import AuditAction, AuditEvent

    _, _, export = _bucket(radar_client.get(_url()).content.decode(), "expired")
    response = radar_client.get(export)
    assert "no-store" in response["Cache-Control"]
    assert re.search(
        r'filename="expiry-radar-expired-radar-holdings-[\d-]+-\d{8}T\d{6}Z\.csv"',
        response["Content-Disposition"],
    )
    assert len(_csv_ids(response)) == 2
    event = AuditEvent.objects.select_related("outcome").get()
    assert event.action == AuditAction.EXPORT
    assert event.request_sent["bucket"] == "expired"
    assert event.outcome.message == "2 rows written"


def test_an_unknown_bucket_or_organization_is_refused(radar_client, radar_world):
    bucket = reverse(
        "contracts_ui:radar-bucket", kwargs={"account_id": RADAR_ACCOUNT, "bucket": "91-120"}
    )
    assert radar_client.get(bucket).status_code == 404
    html = radar_client.get(_url(organization="f" * 24)).content.decode()
    assert "field--invalid" in html
    # What cannot be an organization id never reaches fabric.
    assert "field--invalid" in radar_client.get(_url(organization="../x")).content.decode()
    for name in ("contracts_ui:radar-bucket", "contracts_ui:radar-bucket-export"):
        url = reverse(name, kwargs={"account_id": RADAR_ACCOUNT, "bucket": "0-30"})
        assert radar_client.get(url, {"organization": "../x"}).status_code == 404
