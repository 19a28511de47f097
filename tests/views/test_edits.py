"""Editing contracts through the console, checked against what the stand-in then stores."""

import html
import json
import re

import pytest
from django.urls import reverse

from contracts_ui import locks, services
from contracts_ui.models import AuditEvent, AuditOutcomeKind
from tests.conftest import create_contract, fabric_headers
from tests.services.meanwhile import changed_during_the_write

WRITES = r"/contracts(/[^/]+)?$"  # POST create, PUT, PATCH and DELETE on contracts
HTMX = {"HX-Request": "true"}


@pytest.fixture
def contract(sandbox, console_world):
    """A fresh contract per test, so tests never see each other's edits."""
    return create_contract(
        sandbox,
        console_world.fabric.organization_a["_id"],
        contractType="TYPE-A",
        status="DRAFT",
        startDate="2026-01-01T00:00:00.000Z",
        endDate="2026-12-31T00:00:00.000Z",
    )


def stored(sandbox, contract) -> dict:
    """The contract as the stand-in holds it now."""
    path = f"/data-customer/v1/organizations/{contract['partyId']}/contracts/{contract['_id']}"
    response = sandbox.call("GET", path, headers=fabric_headers(sandbox))
    assert response.status == 200
    return response.json


def edit_url(world, contract, section: str) -> str:
    return reverse(
        "contracts_ui:contract-edit",
        kwargs={
            "account_id": world.account_a.account_id,
            "organization_id": contract["partyId"],
            "contract_id": contract["_id"],
            "section": section,
        },
    )


def open_form(client, url: str) -> dict[str, str]:
    """GET an edit form and return its hidden fields, as a browser would submit them."""
    response = client.get(url, headers=HTMX)
    assert response.status_code == 200
    page = response.content.decode()
    return {
        name: html.unescape(value)
        for name, value in re.findall(r'type="hidden" name="(\w+)" value="([^"]*)"', page)
        if name != "csrfmiddlewaretoken"
    }


def write_count(sandbox) -> int:
    return sum(
        sandbox.admin.request_count(method=method, path=WRITES)
        for method in ("POST", "PUT", "PATCH", "DELETE")
    )


@pytest.mark.parametrize("htmx", [True, False], ids=["htmx", "plain-post"])
class TestEachEditReachesFabric:
    def post(self, client, url, data, htmx):
        return client.post(url, data, headers=HTMX if htmx else {})

    def check(self, response, htmx, section):
        if htmx:
            assert response.status_code == 200
            body = response.content.decode()
            assert "<html" not in body
            assert f'id="row-{section}"' in body
            assert "Saved" in body
            assert "contract-changed" in json.loads(response.headers["HX-Trigger"])
        else:
            assert response.status_code == 302

    def test_dates(self, editor_client, console_world, contract, sandbox, htmx):
        url = edit_url(console_world, contract, "dates")
        data = open_form(editor_client, url) | {
            "start_date": "2026-02-01",
            "end_date": "2027-01-31",
        }
        self.check(self.post(editor_client, url, data, htmx), htmx, "dates")
        after = stored(sandbox, contract)
        assert after["startDate"] == "2026-02-01T00:00:00.000Z"
        assert after["endDate"] == "2027-01-31T00:00:00.000Z"

    def test_status(self, editor_client, console_world, contract, sandbox, htmx):
        url = edit_url(console_world, contract, "status")
        data = open_form(editor_client, url) | {"status": "ACTIVE"}
        self.check(self.post(editor_client, url, data, htmx), htmx, "status")
        assert stored(sandbox, contract)["status"] == "ACTIVE"

    def test_price_list_link_replace_and_remove(
        self, editor_client, console_world, contract, sandbox, htmx
    ):
        url = edit_url(console_world, contract, "price-list")
        for price_list_id, expected in (("100000", [100000]), ("100001", [100001]), ("", [])):
            data = open_form(editor_client, url) | {"price_list_id": price_list_id}
            self.check(self.post(editor_client, url, data, htmx), htmx, "price-list")
            links = stored(sandbox, contract)["priceLists"]
            assert [link["priceListId"] for link in links] == expected

    def test_flags_go_through_patch(self, editor_client, console_world, contract, sandbox, htmx):
        url = edit_url(console_world, contract, "flags")
        data = open_form(editor_client, url) | {"on_contract": "on", "promotion_stacking": "on"}
        self.check(self.post(editor_client, url, data, htmx), htmx, "flags")
        after = stored(sandbox, contract)
        assert after["onContract"] is True
        assert after["promotionStacking"] is True
        # Seed 002 addresses PATCH by the business contractId, not fabric's _id.
        business_id = f"/{contract['contractId']}$"
        assert sandbox.admin.request_count(method="PATCH", path=business_id) == 1
        assert sandbox.admin.request_count(method="PATCH", path=contract["_id"]) == 0

    def test_type_and_attributes(self, editor_client, console_world, contract, sandbox, htmx):
        url = edit_url(console_world, contract, "details")
        data = open_form(editor_client, url) | {
            "contract_type": "VOLUME",
            "additional_attributes": '{"region": "north", "tier": 2}',
        }
        self.check(self.post(editor_client, url, data, htmx), htmx, "details")
        after = stored(sandbox, contract)
        assert after["contractType"] == "VOLUME"
        assert after["additionalAttributes"] == {"region": "north", "tier": 2}


def test_a_contract_is_created_deleted_and_restored(editor_client, console_world, sandbox):
    organization_id = console_world.fabric.organization_a["_id"]
    kwargs = {"account_id": console_world.account_a.account_id, "organization_id": organization_id}
    create_url = reverse("contracts_ui:contract-create", kwargs=kwargs)
    page = editor_client.get(create_url).content.decode()
    token = re.search(r'name="submission" value="([^"]+)"', page).group(1)
    response = editor_client.post(
        create_url,
        {
            "contract_id": "C-NEW-2026-001",
            "contract_type": "FRAMEWORK",
            "status": "ACTIVE",
            "start_date": "2026-03-01",
            "end_date": "2027-02-28",
            "price_list_id": "100000",
            "additional_attributes": '{"owner": "alice"}',
            "submission": token,
        },
    )
    assert response.status_code == 302
    created_id = response.url.rstrip("/").split("/")[-1]
    contract = {"_id": created_id, "partyId": organization_id}
    after = stored(sandbox, contract)
    assert after["contractId"] == "C-NEW-2026-001"
    assert after["status"] == "ACTIVE"
    assert [link["priceListId"] for link in after["priceLists"]] == [100000]

    contract_kwargs = {**kwargs, "contract_id": created_id}
    delete_url = reverse("contracts_ui:contract-delete", kwargs=contract_kwargs)
    assert "Delete contract" in editor_client.get(delete_url).content.decode()
    assert editor_client.post(delete_url).status_code == 302
    path = f"/data-customer/v1/organizations/{organization_id}/contracts/{created_id}"
    assert sandbox.call("GET", path, headers=fabric_headers(sandbox)).status == 404

    restore_url = reverse("contracts_ui:contract-restore", kwargs=contract_kwargs)
    assert editor_client.post(restore_url).status_code == 302
    assert stored(sandbox, contract)["isDeleted"] is False
    actions = list(AuditEvent.objects.order_by("id").values_list("action", flat=True))
    assert actions == ["contract.create", "contract.delete", "contract.restore"]


@pytest.mark.undocumented("checks the links through GET /v1/internalParties-party")
def test_an_internal_party_is_linked_and_unlinked(editor_client, console_world, sandbox):
    organization = console_world.fabric.other_organization_a
    internal_party = console_world.fabric.internal_party
    kwargs = {
        "account_id": console_world.account_a.account_id,
        "organization_id": organization["_id"],
    }
    link_url = reverse("contracts_ui:internal-party-link", kwargs=kwargs)
    response = editor_client.post(link_url, {"internal_party_id": internal_party["_id"]})
    assert response.status_code == 302
    page = editor_client.get(response.url).content.decode()
    assert "Key Accounts North" in page

    unlink_url = reverse(
        "contracts_ui:internal-party-unlink",
        kwargs={**kwargs, "internal_party_id": internal_party["_id"]},
    )
    assert editor_client.post(unlink_url).status_code == 302
    links = sandbox.call(
        "GET",
        f"/data-customer/v1/internalParties-party?partyId={organization['_id']}",
        headers=fabric_headers(sandbox),
    ).json
    assert all(link["isDeleted"] for link in links.get("data", links))
    assert AuditEvent.objects.filter(action__startswith="party.").count() == 2


@pytest.mark.parametrize(
    ("section", "fields", "field", "message"),
    [
        (
            "dates",
            {"start_date": "2026-05-01", "end_date": "2026-04-01"},
            "end_date",
            "after the start",
        ),
        (
            "dates",
            {"start_date": "2026-05-01", "end_date": "2026-05-01"},
            "end_date",
            "after the start",
        ),
        (
            "dates",
            {"start_date": "not-a-date", "end_date": "2026-04-01"},
            "start_date",
            "valid date",
        ),
        ("status", {"status": "ARCHIVED"}, "status", "Select a valid choice"),
        ("price-list", {"price_list_id": "12.5"}, "price_list_id", "type its id (a number)"),
        ("price-list", {"price_list_id": "0"}, "price_list_id", "greater than or equal to 1"),
        ("price-list", {"price_list_id": "999999"}, "price_list_id", "no price list #999999"),
        (
            "details",
            {"contract_type": "X", "additional_attributes": "{oops"},
            "additional_attributes",
            "Not valid JSON",
        ),
        (
            "details",
            {"contract_type": "X", "additional_attributes": "[1, 2]"},
            "additional_attributes",
            "JSON object",
        ),
    ],
)
def test_bad_input_is_a_field_error_and_nothing_is_written(
    editor_client, console_world, contract, sandbox, section, fields, field, message
):
    url = edit_url(console_world, contract, section)
    data = open_form(editor_client, url) | fields
    sandbox.admin.clear_requests()
    response = editor_client.post(url, data, headers=HTMX)
    assert response.status_code == 422
    body = response.content.decode()
    assert f'id="id_{field}_error"' in body
    assert message.lower() in html.unescape(body).lower()
    assert write_count(sandbox) == 0
    assert AuditEvent.objects.count() == 0


def test_a_tampered_form_is_refused(editor_client, console_world, contract, sandbox):
    url = edit_url(console_world, contract, "status")
    data = open_form(editor_client, url) | {"status": "ACTIVE", "seen": "forged"}
    sandbox.admin.clear_requests()
    response = editor_client.post(url, data, headers=HTMX)
    assert response.status_code == 422
    assert "out of date" in response.content.decode()
    assert write_count(sandbox) == 0


def test_a_double_submission_sends_one_write(editor_client, console_world, contract, sandbox):
    url = edit_url(console_world, contract, "status")
    data = open_form(editor_client, url) | {"status": "ACTIVE"}
    sandbox.admin.clear_requests()
    assert editor_client.post(url, data, headers=HTMX).status_code == 200
    second = editor_client.post(url, data, headers=HTMX)
    assert second.status_code == 409
    assert "already sent" in second.content.decode()
    assert write_count(sandbox) == 1
    assert AuditEvent.objects.count() == 1


def test_a_concurrent_change_is_shown_not_overwritten(
    editor_client, console_world, contract, sandbox
):
    url = edit_url(console_world, contract, "status")
    data = open_form(editor_client, url) | {"status": "INACTIVE"}
    path = f"/data-customer/v1/organizations/{contract['partyId']}/contracts/{contract['_id']}"
    theirs = sandbox.call(
        "PUT",
        path,
        headers=fabric_headers(sandbox),
        json={"status": "ACTIVE", "contractType": "SPOT"},
    )
    assert theirs.status == 200

    response = editor_client.post(url, data, headers=HTMX)
    assert response.status_code == 409
    body = response.content.decode()
    assert "Someone changed this contract" in body
    assert "SPOT" in body  # their change, shown
    assert stored(sandbox, contract)["status"] == "ACTIVE"  # not overwritten
    assert AuditEvent.objects.count() == 0

    # Re-apply on top of the current state: the conflict view carries a fresh form.
    fresh = {
        name: html.unescape(value)
        for name, value in re.findall(r'type="hidden" name="(\w+)" value="([^"]*)"', body)
        if name != "csrfmiddlewaretoken"
    }
    again = editor_client.post(url, fresh | {"status": "INACTIVE"}, headers=HTMX)
    assert again.status_code == 200
    after = stored(sandbox, contract)
    assert after["status"] == "INACTIVE"
    assert after["contractType"] == "SPOT"


class TestTheLedgerUnderFaults:
    def attempt(self, client, world, contract, sandbox, **fault):
        url = edit_url(world, contract, "status")
        # Always a real change, whatever earlier attempts left in fabric.
        target = "INACTIVE" if stored(sandbox, contract)["status"] == "ACTIVE" else "ACTIVE"
        data = open_form(client, url) | {"status": target}
        sandbox.admin.clear_requests()
        if fault:
            sandbox.admin.add_fault(method="PUT", path=contract["_id"], **fault)
        return client.post(url, data, headers=HTMX)

    def test_a_success_records_before_after_and_the_diff(
        self, editor_client, console_world, contract, sandbox
    ):
        self.attempt(editor_client, console_world, contract, sandbox)
        event = AuditEvent.objects.get()
        assert event.state_before["status"] == "DRAFT"
        assert event.request_sent["body"] == {"status": "ACTIVE"}
        assert event.outcome.outcome == AuditOutcomeKind.SUCCEEDED
        assert event.outcome.state_after["status"] == "ACTIVE"
        assert event.outcome.diff["status"] == ["DRAFT", "ACTIVE"]
        assert event.username == "alice"
        assert event.contract_ref == contract["_id"]
        assert event.client_ip == "127.0.0.1"
        call = sandbox.admin.requests(method="PUT")[-1]
        assert call["request_id"] == event.request_id

    def test_a_503_is_recorded_as_failed_and_sent_once(
        self, editor_client, console_world, contract, sandbox
    ):
        response = self.attempt(editor_client, console_world, contract, sandbox, status=503)
        assert response.status_code == 503
        assert 'role="alert"' in response.content.decode()
        assert sandbox.admin.request_count(method="PUT") == 1
        event = AuditEvent.objects.get()
        assert event.outcome.outcome == AuditOutcomeKind.FAILED
        assert event.outcome.fabric_status == 503
        assert stored(sandbox, contract)["status"] == "DRAFT"

    def test_a_timeout_is_recorded_as_unknown(
        self, editor_client, console_world, contract, sandbox, settings
    ):
        settings.FABRIC_READ_TIMEOUT = 0.5
        response = self.attempt(editor_client, console_world, contract, sandbox, hang_s=2)
        assert response.status_code == 503
        assert "may or may not have been applied" in response.content.decode()
        assert sandbox.admin.request_count(method="PUT") == 1
        event = AuditEvent.objects.get()
        assert event.outcome.outcome == AuditOutcomeKind.UNKNOWN

    def test_a_rejection_records_fabrics_message(
        self, editor_client, console_world, contract, sandbox
    ):
        response = self.attempt(editor_client, console_world, contract, sandbox, status=400)
        assert response.status_code == 422
        event = AuditEvent.objects.get()
        assert event.outcome.outcome == AuditOutcomeKind.REJECTED
        assert event.outcome.fabric_status == 400
        assert event.outcome.message
        assert event.outcome.message in html.unescape(response.content.decode())

    def test_records_always_equal_write_attempts(
        self, editor_client, console_world, contract, sandbox, settings
    ):
        settings.FABRIC_READ_TIMEOUT = 0.5
        attempts = 0
        for fault in ({}, {"status": 503}, {"status": 400}, {"hang_s": 2}, {"drop": True}, {}):
            self.attempt(editor_client, console_world, contract, sandbox, **fault)
            attempts += sandbox.admin.request_count(method="PUT")
            sandbox.admin.clear_faults()
        assert AuditEvent.objects.count() == attempts == 6


def test_viewers_get_403_on_every_write(viewer_client, console_world, contract, sandbox):
    sandbox.admin.clear_requests()
    kwargs = {
        "account_id": console_world.account_a.account_id,
        "organization_id": contract["partyId"],
    }
    urls = [edit_url(console_world, contract, section) for section in ("dates", "status", "flags")]
    urls += [
        reverse("contracts_ui:contract-create", kwargs=kwargs),
        reverse("contracts_ui:contract-delete", kwargs={**kwargs, "contract_id": contract["_id"]}),
        reverse("contracts_ui:contract-restore", kwargs={**kwargs, "contract_id": contract["_id"]}),
        reverse("contracts_ui:internal-party-link", kwargs=kwargs),
    ]
    for url in urls:
        assert viewer_client.post(url, {"status": "ACTIVE"}).status_code == 403, url
        assert viewer_client.get(url).status_code in (403, 405), url
    assert write_count(sandbox) == 0
    page = viewer_client.get(
        reverse("contracts_ui:contract-detail", kwargs={**kwargs, "contract_id": contract["_id"]})
    ).content.decode()
    assert "data-edit-link" not in page
    assert "Delete…" not in page


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"contract_id": "X"}, "contract_id", "at least 2 characters"),
        ({"start_date": ""}, "start_date", "required"),
        ({"end_date": "2026-01-01"}, "end_date", "after the start"),
        ({"status": "GONE"}, "status", "valid choice"),
        ({"price_list_id": "424242"}, "price_list_id", "no price list #424242"),
        ({"additional_attributes": '"text"'}, "additional_attributes", "JSON object"),
    ],
)
def test_create_refuses_bad_input_at_the_field(
    editor_client, console_world, sandbox, fields, field, message
):
    url = reverse(
        "contracts_ui:contract-create",
        kwargs={
            "account_id": console_world.account_a.account_id,
            "organization_id": console_world.fabric.organization_a["_id"],
        },
    )
    data = {
        "contract_id": "",
        "status": "DRAFT",
        "start_date": "2026-06-01",
        "end_date": "2026-12-01",
        "submission": "token-for-this-test",
    } | fields
    sandbox.admin.clear_requests()
    response = editor_client.post(url, data)
    assert response.status_code == 422
    body = html.unescape(response.content.decode())
    assert f'id="id_{field}_error"' in body
    assert message.lower() in body.lower()
    assert write_count(sandbox) == 0


def test_a_duplicate_contract_id_is_reported_at_its_field(editor_client, console_world, sandbox):
    organization_id = console_world.fabric.organization_a["_id"]
    create_contract(sandbox, organization_id, contractId="C-DUP-0001")
    url = reverse(
        "contracts_ui:contract-create",
        kwargs={
            "account_id": console_world.account_a.account_id,
            "organization_id": organization_id,
        },
    )
    response = editor_client.post(
        url,
        {
            "contract_id": "C-DUP-0001",
            "status": "DRAFT",
            "start_date": "2026-06-01",
            "end_date": "2026-12-01",
            "submission": "token-dup",
        },
    )
    assert response.status_code == 409
    assert "already exists" in response.content.decode()
    assert AuditEvent.objects.get().outcome.outcome == AuditOutcomeKind.REJECTED


def test_a_save_costs_one_re_read_and_one_write(editor_client, console_world, contract, sandbox):
    url = edit_url(console_world, contract, "status")
    data = open_form(editor_client, url) | {"status": "ACTIVE"}
    sandbox.admin.clear_requests()
    assert editor_client.post(url, data, headers=HTMX).status_code == 200
    calls = [(call["method"], call["path"]) for call in sandbox.admin.requests()]
    contract_path = (
        f"/data-customer/v1/organizations/{contract['partyId']}/contracts/{contract['_id']}"
    )
    assert calls == [("GET", contract_path), ("PUT", contract_path)]


# A save that meets another: a change made outside the console while it was under way, or
# another save of the same contract holding it too long. Two editors saving at the same moment,
# through two console processes, are in tests/production/test_concurrent_saves.py.
OUTSIDE = "changed outside the console during this save: fields contractType"


def test_an_outside_change_during_the_save_is_shown_in_the_saved_row_and_recorded(
    editor_client, console_world, contract, sandbox
):
    url = edit_url(console_world, contract, "status")
    data = open_form(editor_client, url) | {"status": "ACTIVE"}
    with changed_during_the_write(sandbox, contract, contractType="SPOT"):
        response = editor_client.post(url, data, headers=HTMX)
    assert response.status_code == 200
    body = html.unescape(response.content.decode())
    assert f"Saved. Note: {OUTSIDE}." in body
    after = stored(sandbox, contract)
    assert (after["status"], after["contractType"]) == ("ACTIVE", "SPOT")
    outcome = AuditEvent.objects.get().outcome
    assert outcome.diff == {"status": ["DRAFT", "ACTIVE"]}
    assert outcome.message == OUTSIDE


def test_a_plain_post_says_it_on_the_contract_page(editor_client, console_world, contract, sandbox):
    url = edit_url(console_world, contract, "status")
    data = open_form(editor_client, url) | {"status": "ACTIVE"}
    with changed_during_the_write(sandbox, contract, contractType="SPOT"):
        response = editor_client.post(url, data)
    assert response.status_code == 302
    page = html.unescape(editor_client.get(response.url).content.decode())
    assert f"Note: {OUTSIDE}." in page


def test_a_save_of_a_contract_held_too_long_by_another_is_refused_at_the_form(
    editor_client, console_world, contract, sandbox, settings
):
    settings.CONTRACT_LOCK_WAIT = 0.2
    url = edit_url(console_world, contract, "status")
    data = open_form(editor_client, url) | {"status": "ACTIVE"}
    sandbox.admin.clear_requests()
    with locks.contract_lock(console_world.account_a.account_id, contract["_id"]):
        response = editor_client.post(url, data, headers=HTMX)
    assert response.status_code == 409
    body = html.unescape(response.content.decode())
    assert services.ContractBusy.MESSAGE in body
    assert 'id="row-status"' in body
    assert write_count(sandbox) == 0
    assert AuditEvent.objects.count() == 0
    # Nothing was sent, so the same form may be sent again once the other save is done.
    assert editor_client.post(url, data, headers=HTMX).status_code == 200
    assert stored(sandbox, contract)["status"] == "ACTIVE"


def test_a_delete_of_a_contract_held_too_long_by_another_is_refused_with_the_reason(
    editor_client, console_world, contract, sandbox, settings
):
    settings.CONTRACT_LOCK_WAIT = 0.2
    delete_url = reverse(
        "contracts_ui:contract-delete",
        kwargs={
            "account_id": console_world.account_a.account_id,
            "organization_id": contract["partyId"],
            "contract_id": contract["_id"],
        },
    )
    with locks.contract_lock(console_world.account_a.account_id, contract["_id"]):
        response = editor_client.post(delete_url)
    assert response.status_code == 409
    assert services.ContractBusy.MESSAGE in html.unescape(response.content.decode())
    assert stored(sandbox, contract)["isDeleted"] is False
    assert AuditEvent.objects.count() == 0
