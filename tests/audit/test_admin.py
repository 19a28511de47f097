"""The ledger in Django's admin: superusers may read it, nobody may add, change or delete."""

import pytest
from django.urls import reverse

from contracts_ui.models import AuditEvent, AuditOutcome
from tests.audit.conftest import record


@pytest.fixture
def admin_client(client, django_user_model):
    client.force_login(django_user_model.objects.create_superuser("root", password="pw-root-1"))
    return client


@pytest.fixture
def event(ledger_user) -> AuditEvent:
    record(ledger_user, outcome=None)
    return record(ledger_user, summary="visible in the admin")


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
