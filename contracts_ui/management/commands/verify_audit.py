"""Verify the audit ledger's chains and print their heads, for an operator or a cron job."""

from datetime import timedelta

from django.core.management.base import BaseCommand, CommandError

from contracts_ui import audit
from contracts_ui.audit.checkpoints import CheckpointFileError, read_checkpoints
from contracts_ui.audit.verify import UNANSWERED_AFTER


class Command(BaseCommand):
    help = (
        "Walk the audit ledger's two chains (events and outcomes) from the first record and "
        "report every record that was altered, removed, re-sealed without the key or left "
        "without its event. Records cut from the end of a chain are found only against a "
        "witness: --checkpoints (the file audit_checkpoint appends to) or --expect-head (a head "
        "hash printed earlier and kept elsewhere). Exits non-zero when the ledger fails."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--checkpoints",
            metavar="FILE",
            help="a file of checkpoints written by audit_checkpoint (AUDIT_CHECKPOINT_PATH)",
        )
        parser.add_argument(
            "--expect-head",
            metavar="HASH",
            action="append",
            default=[],
            help="a head hash kept from an earlier run, which must still be in the ledger "
            "(may be given more than once)",
        )
        parser.add_argument(
            "--unanswered-after",
            metavar="SECONDS",
            type=int,
            default=int(UNANSWERED_AFTER.total_seconds()),
            help="report events still without an outcome this long after they were recorded",
        )

    def handle(self, *args, **options) -> None:
        try:
            checkpoints = (
                list(read_checkpoints(options["checkpoints"])) if options["checkpoints"] else []
            )
        except (OSError, CheckpointFileError) as error:
            raise CommandError(f"Cannot read the checkpoints: {error}") from error
        result = audit.verify_chain(
            checkpoints=checkpoints,
            expect_heads=options["expect_head"],
            unanswered_after=timedelta(seconds=options["unanswered_after"]),
        )
        self.stdout.write(
            f"Checked {result.events.count} events and {result.outcomes.count} outcomes"
            + (f" against {len(checkpoints)} checkpoints." if checkpoints else ".")
        )
        for warning in result.warnings:
            self.stdout.write(self.style.WARNING(f"Warning: {warning}"))
        if not result.ok:
            for problem in result.problems:
                self.stderr.write(f"Broken: {problem}")
            raise CommandError(f"Audit ledger fails: {'; '.join(result.problems)}")
        self.stdout.write(f"Events head:   {result.events.head}")
        self.stdout.write(f"Outcomes head: {result.outcomes.head}")
        self.stdout.write(self.style.SUCCESS("The audit ledger verifies."))
