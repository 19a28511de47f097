"""The pooled per-thread session behind every call, the environment's proxies, and the signal
a read started ahead waits for."""

import http.server
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest

from contracts_ui.fabric import transport
from contracts_ui.fabric.context import request_written
from contracts_ui.fabric.errors import FabricUnavailable
from contracts_ui.fabric.types import FabricTenant


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


def _answer_ok(handler: http.server.BaseHTTPRequestHandler) -> None:
    body = b'{"ok": true}'
    handler.send_response(200)
    handler.send_header("Content-Type", "application/json")
    handler.send_header("Content-Length", str(len(body)))
    handler.end_headers()
    handler.wfile.write(body)


class _RecordingProxy(http.server.BaseHTTPRequestHandler):
    """A forward proxy that answers every request itself and keeps the request line."""

    seen: list[str] = []

    def do_GET(self):
        type(self).seen.append(self.path)
        _answer_ok(self)

    def log_message(self, *args):
        pass


@pytest.fixture
def proxy(monkeypatch):
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _RecordingProxy)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    _RecordingProxy.seen = []
    monkeypatch.setenv("HTTP_PROXY", f"http://127.0.0.1:{server.server_port}")
    monkeypatch.setenv("NO_PROXY", "direct.invalid")
    transport._proxies.cache_clear()
    yield _RecordingProxy.seen
    transport._proxies.cache_clear()
    server.shutdown()
    server.server_close()


def _get(url: str):
    tenant = FabricTenant(account_id="a" * 24, client_id="console", client_secret="s")
    return transport.send(
        tenant,
        "GET",
        url,
        "/v1/ping",
        request_id="r",
        attempt=1,
        deadline=transport.new_deadline(),
        is_write=False,
    )


def test_the_environments_proxy_is_used_though_read_once(proxy):
    assert _get("http://fabric.invalid/v1/ping").json() == {"ok": True}
    assert _get("http://fabric.invalid/v1/ping?again=1").status_code == 200
    assert proxy == ["http://fabric.invalid/v1/ping", "http://fabric.invalid/v1/ping?again=1"]
    assert transport._proxies.cache_info().misses == 1


def test_no_proxy_still_sends_a_host_direct(proxy):
    with pytest.raises(FabricUnavailable):  # direct.invalid resolves nowhere: nothing proxied
        _get("http://direct.invalid/v1/ping")
    assert proxy == []


class _HeldAnswer(http.server.BaseHTTPRequestHandler):
    """Answers every request (as fabric, or as a forward proxy) only once the test releases it."""

    received = threading.Event()
    release = threading.Event()

    def do_GET(self):
        type(self).received.set()
        type(self).release.wait(10)
        _answer_ok(self)

    def log_message(self, *args):
        pass


@pytest.fixture
def held_server():
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _HeldAnswer)
    _HeldAnswer.received, _HeldAnswer.release = threading.Event(), threading.Event()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    _HeldAnswer.release.set()
    server.shutdown()
    server.server_close()


@pytest.mark.parametrize("through", ["direct", "http-proxy"])
def test_a_read_started_ahead_is_told_once_its_request_is_written(
    through, held_server, monkeypatch
):
    """ahead.py's caller goes on while fabric still holds the answer, and not before the request
    is prepared and written: woken then, it would hold the GIL that the sending thread needs."""
    url = f"{held_server}/v1/ping"
    if through == "http-proxy":
        monkeypatch.setenv("HTTP_PROXY", held_server)
        transport._proxies.cache_clear()
        url = "http://fabric.invalid/v1/ping"
    written = threading.Event()
    told_while_preparing = []
    session_class = type(transport.session())
    prepare = session_class.prepare_request

    def watched_prepare(self, request):
        told_while_preparing.append(written.is_set())
        return prepare(self, request)

    monkeypatch.setattr(session_class, "prepare_request", watched_prepare)

    def read():
        token = request_written.set(written)
        try:
            return _get(url)
        finally:
            request_written.reset(token)

    try:
        with ThreadPoolExecutor(max_workers=1) as pool:
            answer = pool.submit(read)
            assert written.wait(10), "the read never said its request was written"
            assert _HeldAnswer.received.wait(10)
            assert not answer.done()  # told while the answer is still held
            _HeldAnswer.release.set()
            assert answer.result(10).json() == {"ok": True}
    finally:
        transport._proxies.cache_clear()
    assert told_while_preparing == [False]
