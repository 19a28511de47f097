"""The sandbox's own control API under `/_sandbox/` (README.md, "Control API"): faults, the
request log, settings, tokens and test data. Loopback only; never faulted, never logged."""

from typing import TYPE_CHECKING, Any

from . import auth, provisioning
from .bulk import generate_contracts
from .contracts import find_organization
from .errors import ApiError, FieldErrors
from .web import Request, Response, Route, ok

if TYPE_CHECKING:
    from .app import Sandbox


def health(app: "Sandbox", request: Request) -> Response:
    """GET /_sandbox/health."""
    return ok({"status": "ok"})


def add_fault(app: "Sandbox", request: Request) -> Response:
    """POST /_sandbox/faults: add a rule; answers its id."""
    return ok({"id": app.faults.add(request.json_object()).id})


def list_faults(app: "Sandbox", request: Request) -> Response:
    """GET /_sandbox/faults: the active rules (with what is left of `times`)."""
    return ok({"faults": app.faults.rules()})


def clear_faults(app: "Sandbox", request: Request) -> Response:
    """DELETE /_sandbox/faults."""
    app.faults.clear()
    return ok({"status": "ok"})


def list_requests(app: "Sandbox", request: Request) -> Response:
    """GET /_sandbox/requests?method=&path=<regex>; `in_flight`: being served now."""
    entries = app.requests.find(request.query.get("method"), request.query.get("path"))
    return ok({"count": len(entries), "in_flight": app.requests.in_flight(), "requests": entries})


def clear_requests(app: "Sandbox", request: Request) -> Response:
    """DELETE /_sandbox/requests."""
    app.requests.clear()
    return ok({"status": "ok"})


def get_config(app: "Sandbox", request: Request) -> Response:
    """GET /_sandbox/config (`documented_only` is fixed when the server starts)."""
    config = app.config
    return ok(
        {
            "token_ttl": config.token_ttl,
            "max_limit": config.max_limit,
            "documented_only": config.documented_only,
        }
    )


def set_config(app: "Sandbox", request: Request) -> Response:
    """POST /_sandbox/config: change run-time settings; answers all of them."""
    body = request.json_object()
    errors = FieldErrors()
    for name, value in body.items():
        if name not in ("token_ttl", "max_limit"):
            errors.add(name, "is not a setting")
        elif type(value) is not int or value < 1:
            errors.add(name, "must be a positive integer")
    errors.raise_if_any()
    for name, value in body.items():
        setattr(app.config, name, value)
    return get_config(app, request)


def expire_tokens(app: "Sandbox", request: Request) -> Response:
    """POST /_sandbox/tokens/expire: every token issued so far stops working."""
    with app.store.write() as conn:
        return ok({"expired": auth.expire_all_tokens(conn)})


def create_account(app: "Sandbox", request: Request) -> Response:
    """POST /_sandbox/accounts: an account and one API client (idempotent)."""
    body = request.json_object()
    errors = FieldErrors()
    for name in body:
        if name not in ("account", "name", "client_id", "client_secret"):
            errors.add(name, "is not a field of this request")
    account = body.get("account")
    if not isinstance(account, str) or auth.ACCOUNT_ID.fullmatch(account) is None:
        errors.add("account", "must be a 24-character id")
    for name in ("name", "client_id", "client_secret"):
        if not isinstance(body.get(name), str) or not body[name]:
            errors.add(name, "is required and must be a non-empty string")
    errors.raise_if_any()
    with app.store.write() as conn:
        if not auth.upsert_account(conn, **body):
            raise ApiError(409, "CONFLICT", "client_id belongs to another account.")
    return ok({"account": account, "name": body["name"], "client_id": body["client_id"]})


def _provision(creator: Any) -> Any:
    def endpoint(app: "Sandbox", request: Request, account: str) -> Response:
        fields = request.json_object()
        with app.store.write() as conn:
            return ok(creator(conn, account, fields))

    endpoint.__doc__ = f"POST /_sandbox/accounts/{{account}}/...: {creator.__doc__}"
    return endpoint


def bulk_contracts(
    app: "Sandbox", request: Request, account: str, organization_id: str
) -> Response:
    """POST .../organizations/{id}/bulk-contracts: `{"count": n, "seed": 1}`."""
    body = request.json_object()
    count, seed = body.get("count"), body.get("seed", 1)
    errors = FieldErrors()
    if type(count) is not int or not 1 <= count <= 1_000_000:
        errors.add("count", "must be an integer from 1 to 1000000")
    if type(seed) is not int:
        errors.add("seed", "must be an integer")
    errors.raise_if_any()
    with app.store.write() as conn:
        find_organization(conn, account, organization_id)
        created = generate_contracts(
            conn, account=account, party_id=organization_id, count=count, seed=seed
        )
    return ok({"organizationId": organization_id, "created": created})


_ACCOUNT = "/_sandbox/accounts/{account}"
ROUTES = [
    Route("GET", "/_sandbox/health", health, kind="control"),
    Route("POST", "/_sandbox/faults", add_fault, kind="control"),
    Route("GET", "/_sandbox/faults", list_faults, kind="control"),
    Route("DELETE", "/_sandbox/faults", clear_faults, kind="control"),
    Route("GET", "/_sandbox/requests", list_requests, kind="control"),
    Route("DELETE", "/_sandbox/requests", clear_requests, kind="control"),
    Route("GET", "/_sandbox/config", get_config, kind="control"),
    Route("POST", "/_sandbox/config", set_config, kind="control"),
    Route("POST", "/_sandbox/tokens/expire", expire_tokens, kind="control"),
    Route("POST", "/_sandbox/accounts", create_account, kind="control"),
    Route(
        "POST",
        _ACCOUNT + "/organizations",
        _provision(provisioning.create_organization),
        kind="control",
    ),
    Route(
        "POST",
        _ACCOUNT + "/price-lists",
        _provision(provisioning.create_price_list),
        kind="control",
    ),
    Route(
        "POST",
        _ACCOUNT + "/internal-parties",
        _provision(provisioning.create_internal_party),
        kind="control",
    ),
    Route(
        "POST",
        _ACCOUNT + "/organizations/{organization_id}/bulk-contracts",
        bulk_contracts,
        kind="control",
    ),
]
