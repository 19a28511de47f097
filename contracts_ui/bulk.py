"""Bulk changes of an organization's contracts: the dry run, and the application on the task queue.

The preview reads every selected contract (never writes), plans each one's before → after and
names what fabric would refuse; it is stored as a BulkJob with one BulkItem per contract. Applying
queues `apply_job` (django.tasks, run by `manage.py db_worker`), which writes each planned contract
through services.contract_edit — the same audited path, conflict check and rules as a single edit
— and commits each outcome as it completes, so a restarted worker sends no finished contract again.
"""

import calendar
import logging
import threading
from collections.abc import Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.conf import settings
from django.db import close_old_connections, connections, transaction
from django.db.models import Count, F
from django.tasks import task
from django.utils import timezone

from contracts_ui import audit, fabric, locks, selectors, services
from contracts_ui.access import AccountAccess, reachable_accounts
from contracts_ui.audit import Actor
from contracts_ui.fabric.types import Contract, FabricTenant
from contracts_ui.fabric.values import format_datetime
from contracts_ui.models import (
    AccountRole,
    BulkAction,
    BulkItem,
    BulkJob,
    BulkJobState,
    BulkOutcome,
    Proposal,
    ProposalState,
)
from contracts_ui.snapshot import Snapshot

logger = logging.getLogger(__name__)

# The fields each action changes, under fabric's names, and the edit section that writes them.
_SECTION = {
    BulkAction.EXTEND_END: "dates",
    BulkAction.SET_END: "dates",
    BulkAction.SET_STATUS: "status",
    BulkAction.SET_PRICE_LIST: "price-list",
}
_OPEN = (BulkOutcome.PLANNED, BulkOutcome.STARTED)


def add_months(day: date, months: int) -> date:
    """The same day `months` later, or the month's last day when it has fewer (31 Jan + 1 → 28
    or 29 Feb)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


@dataclass(frozen=True)
class BulkChange:
    """An action and its parameters, as the bulk form gives them."""

    action: BulkAction
    months: int | None = None
    end_date: date | None = None
    status: str | None = None
    price_list_id: int | None = None

    @classmethod
    def from_job(cls, job: BulkJob) -> "BulkChange":
        parameters = dict(job.parameters)
        if parameters.get("end_date"):
            parameters["end_date"] = date.fromisoformat(parameters["end_date"])
        return cls(action=BulkAction(job.action), **parameters)

    def parameters(self) -> dict[str, Any]:
        values = {
            "months": self.months,
            "end_date": self.end_date.isoformat() if self.end_date else None,
            "status": self.status,
            "price_list_id": self.price_list_id,
        }
        return {name: value for name, value in values.items() if value is not None}

    def describe(self) -> str:
        match self.action:
            case BulkAction.EXTEND_END:
                return f"Extend the end date by {self.months} months"
            case BulkAction.SET_END:
                return f"Set the end date to {self.end_date}"
            case BulkAction.SET_STATUS:
                return f"Set the status to {self.status}"
            case _:
                return f"Link price list #{self.price_list_id}"

    @property
    def section(self) -> services.EditSection:
        return services.EDIT_SECTIONS[_SECTION[self.action]]

    def after(self, contract: Contract) -> dict[str, Any]:
        """The fields this change sets, under fabric's names and formats (may raise Problem): a
        new end date as the write sends it (services.wire_value: at the old one's time of day),
        so the plan is what is sent."""
        ended = format_datetime(contract.end_date)
        match self.action:
            case BulkAction.EXTEND_END:
                if contract.end_date is None:
                    raise Problem("The contract has no end date to extend.")
                end = add_months(contract.end_date.date(), self.months or 0)
                return {"endDate": services.wire_value(end, ended)}
            case BulkAction.SET_END:
                return {"endDate": services.wire_value(self.end_date, ended)}
            case BulkAction.SET_STATUS:
                return {"status": self.status}
            case _:
                return {"priceListId": self.price_list_id}


class Problem(Exception):
    """Why fabric would refuse (or the console will not send) one contract's change."""


def _price_list_problem(tenant: FabricTenant, price_list_id: int) -> str:
    try:
        price_list = fabric.get_price_list(tenant, price_list_id=price_list_id)
    except fabric.FabricNotFound:
        return f"There is no price list #{price_list_id} in this account."
    if price_list.deleted:
        return f"Price list #{price_list_id} is deleted."
    if price_list.end_date and price_list.end_date < timezone.now():
        return f"Price list #{price_list_id} expired on {price_list.end_date.date()}."
    return ""


NOT_FOUND = "Deleted at fabric since it was selected (fabric no longer has it here)."
HOLDS_NUL = (
    "Its fields in fabric hold a NUL character, which the console's database cannot keep as it "
    "is: change this contract on its own page."
)


def plan_item(change: BulkChange, contract: Contract, *, selected_updated_at: str | None) -> dict:
    """One contract's row of the preview: its snapshot, before → after, and any problem."""
    snapshot = Snapshot.of(contract)
    row = {
        "contract_ref": contract.id,
        "contract_id": contract.contract_id,
        "seen": {"state": snapshot.state, "updatedAt": snapshot.updated_at},
        "planned": {},
        "problem": "",
    }
    try:
        if contract.is_deleted:
            raise Problem("The contract is soft-deleted.")
        # The `_id` the write addresses and the snapshot it is checked against must be kept
        # exactly; the contractId is only shown.
        exact = [contract.id, row["seen"]]
        if audit.storable(exact) != exact:
            raise Problem(HOLDS_NUL)
        if selected_updated_at and selected_updated_at != snapshot.updated_at:
            raise Problem("The contract changed in fabric since it was selected.")
        after = change.after(contract)
        row["planned"] = {
            field: [snapshot.state.get(field), value] for field, value in after.items()
        }
        start, end = snapshot.state.get("startDate"), after.get("endDate")
        if start and end and end[:10] < start[:10]:
            raise Problem(f"The new end date {end[:10]} is before the start date {start[:10]}.")
    except Problem as problem:
        row["problem"] = str(problem)
    return row


def plan_missing(ref: str, *, selected_updated_at: str | None) -> dict:
    """The preview's row for a ticked contract fabric no longer has."""
    return {
        "contract_ref": ref,
        "contract_id": ref,
        "seen": {"state": {}, "updatedAt": selected_updated_at},
        "planned": {},
        "problem": NOT_FOUND,
    }


def create_preview(
    *,
    access: AccountAccess,
    user,
    organization_id: str,
    change: BulkChange,
    contracts: Iterable[selectors.Selected],
    selection: str,
) -> BulkJob:
    """Plan `change` for each selected contract and store the preview. Reads only: nothing is
    sent to fabric but GETs (the price list, once). Text is stored as the ledger stores it (a
    NUL as U+FFFD), so a hostile contract id cannot fail the preview on PostgreSQL."""
    shared_problem = ""
    if change.action == BulkAction.SET_PRICE_LIST:
        shared_problem = _price_list_problem(access.tenant, change.price_list_id or 0)
    rows = []
    for selected in contracts:
        if selected.contract is None:
            row = plan_missing(selected.ref, selected_updated_at=selected.updated_at)
        else:
            row = plan_item(change, selected.contract, selected_updated_at=selected.updated_at)
        if shared_problem and not row["problem"]:
            row["problem"] = shared_problem
        rows.append(audit.storable(row))
    with transaction.atomic():
        job = BulkJob.objects.create(
            account=access.account,
            organization_id=organization_id,
            action=change.action,
            parameters=change.parameters(),
            selection=selection[:300],
            created_by=user,
            total=len(rows),
        )
        BulkItem.objects.bulk_create(
            BulkItem(
                job=job,
                position=position,
                outcome=BulkOutcome.PROBLEM if row["problem"] else BulkOutcome.PLANNED,
                **row,
            )
            for position, row in enumerate(rows)
        )
    return job


def counts(job: BulkJob) -> dict[str, int]:
    """How many of the job's contracts are at each outcome (every outcome present, 0 if none)."""
    found = dict(
        job.items.values_list("outcome").annotate(n=Count("id")).values_list("outcome", "n")
    )
    return {outcome.value: found.get(outcome.value, 0) for outcome in BulkOutcome}


def _enqueue(job: BulkJob) -> None:
    apply_job.enqueue(job_id=job.pk, run=job.run)


def start(job: BulkJob) -> bool:
    """Queue the job's application, once: False when it was already applied (the same preview
    submitted again). The guarded update and the task row commit together or not at all."""
    with transaction.atomic():
        taken = BulkJob.objects.filter(pk=job.pk, state=BulkJobState.PREVIEWED).update(
            state=BulkJobState.QUEUED, run=F("run") + 1
        )
        if taken:
            job.refresh_from_db()
            _enqueue(job)
    return bool(taken)


def retry_failed(job: BulkJob) -> int:
    """Queue the failed contracts of a finished job again; the rest stay as they are."""
    with transaction.atomic():
        job = BulkJob.objects.select_for_update().get(pk=job.pk)
        if job.state not in (BulkJobState.FINISHED, BulkJobState.CANCELLED):
            return 0
        retried = job.items.filter(outcome=BulkOutcome.FAILED).update(
            outcome=BulkOutcome.PLANNED, message=""
        )
        if retried:
            job.state, job.run, job.cancel_requested = BulkJobState.QUEUED, job.run + 1, False
            job.finished_at = None
            job.save(update_fields=["state", "run", "cancel_requested", "finished_at"])
            _enqueue(job)
    return retried


def cancel(job: BulkJob) -> None:
    """Stop after the contracts being written now; a job not yet taken stops at once."""
    BulkJob.objects.filter(pk=job.pk, state__in=[BulkJobState.QUEUED, BulkJobState.RUNNING]).update(
        cancel_requested=True
    )
    with transaction.atomic():
        if BulkJob.objects.filter(pk=job.pk, state=BulkJobState.QUEUED).update(
            state=BulkJobState.CANCELLED, finished_at=timezone.now()
        ):
            job.items.filter(outcome=BulkOutcome.PLANNED).update(outcome=BulkOutcome.CANCELLED)


def resume_stale(job: BulkJob) -> bool:
    """Queue a running job again when its worker stopped reporting (killed, machine lost); the
    new run goes on from the committed outcomes. The old run, if it is alive after all, sees
    `run` moved on and stops."""
    stale_before = timezone.now() - timedelta(seconds=settings.BULK_STALE_SECONDS)
    with transaction.atomic():
        taken = BulkJob.objects.filter(
            pk=job.pk, state=BulkJobState.RUNNING, run=job.run, heartbeat_at__lt=stale_before
        ).update(state=BulkJobState.QUEUED, run=F("run") + 1)
        if taken:
            job.refresh_from_db()
            logger.warning("bulk job %s lost its worker; queued again as run %s", job.pk, job.run)
            _enqueue(job)
    return bool(taken)


def _watch(job_id: int, run: int) -> None:
    """Queue the check that hands the job on should this run's worker stop reporting: a deferred
    task (django-tasks-db's run_after) that any running worker takes once it is due."""
    due = timezone.now() + timedelta(seconds=settings.BULK_STALE_SECONDS)
    watch_job.using(run_after=due).enqueue(job_id=job_id, run=run)


@task()
def watch_job(job_id: int, run: int) -> str:
    """A running job's watchdog: queues the job again when its worker stopped reporting
    (resume_stale), looks again BULK_STALE_SECONDS later while it reports, and ends with the
    run. So a killed worker's job is finished by the workers still running, whether or not
    anyone opens its page."""
    job = BulkJob.objects.filter(pk=job_id, run=run, state=BulkJobState.RUNNING).first()
    if job is None:
        return "over"
    if resume_stale(job):
        return "resumed"
    _watch(job_id, run)
    return "alive"


class _RunOver(Exception):
    """This run no longer owns the job (cancelled, or taken over after a stall)."""


def _values(section: services.EditSection, item: BulkItem) -> dict[str, Any]:
    after = {**item.seen["state"], **{field: pair[1] for field, pair in item.planned.items()}}
    return section.values_of(after)


def _reached_planned(item: BulkItem, current: Contract) -> bool:
    state = current.editable_state()
    return all(state.get(field) == pair[1] for field, pair in item.planned.items())


def _apply_item(job: BulkJob, item: BulkItem, access: AccountAccess, actor: Actor, parent) -> None:
    section = BulkChange.from_job(job).section
    was_started = item.outcome == BulkOutcome.STARTED
    # Committed before the write, so a restart knows this contract may have been sent.
    BulkItem.objects.filter(pk=item.pk).update(
        outcome=BulkOutcome.STARTED, attempts=F("attempts") + 1
    )
    seen = Snapshot(state=item.seen["state"], updated_at=item.seen["updatedAt"])
    outcome, message = BulkOutcome.DONE, ""
    recorded: list = []
    try:
        with audit.part_of(parent) as recorded:
            services.contract_edit(
                actor=actor,
                access=access,
                organization_id=job.organization_id,
                contract_id=item.contract_ref,
                section=section,
                seen=seen,
                values=_values(section, item),
                # The preview showed each contract whole: any change since then skips it.
                whole_contract=True,
                # In flight when its worker died: that worker's lock stands until it expires.
                lock_wait=locks.lock_ttl() if was_started else None,
            )
    except services.EditConflict as conflict:
        if was_started and _reached_planned(item, conflict.current):
            message = "Written before the worker restarted; not sent again."
        else:
            moved = [change.field for change in conflict.changes if change.seen != change.current]
            fields = ", ".join(moved) or "updatedAt"
            outcome = BulkOutcome.SKIPPED
            message = f"Changed in fabric since the preview ({fields}); not overwritten."
    except services.Rejected as rejected:
        outcome, message = BulkOutcome.FAILED, str(rejected)
    except fabric.FabricNotFound:
        # Soft-deleted or gone since the preview: nothing to write, and a retry would not help.
        outcome, message = BulkOutcome.SKIPPED, "Deleted at fabric since the preview; not written."
    except fabric.FabricError as error:
        outcome, message = BulkOutcome.FAILED, error.user_message
    # The contract's own ledger record, when a write was attempted.
    event = recorded[-1] if recorded else None
    BulkItem.objects.filter(pk=item.pk).update(
        outcome=outcome, message=message[:500], audit_event=event, finished_at=timezone.now()
    )


def _still_owned(job: BulkJob, run: int) -> None:
    """Renew the heartbeat, or raise _RunOver when the job was cancelled or taken over."""
    renewed = BulkJob.objects.filter(
        pk=job.pk, run=run, state=BulkJobState.RUNNING, cancel_requested=False
    ).update(heartbeat_at=timezone.now())
    if not renewed:
        raise _RunOver


def _keep_reporting(job: BulkJob, run: int, stop: threading.Event) -> None:
    """Renew the heartbeat every third of BULK_STALE_SECONDS until `stop`, whatever the items do:
    an item may wait out a dead worker's contract lock (lock_ttl, longer than BULK_STALE_SECONDS)
    with every pool thread blocked, and a live run that stopped reporting would be handed on
    while it still writes. Ends when the run no longer owns the job."""
    try:
        while not stop.wait(settings.BULK_STALE_SECONDS / 3):
            _still_owned(job, run)
    except _RunOver:
        pass
    finally:
        connections.close_all()


def _work(job: BulkJob, run: int, item: BulkItem, access, actor, parent) -> None:
    try:
        _still_owned(job, run)
        _apply_item(job, item, access, actor, parent)
    finally:
        # Pool threads outlive the task: give their database connections back.
        connections.close_all()


def _editor_access(job: BulkJob) -> AccountAccess | None:
    """The job's account as its creator reaches it now: None unless they are still an editor."""
    if job.created_by is None:
        return None
    for access in reachable_accounts(job.created_by):
        if access.account.pk == job.account_id and access.role == AccountRole.EDITOR:
            return access
    return None


def _finish(job: BulkJob, run: int) -> None:
    with transaction.atomic():
        job = BulkJob.objects.select_for_update().get(pk=job.pk)
        if job.run != run:
            return
        if job.cancel_requested:
            job.items.filter(outcome=BulkOutcome.PLANNED).update(outcome=BulkOutcome.CANCELLED)
            job.state = BulkJobState.CANCELLED
        else:
            job.state = BulkJobState.FINISHED
        job.finished_at = timezone.now()
        job.save(update_fields=["state", "finished_at"])


def _approval_of(job: BulkJob) -> dict[str, str]:
    """{"approval": request id} of the approval that let the job run (approvals.py), for its
    bulk record to name; empty when it needed none."""
    proposal = (
        Proposal.objects.filter(bulk_job=job, state=ProposalState.APPROVED)
        .select_related("decision_event")
        .first()
    )
    if proposal is None or proposal.decision_event is None:
        return {}
    return {"approval": proposal.decision_event.request_id}


@task()
def apply_job(job_id: int, run: int) -> dict[str, int]:
    """Write every planned contract of a bulk job, BULK_CONCURRENCY at a time."""
    taken = BulkJob.objects.filter(pk=job_id, run=run, state=BulkJobState.QUEUED).update(
        state=BulkJobState.RUNNING, heartbeat_at=timezone.now()
    )
    job = BulkJob.objects.select_related("account", "created_by").get(pk=job_id)
    if not taken:
        return counts(job)
    _watch(job_id, run)
    access = _editor_access(job)
    if access is None:
        job.items.filter(outcome__in=_OPEN).update(
            outcome=BulkOutcome.FAILED, message="Its creator is no longer an editor here."
        )
        _finish(job, run)
        return counts(job)
    actor = Actor(
        user=job.created_by,
        username=job.created_by.get_username(),
        client_ip=None,
        user_agent=f"bulk job {job.pk}",
    )
    if job.audit_event_id is None:
        change = BulkChange.from_job(job)
        job.audit_event = audit.record_bulk(
            actor=actor,
            account_id=job.account.account_id,
            organization_id=job.organization_id,
            summary=f"Bulk job {job.pk}: {change.describe()}, {job.total} contracts",
            details={
                "job": job.pk,
                "action": job.action,
                "parameters": job.parameters,
                **_approval_of(job),
            },
        )
        job.save(update_fields=["audit_event"])
    items = list(job.items.filter(outcome__in=_OPEN).order_by("position"))
    stop = threading.Event()
    reporting = threading.Thread(target=_keep_reporting, args=(job, run, stop), daemon=True)
    reporting.start()
    try:
        with ThreadPoolExecutor(max_workers=max(1, settings.BULK_CONCURRENCY)) as pool:
            futures = [
                pool.submit(_work, job, run, item, access, actor, job.audit_event) for item in items
            ]
            for future in futures:
                try:
                    future.result()
                except _RunOver:
                    for later in futures:
                        later.cancel()
    finally:
        # Also when an item failed unexpectedly: a run that stopped must be seen as stale.
        stop.set()
        reporting.join()
    close_old_connections()
    _finish(job, run)
    return counts(job)


def preview_rows(job: BulkJob) -> Iterable[Mapping[str, Any]]:
    """The preview as rows for a table or a CSV file: contract, field, before, after, problem."""
    for item in job.items.order_by("position").iterator():
        fields = item.planned or {"": ["", ""]}
        for field, (before, after) in fields.items():
            yield {
                "contract_id": item.contract_id,
                "field": field,
                "before": before,
                "after": after,
                "problem": item.problem,
                "outcome": item.get_outcome_display(),
                "message": item.message,
            }
