"""On PostgreSQL the database itself refuses to change or remove audit records."""

import psycopg
import pytest

from tests.production.services import (
    database_url,
    fresh_database,
    manage,
    production_env,
    require,
)

_EVENT = """
INSERT INTO contracts_ui_auditevent (
    occurred_at, username, account_id, organization_id, contract_ref, contract_id, action,
    summary, state_before, request_sent, request_id, client_ip, user_agent, previous_hash,
    key_id, record_hash
) VALUES (
    now(), 'alice', '6182aeb6c67c61932b38c38b', '', '', '', 'contract.status', 'a test record',
    NULL, '{}', 'req-1', NULL, '', '', '1', 'hash-1'
) RETURNING id
"""


@pytest.fixture(scope="module")
def ledger_url():
    require(postgres=True)
    with fresh_database() as name:
        url = database_url(name)
        manage(production_env(DATABASE_URL=url), "migrate", "--no-input", "-v", "0")
        yield url


@pytest.fixture
def ledger(ledger_url):
    """A connection, as the table owner, to a database holding one audit event."""
    with psycopg.connect(ledger_url) as connection:
        connection.execute(_EVENT)
        yield connection
        connection.rollback()


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE contracts_ui_auditevent SET summary = 'rewritten'",
        "DELETE FROM contracts_ui_auditevent",
        "TRUNCATE contracts_ui_auditevent CASCADE",
        "TRUNCATE contracts_ui_auditoutcome",
    ],
)
def test_the_database_refuses_to_change_the_ledger(ledger, statement):
    with pytest.raises(psycopg.errors.InsufficientPrivilege, match="append-only"):
        ledger.execute(statement)


def test_a_superuser_session_may_empty_the_tables_only_when_it_says_so(ledger):
    # Test harnesses do this between tests; a superuser could drop the trigger anyway.
    ledger.execute("SET LOCAL contracts_console.allow_audit_truncate = 'on'")
    ledger.execute("TRUNCATE contracts_ui_auditevent CASCADE")
    count = ledger.execute("SELECT count(*) FROM contracts_ui_auditevent").fetchone()
    assert count == (0,)


def test_the_escape_does_not_cover_update_or_delete(ledger):
    ledger.execute("SET LOCAL contracts_console.allow_audit_truncate = 'on'")
    with pytest.raises(psycopg.errors.InsufficientPrivilege):
        ledger.execute("DELETE FROM contracts_ui_auditevent")


def test_records_can_still_be_added_and_read(ledger):
    count = ledger.execute("SELECT count(*) FROM contracts_ui_auditevent").fetchone()
    assert count == (1,)
