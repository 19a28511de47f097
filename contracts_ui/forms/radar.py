"""The expiry radar's filter: one organization, or the whole account."""

from django import forms

from contracts_ui.fabric.types import Organization


class RadarFilterForm(forms.Form):
    """`organization`: one of the account's organizations (by name), or empty for all."""

    organization = forms.ChoiceField(label="Organization", required=False)

    def __init__(self, data, *, organizations: tuple[Organization, ...]) -> None:
        super().__init__(data)
        self.fields["organization"].choices = [
            ("", "Every organization"),
            *((organization.id, organization.name) for organization in organizations),
        ]

    def organization_id(self) -> str:
        """The chosen organization's id, "" for the whole account (a valid form)."""
        return self.cleaned_data["organization"]
