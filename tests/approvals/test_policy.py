"""The approval policy of a fabric account: which changes it holds, and where admins set it."""

from django.urls import reverse

from contracts_ui.approvals import Policy


def test_by_default_nothing_waits(console_world):
    policy = Policy.of(console_world.account_a)
    assert not policy.active
    assert not policy.covers_edit({"status": "INACTIVE", "priceListId": None})
    assert not policy.covers_delete()
    assert not policy.covers_bulk(5000)


def test_each_rule_holds_only_its_change():
    deactivation = Policy(deactivation=True)
    assert deactivation.covers_edit({"status": "INACTIVE"})
    assert not deactivation.covers_edit({"status": "DRAFT"})
    assert not deactivation.covers_edit({"endDate": "2027-01-01T00:00:00.000Z"})
    assert not deactivation.covers_delete()

    price_list = Policy(price_list=True)
    assert price_list.covers_edit({"priceListId": 100001})
    assert price_list.covers_edit({"priceListId": None})  # removing the link
    assert not price_list.covers_edit({"status": "INACTIVE"})

    assert Policy(delete=True).covers_delete()
    bulk = Policy(bulk_over=10)
    assert not bulk.covers_bulk(10)
    assert bulk.covers_bulk(11)
    assert bulk.active


def test_every_change_holds_every_edit_delete_and_bulk_job():
    policy = Policy(every_change=True)
    assert policy.covers_edit({"contractType": "SPOT"})
    assert not policy.covers_edit({})  # a save that changes nothing writes nothing anyway
    assert policy.covers_delete()
    assert policy.covers_bulk(1)
    assert policy.describe() == ["every edit, soft delete and bulk job"]


def test_admins_set_the_policy_on_the_account(client, console_world):
    client.force_login(console_world.superuser)
    url = reverse("admin:contracts_ui_fabricaccount_change", args=[console_world.account_a.pk])
    page = client.get(url).content.decode()
    assert "Approval policy" in page
    for field in (
        "approve_deactivation",
        "approve_price_list",
        "approve_delete",
        "approve_bulk_over",
        "approve_every_change",
    ):
        assert f'name="{field}"' in page
