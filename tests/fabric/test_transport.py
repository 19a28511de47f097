"""The pooled per-thread session behind every call."""

import threading

from contracts_ui.fabric import transport


def test_each_thread_has_its_own_session():
    sessions = []
    worker = threading.Thread(target=lambda: sessions.append(transport.session()))
    worker.start()
    worker.join()
    assert transport.session() is transport.session()
    assert sessions[0] is not transport.session()


def test_the_pool_is_sized_by_settings_and_does_not_retry(settings):
    settings.FABRIC_POOL_SIZE = 3
    adapter = transport.session().get_adapter("https://fabric.example")
    assert adapter._pool_maxsize == 3
    assert adapter._pool_connections == 3
    assert adapter.max_retries.total == 0
