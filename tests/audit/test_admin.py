"""The ledger in Django's admin: read only, and only the records of accounts the user holds a
grant on, as in the console (superusers too); nobody may add, change or delete."""

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from contracts_ui.models import AccountGrant, AuditEvent, AuditOutcome, FabricAccount
from tests.audit.conftest import record
from tests.conftest import ACCOUNT_A, ACCOUNT_B


def _account(account_id: str, name: str) -> FabricAccount:
    return FabricAccount.objects.create(
        account_id=account_id, name=name, client_id="id", client_secret_ref="env:UNUSED"
    )


@pytest.fixture
def admin_client(client, django_user_model):
    """A superuser with a grant on account A, as the console asks of superusers too."""
    root = django_user_model.objects.create_superuser("root", password="pw-root-1")
    AccountGrant.objects.create(account=_account(ACCOUNT_A, "Acme"), user=root)
    client.force_login(root)
    return client


@pytest.fixture
def event(ledger_user) -> AuditEvent:
    record(ledger_user, outcome=None)
    return record(ledger_user, summary="visible in the admin")


@pytest.fixture
def other_account_event(ledger_user) -> AuditEvent:
    return record(ledger_user, account_id=ACCOUNT_B, summary="account B's business")


def _records(event: AuditEvent) -> list[AuditEvent | AuditOutcome]:
    return [event, event.outcome]


def _admin_url(ledger_record: AuditEvent | AuditOutcome, view: str, *args) -> str:
    opts = ledger_record._meta
    return reverse(f"admin:{opts.app_label}_{opts.model_name}_{view}", args=args)


def test_a_superuser_reads_the_lists_and_the_records(admin_client, event):
    for ledger_record in _records(event):
        assert admin_client.get(_admin_url(ledger_record, "changelist")).status_code == 200
        detail = admin_client.get(_admin_url(ledger_record, "change", ledger_record.pk))
        assert detail.status_code == 200
        assert "DRAFT" in detail.content.decode()


def test_nobody_adds_or_deletes_records(admin_client, event):
    for ledger_record in _records(event):
        assert admin_client.get(_admin_url(ledger_record, "add")).status_code == 403
        delete = _admin_url(ledger_record, "delete", ledger_record.pk)
        assert admin_client.post(delete, {"post": "yes"}).status_code == 403
        assert type(ledger_record).objects.filter(pk=ledger_record.pk).exists()


def test_a_posted_change_is_refused(admin_client, event):
    url = _admin_url(event, "change", event.pk)
    assert admin_client.post(url, {"summary": "rewritten"}).status_code == 403
    assert AuditEvent.objects.get(pk=event.pk).summary == "visible in the admin"


def test_the_list_offers_no_bulk_actions(admin_client, event):
    html = admin_client.get(_admin_url(event, "changelist")).content.decode()
    assert 'name="action"' not in html
    assert "Outcome unknown (no answer recorded)" in html


def test_a_superuser_sees_only_the_accounts_they_hold_a_grant_on(admin_client, other_account_event):
    for ledger_record in _records(other_account_event):
        listing = admin_client.get(_admin_url(ledger_record, "changelist"))
        assert listing.context["cl"].result_count == 0
        assert "account B&#x27;s business" not in listing.content.decode()
        change = admin_client.get(_admin_url(ledger_record, "change", ledger_record.pk))
        assert change.status_code == 404


def test_staff_with_view_permissions_and_no_grant_see_no_record(
    client, django_user_model, event, other_account_event
):
    staff = django_user_model.objects.create_user("auditor", password="pw-auditor-1", is_staff=True)
    staff.user_permissions.set(
        Permission.objects.filter(codename__in=["view_auditevent", "view_auditoutcome"])
    )
    _account(ACCOUNT_B, "Globex")
    client.force_login(staff)
    for ledger_record in [*_records(event), *_records(other_account_event)]:
        listing = client.get(_admin_url(ledger_record, "changelist"))
        assert listing.status_code == 200
        assert listing.context["cl"].result_count == 0
        assert "DRAFT" not in listing.content.decode()
        for view in ("change", "history"):
            page = client.get(_admin_url(ledger_record, view, ledger_record.pk))
            assert page.status_code == 404, view
            assert "DRAFT" not in page.content.decode()
