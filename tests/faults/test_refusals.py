"""fabric refusing: an expired token (renewed once), credentials rejected for good, access
forbidden, and a contract deleted while its edit form was open."""

from contracts_ui.models import AuditEvent, AuditOutcomeKind
from tests.conftest import fabric_headers
from tests.faults.conftest import TOKEN_PATH

CREDENTIALS_REJECTED = "fabric credentials rejected for this account"
FORBIDDEN = "fabric refused access to this account"
GONE = "fabric has no such record (or it was deleted)."


class TestAnExpiredToken:
    def test_is_renewed_once_and_the_page_loads(self, console):
        assert console.contract_page().status == 200
        console.sandbox.admin.expire_tokens()
        console.sandbox.admin.clear_requests()
        page = console.contract_page()
        assert page.status == 200
        assert [entry["status"] for entry in console.requests("GET")] == [401, 200]
        assert console.count("POST", TOKEN_PATH) == 1

    def test_is_renewed_once_and_the_write_succeeds(self, console):
        form = console.open_status_form()
        console.sandbox.admin.clear_requests()
        # fabric answers 401 before acting, so the one write is sent again with the new token.
        console.sandbox.admin.add_fault(method="PUT", path=console.contract_id, status=401, times=1)
        page = console.save_status(form)
        assert page.status == 200
        assert "Saved" in page.text
        assert [entry["status"] for entry in console.requests("PUT")] == [401, 200]
        assert console.count("POST", TOKEN_PATH) == 1
        assert AuditEvent.objects.get().outcome.outcome == AuditOutcomeKind.SUCCEEDED


class TestCredentialsRejectedAfterRenewal:
    def test_the_page_says_so(self, console):
        console.sandbox.admin.add_fault(method="GET", path=console.contract_id, status=401)
        page = console.contract_page()
        assert page.status == 502
        assert CREDENTIALS_REJECTED in page.text
        assert console.count("GET") == 2
        assert console.count("POST", TOKEN_PATH) == 2  # the first token, then one renewal
        assert AuditEvent.objects.count() == 0

    def test_the_write_is_recorded_as_rejected(self, console):
        form = console.open_status_form()
        console.sandbox.admin.clear_requests()
        console.sandbox.admin.add_fault(method="PUT", path=console.contract_id, status=401)
        page = console.save_status(form)
        assert page.status == 502
        assert CREDENTIALS_REJECTED in page.text
        assert console.count("PUT") == 2
        event = AuditEvent.objects.get()
        assert event.outcome.outcome == AuditOutcomeKind.REJECTED
        assert event.outcome.fabric_status == 401
        assert console.stored_status() == "DRAFT"


class TestForbidden:
    def test_the_page_says_so_without_retrying(self, console):
        console.sandbox.admin.add_fault(method="GET", path=console.contract_id, status=403)
        page = console.contract_page()
        assert page.status == 502
        assert FORBIDDEN in page.text
        assert console.count("GET") == 1

    def test_the_write_is_recorded_as_rejected(self, console):
        form = console.open_status_form()
        console.sandbox.admin.clear_requests()
        console.sandbox.admin.add_fault(method="PUT", path=console.contract_id, status=403)
        page = console.save_status(form)
        assert page.status == 502
        assert FORBIDDEN in page.text
        assert console.count("PUT") == 1
        assert AuditEvent.objects.get().outcome.outcome == AuditOutcomeKind.REJECTED


class TestAContractDeletedWhileItsFormIsOpen:
    def delete_in_fabric(self, console):
        response = console.sandbox.call(
            "DELETE",
            f"/data-customer/v1/organizations/{console.contract['partyId']}/contracts/"
            f"{console.contract_id}",
            headers=fabric_headers(console.sandbox),
        )
        assert response.status == 200

    def test_saving_says_it_is_gone_and_sends_no_write(self, console):
        form = console.open_status_form()
        self.delete_in_fabric(console)
        console.sandbox.admin.clear_requests()
        page = console.save_status(form)
        assert page.status == 404
        assert GONE in page.text
        # The re-read found it gone, so no write was attempted and none is recorded.
        assert console.count("GET") == 1
        assert console.count("PUT") == 0
        assert AuditEvent.objects.count() == 0

    def test_deleted_between_the_re_read_and_the_write_is_recorded_as_rejected(self, console):
        form = console.open_status_form()
        console.sandbox.admin.clear_requests()
        # fabric's answer when the contract goes between the console's re-read and its write.
        console.sandbox.admin.add_fault(method="PUT", path=console.contract_id, status=404)
        page = console.save_status(form)
        assert page.status == 404
        assert GONE in page.text
        assert console.count("PUT") == 1
        event = AuditEvent.objects.get()
        assert event.outcome.outcome == AuditOutcomeKind.REJECTED
        assert event.outcome.fabric_status == 404
