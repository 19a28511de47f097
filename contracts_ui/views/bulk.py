"""Bulk changes: the preview (a dry run), applying it, following and controlling the job."""

import csv

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.views.decorators.http import require_POST

from contracts_ui import approvals, bulk, selectors, services
from contracts_ui.access import account_access, editor_access
from contracts_ui.audit import actor_from_request
from contracts_ui.forms.approvals import ReasonForm
from contracts_ui.forms.bulk import BulkChangeForm
from contracts_ui.forms.filters import ContractFilterForm
from contracts_ui.models import BulkJob, BulkJobState, Proposal
from contracts_ui.views.rendering import render_page, showing_fabric_errors


def _job(access, job_id: int) -> BulkJob:
    return get_object_or_404(BulkJob, pk=job_id, account=access.account)


@require_POST
def bulk_preview(request: HttpRequest, account_id: str, organization_id: str) -> HttpResponse:
    """Plan the change for the selected contracts and show it; nothing is written to fabric."""
    access = editor_access(request, account_id)
    form = BulkChangeForm(request.POST)
    filters = ContractFilterForm(request.POST)
    context = {"access": access, "account": access.account, "form": form}
    context["organization_id"] = organization_id
    if form.is_valid() and (not form.cleaned_data["all_matching"] or filters.is_valid()):
        all_matching = form.cleaned_data["all_matching"]
        with showing_fabric_errors(context):
            # An organization fabric does not know is the whole preview's 404, not each row's.
            selectors.organization(access.tenant, organization_id=organization_id)
            contracts = selectors.bulk_selection(
                access.tenant,
                organization_id=organization_id,
                ticked=None if all_matching else form.ticked(),
                query=filters.contract_query() if all_matching else None,
                max_rows=settings.BULK_MAX_CONTRACTS,
            )
            job = bulk.create_preview(
                access=access,
                user=request.user,
                organization_id=organization_id,
                change=form.change(),
                contracts=contracts,
                selection=form.selection(),
            )
            return redirect("contracts_ui:bulk-job", account_id=account_id, job_id=job.pk)
    return render_page(
        request,
        "contracts_ui/bulk_refused.html",
        context,
        partial="refused",
        status=422 if "fabric_error" not in context else 200,
    )


def _job_context(access, job: BulkJob) -> dict:
    needs_approval = job.state == BulkJobState.PREVIEWED and approvals.bulk_needs_approval(
        access, job
    )
    return {
        "open_proposal": approvals.open_for_job(job) if needs_approval else None,
        "reason_form": ReasonForm() if needs_approval else None,
        "access": access,
        "account": access.account,
        "job": job,
        "change": bulk.BulkChange.from_job(job),
        "counts": bulk.counts(job),
        "items": job.items.select_related(None).order_by("position"),
        "polling": job.state in (BulkJobState.QUEUED, BulkJobState.RUNNING),
    }


def bulk_job(request: HttpRequest, account_id: str, job_id: int) -> HttpResponse:
    """The preview before it is applied; then the job's progress and each contract's outcome."""
    access = account_access(request, account_id)
    job = _job(access, job_id)
    # Anyone following a job notices a worker that stopped reporting and hands the job on.
    bulk.resume_stale(job)
    job.refresh_from_db()
    return render_page(
        request, "contracts_ui/bulk_job.html", _job_context(access, job), partial="progress"
    )


def bulk_jobs(request: HttpRequest, account_id: str) -> HttpResponse:
    access = account_access(request, account_id)
    jobs = BulkJob.objects.filter(account=access.account).select_related("created_by")[:100]
    context = {"access": access, "account": access.account, "jobs": jobs}
    return render_page(request, "contracts_ui/bulk_jobs.html", context, partial="jobs")


@require_POST
def bulk_apply(request: HttpRequest, account_id: str, job_id: int) -> HttpResponse:
    """Queue the previewed job, or under the account's approval policy propose it; the same
    preview posted again is not applied twice."""
    access = editor_access(request, account_id)
    job = _job(access, job_id)
    form = ReasonForm(request.POST)
    if form.is_valid():
        try:
            started = approvals.bulk_start_or_propose(
                actor=actor_from_request(request),
                access=access,
                job=job,
                reason=form.cleaned_data["reason"],
                base=approvals.base_url(request),
            )
        except services.Rejected as rejected:
            for field, errors in rejected.errors.items():
                form.add_error(field, errors)
        else:
            if isinstance(started, Proposal):
                messages.info(
                    request,
                    f"Proposal {started.pk} is waiting for a second editor's approval; "
                    "the job runs once it is approved.",
                )
            return redirect("contracts_ui:bulk-job", account_id=account_id, job_id=job_id)
    context = {**_job_context(access, job), "reason_form": form}
    return render_page(
        request, "contracts_ui/bulk_job.html", context, partial="progress", status=422
    )


@require_POST
def bulk_cancel(request: HttpRequest, account_id: str, job_id: int) -> HttpResponse:
    access = editor_access(request, account_id)
    bulk.cancel(_job(access, job_id))
    return redirect("contracts_ui:bulk-job", account_id=account_id, job_id=job_id)


@require_POST
def bulk_retry(request: HttpRequest, account_id: str, job_id: int) -> HttpResponse:
    access = editor_access(request, account_id)
    bulk.retry_failed(_job(access, job_id))
    return redirect("contracts_ui:bulk-job", account_id=account_id, job_id=job_id)


class _Echo:
    def write(self, value: str) -> str:
        return value


def bulk_preview_csv(request: HttpRequest, account_id: str, job_id: int) -> HttpResponse:
    """The preview (and, once applied, each outcome) as CSV, one line per changed field."""
    access = account_access(request, account_id)
    job = _job(access, job_id)
    columns = ["contract_id", "field", "before", "after", "problem", "outcome", "message"]
    writer = csv.DictWriter(_Echo(), fieldnames=columns)
    lines = (writer.writerow(row) for row in bulk.preview_rows(job))
    response = StreamingHttpResponse(
        (line for part in ([writer.writeheader()], lines) for line in part),
        content_type="text/csv; charset=utf-8",
    )
    response["Content-Disposition"] = f'attachment; filename="bulk-job-{job.pk}.csv"'
    return response
