"""Organizations prepared for the insight pages, and a dedicated account for the radar (it reads
the whole account, so other tests' contracts must not reach it)."""

import os
from datetime import UTC, date, datetime, timedelta

import pytest

from tests.conftest import ACCOUNT_A, create_contract

RADAR_ACCOUNT = "radar0insight0000000000a"
RADAR_CLIENT = ("console-test-radar", "secret-radar-for-tests-only")
RADAR_SECRET_ENV = "FABRIC_TEST_SECRET_RADAR"
# Days from today (UTC) to each ACTIVE contract's end date: the bucket edges and both sides.
RADAR_DAYS = (-40, -1, 0, 30, 31, 60, 61, 90, 91)


def utc_today() -> date:
    return datetime.now(UTC).date()


@pytest.fixture(scope="session")
def export_organization(sandbox, fabric_world):
    """250 generated contracts (more than two fabric pages) and one with a formula-like id."""
    organization = sandbox.admin.create_organization(ACCOUNT_A, name="Export Partners AG")
    sandbox.admin.bulk_contracts(ACCOUNT_A, organization["_id"], count=249, seed=7)
    create_contract(
        sandbox,
        organization["_id"],
        contractId="=SUM(1+1)-insight",
        status="ACTIVE",
        startDate="2025-02-01T00:00:00.000Z",
        endDate="2026-02-01T00:00:00.000Z",
    )
    return organization


def busy_organization_specs() -> list[tuple[str, str, str]]:
    """36 (status, start, end) contracts whose ACTIVE ones make 189 overlapping pairs: 18 that
    all overlap (153 pairs), 9 more that all overlap (36), and 9 in a row without overlap."""
    day = date(2024, 1, 1)
    specs = [("ACTIVE", day + timedelta(days=n), day + timedelta(days=730 + n)) for n in range(18)]
    later = date(2026, 6, 1)
    specs += [
        ("ACTIVE", later + timedelta(days=n), later + timedelta(days=365 + n)) for n in range(9)
    ]
    last = date(2027, 7, 1)
    specs += [
        ("ACTIVE", last + timedelta(days=40 * n), last + timedelta(days=40 * n + 30))
        for n in range(9)
    ]
    return [(status, start.isoformat(), end.isoformat()) for status, start, end in specs]


@pytest.fixture(scope="session")
def timeline_organization(sandbox, fabric_world):
    """Six contracts: A and B (ACTIVE) overlap, a gap before C, F follows C the next day (no
    gap), D (DRAFT) and E (INACTIVE) overlap others without being flagged."""
    organization = sandbox.admin.create_organization(ACCOUNT_A, name="Timeline Traders")
    specs = {
        "TL-A": ("ACTIVE", "2025-01-01", "2025-07-01"),
        "TL-B": ("ACTIVE", "2025-06-01", "2025-12-31"),
        "TL-C": ("ACTIVE", "2026-03-01", "2026-09-01"),
        "TL-D": ("DRAFT", "2025-08-01", "2026-02-01"),
        "TL-E": ("INACTIVE", "2024-01-01", "2025-03-01"),
        "TL-F": ("ACTIVE", "2026-09-02", "2027-01-01"),
    }
    contracts = {
        contract_id: create_contract(
            sandbox,
            organization["_id"],
            contractId=contract_id,
            status=status,
            startDate=start,
            endDate=end,
        )
        for contract_id, (status, start, end) in specs.items()
    }
    return organization, contracts


@pytest.fixture(scope="session")
def radar_world(sandbox, fabric_world):
    """An account of its own: ACTIVE contracts ending RADAR_DAYS from today over two
    organizations, plus a DRAFT and an INACTIVE one that the radar must ignore."""
    sandbox.admin.create_account(
        account=RADAR_ACCOUNT,
        name="Radar Holdings",
        client_id=RADAR_CLIENT[0],
        client_secret=RADAR_CLIENT[1],
    )
    os.environ[RADAR_SECRET_ENV] = RADAR_CLIENT[1]
    first = sandbox.admin.create_organization(RADAR_ACCOUNT, name="Radar North")
    second = sandbox.admin.create_organization(RADAR_ACCOUNT, name="Radar South")
    today = utc_today()
    start = (today - timedelta(days=400)).isoformat()

    headers = {
        "Authorization": f"Bearer {sandbox.token(*RADAR_CLIENT)}",
        "x-site-context": sandbox.site_context(RADAR_ACCOUNT),
    }

    def make(organization, days: int, status: str = "ACTIVE") -> dict:
        response = sandbox.call(
            "POST",
            f"/data-customer/v1/organizations/{organization['_id']}/contracts",
            headers=headers,
            json={
                "contractId": f"R-{status}-{days:+04d}",
                "status": status,
                "startDate": start,
                "endDate": (today + timedelta(days=days)).isoformat(),
            },
        )
        assert response.status == 200, response.text
        return response.json

    by_days = {
        days: make(first if index % 2 else second, days) for index, days in enumerate(RADAR_DAYS)
    }
    make(first, 10, status="DRAFT")
    make(second, -5, status="INACTIVE")
    return {"organizations": (first, second), "by_days": by_days, "today": today}


@pytest.fixture(autouse=True)
def _cold_cache(cold_cache):
    """No cached tokens, names or counts carried between tests, so fabric call counts hold."""
