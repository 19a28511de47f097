"""The audit ledger: the one place that records, seals, verifies and reads it.

- recording.py: attempts before fabric is called, outcomes after, exports as they complete;
- sealing.py: the keyed hash of each record and the one function that appends to a chain;
- verify.py and checkpoints.py: walking both chains, and the witnesses kept outside them;
- queries.py: reading the ledger for the audit page, its CSV export and a contract's history.

The names below are the package's public face: `from contracts_ui import audit`.
"""

from contracts_ui.audit.recording import (
    Actor,
    ExportRecord,
    actor_from_request,
    audited_write,
    field_diff,
    finish_step,
    outcome_of_error,
    outside_change_message,
    outside_changes,
    part_of,
    record_attempt,
    record_bulk,
    record_outcome,
    record_step,
    start_export,
    storable,
)
from contracts_ui.audit.sealing import GENESIS_HASH
from contracts_ui.audit.verify import ChainVerification, verify_chain

__all__ = [
    "GENESIS_HASH",
    "Actor",
    "ChainVerification",
    "ExportRecord",
    "actor_from_request",
    "audited_write",
    "field_diff",
    "finish_step",
    "outcome_of_error",
    "outside_change_message",
    "outside_changes",
    "part_of",
    "record_attempt",
    "record_bulk",
    "record_outcome",
    "record_step",
    "start_export",
    "storable",
    "verify_chain",
]
