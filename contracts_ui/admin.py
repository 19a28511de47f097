"""Admins decide here which user or group reaches which fabric account, and in which role."""

from django.contrib import admin

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
    """The ledger is insert-only: the admin may look, never add, change or delete."""

    actions = None

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


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
    list_display = ["event", "completed_at", "outcome", "fabric_status"]
    list_filter = ["outcome"]
    search_fields = ["event__contract_id", "event__username", "event__request_id"]
    list_select_related = ["event"]
