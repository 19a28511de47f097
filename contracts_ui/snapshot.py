"""What the user saw of a contract when they opened an edit form.

fabric has no version token, so an edit form carries a signed copy of the contract's editable
state and its updatedAt; the save compares the form's fields with the contract fabric holds now
and refuses to overwrite a change made to them in between. This type owns that copy: making,
signing, verifying and comparing it.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.core import signing

from contracts_ui.fabric.types import Contract
from contracts_ui.fabric.values import format_datetime

_SALT = "contracts_ui.contract-edit.seen"
# Long enough for a form left open over a working day; older forms are refused as out of date.
_MAX_AGE = 24 * 3600


class StaleSnapshot(ValueError):
    """The signed copy is damaged, forged or too old: the form must be opened again."""


@dataclass(frozen=True)
class FieldChange:
    """One field of a conflict: what the user saw, what fabric holds now, what they asked for."""

    field: str
    seen: Any
    current: Any
    yours: Any


@dataclass(frozen=True)
class Snapshot:
    """A contract's editable state (fabric's names and formats) and updatedAt, as seen."""

    state: Mapping[str, Any]
    updated_at: str | None

    @classmethod
    def of(cls, contract: Contract) -> "Snapshot":
        return cls(state=contract.editable_state(), updated_at=format_datetime(contract.updated_at))

    def sign(self) -> str:
        """The snapshot as a tamper-proof string for the form's hidden field."""
        return signing.dumps({**self.state, "updatedAt": self.updated_at}, salt=_SALT)

    @classmethod
    def verify(cls, signed: str, *, max_age: float | None = _MAX_AGE) -> "Snapshot":
        """The snapshot a form carried back; StaleSnapshot when it cannot be trusted. A stored
        proposal's snapshot has its own expiry, so it passes `max_age=None`."""
        try:
            data = signing.loads(signed, salt=_SALT, max_age=max_age)
        except signing.BadSignature as error:
            raise StaleSnapshot("The edit form's snapshot is invalid or too old.") from error
        updated_at = data.pop("updatedAt", None)
        return cls(state=data, updated_at=updated_at)

    def moved(self, contract: Contract, fields: Iterable[str]) -> list[str]:
        """Which of `fields` fabric holds with another value than the snapshot: a save that
        sent the form would overwrite them. A change elsewhere in the contract (fabric's
        updatedAt moves with any) is not the form's to refuse: the write sends only its own."""
        current = contract.editable_state()
        return [field for field in fields if self.state.get(field) != current.get(field)]

    def differences(self, contract: Contract, changes: Mapping[str, Any]) -> list[FieldChange]:
        """Each field that moved since the snapshot, or that the user is changing."""
        current = contract.editable_state()
        return [
            FieldChange(field, self.state.get(field), current.get(field), changes.get(field))
            for field in current
            if self.state.get(field) != current.get(field) or field in changes
        ]
