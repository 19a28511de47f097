"""Generated input at every form and query parameter: never a 500, always a field error or a
clean 4xx, against the real console and the stand-in (examples per test: tests/conftest.py)."""

import json
import uuid
from datetime import date
from urllib.parse import quote

import pytest
from django.urls import reverse
from hypothesis import example, given
from hypothesis import strategies as st

from contracts_ui.fabric.types import CONTRACT_STATUSES
from contracts_ui.models import AuditAction, AuditOutcomeKind
from tests.conftest import create_contract
from tests.security.conftest import HTMX

# How many examples each test draws, and why the shared fixtures are fine: the "suite" and
# "thorough" profiles in tests/conftest.py. The @example()s are edges tried on every run.
CLEAN_STATUSES = {200, 302, 400, 403, 404, 409, 422, 429}

junk = st.text(max_size=40)
numbers = st.integers(min_value=-(10**20), max_value=10**20).map(str)
dates = st.one_of(
    st.dates(min_value=date(1, 1, 1), max_value=date(9999, 12, 31)).map(date.isoformat),
    st.from_regex(r"-?\d{1,6}-\d{1,3}-\d{1,3}", fullmatch=True),
    st.sampled_from(["0001-01-01", "9999-12-31", "2026-02-29", "2024-02-29", "today", ""]),
    junk,
)


def one_of_or_junk(*values: str) -> st.SearchStrategy[str]:
    return st.one_of(st.sampled_from(values), junk, numbers)


def query(**parameters: st.SearchStrategy[str]) -> st.SearchStrategy[dict[str, str]]:
    """Any subset of the parameters, each with a generated value."""
    return st.fixed_dictionaries({}, optional=parameters)


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4)
    ),
    max_leaves=12,
)
json_attributes = st.one_of(
    st.dictionaries(st.text(max_size=20), json_values, max_size=5).map(json.dumps),
    json_values.map(json.dumps),
    junk,
)
PAGING = {
    "page": one_of_or_junk("1", "2", "1000000", "1000001", "0"),
    "size": one_of_or_junk("10", "25", "50", "100", "101"),
}
SUBMISSION = st.one_of(st.uuids().map(str), junk)
DEEP_JSON = "[" * 9999 + "]" * 9999  # under the 20 kB limit, too deep for json.loads
DEEP_OBJECT_JSON = '{"a":' * 3000 + "1" + "}" * 3000  # parses, and must survive the round trip
LONE_SURROGATE_JSON = '{"key": "\\ud800"}'


def check_clean(response) -> None:
    assert response.status_code < 500, response.status_code
    assert response.status_code in CLEAN_STATUSES, response.status_code


@pytest.fixture
def editor(client, console_world):
    client.force_login(console_world.editor_a)
    return client


@pytest.mark.slow
@given(
    params=query(
        name=junk,
        sort=one_of_or_junk("name", "updatedAt", "email", "isActive", "partyType"),
        order=one_of_or_junk("asc", "desc"),
        **PAGING,
    ),
    htmx=st.booleans(),
)
@example(params={"page": "1000001", "size": "101", "order": "sideways"}, htmx=True)
@example(params={"name": "\x00", "sort": "-name", "page": "-1", "size": "0"}, htmx=False)
def test_organization_filters(editor, console_world, params, htmx):
    url = reverse("contracts_ui:organization-list", args=[console_world.account_a.account_id])
    check_clean(editor.get(url, params, headers=HTMX if htmx else {}))


@pytest.mark.slow
@given(
    params=query(
        q=junk,
        status=one_of_or_junk(*CONTRACT_STATUSES),
        start_from=dates,
        start_to=dates,
        end_from=dates,
        end_to=dates,
        sort=one_of_or_junk("updatedAt", "contractId", "startDate", "endDate", "status"),
        order=one_of_or_junk("asc", "desc"),
        **PAGING,
    ),
    htmx=st.booleans(),
)
@example(params={"start_from": "0001-01-01", "end_to": "9999-12-31", "page": "1000000"}, htmx=False)
@example(params={"start_from": "2026-02-29", "end_from": "-1-1-1", "status": "active"}, htmx=True)
@example(params={"start_from": "2027-01-01", "start_to": "2026-01-01", "size": "101"}, htmx=False)
def test_contract_filters(editor, console_world, contract_a, params, htmx):
    url = reverse(
        "contracts_ui:contract-list",
        args=[console_world.account_a.account_id, console_world.fabric.organization_a["_id"]],
    )
    check_clean(editor.get(url, params, headers=HTMX if htmx else {}))


@pytest.mark.slow
@given(params=query(q=junk, **PAGING), htmx=st.booleans())
@example(params={"q": "%", "page": "0"}, htmx=True)
@example(params={"q": "x" * 40, "size": "100000000000000000000"}, htmx=False)
def test_contract_lookup(editor, console_world, contract_a, params, htmx):
    url = reverse("contracts_ui:contract-lookup", args=[console_world.account_a.account_id])
    check_clean(editor.get(url, params, headers=HTMX if htmx else {}))


@pytest.mark.slow
@given(
    params=query(
        user=junk,
        organization=junk,
        contract=junk,
        action=one_of_or_junk(*AuditAction.values),
        outcome=one_of_or_junk(*AuditOutcomeKind.values, "pending"),
        date_from=dates,
        date_to=dates,
        page=one_of_or_junk("1", "2", "last", "0"),
    ),
    export=st.booleans(),
)
@example(params={"date_from": "2026-12-31", "date_to": "2026-01-01", "page": "last"}, export=False)
@example(params={"outcome": "pending", "date_from": "9999-12-31", "page": "0"}, export=True)
def test_audit_filters(editor, console_world, params, export):
    name = "contracts_ui:audit-export" if export else "contracts_ui:audit-list"
    response = editor.get(reverse(name, args=[console_world.account_a.account_id]), params)
    check_clean(response)
    if export and response.status_code == 200:
        b"".join(response.streaming_content)  # rows are made while streaming


path_ids = st.one_of(
    st.text(max_size=40),
    st.sampled_from(["..", ".", "%2e%2e", "a/b", "?x=1", "#", "0", "f" * 24, "x" * 200]),
)


def raw_path(*segments: str) -> str:
    """A URL as an attacker would type it: any id, percent-encoded, past what reverse() allows."""
    return "/" + "".join(f"{quote(segment, safe='')}/" for segment in segments)


@pytest.mark.slow
@given(organization_id=path_ids, contract_id=path_ids, deleted=one_of_or_junk("1", "0"))
@example(organization_id="..", contract_id="..", deleted="1")
def test_ids_in_the_path(editor, console_world, organization_id, contract_id, deleted):
    """Ids from the URL reach fabric as one quoted path segment each: a clean 404 at worst."""
    account_id = console_world.account_a.account_id
    detail = raw_path("accounts", account_id, "organizations", organization_id, "contracts")
    check_clean(editor.get(detail + raw_path(contract_id)[1:], {"deleted": deleted}))


@pytest.fixture
def contract(sandbox, console_world) -> dict:
    """A contract of this test alone, in an organization of its own: valid examples really
    change it, and the junk they store must not reach other tests' lists and exports."""
    organization = sandbox.admin.create_organization(
        console_world.account_a.account_id, name="Fuzz Edits Ltd"
    )
    return create_contract(sandbox, organization["_id"], contractType="FUZZ", status="DRAFT")


EDIT_FIELDS = {
    "dates": {"start_date": dates, "end_date": dates},
    "status": {"status": one_of_or_junk(*CONTRACT_STATUSES)},
    "price-list": {"price_list_id": one_of_or_junk("100000", "100001", "", "9007199254740993")},
    "flags": {"on_contract": one_of_or_junk("on", ""), "promotion_stacking": junk},
    "details": {"contract_type": junk, "additional_attributes": json_attributes},
}


@pytest.mark.slow
@pytest.mark.parametrize("section", sorted(EDIT_FIELDS))
def test_edit_forms(editor, console_world, contract, section):
    url = reverse(
        "contracts_ui:contract-edit",
        args=[console_world.account_a.account_id, contract["partyId"], contract["_id"], section],
    )
    form = editor.get(url, headers=HTMX)
    assert form.status_code == 200
    seen = form.context["form"].initial["seen"]

    @given(
        fields=st.fixed_dictionaries({}, optional=EDIT_FIELDS[section]),
        # One example in three carries the real signed state, reaches fabric and may write.
        seen=st.one_of(st.just(seen), junk, st.just("")),
        submission=SUBMISSION,
        htmx=st.booleans(),
    )
    def post_edit(fields, seen, submission, htmx):
        data = {**fields, "seen": seen, "submission": submission}
        check_clean(editor.post(url, data, headers=HTMX if htmx else {}))

    post_edit()


@pytest.mark.parametrize(
    "raw", [DEEP_JSON, DEEP_OBJECT_JSON, LONE_SURROGATE_JSON, "[]", '"text"', '{"n": 1e999}']
)
def test_details_form_takes_awkward_json(editor, console_world, contract, raw):
    url = reverse(
        "contracts_ui:contract-edit",
        args=[console_world.account_a.account_id, contract["partyId"], contract["_id"], "details"],
    )
    seen = editor.get(url, headers=HTMX).context["form"].initial["seen"]
    data = {"contract_type": "X", "additional_attributes": raw, "seen": seen}
    check_clean(editor.post(url, {**data, "submission": uuid.uuid4().hex}, headers=HTMX))


@pytest.fixture
def mallory_world(client, hostile_world, sandbox):
    """Account C, with an organization of its own for the contracts the examples create."""
    client.force_login(hostile_world.editor)
    organization = sandbox.admin.create_organization(
        hostile_world.account.account_id, name="Fuzz Ltd", email="fuzz@hostile.example"
    )
    party = sandbox.admin.create_internal_party(
        hostile_world.account.account_id, name="Fuzz unit", email="unit@hostile.example"
    )
    return client, hostile_world.account.account_id, organization["_id"], party["_id"]


@pytest.mark.slow
@given(
    fields=st.fixed_dictionaries(
        {},
        optional={
            "contract_id": st.one_of(junk, st.uuids().map(str)),
            "contract_type": junk,
            "status": one_of_or_junk(*CONTRACT_STATUSES),
            "start_date": dates,
            "end_date": dates,
            "price_list_id": one_of_or_junk("100000", "", "0", "-1"),
            "additional_attributes": json_attributes,
        },
    ),
    submission=SUBMISSION,
)
@example(
    fields={
        "start_date": "2030-01-01",
        "end_date": "2031-01-01",
        "additional_attributes": DEEP_JSON,
    },
    submission="deep-json",
)
def test_create_form(mallory_world, fields, submission):
    client, account_id, organization_id, _ = mallory_world
    url = reverse("contracts_ui:contract-create", args=[account_id, organization_id])
    check_clean(client.post(url, {**fields, "submission": submission}))


@pytest.mark.slow
@given(party=st.one_of(junk, st.just("real")), unlink=st.booleans())
def test_internal_party_forms(mallory_world, party, unlink):
    client, account_id, organization_id, real_party = mallory_world
    party_id = real_party if party == "real" else party
    if unlink:
        parties = raw_path("accounts", account_id, "organizations", organization_id)
        check_clean(client.post(parties + raw_path("internal-parties", party_id, "unlink")[1:]))
    else:
        url = reverse("contracts_ui:internal-party-link", args=[account_id, organization_id])
        check_clean(client.post(url, {"internal_party_id": party_id}))


@pytest.mark.slow
@given(username=st.one_of(junk, st.just("alice")), password=junk)
@example(username="alice", password="")
@example(username="\x00", password="\x00")
def test_login_form(client, console_world, username, password):
    check_clean(client.post(reverse("login"), {"username": username, "password": password}))


@pytest.mark.slow
@given(
    fields=st.fixed_dictionaries(
        {}, optional={"old_password": junk, "new_password1": junk, "new_password2": junk}
    )
)
def test_password_change_form(editor, fields):
    check_clean(editor.post(reverse("password_change"), fields))
