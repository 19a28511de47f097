from django.urls import path, register_converter

from contracts_ui.converters import FabricAccountIdConverter, FabricRecordIdConverter
from contracts_ui.views import (
    approvals,
    audit,
    browse,
    bulk,
    contracts,
    edits,
    exports,
    insight,
    parties,
)

app_name = "contracts_ui"

register_converter(FabricAccountIdConverter, "account_id")
register_converter(FabricRecordIdConverter, "fabric_id")

_ACCOUNT = "accounts/<account_id:account_id>/"
_ORGANIZATION = _ACCOUNT + "organizations/<fabric_id:organization_id>/"
_JOB = _ACCOUNT + "bulk/<int:job_id>/"
_PROPOSAL = _ACCOUNT + "approvals/<int:proposal_id>/"
_CONTRACT = _ORGANIZATION + "contracts/<fabric_id:contract_id>/"

urlpatterns = [
    path("", browse.account_list, name="account-list"),
    path(_ACCOUNT, browse.organization_list, name="organization-list"),
    path(_ACCOUNT + "contracts/", contracts.contract_lookup, name="contract-lookup"),
    path(
        _ACCOUNT + "price-lists/options/",
        contracts.price_list_options,
        name="price-list-options",
    ),
    path(_ACCOUNT + "audit/", audit.audit_list, name="audit-list"),
    path(_ACCOUNT + "audit/export.csv", audit.audit_export, name="audit-export"),
    path(_ACCOUNT + "expiry-radar/", insight.expiry_radar, name="expiry-radar"),
    path(_ACCOUNT + "expiry-radar/<slug:bucket>/", insight.radar_bucket, name="radar-bucket"),
    path(
        _ACCOUNT + "expiry-radar/<slug:bucket>/bulk/",
        insight.radar_bucket_bulk,
        name="radar-bucket-bulk",
    ),
    path(
        _ACCOUNT + "expiry-radar/<slug:bucket>/export.csv",
        exports.radar_bucket_export,
        name="radar-bucket-export",
    ),
    path(_ACCOUNT + "bulk/", bulk.bulk_jobs, name="bulk-jobs"),
    path(_JOB, bulk.bulk_job, name="bulk-job"),
    path(_JOB + "apply/", bulk.bulk_apply, name="bulk-apply"),
    path(_JOB + "cancel/", bulk.bulk_cancel, name="bulk-cancel"),
    path(_JOB + "retry/", bulk.bulk_retry, name="bulk-retry"),
    path(_JOB + "preview.csv", bulk.bulk_preview_csv, name="bulk-preview-csv"),
    path(_ORGANIZATION + "bulk/preview/", bulk.bulk_preview, name="bulk-preview"),
    path(_ACCOUNT + "approvals/", approvals.approval_list, name="approval-list"),
    path(_PROPOSAL, approvals.proposal_detail, name="proposal-detail"),
    path(_PROPOSAL + "approve/", approvals.proposal_approve, name="proposal-approve"),
    path(_PROPOSAL + "reject/", approvals.proposal_reject, name="proposal-reject"),
    path(_PROPOSAL + "withdraw/", approvals.proposal_withdraw, name="proposal-withdraw"),
    path(_ORGANIZATION, contracts.contract_list, name="contract-list"),
    path(
        _ORGANIZATION + "export.csv",
        exports.contract_export,
        {"file_format": "csv"},
        name="contract-export-csv",
    ),
    path(
        _ORGANIZATION + "export.xlsx",
        exports.contract_export,
        {"file_format": "xlsx"},
        name="contract-export-xlsx",
    ),
    path(_ORGANIZATION + "timeline/", insight.contract_timeline, name="contract-timeline"),
    path(_ORGANIZATION + "status-counts/", insight.status_counts, name="contract-status-counts"),
    path(_ORGANIZATION + "contracts/new/", edits.contract_create, name="contract-create"),
    path(_ORGANIZATION + "internal-parties/", parties.internal_party_list, name="internal-parties"),
    path(
        _ORGANIZATION + "internal-parties/link/",
        parties.internal_party_link,
        name="internal-party-link",
    ),
    path(
        _ORGANIZATION + "internal-parties/<fabric_id:internal_party_id>/unlink/",
        parties.internal_party_unlink,
        name="internal-party-unlink",
    ),
    path(_CONTRACT, contracts.contract_detail, name="contract-detail"),
    path(_CONTRACT + "history/", audit.contract_history, name="contract-history"),
    path(
        _CONTRACT + "edit/<slug:section>/",
        edits.contract_edit,
        name="contract-edit",
    ),
    path(_CONTRACT + "delete/", edits.contract_delete, name="contract-delete"),
    path(_CONTRACT + "restore/", edits.contract_restore, name="contract-restore"),
]
