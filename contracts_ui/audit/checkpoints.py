"""Checkpoints: the ledger's heads and counts, written where the ledger's tables are not.

A chain alone cannot show that its last records were removed. A checkpoint witnesses how long
each chain was and how it ended; `verify_audit --checkpoints` later proves the ledger still holds
those records. Each checkpoint is one JSON line, in the log and appended to
AUDIT_CHECKPOINT_PATH; the file is only ever opened for appending.
"""

import json
import logging
import os
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from django.conf import settings
from django.utils import timezone

from contracts_ui.audit.verify import ChainVerification

logger = logging.getLogger("contracts_ui.audit")


def _is_head(witnessed: Any) -> bool:
    """A chain as a checkpoint witnesses it: a count of records and the last one's hash."""
    return (
        isinstance(witnessed["count"], int)
        and witnessed["count"] >= 0
        and isinstance(witnessed["head"], str)
        and len(witnessed["head"]) == 64
    )


class CheckpointFileError(ValueError):
    """A checkpoint file that cannot be read as checkpoints."""


def checkpoint_of(verified: ChainVerification) -> dict[str, Any]:
    """The witness of a ledger that verified: when, and each chain's count, head and last id."""
    return {
        "taken_at": timezone.now().isoformat(),
        "events": verified.events.as_dict(),
        "outcomes": verified.outcomes.as_dict(),
        "key_id": settings.AUDIT_KEY_ID,
    }


def write_checkpoint(checkpoint: Mapping[str, Any], path: str | os.PathLike | None = None) -> str:
    """Log the checkpoint and append it to `path` (default AUDIT_CHECKPOINT_PATH, "" for the log
    only); the JSON line written."""
    line = json.dumps(checkpoint, sort_keys=True, separators=(",", ":"))
    logger.info("audit checkpoint %s", line, extra={"event": "audit.checkpoint"})
    path = settings.AUDIT_CHECKPOINT_PATH if path is None else path
    if path:
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        # Append-only from the first byte: no mode that could truncate or seek back is used.
        descriptor = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o640)
        try:
            os.write(descriptor, (line + "\n").encode())
            os.fsync(descriptor)
        finally:
            os.close(descriptor)
    return line


def read_checkpoints(path: str | os.PathLike) -> Iterator[dict[str, Any]]:
    """Every checkpoint in the file, in order; a line that is not one is an error, not skipped."""
    with open(path, encoding="utf-8") as lines:
        for number, line in enumerate(lines, start=1):
            if not line.strip():
                continue
            try:
                checkpoint = json.loads(line)
                valid = isinstance(checkpoint["taken_at"], str) and all(
                    _is_head(checkpoint[chain]) for chain in ("events", "outcomes")
                )
            except (ValueError, TypeError, KeyError):
                valid = False
            if not valid:
                raise CheckpointFileError(f"{path}, line {number}: not an audit checkpoint")
            yield checkpoint
