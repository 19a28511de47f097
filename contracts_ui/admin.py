"""Admins decide here which user or group reaches which fabric account, and in which role."""

from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.http import Http404, HttpRequest
from django.template.response import TemplateResponse

from contracts_ui import audit
from contracts_ui.access import reachable_accounts
from contracts_ui.audit.queries import PENDING_LABEL
from contracts_ui.connection import check_connection
from contracts_ui.fabric.errors import FabricError
from contracts_ui.models import AccountGrant, AuditEvent, AuditOutcome, FabricAccount


class AccountGrantInline(admin.TabularInline):
    model = AccountGrant
    extra = 1
    autocomplete_fields = ["user", "group"]


@admin.register(FabricAccount)
class FabricAccountAdmin(admin.ModelAdmin):
    list_display = ["name", "account_id", "stage", "channel", "is_active", "connection_checked"]
    list_filter = ["is_active", "stage"]
    search_fields = ["name", "account_id"]
    inlines = [AccountGrantInline]
    actions = ["check_fabric_connection"]
    fieldsets = [
        (None, {"fields": ["account_id", "name", "stage", "channel", "is_active"]}),
        ("API client", {"fields": ["client_id", "client_secret_ref"]}),
        (
            "Approval policy",
            {
                "fields": [
                    "approve_deactivation",
                    "approve_price_list",
                    "approve_delete",
                    "approve_bulk_over",
                    "approve_every_change",
                ],
                "description": "Changes ticked here wait for a second editor of the account "
                "to approve them before anything is sent to fabric (Pending approvals page). "
                "Nothing ticked: every editor's change is written at once.",
            },
        ),
        (
            "Connection",
            {
                "fields": ["api_base_url", "token_url", "connection_summary"],
                "description": "Each merchant has its own token URL. Leave a field empty to use "
                "the environment's (FABRIC_BASE_URL, FABRIC_AUTH_URL). https is required when "
                'DEBUG is off. Check the connection from the list (action "Check fabric '
                'connection") or with `manage.py fabric_doctor`.',
            },
        ),
    ]
    readonly_fields = ["connection_summary"]

    @admin.display(description="connection checked")
    def connection_checked(self, account: FabricAccount) -> str:
        return (account.capabilities or {}).get("checked_at", "never")

    @admin.display(description="what the last check found")
    def connection_summary(self, account: FabricAccount) -> str:
        capabilities = account.capabilities or {}
        if not capabilities.get("checked_at"):
            return "Not checked yet."
        missing = ", ".join(capabilities.get("missing") or []) or "none"
        return (
            f"Checked {capabilities['checked_at']}: largest page size "
            f"{capabilities.get('max_page_size', 'unknown')}; UNDOCUMENTED endpoints missing: "
            f"{missing}; date filters as {capabilities.get('date_filter_format', 'unknown')}."
        )

    @admin.action(description="Check fabric connection")
    def check_fabric_connection(self, request: HttpRequest, queryset) -> TemplateResponse:
        """Run the connection doctor on each selected account and show its findings."""
        actor = audit.actor_from_request(request)
        results = []
        for account in queryset:
            try:
                report = check_connection(account, actor=actor)
            except FabricError as error:
                results.append({"account": account, "error": error.user_message})
                continue
            results.append({"account": account, "findings": report.findings})
        context = {
            **self.admin_site.each_context(request),
            "title": "fabric connection check",
            "opts": self.model._meta,
            "results": results,
        }
        return TemplateResponse(request, "admin/contracts_ui/fabric_doctor.html", context)


@admin.register(AccountGrant)
class AccountGrantAdmin(admin.ModelAdmin):
    list_display = ["account", "user", "group", "role", "created_at"]
    list_filter = ["role", "account"]
    search_fields = ["user__username", "group__name", "account__name", "account__account_id"]
    autocomplete_fields = ["user", "group", "account"]


class ReadOnlyLedgerAdmin(admin.ModelAdmin):
    """The ledger is insert-only: the admin may look, never add, change or delete. It shows only
    records of the accounts the user holds a grant on, as the console does (superusers too);
    another account's record is a 404, as in the console, so its existence is not revealed."""

    actions = None
    # The path from a record of this model to its account id.
    account_id_path = "account_id"

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def get_queryset(self, request):
        account_ids = [access.account.account_id for access in reachable_accounts(request.user)]
        return super().get_queryset(request).filter(**{f"{self.account_id_path}__in": account_ids})

    def _reachable_or_404(self, request, object_id: str) -> None:
        # Django's admin answers a record it cannot find with a redirect to its index.
        if self.get_object(request, unquote(object_id)) is None:
            raise Http404("No such record.")

    def change_view(self, request, object_id, form_url="", extra_context=None):
        self._reachable_or_404(request, object_id)
        return super().change_view(request, object_id, form_url, extra_context)

    def history_view(self, request, object_id, extra_context=None):
        self._reachable_or_404(request, object_id)
        return super().history_view(request, object_id, extra_context)


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyLedgerAdmin):
    list_display = [
        "occurred_at",
        "username",
        "account_id",
        "action",
        "contract_id",
        "outcome_kind",
    ]
    list_filter = ["action"]
    search_fields = ["contract_id", "username", "request_id"]
    list_select_related = ["outcome"]

    @admin.display(description="outcome")
    def outcome_kind(self, event: AuditEvent) -> str:
        outcome = getattr(event, "outcome", None)
        return outcome.get_outcome_display() if outcome else PENDING_LABEL


@admin.register(AuditOutcome)
class AuditOutcomeAdmin(ReadOnlyLedgerAdmin):
    account_id_path = "event__account_id"
    list_display = ["event", "completed_at", "outcome", "fabric_status"]
    list_filter = ["outcome"]
    search_fields = ["event__contract_id", "event__username", "event__request_id"]
    list_select_related = ["event"]
