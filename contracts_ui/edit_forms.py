"""Forms that change contracts. Each mirrors fabric's rules, so bad input stops at its field
before any write; edit forms carry a signed copy of what the user saw (for conflict detection)
and a one-off submission token (so a double click sends one write)."""

import json
import math
import secrets
from datetime import date
from typing import ClassVar

from django import forms
from django.core import signing
from django.core.validators import RegexValidator

from contracts_ui import fabric
from contracts_ui.fabric.types import CONTRACT_STATUSES, Contract, FabricTenant, PriceList
from contracts_ui.fabric.values import format_datetime
from contracts_ui.forms import DateInput

_SEEN_SALT = "contracts_ui.contract-edit.seen"
_SEEN_MAX_AGE = 24 * 3600
MAX_ATTRIBUTES_BYTES = 20_000
# Attributes are labels, not documents; SQLite and PostgreSQL refuse JSON nested ~1000 deep.
MAX_ATTRIBUTES_DEPTH = 20


def _fabric_date(value: date) -> str:
    """A form date as fabric stores it: midnight UTC with milliseconds."""
    return f"{value.isoformat()}T00:00:00.000Z"


def _date_part(value: str | None) -> str | None:
    return value[:10] if value else None


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


def _add_fabric_errors(
    form: forms.Form, error: "fabric.FabricValidationError", fields_by_fabric_name: dict[str, str]
) -> None:
    """Show fabric's own validation messages at the fields they name, the rest above the form."""
    for field, messages in error.field_errors.items():
        form.add_error(fields_by_fabric_name.get(field), [f"fabric: {m}" for m in messages])
    for message in error.non_field_errors or ([] if error.field_errors else [error.message]):
        form.add_error(None, f"fabric: {message}")


def _price_list_exists(tenant: FabricTenant | None, price_list_id: int) -> PriceList:
    """Look a price list up before linking it, so an unknown id is a field error, not a write."""
    try:
        return fabric.get_price_list(tenant, price_list_id=price_list_id)
    except fabric.FabricNotFound as error:
        raise forms.ValidationError(
            f"There is no price list #{price_list_id} in this account."
        ) from error
    except fabric.FabricError as error:
        raise forms.ValidationError(
            f"Could not check price list #{price_list_id}: {error.user_message}"
        ) from error


class SubmissionTokenField(forms.CharField):
    """The one-off token of a form; it becomes a cache key, so only short plain tokens pass."""

    widget = forms.HiddenInput
    default_validators = [RegexValidator(r"^[A-Za-z0-9_-]{1,64}$", "This form is damaged.")]


class ContractEditForm(forms.Form):
    """Base of the inline edit forms: `changes()` gives fabric-named values that differ from
    what the user saw."""

    fabric_fields: ClassVar[dict[str, str]] = {}  # form field → fabric field
    seen = forms.CharField(widget=forms.HiddenInput)
    submission = SubmissionTokenField()

    def __init__(self, data=None, *, contract: Contract | None = None, tenant=None, **kwargs):
        initial = kwargs.pop("initial", {})
        if contract is not None:
            state = {**contract.editable_state(), "updatedAt": format_datetime(contract.updated_at)}
            initial = {**self.initial_from_state(state), **initial}
            initial["seen"] = signing.dumps(state, salt=_SEEN_SALT)
            initial["submission"] = secrets.token_urlsafe(16)
        super().__init__(data, initial=initial, **kwargs)
        self.tenant = tenant

    def initial_from_state(self, state: dict) -> dict:
        return {
            form_field: state.get(fabric_field)
            for form_field, fabric_field in self.fabric_fields.items()
        }

    def clean_seen(self) -> dict:
        try:
            return signing.loads(self.cleaned_data["seen"], salt=_SEEN_SALT, max_age=_SEEN_MAX_AGE)
        except signing.BadSignature as error:
            raise forms.ValidationError(
                "This form is out of date. Reload the contract and make your change again."
            ) from error

    def fabric_values(self) -> dict:
        return {
            fabric_field: self.cleaned_data[form_field]
            for form_field, fabric_field in self.fabric_fields.items()
        }

    def changes(self) -> dict:
        seen = self.cleaned_data["seen"]
        return {
            field: value
            for field, value in self.fabric_values().items()
            if value != seen.get(field)
        }

    def add_fabric_errors(self, error: "fabric.FabricValidationError") -> None:
        by_fabric_name = {fabric: form for form, fabric in self.fabric_fields.items()}
        _add_fabric_errors(self, error, by_fabric_name)


class ContractDatesForm(ContractEditForm):
    fabric_fields: ClassVar[dict[str, str]] = {"start_date": "startDate", "end_date": "endDate"}
    start_date = forms.DateField(label="Start date", widget=DateInput)
    end_date = forms.DateField(label="End date", widget=DateInput)

    def initial_from_state(self, state: dict) -> dict:
        return {
            "start_date": _date_part(state["startDate"]),
            "end_date": _date_part(state["endDate"]),
        }

    def clean(self) -> dict:
        cleaned = super().clean()
        _check_date_order(self, cleaned)
        return cleaned

    def changes(self) -> dict:
        # A date the user left alone keeps fabric's time of day.
        seen = self.cleaned_data["seen"]
        changes = {}
        for form_field, fabric_field in self.fabric_fields.items():
            value = self.cleaned_data[form_field]
            if value.isoformat() != _date_part(seen.get(fabric_field)):
                changes[fabric_field] = _fabric_date(value)
        return changes


class ContractStatusForm(ContractEditForm):
    fabric_fields: ClassVar[dict[str, str]] = {"status": "status"}
    status = forms.ChoiceField(
        choices=[(status, status.title()) for status in CONTRACT_STATUSES], widget=forms.RadioSelect
    )


class ContractPriceListForm(ContractEditForm):
    fabric_fields: ClassVar[dict[str, str]] = {"price_list_id": "priceListId"}
    price_list_id = forms.IntegerField(
        label="Price list id",
        min_value=1,
        max_value=2**53,
        required=False,
        help_text="Leave empty to remove the link.",
    )

    def clean_price_list_id(self) -> int | None:
        value = self.cleaned_data["price_list_id"]
        if value is not None:
            self.price_list = _price_list_exists(self.tenant, value)
        return value


class ContractFlagsForm(ContractEditForm):
    fabric_fields: ClassVar[dict[str, str]] = {
        "on_contract": "onContract",
        "promotion_stacking": "promotionStacking",
    }
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


class ContractDetailsForm(ContractEditForm):
    fabric_fields: ClassVar[dict[str, str]] = {
        "contract_type": "contractType",
        "additional_attributes": "additionalAttributes",
    }
    contract_type = forms.CharField(label="Contract type", max_length=100, required=False)
    additional_attributes = JsonObjectField(
        label="Additional attributes (JSON object)", required=False
    )


EDIT_FORMS: dict[str, type[ContractEditForm]] = {
    "dates": ContractDatesForm,
    "status": ContractStatusForm,
    "price-list": ContractPriceListForm,
    "flags": ContractFlagsForm,
    "details": ContractDetailsForm,
}


class ContractCreateForm(forms.Form):
    """The seed's create body: dates required; id generated by fabric when left empty."""

    FIELDS_BY_FABRIC_NAME: ClassVar[dict[str, str]] = {
        "contractId": "contract_id",
        "contractType": "contract_type",
        "status": "status",
        "startDate": "start_date",
        "endDate": "end_date",
        "priceListId": "price_list_id",
        "additionalAttributes": "additional_attributes",
    }

    contract_id = forms.CharField(
        label="Contract id",
        min_length=2,
        max_length=100,
        required=False,
        help_text="At least 2 characters. Leave empty and fabric generates one.",
    )
    contract_type = forms.CharField(label="Contract type", max_length=100, required=False)
    status = forms.ChoiceField(
        choices=[(status, status.title()) for status in CONTRACT_STATUSES], initial="DRAFT"
    )
    start_date = forms.DateField(label="Start date", widget=DateInput)
    end_date = forms.DateField(label="End date", widget=DateInput)
    price_list_id = forms.IntegerField(
        label="Price list id", min_value=1, max_value=2**53, required=False
    )
    additional_attributes = JsonObjectField(
        label="Additional attributes (JSON object)", required=False
    )
    submission = SubmissionTokenField()

    def __init__(self, data=None, *, tenant=None, **kwargs):
        kwargs.setdefault("initial", {}).setdefault("submission", secrets.token_urlsafe(16))
        super().__init__(data, **kwargs)
        self.tenant = tenant

    def clean_contract_id(self) -> str:
        return self.cleaned_data["contract_id"].strip()

    def clean_price_list_id(self) -> int | None:
        value = self.cleaned_data["price_list_id"]
        if value is not None:
            _price_list_exists(self.tenant, value)
        return value

    def clean(self) -> dict:
        cleaned = super().clean()
        _check_date_order(self, cleaned)
        return cleaned

    def body(self) -> dict:
        data = self.cleaned_data
        body = {
            "startDate": _fabric_date(data["start_date"]),
            "endDate": _fabric_date(data["end_date"]),
            "status": data["status"],
        }
        optional = {
            "contractId": data["contract_id"],
            "contractType": data["contract_type"].strip(),
            "priceListId": data["price_list_id"],
            "additionalAttributes": data["additional_attributes"],
        }
        body.update({key: value for key, value in optional.items() if value not in ("", None, {})})
        return body

    def add_fabric_errors(self, error: "fabric.FabricValidationError") -> None:
        _add_fabric_errors(self, error, self.FIELDS_BY_FABRIC_NAME)


class InternalPartyLinkForm(forms.Form):
    internal_party_id = forms.ChoiceField(label="Internal party")

    def __init__(self, data=None, *, internal_parties=(), **kwargs):
        super().__init__(data, **kwargs)
        self.fields["internal_party_id"].choices = [
            (party.id, f"{party.name} ({party.email})" if party.email else party.name)
            for party in internal_parties
        ]
