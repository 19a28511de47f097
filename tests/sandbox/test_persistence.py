"""The database file survives a restart: records and issued tokens are still there."""

from fabric_sandbox.testing import SandboxServer
from tests.sandbox.helpers import Tenant


def test_records_and_tokens_survive_a_restart(tmp_path):
    db_path = tmp_path / "kept.sqlite3"
    with SandboxServer(db_path=db_path) as first:
        tenant = Tenant.create(first)
        organization = tenant.organization(name="Persistent Parts Ltd")
        contract = tenant.contract(organization["_id"], contractId="C-KEEP-01", priceListId=None)

    with SandboxServer(db_path=db_path) as second:
        tenant.server = second
        found = tenant.call("GET", f"/organizations/{organization['_id']}/contracts/C-KEEP-01")
        organizations = tenant.call("GET", "/organizations").json

    assert db_path.exists()
    assert found.status == 200
    assert found.json["_id"] == contract["_id"]
    assert found.json["updatedAt"] == contract["updatedAt"]
    assert [item["name"] for item in organizations["data"]] == ["Persistent Parts Ltd"]


def test_a_temporary_database_is_removed_on_exit():
    with SandboxServer() as server:
        database = server.database
        assert database is not None
        assert database.exists()

    assert not database.exists()
    assert server.database is None
