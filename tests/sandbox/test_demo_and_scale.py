"""`seed-demo` (deterministic, idempotent) and `large-org` (many contracts, quickly)."""

import json
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from fabric_sandbox.bulk import BIG_INSERT
from fabric_sandbox.testing import SandboxServer
from tests.sandbox.helpers import Tenant

# Each test runs the stand-in's command line in a new process, some of them twice.
pytestmark = pytest.mark.slow

ACME, GLOBEX = "6182aeb6c67c61932b38c38b", "5f1e0c2ab8d4e93a7c6b1d20"


def run(*args: str) -> dict:
    done = subprocess.run(  # noqa: S603 (our own interpreter and module)
        [sys.executable, "-m", "fabric_sandbox", *args],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    return json.loads(done.stdout)


def dump(db: Path) -> list[str]:
    with sqlite3.connect(db) as conn:
        return list(conn.iterdump())


def test_seed_demo_is_idempotent(tmp_path):
    db = tmp_path / "demo.sqlite3"

    first = run("seed-demo", "--db", str(db), "--out", str(tmp_path))
    secrets = (tmp_path / "demo-secrets.env").read_text()
    before = dump(db)
    second = run("seed-demo", "--db", str(db), "--out", str(tmp_path))

    assert first["seeded"] is True
    assert second["seeded"] is False
    assert dump(db) == before
    assert (tmp_path / "demo-secrets.env").read_text() == secrets


def test_seed_demo_is_deterministic(tmp_path):
    tables = (
        "organizations",
        "contracts",
        "contract_price_lists",
        "price_lists",
        "internal_parties",
        "internal_party_links",
    )
    results = []
    for name in ("one", "two"):
        run("seed-demo", "--db", str(tmp_path / f"{name}.sqlite3"), "--out", str(tmp_path / name))
        with sqlite3.connect(tmp_path / f"{name}.sqlite3") as conn:
            results.append(
                {
                    table: conn.execute(f"SELECT * FROM {table} ORDER BY id").fetchall()  # noqa: S608
                    for table in tables
                }
            )

    assert results[0] == results[1]


def test_seed_demo_writes_the_manifest_and_secrets(tmp_path):
    run("seed-demo", "--db", str(tmp_path / "demo.sqlite3"), "--out", str(tmp_path))

    manifest = json.loads((tmp_path / "demo-accounts.json").read_text())
    secrets = dict(
        line.split("=", 1) for line in (tmp_path / "demo-secrets.env").read_text().splitlines()
    )

    assert manifest == [
        {
            "account": ACME,
            "name": "Acme Industrial Supply",
            "client_id": "acme-console",
            "secret_env": "FABRIC_SECRET_ACME",
            "stage": "production",
            "channel": 12,
        },
        {
            "account": GLOBEX,
            "name": "Globex Retail Group",
            "client_id": "globex-console",
            "secret_env": "FABRIC_SECRET_GLOBEX",
            "stage": "production",
            "channel": 12,
        },
    ]
    assert set(secrets) == {"FABRIC_SECRET_ACME", "FABRIC_SECRET_GLOBEX"}
    assert all(len(secret) >= 24 for secret in secrets.values())


def test_the_demo_data_is_served(tmp_path):
    db = tmp_path / "demo.sqlite3"
    run("seed-demo", "--db", str(db), "--out", str(tmp_path))
    secrets = dict(
        line.split("=", 1) for line in (tmp_path / "demo-secrets.env").read_text().splitlines()
    )

    with SandboxServer(db_path=db) as server:
        acme = Tenant(
            server, ACME, "acme-console", secrets["FABRIC_SECRET_ACME"],
            server.token("acme-console", secrets["FABRIC_SECRET_ACME"]),
        )  # fmt: skip
        organizations = acme.call("GET", "/organizations", params={"limit": 100}).json
        contracts = acme.call("GET", "/contracts", params={"limit": 100}).json
        expiring = acme.call(
            "GET", "/contracts", params={"endDateFrom": "1970-01-01", "endDateTo": "2999-12-31"}
        ).json
        string_ids = [c for c in contracts["data"] if isinstance(c["contractId"], str)]
        price_list = server.call("GET", "/api-offers/price-list/100000", headers=acme.headers())
        parties = acme.call("GET", "/internal-parties").json

    with sqlite3.connect(db) as conn:
        totals = dict(
            conn.execute(
                "SELECT status, COUNT(*) FROM contracts WHERE is_deleted = 0 GROUP BY status"
            ).fetchall()
        )
        deleted = conn.execute("SELECT COUNT(*) FROM contracts WHERE is_deleted = 1").fetchone()[0]
        organization_total = conn.execute("SELECT COUNT(*) FROM organizations").fetchone()[0]
    assert organization_total >= 12
    assert organizations["query"]["count"] >= 6
    assert contracts["query"]["count"] >= 200
    assert expiring["query"]["count"] == contracts["query"]["count"]
    assert set(totals) == {"ACTIVE", "DRAFT", "INACTIVE"}
    assert sum(totals.values()) + deleted >= 300
    assert deleted > 0
    assert string_ids
    assert price_list.status == 200
    assert parties["query"]["count"] == 5


def test_large_org_generates_many_contracts(tmp_path):
    # BIG_INSERT is the smallest size that takes the bulk path (indexes dropped and rebuilt);
    # the benchmark runs the command at 100,000 (benchmarks/scenarios.py: large_org_command).
    db = tmp_path / "large.sqlite3"

    created = run("large-org", "--db", str(db), "--account", ACME, "--contracts", str(BIG_INSERT))

    with SandboxServer(db_path=db) as server:
        server.admin.create_account(account=ACME, name="Acme", client_id="big", client_secret="s")
        tenant = Tenant(server, ACME, "big", "s", server.token("big", "s"))
        path = f"/organizations/{created['organizationId']}/contracts"
        last_page = tenant.call(
            "GET", path, params={"offset": BIG_INSERT - 10, "sortBy": "contractId"}
        ).json
        drafts = tenant.call("GET", path, params={"status": "DRAFT"}).json

    assert created["contracts"] == BIG_INSERT
    assert last_page["query"]["count"] == BIG_INSERT
    assert len(last_page["data"]) == 10
    assert 0 < drafts["query"]["count"] < BIG_INSERT
