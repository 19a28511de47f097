"""Checking a fabric account's connection (the `fabric_doctor` command and the admin action):
run the doctor, keep what it found on the account, and record its optional write in the ledger."""

from contracts_ui import audit
from contracts_ui.fabric import patch_contract
from contracts_ui.fabric.doctor import Report, diagnose
from contracts_ui.fabric.types import Contract
from contracts_ui.models import AuditAction, FabricAccount


def check_connection(
    account: FabricAccount, *, actor: audit.Actor, write_contract: str | None = None
) -> Report:
    """Diagnose `account`'s fabric and store the capabilities found on it.

    With `write_contract` (a business contractId), also PATCH that contract with the status it
    already has: a real write that changes nothing but fabric's updatedAt, audited like any other.
    """

    def no_op_patch(contract: Contract) -> Contract:
        body = {"status": contract.status}
        return audit.audited_write(
            actor=actor,
            account_id=account.account_id,
            action=AuditAction.CHANGE_STATUS,
            summary=f"Connection check: status of {contract.contract_id} sent back unchanged",
            request_sent={"method": "PATCH", "operation": "patch_contract", "body": body},
            perform=lambda request_id: patch_contract(
                tenant,
                organization_id=contract.party_id or "",
                business_contract_id=contract.contract_id,
                changes=body,
                request_id=request_id,
            ),
            state_of=lambda written: written.raw,
            organization_id=contract.party_id or "",
            contract_ref=contract.id,
            contract_id=contract.contract_id,
            state_before=contract.raw,
            compare_before=contract.editable_state(),
            compare_after=lambda written: written.editable_state(),
        )

    tenant = account.tenant()
    report = diagnose(tenant, write_contract=write_contract, write=no_op_patch)
    account.capabilities = report.capabilities
    account.save(update_fields=["capabilities"])
    return report
