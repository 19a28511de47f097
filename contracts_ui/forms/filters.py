"""Forms for the browser's query strings: each mirrors what fabric accepts, so bad input stops
here with a message at its field instead of becoming a fabric 400."""

from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache
from typing import ClassVar
from urllib.parse import urlencode

from django import forms
from django.http import QueryDict
from django.template.loader import render_to_string
from django.utils.html import format_html_join
from django.utils.safestring import SafeString

from contracts_ui.fabric.types import CONTRACT_STATUSES, MAX_PAGE_SIZE, ContractQuery

PAGE_SIZES = (10, 25, 50, 100)
SORT_ORDERS = (("desc", "Descending"), ("asc", "Ascending"))
# Far bounds let a user give one side of a date range; fabric only accepts both sides together.
_EARLIEST = date(1, 1, 1)
_LATEST = date(9999, 12, 31)


class DateInput(forms.DateInput):
    input_type = "date"


class _SharedFields(dict):
    """A query-string form's fields, given to each form as they are. Django deep-copies a form's
    fields for every instance, so that one may change its own; these are never changed (their
    choices are fixed in code), and the copy was two thirds of the contracts table's form."""

    def __deepcopy__(self, memo) -> dict:
        return dict(self)


class PagingForm(forms.Form):
    """Query-string forms: a parameter left out takes its default, in the controls shown too."""

    defaults: ClassVar[dict[str, str]] = {"size": "25"}
    page = forms.IntegerField(min_value=1, max_value=1_000_000, required=False)
    size = forms.TypedChoiceField(
        label="Rows per page", choices=[(size, size) for size in PAGE_SIZES], coerce=int
    )

    def __init__(self, data=None, *args, **kwargs) -> None:
        if data is not None:
            missing = {name: value for name, value in self.defaults.items() if not data.get(name)}
            if missing:
                data = data.copy()
                data.update(missing)
        self.base_fields = _SharedFields(type(self).base_fields)
        super().__init__(data, *args, **kwargs)

    def clean_page(self) -> int:
        return self.cleaned_data["page"] or 1

    def paging(self) -> tuple[int, int]:
        """(offset, limit) for fabric, from a valid form."""
        size = min(self.cleaned_data["size"], MAX_PAGE_SIZE)
        return (self.cleaned_data["page"] - 1) * size, size

    def fields_html(self, names: tuple[str, ...]) -> SafeString:
        """The named fields as the filter bar shows them, errors included.

        Django's widget templates cost ~0.5 ms a field, a quarter of the contracts table's
        time. A query-string form's markup depends only on its data (its choices are fixed in
        code), so each distinct query is rendered once per process.
        """
        data = tuple((name, tuple(self.data.getlist(name))) for name in self.fields)
        return _rendered_fields(type(self), names, data)


@lru_cache(maxsize=512)
def _rendered_fields(
    form_class: type[PagingForm], names: tuple[str, ...], data: tuple[tuple[str, tuple], ...]
) -> SafeString:
    query = QueryDict(mutable=True)
    for name, values in data:
        query.setlist(name, list(values))
    form = form_class(query)
    return format_html_join(
        "",
        "{}",
        (
            (render_to_string("contracts_ui/includes/field.html", {"field": form[name]}),)
            for name in names
        ),
    )


class OrganizationFilterForm(PagingForm):
    SORT_FIELDS = (
        ("name", "Name"),
        ("updatedAt", "Last modified"),
        ("email", "Email"),
        ("isActive", "Active"),
        ("partyType", "Type"),
    )
    defaults: ClassVar[dict[str, str]] = {"size": "25", "sort": "name", "order": "asc"}
    name = forms.CharField(label="Name contains", max_length=100, required=False)
    sort = forms.ChoiceField(choices=SORT_FIELDS)
    order = forms.ChoiceField(choices=SORT_ORDERS)


@dataclass(frozen=True)
class Preset:
    label: str
    query: str  # the query string that applies it
    active: bool


PRESET_DAYS = (30, 60, 90)


class ContractFilterForm(PagingForm):
    SORT_FIELDS = (
        ("updatedAt", "Last modified"),
        ("contractId", "Contract id"),
        ("startDate", "Start date"),
        ("endDate", "End date"),
        ("status", "Status"),
        ("priceListId", "Price list"),
    )
    q = forms.CharField(label="Contract id contains", max_length=100, required=False)
    # Several at once: each ticked status is another `status` in the query string.
    status = forms.MultipleChoiceField(
        choices=[(status, status.title()) for status in CONTRACT_STATUSES],
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    start_from = forms.DateField(label="Starts from", required=False, widget=DateInput)
    start_to = forms.DateField(label="Starts until", required=False, widget=DateInput)
    end_from = forms.DateField(label="Ends from", required=False, widget=DateInput)
    end_to = forms.DateField(label="Ends until", required=False, widget=DateInput)
    deleted = forms.BooleanField(label="Show deleted", required=False)
    defaults: ClassVar[dict[str, str]] = {"size": "25", "sort": "updatedAt", "order": "desc"}
    sort = forms.ChoiceField(label="Sort by", choices=SORT_FIELDS)
    order = forms.ChoiceField(choices=SORT_ORDERS)

    def clean(self) -> dict:
        cleaned = super().clean()
        for low, high in (("start_from", "start_to"), ("end_from", "end_to")):
            if cleaned.get(low) and cleaned.get(high) and cleaned[low] > cleaned[high]:
                self.add_error(high, "Must be on or after the date before it.")
        return cleaned

    @property
    def active_filter_count(self) -> int:
        """How many filters narrow the table (what a folded filter bar says about itself)."""
        names = ("q", "status", "start_from", "start_to", "end_from", "end_to")
        return sum(1 for name in names if (self.data.get(name) or "").strip())

    def presets(self, today: date) -> list["Preset"]:
        """The table's one-click filters, each keeping the search, sort and page size."""
        kept = {
            name: value
            for name, value in self.data.items()
            if name not in ("page", "status", "end_from", "end_to", "deleted") and value
        }
        choices = [
            (f"Ending in {days} days", {"end_from": today, "end_to": today + timedelta(days=days)})
            for days in PRESET_DAYS
        ]
        choices.append(
            (
                "Past end date, still active",
                {"status": "ACTIVE", "end_to": today - timedelta(days=1)},
            )
        )
        presets = []
        for label, values in choices:
            wanted = {name: str(value) for name, value in values.items()}
            active = self.data.getlist("status") == [
                wanted[name] for name in ("status",) if name in wanted
            ] and all(
                self.data.get(name, "") == wanted.get(name, "") for name in ("end_from", "end_to")
            )
            presets.append(Preset(label, "?" + urlencode(kept | wanted), active))
        return presets

    def contract_query(self) -> ContractQuery:
        """The fabric query for a valid form; a one-sided date range is closed with a far bound."""
        data = self.cleaned_data
        start_from, start_to = data["start_from"], data["start_to"]
        end_from, end_to = data["end_from"], data["end_to"]
        if start_from or start_to:
            start_from, start_to = start_from or _EARLIEST, start_to or _LATEST
        if end_from or end_to:
            end_from, end_to = end_from or _EARLIEST, end_to or _LATEST
        # Every status ticked is no filter at all; several are read one list per status.
        statuses = [status for status in CONTRACT_STATUSES if status in data["status"]]
        if len(statuses) == len(CONTRACT_STATUSES):
            statuses = []
        return ContractQuery(
            status=statuses[0] if len(statuses) == 1 else None,
            statuses=tuple(statuses) if len(statuses) > 1 else (),
            search=data["q"].strip() or None,
            start_date_from=start_from,
            start_date_to=start_to,
            end_date_from=end_from,
            end_date_to=end_to,
            sort_by=data["sort"],
            sort_order=data["order"],
        )


class ContractLookupForm(PagingForm):
    q = forms.CharField(label="Contract id", min_length=1, max_length=100, required=False)
