"""The per-contract lock (contracts_ui/locks.py) on its own, and the writes that hold it.

Runs on the suite's cache: the in-process cache by default, Redis under `make test-services`,
so both ways of releasing a lock are exercised. What two console processes do at once is in
tests/production/test_concurrent_saves.py.
"""

import threading
import time

import pytest

from contracts_ui import locks, services
from contracts_ui.models import AuditEvent
from contracts_ui.snapshot import Snapshot
from tests.services.test_contract_edit import edit, read

ACCOUNT = "lock-test-account"


@pytest.fixture(autouse=True)
def _no_lock_left_behind():
    # A lock is a cache key: one left by a failed test must not make the next one wait.
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


def test_a_second_holder_waits_for_the_first_to_release():
    taken, letting_go = threading.Event(), []

    def hold() -> None:
        with locks.contract_lock(ACCOUNT, "c-1"):
            taken.set()
            time.sleep(0.3)
            letting_go.append(time.monotonic())

    holder = threading.Thread(target=hold)
    holder.start()
    assert taken.wait(5)
    with locks.contract_lock(ACCOUNT, "c-1"):
        acquired = time.monotonic()
    holder.join()
    (let_go,) = letting_go
    assert acquired > let_go  # only once the first holder had let go


def test_locks_of_other_contracts_and_accounts_do_not_wait(settings):
    settings.CONTRACT_LOCK_WAIT = 0
    with (
        locks.contract_lock(ACCOUNT, "c-1"),
        locks.contract_lock(ACCOUNT, "c-2"),
        locks.contract_lock("another", "c-1"),
    ):
        pass


def test_a_waiter_gives_up_at_its_deadline(settings):
    settings.CONTRACT_LOCK_WAIT = 0.2
    with (
        locks.contract_lock(ACCOUNT, "c-1"),
        pytest.raises(locks.LockTimeout),
        locks.contract_lock(ACCOUNT, "c-1"),
    ):
        pytest.fail("two holders of one lock")


def test_the_wait_never_outlasts_fabrics_deadline(settings):
    settings.CONTRACT_LOCK_WAIT = 60
    settings.FABRIC_DEADLINE = 0.3
    started = time.monotonic()
    with (
        locks.contract_lock(ACCOUNT, "c-1"),
        pytest.raises(locks.LockTimeout),
        locks.contract_lock(ACCOUNT, "c-1"),
    ):
        pytest.fail("two holders of one lock")
    assert time.monotonic() - started < 10  # well under CONTRACT_LOCK_WAIT


def test_a_holder_whose_lock_expired_does_not_release_its_successors(settings):
    from django.core.cache import cache

    settings.CONTRACT_LOCK_WAIT = 0.1
    first = locks.contract_lock(ACCOUNT, "c-1")
    first.__enter__()
    cache.clear()  # the first holder's lock runs out of time while it still works
    second = locks.contract_lock(ACCOUNT, "c-1")
    second.__enter__()
    first.__exit__(None, None, None)
    with pytest.raises(locks.LockTimeout), locks.contract_lock(ACCOUNT, "c-1"):
        pytest.fail("the first holder released the second's lock")
    second.__exit__(None, None, None)
    with locks.contract_lock(ACCOUNT, "c-1"):
        pass


def test_a_save_while_another_holds_the_contract_is_refused_at_the_form_and_writes_nothing(
    actor, access, contract, sandbox, settings
):
    settings.CONTRACT_LOCK_WAIT = 0.2
    seen = Snapshot.of(read(access, contract))
    sandbox.admin.clear_requests()
    with (
        locks.contract_lock(access.account.account_id, contract["_id"]),
        pytest.raises(services.ContractBusy) as raised,
    ):
        edit(actor, access, contract, "status", {"status": "ACTIVE"}, seen=seen)
    assert raised.value.status == 409
    assert raised.value.errors == {None: [services.ContractBusy.MESSAGE]}
    assert sandbox.admin.request_count() == 0  # not even the re-read
    assert AuditEvent.objects.count() == 0
    # Once the other save is done, the same form goes through.
    saved = edit(actor, access, contract, "status", {"status": "ACTIVE"}, seen=seen)
    assert saved.contract.status == "ACTIVE"


def test_a_save_by_business_id_also_waits_for_the_lock_of_fabrics_id(
    actor, access, contract, sandbox, settings
):
    settings.CONTRACT_LOCK_WAIT = 0.2
    seen = Snapshot.of(read(access, contract))
    by_business_id = {**contract, "_id": contract["contractId"]}
    with (
        locks.contract_lock(access.account.account_id, contract["_id"]),
        pytest.raises(services.ContractBusy),
    ):
        edit(actor, access, by_business_id, "status", {"status": "ACTIVE"}, seen=seen)
    assert AuditEvent.objects.count() == 0
    saved = edit(actor, access, by_business_id, "status", {"status": "ACTIVE"}, seen=seen)
    assert saved.contract.status == "ACTIVE"


def test_delete_and_restore_hold_the_lock_too(actor, access, contract, settings):
    settings.CONTRACT_LOCK_WAIT = 0.2
    where = {"organization_id": contract["partyId"], "contract_id": contract["_id"]}
    with locks.contract_lock(access.account.account_id, contract["_id"]):
        for service in (services.contract_delete, services.contract_restore):
            with pytest.raises(services.ContractBusy):
                service(actor=actor, access=access, **where)
    assert AuditEvent.objects.count() == 0
    assert services.contract_delete(actor=actor, access=access, **where).is_deleted
    assert not services.contract_restore(actor=actor, access=access, **where).is_deleted


def test_creates_of_one_contract_id_take_turns(actor, access, console_world, settings):
    settings.CONTRACT_LOCK_WAIT = 0.2
    values = {"contract_id": "C-LOCK-CREATE-1"}
    with (
        locks.contract_lock(access.account.account_id, "C-LOCK-CREATE-1"),
        pytest.raises(services.ContractBusy),
    ):
        services.contract_create(
            actor=actor,
            access=access,
            organization_id=console_world.fabric.organization_a["_id"],
            values=values,
        )
    assert AuditEvent.objects.count() == 0
