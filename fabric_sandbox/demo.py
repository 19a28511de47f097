"""Demo data for `make demo`: two accounts with organizations, price lists, internal parties and
several hundred contracts whose dates are spread around today.

Deterministic (a fixed random seed) and idempotent: a second run leaves the database as it is and
only rewrites the two files in `--out` (secrets are read back, never regenerated).
"""

import json
import os
import random
import secrets
import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from . import auth, records
from .bulk import CONTRACT_TYPES, days_from_today, today_ms
from .provisioning import create_internal_party, create_organization, create_price_list
from .store import Store, get_meta, next_contract_numbers, set_meta
from .values import iso_from_ms, ms_from_iso, object_id_from

SEED = 20250101
SECRETS_FILE = "demo-secrets.env"
ACCOUNTS_FILE = "demo-accounts.json"


@dataclass(frozen=True)
class DemoAccount:
    """One demo tenant and the console-side names it is known by."""

    account: str
    name: str
    client_id: str
    secret_env: str
    organizations: tuple[tuple[str, str, str, str, bool], ...]  # name, email, code, type, active
    price_lists: tuple[tuple[int, str, str, bool], ...]  # priceListId, name, currency, default
    internal_parties: tuple[tuple[str, str], ...]  # name, email


ACCOUNTS = (
    DemoAccount(
        account="6182aeb6c67c61932b38c38b",
        name="Acme Industrial Supply",
        client_id="acme-console",
        secret_env="FABRIC_SECRET_ACME",  # noqa: S106 (a variable name)
        organizations=(
            ("Northwind Traders", "purchasing@northwind.example", "NW", "O", True),
            ("Contoso Builders", "procurement@contoso.example", "CB", "O", True),
            ("Fabrikam Manufacturing", "buying@fabrikam.example", "FM", "O", True),
            ("Tailspin Logistics", "ops-purchasing@tailspin.example", "TL", "O", True),
            ("Woodgrove Hospital Supply", "supply@woodgrove.example", "WH", "O", True),
            ("Litware Electrical Group", "orders@litware.example", "LE", "H", True),
            ("Proseware Industrial", "purchasing@proseware.example", "PI", "O", True),
            ("Lakeshore Fleet Services", "fleet@lakeshore.example", "LF", "O", False),
        ),
        price_lists=(
            (100000, "Acme List Price USD", "USD", True),
            (100001, "Contract Tier A USD", "USD", False),
            (100002, "Contract Tier B USD", "USD", False),
            (100003, "EMEA Contract EUR", "EUR", False),
            (100004, "Volume Framework USD", "USD", False),
            (100005, "Spot Buy USD", "USD", False),
        ),
        internal_parties=(
            ("Key Accounts North", "key-north@acme.example"),
            ("Key Accounts South", "key-south@acme.example"),
            ("Inside Sales", "inside-sales@acme.example"),
            ("Public Sector Desk", "public-sector@acme.example"),
            ("Channel Partners", "channel@acme.example"),
        ),
    ),
    DemoAccount(
        account="5f1e0c2ab8d4e93a7c6b1d20",
        name="Globex Retail Group",
        client_id="globex-console",
        secret_env="FABRIC_SECRET_GLOBEX",  # noqa: S106 (a variable name)
        organizations=(
            ("Initech Wholesale", "ap@initech.example", "IW", "O", True),
            ("Wide World Importers", "buying@wideworld.example", "WW", "O", True),
            ("Coho Vineyard & Winery", "orders@coho.example", "CV", "O", True),
            ("Alpine Ski House", "purchasing@alpineski.example", "AS", "O", True),
            ("Adventure Works Cycles", "procurement@adventure-works.example", "AW", "H", True),
        ),
        price_lists=(
            (100000, "Globex Retail Base USD", "USD", True),
            (100010, "Preferred Partner USD", "USD", False),
            (100011, "Seasonal Promotions CAD", "CAD", False),
            (100012, "Wholesale EUR", "EUR", False),
            (100013, "Outlet GBP", "GBP", False),
            (100014, "Franchise USD", "USD", False),
        ),
        internal_parties=(
            ("Retail Partnerships", "partnerships@globex.example"),
            ("Category Management", "category@globex.example"),
            ("Franchise Support", "franchise@globex.example"),
            ("E-commerce Team", "ecommerce@globex.example"),
            ("Regional Sales West", "sales-west@globex.example"),
        ),
    ),
)
# (share of contracts, end date range in days from today, likely statuses)
_WINDOWS = (
    (0.22, (-400, -1), ("INACTIVE", "INACTIVE", "ACTIVE")),
    (0.08, (0, 7), ("ACTIVE", "ACTIVE", "DRAFT")),
    (0.12, (8, 30), ("ACTIVE", "ACTIVE", "INACTIVE")),
    (0.10, (31, 60), ("ACTIVE", "DRAFT")),
    (0.10, (61, 90), ("ACTIVE",)),
    (0.26, (91, 700), ("ACTIVE", "ACTIVE", "ACTIVE", "INACTIVE")),
    (0.12, None, ("DRAFT", "DRAFT", "ACTIVE")),  # starts in the future
)
_REGIONS = ("NORTH", "SOUTH", "EAST", "WEST", "EMEA")


def read_secrets(path: Path) -> dict[str, str]:
    """`NAME=value` lines of a secrets file (empty when there is none)."""
    if not path.exists():
        return {}
    pairs = (line.split("=", 1) for line in path.read_text().splitlines() if "=" in line)
    return {name.strip(): value.strip() for name, value in pairs}


def _contract(rng: random.Random, code: str, serial: int) -> dict[str, Any]:
    share = rng.random()
    window, statuses = _WINDOWS[-1][1:]
    for weight, candidate_window, candidate_statuses in _WINDOWS:
        share -= weight
        if share <= 0:
            window, statuses = candidate_window, candidate_statuses
            break
    if window is None:
        start_day = rng.randint(5, 120)
        end_day = start_day + rng.randint(180, 730)
    else:
        end_day = rng.randint(*window)
        start_day = end_day - rng.randint(180, 1095)
    start, end = days_from_today(start_day), days_from_today(end_day)
    # Times hang from today's midnight, not the clock, so a re-run the same day is identical.
    today = today_ms()
    created = min(ms_from_iso(start) - rng.randint(1, 30) * 86_400_000, today - 86_400_000)
    updated = min(created + rng.randint(0, 200) * 86_400_000, today - rng.randint(1, 10**7))
    updated = max(updated, created)
    string_id = rng.random() < 0.2
    attributes = {}
    if rng.random() < 0.5:
        attributes = {
            "region": rng.choice(_REGIONS),
            "paymentTerms": rng.choice(("NET30", "NET60")),
        }
    return {
        "id": object_id_from(rng, created),
        "contract_id": f"C-{code}-{start[:4]}-{serial:03d}" if string_id else None,
        "contract_id_is_number": int(not string_id),
        "address_id": object_id_from(rng, created) if rng.random() < 0.7 else "",
        "contract_type": rng.choice(CONTRACT_TYPES),
        "status": rng.choice(statuses),
        "start_date": start,
        "end_date": end,
        "on_contract": int(rng.random() < 0.6),
        "promotion_stacking": int(rng.random() < 0.3),
        "additional_attributes": json.dumps(attributes),
        "is_deleted": int(rng.random() < 0.03),
        "created_at": iso_from_ms(created),
        "updated_at": iso_from_ms(updated),
        "price_list_id": None,
    }


def _seed_account(conn: sqlite3.Connection, demo: DemoAccount, rng: random.Random) -> int:
    at_ms = today_ms() - 400 * 86_400_000
    at = iso_from_ms(at_ms)
    auth.ensure_account(
        conn, account=demo.account, name=demo.name, root_party_id=object_id_from(rng, at_ms)
    )
    for price_list_id, name, currency, default in demo.price_lists:
        fields = {"priceListId": price_list_id, "name": name, "currency": currency}
        fields |= {"isDefault": default, "_id": object_id_from(rng, at_ms)}
        create_price_list(conn, demo.account, fields, at=at)
    internal_ids = [
        create_internal_party(
            conn,
            demo.account,
            {"name": name, "email": email, "_id": object_id_from(rng, at_ms)},
            at=at,
        )["_id"]
        for name, email in demo.internal_parties
    ]
    price_list_ids = [entry[0] for entry in demo.price_lists]
    created = 0
    for name, email, code, party_type, active in demo.organizations:
        fields = {"name": name, "email": email, "partyType": party_type, "isActive": active}
        organization = create_organization(
            conn, demo.account, fields | {"_id": object_id_from(rng, at_ms)}, at=at
        )
        for internal_id in rng.sample(internal_ids, rng.randint(1, 2)):
            link_at = iso_from_ms(today_ms() - rng.randint(1, 300) * 86_400_000)
            link = {"id": object_id_from(rng, at_ms), "account": demo.account}
            link |= {"party_id": organization["_id"], "internal_party_id": internal_id}
            link |= {"is_deleted": 0, "created_at": link_at, "updated_at": link_at}
            records.insert_row(conn, "internal_party_links", link)
        rows = [_contract(rng, code, serial) for serial in range(1, rng.randint(28, 44))]
        numbers = iter(next_contract_numbers(conn, len(rows)))
        for row in rows:
            row |= {"account": demo.account, "party_id": organization["_id"]}
            row |= {"account_id": demo.account}
            row["contract_id"] = row["contract_id"] or str(next(numbers))
            if rng.random() < 0.75:
                # The account's default price list (the first) is the most common link.
                row["price_list_id"] = rng.choice([price_list_ids[0], *price_list_ids])
        records.insert_contracts(conn, rows)
        for row in rows:
            if row["price_list_id"] is not None:
                records.insert_price_list_link(
                    conn,
                    account=demo.account,
                    contract_id=row["id"],
                    price_list_id=row["price_list_id"],
                    at=row["updated_at"],
                    link_id=object_id_from(rng, ms_from_iso(row["updated_at"])),
                )
        created += len(rows)
    return created


def seed_demo(db: str | Path, out: str | Path) -> dict[str, Any]:
    """Load the demo data once and (re)write `demo-accounts.json` and `demo-secrets.env`."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    secrets_path = out / SECRETS_FILE
    known = read_secrets(secrets_path)
    values = {
        demo.secret_env: known.get(demo.secret_env) or secrets.token_urlsafe(24)
        for demo in ACCOUNTS
    }
    store = Store(db)
    contracts = 0
    with store.write() as conn:
        seeded = get_meta(conn, "demo_seed") is not None
        if not seeded:
            rng = random.Random(SEED)
            contracts = sum(_seed_account(conn, demo, rng) for demo in ACCOUNTS)
            set_meta(conn, "demo_seed", str(SEED))
        for demo in ACCOUNTS:
            auth.upsert_account(
                conn,
                account=demo.account,
                name=demo.name,
                client_id=demo.client_id,
                client_secret=values[demo.secret_env],
            )
    store.close_thread()
    # Created readable by the owner only, never briefly world-readable.
    descriptor = os.open(secrets_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w") as secrets_file:
        secrets_file.write("".join(f"{name}={value}\n" for name, value in values.items()))
    secrets_path.chmod(0o600)
    manifest = [
        {
            "account": demo.account,
            "name": demo.name,
            "client_id": demo.client_id,
            "secret_env": demo.secret_env,
            "stage": "production",
            "channel": 12,
        }
        for demo in ACCOUNTS
    ]
    (out / ACCOUNTS_FILE).write_text(json.dumps(manifest, indent=2) + "\n")
    return {"seeded": not seeded, "contracts": contracts, "accounts": len(ACCOUNTS)}
