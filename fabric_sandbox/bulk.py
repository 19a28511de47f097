"""Many contracts at once, for scale: one `executemany` inside one transaction.

Used by `large-org` and by the `bulk-contracts` control endpoint. The same seed gives the same
statuses, dates and types; ids and contract numbers are always new.
"""

import random
import sqlite3
from datetime import UTC, datetime, timedelta

from . import records
from .store import indexes_rebuilt, next_contract_numbers
from .values import iso_from_ms, new_object_id, now_ms

CONTRACT_TYPES = ("STANDARD", "VOLUME", "FRAMEWORK", "SPOT")
_DAY_MS = 86_400_000
# From this many rows on, rebuilding the contract indexes is faster than updating them.
BIG_INSERT = 20_000


def today_ms() -> int:
    """Midnight UTC today, the anchor of generated dates (stable for a whole day)."""
    midnight = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    return int(midnight.timestamp() * 1000)


def generate_contracts(
    conn: sqlite3.Connection, *, account: str, party_id: str, count: int, seed: int = 1
) -> int:
    """Insert `count` plausible contracts for one organization (inside a write transaction)."""
    rng = random.Random(seed)
    today, now = today_ms(), now_ms()
    # Dates are whole days: format each day once (the loop runs 100,000 times in a few seconds).
    days: dict[int, str] = {}
    rows = []
    for number in next_contract_numbers(conn, count):
        start_day = int(rng.random() * 1020) - 900
        end_day = start_day + 30 + int(rng.random() * 1070)
        for day in (start_day, end_day):
            if day not in days:
                days[day] = iso_from_ms(today + day * _DAY_MS)
        updated = now - int(rng.random() * 400 * _DAY_MS)
        created = updated - int(rng.random() * 30 * _DAY_MS)
        pick = rng.random()
        rows.append(
            {
                # Unique per process, not per seed: the same seed may be generated twice.
                "id": new_object_id(),
                "account": account,
                "party_id": party_id,
                "contract_id": str(number),
                "contract_id_is_number": 1,
                "address_id": "",
                "account_id": account,
                "contract_type": CONTRACT_TYPES[int(pick * 1000) % len(CONTRACT_TYPES)],
                "status": "ACTIVE" if pick < 0.6 else "DRAFT" if pick < 0.75 else "INACTIVE",
                "start_date": days[start_day],
                "end_date": days[end_day],
                "on_contract": 0,
                "promotion_stacking": 0,
                "additional_attributes": "{}",
                "is_deleted": 0,
                "created_at": iso_from_ms(created),
                "updated_at": iso_from_ms(updated),
                "price_list_id": None,
            }
        )
    if count >= BIG_INSERT:
        with indexes_rebuilt(conn, "contracts"):
            records.insert_contracts(conn, rows)
    else:
        records.insert_contracts(conn, rows)
    return count


def days_from_today(days: int) -> str:
    """Midnight UTC `days` away from today, as fabric writes dates (for demo data)."""
    return iso_from_ms(today_ms() + int(timedelta(days=days).total_seconds() * 1000))
