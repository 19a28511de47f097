"""Forms that change contracts. Each mirrors fabric's rules, so bad input stops at its field
before any write, and returns Python values (contracts_ui.services turns them into fabric's wire
format). Edit forms carry a signed snapshot of what the user saw (for conflict detection) and a
one-off submission token (so a double click sends one write)."""

import json
import math
import secrets

from django import forms
from django.core.validators import RegexValidator

from contracts_ui.fabric.types import CONTRACT_STATUSES
from contracts_ui.forms.filters import DateInput
from contracts_ui.snapshot import Snapshot, StaleSnapshot

MAX_ATTRIBUTES_BYTES = 20_000
# Attributes are labels, not documents; SQLite and PostgreSQL refuse JSON nested ~1000 deep.
MAX_ATTRIBUTES_DEPTH = 20
# The fields an edit form carries besides the values it edits (a reason when the account's
# approval policy may hold the change: forms/approvals.py).
CONTROL_FIELDS = frozenset({"seen", "submission", "reason"})


def _finite_number(text: str) -> float:
    """JSON numbers like 1e999 would become Infinity, which is not JSON for fabric or the ledger."""
    number = float(text)
    if not math.isfinite(number):
        raise ValueError(f"{text} is too large a number")
    return number


def _not_a_number(name: str) -> None:
    raise ValueError(f"{name} is not a JSON number")


def _nesting_depth(value: object) -> int:
    """How deeply lists and objects nest (iteratively: the input may be thousands deep)."""
    deepest, pending = 0, [(value, 1)]
    while pending:
        item, depth = pending.pop()
        if isinstance(item, dict):
            item = list(item.values())
        if isinstance(item, list):
            deepest = max(deepest, depth)
            pending.extend((child, depth + 1) for child in item)
    return deepest


def _json_object(raw: str) -> dict:
    """Parse a JSON object typed by a person; a clear ValidationError otherwise."""
    raw = (raw or "").strip()
    if not raw:
        return {}
    if len(raw.encode()) > MAX_ATTRIBUTES_BYTES:
        raise forms.ValidationError(f"Keep it under {MAX_ATTRIBUTES_BYTES // 1000} kB.")
    try:
        value = json.loads(raw, parse_float=_finite_number, parse_constant=_not_a_number)
    except ValueError as error:
        raise forms.ValidationError(f"Not valid JSON: {error}.") from error
    except RecursionError as error:
        raise forms.ValidationError("Nested too deeply.") from error
    if not isinstance(value, dict):
        raise forms.ValidationError('Must be a JSON object, like {"region": "north"}.')
    if _nesting_depth(value) > MAX_ATTRIBUTES_DEPTH:
        raise forms.ValidationError(f"Nest objects and lists at most {MAX_ATTRIBUTES_DEPTH} deep.")
    try:
        # A \ud800-style escape decodes to a lone surrogate, which no page or request can carry.
        json.dumps(value, ensure_ascii=False).encode()
    except UnicodeEncodeError as error:
        raise forms.ValidationError(
            "Contains an escape that is not a Unicode character."
        ) from error
    return value


class JsonObjectField(forms.CharField):
    widget = forms.Textarea(attrs={"rows": 4, "spellcheck": "false"})

    def prepare_value(self, value):
        if isinstance(value, dict):
            return json.dumps(value, indent=2, sort_keys=True)
        return value

    def to_python(self, value) -> dict:
        return _json_object(super().to_python(value))


def _check_date_order(form: forms.Form, cleaned: dict) -> None:
    start, end = cleaned.get("start_date"), cleaned.get("end_date")
    if start and end and start >= end:
        form.add_error("end_date", "The end date must be after the start date.")


def new_submission_token() -> str:
    return secrets.token_urlsafe(16)


class SubmissionTokenField(forms.CharField):
    """The one-off token of a form; it becomes a cache key, so only short plain tokens pass."""

    widget = forms.HiddenInput
    default_validators = [RegexValidator(r"^[A-Za-z0-9_-]{1,64}$", "This form is damaged.")]


class ContractEditForm(forms.Form):
    """Base of the inline edit forms: `seen` cleans to the Snapshot the form was opened with,
    and `values()` gives the edited fields as Python values."""

    seen = forms.CharField(widget=forms.HiddenInput)
    submission = SubmissionTokenField()

    def clean_seen(self) -> Snapshot:
        try:
            return Snapshot.verify(self.cleaned_data["seen"])
        except StaleSnapshot as error:
            raise forms.ValidationError(
                "This form is out of date. Reload the contract and make your change again."
            ) from error

    def values(self) -> dict:
        """{form field: Python value} of the fields this form edits, from a valid form."""
        return {name: self.cleaned_data[name] for name in self.fields if name not in CONTROL_FIELDS}


class ContractDatesForm(ContractEditForm):
    start_date = forms.DateField(label="Start date", widget=DateInput)
    end_date = forms.DateField(label="End date", widget=DateInput)

    def clean(self) -> dict:
        cleaned = super().clean()
        _check_date_order(self, cleaned)
        return cleaned


class ContractStatusForm(ContractEditForm):
    status = forms.ChoiceField(
        choices=[(status, status.title()) for status in CONTRACT_STATUSES], widget=forms.RadioSelect
    )


class PriceListField(forms.IntegerField):
    """A price list's id. With JavaScript the field is a combobox (console.js): typing part of
    a name or an id offers the current price lists, and picking one puts its id here."""

    help = "Type part of its name or its id, then pick it."

    def __init__(self, **kwargs) -> None:
        super().__init__(
            label="Price list",
            min_value=1,
            max_value=2**53,
            required=False,
            error_messages={
                "invalid": "Pick a price list from the suggestions, or type its id (a number)."
            },
            widget=forms.TextInput(
                attrs={"data-price-list-picker": "", "autocomplete": "off", "spellcheck": "false"}
            ),
            **kwargs,
        )


class ContractPriceListForm(ContractEditForm):
    # Whether fabric knows the id is checked by the save (services.contract_edit), at this field.
    price_list_id = PriceListField(
        help_text=PriceListField.help + " Leave empty to remove the link."
    )


class ContractFlagsForm(ContractEditForm):
    on_contract = forms.BooleanField(
        label="On contract",
        required=False,
        help_text="Use the contracted price list, not the base one.",
    )
    promotion_stacking = forms.BooleanField(
        label="Promotion stacking",
        required=False,
        help_text="Contracted prices may also receive promotions.",
    )


class ContractTypeField(forms.CharField):
    """Free text, with the types already in use offered (the form's <datalist>)."""

    widget = forms.TextInput(attrs={"list": "contract-types", "autocomplete": "off"})

    def __init__(self, **kwargs) -> None:
        kwargs.setdefault("help_text", "Pick one in use or type a new one.")
        super().__init__(label="Contract type", max_length=100, required=False, **kwargs)


class ContractDetailsForm(ContractEditForm):
    contract_type = ContractTypeField()
    additional_attributes = JsonObjectField(
        label="Additional attributes (JSON object)", required=False
    )


class ContractCreateForm(forms.Form):
    """The seed's create body: dates required; id generated by fabric when left empty."""

    contract_id = forms.CharField(
        label="Contract id",
        min_length=2,
        max_length=100,
        required=False,
        help_text="At least 2 characters. Leave empty and fabric generates one.",
    )
    contract_type = ContractTypeField()
    status = forms.ChoiceField(
        choices=[(status, status.title()) for status in CONTRACT_STATUSES], initial="DRAFT"
    )
    start_date = forms.DateField(label="Start date", widget=DateInput)
    end_date = forms.DateField(label="End date", widget=DateInput)
    price_list_id = PriceListField(help_text=PriceListField.help)
    additional_attributes = JsonObjectField(
        label="Additional attributes (JSON object)", required=False
    )
    submission = SubmissionTokenField()

    def __init__(self, data=None, **kwargs):
        kwargs.setdefault("initial", {}).setdefault("submission", new_submission_token())
        super().__init__(data, **kwargs)

    def clean(self) -> dict:
        cleaned = super().clean()
        _check_date_order(self, cleaned)
        return cleaned

    def values(self) -> dict:
        """{form field: Python value} of the new contract, from a valid form."""
        return {name: self.cleaned_data[name] for name in self.fields if name != "submission"}


class InternalPartyLinkForm(forms.Form):
    internal_party_id = forms.ChoiceField(label="Internal party")

    def __init__(self, data=None, *, internal_parties=(), **kwargs):
        super().__init__(data, **kwargs)
        self.fields["internal_party_id"].choices = [
            (party.id, f"{party.name} ({party.email})" if party.email else party.name)
            for party in internal_parties
        ]
