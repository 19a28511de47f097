"""Check what each fabric account's fabric answers, print it as a table, and store it."""

from django.core.management.base import BaseCommand, CommandError
from django.db.models import Q

from contracts_ui.audit import Actor
from contracts_ui.connection import check_connection
from contracts_ui.fabric.doctor import FAILED
from contracts_ui.models import FabricAccount


class Command(BaseCommand):
    help = (
        "Check the connection to fabric of each ACCOUNT (its 24-character id or its name; all "
        "active accounts when none is given): the token, each endpoint the console uses "
        "(read-only), the largest page size fabric accepts, the list envelope, field shapes and "
        "date-filter format. Prints a table (works / missing / differs / failed / skipped, with "
        "the evidence) and stores the capabilities found on the account, which the console then "
        "uses. Exits non-zero when a check failed."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("accounts", nargs="*", metavar="ACCOUNT")
        parser.add_argument(
            "--write",
            metavar="CONTRACT",
            help="also PATCH this contract (business contractId) with the status it already has, "
            "recorded in the audit ledger; a real write that changes only fabric's updatedAt",
        )

    def handle(self, *args, accounts: list[str], write: str | None, **options) -> None:
        chosen = self._accounts(accounts)
        actor = Actor(user=None, username="fabric_doctor", client_ip=None, user_agent="")
        failed = []
        for account in chosen:
            self.stdout.write(self.style.MIGRATE_HEADING(str(account)))
            try:
                report = check_connection(account, actor=actor, write_contract=write)
            except Exception as error:
                # One account's set-up fault (say, a missing secret) must not hide the others.
                failed.append(account.name)
                self.stdout.write(f"not checked: {type(error).__name__}: {error}\n")
                continue
            self.stdout.write(report.table() + "\n")
            if any(finding.result == FAILED for finding in report.findings):
                failed.append(account.name)
        if failed:
            raise CommandError(f"Checks failed for: {', '.join(failed)}")

    def _accounts(self, names: list[str]) -> list[FabricAccount]:
        if not names:
            found = list(FabricAccount.objects.filter(is_active=True))
            if not found:
                raise CommandError("No active fabric account to check.")
            return found
        found = []
        for name in names:
            account = FabricAccount.objects.filter(Q(account_id=name) | Q(name=name)).first()
            if account is None:
                raise CommandError(f"No fabric account {name!r} (give its id or its name).")
            found.append(account)
        return found
