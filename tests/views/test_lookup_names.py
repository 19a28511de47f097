"""The account-wide lookup names each contract's organization, for people rather than machines."""

from django.urls import reverse

from tests.conftest import create_contract


def test_lookup_rows_show_the_organization_by_name(viewer_client, console_world, sandbox):
    organization = console_world.fabric.organization_a
    contract = create_contract(sandbox, organization["_id"], contractId="NAMED-LOOKUP-1")
    url = reverse(
        "contracts_ui:contract-lookup", kwargs={"account_id": console_world.account_a.account_id}
    )

    # The whole id: a fabric without the account-wide list finds whole ids only.
    body = viewer_client.get(url, {"q": "NAMED-LOOKUP-1"}).content.decode()

    row = body[body.index(f'id="contract-row-{contract["_id"]}"') :]
    row = row[: row.index("</tr>")]
    assert f">{organization['name']}</a>" in row
    assert f">{organization['_id']}</a>" not in row
