"""The expiry radar over a dedicated account: buckets at their edges, lists, and who may see it."""

import re
from datetime import UTC, date, datetime

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


def _url() -> str:
    return reverse("contracts_ui:expiry-radar", kwargs={"account_id": RADAR_ACCOUNT})


def _bucket_count(html: str, bucket: str) -> int:
    match = re.search(
        rf'data-bucket="{bucket}"><span class="radar-bucket__count">(\d+)</span>', html
    )
    return int(match.group(1))


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
