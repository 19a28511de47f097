"""Witness the audit ledger's heads and counts outside its tables, for a cron job."""

from django.core.management.base import BaseCommand, CommandError

from contracts_ui import audit
from contracts_ui.audit.checkpoints import checkpoint_of, write_checkpoint


class Command(BaseCommand):
    help = (
        "Verify the audit ledger, then append its head hashes and record counts as one JSON "
        "line to the log and to AUDIT_CHECKPOINT_PATH (opened for appending only). Run it "
        "regularly; `verify_audit --checkpoints FILE` then finds records cut from the end. "
        "A ledger that fails verification gets no checkpoint and the command exits non-zero."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--path", help="append here instead of AUDIT_CHECKPOINT_PATH ('' for the log only)"
        )

    def handle(self, *args, **options) -> None:
        result = audit.verify_chain()
        if not result.ok:
            raise CommandError(
                f"No checkpoint: the audit ledger fails: {'; '.join(result.problems)}"
            )
        self.stdout.write(write_checkpoint(checkpoint_of(result), options["path"]))
