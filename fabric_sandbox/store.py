"""SQLite storage: the schema, one connection per thread, and a single writer at a time.

WAL mode lets request threads read while one writes; writes are serialized by a process-wide
lock (and `BEGIN IMMEDIATE` plus a busy timeout when another process, like `seed-demo`, writes).
"""

import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS counters (name TEXT PRIMARY KEY, value INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS accounts (
    account TEXT PRIMARY KEY, name TEXT NOT NULL, root_party_id TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS clients (
    client_id TEXT PRIMARY KEY, account TEXT NOT NULL, secret_sha256 TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS tokens (
    token_sha256 TEXT PRIMARY KEY, account TEXT NOT NULL, client_id TEXT NOT NULL,
    expires_at REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS organizations (
    id TEXT PRIMARY KEY, account TEXT NOT NULL, name TEXT NOT NULL, email TEXT NOT NULL,
    party_type TEXT NOT NULL, is_active INTEGER NOT NULL, parent_party_id TEXT NOT NULL,
    additional_attributes TEXT NOT NULL, is_deleted INTEGER NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL, updated_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS organizations_updated ON organizations (account, updated_at, id);
CREATE INDEX IF NOT EXISTS organizations_name
    ON organizations (account, name COLLATE NOCASE, id);
CREATE TABLE IF NOT EXISTS price_lists (
    id TEXT PRIMARY KEY, account TEXT NOT NULL, price_list_id INTEGER NOT NULL,
    name TEXT NOT NULL, is_default INTEGER NOT NULL, currency TEXT NOT NULL,
    start_date TEXT NOT NULL, end_date TEXT NOT NULL, deleted INTEGER NOT NULL,
    created_at TEXT NOT NULL, updated_at TEXT NOT NULL, UNIQUE (account, price_list_id)
);
CREATE TABLE IF NOT EXISTS internal_parties (
    id TEXT PRIMARY KEY, account TEXT NOT NULL, name TEXT NOT NULL, email TEXT NOT NULL,
    is_active INTEGER NOT NULL, created_at TEXT NOT NULL, updated_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS internal_parties_account ON internal_parties (account, updated_at);
CREATE TABLE IF NOT EXISTS internal_party_links (
    id TEXT PRIMARY KEY, account TEXT NOT NULL, party_id TEXT NOT NULL,
    internal_party_id TEXT NOT NULL, is_deleted INTEGER NOT NULL,
    created_at TEXT NOT NULL, updated_at TEXT NOT NULL
);
CREATE UNIQUE INDEX IF NOT EXISTS internal_party_links_active
    ON internal_party_links (account, party_id, internal_party_id) WHERE is_deleted = 0;
CREATE TABLE IF NOT EXISTS contracts (
    id TEXT PRIMARY KEY, account TEXT NOT NULL, party_id TEXT NOT NULL,
    contract_id TEXT NOT NULL, contract_id_is_number INTEGER NOT NULL,
    address_id TEXT NOT NULL, account_id TEXT NOT NULL, contract_type TEXT NOT NULL,
    status TEXT NOT NULL, start_date TEXT NOT NULL, end_date TEXT NOT NULL,
    on_contract INTEGER NOT NULL, promotion_stacking INTEGER NOT NULL,
    additional_attributes TEXT NOT NULL, is_deleted INTEGER NOT NULL,
    created_at TEXT NOT NULL, updated_at TEXT NOT NULL, price_list_id INTEGER
);
-- contractId is unique within an account, deleted contracts included (resurrect must not clash).
CREATE UNIQUE INDEX IF NOT EXISTS contracts_contract_id ON contracts (account, contract_id);
-- One index per sort column, per organization and per account, each ending in the id
-- tie-break, so a page of a 100,000-contract organization is an index walk, never a sort.
-- party_id alone scopes the organization indexes: an organization belongs to one account.
CREATE INDEX IF NOT EXISTS contracts_party_updated
    ON contracts (party_id, is_deleted, updated_at, id);
CREATE INDEX IF NOT EXISTS contracts_party_contract_id
    ON contracts (party_id, is_deleted, contract_id, id);
CREATE INDEX IF NOT EXISTS contracts_party_start
    ON contracts (party_id, is_deleted, start_date, id);
CREATE INDEX IF NOT EXISTS contracts_party_end ON contracts (party_id, is_deleted, end_date, id);
CREATE INDEX IF NOT EXISTS contracts_party_status
    ON contracts (party_id, is_deleted, status, updated_at, id);
CREATE INDEX IF NOT EXISTS contracts_party_price_list
    ON contracts (party_id, is_deleted, price_list_id, id);
CREATE INDEX IF NOT EXISTS contracts_party_id ON contracts (party_id, is_deleted, id);
CREATE INDEX IF NOT EXISTS contracts_account_updated
    ON contracts (account, is_deleted, updated_at, id);
CREATE INDEX IF NOT EXISTS contracts_account_start
    ON contracts (account, is_deleted, start_date, id);
CREATE INDEX IF NOT EXISTS contracts_account_end ON contracts (account, is_deleted, end_date, id);
CREATE INDEX IF NOT EXISTS contracts_account_status
    ON contracts (account, is_deleted, status, updated_at, id);
CREATE INDEX IF NOT EXISTS contracts_account_price_list
    ON contracts (account, is_deleted, price_list_id, id);
CREATE TABLE IF NOT EXISTS contract_price_lists (
    id TEXT PRIMARY KEY, account TEXT NOT NULL, contract_id TEXT NOT NULL,
    price_list_id INTEGER NOT NULL, is_deleted INTEGER NOT NULL,
    created_at TEXT NOT NULL, updated_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS contract_price_lists_contract
    ON contract_price_lists (contract_id, is_deleted);
"""

# Generated contractIds look like the seed examples: 15 digits, e.g. 201000000000013.
FIRST_CONTRACT_NUMBER = 201_000_000_000_000


class Store:
    """The sandbox database. Use `read()` / `snapshot()` for reads and `write()` for writes."""

    def __init__(self, path: str | Path) -> None:
        self.path = str(path)
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        self._local = threading.local()
        self._write_lock = threading.Lock()
        with self._write_lock:
            # executescript commits on its own, so the transaction is part of the script.
            self._connection().executescript(f"BEGIN IMMEDIATE; {SCHEMA} COMMIT;")

    def _connection(self) -> sqlite3.Connection:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            # isolation_level=None: transactions are opened explicitly below, nowhere else.
            conn = sqlite3.connect(self.path, isolation_level=None, timeout=10)
            conn.row_factory = sqlite3.Row
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=NORMAL")
            conn.execute("PRAGMA busy_timeout=10000")
            # Bulk inserts touch a dozen indexes; a small cache spills pages to the WAL mid-way.
            conn.execute("PRAGMA cache_size=-65536")
            conn.execute("PRAGMA temp_store=MEMORY")
            self._local.conn = conn
        return conn

    def read(self) -> sqlite3.Connection:
        """This thread's connection, for single-statement reads."""
        return self._connection()

    @contextmanager
    def snapshot(self) -> Iterator[sqlite3.Connection]:
        """A read transaction, so a count and the page it describes see the same data."""
        conn = self._connection()
        conn.execute("BEGIN")
        try:
            yield conn
        finally:
            conn.execute("COMMIT")

    @contextmanager
    def write(self) -> Iterator[sqlite3.Connection]:
        """A write transaction, committed on success and rolled back on any exception."""
        conn = self._connection()
        with self._write_lock:
            conn.execute("BEGIN IMMEDIATE")
            try:
                yield conn
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            conn.execute("COMMIT")

    def close_thread(self) -> None:
        """Close this thread's connection (request threads end with their connection)."""
        conn = getattr(self._local, "conn", None)
        if conn is not None:
            conn.close()
            self._local.conn = None


@contextmanager
def indexes_rebuilt(conn: sqlite3.Connection, table: str) -> Iterator[None]:
    """Drop a table's secondary indexes and build them again after the block (inside a write
    transaction): for a big insert, one sort per index beats 100,000 B-tree insertions each."""
    indexes = conn.execute(
        "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ? "
        "AND sql IS NOT NULL AND sql NOT LIKE 'CREATE UNIQUE%'",
        (table,),
    ).fetchall()
    for index in indexes:
        conn.execute(f'DROP INDEX "{index["name"]}"')
    yield
    for index in indexes:
        conn.execute(index["sql"])


def next_contract_numbers(conn: sqlite3.Connection, count: int) -> range:
    """Reserve `count` generated contract numbers (inside a write transaction)."""
    row = conn.execute("SELECT value FROM counters WHERE name = 'contract_number'").fetchone()
    first = (row["value"] if row else FIRST_CONTRACT_NUMBER) + 1
    conn.execute(
        "INSERT INTO counters (name, value) VALUES ('contract_number', ?) "
        "ON CONFLICT (name) DO UPDATE SET value = excluded.value",
        (first + count - 1,),
    )
    return range(first, first + count)


def get_meta(conn: sqlite3.Connection, key: str) -> str | None:
    """A value of the key/value `meta` table."""
    row = conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
    return row["value"] if row else None


def set_meta(conn: sqlite3.Connection, key: str, value: str) -> None:
    """Store a value in the `meta` table."""
    conn.execute(
        "INSERT INTO meta (key, value) VALUES (?, ?) "
        "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        (key, value),
    )
