"""API clients, bearer tokens and the `x-site-context` header (REFERENCE.md §1 and §5).

Secrets and tokens are stored as SHA-256 digests: the database file is never a credential.
"""

import base64
import binascii
import hashlib
import hmac
import json
import re
import secrets
import sqlite3
import time
from typing import TYPE_CHECKING
from urllib.parse import parse_qs

from .errors import ApiError
from .values import iso_from_ms, new_object_id, now_ms
from .web import Request, Response, Route

if TYPE_CHECKING:
    from .app import Sandbox

ACCOUNT_ID = re.compile(r"[0-9A-Za-z]{24}")


def _digest(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def upsert_account(
    conn: sqlite3.Connection, *, account: str, name: str, client_id: str, client_secret: str
) -> bool:
    """Create an account and its API client, or update them; False if the client id is taken."""
    owner = conn.execute("SELECT account FROM clients WHERE client_id = ?", (client_id,)).fetchone()
    if owner is not None and owner["account"] != account:
        return False
    ensure_account(conn, account=account, name=name)
    conn.execute("UPDATE accounts SET name = ? WHERE account = ?", (name, account))
    conn.execute(
        "INSERT INTO clients (client_id, account, secret_sha256) VALUES (?, ?, ?) "
        "ON CONFLICT (client_id) DO UPDATE SET secret_sha256 = excluded.secret_sha256",
        (client_id, account, _digest(client_secret)),
    )
    return True


def ensure_account(
    conn: sqlite3.Connection, *, account: str, name: str, root_party_id: str | None = None
) -> None:
    """Create the account row if it is missing (with the root party its organizations hang from)."""
    conn.execute(
        "INSERT INTO accounts (account, name, root_party_id, created_at) VALUES (?, ?, ?, ?) "
        "ON CONFLICT (account) DO NOTHING",
        (account, name, root_party_id or new_object_id(), iso_from_ms(now_ms())),
    )


def account_exists(conn: sqlite3.Connection, account: str) -> bool:
    """True when the account has been created."""
    row = conn.execute("SELECT 1 FROM accounts WHERE account = ?", (account,)).fetchone()
    return row is not None


def expire_all_tokens(conn: sqlite3.Connection) -> int:
    """Make every issued token expired; answers how many there were."""
    return conn.execute("UPDATE tokens SET expires_at = 0").rowcount


def _basic_credentials(request: Request) -> tuple[str, str] | None:
    scheme, _, encoded = (request.headers.get("Authorization") or "").partition(" ")
    if scheme.lower() != "basic":
        return None
    try:
        decoded = base64.b64decode(encoded.strip(), validate=True).decode()
    except (binascii.Error, UnicodeDecodeError):
        return None
    client_id, sep, secret = decoded.partition(":")
    return (client_id, secret) if sep else None


def issue_token(app: "Sandbox", request: Request) -> Response:
    """POST /auth/v1/token: the OAuth2 client-credentials grant with HTTP Basic client auth."""
    unauthorized = ApiError(
        401,
        "UNAUTHORIZED",
        "Unknown client or wrong secret.",
        headers={"WWW-Authenticate": 'Basic realm="fabric-sandbox"'},
    )
    credentials = _basic_credentials(request)
    if credentials is None:
        raise unauthorized
    client_id, secret = credentials
    row = (
        app.store.read()
        .execute("SELECT account, secret_sha256 FROM clients WHERE client_id = ?", (client_id,))
        .fetchone()
    )
    if row is None or not hmac.compare_digest(row["secret_sha256"], _digest(secret)):
        raise unauthorized
    try:
        form = parse_qs(request.body.decode(), keep_blank_values=True)
    except UnicodeDecodeError:
        form = {}
    grant_type = form.get("grant_type", [""])[0]
    if grant_type != "client_credentials":
        raise ApiError(400, "UNSUPPORTED_GRANT_TYPE", "grant_type must be client_credentials.")
    scope = form.get("scope", ["s2s"])[0]
    if scope != "s2s":
        raise ApiError(400, "INVALID_SCOPE", "scope must be s2s.")
    token = secrets.token_urlsafe(32)
    ttl = app.config.token_ttl
    with app.store.write() as conn:
        conn.execute(
            "INSERT INTO tokens (token_sha256, account, client_id, expires_at) VALUES (?, ?, ?, ?)",
            (_digest(token), row["account"], client_id, time.time() + ttl),
        )
    body = {"token_type": "Bearer", "expires_in": ttl, "access_token": token, "scope": "s2s"}
    return Response(200, body, headers={"Cache-Control": "no-store"})


def site_context_account(request: Request) -> str:
    """The `account` of a valid `x-site-context` header; 400 INVALID_SITE_CONTEXT otherwise.

    Only `account` is checked: `channel`, `stage` and `date` narrow the scope on fabric and are
    accepted as sent.
    """
    raw = request.headers.get("x-site-context")
    if not raw:
        raise ApiError(400, "INVALID_SITE_CONTEXT", "The x-site-context header is missing.")
    try:
        context = json.loads(raw)
    except ValueError:
        raise ApiError(
            400, "INVALID_SITE_CONTEXT", "The x-site-context header is not JSON."
        ) from None
    account = context.get("account") if isinstance(context, dict) else None
    if not isinstance(account, str) or ACCOUNT_ID.fullmatch(account) is None:
        raise ApiError(
            400,
            "INVALID_SITE_CONTEXT",
            "x-site-context must be a JSON object whose account is a 24-character id.",
        )
    return account


def lenient_site_account(request: Request) -> str | None:
    """The account named by `x-site-context` if it can be read at all (for the request log)."""
    try:
        context = json.loads(request.headers.get("x-site-context") or "")
    except ValueError:
        return None
    account = context.get("account") if isinstance(context, dict) else None
    return account if isinstance(account, str) else None


def authenticate(app: "Sandbox", request: Request) -> str:
    """The account a fabric API call acts for: 401 without a live token, 400 without a site
    context, 403 when the token belongs to another account."""
    scheme, _, token = (request.headers.get("Authorization") or "").partition(" ")
    challenge = {"WWW-Authenticate": "Bearer"}
    if scheme.lower() != "bearer" or not token.strip():
        raise ApiError(401, "UNAUTHORIZED", "A bearer token is required.", headers=challenge)
    row = (
        app.store.read()
        .execute(
            "SELECT account, expires_at FROM tokens WHERE token_sha256 = ?",
            (_digest(token.strip()),),
        )
        .fetchone()
    )
    if row is None:
        raise ApiError(401, "UNAUTHORIZED", "The bearer token is not valid.", headers=challenge)
    if row["expires_at"] <= time.time():
        raise ApiError(401, "UNAUTHORIZED", "The bearer token has expired.", headers=challenge)
    account = site_context_account(request)
    if account != row["account"]:
        raise ApiError(403, "FORBIDDEN", "The token does not grant access to this account.")
    return account


ROUTES = [Route("POST", "/auth/v1/token", issue_token, kind="token")]
