"""Fixtures shared by the whole suite: a real fabric stand-in and a small world inside it.

The stand-in runs as its own process on a free loopback port (one per test process); tests talk
to it over HTTP exactly as the console talks to fabric.
"""

import os
from dataclasses import dataclass

import pytest
from django.core.cache import cache
from django.test import override_settings
from hypothesis import HealthCheck, settings

from fabric_sandbox.testing import SandboxServer

# Generated-input tests (tests/security/test_bad_input.py) draw afresh on every run, so each run
# of the suite tries new inputs; "thorough" draws ten times as many, for a run before a release
# or after a change to forms and filters: HYPOTHESIS_PROFILE=thorough make test.
settings.register_profile(
    "suite",
    max_examples=40,
    deadline=None,  # a request's time varies with the machine's load, not with the input
    database=None,  # no saved examples: CI sees what a laptop sees
    # The logged-in client and the stand-in's world are shared by a test's examples on purpose:
    # each example is one more request by the same user, as in real use.
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
settings.register_profile("thorough", settings.get_profile("suite"), max_examples=400)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "suite"))

ACCOUNT_A = "6182aeb6c67c61932b38c38b"  # the accountId of the seed examples
ACCOUNT_B = "1234abcd5678efgh9ijklmno"  # the account of the seed's x-site-context example
CLIENT_A = ("console-test-a", "secret-a-for-tests-only")
CLIENT_B = ("console-test-b", "secret-b-for-tests-only")
SECRET_ENV_A = "FABRIC_TEST_SECRET_A"
SECRET_ENV_B = "FABRIC_TEST_SECRET_B"
# `make test-documented`: the stand-in answers only what fabric's pages document, the accounts
# carry what fabric_doctor stores for such a fabric (asserted in tests/fabric/test_doctor.py),
# and a test fails when the console called an UNDOCUMENTED endpoint.
DOCUMENTED_ONLY = os.environ.get("FABRIC_SANDBOX_DOCUMENTED_ONLY") == "1"
DOCUMENTED_ONLY_CAPABILITIES = {"missing": ["contracts", "internal_party_links", "organization"]}


def pytest_configure(config):
    config.addinivalue_line(
        "markers",
        "undocumented(reason): exercises an endpoint no fabric page documents; deselected when "
        "FABRIC_SANDBOX_DOCUMENTED_ONLY=1",
    )


# Modules whose module-scoped fixture starts servers (gunicorn consoles, a migrated PostgreSQL
# database): each goes to one xdist worker whole, so they start once a run, not once a worker.
WHOLE_MODULES = frozenset(
    {
        "tests/production/test_audit_ledger_in_postgresql.py",
        "tests/production/test_concurrent_saves.py",
        "tests/production/test_two_consoles.py",
    }
)


@pytest.hookimpl(tryfirst=True)
def pytest_xdist_make_scheduler(config, log):
    """With -n, hand a worker one test at a time as it frees up (WHOLE_MODULES a module at a
    time), so the workers finish together. xdist's own `load` sends long runs of tests ahead:
    one worker sat idle for the last minute and a half while the other worked through its
    backlog of browser tests. (`--dist loadgroup` would do this with marks, but its marks have
    no effect under pytest 9.2, which no longer reads the node id xdist rewrites.)"""
    if config.getvalue("dist") != "load":
        return None
    from xdist.scheduler import LoadScopeScheduling

    class OneTestAtATime(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            module = nodeid.split("::", 1)[0]
            return module if module in WHOLE_MODULES else nodeid

    return OneTestAtATime(config, log)


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(config, items):
    # The `slow` tests first (after tests/browser/ marks its own): xdist hands out tests in this
    # order, so the long ones start early and the short ones even out the end of the run.
    items.sort(key=lambda item: item.get_closest_marker("slow") is None)
    if not DOCUMENTED_ONLY:
        return
    kept = [item for item in items if item.get_closest_marker("undocumented") is None]
    config.hook.pytest_deselected(items=[item for item in items if item not in kept])
    items[:] = kept


@dataclass(frozen=True)
class FabricWorld:
    """What the session-wide stand-in holds before any test runs."""

    account_a: str
    account_b: str
    organization_a: dict  # in account A; tests add the contracts they need
    other_organization_a: dict  # in account A, empty
    organization_b: dict  # in account B
    price_list: dict  # priceListId 100000 in account A, as the seeds use
    other_price_list: dict  # priceListId 100001 in account A
    internal_party: dict  # in account A


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix, tmp_path_factory):
    """On SQLite, the test database is a file rather than memory, so that a task worker started
    by a test (tests/bulk/) as its own process reads and writes the same database."""
    from django.conf import settings as django_settings

    database = django_settings.DATABASES["default"]
    if database["ENGINE"] == "django.db.backends.sqlite3":
        folder = tmp_path_factory.mktemp("console-db")
        database.setdefault("TEST", {})["NAME"] = str(folder / "test.sqlite3")


@pytest.fixture(scope="session")
def sandbox():
    with SandboxServer(documented_only=DOCUMENTED_ONLY) as server:
        yield server


@pytest.fixture(scope="session")
def fabric_world(sandbox) -> FabricWorld:
    admin = sandbox.admin
    admin.create_account(
        account=ACCOUNT_A, name="Acme Industrial", client_id=CLIENT_A[0], client_secret=CLIENT_A[1]
    )
    admin.create_account(
        account=ACCOUNT_B, name="Globex Retail", client_id=CLIENT_B[0], client_secret=CLIENT_B[1]
    )
    os.environ[SECRET_ENV_A] = CLIENT_A[1]
    os.environ[SECRET_ENV_B] = CLIENT_B[1]
    return FabricWorld(
        account_a=ACCOUNT_A,
        account_b=ACCOUNT_B,
        organization_a=admin.create_organization(
            ACCOUNT_A, name="Northwind Traders", email="buying@northwind.example"
        ),
        other_organization_a=admin.create_organization(
            ACCOUNT_A, name="Contoso Builders", email="procurement@contoso.example"
        ),
        organization_b=admin.create_organization(
            ACCOUNT_B, name="Initech Wholesale", email="ap@initech.example"
        ),
        price_list=admin.create_price_list(
            ACCOUNT_A, priceListId=100000, name="Contract 2025 EUR", currency="EUR"
        ),
        other_price_list=admin.create_price_list(
            ACCOUNT_A, priceListId=100001, name="Contract 2025 USD", currency="USD"
        ),
        internal_party=admin.create_internal_party(
            ACCOUNT_A, name="Key Accounts North", email="key-north@acme.example"
        ),
    )


@pytest.fixture(scope="session", autouse=True)
def _own_static_root(tmp_path_factory):
    """An empty STATIC_ROOT of the suite's own. whitenoise lists every file under STATIC_ROOT
    each time a test client builds its middleware (once a test): with a developer's collected
    files there (`manage.py collectstatic`), that was 30 ms a test, and the suite's time
    depended on what the checkout held."""
    with override_settings(STATIC_ROOT=str(tmp_path_factory.mktemp("static-root"))):
        yield


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # Tests log users in with force_login or known passwords: slow hashing buys nothing here.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _fabric_settings(request, settings):
    """Point the console at the stand-in for tests that use it; start each test clean."""
    if "sandbox" not in request.fixturenames and "fabric_world" not in request.fixturenames:
        yield
        return
    server = request.getfixturevalue("sandbox")
    settings.FABRIC_BASE_URL = server.url
    settings.FABRIC_AUTH_URL = f"{server.url}/auth"
    # Many tests fault the same two accounts in a row: no breaker state carries over between them.
    from contracts_ui.fabric import breaker, pacing

    for account in (ACCOUNT_A, ACCOUNT_B):
        breaker.reset(account)
        pacing.reset(account)
    server.admin.clear_faults()
    server.admin.clear_requests()
    yield
    server.admin.clear_faults()
    if DOCUMENTED_ONLY:
        called = {
            f"{entry['method']} {entry['path']}" for entry in server.admin.undocumented_requests()
        }
        assert not called, f"UNDOCUMENTED endpoints called: {sorted(called)}"


@dataclass(frozen=True)
class ConsoleWorld:
    """Console-side records over the stand-in's world: accounts, users and their grants."""

    account_a: object
    account_b: object
    viewer_a: object  # finance: viewer on A
    editor_a: object  # account manager: editor on A
    stranger: object  # a grant on B only
    superuser: object  # no grant at all
    fabric: FabricWorld


@pytest.fixture
def console_world(db, fabric_world) -> ConsoleWorld:
    from django.contrib.auth import get_user_model

    from contracts_ui.models import AccountGrant, AccountRole, FabricAccount

    account_a = FabricAccount.objects.create(
        account_id=ACCOUNT_A,
        name="Acme Industrial",
        client_id=CLIENT_A[0],
        client_secret_ref=f"env:{SECRET_ENV_A}",
        stage="production",
        channel=12,
        capabilities=DOCUMENTED_ONLY_CAPABILITIES if DOCUMENTED_ONLY else {},
    )
    account_b = FabricAccount.objects.create(
        account_id=ACCOUNT_B,
        name="Globex Retail",
        client_id=CLIENT_B[0],
        client_secret_ref=f"env:{SECRET_ENV_B}",
        capabilities=DOCUMENTED_ONLY_CAPABILITIES if DOCUMENTED_ONLY else {},
    )
    users = get_user_model().objects
    viewer_a = users.create_user("fiona", password="pw-fiona-1")
    editor_a = users.create_user("alice", password="pw-alice-1")
    stranger = users.create_user("bob", password="pw-bob-1")
    superuser = users.create_superuser("root", password="pw-root-1")
    AccountGrant.objects.create(account=account_a, user=viewer_a, role=AccountRole.VIEWER)
    AccountGrant.objects.create(account=account_a, user=editor_a, role=AccountRole.EDITOR)
    AccountGrant.objects.create(account=account_b, user=stranger, role=AccountRole.EDITOR)
    return ConsoleWorld(
        account_a=account_a,
        account_b=account_b,
        viewer_a=viewer_a,
        editor_a=editor_a,
        stranger=stranger,
        superuser=superuser,
        fabric=fabric_world,
    )


@pytest.fixture
def viewer_client(client, console_world):
    """A test client logged in as finance: a viewer on account A."""
    client.force_login(console_world.viewer_a)
    return client


@pytest.fixture
def editor_client(client, console_world):
    """A test client logged in as the account manager: an editor on account A."""
    client.force_login(console_world.editor_a)
    return client


@pytest.fixture
def cold_cache():
    """No cached token or look-up from another test, so fabric call counts are exact.

    The fabric, faults and insight suites use it for every test (an autouse in their conftest).
    """
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def quick(settings):
    """Small timeouts and back-off caps, so a fault costs a test well under a second or two."""
    settings.FABRIC_CONNECT_TIMEOUT = 0.5
    settings.FABRIC_READ_TIMEOUT = 0.5
    settings.FABRIC_DEADLINE = 3.0
    settings.FABRIC_MAX_RETRIES = 2
    settings.FABRIC_RETRY_AFTER_CAP = 0.3
    return settings


def fabric_headers(sandbox, account: str = ACCOUNT_A) -> dict[str, str]:
    """Headers for a raw call to the stand-in as account A's (or B's) API client."""
    client_id, secret = CLIENT_A if account == ACCOUNT_A else CLIENT_B
    return {
        "Authorization": f"Bearer {sandbox.token(client_id, secret)}",
        "x-site-context": sandbox.site_context(account),
    }


def create_contract(sandbox, organization_id: str, account: str = ACCOUNT_A, **fields) -> dict:
    """Create a contract in the stand-in over its API, as fabric's own clients would."""
    body = {"startDate": "2026-01-01T00:00:00.000Z", "endDate": "2027-01-01T00:00:00.000Z"}
    body.update(fields)
    response = sandbox.call(
        "POST",
        f"/data-customer/v1/organizations/{organization_id}/contracts",
        headers=fabric_headers(sandbox, account),
        json=body,
    )
    assert response.status == 200, response.text
    return response.json


@pytest.fixture(scope="session")
def contract_a(sandbox, fabric_world) -> dict:
    """A contract of organization A, created once for read-only tests."""
    return create_contract(
        sandbox,
        fabric_world.organization_a["_id"],
        contractType="TYPE-A",
        status="ACTIVE",
        priceListId=100000,
    )


def page_costs(client, sandbox, url: str) -> tuple[int, int]:
    """(fabric calls, database queries) of one GET of `url`, once the token and the cached
    look-ups (organization, price lists) are warm."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.get(url)
    sandbox.admin.clear_requests()
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return sandbox.admin.request_count(), len(queries)


@pytest.fixture(autouse=True, scope="session")
def _harness_may_empty_the_ledger_in_sqlite():
    """Tests on a live server end with Django's flush, a DELETE of every table, which SQLite's
    ledger triggers refuse unless the connection allows it (contracts_ui.models): allowed for
    the flush command only, as PostgreSQL allows the harness its TRUNCATE."""
    from django.core.management.commands import flush

    from contracts_ui.models import ledger_flush_allowed

    handle = flush.Command.handle

    def handle_allowing_the_ledger(self, **options):
        with ledger_flush_allowed():
            return handle(self, **options)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(flush.Command, "handle", handle_allowing_the_ledger)
        yield
