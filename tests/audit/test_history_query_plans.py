"""One contract's history must not cost more as the account's ledger grows: each of its queries
walks a per-contract index. Checked with SQLite's own plans (no statistics, as on a fresh
database), where a single OR query used to scan the account's whole ledger."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from contracts_ui.audit import queries as audit_queries

pytestmark = pytest.mark.django_db


@pytest.mark.skipif(
    connection.vendor != "sqlite", reason="reads SQLite's EXPLAIN QUERY PLAN output"
)
def test_every_history_query_narrows_to_the_contract_by_index():
    with CaptureQueriesContext(connection) as captured:
        audit_queries.contract_history_events(
            account_id="a" * 24, contract_ref="64f0c0ffee0000000000aa01", contract_id="C-1"
        )
    assert len(captured) == 3  # the contract's known ids, then by _id, then by contractId
    for query in captured:
        with connection.cursor() as cursor:
            cursor.execute(f"EXPLAIN QUERY PLAN {query['sql']}")
            steps = [row[3] for row in cursor.fetchall()]
        events_step = next(step for step in steps if "contracts_ui_auditevent" in step)
        assert "(account_id=? AND contract_" in events_step, (query["sql"], steps)
