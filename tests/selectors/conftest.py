"""The tenant a selector reads with, and an organization of the test's own."""

import pytest

from contracts_ui.fabric.types import FabricTenant


@pytest.fixture
def tenant(console_world) -> FabricTenant:
    return console_world.account_a.tenant()


@pytest.fixture
def organization(sandbox, console_world) -> dict:
    """An organization no other test writes to, so its lists hold only this test's contracts."""
    return sandbox.admin.create_organization(
        console_world.account_a.account_id, name="Selector Supplies", email="s@example.com"
    )
