"""Two editors saving one contract at the same moment, through real console processes.

Each stack is a deployment the README names: SQLite with the in-process cache behind one gunicorn
process (the demo's shape), and PostgreSQL with Redis behind two gunicorn processes, alice on
one and admin on the other (production's shape). In every trial both open their form, wait at a
barrier and post at once; the stand-in says what fabric was sent and holds the result, the
ledger says whom each record credits.

- Same field (alice `status=ACTIVE`, admin `status=INACTIVE`), with and without 150 ms on
  fabric's writes: exactly one save is applied, the other is shown the conflict view.
- Different fields (alice the status, admin the contract type): both applied, each record's
  diff holds its own user's field only.

Each suite run tries the stack of its own database, so neither pays for both: `make test`
(SQLite) the SQLite stack, `make test-services` (PostgreSQL and Redis) the other.
"""

import json
import re
import threading
import uuid
from collections import Counter
from dataclasses import dataclass
from html import unescape

import pytest
from django.urls import reverse

from tests.conftest import ACCOUNT_A, CLIENT_A, SECRET_ENV_A, create_contract, fabric_headers
from tests.production.browser import Answer, Browser
from tests.production.services import (
    ALICE_AND_ADMIN_SEED,
    REDIS_URL,
    Gunicorn,
    database_url,
    fresh_database,
    manage,
    production_env,
    require,
    set_up,
)
from tests.services.meanwhile import changed_during_the_write

# Real processes, 240 saves a stack.
pytestmark = pytest.mark.slow

TRIALS = 40
WRITE_LATENCY_MS = 150
CONFLICT_VIEW = "Someone changed this contract since you opened the form."
HTMX = {"HX-Request": "true"}  # as the page's Edit link and Save button send them
# Seconds for one answer: generous, as the suite shares a small machine with other work.
PATIENCE = 60
_HIDDEN = re.compile(r'type="hidden" name="(\w+)" value="([^"]*)"')

# Prints the ledger's records of some contracts, oldest first, as JSON on one line.
_LEDGER = """
import json
from contracts_ui.models import AuditEvent

def print_records(refs):
    events = AuditEvent.objects.filter(contract_ref__in=refs).select_related("outcome")
    print(json.dumps([
        {"user": e.username, "outcome": e.outcome.outcome, "diff": e.outcome.diff,
         "message": e.outcome.message}
        for e in events.order_by("id")
    ]))
"""


@dataclass
class Stack:
    name: str
    env: dict[str, str]
    consoles: list[Gunicorn]  # alice's console first, then admin's (the same one on SQLite)

    def ledger(self, contract: dict) -> list[dict]:
        script = _LEDGER + f"\nprint_records([{contract['_id']!r}])\n"
        return json.loads(manage(self.env, "shell", "-v", "0", "-c", script))


def _start(name: str, env: dict[str, str], folder, consoles: int) -> list[Gunicorn]:
    set_up(env, ALICE_AND_ADMIN_SEED)
    started = [Gunicorn(env, folder / f"{name}-{n}.log") for n in range(consoles)]
    for console in started:
        console.wait_until_live()
    return started


def _suite_database() -> str:
    from django.conf import settings

    return "sqlite" if settings.DATABASES["default"]["ENGINE"].endswith("sqlite3") else "postgres"


@pytest.fixture(scope="module", params=["sqlite", "postgres-redis"])
def stack(request, sandbox, fabric_world, tmp_path_factory):
    if not request.param.startswith(_suite_database()):
        pytest.skip(f"the {request.param} stack runs in the suite on its own database")
    folder = tmp_path_factory.mktemp(f"concurrent-saves-{request.param}")
    common = {
        "FABRIC_BASE_URL": sandbox.url,
        "FABRIC_AUTH_URL": f"{sandbox.url}/auth",
        "STATIC_ROOT": str(folder / "static"),
        SECRET_ENV_A: CLIENT_A[1],
    }
    if request.param == "sqlite":
        # The demo's shape: one process, its threads sharing the in-process cache.
        env = production_env(
            DATABASE_URL=f"sqlite:///{folder / 'console.sqlite3'}",
            CACHE_URL="locmemcache://concurrent-saves",
            **common,
        )
        consoles = _start("sqlite", env, folder, 1)
        try:
            yield Stack("sqlite", env, consoles * 2)
        finally:
            consoles[0].stop()
        return
    require(postgres=True, redis=True)
    # Database 15, a prefix of its own: the suite's Redis databases get flushed by other tests.
    cache_url, prefix = f"{REDIS_URL.rsplit('/', 1)[0]}/15", f"test-{uuid.uuid4().hex}"
    with fresh_database() as name:
        env = production_env(
            DATABASE_URL=database_url(name), CACHE_URL=cache_url, CACHE_KEY_PREFIX=prefix, **common
        )
        consoles = _start("pg", env, folder, 2)
        try:
            yield Stack("postgres-redis", env, consoles)
        finally:
            for console in consoles:
                console.stop()
            import redis

            shared = redis.Redis.from_url(cache_url)
            for key in shared.scan_iter(f"{prefix}:*"):
                shared.delete(key)


@dataclass
class Editor:
    name: str
    browser: Browser
    console: Gunicorn

    def url(self, contract: dict, view: str = "contract-edit", **kwargs) -> str:
        path = reverse(
            f"contracts_ui:{view}",
            kwargs={
                "account_id": ACCOUNT_A,
                "organization_id": contract["partyId"],
                "contract_id": contract["_id"],
                **kwargs,
            },
        )
        return self.console.url + path

    def open_form(self, contract: dict, section: str) -> dict[str, str]:
        """The edit form, opened in its row, and what it would post as it stands."""
        url = self.url(contract, section=section)
        page = self.browser.request("GET", url, timeout=PATIENCE, headers=HTMX)
        assert page.status == 200, page.body[:500]
        fields = {name: unescape(value) for name, value in _HIDDEN.findall(page.body)}
        assert {"csrfmiddlewaretoken", "seen", "submission"} <= set(fields), page.body[:500]
        return fields

    def save(self, contract: dict, section: str, form: dict[str, str]) -> Answer:
        url = self.url(contract, section=section)
        return self.browser.request("POST", url, form=form, timeout=PATIENCE, headers=HTMX)


@pytest.fixture(scope="module")
def editors(stack) -> tuple[Editor, Editor]:
    pair = []
    for name, console in zip(("alice", "admin"), stack.consoles, strict=True):
        browser = Browser()
        # Browser.log_in's way, with patience for a cold process and production password hashing.
        page = browser.request("GET", f"{console.url}/login/", timeout=PATIENCE)
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.body)
        assert token, page.body[:500]
        form = {
            "csrfmiddlewaretoken": token.group(1),
            "username": name,
            "password": f"pw-{name}-long-enough-1",
        }
        login = browser.request("POST", f"{console.url}/login/", form=form, timeout=PATIENCE)
        assert login.status == 302, login.body[:500]
        pair.append(Editor(name, browser, console))
    return pair[0], pair[1]


def _fresh_contract(sandbox, fabric_world) -> dict:
    return create_contract(
        sandbox, fabric_world.organization_a["_id"], contractType="TYPE-A", status="DRAFT"
    )


def _reset(sandbox, contract: dict) -> None:
    """Back to DRAFT / TYPE-A, through fabric's PATCH (no latency is injected on it)."""
    answer = sandbox.call(
        "PATCH",
        f"/data-customer/v1/contracts/{contract['contractId']}",
        headers=fabric_headers(sandbox),
        json={"status": "DRAFT", "contractType": "TYPE-A"},
    )
    assert answer.status == 200, answer.text


def _stored(sandbox, contract: dict) -> dict:
    path = f"/data-customer/v1/organizations/{contract['partyId']}/contracts/{contract['_id']}"
    return sandbox.call("GET", path, headers=fabric_headers(sandbox)).json


def _saved(answer: Answer) -> bool:
    return answer.status == 200 and '<span class="saved" role="status">Saved' in answer.body


def _at_once(contract: dict, saves: list[tuple[Editor, str, dict]]) -> list[Answer]:
    """Each (editor, section, form) posted on its own thread, released together by a barrier;
    their answers."""
    barrier = threading.Barrier(len(saves))
    answers: list[Answer | BaseException | None] = [None] * len(saves)

    def run(index: int) -> None:
        try:
            barrier.wait(timeout=30)
            editor, section, form = saves[index]
            answers[index] = editor.save(contract, section, form)
        except BaseException as error:  # reported below, in the test's own thread
            answers[index] = error

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(saves))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    for answer in answers:
        if not isinstance(answer, Answer):
            raise AssertionError(f"a save did not answer: {answer!r}")
    return answers


def _same_field_trials(sandbox, editors, contract) -> tuple[Counter, list[tuple[str, str]]]:
    """Both set the status at once; the tally of how each trial ended, and each applied save."""
    alice, admin = editors
    wanted = {"alice": "ACTIVE", "admin": "INACTIVE"}
    tally, applied = Counter(), []
    for _ in range(TRIALS):
        _reset(sandbox, contract)
        forms = [e.open_form(contract, "status") | {"status": wanted[e.name]} for e in editors]
        sandbox.admin.clear_requests()
        answers = _at_once(contract, [(alice, "status", forms[0]), (admin, "status", forms[1])])
        saved = [e.name for e, a in zip(editors, answers, strict=True) if _saved(a)]
        shown_conflict = [a for a in answers if a.status == 409 and CONFLICT_VIEW in a.body]
        writes = sandbox.admin.request_count(method="PUT", path=contract["_id"])
        status = _stored(sandbox, contract)["status"]
        if len(saved) == 2:
            tally["both saved: a silent overwrite"] += 1
        elif len(saved) == 1 and shown_conflict and writes == 1 and status == wanted[saved[0]]:
            tally["one applied, the other shown the conflict"] += 1
            applied.append((saved[0], wanted[saved[0]]))
        else:
            tally[f"other: {[a.status for a in answers]}, {writes} writes, {status}"] += 1
    return tally, applied


def _check_same_field_ledger(stack, contract, applied) -> None:
    records = stack.ledger(contract)
    assert [(r["user"], r["outcome"], r["message"]) for r in records] == [
        (user, "succeeded", "") for user, _ in applied
    ]
    assert [r["diff"] for r in records] == [{"status": ["DRAFT", value]} for _, value in applied]


def test_the_same_field_saved_at_once_applies_exactly_one(stack, editors, sandbox, fabric_world):
    contract = _fresh_contract(sandbox, fabric_world)
    tally, applied = _same_field_trials(sandbox, editors, contract)
    print(f"{stack.name}, same field, no added latency: {dict(tally)}")
    assert tally == {"one applied, the other shown the conflict": TRIALS}
    _check_same_field_ledger(stack, contract, applied)


def test_the_same_field_saved_at_once_with_slow_writes_applies_exactly_one(
    stack, editors, sandbox, fabric_world
):
    contract = _fresh_contract(sandbox, fabric_world)
    sandbox.admin.add_fault(method="PUT", path=contract["_id"], latency_ms=WRITE_LATENCY_MS)
    tally, applied = _same_field_trials(sandbox, editors, contract)
    print(f"{stack.name}, same field, {WRITE_LATENCY_MS} ms on writes: {dict(tally)}")
    assert tally == {"one applied, the other shown the conflict": TRIALS}
    _check_same_field_ledger(stack, contract, applied)


def test_different_fields_saved_at_once_are_both_applied_and_credited_apart(
    stack, editors, sandbox, fabric_world
):
    alice, admin = editors
    contract = _fresh_contract(sandbox, fabric_world)
    tally = Counter()
    for trial in range(TRIALS):
        if trial == TRIALS // 2:  # the second half with slow writes
            sandbox.admin.add_fault(method="PUT", path=contract["_id"], latency_ms=WRITE_LATENCY_MS)
        _reset(sandbox, contract)
        status_form = alice.open_form(contract, "status") | {"status": "ACTIVE"}
        details_form = admin.open_form(contract, "details") | {
            "contract_type": "FRAMEWORK",
            "additional_attributes": "{}",
        }
        sandbox.admin.clear_requests()
        answers = _at_once(
            contract, [(alice, "status", status_form), (admin, "details", details_form)]
        )
        after = _stored(sandbox, contract)
        writes = sandbox.admin.request_count(method="PUT", path=contract["_id"])
        if (
            all(_saved(a) for a in answers)
            and writes == 2
            and (
                after["status"],
                after["contractType"],
            )
            == ("ACTIVE", "FRAMEWORK")
        ):
            tally["both applied"] += 1
        else:
            tally[f"other: {[a.status for a in answers]}, {writes} writes"] += 1
    print(f"{stack.name}, different fields: {dict(tally)}")
    assert tally == {"both applied": TRIALS}

    records = stack.ledger(contract)
    credited = Counter((r["user"], tuple(r["diff"]), r["outcome"], r["message"]) for r in records)
    assert credited == {
        ("alice", ("status",), "succeeded", ""): TRIALS,
        ("admin", ("contractType",), "succeeded", ""): TRIALS,
    }


def test_a_change_made_in_fabric_during_a_save_is_shown_and_recorded_as_outside(
    stack, editors, sandbox, fabric_world
):
    alice, _ = editors
    contract = _fresh_contract(sandbox, fabric_world)
    form = alice.open_form(contract, "status") | {"status": "ACTIVE"}
    with changed_during_the_write(sandbox, contract, contractType="SPOT"):
        answer = alice.save(contract, "status", form)
    assert _saved(answer), answer.body[:500]
    note = "changed outside the console during this save: fields contractType"
    assert f"Saved. Note: {note}." in unescape(answer.body)
    (record,) = stack.ledger(contract)
    assert (record["user"], record["diff"], record["message"]) == (
        "alice",
        {"status": ["DRAFT", "ACTIVE"]},
        note,
    )


def test_the_ledger_still_verifies(stack, editors):
    assert "The audit ledger verifies." in manage(stack.env, "verify_audit")
