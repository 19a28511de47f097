"""The console's own records: which fabric accounts exist here and who may reach them."""

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from django.conf import settings
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.backends.signals import connection_created
from django.db.models import Q
from django.utils import timezone

from contracts_ui.credentials import CREDENTIAL_SOURCE_HELP, resolve_secret, validate_secret_ref
from contracts_ui.fabric.types import FabricTenant


def default_api_base_url() -> str:
    """fabric's API host from the environment (FABRIC_BASE_URL)."""
    return settings.FABRIC_BASE_URL


def default_token_url() -> str:
    """The token endpoint under the environment's FABRIC_AUTH_URL."""
    return f"{settings.FABRIC_AUTH_URL}/v1/token"


class FabricAccount(models.Model):
    """A fabric account (tenant) the console can reach, and where its API credentials are found.

    The client secret is never stored here: `client_secret_ref` names where to read it at run time.
    """

    account_id = models.CharField(
        "fabric account id",
        max_length=24,
        unique=True,
        validators=[RegexValidator(r"^[A-Za-z0-9]{24}$", "24 letters or digits, as in Copilot.")],
    )
    name = models.CharField(max_length=200)
    stage = models.CharField(max_length=50, blank=True, help_text="e.g. production, sandbox")
    channel = models.PositiveIntegerField(null=True, blank=True, help_text="Sales channel id")
    client_id = models.CharField("API client id", max_length=200)
    client_secret_ref = models.CharField(
        "where the client secret is",
        max_length=300,
        validators=[validate_secret_ref],
        help_text=CREDENTIAL_SOURCE_HELP,
    )
    # Blank means the environment's default, read when the account is used, so a deployment can
    # move every account that does not need its own at once.
    api_base_url = models.URLField(
        "API base URL",
        max_length=300,
        blank=True,
        help_text="fabric's API host, e.g. https://live.copilot.fabric.inc. "
        "Empty: FABRIC_BASE_URL from the environment.",
    )
    token_url = models.URLField(
        "token URL",
        max_length=300,
        blank=True,
        help_text="This merchant's OAuth2 token endpoint, e.g. "
        "https://{customer}.login.fabric.inc/oauth2/{authServerId}/v1/token. "
        "Empty: FABRIC_AUTH_URL from the environment, plus /v1/token.",
    )
    # What `fabric_doctor` found this account's fabric to support (see fabric/doctor.py).
    capabilities = models.JSONField(default=dict, blank=True, editable=False)
    is_active = models.BooleanField(
        default=True, help_text="Inactive accounts are unreachable for everyone."
    )
    # The approval policy ("four eyes"): which changes wait for a second editor. All off, no
    # threshold: every editor's change is written at once, as before approvals existed.
    approve_deactivation = models.BooleanField(
        "status to INACTIVE", default=False, help_text="Setting a contract's status to INACTIVE."
    )
    approve_price_list = models.BooleanField(
        "price-list link", default=False, help_text="Linking, replacing or removing a price list."
    )
    approve_delete = models.BooleanField(
        "soft delete", default=False, help_text="Soft-deleting a contract."
    )
    approve_bulk_over = models.PositiveIntegerField(
        "bulk jobs over",
        null=True,
        blank=True,
        help_text="A bulk job applying to more than this many contracts. Empty: none.",
    )
    approve_every_change = models.BooleanField(
        "every change",
        default=False,
        help_text="Every edit, soft delete and bulk job (contract creation and restore excepted).",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.account_id})"

    @property
    def effective_api_base_url(self) -> str:
        return (self.api_base_url or default_api_base_url()).rstrip("/")

    @property
    def effective_token_url(self) -> str:
        return self.token_url or default_token_url()

    def clean(self) -> None:
        """Outside DEBUG, credentials and data only travel over https."""
        super().clean()
        if settings.DEBUG:
            return
        errors = {
            name: "Must be an https:// URL when DEBUG is off."
            for name in ("api_base_url", "token_url")
            if getattr(self, name) and not getattr(self, name).startswith("https://")
        }
        if errors:
            raise ValidationError(errors)

    def tenant(self) -> FabricTenant:
        """The account as the fabric client needs it, with the secret read just now."""
        capabilities = self.capabilities or {}
        max_page_size = capabilities.get("max_page_size")
        missing = capabilities.get("missing")
        return FabricTenant(
            account_id=self.account_id,
            client_id=self.client_id,
            client_secret=resolve_secret(self.client_secret_ref),
            stage=self.stage,
            channel=self.channel,
            base_url=self.effective_api_base_url,
            token_url=self.effective_token_url,
            max_page_size=max_page_size if isinstance(max_page_size, int) else None,
            missing=frozenset(missing) if isinstance(missing, list) else frozenset(),
        )


class AccountRole(models.TextChoices):
    VIEWER = "viewer", "Viewer (read-only)"
    EDITOR = "editor", "Editor"


class AccountGrant(models.Model):
    """One user, or one group, reaches one account in one role. No grant, no access."""

    account = models.ForeignKey(FabricAccount, on_delete=models.CASCADE, related_name="grants")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="account_grants",
    )
    group = models.ForeignKey(
        Group, on_delete=models.CASCADE, null=True, blank=True, related_name="account_grants"
    )
    role = models.CharField(max_length=10, choices=AccountRole.choices, default=AccountRole.VIEWER)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["account__name", "role"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(user__isnull=False, group__isnull=True)
                    | Q(user__isnull=True, group__isnull=False)
                ),
                name="grant_is_for_a_user_or_a_group",
                violation_error_message="A grant is for a user or for a group, not both.",
            ),
            models.UniqueConstraint(fields=["account", "user"], name="one_grant_per_user"),
            models.UniqueConstraint(fields=["account", "group"], name="one_grant_per_group"),
        ]

    def __str__(self) -> str:
        holder = self.user or f"group {self.group}"
        return f"{holder} → {self.account.name} as {self.get_role_display()}"


class AppendOnlyQuerySet(models.QuerySet):
    """Bulk changes would bypass the record-by-record refusal below, so they are refused too."""

    def update(self, **kwargs):
        raise AppendOnlyViolation(f"{self.model.__name__} records cannot be changed.")

    def delete(self):
        raise AppendOnlyViolation(f"{self.model.__name__} records cannot be deleted.")


class AppendOnlyViolation(Exception):
    pass


# SQLite's ledger triggers (migration 0005) let a DELETE through only while this function of the
# connection answers 1; the console's connections answer 0. Only the test harness switches it on,
# to empty the tables between tests as PostgreSQL's allow_audit_truncate lets it. SQLite has no
# roles: whoever can write the file can drop the triggers too; they stop the application and bugs.
SQLITE_LEDGER_FLUSH_FUNCTION = "contracts_console_ledger_flush_allowed"
_ledger_flush_allowed: ContextVar[bool] = ContextVar("ledger_flush_allowed", default=False)


@contextmanager
def ledger_flush_allowed() -> Iterator[None]:
    """Within this block, this thread's SQLite connection may empty the ledger tables."""
    token = _ledger_flush_allowed.set(True)
    try:
        yield
    finally:
        _ledger_flush_allowed.reset(token)


def _define_ledger_flush_function(sender, connection, **kwargs) -> None:
    if connection.vendor == "sqlite":
        connection.connection.create_function(
            SQLITE_LEDGER_FLUSH_FUNCTION, 0, lambda: int(_ledger_flush_allowed.get())
        )


connection_created.connect(_define_ledger_flush_function, dispatch_uid="sqlite-ledger-flush")


class AppendOnlyModel(models.Model):
    """A record that is written once and never changed or deleted through the application."""

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs) -> None:
        if not self._state.adding:
            raise AppendOnlyViolation(f"{type(self).__name__} records cannot be changed.")
        kwargs["force_insert"] = True
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyViolation(f"{type(self).__name__} records cannot be deleted.")


class AuditAction(models.TextChoices):
    CREATE = "contract.create", "Create contract"
    CHANGE_DATES = "contract.dates", "Change dates"
    CHANGE_STATUS = "contract.status", "Change status"
    CHANGE_PRICE_LIST = "contract.price-list", "Change price-list link"
    CHANGE_FLAGS = "contract.flags", "Change flags"
    CHANGE_DETAILS = "contract.details", "Change type and attributes"
    DELETE = "contract.delete", "Soft-delete contract"
    RESTORE = "contract.restore", "Restore contract"
    LINK_INTERNAL_PARTY = "party.link-internal", "Link internal party"
    UNLINK_INTERNAL_PARTY = "party.unlink-internal", "Unlink internal party"
    # Reads, kept in the ledger so finance exports are accountable; not writes to fabric.
    EXPORT = "contracts.export", "Export contracts"
    EXPORT_AUDIT = "audit.export", "Export audit log"
    # A bulk change applied: its children are the contracts' own records (request_sent["bulk"]).
    BULK = "contracts.bulk", "Bulk change"
    # The approval workflow: none of these calls fabric; the approved change is its own write,
    # which names its approval (request_sent["approval"]), as the approval names its proposal.
    PROPOSE = "approval.propose", "Propose a change for approval"
    APPROVE = "approval.approve", "Approve a proposed change"
    REJECT = "approval.reject", "Reject a proposed change"
    WITHDRAW = "approval.withdraw", "Withdraw a proposed change"


class AuditOutcomeKind(models.TextChoices):
    SUCCEEDED = "succeeded", "Succeeded"
    REJECTED = "rejected", "Rejected by fabric"
    FAILED = "failed", "Failed: fabric unavailable"
    UNKNOWN = "unknown", "Outcome unknown"


class AuditEvent(AppendOnlyModel):
    """One attempted write to fabric, stored before the call is made.

    Its outcome is a separate record (AuditOutcome) written after the call, so neither is ever
    updated; an event without an outcome is an attempt whose answer never arrived.
    """

    occurred_at = models.DateTimeField(db_index=True)
    # No database constraint: deleting a user must not touch the ledger; the name is kept too.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        null=True,
        related_name="+",
    )
    username = models.CharField(max_length=150)
    account_id = models.CharField("fabric account id", max_length=24, db_index=True)
    organization_id = models.CharField(max_length=64, blank=True, db_index=True)
    contract_ref = models.CharField("contract _id", max_length=64, blank=True, db_index=True)
    contract_id = models.CharField("contractId", max_length=128, blank=True, db_index=True)
    action = models.CharField(max_length=32, choices=AuditAction.choices)
    summary = models.CharField(max_length=300)
    state_before = models.JSONField(null=True)
    request_sent = models.JSONField()
    request_id = models.CharField(max_length=64)
    client_ip = models.GenericIPAddressField(null=True)
    user_agent = models.CharField(max_length=300, blank=True)
    previous_hash = models.CharField(max_length=64)
    # Which of settings.AUDIT_KEYS sealed record_hash (an HMAC), so keys can rotate.
    key_id = models.CharField("sealing key id", max_length=32)
    record_hash = models.CharField(max_length=64, unique=True)

    class Meta:
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["account_id", "-id"]),
            # One contract's newest events, by either of its ids, without walking the account's
            # whole ledger: a planner without statistics otherwise takes (account_id, -id).
            models.Index(
                fields=["account_id", "contract_ref", "-id"], name="audit_contract_ref_newest"
            ),
            models.Index(
                fields=["account_id", "contract_id", "-id"], name="audit_contract_id_newest"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.occurred_at:%Y-%m-%d %H:%M:%S} {self.username} {self.action}"

    # The kind of an event whose outcome was never recorded: fabric's answer did not arrive.
    PENDING = "pending"

    @property
    def outcome_kind(self) -> str:
        """The recorded outcome's kind, or PENDING. Read with select_related("outcome")."""
        outcome = getattr(self, "outcome", None)
        return outcome.outcome if outcome else self.PENDING


class AuditOutcome(AppendOnlyModel):
    """What became of one AuditEvent: fabric's answer, or the failure that stood for it."""

    event = models.OneToOneField(AuditEvent, on_delete=models.DO_NOTHING, related_name="outcome")
    completed_at = models.DateTimeField()
    outcome = models.CharField(max_length=16, choices=AuditOutcomeKind.choices)
    fabric_status = models.PositiveSmallIntegerField(null=True)
    message = models.TextField(blank=True)
    state_after = models.JSONField(null=True)
    diff = models.JSONField(default=dict)
    previous_hash = models.CharField(max_length=64)
    key_id = models.CharField("sealing key id", max_length=32)
    record_hash = models.CharField(max_length=64, unique=True)

    class Meta:
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"{self.event_id}: {self.outcome}"


class BulkAction(models.TextChoices):
    EXTEND_END = "extend-end", "Extend the end date"
    SET_END = "set-end", "Set the end date"
    SET_STATUS = "set-status", "Set the status"
    SET_PRICE_LIST = "set-price-list", "Link or replace the price list"


class BulkJobState(models.TextChoices):
    PREVIEWED = "previewed", "Previewed, not applied"
    QUEUED = "queued", "Queued, waiting for a worker"
    RUNNING = "running", "Running"
    FINISHED = "finished", "Finished"
    CANCELLED = "cancelled", "Cancelled"


class BulkJob(models.Model):
    """One bulk change of an organization's contracts: its dry run, then its application.

    Created by the preview; applying moves it from PREVIEWED to QUEUED exactly once (a guarded
    update), so the same preview submitted twice is applied once.
    """

    account = models.ForeignKey(FabricAccount, on_delete=models.CASCADE, related_name="bulk_jobs")
    organization_id = models.CharField(max_length=64)
    action = models.CharField(max_length=32, choices=BulkAction.choices)
    parameters = models.JSONField(default=dict)
    # What was selected: a description of the filter, or "N contracts picked".
    selection = models.CharField(max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    state = models.CharField(
        max_length=16, choices=BulkJobState.choices, default=BulkJobState.PREVIEWED
    )
    total = models.PositiveIntegerField(default=0)
    cancel_requested = models.BooleanField(default=False)
    # Applying: set as a worker takes the job and renewed as it works; a job whose heartbeat is
    # older than BULK_STALE_SECONDS lost its worker and is queued again (`run` increments).
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    run = models.PositiveIntegerField(default=0)
    finished_at = models.DateTimeField(null=True, blank=True)
    # The ledger's bulk record, written when the job is first applied.
    audit_event = models.ForeignKey(
        AuditEvent, on_delete=models.DO_NOTHING, db_constraint=False, null=True, related_name="+"
    )

    class Meta:
        ordering = ["-id"]
        indexes = [models.Index(fields=["account", "-id"])]

    def __str__(self) -> str:
        return f"bulk job {self.pk}: {self.get_action_display()} ({self.state})"


class BulkOutcome(models.TextChoices):
    PLANNED = "planned", "Planned"
    PROBLEM = "problem", "Not applicable"
    # Taken by a worker, its write possibly sent: a restart checks fabric before any resend.
    STARTED = "started", "In progress"
    DONE = "done", "Done"
    FAILED = "failed", "Failed"
    SKIPPED = "skipped", "Skipped"
    CANCELLED = "cancelled", "Cancelled"


class BulkItem(models.Model):
    """One contract of a bulk job: what it was, what it will become, and what became of it.

    Each item's outcome is committed as it completes, so a restarted worker sends nothing twice.
    """

    job = models.ForeignKey(BulkJob, on_delete=models.CASCADE, related_name="items")
    position = models.PositiveIntegerField()
    contract_ref = models.CharField("contract _id", max_length=64)
    contract_id = models.CharField("contractId", max_length=128)
    # Snapshot.state and updatedAt as fabric held them at the preview.
    seen = models.JSONField()
    # {fabric field: [before, after]} for the fields the action changes.
    planned = models.JSONField(default=dict)
    problem = models.CharField(max_length=300, blank=True)
    outcome = models.CharField(
        max_length=16, choices=BulkOutcome.choices, default=BulkOutcome.PLANNED
    )
    message = models.CharField(max_length=500, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    finished_at = models.DateTimeField(null=True, blank=True)
    audit_event = models.ForeignKey(
        AuditEvent, on_delete=models.DO_NOTHING, db_constraint=False, null=True, related_name="+"
    )

    class Meta:
        ordering = ["job", "position"]
        constraints = [
            models.UniqueConstraint(fields=["job", "position"], name="bulk_item_position")
        ]
        indexes = [models.Index(fields=["job", "outcome"])]

    def __str__(self) -> str:
        return f"{self.contract_id}: {self.outcome}"


class ProposalKind(models.TextChoices):
    EDIT = "edit", "Edit"
    DELETE = "delete", "Soft delete"
    BULK = "bulk", "Bulk job"


class ProposalState(models.TextChoices):
    PENDING = "pending", "Waiting for approval"
    APPROVED = "approved", "Approved and applied"
    REJECTED = "rejected", "Rejected"
    WITHDRAWN = "withdrawn", "Withdrawn"
    EXPIRED = "expired", "Expired"
    # Approved, and then the contract was found changed since the proposal: nothing written.
    CONFLICT = "conflict", "Approved, not applied: the contract changed"
    FAILED = "failed", "Approved, not applied: fabric refused or failed"


class Proposal(models.Model):
    """A change that the account's approval policy holds for a second editor: what would be
    written, why, and the contract as its proposer saw it. Nothing reaches fabric until another
    editor approves it (approvals.py)."""

    account = models.ForeignKey(FabricAccount, on_delete=models.CASCADE, related_name="proposals")
    kind = models.CharField(max_length=16, choices=ProposalKind.choices)
    organization_id = models.CharField(max_length=64)
    # Empty for a bulk job, which names its contracts in its items.
    contract_ref = models.CharField("contract _id", max_length=64, blank=True)
    contract_id = models.CharField("contractId", max_length=128, blank=True)
    # The edit section (services.EDIT_SECTIONS) of an edit.
    section = models.CharField(max_length=32, blank=True)
    # {fabric field: [before, after]} in fabric's names and wire format: what approval writes.
    changes = models.JSONField(default=dict)
    # snapshot.Snapshot.sign() of the contract as the proposer saw it: the approval's conflict
    # check compares with it, and the signature shows it was not altered in the database.
    seen = models.TextField(blank=True)
    bulk_job = models.ForeignKey(
        BulkJob, on_delete=models.CASCADE, null=True, blank=True, related_name="proposals"
    )
    reason = models.TextField()
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    proposed_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    state = models.CharField(
        max_length=16, choices=ProposalState.choices, default=ProposalState.PENDING
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    comment = models.TextField(blank=True)
    # What became of an approved change, in words (the conflict's fields, fabric's refusal).
    result = models.CharField(max_length=500, blank=True)
    audit_event = models.ForeignKey(
        AuditEvent, on_delete=models.DO_NOTHING, db_constraint=False, null=True, related_name="+"
    )
    decision_event = models.ForeignKey(
        AuditEvent, on_delete=models.DO_NOTHING, db_constraint=False, null=True, related_name="+"
    )

    class Meta:
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["account", "state", "expires_at"]),
            models.Index(fields=["account", "contract_ref", "state"]),
        ]

    def __str__(self) -> str:
        return f"proposal {self.pk}: {self.get_kind_display()} ({self.state})"

    @property
    def is_open(self) -> bool:
        """Waiting for a decision and not past its expiry."""
        return self.state == ProposalState.PENDING and self.expires_at > timezone.now()

    @property
    def state_label(self) -> str:
        """The state in words; a pending proposal past its expiry reads as expired."""
        if self.state == ProposalState.PENDING and not self.is_open:
            return ProposalState.EXPIRED.label
        return self.get_state_display()
