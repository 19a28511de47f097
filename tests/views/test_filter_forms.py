"""The filter bar's fields, rendered once per distinct query: the same markup Django renders,
errors included, and never one query's markup for another."""

import pytest
from django.http import QueryDict
from django.template.loader import render_to_string

from contracts_ui.forms.filters import ContractFilterForm, OrganizationFilterForm

NAMES = ("status", "start_from", "start_to", "end_from", "end_to", "sort", "order", "size")


def _rendered_by_django(form, names) -> str:
    return "".join(
        render_to_string("contracts_ui/includes/field.html", {"field": form[name]})
        for name in names
    )


@pytest.mark.parametrize(
    "query",
    [
        "",
        "status=DRAFT&sort=endDate&order=asc&size=100",
        "status=ACTIVE&status=INACTIVE",  # several statuses at once
        "start_from=2026-05-01&start_to=2026-01-01",  # a cross-field error at start_to
        "status=NOPE&end_from=not-a-date&size=7",  # field errors
    ],
)
def test_the_markup_is_what_django_renders(query):
    form = ContractFilterForm(QueryDict(query))
    assert form.fields_html(NAMES) == _rendered_by_django(
        ContractFilterForm(QueryDict(query)), NAMES
    )


def test_errors_reach_the_field_they_belong_to():
    html = ContractFilterForm(QueryDict("start_from=2026-05-01&start_to=2026-01-01")).fields_html(
        NAMES
    )
    assert 'id="id_start_to_error"' in html
    assert "Must be on or after the date before it." in html
    assert 'id="id_start_from_error"' not in html


def test_each_query_and_each_form_gets_its_own_markup():
    draft = ContractFilterForm(QueryDict("status=DRAFT")).fields_html(NAMES)
    active = ContractFilterForm(QueryDict("status=ACTIVE")).fields_html(NAMES)
    assert 'value="DRAFT" id="id_status_1" checked>' in draft
    assert 'value="ACTIVE" id="id_status_0" checked>' in active
    assert draft != active
    both = ContractFilterForm(QueryDict("status=ACTIVE&status=DRAFT")).fields_html(NAMES)
    assert both.count(" checked>") == 2
    assert both not in (draft, active)
    organizations = OrganizationFilterForm(QueryDict("")).fields_html(("sort",))
    contracts = ContractFilterForm(QueryDict("")).fields_html(("sort",))
    assert '<option value="name" selected>' in organizations
    assert '<option value="updatedAt" selected>' in contracts


def test_query_string_forms_share_their_fields_and_keep_their_own_state():
    """PagingForm hands each form its class's fields as they are (no deep copy per request):
    what differs between two requests' forms is their data, errors and cleaned values."""
    bad = ContractFilterForm(QueryDict("page=0&end_from=2030-02-01&end_to=2030-01-01"))
    good = ContractFilterForm(QueryDict("page=2&sort=endDate"))
    assert bad.fields["page"] is good.fields["page"] is ContractFilterForm.base_fields["page"]
    assert not bad.is_valid()
    assert good.is_valid()
    assert set(bad.errors) == {"page", "end_to"}
    assert good.errors == {}
    assert good.cleaned_data["page"] == 2
    assert 'aria-invalid="true"' in str(bad["page"])
    assert "aria-invalid" not in str(good["page"])
