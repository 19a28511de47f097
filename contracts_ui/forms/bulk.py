"""The bulk-change form: which action, with which value, for which contracts."""

import re

from django import forms
from django.conf import settings

from contracts_ui import radar
from contracts_ui.bulk import BulkChange
from contracts_ui.converters import FabricRecordIdConverter
from contracts_ui.fabric.types import CONTRACT_STATUSES
from contracts_ui.forms.edits import PriceListField
from contracts_ui.forms.filters import DateInput
from contracts_ui.models import BulkAction

# A contract's `_id` as the URLs take it (no control characters: a NUL never reaches fabric).
_ID = re.compile(FabricRecordIdConverter.regex)


def _ref(value: str) -> str:
    return value.partition("|")[0]


class BulkChangeForm(forms.Form):
    """Posted from the contract table: the action and its value, and either the contracts ticked
    (`contract`: "_id|updatedAt" as the table showed them) or every contract matching the
    table's filter (`all_matching`, with the filter's own fields beside it)."""

    action = forms.ChoiceField(label="Change", choices=BulkAction.choices)
    # Named apart from the filter's fields (status, …), which are posted beside them.
    months = forms.IntegerField(label="Months", min_value=1, max_value=120, required=False)
    new_end_date = forms.DateField(label="New end date", widget=DateInput, required=False)
    new_status = forms.ChoiceField(
        label="Set them to",
        choices=[("", "—"), *[(status, status.title()) for status in CONTRACT_STATUSES]],
        required=False,
    )
    # The picker of the contract page (console.js); its id typed without JavaScript.
    new_price_list_id = PriceListField()
    contract = forms.MultipleChoiceField(required=False)
    all_matching = forms.BooleanField(required=False)
    # Set when the expiry radar selected one of its buckets (then `all_matching`, its filter).
    bucket = forms.ChoiceField(
        choices=[("", ""), *[(w.slug, w.label) for w in (*radar.RADAR_BUCKETS, radar.EXPIRED)]],
        required=False,
    )

    # The value each action needs, and its message when missing.
    _NEEDS = {
        BulkAction.EXTEND_END: ("months", "Say by how many months."),
        BulkAction.SET_END: ("new_end_date", "Give the new end date."),
        BulkAction.SET_STATUS: ("new_status", "Choose the new status."),
        BulkAction.SET_PRICE_LIST: ("new_price_list_id", "Pick the price list, or type its id."),
    }

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # Any ticked value is accepted here; the preview reads each contract from fabric.
        self.fields["contract"].choices = [(v, v) for v in self.data.getlist("contract", [])]

    def clean(self) -> dict:
        cleaned = super().clean()
        action = cleaned.get("action")
        if action:
            field, message = self._NEEDS[BulkAction(action)]
            if cleaned.get(field) in (None, ""):
                self.add_error(field, message)
        if not cleaned.get("all_matching") and not cleaned.get("contract"):
            self.add_error(None, "Tick the contracts to change, or select all matching.")
        refused = [v for v in cleaned.get("contract") or () if not _ID.fullmatch(_ref(v))]
        if refused:
            # Never sent to fabric nor stored: the table only ticks ids fabric gave.
            self.add_error(
                "contract",
                f"{len(refused)} of the ticked values are not contract ids (they hold a control "
                "character, such as NUL): reload the table and tick the contracts again.",
            )
        if len(cleaned.get("contract") or ()) > settings.BULK_MAX_CONTRACTS:
            self.add_error(None, f"At most {settings.BULK_MAX_CONTRACTS} contracts at once.")
        return cleaned

    def change(self) -> BulkChange:
        data = self.cleaned_data
        action = BulkAction(data["action"])
        field = self._NEEDS[action][0]
        return BulkChange(action=action, **{field.removeprefix("new_"): data[field]})

    def ticked(self) -> list[tuple[str, str | None]]:
        """(contract _id, updatedAt as the table showed it) for each ticked contract."""
        pairs = []
        for value in self.cleaned_data["contract"]:
            ref, _, updated_at = value.partition("|")
            pairs.append((ref, updated_at or None))
        return pairs

    def selection(self) -> str:
        """What was selected, in words, for the job's page."""
        if self.cleaned_data["bucket"]:
            window = radar.bucket_by_slug(self.cleaned_data["bucket"])
            return f"the expiry radar's bucket: {window.label}"
        if self.cleaned_data["all_matching"]:
            return "all matching the filter"
        return "ticked contracts"
