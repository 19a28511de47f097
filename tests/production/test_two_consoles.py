"""Two console processes (gunicorn, production settings) behind one PostgreSQL and one Redis.

What a load balancer may send to either process must work on both: a session made on one, a
fabric token obtained by one, a login-failure count started on one. Readiness follows the
database and fabric going away and coming back. Console A reaches PostgreSQL through a relay
the test can cut.
"""

import json
import time
import uuid
from dataclasses import dataclass
from urllib.parse import urlsplit

import pytest
import redis

from tests.conftest import ACCOUNT_A, CLIENT_A, SECRET_ENV_A
from tests.production.browser import Browser
from tests.production.services import (
    POSTGRES_ADMIN_URL,
    REDIS_URL,
    Gunicorn,
    database_url,
    fresh_database,
    manage,
    production_env,
    require,
    set_up,
)
from tests.production.tcp_proxy import TcpProxy

# Two gunicorn consoles, started once for the module, and real network faults between them.
pytestmark = pytest.mark.slow

_SEED = f"""
from django.contrib.auth import get_user_model
from contracts_ui.models import AccountGrant, AccountRole, FabricAccount
account = FabricAccount.objects.create(
    account_id="{ACCOUNT_A}", name="Acme Industrial", client_id="{CLIENT_A[0]}",
    client_secret_ref="env:{SECRET_ENV_A}",
)
for name in ("alice", "bob"):
    user = get_user_model().objects.create_user(name, password=f"pw-{{name}}-long-enough-1")
    AccountGrant.objects.create(account=account, user=user, role=AccountRole.EDITOR)
"""


@dataclass
class Pair:
    a: Gunicorn  # its database connections go through `relay`
    b: Gunicorn
    relay: TcpProxy
    cache: redis.Redis  # the Redis database both consoles use
    cache_prefix: str
    env: dict[str, str]  # console B's environment, for manage.py in a process of its own


@pytest.fixture(scope="module")
def pair(sandbox, fabric_world, tmp_path_factory):
    require(postgres=True, redis=True)
    folder = tmp_path_factory.mktemp("two-consoles")
    # Database 15: the suite's own Redis databases (1, 2 in make test-services) get flushed.
    cache_url, cache_prefix = f"{REDIS_URL.rsplit('/', 1)[0]}/15", f"test-{uuid.uuid4().hex}"
    with fresh_database() as name:
        env = production_env(
            DATABASE_URL=database_url(name),
            CACHE_URL=cache_url,
            CACHE_KEY_PREFIX=cache_prefix,
            FABRIC_BASE_URL=sandbox.url,
            FABRIC_AUTH_URL=f"{sandbox.url}/auth",
            STATIC_ROOT=str(folder / "static"),
            HEALTH_CHECK_TIMEOUT="2",
            **{SECRET_ENV_A: CLIENT_A[1]},
        )
        set_up(env, _SEED)
        relay = TcpProxy(urlsplit(POSTGRES_ADMIN_URL).port or 5432)
        relay.restore()
        a = Gunicorn({**env, "DATABASE_URL": database_url(name, relay.port)}, folder / "a.log")
        b = Gunicorn(env, folder / "b.log")
        try:
            a.wait_until_live()
            b.wait_until_live()
            cache = redis.Redis.from_url(cache_url)
            yield Pair(a, b, relay, cache, cache_prefix, env)
        finally:
            a.stop()
            b.stop()
            relay.cut()
            for key in cache.scan_iter(f"{cache_prefix}:*"):
                cache.delete(key)


def _ready(console: Gunicorn) -> tuple[int, dict, float]:
    started = time.monotonic()
    answer = Browser().get(f"{console.url}/health/ready/", timeout=10)
    return answer.status, json.loads(answer.body), time.monotonic() - started


def _eventually_ready(console: Gunicorn, within: float = 15.0) -> dict:
    deadline = time.monotonic() + within
    while True:
        status, body, _ = _ready(console)
        if status == 200 or time.monotonic() > deadline:
            assert status == 200, body
            return body
        time.sleep(0.5)


def test_a_session_made_on_one_console_is_honoured_by_the_other(pair):
    browser = Browser()
    login = browser.log_in(pair.a.url, "alice", "pw-alice-long-enough-1")
    assert login.status == 302, login.body[:300]
    # Filtered by name: other tests of this process add organizations to the account, which
    # can push this one off the list's first page.
    page = browser.get(f"{pair.b.url}/accounts/{ACCOUNT_A}/?name=Northwind")
    assert page.status == 200
    assert "Northwind Traders" in page.body


_GRANT = """
from django.contrib.auth import get_user_model
from contracts_ui.models import AccountGrant, FabricAccount
user = get_user_model().objects.get_or_create(username="{name}")[0]
user.set_password("pw-{name}-long-enough-1")
user.save()
AccountGrant.objects.create(account=FabricAccount.objects.get(), user=user, role="editor")
"""
_ROLE = """
from contracts_ui.models import AccountGrant
grant = AccountGrant.objects.get(user__username="{name}")
grant.role = "viewer"
grant.save()
"""
_TAKE_AWAY = """
from contracts_ui.models import AccountGrant
AccountGrant.objects.get(user__username="{name}").delete()
"""


def test_a_grant_changed_in_another_process_holds_at_once_on_both_consoles(pair, fabric_world):
    # Sessions and grants are read from the shared cache: a change saved by a third process
    # (manage.py, as the admin would through either console) reaches both on the next request.
    name = f"grantee{uuid.uuid4().hex[:8]}"
    manage(pair.env, "shell", "-c", _GRANT.format(name=name))
    browser = Browser()
    assert browser.log_in(pair.a.url, name, f"pw-{name}-long-enough-1").status == 302
    organization = fabric_world.organization_a["_id"]
    create = f"/accounts/{ACCOUNT_A}/organizations/{organization}/contracts/new/"
    for console in (pair.a, pair.b):
        assert browser.get(console.url + create).status == 200
    manage(pair.env, "shell", "-c", _ROLE.format(name=name))
    for console in (pair.a, pair.b):
        assert browser.get(console.url + create).status == 403
    manage(pair.env, "shell", "-c", _TAKE_AWAY.format(name=name))
    for console in (pair.a, pair.b):
        ended = browser.get(f"{console.url}/accounts/{ACCOUNT_A}/")
        assert ended.status == 302
        assert ended.headers["location"].startswith("/login/")


def test_both_consoles_share_one_fabric_token(pair, sandbox):
    browser = Browser()
    assert browser.log_in(pair.b.url, "alice", "pw-alice-long-enough-1").status == 302
    for key in pair.cache.scan_iter(f"{pair.cache_prefix}:*fabric:token*"):
        pair.cache.delete(key)
    sandbox.admin.clear_requests()
    for console in (pair.a, pair.b, pair.a, pair.b):
        assert browser.get(f"{console.url}/accounts/{ACCOUNT_A}/").status == 200
    assert sandbox.admin.request_count(path="/v1/organizations") == 4
    assert sandbox.admin.request_count(path="/v1/token") == 1


def test_the_console_request_id_reaches_fabric(pair, sandbox):
    browser = Browser()
    assert browser.log_in(pair.a.url, "alice", "pw-alice-long-enough-1").status == 302
    sandbox.admin.clear_requests()
    page = browser.get(f"{pair.a.url}/accounts/{ACCOUNT_A}/")
    (call,) = sandbox.admin.requests(path="/v1/organizations")
    assert call["request_id"] == page.headers["x-request-id"]


def test_failed_logins_on_both_consoles_count_towards_one_lockout(pair):
    browser = Browser()
    for console in (pair.a, pair.b, pair.a, pair.b):
        assert browser.log_in(console.url, "bob", "wrong-password").status == 200
    assert browser.log_in(pair.b.url, "bob", "wrong-password").status == 429  # the fifth
    locked = browser.log_in(pair.a.url, "bob", "pw-bob-long-enough-1")
    assert locked.status == 429
    assert "Too many login attempts" in locked.body


def test_readiness_is_healthy_with_every_dependency_up(pair):
    body = _eventually_ready(pair.a)
    assert body["status"] == "ok"
    assert set(body["checks"]) == {"database", "cache", "fabric"}


def test_readiness_fails_fast_while_fabric_hangs_and_recovers(pair, sandbox):
    _eventually_ready(pair.b)
    sandbox.admin.add_fault(path="^/$", hang_s=8)
    status, body, took = _ready(pair.b)
    assert (status, body["checks"]["fabric"]["ok"]) == (503, False)
    assert took < 3
    sandbox.admin.clear_faults()
    assert _eventually_ready(pair.b)["checks"]["fabric"]["ok"]


def test_readiness_fails_fast_while_the_database_is_down_and_recovers(pair):
    _eventually_ready(pair.a)
    pair.relay.cut()
    try:
        status, body, took = _ready(pair.a)
        assert (status, body["checks"]["database"]["ok"]) == (503, False)
        assert took < 3
    finally:
        pair.relay.restore()
    assert _eventually_ready(pair.a)["checks"]["database"]["ok"]


def test_every_log_line_is_one_json_object_carrying_the_request_id(pair):
    browser = Browser()
    assert browser.log_in(pair.b.url, "alice", "pw-alice-long-enough-1").status == 302
    page = browser.get(f"{pair.b.url}/accounts/{ACCOUNT_A}/")
    deadline = time.monotonic() + 5
    while True:
        written = [json.loads(line) for line in pair.b.log_path.read_text().splitlines()]
        mine = [line for line in written if line.get("request_id") == page.headers["x-request-id"]]
        if len(mine) >= 2 or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    assert {line["logger"] for line in mine} >= {"contracts_ui.fabric", "contracts_ui.requests"}
    (request_line,) = [line for line in mine if line["logger"] == "contracts_ui.requests"]
    assert (request_line["user"], request_line["account_id"]) == ("alice", ACCOUNT_A)
    assert request_line["http_status"] == 200
