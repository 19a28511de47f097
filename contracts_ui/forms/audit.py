"""The audit page's filters, as a form: bad input stops here with a message at its field."""

import re
from collections.abc import Sequence
from typing import Any

from django import forms

from contracts_ui.audit.queries import PENDING, PENDING_LABEL
from contracts_ui.forms.filters import DateInput
from contracts_ui.models import AuditAction, AuditOutcomeKind

ORGANIZATION_ID = re.compile(r"[0-9a-fA-F]{24}")


class AuditFilterForm(forms.Form):
    user = forms.CharField(label="User contains", max_length=150, required=False)
    # A name, part of one, or the 24-character id: the view resolves names (selectors).
    organization = forms.CharField(
        label="Organization",
        max_length=100,
        required=False,
        help_text="Name, part of one, or id",
    )
    contract = forms.CharField(
        label="Contract", max_length=128, required=False, help_text="_id or contract id"
    )
    action = forms.ChoiceField(choices=[("", "Any action"), *AuditAction.choices], required=False)
    outcome = forms.ChoiceField(
        choices=[("", "Any outcome"), *AuditOutcomeKind.choices, (PENDING, PENDING_LABEL)],
        required=False,
    )
    date_from = forms.DateField(label="From (UTC)", required=False, widget=DateInput)
    date_to = forms.DateField(label="To (UTC)", required=False, widget=DateInput)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        low, high = cleaned.get("date_from"), cleaned.get("date_to")
        if low and high and low > high:
            self.add_error("date_to", "Must be on or after the date before it.")
        return cleaned

    def clean_organization(self) -> str:
        return self.cleaned_data["organization"].strip()

    def organization_id(self) -> str | None:
        """The organization filter when it is an id, else None (a name, or nothing)."""
        text = self.cleaned_data["organization"]
        return text if ORGANIZATION_ID.fullmatch(text) else None

    def filters(self, *, organization_ids: Sequence[str] = ()) -> dict[str, Any]:
        """Keyword arguments for audit_queries.audit_events, from a valid form and the ids its
        organization filter stands for."""
        data = self.cleaned_data
        return {
            "username": data["user"],
            "organization_ids": list(organization_ids),
            "contract": data["contract"],
            "action": data["action"],
            "outcome": data["outcome"],
            "occurred_from": data["date_from"],
            "occurred_to": data["date_to"],
        }
