"""Someone else changing a contract directly in fabric while a console save is under way."""

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

from tests.conftest import fabric_headers


@contextmanager
def changed_during_the_write(sandbox, contract: dict, **fields) -> Iterator[None]:
    """Within the block, hold the console's next write of `contract` in the stand-in for a while
    (injected latency) and PATCH `fields` directly once the console's re-read has been answered:
    after the save read the contract, before fabric applies its write."""
    sandbox.admin.clear_requests()
    sandbox.admin.add_fault(method="PUT", path=contract["_id"], latency_ms=600, times=1)
    patched: list[int] = []

    def patch_after_the_re_read() -> None:
        deadline = time.monotonic() + 10
        while not sandbox.admin.requests(method="GET", path=contract["_id"]):
            if time.monotonic() > deadline:
                return
            time.sleep(0.01)
        answer = sandbox.call(
            "PATCH",
            f"/data-customer/v1/contracts/{contract['contractId']}",
            headers=fabric_headers(sandbox),
            json=fields,
        )
        patched.append(answer.status)

    other = threading.Thread(target=patch_after_the_re_read)
    other.start()
    try:
        yield
    finally:
        other.join(15)
    assert patched == [200], "the outside change was not made during the save"
