"""Verify the audit ledger's hash chains and print their heads, for an operator or a cron job."""

from django.core.management.base import BaseCommand, CommandError

from contracts_ui import audit


class Command(BaseCommand):
    help = (
        "Walk the audit ledger's two hash chains (events and outcomes) from the first record and "
        "report the first record that was altered or removed. Prints the head hash of each chain: "
        "keep a copy elsewhere and compare, because removing records from the end of a chain "
        "leaves a chain that still verifies and is otherwise undetectable. Exits non-zero when "
        "the chain is broken."
    )

    def handle(self, *args, **options) -> None:
        result = audit.verify_chain()
        self.stdout.write(
            f"Checked {result.events_checked} events and {result.outcomes_checked} outcomes."
        )
        if not result.ok:
            raise CommandError(f"Audit chain broken at {result.first_broken}")
        self.stdout.write(f"Events head:   {result.events_head}")
        self.stdout.write(f"Outcomes head: {result.outcomes_head}")
        self.stdout.write(self.style.SUCCESS("The audit chain verifies."))
