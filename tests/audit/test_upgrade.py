"""Upgrading a database whose ledger was chained without a key (before migration 0005): the
migration checks the old chain, re-seals it under AUDIT_KEY and says so; an altered old chain is
not re-sealed, and the migration stops."""

import json
import os
import sqlite3
import subprocess
import sys
from datetime import UTC, datetime
from importlib import import_module
from pathlib import Path

import psycopg
import pytest

from contracts_ui.audit.sealing import GENESIS_HASH, event_content, outcome_content
from contracts_ui.models import AuditEvent, AuditOutcome
from tests.production.services import (
    database_url,
    fresh_database,
    manage,
    production_env,
    require,
)

ROOT = Path(__file__).resolve().parents[2]
legacy_digest = import_module(
    "contracts_ui.migrations.0005_audit_keyed_seals_and_sqlite_triggers"
)._legacy_digest


def _manage(database: Path, *args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "PYTEST_"))}
    env.update(DATABASE_URL=f"sqlite:///{database}", DEBUG="true", LOG_FORMAT="plain")
    return subprocess.run(  # noqa: S603 - this interpreter running our manage.py
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def _legacy_rows(*, altered: bool) -> list[tuple[str, list]]:
    """INSERTs (%s placeholders) of two events and one outcome, chained as the console did
    before 0005 (plain SHA-256); with `altered`, the first event's summary changed since."""
    previous, events = GENESIS_HASH, []
    for number in (1, 2):
        event = AuditEvent(
            id=number,
            occurred_at=datetime(2026, 1, number, 10, 0, 0, 123456, tzinfo=UTC),
            username="alice",
            account_id="6182aeb6c67c61932b38c38b",
            action="contract.status",
            summary=f"Change status of contract C-{number}: status",
            state_before={"status": "DRAFT"},
            request_sent={"method": "PUT", "body": {"status": "ACTIVE"}},
            request_id=f"req-{number}",
            client_ip="127.0.0.1",
            user_agent="browser",
        )
        event.previous_hash = previous
        event.record_hash = previous = legacy_digest(event_content(event), previous)
        events.append(event)
    outcome = AuditOutcome(
        id=1,
        event=events[0],
        completed_at=datetime(2026, 1, 1, 10, 0, 1, tzinfo=UTC),
        outcome="succeeded",
        fabric_status=200,
        state_after={"status": "ACTIVE"},
        diff={"status": ["DRAFT", "ACTIVE"]},
        previous_hash=GENESIS_HASH,
    )
    outcome.record_hash = legacy_digest(
        outcome_content(outcome, events[0].record_hash), GENESIS_HASH
    )
    rows = [
        (
            "INSERT INTO contracts_ui_auditevent (id, occurred_at, username, account_id, "
            "organization_id, contract_ref, contract_id, action, summary, state_before, "
            "request_sent, request_id, client_ip, user_agent, previous_hash, record_hash) "
            "VALUES (%s, %s, %s, %s, '', '', '', %s, %s, %s, %s, %s, %s, %s, %s, %s)",
            [
                event.id,
                event.occurred_at.isoformat(sep=" "),
                event.username,
                event.account_id,
                event.action,
                "rewritten" if altered and event.id == 1 else event.summary,
                json.dumps(event.state_before),
                json.dumps(event.request_sent),
                event.request_id,
                event.client_ip,
                event.user_agent,
                event.previous_hash,
                event.record_hash,
            ],
        )
        for event in events
    ]
    rows.append(
        (
            "INSERT INTO contracts_ui_auditoutcome (id, event_id, completed_at, outcome, "
            "fabric_status, message, state_after, diff, previous_hash, record_hash) "
            "VALUES (1, 1, %s, 'succeeded', 200, '', %s, %s, %s, %s)",
            [
                outcome.completed_at.isoformat(sep=" "),
                json.dumps(outcome.state_after),
                json.dumps(outcome.diff),
                outcome.previous_hash,
                outcome.record_hash,
            ],
        )
    )
    return rows


def _legacy_ledger(database: Path, *, altered: bool = False) -> None:
    done = _manage(database, "migrate", "contracts_ui", "0004", "-v", "0")
    assert done.returncode == 0, done.stderr
    with sqlite3.connect(database) as db:
        for statement, params in _legacy_rows(altered=altered):
            db.execute(statement.replace("%s", "?"), params)


@pytest.fixture
def database(tmp_path) -> Path:
    return tmp_path / "console.sqlite3"


def test_an_old_ledger_is_re_sealed_and_then_verifies(database):
    _legacy_ledger(database)
    migrated = _manage(database, "migrate", "-v", "0")
    assert migrated.returncode == 0, migrated.stderr
    log = migrated.stdout + migrated.stderr
    assert "audit ledger re-sealed under key id 1: 2 events" in log
    verified = _manage(database, "verify_audit")
    assert verified.returncode == 0, verified.stderr
    assert "Checked 2 events and 1 outcomes." in verified.stdout
    with sqlite3.connect(database) as db:
        assert db.execute("SELECT DISTINCT key_id FROM contracts_ui_auditevent").fetchall() == [
            ("1",)
        ]


def test_an_altered_old_ledger_is_not_re_sealed(database):
    _legacy_ledger(database, altered=True)
    migrated = _manage(database, "migrate", "-v", "0")
    assert migrated.returncode != 0
    assert "Audit event #1 does not verify in the old chain" in migrated.stderr
    with sqlite3.connect(database) as db:
        applied = db.execute(
            "SELECT name FROM django_migrations WHERE app = 'contracts_ui' ORDER BY id DESC"
        ).fetchone()
    assert applied == ("0004_audit_contract_indexes",)


def test_an_old_ledger_in_postgresql_is_re_sealed_past_its_triggers():
    """PostgreSQL's triggers refuse the UPDATE; the migration switches them off for itself."""
    require(postgres=True)
    with fresh_database() as name:
        env = production_env(DATABASE_URL=database_url(name))
        manage(env, "migrate", "contracts_ui", "0004", "-v", "0")
        with psycopg.connect(database_url(name)) as db:
            for statement, params in _legacy_rows(altered=False):
                db.execute(statement, params)
        manage(env, "migrate", "-v", "0")
        assert "Checked 2 events and 1 outcomes." in manage(env, "verify_audit")
        with (
            psycopg.connect(database_url(name)) as db,
            pytest.raises(psycopg.errors.InsufficientPrivilege, match="append-only"),
        ):
            db.execute("UPDATE contracts_ui_auditevent SET key_id = ''")
