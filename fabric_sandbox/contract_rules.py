"""The contract body rules of seeds 001, 002 and 004: which fields each write accepts, and how
each value is checked and normalized before it reaches the database."""

from collections.abc import Callable
from typing import Any

from .errors import FieldErrors, field_error
from .values import normalize_iso

STATUSES = ("ACTIVE", "DRAFT", "INACTIVE")
_COMMON = frozenset(
    {
        "startDate",
        "endDate",
        "contractId",
        "contractType",
        "priceListId",
        "status",
        "additionalAttributes",
    }
)
CREATE_FIELDS = _COMMON
# contractId on updates is DECIDED (the seeds do not list it; a duplicate is a 409).
PUT_FIELDS = _COMMON
PATCH_ONLY = frozenset({"onContract", "promotionStacking"})
PATCH_FIELDS = _COMMON | PATCH_ONLY | {"partyId", "addressId", "accountId"}


def _date(value: Any) -> tuple[bool, Any]:
    normalized = normalize_iso(value)
    return normalized is not None, normalized


def _contract_id(value: Any) -> tuple[bool, Any]:
    # A string stays a string; an integer (what generated ids look like) stays a number.
    if isinstance(value, str) and len(value) >= 2:
        return True, (value, False)
    if type(value) is int and len(str(value)) >= 2:
        return True, (str(value), True)
    return False, None


def _optional_text(value: Any) -> tuple[bool, Any]:
    # null clears an optional text field; it then reads back as "" (the seeds show strings).
    if value is None:
        return True, ""
    return isinstance(value, str), value


def _party_id(value: Any) -> tuple[bool, Any]:
    return isinstance(value, str) and value != "", value


def _status(value: Any) -> tuple[bool, Any]:
    return value in STATUSES, value


def _price_list_id(value: Any) -> tuple[bool, Any]:
    # null unlinks (DECIDED); bool is an int subclass in Python but not an integer in JSON.
    return value is None or type(value) is int, value


def _flag(value: Any) -> tuple[bool, Any]:
    return isinstance(value, bool), value


def _attributes(value: Any) -> tuple[bool, Any]:
    return isinstance(value, dict), value


_RULES: dict[str, tuple[Callable[[Any], tuple[bool, Any]], str]] = {
    "startDate": (_date, "must be an ISO-8601 date or date-time"),
    "endDate": (_date, "must be an ISO-8601 date or date-time"),
    "contractId": (_contract_id, "must be a string of 2 or more characters"),
    "contractType": (_optional_text, "must be a string"),
    "addressId": (_optional_text, "must be a string"),
    "accountId": (_optional_text, "must be a string"),
    "partyId": (_party_id, "must be the _id of an organization"),
    "status": (_status, f"must be one of {', '.join(STATUSES)}"),
    "priceListId": (_price_list_id, "must be an integer"),
    "onContract": (_flag, "must be true or false"),
    "promotionStacking": (_flag, "must be true or false"),
    "additionalAttributes": (_attributes, "must be an object"),
}


def clean_contract_body(
    body: dict[str, Any], allowed: frozenset[str], *, required: tuple[str, ...] = ()
) -> dict[str, Any]:
    """The body's values, checked and normalized; one 400 naming every bad or unknown field.

    `contractId` comes back as `(text, is_number)`, dates in fabric's UTC millisecond form.
    """
    errors = FieldErrors()
    cleaned: dict[str, Any] = {}
    for name in required:
        if name not in body:
            errors.add(name, "is required")
    for name, value in body.items():
        if name not in allowed:
            if name in PATCH_ONLY:
                errors.add(name, "can only be set with PATCH /v1/contracts/{contractId}")
            else:
                errors.add(name, "is not a field of this request")
            continue
        check, message = _RULES[name]
        valid, normalized = check(value)
        if valid:
            cleaned[name] = normalized
        else:
            errors.add(name, message)
    errors.raise_if_any()
    return cleaned


def check_date_order(start: str, end: str, sent: set[str]) -> None:
    """400 unless startDate is strictly before endDate (normalized strings sort as instants).

    The error names the field the request changed, `endDate` when it sent both.
    """
    if start < end:
        return
    name = "startDate" if "endDate" not in sent else "endDate"
    raise field_error(name, "startDate must be before endDate")
