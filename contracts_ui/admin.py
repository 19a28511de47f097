"""Admins decide here which user or group reaches which fabric account, and in which role."""

from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.http import Http404

from contracts_ui.access import reachable_accounts
from contracts_ui.audit.queries import PENDING_LABEL
from contracts_ui.models import AccountGrant, AuditEvent, AuditOutcome, FabricAccount


class AccountGrantInline(admin.TabularInline):
    model = AccountGrant
    extra = 1
    autocomplete_fields = ["user", "group"]


@admin.register(FabricAccount)
class FabricAccountAdmin(admin.ModelAdmin):
    list_display = ["name", "account_id", "stage", "channel", "is_active"]
    list_filter = ["is_active", "stage"]
    search_fields = ["name", "account_id"]
    inlines = [AccountGrantInline]


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
